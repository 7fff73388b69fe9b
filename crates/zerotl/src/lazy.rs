//! [`Lazy`]: a nested value kept as validated bytes, so recursive types need no `Box`.

use core::fmt;

use crate::error::DecodeError;
use crate::reader::Reader;
use crate::traits::{Decode, Encode};
use crate::writer::Writer;

/// A field whose type contains itself (`inputPeerUserFromMessage peer:InputPeer`).
///
/// Without an allocator such a field cannot hold its value inline, so it holds either
/// the bytes of the nested value — validated in full when the outer value was
/// decoded — or a reference to a value built for encoding. [`Lazy::get`] decodes the
/// bytes again on demand (one level; deeper levels are `Lazy` in turn).
///
/// ```
/// use zerotl::{Decode, Lazy};
/// let inner = 7i32;
/// let l = Lazy::new(&inner);
/// assert_eq!(l.get(), Ok(7));
/// let l = Lazy::<i32>::decode_from_slice(&[7, 0, 0, 0]).unwrap();
/// assert_eq!(l.get(), Ok(7));
/// ```
pub struct Lazy<'a, T> {
    repr: Repr<'a, T>,
}

enum Repr<'a, T> {
    Wire(&'a [u8]),
    Value(&'a T),
}

impl<T> Clone for Lazy<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Lazy<'_, T> {}
impl<T> Clone for Repr<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Repr<'_, T> {}

impl<'a, T> Lazy<'a, T> {
    /// A field holding `value`, for encoding.
    pub const fn new(value: &'a T) -> Self {
        Self {
            repr: Repr::Value(value),
        }
    }

    /// The validated bytes, when the value was decoded.
    pub const fn wire_bytes(&self) -> Option<&'a [u8]> {
        match self.repr {
            Repr::Wire(b) => Some(b),
            Repr::Value(_) => None,
        }
    }
}

impl<'a, T: Decode<'a> + Clone> Lazy<'a, T> {
    /// The nested value.
    ///
    /// Bytes held here were validated by the decode that made this `Lazy`, so decoding
    /// them again does not fail: the same checks run on the same bytes, minus the
    /// UTF-8 and depth checks that already passed. Should it fail all the same, the
    /// result is that [`DecodeError`], never a panic (as [`Vector::try_iter`]
    /// reports its elements).
    ///
    /// [`Vector::try_iter`]: crate::Vector::try_iter
    pub fn get(&self) -> Result<T, DecodeError> {
        match self.repr {
            Repr::Value(v) => Ok(v.clone()),
            Repr::Wire(bytes) => T::decode_validated(&mut Reader::trusted(bytes)),
        }
    }
}

impl<'a, T> From<&'a T> for Lazy<'a, T> {
    fn from(value: &'a T) -> Self {
        Self::new(value)
    }
}

impl<'a, T: Decode<'a> + Clone + fmt::Debug> fmt::Debug for Lazy<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.get() {
            Ok(v) => v.fmt(f),
            Err(e) => write!(f, "<{e}>"),
        }
    }
}

impl<'a, T: Decode<'a> + Clone + PartialEq> PartialEq for Lazy<'a, T> {
    fn eq(&self, other: &Self) -> bool {
        match (self.repr, other.repr) {
            (Repr::Wire(a), Repr::Wire(b)) if a == b => true,
            _ => self.get() == other.get(),
        }
    }
}

impl<T: Encode> Encode for Lazy<'_, T> {
    #[inline]
    fn encoded_len(&self) -> usize {
        match self.repr {
            Repr::Wire(b) => b.len(),
            Repr::Value(v) => v.encoded_len(),
        }
    }

    #[inline]
    fn encode(&self, w: &mut Writer<'_>) {
        match self.repr {
            Repr::Wire(b) => w.put_slice(b),
            Repr::Value(v) => v.encode(w),
        }
    }
}

impl<'a, T: Decode<'a>> Decode<'a> for Lazy<'a, T> {
    const MIN_SIZE: usize = T::MIN_SIZE;

    #[inline]
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let start = r.position();
        T::decode(r)?;
        Ok(Self {
            repr: Repr::Wire(r.consumed_since(start)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DecodeErrorKind, Str};
    use std::string::ToString;

    #[test]
    fn bad_bytes_are_an_error_not_a_panic() {
        // Unreachable through `decode` (which validates); built here by hand.
        let l: Lazy<'_, Str<'_>> = Lazy {
            repr: Repr::Wire(&[0xff]),
        };
        let e = l.get().unwrap_err();
        assert_eq!(e.kind(), DecodeErrorKind::InvalidLengthPrefix, "{e:?}");
        assert!(std::format!("{l:?}").starts_with('<'), "{}", e.to_string());
    }
}
