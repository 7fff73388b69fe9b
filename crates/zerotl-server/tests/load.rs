//! Load: many encrypted clients, each with many calls in flight on its one
//! connection, against one embedded server on loopback. Every answer must be the
//! answer to its own request: link answers carry the chat id inside their token,
//! error answers must be the variant of their chat's role; none may be lost
//! (every call returns within its timeout), and the server must have executed
//! each request exactly once (its request and export counters match).
//!
//! * short form (runs by default, debug build): 20 clients x 100 calls, one key
//!   exchange whose key all clients reuse:
//!   `cargo test -p zerotl-server --test load`
//! * full form: 100 clients x 1 000 calls, one key exchange per client, with
//!   throughput and latency percentiles printed:
//!   `cargo test --release -p zerotl-server --test load full_load -- --ignored --nocapture`
//! * under attack: the full form twice, quiet and then while 100 hostile
//!   connections hit the same server (stalled openings, slow readers, gzip
//!   bombs, replayed requests, key-exchange floods, 20 of each); prints p50 and
//!   p99 of both and their ratios. Every legitimate answer must still be right:
//!   `cargo test --release -p zerotl-server --test load load_under_attack -- --ignored --nocapture`

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use zerotl_client::InvocationError;
use zerotl_client::{Client, ClientConfig, FloodPolicy};
use zerotl_errors::layer122::messages::ExportChatInviteError as E;
use zerotl_mtproto::crypto::AuthKey;
use zerotl_mtproto::envelope::{encode_container, gzip};
use zerotl_mtproto::session::Session;
use zerotl_mtproto::transport::Transport;
use zerotl_mtproto::UnixTime;
use zerotl_server::keys::{KeyStore, Security};
use zerotl_server::world::{ChatRole, FloodLimit, World};
use zerotl_server::{Limits, ServerBuilder, LINK_PREFIX};
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

/// The key the attackers stole (or made): the server knows it.
fn attacker_key() -> (AuthKey, i64) {
    (AuthKey::from_bytes([0xa7; 256]), 0x0bad_5a17)
}

fn wall_clock() -> UnixTime {
    UnixTime::from_duration_since_epoch(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap(),
    )
}

fn frame(message: &[u8]) -> Vec<u8> {
    let mut f = (message.len() as u32).to_le_bytes().to_vec();
    f.extend_from_slice(message);
    f
}

/// An encrypted exportChatInvite of a chat that does not exist (the attackers'
/// requests must not count as exports) in `session`, framed (intermediate).
fn hostile_request(session: &mut Session, n: i32) -> Vec<u8> {
    let body = zerotl::encode_to_vec(&ExportChatInvite {
        peer: InputPeer::Chat(InputPeerChat {
            chat_id: IDS + 1 + n,
        }),
    })
    .unwrap();
    let mut m = Vec::new();
    session
        .pack(&body, true, wall_clock(), &mut rand_core::OsRng, &mut m)
        .unwrap();
    frame(&m)
}

/// One gzip_packed request inflating to 1 MiB (about 1 KiB packed).
fn gzip_item() -> Vec<u8> {
    let mut inner = zerotl::encode_to_vec(&ExportChatInvite {
        peer: InputPeer::Chat(InputPeerChat { chat_id: IDS + 1 }),
    })
    .unwrap();
    inner.resize(1024 * 1024, 0);
    let mut packed = Vec::new();
    gzip::encode_gzip_packed(&inner, &mut packed).unwrap();
    packed
}

/// A container of 800 `packed` messages (800 MiB to inflate) in a new session.
fn gzip_bomb(session: &mut Session, packed: &[u8]) -> Vec<u8> {
    let now = wall_clock();
    let base = (now.as_secs() as i64 - 1) << 32;
    let messages: Vec<_> = (0..800)
        .map(|i| zerotl_types::mtproto::types::Message {
            msg_id: base + 4 * (i + 1),
            seqno: 2 * i as i32 + 1,
            body: zerotl::Object::from_bytes(packed),
        })
        .collect();
    let mut container = Vec::new();
    encode_container(&messages, &mut container).unwrap();
    for _ in 0..800 {
        let _ = session.pack(&[0; 4], true, now, &mut rand_core::OsRng, &mut Vec::new());
    }
    let mut m = Vec::new();
    session
        .pack(&container, false, now, &mut rand_core::OsRng, &mut m)
        .unwrap();
    frame(&m)
}

fn new_session() -> Session {
    let (key, salt) = attacker_key();
    Session::client(
        key,
        salt,
        rand_core::RngCore::next_u64(&mut rand_core::OsRng) as i64,
        0,
    )
}

/// Reads until the peer closes, the stop flag is set, or `limit` passes.
async fn drain(s: &mut TcpStream, stop: &AtomicBool, limit: Duration, pace: Duration) {
    let end = Instant::now() + limit;
    let mut buf = [0u8; 1024];
    while !stop.load(Ordering::Relaxed) && Instant::now() < end {
        match tokio::time::timeout(Duration::from_millis(100), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return,
            _ => tokio::time::sleep(pace).await,
        }
    }
}

