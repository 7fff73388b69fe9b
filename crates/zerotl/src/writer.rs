//! A cursor that writes TL into a caller-provided slice.

use crate::error::EncodeError;

/// Largest length a TL `string`/`bytes` can carry (a 3-byte length field).
pub(crate) const MAX_TL_BYTES_LEN: usize = 0x00ff_ffff;

/// Writes TL bytes into a borrowed slice.
///
/// Writes never panic: if the slice is too short or a value cannot be represented,
/// the writer remembers the first [`EncodeError`], stops writing, and reports it from
/// [`Writer::finish`]. [`Encode::encode_to_slice`](crate::Encode::encode_to_slice)
/// writes through one `Writer` in a single pass and turns a `BufferTooSmall` into one
/// that names the value's whole size.
///
/// ```
/// use zerotl::Writer;
/// let mut buf = [0u8; 8];
/// let mut w = Writer::new(&mut buf);
/// w.put_u32(0x0df7534c);
/// w.put_i32(-1);
/// assert_eq!(w.finish(), Ok(8));
/// assert_eq!(buf, [0x4c, 0x53, 0xf7, 0x0d, 0xff, 0xff, 0xff, 0xff]);
/// ```
#[derive(Debug)]
pub struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
    error: Option<EncodeError>,
}

impl<'b> Writer<'b> {
    /// A writer that fills `buf` from its start.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self {
            buf,
            pos: 0,
            error: None,
        }
    }

    /// Bytes written so far.
    pub const fn position(&self) -> usize {
        self.pos
    }

    /// The bytes written so far (empty after an error).
    pub fn written(&self) -> &[u8] {
        match self.error {
            None => self.buf.get(..self.pos).unwrap_or(&[]),
            Some(_) => &[],
        }
    }

    /// The first error met, if any.
    pub const fn error(&self) -> Option<EncodeError> {
        self.error
    }

    /// The number of bytes written, or the first error met.
    pub fn finish(&self) -> Result<usize, EncodeError> {
        match self.error {
            None => Ok(self.pos),
            Some(e) => Err(e),
        }
    }

    /// Records the first error and parks the cursor at the end of the buffer, so
    /// that every later write fails its own bounds check (no per-write error flag).
    #[cold]
    fn fail(&mut self, e: EncodeError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
        self.pos = self.buf.len();
    }

    /// Writes raw bytes.
    #[inline]
    pub fn put_slice(&mut self, src: &[u8]) {
        if let Some(dst) = self.run(src.len()) {
            dst.copy_from_slice(src);
        }
    }

    /// Reserves the next `len` bytes and returns them for the caller to fill (one
    /// bounds check for a whole run of values); `None` after recording an error.
    #[doc(hidden)]
    #[inline]
    pub fn run(&mut self, len: usize) -> Option<&mut [u8]> {
        let start = self.pos;
        // `checked_add`, not `saturating_add`: on the success path the compiler then
        // knows the slice is exactly `len` long, so writes at constant offsets into it
        // (`fixed::put_*_at`) need no check of their own.
        match start.checked_add(len) {
            Some(end) if end <= self.buf.len() => {
                self.pos = end;
                self.buf.get_mut(start..end)
            }
            end => {
                let available = self.buf.len();
                self.fail(EncodeError::BufferTooSmall {
                    needed: end.unwrap_or(usize::MAX),
                    available,
                });
                None
            }
        }
    }

    /// Writes a fixed-size array.
    #[inline]
    pub fn put_array<const N: usize>(&mut self, src: &[u8; N]) {
        self.put_slice(src);
    }

    /// Writes a little-endian `u32` (a constructor id or a flags word).
    #[inline]
    pub fn put_u32(&mut self, v: u32) {
        self.put_array(&v.to_le_bytes());
    }

    /// Writes a TL `int`.
    #[inline]
    pub fn put_i32(&mut self, v: i32) {
        self.put_array(&v.to_le_bytes());
    }

    /// Writes a TL `long`.
    #[inline]
    pub fn put_i64(&mut self, v: i64) {
        self.put_array(&v.to_le_bytes());
    }

    /// Writes a TL `double`.
    #[inline]
    pub fn put_f64(&mut self, v: f64) {
        self.put_array(&v.to_le_bytes());
    }

    /// Writes `data` as a TL `string`/`bytes`: the shortest length header, the data,
    /// and zero padding to a multiple of four.
    #[inline]
    pub fn put_tl_bytes(&mut self, data: &[u8]) {
        let len = data.len();
        let (header, prefix) = if len <= 253 {
            (1, [len as u8, 0, 0, 0])
        } else if len <= MAX_TL_BYTES_LEN {
            let l = (len as u32).to_le_bytes();
            (4, [254, l[0], l[1], l[2]])
        } else {
            self.fail(EncodeError::TooLong { length: len });
            return;
        };
        // One bounds check for header, data and padding (at least 4 bytes). Zero the
        // last 4-byte word (the padding, 0..=3 bytes, lies in it), write the header
        // word, then the data over both: no variable-length fill for the padding.
        let total = (header + len + 3) & !3;
        if let Some(dst) = self.run(total) {
            if let Some((_, last)) = dst.split_last_chunk_mut::<4>() {
                *last = [0; 4];
            }
            if let Some((first, _)) = dst.split_first_chunk_mut::<4>() {
                *first = prefix;
            }
            if let Some(out) = dst.get_mut(header..header + len) {
                out.copy_from_slice(data);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_reserves_exactly_or_fails_without_writing() {
        let mut buf = [0u8; 8];
        let mut w = Writer::new(&mut buf);
        assert_eq!(w.run(3).map(|r| r.len()), Some(3));
        // Too long, then long enough to overflow the end offset: both fail cleanly.
        assert!(w.run(6).is_none());
        assert_eq!(
            w.finish(),
            Err(EncodeError::BufferTooSmall {
                needed: 9,
                available: 8
            })
        );
        let mut buf = [0u8; 8];
        let mut w = Writer::new(&mut buf);
        w.put_u32(1);
        assert!(w.run(usize::MAX).is_none());
        assert_eq!(
            w.finish(),
            Err(EncodeError::BufferTooSmall {
                needed: usize::MAX,
                available: 8
            })
        );
    }
}
