//! The checked-in typed errors (`src/{layer122,layer230}.rs` here and the core's
//! `crates/zerotl-mtproto/src/errors/known.rs`) are what
//! `zerotl-codegen errors` generates from `data/errors/` and the schemas today.
//!
//! The generator lays its output out itself (no rustfmt run), so the comparison means
//! the same on every machine. On a mismatch, run
//! `cargo run -p zerotl-codegen -- errors` and commit the result.

use std::path::Path;

#[test]
fn generated_errors_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let files = zerotl_codegen::errors::run(&root).expect("generation succeeds");
    assert_eq!(files.len(), 3, "known.rs, layer122.rs, layer230.rs");
    let mut stale = Vec::new();
    for (path, text) in &files {
        let old = std::fs::read_to_string(path).unwrap_or_default();
        if &old != text {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files (run `cargo run -p zerotl-codegen -- errors`): {stale:?}"
    );
}

#[test]
fn generation_is_deterministic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let a = zerotl_codegen::errors::run(&root).unwrap();
    let b = zerotl_codegen::errors::run(&root).unwrap();
    assert_eq!(a, b);
}
