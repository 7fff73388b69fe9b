//! The tokio side of the server: accept loop and per-connection byte pump. No
//! protocol decisions here: the core's `ServerConnection` makes them; the world
//! ([`rpc::answer`](super::rpc::answer)) says what to answer.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
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

/// A function that sees every [`ServerEvent`].
pub type Observer = Arc<dyn Fn(&ServerEvent) + Send + Sync>;

/// Counters of a running server.
#[derive(Debug, Default)]
pub struct ServerStats {
    accepted: AtomicU64,
    refused: AtomicU64,
    active: AtomicUsize,
    requests: AtomicU64,
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
}

/// Everything a connection task shares.
pub(super) struct Shared {
    pub(super) world: WorldState,
    pub(super) security: Security,
    pub(super) connection: ServerConnectionConfig,
    pub(super) idle_timeout: Duration,
    pub(super) write_timeout: Duration,
    pub(super) max_connections: usize,
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
                } => self.emit(ServerEvent::Detected {
                    conn: conn_id,
                    transport,
                    obfuscated,
                }),
                ServerConnectionEvent::KeyExchanged { auth_key_id } => {
                    self.emit(ServerEvent::KeyExchanged {
                        conn: conn_id,
                        auth_key_id,
                    })
                }
                ServerConnectionEvent::Request(request) => self.answer(conn, conn_id, &request)?,
            }
        }
        // Answering may have made room for requests held back by the limit.
        conn.process(&self.context(), &mut OsRng)?;
        Ok(())
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
                let Ok(permit) = slots.clone().try_acquire_owned() else {
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
                    let (reason, requests) = serve(stream, conn, &shared, shutdown).await;
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

/// Pumps bytes between one socket and its [`ServerConnection`].
async fn serve(
    mut stream: TcpStream,
    conn_id: u64,
    shared: &Shared,
    mut shutdown: watch::Receiver<bool>,
) -> (CloseReason, u64) {
    let _ = stream.set_nodelay(true);
    let (mut reader, mut writer) = stream.split();
    let mut conn = ServerConnection::new(shared.connection);
    let mut buf = vec![0u8; 16 * 1024];
    let mut last_progress = Instant::now();
    let reason = loop {
        if let Err(reason) = shared.handle_events(&mut conn, conn_id) {
            break reason;
        }
        let pending = !conn.output().is_empty();
        if !pending {
            if let Some(reason) = conn.closing() {
                break reason.clone().into();
            }
        }
        let deadline = last_progress
            + if pending {
                shared.write_timeout
            } else {
                shared.idle_timeout
            };
        tokio::select! {
            biased;
            _ = stopped(&mut shutdown) => break CloseReason::Shutdown,
            written = writer.write(conn.output()), if pending => match written {
                Ok(0) => break CloseReason::Io(std::io::ErrorKind::WriteZero),
                Ok(n) => {
                    last_progress = Instant::now();
                    conn.consume_output(n);
                    if let Err(reason) = conn.process(&shared.context(), &mut OsRng) {
                        break reason.into();
                    }
                }
                Err(e) => break CloseReason::Io(e.kind()),
            },
            read = reader.read(&mut buf), if conn.wants_input() => match read {
                Ok(0) => break CloseReason::PeerClosed,
                Ok(n) => {
                    last_progress = Instant::now();
                    if let Err(reason) = conn.receive(&buf[..n], &shared.context(), &mut OsRng) {
                        break reason.into();
                    }
                }
                Err(e) => break CloseReason::Io(e.kind()),
            },
            _ = tokio::time::sleep_until(deadline) => {
                break if pending {
                    CloseReason::SlowReader(shared.write_timeout)
                } else {
                    CloseReason::IdleTimeout(shared.idle_timeout)
                };
            }
        }
    };
    let _ = writer.shutdown().await;
    (reason, conn.requests())
}

/// Resolves once the shutdown flag is set (or its sender is gone).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Binds `addr`.
pub(super) async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}
