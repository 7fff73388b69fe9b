//! The server half of the key exchange.

use super::client::{check_nonces, strip_leading_zeros};
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use rand_core::CryptoRngCore;

use super::{open_with_sha1, with_sha1_and_padding, AuthError, AuthOutcome, Step};
use crate::crypto::dh::DhGroup;
use crate::crypto::factor::{is_prime, pq_from_bytes, to_be_bytes_min};
use crate::crypto::kdf::{handshake_aes_key_iv, initial_server_salt};
use crate::crypto::rsa::{legacy_decrypt, rsa_pad_decrypt, RsaPrivateKey};
use crate::crypto::{aes_ige_decrypt_in_place, aes_ige_encrypt_in_place, sha1, AuthKey};
use zeroize::Zeroizing;
use zerotl::{Bytes, Decode as _, Vector};
use zerotl_types::mtproto::{enums, functions, types};

/// The longest `encrypted_data` of `set_client_DH_params` accepted (a 2048-bit
/// `client_DH_inner_data` with hash and padding takes 336 bytes).
const MAX_CLIENT_DH_DATA: usize = 512;

/// How many `dh_gen_retry` rounds the server offers before answering `dh_gen_fail`.
const MAX_SERVER_RETRIES: u32 = 5;

/// The server's fixed parameters.
#[derive(Debug, Clone)]
pub struct KeyExchangeServerConfig {
    /// The RSA key whose fingerprint `resPQ` offers.
    pub key: RsaPrivateKey,
    /// The DH group sent in `server_DH_inner_data`.
    pub group: DhGroup,
    /// Whether the legacy `SHA1(data) + data + padding` RSA encryption is accepted
    /// (Telethon 1.x and GramJS send it; Telegram still accepts it).
    pub accept_legacy_rsa: bool,
}

impl KeyExchangeServerConfig {
    /// A server with `key`, Telegram's `dh_prime` with `g = 3`, and legacy RSA accepted.
    pub fn new(key: RsaPrivateKey) -> Self {
        Self {
            key,
            group: DhGroup::telegram(3).expect("Telegram's prime accepts g = 3 (tested)"),
            accept_legacy_rsa: true,
        }
    }
}

/// The caller's decision about a freshly computed key (step 8 of the docs: the
/// server checks that `auth_key_id` is not taken).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyVerdict {
    /// Keep it: answer `dh_gen_ok`.
    Accept,
    /// Its id is taken: answer `dh_gen_retry` so the client picks a new `b`.
    Retry,
    /// Refuse: answer `dh_gen_fail`.
    Fail,
}

/// What the server does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerStep {
    /// Send this body as the answer.
    Reply(Vec<u8>),
    /// Send `reply` (`dh_gen_ok`); the key is established.
    Done {
        /// The `dh_gen_ok` body.
        reply: Vec<u8>,
        /// The new key and its parameters.
        outcome: AuthOutcome,
    },
}

enum State {
    AwaitReqPq,
    AwaitReqDh {
        nonce: [u8; 16],
        server_nonce: [u8; 16],
        p: u64,
        q: u64,
    },
    AwaitSetClientDh(SetClientDh),
    Finished,
}

/// The server side of one key exchange (one "temporary session" of the docs).
///
/// Feed every plain-message body from the client to [`handle`](Self::handle)
/// and send back what it returns. A byte-identical repeat of the last request
/// (a client re-sending after a lost answer) gets the same answer again.
pub struct KeyExchangeServer {
    config: Arc<KeyExchangeServerConfig>,
    state: State,
    last: Option<(Vec<u8>, Vec<u8>)>,
}

impl core::fmt::Debug for KeyExchangeServer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let state = match self.state {
            State::AwaitReqPq => "awaiting req_pq_multi",
            State::AwaitReqDh { .. } => "awaiting req_DH_params",
            State::AwaitSetClientDh(_) => "awaiting set_client_DH_params",
            State::Finished => "finished",
        };
        f.debug_struct("KeyExchangeServer")
            .field("state", &state)
            .finish()
    }
}

