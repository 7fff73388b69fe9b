//! MTProto transports as sans-IO codecs (`core.telegram.org/mtproto/mtproto-transports`).
//!
//! Nothing here touches a socket: encoders append bytes to a caller's
//! [`OutputBuffer`], decoders look at a caller's byte slice and say what the next
//! complete item is and how many bytes it took. An I/O driver (tokio, blocking, a
//! test) moves bytes and makes no protocol decision.
//!
//! ```text
//!   payload ──Encoder──▶ frame bytes ──[Obfuscation::encrypt]──▶ socket
//!   socket ──[Obfuscation::decrypt]──▶ bytes ──Decoder──▶ FrameEvent::{Frame, QuickAck, TransportError}
//! ```
//!
//! * [`Transport`]: the four framings — [`abridged`], [`intermediate`],
//!   [padded intermediate](padded), [`full`] — each with a diagram in its module.
//! * [`Encoder`] / [`Decoder`]: one per direction; a [`Side`] says which side we are
//!   (a client encodes client→server frames and decodes server→client ones).
//! * [`Obfuscation`]: obfuscated2 (AES-256-CTR under any framing with a tag).
//! * [`detect()`]: a server tells the transport from the first bytes it receives.
//! * [`websocket`]: the WebSocket layer Telegram serves browser clients (an
//!   HTTP/1.1 upgrade at `/apiws`, then binary frames carrying the byte stream);
//!   a server's connection reads a `GET ` that [`detect()`] refuses as an upgrade
//!   request, and puts the stream in and out of frames
//!   ([`ServerConnection`](crate::server::ServerConnection)).
//! * [`Framer`]: encoder, decoder and obfuscation over a receive buffer the caller
//!   owns (no allocation); with `alloc`, [`Codec`] adds its own receive buffer and
//!   [`TransportDetector`] buffers a server's first bytes until [`detect()`] decides.
//!
//! Decoders never fail on a partial frame (`Ok(None)`), check the length header
//! against [`DEFAULT_MAX_FRAME_LEN`] (or the configured maximum) before waiting for
//! the body, and hand payloads out as ranges of the caller's buffer.
//!
//! ```
//! use zerotl_mtproto::transport::{Decoder, Encoder, FrameEvent, Transport};
//! use zerotl_mtproto::{Side, SliceBuffer};
//! let payload = [0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, 0x87, 0xd6, 0x12, 0x00];
//! let mut storage = [0u8; 32];
//! let mut out = SliceBuffer::new(&mut storage);
//! Encoder::new(Transport::Intermediate, Side::Client).encode(&payload, &mut out).unwrap();
//! let wire = out.filled();
//! assert_eq!(&wire[..4], [0x0c, 0, 0, 0]);
//!
//! let mut server = Decoder::new(Transport::Intermediate, Side::Server);
//! assert_eq!(server.decode(&wire[..7]), Ok(None)); // need more
//! let d = server.decode(&wire).unwrap().unwrap();
//! assert_eq!(d.consumed, 16);
//! let FrameEvent::Frame { payload: range, quick_ack: false } = d.event else { panic!() };
//! assert_eq!(&wire[range], payload);
//! ```

pub mod abridged;
#[cfg(feature = "alloc")]
mod codec;
mod detect;
mod error;
mod framer;
pub mod full;
pub mod intermediate;
pub mod obfuscated;
pub mod padded;
pub mod websocket;

use core::ops::Range;

use rand_chacha::rand_core::{RngCore as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use rand_core::CryptoRngCore;

use crate::{OutputBuffer, Side};

#[cfg(feature = "alloc")]
pub use codec::{Codec, Received, TransportDetector};
pub use detect::{detect, Detected};
pub use error::{DetectError, FrameError, ObfuscationError, TransportError};
pub use framer::{Framer, TransportConfig};
pub use obfuscated::{Obfuscation, ObfuscationOptions, ProxySecret, ServerObfuscation};
pub use websocket::{WebSocketError, WebSocketReader};

/// Default cap on a frame's body (payload, plus padding for padded intermediate):
/// 16 MiB. Larger length headers fail with [`FrameError::TooLarge`].
pub const DEFAULT_MAX_FRAME_LEN: usize = 16 * 1024 * 1024;

/// The four MTProto framings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// `ef`, then 1-byte `len/4` (or `7f` + 3-byte `len/4`) before each payload.
    Abridged,
    /// `eeeeeeee`, then a 4-byte LE length before each payload.
    Intermediate,
    /// `dddddddd`, then a 4-byte LE length of payload + 0..15 random padding bytes.
    Padded,
    /// No tag; `len | seq | payload | crc32` frames.
    Full,
}

