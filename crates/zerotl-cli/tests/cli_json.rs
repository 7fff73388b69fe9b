//! Strict JSON and the wording of every decode and encode error, through the
//! `zerotl` binary: single mode exits 1 with exactly one line on stderr; `--batch`
//! writes `{"error": "<the same line>"}` in the input's place and goes on.

mod common;

use common::run;
use serde_json::Value;

/// `zerotl encode` inputs that must fail, each with its exact message.
const BAD_JSON: &[(u32, &str, &str)] = &[
    // The issue's example: a typo dropped `usage_limit` silently.
    (
        230,
        r#"{"_":"messages.exportChatInvite","peer":{"_":"inputPeerChat","chat_id":1},"usage_limt":5}"#,
        "at usage_limt: no field usage_limt in messages.exportChatInvite (layer 230); did you mean usage_limit?",
    ),
    // A field only another layer has.
    (
        122,
        r#"{"_":"messages.exportChatInvite","peer":{"_":"inputPeerChat","chat_id":1},"usage_limit":5}"#,
        "at usage_limit: no field usage_limit in messages.exportChatInvite (layer 122)",
    ),
    (
        122,
        r#"{"_":"chatInviteExported","link":"x","revoked":true}"#,
        "at revoked: no field revoked in chatInviteExported (layer 122)",
    ),
    // Unknown fields at depth.
    (
        122,
        r#"{"_":"messages.exportChatInvite","peer":{"_":"inputPeerChat","chat_idd":1}}"#,
        "at peer.chat_idd: no field chat_idd in inputPeerChat (layer 122); did you mean chat_id?",
    ),
    (
        122,
        r#"{"_":"inputPeerChat","chat_id":1,"":2}"#,
        r#"at "": no field "" in inputPeerChat (layer 122)"#,
    ),
    // A misspelled flag.
    (
        230,
        r#"{"_":"messages.exportChatInvite","legacy_revoke_permanet":true,"peer":{"_":"inputPeerSelf"}}"#,
        "at legacy_revoke_permanet: no field legacy_revoke_permanet in messages.exportChatInvite (layer 230); did you mean legacy_revoke_permanent?",
    ),
    // `flags.N?true` given a non-bool.
    (
        230,
        r#"{"_":"messages.exportChatInvite","legacy_revoke_permanent":1,"peer":{"_":"inputPeerSelf"}}"#,
        "at legacy_revoke_permanent: expected true or false, found 1",
    ),
    // A computed flags word.
    (
        230,
        r#"{"_":"chatInviteExported","flags":1,"link":"x","admin_id":1,"date":1}"#,
        "at flags: flags of chatInviteExported is computed from the fields under it; leave it out",
    ),
    // Paths through arrays.
    (
        122,
        r#"{"_":"messages.getMessages","id":[{"_":"inputMessageID","id":1},{"_":"inputMessageID","id":2},{"_":"inputMessageId","id":3}]}"#,
        "at id[2]._: unknown constructor or function inputMessageId (layer 122); did you mean inputMessageID?",
    ),
    // Missing things.
    (
        122,
        r#"{"_":"inputPeerChat"}"#,
        "at chat_id: missing field chat_id (int) of inputPeerChat",
    ),
    (
        122,
        r#"{"chat_id":1}"#,
        r#"the object has no "_" naming its constructor"#,
    ),
    (
        122,
        r#"{"_":"messages.exportChatInvite","peer":{"chat_id":1}}"#,
        r#"at peer: the object has no "_" naming its constructor"#,
    ),
    // Names.
    (
        122,
        r#"{"_":"nope"}"#,
        "at _: unknown constructor or function nope (layer 122)",
    ),
    (
        122,
        r#"{"_":"messages.exportChatInvit","peer":{"_":"inputPeerSelf"}}"#,
        "at _: unknown constructor or function messages.exportChatInvit (layer 122); did you mean messages.exportChatInvite?",
    ),
    (
        122,
        r#"{"_":5}"#,
        "at _: expected a string naming the constructor, found 5",
    ),
    (
        122,
        r#"{"_":"messages.exportChatInvite","peer":{"_":"chatInviteEmpty"}}"#,
        "at peer._: chatInviteEmpty is a constructor of ExportedChatInvite, not of InputPeer",
    ),
    (
        122,
        r#"{"_":"messages.exportChatInvite","peer":{"_":"messages.exportChatInvite","peer":{"_":"inputPeerSelf"}}}"#,
        "at peer._: messages.exportChatInvite is a function, but a constructor of InputPeer is expected",
    ),
    (
        122,
        r#"{"_":"msg_container","messages":[{"_":"rpc_result","req_msg_id":1,"result":{"_":"pong","msg_id":1,"ping_id":2}}]}"#,
        "at messages[0]._: found rpc_result where the bare constructor message is expected",
    ),
    // Wrong JSON kinds.
    (
        122,
        "[1]",
        r#"expected an object with "_", found an array"#,
    ),
    (
        122,
        r#"{"_":"messages.exportChatInvite","peer":null}"#,
        r#"at peer: expected an object with "_", found null"#,
    ),
    (
        122,
        r#"{"_":"inputPeerChat","chat_id":"1"}"#,
        r#"at chat_id: expected an int (32-bit integer), found "1""#,
    ),
    (
        122,
        r#"{"_":"inputPeerChat","chat_id":1.5}"#,
        "at chat_id: expected an int (32-bit integer), found 1.5",
    ),
    (
        122,
        r#"{"_":"account.updateStatus","offline":"yes"}"#,
        r#"at offline: expected a Bool (true or false), found "yes""#,
    ),
    (
        122,
        r#"{"_":"chatInviteExported","link":5}"#,
        "at link: expected a string, found 5",
    ),
    (
        122,
        r#"{"_":"inputCheckPasswordSRP","srp_id":1,"A":5,"M1":"AA=="}"#,
        "at A: expected bytes (a base64 string), found 5",
    ),
    (
        122,
        r#"{"_":"req_pq_multi","nonce":7}"#,
        "at nonce: expected an int128 (32 hex digits), found 7",
    ),
    (
        122,
        r#"{"_":"inputGeoPoint","lat":"north","long":1.0}"#,
        r#"at lat: expected a double (a number, "NaN", "Infinity" or "-Infinity"), found "north""#,
    ),
    (
        122,
        r#"{"_":"messages.getMessages","id":5}"#,
        "at id: expected an array, found 5",
    ),
    // Out of range.
    (
        122,
        r#"{"_":"inputPeerChat","chat_id":2147483648}"#,
        "at chat_id: 2147483648 is out of range for int (-2147483648 to 2147483647)",
    ),
    (
        122,
        r#"{"_":"inputPeerChat","chat_id":-2147483649}"#,
        "at chat_id: -2147483649 is out of range for int (-2147483648 to 2147483647)",
    ),
    (
        122,
        r#"{"_":"inputPeerUser","user_id":1,"access_hash":9223372036854775808}"#,
        "at access_hash: 9223372036854775808 is out of range for long (-9223372036854775808 to 9223372036854775807)",
    ),
    // Bad base64 and hex.
    (
        122,
        r#"{"_":"inputCheckPasswordSRP","srp_id":1,"A":"!!","M1":"AA=="}"#,
        "at A: invalid base64: Invalid symbol 33, offset 0.",
    ),
    (
        122,
        r#"{"_":"req_pq_multi","nonce":"0011"}"#,
        "at nonce: invalid hex: expected 32 hex digits, found 4",
    ),
    (
        122,
        r#"{"_":"req_pq_multi","nonce":"0011223344556677889900112233445g"}"#,
        "at nonce: invalid hex: 'g' is not a hex digit",
    ),
    // Fields on one flag bit.
    (
        230,
        r#"{"_":"message","id":7,"peer_id":{"_":"peerUser","user_id":42},"date":1,"message":"hi","views":5}"#,
        "at forwards: forwards and views share flags.10, so both must be set or both absent",
    ),
    // Sizes and raw objects.
    (
        122,
        r#"{"_":"msg_container","messages":[{"_":"message","msg_id":1,"seqno":1,"bytes":5,"body":{"_":"pong","msg_id":1,"ping_id":2}}]}"#,
        "at messages[0].bytes: bytes is 5, but the object after it takes 20 bytes (leave it out to have it computed)",
    ),
    (
        122,
        r#"{"_":"messages.exportChatInvite","peer":{"_":"<raw>","bytes":"AAAAAA=="}}"#,
        "at peer._: <raw> stands only for an Object field (rpc_result.result, invokeWithLayer.query, ...)",
    ),
    (
        122,
        r#"{"_":"rpc_result","req_msg_id":1,"result":{"_":"<raw>","bytes":"AAA="}}"#,
        "at result.bytes: a <raw> Object needs at least a constructor id (4 bytes), found 2 bytes",
    ),
    (
        122,
        r#"{"_":"rpc_result","req_msg_id":1,"result":{"_":"<raw>","bytes":"AAAAAA==","x":1}}"#,
        r#"at result.x: no field x in <raw> (a raw Object has only "bytes")"#,
    ),
    (
        122,
        r#"{"_":"rpc_result","req_msg_id":1,"result":{"_":"<raw>"}}"#,
        "at result.bytes: missing field bytes (bytes) of <raw>",
    ),
    // Not JSON at all.
    (
        122,
        "not json",
        "invalid JSON: expected ident at line 1 column 2",
    ),
];

