//! Load: many encrypted clients, each with many calls in flight on its one
//! connection, against one embedded server on loopback. Every answer must be the
//! answer to its own request: link answers carry the chat id inside their token,
//! error answers must be the variant of their chat's role; none may be lost
//! (every call returns within its timeout), and the server must have executed
//! each request exactly once (its request and export counters match).
//!
//! * short form (runs by default, debug build): 20 clients x 100 calls, one key
//!   exchange whose key all clients reuse:
//!   `cargo test -p zerotl-mtproto --test load`
//! * full form: 100 clients x 1 000 calls, one key exchange per client, with
//!   throughput and latency percentiles printed:
//!   `cargo test --release -p zerotl-mtproto --test load -- --ignored --nocapture`

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use tokio::task::JoinSet;
use zerotl_client::InvocationError;
use zerotl_client::{Client, ClientConfig, FloodPolicy};
use zerotl_errors::layer122::messages::ExportChatInviteError as E;
use zerotl_mtproto::transport::Transport;
use zerotl_server::world::{ChatRole, FloodLimit, World};
use zerotl_server::{ServerBuilder, LINK_PREFIX};
use zerotl_types::layer122::enums::{ExportedChatInvite, InputPeer};
use zerotl_types::layer122::functions::messages::ExportChatInvite;
use zerotl_types::layer122::types::InputPeerChat;

/// A client config for the embedded server's built-in test key, trusted by name.
fn test_config(transport: Transport) -> ClientConfig {
    ClientConfig::new(transport).trust(vec![zerotl_server::keys::test_server_public_key()])
}

/// Chats 1..=4000 exist; ids up to 4400 are asked for.
const CHATS: i32 = 4000;
const IDS: i32 = 4400;
/// Calls in flight per client.
const WINDOW: usize = 16;

fn role(chat_id: i32) -> Option<ChatRole> {
    match (chat_id > CHATS, chat_id % 4) {
        (true, _) => None,
        (false, 0 | 1) => Some(ChatRole::Creator),
        (false, 2) => Some(ChatRole::Member),
        (false, _) => Some(ChatRole::Left),
    }
}

fn load_world() -> World {
    World {
        self_user_id: 1000,
        chats: (1..=CHATS)
            .filter_map(|id| role(id).map(|r| (i64::from(id), r)))
            .collect(),
        channels: BTreeMap::new(),
        flood: FloodLimit {
            max_exports: u32::MAX,
            window: Duration::from_secs(60),
        },
        bots: Vec::new(),
        login_required: false,
    }
}

/// The chat id inside a link's token (bytes 4..8, big-endian).
fn chat_in_link(link: &str) -> i64 {
    let token = link.strip_prefix(LINK_PREFIX).expect("link prefix");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .expect("base64url token");
    i64::from(u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]))
}

/// The chat the `j`-th call of client `i` asks about.
fn chat_for(i: usize, j: usize) -> i32 {
    ((i * 7919 + j * 104_729) % IDS as usize) as i32 + 1
}

/// Checks one answer against its chat; returns whether it was a link.
fn check(
    chat_id: i32,
    result: Result<zerotl_client::Answer<ExportChatInvite<'static>>, InvocationError<E>>,
) -> Result<bool, String> {
    let expected = role(chat_id);
    match (expected, result) {
        (Some(ChatRole::Creator), Ok(answer)) => match answer.get() {
            ExportedChatInvite::ChatInviteExported(e) => {
                let got = chat_in_link(e.link.as_str());
                if got == i64::from(chat_id) {
                    Ok(true)
                } else {
                    Err(format!("chat {chat_id}: got the link of chat {got}"))
                }
            }
            other => Err(format!("chat {chat_id}: {other:?}")),
        },
        (Some(ChatRole::Member), Err(InvocationError::Rpc(E::ChatAdminRequired)))
        | (Some(ChatRole::Left), Err(InvocationError::Rpc(E::ChatWriteForbidden)))
        | (None, Err(InvocationError::Rpc(E::ChatIdInvalid))) => Ok(false),
        (expected, got) => Err(format!("chat {chat_id} ({expected:?}): got {got:?}")),
    }
}

struct Report {
    calls: usize,
    links: u64,
    connect: Duration,
    wall: Duration,
    latencies: Vec<Duration>,
}

