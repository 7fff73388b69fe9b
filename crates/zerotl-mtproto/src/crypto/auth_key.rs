//! The authorization key and the two hashes Telegram derives from it.

use super::hash::sha1;
use core::fmt;

/// A 2048-bit MTProto authorization key.
///
/// `SHA1(auth_key)` gives two 64-bit values: its *low* 64 bits (the last 8 bytes)
/// are the `auth_key_id` sent in front of every encrypted message, its *high* 64
/// bits (the first 8 bytes) are `auth_key_aux_hash`, used only in the
/// `new_nonce_hash1/2/3` of the key exchange. `Debug` never prints the key, and
/// the key bytes are zeroized on drop.
///
/// ```
/// use zerotl_mtproto::crypto::{sha1, AuthKey};
/// let key = AuthKey::from_bytes([7u8; 256]);
/// let h = sha1(&[&[7u8; 256]]);
/// assert_eq!(key.id_bytes(), <[u8; 8]>::try_from(&h[12..20]).unwrap());
/// assert_eq!(key.aux_hash(), <[u8; 8]>::try_from(&h[..8]).unwrap());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AuthKey {
    bytes: [u8; 256],
    id: [u8; 8],
    aux_hash: [u8; 8],
}

impl AuthKey {
    /// Wraps the 256 key bytes (the big-endian `g^ab mod dh_prime`, left-padded with zeros).
    pub fn from_bytes(bytes: [u8; 256]) -> Self {
        let h = sha1(&[&bytes]);
        let mut id = [0u8; 8];
        id.copy_from_slice(&h[12..20]);
        let mut aux_hash = [0u8; 8];
        aux_hash.copy_from_slice(&h[..8]);
        Self {
            bytes,
            id,
            aux_hash,
        }
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8; 256] {
        &self.bytes
    }

    /// `auth_key_id` as it appears on the wire (8 bytes, the tail of `SHA1(auth_key)`).
    pub fn id_bytes(&self) -> [u8; 8] {
        self.id
    }

    /// `auth_key_id` read as the little-endian `long` of the wire.
    pub fn id(&self) -> i64 {
        i64::from_le_bytes(self.id)
    }

    /// `auth_key_aux_hash`: the first 8 bytes of `SHA1(auth_key)`.
    pub fn aux_hash(&self) -> [u8; 8] {
        self.aux_hash
    }

    /// `new_nonce_hash{number}` of `dh_gen_ok` (1), `dh_gen_retry` (2) and
    /// `dh_gen_fail` (3): the low 128 bits of `SHA1(new_nonce + [number] + aux_hash)`.
    pub fn new_nonce_hash(&self, new_nonce: &[u8; 32], number: u8) -> [u8; 16] {
        let h = sha1(&[new_nonce, &[number], &self.aux_hash]);
        let mut out = [0u8; 16];
        out.copy_from_slice(&h[4..20]);
        out
    }
}

impl Drop for AuthKey {
    /// The key bytes are wiped when the key is dropped.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.bytes);
    }
}

impl fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthKey {{ id: {:016x} }}", u64::from_le_bytes(self.id))
    }
}
