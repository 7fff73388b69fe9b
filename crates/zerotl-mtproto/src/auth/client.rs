//! The client half of the key exchange.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

use rand_core::CryptoRngCore;

use super::{open_with_sha1, with_sha1_and_padding, AuthError, AuthOutcome, Step};
use crate::crypto::dh::{DhGroup, PrimeCheck, TELEGRAM_DH_PRIME};
use crate::crypto::factor::{factorize_pq, pq_from_bytes, to_be_bytes_min};
use crate::crypto::kdf::{handshake_aes_key_iv, initial_server_salt, new_nonce_hash};
use crate::crypto::rsa::{rsa_pad_encrypt, RsaPublicKey, RSA_PAD_MAX_DATA};
use crate::crypto::{aes_ige_decrypt_in_place, aes_ige_encrypt_in_place, keys, AuthKey};
use zerotl::{Bytes, Decode as _};
use zerotl_types::mtproto::{enums, functions, types};

/// How many `dh_gen_retry` answers the client follows before giving up.
pub const MAX_DH_RETRIES: u32 = 5;

/// The longest `encrypted_answer` accepted (a 2048-bit `server_DH_inner_data`
/// with its hash and padding takes 608 bytes).
const MAX_ENCRYPTED_ANSWER: usize = 1024;

/// How many fresh `b` values the client tries when `g_b` lands outside the safe range.
const B_ATTEMPTS: usize = 16;

/// What the client trusts and asks for.
#[derive(Debug, Clone)]
pub struct KeyExchangeConfig {
    /// RSA public keys the client will encrypt to (the first one the server offers wins).
    pub trusted_keys: Vec<RsaPublicKey>,
    /// `dc` of `p_q_inner_data_dc`: the data centre id (plus 10000 for test DCs,
    /// negative for media DCs).
    pub dc: i32,
    /// `Some(seconds)` asks for a temporary key (`p_q_inner_data_temp_dc`).
    pub temp_key_expires_in: Option<i32>,
    /// `dh_prime` values trusted without a primality test (big-endian).
    pub trusted_primes: Vec<Vec<u8>>,
    /// What to do with a `dh_prime` outside `trusted_primes`.
    pub prime_check: PrimeCheck,
}

impl KeyExchangeConfig {
    /// Trusts `keys`, asks for a permanent key for data centre `dc`, trusts only
    /// Telegram's current `dh_prime`.
    pub fn new(trusted_keys: Vec<RsaPublicKey>, dc: i32) -> Self {
        Self {
            trusted_keys,
            dc,
            temp_key_expires_in: None,
            trusted_primes: vec![TELEGRAM_DH_PRIME.to_vec()],
            prime_check: PrimeCheck::KnownOnly,
        }
    }

    /// Telegram's production keys ([`keys::PRODUCTION_KEYS`]) for data centre `dc`.
    pub fn telegram_production(dc: i32) -> Self {
        Self::new(parse_known(keys::PRODUCTION_KEYS), dc)
    }

    /// Telegram's test keys ([`keys::TEST_KEYS`]) for test data centre `dc` (sent as `10000 + dc`).
    pub fn telegram_test(dc: i32) -> Self {
        Self::new(parse_known(keys::TEST_KEYS), 10_000 + dc)
    }
}

fn parse_known(list: &[keys::KnownKey]) -> Vec<RsaPublicKey> {
    list.iter()
        .map(|k| RsaPublicKey::from_pem(k.pem).expect("bundled keys parse (tested)"))
        .collect()
}

/// What the client does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientStep {
    /// Send this body as the next plain message.
    Send(Vec<u8>),
    /// The key is established (`dh_gen_ok`).
    Done(AuthOutcome),
}

enum State {
    AwaitResPq {
        nonce: [u8; 16],
    },
    AwaitServerDh {
        nonce: [u8; 16],
        server_nonce: [u8; 16],
        new_nonce: [u8; 32],
    },
    AwaitDhGen {
        nonce: [u8; 16],
        server_nonce: [u8; 16],
        new_nonce: [u8; 32],
        params: Box<DhStage>,
        auth_key: AuthKey,
        retries: u32,
    },
    Finished,
}

/// What step 6 needs to be redone after `dh_gen_retry`.
struct DhStage {
    group: DhGroup,
    g_a: Vec<u8>,
    tmp_key: [u8; 32],
    tmp_iv: [u8; 32],
    server_time: i32,
}

impl Drop for DhStage {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.tmp_key);
        zeroize::Zeroize::zeroize(&mut self.tmp_iv);
    }
}

