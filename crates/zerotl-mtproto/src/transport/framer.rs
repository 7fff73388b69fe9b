//! [`Framer`]: framing and obfuscation of one connection over a receive buffer the
//! caller owns (no allocation).
//!
//! ```text
//! driver: socket.read(&mut input[filled..])  (input: unconsumed bytes, caller-owned)
//!         while let Some(d) = framer.decode(&mut input[..filled])? {
//!             use input[payload range]; drop d.consumed bytes from the front of input
//!         }
//!         framer.send(payload, &mut out)?  ──▶ socket.write_all(out)
//! ```
//!
//! Obfuscated bytes are decrypted in place exactly once: the framer remembers how
//! many bytes at the front of the caller's input it already decrypted, so the
//! caller must hand back the same unconsumed bytes (more may follow) and drop
//! exactly `consumed` bytes after each item.

use rand_core::CryptoRngCore;

use super::{
    Decoded, Decoder, Detected, Encoder, FrameError, Obfuscation, ObfuscationError,
    ObfuscationOptions, Transport, TransportError, DEFAULT_MAX_FRAME_LEN,
};
use crate::{OutputBuffer, Side};

/// Frame-size and padding limits of a connection (either side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportConfig {
    /// Largest frame body accepted or sent.
    pub max_frame_len: usize,
    /// Most padded-intermediate padding bytes sent (0..=15).
    pub max_padding: usize,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
            max_padding: super::padded::MAX_PADDING,
        }
    }
}

/// The bytes a client sends before its first frame: the tag, or the 64-byte
/// obfuscation header.
#[derive(Clone)]
struct Opening {
    bytes: [u8; 64],
    len: u8,
}

/// One side of a connection's framing: encoder, decoder, optional obfuscation.
///
/// ```
/// use zerotl_mtproto::rand_core::OsRng;
/// use zerotl_mtproto::transport::{FrameEvent, Framer, Transport, TransportConfig};
/// use zerotl_mtproto::SliceBuffer;
/// let config = TransportConfig::default();
/// let mut client = Framer::client(Transport::Abridged, &config, None, &mut OsRng).unwrap();
/// let mut storage = [0u8; 16];
/// let mut out = SliceBuffer::new(&mut storage);
/// client.send(&[1, 2, 3, 4], &mut out).unwrap();
/// assert_eq!(out.filled(), [0xef, 0x01, 1, 2, 3, 4]); // the tag, then the frame
///
/// // The server's answer, as read from the socket into a buffer we own:
/// let mut input = [0x01, 9, 9, 9, 9, 0x01];
/// let d = client.decode(&mut input).unwrap().unwrap();
/// assert_eq!(d.event, FrameEvent::Frame { payload: 1..5, quick_ack: false });
/// assert_eq!(d.consumed, 5); // drop 5 bytes, then call again with the rest
/// assert_eq!(client.decode(&mut input[5..]).unwrap(), None);
/// ```
#[derive(Clone)]
pub struct Framer {
    encoder: Encoder,
    decoder: Decoder,
    cipher: Option<Obfuscation>,
    /// Bytes at the front of the caller's unconsumed input already decrypted.
    decrypted: usize,
    /// What must go out before the first frame (client only).
    opening: Option<Opening>,
}

impl core::fmt::Debug for Framer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Framer")
            .field("transport", &self.transport())
            .field("role", &self.role())
            .field("obfuscated", &self.is_obfuscated())
            .finish_non_exhaustive()
    }
}

impl Framer {
    /// A client's framing; the tag (or, with `obfuscation`, the 64-byte header
    /// drawn from `rng`) goes out in front of the first frame sent. Padded
    /// intermediate padding is drawn from a stream seeded by `rng`.
    pub fn client<R: CryptoRngCore + ?Sized>(
        transport: Transport,
        config: &TransportConfig,
        obfuscation: Option<&ObfuscationOptions>,
        rng: &mut R,
    ) -> Result<Self, ObfuscationError> {
        let mut opening = Opening {
            bytes: [0; 64],
            len: 0,
        };
        let cipher = match obfuscation {
            Some(options) => {
                let (cipher, header) = Obfuscation::client(transport, options, rng)?;
                opening.bytes = header;
                opening.len = 64;
                Some(cipher)
            }
            None => {
                let tag = transport.tag();
                opening.bytes[..tag.len()].copy_from_slice(tag);
                opening.len = tag.len() as u8;
                None
            }
        };
        let mut framer = Self::new(transport, Side::Client, cipher, config, rng);
        framer.opening = (opening.len > 0).then_some(opening);
        Ok(framer)
    }

    /// A server's framing for what [`detect`](super::detect()) found (the caller
    /// drops the detected header's bytes from its input).
    pub fn server<R: CryptoRngCore + ?Sized>(
        detected: Detected,
        config: &TransportConfig,
        rng: &mut R,
    ) -> Self {
        let transport = detected.transport();
        let cipher = match detected {
            Detected::Plain { .. } => None,
            Detected::Obfuscated(o) => Some(o.obfuscation),
        };
        Self::new(transport, Side::Server, cipher, config, rng)
    }

