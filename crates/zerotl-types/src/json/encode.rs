//! JSON to bytes, walking the schema table. Strict: every key must be a field of
//! the constructor in the schema, every value of the field's JSON kind and range.

use std::borrow::ToOwned;
use std::string::String;
use std::vec::Vec;

use base64::Engine as _;
use serde_json::{Map, Value};
use zerotl::{BOOL_FALSE_ID, BOOL_TRUE_ID, VECTOR_ID};

use super::decode::MAX_DEPTH;
use super::error::{closest, describe, schema_label, JsonError, JsonErrorKind, RAW_OBJECT};
use crate::schema::{Combinator, FieldKind, Schema, Ty};

/// `int` and its range, for messages.
const INT_RANGE: &str = "int (-2147483648 to 2147483647)";
/// `long` and its range, for messages.
const LONG_RANGE: &str = "long (-9223372036854775808 to 9223372036854775807)";

/// JSON to bytes, walking the schema table.
pub(super) struct Build {
    schema: &'static Schema,
    depth: u16,
}

fn err(kind: JsonErrorKind) -> JsonError {
    JsonError::new(kind)
}

fn wrong_type(expected: &'static str, found: &Value) -> JsonError {
    err(JsonErrorKind::WrongType {
        expected,
        found: describe(found),
    })
}

/// The TL spelling of a field type, for messages.
fn ty_name(ty: &Ty) -> String {
    match ty {
        Ty::Int => "int".into(),
        Ty::Long => "long".into(),
        Ty::Double => "double".into(),
        Ty::Int128 => "int128".into(),
        Ty::Int256 => "int256".into(),
        Ty::String => "string".into(),
        Ty::Bytes => "bytes".into(),
        Ty::Bool => "Bool".into(),
        Ty::True => "true".into(),
        Ty::Object => "Object".into(),
        Ty::Generic => "!X".into(),
        Ty::Vector(e) => std::format!("Vector<{}>", ty_name(e)),
        Ty::BareVector(e) => std::format!("vector<{}>", ty_name(e)),
        Ty::Boxed(n) | Ty::Bare(n) => (*n).to_owned(),
    }
}

/// The constructor name in `"_"`.
fn ctor_name(v: &Value) -> Result<&str, JsonError> {
    match v {
        Value::Object(m) => match m.get("_") {
            Some(Value::String(s)) => Ok(s),
            Some(other) => Err(wrong_type("a string naming the constructor", other).within("_")),
            None => Err(err(JsonErrorKind::MissingName)),
        },
        other => Err(wrong_type("an object with \"_\"", other)),
    }
}

/// An integer in `min..=max`.
fn integer(
    v: &Value,
    expected: &'static str,
    ty: &'static str,
    range: core::ops::RangeInclusive<i64>,
) -> Result<i64, JsonError> {
    let Value::Number(n) = v else {
        return Err(wrong_type(expected, v));
    };
    match n.as_i64() {
        Some(i) if range.contains(&i) => Ok(i),
        Some(_) => Err(err(JsonErrorKind::OutOfRange {
            value: n.to_string(),
            ty,
        })),
        None if n.is_u64() => Err(err(JsonErrorKind::OutOfRange {
            value: n.to_string(),
            ty,
        })),
        None => Err(wrong_type(expected, v)),
    }
}

fn put_tl_bytes(out: &mut Vec<u8>, data: &[u8]) -> Result<(), JsonError> {
    let len = data.len();
    if len <= 253 {
        out.push(len as u8);
    } else if len <= 0x00ff_ffff {
        let l = (len as u32).to_le_bytes();
        out.extend_from_slice(&[254, l[0], l[1], l[2]]);
    } else {
        return Err(err(JsonErrorKind::TooLong { length: len }));
    }
    out.extend_from_slice(data);
    while out.len() % 4 != 0 {
        out.push(0);
    }
    Ok(())
}

fn unbase64(v: &Value, expected: &'static str) -> Result<Vec<u8>, JsonError> {
    let s = v.as_str().ok_or_else(|| wrong_type(expected, v))?;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| {
            err(JsonErrorKind::InvalidBase64 {
                reason: e.to_string(),
            })
        })
}

