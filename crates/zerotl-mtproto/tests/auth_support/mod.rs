//! Helpers shared by the auth, session and crypto tests.
#![allow(dead_code)]

use rand::{RngCore, SeedableRng};
use std::collections::VecDeque;
use zerotl_mtproto::crypto::rsa::RsaPrivateKey;

/// Hex (whitespace ignored) to bytes.
pub fn h(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(s).expect("valid hex in the test")
}

/// Hex to a fixed-size array.
pub fn arr<const N: usize>(s: &str) -> [u8; N] {
    h(s).try_into().expect("length")
}

/// The test server key of `tests/fixtures` (see its README).
pub fn test_server_key() -> RsaPrivateKey {
    RsaPrivateKey::from_pem(include_str!("../fixtures/test_server_rsa_key.pem"))
        .expect("fixture key")
}

/// A seeded ChaCha RNG (deterministic tests).
pub fn seeded(seed: u64) -> rand::rngs::StdRng {
    rand::rngs::StdRng::seed_from_u64(seed)
}

/// `auth_key_id = 0 | msg_id | length | body`.
pub fn plain_message(msg_id: u64, body: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 8];
    out.extend_from_slice(&msg_id.to_le_bytes());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// An RNG that answers a `fill_bytes` of exactly the length of its next
/// scripted chunk with that chunk, and everything else from a seeded RNG.
/// Lets a test put recorded values (a sample's `new_nonce`, `b`) where the
/// state machine draws them.
pub struct ScriptedRng {
    chunks: VecDeque<Vec<u8>>,
    fallback: rand::rngs::StdRng,
}

impl ScriptedRng {
    pub fn new(chunks: Vec<Vec<u8>>) -> Self {
        Self {
            chunks: chunks.into(),
            fallback: seeded(7),
        }
    }

    pub fn all_used(&self) -> bool {
        self.chunks.is_empty()
    }
}

impl RngCore for ScriptedRng {
    fn next_u32(&mut self) -> u32 {
        self.fallback.next_u32()
    }

    fn next_u64(&mut self) -> u64 {
        self.fallback.next_u64()
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        if self.chunks.front().is_some_and(|c| c.len() == dst.len()) {
            dst.copy_from_slice(&self.chunks.pop_front().expect("checked"));
        } else {
            self.fallback.fill_bytes(dst);
        }
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), rand::Error> {
        self.fill_bytes(dst);
        Ok(())
    }
}

impl rand::CryptoRng for ScriptedRng {}

use zerotl_mtproto::auth::{
    AuthError, AuthOutcome, ClientStep, KeyExchangeClient, KeyExchangeConfig, KeyExchangeServer,
    KeyExchangeServerConfig, KeyVerdict, ServerStep,
};

/// The unix time our test servers report.
pub const SERVER_TIME: i32 = 1_700_000_000;

/// Runs a whole exchange in memory; returns the client's and the server's outcome.
pub fn run_exchange(
    client_config: KeyExchangeConfig,
    server_config: KeyExchangeServerConfig,
    check_key: &mut dyn FnMut(&zerotl_mtproto::crypto::AuthKey) -> KeyVerdict,
    rng: &mut rand::rngs::StdRng,
) -> (Result<AuthOutcome, AuthError>, Option<AuthOutcome>) {
    let (mut client, mut to_server) = KeyExchangeClient::start(client_config, rng).unwrap();
    let mut server = KeyExchangeServer::new(std::sync::Arc::new(server_config));
    for _ in 0..16 {
        let (reply, server_outcome) =
            match server.handle_with_key_check(&to_server, SERVER_TIME, rng, check_key) {
                Ok(ServerStep::Reply(reply)) => (reply, None),
                Ok(ServerStep::Done { reply, outcome }) => (reply, Some(outcome)),
                Err(e) => panic!("server refused an honest client: {e}"),
            };
        match client.handle(&reply, rng) {
            Ok(ClientStep::Send(next)) => to_server = next,
            Ok(ClientStep::Done(outcome)) => return (Ok(outcome), server_outcome),
            Err(e) => return (Err(e), server_outcome),
        }
    }
    panic!("the exchange did not finish in 16 round trips");
}

/// The auth keys a simulated server knows, in memory (shared by its connections).
#[derive(Default)]
pub struct MemoryKeys(
    pub std::cell::RefCell<std::collections::BTreeMap<i64, zerotl_mtproto::server::KeyState>>,
);

impl zerotl_mtproto::server::AuthKeyStore for MemoryKeys {
    fn with_key(
        &self,
        auth_key_id: i64,
        f: &mut dyn FnMut(&mut zerotl_mtproto::server::KeyState),
    ) -> bool {
        self.0.borrow_mut().get_mut(&auth_key_id).map(f).is_some()
    }
    fn contains(&self, auth_key_id: i64) -> bool {
        self.0.borrow().contains_key(&auth_key_id)
    }
    fn insert(&self, state: zerotl_mtproto::server::KeyState) {
        self.0.borrow_mut().insert(state.auth_key.id(), state);
    }
}
