//! AES-256-IGE with Telegram's IV layout.
//!
//! IGE chains each block with both the previous ciphertext and the previous
//! plaintext block: `c_i = E(p_i ^ c_{i-1}) ^ p_{i-1}`. Telegram passes the two
//! starting values as one 32-byte IV, `c_0 || p_0` (the RustCrypto `ige` crate
//! uses the same order). Inputs must be a whole number of 16-byte blocks: MTProto
//! always pads before encrypting, so a ragged length is an error, never padded here.

use aes::Aes256;
use ige::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, KeyIvInit};

type Encryptor = ige::Encryptor<Aes256>;
type Decryptor = ige::Decryptor<Aes256>;

/// An IGE input that is not a whole number of 16-byte AES blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("AES-IGE input of {len} bytes is not a multiple of 16")]
pub struct IgeError {
    /// The length that was given.
    pub len: usize,
}

fn check_len(len: usize) -> Result<(), IgeError> {
    if len % 16 == 0 {
        Ok(())
    } else {
        Err(IgeError { len })
    }
}

/// Encrypts `buf` in place with AES-256-IGE.
///
/// ```
/// use zerotl_mtproto::crypto::{aes_ige_decrypt_in_place, aes_ige_encrypt_in_place};
/// let (key, iv) = ([1u8; 32], [2u8; 32]);
/// let mut buf = *b"sixteen byte blk";
/// aes_ige_encrypt_in_place(&mut buf, &key, &iv).unwrap();
/// aes_ige_decrypt_in_place(&mut buf, &key, &iv).unwrap();
/// assert_eq!(&buf, b"sixteen byte blk");
/// assert!(aes_ige_encrypt_in_place(&mut [0u8; 15], &key, &iv).is_err());
/// ```
pub fn aes_ige_encrypt_in_place(
    buf: &mut [u8],
    key: &[u8; 32],
    iv: &[u8; 32],
) -> Result<(), IgeError> {
    let len = buf.len();
    check_len(len)?;
    Encryptor::new(key.into(), iv.into())
        .encrypt_padded_mut::<NoPadding>(buf, len)
        .map_err(|_| IgeError { len })?;
    Ok(())
}

/// Decrypts `buf` in place with AES-256-IGE.
pub fn aes_ige_decrypt_in_place(
    buf: &mut [u8],
    key: &[u8; 32],
    iv: &[u8; 32],
) -> Result<(), IgeError> {
    let len = buf.len();
    check_len(len)?;
    Decryptor::new(key.into(), iv.into())
        .decrypt_padded_mut::<NoPadding>(buf)
        .map_err(|_| IgeError { len })?;
    Ok(())
}

/// Encrypts a copy of `data` with AES-256-IGE (feature `alloc`).
#[cfg(feature = "alloc")]
pub fn aes_ige_encrypt(
    data: &[u8],
    key: &[u8; 32],
    iv: &[u8; 32],
) -> Result<alloc::vec::Vec<u8>, IgeError> {
    check_len(data.len())?;
    let mut out = data.to_vec();
    aes_ige_encrypt_in_place(&mut out, key, iv)?;
    Ok(out)
}

/// Decrypts a copy of `data` with AES-256-IGE (feature `alloc`).
#[cfg(feature = "alloc")]
pub fn aes_ige_decrypt(
    data: &[u8],
    key: &[u8; 32],
    iv: &[u8; 32],
) -> Result<alloc::vec::Vec<u8>, IgeError> {
    check_len(data.len())?;
    let mut out = data.to_vec();
    aes_ige_decrypt_in_place(&mut out, key, iv)?;
    Ok(out)
}