    fn new<R: CryptoRngCore + ?Sized>(
        transport: Transport,
        role: Side,
        cipher: Option<Obfuscation>,
        config: &TransportConfig,
        rng: &mut R,
    ) -> Self {
        Self {
            encoder: Encoder::new(transport, role)
                .with_max_frame_len(config.max_frame_len)
                .with_max_padding(config.max_padding)
                .with_random_padding(rng),
            decoder: Decoder::new(transport, role).with_max_frame_len(config.max_frame_len),
            cipher,
            decrypted: 0,
            opening: None,
        }
    }

    /// Pads padded-intermediate frames with (the start of) `bytes` (tests).
    pub fn with_fixed_padding(mut self, bytes: &[u8]) -> Self {
        self.encoder = self.encoder.with_fixed_padding(bytes);
        self
    }

    /// The framing.
    pub fn transport(&self) -> Transport {
        self.encoder.transport()
    }

    /// Our side.
    pub fn role(&self) -> Side {
        self.encoder.role()
    }

    /// Whether the connection is obfuscated.
    pub fn is_obfuscated(&self) -> bool {
        self.cipher.is_some()
    }

    /// The most bytes [`send`](Self::send) adds around a payload (including a
    /// client's opening bytes, while they are still to be sent).
    pub fn max_overhead(&self) -> usize {
        self.encoder.max_overhead() + self.opening.as_ref().map_or(0, |o| usize::from(o.len))
    }

    /// Whether the client's opening bytes (tag or obfuscation header) still have to go out.
    pub fn opening_pending(&self) -> bool {
        self.opening.is_some()
    }

    /// Writes the client's opening bytes now, if they have not gone out yet (a
    /// transport needs them before the server answers anything).
    pub fn send_opening<O: OutputBuffer + ?Sized>(
        &mut self,
        out: &mut O,
    ) -> Result<(), FrameError> {
        self.write(out, |_, _| Ok::<(), FrameError>(()))
    }

    /// Decrypts the bytes of `input` not decrypted yet (obfuscated connections)
    /// and decodes the item at its start; `Ok(None)` until it is complete.
    ///
    /// `input` is the caller's unconsumed received bytes, from the first one. After
    /// `Some(d)` the caller must drop exactly `d.consumed` bytes from its front
    /// before the next call (the payload range is valid until then).
    pub fn decode(&mut self, input: &mut [u8]) -> Result<Option<Decoded>, FrameError> {
        let done = self.decrypted.min(input.len());
        if let Some(cipher) = &mut self.cipher {
            cipher.decrypt(&mut input[done..]);
        }
        self.decrypted = input.len();
        let decoded = self.decoder.decode(input)?;
        if let Some(d) = &decoded {
            self.decrypted -= d.consumed;
        }
        Ok(decoded)
    }

    /// Appends the frame for `payload` to `out` (encrypted if obfuscated).
    pub fn send<O: OutputBuffer + ?Sized>(
        &mut self,
        payload: &[u8],
        out: &mut O,
    ) -> Result<(), FrameError> {
        self.write(out, |e, out| e.encode(payload, out))
    }

    /// Appends a frame whose `payload_len`-byte payload `fill` writes in place
    /// (see [`Encoder::encode_with`]); encrypted if obfuscated. If `fill` fails,
    /// `out` is left as it was.
    pub fn send_with<O, E>(
        &mut self,
        payload_len: usize,
        out: &mut O,
        fill: impl FnOnce(&mut [u8]) -> Result<(), E>,
    ) -> Result<(), E>
    where
        O: OutputBuffer + ?Sized,
        E: From<FrameError>,
    {
        self.write(out, |e, out| e.encode_with(payload_len, out, fill))
    }

    /// Like [`send`](Self::send), asking the server for a quick ack.
    pub fn send_requesting_quick_ack<O: OutputBuffer + ?Sized>(
        &mut self,
        payload: &[u8],
        out: &mut O,
    ) -> Result<(), FrameError> {
        self.write(out, |e, out| e.encode_requesting_quick_ack(payload, out))
    }

    /// Appends a server quick-ack answer.
    pub fn send_quick_ack<O: OutputBuffer + ?Sized>(
        &mut self,
        token: u32,
        out: &mut O,
    ) -> Result<(), FrameError> {
        self.write(out, |e, out| e.encode_quick_ack(token, out))
    }

    /// Appends a server transport error frame.
    pub fn send_transport_error<O: OutputBuffer + ?Sized>(
        &mut self,
        error: TransportError,
        out: &mut O,
    ) -> Result<(), FrameError> {
        self.write(out, |e, out| e.encode_transport_error(error, out))
    }

    /// Writes the opening (if pending) and what `encode` writes, then encrypts
    /// both; on failure `out` is left as it was and the opening stays pending.
    fn write<O, E>(
        &mut self,
        out: &mut O,
        encode: impl FnOnce(&mut Encoder, &mut O) -> Result<(), E>,
    ) -> Result<(), E>
    where
        O: OutputBuffer + ?Sized,
        E: From<FrameError>,
    {
        let start = out.len();
        if let Some(opening) = &self.opening {
            out.put(&opening.bytes[..usize::from(opening.len)])
                .map_err(FrameError::from)?;
        }
        let encrypt_from = out.len();
        if let Err(e) = encode(&mut self.encoder, out) {
            out.truncate(start);
            return Err(e);
        }
        self.opening = None;
        if let Some(cipher) = &mut self.cipher {
            // The obfuscation header is sent as is (its tail was encrypted when it
            // was built); everything after it goes through the stream.
            cipher.encrypt(&mut out.written_mut()[encrypt_from..]);
        }
        Ok(())
    }
}
