//! `gzip_packed#3072cfa1 packed_data:bytes = Object`: a TL value compressed with gzip.
//!
//! ```text
//! +-----------+---------------------------------------------+
//! | 3072cfa1  | packed_data: TL bytes holding a gzip stream |
//! +-----------+---------------------------------------------+
//! gzip stream: 1f 8b 08 flags mtime(4) xfl os [extra] [name] [comment] [hcrc]
//!              | raw deflate | crc32(4, LE) | isize(4, LE)
//! ```
//!
//! Inflating goes into the caller's buffer and never beyond it: output that does
//! not fit stops the inflate with [`EnvelopeError::GzipTooLarge`], so a zip bomb
//! costs at most the buffer. The CRC32 and length of the gzip trailer are checked,
//! and nothing may follow the one gzip member. A `gzip_packed` inside the inflated
//! data is refused ([`EnvelopeError::NestedGzip`]): Telegram never nests them and
//! nesting would multiply the cap. The inflater's state (about 11 KiB) lives on
//! the stack for the duration of one call.

use miniz_oxide::inflate::core::inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
use miniz_oxide::inflate::core::{decompress, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;
use zerotl::Decode;
use zerotl::Identifiable as _;
use zerotl_types::mtproto::types;

use super::EnvelopeError;

/// Default cap on inflated bytes for the `Vec` helpers: 16 MiB.
pub const DEFAULT_MAX_INFLATED: usize = 16 * 1024 * 1024;

const FTEXT_MASK: u8 = 0x01;
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

/// The raw deflate data of a gzip member, and its trailer.
struct Member<'a> {
    deflate: &'a [u8],
}

/// Splits off the gzip header.
fn member(data: &[u8]) -> Result<Member<'_>, EnvelopeError> {
    let corrupt = EnvelopeError::GzipCorrupt;
    let [0x1f, 0x8b, 8, flags, _, _, _, _, _, _, rest @ ..] = data else {
        return Err(corrupt);
    };
    if flags & !(FTEXT_MASK | FHCRC | FEXTRA | FNAME | FCOMMENT) != 0 {
        return Err(corrupt);
    }
    let mut rest = rest;
    if flags & FEXTRA != 0 {
        let [a, b, tail @ ..] = rest else {
            return Err(corrupt);
        };
        let len = usize::from(u16::from_le_bytes([*a, *b]));
        rest = tail.get(len..).ok_or(corrupt)?;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let end = rest.iter().position(|&b| b == 0).ok_or(corrupt)?;
            rest = &rest[end + 1..];
        }
    }
    if flags & FHCRC != 0 {
        rest = rest.get(2..).ok_or(corrupt)?;
    }
    Ok(Member { deflate: rest })
}

/// Inflates a gzip stream into `out`; returns the number of bytes written.
///
/// ```
/// use zerotl_mtproto::envelope::gzip::inflate;
/// // "hi" compressed by `gzip -n`.
/// let gz = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3, 0xcb, 0xc8, 0x04, 0x00, 0xac, 0x2a, 0x93, 0xd8, 0x02, 0x00, 0x00, 0x00];
/// let mut out = [0u8; 8];
/// assert_eq!(inflate(&gz, &mut out).unwrap(), 2);
/// assert_eq!(&out[..2], b"hi");
/// assert!(inflate(&gz, &mut [0u8; 1]).is_err()); // does not fit
/// ```
pub fn inflate(packed_data: &[u8], out: &mut [u8]) -> Result<usize, EnvelopeError> {
    let max = out.len();
    let m = member(packed_data)?;
    let mut inflater = DecompressorOxide::new();
    let (status, read, written) = decompress(
        &mut inflater,
        m.deflate,
        out,
        0,
        TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
    );
    match status {
        TINFLStatus::Done => {}
        TINFLStatus::HasMoreOutput => return Err(EnvelopeError::GzipTooLarge { max }),
        _ => return Err(EnvelopeError::GzipCorrupt),
    }
    let trailer = &m.deflate[read..];
    let [c0, c1, c2, c3, s0, s1, s2, s3] = trailer else {
        return Err(EnvelopeError::GzipCorrupt);
    };
    let crc = u32::from_le_bytes([*c0, *c1, *c2, *c3]);
    let size = u32::from_le_bytes([*s0, *s1, *s2, *s3]);
    if crc != crc32fast::hash(&out[..written]) || size != written as u32 {
        return Err(EnvelopeError::GzipCorrupt);
    }
    Ok(written)
}

