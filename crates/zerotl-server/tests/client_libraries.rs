//! Client libraries' own clients against the embedded server, unmodified but for
//! the DC address and the server's RSA key:
//!
//! * Telethon 1.45's `TelegramClient` (layer 229, `oracles/telethon_client.py`):
//!   connects, logs in as the default world's bot with `start(bot_token=...)`,
//!   exports invite links with layer 230's flags and checks the seed's errors as
//!   Telethon's classes, over its default `ConnectionTcpFull`. A layer-122 client
//!   (zerotl's own) runs against the same server in the same run.
//! * GramJS 2.26.22's `TelegramClient` (layer 198, `oracles/gramjs_client.js`): the
//!   same flow over its Node default `ConnectionTCPFull`; its `user` is the layer-198 form.
//! * Pyrogram 2.0.106's `Client` (layer 158, `oracles/pyrogram_client.py`): TCPAbridged,
//!   legacy RSA padding in the key exchange, whole-second msg_ids and an even-seq_no
//!   `ping` at the start; logs in with `bot_token=`, and its `start()` also sends
//!   `updates.getState` and `users.getFullUser` (`get_me`); exports invite links with
//!   layer 158's `#a02ce5d5` flags and checks the seed's errors as Pyrogram's classes.
//!   Pyrogram's `Connection` always makes a `TCPAbridged` (its other TCP classes are
//!   not reachable from `Client`), so that is the one transport it is run over.
//! * Older Telethon releases, the same script at their own layers: 1.34 (layer 173)
//!   and 1.24 (layer 133, whose `exportChatInvite` is the `#14b9bcd7` form), each
//!   installed with `pip install --no-deps --target target/oracles/telethon-VERSION`.
//! * Every other transport the libraries offer, a shorter flow over each (`--short`:
//!   connect, bot login, `getMe`, one `exportChatInvite` with its fields, one error as
//!   the library raises it, `help.getConfig`), each against its own server, all at once:
//!   Telethon 1.45's `ConnectionTcpAbridged`, `ConnectionTcpIntermediate`,
//!   `ConnectionTcpObfuscated` and, dialling the server as an MTProxy whose secret the
//!   server is given (`ServerConnectionConfig::proxy_secret`),
//!   `ConnectionTcpMTProxyAbridged`, `ConnectionTcpMTProxyIntermediate` and
//!   `ConnectionTcpMTProxyRandomizedIntermediate` (padded intermediate); GramJS's
//!   `ConnectionTCPAbridged`, `ConnectionTCPObfuscated`, through its
//!   `proxy: {MTProxy: true}` option `ConnectionTCPMTProxyAbridged`, and its browser
//!   default, `ConnectionTCPObfuscated` over WebSocket (`networkSocket:
//!   PromisedWebSockets`, which dials `ws://HOST:PORT/apiws`). The server does not
//!   serve HTTP (docs/wire.md): Telethon's `ConnectionHttp` is run only to check that
//!   its first `POST` is refused at once.
//!
//! Every run also checks the server's side: the transport it detected on each of the
//! client's connections (framing, obfuscated or not, over WebSocket or not) is the one
//! the class speaks, the
//! connections all ended with the client's leaving, and the login, link and error it
//! answered are recorded.
//!
//! Run only with `ZEROTL_ORACLES=1` (python3 with `telethon==1.45.0`, `pyrogram==2.0.106`
//! and the older Telethon releases under `target/oracles`, as `.ci/run` installs them; node with
//! `tests/conformance`'s `npm ci` done):
//! `ZEROTL_ORACLES=1 cargo test -p zerotl-server --test client_libraries -- --nocapture`.

mod e2e_support;

use std::process::Command;

use e2e_support::{oracles, recording, run_oracle, telethon_script, test_config, Events};

use zerotl_client::Client;
use zerotl_mtproto::server::ServerConnectionError;
use zerotl_mtproto::transport::{DetectError, ProxySecret, Transport};
use zerotl_server::events::CloseReason;
use zerotl_server::rpc::RequestOutcome;
use zerotl_server::world::{World, DEFAULT_BOT_TOKEN};
use zerotl_server::{ServerBuilder, ServerConnectionConfig, ServerEvent};
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
/// Checks either script makes with `--short`.
const SHORT_CHECKS: u64 = 5;

/// A client library's transport: the connection class its script is told to use, and
/// what the server must detect on every connection the client makes.
#[derive(Debug, Clone, Copy)]
struct Over {
    /// The class's name in the library.
    class: &'static str,
    /// The framing.
    transport: Transport,
    /// Obfuscated2 under the framing.
    obfuscated: bool,
    /// Dialled as an MTProxy: the obfuscation is keyed with [`PROXY_SECRET`], which
    /// the server is given.
    mtproxy: bool,
    /// Over WebSocket (GramJS's `PromisedWebSockets`): the server sees the upgrade
    /// request, then the stream in WebSocket frames.
    websocket: bool,
}