#[test]
fn every_malformed_json_kind_fails_with_its_message_in_single_mode() {
    for (layer, input, want) in BAD_JSON {
        let (out, err, code) = run(&["encode", "--layer", &layer.to_string(), input], "");
        assert_eq!(
            (out.as_str(), err.as_str(), code),
            ("", format!("zerotl: {want}\n").as_str(), 1),
            "{input}"
        );
    }
}

#[test]
fn every_malformed_json_kind_gives_an_error_line_in_batch_mode() {
    for layer in [122, 230] {
        let cases: Vec<_> = BAD_JSON.iter().filter(|c| c.0 == layer).collect();
        // Each bad line between two good ones: the good ones still encode.
        let mut input = String::new();
        for (_, json, _) in &cases {
            input.push_str("{\"_\":\"inputPeerSelf\"}\n");
            input.push_str(json);
            input.push('\n');
        }
        input.push_str("{\"_\":\"inputPeerSelf\"}\n");
        let (out, err, code) = run(
            &["encode", "--layer", &layer.to_string(), "--batch"],
            &input,
        );
        assert_eq!((code, err.as_str()), (0, ""));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2 * cases.len() + 1);
        for (i, (_, json, want)) in cases.iter().enumerate() {
            assert_eq!(lines[2 * i], "c97ea07d");
            let v: Value = serde_json::from_str(lines[2 * i + 1]).unwrap();
            assert_eq!(v, serde_json::json!({ "error": want }), "{json}");
        }
        assert_eq!(lines[2 * cases.len()], "c97ea07d");
    }
}

