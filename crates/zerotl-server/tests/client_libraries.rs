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
//! * Pyrogram 2.0.106's `Client` (layer 158, `oracles/pyrogram_client.py`): TCPAbridged,
//!   legacy RSA padding in the key exchange, whole-second msg_ids and an even-seq_no
//!   `ping` at the start; logs in with `bot_token=`, and its `start()` also sends
//!   `updates.getState` and `users.getFullUser` (`get_me`); exports invite links with
//!   layer 158's `#a02ce5d5` flags and checks the seed's errors as Pyrogram's classes.
//! * Older Telethon releases, the same script at their own layers: 1.34 (layer 173)
//!   and 1.24 (layer 133, whose `exportChatInvite` is the `#14b9bcd7` form), each
//!   installed with `pip install --no-deps --target target/oracles/telethon-VERSION`.
//!
//! Run only with `ZEROTL_ORACLES=1` (python3 with `telethon==1.45.0`, `pyrogram==2.0.106`
//! and the older Telethon releases under `target/oracles`, as `.ci/run` installs them; node with
//! `tests/conformance`'s `npm ci` done):
//! `ZEROTL_ORACLES=1 cargo test -p zerotl-server --test client_libraries -- --nocapture`.

mod e2e_support;

use std::process::Command;

use e2e_support::{oracles, recording, run_oracle, telethon_script, test_config, Events};

use zerotl_client::Client;
use zerotl_mtproto::transport::Transport;
use zerotl_server::events::CloseReason;
use zerotl_server::rpc::RequestOutcome;
use zerotl_server::world::{World, DEFAULT_BOT_TOKEN};
use zerotl_server::{ServerBuilder, ServerEvent};
use zerotl_types::layer122::{enums, functions, types};

/// Checks the Telethon script makes.
const TELETHON_CHECKS: u64 = 37;
/// Checks the GramJS script makes.
const GRAMJS_CHECKS: u64 = 23;
/// Checks the Pyrogram script makes.
const PYROGRAM_CHECKS: u64 = 38;
/// Older Telethon releases: the version, its layer, and the checks the script makes there
/// (no `title` or `request_needed` before layer 134).
const OLDER_TELETHON: [(&str, i32, u64); 2] = [("1.34.0", 173, 37), ("1.24.0", 133, 33)];

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn older_telethon_releases_against_the_server() {
    if !oracles() {
        return;
    }
    for (version, layer, checks) in OLDER_TELETHON {
        let dir = format!(
            "{}/../../target/oracles/telethon-{version}",
            env!("CARGO_MANIFEST_DIR")
        );
        assert!(
            std::path::Path::new(&dir).join("telethon").is_dir(),
            "Telethon {version} is missing: pip install --no-deps --target {dir} telethon=={version}"
        );
        let (builder, events) = recording(ServerBuilder::new().world(World::default()));
        let server = builder.spawn().await.unwrap();
        let mut command = telethon_script("telethon_client.py", server.local_addr());
        command
            .arg("--bot-token")
            .arg(DEFAULT_BOT_TOKEN)
            .env("PYTHONPATH", &dir);
        let summary = run_oracle(command, checks).await;
        assert_eq!(summary["layer"], layer, "Telethon {version}");
        let events = events.lock().unwrap().clone();
        assert!(
            events.iter().any(|e| matches!(
                e,
                ServerEvent::ClientInit { client, .. } if client.layer == Some(layer)
            )),
            "Telethon {version} named layer {layer}"
        );
        server.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pyrogram_client_against_the_server() {
    if !oracles() {
        return;
    }
    let (builder, events) = recording(ServerBuilder::new().world(World::default()));
    let server = builder.spawn().await.unwrap();
    let mut command = telethon_script("pyrogram_client.py", server.local_addr());
    command.arg("--bot-token").arg(DEFAULT_BOT_TOKEN);
    let summary = run_oracle(command, PYROGRAM_CHECKS).await;
    assert_eq!(summary["layer"], 158);

    let events = all_closed(&events).await;
    for e in &events {
        match e {
            ServerEvent::Detected {
                transport,
                obfuscated,
                ..
            } => assert_eq!((*transport, *obfuscated), (Transport::Abridged, false)),
            ServerEvent::ClientInit { client, .. } => {
                assert_eq!(client.layer, Some(158), "{client:?}");
                assert_eq!(client.app_version, "Pyrogram 2.0.106");
            }
            ServerEvent::Closed { reason, .. } => assert_eq!(*reason, CloseReason::PeerClosed),
            _ => {}
        }
    }
    let answered = |method: &str| {
        events.iter().any(|e| {
            matches!(e, ServerEvent::Request { outcome: RequestOutcome::Answered { method: m }, .. } if *m == method)
        })
    };
    assert!(answered("users.getFullUser") && answered("updates.getState"));
    assert!(events.iter().any(|e| matches!(
        e,
        ServerEvent::Request {
            outcome: RequestOutcome::LoggedIn { user_id: 123_456 },
            ..
        }
    )));
    server.shutdown().await;
}

/// The recorded events once every accepted connection has closed (up to 10 s).
async fn all_closed(events: &Events) -> Vec<ServerEvent> {
    for _ in 0..1000 {
        let now = events.lock().unwrap().clone();
        let count = |f: fn(&ServerEvent) -> bool| now.iter().filter(|e| f(e)).count();
        let accepted = count(|e| matches!(e, ServerEvent::Accepted { .. }));
        if accepted > 0 && accepted == count(|e| matches!(e, ServerEvent::Closed { .. })) {
            return now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!(
        "connections still open after 10 s: {:#?}",
        events.lock().unwrap()
    );
}
