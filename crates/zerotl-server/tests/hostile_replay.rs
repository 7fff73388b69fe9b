//! Hostile peers against the server's per-key session state: a recorded
//! encrypted request replayed on the same connection and on a new one, salts
//! that rotate and expire, the seq_no and container rules. The attacker here
//! builds its bytes with the core's client `Session` and raw sockets (or drives
//! the sans-IO server core directly when the clock must move).

mod e2e_support;

use e2e_support::{export, wall_clock};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use zerotl::Identifiable as _;
use zerotl_mtproto::crypto::AuthKey;
use zerotl_mtproto::envelope::{classify, encode_container, ServiceMessage};
use zerotl_mtproto::server::{
    KeyState, ServerConnection, ServerConnectionConfig, ServerConnectionEvent, ServerContext,
    DEFAULT_SALT_OVERLAP, DEFAULT_SALT_PERIOD,
};
use zerotl_mtproto::session::Session;
use zerotl_mtproto::UnixTime;
use zerotl_server::keys::{KeyStore, Security};
use zerotl_server::{ServerBuilder, ServerEvent};
use zerotl_types::mtproto::{functions as mtf, types as mtt};

fn export_bytes(chat_id: i32) -> Vec<u8> {
    zerotl::encode_to_vec(&export(chat_id)).unwrap()
}

/// An intermediate frame around `message`.
fn frame(message: &[u8]) -> Vec<u8> {
    let mut f = (message.len() as u32).to_le_bytes().to_vec();
    f.extend_from_slice(message);
    f
}

fn test_key(byte: u8) -> AuthKey {
    AuthKey::from_bytes([byte; 256])
}

