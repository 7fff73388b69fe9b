//! Deterministic checks against values computed once by Telethon 1.45 (no Python
//! needed at test time), and against the fingerprints Telegram publishes.
//!
//! The values were made with `tests/oracles/telethon_crypto.py` (its JSON ops
//! `ige_encrypt`, `auth_key`, `calc_key`, `encrypt_client_message`,
//! `factorize`, `fingerprint`) on the inputs written next to each of them;
//! `crypto_oracle.rs` re-runs such comparisons on random inputs when
//! `ZEROTL_ORACLES=1`.

mod auth_support;

use auth_support::{arr, h, test_server_key};

use zerotl_mtproto::crypto::kdf::{message_aes_key_iv, msg_key};
use zerotl_mtproto::crypto::rsa::RsaPublicKey;
use zerotl_mtproto::crypto::{aes_ige_decrypt, aes_ige_encrypt, factor, keys, AuthKey, IgeError};
use zerotl_mtproto::session::Session;
use zerotl_mtproto::{Side, UnixTime};

fn range(from: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| from.wrapping_add(i as u8)).collect()
}

/// The auth key used by the golden values: byte i = i*151 + 7 (mod 256).
fn golden_key() -> AuthKey {
    let mut bytes = [0u8; 256];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(151).wrapping_add(7);
    }
    AuthKey::from_bytes(bytes)
}

#[test]
fn aes_ige_matches_telethon() {
    // key = 00..1f, iv = 20..3f, plaintext = 00..2f: Telethon's AES.encrypt_ige.
    let (key, iv) = (
        arr::<32>(&hex::encode(range(0, 32))),
        arr::<32>(&hex::encode(range(32, 32))),
    );
    let expected = h("42e66e1a756cccf5b27acc47523ad074ee39bf54e3db37bbdf415df6b400fca977f708327c9e9341cc3dc8efd31e7646");
    assert_eq!(aes_ige_encrypt(&range(0, 48), &key, &iv).unwrap(), expected);
    assert_eq!(aes_ige_decrypt(&expected, &key, &iv).unwrap(), range(0, 48));
    assert_eq!(
        aes_ige_encrypt(&range(0, 47), &key, &iv),
        Err(IgeError { len: 47 })
    );
    assert_eq!(aes_ige_encrypt(&[], &key, &iv).unwrap(), Vec::<u8>::new());
}

#[test]
fn auth_key_hashes_match_telethon() {
    // new_nonce = 64..83 (hex), Telethon's AuthKey.key_id / aux_hash / calc_new_nonce_hash.
    let key = golden_key();
    assert_eq!(key.id_bytes().to_vec(), h("630194fa910e15cf"));
    assert_eq!(key.aux_hash().to_vec(), h("a9c1e238148d9b15"));
    let new_nonce: [u8; 32] = range(100, 32).try_into().unwrap();
    assert_eq!(
        key.new_nonce_hash(&new_nonce, 1).to_vec(),
        h("800dafb189dee634acf0c499e46b874b")
    );
    assert_eq!(
        key.new_nonce_hash(&new_nonce, 2).to_vec(),
        h("bf690573a7c917fc819741bad6ede3ba")
    );
    assert_eq!(
        key.new_nonce_hash(&new_nonce, 3).to_vec(),
        h("c44f81e3641d036d84f5e9b4bfe3ece9")
    );
}

#[test]
fn message_key_derivation_matches_telethon() {
    // msg_key = c8..d7, MTProtoState._calc_key(client=True / False).
    let key = golden_key();
    let mk: [u8; 16] = range(200, 16).try_into().unwrap();
    let (k, iv) = message_aes_key_iv(&key, &mk, Side::Client);
    assert_eq!(
        k.to_vec(),
        h("b8b83690e1f0042e9390f9888a2e7ed3894a71f3c763b42a537562f3cada7e94")
    );
    assert_eq!(
        iv.to_vec(),
        h("3a8d06669ba75264f8439f3a11cbb7b5f3805fa0a4a9219f10e4f7e781b3ffdf")
    );
    let (k, iv) = message_aes_key_iv(&key, &mk, Side::Server);
    assert_eq!(
        k.to_vec(),
        h("97b3aac1dac157c520ed3a8d252ec81ec0f6ce6b05e688bf4fdd51057f646c9a")
    );
    assert_eq!(
        iv.to_vec(),
        h("508f11d15c2e790d91095e24c7dee7bc63fe15b9ed6137aa79d956f2cb365d88")
    );
}