impl KeyExchangeServer {
    /// A new exchange waiting for `req_pq_multi` (or the older `req_pq`).
    pub fn new(config: Arc<KeyExchangeServerConfig>) -> Self {
        Self {
            config,
            state: State::AwaitReqPq,
            last: None,
        }
    }

    /// Whether the exchange is over (done or failed).
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Finished)
    }

    /// Handles a client message; every key is accepted. `unix_time` is the
    /// server's clock (sent as `server_time`).
    pub fn handle<R: CryptoRngCore + ?Sized>(
        &mut self,
        body: &[u8],
        unix_time: i32,
        rng: &mut R,
    ) -> Result<ServerStep, AuthError> {
        self.handle_with_key_check(body, unix_time, rng, &mut |_| KeyVerdict::Accept)
    }

    /// Like [`handle`](Self::handle), asking `check_key` about each computed key
    /// (for example whether its `auth_key_id` is already in use).
    pub fn handle_with_key_check<R: CryptoRngCore + ?Sized>(
        &mut self,
        body: &[u8],
        unix_time: i32,
        rng: &mut R,
        check_key: &mut dyn FnMut(&AuthKey) -> KeyVerdict,
    ) -> Result<ServerStep, AuthError> {
        if let Some((request, reply)) = &self.last {
            if request == body && !matches!(self.state, State::Finished) {
                return Ok(ServerStep::Reply(reply.clone()));
            }
        }
        let state = core::mem::replace(&mut self.state, State::Finished);
        let (next, step) = match state {
            State::AwaitReqPq => on_req_pq(&self.config, body, rng)?,
            State::AwaitReqDh {
                nonce,
                server_nonce,
                p,
                q,
            } => on_req_dh(
                &self.config,
                nonce,
                server_nonce,
                p,
                q,
                body,
                unix_time,
                rng,
            )?,
            State::AwaitSetClientDh(ctx) => on_set_client_dh(&self.config, ctx, body, check_key)?,
            State::Finished => return Err(AuthError::Finished),
        };
        self.state = next;
        if let ServerStep::Reply(reply) = &step {
            self.last = Some((body.to_vec(), reply.clone()));
        } else {
            self.last = None;
        }
        Ok(step)
    }
}

fn on_req_pq<R: CryptoRngCore + ?Sized>(
    config: &KeyExchangeServerConfig,
    body: &[u8],
    rng: &mut R,
) -> Result<(State, ServerStep), AuthError> {
    let nonce = match functions::ReqPqMulti::decode_from_slice(body) {
        Ok(req) => req.nonce,
        Err(multi_error) => match functions::ReqPq::decode_from_slice(body) {
            Ok(req) => req.nonce,
            Err(_) => {
                return Err(AuthError::Decode {
                    step: Step::Pq,
                    what: "req_pq_multi",
                    error: multi_error,
                })
            }
        },
    };
    let mut server_nonce = [0u8; 16];
    rng.fill_bytes(&mut server_nonce);
    let p = random_prime_31(rng);
    let q = loop {
        let q = random_prime_31(rng);
        if q != p {
            break q;
        }
    };
    let (p, q) = (p.min(q), p.max(q));
    let pq = to_be_bytes_min(p * q);
    let pq = pq.as_slice();
    let fingerprints = [config.key.public_key().fingerprint()];
    let reply = zerotl::encode_to_vec(&types::ResPq {
        nonce,
        server_nonce,
        pq: Bytes::new(pq),
        server_public_key_fingerprints: Vector::from_slice(&fingerprints),
    })?;
    Ok((
        State::AwaitReqDh {
            nonce,
            server_nonce,
            p,
            q,
        },
        ServerStep::Reply(reply),
    ))
}