impl Drop for KeyExchangeClient {
    /// Nonces still held (a key exchange dropped half-way) are wiped.
    fn drop(&mut self) {
        if let State::AwaitServerDh { new_nonce, .. } | State::AwaitDhGen { new_nonce, .. } =
            &mut self.state
        {
            zeroize::Zeroize::zeroize(new_nonce);
        }
    }
}

/// The client side of the key exchange.
///
/// [`start`](Self::start) gives the `req_pq_multi` body; every answer of the
/// server goes to [`handle`](Self::handle), which returns the next body to send
/// or the finished [`AuthOutcome`].
pub struct KeyExchangeClient {
    config: KeyExchangeConfig,
    state: State,
}

impl core::fmt::Debug for KeyExchangeClient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let state = match self.state {
            State::AwaitResPq { .. } => "awaiting resPQ",
            State::AwaitServerDh { .. } => "awaiting server_DH_params",
            State::AwaitDhGen { .. } => "awaiting dh_gen",
            State::Finished => "finished",
        };
        f.debug_struct("KeyExchangeClient")
            .field("state", &state)
            .finish()
    }
}

impl KeyExchangeClient {
    /// Starts an exchange: returns the state machine and the `req_pq_multi` body.
    pub fn start<R: CryptoRngCore + ?Sized>(
        config: KeyExchangeConfig,
        rng: &mut R,
    ) -> Result<(Self, Vec<u8>), AuthError> {
        let mut nonce = [0u8; 16];
        rng.fill_bytes(&mut nonce);
        Self::start_with_nonce(config, nonce)
    }

    /// Like [`start`](Self::start) with a given nonce (for reproducing recorded exchanges).
    pub fn start_with_nonce(
        config: KeyExchangeConfig,
        nonce: [u8; 16],
    ) -> Result<(Self, Vec<u8>), AuthError> {
        let body = zerotl::encode_to_vec(&functions::ReqPqMulti { nonce })?;
        Ok((
            Self {
                config,
                state: State::AwaitResPq { nonce },
            },
            body,
        ))
    }

    /// Whether the exchange is over (done or failed).
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Finished)
    }

    /// Handles the server's answer to the last message sent.
    pub fn handle<R: CryptoRngCore + ?Sized>(
        &mut self,
        body: &[u8],
        rng: &mut R,
    ) -> Result<ClientStep, AuthError> {
        let state = core::mem::replace(&mut self.state, State::Finished);
        let (next, step) = match state {
            State::AwaitResPq { nonce } => self.on_res_pq(nonce, body, rng)?,
            State::AwaitServerDh {
                nonce,
                server_nonce,
                new_nonce,
            } => on_server_dh(&self.config, nonce, server_nonce, new_nonce, body, rng)?,
            State::AwaitDhGen {
                nonce,
                server_nonce,
                new_nonce,
                params,
                auth_key,
                retries,
            } => on_dh_gen(
                nonce,
                server_nonce,
                new_nonce,
                params,
                auth_key,
                retries,
                &self.config,
                body,
                rng,
            )?,
            State::Finished => return Err(AuthError::Finished),
        };
        self.state = next;
        Ok(step)
    }

    fn on_res_pq<R: CryptoRngCore + ?Sized>(
        &self,
        nonce: [u8; 16],
        body: &[u8],
        rng: &mut R,
    ) -> Result<(State, ClientStep), AuthError> {
        let enums::ResPq::Pq(res) =
            enums::ResPq::decode_from_slice(body).map_err(|error| AuthError::Decode {
                step: Step::Pq,
                what: "resPQ",
                error,
            })?;
        if res.nonce != nonce {
            return Err(AuthError::NonceMismatch { step: Step::Pq });
        }
        let offered: Vec<i64> = res.server_public_key_fingerprints.iter().collect();
        let key = self
            .config
            .trusted_keys
            .iter()
            .find(|k| offered.contains(&k.fingerprint()))
            .ok_or_else(|| AuthError::NoTrustedKey {
                offered: offered.iter().take(16).map(|&f| f as u64).collect(),
            })?;
        let pq = pq_from_bytes(res.pq.as_slice())?;
        let (p, q) = factorize_pq(pq)?;
        let (p, q) = (to_be_bytes_min(p), to_be_bytes_min(q));
        let (p, q) = (p.as_slice(), q.as_slice());
        let mut new_nonce = [0u8; 32];
        rng.fill_bytes(&mut new_nonce);
        let inner = inner_data(
            &self.config,
            res.pq.as_slice(),
            p,
            q,
            nonce,
            res.server_nonce,
            new_nonce,
        )?;
        if inner.len() > RSA_PAD_MAX_DATA {
            return Err(AuthError::InnerDataTooLong { len: inner.len() });
        }
        let encrypted = rsa_pad_encrypt(&inner, key, rng)?;
        let request = zerotl::encode_to_vec(&functions::ReqDhParams {
            nonce,
            server_nonce: res.server_nonce,
            p: Bytes::new(p),
            q: Bytes::new(q),
            public_key_fingerprint: key.fingerprint(),
            encrypted_data: Bytes::new(&encrypted),
        })?;
        Ok((
            State::AwaitServerDh {
                nonce,
                server_nonce: res.server_nonce,
                new_nonce,
            },
            ClientStep::Send(request),
        ))
    }
}

