//! The JSON mapping (feature `serde`): TL values to and from `serde_json` values.
//!
//! The mapping (DESIGN.md, and what GramJS prints):
//!
//! | TL | JSON |
//! | --- | --- |
//! | constructor / function | `{"_": "<schema name>", "<field>": value, ...}` |
//! | `flags:#` | omitted (computed) |
//! | `flags.N?true` | `true`/`false`, always present |
//! | absent `flags.N?T` | omitted (`null` is read as absent) |
//! | `int`, `long` | number (exact 64-bit) |
//! | `double` | number; NaN and infinities as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` |
//! | `int128`, `int256` | lowercase hex of the wire bytes |
//! | `string` | string |
//! | `bytes` | standard base64 with padding |
//! | `Bool` | `true`/`false` |
//! | `Vector<T>`, `vector<T>` | array |
//! | `Object` (`rpc_result.result`, ...) | the nested object, decoded with the same layer |
//!
//! Going from JSON to TL needs storage for strings, bytes and vectors, because the
//! generated types borrow: [`FromJson`] allocates them in a [`bumpalo::Bump`] arena
//! held by the [`Cx`]. The per-layer `json` modules (`layer122::json::LAYER`, ...)
//! implement the traits for every generated type and offer whole-object helpers.
//!
//! ```
//! # #[cfg(feature = "layer122")] {
//! use zerotl_types::layer122::json::LAYER;
//! let bytes = [0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, 0x87, 0xd6, 0x12, 0x00];
//! let json = LAYER.bytes_to_json(&bytes).unwrap();
//! assert_eq!(json.to_string(),
//!     r#"{"_":"messages.exportChatInvite","peer":{"_":"inputPeerChat","chat_id":1234567}}"#);
//! assert_eq!(LAYER.json_to_bytes(&json).unwrap(), bytes);
//! # }
//! ```

use std::fmt;
use std::string::{String, ToString};
use std::vec::Vec;

use base64::Engine as _;
use bumpalo::Bump;
pub use serde_json::{Map, Value};
use zerotl::{
    Bare, BareDecode, Bytes, Decode, DecodeError, Encode, Lazy, Object, Reader, Str, Vector,
};

