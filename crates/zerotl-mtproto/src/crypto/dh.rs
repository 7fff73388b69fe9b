//! Diffie-Hellman parameters and the safety checks of the key exchange.
//!
//! From `core.telegram.org/mtproto/auth_key`, step 5 and the "IMPORTANT" note:
//!
//! * `dh_prime` is a safe 2048-bit prime: `2^2047 < p < 2^2048`, `p` and
//!   `(p - 1) / 2` prime. Checking that is costly, so a client trusts a table of
//!   known primes (Telegram's current one, [`TELEGRAM_DH_PRIME`], by default) and
//!   may opt in to a bounded probabilistic check ([`PrimeCheck::Probabilistic`])
//!   for others.
//! * `g` is 2..=7 and generates the subgroup of order `(p - 1) / 2`, which by
//!   quadratic reciprocity is a condition on `p mod 4g`.
//! * `g`, `g_a` and `g_b` are greater than 1 and less than `p - 1`; `g_a` and
//!   `g_b` are also at least `2^(2048-64)` away from both ends.

use num_bigint_dig::prime::probably_prime;
use num_bigint_dig::BigUint;
use num_traits::{One, ToPrimitive, Zero};

/// Telegram's current `dh_prime` (big-endian), as printed in
/// `core.telegram.org/mtproto/auth_key` and sent in the samples page's
/// `server_DH_inner_data`.
pub const TELEGRAM_DH_PRIME: [u8; 256] = [
    0xC7, 0x1C, 0xAE, 0xB9, 0xC6, 0xB1, 0xC9, 0x04, 0x8E, 0x6C, 0x52, 0x2F, 0x70, 0xF1, 0x3F, 0x73,
    0x98, 0x0D, 0x40, 0x23, 0x8E, 0x3E, 0x21, 0xC1, 0x49, 0x34, 0xD0, 0x37, 0x56, 0x3D, 0x93, 0x0F,
    0x48, 0x19, 0x8A, 0x0A, 0xA7, 0xC1, 0x40, 0x58, 0x22, 0x94, 0x93, 0xD2, 0x25, 0x30, 0xF4, 0xDB,
    0xFA, 0x33, 0x6F, 0x6E, 0x0A, 0xC9, 0x25, 0x13, 0x95, 0x43, 0xAE, 0xD4, 0x4C, 0xCE, 0x7C, 0x37,
    0x20, 0xFD, 0x51, 0xF6, 0x94, 0x58, 0x70, 0x5A, 0xC6, 0x8C, 0xD4, 0xFE, 0x6B, 0x6B, 0x13, 0xAB,
    0xDC, 0x97, 0x46, 0x51, 0x29, 0x69, 0x32, 0x84, 0x54, 0xF1, 0x8F, 0xAF, 0x8C, 0x59, 0x5F, 0x64,
    0x24, 0x77, 0xFE, 0x96, 0xBB, 0x2A, 0x94, 0x1D, 0x5B, 0xCD, 0x1D, 0x4A, 0xC8, 0xCC, 0x49, 0x88,
    0x07, 0x08, 0xFA, 0x9B, 0x37, 0x8E, 0x3C, 0x4F, 0x3A, 0x90, 0x60, 0xBE, 0xE6, 0x7C, 0xF9, 0xA4,
    0xA4, 0xA6, 0x95, 0x81, 0x10, 0x51, 0x90, 0x7E, 0x16, 0x27, 0x53, 0xB5, 0x6B, 0x0F, 0x6B, 0x41,
    0x0D, 0xBA, 0x74, 0xD8, 0xA8, 0x4B, 0x2A, 0x14, 0xB3, 0x14, 0x4E, 0x0E, 0xF1, 0x28, 0x47, 0x54,
    0xFD, 0x17, 0xED, 0x95, 0x0D, 0x59, 0x65, 0xB4, 0xB9, 0xDD, 0x46, 0x58, 0x2D, 0xB1, 0x17, 0x8D,
    0x16, 0x9C, 0x6B, 0xC4, 0x65, 0xB0, 0xD6, 0xFF, 0x9C, 0xA3, 0x92, 0x8F, 0xEF, 0x5B, 0x9A, 0xE4,
    0xE4, 0x18, 0xFC, 0x15, 0xE8, 0x3E, 0xBE, 0xA0, 0xF8, 0x7F, 0xA9, 0xFF, 0x5E, 0xED, 0x70, 0x05,
    0x0D, 0xED, 0x28, 0x49, 0xF4, 0x7B, 0xF9, 0x59, 0xD9, 0x56, 0x85, 0x0C, 0xE9, 0x29, 0x85, 0x1F,
    0x0D, 0x81, 0x15, 0xF6, 0x35, 0xB1, 0x05, 0xEE, 0x2E, 0x4E, 0x15, 0xD0, 0x4B, 0x24, 0x54, 0xBF,
    0x6F, 0x4F, 0xAD, 0xF0, 0x34, 0xB1, 0x04, 0x03, 0x11, 0x9C, 0xD8, 0xE3, 0xB9, 0x2F, 0xCC, 0x5B,
];

