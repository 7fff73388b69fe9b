//! World files: `data/worlds/default.json` is the built-in default world, and a
//! server started with another world answers by that world's rules.
//!
//! `cargo test -p zerotl-mtproto --test e2e_world`

use std::path::PathBuf;

use zerotl_client::InvocationError;
use zerotl_client::{Client, ClientConfig, FloodPolicy};
use zerotl_errors::layer122::messages::ExportChatInviteError as E;
use zerotl_mtproto::transport::Transport;
use zerotl_server::world::{ChannelRole, ChatRole, World, WorldError};
use zerotl_server::ServerBuilder;
use zerotl_types::layer122::enums::InputPeer;
use zerotl_types::layer122::functions::messages::ExportChatInvite;
use zerotl_types::layer122::types::{InputPeerChannel, InputPeerChat};

/// A client config for the embedded server's built-in test key, trusted by name.
fn test_config(transport: Transport) -> ClientConfig {
    ClientConfig::new(transport).trust(vec![zerotl_server::keys::test_server_public_key()])
}

fn worlds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/worlds")
}

#[test]
fn default_json_is_the_built_in_world() {
    let loaded = World::load(&worlds_dir().join("default.json")).unwrap();
    assert_eq!(loaded, World::default());
    // And the built-in world is docs/world.md's.
    let w = World::default();
    assert_eq!(w.self_user_id, 1000);
    assert_eq!(
        w.chats.iter().map(|(id, r)| (*id, *r)).collect::<Vec<_>>(),
        [
            (1, ChatRole::Creator),
            (2, ChatRole::Member),
            (3, ChatRole::Left)
        ]
    );
    assert_eq!(
        w.channels
            .iter()
            .map(|(id, c)| (*id, c.access_hash, c.role))
            .collect::<Vec<_>>(),
        [
            (10, 1010, ChannelRole::Admin),
            (11, 1111, ChannelRole::NotJoined),
            (12, 1212, ChannelRole::Member),
            (13, 1313, ChannelRole::WriteForbidden),
        ]
    );
    assert_eq!((w.flood.max_exports, w.flood.window.as_secs()), (20, 60));
}

#[test]
fn bad_world_files_are_typed_errors() {
    let missing = World::load(&worlds_dir().join("no-such-world.json")).unwrap_err();
    assert!(matches!(missing, WorldError::Io { .. }), "{missing}");
    let e =
        World::from_json("{\"self_user_id\": 1,\n \"chats\": [{\"id\": 1, \"role\": \"king\"}]}")
            .unwrap_err();
    assert!(matches!(e, WorldError::Json { line: 2, .. }), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_world_is_served() {
    let world = World::from_json(
        r#"{
            "self_user_id": 42,
            "chats": [{"id": 5, "role": "admin"}, {"id": 1, "role": "left"}],
            "channels": [{"id": 77, "access_hash": -5, "role": "member"}],
            "flood": {"max_exports": 2, "window_secs": 10}
        }"#,
    )
    .unwrap();
    let server = ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .world(world)
        .spawn()
        .await
        .unwrap();
    let config = test_config(Transport::Padded).flood(FloodPolicy::surface_all());
    let client = Client::connect(server.local_addr(), config).await.unwrap();
    let chat = |chat_id| ExportChatInvite {
        peer: InputPeer::Chat(InputPeerChat { chat_id }),
    };
    assert!(client.invoke(&chat(5)).await.is_ok());
    assert!(client.invoke(&chat(5)).await.is_ok());
    let err = client.invoke(&chat(5)).await.unwrap_err();
    assert!(
        matches!(&err, InvocationError::Rpc(E::Other(e)) if e.is("FLOOD_WAIT") && e.value == Some(10)),
        "{err:?}"
    );
    let err = client.invoke(&chat(1)).await.unwrap_err();
    assert!(
        matches!(err, InvocationError::Rpc(E::ChatWriteForbidden)),
        "{err:?}"
    );
    let err = client.invoke(&chat(2)).await.unwrap_err();
    assert!(
        matches!(err, InvocationError::Rpc(E::ChatIdInvalid)),
        "{err:?}"
    );
    let channel = ExportChatInvite {
        peer: InputPeer::Channel(InputPeerChannel {
            channel_id: 77,
            access_hash: -5,
        }),
    };
    let err = client.invoke(&channel).await.unwrap_err();
    assert!(
        matches!(err, InvocationError::Rpc(E::ChatAdminRequired)),
        "{err:?}"
    );
    server.shutdown().await;
}
