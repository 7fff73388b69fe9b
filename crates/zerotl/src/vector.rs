//! Lazy, validated views of TL vectors.
//!
//! ```text
//! boxed  Vector<T>: | 0x1cb5c415 | count: int | count x T |
//! bare   vector<T>: |              count: int | count x T |
//! ```
//!
//! Elements are bare or boxed according to `T` (`Vector<long>` holds bare longs,
//! `Vector<User>` boxed users). A decoded vector keeps the element bytes and its
//! count; every element was decoded once to validate it, and [`Vector::iter`]
//! decodes them again on demand without allocating, through
//! [`Decode::decode_validated`] (forced inline by small generated enums, so a loop
//! keeps only the reads it uses).

use core::fmt;
use core::marker::PhantomData;

use crate::error::{DecodeError, DecodeErrorKind};
#[cfg(feature = "zerocopy")]
use crate::le;
use crate::reader::Reader;
use crate::traits::{Decode, Encode};
use crate::writer::Writer;

/// `vector#1cb5c415 {t:Type} # [ t ] = Vector t`.
pub const VECTOR_ID: u32 = 0x1cb5_c415;

/// A TL vector: boxed (`Vector<T>`, the default) or bare (`vector<T>`,
/// see [`BareVector`]).
///
/// Decoded vectors are views over validated input; vectors built for encoding borrow
/// a slice ([`Vector::from_slice`] or `From<&[T]>`).
///
/// ```
/// use zerotl::{Decode, Encode, Vector};
/// let wire = [0x15, 0xc4, 0xb5, 0x1c, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0];
/// let v = Vector::<i32>::decode_from_slice(&wire).unwrap();
/// assert_eq!(v.len(), 2);
/// assert_eq!(v.iter().collect::<Vec<_>>(), [1, 2]);
///
/// let mut out = [0u8; 16];
/// assert_eq!(Vector::<i32>::from_slice(&[1, 2]).encode_to_slice(&mut out), Ok(16));
/// assert_eq!(out, wire);
/// ```
pub struct Vector<'a, T, const BOXED: bool = true> {
    repr: Repr<'a, T>,
}

/// A bare TL vector (`vector<T>`, `%Vector<T>`): a count and the elements, no id.
pub type BareVector<'a, T> = Vector<'a, T, false>;

enum Repr<'a, T> {
    /// Validated element bytes (without id and count) and the element count.
    Wire {
        bytes: &'a [u8],
        len: u32,
        _t: PhantomData<T>,
    },
    /// Values supplied for encoding.
    Slice(&'a [T]),
}

impl<T> Clone for Repr<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Repr<'_, T> {}

impl<T, const B: bool> Clone for Vector<'_, T, B> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T, const B: bool> Copy for Vector<'_, T, B> {}

impl<'a, T, const B: bool> Vector<'a, T, B> {
    /// A vector over `items`, for encoding.
    pub const fn from_slice(items: &'a [T]) -> Self {
        Self {
            repr: Repr::Slice(items),
        }
    }

    /// An empty vector.
    pub const fn empty() -> Self {
        Self::from_slice(&[])
    }

    /// The number of elements.
    pub const fn len(&self) -> usize {
        match self.repr {
            Repr::Wire { len, .. } => len as usize,
            Repr::Slice(s) => s.len(),
        }
    }

    /// Whether there are no elements.
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The encoded elements (without id and count) when the vector was decoded.
    pub const fn wire_bytes(&self) -> Option<&'a [u8]> {
        match self.repr {
            Repr::Wire { bytes, .. } => Some(bytes),
            Repr::Slice(_) => None,
        }
    }

    /// The elements when the vector was built from a slice.
    pub const fn as_slice(&self) -> Option<&'a [T]> {
        match self.repr {
            Repr::Wire { .. } => None,
            Repr::Slice(s) => Some(s),
        }
    }

    const HEADER: usize = if B { 8 } else { 4 };
}