fn inner_data(
    config: &KeyExchangeConfig,
    pq: &[u8],
    p: &[u8],
    q: &[u8],
    nonce: [u8; 16],
    server_nonce: [u8; 16],
    new_nonce: [u8; 32],
) -> Result<Vec<u8>, AuthError> {
    let (pq, p, q) = (Bytes::new(pq), Bytes::new(p), Bytes::new(q));
    Ok(match config.temp_key_expires_in {
        None => zerotl::encode_to_vec(&types::PQInnerDataDc {
            pq,
            p,
            q,
            nonce,
            server_nonce,
            new_nonce,
            dc: config.dc,
        })?,
        Some(expires_in) => zerotl::encode_to_vec(&types::PQInnerDataTempDc {
            pq,
            p,
            q,
            nonce,
            server_nonce,
            new_nonce,
            dc: config.dc,
            expires_in,
        })?,
    })
}

fn on_server_dh<R: CryptoRngCore + ?Sized>(
    config: &KeyExchangeConfig,
    nonce: [u8; 16],
    server_nonce: [u8; 16],
    new_nonce: [u8; 32],
    body: &[u8],
    rng: &mut R,
) -> Result<(State, ClientStep), AuthError> {
    let step = Step::DhParams;
    let answer =
        enums::ServerDhParams::decode_from_slice(body).map_err(|error| AuthError::Decode {
            step,
            what: "Server_DH_Params",
            error,
        })?;
    let ok = match answer {
        enums::ServerDhParams::Fail(fail) => {
            check_nonces(step, nonce, server_nonce, fail.nonce, fail.server_nonce)?;
            if fail.new_nonce_hash != new_nonce_hash(&new_nonce) {
                return Err(AuthError::NewNonceHashMismatch { step });
            }
            return Err(AuthError::ServerDhParamsFail);
        }
        enums::ServerDhParams::Ok(ok) => ok,
    };
    check_nonces(step, nonce, server_nonce, ok.nonce, ok.server_nonce)?;
    let encrypted = ok.encrypted_answer.as_slice();
    if encrypted.len() > MAX_ENCRYPTED_ANSWER {
        return Err(AuthError::EncryptedTooLong {
            step,
            len: encrypted.len(),
            max: MAX_ENCRYPTED_ANSWER,
        });
    }
    let (tmp_key, tmp_iv) = handshake_aes_key_iv(&new_nonce, &server_nonce);
    let mut plain = encrypted.to_vec();
    aes_ige_decrypt_in_place(&mut plain, &tmp_key, &tmp_iv)
        .map_err(|error| AuthError::Ige { step, error })?;
    let inner = open_with_sha1(&plain, step, "server_DH_inner_data", |r| {
        enums::ServerDhInnerData::decode(r)
    })?;
    let enums::ServerDhInnerData::Data(inner) = inner;
    check_nonces(step, nonce, server_nonce, inner.nonce, inner.server_nonce)?;
    let trusted: Vec<&[u8]> = config.trusted_primes.iter().map(Vec::as_slice).collect();
    let group = DhGroup::check(
        inner.g,
        inner.dh_prime.as_slice(),
        &trusted,
        config.prime_check,
    )?;
    group.check_public(inner.g_a.as_slice(), "g_a")?;
    let params = Box::new(DhStage {
        group,
        g_a: inner.g_a.as_slice().to_vec(),
        tmp_key,
        tmp_iv,
        server_time: inner.server_time,
    });
    let (request, auth_key) = client_dh_params(nonce, server_nonce, &params, 0, rng)?;
    Ok((
        State::AwaitDhGen {
            nonce,
            server_nonce,
            new_nonce,
            params,
            auth_key,
            retries: 0,
        },
        ClientStep::Send(request),
    ))
}

