//! A bounds-checked cursor over borrowed TL bytes.

use crate::error::{DecodeError, DecodeErrorKind};

/// How deep constructors may nest by default (prost uses 100; TL values seen on the
/// wire nest well under 20).
pub const DEFAULT_MAX_DEPTH: u16 = 64;

/// A cursor over the input of a decode.
///
/// Every read checks the bytes that are left first and fails with a
/// [`DecodeError`] naming the absolute offset; nothing here can panic.
/// The out-of-line paths (errors, the long string form) take plain values, never the
/// reader itself, so a decoder inlined into a loop keeps the reader in registers.
/// The reader also counts how deep constructors nest ([`Reader::enter`]).
///
/// ```
/// use zerotl::Reader;
/// let mut r = Reader::new(&[0x4c, 0x53, 0xf7, 0x0d, 0x07]);
/// assert_eq!(r.read_u32(), Ok(0x0df7534c));
/// assert_eq!(r.remaining(), 1);
/// assert!(r.read_u32().is_err());
/// ```
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    /// All the bytes this reader covers.
    buf: &'a [u8],
    /// The unread tail of `buf` (reads shrink it from the front).
    rest: &'a [u8],
    /// The absolute offset of `buf[0]` (non-zero in a sub-reader).
    base: usize,
    depth: u16,
    max_depth: u16,
    trusted: bool,
}

impl<'a> Reader<'a> {
    /// A reader over `buf` with the default depth limit.
    pub const fn new(buf: &'a [u8]) -> Self {
        Self::with_max_depth(buf, DEFAULT_MAX_DEPTH)
    }

    /// A reader over `buf` that fails with [`DecodeErrorKind::DepthExceeded`] when
    /// constructors nest deeper than `max_depth`.
    pub const fn with_max_depth(buf: &'a [u8], max_depth: u16) -> Self {
        Self {
            buf,
            rest: buf,
            base: 0,
            depth: 0,
            max_depth,
            trusted: false,
        }
    }

    /// A reader over bytes that an earlier decode already validated (the bytes kept by
    /// a [`Vector`](crate::Vector) or [`Lazy`](crate::Lazy)). It skips checks that cannot
    /// fail on such bytes (UTF-8, string padding, unknown flag bits, nesting depth);
    /// bounds are still checked.
    pub(crate) const fn trusted(buf: &'a [u8]) -> Self {
        Self {
            buf,
            rest: buf,
            base: 0,
            depth: 0,
            max_depth: u16::MAX,
            trusted: true,
        }
    }

    /// Whether this reader re-reads already validated bytes (see [`Str`](crate::Str)).
    pub const fn is_trusted(&self) -> bool {
        self.trusted
    }

    /// The absolute offset of the next byte.
    pub const fn position(&self) -> usize {
        self.base + self.consumed()
    }