impl Transport {
    /// All four, for tests and tables.
    pub const ALL: [Transport; 4] = [
        Transport::Abridged,
        Transport::Intermediate,
        Transport::Padded,
        Transport::Full,
    ];

    /// The bytes a client sends once, before its first frame, on a plain
    /// (not obfuscated) connection: `ef`, `eeeeeeee`, `dddddddd`, or nothing for full.
    pub const fn tag(self) -> &'static [u8] {
        match self {
            Transport::Abridged => &[0xef],
            Transport::Intermediate => &[0xee; 4],
            Transport::Padded => &[0xdd; 4],
            Transport::Full => &[],
        }
    }

    /// The 4-byte protocol identifier an obfuscated init payload carries at offset
    /// 56 (`efefefef` for abridged); `None` for full, which has none.
    pub const fn obfuscation_tag(self) -> Option<[u8; 4]> {
        match self {
            Transport::Abridged => Some([0xef; 4]),
            Transport::Intermediate => Some([0xee; 4]),
            Transport::Padded => Some([0xdd; 4]),
            Transport::Full => None,
        }
    }

    /// The transport whose obfuscation tag is `tag`.
    pub const fn from_obfuscation_tag(tag: [u8; 4]) -> Option<Self> {
        match u32::from_le_bytes(tag) {
            0xefef_efef => Some(Transport::Abridged),
            0xeeee_eeee => Some(Transport::Intermediate),
            0xdddd_dddd => Some(Transport::Padded),
            _ => None,
        }
    }

    /// Whether clients may request quick acks on this transport (all but full).
    pub const fn supports_quick_ack(self) -> bool {
        !matches!(self, Transport::Full)
    }
}

/// What a decoder found at the start of the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameEvent {
    /// A frame; `payload` is the range of the caller's buffer holding the MTProto
    /// payload (without header, CRC or the `len % 4` bytes of padding).
    Frame {
        /// Where the payload is in the buffer given to [`Decoder::decode`].
        payload: Range<usize>,
        /// The client asked for a quick ack (only set by server-side decoders).
        quick_ack: bool,
    },
    /// A quick-ack token from the server (only produced by client-side decoders).
    QuickAck(u32),
    /// A transport error frame from the server (only produced by client-side decoders).
    TransportError(TransportError),
}

/// A decoded item and the number of bytes it spans; the caller drops `consumed`
/// bytes from the front of its buffer once it is done with the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// What was found.
    pub event: FrameEvent,
    /// Bytes of the buffer the item takes (header, payload, padding, CRC).
    pub consumed: usize,
}

impl Decoded {
    fn frame(payload: Range<usize>, quick_ack: bool, consumed: usize) -> Self {
        Self {
            event: FrameEvent::Frame { payload, quick_ack },
            consumed,
        }
    }

    fn control(event: FrameEvent, consumed: usize) -> Self {
        Self { event, consumed }
    }
}

/// Where an [`Encoder`]'s padded-intermediate padding comes from.
#[derive(Clone)]
enum Padding {
    /// No padding bytes.
    None,
    /// The same bytes every time (deterministic tests, golden frames).
    Fixed { bytes: [u8; 15], len: u8 },
    /// A uniform length in `0..=max` and random bytes, from a ChaCha8 stream
    /// seeded by the caller's RNG.
    Random(ChaCha8Rng),
}

impl Padding {
    /// Fills `buf` and returns how many of its bytes to use (at most `max`).
    fn draw(&mut self, max: usize, buf: &mut [u8; 16]) -> usize {
        let max = max.min(padded::MAX_PADDING);
        match self {
            Padding::None => 0,
            Padding::Fixed { bytes, len } => {
                let n = usize::from(*len).min(max);
                buf[..n].copy_from_slice(&bytes[..n]);
                n
            }
            Padding::Random(rng) => {
                rng.fill_bytes(buf);
                (rng.next_u32() as usize) % (max + 1)
            }
        }
    }
}

