//! Client libraries' own clients against the embedded server, unmodified but for
//! the DC address and the server's RSA key:
//!
//! * Telethon 1.45's `TelegramClient` (layer 229, `oracles/telethon_client.py`):
//!   connects, logs in as the default world's bot with `start(bot_token=...)`,
//!   exports invite links with layer 230's flags and checks the seed's errors as
//!   Telethon's classes. A layer-122 client (zerotl's own) runs against the same
//!   server in the same run.
//! * GramJS 2.26.22's `TelegramClient` (layer 198, `oracles/gramjs_client.js`): the
//!   same flow; its `user` is the layer-198 form.
//!
//! Run only with `ZEROTL_ORACLES=1` (python3 with `telethon==1.45.0`; node with
//! `tests/conformance`'s `npm ci` done):
//! `ZEROTL_ORACLES=1 cargo test -p zerotl-server --test client_libraries -- --nocapture`.

mod e2e_support;

use std::process::Command;

use e2e_support::{oracles, recording, run_oracle, telethon_script, test_config};

use zerotl_client::Client;
use zerotl_mtproto::transport::Transport;
use zerotl_server::rpc::RequestOutcome;
use zerotl_server::world::{World, DEFAULT_BOT_TOKEN};
use zerotl_server::{ServerBuilder, ServerEvent};
use zerotl_types::layer122::{enums, functions, types};

/// Checks the Telethon script makes.
const TELETHON_CHECKS: u64 = 37;
/// Checks the GramJS script makes.
const GRAMJS_CHECKS: u64 = 23;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telethon_telegram_client_against_the_server() {
    if !oracles() {
        return;
    }
    let (builder, events) = recording(ServerBuilder::new().world(World::default()));
    let server = builder.spawn().await.unwrap();
    let addr = server.local_addr();
    let mut command = telethon_script("telethon_client.py", addr);
    command.arg("--bot-token").arg(DEFAULT_BOT_TOKEN);
    run_oracle(command, TELETHON_CHECKS).await;

    // A layer-122 client on the same server: layer-122 answers.
    let client = Client::connect(addr, test_config(Transport::Intermediate))
        .await
        .unwrap();
    let request = functions::messages::ExportChatInvite {
        peer: enums::InputPeer::Chat(types::InputPeerChat { chat_id: 1 }),
    };
    let answer = client.invoke(&request).await.unwrap();
    let enums::ExportedChatInvite::ChatInviteExported(e) = answer.get() else {
        panic!("chatInviteEmpty");
    };
    assert!(e.link.as_str().starts_with(zerotl_server::LINK_PREFIX));
    drop(client);

    let events = events.lock().unwrap().clone();
    let inits: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::ClientInit { client, .. } => Some(client.clone()),
            _ => None,
        })
        .collect();
    assert!(inits.iter().any(|c| c.layer == Some(229)), "{inits:?}");
    assert!(events.iter().any(|e| matches!(
        e,
        ServerEvent::Request {
            outcome: RequestOutcome::LoggedIn { user_id: 123_456 },
            ..
        }
    )));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gramjs_telegram_client_against_the_server() {
    if !oracles() {
        return;
    }
    let server = ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .world(World::default())
        .spawn()
        .await
        .unwrap();
    let dir = env!("CARGO_MANIFEST_DIR");
    let addr = server.local_addr();
    let mut command = Command::new("node");
    command
        .arg(format!("{dir}/tests/oracles/gramjs_client.js"))
        .arg(addr.ip().to_string())
        .arg(addr.port().to_string())
        .arg("--server-key")
        .arg(format!("{dir}/src/test_server_key.pem"))
        .arg("--bot-token")
        .arg(DEFAULT_BOT_TOKEN)
        .arg("--modules")
        .arg(format!("{dir}/../../tests/conformance/node_modules"));
    run_oracle(command, GRAMJS_CHECKS).await;
    server.shutdown().await;
}
