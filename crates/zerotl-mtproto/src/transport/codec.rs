//! [`Codec`]: framing, obfuscation and a receive buffer in one sans-IO object.
//!
//! ```text
//! driver: socket.read(buf) ──▶ codec.receive(&buf[..n])
//!         while let Some(ev) = codec.next_event()? { ... }
//!         codec.send(payload, &mut out)?  ──▶ socket.write_all(&out)
//! ```
//!
//! The codec owns the receive buffer so that obfuscated bytes can be decrypted in
//! place exactly once; payloads are handed out as slices of that buffer (no copy),
//! valid until the next call on the codec.

use super::{
    detect, Decoder, DetectError, Detected, Encoder, Event, FrameError, Obfuscation,
    ObfuscationError, ObfuscationOptions, PaddingSource, ProxySecret, Role, Transport,
    TransportError, DEFAULT_MAX_FRAME_LEN,
};

/// How a client connection is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientConfig {
    /// Obfuscate the connection (obfuscated2), optionally through an MTProxy.
    pub obfuscation: Option<ObfuscationOptions>,
    /// Largest frame body accepted or sent.
    pub max_frame_len: usize,
    /// Most padded-intermediate padding bytes sent (0..=15).
    pub max_padding: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            obfuscation: None,
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
            max_padding: super::padded::MAX_PADDING,
        }
    }
}

/// How a server accepts connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerConfig {
    /// An MTProxy secret that obfuscated headers are keyed with.
    pub secret: Option<ProxySecret>,
    /// Largest frame body accepted or sent.
    pub max_frame_len: usize,
    /// Most padded-intermediate padding bytes sent (0..=15).
    pub max_padding: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            secret: None,
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
            max_padding: super::padded::MAX_PADDING,
        }
    }
}

/// An item received by a [`Codec`], borrowing its buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incoming<'a> {
    /// An MTProto payload (a padded-intermediate payload may end with up to 12
    /// bytes of padding; see [`padded`](super::padded)).
    Frame {
        /// The payload.
        payload: &'a [u8],
        /// The client asked for a quick ack (server side only).
        quick_ack: bool,
    },
    /// A quick-ack token from the server.
    QuickAck(u32),
    /// A transport error from the server.
    TransportError(TransportError),
}

/// One side of a connection: encoder, decoder, optional obfuscation, receive buffer.
#[derive(Debug)]
pub struct Codec {
    encoder: Encoder,
    decoder: Decoder,
    cipher: Option<Obfuscation>,
    rx: Vec<u8>,
    rx_start: usize,
    pending: usize,
}

impl Codec {
    /// A client connection; appends what must be sent first (the tag, or the
    /// 64-byte obfuscation header) to `out`.
    ///
    /// ```
    /// use zerotl_mtproto::transport::{ClientConfig, Codec, Transport};
    /// let mut out = Vec::new();
    /// let mut codec = Codec::client(Transport::Abridged, ClientConfig::default(), &mut out).unwrap();
    /// codec.send(&[1, 2, 3, 4], &mut out).unwrap();
    /// assert_eq!(out, [0xef, 0x01, 1, 2, 3, 4]);
    /// ```
    pub fn client(
        transport: Transport,
        config: ClientConfig,
        out: &mut Vec<u8>,
    ) -> Result<Self, ObfuscationError> {
        Self::client_with_rng(transport, config, &mut rand::rng(), out)
    }

    /// [`Codec::client`] drawing the obfuscation init from `rng`.
    pub fn client_with_rng<R: rand::CryptoRng + ?Sized>(
        transport: Transport,
        config: ClientConfig,
        rng: &mut R,
        out: &mut Vec<u8>,
    ) -> Result<Self, ObfuscationError> {
        let cipher = match &config.obfuscation {
            Some(options) => {
                let (cipher, header) = Obfuscation::client(transport, options, rng)?;
                out.extend_from_slice(&header);
                Some(cipher)
            }
            None => {
                out.extend_from_slice(transport.tag());
                None
            }
        };
        Ok(Self::new(
            transport,
            Role::Client,
            cipher,
            config.max_frame_len,
            config.max_padding,
        ))
    }

    /// A server connection for what [`detect`] found.
    pub fn server(detected: Detected, config: &ServerConfig) -> Self {
        let transport = detected.transport();
        let cipher = match detected {
            Detected::Plain { .. } => None,
            Detected::Obfuscated(o) => Some(o.obfuscation),
        };
        Self::new(
            transport,
            Role::Server,
            cipher,
            config.max_frame_len,
            config.max_padding,
        )
    }

    fn new(
        transport: Transport,
        role: Role,
        cipher: Option<Obfuscation>,
        max_frame_len: usize,
        max_padding: usize,
    ) -> Self {
        Self {
            encoder: Encoder::new(transport, role)
                .with_max_frame_len(max_frame_len)
                .with_max_padding(max_padding),
            decoder: Decoder::new(transport, role).with_max_frame_len(max_frame_len),
            cipher,
            rx: Vec::new(),
            rx_start: 0,
            pending: 0,
        }
    }