/// The context of a conversion: the arena [`FromJson`] allocates in, and the layer
/// that nested `Object` values are read with.
#[derive(Clone, Copy)]
pub struct Cx<'a> {
    /// Storage for strings, bytes, vectors and nested values built from JSON.
    pub arena: &'a Bump,
    /// The layer (and its MTProto fallback) for `Object` values.
    pub layer: &'static Layer,
}

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
    pub fn within(mut self, segment: &str) -> Self {
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

/// Why [`Layer::bytes_to_json`] failed.
pub type JsonDecodeError = DecodeError;

/// A TL value that can be shown as JSON.
pub trait ToJson {
    /// The JSON form of the value.
    fn to_json(&self, cx: &Cx<'_>) -> Value;
}

/// A TL value that can be built from JSON (allocating in `cx.arena`).
pub trait FromJson<'a>: Sized {
    /// Builds the value from `v`.
    fn from_json(v: &Value, cx: &Cx<'a>) -> Result<Self, JsonError>;
}

/// The JSON entry points of one schema, generated per layer.
pub struct Layer {
    /// A display name (`layer122`).
    pub name: &'static str,
    /// Decodes the boxed constructor or function at the reader by its id, as JSON;
    /// `Ok(None)` when the id is not in this schema.
    pub decode_any: fn(&mut Reader<'_>, &Cx<'_>) -> Result<Option<Value>, DecodeError>,
    /// Encodes a JSON object by its `"_"` name into the arena; `Ok(None)` when the
    /// name is not in this schema.
    pub encode_any: for<'a> fn(&Value, &Cx<'a>) -> Result<Option<&'a [u8]>, JsonError>,
    /// Decodes a value of the boxed type or bare constructor `name`; `None` when
    /// this schema has no such name.
    pub decode_named: fn(&str, &mut Reader<'_>, &Cx<'_>) -> Option<Result<Value, DecodeError>>,
}

impl Layer {
    /// Decodes `bytes` (exactly one boxed constructor or function) to JSON.
    pub fn bytes_to_json(&'static self, bytes: &[u8]) -> Result<Value, DecodeError> {
        let arena = Bump::new();
        let cx = Cx {
            arena: &arena,
            layer: self,
        };
        let mut r = Reader::new(bytes);
        let v = self.decode_object(&mut r, &cx)?;
        r.finish()?;
        Ok(v)
    }

    /// Decodes `bytes` as the type `ty`: a boxed type (`InputPeer`), a bare
    /// constructor (`inputPeerChat`), a primitive (`int`, `string`, `Bool`, ...) or
    /// a vector of those (`Vector<long>`, `vector<%Message>`).
    pub fn bytes_to_json_as(
        &'static self,
        ty: &str,
        bytes: &[u8],
    ) -> Result<Value, TypedDecodeError> {
        let arena = Bump::new();
        let cx = Cx {
            arena: &arena,
            layer: self,
        };
        let mut r = Reader::new(bytes);
        let v = self.decode_type(ty.trim(), &mut r, &cx)?;
        r.finish()?;
        Ok(v)
    }

    /// Encodes a JSON object (a constructor or function with `"_"`) to bytes.
    pub fn json_to_bytes(&'static self, v: &Value) -> Result<Vec<u8>, JsonError> {
        let arena = Bump::new();
        let cx = Cx {
            arena: &arena,
            layer: self,
        };
        object_bytes(v, &cx).map(<[u8]>::to_vec)
    }

    /// Decodes one boxed value by its id, trying this schema then the MTProto schema.
    pub fn decode_object(
        &'static self,
        r: &mut Reader<'_>,
        cx: &Cx<'_>,
    ) -> Result<Value, DecodeError> {
        let at = r.position();
        if let Some(v) = (self.decode_any)(r, cx)? {
            return Ok(v);
        }
        if !core::ptr::eq(self, &crate::mtproto::json::LAYER) {
            if let Some(v) = (crate::mtproto::json::LAYER.decode_any)(r, cx)? {
                return Ok(v);
            }
        }
        let id = r.peek_u32()?;
        Err(DecodeError::new(
            zerotl::DecodeErrorKind::UnknownConstructor {
                id,
                expected: "Object",
            },
            at,
        ))
    }

    fn decode_type(
        &'static self,
        ty: &str,
        r: &mut Reader<'_>,
        cx: &Cx<'_>,
    ) -> Result<Value, TypedDecodeError> {
        let prim = |v: Result<Value, DecodeError>| v.map_err(TypedDecodeError::Decode);
        match ty {
            "int" => return prim(i32::decode(r).map(Value::from)),
            "long" => return prim(i64::decode(r).map(Value::from)),
            "double" => return prim(f64::decode(r).map(|x| x.to_json(cx))),
            "int128" => return prim(<[u8; 16]>::decode(r).map(|x| x.to_json(cx))),
            "int256" => return prim(<[u8; 32]>::decode(r).map(|x| x.to_json(cx))),
            "string" => return prim(Str::decode(r).map(|x| x.to_json(cx))),
            "bytes" => return prim(Bytes::decode(r).map(|x| x.to_json(cx))),
            "Bool" => return prim(bool::decode(r).map(Value::from)),
            "Object" => return prim(self.decode_object(r, cx)),
            _ => {}
        }
        let vector = ty
            .strip_prefix("Vector<")
            .map(|rest| (true, rest))
            .or_else(|| ty.strip_prefix("vector<").map(|rest| (false, rest)));
        if let Some((boxed, rest)) = vector {
            let elem = rest
                .strip_suffix('>')
                .ok_or_else(|| TypedDecodeError::UnknownType(ty.to_owned()))?;
            if boxed {
                let at = r.position();
                let id = r.read_u32()?;
                if id != zerotl::VECTOR_ID {
                    return Err(DecodeError::new(
                        zerotl::DecodeErrorKind::UnknownConstructor {
                            id,
                            expected: "Vector",
                        },
                        at,
                    )
                    .into());
                }
            }
            let n = r.read_count(1)?;
            let mut items = Vec::new();
            for _ in 0..n {
                items.push(self.decode_type(elem.trim(), r, cx)?);
            }
            return Ok(Value::Array(items));
        }
        let name = ty.strip_prefix('%').unwrap_or(ty);
        if let Some(v) = (self.decode_named)(name, r, cx) {
            return Ok(v?);
        }
        if !core::ptr::eq(self, &crate::mtproto::json::LAYER) {
            if let Some(v) = (crate::mtproto::json::LAYER.decode_named)(name, r, cx) {
                return Ok(v?);
            }
        }
        Err(TypedDecodeError::UnknownType(ty.to_owned()))
    }
}

/// Why [`Layer::bytes_to_json_as`] failed.
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

/// Encodes the JSON object `v` (any constructor or function of the context's layer
/// or of the MTProto schema) into the arena.
pub fn object_bytes<'a>(v: &Value, cx: &Cx<'a>) -> Result<&'a [u8], JsonError> {
    if let Some(b) = (cx.layer.encode_any)(v, cx)? {
        return Ok(b);
    }
    if !core::ptr::eq(cx.layer, &crate::mtproto::json::LAYER) {
        if let Some(b) = (crate::mtproto::json::LAYER.encode_any)(v, cx)? {
            return Ok(b);
        }
    }
    Err(JsonError::new(format!(
        "unknown constructor or function `{}`",
        ctor_name(v)?
    )))
}

