//! # zerotl-mtproto: the MTProto protocol core, without I/O
//!
//! `#![no_std]`, no sockets, no global clock, no global RNG: every function that
//! needs the time takes a [`UnixTime`], every function that needs randomness takes
//! the caller's cryptographic RNG ([`rand_core::CryptoRngCore`], re-exported as
//! [`rand_core`]), and output goes into a caller's buffer ([`OutputBuffer`]). The
//! drivers in `zerotl-client` and `zerotl-server` move bytes; this crate decides.
//!
//! * [`transport`]: the framings (abridged, intermediate, padded intermediate, full)
//!   and obfuscated2, as encoders and decoders over byte slices.
//! * [`envelope`]: the message envelope (msg_id, seq_no, plain messages,
//!   `rpc_result`, `msg_container`, bounded `gzip_packed`, service messages).
//! * [`crypto`]: MTProto 2.0 primitives (AES-256-IGE, the KDF, the auth key; with
//!   `alloc`: RSA and the Diffie-Hellman checks).
//! * [`auth`] (feature `alloc`): the authorization key exchange, client and server
//!   state machines.
//! * [`session`]: encrypted messages, packed into and decrypted in the caller's
//!   buffers, with every check on incoming messages and a bounded replay window.
//! * [`errors`]: `rpc_error` parsed into [`errors::RpcError`] (bounded, no
//!   allocation), the known-errors table and the traits the generated typed errors
//!   of `zerotl-errors` implement.
//! * [`client`]: [`client::ClientConnection`], one client connection's protocol
//!   state (requests in flight, answers, acks, resends, timeouts) in fixed-size
//!   storage.
//! * [`server`] (feature `alloc`): [`server::ServerConnection`], one server
//!   connection (transport detection, key exchange, sessions, service messages,
//!   limits); it hands decoded requests to its driver and takes answers back.
//!
//! Timers follow quinn-proto: a state machine's `poll_timeout()` names its next
//! deadline and `handle_timeout(now)` acts on it.
//!
//! Without `alloc` (`default-features = false`), everything but the key exchange,
//! the server core and the `Vec` conveniences builds for targets without an
//! allocator (`thumbv7em-none-eabihf`, `wasm32-unknown-unknown`).
//!
//! ## Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `alloc` | yes | the key exchange (`auth`: RSA and Diffie-Hellman), the server core (`server`), `gzip_packed` packing and the `Vec` conveniences; needs `alloc`, not `std` |
//! | `fuzzing` | no | `fuzzing`: the bodies of the fuzz targets in `fuzz/`; implies `alloc` |
//!
//! With `default-features = false` the core builds without an allocator
//! (`thumbv7em-none-eabihf`, `wasm32-unknown-unknown`): transports, envelope, sessions with
//! a given auth key, the client connection core, errors.
#![no_std]
#![forbid(unsafe_code)]
// Without `alloc` the docs still name the modules and types it adds (`auth`,
// `server`, `Codec`, ...); their links only resolve in a build that has them (the
// default one, which CI documents with `-D warnings`).
#![cfg_attr(not(feature = "alloc"), allow(rustdoc::broken_intra_doc_links))]
// Without an allocator, keys (256 bytes) and error texts live inline; enums that
// carry them are large by design.
#![allow(clippy::large_enum_variant)]

#[cfg(any(feature = "alloc", test))]
extern crate alloc;

mod buf;
mod side;
mod time;

#[cfg(feature = "alloc")]
pub mod auth;
pub mod client;
pub mod crypto;
pub mod envelope;
pub mod errors;
#[cfg(feature = "alloc")]
pub mod server;
pub mod session;
pub mod transport;

#[cfg(feature = "fuzzing")]
pub mod fuzzing;

pub use buf::{BufferFull, OutputBuffer, SliceBuffer};
pub use rand_core;
pub use side::Side;
pub use time::UnixTime;
