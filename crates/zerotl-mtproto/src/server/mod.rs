//! The server side of one connection (feature `alloc`): [`ServerConnection`].
//!
//! ```text
//!  socket bytes ─▶ receive() ─▶ [WebSocket] ─▶ transport detection ─▶ Codec ─▶ payloads
//!                                                                                │
//!        ┌───────────────────────────────────────────────────────────────────────┘
//!        ▼
//!  auth_key_id = 0 ─▶ key exchange id? ─▶ auth::KeyExchangeServer ─▶ plain reply
//!                  └▶ otherwise ─▶ plain test mode? ─▶ event Request ─▶ reply() ─▶ plain rpc_result
//!                                  (off: transport error −404, close)
//!  auth_key_id ≠ 0 ─▶ Session::unpack ─▶ container / gzip / ping / acks (handled here)
//!                                        └▶ event Request ─▶ reply() ─▶ encrypted rpc_result
//!
//!  output() ─▶ socket; consume_output(n, now) when written.
//!  poll_timeout() ─▶ driver sleeps until then ─▶ handle_timeout(now) ─▶ Err(TimedOut): close.
//! ```
//!
//! **WebSocket.** A connection whose first bytes are `GET ` is read as a WebSocket
//! upgrade request ([`transport::websocket`](crate::transport::websocket)): once it is
//! whole (at most 4096 bytes), the `101` answer goes out and the payloads of the
//! client's frames feed transport detection and the codec as a TCP stream would;
//! everything the codec writes goes out in binary frames, pings are answered with
//! pongs, a close frame with a close frame, after which the connection ends
//! ([`ServerConnectionError::WebSocketClosed`]). The
//! [`Detected`](ServerConnectionEvent::Detected) event says whether the stream came
//! over WebSocket; the upgrade counts as part of transport detection (its deadline).
//!
//! The connection decides everything about the protocol; what to *answer* a
//! request with is the driver's business: it takes each
//! [`ServerConnectionEvent::Request`] and hands the result back with
//! [`reply`](ServerConnection::reply). The server sends `new_session_created` on a
//! session's first message, `bad_server_salt` / `bad_msg_notification` for refused
//! messages and `pong` for `ping`; it does not send `msgs_ack` or quick acks.
//! It answers `destroy_session` itself and reports the destroyed session
//! ([`ServerConnectionEvent::SessionDestroyed`]) so the driver forgets its own
//! per-session state in the same step.
//!
//! **Bounds.** Frames are capped by the transport config; at most
//! `max_in_flight` requests wait for their answer or for the answer to be written:
//! past that the connection stops decoding (and
//! [`wants_input`](ServerConnection::wants_input) turns false, so the driver stops
//! reading) until the client reads its answers. Inflated `gzip_packed` requests
//! are capped; containers hold at most 1024 messages and never nest.
//!
//! **Deadlines** ([`ServerTimeouts`], in [`ServerConnectionConfig::timeouts`]).
//! The connection keeps them itself, on the time its caller passes
//! ([`ServerConnection::new`] takes the start, `receive`, `process` and
//! `reply` the context's `now`, `consume_output` the time of the write); it
//! reads no clock. [`poll_timeout`](ServerConnection::poll_timeout) names the
//! earliest, [`handle_timeout`](ServerConnection::handle_timeout) ends the
//! connection once it has passed, with
//! [`ServerConnectionError::TimedOut`] naming the [`ServerTimer`]:
//!
//! | deadline | counts from | applies while |
//! | --- | --- | --- |
//! | detect | the start | no transport is known |
//! | key exchange | detection | the opening lasts: no key exchange done, no message under a known key, no plain request |
//! | frame | a frame's first byte (or the completion of the frame before it, or reading resuming) | bytes of an unfinished frame wait and the connection reads |
//! | idle | the last byte read or written | no output waits |
//! | write | the last byte read or written | output waits (after a protocol error, the only one left) |
//!
//! The frame deadline is total, not per byte: a frame trickled in one byte
//! at a time, each just inside the timeout, still times out.

mod connection;
mod key_state;
mod timers;

pub use key_state::{
    Admission, KeyState, SaltSchedule, SessionRegistry, DEFAULT_SALT_OVERLAP, DEFAULT_SALT_PERIOD,
    KEY_REPLAY_WINDOW, MAX_FUTURE_SALTS, MAX_SESSIONS_PER_KEY,
};

pub use connection::{
    AuthKeyStore, IncomingRequest, ServerConnection, ServerConnectionConfig, ServerConnectionError,
    ServerConnectionEvent, ServerContext, DEFAULT_SERVER_MAX_FRAME_LEN, DEFAULT_SERVER_MAX_PADDING,
};
pub use timers::{ServerTimeouts, ServerTimer};
