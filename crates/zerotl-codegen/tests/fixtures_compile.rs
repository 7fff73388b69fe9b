//! The expected output of the `basic` fixture compiles against zerotl and behaves:
//! values round-trip, flags are computed, recursion needs no `Box`, the bare
//! `message` body is sized by its computed `bytes` field, and the schema table and
//! typed dispatcher agree with the types.

/// The table types the generated `schema.rs` refers to as `crate::schema`.
pub use zerotl_types::schema;
/// The leak helpers the generated strategies refer to as `crate::testing`.
pub use zerotl_types::testing;

#[path = "fixtures/basic/expected/mod.rs"]
#[allow(missing_docs)]
#[rustfmt::skip]
pub mod basic;

use basic::{enums, functions, types};
use proptest::prelude::*;
use zerotl::{Decode, Encode, Identifiable as _, RemoteCall};

fn bytes_of<T: Encode>(v: &T) -> Vec<u8> {
    let mut b = vec![0; v.encoded_len()];
    assert_eq!(v.encode_to_slice(&mut b), Ok(b.len()));
    b
}

#[test]
fn thing_round_trips_and_computes_flags() {
    let peers = [
        enums::InputPeer::Chat(types::InputPeerChat { chat_id: 5 }),
        enums::InputPeer::PeerSelf,
    ];
    let salts = [zerotl::Bare(types::FutureSalt {
        valid_since: 1,
        valid_until: 2,
        salt: 3,
    })];
    let t = types::sample::Thing {
        pinned: true,
        title: Some("hi".into()),
        views: Some(7),
        forwards: Some(8),
        hidden: false,
        type_: "x".into(),
        self_: -1,
        nonce: [1; 16],
        key: [2; 32],
        ratio: 1.5,
        data: zerotl::Bytes::new(&[9, 9]),
        ok: true,
        peers: zerotl::Vector::from_slice(&peers),
        ids: zerotl::Vector::from_slice(&[1, 2, 3]),
        salts: zerotl::BareVector::from_slice(&salts),
        lst: zerotl::BareVector::from_slice(&[4]),
    };
    let b = bytes_of(&t);
    assert_eq!(&b[..4], &0xb46185d4u32.to_le_bytes());
    assert_eq!(
        &b[4..8],
        &0b111u32.to_le_bytes(),
        "pinned, title, views/forwards"
    );
    let back = types::sample::Thing::decode_from_slice(&b).unwrap();
    assert_eq!(back, t);
    assert_eq!(back.ids.iter().collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(back.salts.get(0).unwrap().salt, 3);
    let boxed = enums::sample::Thing::decode_from_slice(&b).unwrap();
    assert_eq!(boxed.constructor_id(), types::sample::Thing::CONSTRUCTOR_ID);
}

#[test]
fn message_body_is_sized_and_containers_nest_bare() {
    let body = bytes_of(&enums::InputPeer::PeerSelf);
    let m = types::Message {
        msg_id: 4,
        seqno: 1,
        body: zerotl::Object::from_bytes(&body),
    };
    let msgs = [zerotl::Bare(m)];
    let c = types::MsgContainer {
        messages: zerotl::BareVector::from_slice(&msgs),
    };
    let b = bytes_of(&c);
    // id, count, msg_id, seqno, bytes, body
    assert_eq!(b.len(), 4 + 4 + 8 + 4 + 4 + 4);
    assert_eq!(
        &b[20..24],
        &4i32.to_le_bytes(),
        "bytes is computed from body"
    );
    let back = types::MsgContainer::decode_from_slice(&b).unwrap();
    let first = back.messages.get(0).unwrap();
    assert_eq!(
        first.body.decode::<enums::InputPeer>(),
        Ok(enums::InputPeer::PeerSelf)
    );
    // A `bytes` field that lies is a typed error.
    let mut bad = b.clone();
    bad[20..24].copy_from_slice(&400i32.to_le_bytes());
    assert!(types::MsgContainer::decode_from_slice(&bad).is_err());
}

#[test]
fn generic_functions_name_the_inner_result() {
    let q = functions::messages::ExportChatInvite {
        peer: enums::InputPeer::PeerSelf,
    };
    let call = functions::InvokeWithLayer { layer: 7, query: q };
    let b = bytes_of(&call);
    assert_eq!(&b[..4], &0xda9b0d0du32.to_le_bytes());
    type Ret<'r> = <functions::InvokeWithLayer<functions::messages::ExportChatInvite<'static>> as RemoteCall>::Return<'r>;
    let wire = 0x69df3769u32.to_le_bytes();
    let r = Ret::decode_from_slice(&wire).unwrap();
    assert_eq!(r, enums::ExportedChatInvite::ChatInviteEmpty);
    // A server decodes the query as an Object and then as the function it is.
    let back = functions::InvokeWithLayer::<zerotl::Object>::decode_from_slice(&b).unwrap();
    assert_eq!(
        back.query.decode::<functions::messages::ExportChatInvite>(),
        Ok(q)
    );
}

#[test]
fn tables_and_dispatch_agree() {
    let s = &basic::schema::SCHEMA;
    assert_eq!(s.layer, Some(7));
    assert_eq!(s.by_name("sample.thing").unwrap().id, 0xb46185d4);
    assert_eq!(s.by_id(0x0df7534c).unwrap().ty, "ExportedChatInvite");
    assert_eq!(basic::name_of(0x17bae2e6), Some("inputPeerUserFromMessage"));
    let b = bytes_of(&functions::messages::ExportChatInvite {
        peer: enums::InputPeer::PeerSelf,
    });
    let mut seen = 0;
    let known = s
        .decode_typed(&mut zerotl::Reader::new(&b), &mut |v| {
            seen = v.encoded_len()
        })
        .unwrap();
    assert!(known);
    assert_eq!(seen, b.len());
}

proptest! {
    #[test]
    fn strategies_round_trip(v in basic::strategies::enums_::input_peer(),
                             f in basic::strategies::functions_::messages_export_chat_invite()) {
        let b = bytes_of(&v);
        prop_assert_eq!(enums::InputPeer::decode_from_slice(&b).unwrap(), v);
        let b = bytes_of(&f);
        prop_assert_eq!(functions::messages::ExportChatInvite::decode_from_slice(&b).unwrap(), f);
    }
}
