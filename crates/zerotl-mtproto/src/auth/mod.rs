//! Creating an authorization key: the client and server halves of the
//! exchange of `core.telegram.org/mtproto/auth_key`, as sans-IO state machines.
//!
//! Both sides consume and produce *plain-message bodies* (the TL after the
//! `auth_key_id = 0 | msg_id | length` header); the caller frames them, sends
//! them and feeds replies back. Randomness is passed in; nothing here blocks.
//!
//! ```text
//! client                                              server
//! req_pq_multi(nonce)                      ──────────▶
//!                                          ◀────────── resPQ(nonce, server_nonce, pq, fingerprints)
//! factor pq = p·q (p < q)
//! req_DH_params(p, q, fingerprint,
//!   RSA_PAD(p_q_inner_data_dc{.., new_nonce}))  ─────▶
//!                                          ◀────────── server_DH_params_ok(AES-IGE(tmp key from
//!                                                        new_nonce, server_nonce)[server_DH_inner_data
//!                                                        {g, dh_prime, g_a, server_time}])
//! check dh_prime, g, g_a; pick b
//! set_client_DH_params(AES-IGE[client_DH_inner_data{g_b}]) ─▶
//!                                                      auth_key = g_b^a; unique?
//!                                          ◀────────── dh_gen_ok / dh_gen_retry / dh_gen_fail
//! auth_key = g_a^b                                     (new_nonce_hash1/2/3)
//! ```
//!
//! Everything the peer sends is checked (nonces, hashes, ranges, sizes) and a
//! failure is a typed [`AuthError`]; the state machine is then finished and the
//! exchange must restart (Telegram answers a bad query with transport error -404).
//!
//! ```
//! use std::sync::Arc;
//! use zerotl_mtproto::auth::{ClientStep, KeyExchangeClient, KeyExchangeConfig,
//!     KeyExchangeServer, KeyExchangeServerConfig, ServerStep};
//! use zerotl_mtproto::crypto::rsa::RsaPrivateKey;
//! use zerotl_mtproto::rand_core::OsRng;
//! # let pem = include_str!("../../tests/fixtures/test_server_rsa_key.pem");
//! let server_key = RsaPrivateKey::from_pem(pem).unwrap();
//! let mut rng = OsRng;
//!
//! let config = KeyExchangeConfig::new(vec![server_key.public_key().clone()], 2);
//! let (mut client, mut to_server) = KeyExchangeClient::start(config, &mut rng).unwrap();
//! let mut server = KeyExchangeServer::new(Arc::new(KeyExchangeServerConfig::new(server_key)));
//! let (client_done, server_done) = loop {
//!     let reply = match server.handle(&to_server, 1_700_000_000, &mut rng).unwrap() {
//!         ServerStep::Reply(reply) => reply,
//!         ServerStep::Done { reply, outcome } => {
//!             let ClientStep::Done(mine) = client.handle(&reply, &mut rng).unwrap() else {
//!                 panic!("client should be done")
//!             };
//!             break (mine, outcome);
//!         }
//!     };
//!     match client.handle(&reply, &mut rng).unwrap() {
//!         ClientStep::Send(next) => to_server = next,
//!         ClientStep::Done(_) => unreachable!("the server finishes first"),
//!     }
//! };
//! assert_eq!(client_done.auth_key, server_done.auth_key);
//! assert_eq!(client_done.server_salt, server_done.server_salt);
//! ```

mod client;
mod server;

pub use client::{ClientStep, KeyExchangeClient, KeyExchangeConfig, MAX_DH_RETRIES};
pub use server::{KeyExchangeServer, KeyExchangeServerConfig, KeyVerdict, ServerStep};

use alloc::vec::Vec;

use rand_core::CryptoRngCore;

use crate::crypto::dh::DhError;
use crate::crypto::factor::FactorError;
use crate::crypto::rsa::RsaError;
use crate::crypto::{AuthKey, IgeError};

/// What both sides know once the exchange succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthOutcome {
    /// The new authorization key.
    pub auth_key: AuthKey,
    /// The first server salt: `new_nonce[0..8] XOR server_nonce[0..8]`.
    pub server_salt: i64,
    /// `server_time` from `server_DH_inner_data` (unix seconds); the client
    /// subtracts its clock from it to get its time offset.
    pub server_time: i32,
    /// The `dc` the client asked for in `p_q_inner_data_dc` (`None` for the
    /// dc-less `p_q_inner_data`).
    pub dc: Option<i32>,
    /// `expires_in` of a temporary key (`p_q_inner_data_temp*`), `None` for a permanent key.
    pub expires_in: Option<i32>,
}

/// The step of the exchange at which a message was being handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `req_pq_multi` / `resPQ`.
    Pq,
    /// `req_DH_params` / `server_DH_params_*`.
    DhParams,
    /// `set_client_DH_params` / `dh_gen_*`.
    ClientDhParams,
}

impl core::fmt::Display for Step {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Step::Pq => "req_pq_multi/resPQ",
            Step::DhParams => "req_DH_params/server_DH_params",
            Step::ClientDhParams => "set_client_DH_params/dh_gen",
        })
    }
}

/// Shows key fingerprints the way `zerotl serve` prints them: 16 hex digits
/// each, leading zeros kept, so the two can be compared as text.
struct Fingerprints<'a>(&'a [u64]);

impl core::fmt::Display for Fingerprints<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for (i, fingerprint) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{fingerprint:016x}")?;
        }
        Ok(())
    }
}

