//! The seed types against golden bytes from Telegram's docs (see docs/wire.md), without
//! std-only features: small enough to run under Miri, on little- and big-endian
//! targets (`cargo +nightly miri test -p zerotl-types --test seed --target
//! s390x-unknown-linux-gnu`), proving the wire stays little-endian on any host.
#![cfg(feature = "layer122")]

use zerotl::{Decode, DecodeErrorKind, Encode};
use zerotl_types::layer122::{enums, functions, types};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn encode<T: Encode>(v: &T) -> Vec<u8> {
    let mut b = vec![0; v.encoded_len()];
    assert_eq!(v.encode_to_slice(&mut b), Ok(b.len()));
    b
}

#[test]
fn requests_match_the_docs() {
    let cases = [
        (
            enums::InputPeer::Chat(types::InputPeerChat { chat_id: 1_234_567 }),
            "4c53f70d 63e89b17 87d61200",
        ),
        (enums::InputPeer::PeerSelf, "4c53f70d c97ea07d"),
        (
            enums::InputPeer::Channel(types::InputPeerChannel {
                channel_id: 1,
                access_hash: 2,
            }),
            "4c53f70d f8aead20 01000000 0200000000000000",
        ),
    ];
    for (peer, want) in cases {
        let req = functions::messages::ExportChatInvite { peer };
        let bytes = encode(&req);
        assert_eq!(bytes, hex(want));
        assert_eq!(
            functions::messages::ExportChatInvite::decode_from_slice(&bytes),
            Ok(req)
        );
    }
}

#[test]
fn results_match_the_docs() {
    let empty = hex("6937df69");
    assert_eq!(
        enums::ExportedChatInvite::decode_from_slice(&empty),
        Ok(enums::ExportedChatInvite::ChatInviteEmpty)
    );
    let link = "https://t.me/joinchat/AAAAAEHbEkejzxUjAUCzYg";
    let mut wire = hex("bc052efc 2c");
    wire.extend_from_slice(link.as_bytes());
    wire.extend_from_slice(&[0, 0, 0]);
    let v = enums::ExportedChatInvite::decode_from_slice(&wire).unwrap();
    let enums::ExportedChatInvite::ChatInviteExported(x) = v else {
        panic!("{v:?}")
    };
    assert_eq!((x.link.as_str(), x.link.len()), (link, 44));
    assert_eq!(encode(&v), wire);
}

#[test]
fn recursion_and_big_values() {
    let inner = enums::InputPeer::User(types::InputPeerUser {
        user_id: -1,
        access_hash: i64::MIN,
    });
    let p = enums::InputPeer::ChannelFromMessage(types::InputPeerChannelFromMessage {
        peer: zerotl::Lazy::new(&inner),
        msg_id: i32::MAX,
        channel_id: 0x0102_0304,
    });
    let bytes = encode(&p);
    assert_eq!(
        bytes,
        hex("bbf7959c e67d8e7b ffffffff 0000000000000080 ffffff7f 04030201")
    );
    let back = enums::InputPeer::decode_from_slice(&bytes).unwrap();
    assert_eq!(back, p);
    let enums::InputPeer::ChannelFromMessage(x) = back else {
        panic!()
    };
    assert_eq!(x.peer.get(), Ok(inner));
}

#[test]
fn truncations_fail() {
    let bytes = hex("4c53f70d f8aead20 01000000 0200000000000000");
    for cut in 0..bytes.len() {
        let e =
            functions::messages::ExportChatInvite::decode_from_slice(&bytes[..cut]).unwrap_err();
        assert!(e.kind().is_truncation(), "{cut}: {e}");
    }
    let e = enums::ExportedChatInvite::decode_from_slice(&hex("bc052efc feffffff 00000000"))
        .unwrap_err();
    assert_eq!(
        e.kind(),
        DecodeErrorKind::LengthBeyondInput {
            length: 0xff_ffff,
            remaining: 4
        }
    );
}
