//! [`ServerConnection`]: see the [module docs](super).

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use zerotl::Identifiable as _;

use rand_core::CryptoRngCore;
use zerotl_types::mtproto::{functions as mt_functions, types as mt_types};

use super::key_state::{Admission, KeyState};
use super::timers::{Now, Observed, ServerTimeouts, ServerTimer, Timers};
use crate::auth::{AuthError, KeyExchangeServer, KeyExchangeServerConfig, KeyVerdict, ServerStep};
use crate::envelope::{
    classify, encode_rpc_error, gzip, EnvelopeError, MsgIdGenerator, MsgIdKind, PlainMessage,
    ServiceMessage,
};
use crate::session::{ServerMsgKind, Session, SessionError, MAX_AGE_SECS, MAX_AHEAD_SECS};
use crate::transport::websocket::{self, Opcode, WebSocketEvent};
use crate::transport::{
    Codec, DetectError, FrameError, ProxySecret, Received, Transport, TransportConfig,
    TransportDetector, TransportError, WebSocketError, WebSocketReader,
};
use crate::UnixTime;

/// The default largest frame of a server connection: 1 MiB.
pub const DEFAULT_SERVER_MAX_FRAME_LEN: usize = 1024 * 1024;

/// How much longer than the frame cap a WebSocket frame may be: a frame may
/// carry the obfuscation header and a transport frame's header, padding and CRC
/// besides a whole MTProto payload.
pub const WEBSOCKET_FRAME_SLACK: usize = 128;

/// Written output is dropped from the buffer's front once at least this much of
/// it has piled up (and it is at least half the buffer).
const COMPACT_AT: usize = 64 * 1024;
/// An output buffer whose capacity is above this and mostly unused is shrunk.
const SHRINK_ABOVE: usize = 256 * 1024;

/// Padded-intermediate padding a server sends by default: 0..=3 bytes. The docs
/// allow up to 15, but Telethon (and others) strip only `len % 4` bytes, and an
/// encrypted message with leftover padding then fails to decrypt.
pub const DEFAULT_SERVER_MAX_PADDING: usize = 3;

/// Per-connection limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerConnectionConfig {
    /// Frame size and padding limits.
    pub transport: TransportConfig,
    /// An MTProxy secret that obfuscated headers are keyed with.
    pub proxy_secret: Option<ProxySecret>,
    /// Most requests waiting for their answer or for it to be written before the
    /// connection stops reading.
    pub max_in_flight: usize,
    /// Most bytes the `gzip_packed` parts of one message may inflate to, all
    /// together.
    pub max_inflated: usize,
    /// Most bytes one connection may inflate per second; past that it is closed
    /// with transport error −429.
    pub max_inflated_per_sec: usize,
    /// Most bytes of output waiting to be written before the connection stops
    /// handling input (the answers already owed are still appended).
    pub max_output: usize,
    /// The connection's deadlines (see
    /// [`poll_timeout`](ServerConnection::poll_timeout)).
    pub timeouts: ServerTimeouts,
}

impl Default for ServerConnectionConfig {
    fn default() -> Self {
        Self {
            transport: TransportConfig {
                max_frame_len: DEFAULT_SERVER_MAX_FRAME_LEN,
                max_padding: DEFAULT_SERVER_MAX_PADDING,
            },
            proxy_secret: None,
            max_in_flight: 256,
            max_inflated: 1024 * 1024,
            max_inflated_per_sec: 16 * 1024 * 1024,
            max_output: 1024 * 1024,
            timeouts: ServerTimeouts::default(),
        }
    }
}

/// The auth keys a server knows with their [`KeyState`] (salts, sessions, replay
/// windows), shared by its connections: a client may come back on a new
/// connection with its key, and a message replayed on another connection meets
/// the same replay window.
pub trait AuthKeyStore {
    /// Runs `f` on the state of key `auth_key_id` (this counts as a use of the
    /// key); false, without calling `f`, for an unknown key.
    fn with_key(&self, auth_key_id: i64, f: &mut dyn FnMut(&mut KeyState)) -> bool;
    /// Whether a key with this id is known.
    fn contains(&self, auth_key_id: i64) -> bool;
    /// Remembers a new key.
    fn insert(&self, state: KeyState);
}

/// The shared things a connection works with, and the time.
#[derive(Clone, Copy)]
pub struct ServerContext<'a> {
    /// Key exchange parameters (RSA key, DH group); `None` refuses key exchanges.
    pub key_exchange: Option<&'a Arc<KeyExchangeServerConfig>>,
    /// The auth keys created so far.
    pub keys: &'a dyn AuthKeyStore,
    /// Answer unencrypted requests (plain test mode).
    pub insecure_plain: bool,
    /// The wall clock (msg_id checks, key exchange `server_time`).
    pub now: UnixTime,
}

impl core::fmt::Debug for ServerContext<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServerContext")
            .field("key_exchange", &self.key_exchange.is_some())
            .field("insecure_plain", &self.insecure_plain)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// Why the connection must close (after its output is written).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServerConnectionError {
    /// The first bytes are no MTProto transport (HTTP, TLS, unknown obfuscation tag).
    #[error("transport detection failed: {0}")]
    Detect(DetectError),
    /// A frame broke the transport's rules (too large, bad CRC or sequence number, ...).
    #[error("bad frame: {0}")]
    Frame(FrameError),
    /// An unencrypted message did not decode (answered with transport error −404).
    #[error("bad unencrypted message: {0}")]
    BadMessage(EnvelopeError),
    /// A plain request arrived but plain test mode is off (answered with −404).
    #[error("unencrypted request refused (plain test mode is off; start with --insecure-plain)")]
    PlainRefused,
    /// A key exchange was started but the server has no RSA key (answered with −404).
    #[error("key exchange refused: encryption is off")]
    EncryptionDisabled,
    /// The key exchange failed (answered with −404).
    #[error("key exchange failed: {0}")]
    KeyExchange(AuthError),
    /// An encrypted message under an auth key the server does not know (−404).
    #[error("unknown auth_key_id {0:#018x}")]
    UnknownAuthKey(i64),
    /// An encrypted message failed authentication (−404).
    #[error("encrypted message refused: {0}")]
    Session(SessionError),
    /// The connection inflated more `gzip_packed` bytes in one second than allowed (−429).
    #[error("more than {limit} bytes inflated in one second")]
    InflateFlood {
        /// The limit.
        limit: usize,
    },
    /// A WebSocket upgrade request or frame broke RFC 6455 or Telegram's use of it
    /// (wrong path, no key, an unmasked or text frame, ...).
    #[error("WebSocket: {0}")]
    WebSocket(WebSocketError),
    /// The client sent a WebSocket close frame (answered with one).
    #[error("the client closed the WebSocket (status {code:?})")]
    WebSocketClosed {
        /// The status code of the client's close frame.
        code: Option<u16>,
    },
    /// A deadline passed ([`handle_timeout`](ServerConnection::handle_timeout)).
    #[error("{timer} deadline passed ({after:?})")]
    TimedOut {
        /// Which one.
        timer: ServerTimer,
        /// Its configured duration.
        after: core::time::Duration,
    },
    /// The `disconnect_delay` of the client's last `ping_delay_disconnect` ran
    /// out, with every answer written
    /// ([`disconnect_at`](ServerConnection::disconnect_at)).
    #[error("the client's ping_delay_disconnect delay ran out")]
    DisconnectDelay,
}

/// A request for the driver to answer: call
/// [`reply`](ServerConnection::reply) with it and the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingRequest {
    /// The msg_id the request came in (the answer's `req_msg_id`).
    pub msg_id: i64,
    /// The request body: a boxed function (possibly wrapped in `invokeWithLayer`
    /// and friends).
    pub body: Vec<u8>,
    /// Whether it came unencrypted (plain test mode).
    pub plain: bool,
    /// The auth key it came under (`None` in plain test mode): what a server keys
    /// per-account state by (a login, for instance).
    pub auth_key_id: Option<i64>,
    /// The client's session it came in (`None` in plain test mode): what a server
    /// keys per-session state by (the layer named by `invokeWithLayer`, for instance).
    pub session_id: Option<i64>,
}

/// What the connection tells its driver besides bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerConnectionEvent {
    /// The transport is known.
    Detected {
        /// The framing.
        transport: Transport,
        /// Whether it is obfuscated.
        obfuscated: bool,
        /// Whether the stream comes in WebSocket frames (after an upgrade request).
        websocket: bool,
    },
    /// A key exchange finished.
    KeyExchanged {
        /// The new key's id.
        auth_key_id: i64,
    },
    /// A request to answer.
    Request(IncomingRequest),
    /// The connection answered a `destroy_session` for another session of its
    /// auth key and forgot that session's replay state: the driver forgets what
    /// it keeps per session too (the layer of `invokeWithLayer`, for instance).
    /// Sent whether or not the core still knew the session (the answer,
    /// `destroy_session_ok` or `destroy_session_none`, says which).
    SessionDestroyed {
        /// The auth key the sessions belong to.
        auth_key_id: i64,
        /// The destroyed session.
        session_id: i64,
    },
}

