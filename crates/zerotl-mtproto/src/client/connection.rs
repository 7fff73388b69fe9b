//! [`ClientConnection`]: see the [module docs](super).

use core::ops::Range;
use core::time::Duration;

use rand_core::CryptoRngCore;
use zerotl::Encode as _;
use zerotl_types::mtproto::types as mt;

use super::error::{ClientError, ProtocolError, RequestFailure, TransportFailure};
#[cfg(feature = "alloc")]
use crate::auth::{ClientStep, KeyExchangeClient, KeyExchangeConfig};
use crate::crypto::AuthKey;
use crate::envelope::{
    classify, gzip, EnvelopeError, MsgIdGenerator, PlainMessage, RpcOutcome, ServiceMessage,
};
use crate::errors::RpcError;
use crate::session::{
    SealPlan, ServerMsgKind, ServiceEvent, Session, SessionError, DEFAULT_REPLAY_WINDOW,
};
use crate::transport::{FrameEvent, Framer, ObfuscationOptions, Transport, TransportConfig};
use crate::{OutputBuffer, UnixTime};

/// How long a request may wait for its answer by default: 10 s.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Acks are written once this many are pending (or when no request waits).
pub const DEFAULT_ACK_BATCH: usize = 16;

/// A request's number on one connection (it stays the same when the request is
/// re-sent under a new msg_id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(u64);

impl RequestId {
    /// The number (0 for the connection's first request).
    pub const fn get(self) -> u64 {
        self.0
    }
}

/// How the connection's messages are protected.
#[derive(Debug, Clone)]
pub enum SessionSetup {
    /// Encrypted under a key (and its server salt) from an earlier connection.
    Resume {
        /// The authorization key.
        auth_key: AuthKey,
        /// The server salt.
        salt: i64,
    },
    /// A key exchange first (feature `alloc`), then encrypted messages.
    #[cfg(feature = "alloc")]
    KeyExchange(KeyExchangeConfig),
    /// Unencrypted requests: the embedded test server's plain test mode.
    /// **Insecure**: anyone on the path reads and changes everything.
    InsecurePlain,
}

/// The connection's transport and limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientConnectionConfig {
    /// The framing.
    pub transport: Transport,
    /// Frame size and padding limits.
    pub transport_config: TransportConfig,
    /// Obfuscate the connection (obfuscated2; not with the full transport).
    pub obfuscation: Option<ObfuscationOptions>,
    /// How long a request may wait for its answer (from when it was first sent).
    pub request_timeout: Duration,
    /// Acks are written once this many are pending (or when no request waits).
    pub ack_batch: usize,
}

impl ClientConnectionConfig {
    /// `transport` with the default limits, no obfuscation, [`DEFAULT_REQUEST_TIMEOUT`].
    pub fn new(transport: Transport) -> Self {
        Self {
            transport,
            transport_config: TransportConfig::default(),
            obfuscation: None,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            ack_batch: DEFAULT_ACK_BATCH,
        }
    }
}

/// Which of the caller's buffers an answer is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerLocation {
    /// The received bytes given to [`receive`](ClientConnection::receive).
    Input,
    /// The scratch buffer given to `receive` (answers that were `gzip_packed`).
    Scratch,
}

/// Where an answer's bytes (one boxed TL value) are: valid until the caller drops
/// the received bytes or calls `receive` again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRef {
    /// The buffer.
    pub location: AnswerLocation,
    /// The range in it.
    pub range: Range<usize>,
}

impl AnswerRef {
    /// The answer's bytes, given the buffers passed to `receive`.
    pub fn bytes<'a>(&self, input: &'a [u8], scratch: &'a [u8]) -> &'a [u8] {
        let buf = match self.location {
            AnswerLocation::Input => input,
            AnswerLocation::Scratch => scratch,
        };
        buf.get(self.range.clone()).unwrap_or(&[])
    }
}

/// What happened to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// The answer (not an `rpc_error`): decode it as the request's
    /// `RemoteCall::Return`.
    Answer {
        /// The request.
        request: RequestId,
        /// Where its bytes are.
        answer: AnswerRef,
    },
    /// The server answered with an `rpc_error`.
    Error {
        /// The request.
        request: RequestId,
        /// The error.
        error: RpcError,
    },
    /// The server asked for the request again (new salt, corrected clock or
    /// seq_no): pass its body to [`resend`](ClientConnection::resend).
    Resend {
        /// The request.
        request: RequestId,
    },
    /// The request ended without an answer.
    Failed {
        /// The request.
        request: RequestId,
        /// Why.
        failure: RequestFailure,
    },
}

