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

/// How many bits of `bits` are set: the number of present conditional fields when
/// `bits` is a flags word masked to the fields of one size (generated decoders size a
/// run with it).
///
/// Targets with a population-count instruction (x86 built with `popcnt`, `wasm32`,
/// `aarch64`) use it. Elsewhere (baseline x86-64, Cortex-M) it adds table lookups, one
/// per byte of the flags word; a byte the mask leaves zero costs nothing, since the
/// compiler folds its lookup. That is about half the instructions of the software
/// `count_ones`.
///
/// ```
/// assert_eq!(zerotl::fixed::count_flags(0), 0);
/// assert_eq!(zerotl::fixed::count_flags(0x49e), 6);
/// assert_eq!(zerotl::fixed::count_flags(u32::MAX), 32);
/// ```
#[inline(always)]
pub fn count_flags(bits: u32) -> usize {
    #[cfg(any(
        target_feature = "popcnt",
        target_arch = "wasm32",
        target_arch = "aarch64"
    ))]
    {
        bits.count_ones() as usize
    }
    #[cfg(not(any(
        target_feature = "popcnt",
        target_arch = "wasm32",
        target_arch = "aarch64"
    )))]
    {
        let [a, b, c, d] = bits.to_le_bytes();
        usize::from(BYTE_BITS[a as usize])
            + usize::from(BYTE_BITS[b as usize])
            + usize::from(BYTE_BITS[c as usize])
            + usize::from(BYTE_BITS[d as usize])
    }
}

/// The number of set bits of every byte value (a `const`, not a `static`, so the
/// compiler folds the lookups of bytes a mask leaves zero).
#[cfg(not(any(
    target_feature = "popcnt",
    target_arch = "wasm32",
    target_arch = "aarch64"
)))]
const BYTE_BITS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u32).count_ones() as u8;
        i += 1;
    }
    t
};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_flags_matches_count_ones() {
        // Every 16-bit value, then each of them spread over the upper half and over
        // all four bytes, so every table lookup is exercised.
        for x in 0..=u32::from(u16::MAX) {
            for v in [
                x,
                x << 16,
                x.wrapping_mul(0x0001_0001),
                x.wrapping_mul(0x9e37_79b9),
            ] {
                assert_eq!(count_flags(v), v.count_ones() as usize, "{v:#x}");
            }
        }
    }
}
