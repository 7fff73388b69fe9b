//! Differential tests against Telethon 1.45 (`tests/oracles/telethon_crypto.py`).
//!
//! Skipped unless `ZEROTL_ORACLES=1` (then Python 3 with `telethon==1.45.0` must
//! be installed; `ZEROTL_PYTHON` overrides the interpreter). Run with:
//!
//! ```text
//! pip install telethon==1.45.0
//! ZEROTL_ORACLES=1 cargo test -p zerotl-mtproto --test crypto_oracle
//! ```

mod auth_support;

use auth_support::{seeded, test_server_key, SERVER_TIME};
use rand::RngCore;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use zerotl_mtproto::auth::{KeyExchangeServer, KeyExchangeServerConfig, ServerStep};
use zerotl_mtproto::crypto::kdf::message_aes_key_iv;
use zerotl_mtproto::crypto::{
    aes_ige_decrypt, aes_ige_encrypt, factor, keys, rsa::RsaPublicKey, AuthKey,
};
use zerotl_mtproto::session::{ServerMsgKind, Session};
use zerotl_mtproto::{Side, UnixTime};

/// The wall clock, as the core takes it.
fn wall_clock() -> UnixTime {
    UnixTime::from_duration_since_epoch(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap(),
    )
}

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/oracles/telethon_crypto.py"
);

fn enabled() -> bool {
    if std::env::var("ZEROTL_ORACLES").as_deref() == Ok("1") {
        true
    } else {
        eprintln!("skipped: set ZEROTL_ORACLES=1 (needs python3 with telethon==1.45.0)");
        false
    }
}

fn python() -> String {
    std::env::var("ZEROTL_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Sends all cases to the oracle in one process; returns one answer per case.
fn oracle(cases: &[Value]) -> Vec<Value> {
    let mut child = Command::new(python())
        .arg(SCRIPT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("ZEROTL_ORACLES=1 needs python3");
    let mut input = String::new();
    for case in cases {
        input.push_str(&case.to_string());
        input.push('\n');
    }
    // Write from another thread: the oracle answers while we are still writing.
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "oracle failed");
    let answers: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), cases.len());
    for (case, answer) in cases.iter().zip(&answers) {
        assert!(
            answer.get("error").is_none() || case["op"] == "decrypt_server_message",
            "{case} -> {answer}"
        );
    }
    answers
}

/// A check of one oracle answer.
type Check = Box<dyn Fn(&Value)>;

fn bytes(rng: &mut impl RngCore, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rng.fill_bytes(&mut v);
    v
}

