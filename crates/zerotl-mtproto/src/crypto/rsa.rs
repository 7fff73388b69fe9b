//! Telegram's use of RSA: key fingerprints, `RSA_PAD` and the legacy padding.
//!
//! `RSA_PAD(data, key)` (MTProto 2.0, `core.telegram.org/mtproto/auth_key` 4.1):
//!
//! ```text
//! data_with_padding  = data + random bytes            (192 bytes; data <= 144)
//! data_pad_reversed  = reverse(data_with_padding)
//! temp_key           = 32 random bytes
//! data_with_hash     = data_pad_reversed + SHA256(temp_key + data_with_padding)   (224)
//! aes_encrypted      = AES256_IGE(data_with_hash, temp_key, iv = 0)
//! temp_key_xor       = temp_key XOR SHA256(aes_encrypted)
//! key_aes_encrypted  = temp_key_xor + aes_encrypted   (256; redo with a new temp_key if >= n)
//! encrypted_data     = key_aes_encrypted ^ e mod n    (256 bytes, big-endian)
//! ```
//!
//! The legacy scheme (`SHA1(data) + data + padding` to 255 bytes, then raw RSA)
//! is what Telethon 1.x and GramJS still send; the server side accepts it so those
//! clients can create keys with our server. Our client always sends `RSA_PAD`.
//!
//! Keys are 2048-bit: `RSA_PAD` is defined for 256-byte moduli only.
//! Private-key operations use the `rsa` crate's blinded, CRT-checked decryption.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::aes_ige::{aes_ige_decrypt_in_place, aes_ige_encrypt_in_place};
use super::hash::{sha1, sha256};
use num_bigint_dig::BigUint;
use rand_core::CryptoRngCore;
use rsa::pkcs1::{
    DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPrivateKey, EncodeRsaPublicKey,
};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use zeroize::Zeroizing;

/// The longest `data` that `RSA_PAD` accepts.
pub const RSA_PAD_MAX_DATA: usize = 144;
/// The size of `data_with_padding` recovered by [`rsa_pad_decrypt`].
pub const RSA_PAD_DATA_LEN: usize = 192;
/// How many fresh `temp_key`s `RSA_PAD` tries before giving up (each try fails
/// with probability below 1/2, so this is never reached in practice).
const RSA_PAD_ATTEMPTS: usize = 128;

/// Errors of RSA key handling and of the two paddings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RsaError {
    /// The PEM text is not an RSA key in a supported encoding.
    #[error("not an RSA key in PEM (PKCS#1 or PKCS#8/SPKI): {0}")]
    Pem(String),
    /// The modulus is not 2048 bits long.
    #[error("RSA modulus is {bits} bits long; MTProto needs 2048")]
    KeySize {
        /// Its bit length.
        bits: usize,
    },
    /// Key generation failed.
    #[error("RSA key generation failed: {0}")]
    Generate(String),
    /// `data` is longer than [`RSA_PAD_MAX_DATA`].
    #[error("RSA_PAD data is {len} bytes; at most 144 fit")]
    DataTooLong {
        /// Its length.
        len: usize,
    },
    /// No `temp_key` gave a value below the modulus within the attempt budget.
    #[error("RSA_PAD found no temp_key below the modulus")]
    NoTempKey,
    /// The ciphertext is not exactly 256 bytes.
    #[error("RSA ciphertext is {len} bytes, not 256")]
    CiphertextLength {
        /// Its length.
        len: usize,
    },
    /// The ciphertext is not below the modulus, or the private-key operation failed.
    #[error("RSA decryption failed")]
    Decryption,
    /// The `RSA_PAD` SHA256 check failed (wrong key, or tampered data).
    #[error("RSA_PAD hash check failed")]
    PadHash,
}

/// An RSA public key as Telegram uses it.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    n: BigUint,
    e: BigUint,
    fingerprint: i64,
}

impl core::fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "RsaPublicKey {{ fingerprint: {:016x} }}",
            self.fingerprint as u64
        )
    }
}

impl RsaPublicKey {
    /// Builds a key from its big-endian modulus and exponent (2048-bit modulus only).
    pub fn from_components(n_be: &[u8], e_be: &[u8]) -> Result<Self, RsaError> {
        let n = BigUint::from_bytes_be(n_be);
        let bits = n.bits();
        if bits != 2048 {
            return Err(RsaError::KeySize { bits });
        }
        let e = BigUint::from_bytes_be(e_be);
        let fingerprint = fingerprint_of(&n, &e);
        Ok(Self { n, e, fingerprint })
    }

    /// Parses a PEM public key: PKCS#1 (`-----BEGIN RSA PUBLIC KEY-----`, the form
    /// Telegram publishes) or SPKI (`-----BEGIN PUBLIC KEY-----`).
    ///
    /// ```
    /// use zerotl_mtproto::crypto::{keys, rsa::RsaPublicKey};
    /// let key = RsaPublicKey::from_pem(keys::PRODUCTION_KEYS[0].pem).unwrap();
    /// assert_eq!(key.fingerprint() as u64, 0xd09d1d85de64fd85);
    /// ```
    pub fn from_pem(pem: &str) -> Result<Self, RsaError> {
        let key = rsa::RsaPublicKey::from_pkcs1_pem(pem.trim())
            .or_else(|_| rsa::RsaPublicKey::from_public_key_pem(pem.trim()))
            .map_err(|e| RsaError::Pem(e.to_string()))?;
        Self::from_components(&key.n().to_bytes_be(), &key.e().to_bytes_be())
    }