#[test]
fn strict_json_still_encodes_what_it_should() {
    let cases = [
        // The issue's request, spelled right, on layer 230.
        (
            230,
            r#"{"_":"messages.exportChatInvite","legacy_revoke_permanent":false,"request_needed":false,"peer":{"_":"inputPeerChat","chat_id":1},"usage_limit":5}"#,
            "90de55a402000000b95ca935010000000000000005000000",
        ),
        // `null` for an optional field is absent; a `?true` may be left out.
        (
            230,
            r#"{"_":"messages.exportChatInvite","peer":{"_":"inputPeerChat","chat_id":1},"usage_limit":null}"#,
            "90de55a400000000b95ca9350100000000000000",
        ),
        // A size given right is accepted (it is what decoding shows).
        (
            122,
            r#"{"_":"msg_container","messages":[{"_":"message","msg_id":1,"seqno":1,"bytes":20,"body":{"_":"pong","msg_id":1,"ping_id":2}}]}"#,
            "dcf8f1730100000001000000000000000100000014000000c573773401000000000000000200000000000000",
        ),
    ];
    for (layer, json, want) in cases {
        let (out, err, code) = run(&["encode", "--layer", &layer.to_string(), json], "");
        assert_eq!((out.trim(), code), (want, 0), "{json}: {err}");
    }
}

