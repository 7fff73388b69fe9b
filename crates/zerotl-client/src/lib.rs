//! Clients that call functions on an MTProto server: [`Client`] for tokio and
//! [`BlockingClient`] for blocking code.
//!
//! * Pick a transport (abridged, intermediate, padded, full; obfuscated or not) and a
//!   session mode in [`ClientConfig`]: encrypted (MTProto 2.0: a key exchange on
//!   connect, or a saved key) by default, or the embedded server's plain test mode
//!   ([`ClientConfig::insecure_plain`]).
//! * `invoke(&request)` takes any function with
//!   [`MethodInfo`](crate::errors::MethodInfo) (every generated function) and returns
//!   an [`Answer`] — the message buffer plus a zero-copy view of the typed result — or
//!   an [`InvocationError`](crate::errors::InvocationError) carrying the method's
//!   typed error (`ExportChatInviteError::ChatAdminRequired`), a timeout, a transport
//!   failure, ...
//! * Many calls may be in flight on one connection: an I/O task writes requests,
//!   reads answers and matches them to callers by msg_id. Each attempt has a timeout;
//!   420 `FLOOD_WAIT_X` is slept through and repeated while X is below the
//!   [`FloodPolicy`] threshold, and returned above it.
//! * The protocol lives in the sans-IO [`core::ClientCore`]; the tokio task only moves
//!   bytes.
//!
//! In encrypted mode the client acks the server's content-related messages (in
//! batches), re-sends a request after `bad_server_salt` or a clock / seq_no
//! correction, and fails a request the server refused with another
//! `bad_msg_notification` code ([`core::ProtocolError::BadMsgNotification`]).
//! Updates are ignored.

mod answer;
mod async_client;
mod blocking;
mod config;
pub mod core;

pub use answer::{Answer, RawAnswer};
pub use async_client::Client;
pub use blocking::BlockingClient;
pub use config::{ClientConfig, FloodPolicy, SessionMode, Sleeper};

use std::time::Duration;

use self::core::ProtocolError;
use crate::errors::TransportFailure;

/// Why a connection could not be set up.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// TCP connect, read or write failed.
    #[error("i/o error: {0}")]
    Io(#[source] std::io::Error),
    /// Connecting and the key exchange took longer than this.
    #[error("could not connect within {0:?}")]
    Timeout(Duration),
    /// The server closed the connection during setup.
    #[error("the server closed the connection during setup")]
    Closed,
    /// The transport failed, or the server sent a transport error (−404 when it
    /// refuses plain test mode).
    #[error("{0}")]
    Transport(TransportFailure),
    /// The key exchange (or another protocol rule) failed.
    #[error("{0}")]
    Protocol(ProtocolError),
}
