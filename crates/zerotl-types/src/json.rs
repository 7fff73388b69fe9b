//! The JSON mapping (feature `serde`): TL bytes to and from `serde_json` values.
//!
//! | TL | JSON |
//! | --- | --- |
//! | constructor / function | `{"_": "<schema name>", "<field>": value, ...}` (fields in schema order) |
//! | `flags:#` | omitted (computed) |
//! | `flags.N?true` | `true`/`false`, always present |
//! | absent `flags.N?T` | omitted (`null` is read as absent) |
//! | `int`, `long` | number (exact 64-bit) |
//! | `double` | number; NaN and infinities as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (a NaN's sign and payload are not kept: `"NaN"` encodes as `0x7ff8000000000000`, as in GramJS and Telethon) |
//! | `int128`, `int256` | lowercase hex of the wire bytes |
//! | `string` | string |
//! | `bytes` | standard base64 with padding |
//! | `Bool` | `true`/`false` |
//! | `Vector<T>`, `vector<T>` | array |
//! | `Object`, `!X` (`rpc_result.result`, `invokeWithLayer.query`) | the nested object |
//! | `message.bytes` (the size of `body:Object`) | number, computed when encoding |
//!
//! The mapping is driven by each schema's [`Schema`] table rather than by code per
//! type, which keeps the generated crate quick to build. Decoding first runs the
//! generated typed decoder over the bytes (so JSON never accepts what the typed API
//! rejects), then walks the table. Encoding walks the table and, as a check, decodes
//! the result with the generated types.
//!
//! Names: a layer's JSON looks `"_"` names up in the layer's API schema, then in the
//! MTProto schema; the field types of a combinator are resolved in the schema that
//! defines it (so `msg_container` holds the MTProto `message`). The one name both
//! schemas define, `message`, means the API constructor at the top level; the MTProto
//! `message` only travels inside `msg_container` and `msg_copy`.
//!
//! Choices the docs leave open:
//! * fields that share one flag bit (`views:flags.10?int forwards:flags.10?int`) must
//!   be all present or all absent, and a `?true` field sharing a bit must equal the
//!   others' presence; otherwise encoding fails with a [`JsonError`] (the bytes
//!   could not decode);
//! * an `Object` whose bytes are not a known boxed value shows as
//!   `{"_": "<undecodable>", "bytes": "<base64>"}`, because the typed API accepts any
//!   bytes there; encoding writes those bytes back as they are.
//!
//! ```
//! # #[cfg(feature = "layer122")] {
//! use zerotl_types::{json, layer122::schema::SCHEMA};
//! let bytes = [0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, 0x87, 0xd6, 0x12, 0x00];
//! let v = json::bytes_to_json(&SCHEMA, &bytes).unwrap();
//! assert_eq!(v.to_string(),
//!     r#"{"_":"messages.exportChatInvite","peer":{"_":"inputPeerChat","chat_id":1234567}}"#);
//! assert_eq!(json::json_to_bytes(&SCHEMA, &v).unwrap(), bytes);
//! # }
//! ```

#[allow(unused_imports)]
use std::borrow::ToOwned;
use std::fmt;
use std::string::String;
use std::vec::Vec;

use base64::Engine as _;
pub use serde_json::{Map, Value};
use zerotl::{
    Decode, DecodeError, DecodeErrorKind, Encode, Reader, BOOL_FALSE_ID, BOOL_TRUE_ID, VECTOR_ID,
};

use crate::schema::{Combinator, FieldKind, Schema, Ty};

/// How deep JSON decoding nests (the typed decoder's limit).
const MAX_DEPTH: u16 = zerotl::DEFAULT_MAX_DEPTH;

