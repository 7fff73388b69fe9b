//! The tokio client: one connection, one I/O task driving the core, many calls in
//! flight.

use std::collections::HashMap;
use std::sync::Arc;

use rand_core::OsRng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{ReadHalf, WriteHalf};
use tokio::net::{TcpStream, ToSocketAddrs};
use tokio::sync::{mpsc, oneshot, Semaphore};

use zerotl_mtproto::client::{
    ClientConnection, ClientError, ClientEvent, RequestFailure, RequestId,
};
use zerotl_mtproto::crypto::AuthKey;

use crate::answer::{Answer, RawAnswer};
use crate::config::{ClientConfig, READ_CHUNK};
use crate::{now, ConnectError, DropReason, InvocationError, MethodInfo};

type Reply = oneshot::Sender<Result<RawAnswer, InvocationError>>;

/// The protocol core as the client runs it: up to [`Client::MAX_IN_FLIGHT`]
/// requests, 1024 pending acks, a replay window of 1024 msg_ids.
type Core = ClientConnection<{ Client::MAX_IN_FLIGHT }, 1024, 1024>;

enum Command {
    Invoke { body: Arc<[u8]>, reply: Reply },
}

/// Bytes of unsent output above which the I/O task stops taking new requests.
const MAX_UNSENT: usize = 1024 * 1024;

/// The calls in flight, each with its body (kept for the core's
/// [`ClientEvent::Resend`]), and the bytes of those bodies.
#[derive(Default)]
struct Pending {
    calls: HashMap<RequestId, (Reply, Arc<[u8]>)>,
    body_bytes: usize,
}

impl Pending {
    fn insert(&mut self, id: RequestId, reply: Reply, body: Arc<[u8]>) {
        self.body_bytes += body.len();
        if let Some((_, old)) = self.calls.insert(id, (reply, body)) {
            self.body_bytes -= old.len();
        }
    }

    fn body(&self, id: &RequestId) -> Option<&Arc<[u8]>> {
        self.calls.get(id).map(|(_, body)| body)
    }

    fn remove(&mut self, id: &RequestId) -> Option<Reply> {
        let (reply, body) = self.calls.remove(id)?;
        self.body_bytes -= body.len();
        Some(reply)
    }

    /// Drops the calls whose callers gave up; `forget` sees each one's id.
    fn retain_waiting(&mut self, mut forget: impl FnMut(RequestId)) {
        let mut freed = 0;
        self.calls.retain(|id, (reply, body)| {
            let keep = !reply.is_closed();
            if !keep {
                freed += body.len();
                forget(*id);
            }
            keep
        });
        self.body_bytes -= freed;
    }

    /// Whether another call may be taken: the bodies held are under
    /// [`Client::MAX_PENDING_BYTES`] (so one call, however large, always may).
    fn has_room(&self) -> bool {
        self.body_bytes < Client::MAX_PENDING_BYTES
    }
}

/// A connection to an MTProto server, for tokio.
///
/// `invoke` may be called from many tasks at once (the client is cheap to clone;
/// clones share the connection): requests are matched to answers by the core.
/// Dropping every clone closes the connection.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use zerotl_client::{Client, ClientConfig, InvocationError};
/// use zerotl_errors::layer122::messages::ExportChatInviteError;
/// use zerotl_mtproto::crypto::rsa::RsaPublicKey;
/// use zerotl_mtproto::transport::Transport;
/// use zerotl_types::layer122::{enums, functions::messages::ExportChatInvite, types};
///
/// # let server_key: RsaPublicKey = unimplemented!();
/// let config = ClientConfig::new(Transport::Abridged).trust(vec![server_key]);
/// let client = Client::connect("127.0.0.1:4430", config).await?;
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

/// The socket side of the I/O task: received bytes not yet taken by the core,
/// the core's scratch buffer for inflating, and output not yet written.
struct Wire {
    input: Vec<u8>,
    scratch: Vec<u8>,
    output: Vec<u8>,
}

impl Wire {
    fn new(config: &ClientConfig) -> Self {
        Self {
            input: Vec::new(),
            // Zeroed pages cost nothing until an answer inflates into them.
            scratch: vec![0; config.max_inflated],
            output: Vec::new(),
        }
    }

    async fn read(&mut self, reader: &mut ReadHalf<'_>) -> std::io::Result<usize> {
        let start = self.input.len();
        self.input.resize(start + READ_CHUNK, 0);
        let read = reader.read(&mut self.input[start..]).await;
        self.input.truncate(start + *read.as_ref().unwrap_or(&0));
        read
    }

