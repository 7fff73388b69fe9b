//! Unencrypted messages.
//!
//! ```text
//! +----------------------+---------------------+-------------------+-------------+
//! | auth_key_id = 0 (8)  | message_id (8, LE)  | length (4, LE)    | body        |
//! +----------------------+---------------------+-------------------+-------------+
//!                                                length = body bytes, a multiple of 4
//! ```

use super::EnvelopeError;
use crate::{BufferFull, OutputBuffer};

/// An unencrypted MTProto message: `auth_key_id = 0 | msg_id | length | body`.
///
/// ```
/// use zerotl_mtproto::envelope::PlainMessage;
/// let msg = PlainMessage { msg_id: 0x51e5_7ac4_2770_9640, body: &[0x78, 0x97, 0x46, 0x60] };
/// let mut wire = Vec::new();
/// msg.encode(&mut wire).unwrap();
/// assert_eq!(wire.len(), 24);
/// assert_eq!(PlainMessage::decode(&wire), Ok(msg));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlainMessage<'a> {
    /// The message id.
    pub msg_id: i64,
    /// The TL body (borrowed from the input when decoded).
    pub body: &'a [u8],
}

impl<'a> PlainMessage<'a> {
    /// Bytes before the body.
    pub const HEADER_LEN: usize = 20;

    /// The encoded size.
    pub const fn encoded_len(&self) -> usize {
        Self::HEADER_LEN + self.body.len()
    }

    /// Appends the message to `out`.
    pub fn encode<O: OutputBuffer + ?Sized>(&self, out: &mut O) -> Result<(), BufferFull> {
        self.write_into(out.grow(self.encoded_len())?);
        Ok(())
    }

    /// Writes the message into `wire`, which is [`encoded_len`](Self::encoded_len)
    /// bytes long (extra bytes are left alone; too few are filled as far as they go).
    pub fn write_into(&self, wire: &mut [u8]) {
        let mut header = [0u8; Self::HEADER_LEN];
        header[8..16].copy_from_slice(&self.msg_id.to_le_bytes());
        header[16..20].copy_from_slice(&(self.body.len() as u32).to_le_bytes());
        for (dst, src) in wire.iter_mut().zip(header.iter().chain(self.body)) {
            *dst = *src;
        }
    }

    /// Decodes a message that spans all of `buf`.
    pub fn decode(buf: &'a [u8]) -> Result<Self, EnvelopeError> {
        let (msg, rest) = Self::decode_prefix(buf)?;
        if rest != 0 {
            return Err(EnvelopeError::TrailingBytes {
                what: "unencrypted message",
                count: rest,
            });
        }
        Ok(msg)
    }

    /// Decodes a message followed by at most `max_padding` bytes that belong to the
    /// transport, not to the message (a padded-intermediate frame may leave up to
    /// 15: `transport::padded::MAX_PADDING`).
    pub fn decode_padded(buf: &'a [u8], max_padding: usize) -> Result<Self, EnvelopeError> {
        let (msg, rest) = Self::decode_prefix(buf)?;
        if rest > max_padding {
            return Err(EnvelopeError::TrailingBytes {
                what: "unencrypted message (beyond transport padding)",
                count: rest,
            });
        }
        Ok(msg)
    }

    /// The message at the start of `buf` and the number of bytes after it.
    fn decode_prefix(buf: &'a [u8]) -> Result<(Self, usize), EnvelopeError> {
        let Some((header, rest)) = buf.split_first_chunk::<20>() else {
            return Err(EnvelopeError::Truncated {
                what: "unencrypted message header",
                needed: Self::HEADER_LEN,
                available: buf.len(),
            });
        };
        let word = |at: usize| -> [u8; 8] {
            let mut w = [0u8; 8];
            w.copy_from_slice(&header[at..at + 8]);
            w
        };
        let auth_key_id = i64::from_le_bytes(word(0));
        if auth_key_id != 0 {
            return Err(EnvelopeError::NotPlain { auth_key_id });
        }
        let msg_id = i64::from_le_bytes(word(8));
        let length = i32::from_le_bytes([header[16], header[17], header[18], header[19]]);
        if length < 0 || length as usize > rest.len() {
            return Err(EnvelopeError::LengthMismatch {
                what: "unencrypted message length",
                declared: length.into(),
                available: rest.len(),
            });
        }
        let length = length as usize;
        if length < 4 || length % 4 != 0 {
            return Err(EnvelopeError::BadBodyLength {
                what: "unencrypted message body",
                length,
            });
        }
        let body = &rest[..length];
        Ok((Self { msg_id, body }, rest.len() - length))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    fn wire(length: i32, body: &[u8]) -> Vec<u8> {
        let mut w = vec![0u8; 8];
        w.extend_from_slice(&0x51e5_7ac4_2770_9640i64.to_le_bytes());
        w.extend_from_slice(&length.to_le_bytes());
        w.extend_from_slice(body);
        w
    }

    #[test]
    fn every_truncated_prefix_fails() {
        let full = wire(12, &[1; 12]);
        assert!(PlainMessage::decode(&full).is_ok());
        for cut in 0..full.len() {
            let e = PlainMessage::decode(&full[..cut]).unwrap_err();
            assert!(e.is_truncation(), "{cut}: {e}");
        }
    }

    #[test]
    fn bad_lengths() {
        assert!(matches!(
            PlainMessage::decode(&wire(-4, &[1; 8])),
            Err(EnvelopeError::LengthMismatch { declared: -4, .. })
        ));
        assert!(matches!(
            PlainMessage::decode(&wire(6, &[1; 8])),
            Err(EnvelopeError::BadBodyLength { length: 6, .. })
        ));
        assert!(matches!(
            PlainMessage::decode(&wire(4, &[1; 8])),
            Err(EnvelopeError::TrailingBytes { count: 4, .. })
        ));
        assert!(PlainMessage::decode_padded(&wire(4, &[1; 8]), 15).is_ok());
        assert!(PlainMessage::decode_padded(&wire(4, &[1; 20]), 15).is_err());
        let mut keyed = wire(4, &[1; 4]);
        keyed[0] = 1;
        assert_eq!(
            PlainMessage::decode(&keyed),
            Err(EnvelopeError::NotPlain { auth_key_id: 1 })
        );
    }
}
