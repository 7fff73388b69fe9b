//! Why a client connection or one of its requests failed.

use core::fmt;

#[cfg(feature = "alloc")]
use crate::auth::AuthError;
use crate::envelope::EnvelopeError;
use crate::session::SessionError;
use crate::transport::{FrameError, ObfuscationError, TransportError};
use crate::BufferFull;

/// A failure of the transport under a call: the server's transport error frame (a
/// negative code such as −404), a broken frame stream, or failed obfuscation.
///
/// ```
/// use zerotl_mtproto::client::TransportFailure;
/// use zerotl_mtproto::transport::TransportError;
/// let e = TransportFailure::from(TransportError::from_code(-404));
/// assert_eq!(e.code(), Some(-404));
/// assert_eq!(e.to_string(), "transport error -404 (AUTH_KEY_NOT_FOUND)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportFailure {
    /// The server sent a transport error code instead of a frame.
    Code(TransportError),
    /// A frame could not be read or written; the connection is out of step.
    Frame(FrameError),
    /// Obfuscation could not be set up or did not check out.
    Obfuscation(ObfuscationError),
}

impl TransportFailure {
    /// The transport error code, if the server sent one.
    pub const fn code(&self) -> Option<i32> {
        match self {
            Self::Code(c) => Some(c.code()),
            _ => None,
        }
    }
}

impl fmt::Display for TransportFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Code(c) => c.fmt(f),
            Self::Frame(e) => write!(f, "transport framing failed: {e}"),
            Self::Obfuscation(e) => write!(f, "transport obfuscation failed: {e}"),
        }
    }
}

impl core::error::Error for TransportFailure {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Code(c) => Some(c),
            Self::Frame(e) => Some(e),
            Self::Obfuscation(e) => Some(e),
        }
    }
}

impl From<TransportError> for TransportFailure {
    fn from(e: TransportError) -> Self {
        Self::Code(e)
    }
}

impl From<FrameError> for TransportFailure {
    fn from(e: FrameError) -> Self {
        Self::Frame(e)
    }
}

impl From<ObfuscationError> for TransportFailure {
    fn from(e: ObfuscationError) -> Self {
        Self::Obfuscation(e)
    }
}

/// Something the server did that breaks the protocol.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// The key exchange failed.
    #[cfg(feature = "alloc")]
    #[error("key exchange failed: {0}")]
    KeyExchange(AuthError),
    /// An encrypted message from the server failed its checks.
    #[error("encrypted message refused: {0}")]
    Session(SessionError),
    /// A message envelope did not decode.
    #[error("bad message: {0}")]
    Envelope(EnvelopeError),
    /// An unencrypted message from the server whose msg_id is not a server's (odd).
    #[error("unencrypted message with msg_id {msg_id:#x}, which is not a server msg_id")]
    BadServerMsgId {
        /// The msg_id.
        msg_id: i64,
    },
    /// The server sent an encrypted message before any key exchange.
    #[error("encrypted message on a connection without a key")]
    UnexpectedEncrypted,
}

/// Why a [`ClientConnection`](super::ClientConnection) call failed.
///
/// From [`receive`](super::ClientConnection::receive), `Transport` and `Protocol`
/// are fatal for the connection (close it; every request in flight is lost). The
/// other variants say the call could not be done now and change nothing.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The transport failed or the server sent a transport error code.
    #[error("{0}")]
    Transport(TransportFailure),
    /// The server broke a protocol rule.
    #[error("{0}")]
    Protocol(ProtocolError),
    /// A request was made before the key exchange finished.
    #[error("the key exchange has not finished")]
    NotReady,
    /// Every request slot is taken.
    #[error("{max} requests are already in flight")]
    TooManyRequests {
        /// The number of slots.
        max: usize,
    },
    /// The request is not (or no longer) waiting for its body to be re-sent.
    #[error("no request {0} waits to be re-sent")]
    NotResending(u64),
    /// Answers of the last `receive` were not collected with `poll_event` yet
    /// (they point into the buffers the next `receive` would overwrite).
    #[error("answers of the last receive are not collected yet")]
    EventsPending,
    /// The output buffer has no room for the message.
    #[error("{0}")]
    OutputFull(BufferFull),
    /// A request body could not be packed (not whole words, too large).
    #[error("cannot pack the request: {0}")]
    Body(SessionError),
}

impl From<FrameError> for ClientError {
    fn from(e: FrameError) -> Self {
        match e {
            FrameError::OutputFull(full) => Self::OutputFull(full),
            e => Self::Transport(TransportFailure::Frame(e)),
        }
    }
}

impl From<BufferFull> for ClientError {
    fn from(e: BufferFull) -> Self {
        Self::OutputFull(e)
    }
}

impl From<ProtocolError> for ClientError {
    fn from(e: ProtocolError) -> Self {
        Self::Protocol(e)
    }
}

impl From<SessionError> for ClientError {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::OutputFull(full) => Self::OutputFull(full),
            e => Self::Body(e),
        }
    }
}

/// Why one request ended without an answer (see
/// [`ClientEvent::Failed`](super::ClientEvent::Failed)).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestFailure {
    /// No answer came before the request's deadline.
    #[error("no answer before the deadline")]
    TimedOut,
    /// The server refused the request's message (`bad_msg_notification`) with a
    /// code the session cannot fix by re-sending.
    #[error("the server refused the message: bad_msg_notification code {code}")]
    BadMsgNotification {
        /// The code (see `core.telegram.org/mtproto/service_messages_about_messages`).
        code: i32,
    },
    /// The answer did not decode or unpack (a `gzip_packed` answer larger than
    /// the scratch buffer, corrupt, or nested).
    #[error("the answer is malformed: {0}")]
    Envelope(EnvelopeError),
}
