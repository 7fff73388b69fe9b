//! The blocking client: the tokio [`Client`] driven by a private runtime with one
//! worker thread.
//!
//! Why a wrapper rather than a second, `std::net` implementation: one protocol
//! path (the same `ClientConnection` core, the same I/O task) means
//! one set of bugs, and calls from several threads still share the connection and
//! overlap on the wire. The cost is one extra thread per blocking client.

use std::net::ToSocketAddrs;

use super::answer::{Answer, RawAnswer};
use super::async_client::Client;
use super::config::ClientConfig;
use super::ConnectError;
use crate::{InvocationError, MethodInfo};
use zerotl_mtproto::crypto::AuthKey;

/// A connection to an MTProto server with blocking calls.
///
/// Safe to share between threads (`&self` methods); calls from several threads
/// are in flight together. Must not be used from inside an async runtime (its
/// calls would block that runtime's thread); such calls fail with an
/// [`std::io::ErrorKind::Other`] error instead of panicking.
///
/// ```no_run
/// use zerotl_client::{BlockingClient, ClientConfig};
/// use zerotl_mtproto::transport::Transport;
/// use zerotl_types::layer122::{enums, functions::messages::ExportChatInvite, types};
///
/// let client = BlockingClient::connect("127.0.0.1:4430", ClientConfig::new(Transport::Full)).unwrap();
/// let peer = enums::InputPeer::Chat(types::InputPeerChat { chat_id: 1 });
/// let answer = client.invoke(&ExportChatInvite { peer }).unwrap();
/// println!("{:?}", answer.get());
/// ```
#[derive(Debug)]
pub struct BlockingClient {
    client: Client,
    /// Always `Some` until dropped.
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for BlockingClient {
    fn drop(&mut self) {
        // Not `Runtime::drop`, which panics when the client is dropped inside an
        // async context.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

fn inside_runtime() -> bool {
    tokio::runtime::Handle::try_current().is_ok()
}

fn nested_runtime_error() -> std::io::Error {
    std::io::Error::other("the blocking client cannot be used inside an async runtime")
}

impl BlockingClient {
    /// Connects (see [`Client::connect`]).
    pub fn connect(addr: impl ToSocketAddrs, config: ClientConfig) -> Result<Self, ConnectError> {
        if inside_runtime() {
            return Err(ConnectError::Io(nested_runtime_error()));
        }
        let addrs: Vec<_> = addr.to_socket_addrs().map_err(ConnectError::Io)?.collect();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("zerotl-client")
            .enable_io()
            .enable_time()
            .build()
            .map_err(ConnectError::Io)?;
        let client = runtime.block_on(Client::connect(&addrs[..], config))?;
        Ok(Self {
            client,
            runtime: Some(runtime),
        })
    }

    /// Calls `request` (see [`Client::invoke`]).
    pub fn invoke<R: MethodInfo>(
        &self,
        request: &R,
    ) -> Result<Answer<R>, InvocationError<R::Error>> {
        if inside_runtime() {
            return Err(InvocationError::Io(nested_runtime_error()));
        }
        self.block_on(self.client.invoke(request))
    }

    /// Calls a request given as TL bytes (see [`Client::invoke_raw`]).
    pub fn invoke_raw(&self, body: &[u8]) -> Result<RawAnswer, InvocationError> {
        if inside_runtime() {
            return Err(InvocationError::Io(nested_runtime_error()));
        }
        self.block_on(self.client.invoke_raw(body))
    }

    fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        match &self.runtime {
            Some(runtime) => runtime.block_on(future),
            None => unreachable!("the runtime is only taken when dropped"),
        }
    }

    /// The auth key and salt (see [`Client::auth_key`]).
    pub fn auth_key(&self) -> Option<(AuthKey, i64)> {
        self.client.auth_key()
    }

    /// The async client underneath (to use from async code; the runtime stays
    /// with this value).
    pub fn as_async(&self) -> &Client {
        &self.client
    }
}