/// A random prime in [2^30, 2^31): `pq` then stays below 2^62, as Telegram's does.
fn random_prime_31<R: CryptoRngCore + ?Sized>(rng: &mut R) -> u64 {
    loop {
        let candidate = (u64::from(rng.next_u32()) & 0x3fff_ffff) | 0x4000_0001;
        if is_prime(candidate) {
            return candidate;
        }
    }
}

/// `p_q_inner_data` in any of its four forms, reduced to what the server uses.
struct PqInner {
    pq: Vec<u8>,
    p: Vec<u8>,
    q: Vec<u8>,
    nonce: [u8; 16],
    server_nonce: [u8; 16],
    new_nonce: [u8; 32],
    dc: Option<i32>,
    expires_in: Option<i32>,
}

fn decode_pq_inner(r: &mut zerotl::Reader<'_>) -> Result<PqInner, zerotl::DecodeError> {
    Ok(match enums::PQInnerData::decode(r)? {
        enums::PQInnerData::Data(d) => PqInner {
            pq: d.pq.to_vec(),
            p: d.p.to_vec(),
            q: d.q.to_vec(),
            nonce: d.nonce,
            server_nonce: d.server_nonce,
            new_nonce: d.new_nonce,
            dc: None,
            expires_in: None,
        },
        enums::PQInnerData::Dc(d) => PqInner {
            pq: d.pq.to_vec(),
            p: d.p.to_vec(),
            q: d.q.to_vec(),
            nonce: d.nonce,
            server_nonce: d.server_nonce,
            new_nonce: d.new_nonce,
            dc: Some(d.dc),
            expires_in: None,
        },
        enums::PQInnerData::Temp(d) => PqInner {
            pq: d.pq.to_vec(),
            p: d.p.to_vec(),
            q: d.q.to_vec(),
            nonce: d.nonce,
            server_nonce: d.server_nonce,
            new_nonce: d.new_nonce,
            dc: None,
            expires_in: Some(d.expires_in),
        },
        enums::PQInnerData::TempDc(d) => PqInner {
            pq: d.pq.to_vec(),
            p: d.p.to_vec(),
            q: d.q.to_vec(),
            nonce: d.nonce,
            server_nonce: d.server_nonce,
            new_nonce: d.new_nonce,
            dc: Some(d.dc),
            expires_in: Some(d.expires_in),
        },
    })
}

/// Decrypts `encrypted_data` of `req_DH_params`: `RSA_PAD` first, then (if
/// allowed) the legacy padding, whose SHA1 covers exactly the decoded object.
fn open_pq_inner<R: CryptoRngCore + ?Sized>(
    config: &KeyExchangeServerConfig,
    encrypted: &[u8],
    rng: &mut R,
) -> Result<PqInner, AuthError> {
    let step = Step::DhParams;
    let what = "p_q_inner_data";
    // The decrypted blocks hold new_nonce: wiped when dropped.
    let pad_error = match rsa_pad_decrypt(encrypted, &config.key, rng) {
        Ok(data) => {
            let data = Zeroizing::new(data);
            let mut r = zerotl::Reader::new(&data[..]);
            return decode_pq_inner(&mut r).map_err(|error| AuthError::Decode {
                step,
                what,
                error,
            });
        }
        Err(e) => e,
    };
    if !config.accept_legacy_rsa {
        return Err(pad_error.into());
    }
    let block = Zeroizing::new(legacy_decrypt(encrypted, &config.key, rng)?);
    let (hash, rest) = block.split_at(20);
    let mut r = zerotl::Reader::new(rest);
    let Ok(inner) = decode_pq_inner(&mut r) else {
        return Err(pad_error.into());
    };
    if sha1(&[&rest[..r.position()]])[..] != hash[..] {
        return Err(pad_error.into());
    }
    Ok(inner)
}

