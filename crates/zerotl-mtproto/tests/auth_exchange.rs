//! Our client and our server complete key exchanges in memory.

mod auth_support;

use auth_support::{run_exchange, seeded, test_server_key, SERVER_TIME};
use std::sync::Arc;
use zerotl::Decode;
use zerotl_mtproto::auth::{
    AuthError, ClientStep, KeyExchangeClient, KeyExchangeConfig, KeyExchangeServer,
    KeyExchangeServerConfig, KeyVerdict, ServerStep,
};
use zerotl_mtproto::crypto::kdf::handshake_aes_key_iv;
use zerotl_mtproto::crypto::rsa::{legacy_encrypt, rsa_pad_decrypt, rsa_pad_encrypt, RsaError};
use zerotl_mtproto::crypto::{aes_ige_decrypt, keys, sha1};
use zerotl_types::mtproto::{enums, functions, types};

fn client_config() -> KeyExchangeConfig {
    KeyExchangeConfig::new(vec![test_server_key().public_key().clone()], 2)
}

#[test]
fn client_and_server_derive_the_same_key() {
    let mut rng = seeded(1);
    let (client, server) = run_exchange(
        client_config(),
        KeyExchangeServerConfig::new(test_server_key()),
        &mut |_| KeyVerdict::Accept,
        &mut rng,
    );
    let client = client.unwrap();
    let server = server.expect("server finished");
    assert_eq!(client.auth_key, server.auth_key);
    assert_eq!(client.auth_key.id(), server.auth_key.id());
    assert_eq!(client.server_salt, server.server_salt);
    assert_eq!(client.server_time, SERVER_TIME);
    assert_eq!(server.dc, Some(2));
    assert_eq!(server.expires_in, None);
    assert_ne!(client.auth_key.as_bytes(), &[0u8; 256]);
}

#[test]
fn two_exchanges_give_different_keys() {
    let mut rng = seeded(2);
    let a = run_exchange(
        client_config(),
        KeyExchangeServerConfig::new(test_server_key()),
        &mut |_| KeyVerdict::Accept,
        &mut rng,
    )
    .0
    .unwrap();
    let b = run_exchange(
        client_config(),
        KeyExchangeServerConfig::new(test_server_key()),
        &mut |_| KeyVerdict::Accept,
        &mut rng,
    )
    .0
    .unwrap();
    assert_ne!(a.auth_key, b.auth_key);
}

#[test]
fn temporary_key_for_a_test_dc() {
    let mut rng = seeded(3);
    let mut config = client_config();
    config.dc = 10_002;
    config.temp_key_expires_in = Some(86_400);
    let (client, server) = run_exchange(
        config,
        KeyExchangeServerConfig::new(test_server_key()),
        &mut |_| KeyVerdict::Accept,
        &mut rng,
    );
    let (client, server) = (client.unwrap(), server.unwrap());
    assert_eq!(client.auth_key, server.auth_key);
    assert_eq!(server.dc, Some(10_002));
    assert_eq!(server.expires_in, Some(86_400));
}

#[test]
fn dh_gen_retry_makes_the_client_pick_a_new_b() {
    let mut rng = seeded(4);
    let mut refused = Vec::new();
    let (client, server) = run_exchange(
        client_config(),
        KeyExchangeServerConfig::new(test_server_key()),
        &mut |key| {
            if refused.len() < 2 {
                refused.push(key.clone());
                KeyVerdict::Retry
            } else {
                KeyVerdict::Accept
            }
        },
        &mut rng,
    );
    let (client, server) = (client.unwrap(), server.unwrap());
    assert_eq!(client.auth_key, server.auth_key);
    assert_eq!(refused.len(), 2);
    assert!(refused.iter().all(|k| *k != client.auth_key));
}

#[test]
fn dh_gen_fail_is_a_typed_error() {
    let mut rng = seeded(5);
    let (client, server) = run_exchange(
        client_config(),
        KeyExchangeServerConfig::new(test_server_key()),
        &mut |_| KeyVerdict::Fail,
        &mut rng,
    );
    assert_eq!(client, Err(AuthError::DhGenFail));
    assert!(server.is_none());
}