/// What the server's answers are wrapped in.
enum SessionState {
    /// Nothing but plain messages so far.
    Plain,
    /// A key exchange is under way.
    KeyExchange(alloc::boxed::Box<KeyExchangeServer>),
    /// Encrypted messages under an auth key.
    Encrypted(alloc::boxed::Box<Session>),
}

/// The WebSocket layer under the transport stream, if the connection has one.
enum WebSocketLayer {
    /// Plain TCP (or not known yet).
    Off,
    /// The upgrade request is arriving (its bytes so far).
    Handshake(Vec<u8>),
    /// Upgraded: the stream is read out of frames.
    Open(alloc::boxed::Box<WebSocketReader>),
}

enum Framing {
    Detecting(TransportDetector),
    Ready(alloc::boxed::Box<Codec>),
}

/// What the handling of one frame calls for: close, maybe after a transport error.
struct Fatal {
    reason: ServerConnectionError,
    transport_error: Option<TransportError>,
}

impl Fatal {
    fn with_404(reason: ServerConnectionError) -> Self {
        Self {
            reason,
            transport_error: Some(TransportError::AUTH_KEY_NOT_FOUND),
        }
    }
}

/// One server connection (sans-IO): see the [module docs](super).
///
/// ```
/// use zerotl_mtproto::envelope::{classify, PlainMessage, ServiceMessage};
/// use zerotl_mtproto::rand_core::OsRng;
/// use zerotl_mtproto::server::{
///     AuthKeyStore, KeyState, ServerConnection, ServerConnectionConfig, ServerConnectionEvent,
///     ServerContext,
/// };
/// use zerotl_mtproto::UnixTime;
///
/// struct NoKeys;
/// impl AuthKeyStore for NoKeys {
///     fn with_key(&self, _: i64, _: &mut dyn FnMut(&mut KeyState)) -> bool { false }
///     fn contains(&self, _: i64) -> bool { false }
///     fn insert(&self, _: KeyState) {}
/// }
/// let cx = ServerContext { key_exchange: None, keys: &NoKeys, insecure_plain: true, now: UnixTime::from_secs(1_700_000_000) };
/// let mut conn = ServerConnection::new(ServerConnectionConfig::default(), cx.now);
///
/// // Intermediate transport, one plain message: exportChatInvite(inputPeerChat 1).
/// let request = [0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, 1, 0, 0, 0];
/// let mut message = Vec::new();
/// PlainMessage { msg_id: 0x6000_0000_0000_0004, body: &request }.encode(&mut message).unwrap();
/// let mut wire = vec![0xee; 4];
/// wire.extend_from_slice(&(message.len() as u32).to_le_bytes());
/// wire.extend_from_slice(&message);
/// conn.receive(&wire, &cx, &mut OsRng).unwrap();
///
/// let _detected = conn.poll_event().unwrap();
/// let Some(ServerConnectionEvent::Request(r)) = conn.poll_event() else { panic!() };
/// assert_eq!((r.msg_id, &r.body[..]), (0x6000_0000_0000_0004, &request[..]));
/// let chat_invite_empty = [0x69, 0x37, 0xdf, 0x69];
/// conn.reply(&r, &chat_invite_empty, &cx, &mut OsRng).unwrap();
///
/// let out = conn.output();
/// let answer = PlainMessage::decode(&out[4..]).unwrap();
/// assert_eq!(answer.msg_id % 4, 1);
/// assert!(matches!(classify(answer.body), Ok(ServiceMessage::RpcResult(_))));
/// let n = out.len();
/// conn.consume_output(n, cx.now);
/// assert_eq!(conn.requests(), 1);
/// ```
pub struct ServerConnection {
    config: ServerConnectionConfig,
    framing: Framing,
    websocket: WebSocketLayer,
    /// Where received WebSocket frames are unmasked.
    scratch: Vec<u8>,
    session: SessionState,
    plain_msg_ids: MsgIdGenerator,
    events: VecDeque<ServerConnectionEvent>,
    /// Requests handed out and not answered yet.
    unanswered: usize,
    requests: u64,
    out: Vec<u8>,
    out_start: usize,
    written: u64,
    flushed: u64,
    /// Where each answer not yet written ends, in bytes written since the start.
    answer_ends: VecDeque<u64>,
    closing: Option<ServerConnectionError>,
    inflate_left: usize,
    inflate_rate: InflateRate,
    /// Frames decoded so far (a new one restarts the partial-frame clock).
    frames: u64,
    timers: Timers,
    /// When the last `ping_delay_disconnect` asked the connection to close.
    disconnect_at: Option<UnixTime>,
}

impl core::fmt::Debug for ServerConnection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServerConnection")
            .field("pending_output", &self.output().len())
            .field("in_flight", &self.in_flight())
            .field("requests", &self.requests)
            .field("closing", &self.closing)
            .finish_non_exhaustive()
    }
}

const KEY_EXCHANGE_IDS: [u32; 4] = [
    mt_functions::ReqPqMulti::CONSTRUCTOR_ID,
    mt_functions::ReqPq::CONSTRUCTOR_ID,
    mt_functions::ReqDhParams::CONSTRUCTOR_ID,
    mt_functions::SetClientDhParams::CONSTRUCTOR_ID,
];

impl ServerConnection {
    /// A connection waiting for the client's first bytes, accepted at `now`
    /// (its deadlines count from there).
    pub fn new(config: ServerConnectionConfig, now: UnixTime) -> Self {
        Self {
            config,
            framing: Framing::Detecting(TransportDetector::new(
                config.transport,
                config.proxy_secret,
            )),
            websocket: WebSocketLayer::Off,
            scratch: Vec::new(),
            session: SessionState::Plain,
            plain_msg_ids: MsgIdGenerator::new(),
            events: VecDeque::new(),
            unanswered: 0,
            requests: 0,
            out: Vec::new(),
            out_start: 0,
            written: 0,
            flushed: 0,
            answer_ends: VecDeque::new(),
            closing: None,
            inflate_left: config.max_inflated,
            inflate_rate: InflateRate {
                limit: config.max_inflated_per_sec,
                ..InflateRate::default()
            },
            frames: 0,
            timers: Timers::new(config.timeouts, now),
            disconnect_at: None,
        }
    }

    /// Takes bytes read from the socket at `cx.now` and handles every complete
    /// message (up to the in-flight limit). An `Err` means: close now, sending
    /// nothing more.
    pub fn receive<R: CryptoRngCore + ?Sized>(
        &mut self,
        data: &[u8],
        cx: &ServerContext<'_>,
        rng: &mut R,
    ) -> Result<(), ServerConnectionError> {
        if !data.is_empty() {
            self.timers.activity(cx.now);
        }
        match &mut self.websocket {
            WebSocketLayer::Off => self.receive_stream(data, rng)?,
            WebSocketLayer::Handshake(buf) => {
                buf.extend_from_slice(data);
                self.handshake(rng)?;
            }
            WebSocketLayer::Open(_) => self.receive_frames(data, rng)?,
        }
        if !self.is_detected() {
            return Ok(());
        }
        self.process(cx, rng)
    }

    /// Takes bytes of the transport stream (read from the socket, or out of
    /// WebSocket frames): transport detection, then the codec's buffer.
    fn receive_stream<R: CryptoRngCore + ?Sized>(
        &mut self,
        data: &[u8],
        rng: &mut R,
    ) -> Result<(), ServerConnectionError> {
        match &mut self.framing {
            Framing::Detecting(detector) => match detector.receive(data, rng) {
                Ok(None) => {}
                Ok(Some(codec)) => {
                    self.events.push_back(ServerConnectionEvent::Detected {
                        transport: codec.transport(),
                        obfuscated: codec.is_obfuscated(),
                        websocket: matches!(self.websocket, WebSocketLayer::Open(_)),
                    });
                    self.framing = Framing::Ready(alloc::boxed::Box::new(codec));
                }
                // A `GET ` on a plain connection is read as a WebSocket upgrade
                // request (a second one inside WebSocket frames is refused).
                Err(DetectError::Http(method))
                    if method == *b"GET " && matches!(self.websocket, WebSocketLayer::Off) =>
                {
                    self.websocket = WebSocketLayer::Handshake(detector.take_buffered());
                    self.handshake(rng)?;
                }
                Err(e) => return Err(ServerConnectionError::Detect(e)),
            },
            Framing::Ready(codec) => codec.receive(data),
        }
        Ok(())
    }

    /// Reads the upgrade request once it is whole: answers `101` and reads the
    /// bytes after it as frames.
    fn handshake<R: CryptoRngCore + ?Sized>(
        &mut self,
        rng: &mut R,
    ) -> Result<(), ServerConnectionError> {
        let WebSocketLayer::Handshake(buf) = &mut self.websocket else {
            return Ok(());
        };
        let Some(handshake) =
            websocket::parse_handshake(buf).map_err(ServerConnectionError::WebSocket)?
        else {
            return Ok(());
        };
        let rest = buf.split_off(handshake.len);
        let before = self.out.len();
        websocket::write_response(&handshake, &mut self.out)
            .map_err(|e| ServerConnectionError::Frame(FrameError::OutputFull(e)))?;
        self.written += (self.out.len() - before) as u64;
        let max = self
            .config
            .transport
            .max_frame_len
            .saturating_add(WEBSOCKET_FRAME_SLACK);
        self.websocket = WebSocketLayer::Open(alloc::boxed::Box::new(WebSocketReader::new(max)));
        self.receive_frames(&rest, rng)
    }

