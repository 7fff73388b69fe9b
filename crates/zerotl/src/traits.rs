//! The encode/decode contract that generated code implements.

use crate::error::{DecodeError, EncodeError};
use crate::reader::Reader;
use crate::writer::Writer;

/// A value that can be written as TL.
///
/// `encoded_len` is exact; `encode` writes exactly that many bytes. Boxed values
/// (generated `types::*` structs, `enums::*` and `functions::*`) include their
/// constructor id.
///
/// ```
/// use zerotl::Encode;
/// let mut buf = [0u8; 4];
/// assert_eq!(7i32.encode_to_slice(&mut buf), Ok(4));
/// assert_eq!(buf, [7, 0, 0, 0]);
/// // A short buffer is an error that names the size needed, never a panic.
/// assert!(7i64.encode_to_slice(&mut buf).is_err());
/// ```
pub trait Encode {
    /// The exact number of bytes [`Encode::encode`] writes.
    fn encoded_len(&self) -> usize;

    /// Writes the value.
    fn encode(&self, w: &mut Writer<'_>);

    /// The exact length of `items` written one after another (a vector's elements).
    #[inline]
    fn encoded_len_slice(items: &[Self]) -> usize
    where
        Self: Sized,
    {
        items.iter().map(Encode::encoded_len).sum()
    }

    /// Writes `items` one after another (a vector's elements). Fixed-size
    /// primitives override this to write the whole run after one bounds check.
    #[inline]
    fn encode_slice(items: &[Self], w: &mut Writer<'_>)
    where
        Self: Sized,
    {
        for item in items {
            item.encode(w);
        }
    }

    /// Writes the value at the start of `out` and returns the number of bytes written.
    ///
    /// One pass: the value is written straight into `out`, and only when `out` turns
    /// out too short is [`Encode::encoded_len`] computed, for an
    /// [`EncodeError::BufferTooSmall`] that names the size needed. After an error the
    /// start of `out` may hold part of the encoding (as with any `Write`-style sink).
    /// If `encoded_len` claims the value fits but `encode` wrote past the end anyway
    /// (a bug in a hand-written implementation), the error is
    /// [`EncodeError::LengthMismatch`].
    ///
    /// Forced inline: for a small request the whole encode then compiles into the
    /// caller, with the writer's cursor in a register instead of in memory. It is
    /// left out of `dyn Encode`'s vtable (a forced copy per generated type would
    /// cost build time); for a trait object call the free [`encode_to_slice`].
    #[inline(always)]
    fn encode_to_slice(&self, out: &mut [u8]) -> Result<usize, EncodeError>
    where
        Self: Sized,
    {
        encode_to_slice(self, out)
    }
}

/// [`Encode::encode_to_slice`] for any value, sized or not: what generic code over
/// `T: Encode + ?Sized` calls.
///
/// ```
/// let mut buf = [0u8; 4];
/// let v: &dyn zerotl::Encode = &7i32;
/// assert_eq!(zerotl::encode_to_slice(v, &mut buf), Ok(4));
/// ```
#[inline(always)]
pub fn encode_to_slice<E: Encode + ?Sized>(v: &E, out: &mut [u8]) -> Result<usize, EncodeError> {
    let mut w = Writer::new(out);
    v.encode(&mut w);
    match w.finish() {
        Ok(written) => Ok(written),
        Err(EncodeError::BufferTooSmall {
            needed: at_least,
            available,
        }) => Err(too_small(v.encoded_len(), at_least, available)),
        Err(e) => Err(e),
    }
}

/// The error of an [`Encode::encode_to_slice`] that ran out of room: `announced` is
/// what `encoded_len` says, `at_least` how far `encode` got before it failed.
#[cold]
#[inline(never)]
fn too_small(announced: usize, at_least: usize, available: usize) -> EncodeError {
    if announced > available {
        EncodeError::BufferTooSmall {
            needed: announced,
            available,
        }
    } else {
        EncodeError::LengthMismatch {
            announced,
            written: at_least,
        }
    }
}

/// A value that can be read from TL, borrowing from the input.
///
/// Decoding never panics, never loops without consuming input and never allocates;
/// it fails with a [`DecodeError`] naming the kind and the offset.
pub trait Decode<'a>: Sized {
    /// `Some(n)` when every value takes exactly `n` bytes and *any* `n` bytes are a
    /// valid value (`int`, `long`, `double`, `int128`, `int256`). Vectors of such
    /// elements validate with one length check.
    const FIXED_SIZE: Option<usize> = None;

    /// The fewest bytes a value can take (bounds vector counts before decoding).
    const MIN_SIZE: usize = 1;

    /// Reads one value from `r`.
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError>;

    /// Reads one value exactly as [`Decode::decode`] does (same result, same
    /// errors), for the places where inlining it pays: re-reading the elements of a
    /// decoded [`Vector`](crate::Vector) or [`Lazy`](crate::Lazy), and, in generated
    /// decoders, fields of small types made only of fixed-size fields (`Peer`).
    ///
    /// Generated types with few constructors force this inline, so a loop over a
    /// vector keeps only the reads its body uses, and the loop's reader is never
    /// handed to a function (it stays in registers). The default calls `decode`.
    #[doc(hidden)]
    #[inline]
    fn decode_validated(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Self::decode(r)
    }

    /// Reads one value that must span all of `buf`; leftover bytes are
    /// [`DecodeErrorKind::TrailingBytes`](crate::DecodeErrorKind::TrailingBytes).
    ///
    /// Forced inline, like [`Encode::encode_to_slice`]: for a small value the whole
    /// decode then compiles into the caller, with the reader in registers.
    #[inline(always)]
    fn decode_from_slice(buf: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        let v = Self::decode(&mut r)?;
        r.finish()?;
        Ok(v)
    }
}

/// A TL constructor or function with a fixed id.
///
/// A constructor that is `Identifiable` and implements [`BareEncode`] /
/// [`BareDecode`] gets its boxed [`Encode`] / [`Decode`] (the id, then the bare
/// body) from the blanket impls here: generated code writes only the body.
pub trait Identifiable {
    /// The constructor id (the CRC32 of the definition's canonical form, or the id
    /// written in the schema).
    const CONSTRUCTOR_ID: u32;