/// A JSON value that does not fit the TL type it should become.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Where in the JSON document: `peer.chat_id`, `filters[2]`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl JsonError {
    /// An error at the current value.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            path: String::new(),
            message: message.into(),
        }
    }

    /// The same error seen from the enclosing value, one `segment` up.
    fn within(mut self, segment: &str) -> Self {
        self.path = if self.path.is_empty() {
            segment.to_owned()
        } else if self.path.starts_with('[') {
            format!("{segment}{}", self.path)
        } else {
            format!("{segment}.{}", self.path)
        };
        self
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "at `{}`: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for JsonError {}

/// Why [`bytes_to_json_as`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypedDecodeError {
    /// The type name is not in the schema.
    UnknownType(String),
    /// The bytes do not decode.
    Decode(DecodeError),
}

impl From<DecodeError> for TypedDecodeError {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

impl fmt::Display for TypedDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownType(t) => write!(f, "unknown type `{t}`"),
            Self::Decode(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for TypedDecodeError {}

/// Decodes `bytes` (exactly one boxed constructor or function of `schema` or its
/// fallback) to JSON.
pub fn bytes_to_json(schema: &'static Schema, bytes: &[u8]) -> Result<Value, DecodeError> {
    let mut r = Reader::new(bytes);
    if !schema.decode_typed(&mut r, &mut |_| {})? {
        let id = r.peek_u32()?;
        return Err(r.error(DecodeErrorKind::UnknownConstructor {
            id,
            expected: "a constructor or function",
        }));
    }
    r.finish()?;
    let mut r = Reader::new(bytes);
    let v = Walk { schema, depth: 0 }.object(&mut r)?;
    r.finish()?;
    Ok(v)
}

/// Decodes `bytes` as the type `ty`: a boxed type (`InputPeer`), a bare constructor
/// (`inputPeerChat`, `%Message`), a primitive (`int`, `long`, `double`, `int128`,
/// `int256`, `string`, `bytes`, `Bool`, `Object`) or a vector of those
/// (`Vector<long>`, `vector<%Message>`).
pub fn bytes_to_json_as(
    schema: &'static Schema,
    ty: &str,
    bytes: &[u8],
) -> Result<Value, TypedDecodeError> {
    let parsed = parse_type(schema, ty.trim())?;
    if let Ty::Boxed(name) | Ty::Bare(name) = parsed {
        let mut r = Reader::new(bytes);
        match schema.decode_named_typed(name, &mut r, &mut |_| {}) {
            Some(res) => res?,
            None => return Err(TypedDecodeError::UnknownType(ty.to_owned())),
        }
        r.finish()?;
    }
    let mut r = Reader::new(bytes);
    let v = Walk { schema, depth: 0 }.value(&mut r, schema, &parsed)?;
    r.finish()?;
    Ok(v)
}

/// Encodes a JSON object (a constructor or function with `"_"`) to bytes.
pub fn json_to_bytes(schema: &'static Schema, v: &Value) -> Result<Vec<u8>, JsonError> {
    let mut out = Vec::new();
    Build { schema }.object(v, &mut out)?;
    // Cross-check with the generated types: they must read back what was written.
    let mut r = Reader::new(&out);
    match schema
        .decode_typed(&mut r, &mut |_| {})
        .and_then(|known| r.finish().map(|()| known))
    {
        Ok(true) => Ok(out),
        Ok(false) => Err(JsonError::new(
            "the generated types do not know this constructor",
        )),
        Err(e) => Err(JsonError::new(format!(
            "the encoding does not decode with the generated types: {e}"
        ))),
    }
}

/// Encodes `value` (any boxed generated type) and shows it as JSON.
pub fn to_json<T: Encode>(schema: &'static Schema, value: &T) -> Result<Value, DecodeError> {
    let mut buf = std::vec![0u8; value.encoded_len()];
    let n = value.encode_to_slice(&mut buf).map_err(|_| {
        DecodeError::new(
            DecodeErrorKind::InvalidValue {
                what: "value (does not encode)",
            },
            0,
        )
    })?;
    buf.truncate(n);
    bytes_to_json(schema, &buf)
}

/// Builds a boxed generated value from JSON. The value borrows from `storage`, which
/// receives its encoding.
pub fn from_json<'a, T: Decode<'a>>(
    schema: &'static Schema,
    v: &Value,
    storage: &'a mut Vec<u8>,
) -> Result<T, JsonError> {
    *storage = json_to_bytes(schema, v)?;
    T::decode_from_slice(storage).map_err(|e| JsonError::new(format!("not this type: {e}")))
}

fn parse_type(schema: &'static Schema, ty: &str) -> Result<Ty, TypedDecodeError> {
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
    if let Some((_, t)) = PRIMS.iter().find(|(n, _)| *n == ty) {
        return Ok(*t);
    }
    let unknown = || TypedDecodeError::UnknownType(ty.to_owned());
    for (prefix, boxed) in [("Vector<", true), ("vector<", false)] {
        if let Some(rest) = ty.strip_prefix(prefix) {
            let inner = rest.strip_suffix('>').ok_or_else(unknown)?;
            let elem: &'static Ty =
                std::boxed::Box::leak(std::boxed::Box::new(parse_type(schema, inner.trim())?));
            return Ok(if boxed {
                Ty::Vector(elem)
            } else {
                Ty::BareVector(elem)
            });
        }
    }
    if let Some(name) = ty.strip_prefix('%') {
        let t = schema.boxed_type(name).ok_or_else(unknown)?;
        return match t.ctors {
            [id] => Ok(Ty::Bare(schema.by_id(*id).ok_or_else(unknown)?.name)),
            _ => Err(unknown()),
        };
    }
    if let Some(t) = schema.boxed_type(ty) {
        return Ok(Ty::Boxed(t.name));
    }
    match schema.by_name(ty) {
        Some(c) if !c.function => Ok(Ty::Bare(c.name)),
        _ => Err(unknown()),
    }
}

/// Bytes to JSON, walking the schema table.
struct Walk {
    schema: &'static Schema,
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
    fn enter(&mut self, r: &Reader<'_>) -> Result<(), DecodeError> {
        if self.depth >= MAX_DEPTH {
            return Err(r.error(DecodeErrorKind::DepthExceeded { limit: MAX_DEPTH }));
        }
        self.depth += 1;
        Ok(())
    }

    /// A boxed value of any type, by its id.
    fn object(&mut self, r: &mut Reader<'_>) -> Result<Value, DecodeError> {
        let at = r.position();
        let id = r.read_u32()?;
        match self.schema.find_id(id) {
            Some((cur, c)) => self.body(r, cur, c),
            None => Err(DecodeError::new(
                DecodeErrorKind::UnknownConstructor {
                    id,
                    expected: "a constructor or function",
                },
                at,
            )),
        }
    }

    /// An `Object`/`!X` field: the rest of `r`, shown decoded when it decodes.
    fn rest_object(&mut self, r: &mut Reader<'_>, len: usize) -> Result<Value, DecodeError> {
        // As the typed `Object`: at least a constructor id, or the enclosing value
        // does not decode (and shows as `<undecodable>` one level up).
        if len < 4 {
            return Err(r.error(DecodeErrorKind::UnexpectedEnd {
                needed: 4,
                remaining: len,
            }));
        }
        let bytes = r.read_slice(len)?;
        let mut inner = Reader::new(bytes);
        let depth = self.depth;
        let decoded = self
            .object(&mut inner)
            .and_then(|v| inner.finish().map(|()| v));
        self.depth = depth;
        Ok(decoded.unwrap_or_else(|_| {
            let mut m = Map::new();
            m.insert("_".into(), Value::from(UNDECODABLE));
            m.insert(
                "bytes".into(),
                Value::from(base64::engine::general_purpose::STANDARD.encode(bytes)),
            );
            Value::Object(m)
        }))
    }

    /// The fields of `c`, whose named types are resolved in `cur` (the schema that
    /// defines `c`: an MTProto `msg_container` names the MTProto `message`).
    fn body(
        &mut self,
        r: &mut Reader<'_>,
        cur: &'static Schema,
        c: &'static Combinator,
    ) -> Result<Value, DecodeError> {
        self.enter(r)?;
        let mut m = Map::new();
        m.insert("_".into(), Value::from(c.name));
        let mut flags = std::vec![0u32; c.fields.len()];
        let mut size = None;
        for (i, f) in c.fields.iter().enumerate() {
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
                        ));
                    }
                    size = Some(n as usize);
                    m.insert(f.name.into(), Value::from(n));
                }
                FieldKind::Plain(Ty::Object | Ty::Generic) => {
                    let len = size.take().unwrap_or(r.remaining());
                    let v = self.rest_object(r, len)?;
                    m.insert(f.name.into(), v);
                }
                FieldKind::Plain(ty) => {
                    let v = self.value(r, cur, &ty)?;
                    m.insert(f.name.into(), v);
                }
                FieldKind::Conditional { flags: fi, bit, ty } => {
                    let set = flags.get(fi as usize).is_some_and(|w| w & (1 << bit) != 0);
                    if ty == Ty::True {
                        m.insert(f.name.into(), Value::Bool(set));
                    } else if set {
                        let v = self.value(r, cur, &ty)?;
                        m.insert(f.name.into(), v);
                    }
                }
            }
        }
        self.depth -= 1;
        Ok(Value::Object(m))
    }

    fn value(
        &mut self,
        r: &mut Reader<'_>,
        cur: &'static Schema,
        ty: &Ty,
    ) -> Result<Value, DecodeError> {
        Ok(match *ty {
            Ty::Int => Value::from(r.read_i32()?),
            Ty::Long => Value::from(r.read_i64()?),
            Ty::Double => double(r.read_f64()?),
            Ty::Int128 => hex(r.read_array::<16>()?),
            Ty::Int256 => hex(r.read_array::<32>()?),
            Ty::String => Value::from(zerotl::Str::decode(r)?.as_str()),
            Ty::Bytes => {
                Value::from(base64::engine::general_purpose::STANDARD.encode(r.read_tl_bytes()?))
            }
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
                for _ in 0..n {
                    items.push(self.value(r, cur, elem)?);
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
                        ))
                    }
                }
            }
            Ty::Bare(name) => match cur.find_name(name) {
                Some((owner, c)) => self.body(r, owner, c)?,
                None => {
                    return Err(r.error(DecodeErrorKind::InvalidValue {
                        what: "bare type (not in the schema)",
                    }))
                }
            },
        })
    }
}