/// The message layer.
enum Layer<const W: usize> {
    #[cfg(feature = "alloc")]
    KeyExchange(alloc::boxed::Box<KeyExchangeClient>),
    Plain,
    Encrypted(Session<W>),
}

/// What a request slot holds.
#[derive(Debug, Clone)]
enum SlotState {
    /// Sent as `msg_id`, waiting for its answer.
    Waiting { msg_id: i64 },
    /// Its body is asked for (a [`ClientEvent::Resend`] went out).
    AwaitingBody,
    /// Something to report, in the order events arose.
    Ready { order: u32, outcome: Outcome },
}

#[derive(Debug, Clone)]
enum Outcome {
    Answer(AnswerRef),
    Error(RpcError),
    Resend,
    Failed(RequestFailure),
}

#[derive(Debug, Clone)]
struct Slot {
    id: RequestId,
    deadline: UnixTime,
    state: SlotState,
}

/// Where a body being handled lies, and the scratch space left for inflating.
struct BodyCx<'s> {
    data: &'s [u8],
    location: AnswerLocation,
    /// Offset of `data` in its buffer (scratch data starts past earlier inflates).
    base: usize,
    scratch: &'s mut [u8],
    /// Offset of `scratch` in the caller's scratch buffer.
    scratch_base: usize,
    /// Scratch bytes used so far.
    used: usize,
    /// Whether `data` was inflated (no gzip inside it).
    inflated: bool,
}

/// The client side of one connection. `REQUESTS` requests may be in flight,
/// `ACKS` acks wait to be sent, the session remembers `REPLAY` msg_ids.
///
/// See the [module docs](super) for the flow; every method that needs the time
/// or randomness takes them, and output goes into the caller's buffer.
pub struct ClientConnection<
    const REQUESTS: usize = 16,
    const ACKS: usize = 64,
    const REPLAY: usize = DEFAULT_REPLAY_WINDOW,
> {
    framer: Framer,
    layer: Layer<REPLAY>,
    plain_msg_ids: MsgIdGenerator,
    slots: heapless::Vec<Slot, REQUESTS>,
    acks: heapless::Vec<i64, ACKS>,
    acks_dropped: bool,
    next_request: u64,
    next_order: u32,
    request_timeout: Duration,
    ack_batch: usize,
    /// Key exchange messages waiting to be written (plain message bodies).
    #[cfg(feature = "alloc")]
    handshake_out: alloc::collections::VecDeque<alloc::vec::Vec<u8>>,
}

impl<const N: usize, const A: usize, const W: usize> core::fmt::Debug
    for ClientConnection<N, A, W>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientConnection")
            .field("transport", &self.framer.transport())
            .field("ready", &self.is_ready())
            .field("in_flight", &self.slots.len())
            .finish_non_exhaustive()
    }
}

impl<const N: usize, const A: usize, const W: usize> ClientConnection<N, A, W> {
    /// A connection per `config` protected as `setup` says. The transport's
    /// opening bytes (and, for a key exchange, its first message) come out of the
    /// first [`poll_transmit`](Self::poll_transmit) or `send_request`.
    pub fn new<R: CryptoRngCore + ?Sized>(
        config: &ClientConnectionConfig,
        setup: SessionSetup,
        rng: &mut R,
    ) -> Result<Self, ClientError> {
        let framer = Framer::client(
            config.transport,
            &config.transport_config,
            config.obfuscation.as_ref(),
            rng,
        )
        .map_err(|e| ClientError::Transport(TransportFailure::Obfuscation(e)))?;
        let mut connection = Self {
            framer,
            layer: Layer::Plain,
            plain_msg_ids: MsgIdGenerator::new(),
            slots: heapless::Vec::new(),
            acks: heapless::Vec::new(),
            acks_dropped: false,
            next_request: 0,
            next_order: 0,
            request_timeout: config.request_timeout,
            ack_batch: config.ack_batch.max(1),
            #[cfg(feature = "alloc")]
            handshake_out: alloc::collections::VecDeque::new(),
        };
        match setup {
            SessionSetup::InsecurePlain => {}
            SessionSetup::Resume { auth_key, salt } => {
                let session_id = rng.next_u64() as i64;
                connection.layer =
                    Layer::Encrypted(Session::client_windowed(auth_key, salt, session_id, 0));
            }
            #[cfg(feature = "alloc")]
            SessionSetup::KeyExchange(key_exchange) => {
                let (exchange, first) = KeyExchangeClient::start(key_exchange, rng)
                    .map_err(|e| ClientError::Protocol(ProtocolError::KeyExchange(e)))?;
                connection.handshake_out.push_back(first);
                connection.layer = Layer::KeyExchange(alloc::boxed::Box::new(exchange));
            }
        }
        Ok(connection)
    }

