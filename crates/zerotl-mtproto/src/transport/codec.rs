//! [`Codec`]: a [`Framer`] with its own receive buffer (feature `alloc`), and
//! [`TransportDetector`], which buffers a server connection's first bytes until
//! the transport is known.
//!
//! ```text
//! driver: socket.read(buf) ──▶ codec.receive(&buf[..n])
//!         while let Some(ev) = codec.next_event()? { ... }
//!         codec.send(payload, &mut out)?  ──▶ socket.write_all(&out)
//! ```
//!
//! Payloads are handed out as slices of the codec's buffer (no copy, decrypted in
//! place when obfuscated), valid until the next call on the codec.

use alloc::vec::Vec;

use rand_core::CryptoRngCore;

use super::{
    detect, DetectError, FrameError, FrameEvent, Framer, ObfuscationError, ObfuscationOptions,
    ProxySecret, Transport, TransportConfig, TransportError,
};
use crate::{OutputBuffer, Side};

/// An item received by a [`Codec`], borrowing its buffer.
#[derive(Debug, PartialEq, Eq)]
pub enum Received<'a> {
    /// An MTProto payload (a padded-intermediate payload may end with up to 12
    /// bytes of padding; see [`padded`](super::padded)), mutable so that it can be
    /// decrypted in place.
    Frame {
        /// The payload.
        payload: &'a mut [u8],
        /// The client asked for a quick ack (server side only).
        quick_ack: bool,
    },
    /// A quick-ack token from the server.
    QuickAck(u32),
    /// A transport error from the server.
    TransportError(TransportError),
}

/// One side of a connection with a receive buffer: a [`Framer`] that keeps the
/// received bytes itself and hands payloads out as slices of them.
#[derive(Debug)]
pub struct Codec {
    framer: Framer,
    rx: Vec<u8>,
    rx_start: usize,
    pending: usize,
}

impl Codec {
    /// A client connection; the tag or obfuscation header goes out in front of the
    /// first frame sent (see [`Framer::client`]).
    ///
    /// ```
    /// use zerotl_mtproto::rand_core::OsRng;
    /// use zerotl_mtproto::transport::{Codec, Transport, TransportConfig};
    /// let mut codec = Codec::client(Transport::Abridged, &TransportConfig::default(), None, &mut OsRng).unwrap();
    /// let mut out = Vec::new();
    /// codec.send(&[1, 2, 3, 4], &mut out).unwrap();
    /// assert_eq!(out, [0xef, 0x01, 1, 2, 3, 4]);
    /// ```
    pub fn client<R: CryptoRngCore + ?Sized>(
        transport: Transport,
        config: &TransportConfig,
        obfuscation: Option<&ObfuscationOptions>,
        rng: &mut R,
    ) -> Result<Self, ObfuscationError> {
        Framer::client(transport, config, obfuscation, rng).map(Self::from_framer)
    }

    /// A codec over `framer` (an empty receive buffer).
    pub fn from_framer(framer: Framer) -> Self {
        Self {
            framer,
            rx: Vec::new(),
            rx_start: 0,
            pending: 0,
        }
    }

    /// The framing underneath.
    pub fn framer(&self) -> &Framer {
        &self.framer
    }

    /// Pads padded-intermediate frames with (the start of) `bytes` (tests).
    pub fn with_fixed_padding(mut self, bytes: &[u8]) -> Self {
        self.framer = self.framer.with_fixed_padding(bytes);
        self
    }

    /// The framing.
    pub fn transport(&self) -> Transport {
        self.framer.transport()
    }

    /// Our side.
    pub fn role(&self) -> Side {
        self.framer.role()
    }

    /// Whether the connection is obfuscated.
    pub fn is_obfuscated(&self) -> bool {
        self.framer.is_obfuscated()
    }

    /// Received bytes not yet handed out as events.
    pub fn buffered_len(&self) -> usize {
        self.rx.len() - self.rx_start - self.pending
    }

    /// Takes bytes read from the socket.
    pub fn receive(&mut self, data: &[u8]) {
        self.drop_pending();
        if self.rx_start > 0 {
            self.rx.drain(..self.rx_start);
            self.rx_start = 0;
        }
        self.rx.extend_from_slice(data);
    }

