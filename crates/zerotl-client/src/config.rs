//! How a client connects: transport, session security, timeouts, flood policy.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use zerotl_mtproto::crypto::keys::PRODUCTION_KEYS;
use zerotl_mtproto::crypto::rsa::RsaPublicKey;
use zerotl_mtproto::crypto::AuthKey;
use zerotl_mtproto::transport::{ObfuscationOptions, Transport, DEFAULT_MAX_FRAME_LEN};

/// How the client's messages are protected.
#[derive(Debug, Clone)]
pub enum SessionMode {
    /// MTProto 2.0: a key exchange on connect (or a saved key), then encrypted messages.
    Encrypted {
        /// RSA keys the client encrypts the key exchange to (the server must offer one).
        trusted_keys: Vec<RsaPublicKey>,
        /// The `dc` sent in the key exchange.
        dc: i32,
        /// A key (and its server salt) from an earlier connection, to skip the exchange.
        resume: Option<(AuthKey, i64)>,
    },
    /// Unencrypted requests: the embedded server's plain test mode. **Insecure**:
    /// anyone on the path reads and changes everything.
    InsecurePlain,
}

impl SessionMode {
    /// Encryption trusting Telegram's production keys
    /// ([`PRODUCTION_KEYS`]), dc 2. A test server's key is trusted only when a
    /// caller names it ([`ClientConfig::trust`]).
    pub fn telegram_production() -> Self {
        SessionMode::Encrypted {
            trusted_keys: PRODUCTION_KEYS
                .iter()
                .map(|k| RsaPublicKey::from_pem(k.pem).expect("bundled keys parse (tested)"))
                .collect(),
            dc: 2,
            resume: None,
        }
    }
}

/// Sleeps for the given time: how the client waits before repeating a request
/// after `FLOOD_WAIT_X` (tests replace it to move a manual clock instead).
pub type Sleeper = Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// What the client does with 420 `FLOOD_WAIT_X` (and the other 420 waits).
#[derive(Clone)]
pub struct FloodPolicy {
    /// Waits up to this long are slept through and the request repeated; longer
    /// ones are returned as the error.
    pub sleep_threshold: Duration,
    /// Most repeats of one call.
    pub max_retries: u32,
    /// How to wait (the tokio timer by default).
    pub sleeper: Sleeper,
}

impl FloodPolicy {
    /// Never waits: every FLOOD_WAIT is returned.
    pub fn surface_all() -> Self {
        Self {
            sleep_threshold: Duration::ZERO,
            ..Self::default()
        }
    }

    /// Waits with `sleeper` instead of the tokio timer.
    pub fn with_sleeper<F, Fut>(mut self, sleeper: F) -> Self
    where
        F: Fn(Duration) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.sleeper = Arc::new(move |d| Box::pin(sleeper(d)));
        self
    }
}

impl Default for FloodPolicy {
    /// Sleeps through waits of up to 10 s, at most 3 times per call.
    fn default() -> Self {
        Self {
            sleep_threshold: Duration::from_secs(10),
            max_retries: 3,
            sleeper: Arc::new(|d| Box::pin(tokio::time::sleep(d))),
        }
    }
}

impl std::fmt::Debug for FloodPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FloodPolicy")
            .field("sleep_threshold", &self.sleep_threshold)
            .field("max_retries", &self.max_retries)
            .finish_non_exhaustive()
    }
}

/// A client configuration that cannot work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Obfuscation asked for on the full transport, which has no tag for
    /// obfuscated2 to carry.
    #[error(
        "the full transport cannot be obfuscated (obfuscated2 carries a transport tag, \
         and the full transport has none): obfuscate abridged, intermediate or padded"
    )]
    ObfuscatedFull,
    /// Encryption with no RSA key to trust (and no saved auth key): no key
    /// exchange could succeed.
    #[error(
        "encryption needs a server RSA key to trust: name it with `ClientConfig::trust` \
         (or speak plain test mode with `ClientConfig::insecure_plain`)"
    )]
    NoTrustedKey,
    /// A zero request or connect timeout: every call (or connection) would fail at once.
    #[error("the {0} timeout is zero: every attempt would time out at once")]
    ZeroTimeout(&'static str),
}

