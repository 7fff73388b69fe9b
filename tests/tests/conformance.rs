//! Conformance against GramJS 2.26.22 on every constructor and function of both
//! layers (API and MTProto schemas).
//!
//! `tests/conformance/generate.js` builds GramJS's runtime `Api` from our schema
//! files, makes random instances of every combinator (edge values, optional fields
//! set and unset, bounded nesting), serializes them with GramJS and prints each
//! case's bytes and its JSON mapping. Every case must go through zerotl both ways:
//! bytes -> JSON, JSON -> bytes, and the typed decoder must accept the bytes and
//! re-encode them exactly.
//!
//! Needs node and `tests/conformance/node_modules` (`(cd tests/conformance && npm ci)`),
//! so it only runs with `ZEROTL_ORACLES=1`:
//!
//! ```text
//! ZEROTL_ORACLES=1 cargo test -p zerotl-tests --test conformance -- --nocapture
//! ```
//!
//! `ZEROTL_CONFORMANCE_SEED` (default 1) and `ZEROTL_CONFORMANCE_COUNT` (cases per
//! combinator, default 3) change the run.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;
use zerotl_tests::{hex, json_eq, root, unhex};
use zerotl_types::json;
use zerotl_types::schema::{Combinator, Schema};
use zerotl_types::{layer122, layer230, mtproto};

/// MTProto names the API schema also uses, as (schema file, combinator, why). In a
/// layer's JSON, `{"_": "message"}` names the API constructor `message#..` (the
/// zerotl_types::json docs say so); the MTProto `message` has no id of its own on
/// the wire and only appears bare inside `msg_container` and boxed in `msg_copy`,
/// whose cases check it in both directions. Its standalone cases are checked
/// bytes -> JSON and through the typed decoder, not JSON -> bytes.
const SHADOWED: &[(&str, &str, &str)] = &[(
    "mtproto",
    "message",
    "by name, a layer's `message` is the API constructor; checked bytes -> JSON and typed only",
)];

const LAYERS: [u32; 2] = [122, 230];

fn layer_schema(layer: u32) -> &'static Schema {
    match layer {
        122 => &layer122::schema::SCHEMA,
        230 => &layer230::schema::SCHEMA,
        _ => panic!("no layer {layer}"),
    }
}

fn shadowed(section: &str, name: &str) -> bool {
    SHADOWED.iter().any(|s| s.0 == section && s.1 == name)
}

/// One record printed by generate.js.
enum Record {
    Case {
        layer: u32,
        name: String,
        bytes: Vec<u8>,
        json: Value,
    },
    Excluded {
        layer: u32,
        section: String,
        name: String,
        reason: String,
    },
    Workaround {
        layer: u32,
        name: String,
        reason: String,
    },
    IdAudit {
        layer: u32,
        name: String,
        line: String,
        rule_id: u32,
        gramjs_id: u32,
    },
}

fn parse_record(line: &str) -> Record {
    let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("bad line {line}: {e}"));
    let s = |k: &str| {
        v[k].as_str()
            .unwrap_or_else(|| panic!("no `{k}` in {line}"))
            .to_owned()
    };
    let id = |k: &str| u32::from_str_radix(s(k).trim_start_matches("0x"), 16).expect("hex id");
    let layer = v["layer"].as_u64().expect("layer") as u32;
    if v.get("excluded").is_some() {
        Record::Excluded {
            layer,
            section: s("section"),
            name: s("excluded"),
            reason: s("reason"),
        }
    } else if v.get("workaround").is_some() {
        Record::Workaround {
            layer,
            name: s("workaround"),
            reason: s("reason"),
        }
    } else if v.get("id_audit").is_some() {
        Record::IdAudit {
            layer,
            name: s("id_audit"),
            line: s("line"),
            rule_id: id("rule_id"),
            gramjs_id: id("gramjs_id"),
        }
    } else {
        Record::Case {
            layer,
            name: s("name"),
            bytes: unhex(&s("hex")),
            json: v["json"].clone(),
        }
    }
}