/// Miller-Rabin rounds used by [`PrimeCheck::Probabilistic`] by default (the
/// docs' figure for an error below one in a billion).
pub const DEFAULT_PRIME_ROUNDS: usize = 15;

/// How a client decides that an unknown `dh_prime` is a safe prime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimeCheck {
    /// Only primes in the trusted table are accepted (no primality work at all).
    KnownOnly,
    /// Unknown primes are tested: `rounds` Miller-Rabin rounds (plus a Lucas
    /// test) on `p` and on `(p - 1) / 2`. The cost is bounded: two 2048-bit tests.
    Probabilistic {
        /// Miller-Rabin rounds per number.
        rounds: usize,
    },
}

/// Why Diffie-Hellman parameters or a public value were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DhError {
    /// `dh_prime` is not a 2048-bit number (`2^2047 < p < 2^2048`).
    #[error("dh_prime is {bits} bits long, not 2048")]
    PrimeSize {
        /// Its bit length.
        bits: usize,
    },
    /// `dh_prime` is not in the trusted table and unknown primes are not checked.
    #[error("dh_prime is not a known safe prime")]
    UnknownPrime,
    /// `dh_prime` or `(dh_prime - 1) / 2` failed the primality test.
    #[error("dh_prime is not a safe prime")]
    NotSafePrime,
    /// `g` is outside 2..=7.
    #[error("g = {g} is not in 2..=7")]
    GeneratorRange {
        /// The value sent.
        g: i32,
    },
    /// `g` does not generate the subgroup of order `(p - 1) / 2` for this prime.
    #[error("g = {g} is not a quadratic residue modulo dh_prime (p mod {modulus} = {residue})")]
    GeneratorResidue {
        /// The generator.
        g: u32,
        /// The modulus of the reciprocity condition.
        modulus: u32,
        /// `dh_prime` modulo it.
        residue: u32,
    },
    /// A public value (`g_a` or `g_b`) is outside `(1, p - 1)` or closer than
    /// `2^(2048-64)` to either end.
    #[error("{what} is out of the safe range")]
    PublicValueRange {
        /// `"g_a"` or `"g_b"`.
        what: &'static str,
    },
}

/// Checked Diffie-Hellman parameters: a safe 2048-bit prime and a valid generator.
#[derive(Clone, PartialEq, Eq)]
pub struct DhGroup {
    g: u32,
    prime: BigUint,
    low: BigUint,
    high: BigUint,
}

impl core::fmt::Debug for DhGroup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "DhGroup {{ g: {}, prime: {:x}.. }}",
            self.g,
            self.prime.to_bytes_be()[0]
        )
    }
}

impl DhGroup {
    /// Telegram's current prime with generator `g` (checked like any other).
    pub fn telegram(g: u32) -> Result<Self, DhError> {
        Self::check(
            g as i32,
            &TELEGRAM_DH_PRIME,
            &[&TELEGRAM_DH_PRIME[..]],
            PrimeCheck::KnownOnly,
        )
    }