/// Everything about a client connection.
///
/// ```
/// use std::time::Duration;
/// use zerotl_client::{ClientConfig, SessionMode};
/// use zerotl_mtproto::transport::Transport;
/// let config = ClientConfig::new(Transport::Full).timeout(Duration::from_secs(3));
/// assert!(matches!(config.session, SessionMode::Encrypted { .. }));
/// let plain = ClientConfig::new(Transport::Abridged).obfuscated()?.insecure_plain();
/// assert!(matches!(plain.session, SessionMode::InsecurePlain));
/// # Ok::<(), zerotl_client::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The framing.
    pub transport: Transport,
    /// Obfuscate the connection (obfuscated2; not with the full transport: set it
    /// with [`ClientConfig::obfuscated`], which checks).
    pub obfuscation: Option<ObfuscationOptions>,
    /// Largest frame sent or accepted.
    pub max_frame_len: usize,
    /// Encrypted (default) or plain test mode.
    pub session: SessionMode,
    /// How long one attempt of a call may wait for its answer (the core's deadline).
    pub request_timeout: Duration,
    /// How long connecting (TCP and key exchange) may take.
    pub connect_timeout: Duration,
    /// Most calls waiting for answers at once (at most
    /// [`MAX_IN_FLIGHT`](crate::Client::MAX_IN_FLIGHT)); more calls wait for a slot.
    pub max_in_flight: usize,
    /// Most bytes a `gzip_packed` answer may inflate to (the size of the
    /// connection's scratch buffer).
    pub max_inflated: usize,
    /// What to do with FLOOD_WAIT.
    pub flood: FloodPolicy,
}

impl ClientConfig {
    /// `transport`, encrypted, trusting Telegram's production keys
    /// ([`SessionMode::telegram_production`]), 10 s per request, 10 s to connect,
    /// 256 calls in flight, answers inflating to 16 MiB, the default [`FloodPolicy`].
    pub fn new(transport: Transport) -> Self {
        Self {
            transport,
            obfuscation: None,
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
            session: SessionMode::telegram_production(),
            request_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            max_in_flight: crate::Client::MAX_IN_FLIGHT,
            max_inflated: zerotl_mtproto::envelope::gzip::DEFAULT_MAX_INFLATED,
            flood: FloodPolicy::default(),
        }
    }

    /// Obfuscates the connection (obfuscated2, no proxy secret). The full transport
    /// has no tag for obfuscated2 to carry, so it cannot be obfuscated:
    ///
    /// ```
    /// use zerotl_client::{ClientConfig, ConfigError};
    /// use zerotl_mtproto::transport::Transport;
    /// assert!(ClientConfig::new(Transport::Padded).obfuscated().is_ok());
    /// assert_eq!(
    ///     ClientConfig::new(Transport::Full).obfuscated().unwrap_err(),
    ///     ConfigError::ObfuscatedFull
    /// );
    /// ```
    pub fn obfuscated(mut self) -> Result<Self, ConfigError> {
        self.obfuscation = Some(ObfuscationOptions::default());
        self.validate()?;
        Ok(self)
    }

    /// Checks that the settings can work together: no obfuscation on the full
    /// transport, a trusted RSA key when encrypting without a saved auth key, and
    /// non-zero request and connect timeouts.
    ///
    /// Of the builder methods only [`ClientConfig::obfuscated`] runs this check (and
    /// so refuses any of these, not only the full transport). The others accept
    /// what they are given: `timeout(Duration::ZERO)` and `trust(vec![])`, like
    /// fields set directly, are refused here, which `Client::connect` and
    /// `BlockingClient::connect` run before they open a connection.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.obfuscation.is_some() && self.transport == Transport::Full {
            return Err(ConfigError::ObfuscatedFull);
        }
        if let SessionMode::Encrypted {
            trusted_keys,
            resume: None,
            ..
        } = &self.session
        {
            if trusted_keys.is_empty() {
                return Err(ConfigError::NoTrustedKey);
            }
        }
        if self.request_timeout.is_zero() {
            return Err(ConfigError::ZeroTimeout("request"));
        }
        if self.connect_timeout.is_zero() {
            return Err(ConfigError::ZeroTimeout("connect"));
        }
        Ok(())
    }

    /// Speaks the server's plain test mode (no encryption).
    pub fn insecure_plain(mut self) -> Self {
        self.session = SessionMode::InsecurePlain;
        self
    }

    /// Sets the per-attempt timeout.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.request_timeout = d;
        self
    }

    /// Sets the flood policy.
    pub fn flood(mut self, policy: FloodPolicy) -> Self {
        self.flood = policy;
        self
    }

    /// Encrypts the key exchange to one of `keys` (replacing the trusted keys;
    /// switches a plain-mode config back to encryption, dc 2).
    pub fn trust(mut self, keys: Vec<RsaPublicKey>) -> Self {
        match &mut self.session {
            SessionMode::Encrypted { trusted_keys, .. } => *trusted_keys = keys,
            SessionMode::InsecurePlain => {
                self.session = SessionMode::Encrypted {
                    trusted_keys: keys,
                    dc: 2,
                    resume: None,
                }
            }
        }
        self
    }

    /// Reuses a key (and its salt) from an earlier connection to the same server
    /// (no effect in plain test mode).
    pub fn resume(mut self, key: AuthKey, salt: i64) -> Self {
        if let SessionMode::Encrypted { resume, .. } = &mut self.session {
            *resume = Some((key, salt));
        }
        self
    }
}