/// JSON to bytes, walking the schema table.
struct Build {
    schema: &'static Schema,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn ctor_name(v: &Value) -> Result<&str, JsonError> {
    match v {
        Value::Object(m) => match m.get("_") {
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(JsonError::new("`_` must be a string")),
            None => Err(JsonError::new("object has no `_` naming its constructor")),
        },
        other => Err(JsonError::new(format!(
            "expected an object with `_`, found {}",
            kind(other)
        ))),
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
        return Err(JsonError::new(format!(
            "{len} bytes exceed the TL limit of 16777215"
        )));
    }
    out.extend_from_slice(data);
    while out.len() % 4 != 0 {
        out.push(0);
    }
    Ok(())
}

fn unhex<const N: usize>(v: &Value) -> Result<[u8; N], JsonError> {
    let s = v.as_str().ok_or_else(|| {
        JsonError::new(format!("expected {} hex digits, found {}", 2 * N, kind(v)))
    })?;
    let b = s.as_bytes();
    if b.len() != 2 * N {
        return Err(JsonError::new(format!(
            "expected {} hex digits, found {}",
            2 * N,
            b.len()
        )));
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(JsonError::new(format!(
            "`{}` is not a hex digit",
            c as char
        ))),
    };
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = (digit(b[2 * i])? << 4) | digit(b[2 * i + 1])?;
    }
    Ok(out)
}

