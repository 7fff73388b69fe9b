//! Padded intermediate: intermediate plus 0..15 random bytes after each payload,
//! meant to run under obfuscation (and required by `dd` MTProxy secrets).
//!
//! ```text
//! client, once, before the first frame:   dd dd dd dd
//!
//! frame          +-------------------+------------------+------------------+
//!                | T (4 bytes LE)    | payload (L bytes)| padding (0..15)  |
//!                +-------------------+------------------+------------------+
//!                  T = L + padding length
//!
//! quick-ack request    T | 0x80000000                                (client)
//!
//! quick-ack answer     +----------+-------------+---------------+--------------+
//! (server)             | T (8-16) | ff ff ff ff | token (4, LE) | padding 0..8 |
//!                      +----------+-------------+---------------+--------------+
//!
//! transport error      a frame whose payload starts with a negative int32 (server)
//!                      (padding 0..3 when zerotl sends it, see below)
//! ```
//!
//! **How padding is stripped.** The docs define T as payload + padding and nothing
//! else, and MTProto payloads are multiples of 4 bytes, so the decoder takes the
//! payload as the largest multiple of 4 not above T (it drops the `T % 4` bytes).
//! That recovers the payload exactly when the peer pads 0..3 bytes (Telethon).
//! When the peer pads 4..15 bytes (tdlib and the docs allow it), up to 12 bytes of
//! padding remain at the end of the payload range; the MTProto layer, which knows
//! its own lengths, trims them: an unencrypted message carries its body length
//! (see `envelope::PlainMessage::decode_padded`) and an encrypted one is
//! `24 + 16k` bytes.
//!
//! **Server control frames.** A real MTProto message is at least 24 bytes, so a
//! server frame of at most 16 bytes (after stripping `T % 4`) whose first word is
//! `ffffffff` is a quick ack, and one whose first word is another negative int32 is a
//! transport error. A transport error of code -1 is also `ffffffff`: it is one only in
//! a frame of under 8 bytes, so zerotl's server pads transport errors with 0..3 bytes
//! (which the decoder strips), never enough to look like a quick-ack token.

use super::{read_u32, Decoded, FrameError, FrameEvent, Transport, TransportError};
use crate::{OutputBuffer, Side};

/// Most padding bytes a frame may carry (the docs' 0-15).
pub const MAX_PADDING: usize = 15;

/// Most padding bytes after a quick-ack answer (the docs' 0-8).
pub const MAX_ACK_PADDING: usize = 8;

/// The largest payload (leaving room for padding in the 31-bit length).
pub const MAX_PAYLOAD: usize = 0x7fff_fff0;

/// Most padding bytes after a transport error: fewer than 4, so code -1 cannot read
/// as a quick-ack answer.
pub const MAX_ERROR_PADDING: usize = 3;

/// Largest server frame (after stripping) that is read as a control frame.
const MAX_CONTROL_LEN: usize = 16;

const ACK_BIT: u32 = 0x8000_0000;

/// The header of a frame with a `payload_len`-byte payload and `padding_len`
/// bytes of padding after it.
pub(super) fn header(payload_len: usize, padding_len: usize, quick_ack: bool) -> ([u8; 8], usize) {
    let mut len = (payload_len + padding_len) as u32;
    if quick_ack {
        len |= ACK_BIT;
    }
    let mut h = [0u8; 8];
    h[..4].copy_from_slice(&len.to_le_bytes());
    (h, 4)
}

pub(super) fn encode_quick_ack<O: OutputBuffer + ?Sized>(
    token: u32,
    padding: &[u8],
    out: &mut O,
) -> Result<(), FrameError> {
    let len = (8 + padding.len()) as u32;
    let frame = out.grow(12 + padding.len())?;
    frame[..4].copy_from_slice(&len.to_le_bytes());
    frame[4..8].copy_from_slice(&[0xff; 4]);
    frame[8..12].copy_from_slice(&token.to_le_bytes());
    frame[12..].copy_from_slice(padding);
    Ok(())
}