async fn wait_for(count: &AtomicUsize, n: usize) {
    for _ in 0..500 {
        if count.load(Ordering::SeqCst) >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("only {} of {n} requests ran", count.load(Ordering::SeqCst));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_request_runs_once_on_any_connection() {
    let keys = KeyStore::default();
    let (key, salt) = (test_key(0x5a), 0x0123_4567_89ab_cdef);
    keys.insert(key.clone(), salt);
    let ran = Arc::new(AtomicUsize::new(0));
    let counter = ran.clone();
    let server = ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .security(Security {
            keys: keys.clone(),
            ..Security::default()
        })
        .observer(move |e| {
            if matches!(e, ServerEvent::Request { .. }) {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        })
        .spawn()
        .await
        .unwrap();

    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut client = Session::client(key, salt, 0x7777, 0);
    let mut pack = |chat| {
        let mut m = Vec::new();
        client
            .pack(&export_bytes(chat), true, wall_clock(), &mut rng, &mut m)
            .unwrap();
        frame(&m)
    };
    let recorded = pack(1);
    let fresh = pack(2);
    let fresh_again = pack(3);

    let mut first = TcpStream::connect(server.local_addr()).await.unwrap();
    first.write_all(&[0xee; 4]).await.unwrap();
    first.write_all(&recorded).await.unwrap();
    wait_for(&ran, 1).await;
    // The same bytes again on the same connection, then a fresh request: once
    // the fresh one ran, the replay was handled (in order) and did not run.
    first.write_all(&recorded).await.unwrap();
    first.write_all(&fresh).await.unwrap();
    wait_for(&ran, 2).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        ran.load(Ordering::SeqCst),
        2,
        "replay on the same connection"
    );

    // A new connection: the replay and a fresh request.
    let mut second = TcpStream::connect(server.local_addr()).await.unwrap();
    second.write_all(&[0xee; 4]).await.unwrap();
    second.write_all(&recorded).await.unwrap();
    second.write_all(&fresh_again).await.unwrap();
    wait_for(&ran, 3).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(ran.load(Ordering::SeqCst), 3, "replay on a new connection");

    // Both connections are still served.
    let mut buf = [0u8; 64];
    first.write_all(&pack(4)).await.unwrap();
    wait_for(&ran, 4).await;
    assert!(first.read(&mut buf).await.unwrap() > 0);
    server.shutdown().await;
}

/// A key store for the sans-IO runs: the server's own, whose keys start their
/// salt schedule at a chosen time.
fn store_with(key: &AuthKey, salt: i64, t0: UnixTime) -> KeyStore {
    let keys = KeyStore::default();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    keys.insert_state(KeyState::new(key.clone(), salt, t0, &mut rng));
    keys
}

/// Sends `message` (one encrypted message) on `conn` at `now`; returns the
/// bodies of everything the server answered, decrypted by `client`, and the
/// requests it handed out (answered at once with `boolTrue`).
fn exchange(
    conn: &mut ServerConnection,
    keys: &KeyStore,
    client: &mut Session,
    message: &[u8],
    now: UnixTime,
    first: bool,
) -> (Vec<Vec<u8>>, usize) {
    let cx = ServerContext {
        key_exchange: None,
        keys,
        insecure_plain: false,
        now,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut wire = if first { vec![0xee; 4] } else { Vec::new() };
    wire.extend_from_slice(&frame(message));
    conn.receive(&wire, &cx, &mut rng).unwrap();
    let mut requests = 0;
    while let Some(event) = conn.poll_event() {
        if let ServerConnectionEvent::Request(r) = event {
            requests += 1;
            conn.reply(&r, &0x997275b5u32.to_le_bytes(), &cx, &mut rng)
                .unwrap();
        }
    }
    let out = conn.output().to_vec();
    conn.consume_output(out.len(), now);
    let mut bodies = Vec::new();
    let mut rest = &out[..];
    while let Some((len, tail)) = rest.split_first_chunk::<4>() {
        let len = u32::from_le_bytes(*len) as usize;
        let mut message = tail[..len].to_vec();
        let m = client.unpack(&mut message, now).expect("a server message");
        bodies.push(m.body().to_vec());
        rest = &tail[len..];
    }
    (bodies, requests)
}

fn pack(client: &mut Session, body: &[u8], content: bool, now: UnixTime) -> Vec<u8> {
    let mut m = Vec::new();
    let mut rng = ChaCha8Rng::seed_from_u64(body.len() as u64);
    client.pack(body, content, now, &mut rng, &mut m).unwrap();
    m
}

fn bad_msg_code(bodies: &[Vec<u8>]) -> Option<i32> {
    bodies.iter().find_map(|b| match classify(b) {
        Ok(ServiceMessage::BadMsgNotification(n)) => Some(n.error_code),
        _ => None,
    })
}

#[test]
fn salts_rotate_old_ones_work_until_they_expire() {
    let t0 = 1_700_000_000;
    let at = |s: u64| UnixTime::from_secs(t0 + s);
    let (key, first_salt) = (test_key(0x33), 0x1111);
    let keys = store_with(&key, first_salt, at(0));
    let mut conn = ServerConnection::new(ServerConnectionConfig::default(), at(0));
    let mut client = Session::client(key, first_salt, 42, 0);

    // get_future_salts: the current salt first, then the ones after it.
    let ask = zerotl::encode_to_vec(&mtf::GetFutureSalts { num: 3 }).unwrap();
    let m = pack(&mut client, &ask, true, at(10));
    let (bodies, _) = exchange(&mut conn, &keys, &mut client, &m, at(10), true);
    let salts_body = bodies
        .iter()
        .find(|b| b[..4] == mtt::FutureSalts::CONSTRUCTOR_ID.to_le_bytes())
        .expect("future_salts answered");
    let count = u32::from_le_bytes(salts_body[16..20].try_into().unwrap()) as usize;
    assert_eq!(count, 3);
    let salt_at =
        |i: usize| i64::from_le_bytes(salts_body[28 + 16 * i..36 + 16 * i].try_into().unwrap());
    assert_eq!(salt_at(0), first_salt);
    let next = salt_at(1);
    assert_ne!(next, first_salt);

    // In the next period the old salt still works within its overlap.
    let later = at(DEFAULT_SALT_PERIOD + 5);
    let m = pack(&mut client, &export_bytes(1), true, later);
    let (bodies, ran) = exchange(&mut conn, &keys, &mut client, &m, later, false);
    assert_eq!((ran, bad_msg_code(&bodies)), (1, None));

    // Past the overlap it gets bad_server_salt naming the current salt.
    let expired = at(DEFAULT_SALT_PERIOD + DEFAULT_SALT_OVERLAP + 1);
    let m = pack(&mut client, &export_bytes(1), true, expired);
    let (bodies, ran) = exchange(&mut conn, &keys, &mut client, &m, expired, false);
    assert_eq!(ran, 0);
    let new_salt = bodies
        .iter()
        .find_map(|b| match classify(b) {
            Ok(ServiceMessage::BadServerSalt(s)) => Some(s.new_server_salt),
            _ => None,
        })
        .expect("bad_server_salt");
    assert_eq!(new_salt, next);
    client.set_salt(new_salt);
    let m = pack(&mut client, &export_bytes(1), true, expired);
    let (_, ran) = exchange(&mut conn, &keys, &mut client, &m, expired, false);
    assert_eq!(ran, 1, "the new salt works");
}

#[test]
fn seq_no_and_container_rules_get_their_codes() {
    let t0 = 1_700_000_000;
    let now = UnixTime::from_secs(t0 + 1);
    let (key, salt) = (test_key(0x44), 0x2222);
    let keys = store_with(&key, salt, UnixTime::from_secs(t0));
    // Each case in a session (and on a connection) of its own.
    let fresh = |session_id| {
        (
            ServerConnection::new(ServerConnectionConfig::default(), UnixTime::from_secs(t0)),
            Session::client(key.clone(), salt, session_id, 0),
        )
    };

    // A query sent as not content-related (even seq_no): 35, not run.
    let (mut conn, mut client) = fresh(43);
    let m = pack(&mut client, &export_bytes(1), false, now);
    let (bodies, ran) = exchange(&mut conn, &keys, &mut client, &m, now, true);
    assert_eq!((ran, bad_msg_code(&bodies)), (0, Some(35)));

    // `ping` with an even seq_no (Pyrogram counts it as not content-related): a pong.
    let (mut conn, mut client) = fresh(47);
    let ping = zerotl::encode_to_vec(&mtf::Ping { ping_id: 77 }).unwrap();
    let m = pack(&mut client, &ping, false, now);
    let (bodies, _) = exchange(&mut conn, &keys, &mut client, &m, now, true);
    assert_eq!(bad_msg_code(&bodies), None);
    assert!(bodies
        .iter()
        .any(|b| matches!(classify(b), Ok(ServiceMessage::Pong(p)) if p.ping_id == 77)));

    // msgs_ack as content-related (odd): 34.
    let (mut conn, mut client) = fresh(44);
    let ack = zerotl::encode_to_vec(&mtt::MsgsAck {
        msg_ids: zerotl::Vector::from_slice(&[1i64 << 32]),
    })
    .unwrap();
    let m = pack(&mut client, &ack, true, now);
    let (bodies, _) = exchange(&mut conn, &keys, &mut client, &m, now, true);
    assert_eq!(bad_msg_code(&bodies), Some(34));

    let base = ((t0 + 1) as i64) << 32;
    let body = export_bytes(1);
    let inner = |msg_id, seqno| mtt::Message {
        msg_id,
        seqno,
        body: zerotl::Object::from_bytes(&body),
    };
    let container_of = |messages: &[mtt::Message<'_>]| {
        let mut c = Vec::new();
        encode_container(messages, &mut c).unwrap();
        c
    };

    // A container holding an id above its own: 64, nothing inside runs.
    let (mut conn, mut client) = fresh(45);
    let m = pack(
        &mut client,
        &container_of(&[inner(base + (1 << 30), 1)]),
        false,
        now,
    );
    let (bodies, ran) = exchange(&mut conn, &keys, &mut client, &m, now, true);
    assert_eq!((ran, bad_msg_code(&bodies)), (0, Some(64)));

    // The same id twice in one container: 64.
    let (mut conn, mut client) = fresh(46);
    let twice = container_of(&[inner(base - 8, 1), inner(base - 8, 3)]);
    let m = pack(&mut client, &twice, false, now);
    let (bodies, ran) = exchange(&mut conn, &keys, &mut client, &m, now, true);
    assert_eq!((ran, bad_msg_code(&bodies)), (0, Some(64)));

    // A good container (its seq_no after its messages', as a client numbers
    // them) runs each message once; a message repeated in a later container
    // does not run again.
    let (mut conn, mut client) = fresh(47);
    pack(&mut client, &body, true, now);
    pack(&mut client, &body, true, now);
    let good = container_of(&[inner(base - 8, 1), inner(base - 4, 3)]);
    let m = pack(&mut client, &good, false, now);
    let (_, ran) = exchange(&mut conn, &keys, &mut client, &m, now, true);
    assert_eq!(ran, 2);
    let m = pack(
        &mut client,
        &container_of(&[inner(base - 4, 3)]),
        false,
        now,
    );
    let (bodies, ran) = exchange(&mut conn, &keys, &mut client, &m, now, false);
    assert_eq!((ran, bad_msg_code(&bodies)), (0, None));
    // The same container again: its id was seen, 19.
    let (bodies, ran) = exchange(&mut conn, &keys, &mut client, &m, now, false);
    assert_eq!((ran, bad_msg_code(&bodies)), (0, Some(19)));

    // A later message with a lower seq_no (a client whose counter restarted): 32.
    let later = UnixTime::from_secs(t0 + 2);
    let mut restarted = Session::client(key.clone(), salt, 47, 0);
    let m = pack(&mut restarted, &body, true, later);
    let (bodies, ran) = exchange(&mut conn, &keys, &mut restarted, &m, later, false);
    assert_eq!((ran, bad_msg_code(&bodies)), (0, Some(32)));
}

#[test]
fn a_repeated_message_is_ignored_without_an_answer() {
    let t0 = 1_700_000_000;
    let now = UnixTime::from_secs(t0 + 1);
    let (key, salt) = (test_key(0x56), 0x4444);
    let keys = store_with(&key, salt, UnixTime::from_secs(t0));
    let mut conn = ServerConnection::new(ServerConnectionConfig::default(), now);
    let mut client = Session::client(key, salt, 50, 0);
    let m = pack(&mut client, &export_bytes(1), true, now);
    let (bodies, ran) = exchange(&mut conn, &keys, &mut client, &m, now, true);
    // new_session_created and the answer.
    assert_eq!((ran, bodies.len()), (1, 2));
    // The same message again: not run, and nothing at all is sent back.
    let (bodies, ran) = exchange(&mut conn, &keys, &mut client, &m, now, false);
    assert_eq!((ran, bodies.len()), (0, 0));
    assert!(conn.closing().is_none());
}

#[test]
fn messages_only_a_server_sends_are_answered_not_dropped() {
    use zerotl_mtproto::envelope::RpcOutcome;
    let t0 = 1_700_000_000;
    let now = UnixTime::from_secs(t0 + 1);
    let (key, salt) = (test_key(0x57), 0x5555);
    let keys = store_with(&key, salt, UnixTime::from_secs(t0));
    let mut conn = ServerConnection::new(ServerConnectionConfig::default(), now);
    let mut client = Session::client(key, salt, 51, 0);
    let pong = zerotl::encode_to_vec(&mtt::Pong {
        msg_id: 1,
        ping_id: 2,
    })
    .unwrap();
    let mut first = true;
    for content_related in [false, true] {
        let m = pack(&mut client, &pong, content_related, now);
        let (bodies, ran) = exchange(&mut conn, &keys, &mut client, &m, now, first);
        first = false;
        let errors: Vec<String> = bodies
            .iter()
            .filter_map(|b| match classify(b) {
                Ok(ServiceMessage::RpcResult(r)) => match RpcOutcome::of(r.result) {
                    Ok(RpcOutcome::Error(e)) => Some(e.error_message.as_str().to_owned()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        assert_eq!(ran, 0);
        assert_eq!(errors, ["INPUT_METHOD_INVALID"], "{content_related}");
    }
    assert!(conn.closing().is_none());
}

/// Every `bad_msg_notification` in `bodies`: (bad_msg_id, code).
fn bad_msgs(bodies: &[Vec<u8>]) -> Vec<(i64, i32)> {
    bodies
        .iter()
        .filter_map(|b| match classify(b) {
            Ok(ServiceMessage::BadMsgNotification(n)) => Some((n.bad_msg_id, n.error_code)),
            _ => None,
        })
        .collect()
}

#[test]
fn messages_inside_a_container_get_their_own_codes() {
    use zerotl_mtproto::server::KEY_REPLAY_WINDOW;
    let t0 = 1_700_000_000;
    let now = UnixTime::from_secs(t0 + 400);
    let (key, salt) = (test_key(0x55), 0x3333);
    let keys = store_with(&key, salt, UnixTime::from_secs(t0));
    let mut conn = ServerConnection::new(ServerConnectionConfig::default(), now);
    let mut client = Session::client(key.clone(), salt, 48, 0);

    // Fill the session's replay window (msgs_ack, not content-related): its
    // oldest id is now the floor.
    let ack = zerotl::encode_to_vec(&mtt::MsgsAck {
        msg_ids: zerotl::Vector::from_slice(&[1i64 << 32]),
    })
    .unwrap();
    for i in 0..=KEY_REPLAY_WINDOW {
        let m = pack(&mut client, &ack, false, now);
        let (bodies, _) = exchange(&mut conn, &keys, &mut client, &m, now, i == 0);
        assert_eq!(bad_msg_code(&bodies), None);
    }

    let body = export_bytes(1);
    let this_second = ((t0 + 400) as i64) << 32;
    let too_old = ((t0 + 400 - 301) as i64) << 32; // past MAX_AGE_SECS (300 s)
    let wrong_parity = this_second - 4 * 1000 + 2; // a server's kind of id
    let behind_window = this_second - 4 * 2000; // in time, below the window
    let messages = [
        mtt::Message {
            msg_id: too_old,
            seqno: 1,
            body: zerotl::Object::from_bytes(&body),
        },
        mtt::Message {
            msg_id: wrong_parity,
            seqno: 3,
            body: zerotl::Object::from_bytes(&body),
        },
        mtt::Message {
            msg_id: behind_window,
            seqno: 5,
            body: zerotl::Object::from_bytes(&body),
        },
    ];
    let mut container = Vec::new();
    encode_container(&messages, &mut container).unwrap();
    for _ in 0..3 {
        pack(&mut client, &body, true, now);
    }
    let m = pack(&mut client, &container, false, now);
    let (bodies, ran) = exchange(&mut conn, &keys, &mut client, &m, now, false);
    assert_eq!(ran, 0);
    let mut got = bad_msgs(&bodies);
    got.sort_unstable();
    let mut expected = vec![(too_old, 16), (wrong_parity, 18), (behind_window, 20)];
    expected.sort_unstable();
    assert_eq!(got, expected);

    // 17 (too far ahead) cannot happen inside a container that passed its own
    // check, since its messages' ids are below its own: a container from 40 s
    // ahead gets 17 itself, and nothing inside it runs.
    let ahead = UnixTime::from_secs(t0 + 440);
    let mut future = Session::client(key, salt, 49, 0);
    for _ in 0..3 {
        pack(&mut future, &body, true, ahead);
    }
    let inner = ((t0 + 439) as i64) << 32;
    let messages = [mtt::Message {
        msg_id: inner,
        seqno: 1,
        body: zerotl::Object::from_bytes(&body),
    }];
    let mut container = Vec::new();
    encode_container(&messages, &mut container).unwrap();
    let m = pack(&mut future, &container, false, ahead);
    let mut conn = ServerConnection::new(ServerConnectionConfig::default(), now);
    let (bodies, ran) = exchange(&mut conn, &keys, &mut future, &m, now, true);
    assert_eq!((ran, bad_msg_code(&bodies)), (0, Some(17)));
}

/// The next message the server sends on `s` (an intermediate frame), decrypted
/// by `client`: its body.
async fn next_body(s: &mut TcpStream, client: &mut Session) -> Vec<u8> {
    let mut len = [0u8; 4];
    tokio::time::timeout(Duration::from_secs(5), s.read_exact(&mut len))
        .await
        .expect("a message within 5 s")
        .unwrap();
    let mut message = vec![0u8; u32::from_le_bytes(len) as usize];
    s.read_exact(&mut message).await.unwrap();
    let m = client
        .unpack(&mut message, wall_clock())
        .expect("a server message");
    m.body().to_vec()
}

/// Reads messages on `s` until an `rpc_result` or one of the service answers;
/// returns its body and whether `new_session_created` came before it.
async fn next_answer(s: &mut TcpStream, client: &mut Session) -> (Vec<u8>, bool) {
    let mut new_session = false;
    loop {
        let body = next_body(s, client).await;
        match classify(&body) {
            Ok(ServiceMessage::NewSessionCreated(_)) => new_session = true,
            Ok(ServiceMessage::MsgsAck(_)) => {}
            _ => return (body, new_session),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_destroy_session_forgets_the_replay_state_and_the_layer() {
    use zerotl_mtproto::envelope::RpcOutcome;
    use zerotl_server::sessions::SessionRef;
    use zerotl_types::layer230::functions as f230;

    let keys = KeyStore::default();
    let (key, salt) = (test_key(0x6b), 0x0bad_cafe);
    keys.insert(key.clone(), salt);
    let server = ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .security(Security {
            keys: keys.clone(),
            ..Security::default()
        })
        .spawn()
        .await
        .unwrap();
    let (a_id, b_id) = (0x0a0a, 0x0b0b);
    let session_a = SessionRef {
        auth_key_id: Some(key.id()),
        session_id: Some(a_id),
    };
    let mut a = Session::client(key.clone(), salt, a_id, 0);
    let mut b = Session::client(key.clone(), salt, b_id, 0);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut send = |client: &mut Session, body: &[u8]| {
        let mut m = Vec::new();
        client
            .pack(body, true, wall_clock(), &mut rng, &mut m)
            .unwrap();
        frame(&m)
    };
    let rpc_result = |body: &[u8]| match classify(body) {
        Ok(ServiceMessage::RpcResult(r)) => match RpcOutcome::of(r.result).unwrap() {
            RpcOutcome::Ok(_) => Ok(()),
            RpcOutcome::Error(e) => Err(e.error_message.as_str().to_owned()),
            RpcOutcome::Gzipped(_) => panic!("gzip"),
        },
        other => panic!("not an rpc_result: {other:?}"),
    };

    // Session A names layer 122.
    let mut conn_a = TcpStream::connect(server.local_addr()).await.unwrap();
    conn_a.write_all(&[0xee; 4]).await.unwrap();
    let hello = zerotl::encode_to_vec(&f230::InvokeWithLayer {
        layer: 122,
        query: f230::help::GetNearestDc,
    })
    .unwrap();
    conn_a.write_all(&send(&mut a, &hello)).await.unwrap();
    let (answer, new_session) = next_answer(&mut conn_a, &mut a).await;
    assert!(new_session);
    assert_eq!(rpc_result(&answer), Ok(()));
    assert_eq!(server.world().session_layer(session_a), Some(122));

    // From session B: destroy_session(A) inside invokeWithLayer is no query; it
    // is refused and forgets nothing.
    let destroy = zerotl::encode_to_vec(&mtf::DestroySession { session_id: a_id }).unwrap();
    let wrapped = zerotl::encode_to_vec(&f230::InvokeWithLayer {
        layer: 230,
        query: zerotl::Object::from_bytes(&destroy),
    })
    .unwrap();
    let mut conn_b = TcpStream::connect(server.local_addr()).await.unwrap();
    conn_b.write_all(&[0xee; 4]).await.unwrap();
    conn_b.write_all(&send(&mut b, &wrapped)).await.unwrap();
    let (answer, _) = next_answer(&mut conn_b, &mut b).await;
    assert_eq!(rpc_result(&answer), Err("INPUT_METHOD_INVALID".to_owned()));
    assert_eq!(server.world().session_layer(session_a), Some(122));

    // The top-level destroy_session(A): answered by the core, and the layer is
    // gone as well (the driver handled the core's report before writing).
    conn_b.write_all(&send(&mut b, &destroy)).await.unwrap();
    let (answer, _) = next_answer(&mut conn_b, &mut b).await;
    assert_eq!(
        answer[..4],
        mtt::DestroySessionOk::CONSTRUCTOR_ID.to_le_bytes()
    );
    assert_eq!(server.world().session_layer(session_a), None);
    conn_b.write_all(&send(&mut b, &destroy)).await.unwrap();
    let (answer, _) = next_answer(&mut conn_b, &mut b).await;
    assert_eq!(
        answer[..4],
        mtt::DestroySessionNone::CONSTRUCTOR_ID.to_le_bytes()
    );

    // Session A's next message starts a new session in the core's registry too.
    let plain_call = zerotl::encode_to_vec(&f230::help::GetNearestDc).unwrap();
    conn_a.write_all(&send(&mut a, &plain_call)).await.unwrap();
    let (answer, new_session) = next_answer(&mut conn_a, &mut a).await;
    assert!(new_session, "the replay registry still knew session A");
    assert_eq!(rpc_result(&answer), Ok(()));
    assert_eq!(server.world().session_layer(session_a), None);
    server.shutdown().await;
}
