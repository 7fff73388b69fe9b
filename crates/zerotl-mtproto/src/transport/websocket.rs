//! WebSocket (RFC 6455) under an MTProto byte stream, as Telegram serves browser
//! clients (`core.telegram.org/mtproto/transports`, "WebSocket"): an HTTP/1.1
//! upgrade at path `/apiws` (`/apiws_test` for test DCs) with subprotocol
//! `binary`, then binary frames whose payloads, put end to end, are the stream a
//! TCP connection would carry (for Telegram's clients, an obfuscated one).
//!
//! ```text
//! client: GET /apiws HTTP/1.1            server: HTTP/1.1 101 Switching Protocols
//!         Upgrade: websocket                     Upgrade: websocket
//!         Connection: Upgrade                    Connection: Upgrade
//!         Sec-WebSocket-Key: K                   Sec-WebSocket-Accept: base64(SHA1(K | GUID))
//!         Sec-WebSocket-Version: 13              Sec-WebSocket-Protocol: binary
//!         Sec-WebSocket-Protocol: binary
//!
//! frame:  0      1      2            (2|4|10)     +4 (client frames only)
//!         +------+------+------------+------------+------------------------+
//!         |FIN   |MASK  | 16- or 64- | masking key| payload (client: XORed |
//!         |RSV3  |len7  | bit length | (4 bytes)  | with key[i % 4])       |
//!         |opcode|      | (len7 126, |            |                        |
//!         |      |      |  127)      |            |                        |
//!         +------+------+------------+------------+------------------------+
//! ```
//!
//! Sans-IO and without allocation: [`parse_handshake`] reads the client's
//! request from the caller's buffer (at most [`MAX_HANDSHAKE_LEN`] bytes) and
//! [`write_response`] appends the `101` answer; a [`WebSocketReader`] takes the
//! client's frames a slice at a time (any split), unmasks data payloads in place
//! and hands them out as ranges, so a data frame is never buffered whole; the
//! server's frames are a [`frame_header`] in front of the bytes they carry.
//!
//! The reader refuses, with a typed [`WebSocketError`], everything RFC 6455 says a
//! server must fail the connection for, and what the MTProto stream has no use for:
//! unmasked frames, reserved bits (no extension is negotiated), unknown opcodes,
//! text frames, fragmented or over-long (> 125 bytes) control frames,
//! continuation frames outside a fragmented message, a new message inside one,
//! a one-byte close payload, and frames longer than its configured maximum
//! (checked on the header, before a payload byte is waited for).

use core::ops::Range;

use sha1::{Digest, Sha1};

use crate::{BufferFull, OutputBuffer};

