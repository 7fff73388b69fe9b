//! The client's protocol state as a sans-IO object: framing, the session layer
//! (plain test mode, key exchange, encrypted session), request bookkeeping and
//! answer matching. The tokio driver only moves bytes and wakes callers.
//!
//! ```text
//!  send_request(body) ─▶ msg_id ─▶ [plain | Session::pack] ─▶ Codec ─▶ output()
//!  receive(bytes) ─▶ Codec ─▶ [PlainMessage | Session::unpack] ─▶ classify
//!       rpc_result (in containers, gzip) ─▶ poll_delivery(): (RequestId, RawAnswer)
//!       bad_server_salt / bad_msg_notification 16,17,32,33 ─▶ resend with a new msg_id
//!       content-related messages ─▶ msgs_ack (batched)
//! ```

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::SystemTime;

use zerotl::Encode;
use zerotl_types::mtproto::types as mt;

use super::answer::{RawAnswer, Source};
use super::config::{ClientConfig, SessionMode};
use crate::auth::{AuthError, ClientConfig as AuthConfig, ClientHandshake, ClientStep};
use crate::crypto::AuthKey;
use crate::envelope::{
    classify, gzip, EnvelopeError, MsgIdGenerator, PlainMessage, ServiceMessage,
};
use crate::errors::TransportFailure;
use crate::session::{ServiceEvent, Session, SessionError};
use crate::transport::{ClientConfig as CodecConfig, Codec, Incoming, Transport};

/// Acks are sent once this many are pending (or when no request is outstanding).
const ACK_BATCH: usize = 16;

/// Most bytes a `gzip_packed` answer may inflate to.
const MAX_INFLATED: usize = crate::envelope::gzip::DEFAULT_MAX_INFLATED;

/// A request's number on one connection (stays the same when it is re-sent
/// under a new msg_id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestId(u64);

/// Something the server did that breaks the protocol, or refused a message for.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// The key exchange failed.
    #[error("key exchange failed: {0}")]
    KeyExchange(AuthError),
    /// An encrypted message from the server failed its checks.
    #[error("encrypted message refused: {0}")]
    Session(SessionError),
    /// A message envelope did not decode.
    #[error("bad message: {0}")]
    Envelope(EnvelopeError),
    /// The server refused the request's message (`bad_msg_notification`) with a
    /// code the session cannot fix by re-sending.
    #[error("the server refused the message: bad_msg_notification code {code}")]
    BadMsgNotification {
        /// The code (see `core.telegram.org/mtproto/service_messages_about_messages`).
        code: i32,
    },
    /// An unencrypted message from the server whose msg_id is not a server's (odd).
    #[error("unencrypted message with msg_id {msg_id:#x}, which is not a server msg_id")]
    BadServerMsgId {
        /// The msg_id.
        msg_id: i64,
    },
    /// The server sent an encrypted message before any key exchange.
    #[error("encrypted message on a connection without a key")]
    UnexpectedEncrypted,
    /// A request was made before the key exchange finished.
    #[error("the key exchange has not finished")]
    NotReady,
}

/// Why a request or the whole connection failed inside the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The transport failed or the server sent a transport error code.
    Transport(TransportFailure),
    /// A protocol rule was broken.
    Protocol(ProtocolError),
}

impl<E> From<Failure> for crate::errors::InvocationError<E> {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Transport(t) => Self::Transport(t),
            Failure::Protocol(ProtocolError::Envelope(EnvelopeError::Tl { error, .. })) => {
                Self::Decode(error)
            }
            Failure::Protocol(p) => Self::Protocol(p),
        }
    }
}

enum Layer {
    Handshake {
        exchange: Box<ClientHandshake>,
        msg_ids: MsgIdGenerator,
    },
    Plain {
        msg_ids: MsgIdGenerator,
    },
    Encrypted(Box<Session>),
}

struct Request {
    msg_id: i64,
    /// Kept in encrypted mode, to re-send after a salt or clock correction.
    body: Option<Vec<u8>>,
}

/// The client side of one connection (sans-IO).
pub struct ClientCore {
    codec: Codec,
    layer: Layer,
    out: Vec<u8>,
    out_start: usize,
    next_request: u64,
    requests: HashMap<RequestId, Request>,
    by_msg_id: HashMap<i64, RequestId>,
    deliveries: VecDeque<(RequestId, Result<RawAnswer, Failure>)>,
    acks: Vec<i64>,
}

impl std::fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCore")
            .field("transport", &self.codec.transport())
            .field("ready", &self.is_ready())
            .field("outstanding", &self.requests.len())
            .finish_non_exhaustive()
    }
}

