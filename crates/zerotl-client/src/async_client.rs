//! The tokio client: one connection, one I/O task, many calls in flight.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, ToSocketAddrs};
use tokio::sync::{mpsc, oneshot, Semaphore};

use zerotl::Object;

use super::answer::{Answer, RawAnswer};
use super::config::{ClientConfig, READ_CHUNK};
use super::core::{ClientCore, Failure, RequestId};
use super::ConnectError;
use crate::crypto::AuthKey;
use crate::envelope::{gzip, RpcOutcome};
use crate::errors::{DropReason, InvocationError, MethodInfo, RpcError};

type Reply = oneshot::Sender<Result<RawAnswer, InvocationError>>;

enum Command {
    Invoke { body: Arc<[u8]>, reply: Reply },
}

/// Bytes of unsent output above which the I/O task stops taking new requests.
const MAX_UNSENT: usize = 1024 * 1024;

/// A connection to an MTProto server, for tokio.
///
/// `invoke` may be called from many tasks at once (the client is cheap to clone;
/// clones share the connection): requests are matched to answers by msg_id.
/// Dropping every clone closes the connection.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use zerotl_mtproto::client::{Client, ClientConfig};
/// use zerotl_mtproto::errors::layer122::messages::ExportChatInviteError;
/// use zerotl_mtproto::errors::InvocationError;
/// use zerotl_mtproto::transport::Transport;
/// use zerotl_types::layer122::{enums, functions::messages::ExportChatInvite, types};
///
/// let client = Client::connect("127.0.0.1:4430", ClientConfig::new(Transport::Abridged)).await?;
/// let peer = enums::InputPeer::Chat(types::InputPeerChat { chat_id: 2 });
/// match client.invoke(&ExportChatInvite { peer }).await {
///     Ok(answer) => println!("{:?}", answer.get()),
///     Err(InvocationError::Rpc(ExportChatInviteError::ChatAdminRequired)) => println!("not an admin"),
///     Err(e) => return Err(e.into()),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    commands: mpsc::Sender<Command>,
    slots: Arc<Semaphore>,
    config: Arc<ClientConfig>,
    key: Option<(AuthKey, i64)>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("transport", &self.config.transport)
            .field("session", &self.config.session)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Connects to `addr`, sets up the transport and (unless in plain test mode)
    /// runs the key exchange, all within `config.connect_timeout`.
    pub async fn connect(
        addr: impl ToSocketAddrs,
        config: ClientConfig,
    ) -> Result<Self, ConnectError> {
        let timeout = config.connect_timeout;
        tokio::time::timeout(timeout, Self::connect_now(addr, config))
            .await
            .unwrap_or(Err(ConnectError::Timeout(timeout)))
    }

    async fn connect_now(
        addr: impl ToSocketAddrs,
        config: ClientConfig,
    ) -> Result<Self, ConnectError> {
        let mut stream = TcpStream::connect(addr).await.map_err(ConnectError::Io)?;
        let _ = stream.set_nodelay(true);
        let mut core = ClientCore::new(&config).map_err(ConnectError::from)?;
        let mut buf = vec![0u8; READ_CHUNK];
        // The key exchange is a strict request/answer sequence: no need for
        // concurrency until it is over.
        loop {
            if !core.output().is_empty() {
                stream
                    .write_all(core.output())
                    .await
                    .map_err(ConnectError::Io)?;
                let n = core.output().len();
                core.consume_output(n);
            }
            if core.is_ready() {
                break;
            }
            let n = stream.read(&mut buf).await.map_err(ConnectError::Io)?;
            if n == 0 {
                return Err(ConnectError::Closed);
            }
            core.receive(&buf[..n], SystemTime::now())
                .map_err(ConnectError::from)?;
        }
        let key = core.auth_key();
        let (commands, receiver) = mpsc::channel(config.max_in_flight.max(1));
        tokio::spawn(run(stream, core, receiver, config.max_in_flight.max(1)));
        Ok(Self {
            commands,
            slots: Arc::new(Semaphore::new(config.max_in_flight.max(1))),
            config: Arc::new(config),
            key,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The auth key and salt of an encrypted connection (to
    /// [`resume`](ClientConfig::resume) on a new one).
    pub fn auth_key(&self) -> Option<(AuthKey, i64)> {
        self.key.clone()
    }

    /// Calls `request` and returns its typed answer, or its typed error
    /// (`R::Error`, such as `ExportChatInviteError::ChatAdminRequired`).
    ///
    /// FLOOD_WAIT errors up to the [`FloodPolicy`](super::FloodPolicy) threshold are
    /// slept through and the request repeated; each attempt may take
    /// `request_timeout`.
    pub async fn invoke<R: MethodInfo>(
        &self,
        request: &R,
    ) -> Result<Answer<R>, InvocationError<R::Error>> {
        let raw = self
            .invoke_encoded(encode(request))
            .await
            .map_err(|e| e.typed())?;
        Answer::new(raw).map_err(InvocationError::Decode)
    }

    /// Calls a request given as its TL bytes (a boxed function); returns the answer's
    /// bytes, or the error as an untyped [`RpcError`]. FLOOD_WAIT is handled as by
    /// [`invoke`](Self::invoke).
    pub async fn invoke_raw(&self, body: &[u8]) -> Result<RawAnswer, InvocationError> {
        self.invoke_encoded(Arc::from(body)).await
    }

    async fn invoke_encoded(&self, body: Arc<[u8]>) -> Result<RawAnswer, InvocationError> {
        let policy = &self.config.flood;
        let mut retries = 0;
        loop {
            let raw = self.attempt(body.clone()).await?;
            match outcome(raw) {
                Err(InvocationError::Rpc(e)) if e.code == 420 => match e.wait() {
                    Some(wait)
                        if wait <= policy.sleep_threshold && retries < policy.max_retries =>
                    {
                        retries += 1;
                        (policy.sleeper)(wait).await;
                    }
                    _ => return Err(InvocationError::Rpc(e)),
                },
                other => return other,
            }
        }
    }

    /// One send and one wait.
    async fn attempt(&self, body: Arc<[u8]>) -> Result<RawAnswer, InvocationError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| InvocationError::Dropped(DropReason::ConnectionClosed))?;
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Invoke { body, reply })
            .await
            .map_err(|_| InvocationError::Dropped(DropReason::ConnectionClosed))?;
        let timeout = self.config.request_timeout;
        match tokio::time::timeout(timeout, answer).await {
            Err(_) => Err(InvocationError::Timeout(timeout)),
            Ok(Err(_)) => Err(InvocationError::Dropped(DropReason::ConnectionClosed)),
            Ok(Ok(result)) => result,
        }
    }
}