/// The request path Telegram serves WebSocket clients at (production DCs).
pub const PATH: &str = "/apiws";
/// The request path for test DCs (also served).
pub const TEST_PATH: &str = "/apiws_test";
/// The subprotocol Telegram's WebSocket transport names.
pub const SUBPROTOCOL: &str = "binary";
/// Largest upgrade request accepted: request line and headers, blank line included.
pub const MAX_HANDSHAKE_LEN: usize = 4096;
/// Largest control frame payload (RFC 6455, 5.5).
pub const MAX_CONTROL_PAYLOAD: usize = 125;
/// The GUID RFC 6455 (1.3) appends to the client's key.
const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Why a WebSocket upgrade or frame was refused. All are fatal for the connection.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WebSocketError {
    /// No blank line ends the request within [`MAX_HANDSHAKE_LEN`] bytes.
    #[error("WebSocket upgrade request longer than {max} bytes")]
    HandshakeTooLarge {
        /// The limit.
        max: usize,
    },
    /// The request line is not `GET <path> HTTP/1.1`, or a header is not
    /// `Name: value` in ASCII.
    #[error("malformed WebSocket upgrade request: {0}")]
    Malformed(&'static str),
    /// The request is for a path other than `/apiws` or `/apiws_test`.
    #[error("WebSocket upgrade for a path other than /apiws")]
    WrongPath,
    /// `Upgrade: websocket` or `Connection: Upgrade` is missing.
    #[error("HTTP request is not a WebSocket upgrade ({0} missing)")]
    NotAnUpgrade(&'static str),
    /// `Sec-WebSocket-Key` is missing, repeated, or not 16 bytes in base64.
    #[error("WebSocket upgrade without a valid Sec-WebSocket-Key")]
    BadKey,
    /// `Sec-WebSocket-Version` is missing or not 13.
    #[error("WebSocket upgrade without Sec-WebSocket-Version: 13")]
    BadVersion,
    /// The client offers subprotocols, none of them `binary`.
    #[error("WebSocket upgrade offers subprotocols but not \"binary\"")]
    NoBinaryProtocol,
    /// A client frame without the mask bit (RFC 6455, 5.1).
    #[error("unmasked WebSocket frame from the client")]
    Unmasked,
    /// RSV1..3 set while no extension was negotiated.
    #[error("WebSocket frame with reserved bits set ({0:#04x})")]
    ReservedBits(u8),
    /// An opcode RFC 6455 does not define.
    #[error("WebSocket frame with unknown opcode {0:#x}")]
    UnknownOpcode(u8),
    /// A text frame: the MTProto stream is binary.
    #[error("WebSocket text frame (the MTProto stream is binary)")]
    Text,
    /// A control frame (close, ping, pong) without FIN.
    #[error("fragmented WebSocket control frame")]
    FragmentedControl,
    /// A control frame longer than 125 bytes, or a close frame of one byte.
    #[error("WebSocket control frame with a {0}-byte payload")]
    BadControlLength(u64),
    /// A data frame longer than the maximum.
    #[error("WebSocket frame of {length} bytes exceeds the maximum of {max}")]
    TooLarge {
        /// The announced payload length.
        length: u64,
        /// The maximum.
        max: u64,
    },
    /// A continuation frame with no fragmented message open.
    #[error("WebSocket continuation frame outside a fragmented message")]
    UnexpectedContinuation,
    /// A new binary frame while a fragmented message is still open.
    #[error("WebSocket binary frame inside a fragmented message")]
    InterleavedMessage,
    /// A frame after the client's close frame.
    #[error("WebSocket frame after the close frame")]
    AfterClose,
}

/// Frame opcodes (RFC 6455, 5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Opcode {
    /// A further fragment of a message.
    Continuation = 0x0,
    /// Binary data (what carries the MTProto stream).
    Binary = 0x2,
    /// Close.
    Close = 0x8,
    /// Ping.
    Ping = 0x9,
    /// Pong.
    Pong = 0xa,
}

/// The value of `Sec-WebSocket-Accept` for the client's `Sec-WebSocket-Key`:
/// base64(SHA-1(key | GUID)).
///
/// ```
/// use zerotl_mtproto::transport::websocket::accept_key;
/// // RFC 6455, 1.3.
/// assert_eq!(&accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="), b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
pub fn accept_key(key: &[u8]) -> [u8; 28] {
    let mut h = Sha1::new();
    h.update(key);
    h.update(GUID);
    let digest: [u8; 20] = h.finalize().into();
    let mut out = [b'='; 28];
    base64_encode(&digest, &mut out);
    out
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 of `input` into `out` (which holds `4 * ceil(len / 3)` bytes,
/// pre-filled with `=`).
fn base64_encode(input: &[u8], out: &mut [u8]) {
    for (chunk, o) in input.chunks(3).zip(out.chunks_mut(4)) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextets = [n >> 18, n >> 12, n >> 6, n];
        for (i, s) in sextets.iter().enumerate().take(chunk.len() + 1) {
            o[i] = BASE64[(s & 63) as usize];
        }
    }
}

/// Whether `key` is the base64 of 16 bytes: 22 base64 characters, the last of
/// them carrying no bits past the 128th, then `==`.
fn valid_key(key: &[u8]) -> bool {
    let Some((body, pad)) = key.split_at_checked(22) else {
        return false;
    };
    pad == b"=="
        && body.iter().all(|c| BASE64.contains(c))
        && BASE64
            .iter()
            .position(|c| *c == body[21])
            .is_some_and(|v| v & 0xf == 0)
}

/// A client's upgrade request, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handshake {
    /// The bytes the request took (up to and including its blank line).
    pub len: usize,
    /// The `Sec-WebSocket-Accept` value to answer with.
    pub accept: [u8; 28],
    /// Whether the client offered the `binary` subprotocol (the answer names it).
    pub binary: bool,
}

/// Reads a client's upgrade request from the start of `buf`: `Ok(None)` while its
/// blank line has not arrived (and `buf` is under [`MAX_HANDSHAKE_LEN`] bytes).
/// Bytes after the request (the first frames) are left to the caller.
///
/// ```
/// use zerotl_mtproto::transport::websocket::parse_handshake;
/// let req = b"GET /apiws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
///             Sec-WebSocket-Protocol: binary\r\n\r\n";
/// assert_eq!(parse_handshake(&req[..40]), Ok(None));
/// let h = parse_handshake(req).unwrap().unwrap();
/// assert_eq!((h.len, h.binary), (req.len(), true));
/// assert_eq!(&h.accept, b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
pub fn parse_handshake(buf: &[u8]) -> Result<Option<Handshake>, WebSocketError> {
    let window = &buf[..buf.len().min(MAX_HANDSHAKE_LEN)];
    let Some(end) = window.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if buf.len() >= MAX_HANDSHAKE_LEN {
            Err(WebSocketError::HandshakeTooLarge {
                max: MAX_HANDSHAKE_LEN,
            })
        } else {
            Ok(None)
        };
    };
    let head = core::str::from_utf8(&buf[..end])
        .ok()
        .filter(|s| s.is_ascii())
        .ok_or(WebSocketError::Malformed("not ASCII"))?;
    let mut lines = head.split("\r\n");
    let request = lines.next().unwrap_or("");
    let mut parts = request.split(' ');
    let (Some("GET"), Some(target), Some("HTTP/1.1"), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(WebSocketError::Malformed(
            "request line is not GET <path> HTTP/1.1",
        ));
    };
    let path = target.split('?').next().unwrap_or("");
    if path != PATH && path != TEST_PATH {
        return Err(WebSocketError::WrongPath);
    }
    let (mut upgrade, mut connection, mut version) = (false, false, false);
    let (mut key, mut offered, mut binary) = (None, false, false);
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or(WebSocketError::Malformed("header line without a colon"))?;
        if name.is_empty() || name.contains([' ', '\t']) {
            return Err(WebSocketError::Malformed("bad header name"));
        }
        let value = value.trim_matches([' ', '\t']);
        let has = |token: &str| {
            value
                .split(',')
                .any(|t| t.trim_matches([' ', '\t']).eq_ignore_ascii_case(token))
        };
        if name.eq_ignore_ascii_case("upgrade") {
            upgrade |= has("websocket");
        } else if name.eq_ignore_ascii_case("connection") {
            connection |= has("upgrade");
        } else if name.eq_ignore_ascii_case("sec-websocket-version") {
            version = value == "13";
        } else if name.eq_ignore_ascii_case("sec-websocket-key") {
            if key.is_some() || !valid_key(value.as_bytes()) {
                return Err(WebSocketError::BadKey);
            }
            key = Some(value);
        } else if name.eq_ignore_ascii_case("sec-websocket-protocol") {
            offered = true;
            binary |= value
                .split(',')
                .any(|t| t.trim_matches([' ', '\t']) == SUBPROTOCOL);
        }
    }
    if !upgrade {
        return Err(WebSocketError::NotAnUpgrade("Upgrade: websocket"));
    }
    if !connection {
        return Err(WebSocketError::NotAnUpgrade("Connection: Upgrade"));
    }
    let key = key.ok_or(WebSocketError::BadKey)?;
    if !version {
        return Err(WebSocketError::BadVersion);
    }
    if offered && !binary {
        return Err(WebSocketError::NoBinaryProtocol);
    }
    Ok(Some(Handshake {
        len: end + 4,
        accept: accept_key(key.as_bytes()),
        binary,
    }))
}