impl<'a, T: Decode<'a> + Clone, const B: bool> Vector<'a, T, B> {
    /// The elements, in order.
    pub fn iter(&self) -> Iter<'a, T> {
        match self.repr {
            // Fixed-size elements: walk the validated bytes in exact chunks.
            Repr::Wire { bytes, .. } if matches!(T::FIXED_SIZE, Some(n) if n > 0) => Iter {
                inner: IterRepr::Fixed(bytes.chunks_exact(T::FIXED_SIZE.unwrap_or(1))),
            },
            Repr::Wire { bytes, len, .. } => Iter {
                inner: IterRepr::Wire {
                    reader: Reader::trusted(bytes),
                    left: len,
                },
            },
            Repr::Slice(s) => Iter {
                inner: IterRepr::Slice(s.iter()),
            },
        }
    }

    /// The elements, in order, each as a `Result`: what [`Vector::iter`] yields, plus
    /// the [`DecodeError`](crate::DecodeError) that would end it early. The bytes of a
    /// decoded vector were validated in full, so no element fails; should one fail
    /// all the same, it is reported here as [`Lazy::get`](crate::Lazy::get) reports
    /// it, and iteration ends. [`Vector::iter`] stops at that point without a value.
    pub fn try_iter(&self) -> impl Iterator<Item = Result<T, crate::DecodeError>> + 'a {
        let mut wire = match self.repr {
            Repr::Wire { bytes, len, .. } => Some((Reader::trusted(bytes), len)),
            Repr::Slice(_) => None,
        };
        let mut slice = match self.repr {
            Repr::Slice(s) => Some(s.iter()),
            Repr::Wire { .. } => None,
        };
        core::iter::from_fn(move || {
            if let Some(it) = &mut slice {
                return it.next().cloned().map(Ok);
            }
            let (r, left) = wire.as_mut()?;
            if *left == 0 {
                return None;
            }
            *left -= 1;
            match T::decode_validated(r) {
                Ok(v) => Some(Ok(v)),
                Err(e) => {
                    *left = 0;
                    Some(Err(e))
                }
            }
        })
    }

    /// The element at `index` (constant time for fixed-size elements, a walk otherwise).
    pub fn get(&self, index: usize) -> Option<T> {
        match (self.repr, T::FIXED_SIZE) {
            (Repr::Wire { bytes, len, .. }, Some(size)) if index < len as usize => {
                let at = index * size;
                T::decode(&mut Reader::trusted(bytes.get(at..at + size)?)).ok()
            }
            _ => self.iter().nth(index),
        }
    }
}

/// Typed views of decoded vectors of fixed-size numbers, through zerocopy: the
/// element bytes, already validated, seen as a slice of little-endian integers
/// (alignment 1, so no copy and no per-element check; `.get()` converts on any host).
#[cfg(feature = "zerocopy")]
macro_rules! le_slice_view {
    ($($t:ty => $le:ident),* $(,)?) => {$(
        impl<'a, const B: bool> Vector<'a, $t, B> {
            #[doc = concat!("The decoded elements as `&[", stringify!($le), "]` over the input bytes")]
            /// (`None` for a vector built from a slice: see [`Vector::as_slice`]).
            ///
            /// ```
            /// use zerotl::{Decode, Vector};
            /// let wire = [0x15, 0xc4, 0xb5, 0x1c, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0];
            /// let v = Vector::<i64>::decode_from_slice(&wire).unwrap();
            /// let longs = v.as_le_slice().unwrap();
            /// assert_eq!(longs.iter().map(|x| x.get()).sum::<i64>(), 3);
            /// ```
            pub fn as_le_slice(&self) -> Option<&'a [le::$le]> {
                let bytes = self.wire_bytes()?;
                // Decoding checked that `bytes` holds exactly `len` elements.
                <[le::$le] as zerocopy::FromBytes>::ref_from_bytes(bytes).ok()
            }
        }
    )*};
}

#[cfg(feature = "zerocopy")]
le_slice_view!(i32 => I32, i64 => I64, f64 => F64);

/// The iterator of [`Vector::iter`].
pub struct Iter<'a, T> {
    inner: IterRepr<'a, T>,
}