/// Writes frames for one direction of one transport.
///
/// Stateful only where the transport is: the full transport counts its sequence
/// numbers, padded intermediate draws padding (none unless set with
/// [`with_random_padding`](Self::with_random_padding) or
/// [`with_fixed_padding`](Self::with_fixed_padding)). The client's one-off tag
/// ([`Transport::tag`]) is not written by the encoder (see [`Framer::client`]).
#[derive(Clone)]
pub struct Encoder {
    transport: Transport,
    role: Side,
    max_frame_len: usize,
    max_padding: usize,
    seq: u32,
    padding: Padding,
}

impl core::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Encoder")
            .field("transport", &self.transport)
            .field("role", &self.role)
            .field("max_frame_len", &self.max_frame_len)
            .field("max_padding", &self.max_padding)
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

impl Encoder {
    /// An encoder for `role`'s outgoing frames, without padding, with the default
    /// maximum frame length.
    pub fn new(transport: Transport, role: Side) -> Self {
        Self {
            transport,
            role,
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
            max_padding: padded::MAX_PADDING,
            seq: 0,
            padding: Padding::None,
        }
    }

    /// Pads padded-intermediate frames with a random number (0..=15) of random
    /// bytes, drawn from a stream seeded by `rng`.
    pub fn with_random_padding<R: CryptoRngCore + ?Sized>(mut self, rng: &mut R) -> Self {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        self.padding = Padding::Random(ChaCha8Rng::from_seed(seed));
        self
    }

    /// Pads padded-intermediate frames with (the start of) `bytes`, at most 15.
    pub fn with_fixed_padding(mut self, bytes: &[u8]) -> Self {
        let mut fixed = [0u8; 15];
        let len = bytes.len().min(15);
        fixed[..len].copy_from_slice(&bytes[..len]);
        self.padding = Padding::Fixed {
            bytes: fixed,
            len: len as u8,
        };
        self
    }

    /// Caps padded-intermediate padding at `max` bytes (at most 15; the docs allow
    /// 0..=15, peers that only strip `len % 4` need 3).
    pub fn with_max_padding(mut self, max: usize) -> Self {
        self.max_padding = max.min(padded::MAX_PADDING);
        self
    }

    /// Refuses payloads longer than `max` bytes.
    pub fn with_max_frame_len(mut self, max: usize) -> Self {
        self.max_frame_len = max;
        self
    }

    /// The transport.
    pub const fn transport(&self) -> Transport {
        self.transport
    }

    /// Our side.
    pub const fn role(&self) -> Side {
        self.role
    }

    /// The full transport's next outgoing sequence number.
    pub const fn next_seq(&self) -> u32 {
        self.seq
    }

    /// The most bytes a frame adds around its payload on this transport (header,
    /// padding, CRC).
    pub const fn max_overhead(&self) -> usize {
        match self.transport {
            Transport::Abridged | Transport::Intermediate => 4,
            Transport::Padded => 4 + padded::MAX_PADDING,
            Transport::Full => 12,
        }
    }

    /// Appends the frame for `payload` to `out`.
    pub fn encode<O: OutputBuffer + ?Sized>(
        &mut self,
        payload: &[u8],
        out: &mut O,
    ) -> Result<(), FrameError> {
        self.encode_frame(payload, false, self.max_padding, out)
    }

    /// Appends the frame for `payload` with the client's quick-ack request bit set
    /// (abridged: length byte `| 0x80` or header `ff`; (padded) intermediate:
    /// `len | 0x80000000`).
    pub fn encode_requesting_quick_ack<O: OutputBuffer + ?Sized>(
        &mut self,
        payload: &[u8],
        out: &mut O,
    ) -> Result<(), FrameError> {
        if self.role != Side::Client {
            return Err(FrameError::WrongRole {
                role: self.role,
                what: "requesting a quick ack",
            });
        }
        if !self.transport.supports_quick_ack() {
            return Err(FrameError::Unsupported {
                transport: self.transport,
                what: "quick acks",
            });
        }
        self.encode_frame(payload, true, self.max_padding, out)
    }

