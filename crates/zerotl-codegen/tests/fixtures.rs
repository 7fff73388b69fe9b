//! Fixture tests: each `tests/fixtures/<name>/input.tl` generates exactly the files
//! in `tests/fixtures/<name>/expected/`. Set `ZEROTL_BLESS=1` to rewrite them after
//! an intended change (then review the diff). `fixtures_compile.rs` compiles and
//! exercises the expected output.

use std::path::Path;

use zerotl_codegen::{generate, parse, Config, Model};

fn config() -> Config {
    Config {
        module_path: "crate::basic".into(),
        title: "The basic fixture".into(),
        schema_support: Some("crate::schema".into()),
        schema_fallback: None,
        strategies: Some((
            "test".into(),
            vec!["InputPeer".into(), "messages.exportChatInvite".into()],
        )),
        schema_cfg: None,
        function_decode_cfg: None,
    }
}

#[test]
fn basic_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
    let text = std::fs::read_to_string(dir.join("input.tl")).unwrap();
    let schema = parse(&text, "input.tl").unwrap();
    assert_eq!(schema.layer, Some(7));
    assert_eq!(schema.builtins.len(), 3);
    // `message` has no id and gets its CRC; every written id is right except none.
    assert!(
        zerotl_codegen::check_ids(&schema).is_empty(),
        "{:?}",
        zerotl_codegen::check_ids(&schema)
    );
    let model = Model::build(&[&schema]).unwrap();
    let bless = std::env::var_os("ZEROTL_BLESS").is_some();
    let mut stale = Vec::new();
    for f in generate(&model, &config()) {
        let text = f.contents;
        let path = dir.join("expected").join(&f.path);
        if bless {
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(f.path);
        }
    }
    assert!(
        stale.is_empty(),
        "generated output differs for {stale:?}; run with ZEROTL_BLESS=1 and review"
    );
}

#[test]
fn generation_is_deterministic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
    let text = std::fs::read_to_string(dir.join("input.tl")).unwrap();
    let a = generate(
        &Model::build(&[&parse(&text, "input.tl").unwrap()]).unwrap(),
        &config(),
    );
    let b = generate(
        &Model::build(&[&parse(&text, "input.tl").unwrap()]).unwrap(),
        &config(),
    );
    assert_eq!(a, b);
}

#[test]
fn semantic_errors_name_the_line() {
    let cases = [
        ("a#1 x:Nope = A;", "unknown type `Nope`"),
        ("a#1 x:true = A;", "only valid under a flag"),
        ("a#1 flags:# x:flags.0?Object = A;", "cannot be"),
        ("a#1 x:Object y:int = A;", "must be the last field"),
        ("a#1 = A;\na#2 = A;", "defined twice"),
        ("a#1 x:int x:long = A;", "appears twice"),
        (
            "a#1 x:%A = A;\nb#2 = A;",
            "bare but the type has 2 constructors",
        ),
        (
            "---functions---\nf#1 {X:Type} q:X = X;",
            "must be used as `!X`",
        ),
    ];
    for (src, want) in cases {
        let s = parse(src, "bad.tl").unwrap();
        let e = Model::build(&[&s]).unwrap_err();
        assert!(e.to_string().contains(want), "{src}: {e}");
        assert!(e.to_string().starts_with("bad.tl:"), "{e}");
    }
}

/// The checked-in code of zerotl-types (and everything else `regenerate` writes) is
/// what the generator produces from the checked-in schemas today.
#[test]
fn checked_in_code_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut stale = Vec::new();
    let mut mismatches = Vec::new();
    for t in zerotl_codegen::project::targets() {
        let g = zerotl_codegen::project::run(&root, &t).unwrap();
        mismatches.extend(
            g.mismatches
                .iter()
                .map(|m| format!("{}:{}", m.file, m.pos.line)),
        );
        for (path, text) in g.files {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files (run `cargo run -p zerotl-codegen -- regenerate`): {stale:?}"
    );
    // The only written ids that differ from their CRC are Telegram's own three
    // mtproto.tl oddities (ipPortSecret, accessPointRule, help.configSimple).
    assert_eq!(
        mismatches,
        [
            "data/schema/layer230/mtproto.tl:102",
            "data/schema/layer230/mtproto.tl:103",
            "data/schema/layer230/mtproto.tl:104"
        ]
    );
}