    /// Takes bytes of WebSocket frames: their data goes to
    /// [`receive_stream`](Self::receive_stream), pings are answered, a close frame
    /// is answered and closes the connection.
    fn receive_frames<R: CryptoRngCore + ?Sized>(
        &mut self,
        data: &[u8],
        rng: &mut R,
    ) -> Result<(), ServerConnectionError> {
        let mut buf = core::mem::take(&mut self.scratch);
        buf.clear();
        buf.extend_from_slice(data);
        let result = self.read_frames(&mut buf, rng);
        if buf.capacity() <= 64 * 1024 {
            self.scratch = buf;
        }
        result
    }

    fn read_frames<R: CryptoRngCore + ?Sized>(
        &mut self,
        buf: &mut [u8],
        rng: &mut R,
    ) -> Result<(), ServerConnectionError> {
        let mut at = 0;
        while at < buf.len() && self.closing.is_none() {
            let WebSocketLayer::Open(reader) = &mut self.websocket else {
                break;
            };
            let (n, event) = reader
                .read(&mut buf[at..])
                .map_err(ServerConnectionError::WebSocket)?;
            match event {
                Some(WebSocketEvent::Data(range)) => {
                    self.receive_stream(&buf[at + range.start..at + range.end], rng)?;
                }
                Some(WebSocketEvent::Ping(payload)) => {
                    self.send_websocket(Opcode::Pong, payload.as_bytes())?;
                }
                Some(WebSocketEvent::Close(payload)) => {
                    let code = payload.close_code();
                    let echo = code.map(u16::to_be_bytes);
                    self.send_websocket(Opcode::Close, echo.as_ref().map_or(&[], |c| &c[..]))?;
                    self.closing = Some(ServerConnectionError::WebSocketClosed { code });
                }
                Some(WebSocketEvent::Pong(_)) | None => {}
            }
            at += n;
        }
        Ok(())
    }

    /// Appends a WebSocket control frame to the output.
    fn send_websocket(
        &mut self,
        opcode: Opcode,
        payload: &[u8],
    ) -> Result<(), ServerConnectionError> {
        let before = self.out.len();
        websocket::write_frame(opcode, payload, &mut self.out)
            .map_err(|e| ServerConnectionError::Frame(FrameError::OutputFull(e)))?;
        self.written += (self.out.len() - before) as u64;
        Ok(())
    }

    /// Handles buffered messages (call after output was written or requests were
    /// answered: messages held back by the in-flight limit are handled then).
    pub fn process<R: CryptoRngCore + ?Sized>(
        &mut self,
        cx: &ServerContext<'_>,
        rng: &mut R,
    ) -> Result<(), ServerConnectionError> {
        let handled = self.handle_frames(cx, rng);
        self.observe(cx.now);
        handled
    }

    fn handle_frames<R: CryptoRngCore + ?Sized>(
        &mut self,
        cx: &ServerContext<'_>,
        rng: &mut R,
    ) -> Result<(), ServerConnectionError> {
        while self.wants_input() {
            let Framing::Ready(codec) = &mut self.framing else {
                return Ok(());
            };
            let transport = codec.transport();
            let mut replies = Replies::default();
            let handled = match codec.next_event().map_err(ServerConnectionError::Frame)? {
                None => break,
                Some(Received::Frame { payload, .. }) => {
                    self.frames += 1;
                    let mut messages = Messages {
                        config: &self.config,
                        session: &mut self.session,
                        plain_msg_ids: &mut self.plain_msg_ids,
                        events: &mut self.events,
                        unanswered: &mut self.unanswered,
                        requests: &mut self.requests,
                        replies: &mut replies,
                        inflate_left: &mut self.inflate_left,
                        inflate_rate: &mut self.inflate_rate,
                        disconnect_at: &mut self.disconnect_at,
                    };
                    messages.handle_payload(payload, transport, cx, rng)
                }
                // Server-side decoders produce frames only.
                Some(Received::QuickAck(_) | Received::TransportError(_)) => Ok(()),
            };
            self.send_replies(&replies)?;
            if let Err(fatal) = handled {
                if let Some(code) = fatal.transport_error {
                    let Framing::Ready(codec) = &mut self.framing else {
                        return Ok(());
                    };
                    let before = self.out.len();
                    codec
                        .send_transport_error(code, &mut self.out)
                        .map_err(ServerConnectionError::Frame)?;
                    wrap_output(&self.websocket, &mut self.out, before);
                    self.written += (self.out.len() - before) as u64;
                }
                self.closing = Some(fatal.reason);
            }
        }
        Ok(())
    }

