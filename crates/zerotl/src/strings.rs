//! Zero-copy TL `string` ([`Str`]) and `bytes` ([`Bytes`]).
//!
//! Wire form (`core.telegram.org/mtproto/serialize`), L = length in bytes:
//!
//! ```text
//! L <= 253:  | L (1 byte) | L bytes | 0-3 zero bytes to a multiple of 4 |
//! L >= 254:  | 0xfe | L (3 bytes LE) | L bytes | 0-3 zero bytes          |
//! ```
//!
//! Decoding is strict: `0xff` headers, the long form for L < 254 and non-zero padding
//! are rejected, so a decoded value re-encodes to the same bytes.

use core::fmt;

use crate::error::{DecodeError, DecodeErrorKind};
use crate::reader::Reader;
use crate::traits::{Decode, Encode};
use crate::writer::Writer;

/// The encoded size of a TL `string`/`bytes` of `len` bytes (header, data, padding).
///
/// ```
/// assert_eq!(zerotl::tl_bytes_len(0), 4);
/// assert_eq!(zerotl::tl_bytes_len(253), 256);
/// assert_eq!(zerotl::tl_bytes_len(254), 260);
/// ```
#[inline]
pub const fn tl_bytes_len(len: usize) -> usize {
    let header = if len <= 253 { 1 } else { 4 };
    (header + len + 3) & !3
}

/// A TL `string`: UTF-8 text borrowed from the input.
///
/// Decoding checks UTF-8 once; [`Str::as_str`] then hands out the text. `len()` is
/// free. Build one for encoding with `Str::from("...")`.
///
/// ```
/// use zerotl::{Decode, Str};
/// let s = Str::decode_from_slice(&[3, 0xe2, 0x82, 0xac]).unwrap();
/// assert_eq!(s.as_str(), "€");
/// assert_eq!(s.len(), 3);
/// assert!(Str::decode_from_slice(&[1, 0xff, 0, 0]).is_err()); // not UTF-8
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Str<'a>(&'a [u8]);

impl<'a> Str<'a> {
    /// A string over `s`.
    pub const fn new(s: &'a str) -> Self {
        Self(s.as_bytes())
    }

    /// Checks `bytes` as UTF-8.
    pub fn from_utf8(bytes: &'a [u8]) -> Result<Self, core::str::Utf8Error> {
        core::str::from_utf8(bytes).map(Self::new)
    }

    /// The text. The bytes were checked as UTF-8 when the value was made; this call
    /// re-runs the (fast) check because the core crate has no `unsafe`, so prefer
    /// [`Str::len`] or [`Str::as_bytes`] when they are enough.
    pub fn as_str(&self) -> &'a str {
        core::str::from_utf8(self.0).unwrap_or_default()
    }

    /// The UTF-8 bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// Length in bytes.
    pub const fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the string is empty.
    pub const fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> From<&'a str> for Str<'a> {
    fn from(s: &'a str) -> Self {
        Self::new(s)
    }
}

/// A view of a `String` (feature `alloc`), so that `title: (&title).into()` works
/// on an owned string as it does on a `&str`.
///
/// ```
/// # #[cfg(feature = "alloc")] {
/// # extern crate alloc;
/// let title = alloc::string::String::from("release notes");
/// let s: zerotl::Str<'_> = (&title).into();
/// assert_eq!(s, "release notes");
/// # }
/// ```
#[cfg(feature = "alloc")]
impl<'a> From<&'a alloc::string::String> for Str<'a> {
    fn from(s: &'a alloc::string::String) -> Self {
        Self::new(s.as_str())
    }
}

impl PartialEq<str> for Str<'_> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for Str<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl fmt::Debug for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Encode for Str<'_> {
    #[inline]
    fn encoded_len(&self) -> usize {
        tl_bytes_len(self.0.len())
    }
    #[inline]
    fn encode(&self, w: &mut Writer<'_>) {
        w.put_tl_bytes(self.0)
    }
}

impl<'a> Decode<'a> for Str<'a> {
    const MIN_SIZE: usize = 4;
    #[inline(always)]
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let data = match r.read_short_tl_bytes() {
            Some(data) => data,
            None => r.read_other_tl_bytes()?,
        };
        // Bytes a vector or `Lazy` already validated skip the check. The check and the
        // error are out of line and take plain values, so this function is small
        // enough to force inline everywhere, and it never hands the reader to a call:
        // a decoding loop keeps the reader in registers.
        if !r.is_trusted() && !is_text(data) {
            return Err(invalid_utf8(r.position(), data.len()));
        }
        Ok(Self(data))
    }
}