/// Why the key exchange failed. After any error the state machine is finished.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// A message (or an encrypted inner object) did not decode as the TL expected.
    #[error("{step}: cannot decode {what}: {error}")]
    Decode {
        /// Where.
        step: Step,
        /// The object that was being decoded.
        what: &'static str,
        /// The decoder's error (kind and byte offset).
        error: zerotl::DecodeError,
    },
    /// `nonce` differs from the one this exchange started with.
    #[error("{step}: nonce does not match")]
    NonceMismatch {
        /// Where.
        step: Step,
    },
    /// `server_nonce` differs from the one of this exchange.
    #[error("{step}: server_nonce does not match")]
    ServerNonceMismatch {
        /// Where.
        step: Step,
    },
    /// `pq` is not acceptable (too long, not a product of two primes, too hard).
    #[error("pq: {0}")]
    Factor(#[from] FactorError),
    /// None of the server's fingerprints belongs to a trusted key.
    #[error("resPQ offers no trusted key (fingerprints {})", Fingerprints(offered))]
    NoTrustedKey {
        /// The fingerprints offered (at most 16 kept).
        offered: Vec<u64>,
    },
    /// `req_DH_params` names a key the server does not have.
    #[error("req_DH_params uses key {fingerprint:016x}, not the server's")]
    UnknownFingerprint {
        /// The fingerprint sent.
        fingerprint: u64,
    },
    /// `p`, `q` or `pq` in `req_DH_params` / `p_q_inner_data` are not the server's.
    #[error("{what} does not match the server's pq")]
    PqMismatch {
        /// Which field.
        what: &'static str,
    },
    /// The serialized `p_q_inner_data` does not fit `RSA_PAD`'s 144 bytes.
    #[error("p_q_inner_data is {len} bytes; RSA_PAD takes at most 144")]
    InnerDataTooLong {
        /// Its length.
        len: usize,
    },
    /// RSA failed (padding hash, key, ciphertext size).
    #[error("RSA: {0}")]
    Rsa(#[from] RsaError),
    /// An encrypted field is not a whole number of AES blocks.
    #[error("{step}: {error}")]
    Ige {
        /// Where.
        step: Step,
        /// The length error.
        error: IgeError,
    },
    /// An encrypted field is too large to be what it claims.
    #[error("{step}: encrypted field of {len} bytes exceeds {max}")]
    EncryptedTooLong {
        /// Where.
        step: Step,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The SHA1 in front of an encrypted answer does not match, or its padding
    /// is longer than 15 bytes.
    #[error("{step}: hash of the encrypted {what} does not match")]
    InnerHash {
        /// Where.
        step: Step,
        /// `"server_DH_inner_data"` or `"client_DH_inner_data"`.
        what: &'static str,
    },
    /// `dh_prime`, `g`, `g_a` or `g_b` failed a safety check.
    #[error("Diffie-Hellman: {0}")]
    Dh(#[from] DhError),
    /// A `new_nonce_hash*` does not match the value computed from `new_nonce`.
    #[error("{step}: new_nonce_hash does not match")]
    NewNonceHashMismatch {
        /// Where.
        step: Step,
    },
    /// The server refused the DH parameters (`server_DH_params_fail`).
    #[error("server answered server_DH_params_fail")]
    ServerDhParamsFail,
    /// The server refused the key (`dh_gen_fail`).
    #[error("server answered dh_gen_fail")]
    DhGenFail,
    /// `retry_id` is not `auth_key_aux_hash` of the refused key (or not 0 at first).
    #[error("client_DH_inner_data has retry_id {got:#x}, expected {expected:#x}")]
    RetryIdMismatch {
        /// The value sent.
        got: i64,
        /// The value expected.
        expected: i64,
    },
    /// More `dh_gen_retry` rounds than [`MAX_DH_RETRIES`].
    #[error("too many dh_gen_retry rounds")]
    TooManyRetries,
    /// The state machine already finished (successfully or not).
    #[error("the key exchange is already finished")]
    Finished,
    /// A message of the exchange could not be encoded (a bug, never the peer's doing).
    #[error("cannot encode a key exchange message: {0}")]
    Encode(#[from] zerotl::EncodeError),
}

/// `data_with_hash = SHA1(data) + data + random padding` to a multiple of 16.
pub(crate) fn with_sha1_and_padding<R: CryptoRngCore + ?Sized>(
    data: &[u8],
    rng: &mut R,
) -> Vec<u8> {
    let len = 20 + data.len();
    let padded = len.div_ceil(16) * 16;
    let mut out = Vec::with_capacity(padded);
    out.extend_from_slice(&crate::crypto::sha1(&[data]));
    out.extend_from_slice(data);
    out.resize(padded, 0);
    rng.fill_bytes(&mut out[len..]);
    out
}

/// Splits `SHA1(object) + object + padding (0..=15)`: decodes the object with
/// `decode`, then checks the hash over exactly the bytes it used.
pub(crate) fn open_with_sha1<'a, T>(
    plain: &'a [u8],
    step: Step,
    what: &'static str,
    decode: impl FnOnce(&mut zerotl::Reader<'a>) -> Result<T, zerotl::DecodeError>,
) -> Result<T, AuthError> {
    if plain.len() < 20 {
        return Err(AuthError::InnerHash { step, what });
    }
    let (hash, body) = plain.split_at(20);
    let mut r = zerotl::Reader::new(body);
    let value = decode(&mut r).map_err(|error| AuthError::Decode {
        step,
        what,
        error: error.shifted(20),
    })?;
    let used = r.position();
    if body.len() - used > 15 || crate::crypto::sha1(&[&body[..used]])[..] != hash[..] {
        return Err(AuthError::InnerHash { step, what });
    }
    Ok(value)
}