    /// The key as PKCS#1 PEM (`-----BEGIN RSA PUBLIC KEY-----`), as Telegram publishes keys.
    pub fn to_pkcs1_pem(&self) -> String {
        rsa::RsaPublicKey::new_unchecked(self.n.clone(), self.e.clone())
            .to_pkcs1_pem(LineEnding::LF)
            .expect("a valid RSA public key encodes as PKCS#1")
    }

    /// Telegram's fingerprint: the lower 64 bits of
    /// `SHA1(TL bytes(n) + TL bytes(e))`, read as a little-endian `long`.
    pub fn fingerprint(&self) -> i64 {
        self.fingerprint
    }

    /// The modulus, big-endian (256 bytes).
    pub fn modulus_be(&self) -> Vec<u8> {
        self.n.to_bytes_be()
    }

    /// The public exponent, big-endian.
    pub fn exponent_be(&self) -> Vec<u8> {
        self.e.to_bytes_be()
    }

    fn encrypt_raw(&self, block: &[u8; 256]) -> [u8; 256] {
        let m = BigUint::from_bytes_be(block);
        to_256(&m.modpow(&self.e, &self.n))
    }
}

fn fingerprint_of(n: &BigUint, e: &BigUint) -> i64 {
    let tl = |v: &BigUint| {
        let bytes = v.to_bytes_be();
        let mut out = vec![0u8; zerotl::tl_bytes_len(bytes.len())];
        let mut w = zerotl::Writer::new(&mut out);
        w.put_tl_bytes(&bytes);
        out
    };
    let h = sha1(&[&tl(n), &tl(e)]);
    i64::from_le_bytes(h[12..20].try_into().expect("8 bytes"))
}

fn to_256(v: &BigUint) -> [u8; 256] {
    let bytes = v.to_bytes_be();
    let mut out = [0u8; 256];
    out[256 - bytes.len()..].copy_from_slice(&bytes);
    out
}

/// An RSA private key (the server side of the key exchange).
#[derive(Clone)]
pub struct RsaPrivateKey {
    inner: rsa::RsaPrivateKey,
    public: RsaPublicKey,
}

impl core::fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "RsaPrivateKey {{ fingerprint: {:016x} }}",
            self.public.fingerprint as u64
        )
    }
}

impl RsaPrivateKey {
    /// Generates a fresh 2048-bit key from `rng`. Slow in debug builds (seconds);
    /// load a stored key in tests.
    pub fn generate<R: CryptoRngCore + ?Sized>(rng: &mut R) -> Result<Self, RsaError> {
        let inner = rsa::RsaPrivateKey::new(&mut RngRef(rng), 2048)
            .map_err(|e| RsaError::Generate(e.to_string()))?;
        Self::from_inner(inner)
    }

    /// Parses a PEM private key: PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`) or
    /// PKCS#8 (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pem(pem: &str) -> Result<Self, RsaError> {
        let inner = rsa::RsaPrivateKey::from_pkcs1_pem(pem.trim())
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs8_pem(pem.trim()))
            .map_err(|e| RsaError::Pem(e.to_string()))?;
        inner.validate().map_err(|e| RsaError::Pem(e.to_string()))?;
        Self::from_inner(inner)
    }

    fn from_inner(inner: rsa::RsaPrivateKey) -> Result<Self, RsaError> {
        let public =
            RsaPublicKey::from_components(&inner.n().to_bytes_be(), &inner.e().to_bytes_be())?;
        Ok(Self { inner, public })
    }

    /// The key as PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`).
    pub fn to_pkcs1_pem(&self) -> String {
        self.inner
            .to_pkcs1_pem(LineEnding::LF)
            .expect("a valid RSA private key encodes as PKCS#1")
            .to_string()
    }

    /// The public half.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public
    }

    /// The private-key operation, blinded with randomness from `rng`.
    fn decrypt_raw<R: CryptoRngCore + ?Sized>(
        &self,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Result<[u8; 256], RsaError> {
        if ciphertext.len() != 256 {
            return Err(RsaError::CiphertextLength {
                len: ciphertext.len(),
            });
        }
        let c = BigUint::from_bytes_be(ciphertext);
        if c >= self.public.n {
            return Err(RsaError::Decryption);
        }
        let m = rsa::hazmat::rsa_decrypt_and_check(&self.inner, Some(&mut RngRef(rng)), &c)
            .map_err(|_| RsaError::Decryption)?;
        Ok(to_256(&m))
    }
}

