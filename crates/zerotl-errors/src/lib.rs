//! # zerotl-errors: typed RPC errors, per function (generated)
//!
//! One error enum per RPC function of layer 122 ([`layer122`]) and, with feature
//! `layer230`, of layer 230, named after the function
//! (`messages.exportChatInvite` -> [`layer122::messages::ExportChatInviteError`]),
//! and a [`MethodInfo`] impl on every function type of `zerotl_types` naming that
//! enum, whether bots may call the function and which errors it lists.
//!
//! The runtime these enums build on — [`RpcError`] and its parsing, the
//! [`MethodError`] trait, [`ErrorSpec`] — lives in the protocol core,
//! `zerotl_mtproto::errors`, and is re-exported here. [`MethodInfo`] is defined
//! here, next to its impls: Rust's orphan rule lets a crate implement a trait for
//! another crate's types (the functions of `zerotl_types`) only if the trait is its own. Like the core, this crate is
//! `#![no_std]` and allocates nothing: an unlisted error is kept whole in `Other`.
//!
//! ```
//! use zerotl_errors::layer122::messages::ExportChatInviteError;
//! use zerotl_errors::{MethodInfo, RpcError, Usability};
//! use zerotl_types::layer122::functions::messages::ExportChatInvite;
//!
//! let e = RpcError::parse(403, "CHAT_WRITE_FORBIDDEN");
//! assert_eq!(ExportChatInviteError::from(e), ExportChatInviteError::ChatWriteForbidden);
//!
//! type F = ExportChatInvite<'static>;
//! assert!(F::BOTS_CAN_USE);
//! assert_eq!(F::METHOD, "messages.exportChatInvite");
//! assert_eq!(F::USABILITY, Usability::Both);
//! assert_eq!(F::ERRORS[3], (403, "CHAT_WRITE_FORBIDDEN"));
//! ```
//!
//! Which errors each function lists, and how a message such as `FLOOD_WAIT_30`
//! is matched, is explained in `zerotl_mtproto::errors`. The files are generated
//! by `cargo run -p zerotl-codegen -- errors` (also part of `regenerate`); a test
//! fails when they are stale.
//!
//! ## Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `layer230` | no | `layer230`: the typed errors of layer 230's functions and their `MethodInfo` (turns on `zerotl-types/layer230`) |
//!
//! Layer 122's typed errors are always there. The crate is `#![no_std]` and allocation-free
//! with every feature.
#![no_std]
#![forbid(unsafe_code)]

// `Other(RpcError)` keeps the error's texts inline (no allocation): the enums are
// as large as an RpcError by design.
/// Typed errors of every layer 122 function (generated).
#[allow(clippy::large_enum_variant)]
#[rustfmt::skip]
pub mod layer122;
/// Typed errors of every layer 230 function (generated; feature `layer230`).
#[cfg(feature = "layer230")]
#[allow(clippy::large_enum_variant)]
#[rustfmt::skip]
pub mod layer230;

pub use zerotl_mtproto::errors::{ErrorClass, ErrorSpec, MethodError, RpcError, Usability};

/// What zerotl knows about one RPC function beyond its wire format. Implemented (by
/// generated code) for every function type of the generated layers.
///
/// ```
/// use zerotl_errors::{MethodInfo, Usability};
/// use zerotl_types::layer122::functions::messages::ExportChatInvite;
/// type F = ExportChatInvite<'static>;
/// assert_eq!(F::METHOD, "messages.exportChatInvite");
/// assert_eq!(F::USABILITY, Usability::Both);
/// assert_eq!(F::ERRORS[3], (403, "CHAT_WRITE_FORBIDDEN"));
/// ```
pub trait MethodInfo: zerotl::RemoteCall {
    /// The typed error (for wrappers such as `invokeWithLayer`, the wrapped query's).
    type Error: MethodError;
    /// The TL name (`messages.exportChatInvite`).
    const METHOD: &'static str;
    /// Who may call it.
    const USABILITY: Usability;
    /// Whether bots may call it ([`Usability::bots_can_use`]; for wrappers, the
    /// wrapped query's).
    const BOTS_CAN_USE: bool;
    /// The errors it lists, as `(code, documented name)`, one pair per code, in the
    /// order of the error enum's variants.
    const ERRORS: &'static [(i32, &'static str)];
}
