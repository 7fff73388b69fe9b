//! Strict JSON through the library (`zerotl_types::json`): every object of every
//! golden vector refuses an unknown or misspelled key and a missing field at its
//! exact path, each malformed kind is its typed error, and `Object` fields that do
//! not decode are an error unless raw objects are asked for.

use serde_json::{json, Map, Value};
use zerotl_tests::{gramjs_wrong, vectors};
use zerotl_types::json::{self, DecodeOptions, JsonDecodeError, JsonErrorKind};
use zerotl_types::schema::Schema;
use zerotl_types::{layer122, layer230};

fn layer(n: u32) -> &'static Schema {
    match n {
        122 => &layer122::schema::SCHEMA,
        230 => &layer230::schema::SCHEMA,
        _ => panic!("no layer {n}"),
    }
}

/// Every object in `v` with its path (`peer`, `id[2]`, ``).
fn objects(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                objects(x, p, out);
            }
            out.push(path);
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                objects(x, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The object at `path` (as `objects` writes paths) inside `v`.
fn at<'v>(v: &'v mut Value, path: &str) -> &'v mut Map<String, Value> {
    let mut cur = v;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, indexes) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            cur = &mut cur[key];
        }
        for i in indexes.split('[').filter(|s| !s.is_empty()) {
            cur = &mut cur[i.trim_end_matches(']').parse::<usize>().unwrap()];
        }
    }
    cur.as_object_mut().expect("an object")
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