/// Step 6: picks `b`, builds `set_client_DH_params`, computes the candidate key.
fn client_dh_params<R: CryptoRngCore + ?Sized>(
    nonce: [u8; 16],
    server_nonce: [u8; 16],
    params: &DhStage,
    retry_id: i64,
    rng: &mut R,
) -> Result<(Vec<u8>, AuthKey), AuthError> {
    let mut b = [0u8; 256];
    let mut g_b = None;
    for _ in 0..B_ATTEMPTS {
        rng.fill_bytes(&mut b);
        let candidate = params.group.g_pow(&b);
        if params.group.check_public(&candidate, "g_b").is_ok() {
            g_b = Some(candidate);
            break;
        }
    }
    let Some(g_b) = g_b else {
        zeroize::Zeroize::zeroize(&mut b);
        return Err(AuthError::Dh(
            crate::crypto::dh::DhError::PublicValueRange { what: "g_b" },
        ));
    };
    let auth_key = AuthKey::from_bytes(params.group.shared_secret(&params.g_a, &b));
    // The DH exponent is not needed past the shared secret.
    zeroize::Zeroize::zeroize(&mut b);
    let data = zerotl::encode_to_vec(&types::ClientDhInnerData {
        nonce,
        server_nonce,
        retry_id,
        g_b: Bytes::new(strip_leading_zeros(&g_b)),
    })?;
    let mut encrypted = with_sha1_and_padding(&data, rng);
    aes_ige_encrypt_in_place(&mut encrypted, &params.tmp_key, &params.tmp_iv)
        .expect("padded to whole blocks");
    let request = zerotl::encode_to_vec(&functions::SetClientDhParams {
        nonce,
        server_nonce,
        encrypted_data: Bytes::new(&encrypted),
    })?;
    Ok((request, auth_key))
}

#[allow(clippy::too_many_arguments)]
fn on_dh_gen<R: CryptoRngCore + ?Sized>(
    nonce: [u8; 16],
    server_nonce: [u8; 16],
    new_nonce: [u8; 32],
    params: Box<DhStage>,
    auth_key: AuthKey,
    retries: u32,
    config: &KeyExchangeConfig,
    body: &[u8],
    rng: &mut R,
) -> Result<(State, ClientStep), AuthError> {
    let step = Step::ClientDhParams;
    let answer = enums::SetClientDhParamsAnswer::decode_from_slice(body).map_err(|error| {
        AuthError::Decode {
            step,
            what: "Set_client_DH_params_answer",
            error,
        }
    })?;
    match answer {
        enums::SetClientDhParamsAnswer::DhGenOk(ok) => {
            check_nonces(step, nonce, server_nonce, ok.nonce, ok.server_nonce)?;
            if ok.new_nonce_hash1 != auth_key.new_nonce_hash(&new_nonce, 1) {
                return Err(AuthError::NewNonceHashMismatch { step });
            }
            let outcome = AuthOutcome {
                server_salt: initial_server_salt(&new_nonce, &server_nonce),
                server_time: params.server_time,
                dc: Some(config.dc),
                expires_in: config.temp_key_expires_in,
                auth_key,
            };
            Ok((State::Finished, ClientStep::Done(outcome)))
        }
        enums::SetClientDhParamsAnswer::DhGenRetry(retry) => {
            check_nonces(step, nonce, server_nonce, retry.nonce, retry.server_nonce)?;
            if retry.new_nonce_hash2 != auth_key.new_nonce_hash(&new_nonce, 2) {
                return Err(AuthError::NewNonceHashMismatch { step });
            }
            if retries >= MAX_DH_RETRIES {
                return Err(AuthError::TooManyRetries);
            }
            let retry_id = i64::from_le_bytes(auth_key.aux_hash());
            let (request, auth_key) =
                client_dh_params(nonce, server_nonce, &params, retry_id, rng)?;
            Ok((
                State::AwaitDhGen {
                    nonce,
                    server_nonce,
                    new_nonce,
                    params,
                    auth_key,
                    retries: retries + 1,
                },
                ClientStep::Send(request),
            ))
        }
        enums::SetClientDhParamsAnswer::DhGenFail(fail) => {
            check_nonces(step, nonce, server_nonce, fail.nonce, fail.server_nonce)?;
            if fail.new_nonce_hash3 != auth_key.new_nonce_hash(&new_nonce, 3) {
                return Err(AuthError::NewNonceHashMismatch { step });
            }
            Err(AuthError::DhGenFail)
        }
    }
}

pub(super) fn check_nonces(
    step: Step,
    nonce: [u8; 16],
    server_nonce: [u8; 16],
    got_nonce: [u8; 16],
    got_server_nonce: [u8; 16],
) -> Result<(), AuthError> {
    if got_nonce != nonce {
        return Err(AuthError::NonceMismatch { step });
    }
    if got_server_nonce != server_nonce {
        return Err(AuthError::ServerNonceMismatch { step });
    }
    Ok(())
}

pub(super) fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len() - 1);
    &bytes[start..]
}
