//! `pq` factorisation (the key exchange's proof of work), bounded.
//!
//! The server sends `pq`, a product of two distinct odd primes, as big-endian
//! bytes; Telegram keeps it at or below 2^63 - 1. We accept up to 64 bits and
//! reject anything longer before doing any work. Pollard's rho with Brent's cycle
//! detection finds a factor of a 64-bit semiprime in about 2^16 steps; the search
//! stops after [`MAX_STEPS`] steps in total, so a hostile `pq` (a prime, a product
//! of three primes, a square) ends in a typed error, never a hang.

/// The most rho steps (one modular multiplication each) spent on one `pq`.
pub const MAX_STEPS: u64 = 1 << 22;

/// Why `pq` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FactorError {
    /// `pq` is longer than 8 bytes (after leading zeros).
    #[error("pq is {len} bytes long; at most 8 are accepted")]
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// `pq` is not the product of two distinct odd primes.
    #[error("pq {pq:#x} is not a product of two distinct odd primes")]
    NotSemiprime {
        /// The value.
        pq: u64,
    },
    /// No factor was found within [`MAX_STEPS`].
    #[error("no factor of pq {pq:#x} found within the step budget")]
    Budget {
        /// The value.
        pq: u64,
    },
}

/// Reads `pq` from its big-endian byte string (at most 8 significant bytes).
pub fn pq_from_bytes(bytes: &[u8]) -> Result<u64, FactorError> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let significant = &bytes[start..];
    if significant.len() > 8 {
        return Err(FactorError::TooLong {
            len: significant.len(),
        });
    }
    Ok(significant
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
}

/// The shortest big-endian byte string of a `u64` (as Telegram writes `p`, `q`, `pq`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinBytes {
    bytes: [u8; 8],
    start: usize,
}

impl MinBytes {
    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[self.start..]
    }
}

impl core::ops::Deref for MinBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

/// The shortest big-endian byte string of `v` (at least one byte).
///
/// ```
/// use zerotl_mtproto::crypto::factor::to_be_bytes_min;
/// assert_eq!(*to_be_bytes_min(0x494C553B), [0x49, 0x4C, 0x55, 0x3B]);
/// assert_eq!(*to_be_bytes_min(0), [0]);
/// ```
pub fn to_be_bytes_min(v: u64) -> MinBytes {
    let bytes = v.to_be_bytes();
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(7);
    MinBytes { bytes, start }
}

/// Splits `pq` into its two prime factors `(p, q)` with `p < q`.
///
/// ```
/// use zerotl_mtproto::crypto::factor::factorize_pq;
/// // The sample of core.telegram.org/mtproto/samples-auth_key.
/// assert_eq!(factorize_pq(0x17ED48941A08F981), Ok((0x494C553B, 0x53911073)));
/// assert!(factorize_pq(0xFFFF_FFFF_FFFF_FFC5).is_err()); // prime
/// ```
pub fn factorize_pq(pq: u64) -> Result<(u64, u64), FactorError> {
    if pq < 15 || pq % 2 == 0 || is_prime(pq) {
        return Err(FactorError::NotSemiprime { pq });
    }
    let mut budget = MAX_STEPS;
    let mut seed = 1u64;
    let factor = loop {
        match brent(pq, seed, &mut budget) {
            Some(d) => break d,
            None if budget == 0 => return Err(FactorError::Budget { pq }),
            None => seed += 1,
        }
    };
    let (p, q) = (factor.min(pq / factor), factor.max(pq / factor));
    if p == q || !is_prime(p) || !is_prime(q) {
        return Err(FactorError::NotSemiprime { pq });
    }
    Ok((p, q))
}

fn mul_mod(a: u64, b: u64, m: u64) -> u64 {
    ((u128::from(a) * u128::from(b)) % u128::from(m)) as u64
}