    /// Bytes left to read.
    pub const fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Whether every byte has been read.
    pub const fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The bytes not read yet, without consuming them.
    pub fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// The bytes from absolute offset `start` (a value of [`Reader::position`] taken
    /// earlier) up to the current position.
    pub fn consumed_since(&self, start: usize) -> &'a [u8] {
        let from = start.saturating_sub(self.base);
        self.buf.get(from..self.consumed()).unwrap_or(&[])
    }

    /// Bytes of `buf` read so far.
    #[inline]
    const fn consumed(&self) -> usize {
        self.buf.len() - self.rest.len()
    }

    /// An error of `kind` at the current position.
    pub const fn error(&self, kind: DecodeErrorKind) -> DecodeError {
        DecodeError::new(kind, self.position())
    }

    /// An error of `kind` at absolute offset `offset`.
    pub const fn error_at(&self, kind: DecodeErrorKind, offset: usize) -> DecodeError {
        DecodeError::new(kind, offset)
    }

    /// The error for `needed` bytes when fewer are left. Inline, so the reader stays
    /// a local the compiler can keep in registers: the out-of-line part
    /// ([`end_error`]) takes plain values.
    #[inline(always)]
    fn end_error(&self, needed: usize) -> DecodeError {
        end_error(self.position(), needed, self.remaining())
    }

    /// Reads the next `n` bytes.
    #[inline]
    pub fn read_slice(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        match self.rest.split_at_checked(n) {
            Some((head, tail)) => {
                self.rest = tail;
                Ok(head)
            }
            None => Err(self.end_error(n)),
        }
    }

    /// Reads the next `N` bytes as an array reference, with one bounds check.
    #[inline]
    pub fn read_array<const N: usize>(&mut self) -> Result<&'a [u8; N], DecodeError> {
        match self.rest.split_first_chunk::<N>() {
            Some((head, tail)) => {
                self.rest = tail;
                Ok(head)
            }
            None => Err(self.end_error(N)),
        }
    }

    /// Skips `n` bytes.
    pub fn skip(&mut self, n: usize) -> Result<(), DecodeError> {
        self.read_slice(n).map(|_| ())
    }

    /// Reads a little-endian `u32` (a constructor id or a `#` flags word).
    #[inline]
    pub fn read_u32(&mut self) -> Result<u32, DecodeError> {
        self.read_array::<4>().map(|b| u32::from_le_bytes(*b))
    }

    /// Reads the next little-endian `u32` without consuming it.
    #[inline]
    pub fn peek_u32(&self) -> Result<u32, DecodeError> {
        match self.rest().split_first_chunk::<4>() {
            Some((head, _)) => Ok(u32::from_le_bytes(*head)),
            None => Err(self.end_error(4)),
        }
    }

    /// Reads a TL `int`.
    #[inline]
    pub fn read_i32(&mut self) -> Result<i32, DecodeError> {
        self.read_array::<4>().map(|b| i32::from_le_bytes(*b))
    }

    /// Reads a TL `long`.
    #[inline]
    pub fn read_i64(&mut self) -> Result<i64, DecodeError> {
        self.read_array::<8>().map(|b| i64::from_le_bytes(*b))
    }

    /// Reads a TL `double`.
    #[inline]
    pub fn read_f64(&mut self) -> Result<f64, DecodeError> {
        self.read_array::<8>().map(|b| f64::from_le_bytes(*b))
    }

    /// Reads a constructor id and checks that it is `id`; otherwise fails with
    /// [`DecodeErrorKind::UnknownConstructor`] naming `expected`.
    #[inline]
    pub fn expect_id(&mut self, id: u32, expected: &'static str) -> Result<(), DecodeError> {
        let got = self.read_u32()?;
        if got == id {
            Ok(())
        } else {
            Err(self.unknown_constructor(got, expected))
        }
    }

    /// The error for a constructor id `id` that was just read (so it starts 4 bytes
    /// back) and is not one of the type `expected`. Generated enum decoders call
    /// this only on failure, so the hot path never computes the offset.
    #[inline(always)]
    pub fn unknown_constructor(&self, id: u32, expected: &'static str) -> DecodeError {
        unknown_constructor(self.position().saturating_sub(4), id, expected)
    }

    /// Reads a `flags:#` word and rejects bits outside `known`.
    #[inline]
    pub fn read_flags(
        &mut self,
        known: u32,
        constructor: &'static str,
    ) -> Result<u32, DecodeError> {
        let flags = self.read_u32()?;
        let bits = flags & !known;
        // A trusted reader re-reads flags that were checked when the bytes were
        // validated; the test is ordered so untrusted reads rarely reach it.
        if bits == 0 || self.trusted {
            Ok(flags)
        } else {
            // Worked out only on failure: the word started 4 bytes back.
            let at = self.position().saturating_sub(4);
            Err(self.error_at(DecodeErrorKind::UnknownFlags { bits, constructor }, at))
        }
    }

    /// Reads the body of a TL `string`/`bytes`: the length header, the data and the
    /// padding. Rejects `0xff` headers, the 4-byte form for lengths below 254 and
    /// non-zero padding; the declared length is checked against the bytes left before
    /// anything else is read.
    #[inline]
    pub fn read_tl_bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        match self.read_short_tl_bytes() {
            Some(data) => Ok(data),
            None => self.read_other_tl_bytes(),
        }
    }

    /// The common case of [`Reader::read_tl_bytes`]: a well-formed short form (one
    /// length byte, lengths 0..=253) that fits, or `None` (nothing consumed) for
    /// everything else, which [`Reader::read_other_tl_bytes`] then reads or rejects.
    ///
    /// Decoders call the two halves themselves (`match short { Some(d) => d, None =>
    /// other? }`): the hot path then returns a plain slice, never a `Result` that the
    /// compiler would assemble and test again on the stack.
    #[doc(hidden)]
    #[inline(always)]
    pub fn read_short_tl_bytes(&mut self) -> Option<&'a [u8]> {
        // One bounds check: header, data and padding span `(1 + len)` rounded up to
        // 4 bytes, so the padding is the top `pad` bytes (0..=3) of the last
        // little-endian word.
        let rest = self.rest;
        let &n @ 0..=253 = rest.first()? else {
            return None;
        };
        let len = n as usize;
        // The last word starts at `at`, so the span is `at + 4` (that is `(len + 4) & !3`).
        // Written this way the compiler sees that the last word lies inside the span
        // (`(at + 4) - 4 == at`) and that `1 + len <= at + 4` (`(len & !3) + 3` is
        // `len | 3`): neither needs a bounds check of its own.
        let at = len & !3;
        let (all, tail) = rest.split_at_checked(at + 4)?;
        let data = all.get(1..)?.get(..len)?;
        let last = u32::from_le_bytes(*all.last_chunk::<4>()?);
        // The last word holds `len % 4 + 1` bytes of header or data, then the padding:
        // its top `3 - len % 4` bytes, which the mask selects (a 32-bit shift by at most
        // 24 bits). A trusted reader skips the padding test (checked when the bytes
        // were validated).
        if last & (0xffff_ff00u32 << (8 * (len & 3))) != 0 && !self.trusted {
            return None;
        }
        self.rest = tail;
        Some(data)
    }

    /// The rest of [`Reader::read_tl_bytes`], out of the hot path: the 4-byte length
    /// form, and the error for every malformed or truncated string. Forced inline: the
    /// out-of-line part takes values, so the reader is never handed to a call.
    #[inline(always)]
    pub fn read_other_tl_bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let (data, tail) = read_tl_bytes_slow(self.rest, self.position())?;
        self.rest = tail;
        Ok(data)
    }

    /// Reads a vector count and checks that `count * min_element_size` bytes are left
    /// (a zero `min_element_size` counts as one byte per element, so no count can make
    /// a decoder loop without consuming input).
    #[inline]
    pub fn read_count(&mut self, min_element_size: usize) -> Result<u32, DecodeError> {
        let at = self.position();
        let count = self.read_i32()?;
        if count < 0 {
            return Err(self.error_at(DecodeErrorKind::NegativeCount { count }, at));
        }
        let count = count as u32;
        let per = if min_element_size == 0 {
            1
        } else {
            min_element_size
        };
        let needed = (count as usize).checked_mul(per);
        match needed {
            Some(n) if n <= self.remaining() => Ok(count),
            _ => Err(self.error_at(
                DecodeErrorKind::CountBeyondInput {
                    count,
                    remaining: self.remaining(),
                },
                at,
            )),
        }
    }

    /// Enters one level of constructor nesting; fails once the reader's limit is passed.
    /// Pair with [`Reader::leave`].
    #[inline]
    pub fn enter(&mut self) -> Result<(), DecodeError> {
        if self.depth >= self.max_depth {
            return Err(self.error(DecodeErrorKind::DepthExceeded {
                limit: self.max_depth,
            }));
        }
        self.depth += 1;
        Ok(())
    }

    /// Leaves one level of constructor nesting.
    #[inline]
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// The current nesting depth.
    pub const fn depth(&self) -> u16 {
        self.depth
    }

    /// Splits off a reader over the next `n` bytes (for a value whose size is given by
    /// an earlier field). The new reader keeps the depth, limit and absolute offsets.
    pub fn sub_reader(&mut self, n: usize) -> Result<Reader<'a>, DecodeError> {
        let base = self.position();
        let remaining = self.remaining();
        let buf = self.read_slice(n).map_err(|_| {
            self.error(DecodeErrorKind::LengthBeyondInput {
                length: n,
                remaining,
            })
        })?;
        Ok(Reader {
            buf,
            rest: buf,
            base,
            depth: self.depth,
            max_depth: self.max_depth,
            trusted: self.trusted,
        })
    }

    /// Fails with [`DecodeErrorKind::TrailingBytes`] unless every byte was read.
    pub fn finish(&self) -> Result<(), DecodeError> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(self.error(DecodeErrorKind::TrailingBytes { count })),
        }
    }
}

