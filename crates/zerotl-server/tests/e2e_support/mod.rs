//! Shared pieces of the server's integration tests: a server on a manual clock, the
//! default world's cases with the answer each must get, and the checks; a recording
//! server and its events; the oracle scripts' runner.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use zerotl::Lazy;
use zerotl_client::InvocationError;
use zerotl_client::{Client, ClientConfig, FloodPolicy};
use zerotl_errors::layer122::messages::ExportChatInviteError as E;
use zerotl_mtproto::transport::Transport;
use zerotl_mtproto::UnixTime;
use zerotl_server::world::ChatKey;
use zerotl_server::{ManualTime, RunningServer, ServerBuilder, ServerEvent, LINK_PREFIX};
use zerotl_types::layer122::enums::{ExportedChatInvite, InputPeer};
use zerotl_types::layer122::functions::messages::ExportChatInvite;
use zerotl_types::layer122::types;

/// A client config for the embedded server's built-in test key, trusted by name.
pub fn test_config(transport: Transport) -> ClientConfig {
    ClientConfig::new(transport).trust(vec![zerotl_server::keys::test_server_public_key()])
}

/// Layer 122's `messages.exportChatInvite` for `chat_id`.
pub fn export(chat_id: i32) -> ExportChatInvite<'static> {
    ExportChatInvite {
        peer: chat(chat_id),
    }
}

/// The system clock as the protocol core takes it.
pub fn wall_clock() -> UnixTime {
    UnixTime::from_duration_since_epoch(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap(),
    )
}

/// What a recording server saw (its observer's events, in order).
pub type Events = Arc<Mutex<Vec<ServerEvent>>>;

/// `builder` on `127.0.0.1:0` with an observer that records every event.
pub fn recording(builder: ServerBuilder) -> (ServerBuilder, Events) {
    let events: Events = Arc::default();
    let sink = events.clone();
    let builder = builder
        .listen("127.0.0.1:0".parse().unwrap())
        .observer(move |e| sink.lock().unwrap().push(e.clone()));
    (builder, events)
}