/// Runs generate.js and returns its records.
fn generate() -> Vec<Record> {
    let dir = root().join("tests/conformance");
    assert!(
        dir.join("node_modules/telegram").is_dir(),
        "{} has no node_modules/telegram: run `(cd tests/conformance && npm ci)` first",
        dir.display()
    );
    let seed = std::env::var("ZEROTL_CONFORMANCE_SEED").unwrap_or_else(|_| "1".into());
    let count = std::env::var("ZEROTL_CONFORMANCE_COUNT").unwrap_or_else(|_| "3".into());
    println!("generate.js --seed {seed} --count {count}");
    let out = Command::new("node")
        .arg("generate.js")
        .args(["--seed", &seed, "--count", &count])
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `node` (is it installed?): {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "generate.js failed:\n{stderr}");
    print!("{stderr}");
    String::from_utf8(out.stdout)
        .expect("generate.js prints UTF-8")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(parse_record)
        .collect()
}

/// Checks one case through zerotl; `Err` says which directions failed and how.
fn check_case(
    schema: &'static Schema,
    bytes: &[u8],
    want: &Value,
    json_to_bytes: bool,
) -> Result<(), String> {
    let mut problems = Vec::new();
    match json::bytes_to_json(schema, bytes) {
        Ok(got) if json_eq(&got, want) => {}
        Ok(got) => problems.push(format!("bytes -> JSON gave {got}")),
        Err(e) => problems.push(format!("bytes -> JSON failed: {e}")),
    }
    match json::json_to_bytes(schema, want) {
        _ if !json_to_bytes => {}
        Ok(got) if got == bytes => {}
        Ok(got) => problems.push(format!("JSON -> bytes gave {}", hex(&got))),
        Err(e) => problems.push(format!("JSON -> bytes failed: {e}")),
    }
    let mut r = zerotl::Reader::new(bytes);
    let mut again = Vec::new();
    let mut encode_error = None;
    let typed = schema.decode_typed(&mut r, &mut |v| {
        again = vec![0u8; v.encoded_len()];
        if let Err(e) = zerotl::encode_to_slice(v, &mut again) {
            encode_error = Some(format!("{e:?}"));
        }
    });
    match typed {
        Ok(true) if !r.is_empty() => {
            problems.push(format!("typed decode left {} bytes unread", r.remaining()))
        }
        Ok(true) => match encode_error {
            Some(e) => problems.push(format!("typed re-encode failed: {e}")),
            None if again != bytes => {
                problems.push(format!("typed re-encode gave {}", hex(&again)))
            }
            None => {}
        },
        Ok(false) => problems.push("typed decode: unknown constructor id".into()),
        Err(e) => problems.push(format!("typed decode failed: {e}")),
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// The combinator a case's bytes start with: in the layer's own table or the
/// MTProto one.
fn combinator_of(layer: u32, bytes: &[u8]) -> Option<(&'static str, &'static Combinator)> {
    let id = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
    let find = |s: &'static Schema| {
        s.combinators
            .binary_search_by_key(&id, |c| c.id)
            .ok()
            .map(|i| &s.combinators[i])
    };
    find(layer_schema(layer))
        .map(|c| ("api", c))
        .or_else(|| find(&mtproto::schema::SCHEMA).map(|c| ("mtproto", c)))
}

#[derive(Default)]
struct Tally {
    cases: usize,
    passed: usize,
}

#[test]
fn every_combinator_of_both_layers_matches_gramjs() {
    if std::env::var("ZEROTL_ORACLES").as_deref() != Ok("1") {
        println!(
            "skipped: set ZEROTL_ORACLES=1 (after `(cd tests/conformance && npm ci)`) to check zerotl against GramJS"
        );
        return;
    }
    let records = generate();
    // The coverage report goes to stdout and to `target/tmp/conformance-report.txt`
    // (CI prints the file: libtest hides a passing test's output).
    let mut report = String::new();
    macro_rules! report {
        ($($arg:tt)*) => {{
            let line = format!($($arg)*);
            println!("{line}");
            report.push_str(&line);
            report.push('\n');
        }};
    }

    // Per (layer, section, combinator id): cases run and passed.
    let mut tally: BTreeMap<(u32, &'static str, u32), Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut excluded: BTreeMap<(u32, String, String), String> = BTreeMap::new();
    let mut problems = Vec::new();

    for rec in &records {
        match rec {
            Record::Case {
                layer,
                name,
                bytes,
                json,
            } => {
                let Some((section, c)) = combinator_of(*layer, bytes) else {
                    problems.push(format!(
                        "layer {layer} {name}: GramJS wrote an id zerotl does not know: {}",
                        hex(bytes)
                    ));
                    continue;
                };
                if c.name != name {
                    problems.push(format!(
                        "layer {layer} {name}: GramJS wrote the id of `{}` ({:#010x})",
                        c.name, c.id
                    ));
                    continue;
                }
                let t = tally.entry((*layer, section, c.id)).or_default();
                t.cases += 1;
                match check_case(layer_schema(*layer), bytes, json, !shadowed(section, name)) {
                    Ok(()) => t.passed += 1,
                    Err(why) => failures.push(format!(
                        "layer {layer} {name}: {why}\n    hex  {}\n    json {json}",
                        hex(bytes)
                    )),
                }
            }
            Record::Excluded {
                layer,
                section,
                name,
                reason,
            } => {
                excluded.insert((*layer, section.clone(), name.clone()), reason.clone());
            }
            Record::Workaround { .. } => {}
            Record::IdAudit {
                layer,
                name,
                line,
                rule_id,
                gramjs_id,
            } => {
                // Lines without `#id` are all in the MTProto schema file.
                let ours = mtproto::schema::SCHEMA.by_name(name).map(|c| c.id);
                if ours != Some(*rule_id) {
                    problems.push(format!(
                        "layer {layer} `{line}`: zerotl's id is {ours:x?}, Telegram's rule gives {rule_id:#010x}"
                    ));
                }
                if *layer == LAYERS[0] {
                    let note = if gramjs_id == rule_id {
                        "same as GramJS's"
                    } else {
                        "GramJS computes"
                    };
                    report!(
                        "id audit: {name}: rule {rule_id:#010x} = zerotl; {note} {gramjs_id:#010x}"
                    );
                }
            }
        }
    }

    // Coverage: every combinator of each layer's table (and of the MTProto table)
    // has a case, or an exclusion with its reason.
    let exercised_anywhere: BTreeSet<(&str, u32)> = tally
        .keys()
        .map(|(_, section, id)| (*section, *id))
        .collect();
    for layer in LAYERS {
        for (section, schema) in [
            ("api", layer_schema(layer)),
            ("mtproto", &mtproto::schema::SCHEMA),
        ] {
            let total = schema.combinators.len();
            let (mut exercised, mut passed, mut cases) = (0, 0, 0);
            let mut missing = Vec::new();
            for c in schema.combinators {
                match tally.get(&(layer, section, c.id)) {
                    Some(t) => {
                        exercised += 1;
                        cases += t.cases;
                        passed += usize::from(t.passed == t.cases);
                    }
                    None => missing.push(c),
                }
            }
            report!(
                "layer {layer} {section}: {total} combinators in the table, {exercised} exercised ({cases} cases), {passed} passed every case"
            );
            for c in missing {
                let key = (layer, section.to_owned(), c.name.to_owned());
                if let Some(reason) = excluded.get(&key) {
                    report!("  excluded {}: {reason}", c.name);
                } else if section == "mtproto" && exercised_anywhere.contains(&(section, c.id)) {
                    report!(
                        "  {} is not in layer{layer}/mtproto.tl; exercised under another layer",
                        c.name
                    );
                } else {
                    problems.push(format!(
                        "layer {layer} {section}: `{}` has no case and no exclusion",
                        c.name
                    ));
                }
            }
        }
    }
    for rec in &records {
        if let Record::Workaround {
            layer,
            name,
            reason,
        } = rec
        {
            if *layer == LAYERS[0] {
                report!("GramJS workaround for {name}: {reason}");
            }
        }
    }
    for (section, name, why) in SHADOWED {
        report!("note: {section} {name}: {why}");
    }

    let shown = failures.len().min(30);
    for f in &failures[..shown] {
        report!("FAIL {f}");
    }
    for p in &problems {
        report!("PROBLEM {p}");
    }
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-report.txt");
    std::fs::write(&path, &report)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    assert!(
        failures.is_empty() && problems.is_empty(),
        "{} case(s) failed ({} shown above), {} other problem(s)",
        failures.len(),
        shown,
        problems.len()
    );
}