    /// The framing.
    pub fn transport(&self) -> Transport {
        self.framer.transport()
    }

    /// Whether requests can be sent (the key exchange, if any, is over).
    pub fn is_ready(&self) -> bool {
        match self.layer {
            #[cfg(feature = "alloc")]
            Layer::KeyExchange(_) => false,
            _ => true,
        }
    }

    /// Whether messages are encrypted.
    pub fn is_encrypted(&self) -> bool {
        matches!(self.layer, Layer::Encrypted(_))
    }

    /// The auth key and current server salt of an encrypted connection (to resume
    /// later with [`SessionSetup::Resume`]).
    pub fn auth_key(&self) -> Option<(&AuthKey, i64)> {
        match &self.layer {
            Layer::Encrypted(s) => Some((s.auth_key(), s.salt())),
            _ => None,
        }
    }

    /// The session of an encrypted connection.
    pub fn session(&self) -> Option<&Session<W>> {
        match &self.layer {
            Layer::Encrypted(s) => Some(s),
            _ => None,
        }
    }

    /// Requests sent and not yet reported finished (answered, failed, timed out).
    pub fn in_flight(&self) -> usize {
        self.slots.len()
    }

    /// Request slots still free.
    pub fn free_slots(&self) -> usize {
        N - self.slots.len()
    }

    /// The most bytes a request of `body_len` bytes takes in the output buffer.
    pub fn max_request_len(&self, body_len: usize) -> usize {
        self.framer.max_overhead()
            + match self.layer {
                Layer::Encrypted(_) => body_len + crate::session::MAX_OVERHEAD,
                _ => body_len + PlainMessage::HEADER_LEN,
            }
    }

    /// Writes what the connection has to send unprompted: the transport's opening
    /// bytes, key exchange messages, `msgs_ack`. Returns whether it wrote
    /// anything. A message that does not fit stays queued
    /// ([`ClientError::OutputFull`]).
    pub fn poll_transmit<R: CryptoRngCore + ?Sized, O: OutputBuffer + ?Sized>(
        &mut self,
        now: UnixTime,
        rng: &mut R,
        out: &mut O,
    ) -> Result<bool, ClientError> {
        let start = out.len();
        #[cfg(feature = "alloc")]
        while let Some(body) = self.handshake_out.front() {
            let msg_id = self.plain_msg_ids.next_client(now);
            send_plain(&mut self.framer, msg_id, body, out)?;
            self.handshake_out.pop_front();
        }
        let waiting = self
            .slots
            .iter()
            .any(|s| matches!(s.state, SlotState::Waiting { .. }));
        let due = self.acks.len() >= self.ack_batch || self.acks_dropped || !waiting;
        if !self.acks.is_empty() && due {
            self.write_acks(now, rng, out)?;
        }
        Ok(out.len() > start)
    }

    /// Writes `msgs_ack` for every content-related message received so far (in
    /// an encrypted session).
    pub fn flush_acks<R: CryptoRngCore + ?Sized, O: OutputBuffer + ?Sized>(
        &mut self,
        now: UnixTime,
        rng: &mut R,
        out: &mut O,
    ) -> Result<(), ClientError> {
        if self.acks.is_empty() {
            return Ok(());
        }
        self.write_acks(now, rng, out)
    }

    fn write_acks<R: CryptoRngCore + ?Sized, O: OutputBuffer + ?Sized>(
        &mut self,
        now: UnixTime,
        rng: &mut R,
        out: &mut O,
    ) -> Result<(), ClientError> {
        let Layer::Encrypted(session) = &mut self.layer else {
            self.acks.clear();
            return Ok(());
        };
        let ack = mt::MsgsAck {
            msg_ids: zerotl::Vector::from_slice(&self.acks),
        };
        let plan = SealPlan::new(ack.encoded_len(), rng)?;
        self.framer.send_with(plan.message_len(), out, |message| {
            session
                .seal_message(
                    plan,
                    false,
                    ServerMsgKind::Response,
                    message,
                    now,
                    rng,
                    |body| {
                        zerotl::encode_to_slice(&ack, body)
                            .map(|_| ())
                            .map_err(SessionError::BodyEncode)
                    },
                )
                .map(|_| ())
                .map_err(ClientError::from)
        })?;
        self.acks.clear();
        self.acks_dropped = false;
        Ok(())
    }