/// Waits (up to 10 s) until a recorded event matches; returns the first match.
pub async fn wait_for(
    events: &Events,
    what: &str,
    pred: impl Fn(&ServerEvent) -> bool,
) -> ServerEvent {
    for _ in 0..1000 {
        if let Some(e) = events.lock().unwrap().iter().find(|e| pred(e)) {
            return e.clone();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no {what} event in 10 s: {:#?}", events.lock().unwrap());
}

/// True when the oracle tests are asked for (`ZEROTL_ORACLES=1`); says so otherwise.
pub fn oracles() -> bool {
    if std::env::var("ZEROTL_ORACLES").as_deref() == Ok("1") {
        return true;
    }
    eprintln!("skipped: set ZEROTL_ORACLES=1 to run the oracles (python3, node)");
    false
}

/// A Python script under `tests/oracles/` (Telethon's or Pyrogram's) against `addr`,
/// trusting the embedded server's test key (the scripts' common arguments).
pub fn telethon_script(script: &str, addr: std::net::SocketAddr) -> std::process::Command {
    let dir = env!("CARGO_MANIFEST_DIR");
    let mut command = std::process::Command::new("python3");
    command
        .arg(format!("{dir}/tests/oracles/{script}"))
        .arg(addr.ip().to_string())
        .arg(addr.port().to_string())
        .arg("--server-key")
        .arg(format!("{dir}/src/test_server_key.pem"));
    command
}

/// Runs an oracle script that prints a JSON summary as its last line
/// (`{"checked": N, "failures": [...]}`), checks it made `expected` checks with no
/// failure and exited 0, and returns the summary.
pub async fn run_oracle(mut command: std::process::Command, expected: u64) -> serde_json::Value {
    let output = tokio::task::spawn_blocking(move || command.output().expect("the script runs"))
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
    assert_eq!(summary["checked"], expected, "stderr:\n{stderr}");
    assert!(output.status.success(), "stderr:\n{stderr}");
    summary
}

/// `inputPeerSelf`, for the `*FromMessage` peers' inner peer.
pub static SELF_PEER: InputPeer<'static> = InputPeer::PeerSelf;

/// What a case must get.
#[derive(Debug, Clone, PartialEq)]
// Typed errors keep their texts inline (no allocation): large by design.
#[allow(clippy::large_enum_variant)]
pub enum Expect {
    /// A `chatInviteExported` link for this chat.
    Link(ChatKey),
    /// This typed error, with this code and name on the wire.
    Error(E, i32, &'static str),
}

/// A named peer and its expected answer.
#[derive(Clone)]
pub struct Case {
    pub name: &'static str,
    pub peer: InputPeer<'static>,
    pub expect: Expect,
}

fn chat(chat_id: i32) -> InputPeer<'static> {
    InputPeer::Chat(types::InputPeerChat { chat_id })
}

fn channel(channel_id: i32, access_hash: i64) -> InputPeer<'static> {
    InputPeer::Channel(types::InputPeerChannel {
        channel_id,
        access_hash,
    })
}

fn channel_from_message(channel_id: i32) -> InputPeer<'static> {
    InputPeer::ChannelFromMessage(types::InputPeerChannelFromMessage {
        peer: Lazy::new(&SELF_PEER),
        msg_id: 7,
        channel_id,
    })
}

/// Every rule of docs/world.md's default world.
pub fn cases() -> Vec<Case> {
    use Expect::{Error as Err, Link};
    let case = |name, peer, expect| Case { name, peer, expect };
    vec![
        case("chat:1", chat(1), Link(ChatKey::Chat(1))),
        case(
            "chat:2",
            chat(2),
            Err(E::ChatAdminRequired, 400, "CHAT_ADMIN_REQUIRED"),
        ),
        case(
            "chat:3",
            chat(3),
            Err(E::ChatWriteForbidden, 403, "CHAT_WRITE_FORBIDDEN"),
        ),
        case(
            "chat:4",
            chat(4),
            Err(E::ChatIdInvalid, 400, "CHAT_ID_INVALID"),
        ),
        case(
            "chat:10",
            chat(10),
            Err(E::ChatIdInvalid, 400, "CHAT_ID_INVALID"),
        ),
        case(
            "chat:-1",
            chat(-1),
            Err(E::ChatIdInvalid, 400, "CHAT_ID_INVALID"),
        ),
        case(
            "channel:10:1010",
            channel(10, 1010),
            Link(ChatKey::Channel(10)),
        ),
        case(
            "channel:11:1111",
            channel(11, 1111),
            Err(E::ChannelPrivate, 400, "CHANNEL_PRIVATE"),
        ),
        case(
            "channel:12:1212",
            channel(12, 1212),
            Err(E::ChatAdminRequired, 400, "CHAT_ADMIN_REQUIRED"),
        ),
        case(
            "channel:13:1313",
            channel(13, 1313),
            Err(E::ChatWriteForbidden, 403, "CHAT_WRITE_FORBIDDEN"),
        ),
        case(
            "channel:10:1011",
            channel(10, 1011),
            Err(E::PeerIdInvalid, 400, "PEER_ID_INVALID"),
        ),
        case(
            "channel:11:0",
            channel(11, 0),
            Err(E::PeerIdInvalid, 400, "PEER_ID_INVALID"),
        ),
        case(
            "channel:14:1414",
            channel(14, 1414),
            Err(E::PeerIdInvalid, 400, "PEER_ID_INVALID"),
        ),
        case(
            "channel:1:1010",
            channel(1, 1010),
            Err(E::PeerIdInvalid, 400, "PEER_ID_INVALID"),
        ),
        case(
            "channel-from-message:10",
            channel_from_message(10),
            Link(ChatKey::Channel(10)),
        ),
        case(
            "channel-from-message:11",
            channel_from_message(11),
            Err(E::ChannelPrivate, 400, "CHANNEL_PRIVATE"),
        ),
        case(
            "channel-from-message:12",
            channel_from_message(12),
            Err(E::ChatAdminRequired, 400, "CHAT_ADMIN_REQUIRED"),
        ),
        case(
            "channel-from-message:13",
            channel_from_message(13),
            Err(E::ChatWriteForbidden, 403, "CHAT_WRITE_FORBIDDEN"),
        ),
        case(
            "channel-from-message:99",
            channel_from_message(99),
            Err(E::PeerIdInvalid, 400, "PEER_ID_INVALID"),
        ),
        case(
            "empty",
            InputPeer::Empty,
            Err(E::PeerIdInvalid, 400, "PEER_ID_INVALID"),
        ),
        case(
            "self",
            InputPeer::PeerSelf,
            Err(E::PeerIdInvalid, 400, "PEER_ID_INVALID"),
        ),
        case(
            "user:1000:0",
            InputPeer::User(types::InputPeerUser {
                user_id: 1000,
                access_hash: 0,
            }),
            Err(E::PeerIdInvalid, 400, "PEER_ID_INVALID"),
        ),
        case(
            "user-from-message:1000",
            InputPeer::UserFromMessage(types::InputPeerUserFromMessage {
                peer: Lazy::new(&SELF_PEER),
                msg_id: 1,
                user_id: 1000,
            }),
            Err(E::PeerIdInvalid, 400, "PEER_ID_INVALID"),
        ),
    ]
}

/// A server on `127.0.0.1:0` with the default world on a manual clock, answering
/// both encrypted and plain clients.
pub async fn start_server(time: &ManualTime) -> RunningServer {
    let state =
        zerotl_server::WorldState::with_time(zerotl_server::world::World::default(), time.clone());
    ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .world_state(state)
        .insecure_plain(true)
        .spawn()
        .await
        .expect("server starts")
}

/// The client configurations of one transport: encrypted and plain.
pub fn configs(transport: Transport, obfuscated: bool) -> Vec<(&'static str, ClientConfig)> {
    let base = |c: ClientConfig| {
        if obfuscated {
            c.obfuscated().expect("a transport with a tag")
        } else {
            c
        }
    };
    vec![
        ("encrypted", base(test_config(transport))),
        ("plain", base(test_config(transport).insecure_plain())),
    ]
}

/// Checks one answer against its case; returns the link for link cases.
pub fn check(
    case: &Case,
    result: Result<zerotl_client::Answer<ExportChatInvite<'static>>, InvocationError<E>>,
    what: &str,
) -> Option<String> {
    match (&case.expect, result) {
        (Expect::Link(_), Ok(answer)) => match answer.get() {
            ExportedChatInvite::ChatInviteExported(e) => {
                let link = e.link.as_str();
                assert!(
                    link.starts_with(LINK_PREFIX),
                    "{what} {}: {link}",
                    case.name
                );
                assert_eq!(link.len(), LINK_PREFIX.len() + 22, "{what} {}", case.name);
                Some(link.to_owned())
            }
            other => panic!("{what} {}: expected a link, got {other:?}", case.name),
        },
        (Expect::Error(variant, code, name), Err(InvocationError::Rpc(e))) => {
            assert_eq!(&e, variant, "{what} {}", case.name);
            let rpc = e.as_rpc();
            assert_eq!(
                (rpc.code, rpc.message.as_str()),
                (*code, *name),
                "{what} {}",
                case.name
            );
            None
        }
        (expect, got) => panic!("{what} {}: expected {expect:?}, got {got:?}", case.name),
    }
}

/// Runs every case over `client`, in order and then all at once, and checks link
/// revocation against the server's state.
pub async fn run_cases(client: &Client, server: &RunningServer, what: &str) {
    let cases = cases();
    for case in &cases {
        let result = client.invoke(&ExportChatInvite { peer: case.peer }).await;
        if let (Some(link), Expect::Link(key)) = (check(case, result, what), &case.expect) {
            assert_eq!(
                server.world().current_link(*key),
                Some(link),
                "{what} {}",
                case.name
            );
        }
    }

    // Revocation: a second export gives a new link, which replaces the first.
    let peer = chat(1);
    let first = link_of(client.invoke(&ExportChatInvite { peer }).await);
    let second = link_of(client.invoke(&ExportChatInvite { peer }).await);
    assert_ne!(first, second, "{what}: the second export must differ");
    assert_eq!(server.world().current_link(ChatKey::Chat(1)), Some(second));

    // All cases at once on the one connection: each answer must be its own.
    let mut tasks = tokio::task::JoinSet::new();
    for (i, case) in cases.into_iter().enumerate().cycle().take(3 * 23) {
        let client = client.clone();
        let what = format!("{what} concurrent #{i}");
        tasks.spawn(async move {
            let result = client.invoke(&ExportChatInvite { peer: case.peer }).await;
            check(&case, result, &what);
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("no case panics");
    }
}

/// The link of a successful export.
pub fn link_of(
    result: Result<zerotl_client::Answer<ExportChatInvite<'static>>, InvocationError<E>>,
) -> String {
    match result.expect("an invite").get() {
        ExportedChatInvite::ChatInviteExported(e) => e.link.as_str().to_owned(),
        other => panic!("expected a link, got {other:?}"),
    }
}

/// A flood policy that sleeps by moving `time` (so FLOOD_WAIT_60 takes no real
/// time) and records each wait.
pub fn manual_flood_policy(
    time: &ManualTime,
    threshold: Duration,
) -> (FloodPolicy, Arc<Mutex<Vec<Duration>>>) {
    let waits = Arc::new(Mutex::new(Vec::new()));
    let (t, w) = (time.clone(), waits.clone());
    let policy = FloodPolicy {
        sleep_threshold: threshold,
        ..FloodPolicy::default()
    }
    .with_sleeper(move |d| {
        t.advance(d);
        w.lock().unwrap().push(d);
        async {}
    });
    (policy, waits)
}

/// FLOOD_WAIT over `config`'s transport: surfaced above the threshold (30 s),
/// slept through (on the manual clock) and retried below it.
pub async fn run_flood(
    server: &RunningServer,
    time: &ManualTime,
    config: ClientConfig,
    what: &str,
) {
    // Let every earlier export leave the 60 s window.
    time.advance(Duration::from_secs(61));
    let (policy, waits) = manual_flood_policy(time, Duration::from_secs(30));
    let client = Client::connect(server.local_addr(), config.flood(policy))
        .await
        .expect("connects");
    let request = ExportChatInvite {
        peer: channel(10, 1010),
    };
    for i in 0..20 {
        assert!(client.invoke(&request).await.is_ok(), "{what}: export {i}");
    }
    // All 20 at the same instant: 60 s left, above the threshold: surfaced.
    match client.invoke(&request).await {
        Err(InvocationError::Rpc(E::Other(e))) => {
            assert_eq!(
                (e.code, e.message.as_str()),
                (420, "FLOOD_WAIT_60"),
                "{what}"
            );
            assert_eq!(
                (e.name.as_str(), e.value),
                ("FLOOD_WAIT", Some(60)),
                "{what}"
            );
        }
        other => panic!("{what}: expected FLOOD_WAIT_60, got {other:?}"),
    }
    assert!(
        waits.lock().unwrap().is_empty(),
        "{what}: nothing slept yet"
    );
    // 45 s later, 15 s are left: below the threshold, slept through and retried.
    time.advance(Duration::from_secs(45));
    let link = link_of(client.invoke(&request).await);
    assert_eq!(*waits.lock().unwrap(), [Duration::from_secs(15)], "{what}");
    assert_eq!(
        server.world().current_link(ChatKey::Channel(10)),
        Some(link)
    );
}
