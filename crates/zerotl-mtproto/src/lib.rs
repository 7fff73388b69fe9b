//! # zerotl-mtproto: MTProto on top of the zerotl codec
//!
//! The std half of zerotl. Each layer is a module:
//!
//! * `transport`: sans-IO framing codecs (abridged, intermediate, padded
//!   intermediate, full) — pure state machines over byte slices.
//! * `envelope`: MTProto messages around TL bodies (msg_id, seq_no,
//!   `rpc_result`, `msg_container`, `gzip_packed`, service messages).
//! * `errors`: `rpc_error` mapped to typed errors, per method.
//! * `client`, `server`: a client that invokes functions and an embedded test
//!   server that answers `messages.exportChatInvite` from a configurable world.
#![forbid(unsafe_code)]

pub mod envelope;
pub mod errors;
pub mod transport;

pub mod auth;
pub mod crypto;
pub mod session;

pub mod client;
pub mod server;

#[cfg(feature = "fuzzing")]
pub mod fuzzing;
