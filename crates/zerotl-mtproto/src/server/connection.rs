//! One server connection as a sans-IO state machine: bytes in, bytes out, and a
//! verdict when the connection must end. The tokio driver only moves bytes.
//!
//! ```text
//!  socket bytes ─▶ receive() ─▶ transport detection ─▶ Codec ─▶ payloads
//!                                                                  │
//!        ┌─────────────────────────────────────────────────────────┘
//!        ▼
//!  auth_key_id = 0 ─▶ key exchange id? ─▶ auth::ServerHandshake ─▶ plain reply
//!                  └▶ otherwise ─▶ plain test mode? rpc::answer ─▶ plain rpc_result
//!                                  (off: transport error −404, close)
//!  auth_key_id ≠ 0 ─▶ Session::unpack ─▶ container / gzip / ping / request
//!                                        ─▶ Session::pack(rpc_result) ─▶ frame
//!
//!  output() ─▶ socket; consume_output(n) when written.
//! ```
//!
//! **Bounds.** Frames are capped by the transport config; at most
//! `max_in_flight` answers wait unwritten: past that the connection stops decoding
//! (and [`wants_input`](ServerConnection::wants_input) turns false, so the driver
//! stops reading) until the client reads its answers. Inflated `gzip_packed`
//! requests are capped; containers hold at most 1024 messages and never nest.

use std::collections::VecDeque;
use std::time::{SystemTime, UNIX_EPOCH};

use zerotl::Encode;
use zerotl_types::mtproto::{functions as mt_functions, types as mt_types};

use super::events::CloseReason;
use super::keys::Security;
use super::rpc::{self, RequestOutcome};
use super::state::WorldState;
use crate::auth::{KeyVerdict, ServerHandshake as KeyExchange, ServerStep};
use crate::envelope::{
    classify, gzip, EnvelopeError, MsgIdGenerator, MsgIdKind, PlainMessage, ServiceMessage,
};
use crate::session::{Session, SessionError};
use crate::transport::{
    Codec, Incoming, ServerConfig as TransportConfig, ServerHandshake as Detection, Transport,
    TransportError,
};

/// Per-connection limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionConfig {
    /// Transport settings (largest frame, MTProxy secret, padding).
    pub transport: TransportConfig,
    /// Most answers waiting to be written before the connection stops reading.
    pub max_in_flight: usize,
    /// Most bytes a `gzip_packed` request may inflate to.
    pub max_inflated: usize,
    /// Record a [`ConnEvent::Request`] per request (for observers).
    pub report_requests: bool,
}

/// The default largest frame of the test server: 1 MiB (requests are tiny).
pub const DEFAULT_MAX_FRAME_LEN: usize = 1024 * 1024;

/// Padded-intermediate padding the server sends: 0..=3 bytes. The docs allow up to
/// 15, but Telethon (and others) strip only `len % 4` bytes, and an encrypted
/// message with leftover padding then fails to decrypt.
pub const DEFAULT_MAX_PADDING: usize = 3;

impl Default for ConnectionConfig {
    fn default() -> Self {
        Self {
            transport: TransportConfig {
                max_frame_len: DEFAULT_MAX_FRAME_LEN,
                max_padding: DEFAULT_MAX_PADDING,
                ..TransportConfig::default()
            },
            max_in_flight: 256,
            max_inflated: 1024 * 1024,
            report_requests: false,
        }
    }
}

/// What the connection tells its driver besides bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnEvent {
    /// The transport is known.
    Detected {
        /// The framing.
        transport: Transport,
        /// Whether it is obfuscated.
        obfuscated: bool,
    },
    /// A key exchange finished.
    KeyExchanged {
        /// The new key's id.
        auth_key_id: i64,
    },
    /// A request was answered (only with `report_requests`).
    Request {
        /// Its msg_id.
        msg_id: i64,
        /// The answer.
        outcome: RequestOutcome,
    },
}