fn unhex<const N: usize>(v: &Value, expected: &'static str) -> Result<[u8; N], JsonError> {
    let s = v.as_str().ok_or_else(|| wrong_type(expected, v))?;
    let invalid = |reason: String| err(JsonErrorKind::InvalidHex { reason });
    let count = s.chars().count();
    if count != 2 * N {
        return Err(invalid(std::format!(
            "expected {} hex digits, found {count}",
            2 * N
        )));
    }
    let mut out = [0u8; N];
    for (i, c) in s.chars().enumerate() {
        let d = c
            .to_digit(16)
            .ok_or_else(|| invalid(std::format!("{c:?} is not a hex digit")))?;
        out[i / 2] |= (d as u8) << if i % 2 == 0 { 4 } else { 0 };
    }
    Ok(out)
}

/// `{"_": "<raw>", "bytes": "<base64>"}`: an `Object` as its bytes (at least a
/// constructor id, as the typed decoder requires of an `Object`).
fn raw_object(m: &Map<String, Value>, out: &mut Vec<u8>) -> Result<(), JsonError> {
    if let Some(key) = m.keys().find(|k| *k != "_" && *k != "bytes") {
        return Err(err(JsonErrorKind::UnknownField {
            field: key.clone(),
            constructor: RAW_OBJECT,
            schema: "a raw Object has only \"bytes\"".into(),
            suggestion: None,
        })
        .within(key));
    }
    let v = m.get("bytes").ok_or_else(|| {
        err(JsonErrorKind::MissingField {
            field: "bytes",
            ty: "bytes".into(),
            constructor: RAW_OBJECT,
        })
        .within("bytes")
    })?;
    let data = unbase64(v, "bytes (a base64 string)").map_err(|e| e.within("bytes"))?;
    if data.len() < 4 {
        return Err(err(JsonErrorKind::RawTooShort { length: data.len() }).within("bytes"));
    }
    out.extend_from_slice(&data);
    Ok(())
}

impl Build {
    /// An encoder of values of `schema`.
    pub(super) fn new(schema: &'static Schema) -> Self {
        Self { schema, depth: 0 }
    }

    /// The error for a `"_"` no combinator of `schema` has; the suggestion is
    /// taken among the constructors of `of_type` when the field names one.
    fn unknown_name(schema: &'static Schema, name: &str, of_type: Option<&str>) -> JsonError {
        let suggestion = match of_type.and_then(|t| schema.boxed_type(t)) {
            Some(t) => closest(
                name,
                t.ctors
                    .iter()
                    .filter_map(|id| schema.by_id(*id))
                    .map(|c| c.name),
            ),
            None => {
                let mut all = Vec::new();
                let mut s = Some(schema);
                while let Some(cur) = s {
                    all.extend(cur.names.iter().map(|(n, _)| *n));
                    s = cur.fallback;
                }
                closest(name, all.into_iter())
            }
        };
        err(JsonErrorKind::UnknownName {
            name: name.to_owned(),
            schema: schema_label(schema),
            suggestion,
        })
        .within("_")
    }

    /// A boxed constructor or function named by `"_"`.
    pub(super) fn object(&mut self, v: &Value, out: &mut Vec<u8>) -> Result<(), JsonError> {
        let name = ctor_name(v)?;
        let (cur, c) = self
            .schema
            .find_name(name)
            .ok_or_else(|| Self::unknown_name(self.schema, name, None))?;
        out.extend_from_slice(&c.id.to_le_bytes());
        self.body(v, cur, c, out)
    }

    /// The fields of `c`, whose named types are resolved in `cur` (the schema that
    /// defines `c`).
    fn body(
        &mut self,
        v: &Value,
        cur: &'static Schema,
        c: &'static Combinator,
        out: &mut Vec<u8>,
    ) -> Result<(), JsonError> {
        if self.depth >= MAX_DEPTH {
            return Err(err(JsonErrorKind::TooDeep { limit: MAX_DEPTH }));
        }
        self.depth += 1;
        let result = self.fields(v, cur, c, out);
        self.depth -= 1;
        result
    }