    /// Hands received bytes to the core, item by item; `on_event` sees each event
    /// with the buffers its answers point into.
    fn receive(
        &mut self,
        core: &mut Core,
        mut on_event: impl FnMut(&mut Core, ClientEvent, &Wire, &mut Vec<u8>),
    ) -> Result<(), ClientError> {
        loop {
            let n = core.receive(&mut self.input, &mut self.scratch, now(), &mut OsRng)?;
            if n == 0 {
                return Ok(());
            }
            let mut output = std::mem::take(&mut self.output);
            while let Some(event) = core.poll_event() {
                on_event(core, event, self, &mut output);
            }
            self.output = output;
            self.input.drain(..n);
        }
    }

    async fn flush(&mut self, writer: &mut WriteHalf<'_>) -> std::io::Result<()> {
        writer.write_all(&self.output).await?;
        self.output.clear();
        Ok(())
    }
}

impl Client {
    /// The most calls one connection has in flight.
    pub const MAX_IN_FLIGHT: usize = 256;

    /// Bytes of request bodies in flight above which the connection takes no
    /// new call until answers come (4 MiB). Each call's body is kept until its
    /// answer, to send again when the server asks (`bad_server_salt`, a clock
    /// correction); with this cap a server that answers nothing holds at most
    /// 4 MiB plus one body per connection, whatever the callers send.
    pub const MAX_PENDING_BYTES: usize = 4 * 1024 * 1024;

