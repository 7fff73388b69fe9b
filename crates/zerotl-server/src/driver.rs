//! The tokio side of the server: accept loop and per-connection byte pump. No
//! protocol decisions here: the core's `ServerConnection` makes them, deadlines
//! included (the pump sleeps until `poll_timeout()` and calls
//! `handle_timeout(now)`); the world ([`rpc::answer`](super::rpc::answer)) says
//! what to answer.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

use rand_core::OsRng;
use zerotl_mtproto::server::{
    IncomingRequest, ServerConnection, ServerConnectionConfig, ServerConnectionEvent, ServerContext,
};

use super::events::{CloseReason, RefuseReason, ServerEvent};
use super::keys::Security;
use super::rpc;
use super::state::WorldState;
use super::Limits;

/// A function that sees every [`ServerEvent`].
pub type Observer = Arc<dyn Fn(&ServerEvent) + Send + Sync>;

/// Counters of a running server.
#[derive(Debug, Default)]
pub struct ServerStats {
    accepted: AtomicU64,
    refused: AtomicU64,
    active: AtomicUsize,
    requests: AtomicU64,
    peak_output: AtomicUsize,
}

impl ServerStats {
    /// Connections accepted so far.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Connections refused at the connection limit.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Connections open now.
    pub fn active(&self) -> usize {
        self.active.load(Ordering::Relaxed)
    }

    /// Requests answered by connections that have ended.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The most bytes any one connection's output buffer held so far.
    pub fn peak_output(&self) -> usize {
        self.peak_output.load(Ordering::Relaxed)
    }
}

/// Everything a connection task shares.
pub(super) struct Shared {
    pub(super) world: WorldState,
    pub(super) security: Security,
    /// Per-connection limits, deadlines included (from [`Limits`] and the
    /// builder's idle and write timeouts).
    pub(super) connection: ServerConnectionConfig,
    pub(super) max_connections: usize,
    pub(super) limits: Limits,
    /// Per IP address: connections open, and those still in their opening.
    pub(super) per_ip: Mutex<HashMap<IpAddr, PerIp>>,
    /// Permits to run a key-exchange step on the blocking pool.
    pub(super) crypto_pool: Arc<Semaphore>,
    pub(super) observer: Option<Observer>,
    pub(super) stats: Arc<ServerStats>,
}

impl Shared {
    pub(super) fn emit(&self, event: ServerEvent) {
        if let Some(observer) = &self.observer {
            observer(&event);
        }
    }

    /// What a connection needs to handle bytes now.
    fn context(&self) -> ServerContext<'_> {
        ServerContext {
            key_exchange: self.security.encryption.as_ref(),
            keys: &self.security.keys,
            insecure_plain: self.security.insecure_plain,
            now: super::now(),
        }
    }

    /// Answers one request from the world.
    fn answer(
        &self,
        conn: &mut ServerConnection,
        conn_id: u64,
        request: &IncomingRequest,
    ) -> Result<(), CloseReason> {
        let mut result = Vec::new();
        let now = super::now().as_secs().min(i64::MAX as u64) as i64;
        let session = super::sessions::SessionRef {
            auth_key_id: request.auth_key_id,
            session_id: request.session_id,
        };
        let call = rpc::Request {
            body: &request.body,
            msg_id: request.msg_id,
            session,
            now,
        };
        // Only an error text over 16 MiB could fail to encode.
        let answer = rpc::answer(&self.world, &call, &mut result).ok();
        conn.reply(request, &result, &self.context(), &mut OsRng)?;
        if let Some(answer) = answer {
            if let Some(client) = answer.client {
                self.emit(ServerEvent::ClientInit {
                    conn: conn_id,
                    session,
                    client,
                });
            }
            self.emit(ServerEvent::Request {
                conn: conn_id,
                msg_id: request.msg_id,
                outcome: answer.outcome,
            });
        }
        Ok(())
    }

    /// Reports the connection's events and answers its requests.
    fn handle_events(&self, conn: &mut ServerConnection, conn_id: u64) -> Result<(), CloseReason> {
        while let Some(event) = conn.poll_event() {
            match event {
                ServerConnectionEvent::Detected {
                    transport,
                    obfuscated,
                    websocket,
                } => self.emit(ServerEvent::Detected {
                    conn: conn_id,
                    transport,
                    obfuscated,
                    websocket,
                }),
                ServerConnectionEvent::KeyExchanged { auth_key_id } => {
                    self.emit(ServerEvent::KeyExchanged {
                        conn: conn_id,
                        auth_key_id,
                    })
                }
                ServerConnectionEvent::Request(request) => self.answer(conn, conn_id, &request)?,
                ServerConnectionEvent::SessionDestroyed {
                    auth_key_id,
                    session_id,
                } => {
                    // The core forgot the session's replay state; its layer and
                    // app go with it.
                    self.world.destroy_session(auth_key_id, session_id);
                }
            }
        }
        // Answering may have made room for requests held back by the limit.
        conn.process(&self.context(), &mut OsRng)?;
        Ok(())
    }
}

