//! Full: the basic framing, with a sequence number and a CRC32 (no tag).
//!
//! ```text
//! +---------------+---------------+-------------------+----------------+
//! | len (4 B LE)  | seq (4 B LE)  | payload (L bytes) | crc32 (4 B LE) |
//! +---------------+---------------+-------------------+----------------+
//!   len = L + 12 (the length counts itself, seq and the CRC)
//!   seq = 0, 1, 2, ... counted separately in each direction of the connection
//!   crc32 = CRC-32/IEEE over len | seq | payload
//!
//! transport error        10000000 <seq> 6cfeffff <crc>   (-404, server)
//! observed -429 quirk    53feffff 53feffff 53feffff       (len and seq negative,
//!                                                          then a 4-byte -429)
//! ```
//!
//! Both sides check the CRC and the sequence number of every incoming frame
//! (Telethon and GramJS ignore the sequence number) and fail with
//! [`FrameError::BadCrc`] / [`FrameError::BadSeq`]. The full transport has no
//! quick acks.

use super::{read_u32, transport_error_in, Decoded, FrameError, FrameEvent, Transport};
use crate::transport::TransportError;
use crate::Side;

/// The largest payload (`len` is a positive int32).
pub const MAX_PAYLOAD: usize = 0x7fff_fff0;

/// Bytes of the -429 quirk (length, sequence number and body all -429).
pub(super) const QUIRK_LEN: usize = 12;

/// Header (len, seq) plus trailer (crc).
const OVERHEAD: usize = 12;

/// The header (`len | seq`) of a frame with a `payload_len`-byte payload; the
/// CRC32 of header and payload follows the payload.
pub(super) fn header(payload_len: usize, seq: u32) -> ([u8; 8], usize) {
    let mut h = [0u8; 8];
    h[..4].copy_from_slice(&((payload_len + OVERHEAD) as u32).to_le_bytes());
    h[4..].copy_from_slice(&seq.to_le_bytes());
    (h, 8)
}

/// Decodes one frame; the flag says whether it used up a sequence number.
pub(super) fn decode(
    buf: &[u8],
    role: Side,
    max: usize,
    expected_seq: u32,
) -> Result<Option<(Decoded, bool)>, FrameError> {
    let Some(raw_len) = read_u32(buf, 0) else {
        return Ok(None);
    };
    let invalid = FrameError::InvalidLength {
        transport: Transport::Full,
        value: raw_len,
    };
    if (raw_len as i32) < 0 {
        return match role {
            Side::Client => decode_quirk(buf, invalid),
            Side::Server => Err(invalid),
        };
    }
    let len = raw_len as usize;
    if len == OVERHEAD {
        return Err(FrameError::Empty {
            transport: Transport::Full,
        });
    }
    if len < OVERHEAD {
        return Err(invalid);
    }
    let payload_len = len - OVERHEAD;
    if payload_len % 4 != 0 {
        return Err(FrameError::NotMultipleOf4 {
            transport: Transport::Full,
            length: payload_len as u64,
        });
    }
    if payload_len > max {
        return Err(FrameError::TooLarge {
            transport: Transport::Full,
            length: payload_len as u64,
            max,
        });
    }
    let Some(frame) = buf.get(..len) else {
        return Ok(None);
    };
    let (body, crc) = frame.split_at(len - 4);
    let seq = read_u32(body, 4).unwrap_or_default() as i32;
    let found = read_u32(crc, 0).unwrap_or_default();
    let computed = crc32fast::hash(body);
    if found != computed {
        return Err(FrameError::BadCrc {
            seq,
            found,
            computed,
        });
    }
    if seq as u32 != expected_seq {
        return Err(FrameError::BadSeq {
            expected: expected_seq,
            found: seq,
        });
    }
    let payload = 8..len - 4;
    if role == Side::Client {
        if let Some(e) = transport_error_in(&buf[payload.clone()]) {
            return Ok(Some((
                Decoded::control(FrameEvent::TransportError(e), len),
                true,
            )));
        }
    }
    Ok(Some((Decoded::frame(payload, false, len), true)))
}

/// `len` and `seq` both negative, then a 4-byte negative code (Telethon #4042).
fn decode_quirk(buf: &[u8], invalid: FrameError) -> Result<Option<(Decoded, bool)>, FrameError> {
    let Some(seq) = read_u32(buf, 4) else {
        return Ok(None);
    };
    if (seq as i32) >= 0 {
        return Err(invalid);
    }
    let Some(code) = read_u32(buf, 8) else {
        return Ok(None);
    };
    if (code as i32) >= 0 {
        return Err(invalid);
    }
    let event = FrameEvent::TransportError(TransportError::from_code(code as i32));
    Ok(Some((Decoded::control(event, QUIRK_LEN), false)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Encoder;
    use alloc::vec;
    use alloc::vec::Vec;

    const REQUEST: [u8; 12] = [
        0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, 0x87, 0xd6, 0x12, 0x00,
    ];

    #[test]
    fn golden_seq_zero() {
        // docs/wire.md, transports: `18000000 00000000 4c53f70d63e89b1787d61200 108216ef`.
        let mut out = Vec::new();
        Encoder::new(Transport::Full, Side::Client)
            .encode(&REQUEST, &mut out)
            .unwrap();
        let mut want = vec![0x18, 0, 0, 0, 0, 0, 0, 0];
        want.extend_from_slice(&REQUEST);
        want.extend_from_slice(&[0x10, 0x82, 0x16, 0xef]);
        assert_eq!(out, want);
        let (d, numbered) = decode(&out, Side::Server, 64, 0).unwrap().unwrap();
        assert!(numbered);
        assert_eq!(d.consumed, 24);
        assert_eq!(
            d.event,
            FrameEvent::Frame {
                payload: 8..20,
                quick_ack: false
            }
        );
    }

    #[test]
    fn wrong_seq_and_crc_are_typed() {
        let mut out = Vec::new();
        let mut e = Encoder::new(Transport::Full, Side::Client);
        e.encode(&REQUEST, &mut out).unwrap();
        out.clear();
        e.encode(&REQUEST, &mut out).unwrap();
        assert_eq!(
            decode(&out, Side::Server, 64, 0),
            Err(FrameError::BadSeq {
                expected: 0,
                found: 1
            })
        );
        let last = out.len() - 1;
        out[last] ^= 1;
        assert!(matches!(
            decode(&out, Side::Server, 64, 1),
            Err(FrameError::BadCrc { seq: 1, .. })
        ));
    }

    #[test]
    fn minus_429_quirk() {
        let wire: Vec<u8> = [-429i32; 3].iter().flat_map(|c| c.to_le_bytes()).collect();
        assert_eq!(wire[..4], [0x53, 0xfe, 0xff, 0xff]);
        for cut in 0..wire.len() {
            assert_eq!(decode(&wire[..cut], Side::Client, 64, 5), Ok(None));
        }
        let (d, numbered) = decode(&wire, Side::Client, 64, 5).unwrap().unwrap();
        assert!(!numbered);
        assert_eq!(d.consumed, 12);
        assert_eq!(
            d.event,
            FrameEvent::TransportError(TransportError::TRANSPORT_FLOOD)
        );
        // A client never sends it.
        assert!(decode(&wire, Side::Server, 64, 0).is_err());
    }
}