/// Appends the server's `101 Switching Protocols` answer to `handshake`.
pub fn write_response<O: OutputBuffer + ?Sized>(
    handshake: &Handshake,
    out: &mut O,
) -> Result<(), BufferFull> {
    out.put(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")?;
    out.put(&handshake.accept)?;
    out.put(b"\r\n")?;
    if handshake.binary {
        out.put(b"Sec-WebSocket-Protocol: binary\r\n")?;
    }
    out.put(b"\r\n")
}

/// The header of a server frame (FIN set, not masked) with `opcode` and a
/// `len`-byte payload: the bytes and how many of them to use (2, 4 or 10).
///
/// ```
/// use zerotl_mtproto::transport::websocket::{frame_header, Opcode};
/// let (h, n) = frame_header(Opcode::Binary, 5);
/// assert_eq!(&h[..n], [0x82, 0x05]);
/// let (h, n) = frame_header(Opcode::Binary, 256);
/// assert_eq!(&h[..n], [0x82, 0x7e, 0x01, 0x00]);
/// ```
pub fn frame_header(opcode: Opcode, len: usize) -> ([u8; 10], usize) {
    let mut h = [0u8; 10];
    h[0] = 0x80 | opcode as u8;
    if len <= 125 {
        h[1] = len as u8;
        (h, 2)
    } else if len <= 0xffff {
        h[1] = 126;
        h[2..4].copy_from_slice(&(len as u16).to_be_bytes());
        (h, 4)
    } else {
        h[1] = 127;
        h[2..10].copy_from_slice(&(len as u64).to_be_bytes());
        (h, 10)
    }
}

/// A control frame's payload (at most 125 bytes), unmasked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ControlPayload {
    bytes: [u8; MAX_CONTROL_PAYLOAD],
    len: u8,
}

