//! Encrypted MTProto 2.0 messages between a client and a server session:
//! flow both ways, every check on the way in, and recovery after refusals.

mod auth_support;

use auth_support::seeded;
use rand::rngs::StdRng;
use std::time::Duration;
use zerotl_mtproto::crypto::kdf::{message_aes_key_iv, msg_key};
use zerotl_mtproto::crypto::{aes_ige_encrypt, AuthKey};
use zerotl_mtproto::session::{ServerMsgKind, ServiceEvent, Session, SessionError};
use zerotl_mtproto::{Side, UnixTime};

const SALT: i64 = 0x1122_3344_5566_7788;
const SESSION_ID: i64 = 0x0102_0304_0506_0708;

fn key() -> AuthKey {
    let mut bytes = [0u8; 256];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(151).wrapping_add(7);
    }
    AuthKey::from_bytes(bytes)
}

fn now() -> UnixTime {
    UnixTime::from_secs(1_700_000_000) + Duration::from_millis(250)
}

fn pair() -> (Session, Session, StdRng) {
    (
        Session::client(key(), SALT, SESSION_ID, 0),
        Session::server(key(), SALT),
        seeded(11),
    )
}

const PING: [u8; 12] = [0xec, 0x77, 0xbe, 0x7a, 1, 2, 3, 4, 5, 6, 7, 8];

/// Builds an encrypted message by hand, to reach checks that our own `pack` never violates.
#[allow(clippy::too_many_arguments)]
fn forge(
    sender: Side,
    salt: i64,
    session_id: i64,
    msg_id: i64,
    declared_len: i32,
    body: &[u8],
    padding: usize,
) -> Vec<u8> {
    let key = key();
    let mut plain = Vec::new();
    plain.extend_from_slice(&salt.to_le_bytes());
    plain.extend_from_slice(&session_id.to_le_bytes());
    plain.extend_from_slice(&msg_id.to_le_bytes());
    plain.extend_from_slice(&1i32.to_le_bytes());
    plain.extend_from_slice(&declared_len.to_le_bytes());
    plain.extend_from_slice(body);
    plain.extend(std::iter::repeat_n(0x5a, padding));
    assert_eq!(
        plain.len() % 16,
        0,
        "forged plaintext must be block-aligned"
    );
    let mk = msg_key(&key, sender, &plain);
    let (k, iv) = message_aes_key_iv(&key, &mk, sender);
    let mut out = key.id_bytes().to_vec();
    out.extend_from_slice(&mk);
    out.extend_from_slice(&aes_ige_encrypt(&plain, &k, &iv).unwrap());
    out
}

fn server_msg_id(t: UnixTime, low: i64) -> i64 {
    let secs = t.as_secs() as i64;
    (secs << 32) | 0x1000 | low
}

#[test]
fn messages_flow_both_ways() {
    let (mut client, mut server, mut rng) = pair();
    let sent = client.pack_to_vec(&PING, true, now(), &mut rng).unwrap();
    assert_eq!(sent.msg_id & 3, 0);
    assert_eq!(sent.seq_no, 1);
    assert_eq!(&sent.bytes[..8], &key().id_bytes());
    assert_eq!((sent.bytes.len() - 24) % 16, 0);

    let got = server.unpack_to_owned(&sent.bytes, now()).unwrap();
    assert_eq!(got.body(), PING);
    assert_eq!(
        (got.msg_id, got.seq_no, got.salt, got.session_id),
        (sent.msg_id, 1, SALT, SESSION_ID)
    );
    assert!(got.new_session && got.is_content_related());
    assert_eq!(server.session_id(), Some(SESSION_ID));

    let answer = server
        .pack_to_vec(&[1, 0, 0, 0, 2, 0, 0, 0], true, now(), &mut rng)
        .unwrap();
    assert_eq!(answer.msg_id & 3, 1, "server responses are 1 mod 4");
    let got = client.unpack_to_owned(&answer.bytes, now()).unwrap();
    assert_eq!(got.body(), [1, 0, 0, 0, 2, 0, 0, 0]);
    assert!(!got.new_session);

    let update = server
        .pack_kind_to_vec(&PING, false, ServerMsgKind::Notification, now(), &mut rng)
        .unwrap();
    assert_eq!(update.msg_id & 3, 3);
    assert_eq!(
        update.seq_no, 2,
        "not content-related: 2 × one content message sent"
    );
    assert!(update.msg_id > answer.msg_id);
    assert_eq!(
        client
            .unpack_to_owned(&update.bytes, now())
            .unwrap()
            .constructor_id(),
        Some(0x7abe77ec)
    );

    // Big bodies too.
    let big = vec![0x42u8; 100_000];
    let sent = client.pack_to_vec(&big, true, now(), &mut rng).unwrap();
    assert_eq!(
        server.unpack_to_owned(&sent.bytes, now()).unwrap().body(),
        &big[..]
    );
}