impl ClientCore {
    /// A connection per `config`; its first bytes (transport tag or obfuscation
    /// header, and the key exchange's first message) are in [`output`](Self::output).
    pub fn new(config: &ClientConfig) -> Result<Self, Failure> {
        let mut out = Vec::new();
        let codec_config = CodecConfig {
            obfuscation: config.obfuscation,
            max_frame_len: config.max_frame_len,
            ..CodecConfig::default()
        };
        let codec = Codec::client(config.transport, codec_config, &mut out)
            .map_err(|e| Failure::Transport(e.into()))?;
        let mut rng = rand::rng();
        let mut core = Self {
            codec,
            layer: Layer::Plain {
                msg_ids: MsgIdGenerator::new(),
            },
            out,
            out_start: 0,
            next_request: 0,
            requests: HashMap::new(),
            by_msg_id: HashMap::new(),
            deliveries: VecDeque::new(),
            acks: Vec::new(),
        };
        match &config.session {
            SessionMode::InsecurePlain => {}
            SessionMode::Encrypted {
                resume: Some((key, salt)),
                ..
            } => {
                let session_id = rand::Rng::next_u64(&mut rng) as i64;
                core.layer =
                    Layer::Encrypted(Box::new(Session::client(key.clone(), *salt, session_id, 0)));
            }
            SessionMode::Encrypted {
                trusted_keys, dc, ..
            } => {
                let auth = AuthConfig::new(trusted_keys.clone(), *dc);
                let (exchange, first) = ClientHandshake::start(auth, &mut rng);
                let mut msg_ids = MsgIdGenerator::new();
                core.send_plain(msg_ids.next_client(), &first)?;
                core.layer = Layer::Handshake {
                    exchange: Box::new(exchange),
                    msg_ids,
                };
            }
        }
        Ok(core)
    }

    /// The framing.
    pub fn transport(&self) -> Transport {
        self.codec.transport()
    }

    /// Whether requests can be sent (the key exchange, if any, is over).
    pub fn is_ready(&self) -> bool {
        !matches!(self.layer, Layer::Handshake { .. })
    }

    /// Whether messages are encrypted.
    pub fn is_encrypted(&self) -> bool {
        matches!(self.layer, Layer::Encrypted(_))
    }

    /// The auth key and current server salt (to [`resume`](ClientConfig::resume) later).
    pub fn auth_key(&self) -> Option<(AuthKey, i64)> {
        match &self.layer {
            Layer::Encrypted(s) => Some((s.auth_key().clone(), s.salt())),
            _ => None,
        }
    }

    /// Requests sent and not yet answered or forgotten.
    pub fn outstanding(&self) -> usize {
        self.requests.len()
    }

    /// Bytes to write to the socket.
    pub fn output(&self) -> &[u8] {
        &self.out[self.out_start..]
    }

    /// Marks `n` bytes of [`output`](Self::output) as written.
    pub fn consume_output(&mut self, n: usize) {
        self.out_start = (self.out_start + n).min(self.out.len());
        if self.out_start == self.out.len() {
            self.out.clear();
            self.out_start = 0;
        }
    }

    fn send_frame(&mut self, payload: &[u8]) -> Result<(), Failure> {
        self.codec
            .send(payload, &mut self.out)
            .map_err(|e| Failure::Transport(e.into()))
    }

    fn send_plain(&mut self, msg_id: i64, body: &[u8]) -> Result<(), Failure> {
        let mut wire = Vec::with_capacity(PlainMessage::HEADER_LEN + body.len());
        PlainMessage { msg_id, body }.encode(&mut wire);
        self.send_frame(&wire)
    }

    /// Sends a request body (a boxed function); its answer comes out of
    /// [`poll_delivery`](Self::poll_delivery) under the returned id.
    pub fn send_request(&mut self, body: &[u8]) -> Result<RequestId, Failure> {
        let id = RequestId(self.next_request);
        let (msg_id, keep) = self.pack_and_send(body)?;
        self.next_request += 1;
        self.requests.insert(
            id,
            Request {
                msg_id,
                body: keep.then(|| body.to_vec()),
            },
        );
        self.by_msg_id.insert(msg_id, id);
        Ok(id)
    }