    /// The schema name (`inputPeerUser`), used in error messages.
    const NAME: &'static str;
}

impl<T: Identifiable + BareEncode> Encode for T {
    #[inline]
    fn encoded_len(&self) -> usize {
        4 + self.bare_len()
    }

    // A forwarder only: forced, so the constructor's own (hinted) `encode_boxed` is
    // what the caller sees, as when the generator wrote `encode` itself.
    #[inline(always)]
    fn encode(&self, w: &mut Writer<'_>) {
        self.encode_boxed(T::CONSTRUCTOR_ID, w)
    }
}

impl<'a, T: Identifiable + BareDecode<'a>> Decode<'a> for T {
    const MIN_SIZE: usize = 4 + T::MIN_BARE_SIZE;

    #[inline]
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        r.expect_id(T::CONSTRUCTOR_ID, T::NAME)?;
        T::decode_bare(r)
    }
}

/// Writes the body of a constructor without its id: what a *bare* type (`%T`,
/// lower-case names, `vector<message>`) puts on the wire. See [`Bare`](crate::Bare).
pub trait BareEncode {
    /// The exact length of the bare body.
    fn bare_len(&self) -> usize;

    /// Writes the bare body.
    fn encode_bare(&self, w: &mut Writer<'_>);

    /// Writes `id` and then the bare body: the boxed encoding. Generated
    /// constructors made only of fixed-size fields override it to write both after
    /// one bounds check.
    #[doc(hidden)]
    #[inline]
    fn encode_boxed(&self, id: u32, w: &mut Writer<'_>) {
        w.put_u32(id);
        self.encode_bare(w)
    }
}

/// Reads the body of a constructor without its id. See [`Bare`](crate::Bare).
pub trait BareDecode<'a>: Sized {
    /// Fewest bytes the bare body can take.
    const MIN_BARE_SIZE: usize;

