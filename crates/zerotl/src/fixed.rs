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

/// How many bits of `flags & MASK` are set: the number of present conditional fields
/// when `MASK` holds the bits of the fields of one size (generated decoders size a run
/// with it).
///
/// Targets with a population-count instruction (x86 built with `popcnt`, such as
/// `-C target-cpu=x86-64-v2`, `wasm32`, `aarch64`) use it. Elsewhere (baseline x86-64,
/// Cortex-M) each byte of the mask costs at most one table lookup: nothing for a zero
/// byte, a shift for a byte with one bit. That is about half the instructions of the
/// software `count_ones`.
///
/// ```
/// use zerotl::fixed::count_flags;
/// assert_eq!(count_flags::<0x49e>(0), 0);
/// assert_eq!(count_flags::<0x49e>(0x7ff), 6);
/// assert_eq!(count_flags::<{ u32::MAX }>(u32::MAX), 32);
/// ```
#[inline(always)]
pub fn count_flags<const MASK: u32>(flags: u32) -> usize {
    let bits = flags & MASK;
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
        // `MASK` is a constant: the loop unrolls and each byte keeps one branch.
        let mut count = 0;
        for byte in 0..4 {
            let mask = (MASK >> (8 * byte)) & 0xff;
            let value = (bits >> (8 * byte)) & 0xff;
            count += match mask.count_ones() {
                0 => 0,
                1 => (value >> mask.trailing_zeros()) as usize,
                _ => usize::from(BYTE_BITS[value as usize]),
            };
        }
        count
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
        // Masks with zero, one and several bits per byte, over every 16-bit value
        // spread over each byte, so every lookup and shift is exercised.
        fn check<const MASK: u32>() {
            // Miri (run by CI on a little- and a big-endian target) takes a sample.
            let step = if cfg!(miri) { 1021 } else { 1 };
            for x in (0..=u32::from(u16::MAX)).step_by(step) {
                for v in [
                    x,
                    x << 16,
                    x.wrapping_mul(0x0001_0001),
                    x.wrapping_mul(0x9e37_79b9),
                ] {
                    let want = (v & MASK).count_ones() as usize;
                    assert_eq!(count_flags::<MASK>(v), want, "{MASK:#x} {v:#x}");
                }
            }
        }
        check::<0x49e>();
        check::<0x0000_0001>();
        check::<0x8000_0000>();
        check::<0x0102_0408>();
        check::<0xff00_ff00>();
        check::<{ u32::MAX }>();
    }
}
