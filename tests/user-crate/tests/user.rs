//! The user crate's own tests: both layers' codecs and JSON, and the blocking
//! client against the in-process server started from blocking code.

use std::time::Duration;

use serde_json::json;
use zerotl::Identifiable as _;
use zerotl_client::{BlockingClient, ClientConfig, InvocationError};
use zerotl_errors::layer122::messages::ExportChatInviteError;
use zerotl_mtproto::transport::Transport;
use zerotl_server::world::ChatKey;
use zerotl_server::ServerBuilder;
use zerotl_types::layer230;
use zerotl_user_crate::*;

#[test]
fn layer_122_request_and_answer() {
    let request = invite_request_122(1234567).unwrap();
    assert_eq!(
        request,
        [0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, 0x87, 0xd6, 0x12, 0x00]
    );
    let schema = schema(122).unwrap();
    let v = to_json(schema, &request).unwrap();
    assert_eq!(
        v,
        json!({"_": "messages.exportChatInvite", "peer": {"_": "inputPeerChat", "chat_id": 1234567}})
    );
    assert_eq!(from_json(schema, &v).unwrap(), request);

    // chatInviteExported#fc2e05bc link:"test", as a server would answer.
    let answer = [0xbc, 0x05, 0x2e, 0xfc, 4, b't', b'e', b's', b't', 0, 0, 0];
    assert_eq!(link_of_122(&answer).unwrap().as_deref(), Some("test"));
    assert!(link_of_122(&answer[..6]).is_err());
}

#[test]
fn layer_230_request_and_answer() {
    let options = InviteOptions {
        title: Some(String::from("release notes")),
        usage_limit: Some(5),
        ..InviteOptions::default()
    };
    let request = invite_request_230(42, &options).unwrap();
    let schema = schema(230).unwrap();
    let v = to_json(schema, &request).unwrap();
    assert_eq!(
        v,
        json!({
            "_": "messages.exportChatInvite",
            "legacy_revoke_permanent": false,
            "request_needed": false,
            "peer": {"_": "inputPeerChat", "chat_id": 42},
            "usage_limit": 5,
            "title": "release notes",
        })
    );
    assert_eq!(from_json(schema, &v).unwrap(), request);
    assert_eq!(
        u32::from_le_bytes(request[..4].try_into().unwrap()),
        layer230::functions::messages::ExportChatInvite::CONSTRUCTOR_ID
    );

    // The answer, built as a server of layer 230 would, read back.
    let link = String::from("https://t.me/+AbCdEf");
    let answer = zerotl::encode_to_vec(&layer230::enums::ExportedChatInvite::ChatInviteExported(
        layer230::types::ChatInviteExported {
            revoked: false,
            permanent: false,
            request_needed: false,
            link: (&link).into(),
            admin_id: 1000,
            date: 1_700_000_000,
            start_date: None,
            expire_date: None,
            usage_limit: Some(5),
            usage: None,
            requested: None,
            subscription_expired: None,
            title: options.title.as_ref().map(Into::into),
            subscription_pricing: None,
        },
    ))
    .unwrap();
    assert_eq!(
        link_of_230(&answer).unwrap(),
        Some((link, Some("release notes".to_owned())))
    );
}

#[test]
fn json_is_strict_for_users_too() {
    let layer122 = schema(122).unwrap();
    let layer230 = schema(230).unwrap();
    let typo = json!({"_": "messages.exportChatInvite", "peer": {"_": "inputPeerChat", "chat_id": 1}, "usage_limt": 5});
    let e = from_json(layer122, &typo).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("at usage_limt: no field usage_limt"),
        "{e}"
    );
    // A field only layer 230 has is refused at layer 122.
    let newer = json!({"_": "messages.exportChatInvite", "peer": {"_": "inputPeerChat", "chat_id": 1}, "title": "x"});
    assert!(from_json(layer122, &newer).is_err());
    assert!(from_json(layer230, &newer).is_ok());
    // Layer 122's inputPeerChat has a 32-bit chat id.
    let wide = json!({"_": "inputPeerChat", "chat_id": 1_i64 << 40});
    assert!(from_json(layer122, &wide).is_err());
    assert!(from_json(layer230, &wide).is_ok());
}

/// No tokio anywhere in this test: the server runs on its own thread, the client
/// in its own runtime.
#[test]
fn blocking_client_against_the_in_process_server() {
    let server = ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .start_in_thread()
        .expect("the server starts");
    let config = ClientConfig::new(Transport::Padded)
        .trust(vec![zerotl_server::keys::test_server_public_key()])
        .timeout(Duration::from_secs(20));
    let client = BlockingClient::connect(server.local_addr(), config).expect("connects");

    let link = export_link(&client, 1).expect("chat 1 exports");
    assert!(link.starts_with("https://t.me/joinchat/"), "{link}");
    assert_eq!(
        server.world().current_link(ChatKey::Chat(1)),
        Some(link.clone())
    );
    let again = export_link(&client, 1).unwrap();
    assert_ne!(again, link, "a new export revokes the previous link");

    match export_link(&client, 2) {
        Err(InvocationError::Rpc(ExportChatInviteError::ChatAdminRequired)) => {}
        other => panic!("{other:?}"),
    }

    // The same call from raw bytes, read with decode_answer.
    let raw = client.invoke_raw(&invite_request_122(1).unwrap()).unwrap();
    let link = link_of_122(raw.bytes()).unwrap().unwrap();
    assert_eq!(server.world().current_link(ChatKey::Chat(1)), Some(link));
}

/// A client configuration that cannot work is refused when it is built.
#[test]
fn impossible_configs_fail_when_built() {
    let e = ClientConfig::new(Transport::Full).obfuscated().unwrap_err();
    assert_eq!(e, zerotl_client::ConfigError::ObfuscatedFull);
    assert!(ClientConfig::new(Transport::Abridged).obfuscated().is_ok());
}

#[test]
fn own_schema_generated_from_build_rs() {
    use zerotl::{Decode, Identifiable, RemoteCall};
    use zerotl_user_crate::bookmarks::{enums, functions, types};
    let items = [enums::Bookmark::Bookmark(types::Bookmark {
        url: "https://t.me/+abc".into(),
        title: Some("invite".into()),
    })];
    let list = types::BookmarkList {
        items: zerotl::Vector::from_slice(&items),
    };
    let bytes = zerotl::encode_to_vec(&enums::BookmarkList::from(list.clone())).unwrap();
    assert_eq!(
        &bytes[..4],
        &types::BookmarkList::CONSTRUCTOR_ID.to_le_bytes()
    );
    let request = functions::bookmarks::Get { limit: 10 };
    let answer = functions::bookmarks::Get::decode_answer(&bytes).unwrap();
    // The variant drops the type's name: `bookmarkList` is `BookmarkList::List`.
    let enums::BookmarkList::List(back) = answer;
    assert_eq!(back, list);
    assert_eq!(zerotl::encode_to_vec(&request).unwrap().len(), 8);
    // Another schema's bytes are refused, not misread.
    assert!(enums::BookmarkList::decode_from_slice(&[1, 2, 3, 4]).is_err());
}