#[test]
fn every_object_of_every_vector_refuses_unknown_misspelled_and_missing_fields() {
    let mut checked = 0;
    for file in [
        "seed.jsonl",
        "layer122-sample.jsonl",
        "layer230-sample.jsonl",
    ] {
        for v in vectors(file) {
            if gramjs_wrong(v.layer, &v.name).is_some() {
                continue;
            }
            let schema = layer(v.layer);
            assert!(json::json_to_bytes(schema, &v.json).is_ok(), "{}", v.name);
            let mut paths = Vec::new();
            objects(&v.json, String::new(), &mut paths);
            for path in paths {
                let name = at(&mut v.json.clone(), &path)["_"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                // An extra key.
                let mut bad = v.json.clone();
                at(&mut bad, &path).insert("zz_extra".into(), json!(1));
                let e = json::json_to_bytes(schema, &bad).unwrap_err();
                assert_eq!(e.path, join(&path, "zz_extra"), "{} {path}", v.name);
                assert!(
                    matches!(&e.kind, JsonErrorKind::UnknownField { constructor, .. } if *constructor == name),
                    "{} {path}: {e}",
                    v.name
                );
                // Each field misspelled (one letter doubled): refused, the right
                // name suggested. Each field left out: refused if it is required.
                let keys: Vec<String> = at(&mut v.json.clone(), &path)
                    .keys()
                    .filter(|k| *k != "_")
                    .cloned()
                    .collect();
                for key in keys {
                    let mut bad = v.json.clone();
                    let obj = at(&mut bad, &path);
                    let value = obj.remove(&key).unwrap();
                    let typo = format!("{key}{}", key.chars().last().unwrap());
                    obj.insert(typo.clone(), value.clone());
                    let e = json::json_to_bytes(schema, &bad).unwrap_err();
                    assert_eq!(e.path, join(&path, &typo), "{} {path}", v.name);
                    let JsonErrorKind::UnknownField { suggestion, .. } = e.kind else {
                        panic!("{} {path}: {e}", v.name)
                    };
                    assert_eq!(suggestion, Some(key.as_str()), "{} {path}", v.name);

                    let mut without = v.json.clone();
                    at(&mut without, &path).remove(&key);
                    let optional = field_is_optional(schema, &name, &key)
                        || field_is_optional(&zerotl_types::mtproto::schema::SCHEMA, &name, &key);
                    match json::json_to_bytes(schema, &without) {
                        // Only an optional field may be left out (`message.bytes` is
                        // computed).
                        Ok(_) => assert!(optional, "{} {path}: {key} left out but encoded", v.name),
                        // Unless another field shares its flag bit.
                        Err(e) if optional => assert!(
                            matches!(e.kind, JsonErrorKind::SharedFlagBit { .. }),
                            "{} {path}: {e}",
                            v.name
                        ),
                        Err(e) => {
                            assert_eq!(e.path, join(&path, &key), "{} {path}: {e}", v.name);
                            assert!(matches!(e.kind, JsonErrorKind::MissingField { .. }), "{e}");
                        }
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 2500, "{checked}");
}

/// Whether `field` of `ctor` may be left out: a `flags.N?T` field, or the size
/// before an `Object` (computed).
fn field_is_optional(schema: &'static Schema, ctor: &str, field: &str) -> bool {
    use zerotl_types::schema::FieldKind;
    schema.by_name(ctor).is_some_and(|c| {
        c.fields.iter().any(|f| {
            f.name == field
                && matches!(
                    f.kind,
                    FieldKind::Conditional { .. } | FieldKind::ObjectSize
                )
        })
    })
}

#[test]
fn malformed_kinds_are_typed_errors_with_paths() {
    let l122 = layer(122);
    /// A JSON value, the path of its error, and what the error must be.
    type Case = (Value, &'static str, fn(&JsonErrorKind) -> bool);
    let cases: Vec<Case> = vec![
        (
            json!({"_": "messages.exportChatInvite", "peer": {"_": "inputPeerChat", "chat_idd": 1}}),
            "peer.chat_idd",
            |k| matches!(k, JsonErrorKind::UnknownField { field, constructor: "inputPeerChat", schema, suggestion: Some("chat_id") } if field == "chat_idd" && schema == "layer 122"),
        ),
        (
            json!({"_": "inputPeerChat"}),
            "chat_id",
            |k| matches!(k, JsonErrorKind::MissingField { field: "chat_id", ty, constructor: "inputPeerChat" } if ty == "int"),
        ),
        (
            json!({"_": "messages.getMessages", "id": [{"_": "inputMessageID", "id": 1}, {"_": "nope"}]}),
            "id[1]._",
            |k| matches!(k, JsonErrorKind::UnknownName { name, .. } if name == "nope"),
        ),
        (
            json!({"_": "messages.exportChatInvite", "peer": {"_": "chatInviteEmpty"}}),
            "peer._",
            |k| {
                matches!(
                    k,
                    JsonErrorKind::WrongConstructor {
                        name: "chatInviteEmpty",
                        of_type: "ExportedChatInvite",
                        expected: "InputPeer",
                        function: false
                    }
                )
            },
        ),
        (
            json!({"_": "inputPeerChat", "chat_id": 1u64 << 31}),
            "chat_id",
            |k| matches!(k, JsonErrorKind::OutOfRange { value, .. } if value == "2147483648"),
        ),
        (
            json!({"_": "inputPeerChat", "chat_id": true}),
            "chat_id",
            |k| matches!(k, JsonErrorKind::WrongType { found, .. } if found == "true"),
        ),
        (
            json!({"_": "inputCheckPasswordSRP", "srp_id": 1, "A": "AA=", "M1": "AA=="}),
            "A",
            |k| matches!(k, JsonErrorKind::InvalidBase64 { .. }),
        ),
        (json!({"_": "req_pq_multi", "nonce": "00"}), "nonce", |k| {
            matches!(k, JsonErrorKind::InvalidHex { .. })
        }),
        (
            json!({"_": "msg_container", "messages": [{"_": "message", "msg_id": 1, "seqno": 1, "bytes": 4, "body": {"_": "pong", "msg_id": 1, "ping_id": 2}}]}),
            "messages[0].bytes",
            |k| {
                matches!(
                    k,
                    JsonErrorKind::SizeMismatch {
                        field: "bytes",
                        actual: 20,
                        ..
                    }
                )
            },
        ),
        (
            json!({"_": "rpc_result", "req_msg_id": 1, "result": {"_": "<raw>", "bytes": "AAA="}}),
            "result.bytes",
            |k| matches!(k, JsonErrorKind::RawTooShort { length: 2 }),
        ),
    ];
    for (v, path, kind) in cases {
        let e = json::json_to_bytes(l122, &v).unwrap_err();
        assert_eq!(e.path, path, "{v}");
        assert!(kind(&e.kind), "{v}: {e:?}");
    }
}

#[test]
fn too_long_and_too_deep_are_refused() {
    let l122 = layer(122);
    let long = "x".repeat(1 << 24);
    let e =
        json::json_to_bytes(l122, &json!({"_": "chatInviteExported", "link": long})).unwrap_err();
    assert_eq!(
        (e.path.as_str(), e.kind),
        ("link", JsonErrorKind::TooLong { length: 1 << 24 })
    );
    // inputPeerUserFromMessage nested 70 deep: the error is where the limit is hit.
    let mut v = json!({"_": "inputPeerSelf"});
    for _ in 0..70 {
        v = json!({"_": "inputPeerUserFromMessage", "peer": v, "msg_id": 1, "user_id": 2});
    }
    let v = json!({"_": "messages.exportChatInvite", "peer": v});
    let e = json::json_to_bytes(l122, &v).unwrap_err();
    assert_eq!(e.kind, JsonErrorKind::TooDeep { limit: 64 });
    assert_eq!(e.path, vec!["peer"; 64].join("."));
}

#[test]
fn from_json_builds_typed_values_strictly() {
    use layer122::enums;
    let l122 = layer(122);
    let mut storage = Vec::new();
    let peer: enums::InputPeer = json::from_json(
        l122,
        &json!({"_": "inputPeerChat", "chat_id": 5}),
        &mut storage,
    )
    .unwrap();
    assert_eq!(
        peer,
        enums::InputPeer::Chat(layer122::types::InputPeerChat { chat_id: 5 })
    );
    let e = json::from_json::<enums::InputPeer>(
        l122,
        &json!({"_": "inputPeerChat", "chat_id": 5, "extra": 1}),
        &mut storage,
    )
    .unwrap_err();
    assert_eq!(e.path, "extra");
    let e =
        json::from_json::<enums::InputPeer>(l122, &json!({"_": "chatInviteEmpty"}), &mut storage)
            .unwrap_err();
    assert!(matches!(e.kind, JsonErrorKind::NotThisType(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "not a value of the type asked for: unknown constructor 0x69df3769 for type InputPeer at byte 0"
    );
}

#[test]
fn undecodable_objects_are_errors_unless_raw_objects_are_asked_for() {
    let l122 = layer(122);
    // msg_container { message { body: pong }, message { body: 0x12345678 } }
    let bytes = zerotl_tests::unhex(
        "dcf8f1730200000001000000000000000100000014000000c5737734010000000000000002000000\
         000000000200000000000000010000000400000078563412",
    );
    let e = json::bytes_to_json(l122, &bytes).unwrap_err();
    let JsonDecodeError::Object {
        path,
        offset,
        cause,
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!((path.as_str(), *offset), ("messages[1].body", 60));
    assert!(
        matches!(
            **cause,
            JsonDecodeError::UnknownId {
                id: 0x12345678,
                offset: 60,
                ..
            }
        ),
        "{cause:?}"
    );
    let raw = DecodeOptions::default().raw_objects(true);
    let v = raw.bytes_to_json(l122, &bytes).unwrap();
    assert_eq!(
        v["messages"][1]["body"],
        json!({"_": json::RAW_OBJECT, "bytes": "eFY0Eg=="})
    );
    assert_eq!(v["messages"][0]["body"]["_"], "pong");
    assert_eq!(json::json_to_bytes(l122, &v).unwrap(), bytes);
    // A typed `Object` holding a Vector: its element type is unknown, so raw.
    let rpc = zerotl_tests::unhex("016d5cf3010000000000000015c4b51c00000000");
    let e = json::bytes_to_json(l122, &rpc).unwrap_err();
    assert_eq!(
        e.to_string(),
        "at result: the Object at byte 12 does not decode: a Vector at byte 12, whose element type is not known here"
    );
    assert!(raw.bytes_to_json(l122, &rpc).is_ok());
    // A truncated Object is not a raw one: the enclosing value does not decode.
    let cut = zerotl_tests::unhex("016d5cf30100000000000000785634");
    for options in [DecodeOptions::default(), raw] {
        assert!(matches!(
            options.bytes_to_json(l122, &cut),
            Err(JsonDecodeError::Decode(_))
        ));
    }
}

#[test]
fn to_json_is_strict_too() {
    use zerotl_types::mtproto::types;
    let l122 = layer(122);
    let inner = [0x78, 0x56, 0x34, 0x12];
    let v = types::RpcResult {
        req_msg_id: 1,
        result: zerotl::Object::from_bytes(&inner),
    };
    let e = json::to_json(l122, &v).unwrap_err();
    assert!(matches!(e, JsonDecodeError::Object { .. }), "{e:?}");
    let pong = [
        0xc5, 0x73, 0x77, 0x34, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
    ];
    let v = types::RpcResult {
        req_msg_id: 1,
        result: zerotl::Object::from_bytes(&pong),
    };
    assert_eq!(
        json::to_json(l122, &v).unwrap(),
        json!({"_": "rpc_result", "req_msg_id": 1, "result": {"_": "pong", "msg_id": 1, "ping_id": 2}})
    );
}