fn hx(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

#[test]
fn primitives_on_random_inputs() {
    if !enabled() {
        return;
    }
    let mut rng = seeded(100);
    let mut cases = Vec::new();
    let mut expected: Vec<Check> = Vec::new();
    for i in 0..100 {
        let key: [u8; 32] = bytes(&mut rng, 32).try_into().unwrap();
        let iv: [u8; 32] = bytes(&mut rng, 32).try_into().unwrap();
        let data = bytes(&mut rng, 16 * (i % 40));
        let ours = aes_ige_encrypt(&data, &key, &iv).unwrap();
        cases.push(json!({"op": "ige_encrypt", "key": hex::encode(key), "iv": hex::encode(iv), "data": hex::encode(&data)}));
        expected.push(Box::new(move |a| assert_eq!(hx(&a["out"]), ours)));
        let ours = aes_ige_decrypt(&data, &key, &iv).unwrap();
        cases.push(json!({"op": "ige_decrypt", "key": hex::encode(key), "iv": hex::encode(iv), "data": hex::encode(&data)}));
        expected.push(Box::new(move |a| assert_eq!(hx(&a["out"]), ours)));

        let auth_key = AuthKey::from_bytes(bytes(&mut rng, 256).try_into().unwrap());
        let new_nonce: [u8; 32] = bytes(&mut rng, 32).try_into().unwrap();
        cases.push(json!({"op": "auth_key", "key": hex::encode(auth_key.as_bytes()), "new_nonce": hex::encode(new_nonce)}));
        let k = auth_key.clone();
        expected.push(Box::new(move |a| {
            assert_eq!(hx(&a["key_id"]), k.id_bytes());
            assert_eq!(hx(&a["aux_hash"]), k.aux_hash());
            for n in 1..=3u8 {
                assert_eq!(hx(&a[format!("nnh{n}")]), k.new_nonce_hash(&new_nonce, n));
            }
        }));
        let msg_key: [u8; 16] = bytes(&mut rng, 16).try_into().unwrap();
        for side in [Side::Client, Side::Server] {
            cases.push(json!({"op": "calc_key", "key": hex::encode(auth_key.as_bytes()), "msg_key": hex::encode(msg_key), "client": side == Side::Client}));
            let (k, iv) = message_aes_key_iv(&auth_key, &msg_key, side);
            expected.push(Box::new(move |a| {
                assert_eq!(hx(&a["aes_key"]), k);
                assert_eq!(hx(&a["aes_iv"]), iv);
            }));
        }
        // A semiprime of two 31-bit primes, as our server makes them.
        let prime = |rng: &mut rand::rngs::StdRng| loop {
            let c = (u64::from(rng.next_u32()) & 0x3fff_ffff) | 0x4000_0001;
            if factor::is_prime(c) {
                break c;
            }
        };
        let (p, q) = (prime(&mut rng), prime(&mut rng));
        if p != q {
            cases.push(json!({"op": "factorize", "pq": p * q}));
            let ours = factor::factorize_pq(p * q).unwrap();
            expected.push(Box::new(move |a| {
                assert_eq!((a["p"].as_u64().unwrap(), a["q"].as_u64().unwrap()), ours)
            }));
        }
    }
    for known in keys::PRODUCTION_KEYS.iter().chain(keys::TEST_KEYS) {
        cases.push(json!({"op": "fingerprint", "pem": known.pem}));
        let ours = RsaPublicKey::from_pem(known.pem).unwrap().fingerprint();
        expected.push(Box::new(move |a| {
            assert_eq!(hx(&a["fingerprint"]), ours.to_le_bytes())
        }));
    }
    let answers = oracle(&cases);
    for (check, answer) in expected.iter().zip(&answers) {
        check(answer);
    }
}

#[test]
fn telethon_client_messages_open_in_our_server_session() {
    if !enabled() {
        return;
    }
    let mut rng = seeded(101);
    let auth_key = AuthKey::from_bytes(bytes(&mut rng, 256).try_into().unwrap());
    let now = wall_clock();
    let base = (now.as_secs() as i64) << 32;
    let mut cases = Vec::new();
    let mut bodies = Vec::new();
    for i in 0..50i64 {
        let body = bytes(&mut rng, 4 * (1 + (i as usize * 7) % 300));
        let unpadded = 16 + 16 + body.len();
        let padding = (16 - (unpadded + 12) % 16) % 16 + 12;
        cases.push(json!({
            "op": "encrypt_client_message", "key": hex::encode(auth_key.as_bytes()),
            "session_id": 77, "salt": 99, "msg_id": base + 4 * (i + 1), "seq_no": 2 * i + 1,
            "body": hex::encode(&body), "padding": hex::encode(bytes(&mut rng, padding)),
        }));
        bodies.push(body);
    }
    let answers = oracle(&cases);
    let mut server = Session::server(auth_key, 99);
    for (i, (answer, body)) in answers.iter().zip(&bodies).enumerate() {
        let got = server
            .unpack_to_owned(&hx(&answer["message"]), now)
            .unwrap();
        assert_eq!(got.body(), &body[..]);
        assert_eq!(got.seq_no, 2 * i as i32 + 1);
        assert_eq!(got.session_id, 77);
    }
}

#[test]
fn our_server_messages_open_in_telethon() {
    if !enabled() {
        return;
    }
    let mut rng = seeded(102);
    let auth_key = AuthKey::from_bytes(bytes(&mut rng, 256).try_into().unwrap());
    let mut client = Session::client(auth_key.clone(), 5, 4242, 0);
    let mut server = Session::server(auth_key.clone(), 5);
    server
        .unpack_to_owned(
            &client
                .pack_to_vec(
                    &[0xec, 0x77, 0xbe, 0x7a, 1, 0, 0, 0, 0, 0, 0, 0],
                    true,
                    wall_clock(),
                    &mut rng,
                )
                .unwrap()
                .bytes,
            wall_clock(),
        )
        .unwrap();
    let mut cases = Vec::new();
    let mut sent = Vec::new();
    for i in 0..20i64 {
        // pong#347773c5 msg_id:long ping_id:long
        let mut body = 0x347773c5u32.to_le_bytes().to_vec();
        body.extend_from_slice(&(1000 + i).to_le_bytes());
        body.extend_from_slice(&(2000 + i).to_le_bytes());
        let kind = if i % 2 == 0 {
            ServerMsgKind::Response
        } else {
            ServerMsgKind::Notification
        };
        let packed = server
            .pack_kind_to_vec(&body, false, kind, wall_clock(), &mut rng)
            .unwrap();
        cases.push(json!({"op": "decrypt_server_message", "key": hex::encode(auth_key.as_bytes()), "session_id": 4242, "message": hex::encode(&packed.bytes)}));
        sent.push(packed);
    }
    // Telethon refuses a tampered one and one for another session.
    let mut tampered = sent[0].bytes.clone();
    *tampered.last_mut().unwrap() ^= 1;
    cases.push(json!({"op": "decrypt_server_message", "key": hex::encode(auth_key.as_bytes()), "session_id": 4242, "message": hex::encode(&tampered)}));
    cases.push(json!({"op": "decrypt_server_message", "key": hex::encode(auth_key.as_bytes()), "session_id": 4243, "message": hex::encode(&sent[1].bytes)}));
    let answers = oracle(&cases);
    for (i, (answer, packed)) in answers.iter().zip(&sent).enumerate() {
        assert_eq!(answer["type"], "Pong", "{answer}");
        assert_eq!(answer["msg_id"].as_i64(), Some(packed.msg_id));
        assert_eq!(answer["seq_no"].as_i64(), Some(i64::from(packed.seq_no)));
        assert_eq!(answer["obj"]["ping_id"].as_i64(), Some(2000 + i as i64));
    }
    assert!(
        answers[20]["error"]
            .as_str()
            .unwrap()
            .contains("SecurityError"),
        "{}",
        answers[20]
    );
    assert!(
        answers[21]["error"]
            .as_str()
            .unwrap()
            .contains("SecurityError"),
        "{}",
        answers[21]
    );
    let _ = aes_ige_decrypt(&[], &[0; 32], &[0; 32]);
}

/// Telethon's own client key exchange (legacy RSA padding, p_q_inner_data)
/// against our server state machine: both end with the same key.
#[test]
fn telethon_creates_a_key_with_our_server() {
    if !enabled() {
        return;
    }
    let key = test_server_key();
    let mut child = Command::new(python())
        .arg(SCRIPT)
        .arg("--handshake")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("ZEROTL_ORACLES=1 needs python3");
    let mut to_py = child.stdin.take().unwrap();
    let mut from_py = BufReader::new(child.stdout.take().unwrap());
    writeln!(
        to_py,
        "{}",
        key.public_key().to_pkcs1_pem().trim().replace('\n', "|")
    )
    .unwrap();
    let config = Arc::new(KeyExchangeServerConfig::new(key));
    let mut server = KeyExchangeServer::new(config.clone());
    let mut rng = seeded(103);
    let mut server_key = None;
    let line = loop {
        let mut line = String::new();
        from_py.read_line(&mut line).unwrap();
        let line = line.trim().to_string();
        if line.starts_with("RETRY ") {
            // Telethon shortened its own key (see oracles/telethon_quirks.py) and
            // starts again: so does the server.
            server = KeyExchangeServer::new(config.clone());
            server_key = None;
            continue;
        }
        let Some(request) = line.strip_prefix("REQ ") else {
            break line;
        };
        let reply = match server
            .handle(&hex::decode(request).unwrap(), SERVER_TIME, &mut rng)
            .unwrap()
        {
            ServerStep::Reply(r) => r,
            ServerStep::Done { reply, outcome } => {
                server_key = Some(outcome.auth_key);
                reply
            }
        };
        writeln!(to_py, "{}", hex::encode(reply)).unwrap();
    };
    child.wait().unwrap();
    let parts: Vec<&str> = line.split(' ').collect();
    assert_eq!(parts[0], "DONE", "{line}");
    let server_key = server_key.expect("server finished");
    assert_eq!(
        hex::decode(parts[1]).unwrap(),
        server_key.as_bytes().to_vec()
    );
}
