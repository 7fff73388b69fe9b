//! The errors of the JSON mapping, and the paths that say where they are.

use std::borrow::{Cow, ToOwned};
use std::boxed::Box;
use std::fmt;
use std::string::String;

use serde_json::Value;
use zerotl::{DecodeError, VECTOR_ID};

use crate::schema::Schema;

/// The `"_"` that stands for an `Object` kept as raw bytes (see
/// [`DecodeOptions::raw_objects`](super::DecodeOptions::raw_objects)). No TL name
/// holds `<`, so it cannot shadow a constructor.
pub const RAW_OBJECT: &str = "<raw>";

/// Why a JSON value could not be encoded: what is wrong ([`JsonErrorKind`]) and
/// where ([`JsonError::path`]).
///
/// ```
/// # #[cfg(feature = "layer122")] {
/// use zerotl_types::json::{self, JsonErrorKind};
/// let v = serde_json::json!({"_": "messages.exportChatInvite",
///                            "peer": {"_": "inputPeerChat", "chat_idd": 1}});
/// let e = json::json_to_bytes(&zerotl_types::layer122::schema::SCHEMA, &v).unwrap_err();
/// assert_eq!(e.path, "peer.chat_idd");
/// assert!(matches!(e.kind, JsonErrorKind::UnknownField { suggestion: Some("chat_id"), .. }));
/// assert_eq!(e.to_string(),
///     "at peer.chat_idd: no field chat_idd in inputPeerChat (layer 122); did you mean chat_id?");
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Where in the JSON document: field names joined by `.`, array indexes in
    /// brackets (`peer.chat_id`, `id[2]._`); empty for the document itself.
    pub path: String,
    /// What is wrong.
    pub kind: JsonErrorKind,
}

/// What is wrong with a JSON value (see [`JsonError`]).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonErrorKind {
    /// A key that is not a field of the constructor in this schema: a typo, or a
    /// field that only another layer has.
    UnknownField {
        /// The key as written.
        field: String,
        /// The constructor or function.
        constructor: &'static str,
        /// The schema that defines it (`layer 122`, `mtproto schema`).
        schema: String,
        /// The constructor's field with the closest name, if one is close.
        suggestion: Option<&'static str>,
    },
    /// A value for a `flags:#` word, which the encoder computes from the fields
    /// under it.
    ComputedField {
        /// The flags field.
        field: &'static str,
        /// The constructor or function.
        constructor: &'static str,
    },
    /// A size field (`message.bytes`) that differs from the size of the object
    /// after it (it may be left out: it is computed).
    SizeMismatch {
        /// The size field.
        field: &'static str,
        /// The value given, as JSON.
        given: String,
        /// The size of the encoded object.
        actual: usize,
    },
    /// A required field that is absent.
    MissingField {
        /// The field.
        field: &'static str,
        /// Its TL type (`int`, `InputPeer`, `Vector<long>`).
        ty: String,
        /// The constructor or function.
        constructor: &'static str,
    },
    /// An object without `"_"` where a boxed value (which names its constructor)
    /// is expected.
    MissingName,
    /// A `"_"` that no constructor or function of the schema has.
    UnknownName {
        /// The name as written.
        name: String,
        /// The schema searched (`layer 122`).
        schema: String,
        /// The closest name, if one is close.
        suggestion: Option<&'static str>,
    },
    /// A constructor of another type, or a function, where a field's type wants a
    /// constructor of its own.
    WrongConstructor {
        /// The name given.
        name: &'static str,
        /// The type it belongs to (its result type, for a function).
        of_type: &'static str,
        /// The type the field wants.
        expected: &'static str,
        /// Whether `name` is a function.
        function: bool,
    },
    /// A `"_"` other than the one constructor a bare field (`%Message`,
    /// `vector<message>`) holds.
    NotTheBareConstructor {
        /// The name given.
        name: String,
        /// The bare constructor.
        expected: &'static str,
    },
    /// A JSON value of the wrong kind (a string for an `int`, a number for a
    /// `flags.N?true`, ...).
    WrongType {
        /// What the TL type needs (`an int (32-bit integer)`).
        expected: &'static str,
        /// What was found (`"5"`, `1.5`, `an array`).
        found: String,
    },
    /// An integer outside the range of its TL type.
    OutOfRange {
        /// The number as written.
        value: String,
        /// The TL type and its range (`int (-2147483648 to 2147483647)`).
        ty: &'static str,
    },
    /// A `bytes` value that is not standard base64 with padding.
    InvalidBase64 {
        /// The decoder's reason.
        reason: String,
    },
    /// An `int128`/`int256` value that is not the right number of hex digits.
    InvalidHex {
        /// What is wrong.
        reason: String,
    },
    /// A `string`/`bytes` value longer than TL's limit of 2^24 - 1 bytes.
    TooLong {
        /// Its length in bytes.
        length: usize,
    },
    /// Fields that share one flag bit (`views:flags.10?int forwards:flags.10?int`),
    /// some present and some absent.
    SharedFlagBit {
        /// One field.
        field: &'static str,
        /// Another field on the same bit, set differently.
        other: &'static str,
        /// The flags field.
        flags: &'static str,
        /// The bit.
        bit: u8,
    },
    /// Constructors nested deeper than the decoder's limit.
    TooDeep {
        /// The limit.
        limit: u16,
    },
    /// A raw `Object` (`{"_": "<raw>"}`) of fewer than 4 bytes (an `Object` starts
    /// with a constructor id).
    RawTooShort {
        /// The number of bytes given.
        length: usize,
    },
    /// The encoding does not read back with the generated types (a bug of the
    /// mapping, reported rather than hidden).
    Rejected(DecodeError),
    /// [`from_json`](super::from_json): the JSON is a value, but not of the type
    /// asked for.
    NotThisType(DecodeError),
}

