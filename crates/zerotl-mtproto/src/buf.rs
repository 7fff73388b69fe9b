//! [`OutputBuffer`]: where the core writes what is to be sent.
//!
//! Everything that produces bytes (frames, messages, encrypted packets) appends
//! to an `OutputBuffer`: a caller's slice ([`SliceBuffer`]), a `heapless::Vec`, or
//! (feature `alloc`) a `Vec<u8>`. A write either fits whole or fails with
//! [`BufferFull`] and leaves the buffer as it was.

/// An append-only byte buffer the core writes into.
pub trait OutputBuffer {
    /// Bytes written so far.
    fn len(&self) -> usize;

    /// Whether nothing was written.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends `n` zero bytes and returns them for filling, or fails (changing
    /// nothing) when they do not fit.
    fn grow(&mut self, n: usize) -> Result<&mut [u8], BufferFull>;

    /// Every byte written so far.
    fn written_mut(&mut self) -> &mut [u8];

    /// Drops everything written after the first `len` bytes.
    fn truncate(&mut self, len: usize);

    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]) -> Result<(), BufferFull> {
        self.grow(bytes.len())?.copy_from_slice(bytes);
        Ok(())
    }
}

/// An output that did not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("output buffer full: {needed} more bytes needed, {available} free")]
pub struct BufferFull {
    /// Bytes the write needed.
    pub needed: usize,
    /// Bytes that were free.
    pub available: usize,
}

/// A caller's slice filled from the start.
///
/// ```
/// use zerotl_mtproto::{OutputBuffer, SliceBuffer};
/// let mut storage = [0u8; 4];
/// let mut out = SliceBuffer::new(&mut storage);
/// out.put(&[1, 2, 3]).unwrap();
/// assert!(out.put(&[4, 5]).is_err());
/// assert_eq!(out.filled(), [1, 2, 3]);
/// ```
#[derive(Debug)]
pub struct SliceBuffer<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> SliceBuffer<'a> {
    /// An empty buffer over `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// The bytes written.
    pub fn filled(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Forgets what was written (after it was sent).
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Bytes still free.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.len
    }
}

impl OutputBuffer for SliceBuffer<'_> {
    fn len(&self) -> usize {
        self.len
    }

    fn grow(&mut self, n: usize) -> Result<&mut [u8], BufferFull> {
        let available = self.remaining();
        if n > available {
            return Err(BufferFull {
                needed: n,
                available,
            });
        }
        let start = self.len;
        self.len += n;
        let region = &mut self.buf[start..self.len];
        region.fill(0);
        Ok(region)
    }

    fn written_mut(&mut self) -> &mut [u8] {
        &mut self.buf[..self.len]
    }

    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

impl<const N: usize> OutputBuffer for heapless::Vec<u8, N> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn grow(&mut self, n: usize) -> Result<&mut [u8], BufferFull> {
        let start = self.as_slice().len();
        let available = N - start;
        if n > available {
            return Err(BufferFull {
                needed: n,
                available,
            });
        }
        // Cannot fail: the length was checked against the capacity.
        let _ = self.resize(start + n, 0);
        Ok(&mut self.as_mut_slice()[start..])
    }

    fn written_mut(&mut self) -> &mut [u8] {
        self.as_mut_slice()
    }

    fn truncate(&mut self, len: usize) {
        heapless::Vec::truncate(self, len);
    }
}

#[cfg(feature = "alloc")]
impl OutputBuffer for alloc::vec::Vec<u8> {
    fn len(&self) -> usize {
        alloc::vec::Vec::len(self)
    }

    fn grow(&mut self, n: usize) -> Result<&mut [u8], BufferFull> {
        let start = alloc::vec::Vec::len(self);
        self.resize(start + n, 0);
        Ok(&mut self[start..])
    }

    fn written_mut(&mut self) -> &mut [u8] {
        self
    }

    fn truncate(&mut self, len: usize) {
        alloc::vec::Vec::truncate(self, len);
    }
}

/// Appends `value`'s TL encoding to `out` (nothing on failure).
pub(crate) fn append_tl<T: zerotl::Encode + ?Sized, O: OutputBuffer + ?Sized>(
    value: &T,
    out: &mut O,
) -> Result<(), AppendError> {
    let start = out.len();
    let region = out.grow(value.encoded_len())?;
    match zerotl::encode_to_slice(value, region) {
        Ok(_) => Ok(()),
        Err(e) => {
            out.truncate(start);
            Err(AppendError::Encode(e))
        }
    }
}

/// Why [`append_tl`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AppendError {
    /// The output is full.
    Full(BufferFull),
    /// The value does not encode.
    Encode(zerotl::EncodeError),
}

impl From<BufferFull> for AppendError {
    fn from(e: BufferFull) -> Self {
        Self::Full(e)
    }
}
