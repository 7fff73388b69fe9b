//! Bytes to JSON, walking the schema table.

use std::boxed::Box;
use std::string::String;
use std::vec::Vec;

use base64::Engine as _;
use serde_json::{Map, Value};
use zerotl::{Decode, DecodeError, DecodeErrorKind, Reader, VECTOR_ID};

use super::error::{schema_label, JsonDecodeError, RAW_OBJECT};
use crate::schema::{Combinator, FieldKind, Schema, Ty};

/// How deep JSON decoding nests (the typed decoder's limit).
pub(super) const MAX_DEPTH: u16 = zerotl::DEFAULT_MAX_DEPTH;

/// A type named by the caller of `bytes_to_json_as`: a table type, or vectors of
/// one (`Vector<Vector<long>>`), owned so that parsing a name leaks nothing.
#[derive(Debug)]
pub(super) enum TypeName {
    /// A primitive, boxed type or bare constructor.
    Plain(Ty),
    /// `Vector<T>` (`boxed`) or `vector<T>`.
    Vector { boxed: bool, elem: Box<TypeName> },
}

/// Parses a type name: a primitive, a boxed type (`InputPeer`), a bare constructor
/// (`inputPeerChat`, `%Message`), or `Vector<T>`/`vector<T>` of those.
pub(super) fn parse_type(schema: &'static Schema, ty: &str) -> Result<TypeName, JsonDecodeError> {
    static PRIMS: &[(&str, Ty)] = &[
        ("int", Ty::Int),
        ("long", Ty::Long),
        ("double", Ty::Double),
        ("int128", Ty::Int128),
        ("int256", Ty::Int256),
        ("string", Ty::String),
        ("bytes", Ty::Bytes),
        ("Bool", Ty::Bool),
        ("Object", Ty::Object),
    ];
    let ty = ty.trim();
    let unknown = || JsonDecodeError::UnknownType {
        name: ty.into(),
        schema: schema_label(schema),
    };
    if let Some((_, t)) = PRIMS.iter().find(|(n, _)| *n == ty) {
        return Ok(TypeName::Plain(*t));
    }
    for (prefix, boxed) in [("Vector<", true), ("vector<", false)] {
        if let Some(rest) = ty.strip_prefix(prefix) {
            let inner = rest.strip_suffix('>').ok_or_else(unknown)?;
            let elem = Box::new(parse_type(schema, inner).map_err(|_| unknown())?);
            return Ok(TypeName::Vector { boxed, elem });
        }
    }
    if let Some(name) = ty.strip_prefix('%') {
        let t = schema.boxed_type(name).ok_or_else(unknown)?;
        return match t.ctors {
            [id] => Ok(TypeName::Plain(Ty::Bare(
                schema.by_id(*id).ok_or_else(unknown)?.name,
            ))),
            _ => Err(unknown()),
        };
    }
    if let Some(t) = schema.boxed_type(ty) {
        return Ok(TypeName::Plain(Ty::Boxed(t.name)));
    }
    match schema.by_name(ty) {
        Some(c) if !c.function => Ok(TypeName::Plain(Ty::Bare(c.name))),
        _ => Err(unknown()),
    }
}

/// Bytes to JSON, walking the schema table.
pub(super) struct Walk {
    schema: &'static Schema,
    raw_objects: bool,
    depth: u16,
}

fn hex(bytes: &[u8]) -> Value {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    Value::String(s)
}