    fn fields(
        &mut self,
        v: &Value,
        cur: &'static Schema,
        c: &'static Combinator,
        out: &mut Vec<u8>,
    ) -> Result<(), JsonError> {
        let Value::Object(m) = v else {
            return Err(wrong_type("an object", v));
        };
        match m.get("_") {
            None => {}
            Some(Value::String(s)) if s == c.name => {}
            Some(Value::String(s)) => {
                return Err(err(JsonErrorKind::NotTheBareConstructor {
                    name: s.clone(),
                    expected: c.name,
                })
                .within("_"))
            }
            Some(other) => {
                return Err(wrong_type("a string naming the constructor", other).within("_"))
            }
        }
        check_keys(m, cur, c)?;
        let present = |key: &str| !matches!(m.get(key), None | Some(Value::Null));
        for (i, f) in c.fields.iter().enumerate() {
            let within = |e: JsonError| e.within(f.name);
            let missing = |ty: &Ty| {
                err(JsonErrorKind::MissingField {
                    field: f.name,
                    ty: ty_name(ty),
                    constructor: c.name,
                })
                .within(f.name)
            };
            match f.kind {
                FieldKind::Flags => {
                    let word = flags_word(m, c, i)?;
                    out.extend_from_slice(&word.to_le_bytes());
                }
                FieldKind::ObjectSize => {
                    // Written with the object after it, below.
                }
                FieldKind::Plain(ty @ (Ty::Object | Ty::Generic)) => {
                    let val = m.get(f.name).ok_or_else(|| missing(&ty))?;
                    let size_field = i
                        .checked_sub(1)
                        .map(|p| &c.fields[p])
                        .filter(|p| matches!(p.kind, FieldKind::ObjectSize));
                    let size_at = out.len();
                    if size_field.is_some() {
                        out.extend_from_slice(&[0; 4]);
                    }
                    let start = out.len();
                    self.value(val, cur, &ty, out).map_err(within)?;
                    if let Some(sf) = size_field {
                        let n = out.len() - start;
                        check_size(m, sf.name, n)?;
                        out[size_at..start].copy_from_slice(&(n as u32).to_le_bytes());
                    }
                }
                FieldKind::Plain(ty) => {
                    let val = m.get(f.name).ok_or_else(|| missing(&ty))?;
                    self.value(val, cur, &ty, out).map_err(within)?;
                }
                FieldKind::Conditional { ty, .. } => {
                    if ty != Ty::True && present(f.name) {
                        self.value(&m[f.name], cur, &ty, out).map_err(within)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn value(
        &mut self,
        v: &Value,
        cur: &'static Schema,
        ty: &Ty,
        out: &mut Vec<u8>,
    ) -> Result<(), JsonError> {
        match *ty {
            Ty::Int => {
                let range = i64::from(i32::MIN)..=i64::from(i32::MAX);
                let n = integer(v, "an int (32-bit integer)", INT_RANGE, range)?;
                out.extend_from_slice(&(n as i32).to_le_bytes());
            }
            Ty::Long => {
                let n = integer(
                    v,
                    "a long (64-bit integer)",
                    LONG_RANGE,
                    i64::MIN..=i64::MAX,
                )?;
                out.extend_from_slice(&n.to_le_bytes());
            }
            Ty::Double => {
                const EXPECTED: &str =
                    "a double (a number, \"NaN\", \"Infinity\" or \"-Infinity\")";
                let x = match v {
                    Value::Number(n) => n.as_f64().ok_or_else(|| wrong_type(EXPECTED, v))?,
                    Value::String(s) if s == "NaN" => f64::NAN,
                    Value::String(s) if s == "Infinity" => f64::INFINITY,
                    Value::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
                    _ => return Err(wrong_type(EXPECTED, v)),
                };
                out.extend_from_slice(&x.to_le_bytes());
            }
            Ty::Int128 => out.extend_from_slice(&unhex::<16>(v, "an int128 (32 hex digits)")?),
            Ty::Int256 => out.extend_from_slice(&unhex::<32>(v, "an int256 (64 hex digits)")?),
            Ty::String => {
                let s = v.as_str().ok_or_else(|| wrong_type("a string", v))?;
                put_tl_bytes(out, s.as_bytes())?;
            }
            Ty::Bytes => put_tl_bytes(out, &unbase64(v, "bytes (a base64 string)")?)?,
            Ty::Bool => {
                let b = v
                    .as_bool()
                    .ok_or_else(|| wrong_type("a Bool (true or false)", v))?;
                out.extend_from_slice(&if b { BOOL_TRUE_ID } else { BOOL_FALSE_ID }.to_le_bytes());
            }
            // The schema parser allows `true` only under a flag (flags_word reads
            // those), so no field holds it plainly.
            Ty::True => return Err(wrong_type("nothing (true is only valid under a flag)", v)),
            Ty::Object | Ty::Generic => match v {
                Value::Object(m) if ctor_name(v).ok() == Some(RAW_OBJECT) => raw_object(m, out)?,
                _ => self.object(v, out)?,
            },
            Ty::Vector(elem) | Ty::BareVector(elem) => {
                let items = v.as_array().ok_or_else(|| wrong_type("an array", v))?;
                if matches!(ty, Ty::Vector(_)) {
                    out.extend_from_slice(&VECTOR_ID.to_le_bytes());
                }
                let n = i32::try_from(items.len()).map_err(|_| {
                    err(JsonErrorKind::OutOfRange {
                        value: items.len().to_string(),
                        ty: "a vector's count",
                    })
                })?;
                out.extend_from_slice(&n.to_le_bytes());
                for (i, item) in items.iter().enumerate() {
                    self.value(item, cur, elem, out)
                        .map_err(|e| e.within(&std::format!("[{i}]")))?;
                }
            }
            Ty::Boxed(type_name) => {
                let name = ctor_name(v)?;
                let (_, found) = cur
                    .find_name(name)
                    .ok_or_else(|| Self::unknown_name(cur, name, Some(type_name)))?;
                let (owner, c) = cur
                    .ctor_of_type(type_name, found.id)
                    .filter(|_| !found.function)
                    .ok_or_else(|| {
                        err(JsonErrorKind::WrongConstructor {
                            name: found.name,
                            of_type: found.ty,
                            expected: type_name,
                            function: found.function,
                        })
                        .within("_")
                    })?;
                out.extend_from_slice(&c.id.to_le_bytes());
                self.body(v, owner, c, out)?;
            }
            Ty::Bare(name) => {
                let (owner, c) = cur
                    .find_name(name)
                    .ok_or_else(|| Self::unknown_name(cur, name, None))?;
                self.body(v, owner, c, out)?;
            }
        }
        Ok(())
    }
}

/// Every key of `m` must be `"_"` or a field of `c` that takes a value (not a
/// `flags:#` word).
fn check_keys(
    m: &Map<String, Value>,
    cur: &'static Schema,
    c: &'static Combinator,
) -> Result<(), JsonError> {
    for key in m.keys().filter(|k| *k != "_") {
        match c.fields.iter().find(|f| f.name == key) {
            Some(f) if f.kind == FieldKind::Flags => {
                return Err(err(JsonErrorKind::ComputedField {
                    field: f.name,
                    constructor: c.name,
                })
                .within(key))
            }
            Some(_) => {}
            None => {
                let names = c
                    .fields
                    .iter()
                    .filter(|f| f.kind != FieldKind::Flags)
                    .map(|f| f.name);
                return Err(err(JsonErrorKind::UnknownField {
                    field: key.clone(),
                    constructor: c.name,
                    schema: schema_label(cur),
                    suggestion: closest(key, names),
                })
                .within(key));
            }
        }
    }
    Ok(())
}

/// The `flags:#` word at field `index` of `c`, from the fields under it.
fn flags_word(
    m: &Map<String, Value>,
    c: &'static Combinator,
    index: usize,
) -> Result<u32, JsonError> {
    let flags = c.fields[index].name;
    let mut word = 0u32;
    let mut by_bit: [Option<(&str, bool)>; 32] = [None; 32];
    for g in c.fields {
        let FieldKind::Conditional { flags: fi, bit, ty } = g.kind else {
            continue;
        };
        if fi as usize != index {
            continue;
        }
        let on = match (ty, m.get(g.name)) {
            (_, None | Some(Value::Null)) => false,
            (Ty::True, Some(Value::Bool(b))) => *b,
            (Ty::True, Some(other)) => {
                return Err(wrong_type("true or false", other).within(g.name))
            }
            _ => true,
        };
        match by_bit[bit as usize] {
            Some((other, was)) if was != on => {
                return Err(err(JsonErrorKind::SharedFlagBit {
                    field: g.name,
                    other,
                    flags,
                    bit,
                })
                .within(g.name))
            }
            _ => by_bit[bit as usize] = Some((g.name, on)),
        }
        if on {
            word |= 1 << bit;
        }
    }
    Ok(word)
}

/// A size field given in the JSON (`message.bytes`) must be what was computed.
fn check_size(m: &Map<String, Value>, field: &'static str, actual: usize) -> Result<(), JsonError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(()),
        Some(given) if given.as_u64() == Some(actual as u64) => Ok(()),
        Some(given) => Err(err(JsonErrorKind::SizeMismatch {
            field,
            given: describe(given),
            actual,
        })
        .within(field)),
    }
}