pub(super) fn decode(buf: &[u8], role: Side, max: usize) -> Result<Option<Decoded>, FrameError> {
    let Some(raw) = read_u32(buf, 0) else {
        return Ok(None);
    };
    let quick_ack = raw & ACK_BIT != 0;
    if quick_ack && role == Side::Client {
        // Servers answer quick acks with a whole frame, never with the bit.
        return Err(FrameError::InvalidLength {
            transport: Transport::Padded,
            value: raw,
        });
    }
    let total = (raw & !ACK_BIT) as usize;
    if total > max.saturating_add(MAX_PADDING) {
        return Err(FrameError::TooLarge {
            transport: Transport::Padded,
            length: total as u64,
            max,
        });
    }
    let payload_len = total & !3;
    if payload_len == 0 {
        return Err(FrameError::Empty {
            transport: Transport::Padded,
        });
    }
    let end = 4 + total;
    if buf.len() < end {
        return Ok(None);
    }
    if role == Side::Client && payload_len <= MAX_CONTROL_LEN {
        if let Some(event) = control_event(&buf[4..4 + payload_len]) {
            return Ok(Some(Decoded::control(event, end)));
        }
    }
    Ok(Some(Decoded::frame(4..4 + payload_len, quick_ack, end)))
}

fn control_event(payload: &[u8]) -> Option<FrameEvent> {
    let first = read_u32(payload, 0)? as i32;
    if first == -1 && payload.len() >= 8 {
        return read_u32(payload, 4).map(FrameEvent::QuickAck);
    }
    (first < 0).then(|| FrameEvent::TransportError(TransportError::from_code(first)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Encoder;
    use alloc::vec::Vec;

    #[test]
    fn golden_three_bytes_of_padding() {
        // docs/wire.md, transports: `dddddddd 0f000000 <12-byte payload> xx xx xx`.
        let payload = [
            0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, 0x87, 0xd6, 0x12, 0x00,
        ];
        let mut out = Vec::new();
        Encoder::new(Transport::Padded, Side::Client)
            .with_fixed_padding(&[0xaa, 0xbb, 0xcc])
            .encode(&payload, &mut out)
            .unwrap();
        assert_eq!(out[..4], [0x0f, 0, 0, 0]);
        assert_eq!(out.len(), 4 + 15);
        let d = decode(&out, Side::Server, 64).unwrap().unwrap();
        assert_eq!(d.consumed, 19);
        assert_eq!(
            d.event,
            FrameEvent::Frame {
                payload: 4..16,
                quick_ack: false
            }
        );
    }

    #[test]
    fn long_padding_leaves_whole_words() {
        let mut out = Vec::new();
        Encoder::new(Transport::Padded, Side::Server)
            .with_fixed_padding(&[9u8; 13])
            .encode(&[7u8; 24], &mut out)
            .unwrap();
        let d = decode(&out, Side::Client, 64).unwrap().unwrap();
        assert_eq!(d.consumed, 4 + 37);
        // 37 & !3 = 36: the payload plus 12 bytes of padding, for the MTProto layer.
        assert_eq!(
            d.event,
            FrameEvent::Frame {
                payload: 4..40,
                quick_ack: false
            }
        );
    }

    #[test]
    fn quick_ack_answer_with_padding() {
        for pad in 0..=MAX_ACK_PADDING {
            let mut out = Vec::new();
            encode_quick_ack(0x8765_4321, &[0x5a; MAX_ACK_PADDING][..pad], &mut out).unwrap();
            let d = decode(&out, Side::Client, 64).unwrap().unwrap();
            assert_eq!(d.event, FrameEvent::QuickAck(0x8765_4321));
            assert_eq!(d.consumed, 12 + pad);
        }
    }

    #[test]
    fn transport_error_with_padding() {
        let mut out = Vec::new();
        Encoder::new(Transport::Padded, Side::Server)
            .with_fixed_padding(&[1, 2, 3, 4, 5, 6, 7])
            .encode(&(-429i32).to_le_bytes(), &mut out)
            .unwrap();
        let d = decode(&out, Side::Client, 64).unwrap().unwrap();
        assert_eq!(
            d.event,
            FrameEvent::TransportError(TransportError::TRANSPORT_FLOOD)
        );
    }

    #[test]
    fn server_never_sets_the_ack_bit() {
        let wire = [0x08, 0, 0, 0x80];
        assert!(matches!(
            decode(&wire, Side::Client, 64),
            Err(FrameError::InvalidLength { .. })
        ));
    }
}