/// Encodes a request into a shared buffer (sent again as-is on FLOOD_WAIT retries).
fn encode<R: zerotl::Encode>(request: &R) -> Arc<[u8]> {
    let mut body = vec![0u8; request.encoded_len()];
    // A buffer of `encoded_len` bytes always fits.
    let n = request.encode_to_slice(&mut body).unwrap_or(0);
    body.truncate(n);
    Arc::from(body)
}

/// Splits a result into the answer or the `rpc_error` (inflating `gzip_packed`).
fn outcome(raw: RawAnswer) -> Result<RawAnswer, InvocationError> {
    let envelope = |e: crate::envelope::EnvelopeError| -> InvocationError {
        Failure::Protocol(super::core::ProtocolError::Envelope(e)).into()
    };
    match RpcOutcome::of(Object::from_bytes(raw.bytes())).map_err(envelope)? {
        RpcOutcome::Ok(_) => Ok(raw),
        RpcOutcome::Error(e) => Err(InvocationError::Rpc(RpcError::from(e))),
        RpcOutcome::Gzipped(g) => {
            let inner = gzip::unpack_value(&g, gzip::DEFAULT_MAX_INFLATED).map_err(envelope)?;
            match RpcOutcome::of_unpacked(Object::from_bytes(&inner)).map_err(envelope)? {
                RpcOutcome::Error(e) => Err(InvocationError::Rpc(RpcError::from(e))),
                _ => Ok(RawAnswer::from_vec(inner)),
            }
        }
    }
}

/// A copy of a connection-wide failure for each waiting call.
fn fail_all(pending: &mut HashMap<RequestId, Reply>, error: impl Fn() -> InvocationError) {
    for (_, reply) in pending.drain() {
        let _ = reply.send(Err(error()));
    }
}

fn io_copy(e: &std::io::Error) -> InvocationError {
    InvocationError::Io(std::io::Error::new(e.kind(), e.to_string()))
}

/// The I/O task: writes requests, reads answers, wakes callers.
async fn run(
    mut stream: TcpStream,
    mut core: ClientCore,
    mut commands: mpsc::Receiver<Command>,
    max_in_flight: usize,
) {
    let (mut reader, mut writer) = stream.split();
    let mut pending: HashMap<RequestId, Reply> = HashMap::new();
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        // Callers that gave up (timeout, dropped future) leave closed senders.
        if pending.len() > 2 * max_in_flight {
            pending.retain(|id, reply| {
                let keep = !reply.is_closed();
                if !keep {
                    core.forget(*id);
                }
                keep
            });
        }
        let unsent = core.output().len();
        tokio::select! {
            written = writer.write(core.output()), if unsent > 0 => match written {
                Ok(0) => {
                    fail_all(&mut pending, || InvocationError::Dropped(DropReason::ConnectionClosed));
                    break;
                }
                Ok(n) => core.consume_output(n),
                Err(e) => {
                    fail_all(&mut pending, || io_copy(&e));
                    break;
                }
            },
            read = reader.read(&mut buf) => match read {
                Ok(0) => {
                    fail_all(&mut pending, || InvocationError::Dropped(DropReason::ConnectionClosed));
                    break;
                }
                Ok(n) => {
                    let result = core.receive(&buf[..n], SystemTime::now());
                    while let Some((id, answer)) = core.poll_delivery() {
                        if let Some(reply) = pending.remove(&id) {
                            let _ = reply.send(answer.map_err(InvocationError::from));
                        }
                    }
                    if let Err(failure) = result {
                        fail_all(&mut pending, || failure.clone().into());
                        break;
                    }
                }
                Err(e) => {
                    fail_all(&mut pending, || io_copy(&e));
                    break;
                }
            },
            command = commands.recv(), if unsent < MAX_UNSENT => match command {
                // Every handle is gone: close.
                None => break,
                Some(Command::Invoke { body, reply }) => match core.send_request(&body) {
                    Ok(id) => {
                        pending.insert(id, reply);
                    }
                    Err(failure) => {
                        let _ = reply.send(Err(failure.into()));
                    }
                },
            },
        }
    }
    let _ = writer.shutdown().await;
}

impl From<Failure> for ConnectError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Transport(t) => ConnectError::Transport(t),
            Failure::Protocol(p) => ConnectError::Protocol(p),
        }
    }
}
