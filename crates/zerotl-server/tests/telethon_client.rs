//! Telethon 1.45's own `TelegramClient` (layer 229) against the embedded server:
//! `oracles/telethon_client.py` connects, logs in as the default world's bot with
//! `start(bot_token=...)`, exports invite links with layer 230's flags and checks
//! the seed's errors as Telethon's classes. A layer-122 client (zerotl's own) runs
//! against the same server in the same run.
//!
//! Runs only with `ZEROTL_ORACLES=1` (needs `python3` with `telethon==1.45.0`):
//! `ZEROTL_ORACLES=1 cargo test -p zerotl-server --test telethon_client -- --nocapture`.

mod e2e_support;

use std::process::Command;
use std::sync::{Arc, Mutex};

use zerotl_client::Client;
use zerotl_mtproto::transport::Transport;
use zerotl_server::rpc::RequestOutcome;
use zerotl_server::world::{World, DEFAULT_BOT_TOKEN};
use zerotl_server::{ServerBuilder, ServerEvent};
use zerotl_types::layer122::{enums, functions, types};

/// Checks the script makes.
const EXPECTED_CHECKS: u64 = 37;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telethon_telegram_client_against_the_server() {
    if std::env::var("ZEROTL_ORACLES").as_deref() != Ok("1") {
        eprintln!("skipped: set ZEROTL_ORACLES=1 to run the Telethon oracle");
        return;
    }
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let server = ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .world(World::default())
        .observer(move |e| seen.lock().unwrap().push(e.clone()))
        .spawn()
        .await
        .unwrap();
    let dir = env!("CARGO_MANIFEST_DIR");
    let addr = server.local_addr();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(format!("{dir}/tests/oracles/telethon_client.py"))
            .arg(addr.ip().to_string())
            .arg(addr.port().to_string())
            .arg("--server-key")
            .arg(format!("{dir}/src/test_server_key.pem"))
            .arg("--bot-token")
            .arg(DEFAULT_BOT_TOKEN)
            .output()
            .expect("python3 runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("no summary ({e}); stderr:\n{stderr}"));
    assert_eq!(
        summary["failures"],
        serde_json::json!([]),
        "stderr:\n{stderr}"
    );
    assert_eq!(summary["checked"], EXPECTED_CHECKS, "stderr:\n{stderr}");
    assert!(output.status.success(), "stderr:\n{stderr}");

    // A layer-122 client on the same server: layer-122 answers.
    let client = Client::connect(addr, e2e_support::test_config(Transport::Intermediate))
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