#[test]
fn endless_retries_end_with_dh_gen_fail() {
    let mut rng = seeded(6);
    let (client, _) = run_exchange(
        client_config(),
        KeyExchangeServerConfig::new(test_server_key()),
        &mut |_| KeyVerdict::Retry,
        &mut rng,
    );
    assert_eq!(
        client,
        Err(AuthError::DhGenFail),
        "the server gives up after its retry budget"
    );
}

#[test]
fn production_config_trusts_the_bundled_keys() {
    let config = KeyExchangeConfig::telegram_production(2);
    let fingerprints: Vec<u64> = config
        .trusted_keys
        .iter()
        .map(|k| k.fingerprint() as u64)
        .collect();
    let published: Vec<u64> = keys::PRODUCTION_KEYS
        .iter()
        .map(|k| k.fingerprint)
        .collect();
    assert_eq!(fingerprints, published);
    assert_eq!(KeyExchangeConfig::telegram_test(2).dc, 10_002);
    assert_eq!(
        KeyExchangeConfig::telegram_test(2).trusted_keys[0].fingerprint() as u64,
        0xb25898df208d2603
    );
}

/// A repeated request (the client re-sending after a lost answer) gets the same answer.
#[test]
fn server_repeats_its_answer_to_a_repeated_request() {
    let mut rng = seeded(7);
    let (_, req_pq) = KeyExchangeClient::start(client_config(), &mut rng).unwrap();
    let mut server =
        KeyExchangeServer::new(Arc::new(KeyExchangeServerConfig::new(test_server_key())));
    let first = server.handle(&req_pq, SERVER_TIME, &mut rng).unwrap();
    let second = server.handle(&req_pq, SERVER_TIME, &mut rng).unwrap();
    assert_eq!(first, second);
    let ServerStep::Reply(res_pq) = first else {
        panic!()
    };
    let enums::ResPq::Pq(res) = enums::ResPq::decode_from_slice(&res_pq).unwrap();
    assert_eq!(
        res.server_public_key_fingerprints
            .iter()
            .collect::<Vec<_>>(),
        [test_server_key().public_key().fingerprint()]
    );
    let pq = zerotl_mtproto::crypto::factor::pq_from_bytes(res.pq.as_slice()).unwrap();
    assert!(pq < 1 << 62);
    assert!(zerotl_mtproto::crypto::factor::factorize_pq(pq).is_ok());
}