/// What one IP address holds.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct PerIp {
    connections: usize,
    opening: usize,
    /// Key exchanges started since `window` (a minute at most).
    key_exchanges: usize,
    window: Option<Instant>,
}

impl PerIp {
    fn window_open(&self, now: Instant) -> bool {
        self.window
            .is_some_and(|w| now.duration_since(w) < Duration::from_secs(60))
    }
}

impl Shared {
    fn per_ip(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, PerIp>> {
        self.per_ip.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a key exchange started from `ip`; false past the per-minute limit.
    fn count_key_exchange(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let mut table = self.per_ip();
        let entry = table.entry(ip).or_default();
        if !entry.window_open(now) {
            entry.window = Some(now);
            entry.key_exchanges = 0;
        }
        entry.key_exchanges += 1;
        entry.key_exchanges <= self.limits.key_exchanges_per_ip_per_minute
    }

    /// Counts a new connection from `ip` (in its opening), or says why not.
    fn admit_ip(&self, ip: IpAddr) -> Result<(), RefuseReason> {
        let mut table = self.per_ip();
        if table.len() > 4096 {
            // Addresses kept only for their key-exchange count, once it is stale.
            let now = Instant::now();
            table.retain(|_, e| e.connections > 0 || e.window_open(now));
        }
        let entry = table.entry(ip).or_default();
        if entry.connections >= self.limits.max_connections_per_ip {
            return Err(RefuseReason::TooManyFromAddress {
                limit: self.limits.max_connections_per_ip,
            });
        }
        if entry.opening >= self.limits.max_key_exchanges_per_ip {
            return Err(RefuseReason::TooManyKeyExchanges {
                limit: self.limits.max_key_exchanges_per_ip,
            });
        }
        entry.connections += 1;
        entry.opening += 1;
        Ok(())
    }

    /// The connection from `ip` left its opening.
    fn opened(&self, ip: IpAddr) {
        if let Some(entry) = self.per_ip().get_mut(&ip) {
            entry.opening = entry.opening.saturating_sub(1);
        }
    }

    /// The connection from `ip` ended (`still_opening`: before leaving its opening).
    fn release_ip(&self, ip: IpAddr, still_opening: bool) {
        let mut table = self.per_ip();
        if let Some(entry) = table.get_mut(&ip) {
            entry.connections = entry.connections.saturating_sub(1);
            if still_opening {
                entry.opening = entry.opening.saturating_sub(1);
            }
            if entry.connections == 0 && !entry.window_open(Instant::now()) {
                table.remove(&ip);
            }
        }
    }
}

/// Accepts connections until `shutdown` turns true, then waits for every
/// connection to end.
pub(super) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(shared.max_connections));
    let mut connections = JoinSet::new();
    let mut next_id = 0u64;
    let for_connections = shutdown.clone();
    loop {
        tokio::select! {
            _ = stopped(&mut shutdown) => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    // Per-connection accept errors (ECONNABORTED, EMFILE): keep going,
                    // after a pause so a full fd table is not spun on.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                if let Err(reason) = shared.admit_ip(peer.ip()) {
                    shared.stats.refused.fetch_add(1, Ordering::Relaxed);
                    shared.emit(ServerEvent::Refused { peer, reason });
                    drop(stream);
                    continue;
                }
                let Ok(permit) = slots.clone().try_acquire_owned() else {
                    shared.release_ip(peer.ip(), true);
                    shared.stats.refused.fetch_add(1, Ordering::Relaxed);
                    shared.emit(ServerEvent::Refused {
                        peer,
                        reason: RefuseReason::TooManyConnections {
                            limit: shared.max_connections,
                        },
                    });
                    drop(stream);
                    continue;
                };
                next_id += 1;
                let conn = next_id;
                shared.stats.accepted.fetch_add(1, Ordering::Relaxed);
                shared.emit(ServerEvent::Accepted { conn, peer });
                let shared = shared.clone();
                let shutdown = for_connections.clone();
                connections.spawn(async move {
                    shared.stats.active.fetch_add(1, Ordering::Relaxed);
                    let (reason, requests, opening) =
                        serve(stream, conn, &shared, shutdown).await;
                    shared.release_ip(peer.ip(), opening);
                    shared.stats.active.fetch_sub(1, Ordering::Relaxed);
                    shared.stats.requests.fetch_add(requests, Ordering::Relaxed);
                    shared.emit(ServerEvent::Closed {
                        conn,
                        reason,
                        requests,
                    });
                    drop(permit);
                });
            }
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
    shared.emit(ServerEvent::Stopped);
}

