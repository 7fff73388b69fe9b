//! The std-side conveniences of the core crate, used on generated types as a user
//! would: `RemoteCall::decode_answer` on answers held in a `Vec` (no lifetime
//! named), `Str`/`Bytes` views of a `String`/`Vec<u8>` (feature `alloc`), and the
//! generated `Default`s (a boxed type defaults to its empty constructor, so a
//! request holding an `InputPeer` is built with `..Default::default()`).

use zerotl::{Bytes, RemoteCall, Str};
use zerotl_tests::vectors;
use zerotl_types::{layer122, layer230};

#[test]
fn decode_answer_reads_gramjs_answers_from_owned_bytes() {
    let mut seen = 0;
    for v in vectors("seed.jsonl") {
        if v.ty != "ExportedChatInvite" {
            continue;
        }
        // The bytes live in a local `Vec`: nothing here is `'static`.
        let reply: Vec<u8> = v.bytes.clone();
        let answer = layer122::functions::messages::ExportChatInvite::decode_answer(&reply)
            .expect("a GramJS answer decodes");
        match answer {
            layer122::enums::ExportedChatInvite::ChatInviteExported(x) => {
                assert_eq!(x.link, v.json["link"].as_str().unwrap(), "{}", v.name);
                // The link borrows from `reply`.
                let start = reply.as_ptr() as usize;
                let link = x.link.as_bytes().as_ptr() as usize;
                assert!((start..start + reply.len()).contains(&link));
            }
            layer122::enums::ExportedChatInvite::ChatInviteEmpty => {
                assert_eq!(v.json["_"], "chatInviteEmpty");
            }
        }
        seen += 1;
    }
    assert!(seen >= 8, "the seed vectors hold answers ({seen})");
    // Errors are the decoder's: a cut answer names where it stopped.
    let reply = [0xbc, 0x05, 0x2e, 0xfc, 0x08];
    let e = layer122::functions::messages::ExportChatInvite::decode_answer(&reply).unwrap_err();
    assert_eq!(e.offset(), 4);
}

#[test]
fn decode_answer_on_layer_230_and_views_of_owned_strings() {
    use layer230::{enums, functions, types};
    // A link and a title the program owns (read from a file, formatted...).
    let link = format!("https://t.me/+{}", "AbCdEf");
    let title = String::from("release notes");
    let answer = enums::ExportedChatInvite::ChatInviteExported(types::ChatInviteExported {
        permanent: true,
        link: (&link).into(),
        admin_id: 1000,
        date: 1_700_000_000,
        usage_limit: Some(5),
        title: Some(Str::from(&title)),
        ..Default::default()
    });
    let reply = zerotl::encode_to_vec(&answer).unwrap();
    let back = functions::messages::ExportChatInvite::decode_answer(&reply).unwrap();
    assert_eq!(back, answer);
    let enums::ExportedChatInvite::ChatInviteExported(x) = back else {
        panic!("{back:?}")
    };
    assert_eq!(
        (x.link.as_str(), x.title.map(|t| t.as_str())),
        (link.as_str(), Some("release notes"))
    );
    // `Str::from(&String)` encodes exactly as `Str::from(&str)`.
    assert_eq!(
        zerotl::encode_to_vec(&Str::from(&title)).unwrap(),
        zerotl::encode_to_vec(&Str::from("release notes")).unwrap()
    );
    // `Bytes::from(&Vec<u8>)` likewise.
    let data: Vec<u8> = (0u8..10).collect();
    assert_eq!(
        zerotl::encode_to_vec(&Bytes::from(&data)).unwrap(),
        zerotl::encode_to_vec(&Bytes::from(&data[..])).unwrap()
    );
}

#[test]
fn decode_answer_names_no_lifetime_for_generic_wrappers() {
    // `invokeWithLayer<X>` answers what `X` answers.
    type Call<'a> =
        layer122::functions::InvokeWithLayer<layer122::functions::messages::ExportChatInvite<'a>>;
    let reply = vec![0x69, 0x37, 0xdf, 0x69];
    assert_eq!(
        Call::decode_answer(&reply),
        Ok(layer122::enums::ExportedChatInvite::ChatInviteEmpty)
    );
}

#[test]
fn requests_default_every_field_and_peers_to_their_empty_constructor() {
    use layer230::{enums, functions::messages::ExportChatInvite, types};
    // `inputPeerEmpty` is `InputPeer`'s default, so the request derives `Default`.
    assert_eq!(enums::InputPeer::default(), enums::InputPeer::Empty);
    assert_eq!(enums::InputUser::default(), enums::InputUser::Empty);
    let peer = enums::InputPeer::Chat(types::InputPeerChat { chat_id: 1 });
    let short = ExportChatInvite {
        peer,
        usage_limit: Some(5),
        ..Default::default()
    };
    let long = ExportChatInvite {
        legacy_revoke_permanent: false,
        request_needed: false,
        peer,
        expire_date: None,
        usage_limit: Some(5),
        title: None,
        subscription_pricing: None,
    };
    assert_eq!(short, long);
    assert_eq!(
        zerotl::encode_to_vec(&short).unwrap(),
        zerotl::encode_to_vec(&long).unwrap()
    );
    // The default request asks for the empty peer (and encodes as such).
    let bytes = zerotl::encode_to_vec(&ExportChatInvite::default()).unwrap();
    let empty = zerotl::encode_to_vec(&enums::InputPeer::Empty).unwrap();
    assert_eq!(&bytes[8..], &empty[..]);
}
