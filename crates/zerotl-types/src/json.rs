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
//! | `message.bytes` (the size of `body:Object`) | number, computed when encoding (may be left out) |
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
//! Encoding is strict, at every depth: each key must be `"_"` or a field of the
//! constructor *in this schema* (a misspelled field, a misspelled `flags.N?true`,
//! or a field only another layer has is a [`JsonError`], not a silently dropped
//! value), every required field present, every value of the field's JSON kind and
//! in its type's range (`int` is 32-bit), `bytes` valid base64, `int128`/`int256`
//! exactly 32/64 hex digits, and every `"_"` a constructor of the field's type.
//! `flags:#` words are computed and may not be given. The error says what and where
//! (`at peer.chat_idd: no field chat_idd in inputPeerChat (layer 122); did you mean
//! chat_id?`): field names joined by `.`, array indexes in brackets (`id[2]._`).
//!
//! Decoding is as strict as the generated types, and stricter in one place: the
//! typed API keeps an `Object` field (`rpc_result.result`, `invokeWithLayer.query`,
//! `message.body`) as raw bytes, and JSON decodes them too. Bytes there that are no
//! known boxed value (an unknown id, a `Vector` whose element type an `Object` does
//! not tell, a truncated value) are a [`JsonDecodeError::Object`] naming the field
//! and the offset, unless [`DecodeOptions::raw_objects`] asks to show them as
//! `{"_": "<raw>", "bytes": "<base64>"}`. Encoding writes such bytes back as they
//! are, so the round trip holds.
//!
//! Choices the docs leave open:
//! * fields that share one flag bit (`views:flags.10?int forwards:flags.10?int`) must
//!   be all present or all absent, and a `?true` field sharing a bit must equal the
//!   others' presence;
//! * `null` for a `flags.N?T` field means absent (`false` for `flags.N?true`).
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

use std::vec::Vec;

pub use serde_json::{Map, Value};
use zerotl::{Decode, DecodeError, DecodeErrorKind, Encode, Reader};

use crate::schema::{Schema, Ty};

mod decode;
mod encode;
mod error;

use decode::{parse_type, TypeName, Walk};
pub use error::{JsonDecodeError, JsonError, JsonErrorKind, RAW_OBJECT};

/// How bytes become JSON. The default is strict: an `Object` field whose bytes do
/// not decode is an error.
///
/// ```
/// # #[cfg(feature = "layer122")] {
/// use zerotl_types::{json, layer122::schema::SCHEMA};
/// // rpc_result { req_msg_id: 1, result: <an id no schema has> }
/// let bytes = [0x01, 0x6d, 0x5c, 0xf3, 1, 0, 0, 0, 0, 0, 0, 0, 0x78, 0x56, 0x34, 0x12];
/// let e = json::bytes_to_json(&SCHEMA, &bytes).unwrap_err();
/// assert_eq!(e.to_string(), "at result: the Object at byte 12 does not decode: \
///     unknown constructor 0x12345678 at byte 12 (expected any constructor or function of layer 122)");
/// let raw = json::DecodeOptions::default().raw_objects(true);
/// let v = raw.bytes_to_json(&SCHEMA, &bytes).unwrap();
/// assert_eq!(v.to_string(),
///     r#"{"_":"rpc_result","req_msg_id":1,"result":{"_":"<raw>","bytes":"eFY0Eg=="}}"#);
/// assert_eq!(json::json_to_bytes(&SCHEMA, &v).unwrap(), bytes);
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeOptions {
    raw_objects: bool,
}

impl DecodeOptions {
    /// With `true`, an `Object` field whose bytes do not decode shows as
    /// `{"_": "<raw>", "bytes": "<base64>"}` ([`RAW_OBJECT`]) instead of failing
    /// with [`JsonDecodeError::Object`]. Objects that decode show decoded either way.
    pub fn raw_objects(mut self, on: bool) -> Self {
        self.raw_objects = on;
        self
    }

