//! # zerotl-codegen: `.tl` schemas to zerotl Rust code
//!
//! * [`parse`] reads schema text into a syntax tree, with line and column on errors.
//! * [`check_ids`] compares every written constructor id with the CRC32 of the
//!   definition's canonical form ([`canonical_form`]).
//! * [`Model::build`] resolves types, picks names and finds recursive fields.
//! * [`generate`] emits the Rust module tree, laid out by the generator itself (no
//!   rustfmt run: the output is the same on every machine).
//! * [`errors`] generates the typed RPC errors of `zerotl-errors` (and the known-errors
//!   table of `zerotl-mtproto`) from `data/errors/`.
//!
//! The `zerotl-codegen` binary regenerates the checked-in code of `zerotl-types`;
//! from a `build.rs`, [`Builder`] generates one's own schema into `OUT_DIR` as one
//! file (see `docs/codegen.md` in the repository for the naming rules):
//!
//! ```no_run
//! // build.rs
//! zerotl_codegen::Builder::new()
//!     .schema("my.tl")
//!     .module_path("crate::my_schema")
//!     .generate()
//!     .unwrap();
//! ```
//!
//! ```ignore
//! // src/lib.rs
//! pub mod my_schema {
//!     include!(concat!(env!("OUT_DIR"), "/my_schema.rs"));
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
mod builder;
mod crc;
mod emit;
pub mod errors;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod names;
mod parser;
pub mod project;

pub use analysis::{Model, SchemaError};
pub use builder::{BuildError, Builder};
pub use crc::{canonical_form, check_ids, computed_id, effective_id, IdMismatch};
pub use emit::{generate, Config, File};
pub use parser::{parse, ParseError};