    /// The next complete item, or `Ok(None)` until more bytes arrive. The returned
    /// payload stays valid until the next call on the codec.
    pub fn next_event(&mut self) -> Result<Option<Received<'_>>, FrameError> {
        self.drop_pending();
        let buf = &mut self.rx[self.rx_start..];
        let Some(decoded) = self.framer.decode(buf)? else {
            return Ok(None);
        };
        self.pending = decoded.consumed;
        Ok(Some(match decoded.event {
            FrameEvent::Frame { payload, quick_ack } => Received::Frame {
                payload: &mut buf[payload],
                quick_ack,
            },
            FrameEvent::QuickAck(token) => Received::QuickAck(token),
            FrameEvent::TransportError(e) => Received::TransportError(e),
        }))
    }

    fn drop_pending(&mut self) {
        self.rx_start += self.pending;
        self.pending = 0;
        if self.rx_start == self.rx.len() {
            self.rx.clear();
            self.rx_start = 0;
        }
    }

    /// Writes a client's opening bytes now (see [`Framer::send_opening`]).
    pub fn send_opening<O: OutputBuffer + ?Sized>(
        &mut self,
        out: &mut O,
    ) -> Result<(), FrameError> {
        self.framer.send_opening(out)
    }

    /// Appends the frame for `payload` to `out` (see [`Framer::send`]).
    pub fn send<O: OutputBuffer + ?Sized>(
        &mut self,
        payload: &[u8],
        out: &mut O,
    ) -> Result<(), FrameError> {
        self.framer.send(payload, out)
    }

    /// Like [`Codec::send`], asking the server for a quick ack.
    pub fn send_requesting_quick_ack<O: OutputBuffer + ?Sized>(
        &mut self,
        payload: &[u8],
        out: &mut O,
    ) -> Result<(), FrameError> {
        self.framer.send_requesting_quick_ack(payload, out)
    }

    /// Appends a server quick-ack answer.
    pub fn send_quick_ack<O: OutputBuffer + ?Sized>(
        &mut self,
        token: u32,
        out: &mut O,
    ) -> Result<(), FrameError> {
        self.framer.send_quick_ack(token, out)
    }

    /// Appends a server transport error frame.
    pub fn send_transport_error<O: OutputBuffer + ?Sized>(
        &mut self,
        error: TransportError,
        out: &mut O,
    ) -> Result<(), FrameError> {
        self.framer.send_transport_error(error, out)
    }
}

/// A server connection before its transport is known: feed it bytes until it
/// returns the [`Codec`].
///
/// ```
/// use zerotl_mtproto::rand_core::OsRng;
/// use zerotl_mtproto::transport::{Received, TransportConfig, TransportDetector, Transport};
/// let mut detector = TransportDetector::new(TransportConfig::default(), None);
/// assert!(detector.receive(&[0xee, 0xee], &mut OsRng).unwrap().is_none());
/// let mut codec = detector.receive(&[0xee, 0xee, 4, 0, 0, 0, 9, 9, 9, 9], &mut OsRng).unwrap().unwrap();
/// assert_eq!(codec.transport(), Transport::Intermediate);
/// let ev = codec.next_event().unwrap().unwrap();
/// assert_eq!(ev, Received::Frame { payload: &mut [9, 9, 9, 9], quick_ack: false });
/// ```
#[derive(Debug)]
pub struct TransportDetector {
    config: TransportConfig,
    secret: Option<ProxySecret>,
    buf: Vec<u8>,
}

impl TransportDetector {
    /// Waits for a client's first bytes; with an MTProxy `secret`, obfuscated
    /// headers are keyed with it.
    pub fn new(config: TransportConfig, secret: Option<ProxySecret>) -> Self {
        Self {
            config,
            secret,
            buf: Vec::new(),
        }
    }

    /// Hands back the bytes received so far (after [`receive`](Self::receive)
    /// refused them: a server that serves WebSocket reads a `GET ` as an upgrade
    /// request) and empties the detector.
    pub fn take_buffered(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.buf)
    }

    /// Takes bytes read from the socket; returns the codec (holding any bytes past
    /// the tag or header) once the transport is known. At most 64 bytes are
    /// buffered before [`detect`] decides.
    pub fn receive<R: CryptoRngCore + ?Sized>(
        &mut self,
        data: &[u8],
        rng: &mut R,
    ) -> Result<Option<Codec>, DetectError> {
        self.buf.extend_from_slice(data);
        let Some(detected) = detect(&self.buf, self.secret.as_ref())? else {
            return Ok(None);
        };
        let skip = detected.header_len();
        let mut codec = Codec::from_framer(Framer::server(detected, &self.config, rng));
        codec.receive(&self.buf[skip..]);
        self.buf = Vec::new();
        Ok(Some(codec))
    }
}