/// [`Reader::read_tl_bytes`] for the 4-byte length form and for every error, on the
/// unread bytes `rest` starting at absolute offset `at`: the data and the bytes after
/// it. It takes values, not the reader, so the reader never leaves registers.
#[cold]
#[inline(never)]
fn read_tl_bytes_slow(rest: &[u8], at: usize) -> Result<(&[u8], &[u8]), DecodeError> {
    let err = |kind| DecodeError::new(kind, at);
    let (header, len) = match rest.first() {
        None => return Err(end_error(at, 1, 0)),
        Some(&n @ 0..=253) => (1, n as usize),
        Some(&254) => match rest.first_chunk::<4>() {
            Some(h) => {
                let len = u32::from_le_bytes([h[1], h[2], h[3], 0]) as usize;
                if len < 254 {
                    return Err(err(DecodeErrorKind::NonCanonicalLength { length: len }));
                }
                (4, len)
            }
            None => return Err(end_error(at, 4, rest.len())),
        },
        Some(_) => return Err(err(DecodeErrorKind::InvalidLengthPrefix)),
    };
    let after_header = rest.len() - header;
    if len > after_header {
        return Err(err(DecodeErrorKind::LengthBeyondInput {
            length: len,
            remaining: after_header,
        }));
    }
    let padded = (header + len + 3) & !3;
    let Some((all, tail)) = rest.split_at_checked(padded) else {
        return Err(DecodeError::new(
            DecodeErrorKind::UnexpectedEnd {
                needed: padded - header - len,
                remaining: after_header - len,
            },
            at + header + len,
        ));
    };
    let (data, padding) = all[header..].split_at(len);
    if padding.iter().any(|&b| b != 0) {
        return Err(DecodeError::new(
            DecodeErrorKind::NonZeroPadding,
            at + header + len,
        ));
    }
    Ok((data, tail))
}

/// An [`DecodeErrorKind::UnexpectedEnd`] at `at`.
#[cold]
#[inline(never)]
fn end_error(at: usize, needed: usize, remaining: usize) -> DecodeError {
    DecodeError::new(DecodeErrorKind::UnexpectedEnd { needed, remaining }, at)
}

/// An [`DecodeErrorKind::UnknownConstructor`] at `at`.
#[cold]
#[inline(never)]
fn unknown_constructor(at: usize, id: u32, expected: &'static str) -> DecodeError {
    DecodeError::new(DecodeErrorKind::UnknownConstructor { id, expected }, at)
}