    /// Frames `body` as the next message; returns its msg_id and whether the body
    /// must be kept for re-sending.
    fn pack_and_send(&mut self, body: &[u8]) -> Result<(i64, bool), Failure> {
        match &mut self.layer {
            Layer::Handshake { .. } => Err(Failure::Protocol(ProtocolError::NotReady)),
            Layer::Plain { msg_ids } => {
                let msg_id = msg_ids.next_client();
                self.send_plain(msg_id, body)?;
                Ok((msg_id, false))
            }
            Layer::Encrypted(session) => {
                let packed = session
                    .pack(body, true)
                    .map_err(|e| Failure::Protocol(ProtocolError::Session(e)))?;
                self.send_frame(&packed.bytes)?;
                Ok((packed.msg_id, true))
            }
        }
    }

    /// Drops a request the caller stopped waiting for (its late answer is ignored).
    pub fn forget(&mut self, id: RequestId) {
        if let Some(r) = self.requests.remove(&id) {
            self.by_msg_id.remove(&r.msg_id);
        }
    }

    /// The next answered (or failed) request.
    pub fn poll_delivery(&mut self) -> Option<(RequestId, Result<RawAnswer, Failure>)> {
        self.deliveries.pop_front()
    }

    /// Takes bytes read from the socket. An `Err` is fatal for the connection
    /// (every outstanding request fails with it).
    pub fn receive(&mut self, data: &[u8], now: SystemTime) -> Result<(), Failure> {
        self.codec.receive(data);
        loop {
            let transport = self.codec.transport();
            let Self { codec, layer, .. } = self;
            let frame = match codec
                .next_event()
                .map_err(|e| Failure::Transport(e.into()))?
            {
                None => break,
                Some(Incoming::QuickAck(_)) => continue,
                Some(Incoming::TransportError(e)) => return Err(Failure::Transport(e.into())),
                Some(Incoming::Frame { payload, .. }) => {
                    if payload.get(..8) == Some(&[0; 8]) || payload.len() < 8 {
                        Frame::Plain(payload.to_vec())
                    } else {
                        let Layer::Encrypted(session) = layer else {
                            return Err(Failure::Protocol(ProtocolError::UnexpectedEncrypted));
                        };
                        let len = match transport {
                            Transport::Padded if payload.len() >= 24 => {
                                24 + (payload.len() - 24) / 16 * 16
                            }
                            _ => payload.len(),
                        };
                        match session.unpack_at(&payload[..len], now) {
                            Ok(m) => Frame::Encrypted(m),
                            // A repeat of a message already handled: drop it.
                            Err(SessionError::Duplicate { .. })
                            | Err(SessionError::BehindReplayWindow { .. }) => continue,
                            Err(e) => return Err(Failure::Protocol(ProtocolError::Session(e))),
                        }
                    }
                }
            };
            match frame {
                Frame::Plain(bytes) => self.on_plain(bytes, transport, now)?,
                Frame::Encrypted(message) => self.on_encrypted(message, now)?,
            }
        }
        if self.acks.len() >= ACK_BATCH || (!self.acks.is_empty() && self.requests.is_empty()) {
            self.flush_acks()?;
        }
        Ok(())
    }

    /// Sends `msgs_ack` for the content-related messages received so far.
    pub fn flush_acks(&mut self) -> Result<(), Failure> {
        let Layer::Encrypted(session) = &mut self.layer else {
            self.acks.clear();
            return Ok(());
        };
        if self.acks.is_empty() {
            return Ok(());
        }
        let ack = mt::MsgsAck {
            msg_ids: zerotl::Vector::from_slice(&self.acks),
        };
        let mut body = vec![0u8; ack.encoded_len()];
        // A vector of at most a few thousand longs always encodes.
        let _ = ack.encode_to_slice(&mut body);
        self.acks.clear();
        let packed = session
            .pack(&body, false)
            .map_err(|e| Failure::Protocol(ProtocolError::Session(e)))?;
        self.send_frame(&packed.bytes)
    }

    fn on_plain(
        &mut self,
        bytes: Vec<u8>,
        transport: Transport,
        now: SystemTime,
    ) -> Result<(), Failure> {
        let envelope = |e| Failure::Protocol(ProtocolError::Envelope(e));
        let message = match transport {
            Transport::Padded => PlainMessage::decode_padded(&bytes),
            _ => PlainMessage::decode(&bytes),
        }
        .map_err(envelope)?;
        if message.msg_id & 1 != 1 {
            return Err(Failure::Protocol(ProtocolError::BadServerMsgId {
                msg_id: message.msg_id,
            }));
        }
        match &mut self.layer {
            Layer::Handshake { exchange, msg_ids } => {
                let step = exchange
                    .handle(message.body, &mut rand::rng())
                    .map_err(|e| Failure::Protocol(ProtocolError::KeyExchange(e)))?;
                match step {
                    ClientStep::Send(next) => {
                        let msg_id = msg_ids.next_client();
                        self.send_plain(msg_id, &next)
                    }
                    ClientStep::Done(outcome) => {
                        let session = Session::client_from_outcome(&outcome, now, &mut rand::rng());
                        self.layer = Layer::Encrypted(Box::new(session));
                        Ok(())
                    }
                }
            }
            Layer::Plain { .. } => {
                let body_start = PlainMessage::HEADER_LEN;
                let body_end = body_start + message.body.len();
                let source = Arc::new(Source::Bytes(bytes));
                self.on_body(&source, body_start..body_end, 0, now)
            }
            // Unencrypted messages on an encrypted connection carry nothing for us.
            Layer::Encrypted(_) => Ok(()),
        }
    }