    /// Sends a request body (a boxed function) into `out`; its answer comes out of
    /// [`poll_event`](Self::poll_event) under the returned id. The caller keeps the
    /// body in case the connection asks for it again ([`ClientEvent::Resend`]).
    pub fn send_request<R: CryptoRngCore + ?Sized, O: OutputBuffer + ?Sized>(
        &mut self,
        body: &[u8],
        now: UnixTime,
        rng: &mut R,
        out: &mut O,
    ) -> Result<RequestId, ClientError> {
        if !self.is_ready() {
            return Err(ClientError::NotReady);
        }
        if self.slots.is_full() {
            return Err(ClientError::TooManyRequests { max: N });
        }
        let msg_id = self.pack(body, now, rng, out)?;
        let id = RequestId(self.next_request);
        self.next_request += 1;
        // Cannot fail: checked for room above.
        let _ = self.slots.push(Slot {
            id,
            deadline: now + self.request_timeout,
            state: SlotState::Waiting { msg_id },
        });
        Ok(id)
    }

    /// Sends `body` again for a request the connection asked for with
    /// [`ClientEvent::Resend`] (under a new msg_id; the deadline stays).
    pub fn resend<R: CryptoRngCore + ?Sized, O: OutputBuffer + ?Sized>(
        &mut self,
        request: RequestId,
        body: &[u8],
        now: UnixTime,
        rng: &mut R,
        out: &mut O,
    ) -> Result<(), ClientError> {
        let Some(index) = self
            .slots
            .iter()
            .position(|s| s.id == request && matches!(s.state, SlotState::AwaitingBody))
        else {
            return Err(ClientError::NotResending(request.0));
        };
        let msg_id = self.pack(body, now, rng, out)?;
        self.slots[index].state = SlotState::Waiting { msg_id };
        Ok(())
    }

    /// Frames `body` as the next message; returns its msg_id.
    fn pack<R: CryptoRngCore + ?Sized, O: OutputBuffer + ?Sized>(
        &mut self,
        body: &[u8],
        now: UnixTime,
        rng: &mut R,
        out: &mut O,
    ) -> Result<i64, ClientError> {
        match &mut self.layer {
            #[cfg(feature = "alloc")]
            Layer::KeyExchange(_) => Err(ClientError::NotReady),
            Layer::Plain => {
                let msg_id = self.plain_msg_ids.next_client(now);
                send_plain(&mut self.framer, msg_id, body, out)?;
                Ok(msg_id)
            }
            Layer::Encrypted(session) => {
                let plan = SealPlan::new(body.len(), rng)?;
                let mut msg_id = 0;
                self.framer.send_with(plan.message_len(), out, |message| {
                    let sent = session.seal_message(
                        plan,
                        true,
                        ServerMsgKind::Response,
                        message,
                        now,
                        rng,
                        |region| {
                            region.copy_from_slice(body);
                            Ok(())
                        },
                    )?;
                    msg_id = sent.msg_id;
                    Ok::<(), ClientError>(())
                })?;
                Ok(msg_id)
            }
        }
    }

    /// Stops waiting for a request (its late answer is ignored).
    pub fn forget(&mut self, request: RequestId) {
        if let Some(i) = self.slots.iter().position(|s| s.id == request) {
            self.slots.remove(i);
        }
    }

    /// The earliest deadline of a request still waiting: call
    /// [`handle_timeout`](Self::handle_timeout) then.
    pub fn poll_timeout(&self) -> Option<UnixTime> {
        self.slots
            .iter()
            .filter(|s| !matches!(s.state, SlotState::Ready { .. }))
            .map(|s| s.deadline)
            .min()
    }

    /// Fails every request whose deadline is at or before `now`
    /// ([`RequestFailure::TimedOut`]).
    pub fn handle_timeout(&mut self, now: UnixTime) {
        for i in 0..self.slots.len() {
            let slot = &self.slots[i];
            if slot.deadline <= now && !matches!(slot.state, SlotState::Ready { .. }) {
                let id = slot.id;
                self.ready(id, Outcome::Failed(RequestFailure::TimedOut));
            }
        }
    }