async fn run(clients: usize, calls: usize, key_per_client: bool) -> Report {
    let server = ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .world(load_world())
        .max_connections(clients + 8)
        .spawn()
        .await
        .unwrap();
    let addr = server.local_addr();
    let transports = [
        (Transport::Abridged, false),
        (Transport::Intermediate, false),
        (Transport::Padded, false),
        (Transport::Full, false),
        (Transport::Abridged, true),
        (Transport::Intermediate, true),
        (Transport::Padded, true),
    ];
    let config = |i: usize| {
        let (t, obfuscated) = transports[i % transports.len()];
        let c = test_config(t)
            .timeout(Duration::from_secs(30))
            .flood(FloodPolicy::surface_all());
        if obfuscated {
            c.obfuscated()
        } else {
            c
        }
    };

    let connect_start = Instant::now();
    let shared_key = if key_per_client {
        None
    } else {
        let first = Client::connect(addr, config(0)).await.unwrap();
        first.auth_key()
    };
    let mut connecting = JoinSet::new();
    for i in 0..clients {
        let mut c = config(i);
        if let Some((key, salt)) = &shared_key {
            c = c.resume(key.clone(), *salt);
        }
        connecting.spawn(async move { (i, Client::connect(addr, c).await) });
    }
    let mut connected = Vec::new();
    while let Some(done) = connecting.join_next().await {
        let (i, client) = done.unwrap();
        connected.push((i, client.unwrap_or_else(|e| panic!("client {i}: {e}"))));
    }
    let connect = connect_start.elapsed();

    let start = Instant::now();
    let mut tasks = JoinSet::new();
    for (i, client) in connected {
        tasks.spawn(async move {
            let client = Arc::new(client);
            let mut latencies = Vec::with_capacity(calls);
            let mut links = 0u64;
            let mut in_flight = JoinSet::new();
            for j in 0..calls {
                if in_flight.len() == WINDOW {
                    let (ok, latency) = in_flight.join_next().await.unwrap().unwrap();
                    links += u64::from(ok?);
                    latencies.push(latency);
                }
                let client = client.clone();
                in_flight.spawn(async move {
                    let chat_id = chat_for(i, j);
                    let request = ExportChatInvite {
                        peer: InputPeer::Chat(InputPeerChat { chat_id }),
                    };
                    let t = Instant::now();
                    let result = client.invoke(&request).await;
                    let latency = t.elapsed();
                    (check(chat_id, result), latency)
                });
            }
            while let Some(done) = in_flight.join_next().await {
                let (ok, latency) = done.unwrap();
                links += u64::from(ok?);
                latencies.push(latency);
            }
            Ok::<_, String>((links, latencies))
        });
    }
    let mut latencies = Vec::with_capacity(clients * calls);
    let mut links = 0;
    let mut errors = Vec::new();
    while let Some(done) = tasks.join_next().await {
        match done.unwrap() {
            Ok((l, lat)) => {
                links += l;
                latencies.extend(lat);
            }
            Err(e) => errors.push(e),
        }
    }
    let wall = start.elapsed();
    assert!(
        errors.is_empty(),
        "mismatched or failed answers: {errors:#?}"
    );
    assert_eq!(latencies.len(), clients * calls, "lost answers");
    assert_eq!(
        server.world().exports(),
        links,
        "exports executed != links received"
    );
    server.shutdown().await;
    Report {
        calls: clients * calls,
        links,
        connect,
        wall,
        latencies,
    }
}

fn print(name: &str, clients: usize, report: &mut Report) {
    report.latencies.sort();
    let pct = |p: f64| {
        let i = ((report.latencies.len() as f64 * p).ceil() as usize).saturating_sub(1);
        report.latencies[i.min(report.latencies.len() - 1)]
    };
    println!(
        "{name}: {clients} clients, {} calls ({} links, {} errors) in {:.3?} \
         -> {:.0} calls/s; latency p50 {:.3?} p99 {:.3?} max {:.3?}; connecting took {:.3?}",
        report.calls,
        report.links,
        report.calls as u64 - report.links,
        report.wall,
        report.calls as f64 / report.wall.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        pct(1.0),
        report.connect,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_load() {
    let mut report = run(20, 100, false).await;
    print("short load", 20, &mut report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the full load run: cargo test --release -p zerotl-mtproto --test load -- --ignored --nocapture"]
async fn full_load() {
    let mut report = run(100, 1000, true).await;
    print("full load", 100, &mut report);
}
