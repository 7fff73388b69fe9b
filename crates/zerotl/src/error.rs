//! Typed errors for decoding and encoding.

use core::fmt;

/// Why a decode failed and at which byte offset of the input.
///
/// `DecodeError` is `Copy` and small so that it can be returned from hot paths and
/// stored freely. The offset is counted from the start of the slice given to
/// [`Reader::new`](crate::Reader::new) (or [`Decode::decode_from_slice`](crate::Decode)).
///
/// ```
/// use zerotl::{Decode, DecodeErrorKind};
/// let err = i64::decode_from_slice(&[1, 2, 3]).unwrap_err();
/// assert_eq!(err.offset(), 0);
/// assert!(matches!(err.kind(), DecodeErrorKind::UnexpectedEnd { needed: 8, remaining: 3 }));
/// assert_eq!(
///     format!("{err}"),
///     "unexpected end of input (needed 8 bytes, 3 left) at byte 0"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError {
    kind: DecodeErrorKind,
    offset: usize,
}

impl DecodeError {
    /// An error of `kind` found at byte `offset` of the input.
    pub const fn new(kind: DecodeErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// What went wrong.
    pub const fn kind(&self) -> DecodeErrorKind {
        self.kind
    }

    /// The byte offset, from the start of the input, where the faulty item begins.
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// The same error moved by `base` bytes (used when a nested buffer is decoded on its own).
    pub const fn shifted(self, base: usize) -> Self {
        Self {
            kind: self.kind,
            offset: self.offset + base,
        }
    }
}

/// The kinds of [`DecodeError`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The input ended inside a fixed-size item. Generated decoders read a run of
    /// consecutive fixed-size fields (`admin_id:long date:int start_date:flags.4?int ..`)
    /// as one item: a truncation inside it reports the run's start and its whole size.
    UnexpectedEnd {
        /// Bytes the item needs.
        needed: usize,
        /// Bytes that were left.
        remaining: usize,
    },
    /// A constructor id that the expected type does not have.
    UnknownConstructor {
        /// The id read from the input.
        id: u32,
        /// The TL type that was expected (for example `"InputPeer"`).
        expected: &'static str,
    },
    /// A `Bool` that is neither `boolTrue#997275b5` nor `boolFalse#bc799737`.
    InvalidBool {
        /// The id read from the input.
        id: u32,
    },
    /// A string or bytes header starting with `0xff`, which TL never uses.
    InvalidLengthPrefix,
    /// A string or bytes length written in the 4-byte form although it is below 254.
    NonCanonicalLength {
        /// The length that was declared.
        length: usize,
    },
    /// A declared length larger than the bytes that are left.
    LengthBeyondInput {
        /// The declared length in bytes.
        length: usize,
        /// Bytes left after the header.
        remaining: usize,
    },
    /// Padding after a string or bytes value that is not all zero.
    NonZeroPadding,
    /// A `string` whose bytes are not UTF-8.
    InvalidUtf8,
    /// A vector count that is negative.
    NegativeCount {
        /// The count read from the input.
        count: i32,
    },
    /// A vector count that cannot fit in the bytes that are left.
    CountBeyondInput {
        /// The count read from the input.
        count: u32,
        /// Bytes left after the count.
        remaining: usize,
    },
    /// Constructors nested deeper than the reader's limit.
    DepthExceeded {
        /// The limit that was hit.
        limit: u16,
    },
    /// Bytes left over after a complete value.
    TrailingBytes {
        /// How many bytes were left.
        count: usize,
    },
    /// A `flags:#` word with bits the constructor does not define.
    UnknownFlags {
        /// The bits that are not defined.
        bits: u32,
        /// The constructor, as written in the schema.
        constructor: &'static str,
    },
    /// A value that is well-formed TL but out of range for its field (for example a
    /// negative `bytes:int` length in front of an `Object`).
    InvalidValue {
        /// What was being read.
        what: &'static str,
    },
}

impl DecodeErrorKind {
    /// Whether this error means "the input stopped too early": a truncated input
    /// always fails with one of these kinds.
    pub const fn is_truncation(&self) -> bool {
        matches!(
            self,
            Self::UnexpectedEnd { .. }
                | Self::LengthBeyondInput { .. }
                | Self::CountBeyondInput { .. }
        )
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::UnexpectedEnd { needed, remaining } => write!(
                f,
                "unexpected end of input (needed {}, {remaining} left)",
                Count(needed, "byte")
            ),
            Self::UnknownConstructor { id, expected } => {
                write!(f, "unknown constructor {id:#010x} for type {expected}")
            }
            Self::InvalidBool { id } => write!(
                f,
                "invalid Bool {id:#010x} (expected boolTrue#997275b5 or boolFalse#bc799737)"
            ),
            Self::InvalidLengthPrefix => write!(f, "invalid length prefix 0xff"),
            Self::NonCanonicalLength { length } => write!(
                f,
                "non-canonical length ({length} written in the 4-byte form, which is for 254 and more)"
            ),
            Self::LengthBeyondInput { length, remaining } => write!(
                f,
                "length beyond input ({} declared, {remaining} left)",
                Count(length, "byte")
            ),
            Self::NonZeroPadding => write!(f, "non-zero padding"),
            Self::InvalidUtf8 => write!(f, "string is not valid UTF-8"),
            Self::NegativeCount { count } => write!(f, "negative vector count {count}"),
            Self::CountBeyondInput { count, remaining } => write!(
                f,
                "vector count beyond input ({} declared, {} left)",
                Count(count as usize, "element"),
                Count(remaining, "byte")
            ),
            Self::DepthExceeded { limit } => {
                write!(f, "nesting depth exceeded (the limit is {limit})")
            }
            Self::TrailingBytes { count } => write!(f, "{} after the value", Count(count, "trailing byte")),
            Self::UnknownFlags { bits, constructor } => {
                write!(f, "unknown flag bits {bits:#010x} for {constructor}")
            }
            Self::InvalidValue { what } => write!(f, "invalid {what}"),
        }
    }
}