/// Writes `value` into the arena and returns the bytes.
pub fn encode_in<'a, T: Encode>(value: &T, cx: &Cx<'a>) -> Result<&'a [u8], JsonError> {
    let buf = cx.arena.alloc_slice_fill_copy(value.encoded_len(), 0u8);
    value
        .encode_to_slice(buf)
        .map_err(|e| JsonError::new(e.to_string()))?;
    Ok(buf)
}

/// The `"_"` name of a JSON object.
pub fn ctor_name(v: &Value) -> Result<&str, JsonError> {
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

/// The fields of constructor `name`, checking `"_"` when it is present.
pub fn object_of<'v>(v: &'v Value, name: &str) -> Result<&'v Map<String, Value>, JsonError> {
    match v {
        Value::Object(m) => match m.get("_") {
            None => Ok(m),
            Some(Value::String(s)) if s == name => Ok(m),
            Some(other) => Err(JsonError::new(format!(
                "expected `{name}`, found `_`: {other}"
            ))),
        },
        other => Err(JsonError::new(format!(
            "expected `{name}` as an object, found {}",
            kind(other)
        ))),
    }
}

/// A required field.
pub fn field<'a, T: FromJson<'a>>(
    m: &Map<String, Value>,
    key: &str,
    cx: &Cx<'a>,
) -> Result<T, JsonError> {
    match m.get(key) {
        Some(v) => T::from_json(v, cx).map_err(|e| e.within(key)),
        None => Err(JsonError::new(format!("missing field `{key}`"))),
    }
}

/// An optional field: absent or `null` is `None`.
pub fn optional<'a, T: FromJson<'a>>(
    m: &Map<String, Value>,
    key: &str,
    cx: &Cx<'a>,
) -> Result<Option<T>, JsonError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => T::from_json(v, cx).map(Some).map_err(|e| e.within(key)),
    }
}

/// A `flags.N?true` field: absent is `false`.
pub fn flag(m: &Map<String, Value>, key: &str) -> Result<bool, JsonError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(JsonError::new(format!(
            "expected true or false, found {}",
            kind(other)
        ))
        .within(key)),
    }
}

/// The JSON of a constructor without fields.
pub fn unit(name: &str) -> Value {
    let mut m = Map::new();
    m.insert("_".into(), Value::String(name.into()));
    Value::Object(m)
}

/// An unknown constructor name for a type.
pub fn unknown(name: &str, ty: &str) -> JsonError {
    JsonError::new(format!("`{name}` is not a constructor of `{ty}`"))
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

impl ToJson for i32 {
    fn to_json(&self, _: &Cx<'_>) -> Value {
        Value::from(*self)
    }
}

impl<'a> FromJson<'a> for i32 {
    fn from_json(v: &Value, _: &Cx<'a>) -> Result<Self, JsonError> {
        v.as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| JsonError::new(format!("expected a 32-bit integer, found {v}")))
    }
}

impl ToJson for i64 {
    fn to_json(&self, _: &Cx<'_>) -> Value {
        Value::from(*self)
    }
}

impl<'a> FromJson<'a> for i64 {
    fn from_json(v: &Value, _: &Cx<'a>) -> Result<Self, JsonError> {
        v.as_i64()
            .ok_or_else(|| JsonError::new(format!("expected a 64-bit integer, found {v}")))
    }
}

impl ToJson for f64 {
    fn to_json(&self, _: &Cx<'_>) -> Value {
        if self.is_nan() {
            Value::from("NaN")
        } else if self.is_infinite() {
            Value::from(if *self > 0.0 { "Infinity" } else { "-Infinity" })
        } else {
            Value::from(*self)
        }
    }
}

impl<'a> FromJson<'a> for f64 {
    fn from_json(v: &Value, _: &Cx<'a>) -> Result<Self, JsonError> {
        match v {
            Value::Number(n) => n
                .as_f64()
                .ok_or_else(|| JsonError::new("number out of range")),
            Value::String(s) if s == "NaN" => Ok(f64::NAN),
            Value::String(s) if s == "Infinity" => Ok(f64::INFINITY),
            Value::String(s) if s == "-Infinity" => Ok(f64::NEG_INFINITY),
            other => Err(JsonError::new(format!(
                "expected a number, found {}",
                kind(other)
            ))),
        }
    }
}

impl ToJson for bool {
    fn to_json(&self, _: &Cx<'_>) -> Value {
        Value::Bool(*self)
    }
}

impl<'a> FromJson<'a> for bool {
    fn from_json(v: &Value, _: &Cx<'a>) -> Result<Self, JsonError> {
        v.as_bool()
            .ok_or_else(|| JsonError::new(format!("expected true or false, found {}", kind(v))))
    }
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
        *o = digit(b[2 * i])? << 4 | digit(b[2 * i + 1])?;
    }
    Ok(out)
}