    /// Checks `g` and `dh_prime` (big-endian bytes): the prime must be in `trusted`
    /// or pass `check`; `g` must satisfy its reciprocity condition.
    pub fn check(
        g: i32,
        dh_prime: &[u8],
        trusted: &[&[u8]],
        check: PrimeCheck,
    ) -> Result<Self, DhError> {
        let prime = BigUint::from_bytes_be(dh_prime);
        let bits = prime.bits();
        if bits != 2048 {
            return Err(DhError::PrimeSize { bits });
        }
        if !(2..=7).contains(&g) {
            return Err(DhError::GeneratorRange { g });
        }
        let g = g as u32;
        let known = trusted.iter().any(|t| BigUint::from_bytes_be(t) == prime);
        if !known {
            match check {
                PrimeCheck::KnownOnly => return Err(DhError::UnknownPrime),
                PrimeCheck::Probabilistic { rounds } => {
                    let half = (&prime - 1u32) >> 1usize;
                    if !probably_prime(&prime, rounds) || !probably_prime(&half, rounds) {
                        return Err(DhError::NotSafePrime);
                    }
                }
            }
        }
        check_generator(g, &prime)?;
        let margin = BigUint::one() << (2048 - 64);
        let high = &prime - &margin;
        Ok(Self {
            g,
            prime,
            low: margin,
            high,
        })
    }

    /// The generator.
    pub fn g(&self) -> u32 {
        self.g
    }

    /// The prime as 256 big-endian bytes.
    pub fn prime_bytes(&self) -> [u8; 256] {
        to_256_be(&self.prime)
    }

    /// `g^exponent mod p` as 256 big-endian bytes (`exponent` is big-endian).
    pub fn g_pow(&self, exponent: &[u8]) -> [u8; 256] {
        let mut e = BigUint::from_bytes_be(exponent);
        let out = to_256_be(&BigUint::from(self.g).modpow(&e, &self.prime));
        zeroize::Zeroize::zeroize(&mut e);
        out
    }

    /// `value^exponent mod p` (both big-endian) as 256 bytes: the shared key.
    pub fn shared_secret(&self, value: &[u8], exponent: &[u8]) -> [u8; 256] {
        let v = BigUint::from_bytes_be(value);
        let mut e = BigUint::from_bytes_be(exponent);
        let mut shared = v.modpow(&e, &self.prime);
        let out = to_256_be(&shared);
        zeroize::Zeroize::zeroize(&mut e);
        zeroize::Zeroize::zeroize(&mut shared);
        out
    }

    /// Checks a public value (`g_a` or `g_b`, big-endian): `2^(2048-64) <= v <= p - 2^(2048-64)`,
    /// which implies `1 < v < p - 1`.
    pub fn check_public(&self, value: &[u8], what: &'static str) -> Result<(), DhError> {
        if value.len() > 256 {
            return Err(DhError::PublicValueRange { what });
        }
        let v = BigUint::from_bytes_be(value);
        if v.is_zero() || v < self.low || v > self.high {
            return Err(DhError::PublicValueRange { what });
        }
        Ok(())
    }
}

fn check_generator(g: u32, prime: &BigUint) -> Result<(), DhError> {
    let (modulus, allowed): (u32, &[u32]) = match g {
        2 => (8, &[7]),
        3 => (3, &[2]),
        4 => (1, &[0]),
        5 => (5, &[1, 4]),
        6 => (24, &[19, 23]),
        7 => (7, &[3, 5, 6]),
        _ => unreachable!("g was range-checked"),
    };
    let residue = (prime % modulus).to_u32().unwrap_or(u32::MAX);
    if allowed.contains(&residue) {
        Ok(())
    } else {
        Err(DhError::GeneratorResidue {
            g,
            modulus,
            residue,
        })
    }
}

fn to_256_be(v: &BigUint) -> [u8; 256] {
    let bytes = v.to_bytes_be();
    let mut out = [0u8; 256];
    out[256 - bytes.len()..].copy_from_slice(&bytes);
    out
}