/// What the server's answers are wrapped in.
enum SessionState {
    /// Nothing but plain messages so far.
    Plain,
    /// A key exchange is under way.
    KeyExchange(Box<KeyExchange>),
    /// Encrypted messages under an auth key.
    Encrypted(Box<Session>),
}

enum Framing {
    Detecting(Detection),
    Ready(Box<Codec>),
}

/// What the handling of one frame calls for: close, maybe after a transport error.
struct Fatal {
    reason: CloseReason,
    transport_error: Option<TransportError>,
}

impl Fatal {
    fn with_404(reason: CloseReason) -> Self {
        Self {
            reason,
            transport_error: Some(TransportError::AUTH_KEY_NOT_FOUND),
        }
    }
}

/// The shared things a connection works with.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The world and its links.
    pub world: &'a WorldState,
    /// Encryption settings and the auth keys.
    pub security: &'a Security,
    /// The wall clock (msg_id checks, key exchange `server_time`).
    pub now: SystemTime,
}

/// One connection of the embedded server (sans-IO).
///
/// ```
/// use std::time::SystemTime;
/// use zerotl_mtproto::envelope::PlainMessage;
/// use zerotl_mtproto::server::connection::{ConnectionConfig, Context, ServerConnection};
/// use zerotl_mtproto::server::keys::Security;
/// use zerotl_mtproto::server::{world::World, WorldState};
///
/// let world = WorldState::new(World::default());
/// let security = Security { insecure_plain: true, ..Security::default() };
/// let cx = Context { world: &world, security: &security, now: SystemTime::now() };
/// let mut conn = ServerConnection::new(ConnectionConfig::default());
///
/// // Intermediate transport, one plain message: exportChatInvite(inputPeerChat 1).
/// let request = [0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, 1, 0, 0, 0];
/// let mut message = Vec::new();
/// PlainMessage { msg_id: 0x6000_0000_0000_0004, body: &request }.encode(&mut message);
/// let mut wire = vec![0xee; 4];
/// wire.extend_from_slice(&(message.len() as u32).to_le_bytes());
/// wire.extend_from_slice(&message);
/// conn.receive(&wire, &cx).unwrap();
///
/// let out = conn.output();
/// let answer = PlainMessage::decode(&out[4..]).unwrap();
/// assert_eq!(answer.msg_id % 4, 1);
/// assert_eq!(&answer.body[..4], [0x01, 0x6d, 0x5c, 0xf3]); // rpc_result
/// let n = out.len();
/// conn.consume_output(n);
/// assert_eq!(conn.requests(), 1);
/// ```
pub struct ServerConnection {
    config: ConnectionConfig,
    framing: Framing,
    messages: Messages,
    out: Vec<u8>,
    out_start: usize,
    written: u64,
    flushed: u64,
    answer_ends: VecDeque<u64>,
    closing: Option<CloseReason>,
}

/// The message layer: everything but framing and output.
struct Messages {
    config: ConnectionConfig,
    session: SessionState,
    msg_ids: MsgIdGenerator,
    events: Vec<ConnEvent>,
    requests: u64,
    /// Transport payloads to send, back to back.
    replies: Vec<u8>,
    reply_ends: Vec<usize>,
    scratch: Vec<u8>,
}

impl std::fmt::Debug for ServerConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConnection")
            .field("pending_output", &self.output().len())
            .field("in_flight", &self.in_flight())
            .field("requests", &self.messages.requests)
            .field("closing", &self.closing)
            .finish_non_exhaustive()
    }
}

impl ServerConnection {
    /// A connection waiting for the client's first bytes.
    pub fn new(config: ConnectionConfig) -> Self {
        Self {
            config,
            framing: Framing::Detecting(Detection::new(config.transport)),
            messages: Messages {
                config,
                session: SessionState::Plain,
                msg_ids: MsgIdGenerator::new(),
                events: Vec::new(),
                requests: 0,
                replies: Vec::new(),
                reply_ends: Vec::new(),
                scratch: Vec::new(),
            },
            out: Vec::new(),
            out_start: 0,
            written: 0,
            flushed: 0,
            answer_ends: VecDeque::new(),
            closing: None,
        }
    }