    /// Decodes `bytes` (exactly one boxed constructor or function of `schema` or
    /// its fallback) to JSON.
    pub fn bytes_to_json(
        &self,
        schema: &'static Schema,
        bytes: &[u8],
    ) -> Result<Value, JsonDecodeError> {
        Walk::new(schema, self.raw_objects).checked_object(&mut Reader::new(bytes))
    }

    /// Decodes `bytes` as the type `ty`: a boxed type (`InputPeer`), a bare
    /// constructor (`inputPeerChat`, `%Message`), a primitive (`int`, `long`,
    /// `double`, `int128`, `int256`, `string`, `bytes`, `Bool`, `Object`) or a
    /// vector of those (`Vector<long>`, `vector<%Message>`).
    pub fn bytes_to_json_as(
        &self,
        schema: &'static Schema,
        ty: &str,
        bytes: &[u8],
    ) -> Result<Value, JsonDecodeError> {
        let parsed = parse_type(schema, ty)?;
        if let TypeName::Plain(Ty::Boxed(name) | Ty::Bare(name)) = parsed {
            let mut r = Reader::new(bytes);
            match schema.decode_named_typed(name, &mut r, &mut |_| {}) {
                Some(res) => res?,
                None => {
                    return Err(JsonDecodeError::UnknownType {
                        name: ty.into(),
                        schema: error::schema_label(schema),
                    })
                }
            }
            r.finish()?;
        }
        let mut r = Reader::new(bytes);
        let v = Walk::new(schema, self.raw_objects).named(&mut r, &parsed)?;
        r.finish()?;
        Ok(v)
    }
}

/// Decodes `bytes` (exactly one boxed constructor or function of `schema` or its
/// fallback) to JSON; strict (see [`DecodeOptions`]).
pub fn bytes_to_json(schema: &'static Schema, bytes: &[u8]) -> Result<Value, JsonDecodeError> {
    DecodeOptions::default().bytes_to_json(schema, bytes)
}

/// Decodes `bytes` as the type `ty` (see [`DecodeOptions::bytes_to_json_as`]);
/// strict.
pub fn bytes_to_json_as(
    schema: &'static Schema,
    ty: &str,
    bytes: &[u8],
) -> Result<Value, JsonDecodeError> {
    DecodeOptions::default().bytes_to_json_as(schema, ty, bytes)
}

/// Encodes a JSON object (a constructor or function with `"_"`) to bytes. Strict:
/// see the [module docs](self) for what is refused.
pub fn json_to_bytes(schema: &'static Schema, v: &Value) -> Result<Vec<u8>, JsonError> {
    let mut out = Vec::new();
    encode::Build::new(schema).object(v, &mut out)?;
    // Cross-check with the generated types: they must read back what was written.
    let mut r = Reader::new(&out);
    let rejected = |e| Err(JsonError::new(JsonErrorKind::Rejected(e)));
    match schema
        .decode_typed(&mut r, &mut |_| {})
        .and_then(|known| r.finish().map(|()| known))
    {
        Ok(true) => Ok(out),
        Ok(false) => rejected(r.error(DecodeErrorKind::UnknownConstructor {
            id: r.peek_u32().unwrap_or_default(),
            expected: "a constructor or function of the generated types",
        })),
        Err(e) => rejected(e),
    }
}

/// Encodes `value` (any boxed generated type) and shows it as JSON (strict).
pub fn to_json<T: Encode>(schema: &'static Schema, value: &T) -> Result<Value, JsonDecodeError> {
    let buf = zerotl::encode_to_vec(value).map_err(|_| {
        DecodeError::new(
            DecodeErrorKind::InvalidValue {
                what: "value (does not encode)",
            },
            0,
        )
    })?;
    bytes_to_json(schema, &buf)
}

/// Builds a boxed generated value from JSON (as strict as [`json_to_bytes`]). The
/// value borrows from `storage`, which receives its encoding.
pub fn from_json<'a, T: Decode<'a>>(
    schema: &'static Schema,
    v: &Value,
    storage: &'a mut Vec<u8>,
) -> Result<T, JsonError> {
    *storage = json_to_bytes(schema, v)?;
    T::decode_from_slice(storage).map_err(|e| JsonError::new(JsonErrorKind::NotThisType(e)))
}
