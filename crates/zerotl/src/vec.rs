//! Encoding into a growable `Vec` (feature `alloc`): the one helper every crate
//! of the project uses when it wants a value's bytes as an owned buffer.

use alloc::vec::Vec;

use crate::{encode_to_slice, Encode, EncodeError};

/// Encodes `value` into a new vector of exactly its encoded length.
///
/// Fails only where encoding into a large enough slice fails: a `string`/`bytes`
/// value over TL's 16 MiB limit ([`EncodeError::TooLong`]), or a hand-written
/// [`Encode`] whose `encoded_len` is wrong.
///
/// ```
/// use zerotl::Str;
/// assert_eq!(zerotl::encode_to_vec(&Str::new("test")).unwrap(), [4, b't', b'e', b's', b't', 0, 0, 0]);
/// ```
pub fn encode_to_vec<E: Encode + ?Sized>(value: &E) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    append_encoded(value, &mut out)?;
    Ok(out)
}

/// Appends `value`'s encoding to `out`; on failure `out` is left as it was.
///
/// ```
/// let mut out = vec![0xff];
/// zerotl::append_encoded(&7i32, &mut out).unwrap();
/// assert_eq!(out, [0xff, 7, 0, 0, 0]);
/// ```
pub fn append_encoded<E: Encode + ?Sized>(value: &E, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let start = out.len();
    out.resize(start + value.encoded_len(), 0);
    match encode_to_slice(value, &mut out[start..]) {
        Ok(written) => {
            out.truncate(start + written);
            Ok(())
        }
        Err(e) => {
            out.truncate(start);
            Err(e)
        }
    }
}
