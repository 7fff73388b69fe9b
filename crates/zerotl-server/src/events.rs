//! What the server reports: why connections end ([`CloseReason`]) and the events an
//! observer sees ([`ServerEvent`]), each with a one-line `Display` for logs.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use zerotl_mtproto::server::{ServerConnectionError, ServerTimer};
use zerotl_mtproto::transport::Transport;

use super::rpc::RequestOutcome;
use super::sessions::{ClientInfo, SessionRef};

/// Why the server closed (or lost) a connection.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// The client closed its side.
    PeerClosed,
    /// Nothing was read or written for this long while no output waited.
    IdleTimeout(Duration),
    /// The transport was not detected in time (the first bytes never came, or
    /// not enough of them).
    DetectTimeout(Duration),
    /// The key exchange (or the first message: encrypted under a known key, or
    /// a plain test-mode request) did not come in time.
    KeyExchangeTimeout(Duration),
    /// A frame was not complete this long after its first byte (however
    /// slowly it kept growing).
    StalledFrame(Duration),
    /// The client's address started more key exchanges this minute than allowed.
    TooManyKeyExchanges {
        /// The per-minute limit.
        limit: usize,
    },
    /// The client did not read its answers: no byte could be written for this long.
    SlowReader(Duration),
    /// The client's `ping_delay_disconnect` asked for it: no later one came
    /// within its `disconnect_delay`.
    DisconnectDelay,
    /// The protocol core closed it: the client broke a rule (an unknown
    /// transport, a bad frame, a plain request with plain test mode off, an
    /// unknown auth key, a failed key exchange, ...).
    Protocol(ServerConnectionError),
    /// Reading or writing failed.
    Io(std::io::ErrorKind),
    /// The server is shutting down.
    Shutdown,
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PeerClosed => f.write_str("peer closed the connection"),
            Self::IdleTimeout(d) => write!(f, "idle for {d:?}"),
            Self::DetectTimeout(d) => write!(f, "no transport detected within {d:?}"),
            Self::KeyExchangeTimeout(d) => write!(f, "key exchange not done within {d:?}"),
            Self::StalledFrame(d) => write!(f, "a frame was not complete within {d:?}"),
            Self::TooManyKeyExchanges { limit } => {
                write!(
                    f,
                    "more than {limit} key exchanges a minute from this address"
                )
            }
            Self::SlowReader(d) => write!(f, "client read no answer for {d:?}"),
            Self::DisconnectDelay => f.write_str(
                "the disconnect_delay of the client's last ping_delay_disconnect ran out",
            ),
            Self::Protocol(e) => e.fmt(f),
            Self::Io(kind) => write!(f, "i/o error: {kind}"),
            Self::Shutdown => f.write_str("server shutting down"),
        }
    }
}

/// Why a connection was refused at accept time.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefuseReason {
    /// The server already serves its maximum number of connections.
    TooManyConnections {
        /// The limit.
        limit: usize,
    },
    /// This address already has its share of connections open.
    TooManyFromAddress {
        /// The per-address limit.
        limit: usize,
    },
    /// This address already has its share of key exchanges under way.
    TooManyKeyExchanges {
        /// The per-address limit.
        limit: usize,
    },
}

impl fmt::Display for RefuseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyConnections { limit } => {
                write!(f, "too many connections (limit {limit})")
            }
            Self::TooManyFromAddress { limit } => {
                write!(f, "too many connections from this address (limit {limit})")
            }
            Self::TooManyKeyExchanges { limit } => {
                write!(
                    f,
                    "too many key exchanges from this address (limit {limit})"
                )
            }
        }
    }
}

impl From<ServerConnectionError> for CloseReason {
    /// A passed deadline becomes its own reason; anything else is
    /// [`Protocol`](Self::Protocol).
    fn from(e: ServerConnectionError) -> Self {
        match e {
            ServerConnectionError::TimedOut { timer, after } => match timer {
                ServerTimer::Detect => Self::DetectTimeout(after),
                ServerTimer::KeyExchange => Self::KeyExchangeTimeout(after),
                ServerTimer::Frame => Self::StalledFrame(after),
                ServerTimer::Idle => Self::IdleTimeout(after),
                ServerTimer::Write => Self::SlowReader(after),
                _ => Self::Protocol(e),
            },
            ServerConnectionError::DisconnectDelay => Self::DisconnectDelay,
            // The client's WebSocket close frame: its leaving, as a TCP close is.
            ServerConnectionError::WebSocketClosed { .. } => Self::PeerClosed,
            e => Self::Protocol(e),
        }
    }
}