impl ControlPayload {
    /// The payload.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// A close frame's status code (its first two bytes, big-endian).
    pub fn close_code(&self) -> Option<u16> {
        self.as_bytes()
            .first_chunk::<2>()
            .map(|c| u16::from_be_bytes(*c))
    }
}

impl core::fmt::Debug for ControlPayload {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ControlPayload({:02x?})", self.as_bytes())
    }
}

/// What a [`WebSocketReader`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebSocketEvent {
    /// Stream bytes (of a binary or continuation frame), unmasked in place: this
    /// range of the slice given to [`WebSocketReader::read`].
    Data(Range<usize>),
    /// A ping: answer with a pong carrying the same payload.
    Ping(ControlPayload),
    /// A pong (unsolicited or not; nothing to do).
    Pong(ControlPayload),
    /// A close frame: answer with a close frame (echoing the status code) and
    /// close the connection.
    Close(ControlPayload),
}

#[derive(Clone, Copy)]
enum ReadState {
    /// Collecting a frame header (2 to 14 bytes).
    Header,
    /// Inside a data frame's payload.
    Data { left: u64, mask: [u8; 4], at: u8 },
    /// Collecting a control frame's payload.
    Control { opcode: u8, mask: [u8; 4], need: u8 },
}

/// The client's side of a WebSocket connection, read frame by frame (see the
/// [module docs](self)): no allocation, any split of the input.
///
/// ```
/// use zerotl_mtproto::transport::websocket::{WebSocketEvent, WebSocketReader};
/// // RFC 6455, 5.7: a masked "Hello", here as a binary frame.
/// let mut frame = [0x82, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
/// let mut reader = WebSocketReader::new(1024);
/// let (n, ev) = reader.read(&mut frame).unwrap();
/// assert_eq!((n, ev), (6, None)); // the header
/// let (n, ev) = reader.read(&mut frame[6..]).unwrap();
/// assert_eq!((n, ev), (5, Some(WebSocketEvent::Data(0..5))));
/// assert_eq!(&frame[6..], b"Hello");
/// ```
#[derive(Clone)]
pub struct WebSocketReader {
    max_len: u64,
    state: ReadState,
    header: [u8; 14],
    header_len: u8,
    control: [u8; MAX_CONTROL_PAYLOAD],
    control_len: u8,
    /// A fragmented data message is open (its last frame had no FIN).
    in_message: bool,
    closed: bool,
}

impl core::fmt::Debug for WebSocketReader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WebSocketReader")
            .field("max_len", &self.max_len)
            .field("buffered", &self.buffered())
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

impl WebSocketReader {
    /// A reader refusing data frames longer than `max_len` bytes.
    pub fn new(max_len: usize) -> Self {
        Self {
            max_len: max_len as u64,
            state: ReadState::Header,
            header: [0; 14],
            header_len: 0,
            control: [0; MAX_CONTROL_PAYLOAD],
            control_len: 0,
            in_message: false,
            closed: false,
        }
    }

    /// Bytes of an unfinished frame header or control frame held.
    pub fn buffered(&self) -> usize {
        usize::from(self.header_len) + usize::from(self.control_len)
    }

    /// Whether the client's close frame was read.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Reads from the start of `input`: how many bytes it took and what it found.
    /// Call again with the rest while bytes are left; a call on a non-empty
    /// `input` takes at least one byte. Data is unmasked in place and named as a
    /// range of `input`.
    pub fn read(
        &mut self,
        input: &mut [u8],
    ) -> Result<(usize, Option<WebSocketEvent>), WebSocketError> {
        if input.is_empty() {
            return Ok((0, None));
        }
        if self.closed {
            return Err(WebSocketError::AfterClose);
        }
        match self.state {
            ReadState::Header => self.read_header(input),
            ReadState::Data { left, mask, at } => {
                let n = usize::try_from(left).unwrap_or(usize::MAX).min(input.len());
                for (i, b) in input[..n].iter_mut().enumerate() {
                    *b ^= mask[(usize::from(at) + i) % 4];
                }
                let left = left - n as u64;
                self.state = if left == 0 {
                    ReadState::Header
                } else {
                    ReadState::Data {
                        left,
                        mask,
                        at: ((usize::from(at) + n) % 4) as u8,
                    }
                };
                Ok((n, Some(WebSocketEvent::Data(0..n))))
            }
            ReadState::Control { opcode, mask, need } => {
                let have = usize::from(self.control_len);
                let n = (usize::from(need) - have).min(input.len());
                self.control[have..have + n].copy_from_slice(&input[..n]);
                self.control_len += n as u8;
                if self.control_len < need {
                    return Ok((n, None));
                }
                Ok((n, Some(self.finish_control(opcode, mask))))
            }
        }
    }