/// Inflates a decoded `gzip_packed` into `out` (see [`inflate`]) and checks the
/// result: a whole number of words, and not another `gzip_packed`. Returns the
/// number of bytes written.
pub fn unpack_value_into(
    packed: &types::GzipPacked<'_>,
    out: &mut [u8],
) -> Result<usize, EnvelopeError> {
    let n = inflate(packed.packed_data.as_slice(), out)?;
    check_inner(&out[..n])?;
    Ok(n)
}

fn check_inner(inner: &[u8]) -> Result<(), EnvelopeError> {
    if inner.len() < 4 || inner.len() % 4 != 0 {
        return Err(EnvelopeError::BadBodyLength {
            what: "inflated gzip_packed",
            length: inner.len(),
        });
    }
    if inner[..4] == types::GzipPacked::CONSTRUCTOR_ID.to_le_bytes() {
        return Err(EnvelopeError::NestedGzip);
    }
    Ok(())
}

#[cfg(feature = "alloc")]
mod owned {
    use alloc::vec;
    use alloc::vec::Vec;

    use zerotl::{Bytes, Decode as _};
    use zerotl_types::mtproto::types;

    use super::{check_inner, inflate, EnvelopeError};
    use crate::OutputBuffer;

    /// Inflates a gzip stream into a new vector, producing at most `max` bytes
    /// (feature `alloc`).
    pub fn inflate_to_vec(packed_data: &[u8], max: usize) -> Result<Vec<u8>, EnvelopeError> {
        // The gzip trailer names the size; trust it only up to `max`.
        let claimed = packed_data
            .len()
            .checked_sub(4)
            .and_then(|at| packed_data.get(at..))
            .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
        let mut out = vec![0u8; claimed.min(max)];
        match inflate(packed_data, &mut out) {
            Ok(n) => {
                out.truncate(n);
                Ok(out)
            }
            // The trailer lied (or the data is corrupt): try the whole cap once.
            Err(EnvelopeError::GzipTooLarge { .. }) if out.len() < max => {
                out = vec![0u8; max];
                let n = inflate(packed_data, &mut out)?;
                out.truncate(n);
                Ok(out)
            }
            Err(EnvelopeError::GzipTooLarge { .. }) => Err(EnvelopeError::GzipTooLarge { max }),
            Err(e) => Err(e),
        }
    }

    /// Decodes a boxed `gzip_packed` spanning all of `body` and inflates it (at most
    /// `max` bytes); the result must be a whole number of words and not another
    /// `gzip_packed` (feature `alloc`).
    ///
    /// ```
    /// use zerotl_mtproto::envelope::gzip::{encode_gzip_packed, unpack, DEFAULT_MAX_INFLATED};
    /// let inner = [0x69, 0x37, 0xdf, 0x69]; // chatInviteEmpty
    /// let mut packed = Vec::new();
    /// encode_gzip_packed(&inner, &mut packed).unwrap();
    /// assert_eq!(packed[..4], [0xa1, 0xcf, 0x72, 0x30]);
    /// assert_eq!(unpack(&packed, DEFAULT_MAX_INFLATED).unwrap(), inner);
    /// ```
    pub fn unpack(body: &[u8], max: usize) -> Result<Vec<u8>, EnvelopeError> {
        let packed =
            types::GzipPacked::decode_from_slice(body).map_err(EnvelopeError::tl("gzip_packed"))?;
        unpack_value(&packed, max)
    }