#[allow(clippy::too_many_arguments)]
fn on_req_dh<R: CryptoRngCore + ?Sized>(
    config: &KeyExchangeServerConfig,
    nonce: [u8; 16],
    server_nonce: [u8; 16],
    p: u64,
    q: u64,
    body: &[u8],
    unix_time: i32,
    rng: &mut R,
) -> Result<(State, ServerStep), AuthError> {
    let step = Step::DhParams;
    let req =
        functions::ReqDhParams::decode_from_slice(body).map_err(|error| AuthError::Decode {
            step,
            what: "req_DH_params",
            error,
        })?;
    check_nonces(step, nonce, server_nonce, req.nonce, req.server_nonce)?;
    let fingerprint = config.key.public_key().fingerprint();
    if req.public_key_fingerprint != fingerprint {
        return Err(AuthError::UnknownFingerprint {
            fingerprint: req.public_key_fingerprint as u64,
        });
    }
    let matches = |bytes: &[u8], value: u64| pq_from_bytes(bytes).is_ok_and(|v| v == value);
    if !matches(req.p.as_slice(), p) {
        return Err(AuthError::PqMismatch { what: "p" });
    }
    if !matches(req.q.as_slice(), q) {
        return Err(AuthError::PqMismatch { what: "q" });
    }
    let inner = open_pq_inner(config, req.encrypted_data.as_slice(), rng)?;
    check_nonces(step, nonce, server_nonce, inner.nonce, inner.server_nonce)?;
    if !matches(&inner.pq, p * q) {
        return Err(AuthError::PqMismatch {
            what: "p_q_inner_data.pq",
        });
    }
    if !matches(&inner.p, p) || !matches(&inner.q, q) {
        return Err(AuthError::PqMismatch {
            what: "p_q_inner_data.p/q",
        });
    }
    let group = &config.group;
    let mut a = Box::new([0u8; 256]);
    let g_a = loop {
        rng.fill_bytes(&mut a[..]);
        let g_a = group.g_pow(&a[..]);
        if group.check_public(&g_a, "g_a").is_ok() {
            break g_a;
        }
    };
    let prime = group.prime_bytes();
    let answer = zerotl::encode_to_vec(&types::ServerDhInnerData {
        nonce,
        server_nonce,
        g: group.g() as i32,
        dh_prime: Bytes::new(&prime),
        g_a: Bytes::new(strip_leading_zeros(&g_a)),
        server_time: unix_time,
    })?;
    let (tmp_key, tmp_iv) = handshake_aes_key_iv(&inner.new_nonce, &server_nonce);
    let (tmp_key, tmp_iv) = (Zeroizing::new(tmp_key), Zeroizing::new(tmp_iv));
    let mut encrypted = with_sha1_and_padding(&answer, rng);
    aes_ige_encrypt_in_place(&mut encrypted, &tmp_key, &tmp_iv).expect("padded to whole blocks");
    let reply = zerotl::encode_to_vec(&types::ServerDhParamsOk {
        nonce,
        server_nonce,
        encrypted_answer: Bytes::new(&encrypted),
    })?;
    Ok((
        State::AwaitSetClientDh(SetClientDh {
            nonce,
            server_nonce,
            new_nonce: inner.new_nonce,
            a,
            server_time: unix_time,
            dc: inner.dc,
            expires_in: inner.expires_in,
            expected_retry_id: 0,
            retries: 0,
        }),
        ServerStep::Reply(reply),
    ))
}

impl Drop for PqInner {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.new_nonce);
    }
}

impl Drop for SetClientDh {
    /// The nonce and the DH exponent `a` are wiped.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.new_nonce);
        zeroize::Zeroize::zeroize(&mut self.a[..]);
    }
}

/// What the server remembers between `server_DH_params_ok` and `set_client_DH_params`.
struct SetClientDh {
    nonce: [u8; 16],
    server_nonce: [u8; 16],
    new_nonce: [u8; 32],
    a: Box<[u8; 256]>,
    server_time: i32,
    dc: Option<i32>,
    expires_in: Option<i32>,
    expected_retry_id: i64,
    retries: u32,
}