    /// The next event, in the order events arose. Answers must be collected before
    /// the next [`receive`](Self::receive) and before the caller drops the bytes
    /// they are in.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        let (index, _) = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match s.state {
                SlotState::Ready { order, .. } => Some((i, order)),
                _ => None,
            })
            .min_by_key(|&(_, order)| order)?;
        let slot = &mut self.slots[index];
        let request = slot.id;
        let SlotState::Ready { outcome, .. } =
            core::mem::replace(&mut slot.state, SlotState::AwaitingBody)
        else {
            return None;
        };
        let event = match outcome {
            Outcome::Resend => return Some(ClientEvent::Resend { request }),
            Outcome::Answer(answer) => ClientEvent::Answer { request, answer },
            Outcome::Error(error) => ClientEvent::Error { request, error },
            Outcome::Failed(failure) => ClientEvent::Failed { request, failure },
        };
        self.slots.remove(index);
        Some(event)
    }

    /// Handles the received bytes at the start of `input` (the caller's
    /// unconsumed bytes, from the first one): decodes at most one transport item,
    /// decrypting in place, and returns how many bytes it took (0: more bytes are
    /// needed). The caller then collects the events ([`poll_event`](Self::poll_event)),
    /// drops that many bytes from the front of its buffer and calls again.
    ///
    /// `gzip_packed` answers inflate into `scratch` (an answer larger than it
    /// fails its request). An `Err` other than
    /// [`EventsPending`](ClientError::EventsPending) is fatal for the connection.
    pub fn receive<R: CryptoRngCore + ?Sized>(
        &mut self,
        input: &mut [u8],
        scratch: &mut [u8],
        now: UnixTime,
        rng: &mut R,
    ) -> Result<usize, ClientError> {
        if self.slots.iter().any(|s| {
            matches!(
                s.state,
                SlotState::Ready {
                    outcome: Outcome::Answer(_),
                    ..
                }
            )
        }) {
            return Err(ClientError::EventsPending);
        }
        let transport = self.framer.transport();
        let Some(decoded) = self
            .framer
            .decode(input)
            .map_err(|e| ClientError::Transport(TransportFailure::Frame(e)))?
        else {
            return Ok(0);
        };
        let payload = match decoded.event {
            FrameEvent::QuickAck(_) => return Ok(decoded.consumed),
            FrameEvent::TransportError(e) => {
                return Err(ClientError::Transport(TransportFailure::Code(e)))
            }
            FrameEvent::Frame { payload, .. } => payload,
        };
        let plain =
            input[payload.clone()].len() < 8 || input[payload.start..payload.start + 8] == [0; 8];
        if plain {
            self.on_plain(input, payload, transport, scratch, now, rng)?;
        } else {
            self.on_encrypted(input, payload, transport, scratch, now)?;
        }
        Ok(decoded.consumed)
    }

    fn on_plain<R: CryptoRngCore + ?Sized>(
        &mut self,
        input: &[u8],
        payload: Range<usize>,
        transport: Transport,
        scratch: &mut [u8],
        now: UnixTime,
        rng: &mut R,
    ) -> Result<(), ClientError> {
        let bytes = &input[payload.clone()];
        let message = match transport {
            Transport::Padded => {
                PlainMessage::decode_padded(bytes, crate::transport::padded::MAX_PADDING)
            }
            _ => PlainMessage::decode(bytes),
        }
        .map_err(ProtocolError::Envelope)?;
        if message.msg_id & 1 != 1 {
            return Err(ProtocolError::BadServerMsgId {
                msg_id: message.msg_id,
            }
            .into());
        }
        match &mut self.layer {
            #[cfg(feature = "alloc")]
            Layer::KeyExchange(exchange) => {
                let step = exchange
                    .handle(message.body, rng)
                    .map_err(ProtocolError::KeyExchange)?;
                match step {
                    ClientStep::Send(next) => self.handshake_out.push_back(next),
                    ClientStep::Done(outcome) => {
                        self.layer = Layer::Encrypted(Session::client_from_outcome_windowed(
                            &outcome, now, rng,
                        ));
                    }
                }
                Ok(())
            }
            Layer::Plain => {
                let _ = rng;
                let start = payload.start + PlainMessage::HEADER_LEN;
                let mut cx = BodyCx {
                    data: input,
                    location: AnswerLocation::Input,
                    base: 0,
                    scratch,
                    scratch_base: 0,
                    used: 0,
                    inflated: false,
                };
                self.on_body(&mut cx, start..start + message.body.len(), 0, true, now)
            }
            // Unencrypted messages on an encrypted connection carry nothing for us.
            Layer::Encrypted(_) => Ok(()),
        }
    }

    fn on_encrypted(
        &mut self,
        input: &mut [u8],
        payload: Range<usize>,
        transport: Transport,
        scratch: &mut [u8],
        now: UnixTime,
    ) -> Result<(), ClientError> {
        let Layer::Encrypted(session) = &mut self.layer else {
            return Err(ProtocolError::UnexpectedEncrypted.into());
        };
        // Padded intermediate may leave up to 12 padding bytes; an encrypted
        // message is 24 + 16k bytes.
        let len = match transport {
            Transport::Padded if payload.len() >= 24 => 24 + (payload.len() - 24) / 16 * 16,
            _ => payload.len(),
        };
        let message_start = payload.start;
        let (msg_id, content_related, body) = {
            let bytes = &mut input[message_start..message_start + len];
            let base = bytes.as_ptr() as usize;
            match session.unpack(bytes, now) {
                Ok(m) => {
                    let at = m.body().as_ptr() as usize - base + message_start;
                    (m.msg_id, m.is_content_related(), at..at + m.body().len())
                }
                // A repeat of a message already handled: drop it.
                Err(SessionError::Duplicate { .. } | SessionError::BehindReplayWindow { .. }) => {
                    return Ok(())
                }
                Err(e) => return Err(ProtocolError::Session(e).into()),
            }
        };
        if content_related {
            self.ack(msg_id);
        }
        let mut cx = BodyCx {
            data: input,
            location: AnswerLocation::Input,
            base: 0,
            scratch,
            scratch_base: 0,
            used: 0,
            inflated: false,
        };
        self.on_body(&mut cx, body, msg_id, true, now)
    }

    fn ack(&mut self, msg_id: i64) {
        if self.acks.push(msg_id).is_err() {
            // Full: the id goes unacknowledged (the server may send the message
            // again, which the replay window then drops); flush soon.
            self.acks_dropped = true;
        }
    }

    /// Handles the body at `range` of `cx.data`, received in message `msg_id`.
    /// `container_allowed` is false inside a container.
    fn on_body(
        &mut self,
        cx: &mut BodyCx<'_>,
        range: Range<usize>,
        msg_id: i64,
        container_allowed: bool,
        now: UnixTime,
    ) -> Result<(), ClientError> {
        let data = cx.data;
        let body = &data[range.clone()];
        let envelope = |e| ClientError::Protocol(ProtocolError::Envelope(e));
        match classify(body).map_err(envelope)? {
            ServiceMessage::RpcResult(r) => {
                let result = r.result.as_bytes();
                let start = offset_in(data, result);
                self.on_result(cx, r.req_msg_id, start..start + result.len());
            }
            ServiceMessage::Container(c) if container_allowed => {
                for m in c.iter() {
                    if m.seqno & 1 == 1 {
                        self.ack(m.msg_id);
                    }
                    let inner = m.body.as_bytes();
                    let start = offset_in(data, inner);
                    self.on_body(cx, start..start + inner.len(), m.msg_id, false, now)?;
                }
            }
            ServiceMessage::Container(_) => {
                return Err(envelope(EnvelopeError::NestedContainer { index: 0 }))
            }
            ServiceMessage::GzipPacked(_) if cx.inflated => {
                return Err(envelope(EnvelopeError::NestedGzip))
            }
            ServiceMessage::GzipPacked(g) => {
                let free = core::mem::take(&mut cx.scratch);
                let n = gzip::unpack_value_into(&g, free).map_err(envelope)?;
                let (inflated, rest) = free.split_at_mut(n);
                let mut inner = BodyCx {
                    data: inflated,
                    location: AnswerLocation::Scratch,
                    base: cx.scratch_base,
                    scratch: rest,
                    scratch_base: cx.scratch_base + n,
                    used: 0,
                    inflated: true,
                };
                self.on_body(&mut inner, 0..n, msg_id, container_allowed, now)?;
                let used = n + inner.used;
                // Give back what the inflated body's answers did not take.
                cx.scratch = inner.scratch;
                cx.scratch_base += used;
                cx.used += used;
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

    /// An `rpc_result` for `req_msg_id` whose result is at `range` of `cx.data`.
    fn on_result(&mut self, cx: &mut BodyCx<'_>, req_msg_id: i64, range: Range<usize>) {
        // Answers to requests nobody waits for any more are dropped unread.
        let Some(id) = self.waiting(req_msg_id) else {
            return;
        };
        let result = zerotl::Object::from_bytes(&cx.data[range.clone()]);
        let outcome = match RpcOutcome::of(result) {
            Ok(RpcOutcome::Ok(_)) => Outcome::Answer(AnswerRef {
                location: cx.location,
                range: cx.base + range.start..cx.base + range.end,
            }),
            Ok(RpcOutcome::Error(e)) => Outcome::Error(RpcError::from(e)),
            Ok(RpcOutcome::Gzipped(_)) if cx.inflated => {
                Outcome::Failed(RequestFailure::Envelope(EnvelopeError::NestedGzip))
            }
            Ok(RpcOutcome::Gzipped(g)) => {
                let free = core::mem::take(&mut cx.scratch);
                match gzip::unpack_value_into(&g, free) {
                    Ok(n) => {
                        let (inflated, rest) = free.split_at_mut(n);
                        let outcome =
                            match RpcOutcome::of_unpacked(zerotl::Object::from_bytes(inflated)) {
                                Ok(RpcOutcome::Error(e)) => Outcome::Error(RpcError::from(e)),
                                Ok(_) => Outcome::Answer(AnswerRef {
                                    location: AnswerLocation::Scratch,
                                    range: cx.scratch_base..cx.scratch_base + n,
                                }),
                                Err(e) => Outcome::Failed(RequestFailure::Envelope(e)),
                            };
                        cx.scratch = rest;
                        cx.scratch_base += n;
                        cx.used += n;
                        outcome
                    }
                    Err(e) => {
                        cx.scratch = free;
                        Outcome::Failed(RequestFailure::Envelope(e))
                    }
                }
            }
            Err(e) => Outcome::Failed(RequestFailure::Envelope(e)),
        };
        self.ready(id, outcome);
    }

    fn on_service(&mut self, msg_id: i64, body: &[u8], now: UnixTime) -> Result<(), ClientError> {
        let Layer::Encrypted(session) = &mut self.layer else {
            return Ok(());
        };
        let event = session.handle_service(msg_id, body, now).map_err(|error| {
            ProtocolError::Envelope(EnvelopeError::Tl {
                what: "service message",
                error,
            })
        })?;
        match event {
            Some(
                ServiceEvent::SaltChanged { bad_msg_id, .. }
                | ServiceEvent::TimeCorrected { bad_msg_id, .. }
                | ServiceEvent::SeqNoCorrected { bad_msg_id, .. },
            ) => {
                if let Some(id) = self.waiting(bad_msg_id) {
                    self.ready(id, Outcome::Resend);
                }
            }
            Some(ServiceEvent::BadMessage { bad_msg_id, code }) => {
                if let Some(id) = self.waiting(bad_msg_id) {
                    let failure = RequestFailure::BadMsgNotification { code };
                    self.ready(id, Outcome::Failed(failure));
                }
            }
            Some(ServiceEvent::NewSession { .. }) | None => {}
        }
        Ok(())
    }

    /// The request waiting for an answer to `msg_id`.
    fn waiting(&self, msg_id: i64) -> Option<RequestId> {
        self.slots
            .iter()
            .find(|s| matches!(s.state, SlotState::Waiting { msg_id: m } if m == msg_id))
            .map(|s| s.id)
    }

    fn ready(&mut self, id: RequestId, outcome: Outcome) {
        let order = self.next_order;
        self.next_order = self.next_order.wrapping_add(1);
        if let Some(slot) = self.slots.iter_mut().find(|s| s.id == id) {
            slot.state = SlotState::Ready { order, outcome };
        }
    }
}

/// Frames an unencrypted message.
fn send_plain<O: OutputBuffer + ?Sized>(
    framer: &mut Framer,
    msg_id: i64,
    body: &[u8],
    out: &mut O,
) -> Result<(), ClientError> {
    let message = PlainMessage { msg_id, body };
    framer.send_with(message.encoded_len(), out, |region| {
        message.write_into(region);
        Ok::<(), ClientError>(())
    })
}

/// Where `part` (a subslice of `whole`) starts in `whole`.
fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use proptest::prelude::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::envelope::encode_rpc_result;

    type Conn = ClientConnection<4, 8, 16>;

    fn now() -> UnixTime {
        UnixTime::from_secs(1_700_000_000)
    }

    fn plain(transport: Transport) -> (Conn, ChaCha8Rng) {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let config = ClientConnectionConfig::new(transport);
        let conn = Conn::new(&config, SessionSetup::InsecurePlain, &mut rng).unwrap();
        (conn, rng)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever a server sends, the client core fails with a typed error or
        /// carries on; it never panics, and it never claims more bytes than given.
        #[test]
        fn arbitrary_server_bytes_never_panic(
            transport in prop::sample::select(Transport::ALL.to_vec()),
            encrypted in any::<bool>(),
            bytes in prop::collection::vec(any::<u8>(), 0..2048),
        ) {
            let mut rng = ChaCha8Rng::seed_from_u64(1);
            let setup = if encrypted {
                SessionSetup::Resume { auth_key: AuthKey::from_bytes([1; 256]), salt: 2 }
            } else {
                SessionSetup::InsecurePlain
            };
            let mut conn = Conn::new(&ClientConnectionConfig::new(transport), setup, &mut rng).unwrap();
            let mut out = Vec::new();
            let _ = conn.send_request(&[1, 2, 3, 4], now(), &mut rng, &mut out);
            let mut input = Vec::new();
            let mut scratch = [0u8; 256];
            for chunk in bytes.chunks(61) {
                input.extend_from_slice(chunk);
                let mut failed = false;
                loop {
                    match conn.receive(&mut input, &mut scratch, now(), &mut rng) {
                        Ok(0) => break,
                        Ok(n) => {
                            prop_assert!(n <= input.len());
                            while conn.poll_event().is_some() {}
                            input.drain(..n);
                        }
                        Err(_) => { failed = true; break; }
                    }
                }
                if failed {
                    break;
                }
            }
        }
    }

    /// An unencrypted answer must carry a server msg_id (odd).
    #[test]
    fn plain_answer_with_a_client_msg_id_is_refused() {
        let (mut conn, mut rng) = plain(Transport::Abridged);
        let mut out = Vec::new();
        conn.send_request(&[1, 0, 0, 0], now(), &mut rng, &mut out)
            .unwrap();
        let mut message = Vec::new();
        PlainMessage {
            msg_id: 8 << 32,
            body: &[0x37, 0x97, 0x79, 0xbc],
        }
        .encode(&mut message)
        .unwrap();
        let mut wire = vec![(message.len() / 4) as u8];
        wire.extend_from_slice(&message);
        assert_eq!(
            conn.receive(&mut wire, &mut [], now(), &mut rng),
            Err(ClientError::Protocol(ProtocolError::BadServerMsgId {
                msg_id: 8 << 32
            }))
        );
    }

    /// A plain rpc_result for an unknown msg_id is dropped; for a request's, it is
    /// delivered as a range of the received bytes.
    #[test]
    fn answers_go_to_their_request() {
        let (mut conn, mut rng) = plain(Transport::Intermediate);
        let mut sent = Vec::new();
        let a = conn
            .send_request(&[1, 0, 0, 0], now(), &mut rng, &mut sent)
            .unwrap();
        let b = conn
            .send_request(&[2, 0, 0, 0], now(), &mut rng, &mut sent)
            .unwrap();
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
            encode_rpc_result(
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
            .encode(&mut message)
            .unwrap();
            wire.extend_from_slice(&(message.len() as u32).to_le_bytes());
            wire.extend_from_slice(&message);
        }
        let mut got = Vec::new();
        loop {
            let n = conn.receive(&mut wire, &mut [], now(), &mut rng).unwrap();
            if n == 0 {
                break;
            }
            while let Some(ClientEvent::Answer { request, answer }) = conn.poll_event() {
                got.push((request, answer.bytes(&wire, &[]).to_vec()));
            }
            wire.drain(..n);
        }
        assert_eq!(
            got,
            [
                (b, 0x997275b5u32.to_le_bytes().to_vec()),
                (a, 0xbc799737u32.to_le_bytes().to_vec())
            ]
        );
        assert_eq!(conn.in_flight(), 0);
    }

    /// Answers must be collected before the next receive (their bytes would be gone).
    #[test]
    fn uncollected_answers_block_receive() {
        let (mut conn, mut rng) = plain(Transport::Abridged);
        let mut sent = Vec::new();
        conn.send_request(&[1, 0, 0, 0], now(), &mut rng, &mut sent)
            .unwrap();
        let id = i64::from_le_bytes(sent[10..18].try_into().unwrap());
        let mut body = Vec::new();
        encode_rpc_result(id, &zerotl::Object::from_bytes(&[9, 0, 0, 0]), &mut body).unwrap();
        let mut message = Vec::new();
        PlainMessage {
            msg_id: (7 << 32) | 1,
            body: &body,
        }
        .encode(&mut message)
        .unwrap();
        let mut wire = vec![(message.len() / 4) as u8];
        wire.extend_from_slice(&message);
        let n = conn.receive(&mut wire, &mut [], now(), &mut rng).unwrap();
        assert_eq!(n, wire.len());
        assert_eq!(
            conn.receive(&mut [], &mut [], now(), &mut rng),
            Err(ClientError::EventsPending)
        );
        assert!(matches!(
            conn.poll_event(),
            Some(ClientEvent::Answer { .. })
        ));
        assert_eq!(conn.receive(&mut [], &mut [], now(), &mut rng), Ok(0));
    }
}