impl<const N: usize> ToJson for [u8; N] {
    fn to_json(&self, _: &Cx<'_>) -> Value {
        hex(self)
    }
}

impl<'a> FromJson<'a> for [u8; 16] {
    fn from_json(v: &Value, _: &Cx<'a>) -> Result<Self, JsonError> {
        unhex(v)
    }
}

impl<'a> FromJson<'a> for [u8; 32] {
    fn from_json(v: &Value, _: &Cx<'a>) -> Result<Self, JsonError> {
        unhex(v)
    }
}

impl ToJson for Str<'_> {
    fn to_json(&self, _: &Cx<'_>) -> Value {
        Value::String(self.as_str().to_owned())
    }
}

impl<'a> FromJson<'a> for Str<'a> {
    fn from_json(v: &Value, cx: &Cx<'a>) -> Result<Self, JsonError> {
        match v {
            Value::String(s) => Ok(Str::new(cx.arena.alloc_str(s))),
            other => Err(JsonError::new(format!(
                "expected a string, found {}",
                kind(other)
            ))),
        }
    }
}

impl ToJson for Bytes<'_> {
    fn to_json(&self, _: &Cx<'_>) -> Value {
        Value::String(base64::engine::general_purpose::STANDARD.encode(self.as_slice()))
    }
}

impl<'a> FromJson<'a> for Bytes<'a> {
    fn from_json(v: &Value, cx: &Cx<'a>) -> Result<Self, JsonError> {
        let s = v
            .as_str()
            .ok_or_else(|| JsonError::new(format!("expected base64 bytes, found {}", kind(v))))?;
        let data = base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(|e| JsonError::new(format!("invalid base64: {e}")))?;
        Ok(Bytes::new(cx.arena.alloc_slice_copy(&data)))
    }
}

impl<'x, T: ToJson + Decode<'x> + Clone, const B: bool> ToJson for Vector<'x, T, B> {
    fn to_json(&self, cx: &Cx<'_>) -> Value {
        Value::Array(self.iter().map(|x| x.to_json(cx)).collect())
    }
}

impl<'a, T: FromJson<'a>, const B: bool> FromJson<'a> for Vector<'a, T, B> {
    fn from_json(v: &Value, cx: &Cx<'a>) -> Result<Self, JsonError> {
        let items = v
            .as_array()
            .ok_or_else(|| JsonError::new(format!("expected an array, found {}", kind(v))))?;
        let mut out = bumpalo::collections::Vec::with_capacity_in(items.len(), cx.arena);
        for (i, item) in items.iter().enumerate() {
            out.push(T::from_json(item, cx).map_err(|e| e.within(&format!("[{i}]")))?);
        }
        Ok(Vector::from_slice(out.into_bump_slice()))
    }
}

impl<T: ToJson> ToJson for Bare<T> {
    fn to_json(&self, cx: &Cx<'_>) -> Value {
        self.0.to_json(cx)
    }
}

impl<'a, T: FromJson<'a> + BareDecode<'a>> FromJson<'a> for Bare<T> {
    fn from_json(v: &Value, cx: &Cx<'a>) -> Result<Self, JsonError> {
        T::from_json(v, cx).map(Bare)
    }
}

impl<'x, T: ToJson + Decode<'x> + Clone> ToJson for Lazy<'x, T> {
    fn to_json(&self, cx: &Cx<'_>) -> Value {
        self.get().to_json(cx)
    }
}

impl<'a, T: FromJson<'a>> FromJson<'a> for Lazy<'a, T> {
    fn from_json(v: &Value, cx: &Cx<'a>) -> Result<Self, JsonError> {
        let value = T::from_json(v, cx)?;
        Ok(Lazy::new(cx.arena.alloc(value)))
    }
}

impl ToJson for Object<'_> {
    /// The nested object decoded with the context's layer; bytes that do not decode
    /// show as `{"_": "<undecodable>", "bytes": base64}`.
    fn to_json(&self, cx: &Cx<'_>) -> Value {
        let mut r = Reader::new(self.as_bytes());
        match cx.layer.decode_object(&mut r, cx) {
            Ok(v) if r.is_empty() => v,
            _ => {
                let mut m = Map::new();
                m.insert("_".into(), Value::from("<undecodable>"));
                m.insert("bytes".into(), Bytes::new(self.as_bytes()).to_json(cx));
                Value::Object(m)
            }
        }
    }
}

impl<'a> FromJson<'a> for Object<'a> {
    fn from_json(v: &Value, cx: &Cx<'a>) -> Result<Self, JsonError> {
        object_bytes(v, cx).map(Object::from_bytes)
    }
}