    /// Uses `source` for padded-intermediate padding (tests).
    pub fn with_padding_source(mut self, source: impl PaddingSource + 'static) -> Self {
        self.encoder = self.encoder.with_padding_source(source);
        self
    }

    /// The framing.
    pub fn transport(&self) -> Transport {
        self.encoder.transport()
    }

    /// Our side.
    pub fn role(&self) -> Role {
        self.encoder.role()
    }

    /// Whether the connection is obfuscated.
    pub fn is_obfuscated(&self) -> bool {
        self.cipher.is_some()
    }

    /// Received bytes not yet handed out as events.
    pub fn buffered_len(&self) -> usize {
        self.rx.len() - self.rx_start - self.pending
    }

    /// Takes bytes read from the socket (decrypting them if obfuscated).
    pub fn receive(&mut self, data: &[u8]) {
        self.drop_pending();
        if self.rx_start > 0 {
            self.rx.drain(..self.rx_start);
            self.rx_start = 0;
        }
        let from = self.rx.len();
        self.rx.extend_from_slice(data);
        if let Some(cipher) = &mut self.cipher {
            cipher.decrypt(&mut self.rx[from..]);
        }
    }

    /// The next complete item, or `Ok(None)` until more bytes arrive. The returned
    /// payload stays valid until the next call on the codec.
    pub fn next_event(&mut self) -> Result<Option<Incoming<'_>>, FrameError> {
        self.drop_pending();
        let buf = &self.rx[self.rx_start..];
        let Some(decoded) = self.decoder.decode(buf)? else {
            return Ok(None);
        };
        self.pending = decoded.consumed;
        Ok(Some(match decoded.event {
            Event::Frame { payload, quick_ack } => Incoming::Frame {
                payload: &buf[payload],
                quick_ack,
            },
            Event::QuickAck(token) => Incoming::QuickAck(token),
            Event::TransportError(e) => Incoming::TransportError(e),
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

    /// Appends the frame for `payload` to `out` (encrypted if obfuscated).
    pub fn send(&mut self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), FrameError> {
        let start = out.len();
        self.encoder.encode(payload, out)?;
        self.seal(out, start);
        Ok(())
    }

    /// Like [`Codec::send`], asking the server for a quick ack.
    pub fn send_requesting_quick_ack(
        &mut self,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), FrameError> {
        let start = out.len();
        self.encoder.encode_requesting_quick_ack(payload, out)?;
        self.seal(out, start);
        Ok(())
    }

    /// Appends a server quick-ack answer.
    pub fn send_quick_ack(&mut self, token: u32, out: &mut Vec<u8>) -> Result<(), FrameError> {
        let start = out.len();
        self.encoder.encode_quick_ack(token, out)?;
        self.seal(out, start);
        Ok(())
    }

    /// Appends a server transport error frame.
    pub fn send_transport_error(
        &mut self,
        error: TransportError,
        out: &mut Vec<u8>,
    ) -> Result<(), FrameError> {
        let start = out.len();
        self.encoder.encode_transport_error(error, out)?;
        self.seal(out, start);
        Ok(())
    }

    fn seal(&mut self, out: &mut [u8], start: usize) {
        if let Some(cipher) = &mut self.cipher {
            cipher.encrypt(&mut out[start..]);
        }
    }
}

/// A server connection before its transport is known: feed it bytes until it
/// returns the [`Codec`].
///
/// ```
/// use zerotl_mtproto::transport::{Incoming, ServerConfig, ServerHandshake, Transport};
/// let mut hs = ServerHandshake::new(ServerConfig::default());
/// assert!(hs.receive(&[0xee, 0xee]).unwrap().is_none());
/// let mut codec = hs.receive(&[0xee, 0xee, 4, 0, 0, 0, 9, 9, 9, 9]).unwrap().unwrap();
/// assert_eq!(codec.transport(), Transport::Intermediate);
/// let ev = codec.next_event().unwrap().unwrap();
/// assert_eq!(ev, Incoming::Frame { payload: &[9, 9, 9, 9], quick_ack: false });
/// ```
#[derive(Debug)]
pub struct ServerHandshake {
    config: ServerConfig,
    buf: Vec<u8>,
}

impl ServerHandshake {
    /// Waits for a client's first bytes.
    pub fn new(config: ServerConfig) -> Self {
        Self {
            config,
            buf: Vec::new(),
        }
    }

    /// Takes bytes read from the socket; returns the codec (holding any bytes past
    /// the tag or header) once the transport is known.
    pub fn receive(&mut self, data: &[u8]) -> Result<Option<Codec>, DetectError> {
        self.buf.extend_from_slice(data);
        let Some(detected) = detect(&self.buf, self.config.secret.as_ref())? else {
            return Ok(None);
        };
        let skip = detected.header_len();
        let mut codec = Codec::server(detected, &self.config);
        codec.receive(&self.buf[skip..]);
        self.buf.clear();
        Ok(Some(codec))
    }
}