    /// How long the header being collected is (2 until its first two bytes are
    /// in); refuses what those two bytes already rule out.
    fn header_need(&self) -> Result<usize, WebSocketError> {
        let [b0, b1] = match self.header[..usize::from(self.header_len)] {
            [b0, b1, ..] => [b0, b1],
            _ => return Ok(2),
        };
        if b0 & 0x70 != 0 {
            return Err(WebSocketError::ReservedBits(b0 & 0x70));
        }
        let fin = b0 & 0x80 != 0;
        let len7 = b1 & 0x7f;
        match b0 & 0x0f {
            0x0 if !self.in_message => return Err(WebSocketError::UnexpectedContinuation),
            0x0 => {}
            0x1 => return Err(WebSocketError::Text),
            0x2 if self.in_message => return Err(WebSocketError::InterleavedMessage),
            0x2 => {}
            0x8..=0xa if !fin => return Err(WebSocketError::FragmentedControl),
            0x8..=0xa if usize::from(len7) > MAX_CONTROL_PAYLOAD => {
                return Err(WebSocketError::BadControlLength(u64::from(len7)))
            }
            0x8..=0xa => {}
            op => return Err(WebSocketError::UnknownOpcode(op)),
        }
        if b1 & 0x80 == 0 {
            return Err(WebSocketError::Unmasked);
        }
        Ok(match len7 {
            126 => 2 + 2 + 4,
            127 => 2 + 8 + 4,
            _ => 2 + 4,
        })
    }

    /// Takes header bytes; once the header is whole, checks it and moves on (an
    /// empty control frame is reported at once).
    fn read_header(
        &mut self,
        input: &[u8],
    ) -> Result<(usize, Option<WebSocketEvent>), WebSocketError> {
        let mut taken = 0;
        loop {
            let have = usize::from(self.header_len);
            let need = self.header_need()?;
            if have == need {
                break;
            }
            let n = (need - have).min(input.len() - taken);
            if n == 0 {
                return Ok((taken, None));
            }
            self.header[have..have + n].copy_from_slice(&input[taken..taken + n]);
            self.header_len += n as u8;
            taken += n;
        }
        let h = &self.header[..usize::from(self.header_len)];
        let (len, mask_at) = match h[1] & 0x7f {
            126 => (u64::from(u16::from_be_bytes([h[2], h[3]])), 4),
            127 => (
                u64::from_be_bytes([h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9]]),
                10,
            ),
            n => (u64::from(n), 2),
        };
        let mask = [h[mask_at], h[mask_at + 1], h[mask_at + 2], h[mask_at + 3]];
        let fin = h[0] & 0x80 != 0;
        let opcode = h[0] & 0x0f;
        self.header_len = 0;
        if opcode >= 0x8 {
            // header_need checked len <= 125.
            if opcode == Opcode::Close as u8 && len == 1 {
                return Err(WebSocketError::BadControlLength(len));
            }
            self.control_len = 0;
            if len == 0 {
                return Ok((taken, Some(self.finish_control(opcode, mask))));
            }
            self.state = ReadState::Control {
                opcode,
                mask,
                need: len as u8,
            };
            return Ok((taken, None));
        }
        if len > self.max_len {
            return Err(WebSocketError::TooLarge {
                length: len,
                max: self.max_len,
            });
        }
        self.in_message = !fin;
        if len > 0 {
            self.state = ReadState::Data {
                left: len,
                mask,
                at: 0,
            };
        }
        Ok((taken, None))
    }

    /// The event for the control frame just read (`control[..control_len]`).
    fn finish_control(&mut self, opcode: u8, mask: [u8; 4]) -> WebSocketEvent {
        let len = self.control_len;
        let mut payload = ControlPayload {
            bytes: [0; MAX_CONTROL_PAYLOAD],
            len,
        };
        for (i, (o, b)) in payload
            .bytes
            .iter_mut()
            .zip(&self.control[..usize::from(len)])
            .enumerate()
        {
            *o = b ^ mask[i % 4];
        }
        self.control_len = 0;
        self.state = ReadState::Header;
        match opcode {
            0x9 => WebSocketEvent::Ping(payload),
            0xa => WebSocketEvent::Pong(payload),
            _ => {
                self.closed = true;
                WebSocketEvent::Close(payload)
            }
        }
    }
}