    fn on_encrypted(
        &mut self,
        message: crate::session::Incoming,
        now: SystemTime,
    ) -> Result<(), Failure> {
        if message.is_content_related() {
            self.acks.push(message.msg_id);
        }
        let msg_id = message.msg_id;
        let len = message.body().len();
        let source = Arc::new(Source::Decrypted(message));
        self.on_body(&source, 0..len, msg_id, now)
    }

    /// Handles the body at `range` of `source`, received in message `msg_id`.
    fn on_body(
        &mut self,
        source: &Arc<Source>,
        range: std::ops::Range<usize>,
        msg_id: i64,
        now: SystemTime,
    ) -> Result<(), Failure> {
        let all = source_bytes(source);
        let body = &all[range.clone()];
        let envelope = |e| Failure::Protocol(ProtocolError::Envelope(e));
        match classify(body).map_err(envelope)? {
            ServiceMessage::RpcResult(r) => {
                let result = r.result.as_bytes();
                let start = offset_in(all, result);
                self.deliver(
                    r.req_msg_id,
                    Ok(RawAnswer::new(source.clone(), start..start + result.len())),
                );
            }
            ServiceMessage::Container(c) => {
                for m in c.iter() {
                    if m.seqno & 1 == 1 {
                        self.acks.push(m.msg_id);
                    }
                    let inner = m.body.as_bytes();
                    let start = offset_in(all, inner);
                    self.on_body(source, start..start + inner.len(), m.msg_id, now)?;
                }
            }
            ServiceMessage::GzipPacked(g) => {
                let inner = gzip::unpack_value(&g, MAX_INFLATED).map_err(envelope)?;
                let len = inner.len();
                let inflated = Arc::new(Source::Bytes(inner));
                self.on_body(&inflated, 0..len, msg_id, now)?;
            }
            ServiceMessage::BadServerSalt(_)
            | ServiceMessage::BadMsgNotification(_)
            | ServiceMessage::NewSessionCreated(_) => self.on_service(msg_id, body, now)?,
            // Acks, pongs, stray errors and updates need nothing from us.
            ServiceMessage::MsgsAck(_)
            | ServiceMessage::Pong(_)
            | ServiceMessage::RpcError(_)
            | ServiceMessage::Other(_) => {}
        }
        Ok(())
    }

    fn on_service(&mut self, msg_id: i64, body: &[u8], now: SystemTime) -> Result<(), Failure> {
        let Layer::Encrypted(session) = &mut self.layer else {
            return Ok(());
        };
        let event = session.handle_service(msg_id, body, now).map_err(|error| {
            Failure::Protocol(ProtocolError::Envelope(EnvelopeError::Tl {
                what: "service message",
                error,
            }))
        })?;
        match event {
            Some(
                ServiceEvent::SaltChanged { bad_msg_id, .. }
                | ServiceEvent::TimeCorrected { bad_msg_id, .. }
                | ServiceEvent::SeqNoCorrected { bad_msg_id, .. },
            ) => self.resend(bad_msg_id),
            Some(ServiceEvent::BadMessage { bad_msg_id, code }) => {
                self.deliver(
                    bad_msg_id,
                    Err(Failure::Protocol(ProtocolError::BadMsgNotification {
                        code,
                    })),
                );
                Ok(())
            }
            Some(ServiceEvent::NewSession { .. }) | None => Ok(()),
        }
    }

    /// Sends request `bad_msg_id` again under a new msg_id (if it is a request
    /// still waited for).
    fn resend(&mut self, bad_msg_id: i64) -> Result<(), Failure> {
        let Some(id) = self.by_msg_id.remove(&bad_msg_id) else {
            return Ok(());
        };
        let Some(body) = self.requests.get_mut(&id).and_then(|r| r.body.take()) else {
            return Ok(());
        };
        let (msg_id, _) = self.pack_and_send(&body)?;
        if let Some(r) = self.requests.get_mut(&id) {
            r.msg_id = msg_id;
            r.body = Some(body);
        }
        self.by_msg_id.insert(msg_id, id);
        Ok(())
    }