    /// Appends the server's quick-ack answer carrying `token` (top bit set).
    pub fn encode_quick_ack<O: OutputBuffer + ?Sized>(
        &mut self,
        token: u32,
        out: &mut O,
    ) -> Result<(), FrameError> {
        if self.role != Side::Server {
            return Err(FrameError::WrongRole {
                role: self.role,
                what: "answering a quick ack",
            });
        }
        if token & 0x8000_0000 == 0 {
            return Err(FrameError::InvalidQuickAckToken { token });
        }
        match self.transport {
            Transport::Abridged => abridged::encode_quick_ack(token, out),
            Transport::Intermediate => intermediate::encode_quick_ack(token, out),
            Transport::Padded => {
                let mut pad = [0u8; 16];
                let n = self.padding.draw(padded::MAX_ACK_PADDING, &mut pad);
                padded::encode_quick_ack(token, &pad[..n.min(padded::MAX_ACK_PADDING)], out)
            }
            Transport::Full => Err(FrameError::Unsupported {
                transport: self.transport,
                what: "quick acks",
            }),
        }
    }

    /// Appends a transport error frame (a 4-byte payload holding the negative code).
    pub fn encode_transport_error<O: OutputBuffer + ?Sized>(
        &mut self,
        error: TransportError,
        out: &mut O,
    ) -> Result<(), FrameError> {
        if self.role != Side::Server {
            return Err(FrameError::WrongRole {
                role: self.role,
                what: "sending a transport error",
            });
        }
        if error.code() >= 0 {
            return Err(FrameError::InvalidErrorCode { code: error.code() });
        }
        // At most 3 padding bytes: with 4 or more, code -1 (`ffffffff`) followed by
        // padding would read as a quick-ack answer on the padded transport.
        let max_padding = self.max_padding.min(padded::MAX_ERROR_PADDING);
        self.encode_frame(&error.code().to_le_bytes(), false, max_padding, out)
    }

    /// Appends the frame for `payload` with at most `max_padding` bytes of padding
    /// (padded transport only). A frame that does not fit changes nothing.
    fn encode_frame<O: OutputBuffer + ?Sized>(
        &mut self,
        payload: &[u8],
        quick_ack: bool,
        max_padding: usize,
        out: &mut O,
    ) -> Result<(), FrameError> {
        self.encode_frame_with(payload.len(), quick_ack, max_padding, out, |region| {
            region.copy_from_slice(payload);
            Ok(())
        })
    }

    /// Appends a frame whose `payload_len`-byte payload `fill` writes in place (an
    /// encrypted message, built straight into the output). If `fill` fails, `out`
    /// is left as it was and its error returned.
    pub fn encode_with<O, E>(
        &mut self,
        payload_len: usize,
        out: &mut O,
        fill: impl FnOnce(&mut [u8]) -> Result<(), E>,
    ) -> Result<(), E>
    where
        O: OutputBuffer + ?Sized,
        E: From<FrameError>,
    {
        self.encode_frame_with(payload_len, false, self.max_padding, out, fill)
    }

    fn encode_frame_with<O, E>(
        &mut self,
        payload_len: usize,
        quick_ack: bool,
        max_padding: usize,
        out: &mut O,
        fill: impl FnOnce(&mut [u8]) -> Result<(), E>,
    ) -> Result<(), E>
    where
        O: OutputBuffer + ?Sized,
        E: From<FrameError>,
    {
        check_payload(self.transport, payload_len, self.max_frame_len)?;
        let mut pad = [0u8; 16];
        let padding = match self.transport {
            Transport::Padded => self.padding.draw(max_padding, &mut pad).min(max_padding),
            _ => 0,
        };
        let (head, head_len) = match self.transport {
            Transport::Abridged => abridged::header(payload_len, quick_ack),
            Transport::Intermediate => intermediate::header(payload_len, quick_ack),
            Transport::Padded => padded::header(payload_len, padding, quick_ack),
            Transport::Full => full::header(payload_len, self.seq),
        };
        let trailer = match self.transport {
            Transport::Full => 4,
            _ => padding,
        };
        let start = out.len();
        let frame = out
            .grow(head_len + payload_len + trailer)
            .map_err(FrameError::from)?;
        frame[..head_len].copy_from_slice(&head[..head_len]);
        let body_end = head_len + payload_len;
        if let Err(e) = fill(&mut frame[head_len..body_end]) {
            out.truncate(start);
            return Err(e);
        }
        if self.transport == Transport::Full {
            let crc = crc32fast::hash(&frame[..body_end]);
            frame[body_end..].copy_from_slice(&crc.to_le_bytes());
            self.seq = self.seq.wrapping_add(1);
        } else {
            frame[body_end..].copy_from_slice(&pad[..padding]);
        }
        Ok(())
    }
}