const fn over(class: &'static str, transport: Transport, obfuscated: bool) -> Over {
    Over {
        class,
        transport,
        obfuscated,
        mtproxy: false,
        websocket: false,
    }
}

const fn mtproxy(class: &'static str, transport: Transport) -> Over {
    Over {
        class,
        transport,
        obfuscated: true,
        mtproxy: true,
        websocket: false,
    }
}

/// The MTProxy secret the MTProxy classes are given, and their server.
const PROXY_SECRET: [u8; 16] = *b"zerotl-mtproxy!!";

/// Telethon 1.45's connection classes besides its default `ConnectionTcpFull`
/// (`telethon.network.connection`). `ConnectionHttp` is not here: the server does not
/// serve the HTTP transport (docs/wire.md), which `telethon_over_every_transport` checks.
const TELETHON_TRANSPORTS: [Over; 6] = [
    over("ConnectionTcpAbridged", Transport::Abridged, false),
    over("ConnectionTcpIntermediate", Transport::Intermediate, false),
    over("ConnectionTcpObfuscated", Transport::Abridged, true),
    mtproxy("ConnectionTcpMTProxyAbridged", Transport::Abridged),
    mtproxy("ConnectionTcpMTProxyIntermediate", Transport::Intermediate),
    mtproxy(
        "ConnectionTcpMTProxyRandomizedIntermediate",
        Transport::Padded,
    ),
];

/// GramJS 2.26.22's connection classes besides its default `ConnectionTCPFull` on Node
/// (`telegram/network`; `ConnectionTCPMTProxyAbridged` is what its `proxy: {MTProxy}`
/// option selects), and its browser default: `ConnectionTCPObfuscated` over
/// `PromisedWebSockets` (`networkSocket`), which dials `ws://HOST:PORT/apiws`.
const GRAMJS_TRANSPORTS: [Over; 4] = [
    over("ConnectionTCPAbridged", Transport::Abridged, false),
    over("ConnectionTCPObfuscated", Transport::Abridged, true),
    mtproxy("ConnectionTCPMTProxyAbridged", Transport::Abridged),
    Over {
        websocket: true,
        ..over("ConnectionTCPObfuscated", Transport::Abridged, true)
    },
];

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

    let events = all_closed(&events).await;
    // Telethon's client and zerotl's own.
    assert_eq!(
        detected(&events),
        [
            (Transport::Full, false),
            (Transport::Full, false),
            (Transport::Intermediate, false)
        ],
        "the client, its second client (the wrong bot token), zerotl's client"
    );
    all_peer_closed(&events);
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
    let (builder, events) = recording(ServerBuilder::new().world(World::default()));
    let server = builder.spawn().await.unwrap();
    let summary = run_oracle(gramjs_script(server.local_addr()), GRAMJS_CHECKS).await;
    assert_eq!(summary["connection"], "ConnectionTCPFull");
    let events = all_closed(&events).await;
    assert_eq!(detected(&events), [(Transport::Full, false)]);
    all_peer_closed(&events);
    server.shutdown().await;
}

/// Telethon 1.45's `TelegramClient` over each of its other transports: the short flow
/// (`--short`), each against its own server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telethon_over_every_transport() {
    if !oracles() {
        return;
    }
    over_every_transport(&TELETHON_TRANSPORTS, |addr, over| {
        let mut command = telethon_script("telethon_client.py", addr);
        command
            .arg("--bot-token")
            .arg(DEFAULT_BOT_TOKEN)
            .arg("--connection")
            .arg(over.class)
            .arg("--short");
        if over.mtproxy {
            command.arg("--proxy-secret").arg(hex::encode(PROXY_SECRET));
        }
        command
    })
    .await;

    // ConnectionHttp: the server does not serve HTTP; it refuses the first POST at
    // once (not a hang), and the client gives up.
    let (builder, events) = recording(ServerBuilder::new().world(World::default()));
    let server = builder.spawn().await.unwrap();
    let mut command = telethon_script("telethon_client.py", server.local_addr());
    command.arg("--bot-token").arg(DEFAULT_BOT_TOKEN).args([
        "--connection",
        "ConnectionHttp",
        "--short",
    ]);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert!(!output.status.success());
    let events = all_closed(&events).await;
    let refused = CloseReason::Protocol(ServerConnectionError::Detect(DetectError::Http(*b"POST")));
    assert!(
        events
            .iter()
            .all(|e| !matches!(e, ServerEvent::Closed { reason, .. } if *reason != refused)),
        "{events:#?}"
    );
    server.shutdown().await;
}

