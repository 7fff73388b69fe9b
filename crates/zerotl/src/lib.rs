//! # zerotl — the TL wire format without allocation
//!
//! `zerotl` is the `#![no_std]`, allocation-free core of the zerotl project. It knows
//! the primitives of Telegram's TL serialization (see `core.telegram.org/mtproto/serialize`)
//! and the contract generated code builds on:
//!
//! * [`Reader`] walks a borrowed input slice; [`Writer`] fills a caller-provided slice.
//! * [`Decode`] builds a value that *borrows* from the input (strings, bytes and vectors
//!   are views, never copies); [`Encode`] computes an exact length and writes it.
//! * [`DecodeError`] is small and [`Copy`]: it names what went wrong and at which byte.
//!
//! Every length and count read from the input is checked against the bytes that are
//! left *before* anything else happens, nesting is bounded (see [`DEFAULT_MAX_DEPTH`]),
//! and encoding is canonical (shortest length form, zero padding), so
//! `decode -> encode` reproduces accepted input byte for byte.
//!
//! ```
//! use zerotl::{Decode, Encode, Str};
//!
//! // "test" as a TL string: length byte, 4 bytes, 3 bytes of zero padding.
//! let wire = [0x04, b't', b'e', b's', b't', 0, 0, 0];
//! let s = Str::decode_from_slice(&wire).unwrap();
//! assert_eq!(s.as_str(), "test");
//!
//! let mut out = [0u8; 8];
//! assert_eq!(s.encode_to_slice(&mut out), Ok(8));
//! assert_eq!(out, wire);
//! ```
//!
//! ## Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `alloc` | no | `encode_to_vec` and `append_encoded` (encode into a `Vec`), `Str`/`Bytes` views of a `String`/`Vec<u8>` (`From<&String>`, `From<&Vec<u8>>`); needs `alloc`, not `std` |
//! | `zerocopy` | yes | `Vector::as_le_slice` and the `le` types: decoded `Vector<int>`/`Vector<long>`/`Vector<double>` seen as little-endian integers in place, through zerocopy |
//!
//! Without features the crate is `#![no_std]` and allocation-free.
#![no_std]
#![forbid(unsafe_code)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(test)]
extern crate std;

mod bare;
mod error;
#[doc(hidden)]
pub mod fixed;
mod lazy;
mod object;
mod primitives;
mod reader;
mod strings;
mod traits;
#[cfg(feature = "alloc")]
mod vec;
mod vector;
mod writer;

pub use bare::Bare;
pub use error::{DecodeError, DecodeErrorKind, EncodeError};
pub use lazy::Lazy;
pub use object::Object;
pub use primitives::{BOOL_FALSE_ID, BOOL_TRUE_ID};
pub use reader::{Reader, DEFAULT_MAX_DEPTH};
pub use strings::{tl_bytes_len, Bytes, Str};
pub use traits::{
    encode_to_slice, BareDecode, BareEncode, Decode, Encode, Identifiable, RemoteCall,
};
#[cfg(feature = "alloc")]
pub use vec::{append_encoded, encode_to_vec};
pub use vector::{BareVector, Iter as VectorIter, Vector, VECTOR_ID};
pub use writer::Writer;

/// Little-endian integer types of zerocopy (`le::I64`, ...): what
/// [`Vector::as_le_slice`] views decoded `Vector<int>`/`Vector<long>`/`Vector<double>`
/// as.
#[cfg(feature = "zerocopy")]
pub use zerocopy::byteorder::little_endian as le;

/// `expr?` for a `Result` whose error type is already the enclosing function's:
/// the early return generated decoders write.
///
/// It spells out the `match` that `?` stands for, without the `Try`/`From`
/// conversions `?` asks the type checker to resolve at each use. Generated decoders
/// have about ten thousand of them per layer, and writing them this way cuts a fifth
/// off a clean build of the generated types (see `docs/codegen.md`). The same code
/// runs either way.
///
/// ```
/// fn first_two(r: &mut zerotl::Reader<'_>) -> Result<(i32, i32), zerotl::DecodeError> {
///     Ok((zerotl::tri!(r.read_i32()), zerotl::tri!(r.read_i32())))
/// }
/// let mut r = zerotl::Reader::new(&[1, 0, 0, 0, 2, 0, 0]);
/// assert!(first_two(&mut r).is_err());
/// ```
#[macro_export]
macro_rules! tri {
    ($result:expr) => {
        match $result {
            ::core::result::Result::Ok(value) => value,
            ::core::result::Result::Err(error) => return ::core::result::Result::Err(error),
        }
    };
}
