//! Hostile peers against the server's per-connection bounds, deadlines and key
//! store, over raw sockets: a reader slower than the server, stalled openings
//! holding every connection slot, a stalled frame, a gzip-amplification frame,
//! a flood of inflating within one second, a flood of key exchanges, too many
//! connections from one address.

mod e2e_support;

use e2e_support::{export, recording, test_config, wait_for, wall_clock};

use std::time::{Duration, Instant};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use zerotl_client::Client;
use zerotl_mtproto::crypto::AuthKey;
use zerotl_mtproto::envelope::{encode_container, gzip};
use zerotl_mtproto::server::ServerConnectionError;
use zerotl_mtproto::session::Session;
use zerotl_mtproto::transport::Transport;
use zerotl_server::keys::{KeyStore, Security};
use zerotl_server::{
    CloseReason, Limits, RefuseReason, ServerBuilder, ServerConnectionConfig, ServerEvent,
};
use zerotl_types::mtproto::types as mtt;

/// An intermediate frame with a plain exportChatInvite(chat 1), request `i`.
fn plain_request(i: u64) -> Vec<u8> {
    let body = zerotl::encode_to_vec(&export(1)).unwrap();
    let mut message = vec![0u8; 8];
    let msg_id = (1_700_000_000i64 << 32) | ((i as i64 + 1) << 2);
    message.extend_from_slice(&msg_id.to_le_bytes());
    message.extend_from_slice(&(body.len() as u32).to_le_bytes());
    message.extend_from_slice(&body);
    let mut frame = (message.len() as u32).to_le_bytes().to_vec();
    frame.extend_from_slice(&message);
    frame
}