#[test]
fn msg_ids_and_seq_nos_are_well_formed() {
    let (mut client, _, mut rng) = pair();
    let mut last = 0;
    for i in 0..50 {
        let p = client
            .pack_to_vec(&PING, i % 3 != 0, now(), &mut rng)
            .unwrap();
        assert!(p.msg_id > last, "strictly increasing at a fixed clock");
        assert_eq!(p.msg_id & 3, 0);
        assert_ne!(p.msg_id & 0xffff_ffff, 0);
        assert_eq!(p.msg_id >> 32, 1_700_000_000);
        last = p.msg_id;
    }
    let padding: Vec<usize> = (0..64)
        .map(|_| {
            client
                .pack_to_vec(&PING, false, now(), &mut rng)
                .unwrap()
                .bytes
                .len()
                - 24
                - 32
                - PING.len()
        })
        .collect();
    assert!(padding.iter().all(|&p| (12..=1024).contains(&p)));
    assert!(
        padding.iter().any(|&p| p != padding[0]),
        "padding length varies"
    );
    assert_eq!(
        client.pack_to_vec(&[1, 2, 3], true, now(), &mut rng),
        Err(SessionError::BodyNotAligned { len: 3 })
    );
}

#[test]
fn tampering_is_refused_and_the_session_keeps_working() {
    let (mut client, mut server, mut rng) = pair();
    let good = client
        .pack_to_vec(&PING, true, now(), &mut rng)
        .unwrap()
        .bytes;

    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    assert_eq!(
        server.unpack_to_owned(&flipped, now()),
        Err(SessionError::WrongMsgKey)
    );
    let mut flipped = good.clone();
    flipped[40] ^= 0x80;
    assert_eq!(
        server.unpack_to_owned(&flipped, now()),
        Err(SessionError::WrongMsgKey)
    );
    let mut wrong_key = good.clone();
    wrong_key[10] ^= 1;
    assert_eq!(
        server.unpack_to_owned(&wrong_key, now()),
        Err(SessionError::WrongMsgKey)
    );
    let mut wrong_id = good.clone();
    wrong_id[0] ^= 1;
    assert!(matches!(
        server.unpack_to_owned(&wrong_id, now()),
        Err(SessionError::WrongAuthKeyId { .. })
    ));
    assert_eq!(server.session_id(), None, "refused messages adopt nothing");

    assert_eq!(server.unpack_to_owned(&good, now()).unwrap().body(), PING);
    let next = client.pack_to_vec(&PING, true, now(), &mut rng).unwrap();
    assert_eq!(
        server.unpack_to_owned(&next.bytes, now()).unwrap().msg_id,
        next.msg_id
    );
}

#[test]
fn replays_are_refused() {
    let (mut client, mut server, mut rng) = pair();
    let first = client.pack_to_vec(&PING, true, now(), &mut rng).unwrap();
    let second = client.pack_to_vec(&PING, true, now(), &mut rng).unwrap();
    server.unpack_to_owned(&first.bytes, now()).unwrap();
    assert_eq!(
        server.unpack_to_owned(&first.bytes, now()),
        Err(SessionError::Duplicate {
            msg_id: first.msg_id
        })
    );
    assert_eq!(
        server.unpack_to_owned(&second.bytes, now()).unwrap().msg_id,
        second.msg_id
    );
    assert_eq!(
        server.unpack_to_owned(&second.bytes, now()),
        Err(SessionError::Duplicate {
            msg_id: second.msg_id
        })
    );

    // Server to client, and a bounded window.
    let mut client = Session::<2>::client_windowed(key(), SALT, SESSION_ID, 0);
    let msgs: Vec<_> = (0..4)
        .map(|_| server.pack_to_vec(&PING, false, now(), &mut rng).unwrap())
        .collect();
    client.unpack_to_owned(&msgs[1].bytes, now()).unwrap();
    client.unpack_to_owned(&msgs[2].bytes, now()).unwrap();
    client.unpack_to_owned(&msgs[3].bytes, now()).unwrap(); // forgets msgs[1]
    assert_eq!(
        client.unpack_to_owned(&msgs[1].bytes, now()),
        Err(SessionError::BehindReplayWindow {
            msg_id: msgs[1].msg_id
        })
    );
    assert_eq!(
        client.unpack_to_owned(&msgs[0].bytes, now()),
        Err(SessionError::BehindReplayWindow {
            msg_id: msgs[0].msg_id
        })
    );
    assert_eq!(
        client.unpack_to_owned(&msgs[3].bytes, now()),
        Err(SessionError::Duplicate {
            msg_id: msgs[3].msg_id
        })
    );
}