/// A client message encrypted by Telethon's `MTProtoState.encrypt_message_data`
/// (salt 1122334455667788, session 0102030405060708, msg_id (1700000000 << 32) | 0x1000,
/// seq_no 1, body = ping 0102030405060708, padding a0..b3) opens in our server session.
#[test]
fn telethon_client_message_opens_in_our_server_session() {
    let message = h("630194fa910e15cf49d93357481c927e7a13cdffa954cffc15b294fe56f1deb090ed413a640176f3033031f0b5a94ee4654378df6f174e293fc8e697490f7d47b6fafe19c3d6421b3d475524bbde516d07ed1c7672efc93f");
    let mut server = Session::server(golden_key(), 0x1122334455667788);
    let now = UnixTime::from_secs(1_700_000_005);
    let got = server.unpack_to_owned(&message, now).unwrap();
    assert_eq!(got.body(), h("ec77be7a0102030405060708"));
    assert_eq!(
        (got.msg_id, got.seq_no, got.session_id),
        ((1_700_000_000 << 32) | 0x1000, 1, 0x0102030405060708)
    );

    // Our msg_key over the same plaintext is Telethon's.
    let mut plain = Vec::new();
    plain.extend_from_slice(&0x1122334455667788i64.to_le_bytes());
    plain.extend_from_slice(&0x0102030405060708i64.to_le_bytes());
    plain.extend_from_slice(&((1_700_000_000i64 << 32) | 0x1000).to_le_bytes());
    plain.extend_from_slice(&1i32.to_le_bytes());
    plain.extend_from_slice(&12i32.to_le_bytes());
    plain.extend_from_slice(&h("ec77be7a0102030405060708"));
    plain.extend_from_slice(&range(0xa0, 20));
    assert_eq!(
        msg_key(&golden_key(), Side::Client, &plain).to_vec(),
        h("49d93357481c927e7a13cdffa954cffc")
    );
}

#[test]
fn factorization_matches_telethon() {
    // The production resPQ of the current samples page.
    assert_eq!(
        factor::factorize_pq(0x16E748B29522C68F),
        Ok((1145839111, 1440313657))
    );
}

#[test]
fn fingerprints_match_the_published_ones() {
    for known in keys::PRODUCTION_KEYS.iter().chain(keys::TEST_KEYS) {
        let key = RsaPublicKey::from_pem(known.pem).unwrap();
        assert_eq!(
            key.fingerprint() as u64,
            known.fingerprint,
            "{}",
            known.source
        );
        // And PKCS#1 re-encoding round-trips.
        assert_eq!(RsaPublicKey::from_pem(&key.to_pkcs1_pem()).unwrap(), key);
    }
    // Published independently of Telethon: my.telegram.org / the docs' resPQ.
    let fps: Vec<u64> = keys::PRODUCTION_KEYS
        .iter()
        .map(|k| k.fingerprint)
        .collect();
    for published in [0xd09d1d85de64fd85, 0x0bc35f3509f7b7a5, 0xc3b42b026ce86b21] {
        assert!(fps.contains(&published));
    }
    assert_eq!(keys::TEST_KEYS[0].fingerprint, 0xb25898df208d2603);

    // Our test key: Telethon's rsa._compute_fingerprint gives a274d40f0ff8f6ae (LE bytes).
    let ours = test_server_key();
    assert_eq!(
        ours.public_key().fingerprint().to_le_bytes().to_vec(),
        h("a274d40f0ff8f6ae")
    );
    let public =
        RsaPublicKey::from_pem(include_str!("fixtures/test_server_rsa_key.pub.pem")).unwrap();
    assert_eq!(&public, ours.public_key());
    assert!(RsaPublicKey::from_pem(
        "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----"
    )
    .is_err());
    assert!(
        RsaPublicKey::from_components(&[1; 128], &[1, 0, 1]).is_err(),
        "1024-bit keys are refused"
    );
}

#[test]
fn private_keys_load_from_pkcs1_and_pkcs8_and_reencode() {
    let key = test_server_key();
    let again = zerotl_mtproto::crypto::rsa::RsaPrivateKey::from_pem(&key.to_pkcs1_pem()).unwrap();
    assert_eq!(again.public_key(), key.public_key());
    assert!(zerotl_mtproto::crypto::rsa::RsaPrivateKey::from_pem("not a key").is_err());
}

/// Generating a key is slow in debug builds: `cargo test --release -- --ignored`.
#[test]
#[ignore]
fn fresh_key_generation() {
    let key = zerotl_mtproto::crypto::rsa::RsaPrivateKey::generate(&mut rand::rngs::OsRng).unwrap();
    assert_eq!(key.public_key().modulus_be().len(), 256);
}

/// The docs' prime really is a safe prime (a 2048-bit Miller-Rabin pair: slow in debug).
#[test]
#[ignore]
fn telegram_prime_is_a_safe_prime() {
    use zerotl_mtproto::crypto::dh::{DhGroup, PrimeCheck, TELEGRAM_DH_PRIME};
    DhGroup::check(
        3,
        &TELEGRAM_DH_PRIME,
        &[],
        PrimeCheck::Probabilistic { rounds: 20 },
    )
    .unwrap();
}