/// Pumps bytes between one socket and its [`ServerConnection`]. Returns why it
/// ended, the requests answered and whether it was still in its opening.
async fn serve(
    mut stream: TcpStream,
    conn_id: u64,
    shared: &Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) -> (CloseReason, u64, bool) {
    let _ = stream.set_nodelay(true);
    let peer_ip = stream.peer_addr().map(|a| a.ip()).ok();
    let (mut reader, mut writer) = stream.split();
    let mut conn = Some(ServerConnection::new(shared.connection, super::now()));
    let mut buf = vec![0u8; 16 * 1024];
    let mut opening = true;
    let mut key_exchange_counted = false;
    let reason = loop {
        let Some(c) = conn.as_mut() else {
            // Its key-exchange step died on the pool.
            break CloseReason::Io(std::io::ErrorKind::Other);
        };
        if let Err(reason) = shared.handle_events(c, conn_id) {
            break reason;
        }
        shared
            .stats
            .peak_output
            .fetch_max(c.output_buffered(), Ordering::Relaxed);
        if !key_exchange_counted && c.in_key_exchange() {
            key_exchange_counted = true;
            if let Some(ip) = peer_ip {
                if !shared.count_key_exchange(ip) {
                    break CloseReason::TooManyKeyExchanges {
                        limit: shared.limits.key_exchanges_per_ip_per_minute,
                    };
                }
            }
        }
        if opening && c.is_established() {
            opening = false;
            if let Some(ip) = peer_ip {
                shared.opened(ip);
            }
        }
        let pending = !c.output().is_empty();
        if !pending {
            if let Some(reason) = c.closing() {
                break reason.clone().into();
            }
        }
        // The core keeps the deadlines (the client's ping_delay_disconnect among
        // them) on the wall clock; sleep on the monotonic one for as long as is left.
        let wake = c
            .poll_timeout()
            .map(|at| Instant::now() + at.saturating_duration_since(super::now()));
        let wants_input = c.wants_input();
        tokio::select! {
            biased;
            _ = stopped(&mut shutdown) => break CloseReason::Shutdown,
            written = writer.write(c.output()), if pending => match written {
                Ok(0) => break CloseReason::Io(std::io::ErrorKind::WriteZero),
                Ok(n) => {
                    c.consume_output(n, super::now());
                    if let Err(reason) = c.process(&shared.context(), &mut OsRng) {
                        break reason.into();
                    }
                }
                Err(e) => break CloseReason::Io(e.kind()),
            },
            read = reader.read(&mut buf), if wants_input => match read {
                Ok(0) => break CloseReason::PeerClosed,
                Ok(n) => {
                    let received = if opening {
                        // Key-exchange crypto (RSA, 2048-bit DH) runs on the bounded
                        // blocking pool, never on the async workers.
                        let owned = conn.take();
                        let (back, result) = receive_on_pool(shared, owned, buf[..n].to_vec()).await;
                        conn = back;
                        result
                    } else {
                        c.receive(&buf[..n], &shared.context(), &mut OsRng)
                    };
                    if let Err(reason) = received {
                        break reason.into();
                    }
                }
                Err(e) => break CloseReason::Io(e.kind()),
            },
            _ = sleep_until(wake) => {
                if let Err(reason) = c.handle_timeout(super::now()) {
                    break reason.into();
                }
            }
        }
    };
    let _ = writer.shutdown().await;
    let requests = conn.as_ref().map_or(0, ServerConnection::requests);
    (reason, requests, opening)
}

/// Sleeps until `at`, or forever without a deadline.
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Runs `conn.receive(data)` on the blocking pool (at most
/// `key_exchange_workers` at once) and hands the connection back.
async fn receive_on_pool(
    shared: &Arc<Shared>,
    conn: Option<ServerConnection>,
    data: Vec<u8>,
) -> (
    Option<ServerConnection>,
    Result<(), zerotl_mtproto::server::ServerConnectionError>,
) {
    let Some(mut conn) = conn else {
        return (None, Ok(()));
    };
    let Ok(_permit) = shared.crypto_pool.clone().acquire_owned().await else {
        return (Some(conn), Ok(()));
    };
    let shared = shared.clone();
    let job = tokio::task::spawn_blocking(move || {
        let result = conn.receive(&data, &shared.context(), &mut OsRng);
        (conn, result)
    });
    match job.await {
        Ok((conn, result)) => (Some(conn), result),
        // The job panicked or was cancelled: the connection is gone.
        Err(_) => (None, Ok(())),
    }
}

/// Resolves once the shutdown flag is set (or its sender is gone).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Binds `addr`.
pub(super) async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}