#[test]
fn wrong_session_ids_are_refused() {
    let (mut client, mut server, mut rng) = pair();
    server
        .unpack_to_owned(
            &client
                .pack_to_vec(&PING, true, now(), &mut rng)
                .unwrap()
                .bytes,
            now(),
        )
        .unwrap();

    let mut other = Session::client(key(), SALT, SESSION_ID + 1, 0);
    let stray = other.pack_to_vec(&PING, true, now(), &mut rng).unwrap();
    assert_eq!(
        server.unpack_to_owned(&stray.bytes, now()),
        Err(SessionError::WrongSessionId {
            expected: SESSION_ID,
            got: SESSION_ID + 1
        })
    );
    let mut elsewhere = Session::client(key(), SALT, 99, 0);
    let for_us = server.pack_to_vec(&PING, false, now(), &mut rng).unwrap();
    assert_eq!(
        elsewhere.unpack_to_owned(&for_us.bytes, now()),
        Err(SessionError::WrongSessionId {
            expected: 99,
            got: SESSION_ID
        })
    );
    // Both still work.
    assert!(server
        .unpack_to_owned(
            &client
                .pack_to_vec(&PING, true, now(), &mut rng)
                .unwrap()
                .bytes,
            now()
        )
        .is_ok());
    assert!(client.unpack_to_owned(&for_us.bytes, now()).is_ok());
}

#[test]
fn msg_id_parity_and_direction_are_checked() {
    let (mut client, mut server, _) = pair();
    let even = forge(
        Side::Server,
        SALT,
        SESSION_ID,
        server_msg_id(now(), 0),
        12,
        &PING,
        20,
    );
    assert!(matches!(
        client.unpack_to_owned(&even, now()),
        Err(SessionError::WrongMsgIdParity { .. })
    ));
    let odd_from_client = forge(
        Side::Client,
        SALT,
        SESSION_ID,
        server_msg_id(now(), 1),
        12,
        &PING,
        20,
    );
    assert!(matches!(
        server.unpack_to_owned(&odd_from_client, now()),
        Err(SessionError::WrongMsgIdParity { .. })
    ));
    assert_eq!(server.session_id(), None);
    // A client message reflected back to the client fails the key derivation of the other direction.
    let own = forge(
        Side::Client,
        SALT,
        SESSION_ID,
        server_msg_id(now(), 1),
        12,
        &PING,
        20,
    );
    assert_eq!(
        client.unpack_to_owned(&own, now()),
        Err(SessionError::WrongMsgKey)
    );
    let good = forge(
        Side::Server,
        SALT,
        SESSION_ID,
        server_msg_id(now(), 1),
        12,
        &PING,
        20,
    );
    assert_eq!(client.unpack_to_owned(&good, now()).unwrap().body(), PING);
}

