//! The `zerotl-codegen` binary: help and its exit statuses, and `check` accepting
//! and rejecting exactly what `generate` does.

use std::path::PathBuf;
use std::process::Command;

/// Runs the binary: (stdout, stderr, status).
fn run(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_zerotl-codegen"))
        .args(args)
        .output()
        .expect("run zerotl-codegen");
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

/// A scratch directory for this test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn help_lists_every_command_and_exits_0() {
    for args in [&["--help"][..], &["-h"], &["help"], &["help", "help"]] {
        let (out, err, code) = run(args);
        assert_eq!((code, err.as_str()), (0, ""), "{args:?}");
        for c in ["generate", "check", "regenerate", "errors", "help COMMAND"] {
            assert!(out.contains(c), "{args:?} lacks {c}: {out}");
        }
    }
    let (out, _, code) = run(&["--version"]);
    assert_eq!(
        (out.trim(), code),
        (concat!("zerotl-codegen ", env!("CARGO_PKG_VERSION")), 0)
    );
}

#[test]
fn help_of_each_command_names_its_options() {
    let cases: &[(&str, &[&str])] = &[
        (
            "generate",
            &[
                "--module-path PATH",
                "--out DIR",
                "--title TITLE",
                "FILE...",
            ],
        ),
        ("check", &["check FILE...", "Exit status"]),
        ("regenerate", &["--root DIR", "--check"]),
        ("errors", &["--root DIR", "--check"]),
    ];
    for (command, options) in cases {
        // `help COMMAND`, `COMMAND --help` and `COMMAND -h` print the same text.
        let (out, err, code) = run(&["help", command]);
        assert_eq!((code, err.as_str()), (0, ""), "help {command}");
        assert!(
            out.contains(&format!("Usage: zerotl-codegen {command}")),
            "{out}"
        );
        for o in *options {
            assert!(out.contains(o), "help {command} lacks {o}: {out}");
        }
        assert_eq!(run(&[command, "--help"]), (out.clone(), String::new(), 0));
        assert_eq!(run(&[command, "-h"]), (out, String::new(), 0));
    }
}

#[test]
fn bad_arguments_exit_2_with_a_pointer_to_help() {
    let (out, err, code) = run(&[]);
    assert_eq!((out.as_str(), code), ("", 2));
    assert!(err.contains("Commands:"), "{err}");
    let (_, err, code) = run(&["frobnicate"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: unknown command `frobnicate`\n\nRun `zerotl-codegen --help` for the commands.\n"
    );
    let (_, err, code) = run(&["help", "frobnicate"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: unknown command `frobnicate`\n"),
        "{err}"
    );
    let (_, err, code) = run(&["generate", "--out", "x", "--titel", "T", "a.tl"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: unknown option `--titel`\n\nRun `zerotl-codegen help generate` for its options.\n"
    );
    let (_, err, code) = run(&["generate", "--module-path", "crate::x", "a.tl"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: --out DIR is required\n"), "{err}");
    let (_, err, code) = run(&["check"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: no schema file given\n"), "{err}");
    let (_, err, code) = run(&["regenerate", "--root"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: --root needs a value\n"), "{err}");
}

#[test]
fn check_rejects_what_generate_rejects_with_the_same_error() {
    let dir = scratch("check-like-generate");
    // The id is right (CRC32 of `a x:Nope = A`): only the type is wrong.
    let bad = dir.join("bad.tl");
    std::fs::write(&bad, "a#13f87389 x:Nope = A;\n").unwrap();
    let bad = bad.to_str().unwrap();
    let (_, check_err, check_code) = run(&["check", bad]);
    let out = dir.join("out");
    let (_, gen_err, gen_code) = run(&[
        "generate",
        "--module-path",
        "crate::bad",
        "--out",
        out.to_str().unwrap(),
        bad,
    ]);
    assert_eq!((check_code, gen_code), (1, 1));
    assert_eq!(
        check_err,
        format!("error: {bad}:1:12: unknown type `Nope`\n")
    );
    assert_eq!(check_err, gen_err);
    assert!(!out.exists(), "generate wrote nothing");

    // Files are one schema for both: a type defined in the other file resolves.
    let a = dir.join("a.tl");
    let b = dir.join("b.tl");
    std::fs::write(&a, "a#13f87389 x:Nope = A;\n").unwrap();
    std::fs::write(&b, "nope#bd5e73fc = Nope;\n").unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let (out, err, code) = run(&["check", a, b]);
    assert_eq!((out.as_str(), code), ("", 0), "{err}");
    assert_eq!(
        err,
        format!("{a}: 1 definitions, 0 built-ins\n{b}: 1 definitions, 0 built-ins\n")
    );
    let dest = dir.join("ab");
    let (_, err, code) = run(&[
        "generate",
        "--module-path",
        "crate::ab",
        "--out",
        dest.to_str().unwrap(),
        a,
        b,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(dest.join("types.rs").exists());
}

#[test]
fn check_prints_id_mismatches_and_fails() {
    let dir = scratch("check-ids");
    let f = dir.join("ids.tl");
    std::fs::write(&f, "a#00000001 x:int = A;\n").unwrap();
    let f = f.to_str().unwrap();
    let (out, _, code) = run(&["check", f]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("`a` is written #00000001"), "{out}");
}

#[test]
fn check_passes_the_repo_schemas() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/schema/");
    for f in ["layer122/api.tl", "layer230/api.tl"] {
        let (out, err, code) = run(&["check", &format!("{root}{f}")]);
        assert_eq!((out.as_str(), code), ("", 0), "{f}: {err}");
    }
    // Telegram's own ids for three service constructors are not their CRC32.
    let (out, _, code) = run(&["check", &format!("{root}layer230/mtproto.tl")]);
    assert_eq!(code, 1);
    let names: Vec<&str> = out.lines().filter_map(|l| l.split('`').nth(1)).collect();
    assert_eq!(
        names,
        ["ipPortSecret", "accessPointRule", "help.configSimple"]
    );
}