    /// Inflates a decoded `gzip_packed` into a new vector (see [`unpack`]).
    pub fn unpack_value(
        packed: &types::GzipPacked<'_>,
        max: usize,
    ) -> Result<Vec<u8>, EnvelopeError> {
        let inner = inflate_to_vec(packed.packed_data.as_slice(), max)?;
        check_inner(&inner)?;
        Ok(inner)
    }

    /// Compresses `data` as one gzip member (deflate level 6, no name or time).
    pub fn gzip(data: &[u8]) -> Vec<u8> {
        let deflated = miniz_oxide::deflate::compress_to_vec(data, 6);
        let mut out = Vec::with_capacity(18 + deflated.len());
        out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
        out.extend_from_slice(&deflated);
        out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out
    }

    /// Appends `gzip_packed` holding `body` (a boxed TL value) compressed with gzip.
    pub fn encode_gzip_packed<O: OutputBuffer + ?Sized>(
        body: &[u8],
        out: &mut O,
    ) -> Result<(), EnvelopeError> {
        let compressed = gzip(body);
        crate::buf::append_tl(
            &types::GzipPacked {
                packed_data: Bytes::new(&compressed),
            },
            out,
        )
        .map_err(EnvelopeError::from)
    }
}

#[cfg(feature = "alloc")]
pub use owned::{encode_gzip_packed, gzip, inflate_to_vec, unpack, unpack_value};

/// Decodes a boxed `gzip_packed` spanning all of `body` and inflates it into `out`
/// (see [`unpack_value_into`]).
pub fn unpack_into(body: &[u8], out: &mut [u8]) -> Result<usize, EnvelopeError> {
    let packed =
        types::GzipPacked::decode_from_slice(body).map_err(EnvelopeError::tl("gzip_packed"))?;
    unpack_value_into(&packed, out)
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_strictness() {
        let data: alloc::vec::Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        let gz = gzip(&data);
        assert_eq!(inflate_to_vec(&gz, 1 << 20).unwrap(), data);
        assert_eq!(
            inflate_to_vec(&gz, 4999),
            Err(EnvelopeError::GzipTooLarge { max: 4999 })
        );
        // A wrong CRC, a wrong size, trailing bytes, a truncated trailer.
        let mut bad = gz.clone();
        let at = bad.len() - 8;
        bad[at] ^= 1;
        assert_eq!(
            inflate_to_vec(&bad, 1 << 20),
            Err(EnvelopeError::GzipCorrupt)
        );
        let mut bad = gz.clone();
        let at = bad.len() - 1;
        bad[at] ^= 1;
        assert!(inflate_to_vec(&bad, 1 << 20).is_err());
        let mut bad = gz.clone();
        bad.push(0);
        assert_eq!(
            inflate_to_vec(&bad, 1 << 20),
            Err(EnvelopeError::GzipCorrupt)
        );
        for cut in 0..gz.len() {
            assert!(inflate_to_vec(&gz[..cut], 1 << 20).is_err(), "{cut}");
        }
    }

    #[test]
    fn optional_header_fields() {
        let plain = gzip(b"abcd");
        // FEXTRA (2 bytes), FNAME "n", FCOMMENT "c", FHCRC.
        let mut gz = plain[..10].to_vec();
        gz[3] = FEXTRA | FNAME | FCOMMENT | FHCRC;
        gz.extend_from_slice(&[2, 0, 0xaa, 0xbb, b'n', 0, b'c', 0, 0x12, 0x34]);
        gz.extend_from_slice(&plain[10..]);
        let mut out = [0u8; 4];
        assert_eq!(inflate(&gz, &mut out), Ok(4));
        assert_eq!(&out, b"abcd");
        gz[3] |= 0x20; // a reserved flag
        assert_eq!(inflate(&gz, &mut out), Err(EnvelopeError::GzipCorrupt));
    }
}