/// `RSA_PAD(data, key)`: the MTProto 2.0 encryption of `p_q_inner_data*`.
pub fn rsa_pad_encrypt<R: CryptoRngCore + ?Sized>(
    data: &[u8],
    key: &RsaPublicKey,
    rng: &mut R,
) -> Result<[u8; 256], RsaError> {
    if data.len() > RSA_PAD_MAX_DATA {
        return Err(RsaError::DataTooLong { len: data.len() });
    }
    let mut data_with_padding = [0u8; RSA_PAD_DATA_LEN];
    data_with_padding[..data.len()].copy_from_slice(data);
    rng.fill_bytes(&mut data_with_padding[data.len()..]);
    for _ in 0..RSA_PAD_ATTEMPTS {
        let mut temp_key = [0u8; 32];
        rng.fill_bytes(&mut temp_key);
        let mut block = [0u8; 256];
        let (key_xor, aes) = block.split_at_mut(32);
        for (dst, src) in aes[..RSA_PAD_DATA_LEN]
            .iter_mut()
            .zip(data_with_padding.iter().rev())
        {
            *dst = *src;
        }
        aes[RSA_PAD_DATA_LEN..].copy_from_slice(&sha256(&[&temp_key, &data_with_padding]));
        aes_ige_encrypt_in_place(aes, &temp_key, &[0u8; 32]).expect("224 bytes are whole blocks");
        let aes_hash = sha256(&[aes]);
        for (i, b) in key_xor.iter_mut().enumerate() {
            *b = temp_key[i] ^ aes_hash[i];
        }
        if BigUint::from_bytes_be(&block) < key.n {
            return Ok(key.encrypt_raw(&block));
        }
    }
    Err(RsaError::NoTempKey)
}

/// Undoes [`rsa_pad_encrypt`] with the private key (blinded with `rng`); returns
/// `data_with_padding` (192 bytes: the TL data followed by random padding).
pub fn rsa_pad_decrypt<R: CryptoRngCore + ?Sized>(
    encrypted: &[u8],
    key: &RsaPrivateKey,
    rng: &mut R,
) -> Result<[u8; RSA_PAD_DATA_LEN], RsaError> {
    // The plaintext (it holds the key exchange's new_nonce) and the temporary
    // key are wiped when dropped, on every path out.
    let mut block = Zeroizing::new(key.decrypt_raw(encrypted, rng)?);
    let (key_xor, aes) = block.split_at_mut(32);
    let aes_hash = sha256(&[aes]);
    let mut temp_key = Zeroizing::new([0u8; 32]);
    for (i, b) in temp_key.iter_mut().enumerate() {
        *b = key_xor[i] ^ aes_hash[i];
    }
    aes_ige_decrypt_in_place(aes, &temp_key, &[0u8; 32]).expect("224 bytes are whole blocks");
    let mut data_with_padding = Zeroizing::new([0u8; RSA_PAD_DATA_LEN]);
    for (dst, src) in data_with_padding
        .iter_mut()
        .zip(aes[..RSA_PAD_DATA_LEN].iter().rev())
    {
        *dst = *src;
    }
    if sha256(&[&temp_key[..], &data_with_padding[..]])[..] != aes[RSA_PAD_DATA_LEN..] {
        return Err(RsaError::PadHash);
    }
    Ok(*data_with_padding)
}

/// The legacy encryption: `RSA(SHA1(data) + data + random padding to 255 bytes)`.
/// Our client never sends it; it exists so tests can exercise the server's
/// compatibility path without Telethon.
pub fn legacy_encrypt<R: CryptoRngCore + ?Sized>(
    data: &[u8],
    key: &RsaPublicKey,
    rng: &mut R,
) -> Result<[u8; 256], RsaError> {
    if data.len() > 255 - 20 {
        return Err(RsaError::DataTooLong { len: data.len() });
    }
    let mut block = [0u8; 256];
    block[1..21].copy_from_slice(&sha1(&[data]));
    block[21..21 + data.len()].copy_from_slice(data);
    rng.fill_bytes(&mut block[21 + data.len()..]);
    Ok(key.encrypt_raw(&block))
}

/// Undoes [`legacy_encrypt`] (blinded with `rng`): returns the 255-byte block
/// `SHA1(data) + data + padding`. The caller finds where `data` ends (by decoding
/// it) and checks the hash.
pub fn legacy_decrypt<R: CryptoRngCore + ?Sized>(
    encrypted: &[u8],
    key: &RsaPrivateKey,
    rng: &mut R,
) -> Result<[u8; 255], RsaError> {
    let block = Zeroizing::new(key.decrypt_raw(encrypted, rng)?);
    if block[0] != 0 {
        return Err(RsaError::Decryption);
    }
    let mut out = [0u8; 255];
    out.copy_from_slice(&block[1..]);
    Ok(out)
}

/// A `&mut R` for `R: ?Sized` as the sized `CryptoRng` the `rsa` crate wants.
struct RngRef<'a, R: ?Sized>(&'a mut R);

impl<R: CryptoRngCore + ?Sized> rand_core::RngCore for RngRef<'_, R> {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.try_fill_bytes(dest)
    }
}

impl<R: CryptoRngCore + ?Sized> rand_core::CryptoRng for RngRef<'_, R> {}