/// The `"_"` of an `Object` whose bytes are no known boxed value.
const UNDECODABLE: &str = "<undecodable>";

/// `{"_": "<undecodable>", "bytes": "<base64>"}`: the bytes as they are (at least
/// a constructor id, as the typed decoder requires of an `Object`).
fn raw_object(v: &Value, out: &mut Vec<u8>) -> Result<(), JsonError> {
    let text = v
        .get("bytes")
        .and_then(Value::as_str)
        .ok_or_else(|| JsonError::new("`<undecodable>` needs `bytes` (base64)"))?;
    let data = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| JsonError::new(format!("invalid base64: {e}")))?;
    if data.len() < 4 {
        return Err(JsonError::new(
            "`<undecodable>` bytes must hold at least a constructor id (4 bytes)",
        ));
    }
    out.extend_from_slice(&data);
    Ok(())
}

impl Build {
    /// A boxed constructor or function named by `"_"`.
    fn object(&self, v: &Value, out: &mut Vec<u8>) -> Result<(), JsonError> {
        let name = ctor_name(v)?;
        let (cur, c) = self
            .schema
            .find_name(name)
            .ok_or_else(|| JsonError::new(format!("unknown constructor or function `{name}`")))?;
        out.extend_from_slice(&c.id.to_le_bytes());
        self.body(v, cur, c, out)
    }