/// Whether a decoded string is UTF-8. Most TL strings (links, usernames, ids) are
/// ASCII: that is checked a word at a time first; the full validation runs only if
/// it fails.
#[inline(never)]
fn is_text(data: &[u8]) -> bool {
    is_ascii(data) || core::str::from_utf8(data).is_ok()
}

/// Whether every byte of `data` is below 0x80. Strings up to 64 bytes (nearly all
/// TL strings) take two overlapping blocks, the first and the last 4, 8, 16 or 32
/// bytes, OR-ed as words with one test of the top bits: no loop, no byte-by-byte
/// tail. Longer strings use the standard library's loop.
#[inline]
fn is_ascii(data: &[u8]) -> bool {
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let any = if let (Some(a), Some(b)) = (data.first_chunk::<32>(), data.last_chunk::<32>()) {
        if data.len() > 64 {
            return data.is_ascii();
        }
        or_words(a) | or_words(b)
    } else if let (Some(a), Some(b)) = (data.first_chunk::<16>(), data.last_chunk::<16>()) {
        or_words(a) | or_words(b)
    } else if let (Some(a), Some(b)) = (data.first_chunk::<8>(), data.last_chunk::<8>()) {
        or_words(a) | or_words(b)
    } else if let (Some(a), Some(b)) = (data.first_chunk::<4>(), data.last_chunk::<4>()) {
        u64::from(u32::from_ne_bytes(*a) | u32::from_ne_bytes(*b))
    } else {
        data.iter().fold(0, |acc, &b| acc | u64::from(b))
    };
    any & HIGH == 0
}

/// The 8-byte words of `block` OR-ed together.
#[inline(always)]
fn or_words<const N: usize>(block: &[u8; N]) -> u64 {
    block.chunks_exact(8).fold(0, |acc, w| {
        acc | w.first_chunk::<8>().map_or(0, |w| u64::from_ne_bytes(*w))
    })
}

/// The error for a string of `len` bytes that was just read and is not UTF-8, the
/// reader being at `end`: its header starts `tl_bytes_len(len)` bytes back (decoding
/// accepts only the canonical length form).
#[cold]
#[inline(never)]
fn invalid_utf8(end: usize, len: usize) -> DecodeError {
    DecodeError::new(
        DecodeErrorKind::InvalidUtf8,
        end.saturating_sub(tl_bytes_len(len)),
    )
}

/// A TL `bytes`: arbitrary octets borrowed from the input.
///
/// ```
/// use zerotl::{Bytes, Encode};
/// let b = Bytes::from(&[1u8, 2, 3][..]);
/// let mut out = [0u8; 4];
/// assert_eq!(b.encode_to_slice(&mut out), Ok(4));
/// assert_eq!(out, [3, 1, 2, 3]);
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    /// Bytes over `b`.
    pub const fn new(b: &'a [u8]) -> Self {
        Self(b)
    }

    /// The octets.
    pub const fn as_slice(&self) -> &'a [u8] {
        self.0
    }

    /// Length in bytes.
    pub const fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no bytes.
    pub const fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> From<&'a [u8]> for Bytes<'a> {
    fn from(b: &'a [u8]) -> Self {
        Self(b)
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Bytes<'a> {
    fn from(b: &'a [u8; N]) -> Self {
        Self(b)
    }
}

/// A view of a `Vec<u8>` (feature `alloc`).
///
/// ```
/// # #[cfg(feature = "alloc")] {
/// # extern crate alloc;
/// let data = alloc::vec![1u8, 2, 3];
/// let b: zerotl::Bytes<'_> = (&data).into();
/// assert_eq!(&*b, [1, 2, 3]);
/// # }
/// ```
#[cfg(feature = "alloc")]
impl<'a> From<&'a alloc::vec::Vec<u8>> for Bytes<'a> {
    fn from(b: &'a alloc::vec::Vec<u8>) -> Self {
        Self(b.as_slice())
    }
}

impl core::ops::Deref for Bytes<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.0
    }
}

impl fmt::Debug for Bytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("b\"")?;
        for &b in self.0 {
            for c in core::ascii::escape_default(b) {
                fmt::Write::write_char(f, c as char)?;
            }
        }
        f.write_str("\"")
    }
}

impl Encode for Bytes<'_> {
    #[inline]
    fn encoded_len(&self) -> usize {
        tl_bytes_len(self.0.len())
    }
    #[inline]
    fn encode(&self, w: &mut Writer<'_>) {
        w.put_tl_bytes(self.0)
    }
}

