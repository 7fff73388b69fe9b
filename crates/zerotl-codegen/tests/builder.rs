//! `Builder`: one includable file (no inner attributes or docs), named after the module
//! path, and errors that say what is missing. `tests/codegen-fixture` compiles such a
//! file from a real build.rs.

use std::path::{Path, PathBuf};

use zerotl_codegen::{BuildError, Builder};

fn fixture_schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic/input.tl")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zerotl-builder-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn writes_one_includable_file_named_after_the_module() {
    let dir = scratch("ok");
    let path = Builder::new()
        .schema(fixture_schema())
        .module_path("crate::generated::my_schema")
        .out_dir(&dir)
        .generate()
        .unwrap();
    assert_eq!(path, dir.join("my_schema.rs"));
    let text = std::fs::read_to_string(&path).unwrap();
    // `include!` takes neither inner attributes nor inner docs.
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        assert!(
            !t.starts_with("//!") && !t.starts_with("#!["),
            "line {}: {line}",
            i + 1
        );
    }
    assert!(text.starts_with("// @generated"));
    assert!(text.contains("docs/codegen.md"));
    for m in ["types", "enums", "functions"] {
        assert!(text.contains(&format!("pub mod {m} {{")), "{m}");
    }
    assert!(text.contains("#[allow(dead_code"));
    assert!(text.contains("use crate::generated::my_schema::{enums, functions, types};"));
    // The same text as `source()`, and the same on every run.
    let again = Builder::new()
        .schema(fixture_schema())
        .module_path("crate::generated::my_schema")
        .source()
        .unwrap();
    assert_eq!(again, text);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn missing_settings_and_bad_schemas_are_errors() {
    let e = Builder::new()
        .schema(fixture_schema())
        .source()
        .unwrap_err();
    assert!(matches!(e, BuildError::Config(_)), "{e}");
    assert!(e.to_string().contains("module_path"), "{e}");

    let e = Builder::new().module_path("crate::x").source().unwrap_err();
    assert!(e.to_string().contains("no schema"), "{e}");

    let e = Builder::new()
        .schema("/nonexistent/zerotl.tl")
        .module_path("crate::x")
        .source()
        .unwrap_err();
    assert!(matches!(e, BuildError::Io(..)), "{e}");

    let dir = scratch("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.tl");
    std::fs::write(&bad, "a#1 x:Nope = A;\n").unwrap();
    let e = Builder::new()
        .schema(&bad)
        .module_path("crate::x")
        .source()
        .unwrap_err();
    assert!(matches!(e, BuildError::Schema(_)), "{e}");
    assert!(e.to_string().contains("unknown type `Nope`"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
