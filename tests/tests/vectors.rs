//! Every golden vector (made by GramJS 2.26.22) decodes to exactly its JSON and its
//! JSON encodes to exactly its bytes, through the library.

use zerotl::Identifiable as _;
use zerotl::{Decode, Encode};

use zerotl_tests::{gramjs_wrong, hex, json_eq, vectors, Broken};
use zerotl_types::json;
use zerotl_types::schema::Schema;
use zerotl_types::{layer122, layer230};

fn layer(n: u32) -> &'static Schema {
    match n {
        122 => &layer122::schema::SCHEMA,
        230 => &layer230::schema::SCHEMA,
        _ => panic!("no layer {n}"),
    }
}

fn check_file(file: &str) -> usize {
    let mut checked = 0;
    for v in vectors(file) {
        let l = layer(v.layer);
        let wrong = gramjs_wrong(v.layer, &v.name);
        match json::json_to_bytes(l, &v.json) {
            Ok(encoded) => assert_eq!(
                hex(&encoded),
                hex(&v.bytes),
                "{file} {}: JSON -> bytes",
                v.name
            ),
            Err(e) => assert!(
                wrong.is_some() && matches!(e.kind, json::JsonErrorKind::SharedFlagBit { .. }),
                "{file} {}: JSON -> bytes failed: {e}",
                v.name
            ),
        }
        // The typed decoder accepts the bytes and re-encodes them exactly.
        let mut r = zerotl::Reader::new(&v.bytes);
        let mut again = Vec::new();
        let typed = l.decode_typed(&mut r, &mut |x| {
            again = vec![0u8; x.encoded_len()];
            zerotl::encode_to_slice(x, &mut again).unwrap();
        });
        match typed {
            Ok(true) if r.is_empty() => assert_eq!(
                hex(&again),
                hex(&v.bytes),
                "{file} {}: typed re-encode",
                v.name
            ),
            other => assert_eq!(
                wrong,
                Some(Broken::Bytes),
                "{file} {}: typed decode gave {other:?}",
                v.name
            ),
        }
        match json::bytes_to_json(l, &v.bytes) {
            Ok(j) if json_eq(&j, &v.json) => {}
            Ok(j) => assert_eq!(
                wrong,
                Some(Broken::Json),
                "{file} {}: bytes -> JSON gave {j}, want {}",
                v.name,
                v.json
            ),
            Err(e) => assert_eq!(
                wrong,
                Some(Broken::Bytes),
                "{file} {}: bytes -> JSON failed: {e}",
                v.name
            ),
        }
        checked += 1;
    }
    checked
}

#[test]
fn seed_vectors_both_ways() {
    assert_eq!(check_file("seed.jsonl"), 40);
}

#[test]
fn layer122_sample_both_ways() {
    assert!(check_file("layer122-sample.jsonl") >= 280);
}

#[test]
fn layer230_sample_both_ways() {
    assert!(check_file("layer230-sample.jsonl") >= 280);
}

/// The seed types through their typed API (not the JSON registry): decode, compare
/// a field with the JSON, re-encode to the same bytes.
#[test]
fn seed_vectors_typed() {
    use layer122::{enums, functions};
    for v in vectors("seed.jsonl") {
        let mut out = vec![0u8; v.bytes.len()];
        match v.ty.as_str() {
            "InputPeer" => {
                let p = enums::InputPeer::decode_from_slice(&v.bytes).unwrap();
                assert_eq!(p.constructor_name(), v.name);
                assert_eq!(p.encode_to_slice(&mut out), Ok(v.bytes.len()));
            }
            "ExportedChatInvite" => {
                let e = enums::ExportedChatInvite::decode_from_slice(&v.bytes).unwrap();
                if let enums::ExportedChatInvite::ChatInviteExported(x) = e {
                    assert_eq!(x.link.as_str(), v.json["link"].as_str().unwrap());
                    assert_eq!(x.link.len(), v.json["link"].as_str().unwrap().len());
                }
                assert_eq!(e.encode_to_slice(&mut out), Ok(v.bytes.len()));
            }
            "messages.exportChatInvite" => {
                let f = functions::messages::ExportChatInvite::decode_from_slice(&v.bytes).unwrap();
                assert_eq!(
                    f.peer.constructor_name(),
                    v.json["peer"]["_"].as_str().unwrap()
                );
                assert_eq!(f.encode_to_slice(&mut out), Ok(v.bytes.len()));
            }
            other => panic!("unexpected seed type {other}"),
        }
        assert_eq!(out, v.bytes, "{}", v.name);
    }
}

/// The sample bytes of docs/wire.md section 2 (from Telegram's docs and hand-checked).
#[test]
fn wire_md_samples() {
    use layer122::{enums, functions, types};
    let mut buf = [0u8; 64];
    let chat = functions::messages::ExportChatInvite {
        peer: enums::InputPeer::Chat(types::InputPeerChat { chat_id: 1_234_567 }),
    };
    let n = chat.encode_to_slice(&mut buf).unwrap();
    assert_eq!(hex(&buf[..n]), "4c53f70d63e89b1787d61200");
    let slf = functions::messages::ExportChatInvite {
        peer: enums::InputPeer::PeerSelf,
    };
    let n = slf.encode_to_slice(&mut buf).unwrap();
    assert_eq!(hex(&buf[..n]), "4c53f70dc97ea07d");
    let chan = functions::messages::ExportChatInvite {
        peer: types::InputPeerChannel {
            channel_id: 1,
            access_hash: 2,
        }
        .into(),
    };
    let n = chan.encode_to_slice(&mut buf).unwrap();
    assert_eq!(hex(&buf[..n]), "4c53f70df8aead20010000000200000000000000");
    let n = enums::ExportedChatInvite::ChatInviteEmpty
        .encode_to_slice(&mut buf)
        .unwrap();
    assert_eq!(hex(&buf[..n]), "6937df69");
    let link = "https://t.me/joinchat/AAAAAEHbEkejzxUjAUCzYg";
    let e = enums::ExportedChatInvite::ChatInviteExported(types::ChatInviteExported {
        link: link.into(),
    });
    let n = e.encode_to_slice(&mut buf).unwrap();
    assert_eq!(n, 4 + 48);
    assert_eq!(hex(&buf[..5]), "bc052efc2c");
    assert_eq!(&buf[5..49], link.as_bytes());
    assert_eq!(buf[49..52], [0, 0, 0]);
}

/// The seed method's typed return: `RemoteCall::Return` names the result type.
#[test]
fn seed_function_names_its_result() {
    use zerotl::RemoteCall;
    type Ret<'r> =
        <layer122::functions::messages::ExportChatInvite<'static> as RemoteCall>::Return<'r>;
    let r = Ret::decode_from_slice(&[0x69, 0x37, 0xdf, 0x69]).unwrap();
    assert_eq!(r, layer122::enums::ExportedChatInvite::ChatInviteEmpty);
    assert_eq!(
        layer122::functions::messages::ExportChatInvite::CONSTRUCTOR_ID,
        0x0df7534c
    );
    assert_eq!(
        layer122::types::ChatInviteExported::CONSTRUCTOR_ID,
        0xfc2e05bc
    );
    assert_eq!(layer122::types::ChatInviteEmpty::CONSTRUCTOR_ID, 0x69df3769);
    assert_eq!(
        layer122::name_of(0x0df7534c),
        Some("messages.exportChatInvite")
    );
}
