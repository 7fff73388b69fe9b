//! SHA1 and SHA256 over a list of byte slices (Telegram hashes concatenations).

use sha1::Digest as _;

/// SHA1 of the concatenation of `parts`.
///
/// ```
/// let h = zerotl_mtproto::crypto::sha1(&[b"ab", b"c"]);
/// assert_eq!(h[..4], [0xa9, 0x99, 0x3e, 0x36]);
/// ```
pub fn sha1(parts: &[&[u8]]) -> [u8; 20] {
    let mut h = sha1::Sha1::new();
    for part in parts {
        h.update(part);
    }
    h.finalize().into()
}

/// SHA256 of the concatenation of `parts`.
///
/// ```
/// let h = zerotl_mtproto::crypto::sha256(&[b"a", b"bc"]);
/// assert_eq!(h[..4], [0xba, 0x78, 0x16, 0xbf]);
/// ```
pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    for part in parts {
        h.update(part);
    }
    h.finalize().into()
}