    /// Connects to `addr`, sets up the transport and (unless in plain test mode)
    /// runs the key exchange, all within `config.connect_timeout`.
    pub async fn connect(
        addr: impl ToSocketAddrs,
        config: ClientConfig,
    ) -> Result<Self, ConnectError> {
        config.validate().map_err(ConnectError::Config)?;
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
        let mut core = Box::new(Core::new(&config.connection(), config.setup(), &mut OsRng)?);
        let mut wire = Wire::new(&config);
        // The key exchange is a strict request/answer sequence: no need for
        // concurrency until it is over.
        {
            let (mut reader, mut writer) = stream.split();
            loop {
                core.poll_transmit(now(), &mut OsRng, &mut wire.output)?;
                wire.flush(&mut writer).await.map_err(ConnectError::Io)?;
                if core.is_ready() {
                    break;
                }
                let n = wire.read(&mut reader).await.map_err(ConnectError::Io)?;
                if n == 0 {
                    return Err(ConnectError::Closed);
                }
                wire.receive(&mut core, |_, _, _, _| {})?;
            }
        }
        let key = core.auth_key().map(|(k, s)| (k.clone(), s));
        let max_in_flight = config.max_in_flight.clamp(1, Self::MAX_IN_FLIGHT);
        let (commands, receiver) = mpsc::channel(max_in_flight);
        let request_timeout = config.request_timeout;
        tokio::spawn(run(stream, core, wire, receiver, request_timeout));
        Ok(Self {
            commands,
            slots: Arc::new(Semaphore::new(max_in_flight)),
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
    /// FLOOD_WAIT errors up to the [`FloodPolicy`](crate::FloodPolicy) threshold are
    /// slept through and the request repeated; each attempt may take
    /// `request_timeout`.
    pub async fn invoke<R: MethodInfo>(
        &self,
        request: &R,
    ) -> Result<Answer<R>, InvocationError<R::Error>> {
        let body = zerotl::encode_to_vec(request)
            .map_err(|e| InvocationError::Io(std::io::Error::other(e.to_string())))?;
        let raw = self
            .invoke_encoded(Arc::from(body))
            .await
            .map_err(|e| e.typed())?;
        Answer::new(raw).map_err(InvocationError::Decode)
    }

    /// Calls a request given as its TL bytes (a boxed function); returns the answer's
    /// bytes, or the error as an untyped [`RpcError`](zerotl_errors::RpcError).
    /// FLOOD_WAIT is handled as by [`invoke`](Self::invoke).
    pub async fn invoke_raw(&self, body: &[u8]) -> Result<RawAnswer, InvocationError> {
        self.invoke_encoded(Arc::from(body)).await
    }

    async fn invoke_encoded(&self, body: Arc<[u8]>) -> Result<RawAnswer, InvocationError> {
        let plain = matches!(self.config.session, crate::SessionMode::InsecurePlain);
        self.invoke_with_retries(body)
            .await
            .map_err(|e| e.in_plain_mode(plain))
    }

    async fn invoke_with_retries(&self, body: Arc<[u8]>) -> Result<RawAnswer, InvocationError> {
        let policy = &self.config.flood;
        let mut retries = 0;
        loop {
            match self.attempt(body.clone()).await {
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

    /// One send and one wait (the core's deadline ends the wait).
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
        answer
            .await
            .unwrap_or(Err(InvocationError::Dropped(DropReason::ConnectionClosed)))
    }
}

/// A copy of a connection-wide failure for each waiting call.
fn fail_all(pending: &mut Pending, error: impl Fn() -> InvocationError) {
    for (_, (reply, _)) in pending.calls.drain() {
        let _ = reply.send(Err(error()));
    }
    pending.body_bytes = 0;
}

fn io_copy(e: &std::io::Error) -> InvocationError {
    InvocationError::Io(std::io::Error::new(e.kind(), e.to_string()))
}

/// How a waiting call learns what the core decided.
fn settle(
    core: &mut Core,
    event: ClientEvent,
    wire: &Wire,
    output: &mut Vec<u8>,
    pending: &mut Pending,
    request_timeout: std::time::Duration,
) {
    let (request, result) = match event {
        ClientEvent::Answer { request, answer } => {
            let bytes = answer.bytes(&wire.input, &wire.scratch).to_vec();
            (request, Ok(RawAnswer::from_vec(bytes)))
        }
        ClientEvent::Error { request, error } => (request, Err(InvocationError::Rpc(error))),
        ClientEvent::Failed {
            request,
            failure: RequestFailure::TimedOut,
        } => (request, Err(InvocationError::Timeout(request_timeout))),
        ClientEvent::Failed { request, failure } => {
            (request, Err(InvocationError::Refused(failure)))
        }
        ClientEvent::Resend { request } => {
            let sent = match pending.body(&request) {
                Some(body) => core.resend(request, body, now(), &mut OsRng, output),
                None => return,
            };
            match sent {
                Ok(()) => return,
                Err(e) => (request, Err(e.into())),
            }
        }
    };
    if let Some(reply) = pending.remove(&request) {
        let _ = reply.send(result);
    } else {
        core.forget(request);
    }
}

/// The I/O task: writes requests, reads answers, wakes callers, keeps the core's
/// deadlines.
async fn run(
    mut stream: TcpStream,
    mut core: Box<Core>,
    mut wire: Wire,
    mut commands: mpsc::Receiver<Command>,
    request_timeout: std::time::Duration,
) {
    let (mut reader, mut writer) = stream.split();
    let mut pending = Pending::default();
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        // Callers that gave up (dropped futures) leave closed senders.
        pending.retain_waiting(|id| core.forget(id));
        if let Err(e) = core.poll_transmit(now(), &mut OsRng, &mut wire.output) {
            let failure: InvocationError = e.into();
            fail_all(&mut pending, || copy_failure(&failure));
            break;
        }
        let unsent = wire.output.len();
        let deadline = core.poll_timeout().map(|t| {
            let wait = t.saturating_duration_since(now());
            tokio::time::Instant::now() + wait
        });
        tokio::select! {
            written = writer.write(&wire.output), if unsent > 0 => match written {
                Ok(0) => {
                    fail_all(&mut pending, || InvocationError::Dropped(DropReason::ConnectionClosed));
                    break;
                }
                Ok(n) => {
                    wire.output.drain(..n);
                }
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
                    wire.input.extend_from_slice(&buf[..n]);
                    let result = wire.receive(&mut core, |core, event, wire, output| {
                        settle(core, event, wire, output, &mut pending, request_timeout)
                    });
                    if let Err(e) = result {
                        let failure: InvocationError = e.into();
                        fail_all(&mut pending, || copy_failure(&failure));
                        break;
                    }
                }
                Err(e) => {
                    fail_all(&mut pending, || io_copy(&e));
                    break;
                }
            },
            _ = sleep_until(deadline), if deadline.is_some() => {
                core.handle_timeout(now());
                let mut output = std::mem::take(&mut wire.output);
                while let Some(event) = core.poll_event() {
                    settle(&mut core, event, &wire, &mut output, &mut pending, request_timeout);
                }
                wire.output = output;
            },
            command = commands.recv(), if unsent < MAX_UNSENT && pending.has_room() => match command {
                // Every handle is gone: close.
                None => break,
                Some(Command::Invoke { body, reply }) => {
                    match core.send_request(&body, now(), &mut OsRng, &mut wire.output) {
                        Ok(id) => {
                            pending.insert(id, reply, body);
                        }
                        Err(failure) => {
                            let _ = reply.send(Err(failure.into()));
                        }
                    }
                }
            },
        }
    }
    let _ = writer.shutdown().await;
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// A connection-wide failure, once per waiting call (I/O errors are not `Clone`).
fn copy_failure(e: &InvocationError) -> InvocationError {
    match e {
        InvocationError::Transport(t) => InvocationError::Transport(*t),
        InvocationError::Protocol(p) => InvocationError::Protocol(p.clone()),
        InvocationError::Decode(d) => InvocationError::Decode(*d),
        InvocationError::Io(io) => io_copy(io),
        InvocationError::Timeout(d) => InvocationError::Timeout(*d),
        InvocationError::Dropped(r) => InvocationError::Dropped(*r),
        InvocationError::Refused(f) => InvocationError::Refused(f.clone()),
        InvocationError::Rpc(r) => InvocationError::Rpc(r.clone()),
        InvocationError::PlainRefused(t) => InvocationError::PlainRefused(*t),
    }
}