    fn deliver(&mut self, req_msg_id: i64, result: Result<RawAnswer, Failure>) {
        // Answers to requests nobody waits for any more are dropped.
        if let Some(id) = self.by_msg_id.remove(&req_msg_id) {
            self.requests.remove(&id);
            self.deliveries.push_back((id, result));
        }
    }
}

enum Frame {
    Plain(Vec<u8>),
    Encrypted(crate::session::Incoming),
}

fn source_bytes(source: &Source) -> &[u8] {
    match source {
        Source::Bytes(b) => b,
        Source::Decrypted(m) => m.body(),
    }
}

/// Where `part` (a subslice of `whole`) starts in `whole`.
fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

#[cfg(test)]
mod hostile {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever a server sends, the client core fails with a typed error or
        /// carries on; it never panics.
        #[test]
        fn arbitrary_server_bytes_never_panic(
            transport in prop::sample::select(Transport::ALL.to_vec()),
            encrypted in any::<bool>(),
            bytes in prop::collection::vec(any::<u8>(), 0..2048),
        ) {
            let mut config = ClientConfig::new(transport);
            if !encrypted {
                config = config.insecure_plain();
            }
            let mut core = ClientCore::new(&config).unwrap();
            let _ = core.send_request(&[1, 2, 3, 4]);
            for chunk in bytes.chunks(61) {
                if core.receive(chunk, SystemTime::now()).is_err() {
                    break;
                }
                while core.poll_delivery().is_some() {}
            }
        }
    }

    /// An unencrypted answer must carry a server msg_id (odd).
    #[test]
    fn plain_answer_with_a_client_msg_id_is_refused() {
        let config = ClientConfig::new(Transport::Abridged).insecure_plain();
        let mut core = ClientCore::new(&config).unwrap();
        core.send_request(&[1, 0, 0, 0]).unwrap();
        let mut message = Vec::new();
        PlainMessage {
            msg_id: 8 << 32,
            body: &[0x37, 0x97, 0x79, 0xbc],
        }
        .encode(&mut message);
        let mut wire = vec![(message.len() / 4) as u8];
        wire.extend_from_slice(&message);
        assert_eq!(
            core.receive(&wire, SystemTime::now()),
            Err(Failure::Protocol(ProtocolError::BadServerMsgId {
                msg_id: 8 << 32
            }))
        );
    }

    /// A plain rpc_result for an unknown msg_id is dropped; for the request's, it is
    /// delivered, sharing the frame's buffer.
    #[test]
    fn answers_go_to_their_request() {
        let mut core =
            ClientCore::new(&ClientConfig::new(Transport::Intermediate).insecure_plain()).unwrap();
        let a = core.send_request(&[1, 0, 0, 0]).unwrap();
        let b = core.send_request(&[2, 0, 0, 0]).unwrap();
        let sent = core.output().to_vec();
        let n = sent.len();
        core.consume_output(n);
        // The msg_ids: after the 4-byte tag, each 28-byte frame is
        // len(4) | auth_key_id(8) | msg_id(8) | length(4) | body(4).
        let id_a = i64::from_le_bytes(sent[16..24].try_into().unwrap());
        let id_b = i64::from_le_bytes(sent[16 + 28..24 + 28].try_into().unwrap());
        let mut wire = Vec::new();
        for (req, answer) in [
            (id_b, 0x997275b5u32),
            (12345, 0xbc799737),
            (id_a, 0xbc799737),
        ] {
            let mut body = Vec::new();
            crate::envelope::encode_rpc_result(
                req,
                &zerotl::Object::from_bytes(&answer.to_le_bytes()),
                &mut body,
            )
            .unwrap();
            let mut message = Vec::new();
            PlainMessage {
                msg_id: (7 << 32) | 1,
                body: &body,
            }
            .encode(&mut message);
            wire.extend_from_slice(&(message.len() as u32).to_le_bytes());
            wire.extend_from_slice(&message);
        }
        core.receive(&wire, SystemTime::now()).unwrap();
        let (first, answer) = core.poll_delivery().unwrap();
        assert_eq!(
            (first, answer.unwrap().constructor_id()),
            (b, Some(0x997275b5))
        );
        let (second, answer) = core.poll_delivery().unwrap();
        assert_eq!(
            (second, answer.unwrap().constructor_id()),
            (a, Some(0xbc799737))
        );
        assert!(core.poll_delivery().is_none());
        assert_eq!(core.outstanding(), 0);
    }
}
