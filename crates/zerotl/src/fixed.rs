//! Reading and writing fixed-size fields inside a run of bytes that was bounds-checked
//! once (generated code reads `long date:int`-style runs with one
//! [`Reader::read_array`](crate::Reader::read_array) and writes them with one
//! [`Writer::run`](crate::Writer::run)).
//!
//! Offsets come from the generator, so they are always in range; the accessors still
//! cannot panic (an out-of-range offset would read zeros or write nothing).
//!
//! ```
//! let run = [1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
//! assert_eq!(zerotl::fixed::i32_at(&run, 0), 1);
//! assert_eq!(zerotl::fixed::i64_at(&run, 4), -1);
//! let mut out = [0u8; 12];
//! zerotl::fixed::put_i32_at(&mut out, 0, 1);
//! zerotl::fixed::put_i64_at(&mut out, 4, -1);
//! assert_eq!(out, run);
//! ```

#[inline(always)]
fn get<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    match b.get(at..at.wrapping_add(N)) {
        Some(s) => {
            let mut out = [0u8; N];
            out.copy_from_slice(s);
            out
        }
        None => [0u8; N],
    }
}

#[inline(always)]
fn put<const N: usize>(b: &mut [u8], at: usize, v: [u8; N]) {
    if let Some(s) = b.get_mut(at..at.wrapping_add(N)) {
        s.copy_from_slice(&v);
    }
}

/// The `int` at `at`.
#[inline(always)]
pub fn i32_at(b: &[u8], at: usize) -> i32 {
    i32::from_le_bytes(get(b, at))
}

/// The `long` at `at`.
#[inline(always)]
pub fn i64_at(b: &[u8], at: usize) -> i64 {
    i64::from_le_bytes(get(b, at))
}

/// The `double` at `at`.
#[inline(always)]
pub fn f64_at(b: &[u8], at: usize) -> f64 {
    f64::from_le_bytes(get(b, at))
}

/// The `int128`/`int256` at `at`.
#[inline(always)]
pub fn array_at<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    get(b, at)
}

/// Writes a constructor id (or any `u32`) at `at`.
#[inline(always)]
pub fn put_u32_at(b: &mut [u8], at: usize, v: u32) {
    put(b, at, v.to_le_bytes())
}

/// Writes an `int` at `at`.
#[inline(always)]
pub fn put_i32_at(b: &mut [u8], at: usize, v: i32) {
    put(b, at, v.to_le_bytes())
}

/// Writes a `long` at `at`.
#[inline(always)]
pub fn put_i64_at(b: &mut [u8], at: usize, v: i64) {
    put(b, at, v.to_le_bytes())
}

/// Writes a `double` at `at`.
#[inline(always)]
pub fn put_f64_at(b: &mut [u8], at: usize, v: f64) {
    put(b, at, v.to_le_bytes())
}

/// Writes an `int128`/`int256` at `at`.
#[inline(always)]
pub fn put_array_at<const N: usize>(b: &mut [u8], at: usize, v: &[u8; N]) {
    put(b, at, *v)
}