fn on_set_client_dh(
    config: &KeyExchangeServerConfig,
    ctx: SetClientDh,
    body: &[u8],
    check_key: &mut dyn FnMut(&AuthKey) -> KeyVerdict,
) -> Result<(State, ServerStep), AuthError> {
    let step = Step::ClientDhParams;
    let req = functions::SetClientDhParams::decode_from_slice(body).map_err(|error| {
        AuthError::Decode {
            step,
            what: "set_client_DH_params",
            error,
        }
    })?;
    check_nonces(
        step,
        ctx.nonce,
        ctx.server_nonce,
        req.nonce,
        req.server_nonce,
    )?;
    let encrypted = req.encrypted_data.as_slice();
    if encrypted.len() > MAX_CLIENT_DH_DATA {
        return Err(AuthError::EncryptedTooLong {
            step,
            len: encrypted.len(),
            max: MAX_CLIENT_DH_DATA,
        });
    }
    // The temporary AES key and IV and the decrypted client_DH_inner_data are
    // wiped when dropped, on every path out.
    let (tmp_key, tmp_iv) = handshake_aes_key_iv(&ctx.new_nonce, &ctx.server_nonce);
    let (tmp_key, tmp_iv) = (Zeroizing::new(tmp_key), Zeroizing::new(tmp_iv));
    let mut plain = Zeroizing::new(encrypted.to_vec());
    aes_ige_decrypt_in_place(&mut plain, &tmp_key, &tmp_iv)
        .map_err(|error| AuthError::Ige { step, error })?;
    let enums::ClientDhInnerData::Data(inner) =
        open_with_sha1(&plain, step, "client_DH_inner_data", |r| {
            enums::ClientDhInnerData::decode(r)
        })?;
    check_nonces(
        step,
        ctx.nonce,
        ctx.server_nonce,
        inner.nonce,
        inner.server_nonce,
    )?;
    if inner.retry_id != ctx.expected_retry_id {
        return Err(AuthError::RetryIdMismatch {
            got: inner.retry_id,
            expected: ctx.expected_retry_id,
        });
    }
    let group = &config.group;
    group.check_public(inner.g_b.as_slice(), "g_b")?;
    let auth_key = AuthKey::from_bytes(group.shared_secret(inner.g_b.as_slice(), &ctx.a[..]));
    let verdict = match check_key(&auth_key) {
        KeyVerdict::Retry if ctx.retries >= MAX_SERVER_RETRIES => KeyVerdict::Fail,
        verdict => verdict,
    };
    let (nonce, server_nonce) = (ctx.nonce, ctx.server_nonce);
    match verdict {
        KeyVerdict::Accept => {
            let reply = zerotl::encode_to_vec(&types::DhGenOk {
                nonce,
                server_nonce,
                new_nonce_hash1: auth_key.new_nonce_hash(&ctx.new_nonce, 1),
            })?;
            let outcome = AuthOutcome {
                server_salt: initial_server_salt(&ctx.new_nonce, &server_nonce),
                server_time: ctx.server_time,
                dc: ctx.dc,
                expires_in: ctx.expires_in,
                auth_key,
            };
            Ok((State::Finished, ServerStep::Done { reply, outcome }))
        }
        KeyVerdict::Retry => {
            let reply = zerotl::encode_to_vec(&types::DhGenRetry {
                nonce,
                server_nonce,
                new_nonce_hash2: auth_key.new_nonce_hash(&ctx.new_nonce, 2),
            })?;
            let mut ctx = ctx;
            ctx.expected_retry_id = i64::from_le_bytes(auth_key.aux_hash());
            ctx.retries += 1;
            let next = State::AwaitSetClientDh(ctx);
            Ok((next, ServerStep::Reply(reply)))
        }
        KeyVerdict::Fail => {
            let reply = zerotl::encode_to_vec(&types::DhGenFail {
                nonce,
                server_nonce,
                new_nonce_hash3: auth_key.new_nonce_hash(&ctx.new_nonce, 3),
            })?;
            Ok((State::Finished, ServerStep::Reply(reply)))
        }
    }
}