/// GramJS 2.26.22's `TelegramClient` over each of its other transports that Node can
/// use: the short flow (`--short`), each against its own server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gramjs_over_every_transport() {
    if !oracles() {
        return;
    }
    over_every_transport(&GRAMJS_TRANSPORTS, |addr, over| {
        let mut command = gramjs_script(addr);
        command.arg("--short");
        if over.mtproxy {
            command.arg("--proxy-secret").arg(hex::encode(PROXY_SECRET));
        } else {
            command.arg("--connection").arg(over.class);
        }
        if over.websocket {
            command.arg("--websocket");
        }
        command
    })
    .await;
}

/// Runs `script(server, over)` for each transport at once, each against a recording
/// server of its own (keyed with [`PROXY_SECRET`] for an MTProxy class); checks the
/// script's short flow passed, it named the class, and its server saw that transport
/// on every connection, a login, an exported link and the error, and no connection
/// closed for anything but the client's leaving.
async fn over_every_transport(
    transports: &[Over],
    script: impl Fn(std::net::SocketAddr, Over) -> Command,
) {
    let mut runs = tokio::task::JoinSet::new();
    let mut names = std::collections::HashMap::<tokio::task::Id, Over>::new();
    for &over in transports {
        let mut builder = ServerBuilder::new().world(World::default());
        if over.mtproxy {
            builder = builder.connection_config(ServerConnectionConfig {
                proxy_secret: Some(ProxySecret::new(PROXY_SECRET)),
                ..ServerConnectionConfig::default()
            });
        }
        let (builder, events) = recording(builder);
        let server = builder.spawn().await.unwrap();
        let command = script(server.local_addr(), over);
        let run = runs.spawn(async move {
            let summary = run_oracle(command, SHORT_CHECKS).await;
            assert_eq!(summary["connection"], over.class, "{over:?}");
            let events = all_closed(&events).await;
            let want = (over.transport, over.obfuscated);
            let seen = detected(&events);
            assert!(
                !seen.is_empty() && seen.iter().all(|d| *d == want),
                "{over:?}: the server saw {seen:?}"
            );
            let websocket = websockets(&events);
            assert!(
                websocket.iter().all(|w| *w == over.websocket),
                "{over:?}: the server saw WebSocket {websocket:?}"
            );
            all_peer_closed(&events);
            let outcome = |f: fn(&RequestOutcome) -> bool| {
                events
                    .iter()
                    .any(|e| matches!(e, ServerEvent::Request { outcome, .. } if f(outcome)))
            };
            assert!(
                outcome(|o| matches!(o, RequestOutcome::LoggedIn { user_id: 123_456 })),
                "{over:?}: no login"
            );
            assert!(
                outcome(|o| matches!(o, RequestOutcome::Exported { .. })),
                "{over:?}: no link"
            );
            assert!(
                outcome(
                    |o| matches!(o, RequestOutcome::Refused(e) if e.message == "CHAT_ADMIN_REQUIRED")
                ),
                "{over:?}: no CHAT_ADMIN_REQUIRED"
            );
            server.shutdown().await;
        });
        names.insert(run.id(), over);
    }
    while let Some(run) = runs.join_next_with_id().await {
        match run {
            Ok((id, ())) => {
                let over = names[&id];
                println!(
                    "{}: {:?}, obfuscated: {}, WebSocket: {}",
                    over.class, over.transport, over.obfuscated, over.websocket
                );
            }
            Err(e) => {
                eprintln!("failed: {:?}", names[&e.id()]);
                std::panic::resume_unwind(e.into_panic());
            }
        }
    }
}

/// The GramJS script against `addr` (its common arguments).
fn gramjs_script(addr: std::net::SocketAddr) -> Command {
    let dir = env!("CARGO_MANIFEST_DIR");
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
    command
}

/// The (framing, obfuscated) of every connection, in order.
fn detected(events: &[ServerEvent]) -> Vec<(Transport, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Detected {
                transport,
                obfuscated,
                ..
            } => Some((*transport, *obfuscated)),
            _ => None,
        })
        .collect()
}

/// Whether each connection came over WebSocket, in order.
fn websockets(events: &[ServerEvent]) -> Vec<bool> {
    events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Detected { websocket, .. } => Some(*websocket),
            _ => None,
        })
        .collect()
}

/// Every connection ended by the client's leaving (not a protocol error, a timeout, ...).
fn all_peer_closed(events: &[ServerEvent]) {
    for e in events {
        if let ServerEvent::Closed { reason, .. } = e {
            assert_eq!(*reason, CloseReason::PeerClosed, "{events:#?}");
        }
    }
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
        let events = all_closed(&events).await;
        assert_eq!(detected(&events), [(Transport::Full, false); 2]);
        all_peer_closed(&events);
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
    let seen = detected(&events);
    assert!(
        !seen.is_empty() && seen.iter().all(|d| *d == (Transport::Abridged, false)),
        "{seen:?}"
    );
    all_peer_closed(&events);
    for e in &events {
        if let ServerEvent::ClientInit { client, .. } = e {
            assert_eq!(client.layer, Some(158), "{client:?}");
            assert_eq!(client.app_version, "Pyrogram 2.0.106");
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