impl JsonError {
    /// An error of `kind` at the current value (the path is added on the way out).
    pub fn new(kind: JsonErrorKind) -> Self {
        Self {
            path: String::new(),
            kind,
        }
    }

    /// The same error seen from the enclosing value: `segment` (a field name, or an
    /// index in brackets) goes in front of the path.
    pub(crate) fn within(mut self, segment: &str) -> Self {
        prefix(&mut self.path, segment);
        self
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "at {}: ", self.path)?;
        }
        self.kind.fmt(f)
    }
}

impl std::error::Error for JsonError {}

impl fmt::Display for JsonErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownField {
                field,
                constructor,
                schema,
                suggestion,
            } => {
                write!(f, "no field {} in {constructor} ({schema})", shown(field))?;
                if let Some(s) = suggestion {
                    write!(f, "; did you mean {s}?")?;
                }
                Ok(())
            }
            Self::ComputedField { field, constructor } => write!(
                f,
                "{field} of {constructor} is computed from the fields under it; leave it out"
            ),
            Self::SizeMismatch {
                field,
                given,
                actual,
            } => write!(
                f,
                "{field} is {given}, but the object after it takes {actual} bytes (leave it out to have it computed)"
            ),
            Self::MissingField {
                field,
                ty,
                constructor,
            } => write!(f, "missing field {field} ({ty}) of {constructor}"),
            Self::MissingName => f.write_str("the object has no \"_\" naming its constructor"),
            Self::UnknownName { name, .. } if name == RAW_OBJECT => write!(
                f,
                "{RAW_OBJECT} stands only for an Object field (rpc_result.result, invokeWithLayer.query, ...)"
            ),
            Self::UnknownName {
                name,
                schema,
                suggestion,
            } => {
                write!(f, "unknown constructor or function {} ({schema})", shown(name))?;
                if let Some(s) = suggestion {
                    write!(f, "; did you mean {s}?")?;
                }
                Ok(())
            }
            Self::WrongConstructor {
                name,
                expected,
                function: true,
                ..
            } => write!(
                f,
                "{name} is a function, but a constructor of {expected} is expected"
            ),
            Self::WrongConstructor {
                name,
                of_type,
                expected,
                ..
            } => write!(f, "{name} is a constructor of {of_type}, not of {expected}"),
            Self::NotTheBareConstructor { name, expected } => write!(
                f,
                "found {} where the bare constructor {expected} is expected",
                shown(name)
            ),
            Self::WrongType { expected, found } => write!(f, "expected {expected}, found {found}"),
            Self::OutOfRange { value, ty } => write!(f, "{value} is out of range for {ty}"),
            Self::InvalidBase64 { reason } => write!(f, "invalid base64: {reason}"),
            Self::InvalidHex { reason } => write!(f, "invalid hex: {reason}"),
            Self::TooLong { length } => write!(
                f,
                "{length} bytes exceed the TL limit of 16777215 for a string or bytes"
            ),
            Self::SharedFlagBit {
                field,
                other,
                flags,
                bit,
            } => write!(
                f,
                "{field} and {other} share {flags}.{bit}, so both must be set or both absent"
            ),
            Self::TooDeep { limit } => {
                write!(f, "constructors nest deeper than {limit} levels")
            }
            Self::RawTooShort { length } => write!(
                f,
                "a {RAW_OBJECT} Object needs at least a constructor id (4 bytes), found {length} bytes"
            ),
            Self::Rejected(e) => write!(
                f,
                "the encoding does not read back with the generated types: {e}"
            ),
            Self::NotThisType(e) => write!(f, "not a value of the type asked for: {e}"),
        }
    }
}