/// `1 byte`, `2 bytes`: a count and its noun, singular or plural.
struct Count(usize, &'static str);

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.0 == 1 { "" } else { "s" };
        write!(f, "{} {}{s}", self.0, self.1)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)
    }
}

/// Why an encode failed.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeError {
    /// The output slice is shorter than the encoding.
    BufferTooSmall {
        /// Bytes the encoding needs.
        needed: usize,
        /// Bytes the caller provided.
        available: usize,
    },
    /// A `string`/`bytes` value longer than TL's limit of 2^24 - 1 bytes.
    TooLong {
        /// The value's length in bytes.
        length: usize,
    },
    /// The value wrote more bytes than `encoded_len` announced (a bug in a
    /// hand-written `Encode` implementation), found when the output ran out.
    LengthMismatch {
        /// What `encoded_len` returned.
        announced: usize,
        /// How many bytes `encode` needed at least (it stopped at the end of the output).
        written: usize,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::BufferTooSmall { needed, available } => write!(
                f,
                "output buffer too small: {needed} bytes needed, {available} available"
            ),
            Self::TooLong { length } => write!(
                f,
                "string or bytes of {length} bytes exceeds the TL limit of 16777215"
            ),
            Self::LengthMismatch { announced, written } => {
                write!(
                    f,
                    "encoder needed at least {written} bytes but announced {announced}"
                )
            }
        }
    }
}

impl core::error::Error for DecodeError {}
impl core::error::Error for EncodeError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn every_decode_message_reads_as_a_sentence() {
        use DecodeErrorKind::*;
        let cases = [
            (
                UnexpectedEnd {
                    needed: 1,
                    remaining: 0,
                },
                "unexpected end of input (needed 1 byte, 0 left) at byte 7",
            ),
            (
                UnexpectedEnd {
                    needed: 8,
                    remaining: 3,
                },
                "unexpected end of input (needed 8 bytes, 3 left) at byte 7",
            ),
            (
                UnknownConstructor {
                    id: 0x69df3769,
                    expected: "InputPeer",
                },
                "unknown constructor 0x69df3769 for type InputPeer at byte 7",
            ),
            (
                InvalidBool { id: 0 },
                "invalid Bool 0x00000000 (expected boolTrue#997275b5 or boolFalse#bc799737) at byte 7",
            ),
            (InvalidLengthPrefix, "invalid length prefix 0xff at byte 7"),
            (
                NonCanonicalLength { length: 1 },
                "non-canonical length (1 written in the 4-byte form, which is for 254 and more) at byte 7",
            ),
            (
                LengthBeyondInput {
                    length: 1,
                    remaining: 0,
                },
                "length beyond input (1 byte declared, 0 left) at byte 7",
            ),
            (
                LengthBeyondInput {
                    length: 300,
                    remaining: 12,
                },
                "length beyond input (300 bytes declared, 12 left) at byte 7",
            ),
            (NonZeroPadding, "non-zero padding at byte 7"),
            (InvalidUtf8, "string is not valid UTF-8 at byte 7"),
            (
                NegativeCount { count: -1 },
                "negative vector count -1 at byte 7",
            ),
            (
                CountBeyondInput {
                    count: 1,
                    remaining: 1,
                },
                "vector count beyond input (1 element declared, 1 byte left) at byte 7",
            ),
            (
                CountBeyondInput {
                    count: 5,
                    remaining: 0,
                },
                "vector count beyond input (5 elements declared, 0 bytes left) at byte 7",
            ),
            (
                DepthExceeded { limit: 64 },
                "nesting depth exceeded (the limit is 64) at byte 7",
            ),
            (
                TrailingBytes { count: 1 },
                "1 trailing byte after the value at byte 7",
            ),
            (
                TrailingBytes { count: 4 },
                "4 trailing bytes after the value at byte 7",
            ),
            (
                UnknownFlags {
                    bits: 1 << 31,
                    constructor: "chatInviteExported",
                },
                "unknown flag bits 0x80000000 for chatInviteExported at byte 7",
            ),
            (
                InvalidValue {
                    what: "object length (below 4 bytes)",
                },
                "invalid object length (below 4 bytes) at byte 7",
            ),
        ];
        for (kind, want) in cases {
            assert_eq!(DecodeError::new(kind, 7).to_string(), want);
        }
    }

    #[test]
    fn every_encode_message_reads_as_a_sentence() {
        let cases = [
            (
                EncodeError::BufferTooSmall {
                    needed: 12,
                    available: 8,
                },
                "output buffer too small: 12 bytes needed, 8 available",
            ),
            (
                EncodeError::TooLong { length: 1 << 24 },
                "string or bytes of 16777216 bytes exceeds the TL limit of 16777215",
            ),
            (
                EncodeError::LengthMismatch {
                    announced: 4,
                    written: 8,
                },
                "encoder needed at least 8 bytes but announced 4",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
    }
}