/// CPU time (user + system) this process used so far, from /proc (Linux).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux this runs on.
    Some(Duration::from_millis(ticks * 10))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_keeps_server_memory_under_the_budget() {
    const MAX_OUTPUT: usize = 64 * 1024;
    const IN_FLIGHT: usize = 64;
    const REQUESTS: u64 = 5_000;
    let config = ServerConnectionConfig {
        max_output: MAX_OUTPUT,
        max_in_flight: IN_FLIGHT,
        ..ServerConnectionConfig::default()
    };
    let server = ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .insecure_plain(true)
        .connection_config(config)
        .spawn()
        .await
        .unwrap();
    let socket = TcpStream::connect(server.local_addr()).await.unwrap();
    let (mut reader, mut writer) = socket.into_split();
    let sending = tokio::spawn(async move {
        let mut wire = vec![0xee; 4];
        for i in 0..REQUESTS {
            wire.extend_from_slice(&plain_request(i));
        }
        writer.write_all(&wire).await.unwrap();
        writer
    });
    // Read a little at a time, far slower than the server writes.
    let mut answers = 0u64;
    let mut pending = Vec::new();
    let mut buf = [0u8; 2048];
    let deadline = Instant::now() + Duration::from_secs(60);
    while answers < REQUESTS {
        assert!(Instant::now() < deadline, "only {answers} answers");
        let n = reader.read(&mut buf).await.unwrap();
        assert!(n > 0, "server closed after {answers} answers");
        pending.extend_from_slice(&buf[..n]);
        while pending.len() >= 4 {
            let len = u32::from_le_bytes(pending[..4].try_into().unwrap()) as usize;
            if pending.len() < 4 + len {
                break;
            }
            pending.drain(..4 + len);
            answers += 1;
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    let _writer = sending.await.unwrap();
    // The budget: the output cap, plus the answers owed when it was reached
    // (each under 128 bytes), plus one compaction's slack.
    let peak = server.stats().peak_output();
    let budget = MAX_OUTPUT + IN_FLIGHT * 128 + 64 * 1024;
    assert!(peak <= budget, "peak output {peak} > budget {budget}");
    assert!(peak > 0);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_openings_on_every_slot_do_not_lock_out_a_new_client() {
    const SLOTS: usize = 4;
    let limits = Limits {
        detect_timeout: Duration::from_millis(500),
        key_exchange_timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    let (builder, events) = recording(ServerBuilder::new().max_connections(SLOTS).limits(limits));
    let server = builder.spawn().await.unwrap();
    let mut stalled = Vec::new();
    for i in 0..SLOTS {
        let mut s = TcpStream::connect(server.local_addr()).await.unwrap();
        match i % 3 {
            0 => {}                                         // nothing at all
            1 => s.write_all(&[0xee, 0xee]).await.unwrap(), // half a tag
            _ => s.write_all(&[0xee; 4]).await.unwrap(),    // a tag, no key exchange
        }
        stalled.push(s);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let start = Instant::now();
    let client = loop {
        let config = test_config(Transport::Intermediate).timeout(Duration::from_secs(5));
        match Client::connect(server.local_addr(), config).await {
            Ok(client) => break client,
            Err(_) if start.elapsed() < Duration::from_secs(5) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("never served: {e:?}"),
        }
    };
    let waited = start.elapsed();
    // The stalled ones are closed at their deadlines (0.5 s); the rest is the
    // new client's own key exchange, with room for a loaded machine.
    let bound = limits.detect_timeout + limits.key_exchange_timeout + Duration::from_secs(3);
    assert!(waited < bound, "served after {waited:?}");
    assert!(client.invoke(&export(1)).await.is_ok());
    wait_for(&events, "detect timeout", |e| {
        matches!(
            e,
            ServerEvent::Closed {
                reason: CloseReason::DetectTimeout(_),
                ..
            }
        )
    })
    .await;
    wait_for(&events, "key exchange timeout", |e| {
        matches!(
            e,
            ServerEvent::Closed {
                reason: CloseReason::KeyExchangeTimeout(_),
                ..
            }
        )
    })
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_that_stops_growing_times_out() {
    let limits = Limits {
        frame_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let (builder, events) = recording(ServerBuilder::new().insecure_plain(true).limits(limits));
    let server = builder.spawn().await.unwrap();
    let mut s = TcpStream::connect(server.local_addr()).await.unwrap();
    s.write_all(&[0xee; 4]).await.unwrap();
    s.write_all(&plain_request(0)).await.unwrap();
    let frame = plain_request(1);
    // Half a frame, then a byte now and then: slower than the frame timeout.
    s.write_all(&frame[..10]).await.unwrap();
    wait_for(&events, "stalled frame", |e| {
        matches!(
            e,
            ServerEvent::Closed {
                reason: CloseReason::StalledFrame(_),
                ..
            }
        )
    })
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_trickled_a_byte_at_a_time_still_times_out() {
    // Each byte comes well within the frame timeout of the one before, so a
    // timer that restarts on every byte would never fire; the frame would be
    // complete after about 3 s and answered.
    let frame_timeout = Duration::from_millis(600);
    let limits = Limits {
        frame_timeout,
        ..Limits::default()
    };
    let (builder, events) = recording(ServerBuilder::new().insecure_plain(true).limits(limits));
    let server = builder.spawn().await.unwrap();
    let mut s = TcpStream::connect(server.local_addr()).await.unwrap();
    s.write_all(&[0xee; 4]).await.unwrap();
    s.write_all(&plain_request(0)).await.unwrap();
    let frame = plain_request(1);
    let started = Instant::now();
    for b in &frame[..frame.len() - 1] {
        if s.write_all(std::slice::from_ref(b)).await.is_err() {
            break;
        }
        let closed = events.lock().unwrap().iter().any(|e| {
            matches!(
                e,
                ServerEvent::Closed {
                    reason: CloseReason::StalledFrame(_),
                    ..
                }
            )
        });
        if closed {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_for(&events, "stalled frame", |e| {
        matches!(
            e,
            ServerEvent::Closed {
                reason: CloseReason::StalledFrame(d),
                requests: 1,
                ..
            } if *d == frame_timeout
        )
    })
    .await;
    let elapsed = started.elapsed();
    // Closed about a frame timeout after the first byte, long before the last.
    assert!(elapsed < Duration::from_millis(2000), "{elapsed:?}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gzip_amplification_frame_costs_bounded_cpu() {
    let keys = KeyStore::default();
    let (key, salt) = (AuthKey::from_bytes([0x61; 256]), 0x5151);
    keys.insert(key.clone(), salt);
    let (builder, events) = recording(ServerBuilder::new().security(Security {
        keys: keys.clone(),
        ..Security::default()
    }));
    let server = builder.spawn().await.unwrap();

    // 800 gzip_packed messages of 1 MiB each (a request followed by zeros) in one
    // container: 800 MiB to inflate without a budget, in a frame under 1 MiB.
    let mut request = zerotl::encode_to_vec(&export(1)).unwrap();
    request.resize(1024 * 1024, 0);
    let packed = {
        let mut out = Vec::new();
        gzip::encode_gzip_packed(&request, &mut out).unwrap();
        out
    };
    let now = wall_clock();
    let base = (now.as_secs() as i64 - 1) << 32;
    let messages: Vec<mtt::Message<'_>> = (0..800)
        .map(|i| mtt::Message {
            msg_id: base + 4 * (i + 1),
            seqno: 2 * i as i32 + 1,
            body: zerotl::Object::from_bytes(&packed),
        })
        .collect();
    let mut container = Vec::new();
    encode_container(&messages, &mut container).unwrap();
    let mut client = Session::client(key, salt, 0x99, 0);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    // Advance the seq_no past the contents' (a container is numbered after them).
    for _ in 0..800 {
        client
            .pack(&[0; 4], true, now, &mut rng, &mut Vec::new())
            .unwrap();
    }
    let mut message = Vec::new();
    client
        .pack(&container, false, now, &mut rng, &mut message)
        .unwrap();
    assert!(message.len() < 1024 * 1024, "{} bytes", message.len());

    let cpu_before = cpu_time();
    let started = Instant::now();
    let mut s = TcpStream::connect(server.local_addr()).await.unwrap();
    s.write_all(&[0xee; 4]).await.unwrap();
    s.write_all(&(message.len() as u32).to_le_bytes())
        .await
        .unwrap();
    s.write_all(&message).await.unwrap();
    // Every message is answered: one request runs, the rest are refused
    // (INPUT_FETCH_ERROR) without inflating past the budget.
    let mut got = 0;
    let mut buf = vec![0u8; 64 * 1024];
    let mut pending = Vec::new();
    while got < 801 {
        let n = tokio::time::timeout(Duration::from_secs(20), s.read(&mut buf))
            .await
            .expect("answers within 20 s")
            .unwrap();
        assert!(n > 0, "closed after {got} answers");
        pending.extend_from_slice(&buf[..n]);
        while pending.len() >= 4 {
            let len = u32::from_le_bytes(pending[..4].try_into().unwrap()) as usize;
            if pending.len() < 4 + len {
                break;
            }
            pending.drain(..4 + len);
            got += 1; // new_session_created, then one answer per message
        }
    }
    let elapsed = started.elapsed();
    let requests = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, ServerEvent::Request { .. }))
        .count();
    assert!(requests <= 1, "{requests} inflated requests ran");
    if let (Some(before), Some(after)) = (cpu_before, cpu_time()) {
        let used = after.saturating_sub(before);
        assert!(
            used < Duration::from_secs(5),
            "{used:?} of CPU for one frame"
        );
    }
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_key_exchanges_does_not_evict_a_key_in_use() {
    let keys = KeyStore::new(4);
    let server = ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .security(Security {
            keys: keys.clone(),
            ..Security::default()
        })
        .spawn()
        .await
        .unwrap();
    let addr = server.local_addr();
    let saved = Client::connect(addr, test_config(Transport::Intermediate))
        .await
        .unwrap();
    assert!(saved.invoke(&export(1)).await.is_ok());
    let (key, salt) = saved.auth_key().unwrap();
    drop(saved);
    // Twelve fresh keys, three times the store's size, none of them used.
    for _ in 0..12 {
        let flood = Client::connect(addr, test_config(Transport::Abridged))
            .await
            .unwrap();
        drop(flood);
    }
    assert_eq!(keys.len(), 4);
    assert!(keys.contains(key.id()), "the key in use was evicted");
    let again = Client::connect(addr, test_config(Transport::Intermediate).resume(key, salt))
        .await
        .unwrap();
    assert!(again.invoke(&export(1)).await.is_ok());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_exchanges_per_address_are_rate_limited() {
    let limits = Limits {
        key_exchanges_per_ip_per_minute: 3,
        ..Limits::default()
    };
    let (builder, events) = recording(ServerBuilder::new().limits(limits));
    let server = builder.spawn().await.unwrap();
    let addr = server.local_addr();
    let mut saved = None;
    for _ in 0..3 {
        let client = Client::connect(addr, test_config(Transport::Intermediate))
            .await
            .expect("within the rate");
        saved = client.auth_key();
    }
    let fourth = Client::connect(addr, test_config(Transport::Intermediate)).await;
    assert!(fourth.is_err(), "a fourth key exchange within the minute");
    wait_for(&events, "rate limit", |e| {
        matches!(
            e,
            ServerEvent::Closed {
                reason: CloseReason::TooManyKeyExchanges { limit: 3 },
                ..
            }
        )
    })
    .await;
    // A client resuming its key needs no exchange: still served.
    let (key, salt) = saved.unwrap();
    let again = Client::connect(addr, test_config(Transport::Intermediate).resume(key, salt))
        .await
        .unwrap();
    assert!(again.invoke(&export(1)).await.is_ok());
    server.shutdown().await;
}

/// Reads one intermediate frame's payload from `s` (None at the end of the
/// stream), waiting at most 10 s.
async fn read_frame(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut len = [0u8; 4];
    let read = tokio::time::timeout(Duration::from_secs(10), s.read_exact(&mut len))
        .await
        .expect("a frame or the end within 10 s");
    read.ok()?;
    let mut payload = vec![0u8; u32::from_le_bytes(len) as usize];
    s.read_exact(&mut payload).await.ok()?;
    Some(payload)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inflating_past_the_per_second_budget_closes_with_429() {
    const PER_SEC: usize = 100 * 1024;
    let keys = KeyStore::default();
    let (key, salt) = (AuthKey::from_bytes([0x62; 256]), 0x6262);
    keys.insert(key.clone(), salt);
    let config = ServerConnectionConfig {
        max_inflated_per_sec: PER_SEC,
        ..ServerConnectionConfig::default()
    };
    let (builder, events) = recording(
        ServerBuilder::new()
            .security(Security {
                keys: keys.clone(),
                ..Security::default()
            })
            .connection_config(config),
    );
    let server = builder.spawn().await.unwrap();

    // A request followed by zeros to 40 KiB, gzip_packed: each inflates to
    // 40 KiB, well under the per-message budget (1 MiB).
    let mut request = zerotl::encode_to_vec(&export(1)).unwrap();
    request.resize(40 * 1024, 0);
    let mut packed = Vec::new();
    gzip::encode_gzip_packed(&request, &mut packed).unwrap();
    let now = wall_clock();
    let mut client = Session::client(key, salt, 0x62, 0);
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let mut s = TcpStream::connect(server.local_addr()).await.unwrap();
    s.write_all(&[0xee; 4]).await.unwrap();

    // One such message: within the budget, answered, the connection stays.
    let mut message = Vec::new();
    client
        .pack(&packed, true, now, &mut rng, &mut message)
        .unwrap();
    s.write_all(&(message.len() as u32).to_le_bytes())
        .await
        .unwrap();
    s.write_all(&message).await.unwrap();
    for _ in 0..2 {
        // new_session_created, then the answer.
        let frame = read_frame(&mut s).await.expect("answered");
        assert!(frame.len() > 4, "a message, not a transport error");
    }

    // Three in one container: 120 KiB inflated within one second.
    let base = (now.as_secs() as i64 - 1) << 32;
    let messages: Vec<mtt::Message<'_>> = (0..3)
        .map(|i| mtt::Message {
            msg_id: base + 4 * (i + 1),
            seqno: 2 * i as i32 + 3,
            body: zerotl::Object::from_bytes(&packed),
        })
        .collect();
    let mut container = Vec::new();
    encode_container(&messages, &mut container).unwrap();
    // Number the container after its contents.
    for _ in 0..3 {
        client
            .pack(&[0; 4], true, now, &mut rng, &mut Vec::new())
            .unwrap();
    }
    let mut message = Vec::new();
    client
        .pack(&container, false, now, &mut rng, &mut message)
        .unwrap();
    s.write_all(&(message.len() as u32).to_le_bytes())
        .await
        .unwrap();
    s.write_all(&message).await.unwrap();
    let mut flood = false;
    while let Some(frame) = read_frame(&mut s).await {
        flood |= frame == (-429i32).to_le_bytes();
    }
    assert!(flood, "no transport error -429 before the close");
    wait_for(&events, "inflate flood", |e| {
        matches!(
            e,
            ServerEvent::Closed {
                reason: CloseReason::Protocol(ServerConnectionError::InflateFlood {
                    limit: PER_SEC
                }),
                ..
            }
        )
    })
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_per_address_are_capped() {
    let limits = Limits {
        max_connections_per_ip: 2,
        ..Limits::default()
    };
    let (builder, events) = recording(ServerBuilder::new().insecure_plain(true).limits(limits));
    let server = builder.spawn().await.unwrap();
    let addr = server.local_addr();
    let connect_and_call = |i: u64| async move {
        let mut s = TcpStream::connect(addr).await.unwrap();
        // A refused connection may be gone before the writes (a broken pipe).
        let mut wire = vec![0xee; 4];
        wire.extend_from_slice(&plain_request(i));
        let _ = s.write_all(&wire).await;
        let answer = read_frame(&mut s).await;
        (s, answer)
    };
    let mut open = Vec::new();
    for i in 0..2 {
        let (s, answer) = connect_and_call(i).await;
        assert!(answer.is_some(), "connection {i} served");
        open.push(s);
    }
    // A third from the same address is closed at accept, unanswered.
    let (_third, answer) = connect_and_call(2).await;
    assert_eq!(answer, None);
    wait_for(&events, "refused", |e| {
        matches!(
            e,
            ServerEvent::Refused {
                reason: RefuseReason::TooManyFromAddress { limit: 2 },
                ..
            }
        )
    })
    .await;
    // Once one of the two closes, the address is served again.
    drop(open.pop());
    wait_for(&events, "closed", |e| {
        matches!(
            e,
            ServerEvent::Closed {
                reason: CloseReason::PeerClosed,
                ..
            }
        )
    })
    .await;
    let (_fourth, answer) = connect_and_call(3).await;
    assert!(answer.is_some(), "served again after a close");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_delay_disconnect_closes_the_connection_after_its_delay() {
    use zerotl_mtproto::envelope::{classify, ServiceMessage};
    use zerotl_types::mtproto::functions as mtf;

    let keys = KeyStore::default();
    let (key, salt) = (AuthKey::from_bytes([0x63; 256]), 0x6363);
    keys.insert(key.clone(), salt);
    let (builder, events) = recording(ServerBuilder::new().security(Security {
        keys: keys.clone(),
        ..Security::default()
    }));
    let server = builder.spawn().await.unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let mut client = Session::client(key, salt, 0x63, 0);
    let mut ping = |client: &mut Session, ping_id: i64, delay: Option<i32>| {
        let body = match delay {
            Some(disconnect_delay) => zerotl::encode_to_vec(&mtf::PingDelayDisconnect {
                ping_id,
                disconnect_delay,
            }),
            None => zerotl::encode_to_vec(&mtf::Ping { ping_id }),
        }
        .unwrap();
        let mut m = (0u32).to_le_bytes().to_vec();
        client
            .pack(&body, true, wall_clock(), &mut rng, &mut m)
            .unwrap();
        let len = (m.len() - 4) as u32;
        m[..4].copy_from_slice(&len.to_le_bytes());
        m
    };
    // The pong for `ping_id` (whatever else comes first is skipped).
    async fn pong(s: &mut TcpStream, client: &mut Session, ping_id: i64) {
        loop {
            let mut frame = read_frame(s).await.expect("a pong, not a close");
            let m = client.unpack(&mut frame, wall_clock()).unwrap();
            if let Ok(ServiceMessage::Pong(p)) = classify(m.body()) {
                assert_eq!(p.ping_id, ping_id);
                return;
            }
        }
    }

    // A delay of 1 s: answered, then closed about a second later.
    let mut s = TcpStream::connect(server.local_addr()).await.unwrap();
    s.write_all(&[0xee; 4]).await.unwrap();
    let sent = Instant::now();
    s.write_all(&ping(&mut client, 1, Some(1))).await.unwrap();
    pong(&mut s, &mut client, 1).await;
    assert_eq!(read_frame(&mut s).await, None, "closed");
    let waited = sent.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "closed after {waited:?}"
    );
    wait_for(&events, "disconnect delay", |e| {
        matches!(
            e,
            ServerEvent::Closed {
                reason: CloseReason::DisconnectDelay,
                ..
            }
        )
    })
    .await;

    // A later ping_delay_disconnect moves the time: 1 s, then 3 s half a second
    // later; at 1.5 s the connection still answers.
    let mut s = TcpStream::connect(server.local_addr()).await.unwrap();
    s.write_all(&[0xee; 4]).await.unwrap();
    s.write_all(&ping(&mut client, 2, Some(1))).await.unwrap();
    pong(&mut s, &mut client, 2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let second = Instant::now();
    s.write_all(&ping(&mut client, 3, Some(3))).await.unwrap();
    pong(&mut s, &mut client, 3).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    s.write_all(&ping(&mut client, 4, None)).await.unwrap();
    pong(&mut s, &mut client, 4).await;
    assert_eq!(read_frame(&mut s).await, None, "closed");
    let waited = second.elapsed();
    assert!(
        waited >= Duration::from_millis(2900) && waited < Duration::from_secs(7),
        "closed {waited:?} after the second ping"
    );
    server.shutdown().await;
}
