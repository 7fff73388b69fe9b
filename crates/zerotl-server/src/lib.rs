//! # zerotl-server: the embedded MTProto test server
//!
//! Answers `messages.exportChatInvite` (layers 122 and 230), the connection
//! bootstrap client libraries send, bot logins and the identity calls after them
//! (`users.getUsers`, `users.getFullUser`, `updates.getState`) from a [`World`] over any
//! MTProto transport, encrypted (MTProto 2.0, after a key exchange) or, with
//! `insecure_plain`, in plain test mode.
//!
//! * [`world`]: the chats and channels and the rules (the default world of
//!   docs/world.md is [`World::default`](world::World::default);
//!   `data/worlds/default.json` is the same world as a file).
//! * [`WorldState`]: links and flood counters shared by all connections, on an
//!   injectable [`TimeSource`] ([`ManualTime`] in tests).
//! * [`rpc`]: one request body in, one result out: *what* to answer;
//!   [`layers`]: in which layer's constructors; [`sessions`]: each session's
//!   layer and app, each auth key's login.
//! * [`keys`]: the RSA key (a built-in test key by default) and the auth keys
//!   clients created, shared by all connections.
//! * [`ServerBuilder`] / [`RunningServer`]: the tokio driver (connection limit,
//!   idle and write timeouts, clean shutdown), reporting [`ServerEvent`]s;
//!   [`ServerBuilder::start_in_thread`] / [`ServerThread`] run it from blocking
//!   code, on a thread with its own runtime.
//!
//! Each connection's protocol — transport detection, framing, key exchange,
//! sessions, service messages, bounds and deadlines — is the sans-IO
//! [`ServerConnection`](zerotl_mtproto::server::ServerConnection) of
//! `zerotl-mtproto`; the driver only moves bytes, answers the requests it hands
//! out, and sleeps until the connection's `poll_timeout()`. The deadlines'
//! durations come from [`Limits`] and the builder's idle and write timeouts.
//!
//! ## Plain test mode
//!
//! With [`ServerBuilder::insecure_plain`], an unencrypted message
//! (`auth_key_id = 0 | msg_id | length | body`) whose body is a request is answered
//! with an unencrypted message whose body is `rpc_result#f35c6d01 req_msg_id result`
//! and whose msg_id is `1 mod 4`. Without it such a request gets transport error
//! −404 and the connection closes ([`CloseReason::Protocol`] with
//! `ServerConnectionError::PlainRefused`). Key-exchange
//! messages (`req_pq_multi`, ...) are always accepted while encryption is on.
//!
//! ## Encryption
//!
//! A [`ServerBuilder`]'s RSA key defaults to the public [`keys::TEST_SERVER_KEY_PEM`]
//! (quick to start, for tests); a client trusts it only when told by name
//! (`ClientConfig::trust(vec![keys::test_server_public_key()])` in `zerotl-client`).
//! [`ServerBuilder::rsa_key`] sets a real key,
//! and `zerotl serve` always uses one (`--rsa-key FILE`, or a fresh key at start-up). Auth keys live in a shared
//! [`KeyStore`](keys::KeyStore), so a client may reconnect with its key. Server
//! answers are packed as responses (`msg_id ≡ 1 mod 4`); the server sends
//! `new_session_created` on a session's first message, `bad_server_salt` /
//! `bad_msg_notification` for refused messages, `pong` for `ping`, and answers
//! requests inside `msg_container` and `gzip_packed`. It does not send `msgs_ack` or
//! quick acks (clients do not depend on either).
//!
//! ## Limits (all configurable)
//!
//! | limit | default | on excess |
//! |---|---|---|
//! | connections | 1024 | closed at accept ([`RefuseReason::TooManyConnections`]) |
//! | connections per IP address | 256 | closed at accept ([`RefuseReason::TooManyFromAddress`]) |
//! | connections per IP address still detecting or exchanging keys | 32 | closed at accept ([`RefuseReason::TooManyKeyExchanges`]) |
//! | key exchanges started per IP address | 600 a minute | the connection starting one is closed ([`CloseReason::TooManyKeyExchanges`]) |
//! | transport detection | 10 s from accept | [`CloseReason::DetectTimeout`] |
//! | key exchange, or the first message under a known key (or plain request) | 30 s from detection | [`CloseReason::KeyExchangeTimeout`] |
//! | a frame not complete, from its first byte (however it trickles in) | 30 s | [`CloseReason::StalledFrame`] |
//! | key-exchange crypto running at once | one per two cores (at least one) | waits for the bounded blocking pool |
//! | frame size | 1 MiB | [`CloseReason::Protocol`] (`Frame(FrameError::TooLarge)`) |
//! | requests not yet answered or read by the client | 256 | the connection stops reading; [`CloseReason::SlowReader`] after the write timeout (10 s) |
//! | output not yet written | 1 MiB | the connection stops reading (as above) |
//! | idle time | 300 s | [`CloseReason::IdleTimeout`] |
//! | after a `ping_delay_disconnect` | its `disconnect_delay`, unless another one comes first | [`CloseReason::DisconnectDelay`] (once the output is written) |
//! | inflated `gzip_packed`, all parts of one message | 1 MiB | 400 `INPUT_FETCH_ERROR` |
//! | inflated bytes per connection and second | 16 MiB | transport error −429, closed |
//! | auth keys remembered | 4096 | least recently used key on probation first ([`keys::KeyStore`]) |
//!
//! **Memory per connection** is bounded by: the read buffer (16 KiB), the
//! transport's buffered input (one frame: 1 MiB, plus what the in-flight limit
//! holds back: at most one read more), the requests handed out (at most a frame's
//! worth of bodies), the output (1 MiB plus the answers owed when the cap was
//! reached: at most 256 answers) and one inflated message (1 MiB): about 4 MiB
//! at the defaults, whatever the client does. Session state lives per auth key
//! in the [`KeyStore`](keys::KeyStore), not per connection.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use zerotl_server::ServerBuilder;
//! let server = ServerBuilder::new().listen("127.0.0.1:0".parse().unwrap()).spawn().await?;
//! println!("serving on {}", server.local_addr());
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! From blocking code (no tokio in sight; the server stops when dropped):
//!
//! ```no_run
//! let server = zerotl_server::ServerBuilder::new()
//!     .listen("127.0.0.1:0".parse().unwrap())
//!     .start_in_thread()?;
//! println!("serving on {}", server.local_addr());
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! ## Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | (none) | | the crate needs `std` and tokio; `ServerBuilder::start_in_thread` runs the server on its own runtime for blocking code |
//! | `fuzzing` | no | `fuzzing::rpc_answer`, the body of the `rpc_answer` fuzz target, and its seeds |