fn double(x: f64) -> Value {
    if x.is_nan() {
        Value::from("NaN")
    } else if x.is_infinite() {
        Value::from(if x > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        Value::from(x)
    }
}

fn base64(bytes: &[u8]) -> Value {
    Value::from(base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn known_flags(c: &Combinator, index: usize) -> u32 {
    c.fields
        .iter()
        .filter_map(|f| match f.kind {
            FieldKind::Conditional { flags, bit, .. } if flags as usize == index => {
                Some(1u32 << bit)
            }
            _ => None,
        })
        .fold(0, |a, b| a | b)
}

impl Walk {
    /// A walk over values of `schema`; with `raw_objects`, `Object` fields whose
    /// bytes do not decode show as raw bytes instead of failing.
    pub(super) fn new(schema: &'static Schema, raw_objects: bool) -> Self {
        Self {
            schema,
            raw_objects,
            depth: 0,
        }
    }

    fn enter(&mut self, r: &Reader<'_>) -> Result<(), DecodeError> {
        if self.depth >= MAX_DEPTH {
            return Err(r.error(DecodeErrorKind::DepthExceeded { limit: MAX_DEPTH }));
        }
        self.depth += 1;
        Ok(())
    }

    /// Exactly one boxed value of any type at `r`, checked by the generated typed
    /// decoder first (so JSON never accepts what the typed API rejects), then shown.
    pub(super) fn checked_object(&mut self, r: &mut Reader<'_>) -> Result<Value, JsonDecodeError> {
        let mut typed = r.clone();
        if !self.schema.decode_typed(&mut typed, &mut |_| {})? {
            return Err(JsonDecodeError::UnknownId {
                id: typed.peek_u32()?,
                offset: typed.position(),
                schema: schema_label(self.schema),
            });
        }
        typed.finish()?;
        let v = self.object(r)?;
        r.finish()?;
        Ok(v)
    }

    /// A boxed value of any type, by its id.
    fn object(&mut self, r: &mut Reader<'_>) -> Result<Value, JsonDecodeError> {
        let at = r.position();
        let id = r.read_u32()?;
        match self.schema.find_id(id) {
            Some((cur, c)) => self.body(r, cur, c),
            None => Err(JsonDecodeError::UnknownId {
                id,
                offset: at,
                schema: schema_label(self.schema),
            }),
        }
    }

    /// An `Object`/`!X` field: the next `len` bytes, one boxed value.
    fn rest_object(&mut self, r: &mut Reader<'_>, len: usize) -> Result<Value, JsonDecodeError> {
        // As the typed `Object`: at least a constructor id, or the enclosing value
        // does not decode.
        if len < 4 {
            return Err(r
                .error(DecodeErrorKind::UnexpectedEnd {
                    needed: 4,
                    remaining: len,
                })
                .into());
        }
        let at = r.position();
        let mut inner = r.sub_reader(len)?;
        let bytes = inner.rest();
        let depth = self.depth;
        let decoded = self.checked_object(&mut inner);
        self.depth = depth;
        match decoded {
            Ok(v) => Ok(v),
            // A deeper Object failed: its path grows on the way out.
            Err(e @ JsonDecodeError::Object { .. }) => Err(e),
            Err(_) if self.raw_objects => {
                let mut m = Map::new();
                m.insert("_".into(), Value::from(RAW_OBJECT));
                m.insert("bytes".into(), base64(bytes));
                Ok(Value::Object(m))
            }
            Err(cause) => Err(JsonDecodeError::Object {
                path: String::new(),
                offset: at,
                cause: Box::new(cause),
            }),
        }
    }

    /// The fields of `c`, whose named types are resolved in `cur` (the schema that
    /// defines `c`: an MTProto `msg_container` names the MTProto `message`).
    fn body(
        &mut self,
        r: &mut Reader<'_>,
        cur: &'static Schema,
        c: &'static Combinator,
    ) -> Result<Value, JsonDecodeError> {
        self.enter(r)?;
        let mut m = Map::new();
        m.insert("_".into(), Value::from(c.name));
        let mut flags = std::vec![0u32; c.fields.len()];
        let mut size = None;
        for (i, f) in c.fields.iter().enumerate() {
            let within = |e: JsonDecodeError| e.within(f.name);
            match f.kind {
                FieldKind::Flags => {
                    flags[i] = r.read_flags(known_flags(c, i), c.name)?;
                }
                FieldKind::ObjectSize => {
                    let at = r.position();
                    let n = r.read_i32()?;
                    if n < 4 || n as usize > r.remaining() {
                        return Err(DecodeError::new(
                            DecodeErrorKind::InvalidValue {
                                what: "object length",
                            },
                            at,
                        )
                        .into());
                    }
                    size = Some(n as usize);
                    m.insert(f.name.into(), Value::from(n));
                }
                FieldKind::Plain(Ty::Object | Ty::Generic) => {
                    let len = size.take().unwrap_or(r.remaining());
                    let v = self.rest_object(r, len).map_err(within)?;
                    m.insert(f.name.into(), v);
                }
                FieldKind::Plain(ty) => {
                    let v = self.value(r, cur, &ty).map_err(within)?;
                    m.insert(f.name.into(), v);
                }
                FieldKind::Conditional { flags: fi, bit, ty } => {
                    let set = flags.get(fi as usize).is_some_and(|w| w & (1 << bit) != 0);
                    if ty == Ty::True {
                        m.insert(f.name.into(), Value::Bool(set));
                    } else if set {
                        let v = self.value(r, cur, &ty).map_err(within)?;
                        m.insert(f.name.into(), v);
                    }
                }
            }
        }
        self.depth -= 1;
        Ok(Value::Object(m))
    }

    /// A value of a type the caller named.
    pub(super) fn named(
        &mut self,
        r: &mut Reader<'_>,
        ty: &TypeName,
    ) -> Result<Value, JsonDecodeError> {
        match ty {
            TypeName::Plain(t) => self.value(r, self.schema, t),
            TypeName::Vector { boxed, elem } => {
                if *boxed {
                    r.expect_id(VECTOR_ID, "Vector")?;
                }
                let n = r.read_count(1)?;
                let mut items = Vec::new();
                for i in 0..n {
                    let v = self
                        .named(r, elem)
                        .map_err(|e| e.within(&std::format!("[{i}]")))?;
                    items.push(v);
                }
                Ok(Value::Array(items))
            }
        }
    }

    fn value(
        &mut self,
        r: &mut Reader<'_>,
        cur: &'static Schema,
        ty: &Ty,
    ) -> Result<Value, JsonDecodeError> {
        Ok(match *ty {
            Ty::Int => Value::from(r.read_i32()?),
            Ty::Long => Value::from(r.read_i64()?),
            Ty::Double => double(r.read_f64()?),
            Ty::Int128 => hex(r.read_array::<16>()?),
            Ty::Int256 => hex(r.read_array::<32>()?),
            Ty::String => Value::from(zerotl::Str::decode(r)?.as_str()),
            Ty::Bytes => base64(r.read_tl_bytes()?),
            Ty::Bool => Value::Bool(bool::decode(r)?),
            Ty::True => Value::Bool(true),
            Ty::Object | Ty::Generic => {
                let n = r.remaining();
                self.rest_object(r, n)?
            }
            Ty::Vector(elem) | Ty::BareVector(elem) => {
                if matches!(ty, Ty::Vector(_)) {
                    r.expect_id(VECTOR_ID, "Vector")?;
                }
                let n = r.read_count(1)?;
                let mut items = Vec::new();
                for i in 0..n {
                    let v = self
                        .value(r, cur, elem)
                        .map_err(|e| e.within(&std::format!("[{i}]")))?;
                    items.push(v);
                }
                Value::Array(items)
            }
            Ty::Boxed(name) => {
                let at = r.position();
                let id = r.read_u32()?;
                match cur.ctor_of_type(name, id) {
                    Some((owner, c)) => self.body(r, owner, c)?,
                    None => {
                        return Err(DecodeError::new(
                            DecodeErrorKind::UnknownConstructor { id, expected: name },
                            at,
                        )
                        .into())
                    }
                }
            }
            Ty::Bare(name) => match cur.find_name(name) {
                Some((owner, c)) => self.body(r, owner, c)?,
                None => {
                    return Err(r
                        .error(DecodeErrorKind::InvalidValue {
                            what: "bare type (not in the schema)",
                        })
                        .into())
                }
            },
        })
    }
}
