//! The client side of one connection, sans-IO and allocation-free:
//! [`ClientConnection`].
//!
//! ```text
//!  send_request(body) ─▶ msg_id ─▶ [plain | Session] ─▶ Framer ─▶ caller's output buffer
//!  receive(input, scratch) ─▶ Framer ─▶ [plain | Session::unpack, in place] ─▶ classify
//!       rpc_result (in containers, gzip inflated into scratch) ─▶ poll_event(): Answer / Error
//!       bad_server_salt / bad_msg_notification 16,17,32,33 ─▶ poll_event(): Resend
//!       content-related messages ─▶ msgs_ack, written by poll_transmit()
//!  poll_timeout() / handle_timeout(now) ─▶ poll_event(): Failed(TimedOut)
//! ```
//!
//! Requests in flight, acks to send and the replay window live in fixed-size
//! storage whose sizes are const generics: `ClientConnection<REQUESTS, ACKS,
//! REPLAY>`. Request bodies stay with the caller: after `bad_server_salt` or a
//! clock or seq_no correction the connection asks for the body back
//! ([`ClientEvent::Resend`]) and the caller passes it to
//! [`resend`](ClientConnection::resend). Answers are handed out as ranges of the
//! caller's buffers ([`AnswerRef`]): the received bytes (decrypted in place) or the
//! scratch buffer that `gzip_packed` answers inflate into.
//!
//! The key exchange (feature `alloc`) is the one part that allocates.

mod connection;
mod error;

pub use connection::{
    AnswerLocation, AnswerRef, ClientConnection, ClientConnectionConfig, ClientEvent, RequestId,
    SessionSetup, DEFAULT_ACK_BATCH, DEFAULT_REQUEST_TIMEOUT,
};
pub use error::{ClientError, ProtocolError, RequestFailure, TransportFailure};