    /// Frames the payloads in `replies`, each counted as one answer in flight.
    fn send_replies(&mut self, replies: &Replies) -> Result<(), ServerConnectionError> {
        let Framing::Ready(codec) = &mut self.framing else {
            return Ok(());
        };
        let mut start = 0;
        for &(end, answer) in &replies.ends {
            let before = self.out.len();
            codec
                .send(&replies.bytes[start..end], &mut self.out)
                .map_err(ServerConnectionError::Frame)?;
            wrap_output(&self.websocket, &mut self.out, before);
            self.written += (self.out.len() - before) as u64;
            if answer {
                self.answer_ends.push_back(self.written);
            }
            start = end;
        }
        Ok(())
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ServerConnectionEvent> {
        self.events.pop_front()
    }

    /// Answers `request` with `result`: one boxed TL value (the answer, or an
    /// `rpc_error`), sent as `rpc_result req_msg_id result` in the way the request
    /// came (unencrypted, or in the current session).
    pub fn reply<R: CryptoRngCore + ?Sized>(
        &mut self,
        request: &IncomingRequest,
        result: &[u8],
        cx: &ServerContext<'_>,
        rng: &mut R,
    ) -> Result<(), ServerConnectionError> {
        self.unanswered = self.unanswered.saturating_sub(1);
        let mut replies = Replies::default();
        let mut messages = Messages {
            config: &self.config,
            session: &mut self.session,
            plain_msg_ids: &mut self.plain_msg_ids,
            events: &mut self.events,
            unanswered: &mut self.unanswered,
            requests: &mut self.requests,
            replies: &mut replies,
            inflate_left: &mut self.inflate_left,
            inflate_rate: &mut self.inflate_rate,
            disconnect_at: &mut self.disconnect_at,
        };
        messages.answer(request, result, cx, rng);
        let sent = self.send_replies(&replies);
        self.observe(cx.now);
        sent
    }

    /// Bytes waiting to be written to the socket.
    pub fn output(&self) -> &[u8] {
        &self.out[self.out_start..]
    }

    /// Marks `n` bytes of [`output`](Self::output) as written at `now`.
    pub fn consume_output(&mut self, n: usize, now: UnixTime) {
        let n = n.min(self.out.len() - self.out_start);
        if n > 0 {
            self.timers.activity(now);
        }
        self.out_start += n;
        self.flushed += n as u64;
        while self.answer_ends.front().is_some_and(|&e| e <= self.flushed) {
            self.answer_ends.pop_front();
        }
        if self.out_start == self.out.len() {
            self.out.clear();
            self.out_start = 0;
        } else if self.out_start >= COMPACT_AT && self.out_start * 2 >= self.out.len() {
            // A reader slower than the writer never drains the buffer: drop the
            // written front once it is most of it, so memory follows what waits.
            self.out.drain(..self.out_start);
            self.out_start = 0;
        }
        if self.out.capacity() > SHRINK_ABOVE && self.out.len() * 4 < self.out.capacity() {
            self.out.shrink_to(self.out.len().max(SHRINK_ABOVE / 2));
        }
        self.observe(now);
    }

    /// When the connection's next deadline passes, if it has one: call
    /// [`handle_timeout`](Self::handle_timeout) then (or any time after).
    ///
    /// The deadlines ([`ServerTimeouts`]): transport detection, counted from
    /// [`new`](Self::new); the key exchange (or first message), counted from
    /// detection; a frame still arriving, counted from its first byte; and no
    /// byte read or written for the idle time (no output waiting) or the write
    /// time (output waiting). A connection closing after a protocol error
    /// keeps only the write deadline. The answer changes only when a method
    /// that takes the time is called.
    pub fn poll_timeout(&self) -> Option<UnixTime> {
        let timers = self.timers.next(self.timer_state()).map(|(at, _)| at);
        match (timers, self.disconnect_due()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// [`disconnect_at`](Self::disconnect_at) while it can act: every answer
    /// written (the pong first of all) and the connection not closing already.
    fn disconnect_due(&self) -> Option<UnixTime> {
        let quiet = self.output().is_empty() && self.closing.is_none();
        self.disconnect_at.filter(|_| quiet)
    }

    /// Acts on the deadlines at `now`. If one has passed, the connection is
    /// over: the `Err` ([`ServerConnectionError::TimedOut`]) says which
    /// deadline it was, [`closing`](Self::closing) reports it too, and the
    /// driver closes the socket without writing more. Called early, it does
    /// nothing.
    pub fn handle_timeout(&mut self, now: UnixTime) -> Result<(), ServerConnectionError> {
        if self.disconnect_due().is_some_and(|at| at <= now) {
            let error = ServerConnectionError::DisconnectDelay;
            self.closing = Some(error.clone());
            return Err(error);
        }
        let Some((timer, after)) = self.timers.expire(now, self.timer_state()) else {
            return Ok(());
        };
        let error = ServerConnectionError::TimedOut { timer, after };
        self.closing = Some(error.clone());
        Err(error)
    }

    fn timer_state(&self) -> Now {
        Now {
            output_pending: !self.output().is_empty(),
            closing: self.closing.is_some(),
        }
    }

    /// Tells the timers what the last call changed, at `now`.
    fn observe(&mut self, now: UnixTime) {
        let partial = if self.wants_input() {
            self.buffered_input()
        } else {
            0
        };
        self.timers.observe(
            now,
            Observed {
                detected: self.is_detected(),
                established: self.is_established(),
                partial,
                frames: self.frames,
            },
        );
    }

    /// Bytes the output buffer holds, written or not (what it costs in memory,
    /// capacity aside).
    pub fn output_buffered(&self) -> usize {
        self.out.len()
    }

    /// Requests waiting for their answer, or for it to be written.
    pub fn in_flight(&self) -> usize {
        self.answer_ends.len() + self.unanswered
    }

    /// Whether the driver should read more: false while the in-flight limit or
    /// the output limit ([`ServerConnectionConfig::max_output`] bytes waiting) is
    /// reached, or the connection is closing.
    pub fn wants_input(&self) -> bool {
        self.closing.is_none()
            && self.in_flight() < self.config.max_in_flight
            && self.output().len() < self.config.max_output
    }

    /// Set when the connection must close once [`output`](Self::output) is written
    /// (after a transport error frame, for example).
    pub fn closing(&self) -> Option<&ServerConnectionError> {
        self.closing.as_ref()
    }

    /// When the connection should close, as the client's last
    /// `ping_delay_disconnect` asked (`disconnect_delay` seconds after it came;
    /// a later one moves the time). Once the output is written,
    /// [`poll_timeout`](Self::poll_timeout) includes it and
    /// [`handle_timeout`](Self::handle_timeout) ends the connection with
    /// [`ServerConnectionError::DisconnectDelay`]. `None` until such a ping comes.
    pub fn disconnect_at(&self) -> Option<UnixTime> {
        self.disconnect_at
    }

    /// Requests answered so far.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Whether the transport is known (the first bytes were read).
    pub fn is_detected(&self) -> bool {
        matches!(self.framing, Framing::Ready(_))
    }

    /// Whether the connection is past its opening: it speaks encrypted, or it
    /// handed out a (plain test mode) request. Until then it is in transport
    /// detection or a key exchange, the phases with their own deadlines.
    pub fn is_established(&self) -> bool {
        self.is_encrypted() || self.requests > 0 || self.unanswered > 0
    }

    /// Whether a key exchange is under way on this connection.
    pub fn in_key_exchange(&self) -> bool {
        matches!(self.session, SessionState::KeyExchange(_))
    }

    /// Received bytes not handled yet: the start of a frame still arriving (or,
    /// while [`wants_input`](Self::wants_input) is false, frames held back).
    pub fn buffered_input(&self) -> usize {
        match (&self.framing, &self.websocket) {
            (Framing::Ready(codec), WebSocketLayer::Open(reader)) => {
                codec.buffered_len() + reader.buffered()
            }
            (Framing::Ready(codec), _) => codec.buffered_len(),
            (Framing::Detecting(_), _) => 0,
        }
    }

    /// Whether a key exchange finished on this connection or it uses a known key.
    pub fn is_encrypted(&self) -> bool {
        matches!(self.session, SessionState::Encrypted(_))
    }
}

/// Puts `out` from `before` on into one binary WebSocket frame, on a WebSocket
/// connection.
fn wrap_output(websocket: &WebSocketLayer, out: &mut Vec<u8>, before: usize) {
    if matches!(websocket, WebSocketLayer::Open(_)) && out.len() > before {
        let (header, n) = websocket::frame_header(Opcode::Binary, out.len() - before);
        out.splice(before..before, header[..n].iter().copied());
    }
}

/// Transport payloads to send, back to back; each end marks whether the payload
/// answers a request.
#[derive(Default)]
struct Replies {
    bytes: Vec<u8>,
    ends: Vec<(usize, bool)>,
}

impl Replies {
    fn push(&mut self, answer: bool, write: impl FnOnce(&mut Vec<u8>) -> bool) {
        let start = self.bytes.len();
        if write(&mut self.bytes) {
            self.ends.push((self.bytes.len(), answer));
        } else {
            self.bytes.truncate(start);
        }
    }
}

/// The ids of a message being handled.
#[derive(Debug, Clone, Copy)]
struct Header {
    msg_id: i64,
    seq_no: i32,
    session_id: i64,
}

fn classify_id(body: &[u8]) -> Option<u32> {
    body.first_chunk::<4>().map(|b| u32::from_le_bytes(*b))
}

/// The salt and replay checks of an authenticated message `(salt, session_id,
/// msg_id, seq_no, is a container)`, against the key's shared state:
/// `current_salt` is set when the salt is refused. A repeated container id gets
/// `bad_msg_notification` 19; any other repeat is dropped silently.
///
/// Dropping a repeat without an answer is a choice Telegram's documentation
/// allows (a message whose msg_id was already received may be ignored): the
/// server keeps no answers to send again, and it neither runs the message
/// again nor tells a replaying peer anything. A client that lost an answer
/// sends its query again under a new msg_id.
fn admit(
    keys: &dyn AuthKeyStore,
    key_id: i64,
    (salt, session_id, msg_id, seq_no, container): (i64, i64, i64, i32, bool),
    now: UnixTime,
    current_salt: &mut Option<i64>,
) -> Result<bool, SessionError> {
    let mut verdict = Err(SessionError::WrongAuthKeyId {
        expected: 0,
        got: key_id as u64,
    });
    keys.with_key(key_id, &mut |state| {
        if !state.salts.accepts(salt, now) {
            *current_salt = Some(state.salts.current(now));
            verdict = Err(SessionError::WrongSalt {
                msg_id,
                seq_no,
                got: salt,
                session_id,
            });
            return;
        }
        let refused = |code| SessionError::Refused {
            msg_id,
            seq_no,
            code,
            session_id,
        };
        verdict = match state.sessions.admit(session_id, msg_id, seq_no) {
            Admission::Fresh { new_session } => Ok(new_session),
            Admission::Duplicate if container => Err(refused(19)),
            Admission::Duplicate => Err(SessionError::Duplicate { msg_id }),
            Admission::TooOld => Err(refused(20)),
            Admission::SeqNo(code) => Err(refused(code)),
        };
    });
    verdict
}

/// `future_salts req_msg_id now salts` (a bare vector of `future_salt`).
fn future_salts(req_msg_id: i64, now: UnixTime, salts: &[mt_types::FutureSalt]) -> Vec<u8> {
    let mut body = Vec::with_capacity(20 + 16 * salts.len());
    body.extend_from_slice(&mt_types::FutureSalts::CONSTRUCTOR_ID.to_le_bytes());
    body.extend_from_slice(&req_msg_id.to_le_bytes());
    body.extend_from_slice(
        &i32::try_from(now.as_secs())
            .unwrap_or(i32::MAX)
            .to_le_bytes(),
    );
    body.extend_from_slice(&(salts.len() as u32).to_le_bytes());
    for salt in salts {
        body.extend_from_slice(&salt.valid_since.to_le_bytes());
        body.extend_from_slice(&salt.valid_until.to_le_bytes());
        body.extend_from_slice(&salt.salt.to_le_bytes());
    }
    body
}

/// Bytes inflated by one connection in the current second.
#[derive(Debug, Default)]
struct InflateRate {
    second: u64,
    used: usize,
    limit: usize,
}

impl InflateRate {
    fn spend(&mut self, n: usize, now: UnixTime) -> Result<(), Fatal> {
        if now.as_secs() != self.second {
            self.second = now.as_secs();
            self.used = 0;
        }
        self.used = self.used.saturating_add(n);
        if self.used > self.limit {
            return Err(Fatal {
                reason: ServerConnectionError::InflateFlood { limit: self.limit },
                transport_error: Some(TransportError::TRANSPORT_FLOOD),
            });
        }
        Ok(())
    }
}

/// The message layer of one frame: everything but framing and output.
struct Messages<'c> {
    config: &'c ServerConnectionConfig,
    session: &'c mut SessionState,
    plain_msg_ids: &'c mut MsgIdGenerator,
    events: &'c mut VecDeque<ServerConnectionEvent>,
    unanswered: &'c mut usize,
    requests: &'c mut u64,
    replies: &'c mut Replies,
    /// Inflate bytes left for the message being handled.
    inflate_left: &'c mut usize,
    inflate_rate: &'c mut InflateRate,
    disconnect_at: &'c mut Option<UnixTime>,
}

impl Messages<'_> {
    fn handle_payload<R: CryptoRngCore + ?Sized>(
        &mut self,
        payload: &mut [u8],
        transport: Transport,
        cx: &ServerContext<'_>,
        rng: &mut R,
    ) -> Result<(), Fatal> {
        match payload.first_chunk::<8>() {
            Some(id) if *id == [0; 8] => self.handle_plain(payload, transport, cx, rng),
            Some(id) => {
                let key_id = i64::from_le_bytes(*id);
                // Padded intermediate may leave up to 12 padding bytes; an encrypted
                // message is 24 + 16k bytes.
                let len = match transport {
                    Transport::Padded if payload.len() >= 24 => 24 + (payload.len() - 24) / 16 * 16,
                    _ => payload.len(),
                };
                self.handle_encrypted(key_id, &mut payload[..len], cx, rng)
            }
            None => Err(Fatal::with_404(ServerConnectionError::BadMessage(
                EnvelopeError::Truncated {
                    what: "message header",
                    needed: 8,
                    available: payload.len(),
                },
            ))),
        }
    }

    fn handle_plain<R: CryptoRngCore + ?Sized>(
        &mut self,
        payload: &[u8],
        transport: Transport,
        cx: &ServerContext<'_>,
        rng: &mut R,
    ) -> Result<(), Fatal> {
        let decoded = match transport {
            Transport::Padded => {
                PlainMessage::decode_padded(payload, crate::transport::padded::MAX_PADDING)
            }
            _ => PlainMessage::decode(payload),
        };
        let message = decoded.map_err(|e| Fatal::with_404(ServerConnectionError::BadMessage(e)))?;
        // A client id is positive and `0 mod 4`. Its low 32 bits may be zero: a whole
        // second (Pyrogram's first message of each second is `unixtime * 2^32`).
        if message.msg_id & 3 != 0 || message.msg_id <= 0 {
            return Err(Fatal::with_404(ServerConnectionError::BadMessage(
                EnvelopeError::Tl {
                    what: "unencrypted message msg_id (not a client id)",
                    error: zerotl::DecodeError::new(
                        zerotl::DecodeErrorKind::InvalidValue { what: "msg_id" },
                        8,
                    ),
                },
            )));
        }
        let id = message
            .body
            .first_chunk::<4>()
            .map(|b| u32::from_le_bytes(*b));
        if id.is_some_and(|id| KEY_EXCHANGE_IDS.contains(&id)) {
            return self.key_exchange(message.body, cx, rng);
        }
        if !cx.insecure_plain {
            return Err(Fatal::with_404(ServerConnectionError::PlainRefused));
        }
        self.request(message.msg_id, message.body, true);
        Ok(())
    }

    fn key_exchange<R: CryptoRngCore + ?Sized>(
        &mut self,
        body: &[u8],
        cx: &ServerContext<'_>,
        rng: &mut R,
    ) -> Result<(), Fatal> {
        let Some(config) = cx.key_exchange else {
            return Err(Fatal::with_404(ServerConnectionError::EncryptionDisabled));
        };
        if !matches!(&*self.session, SessionState::KeyExchange(k) if !k.is_finished()) {
            *self.session = SessionState::KeyExchange(alloc::boxed::Box::new(
                KeyExchangeServer::new(config.clone()),
            ));
        }
        let SessionState::KeyExchange(exchange) = &mut *self.session else {
            return Ok(());
        };
        let keys = cx.keys;
        let now = i32::try_from(cx.now.as_secs()).unwrap_or(i32::MAX);
        let step = exchange
            .handle_with_key_check(body, now, rng, &mut |key| {
                if keys.contains(key.id()) {
                    KeyVerdict::Retry
                } else {
                    KeyVerdict::Accept
                }
            })
            .map_err(|e| Fatal::with_404(ServerConnectionError::KeyExchange(e)))?;
        let reply = match step {
            ServerStep::Reply(reply) => reply,
            ServerStep::Done { reply, outcome } => {
                let id = outcome.auth_key.id();
                keys.insert(KeyState::new(
                    outcome.auth_key.clone(),
                    outcome.server_salt,
                    cx.now,
                    rng,
                ));
                *self.session = SessionState::Encrypted(alloc::boxed::Box::new(Session::server(
                    outcome.auth_key,
                    outcome.server_salt,
                )));
                self.events
                    .push_back(ServerConnectionEvent::KeyExchanged { auth_key_id: id });
                reply
            }
        };
        let msg_id = self.plain_msg_ids.next(MsgIdKind::ServerResponse, cx.now);
        self.replies.push(false, |out| {
            PlainMessage {
                msg_id,
                body: &reply,
            }
            .encode(out)
            .is_ok()
        });
        Ok(())
    }

    fn handle_encrypted<R: CryptoRngCore + ?Sized>(
        &mut self,
        key_id: i64,
        message: &mut [u8],
        cx: &ServerContext<'_>,
        rng: &mut R,
    ) -> Result<(), Fatal> {
        let current = match &*self.session {
            SessionState::Encrypted(s) => s.auth_key().id() == key_id,
            _ => false,
        };
        if !current {
            let mut found = None;
            cx.keys.with_key(key_id, &mut |state| {
                found = Some((state.auth_key.clone(), state.salts.current(cx.now)));
            });
            let Some((key, salt)) = found else {
                return Err(Fatal::with_404(ServerConnectionError::UnknownAuthKey(
                    key_id,
                )));
            };
            *self.session =
                SessionState::Encrypted(alloc::boxed::Box::new(Session::server(key, salt)));
        }
        let SessionState::Encrypted(session) = &mut *self.session else {
            return Ok(());
        };
        let (keys, now) = (cx.keys, cx.now);
        let mut current_salt = None;
        let unpacked = session.unpack_with(message, now, |m| {
            let container = m.body_constructor == Some(mt_types::MsgContainer::CONSTRUCTOR_ID);
            admit(
                keys,
                key_id,
                (m.salt, m.session_id, m.msg_id, m.seq_no, container),
                now,
                &mut current_salt,
            )
        });
        let incoming = match unpacked {
            Ok(incoming) => incoming,
            Err(e) => {
                if let Some(salt) = current_salt {
                    session.set_salt(salt);
                }
                let mut notified = false;
                self.replies.push(false, |out| {
                    notified = matches!(session.notify_refusal(&e, cx.now, rng, out), Some(Ok(_)));
                    notified
                });
                if notified {
                    return Ok(());
                }
                return match e {
                    // A repeat is ignored: not run again, not answered (see `admit`).
                    SessionError::Duplicate { .. } | SessionError::BehindReplayWindow { .. } => {
                        Ok(())
                    }
                    e => Err(Fatal::with_404(ServerConnectionError::Session(e))),
                };
            }
        };
        if incoming.new_session {
            self.replies.push(false, |out| {
                session
                    .new_session_created(incoming.msg_id, cx.now, rng, out)
                    .is_ok()
            });
        }
        let header = Header {
            msg_id: incoming.msg_id,
            seq_no: incoming.seq_no,
            session_id: incoming.session_id,
        };
        let body = incoming.body();
        *self.inflate_left = self.config.max_inflated;
        if classify_id(body) == Some(mt_types::MsgContainer::CONSTRUCTOR_ID) {
            self.handle_container(header, key_id, body, cx, rng)
        } else {
            self.handle_body(header, body, cx, rng, 0)
        }
    }

    /// A `msg_container` at the top of a message: its seq_no must be even, its
    /// messages' ids client ids below its own, each new, in time and in seq_no
    /// order; a broken rule is answered with the `bad_msg_notification` code.
    fn handle_container<R: CryptoRngCore + ?Sized>(
        &mut self,
        header: Header,
        key_id: i64,
        body: &[u8],
        cx: &ServerContext<'_>,
        rng: &mut R,
    ) -> Result<(), Fatal> {
        if header.seq_no & 1 == 1 {
            self.notify(header, 34, cx, rng);
            return Ok(());
        }
        let Ok(ServiceMessage::Container(container)) = classify(body) else {
            self.notify(header, 64, cx, rng);
            return Ok(());
        };
        // The container as a whole first: ids below its own and distinct.
        let mut ids: Vec<i64> = container.iter().map(|m| m.msg_id).collect();
        ids.sort_unstable();
        let distinct = ids.windows(2).all(|w| w[0] != w[1]);
        if !distinct || ids.last().is_some_and(|&top| top >= header.msg_id) {
            self.notify(header, 64, cx, rng);
            return Ok(());
        }
        for m in container.iter() {
            let inner = Header {
                msg_id: m.msg_id,
                seq_no: m.seqno,
                session_id: header.session_id,
            };
            if m.msg_id & 3 != 0 {
                self.notify(inner, 18, cx, rng);
                continue;
            }
            let age = cx.now.as_secs() as i64 - (m.msg_id >> 32);
            if age > MAX_AGE_SECS || -age > MAX_AHEAD_SECS {
                self.notify(inner, if age > 0 { 16 } else { 17 }, cx, rng);
                continue;
            }
            let verdict = {
                let mut verdict = Admission::TooOld;
                cx.keys.with_key(key_id, &mut |state| {
                    verdict = state.sessions.admit(header.session_id, m.msg_id, m.seqno);
                });
                verdict
            };
            match verdict {
                Admission::Fresh { .. } => {
                    self.handle_body(inner, m.body.as_bytes(), cx, rng, 1)?;
                }
                // Ignored, as a repeated top-level message is (see `admit`).
                Admission::Duplicate => {}
                Admission::TooOld => self.notify(inner, 20, cx, rng),
                Admission::SeqNo(code) => self.notify(inner, code, cx, rng),
            }
        }
        Ok(())
    }

    /// Handles one authenticated message body (a request, or a gzip around
    /// one, or a service message). `depth` is 1 inside a container, 2 inside gzip.
    fn handle_body<R: CryptoRngCore + ?Sized>(
        &mut self,
        header: Header,
        body: &[u8],
        cx: &ServerContext<'_>,
        rng: &mut R,
        depth: u8,
    ) -> Result<(), Fatal> {
        let msg_id = header.msg_id;
        match classify(body) {
            Ok(ServiceMessage::GzipPacked(g)) if depth < 2 => {
                let cap = *self.inflate_left;
                match gzip::unpack_value(&g, cap) {
                    Ok(inner) => {
                        *self.inflate_left -= inner.len();
                        self.inflate_rate.spend(inner.len(), cx.now)?;
                        if classify_id(&inner) == Some(mt_types::MsgContainer::CONSTRUCTOR_ID) {
                            // Containers are never packed (nor nested).
                            self.notify(header, 64, cx, rng);
                            return Ok(());
                        }
                        return self.handle_body(header, &inner, cx, rng, 2);
                    }
                    Err(_) => self.error(msg_id, "INPUT_FETCH_ERROR", cx, rng),
                }
            }
            Ok(ServiceMessage::MsgsAck(_)) => {
                if header.seq_no & 1 == 1 {
                    self.notify(header, 34, cx, rng);
                }
            }
            Ok(ServiceMessage::Container(_)) => self.notify(header, 64, cx, rng),
            Ok(ServiceMessage::Other(object)) => {
                // Queries are content-related; a `ping` is answered whatever its seq_no
                // (Pyrogram sends it as not content-related, and Telegram answers it).
                let ping = object.constructor_id() == Some(mt_functions::Ping::CONSTRUCTOR_ID);
                if header.seq_no & 1 == 0 && !ping {
                    self.notify(header, 35, cx, rng);
                    return Ok(());
                }
                if !self.service_call(header, object, cx, rng) {
                    self.request(msg_id, body, false);
                }
            }
            // What only a server sends (rpc_result, pong, bad_msg_notification,
            // bad_server_salt, new_session_created, a bare rpc_error) is no request
            // of a client's: answered as an unknown method is, never dropped unseen.
            Ok(_) => self.error(msg_id, "INPUT_METHOD_INVALID", cx, rng),
            Err(_) => self.error(msg_id, "INPUT_FETCH_ERROR", cx, rng),
        }
        Ok(())
    }

    /// Answers the MTProto service queries the connection handles itself
    /// (`ping`, `ping_delay_disconnect`, `get_future_salts`, `destroy_session`);
    /// false for anything else. `ping_delay_disconnect` is answered like `ping`
    /// and (re)sets [`disconnect_at`](ServerConnection::disconnect_at).
    /// `destroy_session` of another session is reported to the driver
    /// ([`ServerConnectionEvent::SessionDestroyed`]).
    fn service_call<R: CryptoRngCore + ?Sized>(
        &mut self,
        header: Header,
        object: zerotl::Object<'_>,
        cx: &ServerContext<'_>,
        rng: &mut R,
    ) -> bool {
        let msg_id = header.msg_id;
        match object.constructor_id() {
            Some(mt_functions::Ping::CONSTRUCTOR_ID) => {
                let Ok(ping) = object.decode::<mt_functions::Ping>() else {
                    return false;
                };
                let pong = mt_types::Pong {
                    msg_id,
                    ping_id: ping.ping_id,
                };
                self.pack(&pong, true, false, cx, rng);
            }
            Some(mt_functions::PingDelayDisconnect::CONSTRUCTOR_ID) => {
                let Ok(ping) = object.decode::<mt_functions::PingDelayDisconnect>() else {
                    return false;
                };
                // A negative delay counts as none: close once the pong is out.
                let delay = u64::try_from(ping.disconnect_delay).unwrap_or(0);
                *self.disconnect_at = Some(
                    cx.now
                        .saturating_add(core::time::Duration::from_secs(delay)),
                );
                let pong = mt_types::Pong {
                    msg_id,
                    ping_id: ping.ping_id,
                };
                self.pack(&pong, true, false, cx, rng);
            }
            Some(mt_functions::GetFutureSalts::CONSTRUCTOR_ID) => {
                let Ok(request) = object.decode::<mt_functions::GetFutureSalts>() else {
                    return false;
                };
                let Some(key_id) = self.key_id() else {
                    return false;
                };
                let mut salts = Vec::new();
                cx.keys.with_key(key_id, &mut |state| {
                    salts = state
                        .salts
                        .future(cx.now, usize::try_from(request.num).unwrap_or(1));
                });
                let body = future_salts(msg_id, cx.now, &salts);
                self.pack(&zerotl::Object::from_bytes(&body), true, false, cx, rng);
            }
            Some(mt_functions::DestroySession::CONSTRUCTOR_ID) => {
                let Ok(request) = object.decode::<mt_functions::DestroySession>() else {
                    return false;
                };
                let Some(key_id) = self.key_id() else {
                    return false;
                };
                // The session in use cannot destroy itself.
                let mut destroyed = false;
                let session_id = request.session_id;
                if session_id != header.session_id {
                    cx.keys.with_key(key_id, &mut |state| {
                        destroyed = state.sessions.destroy(session_id);
                    });
                    self.events
                        .push_back(ServerConnectionEvent::SessionDestroyed {
                            auth_key_id: key_id,
                            session_id,
                        });
                }
                if destroyed {
                    self.pack(
                        &mt_types::DestroySessionOk { session_id },
                        true,
                        false,
                        cx,
                        rng,
                    );
                } else {
                    self.pack(
                        &mt_types::DestroySessionNone { session_id },
                        true,
                        false,
                        cx,
                        rng,
                    );
                }
            }
            _ => return false,
        }
        true
    }

    fn key_id(&self) -> Option<i64> {
        match &*self.session {
            SessionState::Encrypted(session) => Some(session.auth_key().id()),
            _ => None,
        }
    }

    /// Sends `bad_msg_notification` `code` about message `header`.
    fn notify<R: CryptoRngCore + ?Sized>(
        &mut self,
        header: Header,
        code: i32,
        cx: &ServerContext<'_>,
        rng: &mut R,
    ) {
        let SessionState::Encrypted(session) = &mut *self.session else {
            return;
        };
        let refusal = SessionError::Refused {
            msg_id: header.msg_id,
            seq_no: header.seq_no,
            code,
            session_id: header.session_id,
        };
        self.replies.push(false, |out| {
            matches!(
                session.notify_refusal(&refusal, cx.now, rng, out),
                Some(Ok(_))
            )
        });
    }

    /// Hands a request to the driver.
    fn request(&mut self, msg_id: i64, body: &[u8], plain: bool) {
        *self.unanswered += 1;
        let (auth_key_id, session_id) = match &*self.session {
            SessionState::Encrypted(session) if !plain => {
                (Some(session.auth_key().id()), session.session_id())
            }
            _ => (None, None),
        };
        self.events
            .push_back(ServerConnectionEvent::Request(IncomingRequest {
                msg_id,
                body: body.to_vec(),
                plain,
                auth_key_id,
                session_id,
            }));
    }

    /// Answers `msg_id` with a 400 error right away.
    fn error<R: CryptoRngCore + ?Sized>(
        &mut self,
        msg_id: i64,
        name: &str,
        cx: &ServerContext<'_>,
        rng: &mut R,
    ) {
        let mut body = Vec::new();
        if encode_rpc_error(msg_id, 400, name, &mut body).is_ok() {
            *self.requests += 1;
            self.pack(&zerotl::Object::from_bytes(&body), true, true, cx, rng);
        }
    }

    /// `rpc_result request.msg_id result`, unencrypted or encrypted as the request came.
    fn answer<R: CryptoRngCore + ?Sized>(
        &mut self,
        request: &IncomingRequest,
        result: &[u8],
        cx: &ServerContext<'_>,
        rng: &mut R,
    ) {
        *self.requests += 1;
        let mut body = Vec::new();
        if crate::envelope::encode_rpc_result(
            request.msg_id,
            &zerotl::Object::from_bytes(result),
            &mut body,
        )
        .is_err()
        {
            return;
        }
        if request.plain {
            let msg_id = self.plain_msg_ids.next(MsgIdKind::ServerResponse, cx.now);
            self.replies.push(true, |out| {
                PlainMessage {
                    msg_id,
                    body: &body,
                }
                .encode(out)
                .is_ok()
            });
        } else {
            self.pack(&zerotl::Object::from_bytes(&body), true, true, cx, rng);
        }
    }

    /// Encrypts `value` as a content-related response in the current session.
    fn pack<T: zerotl::Encode + ?Sized, R: CryptoRngCore + ?Sized>(
        &mut self,
        value: &T,
        content_related: bool,
        answer: bool,
        cx: &ServerContext<'_>,
        rng: &mut R,
    ) {
        let SessionState::Encrypted(session) = &mut *self.session else {
            return;
        };
        self.replies.push(answer, |out| {
            session
                .pack_value(
                    value,
                    content_related,
                    ServerMsgKind::Response,
                    cx.now,
                    rng,
                    out,
                )
                .is_ok()
        });
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;
    use core::cell::RefCell;

    use proptest::prelude::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::envelope::RpcOutcome;

    #[derive(Default)]
    struct Keys(RefCell<Vec<KeyState>>);

    impl AuthKeyStore for Keys {
        fn with_key(&self, id: i64, f: &mut dyn FnMut(&mut KeyState)) -> bool {
            let mut keys = self.0.borrow_mut();
            let found = keys.iter_mut().find(|k| k.auth_key.id() == id);
            found.map(f).is_some()
        }
        fn contains(&self, id: i64) -> bool {
            self.0.borrow().iter().any(|k| k.auth_key.id() == id)
        }
        fn insert(&self, key: KeyState) {
            self.0.borrow_mut().push(key);
        }
    }

    fn cx(keys: &Keys) -> ServerContext<'_> {
        ServerContext {
            key_exchange: None,
            keys,
            insecure_plain: true,
            now: UnixTime::from_secs(1_700_000_000),
        }
    }

    /// An intermediate frame holding a plain message.
    fn plain_frame(msg_id: i64, body: &[u8]) -> Vec<u8> {
        let mut message = Vec::new();
        PlainMessage { msg_id, body }.encode(&mut message).unwrap();
        let mut frame = (message.len() as u32).to_le_bytes().to_vec();
        frame.extend_from_slice(&message);
        frame
    }

    /// An intermediate frame holding a plain exportChatInvite(inputPeerChat chat).
    fn plain_request(i: u64, chat: u8) -> Vec<u8> {
        let body = [
            0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, chat, 0, 0, 0,
        ];
        plain_frame((0x6000_0000 << 32) | (i as i64) << 2, &body)
    }

    /// The req_msg_ids of the intermediate frames of plain rpc_results in `out`.
    fn answers(out: &[u8]) -> Vec<i64> {
        let mut ids = Vec::new();
        let mut rest = out;
        while let Some((len, tail)) = rest.split_first_chunk::<4>() {
            let len = u32::from_le_bytes(*len) as usize;
            let message = PlainMessage::decode(&tail[..len]).unwrap();
            let ServiceMessage::RpcResult(r) = classify(message.body).unwrap() else {
                panic!("not an rpc_result")
            };
            ids.push(r.req_msg_id);
            rest = &tail[len..];
        }
        ids
    }

    /// Answers every request waiting with `chatInviteEmpty`.
    fn answer_all(conn: &mut ServerConnection, cx: &ServerContext<'_>, rng: &mut ChaCha8Rng) {
        while let Some(event) = conn.poll_event() {
            if let ServerConnectionEvent::Request(r) = event {
                conn.reply(&r, &[0x69, 0x37, 0xdf, 0x69], cx, rng).unwrap();
            }
        }
    }

    #[test]
    fn in_flight_limit_holds_requests_back() {
        let keys = Keys::default();
        let cx = cx(&keys);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let config = ServerConnectionConfig {
            max_in_flight: 2,
            ..ServerConnectionConfig::default()
        };
        let mut conn = ServerConnection::new(config, cx.now);
        let mut wire = vec![0xee; 4];
        for i in 1..=5 {
            wire.extend_from_slice(&plain_request(i, 2));
        }
        conn.receive(&wire, &cx, &mut rng).unwrap();
        // Two requests are handed out; unanswered, they hold the rest back.
        assert_eq!(conn.in_flight(), 2);
        assert!(!conn.wants_input());
        answer_all(&mut conn, &cx, &mut rng);
        let first = answers(conn.output());
        assert_eq!(first.len(), 2);
        assert_eq!(conn.in_flight(), 2);
        // Writing part of the first answer frees nothing.
        conn.consume_output(10, cx.now);
        assert_eq!(conn.in_flight(), 2);
        conn.process(&cx, &mut rng).unwrap();
        assert_eq!(conn.in_flight(), 2);
        // Writing it all lets two more through, then the last one.
        let n = conn.output().len();
        conn.consume_output(n, cx.now);
        assert!(conn.wants_input());
        conn.process(&cx, &mut rng).unwrap();
        answer_all(&mut conn, &cx, &mut rng);
        let second = answers(conn.output());
        let n = conn.output().len();
        conn.consume_output(n, cx.now);
        conn.process(&cx, &mut rng).unwrap();
        answer_all(&mut conn, &cx, &mut rng);
        let third = answers(conn.output());
        let ids: Vec<i64> = [first, second, third].concat();
        let expected: Vec<i64> = (1..=5).map(|i| (0x6000_0000 << 32) | i << 2).collect();
        assert_eq!(ids, expected);
        assert_eq!(conn.requests(), 5);
    }

    #[test]
    fn byte_by_byte_equals_all_at_once() {
        let keys = Keys::default();
        let cx = cx(&keys);
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let mut wire = vec![0xef];
        let request = plain_request(9, 3);
        // Abridged: length / 4 in one byte.
        wire.push((request.len() - 4) as u8 / 4);
        wire.extend_from_slice(&request[4..]);
        let mut conn = ServerConnection::new(ServerConnectionConfig::default(), cx.now);
        for b in &wire {
            assert!(conn.output().is_empty());
            conn.receive(core::slice::from_ref(b), &cx, &mut rng)
                .unwrap();
        }
        assert_eq!(
            conn.poll_event(),
            Some(ServerConnectionEvent::Detected {
                transport: Transport::Abridged,
                obfuscated: false,
                websocket: false,
            })
        );
        let Some(ServerConnectionEvent::Request(r)) = conn.poll_event() else {
            panic!("a request")
        };
        assert_eq!(r.body, &request[4 + 20..]);
        assert_eq!((r.auth_key_id, r.session_id), (None, None));
        let error = crate::errors::RpcError::parse(403, "CHAT_WRITE_FORBIDDEN");
        let result = zerotl::encode_to_vec(&error.to_tl()).unwrap();
        conn.reply(&r, &result, &cx, &mut rng).unwrap();
        let out = conn.output();
        let message = PlainMessage::decode(&out[1..]).unwrap();
        assert_eq!(out[0] as usize * 4, out.len() - 1);
        assert_eq!(message.msg_id & 3, 1);
        let ServiceMessage::RpcResult(r) = classify(message.body).unwrap() else {
            panic!()
        };
        let RpcOutcome::Error(e) = RpcOutcome::of(r.result).unwrap() else {
            panic!()
        };
        assert_eq!(
            (e.error_code, e.error_message.as_str()),
            (403, "CHAT_WRITE_FORBIDDEN")
        );
    }

    #[test]
    fn key_exchange_refused_without_encryption() {
        let keys = Keys::default();
        let cx = cx(&keys);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut conn = ServerConnection::new(ServerConnectionConfig::default(), cx.now);
        let mut body = mt_functions::ReqPqMulti::CONSTRUCTOR_ID
            .to_le_bytes()
            .to_vec();
        body.extend_from_slice(&[1; 16]);
        let mut wire = vec![0xee; 4];
        wire.extend_from_slice(&plain_frame((1 << 40) | 4, &body));
        conn.receive(&wire, &cx, &mut rng).unwrap();
        assert_eq!(
            conn.closing(),
            Some(&ServerConnectionError::EncryptionDisabled)
        );
        assert_eq!(conn.output(), [4, 0, 0, 0, 0x6c, 0xfe, 0xff, 0xff]);
        assert!(!conn.wants_input());
    }

    #[test]
    fn whole_second_msg_ids_are_client_ids() {
        let keys = Keys::default();
        let cx = cx(&keys);
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        for (msg_id, accepted) in [
            (0x6000_0000_i64 << 32, true),
            ((0x6000_0000_i64 << 32) | 4, true),
            (0, false),
            (-4, false),
            ((0x6000_0000_i64 << 32) | 1, false),
        ] {
            let mut conn = ServerConnection::new(ServerConnectionConfig::default(), cx.now);
            let body = [0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, 1, 0, 0, 0];
            let mut wire = vec![0xee; 4];
            wire.extend_from_slice(&plain_frame(msg_id, &body));
            conn.receive(&wire, &cx, &mut rng).unwrap();
            let requests: Vec<_> = core::iter::from_fn(|| conn.poll_event())
                .filter_map(|e| match e {
                    ServerConnectionEvent::Request(r) => Some(r.msg_id),
                    _ => None,
                })
                .collect();
            if accepted {
                assert_eq!(requests, [msg_id], "{msg_id:#x}");
                assert_eq!(conn.closing(), None, "{msg_id:#x}");
            } else {
                assert!(requests.is_empty(), "{msg_id:#x}");
                assert!(
                    matches!(conn.closing(), Some(ServerConnectionError::BadMessage(_))),
                    "{msg_id:#x}"
                );
            }
        }
    }

    #[test]
    fn plain_requests_refused_without_plain_mode() {
        let keys = Keys::default();
        let cx = ServerContext {
            insecure_plain: false,
            ..cx(&keys)
        };
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let mut conn = ServerConnection::new(ServerConnectionConfig::default(), cx.now);
        let mut wire = vec![0xee; 4];
        wire.extend_from_slice(&plain_request(1, 1));
        conn.receive(&wire, &cx, &mut rng).unwrap();
        assert_eq!(conn.closing(), Some(&ServerConnectionError::PlainRefused));
        assert_eq!(
            conn.poll_event()
                .map(|e| matches!(e, ServerConnectionEvent::Detected { .. })),
            Some(true)
        );
        assert_eq!(conn.poll_event(), None, "no request is handed out");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any bytes after any tag, in any chunking: no panic, and what waits stays
        /// bounded by the in-flight limit.
        #[test]
        fn arbitrary_input_never_panics(
            tag in prop::sample::select(vec![
                vec![0xef], vec![0xee; 4], vec![0xdd; 4], vec![], vec![0x16, 3, 1, 2],
            ]),
            body in prop::collection::vec(any::<u8>(), 0..2048),
            cuts in prop::collection::vec(1usize..97, 1..16),
        ) {
            let keys = Keys::default();
            let cx = cx(&keys);
            let mut rng = ChaCha8Rng::seed_from_u64(5);
            let config = ServerConnectionConfig { max_in_flight: 4, ..ServerConnectionConfig::default() };
            let mut conn = ServerConnection::new(config, cx.now);
            let wire = [tag, body].concat();
            let mut rest = &wire[..];
            let mut cut = cuts.iter().cycle();
            while !rest.is_empty() {
                let n = (*cut.next().unwrap()).min(rest.len());
                let (chunk, tail) = rest.split_at(n);
                rest = tail;
                if conn.receive(chunk, &cx, &mut rng).is_err() || conn.closing().is_some() {
                    break;
                }
                prop_assert!(conn.in_flight() <= 4);
                answer_all(&mut conn, &cx, &mut rng);
                let n = conn.output().len();
                conn.consume_output(n, cx.now);
            }
        }
    }

    const UPGRADE: &[u8] = b"GET /apiws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
        Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n\r\n";

    /// A client frame (first byte `b0`) carrying `data`, masked with `9a 0b 3c 4d`.
    fn ws_frame(b0: u8, data: &[u8]) -> Vec<u8> {
        let mask = [0x9a, 0x0b, 0x3c, 0x4d];
        let (h, n) = websocket::frame_header(Opcode::Binary, data.len());
        let mut frame = vec![b0, h[1] | 0x80];
        frame.extend_from_slice(&h[2..n]);
        frame.extend_from_slice(&mask);
        frame.extend(data.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        frame
    }

    /// The server's frames in `out` (after the 101 answer): (first byte, payload).
    fn server_frames(out: &[u8]) -> Vec<(u8, Vec<u8>)> {
        let mut rest = out;
        let mut frames = Vec::new();
        while let [b0, b1, tail @ ..] = rest {
            assert_eq!(b1 & 0x80, 0, "server frames are not masked");
            let (len, tail) = match b1 & 0x7f {
                126 => (u16::from_be_bytes([tail[0], tail[1]]) as usize, &tail[2..]),
                127 => (
                    u64::from_be_bytes(tail[..8].try_into().unwrap()) as usize,
                    &tail[8..],
                ),
                n => (n as usize, tail),
            };
            frames.push((*b0, tail[..len].to_vec()));
            rest = &tail[len..];
        }
        frames
    }

    #[test]
    fn websocket_upgrade_carries_the_stream() {
        let keys = Keys::default();
        let cx = cx(&keys);
        // The upgrade, then the intermediate tag and two requests split over a
        // fragmented message with a ping between its fragments.
        let stream = [vec![0xee; 4], plain_request(1, 2), plain_request(2, 3)].concat();
        let mut wire = UPGRADE.to_vec();
        wire.extend_from_slice(&ws_frame(0x02, &stream[..3]));
        wire.extend_from_slice(&ws_frame(0x89, b"hi"));
        wire.extend_from_slice(&ws_frame(0x00, &stream[3..30]));
        wire.extend_from_slice(&ws_frame(0x80, &stream[30..]));
        for step in [1, 7, wire.len()] {
            let mut rng = ChaCha8Rng::seed_from_u64(3);
            let mut conn = ServerConnection::new(ServerConnectionConfig::default(), cx.now);
            for chunk in wire.chunks(step) {
                conn.receive(chunk, &cx, &mut rng).unwrap();
            }
            assert_eq!(
                conn.poll_event(),
                Some(ServerConnectionEvent::Detected {
                    transport: Transport::Intermediate,
                    obfuscated: false,
                    websocket: true,
                })
            );
            answer_all(&mut conn, &cx, &mut rng);
            let out = conn.output().to_vec();
            let head = b"HTTP/1.1 101 Switching Protocols\r\n";
            assert!(out.starts_with(head), "{step}");
            let end = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            let accept = b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
            assert!(out[..end].windows(accept.len()).any(|w| w == accept));
            let frames = server_frames(&out[end..]);
            assert_eq!(frames[0], (0x8a, b"hi".to_vec()), "the pong");
            assert!(frames[1..].iter().all(|(b0, _)| *b0 == 0x82));
            let stream: Vec<u8> = frames[1..].iter().flat_map(|(_, p)| p.clone()).collect();
            assert_eq!(
                answers(&stream),
                [(0x6000_0000 << 32) | 1 << 2, (0x6000_0000 << 32) | 2 << 2]
            );
            conn.consume_output(out.len(), cx.now);
            // The client's close frame is answered with its code, and ends it.
            conn.receive(&ws_frame(0x88, &1000u16.to_be_bytes()), &cx, &mut rng)
                .unwrap();
            assert_eq!(conn.output(), [0x88, 0x02, 0x03, 0xe8]);
            assert_eq!(
                conn.closing(),
                Some(&ServerConnectionError::WebSocketClosed { code: Some(1000) })
            );
        }
    }

    #[test]
    fn websocket_refusals() {
        let keys = Keys::default();
        let cx = cx(&keys);
        let run = |wire: &[u8]| {
            let mut rng = ChaCha8Rng::seed_from_u64(4);
            let mut conn = ServerConnection::new(ServerConnectionConfig::default(), cx.now);
            wire.chunks(5)
                .try_for_each(|c| conn.receive(c, &cx, &mut rng))
                .err()
        };
        let ws = |e| Some(ServerConnectionError::WebSocket(e));
        let wrong_path = [b"GET / HTTP/1.1\r\n".as_slice(), &UPGRADE[21..]].concat();
        assert_eq!(run(&wrong_path), ws(WebSocketError::WrongPath));
        // An unmasked frame, a text frame, a frame over the cap (1 MiB + slack).
        let unmasked = [UPGRADE, &[0x82, 0x01, 0xef]].concat();
        assert_eq!(run(&unmasked), ws(WebSocketError::Unmasked));
        let text = [UPGRADE, &ws_frame(0x81, b"ef")[..]].concat();
        assert_eq!(run(&text), ws(WebSocketError::Text));
        let max = (DEFAULT_SERVER_MAX_FRAME_LEN + WEBSOCKET_FRAME_SLACK) as u64;
        let mut huge = UPGRADE.to_vec();
        huge.extend_from_slice(&[0x82, 0xff]);
        huge.extend_from_slice(&(max + 1).to_be_bytes());
        huge.extend_from_slice(&[0; 4]);
        assert_eq!(
            run(&huge),
            ws(WebSocketError::TooLarge {
                length: max + 1,
                max
            })
        );
        // A second upgrade inside the frames is the HTTP it is.
        let nested = [UPGRADE, &ws_frame(0x82, UPGRADE)[..]].concat();
        assert_eq!(
            run(&nested),
            Some(ServerConnectionError::Detect(DetectError::Http(*b"GET ")))
        );
        // Other methods are refused as before.
        assert_eq!(
            run(b"POST /api HTTP/1.1\r\n"),
            Some(ServerConnectionError::Detect(DetectError::Http(*b"POST")))
        );
        // Endless headers: refused at the bound.
        let mut long = b"GET /apiws HTTP/1.1\r\n".to_vec();
        long.extend(core::iter::repeat_n(b'a', 2 * websocket::MAX_HANDSHAKE_LEN));
        assert_eq!(
            run(&long),
            ws(WebSocketError::HandshakeTooLarge {
                max: websocket::MAX_HANDSHAKE_LEN
            })
        );
    }

    #[test]
    fn websocket_upgrade_keeps_the_detect_deadline() {
        let keys = Keys::default();
        let cx = cx(&keys);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut conn = ServerConnection::new(ServerConnectionConfig::default(), cx.now);
        // Half an upgrade request: no answer, the detect deadline runs.
        conn.receive(&UPGRADE[..30], &cx, &mut rng).unwrap();
        assert!(conn.output().is_empty());
        assert_eq!(
            conn.poll_timeout(),
            Some(cx.now + ServerTimeouts::default().detect)
        );
        // The whole request and no stream: still not detected.
        conn.receive(&UPGRADE[30..], &cx, &mut rng).unwrap();
        let n = conn.output().len();
        conn.consume_output(n, cx.now);
        assert!(!conn.is_detected());
        let after = cx.now + ServerTimeouts::default().detect;
        assert_eq!(
            conn.handle_timeout(after),
            Err(ServerConnectionError::TimedOut {
                timer: ServerTimer::Detect,
                after: ServerTimeouts::default().detect
            })
        );
    }
}