enum IterRepr<'a, T> {
    Fixed(core::slice::ChunksExact<'a, u8>),
    Wire { reader: Reader<'a>, left: u32 },
    Slice(core::slice::Iter<'a, T>),
}

impl<'a, T: Decode<'a> + Clone> Iterator for Iter<'a, T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        match &mut self.inner {
            IterRepr::Fixed(chunks) => T::decode(&mut Reader::trusted(chunks.next()?)).ok(),
            IterRepr::Wire { reader, left } => {
                if *left == 0 {
                    return None;
                }
                *left -= 1;
                // The bytes were validated when the vector was decoded, so this cannot
                // fail; if it ever did, the iteration would simply end.
                match T::decode_validated(reader) {
                    Ok(v) => Some(v),
                    Err(_) => {
                        *left = 0;
                        None
                    }
                }
            }
            IterRepr::Slice(it) => it.next().cloned(),
        }
    }

    /// Internal iteration (used by `sum`, `for_each`, `count`, ...): the elements are
    /// decoded with a reader held in a local and handed to `f` as they are built,
    /// without the `Option` round trip of [`Iterator::next`].
    #[inline]
    fn fold<B, F: FnMut(B, T) -> B>(self, init: B, mut f: F) -> B {
        match self.inner {
            IterRepr::Fixed(chunks) => chunks
                .filter_map(|c| T::decode(&mut Reader::trusted(c)).ok())
                .fold(init, f),
            IterRepr::Wire { reader, left } => {
                // A fresh trusted reader in a local: the compiler sees that it is
                // trusted, so the checks a trusted reader skips (UTF-8, padding,
                // unknown flags) vanish from the loop.
                let mut reader = Reader::trusted(reader.rest());
                let mut acc = init;
                for _ in 0..left {
                    // Validated bytes: an error cannot happen; if it did, iteration ends
                    // as it does in `next`.
                    match T::decode_validated(&mut reader) {
                        Ok(v) => acc = f(acc, v),
                        Err(_) => break,
                    }
                }
                acc
            }
            IterRepr::Slice(it) => it.cloned().fold(init, f),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match &self.inner {
            IterRepr::Fixed(chunks) => chunks.len(),
            IterRepr::Wire { left, .. } => *left as usize,
            IterRepr::Slice(it) => it.len(),
        };
        (n, Some(n))
    }
}

impl<'a, T: Decode<'a> + Clone> ExactSizeIterator for Iter<'a, T> {}

impl<'a, T: Decode<'a> + Clone, const B: bool> IntoIterator for &Vector<'a, T, B> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<'a, T, const B: bool> From<&'a [T]> for Vector<'a, T, B> {
    fn from(items: &'a [T]) -> Self {
        Self::from_slice(items)
    }
}

impl<'a, T, const N: usize, const B: bool> From<&'a [T; N]> for Vector<'a, T, B> {
    fn from(items: &'a [T; N]) -> Self {
        Self::from_slice(items)
    }
}

impl<T, const B: bool> Default for Vector<'_, T, B> {
    fn default() -> Self {
        Self::empty()
    }
}

impl<'a, T: Decode<'a> + Clone + fmt::Debug, const B: bool> fmt::Debug for Vector<'a, T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T: Decode<'a> + Clone + PartialEq, const B: bool> PartialEq for Vector<'a, T, B> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: Encode, const B: bool> Encode for Vector<'_, T, B> {
    #[inline]
    fn encoded_len(&self) -> usize {
        Self::HEADER
            + match self.repr {
                Repr::Wire { bytes, .. } => bytes.len(),
                Repr::Slice(items) => T::encoded_len_slice(items),
            }
    }

    #[inline]
    fn encode(&self, w: &mut Writer<'_>) {
        if B {
            w.put_u32(VECTOR_ID);
        }
        match self.repr {
            Repr::Wire { bytes, len, .. } => {
                w.put_u32(len);
                w.put_slice(bytes);
            }
            Repr::Slice(items) => {
                w.put_u32(items.len() as u32);
                T::encode_slice(items, w);
            }
        }
    }
}

