//! Typed errors of the transport layer, and the server's transport error codes.

use core::fmt;

use super::Transport;
use crate::{BufferFull, Side};

/// A transport error code sent by the server: a frame whose payload is one
/// negative little-endian `int32` (`core.telegram.org/mtproto/mtproto-transports`,
/// "Transport errors").
///
/// An open enum (rustls style): the codes the docs name are constants, any other
/// code is kept as it came.
///
/// ```
/// use zerotl_mtproto::transport::TransportError;
/// let e = TransportError::from_code(-404);
/// assert_eq!(e, TransportError::AUTH_KEY_NOT_FOUND);
/// assert_eq!(e.name(), Some("AUTH_KEY_NOT_FOUND"));
/// assert_eq!(TransportError::from_code(-1000).name(), None);
/// assert_eq!(e.to_string(), "transport error -404 (AUTH_KEY_NOT_FOUND)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransportError(i32);

impl TransportError {
    /// -403: the case where HTTP would answer 403 Forbidden.
    pub const FORBIDDEN: Self = Self(-403);
    /// -404: the auth key id is unknown to the DC, or an MTProto field is wrong
    /// (for example a message length beyond the transport frame).
    pub const AUTH_KEY_NOT_FOUND: Self = Self(-404);
    /// -429: transport flood (too many connections, or a container/service limit hit).
    pub const TRANSPORT_FLOOD: Self = Self(-429);
    /// -444: invalid DC id (while creating an auth key or connecting to an MTProxy).
    pub const INVALID_DC: Self = Self(-444);

    /// The error for a code as read from the wire (negative in practice).
    pub const fn from_code(code: i32) -> Self {
        Self(code)
    }

    /// The code as sent on the wire (negative).
    pub const fn code(self) -> i32 {
        self.0
    }

    /// The name of a known code.
    pub const fn name(self) -> Option<&'static str> {
        match self.0 {
            -403 => Some("FORBIDDEN"),
            -404 => Some("AUTH_KEY_NOT_FOUND"),
            -429 => Some("TRANSPORT_FLOOD"),
            -444 => Some("INVALID_DC"),
            _ => None,
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "transport error {} ({name})", self.0),
            None => write!(f, "transport error {}", self.0),
        }
    }
}

impl core::error::Error for TransportError {}

/// Why a frame could not be encoded or decoded.
///
/// Decoding errors are fatal for the connection: the byte stream is out of step and
/// must be closed. A frame that is merely incomplete is not an error
/// (the decoders return `Ok(None)`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The length header announces more than the configured maximum (checked
    /// before any byte of the body is waited for or buffered).
    #[error("{transport:?} frame of {length} bytes exceeds the maximum of {max}")]
    TooLarge {
        /// The transport.
        transport: Transport,
        /// The announced (or requested) body length.
        length: u64,
        /// The configured maximum.
        max: usize,
    },
    /// An MTProto payload whose length is not a multiple of 4.
    #[error("{transport:?} payload length {length} is not a multiple of 4")]
    NotMultipleOf4 {
        /// The transport.
        transport: Transport,
        /// The payload length.
        length: u64,
    },
    /// A frame with an empty payload.
    #[error("{transport:?} frame with an empty payload")]
    Empty {
        /// The transport.
        transport: Transport,
    },
    /// A length header that no valid frame has (a full-transport length below 12 or
    /// negative, a server padded-intermediate length with the top bit set).
    #[error("{transport:?} frame with invalid length field {value:#010x}")]
    InvalidLength {
        /// The transport.
        transport: Transport,
        /// The raw length field.
        value: u32,
    },
    /// Full transport: the CRC32 at the end of the frame does not match.
    #[error("full transport CRC mismatch in frame {seq}: frame says {found:#010x}, computed {computed:#010x}")]
    BadCrc {
        /// The frame's sequence number field.
        seq: i32,
        /// The CRC in the frame.
        found: u32,
        /// The CRC of the received bytes.
        computed: u32,
    },
    /// Full transport: the sequence number is not the next one of this direction.
    #[error("full transport sequence number {found}, expected {expected}")]
    BadSeq {
        /// The sequence number that was due.
        expected: u32,
        /// The sequence number in the frame.
        found: i32,
    },
    /// The operation exists only for the other side of the connection (for example
    /// a client sending a quick-ack answer).
    #[error("{what} is not available to the {role:?} side")]
    WrongRole {
        /// Our side.
        role: Side,
        /// The operation.
        what: &'static str,
    },
    /// The transport has no such feature (quick acks on the full transport).
    #[error("{transport:?} transport does not support {what}")]
    Unsupported {
        /// The transport.
        transport: Transport,
        /// The feature.
        what: &'static str,
    },
    /// A quick-ack token without its most significant bit set (the bit tells
    /// tokens apart from frames on the wire).
    #[error("quick-ack token {token:#010x} must have its top bit set")]
    InvalidQuickAckToken {
        /// The token.
        token: u32,
    },
    /// A transport error code that is not negative.
    #[error("transport error code {code} must be negative")]
    InvalidErrorCode {
        /// The code.
        code: i32,
    },
    /// The caller's output buffer has no room for the frame.
    #[error("no room for the frame: {0}")]
    OutputFull(#[from] BufferFull),
}

/// Why obfuscation (obfuscated2) could not be set up.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ObfuscationError {
    /// The framing has no protocol identifier to put at offset 56 (the full
    /// transport), so a server could not recognise it.
    #[error("{0:?} transport has no obfuscation tag")]
    NoTag(Transport),
    /// A chosen init payload breaks the reserved first-bytes rules.
    #[error("init payload is reserved: {0}")]
    ReservedInit(&'static str),
    /// The decrypted protocol identifier is none of `efefefef`, `eeeeeeee`, `dddddddd`.
    #[error("decrypted protocol tag {0:02x?} is not a known transport")]
    UnknownTag([u8; 4]),
    /// An MTProxy secret that is neither 16 bytes nor 17 bytes starting with `dd`/`ee`.
    #[error("proxy secret of {0} bytes (expected 16, or 17 starting with 0xdd)")]
    BadSecret(usize),
}

/// Why a server could not tell which transport a connection uses.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DetectError {
    /// The connection starts like an HTTP request (`POST`, `GET `, `HEAD`, `OPTI`). A
    /// [`ServerConnection`](crate::server::ServerConnection) reads a `GET ` as a
    /// WebSocket upgrade request instead ([`websocket`](super::websocket)).
    #[error(
        "connection starts with an HTTP method ({0:02x?}); the HTTP transport is not supported"
    )]
    Http([u8; 4]),
    /// The connection starts like a TLS record (`16 03 01 02`: fake-TLS MTProxy).
    #[error("connection starts with a TLS record; fake-TLS is not supported")]
    Tls,
    /// Bytes 4..8 are not zero, so this is not the full transport's first frame
    /// (sequence number 0), and the 64-byte header does not decrypt to a known tag.
    #[error("unrecognised transport: {0}")]
    Unrecognised(ObfuscationError),
}
