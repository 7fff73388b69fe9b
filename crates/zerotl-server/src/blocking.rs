//! Starting the server from blocking code: [`ServerBuilder::start_in_thread`] runs it
//! on a thread of its own with a private tokio runtime.

use std::net::SocketAddr;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::{ServerBuilder, ServerStats, ShutdownHandle, WorldState};

/// Worker threads of the server's private runtime (key exchanges run in parallel).
const WORKERS: usize = 2;

impl ServerBuilder {
    /// Starts the server on a thread of its own, with a private tokio runtime, and
    /// returns once it listens: for blocking code (a `main` without tokio, a plain
    /// `#[test]`). Works from inside an async runtime too.
    ///
    /// The returned [`ServerThread`] stops the server when dropped.
    ///
    /// ```
    /// use zerotl_server::ServerBuilder;
    /// let server = ServerBuilder::new()
    ///     .listen("127.0.0.1:0".parse().unwrap())
    ///     .start_in_thread()
    ///     .unwrap();
    /// assert_ne!(server.local_addr().port(), 0);
    /// server.shutdown(); // or drop it
    /// ```
    pub fn start_in_thread(self) -> std::io::Result<ServerThread> {
        let (started, listening) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("zerotl-server".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(WORKERS)
                    .thread_name("zerotl-server-worker")
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = started.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match self.spawn().await {
                        Ok(server) => {
                            let parts = (
                                server.local_addr(),
                                server.world().clone(),
                                server.stats.clone(),
                                server.shutdown_handle(),
                            );
                            if started.send(Ok(parts)).is_err() {
                                // The caller is gone: nobody can stop us later.
                                server.shutdown().await;
                                return;
                            }
                            server.wait().await;
                        }
                        Err(e) => {
                            let _ = started.send(Err(e));
                        }
                    }
                });
            })?;
        match listening.recv() {
            Ok(Ok((local_addr, world, stats, stop))) => Ok(ServerThread {
                local_addr,
                world,
                stats,
                stop,
                thread: Some(thread),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => {
                let _ = thread.join();
                Err(std::io::Error::other(
                    "the server thread ended before it listened",
                ))
            }
        }
    }
}

/// A server running on a thread of its own ([`ServerBuilder::start_in_thread`]).
///
/// Dropping it stops the server and waits until every connection has ended, as
/// [`ServerThread::shutdown`] does.
#[derive(Debug)]
pub struct ServerThread {
    local_addr: SocketAddr,
    world: WorldState,
    stats: Arc<ServerStats>,
    stop: ShutdownHandle,
    /// `None` once joined.
    thread: Option<JoinHandle<()>>,
}

impl ServerThread {
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

    /// A handle that stops the server (from any thread).
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.stop.clone()
    }

    /// Stops the server and waits until every connection has ended and the
    /// thread has finished.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        self.stop.shutdown();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}