// RpcError keeps its texts inline (no allocation in the protocol core): results
// and events that carry one are large by design.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

mod blocking;
mod driver;
pub mod events;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
pub mod keys;
pub mod layers;
pub mod rpc;
pub mod sessions;
mod state;
mod time;
pub mod world;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use zerotl_mtproto::auth::KeyExchangeServerConfig;
use zerotl_mtproto::crypto::rsa::RsaPrivateKey;
pub use zerotl_mtproto::server::ServerConnectionConfig;
use zerotl_mtproto::server::ServerTimeouts;

pub use blocking::ServerThread;
pub use driver::{Observer, ServerStats};
pub use events::{CloseReason, RefuseReason, ServerEvent};
pub use state::{WorldState, LINK_PREFIX};
pub use time::{ManualTime, MonotonicTime, TimeSource};

use keys::Security;
use world::World;

/// The default address: loopback, port 4430.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:4430";

/// Configures and starts a server.
#[must_use]
pub struct ServerBuilder {
    listen: SocketAddr,
    world: Option<WorldState>,
    security: Security,
    connection: ServerConnectionConfig,
    max_connections: usize,
    idle_timeout: Duration,
    write_timeout: Duration,
    limits: Limits,
    observer: Option<Observer>,
}

/// Deadlines and per-address fairness limits of a server (see [`ServerBuilder`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From accept to a detected transport.
    pub detect_timeout: Duration,
    /// From the detected transport to a finished key exchange, or to the first
    /// message under a known key (or plain test-mode request): a client that
    /// resumes a key and stays silent this long after its transport tag is
    /// closed.
    pub key_exchange_timeout: Duration,
    /// How long a frame may take from its first byte to its last (a total
    /// deadline: a frame trickled in one byte at a time still times out).
    pub frame_timeout: Duration,
    /// Most connections open from one IP address.
    pub max_connections_per_ip: usize,
    /// Most connections from one IP address still in transport detection or
    /// key exchange.
    pub max_key_exchanges_per_ip: usize,
    /// Most key exchanges one IP address may start per minute; past that a
    /// connection starting one is closed.
    pub key_exchanges_per_ip_per_minute: usize,
    /// Size of the pool that runs the key exchanges' RSA and DH work (off the
    /// async workers).
    pub key_exchange_workers: usize,
}

impl Default for Limits {
    /// 10 s to detect, 30 s to exchange keys, 30 s for a stalled frame, 256
    /// connections and 32 openings at once and 600 key exchanges a minute per
    /// address, one crypto worker per two cores (at least one).
    fn default() -> Self {
        Self {
            detect_timeout: Duration::from_secs(10),
            key_exchange_timeout: Duration::from_secs(30),
            frame_timeout: Duration::from_secs(30),
            max_connections_per_ip: 256,
            max_key_exchanges_per_ip: 32,
            key_exchanges_per_ip_per_minute: 600,
            // Half the cores: a flood of key exchanges never takes them all from
            // the connections already established.
            key_exchange_workers: std::thread::available_parallelism()
                .map_or(1, |n| (n.get() / 2).max(1)),
        }
    }
}

impl std::fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("listen", &self.listen)
            .field("security", &self.security)
            .field("connection", &self.connection)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