#[test]
fn lengths_and_padding_are_checked() {
    let (mut client, _, _) = pair();
    let id = |n: i64| server_msg_id(now(), 1) + 4 * n;
    // declared length larger than what was decrypted
    let m = forge(Side::Server, SALT, SESSION_ID, id(0), 1000, &PING, 20);
    assert_eq!(
        client.unpack_to_owned(&m, now()),
        Err(SessionError::BadLength {
            declared: 1000,
            available: 32
        })
    );
    // negative, unaligned
    let m = forge(Side::Server, SALT, SESSION_ID, id(1), -4, &PING, 20);
    assert!(matches!(
        client.unpack_to_owned(&m, now()),
        Err(SessionError::BadLength { declared: -4, .. })
    ));
    let m = forge(Side::Server, SALT, SESSION_ID, id(2), 10, &PING, 20);
    assert!(matches!(
        client.unpack_to_owned(&m, now()),
        Err(SessionError::BadLength { declared: 10, .. })
    ));
    // padding below 12 and above 1024
    let m = forge(Side::Server, SALT, SESSION_ID, id(3), 12, &PING, 4);
    assert!(matches!(
        client.unpack_to_owned(&m, now()),
        Err(SessionError::BadLength { .. })
    ));
    let m = forge(Side::Server, SALT, SESSION_ID, id(4), 12, &PING, 1028);
    assert!(matches!(
        client.unpack_to_owned(&m, now()),
        Err(SessionError::BadLength { .. })
    ));
    let m = forge(Side::Server, SALT, SESSION_ID, id(5), 12, &PING, 1012);
    assert!(
        client.unpack_to_owned(&m, now()).is_ok(),
        "1012 bytes of padding are fine"
    );
    // short and unaligned input; every prefix of a good message fails cleanly
    assert_eq!(
        client.unpack_to_owned(&[0; 71], now()),
        Err(SessionError::TooShort { len: 71 })
    );
    assert_eq!(
        client.unpack_to_owned(&[0; 80], now()),
        Err(SessionError::NotBlockAligned { len: 56 })
    );
    let good = forge(Side::Server, SALT, SESSION_ID, id(6), 12, &PING, 20);
    for len in 0..good.len() {
        assert!(client.unpack_to_owned(&good[..len], now()).is_err());
    }
    assert!(client.unpack_to_owned(&good, now()).is_ok());
}

#[test]
fn msg_id_time_window() {
    let (mut client, mut server, mut rng) = pair();
    server
        .unpack_to_owned(
            &client
                .pack_to_vec(&PING, true, now(), &mut rng)
                .unwrap()
                .bytes,
            now(),
        )
        .unwrap();
    let old = server
        .pack_to_vec(&PING, false, now() - Duration::from_secs(301), &mut rng)
        .unwrap();
    assert!(matches!(
        client.unpack_to_owned(&old.bytes, now()),
        Err(SessionError::MsgIdTooOld { age_secs: 301, .. })
    ));
    let mut server = Session::server(key(), SALT);
    server
        .unpack_to_owned(
            &client
                .pack_to_vec(&PING, true, now(), &mut rng)
                .unwrap()
                .bytes,
            now(),
        )
        .unwrap();
    let ok = server
        .pack_to_vec(&PING, false, now() + Duration::from_secs(29), &mut rng)
        .unwrap();
    assert!(client.unpack_to_owned(&ok.bytes, now()).is_ok());
    let ahead = server
        .pack_to_vec(&PING, false, now() + Duration::from_secs(31), &mut rng)
        .unwrap();
    assert!(matches!(
        client.unpack_to_owned(&ahead.bytes, now()),
        Err(SessionError::MsgIdTooNew { ahead_secs: 31, .. })
    ));
}

/// bad_msg_notification 16: the client's clock is 20 minutes slow; the server
/// refuses its message, the client corrects its offset and resends.
#[test]
fn clock_correction_from_bad_msg_notification() {
    let (_, mut server, mut rng) = pair();
    let mut client = Session::client(key(), SALT, SESSION_ID, 0);
    let slow = now() - Duration::from_secs(1200);
    let first = client.pack_to_vec(&PING, true, slow, &mut rng).unwrap();
    let err = server.unpack_to_owned(&first.bytes, now()).unwrap_err();
    assert!(matches!(err, SessionError::MsgIdTooOld { msg_id, .. } if msg_id == first.msg_id));
    assert_eq!(err.bad_msg_notification(), Some((first.msg_id, 1, 16)));
    let notice = server
        .notify_refusal_to_vec(&err, now(), &mut rng)
        .expect("code 16 gets an answer");
    assert_eq!(
        server.session_id(),
        None,
        "a refused message changes nothing"
    );

    // The notification passes the client's (wrong) clock check.
    let got = client.unpack_to_owned(&notice.bytes, slow).unwrap();
    let event = client.handle_service(got.msg_id, got.body(), slow).unwrap();
    assert_eq!(
        event,
        Some(ServiceEvent::TimeCorrected {
            bad_msg_id: first.msg_id,
            offset: 1200
        })
    );
    assert_eq!(client.time_offset(), 1200);

    let resent = client.pack_to_vec(&PING, true, slow, &mut rng).unwrap();
    assert_eq!(resent.msg_id >> 32, 1_700_000_000);
    assert_eq!(
        server.unpack_to_owned(&resent.bytes, now()).unwrap().body(),
        PING
    );
}

