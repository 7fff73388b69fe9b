//! Abridged: the smallest framing (1 byte of overhead for payloads under 508 bytes).
//!
//! ```text
//! client, once, before the first frame:   ef
//!
//! L / 4 < 127            +--------+------------------+
//!                        | L / 4  | payload (L bytes)|
//!                        +--------+------------------+
//!                          1 byte
//!
//! L / 4 >= 127           +--------+----------------+------------------+
//!                        |   7f   | L / 4 (3 B LE) | payload (L bytes)|
//!                        +--------+----------------+------------------+
//!
//! quick-ack request      the 1-byte header | 0x80, or ff instead of 7f   (client)
//!
//! quick-ack answer       +-------------------------------+
//! (server, no header)    | token, byte-swapped (4 bytes) |  first byte >= 0x80
//!                        +-------------------------------+
//!
//! transport error        a frame whose payload is one negative int32:
//! (server)               01 6cfeffff  (-404)
//! ```
//!
//! Server headers are always `<= 0x7f` and the server never sends `ef`, so a first
//! byte with the top bit set is a quick-ack token. The long form is accepted for any
//! length (the docs only require it from L/4 = 127 on).

use super::{transport_error_in, Decoded, FrameError, FrameEvent, Transport};
use crate::{OutputBuffer, Side};

/// The largest payload the 3-byte `L / 4` field can express.
pub const MAX_PAYLOAD: usize = 0x00ff_ffff * 4;

/// `L / 4` from which the 4-byte header is needed.
const LONG_FORM: usize = 0x7f;

/// The header of a frame with a `payload_len`-byte payload (1 or 4 bytes).
pub(super) fn header(payload_len: usize, quick_ack: bool) -> ([u8; 8], usize) {
    let words = payload_len / 4;
    let ack_bit = if quick_ack { 0x80 } else { 0 };
    let mut h = [0u8; 8];
    if words < LONG_FORM {
        h[0] = words as u8 | ack_bit;
        (h, 1)
    } else {
        let w = (words as u32).to_le_bytes();
        h[..4].copy_from_slice(&[0x7f | ack_bit, w[0], w[1], w[2]]);
        (h, 4)
    }
}

pub(super) fn encode_quick_ack<O: OutputBuffer + ?Sized>(
    token: u32,
    out: &mut O,
) -> Result<(), FrameError> {
    out.put(&token.to_be_bytes())?;
    Ok(())
}

pub(super) fn decode(buf: &[u8], role: Side, max: usize) -> Result<Option<Decoded>, FrameError> {
    let Some(&first) = buf.first() else {
        return Ok(None);
    };
    let quick_ack = first & 0x80 != 0;
    if quick_ack && role == Side::Client {
        // A server quick-ack answer: the token with its bytes swapped, no header.
        return Ok(buf
            .first_chunk::<4>()
            .map(|token| Decoded::control(FrameEvent::QuickAck(u32::from_be_bytes(*token)), 4)));
    }
    let short = first & 0x7f;
    let (header, words) = if usize::from(short) == LONG_FORM {
        let Some(b) = buf.get(1..4) else {
            return Ok(None);
        };
        (4, u32::from_le_bytes([b[0], b[1], b[2], 0]))
    } else {
        (1, u32::from(short))
    };
    let length = u64::from(words) * 4;
    if length == 0 {
        return Err(FrameError::Empty {
            transport: Transport::Abridged,
        });
    }
    if length > max as u64 {
        return Err(FrameError::TooLarge {
            transport: Transport::Abridged,
            length,
            max,
        });
    }
    let end = header + length as usize;
    let Some(payload) = buf.get(header..end) else {
        return Ok(None);
    };
    if role == Side::Client {
        if let Some(e) = transport_error_in(payload) {
            return Ok(Some(Decoded::control(FrameEvent::TransportError(e), end)));
        }
    }
    Ok(Some(Decoded::frame(header..end, quick_ack, end)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Encoder;
    use alloc::vec::Vec;

    #[test]
    fn golden_short_and_long_headers() {
        // docs/wire.md, transports: the 12-byte exportChatInvite request.
        let payload = [
            0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, 0x87, 0xd6, 0x12, 0x00,
        ];
        let mut e = Encoder::new(Transport::Abridged, Side::Client);
        let mut out = Vec::new();
        e.encode(&payload, &mut out).unwrap();
        assert_eq!(out[0], 0x03);
        out.clear();
        e.encode_requesting_quick_ack(&payload, &mut out).unwrap();
        assert_eq!(out[0], 0x83);
        out.clear();
        e.encode(&[0u8; 508], &mut out).unwrap();
        assert_eq!(out[..4], [0x7f, 0x7f, 0x00, 0x00]);
        out.clear();
        e.encode_requesting_quick_ack(&[0u8; 508], &mut out)
            .unwrap();
        assert_eq!(out[..4], [0xff, 0x7f, 0x00, 0x00]);
        // 504 bytes = 126 words: still the short form.
        out.clear();
        e.encode(&[0u8; 504], &mut out).unwrap();
        assert_eq!(out[0], 0x7e);
        assert_eq!(out.len(), 505);
    }

    #[test]
    fn server_reads_quick_ack_request_bit() {
        let wire = [0xff, 0x7f, 0, 0];
        let mut frame = alloc::vec::Vec::from(wire);
        frame.extend_from_slice(&[1u8; 508]);
        let d = decode(&frame, Side::Server, 1 << 20).unwrap().unwrap();
        assert_eq!(d.consumed, 512);
        assert_eq!(
            d.event,
            FrameEvent::Frame {
                payload: 4..512,
                quick_ack: true
            }
        );
    }

    #[test]
    fn client_reads_swapped_quick_ack_token() {
        let token: u32 = 0x8123_4567;
        let mut out = Vec::new();
        encode_quick_ack(token, &mut out).unwrap();
        assert_eq!(out, [0x81, 0x23, 0x45, 0x67]);
        assert_eq!(decode(&out[..3], Side::Client, 64), Ok(None));
        let d = decode(&out, Side::Client, 64).unwrap().unwrap();
        assert_eq!(d.event, FrameEvent::QuickAck(token));
    }
}