    /// The fields of `c`, whose named types are resolved in `cur` (the schema that
    /// defines `c`).
    fn body(
        &self,
        v: &Value,
        cur: &'static Schema,
        c: &'static Combinator,
        out: &mut Vec<u8>,
    ) -> Result<(), JsonError> {
        let m = match v {
            Value::Object(m) => m,
            other => {
                return Err(JsonError::new(format!(
                    "expected `{}` as an object, found {}",
                    c.name,
                    kind(other)
                )))
            }
        };
        match m.get("_") {
            None => {}
            Some(Value::String(s)) if s == c.name => {}
            Some(other) => {
                return Err(JsonError::new(format!(
                    "expected `{}`, found `_`: {other}",
                    c.name
                )))
            }
        }
        let present = |key: &str| !matches!(m.get(key), None | Some(Value::Null));
        for (i, f) in c.fields.iter().enumerate() {
            let err = |e: JsonError| e.within(f.name);
            match f.kind {
                FieldKind::Flags => {
                    let mut word = 0u32;
                    let mut by_bit: [Option<(&str, bool)>; 32] = [None; 32];
                    for g in c.fields {
                        let FieldKind::Conditional { flags, bit, ty } = g.kind else {
                            continue;
                        };
                        if flags as usize != i {
                            continue;
                        }
                        let on = if ty == Ty::True {
                            match m.get(g.name) {
                                None | Some(Value::Null) => false,
                                Some(Value::Bool(b)) => *b,
                                Some(other) => {
                                    return Err(JsonError::new(format!(
                                        "expected true or false, found {}",
                                        kind(other)
                                    ))
                                    .within(g.name))
                                }
                            }
                        } else {
                            present(g.name)
                        };
                        match by_bit[bit as usize] {
                            Some((other, was)) if was != on => {
                                return Err(JsonError::new(format!(
                                    "`{}` and `{other}` share {}.{bit}, so both must be set or both absent",
                                    g.name, f.name
                                )))
                            }
                            _ => by_bit[bit as usize] = Some((g.name, on)),
                        }
                        if on {
                            word |= 1 << bit;
                        }
                    }
                    out.extend_from_slice(&word.to_le_bytes());
                }
                FieldKind::ObjectSize => {
                    // Written after the body, below.
                }
                FieldKind::Plain(ty @ (Ty::Object | Ty::Generic)) => {
                    let val = m
                        .get(f.name)
                        .ok_or_else(|| JsonError::new(format!("missing field `{}`", f.name)))?;
                    let sized = i > 0 && matches!(c.fields[i - 1].kind, FieldKind::ObjectSize);
                    let size_at = out.len();
                    if sized {
                        out.extend_from_slice(&[0; 4]);
                    }
                    let start = out.len();
                    self.value(val, cur, &ty, out).map_err(err)?;
                    if sized {
                        let n = (out.len() - start) as u32;
                        out[size_at..start].copy_from_slice(&n.to_le_bytes());
                    }
                }
                FieldKind::Plain(ty) => {
                    let val = m
                        .get(f.name)
                        .ok_or_else(|| JsonError::new(format!("missing field `{}`", f.name)))?;
                    self.value(val, cur, &ty, out).map_err(err)?;
                }
                FieldKind::Conditional { ty, .. } => {
                    if ty != Ty::True && present(f.name) {
                        self.value(&m[f.name], cur, &ty, out).map_err(err)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn value(
        &self,
        v: &Value,
        cur: &'static Schema,
        ty: &Ty,
        out: &mut Vec<u8>,
    ) -> Result<(), JsonError> {
        let expected = |what: &str| JsonError::new(format!("expected {what}, found {}", kind(v)));
        match *ty {
            Ty::Int => {
                let n = v
                    .as_i64()
                    .and_then(|n| i32::try_from(n).ok())
                    .ok_or_else(|| {
                        JsonError::new(format!("expected a 32-bit integer, found {v}"))
                    })?;
                out.extend_from_slice(&n.to_le_bytes());
            }
            Ty::Long => {
                let n = v.as_i64().ok_or_else(|| {
                    JsonError::new(format!("expected a 64-bit integer, found {v}"))
                })?;
                out.extend_from_slice(&n.to_le_bytes());
            }
            Ty::Double => {
                let x = match v {
                    Value::Number(n) => n.as_f64().ok_or_else(|| expected("a number"))?,
                    Value::String(s) if s == "NaN" => f64::NAN,
                    Value::String(s) if s == "Infinity" => f64::INFINITY,
                    Value::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
                    _ => return Err(expected("a number")),
                };
                out.extend_from_slice(&x.to_le_bytes());
            }
            Ty::Int128 => out.extend_from_slice(&unhex::<16>(v)?),
            Ty::Int256 => out.extend_from_slice(&unhex::<32>(v)?),
            Ty::String => put_tl_bytes(
                out,
                v.as_str().ok_or_else(|| expected("a string"))?.as_bytes(),
            )?,
            Ty::Bytes => {
                let s = v.as_str().ok_or_else(|| expected("base64 bytes"))?;
                let data = base64::engine::general_purpose::STANDARD
                    .decode(s)
                    .map_err(|e| JsonError::new(format!("invalid base64: {e}")))?;
                put_tl_bytes(out, &data)?;
            }
            Ty::Bool => {
                let b = v.as_bool().ok_or_else(|| expected("true or false"))?;
                out.extend_from_slice(&if b { BOOL_TRUE_ID } else { BOOL_FALSE_ID }.to_le_bytes());
            }
            Ty::True => return Err(JsonError::new("`true` is only valid under a flag")),
            Ty::Object | Ty::Generic if ctor_name(v).ok() == Some(UNDECODABLE) => {
                raw_object(v, out)?
            }
            Ty::Object | Ty::Generic => self.object(v, out)?,
            Ty::Vector(elem) | Ty::BareVector(elem) => {
                let items = v.as_array().ok_or_else(|| expected("an array"))?;
                if matches!(ty, Ty::Vector(_)) {
                    out.extend_from_slice(&VECTOR_ID.to_le_bytes());
                }
                let n =
                    i32::try_from(items.len()).map_err(|_| JsonError::new("too many elements"))?;
                out.extend_from_slice(&n.to_le_bytes());
                for (i, item) in items.iter().enumerate() {
                    self.value(item, cur, elem, out)
                        .map_err(|e| e.within(&format!("[{i}]")))?;
                }
            }
            Ty::Boxed(type_name) => {
                let name = ctor_name(v)?;
                let (owner, c) = cur
                    .find_name(name)
                    .filter(|(_, c)| !c.function)
                    .and_then(|(_, c)| cur.ctor_of_type(type_name, c.id))
                    .ok_or_else(|| {
                        JsonError::new(format!("`{name}` is not a constructor of `{type_name}`"))
                    })?;
                out.extend_from_slice(&c.id.to_le_bytes());
                self.body(v, owner, c, out)?;
            }
            Ty::Bare(name) => {
                let (owner, c) = cur
                    .find_name(name)
                    .ok_or_else(|| JsonError::new(format!("unknown bare type `{name}`")))?;
                self.body(v, owner, c, out)?;
            }
        }
        Ok(())
    }
}