/// `zerotl decode` inputs that must fail, each with its exact message.
const BAD_BYTES: &[(&[&str], &str)] = &[
    (
        &["4c53f70d63e89b17"],
        "unexpected end of input (needed 4 bytes, 0 left) at byte 8",
    ),
    (
        &["78563412"],
        "unknown constructor 0x12345678 at byte 0 (expected any constructor or function of layer 122)",
    ),
    (
        &["--layer", "230", "78563412"],
        "unknown constructor 0x12345678 at byte 0 (expected any constructor or function of layer 230)",
    ),
    (
        &["--type", "InputPeer", "6937df69"],
        "unknown constructor 0x69df3769 for type InputPeer at byte 0",
    ),
    (
        &["15c4b51c00000000"],
        "a Vector at byte 0, whose element type is not known here; --type names it (Vector<long>, Vector<InputPeer>, ...)",
    ),
    (
        &["2c56286600000000"],
        "invalid Bool 0x00000000 (expected boolTrue#997275b5 or boolFalse#bc799737) at byte 4",
    ),
    (&["bc052efcff000000"], "invalid length prefix 0xff at byte 4"),
    (
        &["bc052efcfe01000041000000"],
        "non-canonical length (1 written in the 4-byte form, which is for 254 and more) at byte 4",
    ),
    (
        &["bc052efc0541"],
        "length beyond input (5 bytes declared, 1 left) at byte 4",
    ),
    (&["bc052efc01410100"], "non-zero padding at byte 6"),
    (&["bc052efc01ff0000"], "string is not valid UTF-8 at byte 4"),
    (
        &["0665c66315c4b51cffffffff"],
        "negative vector count -1 at byte 8",
    ),
    (
        &["0665c66315c4b51c05000000"],
        "vector count beyond input (5 elements declared, 0 bytes left) at byte 8",
    ),
    (
        &["c97ea07d00000000"],
        "4 trailing bytes after the value at byte 4",
    ),
    (
        &["--layer", "230", "96bd2ca2000000800000000000000000000000000000000000000000"],
        "unknown flag bits 0x80000000 for chatInviteExported at byte 4",
    ),
    // Object fields whose bytes do not decode: the field, the offset, the cause.
    (
        &["016d5cf3010000000000000078563412"],
        "at result: the Object at byte 12 does not decode: unknown constructor 0x12345678 at byte 12 (expected any constructor or function of layer 122); --raw-objects shows such bytes as base64",
    ),
    (
        &["0d0d9bda7a000000b75994bf7856341200000000"],
        "at query.query: the Object at byte 12 does not decode: unknown constructor 0x12345678 at byte 12 (expected any constructor or function of layer 122); --raw-objects shows such bytes as base64",
    ),
    (
        // invokeWithLayer { query: pong } with 4 bytes after the pong.
        &["0d0d9bda7a000000c57377340100000000000000020000000000000009000000"],
        "at query: the Object at byte 8 does not decode: 4 trailing bytes after the value at byte 28; --raw-objects shows such bytes as base64",
    ),
    (
        &["dcf8f1730200000001000000000000000100000014000000c5737734010000000000000002000000000000000200000000000000010000000400000078563412"],
        "at messages[1].body: the Object at byte 60 does not decode: unknown constructor 0x12345678 at byte 60 (expected any constructor or function of layer 122); --raw-objects shows such bytes as base64",
    ),
    (
        &["--type", "Vector<Object>", "15c4b51c0100000078563412"],
        "at [0]: the Object at byte 8 does not decode: unknown constructor 0x12345678 at byte 8 (expected any constructor or function of layer 122); --raw-objects shows such bytes as base64",
    ),
    // Names and hex.
    (
        &["--type", "Foo", "00000000"],
        "unknown type Foo (not a boxed type, bare constructor, primitive or vector of layer 122)",
    ),
    (
        &["--type", "Vector<Foo>", "00000000"],
        "unknown type Vector<Foo> (not a boxed type, bare constructor, primitive or vector of layer 122)",
    ),
    (&["abc"], "odd number of hex digits (3)"),
    (&["zz"], "invalid hex digit 'z' at digit 0"),
    (&[""], "empty input"),
    (
        &["--layer", "999", "00"],
        "unknown layer 999 (this build has 122 and 230)",
    ),
];

#[test]
fn every_decode_error_has_its_message() {
    for (args, want) in BAD_BYTES {
        let mut full = vec!["decode"];
        full.extend_from_slice(args);
        let (out, err, code) = run(&full, "");
        assert_eq!(
            (out.as_str(), err.as_str(), code),
            ("", format!("zerotl: {want}\n").as_str(), 1),
            "{args:?}"
        );
    }
}

#[test]
fn decode_errors_in_batch_mode_are_the_same_lines() {
    // Every single-argument hex case of BAD_BYTES on layer 122, one per line.
    let cases: Vec<_> = BAD_BYTES
        .iter()
        .filter(|(args, want)| args.len() == 1 && !want.contains("empty input"))
        .collect();
    let input: String = cases.iter().map(|(a, _)| format!("{}\n", a[0])).collect();
    let (out, _, code) = run(&["decode", "--batch"], &input);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), cases.len());
    for ((args, want), line) in cases.iter().zip(lines) {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v, serde_json::json!({ "error": want }), "{args:?}");
    }
}

#[test]
fn raw_objects_flag_shows_undecodable_bytes_and_they_encode_back() {
    let cases = [
        (
            "016d5cf3010000000000000078563412",
            r#"{"_":"rpc_result","req_msg_id":1,"result":{"_":"<raw>","bytes":"eFY0Eg=="}}"#,
        ),
        (
            "0d0d9bda7a000000b75994bf7856341200000000",
            r#"{"_":"invokeWithLayer","layer":122,"query":{"_":"invokeWithoutUpdates","query":{"_":"<raw>","bytes":"eFY0EgAAAAA="}}}"#,
        ),
        // An Object that decodes shows decoded with the flag too.
        (
            "016d5cf30100000000000000c573773401000000000000000200000000000000",
            r#"{"_":"rpc_result","req_msg_id":1,"result":{"_":"pong","msg_id":1,"ping_id":2}}"#,
        ),
    ];
    for (hex, want) in cases {
        let (out, err, code) = run(&["decode", "--raw-objects", hex], "");
        assert_eq!((out.trim(), code), (want, 0), "{err}");
        let (out, err, code) = run(&["encode", want], "");
        assert_eq!((out.trim(), code), (hex, 0), "{err}");
        // --batch takes the flag too.
        let (out, _, _) = run(&["decode", "--batch", "--raw-objects"], &format!("{hex}\n"));
        assert_eq!(out.trim(), want);
    }
}