fn pow_mod(mut base: u64, mut exp: u64, m: u64) -> u64 {
    let mut acc = 1 % m;
    base %= m;
    while exp > 0 {
        if exp & 1 == 1 {
            acc = mul_mod(acc, base, m);
        }
        base = mul_mod(base, base, m);
        exp >>= 1;
    }
    acc
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Deterministic Miller-Rabin for 64-bit integers (these bases cover all of u64).
pub fn is_prime(n: u64) -> bool {
    const BASES: [u64; 12] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37];
    if n < 2 {
        return false;
    }
    for &p in &BASES {
        if n % p == 0 {
            return n == p;
        }
    }
    let s = (n - 1).trailing_zeros();
    let d = (n - 1) >> s;
    'bases: for &a in &BASES {
        let mut x = pow_mod(a, d, n);
        if x == 1 || x == n - 1 {
            continue;
        }
        for _ in 1..s {
            x = mul_mod(x, x, n);
            if x == n - 1 {
                continue 'bases;
            }
        }
        return false;
    }
    true
}

/// One run of Pollard-Brent with `y -> y^2 + c`; `None` when it failed or ran
/// out of budget. A found factor is a proper divisor of `n`.
fn brent(n: u64, c: u64, budget: &mut u64) -> Option<u64> {
    const BATCH: u64 = 128;
    let f = |y: u64| (mul_mod(y, y, n) + c) % n;
    let (mut y, mut x, mut ys) = (2u64, 2u64, 2u64);
    let mut g = 1u64;
    let mut r = 1u64;
    let mut q = 1u64;
    while g == 1 {
        x = y;
        for _ in 0..r {
            y = f(y);
        }
        *budget = budget.saturating_sub(r);
        let mut k = 0;
        while k < r && g == 1 {
            ys = y;
            let steps = BATCH.min(r - k);
            for _ in 0..steps {
                y = f(y);
                q = mul_mod(q, x.abs_diff(y), n);
            }
            *budget = budget.saturating_sub(2 * steps);
            g = gcd(q, n);
            k += steps;
        }
        if *budget == 0 && g == 1 {
            return None;
        }
        r *= 2;
    }
    if g == n {
        // The batch overshot: walk back one step at a time from the saved point.
        loop {
            if *budget == 0 {
                return None;
            }
            *budget -= 1;
            ys = f(ys);
            g = gcd(x.abs_diff(ys), n);
            if g > 1 {
                break;
            }
        }
    }
    (g != n && g != 1).then_some(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_primes() {
        let primes: alloc::vec::Vec<u64> = (0..100).filter(|&n| is_prime(n)).collect();
        assert_eq!(
            primes,
            [
                2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79,
                83, 89, 97
            ]
        );
        assert!(is_prime(0xFFFF_FFFF_FFFF_FFC5));
        assert!(!is_prime(3_215_031_751)); // strong pseudoprime to bases 2, 3, 5, 7
    }

    #[test]
    fn byte_forms() {
        assert_eq!(
            pq_from_bytes(&[0x17, 0xED, 0x48, 0x94, 0x1A, 0x08, 0xF9, 0x81]),
            Ok(0x17ED48941A08F981)
        );
        assert_eq!(pq_from_bytes(&[0, 0, 1, 2]), Ok(0x102));
        assert_eq!(pq_from_bytes(&[1; 9]), Err(FactorError::TooLong { len: 9 }));
        assert_eq!(*to_be_bytes_min(0x494C553B), [0x49, 0x4C, 0x55, 0x3B]);
        assert_eq!(*to_be_bytes_min(0), [0]);
    }

    #[test]
    fn hostile_values_end_in_errors() {
        for pq in [
            0,
            1,
            4,
            9,
            16,
            0x494C553B,
            0x494C553B * 0x494C553B,
            3 * 5 * 7 * 11 * 13 * 17 * 19 * 23,
        ] {
            assert!(factorize_pq(pq).is_err(), "{pq:#x}");
        }
        // Largest 32-bit primes: a worst case for rho that still factors.
        let (p, q) = (4_294_967_279u64, 4_294_967_291u64);
        assert_eq!(factorize_pq(p * q), Ok((p, q)));
    }
}