    /// `Some(n)` when the bare body is `n` bytes of fixed-size scalars (see
    /// [`Decode::FIXED_SIZE`]).
    const FIXED_BARE_SIZE: Option<usize> = None;

    /// Reads the bare body. Generated constructors of small boxed types (at most
    /// four constructors) force it inline in optimised builds, so the forced-inline
    /// `Decode::decode_validated` of their enum pastes their bodies into the loops
    /// that iterate decoded vectors.
    fn decode_bare(r: &mut Reader<'a>) -> Result<Self, DecodeError>;
}

/// A TL function: encoding it makes a request; its answer decodes as `Return`.
pub trait RemoteCall: Encode {
    /// The type of the answer, borrowing from the answer's bytes.
    type Return<'r>: Decode<'r>;

    /// Decodes an answer to this function from `bytes` (exactly one value, as
    /// [`Decode::decode_from_slice`]), borrowing from them.
    ///
    /// The answer's lifetime is the lifetime of `bytes`, so no lifetime needs naming:
    /// `ExportChatInvite::decode_answer(&reply)` where writing the type out would
    /// need `<ExportChatInvite<'_> as RemoteCall>::Return<'_>` (and spelling it
    /// `Return<'static>` asks for `'static` bytes).
    ///
    /// ```
    /// use zerotl::{Encode, RemoteCall, Str, Writer};
    ///
    /// /// A function `echo#00000001 = String` (by hand; generated ones look alike).
    /// struct Echo;
    /// impl Encode for Echo {
    ///     fn encoded_len(&self) -> usize { 4 }
    ///     fn encode(&self, w: &mut Writer<'_>) { w.put_u32(1) }
    /// }
    /// impl RemoteCall for Echo {
    ///     type Return<'r> = Str<'r>;
    /// }
    ///
    /// let reply = vec![2, b'h', b'i', 0];
    /// let answer = Echo::decode_answer(&reply)?;
    /// assert_eq!(answer, "hi");
    /// assert!(Echo::decode_answer(&reply[..3]).is_err());
    /// # Ok::<(), zerotl::DecodeError>(())
    /// ```
    #[inline]
    fn decode_answer(bytes: &[u8]) -> Result<Self::Return<'_>, DecodeError> {
        <Self::Return<'_> as Decode<'_>>::decode_from_slice(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Str;

    /// Announces 4 bytes but writes 8: a broken hand-written impl.
    struct Liar;
    impl Encode for Liar {
        fn encoded_len(&self) -> usize {
            4
        }
        fn encode(&self, w: &mut Writer<'_>) {
            w.put_i64(1);
        }
    }

    #[test]
    fn short_buffer_names_the_whole_size() {
        let s = Str::new("a string of 30 bytes, no more");
        assert_eq!(s.encoded_len(), 32);
        for available in 0..32 {
            let mut out = [0u8; 32];
            assert_eq!(
                s.encode_to_slice(&mut out[..available]),
                Err(EncodeError::BufferTooSmall {
                    needed: 32,
                    available
                })
            );
        }
        let mut out = [0u8; 40];
        assert_eq!(s.encode_to_slice(&mut out), Ok(32));
    }

    #[test]
    fn a_lying_encoded_len_is_a_length_mismatch() {
        let mut out = [0u8; 6];
        assert_eq!(
            Liar.encode_to_slice(&mut out),
            Err(EncodeError::LengthMismatch {
                announced: 4,
                written: 8
            })
        );
        // With room enough, the bytes written are what counts.
        let mut out = [0u8; 8];
        assert_eq!(Liar.encode_to_slice(&mut out), Ok(8));
    }
}