/// Something that happened in the server, for an observer
/// ([`ServerBuilder::observer`](super::ServerBuilder::observer)).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEvent {
    /// The server listens on this address.
    Listening(SocketAddr),
    /// A connection was accepted and numbered `conn`.
    Accepted {
        /// The connection number.
        conn: u64,
        /// The client's address.
        peer: SocketAddr,
    },
    /// A connection was closed right away.
    Refused {
        /// The client's address.
        peer: SocketAddr,
        /// Why.
        reason: RefuseReason,
    },
    /// The connection's transport is known.
    Detected {
        /// The connection.
        conn: u64,
        /// The framing.
        transport: Transport,
        /// Whether it is obfuscated.
        obfuscated: bool,
        /// Whether it comes in WebSocket frames (`GET /apiws` upgrade).
        websocket: bool,
    },
    /// A key exchange finished.
    KeyExchanged {
        /// The connection.
        conn: u64,
        /// The new key's id.
        auth_key_id: i64,
    },
    /// A client named its app in `initConnection` (reported before the request's
    /// own [`Request`](Self::Request) event).
    ClientInit {
        /// The connection.
        conn: u64,
        /// The auth key and session.
        session: SessionRef,
        /// What it said.
        client: ClientInfo,
    },
    /// A request was answered.
    Request {
        /// The connection.
        conn: u64,
        /// The request's msg_id.
        msg_id: i64,
        /// What it was answered with.
        outcome: RequestOutcome,
    },
    /// A connection ended.
    Closed {
        /// The connection.
        conn: u64,
        /// Why.
        reason: CloseReason,
        /// Requests it had answered.
        requests: u64,
    },
    /// The server stopped accepting and every connection ended.
    Stopped,
}

impl fmt::Display for ServerEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Listening(addr) => write!(f, "listening on {addr}"),
            Self::Accepted { conn, peer } => write!(f, "#{conn} accepted from {peer}"),
            Self::Refused { peer, reason } => write!(f, "refused {peer}: {reason}"),
            Self::Detected {
                conn,
                transport,
                obfuscated,
                websocket,
            } => {
                let how = if *obfuscated { "obfuscated " } else { "" };
                let over = if *websocket { " over WebSocket" } else { "" };
                write!(f, "#{conn} transport: {how}{transport:?}{over}")
            }
            Self::KeyExchanged { conn, auth_key_id } => {
                write!(f, "#{conn} auth key {auth_key_id:#018x} created")
            }
            Self::Request {
                conn,
                msg_id,
                outcome,
            } => match outcome {
                RequestOutcome::Exported { target, link } => {
                    write!(f, "#{conn} msg {msg_id:#x}: {target:?} -> {link}")
                }
                RequestOutcome::Refused(e) => {
                    write!(f, "#{conn} msg {msg_id:#x}: error {} {}", e.code, e.message)
                }
                RequestOutcome::LoggedIn { user_id } => {
                    write!(f, "#{conn} msg {msg_id:#x}: logged in as bot {user_id}")
                }
                RequestOutcome::Answered { method } => {
                    write!(f, "#{conn} msg {msg_id:#x}: {method}")
                }
            },
            Self::ClientInit {
                conn,
                session,
                client,
            } => {
                write!(f, "#{conn} client: {client}")?;
                match (session.auth_key_id, session.session_id) {
                    (Some(k), Some(s)) => write!(f, " (auth key {k:#018x}, session {s:#018x})"),
                    _ => Ok(()),
                }
            }
            Self::Closed {
                conn,
                reason,
                requests,
            } => write!(f, "#{conn} closed after {requests} requests: {reason}"),
            Self::Stopped => f.write_str("stopped"),
        }
    }
}
