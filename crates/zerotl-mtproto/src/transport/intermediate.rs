//! Intermediate: a 4-byte length before each payload (keeps 4-byte alignment).
//!
//! ```text
//! client, once, before the first frame:   ee ee ee ee
//!
//! frame                  +------------------+------------------+
//!                        | L (4 bytes LE)   | payload (L bytes)|
//!                        +------------------+------------------+
//!
//! quick-ack request      L | 0x80000000                          (client)
//!
//! quick-ack answer       +------------------------------+
//! (server, no header)    | token (4 bytes LE) >= 2^31   |  never a valid length
//!                        +------------------------------+
//!
//! transport error        04000000 6cfeffff  (-404)                (server)
//! ```

use super::{read_u32, transport_error_in, Decoded, FrameError, FrameEvent, Transport};
use crate::{OutputBuffer, Side};

/// The largest payload the 31-bit length can express (the top bit is the quick-ack flag).
pub const MAX_PAYLOAD: usize = 0x7fff_fffc;

const ACK_BIT: u32 = 0x8000_0000;

/// The header of a frame with a `payload_len`-byte payload.
pub(super) fn header(payload_len: usize, quick_ack: bool) -> ([u8; 8], usize) {
    let mut len = payload_len as u32;
    if quick_ack {
        len |= ACK_BIT;
    }
    let mut h = [0u8; 8];
    h[..4].copy_from_slice(&len.to_le_bytes());
    (h, 4)
}

pub(super) fn encode_quick_ack<O: OutputBuffer + ?Sized>(
    token: u32,
    out: &mut O,
) -> Result<(), FrameError> {
    out.put(&token.to_le_bytes())?;
    Ok(())
}

pub(super) fn decode(buf: &[u8], role: Side, max: usize) -> Result<Option<Decoded>, FrameError> {
    let Some(raw) = read_u32(buf, 0) else {
        return Ok(None);
    };
    let quick_ack = raw & ACK_BIT != 0;
    if quick_ack && role == Side::Client {
        return Ok(Some(Decoded::control(FrameEvent::QuickAck(raw), 4)));
    }
    let length = raw & !ACK_BIT;
    if length == 0 {
        return Err(FrameError::Empty {
            transport: Transport::Intermediate,
        });
    }
    if length % 4 != 0 {
        return Err(FrameError::NotMultipleOf4 {
            transport: Transport::Intermediate,
            length: length.into(),
        });
    }
    if length as usize > max {
        return Err(FrameError::TooLarge {
            transport: Transport::Intermediate,
            length: length.into(),
            max,
        });
    }
    let end = 4 + length as usize;
    let Some(payload) = buf.get(4..end) else {
        return Ok(None);
    };
    if role == Side::Client {
        if let Some(e) = transport_error_in(payload) {
            return Ok(Some(Decoded::control(FrameEvent::TransportError(e), end)));
        }
    }
    Ok(Some(Decoded::frame(4..end, quick_ack, end)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::{Encoder, TransportError};
    use alloc::vec::Vec;

    #[test]
    fn golden_transport_error_404() {
        let wire = [0x04, 0, 0, 0, 0x6c, 0xfe, 0xff, 0xff];
        let d = decode(&wire, Side::Client, 64).unwrap().unwrap();
        assert_eq!(
            d.event,
            FrameEvent::TransportError(TransportError::AUTH_KEY_NOT_FOUND)
        );
        assert_eq!(d.consumed, 8);
        // The same bytes from a client are just a (short) frame.
        let d = decode(&wire, Side::Server, 64).unwrap().unwrap();
        assert_eq!(
            d.event,
            FrameEvent::Frame {
                payload: 4..8,
                quick_ack: false
            }
        );
    }

    #[test]
    fn split_error_frame_is_partial_not_panic() {
        let wire = [0x04, 0, 0, 0, 0x6c, 0xfe, 0xff, 0xff];
        for cut in 0..wire.len() {
            assert_eq!(decode(&wire[..cut], Side::Client, 64), Ok(None));
        }
    }

    #[test]
    fn quick_ack_request_and_answer() {
        let mut out = Vec::new();
        Encoder::new(Transport::Intermediate, Side::Client)
            .encode_requesting_quick_ack(&[1, 2, 3, 4], &mut out)
            .unwrap();
        assert_eq!(out[..4], [4, 0, 0, 0x80]);
        let d = decode(&out, Side::Server, 64).unwrap().unwrap();
        assert_eq!(
            d.event,
            FrameEvent::Frame {
                payload: 4..8,
                quick_ack: true
            }
        );
        out.clear();
        encode_quick_ack(0x8000_1234, &mut out).unwrap();
        let d = decode(&out, Side::Client, 64).unwrap().unwrap();
        assert_eq!(
            (d.event, d.consumed),
            (FrameEvent::QuickAck(0x8000_1234), 4)
        );
    }
}