/// One hostile connection of kind `kind`, reconnecting until `stop`; counts its
/// attempts.
async fn hostile(
    kind: usize,
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    attempts: Arc<AtomicU64>,
) {
    let recorded = {
        let mut session = new_session();
        hostile_request(&mut session, 0)
    };
    let packed = if kind == 2 { gzip_item() } else { Vec::new() };
    while !stop.load(Ordering::Relaxed) {
        attempts.fetch_add(1, Ordering::Relaxed);
        if kind == 4 {
            // Key-exchange flood: full exchanges, keys never used.
            let _ = Client::connect(addr, test_config(Transport::Abridged)).await;
            continue;
        }
        let Ok(mut s) = TcpStream::connect(addr).await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        match kind {
            // Stalled opening: half a transport tag, then nothing.
            0 => {
                let _ = s.write_all(&[0xee, 0xee]).await;
                drain(&mut s, &stop, Duration::from_secs(60), Duration::ZERO).await;
            }
            // Slow reader: 2 000 pipelined requests, answers read 1 KiB per 20 ms.
            1 => {
                let mut session = new_session();
                let mut wire = vec![0xee; 4];
                for n in 0..2000 {
                    wire.extend_from_slice(&hostile_request(&mut session, n % 300));
                }
                let (mut r, mut w) = s.into_split();
                let writer = tokio::spawn(async move {
                    let _ = w.write_all(&wire).await;
                    w
                });
                let end = Instant::now() + Duration::from_secs(20);
                let mut buf = [0u8; 1024];
                while !stop.load(Ordering::Relaxed) && Instant::now() < end {
                    match tokio::time::timeout(Duration::from_millis(100), r.read(&mut buf)).await {
                        Ok(Ok(0)) | Ok(Err(_)) => break,
                        _ => tokio::time::sleep(Duration::from_millis(20)).await,
                    }
                }
                writer.abort();
            }
            // Gzip amplification.
            2 => {
                let bomb = gzip_bomb(&mut new_session(), &packed);
                let _ = s.write_all(&[0xee; 4]).await;
                let _ = s.write_all(&bomb).await;
                drain(&mut s, &stop, Duration::from_secs(5), Duration::ZERO).await;
            }
            // Replay of one recorded request, on connection after connection.
            _ => {
                let _ = s.write_all(&[0xee; 4]).await;
                let _ = s.write_all(&recorded).await;
                drain(&mut s, &stop, Duration::from_millis(200), Duration::ZERO).await;
            }
        }
    }
}

async fn run(clients: usize, calls: usize, key_per_client: bool) -> Report {
    run_with(clients, calls, key_per_client, 0).await
}

async fn run_with(clients: usize, calls: usize, key_per_client: bool, attackers: usize) -> Report {
    let keys = KeyStore::default();
    let (key, salt) = attacker_key();
    keys.insert(key, salt);
    let server = ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .world(load_world())
        .security(Security {
            keys,
            ..Security::default()
        })
        .max_connections(clients + attackers + 8)
        // Every client here comes from 127.0.0.1 and all connect at once.
        .limits(Limits {
            max_connections_per_ip: clients + attackers + 8,
            max_key_exchanges_per_ip: clients + 8,
            ..Limits::default()
        })
        .spawn()
        .await
        .unwrap();
    let addr = server.local_addr();
    let stop = Arc::new(AtomicBool::new(false));
    let attempts = Arc::new(AtomicU64::new(0));
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
            c.obfuscated().expect("a transport with a tag")
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

    let mut attack = JoinSet::new();
    for n in 0..attackers {
        attack.spawn(hostile(n % 5, addr, stop.clone(), attempts.clone()));
    }
    if attackers > 0 {
        // Let the attack get going before measuring.
        tokio::time::sleep(Duration::from_secs(2)).await;
    }

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
    stop.store(true, Ordering::Relaxed);
    attack.abort_all();
    while attack.join_next().await.is_some() {}
    if attackers > 0 {
        println!(
            "attack: {attackers} hostile connections made {} attempts; peak output of one connection {} bytes",
            attempts.load(Ordering::Relaxed),
            server.stats().peak_output()
        );
    }
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
#[ignore = "the full load run: cargo test --release -p zerotl-server --test load full_load -- --ignored --nocapture"]
async fn full_load() {
    let mut report = run(100, 1000, true).await;
    print("full load", 100, &mut report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the load run under attack: cargo test --release -p zerotl-server --test load load_under_attack -- --ignored --nocapture"]
async fn load_under_attack() {
    let clients = std::env::var("ZEROTL_LOAD_CLIENTS").map_or(100, |v| v.parse().unwrap());
    let calls = std::env::var("ZEROTL_LOAD_CALLS").map_or(1000, |v| v.parse().unwrap());
    let mut quiet = run_with(clients, calls, true, 0).await;
    print("quiet", clients, &mut quiet);
    let mut attacked = run_with(clients, calls, true, 100).await;
    print("under attack", clients, &mut attacked);
    let pct = |r: &Report, p: f64| {
        let i = ((r.latencies.len() as f64 * p).ceil() as usize).saturating_sub(1);
        r.latencies[i.min(r.latencies.len() - 1)].as_secs_f64()
    };
    println!(
        "under attack / quiet: p50 x{:.2}, p99 x{:.2}, throughput x{:.2}",
        pct(&attacked, 0.5) / pct(&quiet, 0.5),
        pct(&attacked, 0.99) / pct(&quiet, 0.99),
        (attacked.calls as f64 / attacked.wall.as_secs_f64())
            / (quiet.calls as f64 / quiet.wall.as_secs_f64()),
    );
}