/// Why bytes did not become JSON.
///
/// ```
/// # #[cfg(feature = "layer122")] {
/// use zerotl_types::json;
/// let e = json::bytes_to_json(&zerotl_types::layer122::schema::SCHEMA, &[0x78, 0x56, 0x34, 0x12])
///     .unwrap_err();
/// assert_eq!(e.to_string(), "unknown constructor 0x12345678 at byte 0 \
///     (expected any constructor or function of layer 122)");
/// # }
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonDecodeError {
    /// A type name ([`bytes_to_json_as`](super::bytes_to_json_as)) that is not a
    /// boxed type, bare constructor, primitive or vector of the schema.
    UnknownType {
        /// The name as given.
        name: String,
        /// The schema searched (`layer 122`).
        schema: String,
    },
    /// The bytes do not decode (as the generated types read them).
    Decode(DecodeError),
    /// A boxed value whose id is no constructor or function of the schema.
    UnknownId {
        /// The id read.
        id: u32,
        /// Where it starts.
        offset: usize,
        /// The schema searched (`layer 122`).
        schema: String,
    },
    /// An `Object` field (`rpc_result.result`, `invokeWithLayer.query`) whose bytes
    /// do not decode. [`DecodeOptions::raw_objects`](super::DecodeOptions::raw_objects)
    /// shows such bytes as `{"_": "<raw>", "bytes": "<base64>"}` instead.
    Object {
        /// The field, from the top value (`result`, `query.query`, `messages[1].body`).
        path: String,
        /// Where the object's bytes start.
        offset: usize,
        /// Why they do not decode ([`JsonDecodeError::Decode`] or
        /// [`JsonDecodeError::UnknownId`]).
        cause: Box<JsonDecodeError>,
    },
}

impl JsonDecodeError {
    /// The same error seen from the enclosing value (only an `Object` error has a
    /// path).
    pub(crate) fn within(mut self, segment: &str) -> Self {
        if let Self::Object { path, .. } = &mut self {
            prefix(path, segment);
        }
        self
    }
}

impl From<DecodeError> for JsonDecodeError {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

impl fmt::Display for JsonDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownType { name, schema } => write!(
                f,
                "unknown type {} (not a boxed type, bare constructor, primitive or vector of {schema})",
                shown(name)
            ),
            Self::Decode(e) => e.fmt(f),
            Self::UnknownId { id, offset, .. } if *id == VECTOR_ID => write!(
                f,
                "a Vector at byte {offset}, whose element type is not known here"
            ),
            Self::UnknownId { id, offset, schema } => write!(
                f,
                "unknown constructor {id:#010x} at byte {offset} (expected any constructor or function of {schema})"
            ),
            Self::Object {
                path,
                offset,
                cause,
            } => {
                if !path.is_empty() {
                    write!(f, "at {path}: ")?;
                }
                write!(f, "the Object at byte {offset} does not decode: {cause}")
            }
        }
    }
}

impl std::error::Error for JsonDecodeError {}

/// How errors name a schema: `layer 122`, or `mtproto schema` for one without a
/// layer.
pub(crate) fn schema_label(s: &Schema) -> String {
    match s.layer {
        Some(n) => std::format!("layer {n}"),
        None => std::format!("{} schema", s.name),
    }
}

/// Puts `segment` (a name, or `[i]`) in front of `path`.
fn prefix(path: &mut String, segment: &str) {
    let segment = shown(segment);
    if path.is_empty() {
        *path = segment.into_owned();
    } else if path.starts_with('[') {
        path.insert_str(0, &segment);
    } else {
        path.insert(0, '.');
        path.insert_str(0, &segment);
    }
}

/// A name as messages show it: as is when it looks like a TL name (or an index),
/// JSON-quoted otherwise (`"chat id"`, `""`).
fn shown(name: &str) -> Cow<'_, str> {
    let plain = !name.is_empty()
        && (name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.<>%".contains(&b))
            || (name.starts_with('[') && name.ends_with(']')));
    if plain {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(Value::from(name).to_string())
    }
}

/// A JSON value as "found ..." shows it: scalars as written (strings cut at 24
/// characters), containers by kind.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Null | Value::Bool(_) | Value::Number(_) => v.to_string(),
        Value::String(s) => {
            let mut cut: String = s.chars().take(24).collect();
            if cut.len() < s.len() {
                cut.push_str("...");
            }
            Value::from(cut).to_string()
        }
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// The candidate closest to `name` by edit distance, if it is close (at most a
/// third of the name's length, and at most 3 edits). Ties go to the longest common
/// prefix (typos are rarely at the start), then to the first name in order.
pub(crate) fn closest<'c>(
    name: &str,
    candidates: impl Iterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    let prefix = |c: &str| {
        name.chars()
            .zip(c.chars())
            .take_while(|(a, b)| a == b)
            .count()
    };
    candidates
        .filter_map(|c| Some((edit_distance(name, c, limit)?, c)))
        .min_by_key(|&(d, c)| (d, core::cmp::Reverse(prefix(c)), c))
        .map(|(_, c)| c)
}

/// The Levenshtein distance between `a` and `b` (case-insensitive), or `None`
/// when it exceeds `limit`.
fn edit_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: std::vec::Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: std::vec::Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut row: std::vec::Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    Some(row[b.len()]).filter(|&d| d <= limit)
}