    /// Takes bytes read from the socket and answers every complete request (up to
    /// the in-flight limit). An `Err` means: close now, sending nothing more.
    pub fn receive(&mut self, data: &[u8], cx: &Context<'_>) -> Result<(), CloseReason> {
        match &mut self.framing {
            Framing::Detecting(detection) => match detection.receive(data) {
                Ok(None) => return Ok(()),
                Ok(Some(codec)) => {
                    self.messages.events.push(ConnEvent::Detected {
                        transport: codec.transport(),
                        obfuscated: codec.is_obfuscated(),
                    });
                    self.framing = Framing::Ready(Box::new(codec));
                }
                Err(e) => return Err(CloseReason::Detect(e)),
            },
            Framing::Ready(codec) => codec.receive(data),
        }
        self.process(cx)
    }

    /// Answers buffered requests (call after output was written: requests held back
    /// by the in-flight limit are handled then).
    pub fn process(&mut self, cx: &Context<'_>) -> Result<(), CloseReason> {
        let Framing::Ready(codec) = &mut self.framing else {
            return Ok(());
        };
        while self.closing.is_none() && self.answer_ends.len() < self.config.max_in_flight {
            let transport = codec.transport();
            self.messages.replies.clear();
            self.messages.reply_ends.clear();
            let handled = match codec.next_event().map_err(CloseReason::Frame)? {
                None => break,
                Some(Incoming::Frame { payload, .. }) => {
                    self.messages.handle_payload(payload, transport, cx)
                }
                // Server-side decoders produce frames only.
                Some(Incoming::QuickAck(_) | Incoming::TransportError(_)) => Ok(()),
            };
            let mut start = 0;
            for &end in &self.messages.reply_ends {
                let before = self.out.len();
                codec
                    .send(&self.messages.replies[start..end], &mut self.out)
                    .map_err(CloseReason::Frame)?;
                self.written += (self.out.len() - before) as u64;
                self.answer_ends.push_back(self.written);
                start = end;
            }
            if let Err(fatal) = handled {
                if let Some(code) = fatal.transport_error {
                    let before = self.out.len();
                    codec
                        .send_transport_error(code, &mut self.out)
                        .map_err(CloseReason::Frame)?;
                    self.written += (self.out.len() - before) as u64;
                }
                self.closing = Some(fatal.reason);
            }
        }
        Ok(())
    }

    /// Bytes waiting to be written to the socket.
    pub fn output(&self) -> &[u8] {
        &self.out[self.out_start..]
    }

    /// Marks `n` bytes of [`output`](Self::output) as written.
    pub fn consume_output(&mut self, n: usize) {
        let n = n.min(self.out.len() - self.out_start);
        self.out_start += n;
        self.flushed += n as u64;
        while self.answer_ends.front().is_some_and(|&e| e <= self.flushed) {
            self.answer_ends.pop_front();
        }
        if self.out_start == self.out.len() {
            self.out.clear();
            self.out_start = 0;
        }
    }

    /// Answers written to the buffer but not yet to the socket.
    pub fn in_flight(&self) -> usize {
        self.answer_ends.len()
    }

    /// Whether the driver should read more: false while the in-flight limit is
    /// reached or the connection is closing.
    pub fn wants_input(&self) -> bool {
        self.closing.is_none() && self.in_flight() < self.config.max_in_flight
    }

    /// Set when the connection must close once [`output`](Self::output) is written
    /// (after a transport error frame, for example).
    pub fn closing(&self) -> Option<&CloseReason> {
        self.closing.as_ref()
    }