impl<'a, T: Decode<'a>, const B: bool> Decode<'a> for Vector<'a, T, B> {
    const MIN_SIZE: usize = Self::HEADER;

    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        if B {
            let at = r.position();
            let id = r.read_u32()?;
            if id != VECTOR_ID {
                return Err(r.error_at(
                    DecodeErrorKind::UnknownConstructor {
                        id,
                        expected: "Vector",
                    },
                    at,
                ));
            }
        }
        let len = r.read_count(T::MIN_SIZE)?;
        let start = r.position();
        match T::FIXED_SIZE {
            // read_count checked len * size <= remaining.
            Some(size) => {
                r.skip(len as usize * size)?;
            }
            None => {
                // The loop runs on a copy, so the reader stays in registers (writing
                // through `r` after every read costs a store per field); the copy is
                // written back once at the end.
                let mut local = r.clone();
                for _ in 0..len {
                    T::decode(&mut local)?;
                }
                *r = local;
            }
        }
        Ok(Self {
            repr: Repr::Wire {
                bytes: r.consumed_since(start),
                len,
                _t: PhantomData,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Str;

    #[test]
    fn try_iter_reports_bad_bytes_and_ends() {
        // Unreachable through `decode` (which validates); built here by hand.
        let v: Vector<'_, Str<'_>> = Vector {
            repr: Repr::Wire {
                bytes: &[1, b'a', 0, 0, 0xff],
                len: 3,
                _t: PhantomData,
            },
        };
        let got: std::vec::Vec<_> = v.try_iter().collect();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], Ok(Str::new("a")));
        assert!(got[1].is_err());
        assert_eq!(v.iter().count(), 1);
    }

    #[test]
    fn bare_vector_bytes() {
        let wire = [2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0];
        let v = BareVector::<i32>::decode_from_slice(&wire).unwrap();
        assert_eq!(v.iter().collect::<std::vec::Vec<_>>(), [1, 2]);
        let mut out = [0u8; 12];
        assert_eq!(BareVector::from(&[1, 2]).encode_to_slice(&mut out), Ok(12));
        assert_eq!(out, wire);
    }

    #[test]
    fn huge_count_fails_before_reading() {
        // Boxed Vector<long> claiming 2^31-1 elements in 12 bytes.
        let wire = [0x15, 0xc4, 0xb5, 0x1c, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0];
        let e = Vector::<i64>::decode_from_slice(&wire).unwrap_err();
        assert_eq!(
            e.kind(),
            DecodeErrorKind::CountBeyondInput {
                count: 0x7fff_ffff,
                remaining: 4
            }
        );
        assert_eq!(e.offset(), 4);
        let wire = [0x15, 0xc4, 0xb5, 0x1c, 0xff, 0xff, 0xff, 0xff];
        let e = Vector::<i64>::decode_from_slice(&wire).unwrap_err();
        assert_eq!(e.kind(), DecodeErrorKind::NegativeCount { count: -1 });
    }

    #[test]
    fn string_elements_validate_once() {
        let wire = [2, 0, 0, 0, 1, b'a', 0, 0, 2, b'b', b'c', 0];
        let v = BareVector::<Str>::decode_from_slice(&wire).unwrap();
        let mut it = v.iter();
        assert_eq!(it.next().unwrap(), "a");
        assert_eq!(it.next().unwrap(), "bc");
        assert!(it.next().is_none());
        assert_eq!(v.get(1).unwrap(), "bc");
        let bad = [1, 0, 0, 0, 1, 0xff, 0, 0];
        let e = BareVector::<Str>::decode_from_slice(&bad).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (DecodeErrorKind::InvalidUtf8, 4));
    }

    #[test]
    fn fold_matches_next() {
        // `fold` (internal iteration) and `next` see the same elements, for wire,
        // fixed-size and slice vectors, also after `next` was called.
        let wire = [3, 0, 0, 0, 1, b'a', 0, 0, 2, b'b', b'c', 0, 0, 0, 0, 0];
        let v = BareVector::<Str>::decode_from_slice(&wire).unwrap();
        let by_next: std::vec::Vec<_> = v.iter().collect();
        let by_fold = v.iter().fold(std::vec::Vec::new(), |mut acc, s| {
            acc.push(s);
            acc
        });
        assert_eq!(by_next, by_fold);
        assert_eq!(by_fold, ["a", "bc", ""]);
        let mut it = v.iter();
        it.next();
        assert_eq!(it.map(|s| s.len()).sum::<usize>(), 2);
        let longs = BareVector::<i64>::decode_from_slice(&[
            2, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ])
        .unwrap();
        assert_eq!(longs.iter().sum::<i64>(), 4);
        assert_eq!(Vector::<i64>::from_slice(&[1, 2, 3]).iter().sum::<i64>(), 6);
    }

    #[test]
    #[cfg(feature = "zerocopy")]
    fn le_slice_views() {
        let wire = [2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 7, 0, 0, 0];
        let v = BareVector::<i32>::decode_from_slice(&wire).unwrap();
        let view = v.as_le_slice().unwrap();
        assert_eq!(view.len(), 2);
        assert_eq!((view[0].get(), view[1].get()), (-1, 7));
        let mut wire = std::vec![0x15, 0xc4, 0xb5, 0x1c, 1, 0, 0, 0];
        wire.extend_from_slice(&1.5f64.to_le_bytes());
        let v = Vector::<f64>::decode_from_slice(&wire).unwrap();
        assert_eq!(v.as_le_slice().unwrap()[0].get(), 1.5);
        assert!(Vector::<i64>::from_slice(&[1]).as_le_slice().is_none());
        // An empty vector is an empty view.
        let v = BareVector::<i64>::decode_from_slice(&[0, 0, 0, 0]).unwrap();
        assert_eq!(v.as_le_slice().unwrap().len(), 0);
    }

    #[test]
    fn fixed_size_get() {
        let wire = [
            3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0,
        ];
        let v = BareVector::<i64>::decode_from_slice(&wire).unwrap();
        assert_eq!(v.get(2), Some(3));
        assert_eq!(v.get(3), None);
    }
}