/// bad_server_salt: the client uses an old salt; the server refuses, tells the
/// new salt; the client switches and resends.
#[test]
fn salt_correction_from_bad_server_salt() {
    let (_, mut server, mut rng) = pair();
    let mut client = Session::client(key(), SALT - 1, SESSION_ID, 0);
    let first = client.pack_to_vec(&PING, true, now(), &mut rng).unwrap();
    let err = server.unpack_to_owned(&first.bytes, now()).unwrap_err();
    assert_eq!(
        err,
        SessionError::WrongSalt {
            msg_id: first.msg_id,
            seq_no: 1,
            got: SALT - 1,
            session_id: SESSION_ID
        }
    );
    let notice = server.notify_refusal_to_vec(&err, now(), &mut rng).unwrap();
    let got = client.unpack_to_owned(&notice.bytes, now()).unwrap();
    assert_eq!(
        client
            .handle_service(got.msg_id, got.body(), now())
            .unwrap(),
        Some(ServiceEvent::SaltChanged {
            bad_msg_id: first.msg_id,
            new_salt: SALT
        })
    );
    assert_eq!(client.salt(), SALT);
    let resent = client.pack_to_vec(&PING, true, now(), &mut rng).unwrap();
    assert_eq!(
        server.unpack_to_owned(&resent.bytes, now()).unwrap().salt,
        SALT
    );
}

#[test]
fn new_session_created_updates_the_salt() {
    let (mut client, mut server, mut rng) = pair();
    let first = client.pack_to_vec(&PING, true, now(), &mut rng).unwrap();
    let got = server.unpack_to_owned(&first.bytes, now()).unwrap();
    assert!(got.new_session);
    server.set_salt(0x7777);
    let notice = server
        .new_session_created_to_vec(got.msg_id, now(), &mut rng)
        .unwrap();
    let got = client.unpack_to_owned(&notice.bytes, now()).unwrap();
    let Some(ServiceEvent::NewSession {
        first_msg_id,
        server_salt,
        ..
    }) = client
        .handle_service(got.msg_id, got.body(), now())
        .unwrap()
    else {
        panic!("new_session_created expected");
    };
    assert_eq!((first_msg_id, server_salt), (first.msg_id, 0x7777));
    assert_eq!(client.salt(), 0x7777);
    assert_eq!(client.handle_service(got.msg_id, &PING, now()), Ok(None));
    assert!(client
        .handle_service(got.msg_id, &0xa7eff811u32.to_le_bytes(), now())
        .is_err());
}

#[test]
fn seq_no_corrections() {
    let (mut client, _, mut rng) = pair();
    for _ in 0..3 {
        client.pack_to_vec(&PING, true, now(), &mut rng).unwrap();
    }
    let mut body = 0xa7eff811u32.to_le_bytes().to_vec();
    body.extend_from_slice(&5i64.to_le_bytes());
    body.extend_from_slice(&5i32.to_le_bytes());
    body.extend_from_slice(&32i32.to_le_bytes());
    assert_eq!(
        client
            .handle_service(server_msg_id(now(), 1), &body, now())
            .unwrap(),
        Some(ServiceEvent::SeqNoCorrected {
            bad_msg_id: 5,
            code: 32
        })
    );
    assert_eq!(
        client
            .pack_to_vec(&PING, true, now(), &mut rng)
            .unwrap()
            .seq_no,
        2 * (3 + 32) + 1
    );
    body[16..20].copy_from_slice(&35i32.to_le_bytes());
    assert_eq!(
        client
            .handle_service(server_msg_id(now(), 1), &body, now())
            .unwrap(),
        Some(ServiceEvent::BadMessage {
            bad_msg_id: 5,
            code: 35
        })
    );
}
