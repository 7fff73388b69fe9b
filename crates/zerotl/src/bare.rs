//! [`Bare`]: a constructor written without its id.

use crate::error::DecodeError;
use crate::reader::Reader;
use crate::traits::{BareDecode, BareEncode, Decode, Encode};
use crate::writer::Writer;

/// A constructor used as a bare type: its fields without the constructor id.
///
/// TL writes a type bare when the schema names it in lower case or with `%`
/// (`vector<message>`, `vector<future_salt>`). `Bare<T>` gives such an element the
/// [`Encode`]/[`Decode`] behaviour a [`Vector`](crate::Vector) needs; it derefs to `T`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bare<T>(pub T);

impl<T> core::ops::Deref for Bare<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> From<T> for Bare<T> {
    fn from(v: T) -> Self {
        Self(v)
    }
}

impl<T: BareEncode> Encode for Bare<T> {
    #[inline]
    fn encoded_len(&self) -> usize {
        self.0.bare_len()
    }
    #[inline]
    fn encode(&self, w: &mut Writer<'_>) {
        self.0.encode_bare(w)
    }
}

impl<'a, T: BareDecode<'a>> Decode<'a> for Bare<T> {
    const FIXED_SIZE: Option<usize> = T::FIXED_BARE_SIZE;
    const MIN_SIZE: usize = T::MIN_BARE_SIZE;
    #[inline]
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        T::decode_bare(r).map(Bare)
    }
}
