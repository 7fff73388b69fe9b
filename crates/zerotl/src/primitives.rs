//! `int`, `long`, `double`, `int128`, `int256` and `Bool`.
//!
//! All little-endian on the wire, whatever the host. `int128`/`int256` are opaque byte
//! strings (nonces) and are copied as-is, never byte-swapped.

use crate::error::{DecodeError, DecodeErrorKind};
use crate::reader::Reader;
use crate::traits::{Decode, Encode};
use crate::writer::Writer;

/// `boolTrue#997275b5 = Bool`.
pub const BOOL_TRUE_ID: u32 = 0x9972_75b5;
/// `boolFalse#bc799737 = Bool`.
pub const BOOL_FALSE_ID: u32 = 0xbc79_9737;

macro_rules! fixed {
    ($t:ty, $n:literal, $read:ident, $put:ident) => {
        impl Encode for $t {
            #[inline]
            fn encoded_len(&self) -> usize {
                $n
            }
            #[inline]
            fn encode(&self, w: &mut Writer<'_>) {
                w.$put(*self)
            }
            #[inline]
            fn encoded_len_slice(items: &[Self]) -> usize {
                items.len().saturating_mul($n)
            }
            #[inline]
            fn encode_slice(items: &[Self], w: &mut Writer<'_>) {
                if let Some(run) = w.run(items.len().saturating_mul($n)) {
                    for (dst, v) in run.chunks_exact_mut($n).zip(items) {
                        dst.copy_from_slice(&v.to_le_bytes());
                    }
                }
            }
        }
        impl<'a> Decode<'a> for $t {
            const FIXED_SIZE: Option<usize> = Some($n);
            const MIN_SIZE: usize = $n;
            #[inline]
            fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
                r.$read()
            }
        }
    };
}

fixed!(i32, 4, read_i32, put_i32);
fixed!(i64, 8, read_i64, put_i64);
fixed!(f64, 8, read_f64, put_f64);

macro_rules! opaque {
    ($n:literal) => {
        impl Encode for [u8; $n] {
            #[inline]
            fn encoded_len(&self) -> usize {
                $n
            }
            #[inline]
            fn encode(&self, w: &mut Writer<'_>) {
                w.put_array(self)
            }
            #[inline]
            fn encoded_len_slice(items: &[Self]) -> usize {
                items.len().saturating_mul($n)
            }
            #[inline]
            fn encode_slice(items: &[Self], w: &mut Writer<'_>) {
                if let Some(run) = w.run(items.len().saturating_mul($n)) {
                    for (dst, v) in run.chunks_exact_mut($n).zip(items) {
                        dst.copy_from_slice(v);
                    }
                }
            }
        }
        impl<'a> Decode<'a> for [u8; $n] {
            const FIXED_SIZE: Option<usize> = Some($n);
            const MIN_SIZE: usize = $n;
            #[inline]
            fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
                r.read_array::<$n>().copied()
            }
        }
    };
}

opaque!(16);
opaque!(32);

/// TL `Bool` is boxed: `boolTrue#997275b5` or `boolFalse#bc799737`.
impl Encode for bool {
    #[inline]
    fn encoded_len(&self) -> usize {
        4
    }
    #[inline]
    fn encode(&self, w: &mut Writer<'_>) {
        w.put_u32(if *self { BOOL_TRUE_ID } else { BOOL_FALSE_ID })
    }
}

impl<'a> Decode<'a> for bool {
    const MIN_SIZE: usize = 4;
    #[inline]
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let at = r.position();
        match r.read_u32()? {
            BOOL_TRUE_ID => Ok(true),
            BOOL_FALSE_ID => Ok(false),
            id => Err(r.error_at(DecodeErrorKind::InvalidBool { id }, at)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_bytes() {
        let mut b = [0u8; 8];
        assert_eq!(1.0f64.encode_to_slice(&mut b), Ok(8));
        assert_eq!(b, [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
        assert_eq!(true.encode_to_slice(&mut b[..4]), Ok(4));
        assert_eq!(b[..4], [0xb5, 0x75, 0x72, 0x99]);
        assert_eq!(false.encode_to_slice(&mut b[..4]), Ok(4));
        assert_eq!(b[..4], [0x37, 0x97, 0x79, 0xbc]);
        assert_eq!(i64::decode_from_slice(&[0xff; 8]), Ok(-1));
        assert_eq!(
            i32::decode_from_slice(&[0x87, 0xd6, 0x12, 0x00]),
            Ok(1_234_567)
        );
    }

    #[test]
    fn int128_is_not_swapped() {
        let n: [u8; 16] = core::array::from_fn(|i| i as u8);
        let mut b = [0u8; 16];
        assert_eq!(n.encode_to_slice(&mut b), Ok(16));
        assert_eq!(b, n);
        assert_eq!(<[u8; 16]>::decode_from_slice(&b), Ok(n));
    }

    #[test]
    fn invalid_bool_names_the_id() {
        let e = bool::decode_from_slice(&[1, 2, 3, 4]).unwrap_err();
        assert_eq!(e.kind(), DecodeErrorKind::InvalidBool { id: 0x0403_0201 });
        assert_eq!(e.offset(), 0);
    }
}
