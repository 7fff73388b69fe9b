//! # zerotl-mtproto: MTProto on top of the zerotl codec
//!
//! The std half of zerotl. Each layer is a module:
//!
//! * `transport`: sans-IO framing codecs (abridged, intermediate, padded
//!   intermediate, full) — pure state machines over byte slices.
//! * `envelope`: MTProto messages around TL bodies (msg_id, seq_no,
//!   `rpc_result`, `msg_container`, `gzip_packed`, service messages).
//! * `errors`: `rpc_error` mapped to typed errors, per method (generated), and
//!   `InvocationError` for everything a call can end with.
//! * `crypto`: MTProto 2.0 primitives on RustCrypto (AES-256-IGE, the msg_key
//!   KDF, auth_key_id, RSA_PAD, Telegram's RSA key fingerprints).
//! * `auth`: the authorization key exchange, client and server side, as
//!   sans-IO state machines with every DH safety check.
//! * `session`: encrypted sessions (packing, every check on incoming
//!   messages, salts, time correction) and the path to the real Telegram
//!   (`session::telegram`).
//! * `client`, `server`: a tokio (and blocking) client that invokes functions
//!   and an embedded test server that answers `messages.exportChatInvite` from
//!   a configurable world, both encrypted by default.
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
