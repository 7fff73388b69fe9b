//! The golden vectors through the `zerotl` binary: `decode --batch` and
//! `encode --batch` give one line per input, equal to the vector (up to the
//! GramJS mistakes listed in zerotl-tests), and bad input gives error lines.

mod common;

use common::run;
use serde_json::Value;

fn vectors(file: &str) -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/vectors/").to_owned() + file;
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Vectors where GramJS set fields sharing one flag bit independently (see
/// `zerotl_tests::GRAMJS_WRONG` for the reasons).
const GRAMJS_WRONG: &[(u64, &str)] = &[
    (122, "account.initTakeoutSession"),
    (122, "account.uploadWallPaper"),
    (230, "phone.createConferenceCall"),
    (230, "messages.translateText"),
];

fn num_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(p), Some(q)) => p == q,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| num_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| num_eq(v, w)))
        }
        _ => a == b,
    }
}

fn check(file: &str) {
    let all = vectors(file);
    for layer in [122u64, 230] {
        let vs: Vec<&Value> = all.iter().filter(|v| v["layer"] == layer).collect();
        if vs.is_empty() {
            continue;
        }
        let l = layer.to_string();
        let hex_in: String = vs
            .iter()
            .map(|v| format!("{}\n", v["hex"].as_str().unwrap()))
            .collect();
        let (out, _, code) = run(&["decode", "--layer", &l, "--batch"], &hex_in);
        assert_eq!(code, 0);
        let dec: Vec<&str> = out.lines().collect();
        assert_eq!(dec.len(), vs.len(), "one output line per input line");
        let json_in: String = vs.iter().map(|v| format!("{}\n", v["json"])).collect();
        let (out, _, code) = run(&["encode", "--layer", &l, "--batch"], &json_in);
        assert_eq!(code, 0);
        let enc: Vec<&str> = out.lines().collect();
        assert_eq!(enc.len(), vs.len(), "one output line per input line");
        for ((v, d), e) in vs.iter().zip(dec).zip(enc) {
            let name = v["name"].as_str().unwrap();
            if GRAMJS_WRONG.contains(&(layer, name)) {
                let d: Value = serde_json::from_str(d).unwrap();
                assert!(
                    d.get("error").is_some() || !num_eq(&d, &v["json"]),
                    "{name}"
                );
                assert!(e.contains("\"error\""), "{name}: {e}");
                continue;
            }
            let d: Value = serde_json::from_str(d).unwrap();
            assert!(num_eq(&d, &v["json"]), "{file} {name}: decode gave {d}");
            assert_eq!(e, v["hex"].as_str().unwrap(), "{file} {name}: encode");
        }
    }
}

#[test]
fn seed_vectors_through_the_cli() {
    check("seed.jsonl");
}

#[test]
fn layer122_sample_through_the_cli() {
    check("layer122-sample.jsonl");
}

#[test]
fn layer230_sample_through_the_cli() {
    check("layer230-sample.jsonl");
}

#[test]
fn single_mode_and_errors() {
    let (out, err, code) = run(&["decode", "4c53f70d63e89b1787d61200"], "");
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.trim(),
        r#"{"_":"messages.exportChatInvite","peer":{"_":"inputPeerChat","chat_id":1234567}}"#
    );
    let (out, _, code) = run(&["encode", r#"{"_":"inputPeerSelf"}"#], "");
    assert_eq!((out.trim(), code), ("c97ea07d", 0));
    // Malformed input: status 1 and one line on stderr, no panic.
    let (out, err, code) = run(&["decode", "4c53f70d63e89b17"], "");
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("at byte 8"), "{err}");
    let (_, err, code) = run(&["encode", "{\"_\": \"nope\"}"], "");
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "zerotl: at _: unknown constructor or function nope (layer 122)\n"
    );
    // --type: a boxed type, a bare constructor, a vector.
    let (out, _, _) = run(&["decode", "--type", "InputPeer", "63e89b1787d61200"], "");
    assert_eq!(out.trim(), r#"{"_":"inputPeerChat","chat_id":1234567}"#);
    let (out, _, _) = run(&["decode", "--type", "inputPeerChat", "87d61200"], "");
    assert_eq!(out.trim(), r#"{"_":"inputPeerChat","chat_id":1234567}"#);
    let (out, _, _) = run(
        &[
            "decode",
            "--type",
            "Vector<int>",
            "15c4b51c020000000100000002000000",
        ],
        "",
    );
    assert_eq!(out.trim(), "[1,2]");
    let (_, err, code) = run(&["decode", "--type", "InputPeer", "6937df69"], "");
    assert_eq!(code, 1);
    assert!(
        err.contains("unknown constructor 0x69df3769 for type InputPeer at byte 0"),
        "{err}"
    );
}

#[test]
fn batch_gives_one_line_per_input_even_when_bad() {
    let input = "4c53f70dc97ea07d\n\nzz\n4c53f70d\nfeffffff\n6937df69\n";
    let (out, _, code) = run(&["decode", "--batch"], input);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 6);
    for i in [1, 2, 3, 4] {
        let v: Value = serde_json::from_str(lines[i]).unwrap();
        assert!(v["error"].is_string(), "line {i}: {}", lines[i]);
    }
    assert_eq!(lines[5], r#"{"_":"chatInviteEmpty"}"#);
    let (out, _, _) = run(
        &["encode", "--batch"],
        "{\"_\":\"inputPeerSelf\"}\nnot json\n{\"_\":\"inputPeerChat\"}\n",
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], "c97ea07d");
    assert!(lines[1].contains("invalid JSON"));
    assert_eq!(
        lines[2],
        r#"{"error":"at chat_id: missing field chat_id (int) of inputPeerChat"}"#
    );
}