/// Bytes read from the socket at once.
pub(crate) const READ_CHUNK: usize = 16 * 1024;

impl ClientConfig {
    /// The core's configuration.
    pub(crate) fn connection(&self) -> zerotl_mtproto::client::ClientConnectionConfig {
        let mut c = zerotl_mtproto::client::ClientConnectionConfig::new(self.transport);
        c.transport_config.max_frame_len = self.max_frame_len;
        c.obfuscation = self.obfuscation;
        c.request_timeout = self.request_timeout;
        c
    }

    /// How the core's session starts.
    pub(crate) fn setup(&self) -> zerotl_mtproto::client::SessionSetup {
        use zerotl_mtproto::auth::KeyExchangeConfig;
        use zerotl_mtproto::client::SessionSetup;
        match &self.session {
            SessionMode::InsecurePlain => SessionSetup::InsecurePlain,
            SessionMode::Encrypted {
                resume: Some((auth_key, salt)),
                ..
            } => SessionSetup::Resume {
                auth_key: auth_key.clone(),
                salt: *salt,
            },
            SessionMode::Encrypted {
                trusted_keys, dc, ..
            } => SessionSetup::KeyExchange(KeyExchangeConfig::new(trusted_keys.clone(), *dc)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Configurations that cannot work are refused before anything is sent.
    #[test]
    fn impossible_configs_are_refused() {
        let ok = ClientConfig::new(Transport::Abridged);
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(
            ClientConfig::new(Transport::Full).obfuscated().unwrap_err(),
            ConfigError::ObfuscatedFull
        );
        let mut direct = ClientConfig::new(Transport::Full);
        direct.obfuscation = Some(ObfuscationOptions::default());
        assert_eq!(direct.validate(), Err(ConfigError::ObfuscatedFull));
        let no_keys = ClientConfig::new(Transport::Abridged).trust(vec![]);
        assert_eq!(no_keys.validate(), Err(ConfigError::NoTrustedKey));
        assert!(ConfigError::NoTrustedKey
            .to_string()
            .contains("ClientConfig::trust"));
        // A saved key needs no RSA key; plain mode needs none.
        let resumed = no_keys.clone().resume(AuthKey::from_bytes([7; 256]), 1);
        assert_eq!(resumed.validate(), Ok(()));
        assert_eq!(no_keys.insecure_plain().validate(), Ok(()));
        let zero = ClientConfig::new(Transport::Abridged).timeout(Duration::ZERO);
        assert_eq!(zero.validate(), Err(ConfigError::ZeroTimeout("request")));
        for t in [
            Transport::Abridged,
            Transport::Intermediate,
            Transport::Padded,
        ] {
            assert!(ClientConfig::new(t).obfuscated().is_ok());
        }
    }

    /// Only Telegram's production keys are trusted unless the caller names others.
    #[test]
    fn default_trust_is_telegram_production() {
        let SessionMode::Encrypted {
            trusted_keys,
            dc,
            resume,
        } = ClientConfig::new(Transport::Abridged).session
        else {
            panic!("encrypted by default")
        };
        let fingerprints: Vec<u64> = trusted_keys
            .iter()
            .map(|k| k.fingerprint() as u64)
            .collect();
        let published: Vec<u64> = PRODUCTION_KEYS.iter().map(|k| k.fingerprint).collect();
        assert_eq!(fingerprints, published);
        assert_eq!((dc, resume.is_none()), (2, true));
    }
}