/// Appends a server frame: `opcode` with `payload`.
pub fn write_frame<O: OutputBuffer + ?Sized>(
    opcode: Opcode,
    payload: &[u8],
    out: &mut O,
) -> Result<(), BufferFull> {
    let (h, n) = frame_header(opcode, payload.len());
    let start = out.len();
    out.put(&h[..n])
        .and_then(|()| out.put(payload))
        .inspect_err(|_| out.truncate(start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    /// RFC 6455, 5.7: "Hello" in a masked frame (mask 37 fa 21 3d) after `b0`.
    fn masked_hello(b0: u8) -> Vec<u8> {
        vec![
            b0, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ]
    }

    /// Everything `reader` makes of `input`, read in pieces of `step` bytes: the
    /// data bytes and the control events, or the first error.
    fn read_all(
        reader: &mut WebSocketReader,
        input: &[u8],
        step: usize,
    ) -> Result<(Vec<u8>, Vec<WebSocketEvent>), WebSocketError> {
        let mut data = Vec::new();
        let mut control = Vec::new();
        let mut buf = input.to_vec();
        for chunk in buf.chunks_mut(step) {
            let mut at = 0;
            while at < chunk.len() {
                let (n, ev) = reader.read(&mut chunk[at..])?;
                assert!(n > 0 || ev.is_some(), "no progress");
                match ev {
                    Some(WebSocketEvent::Data(r)) => {
                        data.extend_from_slice(&chunk[at + r.start..at + r.end]);
                    }
                    Some(ev) => control.push(ev),
                    None => {}
                }
                at += n;
            }
        }
        Ok((data, control))
    }

    fn payload(bytes: &[u8]) -> ControlPayload {
        let mut p = ControlPayload {
            bytes: [0; MAX_CONTROL_PAYLOAD],
            len: bytes.len() as u8,
        };
        p.bytes[..bytes.len()].copy_from_slice(bytes);
        p
    }

    #[test]
    fn rfc6455_accept_key() {
        assert_eq!(
            &accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn base64_known_values() {
        let mut out = [b'='; 8];
        base64_encode(b"fooba", &mut out);
        assert_eq!(&out, b"Zm9vYmE=");
        let mut out = [b'='; 4];
        base64_encode(b"f", &mut out);
        assert_eq!(&out, b"Zg==");
    }

    #[test]
    fn rfc6455_masked_hello_in_any_split() {
        for step in 1..=11 {
            let mut reader = WebSocketReader::new(100);
            let (data, control) = read_all(&mut reader, &masked_hello(0x82), step).unwrap();
            assert_eq!((&data[..], control.len()), (&b"Hello"[..], 0), "{step}");
            assert_eq!(reader.buffered(), 0);
        }
    }

    #[test]
    fn rfc6455_masked_pong_and_pings() {
        let mut reader = WebSocketReader::new(100);
        let (_, control) = read_all(&mut reader, &masked_hello(0x8a), 3).unwrap();
        assert_eq!(control, [WebSocketEvent::Pong(payload(b"Hello"))]);
        let (_, control) = read_all(&mut reader, &masked_hello(0x89), 11).unwrap();
        assert_eq!(control, [WebSocketEvent::Ping(payload(b"Hello"))]);
        // An empty ping is reported on its header.
        let (_, control) = read_all(&mut reader, &[0x89, 0x80, 1, 2, 3, 4], 6).unwrap();
        assert_eq!(control, [WebSocketEvent::Ping(payload(b""))]);
    }

    #[test]
    fn rfc6455_text_and_unmasked_frames_refused() {
        // The RFC's masked text "Hello".
        let mut reader = WebSocketReader::new(100);
        assert_eq!(
            read_all(&mut reader, &masked_hello(0x81), 11),
            Err(WebSocketError::Text)
        );
        // The RFC's unmasked text "Hello", and the same as binary.
        for b0 in [0x81, 0x82] {
            let mut reader = WebSocketReader::new(100);
            let frame = [b0, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
            let want = if b0 == 0x81 {
                WebSocketError::Text
            } else {
                WebSocketError::Unmasked
            };
            assert_eq!(read_all(&mut reader, &frame, 1), Err(want));
        }
    }

    #[test]
    fn rfc6455_length_forms() {
        // 256 bytes and 64 KiB in one frame (RFC 6455, 5.7), as the server writes them.
        let (h, n) = frame_header(Opcode::Binary, 256);
        assert_eq!(&h[..n], [0x82, 0x7e, 0x01, 0x00]);
        let (h, n) = frame_header(Opcode::Binary, 65536);
        assert_eq!(&h[..n], [0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]);
        // And read back, masked, from a client.
        for len in [0usize, 125, 126, 256, 65535, 65536] {
            let mut frame = vec![0x82];
            let (h, n) = frame_header(Opcode::Binary, len);
            frame.push(h[1] | 0x80);
            frame.extend_from_slice(&h[2..n]);
            frame.extend_from_slice(&[1, 2, 3, 4]);
            frame.extend((0..len).map(|i| (i as u8) ^ [1, 2, 3, 4][i % 4]));
            let mut reader = WebSocketReader::new(65536);
            let (data, _) = read_all(&mut reader, &frame, 1000).unwrap();
            assert_eq!(data, (0..len).map(|i| i as u8).collect::<Vec<_>>());
        }
    }

    #[test]
    fn fragmented_messages() {
        // "Hel" then "lo" (the RFC's fragmented text, as binary and masked with 0s),
        // a ping between the fragments.
        let frames = [
            &[0x02, 0x83, 0, 0, 0, 0, b'H', b'e', b'l'][..],
            &[0x89, 0x80, 9, 9, 9, 9],
            &[0x80, 0x82, 0, 0, 0, 0, b'l', b'o'],
        ]
        .concat();
        let mut reader = WebSocketReader::new(100);
        let (data, control) = read_all(&mut reader, &frames, 4).unwrap();
        assert_eq!(data, b"Hello");
        assert_eq!(control, [WebSocketEvent::Ping(payload(b""))]);
        // A continuation with nothing to continue, a new message inside one.
        let mut reader = WebSocketReader::new(100);
        assert_eq!(
            read_all(&mut reader, &[0x80, 0x80, 0, 0, 0, 0], 6),
            Err(WebSocketError::UnexpectedContinuation)
        );
        let mut reader = WebSocketReader::new(100);
        assert_eq!(
            read_all(&mut reader, &[0x02, 0x80, 0, 0, 0, 0, 0x82, 0x80], 8),
            Err(WebSocketError::InterleavedMessage)
        );
    }

    #[test]
    fn hostile_frames() {
        let refused = |frame: &[u8], max: usize| {
            let mut reader = WebSocketReader::new(max);
            read_all(&mut reader, frame, 1).unwrap_err()
        };
        // Fragmented control frames.
        for op in [0x08, 0x09, 0x0a] {
            assert_eq!(
                refused(&[op, 0x80, 0, 0, 0, 0], 100),
                WebSocketError::FragmentedControl
            );
        }
        // Control frames over 125 bytes, a one-byte close.
        assert_eq!(
            refused(&[0x89, 0xfe, 0, 126], 1000),
            WebSocketError::BadControlLength(126)
        );
        assert_eq!(
            refused(&[0x88, 0x81, 0, 0, 0, 0, 3], 100),
            WebSocketError::BadControlLength(1)
        );
        // Huge lengths, refused on the header.
        assert_eq!(
            refused(
                &[0x82, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4],
                1 << 20
            ),
            WebSocketError::TooLarge {
                length: u64::MAX,
                max: 1 << 20
            }
        );
        assert_eq!(
            refused(&[0x82, 0xfe, 0x01, 0x01, 1, 2, 3, 4], 256),
            WebSocketError::TooLarge {
                length: 257,
                max: 256
            }
        );
        // Reserved bits, unknown opcodes.
        assert_eq!(
            refused(&[0xc2, 0x80], 100),
            WebSocketError::ReservedBits(0x40)
        );
        assert_eq!(
            refused(&[0x83, 0x80], 100),
            WebSocketError::UnknownOpcode(3)
        );
        assert_eq!(
            refused(&[0x8b, 0x80], 100),
            WebSocketError::UnknownOpcode(0xb)
        );
        // Anything after a close frame.
        assert_eq!(
            refused(&[0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8, 0x82], 100),
            WebSocketError::AfterClose
        );
    }

    #[test]
    fn close_code() {
        let mut reader = WebSocketReader::new(100);
        let (_, control) = read_all(
            &mut reader,
            &[0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xe8 ^ 2],
            2,
        )
        .unwrap();
        let [WebSocketEvent::Close(p)] = &control[..] else {
            panic!("{control:?}")
        };
        assert_eq!(p.close_code(), Some(1000));
        assert!(reader.is_closed());
        let mut out = Vec::new();
        write_frame(Opcode::Close, &1000u16.to_be_bytes(), &mut out).unwrap();
        assert_eq!(out, [0x88, 0x02, 0x03, 0xe8]);
    }

    const REQUEST: &str = "GET /apiws HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\
        upgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n\
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
        Sec-WebSocket-Protocol: chat, binary\r\n\r\n";

    #[test]
    fn handshake_and_response() {
        let mut buf = REQUEST.as_bytes().to_vec();
        buf.extend_from_slice(&[0x82, 0x80]);
        for n in 0..REQUEST.len() {
            assert_eq!(parse_handshake(&buf[..n]), Ok(None), "{n}");
        }
        let h = parse_handshake(&buf).unwrap().unwrap();
        assert_eq!(h.len, REQUEST.len());
        assert!(h.binary);
        let mut out = Vec::new();
        write_response(&h, &mut out).unwrap();
        assert_eq!(
            out,
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
              Sec-WebSocket-Protocol: binary\r\n\r\n"
        );
        // No subprotocol offered: none named; the test DC's path; a query string.
        let plain = REQUEST
            .replace("Sec-WebSocket-Protocol: chat, binary\r\n", "")
            .replace("/apiws ", "/apiws_test?x=1 ");
        let h = parse_handshake(plain.as_bytes()).unwrap().unwrap();
        assert!(!h.binary);
    }

    #[test]
    fn hostile_handshakes() {
        let bad = |from: &str, to: &str| parse_handshake(REQUEST.replace(from, to).as_bytes());
        assert_eq!(bad("/apiws ", "/ "), Err(WebSocketError::WrongPath));
        assert_eq!(bad("/apiws ", "/apiwsx "), Err(WebSocketError::WrongPath));
        assert_eq!(
            bad("HTTP/1.1", "HTTP/1.0"),
            Err(WebSocketError::Malformed(
                "request line is not GET <path> HTTP/1.1"
            ))
        );
        assert_eq!(
            bad("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", ""),
            Err(WebSocketError::BadKey)
        );
        assert_eq!(
            bad("dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZ=="),
            Err(WebSocketError::BadKey)
        );
        assert_eq!(
            bad(
                "Sec-WebSocket-Version",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version"
            ),
            Err(WebSocketError::BadKey)
        );
        assert_eq!(
            bad("upgrade: WebSocket", "upgrade: h2c"),
            Err(WebSocketError::NotAnUpgrade("Upgrade: websocket"))
        );
        assert_eq!(
            bad("keep-alive, Upgrade", "keep-alive"),
            Err(WebSocketError::NotAnUpgrade("Connection: Upgrade"))
        );
        assert_eq!(bad(": 13", ": 8"), Err(WebSocketError::BadVersion));
        assert_eq!(
            bad("chat, binary", "chat"),
            Err(WebSocketError::NoBinaryProtocol)
        );
        assert_eq!(
            bad("Host: 127.0.0.1:443", "Host 127.0.0.1"),
            Err(WebSocketError::Malformed("header line without a colon"))
        );
        assert_eq!(
            bad("Host:", "H\u{e9}st:"),
            Err(WebSocketError::Malformed("not ASCII"))
        );
        // Oversized: no blank line within the limit, even with one after it.
        let mut long = b"GET /apiws HTTP/1.1\r\nX: ".to_vec();
        long.resize(MAX_HANDSHAKE_LEN, b'a');
        assert_eq!(
            parse_handshake(&long),
            Err(WebSocketError::HandshakeTooLarge {
                max: MAX_HANDSHAKE_LEN
            })
        );
        long.extend_from_slice(b"\r\n\r\n");
        assert!(parse_handshake(&long).is_err());
        assert_eq!(parse_handshake(&long[..MAX_HANDSHAKE_LEN - 1]), Ok(None));
    }

    proptest! {
        #[test]
        fn any_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600), step in 1usize..64) {
            let _ = parse_handshake(&bytes);
            let mut reader = WebSocketReader::new(256);
            let _ = read_all(&mut reader, &bytes, step);
            let mut masked = bytes.clone();
            if let Some(b) = masked.get_mut(1) {
                *b |= 0x80;
            }
            let mut reader = WebSocketReader::new(256);
            let _ = read_all(&mut reader, &masked, step);
        }
    }
}
