//! The server's side of encryption: its RSA key (a built-in, public test key by
//! default) and the auth keys clients created, shared across connections so a
//! client may reconnect with its key.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use zerotl_mtproto::auth::KeyExchangeServerConfig;
use zerotl_mtproto::crypto::rsa::{RsaPrivateKey, RsaPublicKey};
use zerotl_mtproto::crypto::AuthKey;
use zerotl_mtproto::server::AuthKeyStore;

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

/// Default number of auth keys remembered.
pub const DEFAULT_MAX_AUTH_KEYS: usize = 65_536;

/// Auth keys by id, with the salt of each (oldest forgotten first beyond the cap).
#[derive(Debug, Clone)]
pub struct KeyStore {
    inner: Arc<Mutex<Keys>>,
}

#[derive(Debug)]
struct Keys {
    by_id: HashMap<i64, (AuthKey, i64)>,
    order: VecDeque<i64>,
    max: usize,
}

impl KeyStore {
    /// A store remembering at most `max` keys (at least one).
    pub fn new(max: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Keys {
                by_id: HashMap::new(),
                order: VecDeque::new(),
                max: max.max(1),
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Keys> {
        // Every operation leaves the maps consistent, so a poisoned lock is usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Remembers `key` with its first `salt`.
    pub fn insert(&self, key: AuthKey, salt: i64) {
        let mut keys = self.lock();
        let id = key.id();
        if keys.by_id.insert(id, (key, salt)).is_none() {
            keys.order.push_back(id);
        }
        while keys.order.len() > keys.max {
            if let Some(old) = keys.order.pop_front() {
                keys.by_id.remove(&old);
            }
        }
    }

    /// The key with this id and its salt.
    pub fn get(&self, auth_key_id: i64) -> Option<(AuthKey, i64)> {
        self.lock().by_id.get(&auth_key_id).cloned()
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
    fn get(&self, auth_key_id: i64) -> Option<(AuthKey, i64)> {
        KeyStore::get(self, auth_key_id)
    }

    fn contains(&self, auth_key_id: i64) -> bool {
        KeyStore::contains(self, auth_key_id)
    }

    fn insert(&self, key: AuthKey, salt: i64) {
        KeyStore::insert(self, key, salt)
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