impl Default for ServerBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerBuilder {
    /// The default world on the system clock, [`DEFAULT_LISTEN`], encryption with
    /// the built-in test key, plain test mode off, the limits of the module docs.
    pub fn new() -> Self {
        Self {
            listen: DEFAULT_LISTEN.parse().expect("a valid address"),
            world: None,
            security: Security::default(),
            connection: ServerConnectionConfig::default(),
            max_connections: 1024,
            idle_timeout: Duration::from_secs(300),
            write_timeout: Duration::from_secs(10),
            limits: Limits::default(),
            observer: None,
        }
    }

    /// Deadlines and per-address limits (see [`Limits`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Listens on `addr` (port 0 picks a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Serves `world` (on the system clock).
    pub fn world(mut self, world: World) -> Self {
        self.world = Some(WorldState::new(world));
        self
    }

    /// Serves an existing state (a world on a [`ManualTime`], or one shared with a test).
    pub fn world_state(mut self, state: WorldState) -> Self {
        self.world = Some(state);
        self
    }

    /// Answers unencrypted requests (plain test mode).
    pub fn insecure_plain(mut self, on: bool) -> Self {
        self.security.insecure_plain = on;
        self
    }

    /// Uses `key` for key exchanges (instead of the built-in test key).
    pub fn rsa_key(mut self, key: RsaPrivateKey) -> Self {
        self.security.encryption = Some(Arc::new(KeyExchangeServerConfig::new(key)));
        self
    }

    /// Replaces the encryption settings (RSA key, DH group, auth key store).
    pub fn security(mut self, security: Security) -> Self {
        self.security = security;
        self
    }

    /// Per-connection limits and transport settings. Its `timeouts` are set
    /// from [`limits`](Self::limits), [`idle_timeout`](Self::idle_timeout) and
    /// [`write_timeout`](Self::write_timeout) when the server starts.
    pub fn connection_config(mut self, config: ServerConnectionConfig) -> Self {
        self.connection = config;
        self
    }

    /// Most connections served at once (at least one).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Closes connections that read and write nothing for `d` while no output
    /// waits.
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.idle_timeout = d;
        self
    }

    /// Closes connections whose client reads nothing for `d` while answers wait.
    pub fn write_timeout(mut self, d: Duration) -> Self {
        self.write_timeout = d;
        self
    }

    /// Calls `observer` with every [`ServerEvent`] (from the server's tasks: keep it quick).
    pub fn observer(mut self, observer: impl Fn(&ServerEvent) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Binds the address and starts serving on the current tokio runtime.
    pub async fn spawn(self) -> std::io::Result<RunningServer> {
        let listener = driver::bind(self.listen).await?;
        let local_addr = listener.local_addr()?;
        let world = self
            .world
            .unwrap_or_else(|| WorldState::new(World::default()));
        world.set_listen_addr(local_addr);
        let connection = ServerConnectionConfig {
            timeouts: ServerTimeouts {
                detect: self.limits.detect_timeout,
                key_exchange: self.limits.key_exchange_timeout,
                frame: self.limits.frame_timeout,
                idle: self.idle_timeout,
                write: self.write_timeout,
            },
            ..self.connection
        };
        let stats = Arc::new(ServerStats::default());
        let shared = Arc::new(driver::Shared {
            world: world.clone(),
            security: self.security,
            connection,
            max_connections: self.max_connections,
            limits: self.limits,
            per_ip: std::sync::Mutex::new(std::collections::HashMap::new()),
            crypto_pool: Arc::new(tokio::sync::Semaphore::new(
                self.limits.key_exchange_workers.max(1),
            )),
            observer: self.observer,
            stats: stats.clone(),
        });
        shared.emit(ServerEvent::Listening(local_addr));
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(driver::accept_loop(listener, shared, stopped));
        Ok(RunningServer {
            local_addr,
            world,
            stats,
            stop: ShutdownHandle {
                sender: Arc::new(stop),
            },
            task,
        })
    }
}

/// Stops a server from anywhere (cheap to clone).
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    sender: Arc<watch::Sender<bool>>,
}

impl ShutdownHandle {
    /// Asks the server to stop: it stops accepting and closes every connection.
    pub fn shutdown(&self) {
        self.sender.send_replace(true);
    }
}

/// A server serving on a tokio runtime.
///
/// Dropping it, and every [`ShutdownHandle`], stops the server as
/// [`ShutdownHandle::shutdown`] does (without waiting).
#[derive(Debug)]
pub struct RunningServer {
    local_addr: SocketAddr,
    world: WorldState,
    stats: Arc<ServerStats>,
    stop: ShutdownHandle,
    task: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The world and its links.
    pub fn world(&self) -> &WorldState {
        &self.world
    }

    /// Connection and request counters.
    pub fn stats(&self) -> &ServerStats {
        &self.stats
    }

    /// A handle that stops the server.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.stop.clone()
    }

    /// Stops the server and waits until every connection has ended.
    pub async fn shutdown(self) {
        self.stop.shutdown();
        let _ = self.task.await;
    }

    /// Waits until the server stops (after a [`ShutdownHandle::shutdown`]).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

/// The wall clock, as the protocol core takes it.
pub(crate) fn now() -> zerotl_mtproto::UnixTime {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    zerotl_mtproto::UnixTime::from_duration_since_epoch(since_epoch)
}
