//! # zerotl-codegen: `.tl` schemas to zerotl Rust code
//!
//! * [`parse`] reads schema text into a syntax tree, with line and column on errors.
//! * [`check_ids`] compares every written constructor id with the CRC32 of the
//!   definition's canonical form ([`canonical_form`]).
//! * [`Model::build`] resolves types, picks names and finds recursive fields.
//! * [`generate`] emits the Rust module tree; [`format::rustfmt`] lays it out.
//! * [`errors`] generates the typed RPC errors of `zerotl-errors` (and the known-errors
//!   table of `zerotl-mtproto`) from `data/errors/`.
//!
//! The `zerotl-codegen` binary regenerates the checked-in code of `zerotl-types`;
//! the library is usable from a `build.rs` for one's own schema:
//!
//! ```no_run
//! let text = std::fs::read_to_string("my.tl").unwrap();
//! let schema = zerotl_codegen::parse(&text, "my.tl").unwrap();
//! for m in zerotl_codegen::check_ids(&schema) {
//!     println!("cargo:warning={m}");
//! }
//! let model = zerotl_codegen::Model::build(&[&schema]).unwrap();
//! let cfg = zerotl_codegen::Config {
//!     module_path: "crate::my_schema".into(),
//!     title: "My schema".into(),
//!     schema_support: None,
//!     schema_fallback: None,
//!     strategies: None,
//! };
//! for file in zerotl_codegen::generate(&model, &cfg) {
//!     let text = zerotl_codegen::format::rustfmt(&file.contents).unwrap_or(file.contents);
//!     std::fs::write(format!("src/my_schema/{}", file.path), text).unwrap();
//! }
//! ```
//!
//! ## Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `fuzzing` | no | `fuzzing`: the body of the `tl_parser` fuzz target in `fuzz/` |
//!
//! The crate needs `std` (it runs at build time, or as the `zerotl-codegen` binary).

pub mod analysis;
pub mod ast;
mod crc;
mod emit;
pub mod errors;
pub mod format;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod names;
mod parser;
pub mod project;

pub use analysis::{Model, SchemaError};
pub use crc::{canonical_form, check_ids, computed_id, effective_id, IdMismatch};
pub use emit::{generate, Config, File};
pub use parser::{parse, ParseError};