impl<'a> Decode<'a> for Bytes<'a> {
    const MIN_SIZE: usize = 4;
    #[inline]
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        match r.read_short_tl_bytes() {
            Some(data) => Ok(Self(data)),
            None => r.read_other_tl_bytes().map(Self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::EncodeError;

    fn enc(data: &[u8], out: &mut [u8]) -> usize {
        Bytes::new(data).encode_to_slice(out).unwrap()
    }

    #[test]
    fn ascii_check_sees_every_byte() {
        // Every length from 0 to 100 (each block/overlap case and the long loop), a
        // high bit at every position, against the standard library's answer. Under
        // miri (CI runs it twice) only the lengths around each block boundary.
        let boundaries = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 65];
        let lengths: std::vec::Vec<usize> = if cfg!(miri) {
            boundaries.to_vec()
        } else {
            (0..=100).collect()
        };
        let mut data = [b'a'; 100];
        for len in lengths {
            assert!(is_ascii(&data[..len]), "len {len}");
            for at in 0..len {
                for high in [0x80, 0xff] {
                    data[at] = high;
                    assert!(!is_ascii(&data[..len]), "len {len}, byte {at}");
                    assert_eq!(is_ascii(&data[..len]), data[..len].is_ascii());
                    data[at] = b'a';
                }
            }
        }
    }

    #[test]
    fn invalid_utf8_names_the_header_offset() {
        // Short and long length forms, after a 4-byte prefix: the error points at
        // the string's first byte (its length header).
        for len in [1usize, 40, 253, 254, 300] {
            let mut wire = [0u8; 4 + 4 + 300 + 3].to_vec();
            let n = enc(&[b'x'; 300][..len], &mut wire[4..]);
            wire.truncate(4 + n);
            let header = if len <= 253 { 1 } else { 4 };
            wire[4 + header + len - 1] = 0xff;
            let mut r = Reader::new(&wire);
            r.skip(4).unwrap();
            let e = Str::decode(&mut r).unwrap_err();
            assert_eq!(
                (e.kind(), e.offset()),
                (DecodeErrorKind::InvalidUtf8, 4),
                "len {len}"
            );
        }
    }

    #[test]
    fn wire_md_string_edges() {
        let mut out = [0u8; 512];
        // "" -> 00000000
        assert_eq!(enc(b"", &mut out), 4);
        assert_eq!(out[..4], [0, 0, 0, 0]);
        // "test" -> 04 74657374 000000
        assert_eq!(enc(b"test", &mut out), 8);
        assert_eq!(out[..8], [4, b't', b'e', b's', b't', 0, 0, 0]);
        // 253 bytes -> fd + 253 + 0000 (256)
        let d = [0x61u8; 396];
        assert_eq!(enc(&d[..253], &mut out), 256);
        assert_eq!(out[0], 0xfd);
        assert_eq!(out[254..256], [0, 0]);
        // 254 bytes -> fe fe 00 00 + 254 + 0000 (260)
        assert_eq!(enc(&d[..254], &mut out), 260);
        assert_eq!(out[..4], [0xfe, 0xfe, 0, 0]);
        // 396 -> fe 8c 01 00 + 396 (400)
        assert_eq!(enc(&d[..396], &mut out), 400);
        assert_eq!(out[..4], [0xfe, 0x8c, 0x01, 0x00]);
        // 273 -> fe 11 01 00
        assert_eq!(enc(&d[..273], &mut out), 280);
        assert_eq!(out[..4], [0xfe, 0x11, 0x01, 0x00]);
    }

    #[test]
    fn round_trip_all_small_lengths() {
        let data = [0x5au8; 600];
        let mut out = [0u8; 700];
        for len in 0..600 {
            let n = enc(&data[..len], &mut out);
            assert_eq!(n, tl_bytes_len(len));
            assert_eq!(n % 4, 0);
            let back = Bytes::decode_from_slice(&out[..n]).unwrap();
            assert_eq!(back.as_slice(), &data[..len]);
        }
    }

    #[test]
    fn encoding_overwrites_a_dirty_buffer_exactly() {
        // Header, data and zero padding, whatever the buffer held before, and not a
        // byte beyond the value.
        let data: std::vec::Vec<u8> = (0..600u32).map(|i| (i % 251) as u8 + 1).collect();
        // Under miri (CI runs it on two targets) every 7th length and the header switch.
        let step = if cfg!(miri) { 7 } else { 1 };
        for len in (0..600).step_by(step).chain([253, 254, 255]) {
            let mut out = [0xaau8; 612];
            let n = enc(&data[..len], &mut out);
            let mut expected = std::vec::Vec::new();
            if len < 254 {
                expected.push(len as u8);
            } else {
                expected.extend_from_slice(&[254, len as u8, (len >> 8) as u8, 0]);
            }
            expected.extend_from_slice(&data[..len]);
            expected.resize(n, 0);
            assert_eq!(n % 4, 0);
            assert_eq!(&out[..n], &expected[..], "len {len}");
            assert!(out[n..].iter().all(|&b| b == 0xaa), "len {len}");
        }
    }

    #[test]
    fn strict_decoding() {
        let k = |b: &[u8]| Bytes::decode_from_slice(b).unwrap_err().kind();
        assert_eq!(k(&[0xff, 0, 0, 0]), DecodeErrorKind::InvalidLengthPrefix);
        assert_eq!(
            k(&[0xfe, 3, 0, 0, 1, 2, 3, 0]),
            DecodeErrorKind::NonCanonicalLength { length: 3 }
        );
        assert_eq!(k(&[1, 9, 0, 1]), DecodeErrorKind::NonZeroPadding);
        // A 16 MiB claim in a 12-byte input fails on the length, before any read.
        assert_eq!(
            k(&[0xfe, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]),
            DecodeErrorKind::LengthBeyondInput {
                length: 0x00ff_ffff,
                remaining: 8
            }
        );
        // Data present but padding cut off.
        let e = Bytes::decode_from_slice(&[2, 7, 7]).unwrap_err();
        assert!(e.kind().is_truncation());
        assert_eq!(e.offset(), 3);
    }

    #[test]
    fn every_padding_byte_and_every_cut_fails_in_place() {
        // The short-form fast path and the general path must agree on every length
        // around the 253/254 boundary: a non-zero byte in any padding position is
        // NonZeroPadding at the first padding byte, a cut anywhere is a truncation.
        let data = [0x61u8; 300];
        let mut out = [0u8; 320];
        let lens: std::vec::Vec<usize> = if cfg!(miri) {
            // Under miri: one length per padding amount on each side of the boundary.
            (0..4).chain(250..258).collect()
        } else {
            (0..20).chain(240..270).collect()
        };
        for len in lens {
            let n = enc(&data[..len], &mut out);
            let header = if len < 254 { 1 } else { 4 };
            for p in header + len..n {
                let mut bad = out;
                bad[p] = 0x80;
                let e = Bytes::decode_from_slice(&bad[..n]).unwrap_err();
                assert_eq!(
                    e.kind(),
                    DecodeErrorKind::NonZeroPadding,
                    "len {len} at {p}"
                );
                assert_eq!(e.offset(), header + len, "len {len} at {p}");
            }
            for cut in 0..n {
                let e = Bytes::decode_from_slice(&out[..cut]).unwrap_err();
                assert!(e.kind().is_truncation(), "len {len} cut {cut}: {e:?}");
            }
            // Trailing bytes after a valid value are left unread.
            let mut r = Reader::new(&out[..n + 4]);
            assert_eq!(r.read_tl_bytes().unwrap(), &data[..len]);
            assert_eq!(r.remaining(), 4);
        }
    }

    #[test]
    fn non_ascii_strings_are_checked_as_utf8() {
        let mut out = [0u8; 16];
        let n = enc("h\u{e9}llo".as_bytes(), &mut out);
        assert_eq!(Str::decode_from_slice(&out[..n]).unwrap(), "h\u{e9}llo");
        let n = enc(&[b'h', 0xc3, b'x'], &mut out);
        let e = Str::decode_from_slice(&out[..n]).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (DecodeErrorKind::InvalidUtf8, 0));
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn owned_strings_and_vectors_convert_to_views() {
        use alloc::{string::String, vec::Vec};
        let title = String::from("h\u{e9}llo");
        let s: Str<'_> = (&title).into();
        assert_eq!(
            (s.as_str(), s.as_bytes().as_ptr()),
            ("h\u{e9}llo", title.as_ptr())
        );
        let data: Vec<u8> = Vec::from([1u8, 2, 3, 4, 5]);
        let b: Bytes<'_> = (&data).into();
        assert_eq!((&*b, b.as_ptr()), (&[1u8, 2, 3, 4, 5][..], data.as_ptr()));
        // The views encode as the borrowed forms do.
        let (mut x, mut y) = ([0u8; 16], [0u8; 16]);
        assert_eq!(
            s.encode_to_slice(&mut x),
            Str::new("h\u{e9}llo").encode_to_slice(&mut y)
        );
        assert_eq!(x, y);
    }

    #[test]
    #[cfg_attr(miri, ignore = "a 16 MiB static is slow to interpret")]
    fn too_long_is_an_encode_error() {
        const BIG: usize = 0x0100_0000;
        static DATA: [u8; BIG] = [0; BIG];
        let b = Bytes::new(&DATA);
        let mut out = [0u8; 16];
        let mut w = Writer::new(&mut out);
        b.encode(&mut w);
        assert_eq!(w.finish(), Err(EncodeError::TooLong { length: BIG }));
    }
}