/// Telethon 1.x and GramJS encrypt `p_q_inner_data` with the legacy
/// `SHA1(data) + data + padding` scheme; the server accepts that too.
#[test]
fn server_accepts_the_legacy_rsa_padding() {
    let mut rng = seeded(8);
    let key = test_server_key();
    let nonce = [9u8; 16];
    let req_pq = zerotl_mtproto_encode(&functions::ReqPqMulti { nonce });
    let config = Arc::new(KeyExchangeServerConfig::new(key.clone()));
    let mut server = KeyExchangeServer::new(config.clone());
    let ServerStep::Reply(res_pq) = server.handle(&req_pq, SERVER_TIME, &mut rng).unwrap() else {
        panic!()
    };
    let enums::ResPq::Pq(res) = enums::ResPq::decode_from_slice(&res_pq).unwrap();
    let pq = zerotl_mtproto::crypto::factor::pq_from_bytes(res.pq.as_slice()).unwrap();
    let (p, q) = zerotl_mtproto::crypto::factor::factorize_pq(pq).unwrap();
    let (p, q) = (
        zerotl_mtproto::crypto::factor::to_be_bytes_min(p),
        zerotl_mtproto::crypto::factor::to_be_bytes_min(q),
    );
    let new_nonce = [7u8; 32];
    let inner = zerotl_mtproto_encode(&types::PQInnerData {
        pq: res.pq,
        p: zerotl::Bytes::new(&p),
        q: zerotl::Bytes::new(&q),
        nonce,
        server_nonce: res.server_nonce,
        new_nonce,
    });
    let encrypted = legacy_encrypt(&inner, key.public_key(), &mut rng).unwrap();
    let req_dh = zerotl_mtproto_encode(&functions::ReqDhParams {
        nonce,
        server_nonce: res.server_nonce,
        p: zerotl::Bytes::new(&p),
        q: zerotl::Bytes::new(&q),
        public_key_fingerprint: key.public_key().fingerprint(),
        encrypted_data: zerotl::Bytes::new(&encrypted),
    });

    let mut strict = KeyExchangeServer::new(Arc::new(KeyExchangeServerConfig {
        accept_legacy_rsa: false,
        ..KeyExchangeServerConfig::new(key.clone())
    }));
    strict.handle(&req_pq, SERVER_TIME, &mut rng).unwrap();
    // (a fresh server picks another pq; only the padding verdict matters here)
    assert!(strict.handle(&req_dh, SERVER_TIME, &mut rng).is_err());

    let ServerStep::Reply(answer) = server.handle(&req_dh, SERVER_TIME, &mut rng).unwrap() else {
        panic!()
    };
    let enums::ServerDhParams::Ok(ok) = enums::ServerDhParams::decode_from_slice(&answer).unwrap()
    else {
        panic!()
    };
    let (tmp_key, tmp_iv) = handshake_aes_key_iv(&new_nonce, &res.server_nonce);
    let plain = aes_ige_decrypt(ok.encrypted_answer.as_slice(), &tmp_key, &tmp_iv).unwrap();
    let mut r = zerotl::Reader::new(&plain[20..]);
    let enums::ServerDhInnerData::Data(inner) = enums::ServerDhInnerData::decode(&mut r).unwrap();
    assert_eq!(sha1(&[&plain[20..20 + r.position()]])[..], plain[..20]);
    assert_eq!((inner.g, inner.server_time), (3, SERVER_TIME));
    assert_eq!(inner.nonce, nonce);
}

#[test]
fn rsa_pad_round_trip_and_tampering() {
    let mut rng = seeded(9);
    let key = test_server_key();
    let data: Vec<u8> = (0..144u8).collect();
    let encrypted = rsa_pad_encrypt(&data, key.public_key(), &mut rng).unwrap();
    let opened = rsa_pad_decrypt(&encrypted, &key, &mut seeded(98)).unwrap();
    assert_eq!(&opened[..144], &data[..]);
    assert_eq!(
        rsa_pad_encrypt(&[0u8; 145], key.public_key(), &mut rng),
        Err(RsaError::DataTooLong { len: 145 })
    );
    for i in [0usize, 17, 100, 255] {
        let mut bad = encrypted;
        bad[i] ^= 0x40;
        assert!(
            rsa_pad_decrypt(&bad, &key, &mut seeded(98)).is_err(),
            "flipped byte {i}"
        );
    }
    assert_eq!(
        rsa_pad_decrypt(&encrypted[1..], &key, &mut seeded(98)),
        Err(RsaError::CiphertextLength { len: 255 })
    );
    assert_eq!(
        rsa_pad_decrypt(&[0xff; 256], &key, &mut seeded(98)),
        Err(RsaError::Decryption)
    );
}

#[test]
fn client_steps_after_the_end_are_refused() {
    let mut rng = seeded(10);
    let (mut client, _) = KeyExchangeClient::start(client_config(), &mut rng).unwrap();
    assert!(client.handle(b"junk", &mut rng).is_err());
    assert!(client.is_finished());
    assert_eq!(client.handle(b"junk", &mut rng), Err(AuthError::Finished));
    let ok = matches!(
        KeyExchangeClient::start(client_config(), &mut rng)
            .unwrap()
            .0
            .handle(&[], &mut rng),
        Err(AuthError::Decode { .. })
    );
    assert!(ok);
    let _ = ClientStep::Send(Vec::new());
}

fn zerotl_mtproto_encode<T: zerotl::Encode>(v: &T) -> Vec<u8> {
    zerotl::encode_to_vec(v).unwrap()
}