fn check_payload(transport: Transport, len: usize, max: usize) -> Result<(), FrameError> {
    if len == 0 {
        return Err(FrameError::Empty { transport });
    }
    if len % 4 != 0 {
        return Err(FrameError::NotMultipleOf4 {
            transport,
            length: len as u64,
        });
    }
    if len > max || len > transport_limit(transport) {
        return Err(FrameError::TooLarge {
            transport,
            length: len as u64,
            max: max.min(transport_limit(transport)),
        });
    }
    Ok(())
}

/// The largest payload each header can express.
const fn transport_limit(transport: Transport) -> usize {
    match transport {
        Transport::Abridged => abridged::MAX_PAYLOAD,
        Transport::Intermediate => intermediate::MAX_PAYLOAD,
        Transport::Padded => padded::MAX_PAYLOAD,
        Transport::Full => full::MAX_PAYLOAD,
    }
}

/// Reads frames of one direction of one transport.
///
/// `decode` looks at the start of the caller's buffer and returns `Ok(None)` until a
/// whole item is there; it never buffers or allocates. The full transport's
/// expected sequence number advances only when a frame is returned, so calling
/// `decode` again on a grown buffer is always safe.
#[derive(Debug, Clone)]
pub struct Decoder {
    transport: Transport,
    role: Side,
    max_frame_len: usize,
    seq: u32,
}

impl Decoder {
    /// A decoder of the peer's frames, for `role` (our side).
    pub const fn new(transport: Transport, role: Side) -> Self {
        Self {
            transport,
            role,
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
            seq: 0,
        }
    }

    /// Rejects frames whose body is longer than `max` bytes.
    pub const fn with_max_frame_len(mut self, max: usize) -> Self {
        self.max_frame_len = max;
        self
    }

    /// The transport.
    pub const fn transport(&self) -> Transport {
        self.transport
    }

    /// Our side.
    pub const fn role(&self) -> Side {
        self.role
    }

    /// The full transport's next expected incoming sequence number.
    pub const fn next_seq(&self) -> u32 {
        self.seq
    }

    /// Decodes the item at the start of `buf`: `Ok(None)` if it is not complete yet.
    pub fn decode(&mut self, buf: &[u8]) -> Result<Option<Decoded>, FrameError> {
        let max = self.max_frame_len;
        match self.transport {
            Transport::Abridged => abridged::decode(buf, self.role, max),
            Transport::Intermediate => intermediate::decode(buf, self.role, max),
            Transport::Padded => padded::decode(buf, self.role, max),
            Transport::Full => {
                let decoded = full::decode(buf, self.role, max, self.seq)?;
                Ok(decoded.map(|(d, numbered)| {
                    if numbered {
                        self.seq = self.seq.wrapping_add(1);
                    }
                    d
                }))
            }
        }
    }
}

/// Reads a little-endian `u32` at `at`, if the bytes are there.
fn read_u32(buf: &[u8], at: usize) -> Option<u32> {
    let b = buf.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// A 4-byte server payload holding a negative `int32` is a transport error.
fn transport_error_in(payload: &[u8]) -> Option<TransportError> {
    match payload {
        [a, b, c, d] => {
            let code = i32::from_le_bytes([*a, *b, *c, *d]);
            (code < 0).then_some(TransportError::from_code(code))
        }
        _ => None,
    }
}
