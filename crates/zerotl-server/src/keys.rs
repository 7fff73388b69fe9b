//! The server's side of encryption: its RSA key (a built-in, public test key by
//! default) and the auth keys clients created, shared across connections so a
//! client may reconnect with its key.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use rand_core::OsRng;
use zerotl_mtproto::auth::KeyExchangeServerConfig;
use zerotl_mtproto::crypto::rsa::{RsaPrivateKey, RsaPublicKey};
use zerotl_mtproto::crypto::AuthKey;
use zerotl_mtproto::server::{AuthKeyStore, KeyState};

/// The built-in RSA key of the embedded test server (PKCS#1 PEM, 2048 bits).
///
/// **It protects nothing**: it is published in the source so that `zerotl invoke`
/// can talk to `zerotl serve` without exchanging keys. A server meant to keep
/// secrets needs its own key.
pub const TEST_SERVER_KEY_PEM: &str = include_str!("test_server_key.pem");

/// The built-in test key.
pub fn test_server_key() -> RsaPrivateKey {
    RsaPrivateKey::from_pem(TEST_SERVER_KEY_PEM).expect("the built-in test key parses")
}

/// The public half of [`test_server_key`]: what a client of the test server must
/// be told to trust (`ClientConfig::trust(vec![test_server_public_key()])`; no
/// client trusts it by default).
pub fn test_server_public_key() -> RsaPublicKey {
    test_server_key().public_key().clone()
}

/// Default number of auth keys remembered. Each costs about 0.4 KiB, plus up to
/// [`MAX_SESSIONS_PER_KEY`](zerotl_mtproto::server::MAX_SESSIONS_PER_KEY) (32)
/// sessions of about 1 KiB each (their replay windows) once it is used: at most
/// about 130 MiB for a full store.
pub const DEFAULT_MAX_AUTH_KEYS: usize = 4096;

/// Auth keys by id with their [`KeyState`] (salts, sessions, replay windows),
/// shared by every connection.
///
/// **Eviction by last use, in two tiers.** A key that only came out of a key
/// exchange is *on probation*; the first encrypted message under it makes it
/// *proven*. Past the cap, the least recently used probation key goes first;
/// proven keys are evicted (least recently used first) only when no probation
/// key is left. A flood of cheap key exchanges therefore churns its own tier and
/// never pushes out a key in use.
#[derive(Debug, Clone)]
pub struct KeyStore {
    inner: Arc<Mutex<Keys>>,
}

#[derive(Debug)]
struct Entry {
    state: KeyState,
    tick: u64,
    proven: bool,
}

#[derive(Debug)]
struct Keys {
    by_id: HashMap<i64, Entry>,
    /// Last use → key id, per tier.
    probation: BTreeMap<u64, i64>,
    proven: BTreeMap<u64, i64>,
    clock: u64,
    max: usize,
}

impl Keys {
    fn tier(&mut self, proven: bool) -> &mut BTreeMap<u64, i64> {
        if proven {
            &mut self.proven
        } else {
            &mut self.probation
        }
    }

    fn evict_one(&mut self) {
        let victim = self
            .probation
            .pop_first()
            .or_else(|| self.proven.pop_first());
        if let Some((_, id)) = victim {
            self.by_id.remove(&id);
        }
    }
}

impl KeyStore {
    /// A store remembering at most `max` keys (at least one).
    pub fn new(max: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Keys {
                by_id: HashMap::new(),
                probation: BTreeMap::new(),
                proven: BTreeMap::new(),
                clock: 0,
                max: max.max(1),
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Keys> {
        // Every operation leaves the maps consistent, so a poisoned lock is usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Remembers `key` with its first `salt` (valid from now), on probation.
    pub fn insert(&self, key: AuthKey, salt: i64) {
        let state = KeyState::new(key, salt, crate::now(), &mut OsRng);
        self.insert_state(state);
    }

    /// Remembers a key's state, on probation (replacing a key with the same id).
    pub fn insert_state(&self, state: KeyState) {
        let mut keys = self.lock();
        let id = state.auth_key.id();
        keys.clock += 1;
        let tick = keys.clock;
        if let Some(old) = keys.by_id.remove(&id) {
            keys.tier(old.proven).remove(&old.tick);
        }
        while keys.by_id.len() >= keys.max {
            keys.evict_one();
        }
        keys.probation.insert(tick, id);
        keys.by_id.insert(
            id,
            Entry {
                state,
                tick,
                proven: false,
            },
        );
    }

    /// Runs `f` on key `auth_key_id`'s state, marking it used (and proven).
    pub fn with_key(&self, auth_key_id: i64, f: &mut dyn FnMut(&mut KeyState)) -> bool {
        let mut guard = self.lock();
        let keys = &mut *guard;
        keys.clock += 1;
        let tick = keys.clock;
        let Some(entry) = keys.by_id.get_mut(&auth_key_id) else {
            return false;
        };
        let (old_tick, was_proven) = (entry.tick, entry.proven);
        entry.tick = tick;
        entry.proven = true;
        f(&mut entry.state);
        keys.tier(was_proven).remove(&old_tick);
        keys.proven.insert(tick, auth_key_id);
        true
    }

    /// The key with this id and its current salt.
    pub fn get(&self, auth_key_id: i64) -> Option<(AuthKey, i64)> {
        let now = crate::now();
        self.lock()
            .by_id
            .get(&auth_key_id)
            .map(|e| (e.state.auth_key.clone(), e.state.salts.current(now)))
    }

    /// Whether a key with this id is known.
    pub fn contains(&self, auth_key_id: i64) -> bool {
        self.lock().by_id.contains_key(&auth_key_id)
    }

    /// How many keys are remembered.
    pub fn len(&self) -> usize {
        self.lock().by_id.len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl AuthKeyStore for KeyStore {
    fn with_key(&self, auth_key_id: i64, f: &mut dyn FnMut(&mut KeyState)) -> bool {
        KeyStore::with_key(self, auth_key_id, f)
    }

    fn contains(&self, auth_key_id: i64) -> bool {
        KeyStore::contains(self, auth_key_id)
    }

    fn insert(&self, state: KeyState) {
        KeyStore::insert_state(self, state)
    }
}

impl Default for KeyStore {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_AUTH_KEYS)
    }
}

/// How connections may talk to the server.
#[derive(Clone)]
pub struct Security {
    /// Key exchange parameters (RSA key, DH group); `None` refuses key exchanges.
    pub encryption: Option<Arc<KeyExchangeServerConfig>>,
    /// Answer unencrypted requests (plain test mode).
    pub insecure_plain: bool,
    /// Auth keys created so far.
    pub keys: KeyStore,
}

impl std::fmt::Debug for Security {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Security")
            .field("encryption", &self.encryption.is_some())
            .field("insecure_plain", &self.insecure_plain)
            .field("keys", &self.keys.len())
            .finish()
    }
}

impl Default for Security {
    /// Encryption with the built-in test key; plain test mode off.
    fn default() -> Self {
        Self {
            encryption: Some(Arc::new(KeyExchangeServerConfig::new(test_server_key()))),
            insecure_plain: false,
            keys: KeyStore::default(),
        }
    }
}
