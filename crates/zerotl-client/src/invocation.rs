//! [`InvocationError`]: why one call produced no answer.

use std::fmt;
use std::time::Duration;

use zerotl_mtproto::client::{ClientError, ProtocolError, RequestFailure, TransportFailure};
use zerotl_mtproto::envelope::EnvelopeError;
use zerotl_mtproto::errors::RpcError;
use zerotl_mtproto::transport::{FrameError, ObfuscationError, TransportError};

/// Why a request was dropped before its answer came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropReason {
    /// The caller cancelled it (or dropped the future or handle waiting for it).
    Cancelled,
    /// The connection closed while the request was in flight.
    ConnectionClosed,
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DropReason::Cancelled => "the request was cancelled",
            DropReason::ConnectionClosed => "the connection closed before the answer",
        })
    }
}

/// Why a call failed: the server's answer was an error ([`InvocationError::Rpc`],
/// typed as `E`), or no usable answer came.
///
/// One type serves both uses: `InvocationError<RpcError>` (the default) for untyped
/// calls, and `InvocationError<M::Error>` for a function `M` with
/// [`MethodInfo`](crate::MethodInfo); [`InvocationError::typed`] turns the first into
/// the second.
///
/// ```
/// use zerotl_client::InvocationError;
/// use zerotl_errors::layer122::messages::ExportChatInviteError;
/// use zerotl_errors::RpcError;
///
/// let e: InvocationError = InvocationError::Rpc(RpcError::parse(400, "CHAT_ID_INVALID"));
/// let typed: InvocationError<ExportChatInviteError> = e.typed();
/// assert!(matches!(typed, InvocationError::Rpc(ExportChatInviteError::ChatIdInvalid)));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum InvocationError<E = RpcError> {
    /// The server answered with an `rpc_error`.
    Rpc(E),
    /// The transport failed.
    Transport(TransportFailure),
    /// The answer (or a message around it) did not decode.
    Decode(zerotl::DecodeError),
    /// The peer broke the MTProto protocol: the key exchange failed, or an
    /// encrypted message failed its checks.
    Protocol(ProtocolError),
    /// The server refused the request's message for good (`bad_msg_notification`),
    /// or its answer was malformed.
    Refused(RequestFailure),
    /// Reading from or writing to the connection failed.
    Io(std::io::Error),
    /// No answer came within this time.
    Timeout(Duration),
    /// The request was dropped before its answer came.
    Dropped(DropReason),
    /// In plain test mode ([`ClientConfig::insecure_plain`](crate::ClientConfig::insecure_plain)),
    /// the server answered with a transport error (−404: it has no key for an
    /// unencrypted message): most likely it accepts encrypted connections only.
    PlainRefused(TransportFailure),
}

impl<E> InvocationError<E> {
    /// Maps the RPC error, keeping the other cases.
    pub fn map_rpc<F>(self, f: impl FnOnce(E) -> F) -> InvocationError<F> {
        match self {
            Self::Rpc(e) => InvocationError::Rpc(f(e)),
            Self::Transport(t) => InvocationError::Transport(t),
            Self::Decode(d) => InvocationError::Decode(d),
            Self::Protocol(p) => InvocationError::Protocol(p),
            Self::Refused(f) => InvocationError::Refused(f),
            Self::Io(e) => InvocationError::Io(e),
            Self::Timeout(d) => InvocationError::Timeout(d),
            Self::Dropped(r) => InvocationError::Dropped(r),
            Self::PlainRefused(t) => InvocationError::PlainRefused(t),
        }
    }

    /// In plain test mode, transport error −404 (the server has no key for an
    /// unencrypted message) becomes [`InvocationError::PlainRefused`], whose message
    /// says what to do. Other codes (−429: too many connections) keep their meaning.
    pub(crate) fn in_plain_mode(self, plain: bool) -> Self {
        match self {
            Self::Transport(t @ TransportFailure::Code(TransportError::AUTH_KEY_NOT_FOUND))
                if plain =>
            {
                Self::PlainRefused(t)
            }
            other => other,
        }
    }

    /// The RPC error, if the server answered with one.
    pub fn rpc(&self) -> Option<&E> {
        match self {
            Self::Rpc(e) => Some(e),
            _ => None,
        }
    }
}

impl InvocationError<RpcError> {
    /// Types the RPC error as `E` (a method's error enum).
    pub fn typed<E: From<RpcError>>(self) -> InvocationError<E> {
        self.map_rpc(E::from)
    }
}

impl<E: fmt::Display> fmt::Display for InvocationError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rpc(e) => write!(f, "the server answered with an error: {e}"),
            Self::Transport(t) => t.fmt(f),
            Self::Decode(d) => write!(f, "the answer did not decode: {d}"),
            Self::Protocol(p) => write!(f, "protocol error: {p}"),
            Self::Refused(r) => write!(f, "request failed: {r}"),
            Self::Io(e) => write!(f, "i/o error: {e}"),
            Self::Timeout(d) => write!(f, "no answer within {d:?}"),
            Self::Dropped(r) => write!(f, "no answer: {r}"),
            Self::PlainRefused(t) => write!(
                f,
                "the server refused an unencrypted request ({t}): it may require \
                 encryption; connect without `ClientConfig::insecure_plain` (trusting \
                 the server's RSA key with `ClientConfig::trust`)"
            ),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for InvocationError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Rpc(e) => Some(e),
            Self::Transport(t) | Self::PlainRefused(t) => Some(t),
            Self::Decode(d) => Some(d),
            Self::Protocol(p) => Some(p),
            Self::Refused(r) => Some(r),
            Self::Io(e) => Some(e),
            Self::Timeout(_) | Self::Dropped(_) => None,
        }
    }
}

impl From<RpcError> for InvocationError<RpcError> {
    fn from(e: RpcError) -> Self {
        Self::Rpc(e)
    }
}

impl<E> From<TransportFailure> for InvocationError<E> {
    fn from(t: TransportFailure) -> Self {
        Self::Transport(t)
    }
}

impl<E> From<TransportError> for InvocationError<E> {
    fn from(t: TransportError) -> Self {
        Self::Transport(t.into())
    }
}

impl<E> From<FrameError> for InvocationError<E> {
    fn from(t: FrameError) -> Self {
        Self::Transport(t.into())
    }
}

impl<E> From<ObfuscationError> for InvocationError<E> {
    fn from(t: ObfuscationError) -> Self {
        Self::Transport(t.into())
    }
}

impl<E> From<zerotl::DecodeError> for InvocationError<E> {
    fn from(d: zerotl::DecodeError) -> Self {
        Self::Decode(d)
    }
}

impl<E> From<std::io::Error> for InvocationError<E> {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

impl<E> From<DropReason> for InvocationError<E> {
    fn from(r: DropReason) -> Self {
        Self::Dropped(r)
    }
}

impl<E> From<ClientError> for InvocationError<E> {
    /// A failure of the connection (or of the core refusing a request) as the
    /// failure of a call.
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Transport(t) => Self::Transport(t),
            ClientError::Protocol(ProtocolError::Envelope(EnvelopeError::Tl { error, .. })) => {
                Self::Decode(error)
            }
            ClientError::Protocol(p) => Self::Protocol(p),
            other => Self::Io(std::io::Error::other(other.to_string())),
        }
    }
}
