//! [`EnvelopeError`]: why an envelope or service message was refused.

use zerotl::{DecodeError, EncodeError};

use crate::buf::AppendError;
use crate::BufferFull;

/// Why a message envelope or service message could not be decoded or built.
///
/// Offsets count from the start of the slice given to the failing function.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// Fewer bytes than a fixed header needs.
    #[error("{what} truncated: needs {needed} bytes, {available} given")]
    Truncated {
        /// The structure.
        what: &'static str,
        /// Bytes it needs at least.
        needed: usize,
        /// Bytes there were.
        available: usize,
    },
    /// An unencrypted message whose `auth_key_id` is not zero.
    #[error("not an unencrypted message: auth_key_id is {auth_key_id:#018x}")]
    NotPlain {
        /// The key id found.
        auth_key_id: i64,
    },
    /// A length field that disagrees with the bytes there are.
    #[error("{what}: length field says {declared} bytes, {available} available")]
    LengthMismatch {
        /// The length field.
        what: &'static str,
        /// The value of the field.
        declared: i64,
        /// Bytes available for it.
        available: usize,
    },
    /// A TL body whose length is not a multiple of 4 (or shorter than an id).
    #[error("{what} of {length} bytes is not a whole number of 32-bit words (at least one)")]
    BadBodyLength {
        /// The body.
        what: &'static str,
        /// Its length.
        length: usize,
    },
    /// Bytes left over after a complete structure.
    #[error("{count} trailing bytes after {what}")]
    TrailingBytes {
        /// The structure.
        what: &'static str,
        /// How many bytes were left.
        count: usize,
    },
    /// A container with more messages than the limit.
    #[error("msg_container with {count} messages (the limit is {max})")]
    TooManyMessages {
        /// The count field.
        count: i64,
        /// The limit.
        max: usize,
    },
    /// A `msgs_ack` with more ids than the limit.
    #[error("msgs_ack with {count} ids (the limit is {max})")]
    TooManyIds {
        /// The count.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A container inside a container.
    #[error("message {index} of a msg_container is itself a msg_container")]
    NestedContainer {
        /// The position of the inner message.
        index: usize,
    },
    /// A `gzip_packed` inside an inflated `gzip_packed`.
    #[error("gzip_packed inside gzip_packed")]
    NestedGzip,
    /// Inflating would produce more than the cap.
    #[error("gzip_packed inflates to more than {max} bytes")]
    GzipTooLarge {
        /// The cap.
        max: usize,
    },
    /// The packed data is not a valid gzip stream.
    #[error("gzip_packed data is not a valid gzip stream")]
    GzipCorrupt,
    /// A TL decode error inside `what`.
    #[error("{what}: {error}")]
    Tl {
        /// The structure being decoded.
        what: &'static str,
        /// The decode error (its offset is from the start of the given slice).
        error: DecodeError,
    },
    /// A value could not be encoded (a `bytes` field over 16 MiB).
    #[error("encoding failed: {0}")]
    Encode(EncodeError),
    /// The caller's output buffer has no room for the message.
    #[error("no room for the message: {0}")]
    OutputFull(BufferFull),
}

impl From<AppendError> for EnvelopeError {
    fn from(e: AppendError) -> Self {
        match e {
            AppendError::Full(full) => Self::OutputFull(full),
            AppendError::Encode(e) => Self::Encode(e),
        }
    }
}

impl From<BufferFull> for EnvelopeError {
    fn from(e: BufferFull) -> Self {
        Self::OutputFull(e)
    }
}

impl EnvelopeError {
    /// Wraps a TL decode error met while decoding `what`.
    pub(crate) fn tl(what: &'static str) -> impl Fn(DecodeError) -> Self {
        move |error| Self::Tl { what, error }
    }

    /// Whether the input simply stopped too early (every truncated message fails
    /// with such an error).
    pub fn is_truncation(&self) -> bool {
        match self {
            Self::Truncated { .. } | Self::LengthMismatch { .. } => true,
            Self::Tl { error, .. } => error.kind().is_truncation(),
            _ => false,
        }
    }
}
