//! [`Object`]: TL's `Object` pseudotype, any boxed value kept as raw bytes.

use core::fmt;

use crate::error::{DecodeError, DecodeErrorKind};
use crate::reader::Reader;
use crate::traits::{Decode, Encode};
use crate::writer::Writer;

/// Any boxed TL value, as raw bytes (`rpc_result.result`, `message.body`, the
/// `query:!X` of a decoded `invokeWithLayer`).
///
/// The bytes are *not* validated: what they hold depends on context (the request an
/// `rpc_result` answers, the layer in use), so [`Object::decode`] checks them against
/// the type the caller names.
///
/// Decoding an `Object` field takes the rest of the enclosing input (TL places such
/// fields last), except `message.body`, whose size comes from the `bytes:int` field
/// before it ([`Object::decode_sized`]).
///
/// ```
/// use zerotl::{Decode, Object};
/// let o = Object::decode_from_slice(&[0x37, 0x97, 0x79, 0xbc]).unwrap();
/// assert_eq!(o.constructor_id(), Some(0xbc799737));
/// assert_eq!(o.decode::<bool>(), Ok(false));
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Object<'a>(&'a [u8]);

impl<'a> Object<'a> {
    /// An object over `bytes` (not checked).
    pub const fn from_bytes(bytes: &'a [u8]) -> Self {
        Self(bytes)
    }

    /// The raw bytes, starting with the constructor id.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The constructor id (the first four bytes), if there are four bytes.
    pub fn constructor_id(&self) -> Option<u32> {
        self.0.first_chunk::<4>().map(|b| u32::from_le_bytes(*b))
    }

    /// Decodes the bytes as `T`; they must be exactly one `T`.
    pub fn decode<T: Decode<'a>>(&self) -> Result<T, DecodeError> {
        T::decode_from_slice(self.0)
    }

    /// Reads an object whose size `len` was given by an earlier field.
    pub fn decode_sized(r: &mut Reader<'a>, len: i32) -> Result<Self, DecodeError> {
        let at = r.position();
        if len < 4 {
            return Err(r.error_at(
                DecodeErrorKind::InvalidValue {
                    what: "object length (below 4 bytes)",
                },
                at,
            ));
        }
        let len = len as usize;
        if len > r.remaining() {
            return Err(r.error_at(
                DecodeErrorKind::LengthBeyondInput {
                    length: len,
                    remaining: r.remaining(),
                },
                at,
            ));
        }
        r.read_slice(len).map(Self)
    }
}

impl fmt::Debug for Object<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Object(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

impl Encode for Object<'_> {
    #[inline]
    fn encoded_len(&self) -> usize {
        self.0.len()
    }
    #[inline]
    fn encode(&self, w: &mut Writer<'_>) {
        w.put_slice(self.0)
    }
}

impl<'a> Decode<'a> for Object<'a> {
    const MIN_SIZE: usize = 4;

    /// Takes the rest of the input, which must hold at least a constructor id.
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        if r.remaining() < 4 {
            return Err(r.error(DecodeErrorKind::UnexpectedEnd {
                needed: 4,
                remaining: r.remaining(),
            }));
        }
        r.read_slice(r.remaining()).map(Self)
    }
}