    /// Events since the last call.
    pub fn take_events(&mut self) -> Vec<ConnEvent> {
        std::mem::take(&mut self.messages.events)
    }

    /// Requests answered so far.
    pub fn requests(&self) -> u64 {
        self.messages.requests
    }

    /// Whether a key exchange finished on this connection or it uses a known key.
    pub fn is_encrypted(&self) -> bool {
        matches!(self.messages.session, SessionState::Encrypted(_))
    }
}

const KEY_EXCHANGE_IDS: [u32; 4] = [
    mt_functions::ReqPqMulti::CONSTRUCTOR_ID,
    mt_functions::ReqPq::CONSTRUCTOR_ID,
    mt_functions::ReqDhParams::CONSTRUCTOR_ID,
    mt_functions::SetClientDhParams::CONSTRUCTOR_ID,
];

fn unix_secs(now: SystemTime) -> i64 {
    now.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Messages {
    /// Queues `payload` (one transport payload) for sending.
    fn reply(&mut self, payload: &[u8]) {
        self.replies.extend_from_slice(payload);
        self.reply_ends.push(self.replies.len());
    }

    fn handle_payload(
        &mut self,
        payload: &[u8],
        transport: Transport,
        cx: &Context<'_>,
    ) -> Result<(), Fatal> {
        match payload.first_chunk::<8>() {
            Some(id) if *id == [0; 8] => self.handle_plain(payload, transport, cx),
            Some(id) => {
                let key_id = i64::from_le_bytes(*id);
                // Padded intermediate may leave up to 12 padding bytes; an encrypted
                // message is 24 + 16k bytes.
                let len = match transport {
                    Transport::Padded if payload.len() >= 24 => 24 + (payload.len() - 24) / 16 * 16,
                    _ => payload.len(),
                };
                self.handle_encrypted(key_id, &payload[..len], cx)
            }
            None => Err(Fatal::with_404(CloseReason::BadMessage(
                EnvelopeError::Truncated {
                    what: "message header",
                    needed: 8,
                    available: payload.len(),
                },
            ))),
        }
    }

    fn handle_plain(
        &mut self,
        payload: &[u8],
        transport: Transport,
        cx: &Context<'_>,
    ) -> Result<(), Fatal> {
        let decoded = match transport {
            Transport::Padded => PlainMessage::decode_padded(payload),
            _ => PlainMessage::decode(payload),
        };
        let message = decoded.map_err(|e| Fatal::with_404(CloseReason::BadMessage(e)))?;
        if message.msg_id & 3 != 0 || message.msg_id as u32 == 0 {
            return Err(Fatal::with_404(CloseReason::BadMessage(
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
            return self.key_exchange(message.body, cx);
        }
        if !cx.security.insecure_plain {
            return Err(Fatal::with_404(CloseReason::PlainRefused));
        }
        self.scratch.clear();
        self.answer(message.msg_id, message.body, cx);
        let body = std::mem::take(&mut self.scratch);
        let mut wire = Vec::with_capacity(PlainMessage::HEADER_LEN + body.len());
        PlainMessage {
            msg_id: self.msg_ids.next(MsgIdKind::ServerResponse),
            body: &body,
        }
        .encode(&mut wire);
        self.scratch = body;
        self.reply(&wire);
        Ok(())
    }

    fn key_exchange(&mut self, body: &[u8], cx: &Context<'_>) -> Result<(), Fatal> {
        let Some(config) = &cx.security.encryption else {
            return Err(Fatal::with_404(CloseReason::EncryptionDisabled));
        };
        if !matches!(&self.session, SessionState::KeyExchange(k) if !k.is_finished()) {
            self.session = SessionState::KeyExchange(Box::new(KeyExchange::new(config.clone())));
        }
        let SessionState::KeyExchange(exchange) = &mut self.session else {
            unreachable!("set above")
        };
        let keys = &cx.security.keys;
        let now = i32::try_from(unix_secs(cx.now)).unwrap_or(i32::MAX);
        let step = exchange
            .handle_with_key_check(body, now, &mut rand::rng(), &mut |key| {
                if keys.contains(key.id()) {
                    KeyVerdict::Retry
                } else {
                    KeyVerdict::Accept
                }
            })
            .map_err(|e| Fatal::with_404(CloseReason::KeyExchange(e)))?;
        let reply = match step {
            ServerStep::Reply(reply) => reply,
            ServerStep::Done { reply, outcome } => {
                let id = outcome.auth_key.id();
                keys.insert(outcome.auth_key.clone(), outcome.server_salt);
                self.session = SessionState::Encrypted(Box::new(Session::server(
                    outcome.auth_key,
                    outcome.server_salt,
                )));
                self.events
                    .push(ConnEvent::KeyExchanged { auth_key_id: id });
                reply
            }
        };
        let mut wire = Vec::with_capacity(PlainMessage::HEADER_LEN + reply.len());
        PlainMessage {
            msg_id: self.msg_ids.next(MsgIdKind::ServerResponse),
            body: &reply,
        }
        .encode(&mut wire);
        self.reply(&wire);
        Ok(())
    }

    fn handle_encrypted(
        &mut self,
        key_id: i64,
        message: &[u8],
        cx: &Context<'_>,
    ) -> Result<(), Fatal> {
        let current = match &self.session {
            SessionState::Encrypted(s) => s.auth_key().id() == key_id,
            _ => false,
        };
        if !current {
            let Some((key, salt)) = cx.security.keys.get(key_id) else {
                return Err(Fatal::with_404(CloseReason::UnknownAuthKey(key_id)));
            };
            self.session = SessionState::Encrypted(Box::new(Session::server(key, salt)));
        }
        let SessionState::Encrypted(session) = &mut self.session else {
            unreachable!("set above")
        };
        let mut rng = rand::rng();
        let incoming = match session.unpack_at(message, cx.now) {
            Ok(incoming) => incoming,
            Err(e) => {
                if let Some(packed) = session.notify_refusal(&e, cx.now, &mut rng) {
                    self.reply(&packed.bytes);
                    return Ok(());
                }
                return match e {
                    SessionError::Duplicate { .. } | SessionError::BehindReplayWindow { .. } => {
                        Ok(())
                    }
                    e => Err(Fatal::with_404(CloseReason::Session(e))),
                };
            }
        };
        if incoming.new_session {
            if let Ok(packed) = session.new_session_created(incoming.msg_id, cx.now, &mut rng) {
                self.reply(&packed.bytes);
            }
        }
        self.handle_body(incoming.msg_id, incoming.body(), cx, 0);
        Ok(())
    }

    /// Answers one authenticated message body (a request, or a container or gzip
    /// around requests).
    fn handle_body(&mut self, msg_id: i64, body: &[u8], cx: &Context<'_>, depth: u8) {
        match classify(body) {
            Ok(ServiceMessage::Container(c)) if depth == 0 => {
                for m in c.iter() {
                    self.handle_body(m.msg_id, m.body.as_bytes(), cx, depth + 1);
                }
            }
            Ok(ServiceMessage::GzipPacked(g)) if depth < 2 => {
                match gzip::unpack_value(&g, self.config.max_inflated) {
                    Ok(inner) => self.handle_body(msg_id, &inner, cx, 2),
                    Err(_) => self.encrypted_error(msg_id, "INPUT_FETCH_ERROR", cx),
                }
            }
            Ok(ServiceMessage::MsgsAck(_)) => {}
            Ok(ServiceMessage::Other(object)) => {
                if object.constructor_id() == Some(mt_functions::Ping::CONSTRUCTOR_ID) {
                    if let Ok(ping) = object.decode::<mt_functions::Ping>() {
                        let pong = mt_types::Pong {
                            msg_id,
                            ping_id: ping.ping_id,
                        };
                        self.scratch.clear();
                        self.scratch.resize(pong.encoded_len(), 0);
                        let _ = pong.encode_to_slice(&mut self.scratch);
                        self.pack_scratch(cx);
                        return;
                    }
                }
                self.scratch.clear();
                self.answer(msg_id, body, cx);
                self.pack_scratch(cx);
            }
            // Service messages a client has no reason to send are ignored.
            Ok(_) => {}
            Err(_) => self.encrypted_error(msg_id, "INPUT_FETCH_ERROR", cx),
        }
    }

    fn encrypted_error(&mut self, msg_id: i64, name: &str, cx: &Context<'_>) {
        self.scratch.clear();
        let _ = crate::envelope::encode_rpc_error(msg_id, 400, name, &mut self.scratch);
        self.requests += 1;
        self.pack_scratch(cx);
    }

    /// Encrypts the body in `scratch` as a content-related answer.
    fn pack_scratch(&mut self, cx: &Context<'_>) {
        let SessionState::Encrypted(session) = &mut self.session else {
            return;
        };
        if let Ok(packed) = session.pack_at(&self.scratch, true, cx.now, &mut rand::rng()) {
            self.reply(&packed.bytes);
        }
    }

    /// Appends the `rpc_result` for request `body` to `scratch`.
    fn answer(&mut self, msg_id: i64, body: &[u8], cx: &Context<'_>) {
        self.requests += 1;
        // Only a link over 16 MiB could fail to encode.
        if let Ok(outcome) = rpc::answer(cx.world, msg_id, body, &mut self.scratch) {
            if self.config.report_requests {
                self.events.push(ConnEvent::Request { msg_id, outcome });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::world::World;

    fn plain_request(i: u64, chat: u8) -> Vec<u8> {
        let body = [
            0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, chat, 0, 0, 0,
        ];
        let mut message = Vec::new();
        PlainMessage {
            msg_id: (0x6000_0000 << 32) | (i as i64) << 2,
            body: &body,
        }
        .encode(&mut message);
        let mut frame = (message.len() as u32).to_le_bytes().to_vec();
        frame.extend_from_slice(&message);
        frame
    }

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

    fn setup() -> (WorldState, Security) {
        let security = Security {
            insecure_plain: true,
            encryption: None,
            ..Security::default()
        };
        (WorldState::new(World::default()), security)
    }

    #[test]
    fn in_flight_limit_holds_requests_back() {
        let (world, security) = setup();
        let cx = Context {
            world: &world,
            security: &security,
            now: SystemTime::now(),
        };
        let config = ConnectionConfig {
            max_in_flight: 2,
            ..ConnectionConfig::default()
        };
        let mut conn = ServerConnection::new(config);
        let mut wire = vec![0xee; 4];
        for i in 1..=5 {
            wire.extend_from_slice(&plain_request(i, 2));
        }
        conn.receive(&wire, &cx).unwrap();
        let first = answers(conn.output());
        assert_eq!(first.len(), 2);
        assert!(!conn.wants_input());
        assert_eq!(conn.in_flight(), 2);
        // Writing part of the first answer frees nothing.
        conn.consume_output(10);
        assert_eq!(conn.in_flight(), 2);
        conn.process(&cx).unwrap();
        assert_eq!(conn.in_flight(), 2);
        // Writing it all lets two more through, then the last one.
        let n = conn.output().len();
        conn.consume_output(n);
        assert!(conn.wants_input());
        conn.process(&cx).unwrap();
        let second = answers(conn.output());
        let n = conn.output().len();
        conn.consume_output(n);
        conn.process(&cx).unwrap();
        let third = answers(conn.output());
        let ids: Vec<i64> = [first, second, third].concat();
        let expected: Vec<i64> = (1..=5).map(|i| (0x6000_0000 << 32) | i << 2).collect();
        assert_eq!(ids, expected);
        assert_eq!(conn.requests(), 5);
    }

    #[test]
    fn byte_by_byte_equals_all_at_once() {
        let (world, security) = setup();
        let cx = Context {
            world: &world,
            security: &security,
            now: SystemTime::now(),
        };
        let mut wire = vec![0xef];
        let request = plain_request(9, 3);
        // Abridged: length / 4 in one byte.
        wire.push((request.len() - 4) as u8 / 4);
        wire.extend_from_slice(&request[4..]);
        let mut conn = ServerConnection::new(ConnectionConfig::default());
        for b in &wire {
            assert!(conn.output().is_empty());
            conn.receive(std::slice::from_ref(b), &cx).unwrap();
        }
        let out = conn.output();
        let message = PlainMessage::decode(&out[1..]).unwrap();
        assert_eq!(out[0] as usize * 4, out.len() - 1);
        assert_eq!(message.msg_id & 3, 1);
        let ServiceMessage::RpcResult(r) = classify(message.body).unwrap() else {
            panic!()
        };
        let crate::envelope::RpcOutcome::Error(e) =
            crate::envelope::RpcOutcome::of(r.result).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (e.error_code, e.error_message.as_str()),
            (403, "CHAT_WRITE_FORBIDDEN")
        );
        assert_eq!(
            conn.take_events(),
            [ConnEvent::Detected {
                transport: Transport::Abridged,
                obfuscated: false
            }]
        );
    }

    #[test]
    fn key_exchange_refused_without_encryption() {
        let (world, security) = setup();
        let cx = Context {
            world: &world,
            security: &security,
            now: SystemTime::now(),
        };
        let mut conn = ServerConnection::new(ConnectionConfig::default());
        let mut body = mt_functions::ReqPqMulti::CONSTRUCTOR_ID
            .to_le_bytes()
            .to_vec();
        body.extend_from_slice(&[1; 16]);
        let mut message = Vec::new();
        PlainMessage {
            msg_id: (1 << 40) | 4,
            body: &body,
        }
        .encode(&mut message);
        let mut wire = vec![0xee; 4];
        wire.extend_from_slice(&(message.len() as u32).to_le_bytes());
        wire.extend_from_slice(&message);
        conn.receive(&wire, &cx).unwrap();
        assert_eq!(conn.closing(), Some(&CloseReason::EncryptionDisabled));
        assert_eq!(conn.output(), [4, 0, 0, 0, 0x6c, 0xfe, 0xff, 0xff]);
        assert!(!conn.wants_input());
    }
}

#[cfg(test)]
mod hostile {
    use super::*;
    use crate::server::world::World;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any bytes after any tag, in any chunking: no panic, and the output stays
        /// bounded by the in-flight limit.
        #[test]
        fn arbitrary_input_never_panics(
            tag in prop::sample::select(vec![
                vec![0xef], vec![0xee; 4], vec![0xdd; 4], vec![], vec![0x16, 3, 1, 2],
            ]),
            body in prop::collection::vec(any::<u8>(), 0..2048),
            cuts in prop::collection::vec(1usize..97, 1..16),
        ) {
            let world = WorldState::new(World::default());
            let security = Security { insecure_plain: true, ..Security::default() };
            let cx = Context { world: &world, security: &security, now: SystemTime::now() };
            let config = ConnectionConfig { max_in_flight: 4, ..ConnectionConfig::default() };
            let mut conn = ServerConnection::new(config);
            let wire = [tag, body].concat();
            let mut rest = &wire[..];
            let mut cut = cuts.iter().cycle();
            while !rest.is_empty() {
                let n = (*cut.next().unwrap()).min(rest.len());
                let (chunk, tail) = rest.split_at(n);
                rest = tail;
                if conn.receive(chunk, &cx).is_err() || conn.closing().is_some() {
                    break;
                }
                prop_assert!(conn.in_flight() <= 4);
                let n = conn.output().len();
                conn.consume_output(n);
            }
        }
    }
}
