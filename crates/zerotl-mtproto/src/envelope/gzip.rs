//! `gzip_packed#3072cfa1 packed_data:bytes = Object`: a TL value compressed with gzip.
//!
//! ```text
//! +-----------+---------------------------------------------+
//! | 3072cfa1  | packed_data: TL bytes holding a gzip stream |
//! +-----------+---------------------------------------------+
//! ```
//!
//! Inflating is bounded: output beyond the caller's cap stops the inflate with
//! [`EnvelopeError::GzipTooLarge`] after at most `cap` bytes were produced, so a zip
//! bomb costs at most `cap` bytes of memory. A `gzip_packed` inside the inflated
//! data is refused ([`EnvelopeError::NestedGzip`]): Telegram never nests them and
//! nesting would multiply the cap.

use std::io::{Read, Write};

use zerotl::{Bytes, Decode};
use zerotl_types::mtproto::types;

use super::{append, EnvelopeError};

/// Default cap on inflated bytes: 16 MiB.
pub const DEFAULT_MAX_INFLATED: usize = 16 * 1024 * 1024;

/// Inflates a gzip stream, producing at most `max` bytes.
pub fn inflate(packed_data: &[u8], max: usize) -> Result<Vec<u8>, EnvelopeError> {
    let mut decoder = flate2::read::GzDecoder::new(packed_data);
    let mut out = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = match decoder.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(EnvelopeError::GzipCorrupt),
        };
        if n > max - out.len() {
            return Err(EnvelopeError::GzipTooLarge { max });
        }
        out.extend_from_slice(&chunk[..n]);
    }
    Ok(out)
}

/// Decodes a boxed `gzip_packed` spanning all of `body` and inflates it (at most
/// `max` bytes); the result must be a whole number of words and not another
/// `gzip_packed`.
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

/// Inflates a decoded `gzip_packed` (see [`unpack`]).
pub fn unpack_value(packed: &types::GzipPacked<'_>, max: usize) -> Result<Vec<u8>, EnvelopeError> {
    let inner = inflate(packed.packed_data.as_slice(), max)?;
    if inner.len() < 4 || inner.len() % 4 != 0 {
        return Err(EnvelopeError::BadBodyLength {
            what: "inflated gzip_packed",
            length: inner.len(),
        });
    }
    if inner[..4] == types::GzipPacked::CONSTRUCTOR_ID.to_le_bytes() {
        return Err(EnvelopeError::NestedGzip);
    }
    Ok(inner)
}

/// Appends `gzip_packed` holding `body` (a boxed TL value) compressed with gzip.
pub fn encode_gzip_packed(body: &[u8], out: &mut Vec<u8>) -> Result<(), EnvelopeError> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let compressed = encoder
        .write_all(body)
        .and_then(|()| encoder.finish())
        .map_err(|_| EnvelopeError::GzipCorrupt)?;
    append(
        &types::GzipPacked {
            packed_data: Bytes::new(&compressed),
        },
        out,
    )
}
