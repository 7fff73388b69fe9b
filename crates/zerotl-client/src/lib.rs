//! # zerotl-client: MTProto clients over the zerotl protocol core
//!
//! [`Client`] for tokio and [`BlockingClient`] for blocking code: drivers of the
//! sans-IO [`ClientConnection`](zerotl_mtproto::client::ClientConnection) of
//! `zerotl-mtproto`. They move bytes between a TCP socket and the core, wake
//! callers and apply the caller's policies (FLOOD_WAIT, timeouts); every protocol
//! decision (framing, encryption, matching answers, `rpc_error` against
//! `gzip_packed`, resends after `bad_server_salt`, acks, deadlines) is the core's.
//!
//! * Pick a transport (abridged, intermediate, padded, full; obfuscated or not) and a
//!   session mode in [`ClientConfig`]: encrypted (MTProto 2.0: a key exchange on
//!   connect, or a saved key) trusting Telegram's production keys by default (a
//!   test server's key must be named: [`ClientConfig::trust`]), or the embedded
//!   server's plain test mode ([`ClientConfig::insecure_plain`]).
//! * `invoke(&request)` takes any function with [`MethodInfo`] (every generated
//!   function) and returns an [`Answer`] — the answer's bytes plus a zero-copy view
//!   of the typed result — or an [`InvocationError`] carrying the method's typed
//!   error (`ExportChatInviteError::ChatAdminRequired`), a timeout, a transport
//!   failure, ...
//! * Many calls may be in flight on one connection: an I/O task writes requests,
//!   reads answers and hands them to their callers. Each attempt has a deadline (the
//!   core's); 420 `FLOOD_WAIT_X` is slept through and repeated while X is below the
//!   [`FloodPolicy`] threshold, and returned above it.
//! * [`telegram`]: what a client adds to talk to the real Telegram servers.
//! * `layer230` (feature `layer230`): speaking layer 230 — every call wrapped in
//!   `invokeWithLayer(230, initConnection(...))`, and bot login.
//!
//! Updates are ignored.
//!
//! ## Memory per connection
//!
//! At the defaults a [`Client`] connection holds at most about **37 MiB**,
//! whatever the server sends, plus up to two requests of the callers' own size:
//!
//! | what | bound (default) |
//! | --- | --- |
//! | received bytes not yet handled | one frame ([`ClientConfig::max_frame_len`], 16 MiB) plus one read (16 KiB) |
//! | scratch for inflating `gzip_packed` answers | [`ClientConfig::max_inflated`] (16 MiB; zeroed pages, committed only as answers use them) |
//! | output not yet written | 1 MiB, after which no new call is taken, plus the last request and acks |
//! | request bodies kept to send again when the server asks | [`Client::MAX_PENDING_BYTES`] (4 MiB), after which no new call is taken, plus one body |
//! | the core's requests in flight, acks, replay window | fixed: 256 requests, 1024 acks, 1024 msg_ids |
//!
//! A server's part of it is the first two rows (32 MiB at the defaults; lower
//! them for less). Answers are copied out to their callers as they come.
//!
//! ## Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | (none) | | the crate needs `std` and tokio; `BlockingClient` runs its own runtime |
//! | `layer230` | no | `invokeWithLayer(230, initConnection(...))` and bot-login builders (module `layer230`), with layer 230's types and typed errors (builds layer 230) |
//!
//! It builds `zerotl-types` with `layer122` (for `telegram::first_query`); the `layer230`
//! feature turns on `zerotl-types/layer230` and `zerotl-errors/layer230` to call layer 230's
//! functions.

// RpcError keeps its texts inline (no allocation in the protocol core): results
// and events that carry one are large by design.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

mod answer;
mod async_client;
mod blocking;
mod config;
mod invocation;
#[cfg(feature = "layer230")]
pub mod layer230;
pub mod telegram;

pub use answer::{Answer, RawAnswer};
pub use async_client::Client;
pub use blocking::BlockingClient;
pub use config::{ClientConfig, ConfigError, FloodPolicy, SessionMode, Sleeper};
pub use invocation::{DropReason, InvocationError};
pub use zerotl_errors::MethodInfo;
pub use zerotl_mtproto::client::{ProtocolError, RequestFailure, TransportFailure};

use std::time::Duration;

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
    /// The configuration cannot work (nothing was sent).
    #[error("{0}")]
    Config(ConfigError),
}

impl From<zerotl_mtproto::client::ClientError> for ConnectError {
    fn from(e: zerotl_mtproto::client::ClientError) -> Self {
        use zerotl_mtproto::client::ClientError;
        match e {
            ClientError::Transport(t) => ConnectError::Transport(t),
            ClientError::Protocol(p) => ConnectError::Protocol(p),
            other => ConnectError::Io(std::io::Error::other(other.to_string())),
        }
    }
}

/// The wall clock, as the core takes it.
pub(crate) fn now() -> zerotl_mtproto::UnixTime {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    zerotl_mtproto::UnixTime::from_duration_since_epoch(since_epoch)
}
