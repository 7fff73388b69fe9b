//! Key derivation: MTProto 2.0 message keys and the key exchange's temporary keys.
//!
//! ```text
//! msg_key_large = SHA256(substr(auth_key, 88+x, 32) + plaintext + padding)
//! msg_key       = substr(msg_key_large, 8, 16)
//! sha256_a      = SHA256(msg_key + substr(auth_key, x, 36))
//! sha256_b      = SHA256(substr(auth_key, 40+x, 36) + msg_key)
//! aes_key       = substr(sha256_a, 0, 8) + substr(sha256_b, 8, 16) + substr(sha256_a, 24, 8)
//! aes_iv        = substr(sha256_b, 0, 8) + substr(sha256_a, 8, 16) + substr(sha256_b, 24, 8)
//! ```
//! with `x = 0` for messages from client to server and `x = 8` the other way.

use super::auth_key::AuthKey;
use super::hash::{sha1, sha256};
use crate::Side;

/// The `x` offset into the auth key for messages sent by `sender`: 0 for the
/// client, 8 for the server.
pub const fn x_of(sender: Side) -> usize {
    match sender {
        Side::Client => 0,
        Side::Server => 8,
    }
}

/// `msg_key_large`: the full SHA256 whose middle 128 bits are `msg_key` (its
/// first 32 bits are also the quick-ack token).
pub fn msg_key_large(auth_key: &AuthKey, sender: Side, plaintext_padded: &[u8]) -> [u8; 32] {
    let x = x_of(sender);
    sha256(&[&auth_key.as_bytes()[88 + x..120 + x], plaintext_padded])
}

/// `msg_key` of a message sent by `sender`: bytes 8..24 of [`msg_key_large`].
pub fn msg_key(auth_key: &AuthKey, sender: Side, plaintext_padded: &[u8]) -> [u8; 16] {
    let large = msg_key_large(auth_key, sender, plaintext_padded);
    let mut out = [0u8; 16];
    out.copy_from_slice(&large[8..24]);
    out
}

/// The AES-256-IGE key and IV of a message sent by `sender` with `msg_key`.
pub fn message_aes_key_iv(
    auth_key: &AuthKey,
    msg_key: &[u8; 16],
    sender: Side,
) -> ([u8; 32], [u8; 32]) {
    let x = x_of(sender);
    let k = auth_key.as_bytes();
    let a = sha256(&[msg_key, &k[x..x + 36]]);
    let b = sha256(&[&k[40 + x..76 + x], msg_key]);
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&a[..8]);
    key[8..24].copy_from_slice(&b[8..24]);
    key[24..].copy_from_slice(&a[24..32]);
    let mut iv = [0u8; 32];
    iv[..8].copy_from_slice(&b[..8]);
    iv[8..24].copy_from_slice(&a[8..24]);
    iv[24..].copy_from_slice(&b[24..32]);
    (key, iv)
}

/// `tmp_aes_key` and `tmp_aes_iv` of the key exchange (steps 5 and 6):
///
/// ```text
/// tmp_aes_key = SHA1(new_nonce + server_nonce) + substr(SHA1(server_nonce + new_nonce), 0, 12)
/// tmp_aes_iv  = substr(SHA1(server_nonce + new_nonce), 12, 8) + SHA1(new_nonce + new_nonce)
///               + substr(new_nonce, 0, 4)
/// ```
pub fn handshake_aes_key_iv(new_nonce: &[u8; 32], server_nonce: &[u8; 16]) -> ([u8; 32], [u8; 32]) {
    let ns = sha1(&[new_nonce, server_nonce]);
    let sn = sha1(&[server_nonce, new_nonce]);
    let nn = sha1(&[new_nonce, new_nonce]);
    let mut key = [0u8; 32];
    key[..20].copy_from_slice(&ns);
    key[20..].copy_from_slice(&sn[..12]);
    let mut iv = [0u8; 32];
    iv[..8].copy_from_slice(&sn[12..20]);
    iv[8..28].copy_from_slice(&nn);
    iv[28..].copy_from_slice(&new_nonce[..4]);
    (key, iv)
}

/// `new_nonce_hash` of `server_DH_params_fail`: the low 128 bits of `SHA1(new_nonce)`.
pub fn new_nonce_hash(new_nonce: &[u8; 32]) -> [u8; 16] {
    let h = sha1(&[new_nonce]);
    let mut out = [0u8; 16];
    out.copy_from_slice(&h[4..20]);
    out
}

/// The first server salt: `substr(new_nonce, 0, 8) XOR substr(server_nonce, 0, 8)`,
/// read as the little-endian `long` of the wire.
pub fn initial_server_salt(new_nonce: &[u8; 32], server_nonce: &[u8; 16]) -> i64 {
    let mut salt = [0u8; 8];
    for (i, b) in salt.iter_mut().enumerate() {
        *b = new_nonce[i] ^ server_nonce[i];
    }
    i64::from_le_bytes(salt)
}
