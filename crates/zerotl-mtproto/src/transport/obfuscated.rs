//! Obfuscated2: AES-256-CTR under a framing, keyed by a random 64-byte header.
//!
//! ```text
//! init (64 random bytes, re-drawn while reserved, see below)
//!  0          8                         40               56      60     62      64
//! +----------+-------------------------+----------------+-------+------+-------+
//! | random   | key (32)                | iv (16)        | tag   | dc   | random|
//! +----------+-------------------------+----------------+-------+------+-------+
//!                                                         efefefef / eeeeeeee / dddddddd
//!                                                         dc: int16 LE, MTProxy only
//! sent once by the client:  init[0..56] | AES-CTR(init)[56..64]
//!
//! client -> server stream:  AES-256-CTR, key init[8..40],  iv init[40..56]
//! server -> client stream:  AES-256-CTR, key rev[0..32],   iv rev[32..48]
//!                           where rev = init[8..56] reversed
//! with an MTProxy secret:   key = SHA256(key | secret) in both directions
//! ```
//!
//! Both streams run for the life of the connection; the client's stream has
//! already encrypted the 64 header bytes when the first frame goes out, and the
//! server's decrypting stream has decrypted them.
//!
//! The init is re-drawn while `init[0] == 0xef`, while its first word is one of
//! `HEAD`, `POST`, `GET `, `OPTI`, `16 03 01 02`, `dddddddd`, `eeeeeeee`, or while
//! `init[4..8]` is zero (docs/wire.md, obfuscation): a server must never mistake it for another
//! transport. The full transport has no tag and cannot be obfuscated
//! ([`ObfuscationError::NoTag`]).

use core::fmt;

use aes::Aes256;
use ctr::cipher::{KeyIvInit, StreamCipher};
use sha2::{Digest, Sha256};

use rand_core::CryptoRngCore;

use super::{ObfuscationError, Transport};

type Aes256Ctr = ctr::Ctr128BE<Aes256>;

/// First words an init payload may not start with (LE): HTTP methods, TLS, tags.
const RESERVED_FIRST_WORDS: [(u32, &str); 7] = [
    (0x4441_4548, "starts with HEAD"),
    (0x5453_4f50, "starts with POST"),
    (0x2054_4547, "starts with GET "),
    (0x4954_504f, "starts with OPTI"),
    (0x0201_0316, "starts with a TLS record header"),
    (0xdddd_dddd, "starts with the padded intermediate tag"),
    (0xeeee_eeee, "starts with the intermediate tag"),
];

/// Why `init` may not be used, or `None` when it may.
///
/// ```
/// use zerotl_mtproto::transport::obfuscated::reserved_reason;
/// let mut init = [7u8; 64];
/// assert_eq!(reserved_reason(&init), None);
/// init[0] = 0xef;
/// assert!(reserved_reason(&init).is_some());
/// ```
pub fn reserved_reason(init: &[u8; 64]) -> Option<&'static str> {
    if init[0] == 0xef {
        return Some("first byte is the abridged tag ef");
    }
    let first = u32::from_le_bytes([init[0], init[1], init[2], init[3]]);
    if let Some((_, why)) = RESERVED_FIRST_WORDS.iter().find(|(w, _)| *w == first) {
        return Some(why);
    }
    if init[4..8] == [0; 4] {
        return Some("bytes 4..8 are zero (the full transport's first sequence number)");
    }
    None
}

/// An MTProxy secret: 16 bytes mixed into both keys.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ProxySecret([u8; 16]);

impl ProxySecret {
    /// A secret from its 16 bytes.
    pub const fn new(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// A secret as distributed: 16 bytes, or 17 bytes whose first byte `dd` asks
    /// for padded intermediate (the byte is dropped).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ObfuscationError> {
        let raw = match bytes {
            [0xdd, rest @ ..] if rest.len() == 16 => rest,
            _ if bytes.len() == 16 => bytes,
            _ => return Err(ObfuscationError::BadSecret(bytes.len())),
        };
        let mut s = [0u8; 16];
        s.copy_from_slice(raw);
        Ok(Self(s))
    }

    /// The 16 bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Debug for ProxySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProxySecret(..)")
    }
}

/// What a client puts into its init payload besides the tag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ObfuscationOptions {
    /// An MTProxy secret (keys become `SHA256(key | secret)`).
    pub secret: Option<ProxySecret>,
    /// The DC id at offset 60 (MTProxy: +10000 for test DCs, negative for media DCs).
    pub dc_id: Option<i16>,
}

/// The two AES-256-CTR streams of an obfuscated connection (one per direction).
#[derive(Clone)]
pub struct Obfuscation {
    encrypt: Aes256Ctr,
    decrypt: Aes256Ctr,
}

impl fmt::Debug for Obfuscation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Obfuscation(..)")
    }
}

/// What a server learns from a client's 64-byte obfuscation header.
#[derive(Debug)]
pub struct ServerObfuscation {
    /// The streams, already past the header.
    pub obfuscation: Obfuscation,
    /// The framing named by the decrypted tag.
    pub transport: Transport,
    /// The int16 at offset 60 (the DC id for MTProxy; random otherwise).
    pub dc_id: i16,
}

impl Obfuscation {
    /// A client's streams and the 64 bytes to send first, from a fresh random init
    /// (re-drawn while [`reserved_reason`] objects).
    pub fn client<R: CryptoRngCore + ?Sized>(
        transport: Transport,
        options: &ObfuscationOptions,
        rng: &mut R,
    ) -> Result<(Self, [u8; 64]), ObfuscationError> {
        let mut init = [0u8; 64];
        loop {
            rng.fill_bytes(&mut init);
            if reserved_reason(&init).is_none() {
                break;
            }
        }
        Self::client_with_init(init, transport, options)
    }

    /// Like [`Obfuscation::client`] with a chosen init (tests, oracles). Bytes
    /// 56..60 (and 60..62 with a DC id) are overwritten; a reserved init is refused.
    pub fn client_with_init(
        mut init: [u8; 64],
        transport: Transport,
        options: &ObfuscationOptions,
    ) -> Result<(Self, [u8; 64]), ObfuscationError> {
        let tag = transport
            .obfuscation_tag()
            .ok_or(ObfuscationError::NoTag(transport))?;
        if let Some(why) = reserved_reason(&init) {
            return Err(ObfuscationError::ReservedInit(why));
        }
        init[56..60].copy_from_slice(&tag);
        if let Some(dc) = options.dc_id {
            init[60..62].copy_from_slice(&dc.to_le_bytes());
        }
        let (mut forward, backward) = streams(&init, options.secret.as_ref());
        let mut encrypted = init;
        forward.apply_keystream(&mut encrypted);
        let mut header = init;
        header[56..].copy_from_slice(&encrypted[56..]);
        Ok((
            Self {
                encrypt: forward,
                decrypt: backward,
            },
            header,
        ))
    }

    /// A server's streams from the client's 64-byte header: decrypts the tag at
    /// 56..60 and fails unless it names a transport.
    pub fn server(
        header: &[u8; 64],
        secret: Option<&ProxySecret>,
    ) -> Result<ServerObfuscation, ObfuscationError> {
        let (mut forward, backward) = streams(header, secret);
        let mut plain = *header;
        forward.apply_keystream(&mut plain);
        let tag = [plain[56], plain[57], plain[58], plain[59]];
        let transport =
            Transport::from_obfuscation_tag(tag).ok_or(ObfuscationError::UnknownTag(tag))?;
        Ok(ServerObfuscation {
            obfuscation: Self {
                encrypt: backward,
                decrypt: forward,
            },
            transport,
            dc_id: i16::from_le_bytes([plain[60], plain[61]]),
        })
    }

    /// Encrypts outgoing bytes in place (continuing the stream).
    pub fn encrypt(&mut self, data: &mut [u8]) {
        self.encrypt.apply_keystream(data);
    }

    /// Decrypts incoming bytes in place (continuing the stream). Every received byte
    /// must go through here exactly once, in order.
    pub fn decrypt(&mut self, data: &mut [u8]) {
        self.decrypt.apply_keystream(data);
    }
}

/// The client->server and server->client streams for `init`.
fn streams(init: &[u8; 64], secret: Option<&ProxySecret>) -> (Aes256Ctr, Aes256Ctr) {
    let mut reversed = [0u8; 48];
    reversed.copy_from_slice(&init[8..56]);
    reversed.reverse();
    let forward = stream(&init[8..40], &init[40..56], secret);
    let backward = stream(&reversed[..32], &reversed[32..], secret);
    zeroize::Zeroize::zeroize(&mut reversed);
    (forward, backward)
}

fn stream(key: &[u8], iv: &[u8], secret: Option<&ProxySecret>) -> Aes256Ctr {
    let mut k = [0u8; 32];
    match secret {
        Some(s) => {
            let mut h = Sha256::new();
            h.update(key);
            h.update(s.as_bytes());
            k.copy_from_slice(&h.finalize());
        }
        None => k.copy_from_slice(key),
    }
    let mut v = [0u8; 16];
    v.copy_from_slice(iv);
    // The cipher state wipes itself on drop (feature `zeroize` of aes/ctr); the
    // key copies made here are wiped now.
    let cipher = Aes256Ctr::new(&k.into(), &v.into());
    zeroize::Zeroize::zeroize(&mut k);
    zeroize::Zeroize::zeroize(&mut v);
    cipher
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::vec;
    use alloc::vec::Vec;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn aes256_ctr_matches_nist_sp800_38a_f55() {
        // NIST SP 800-38A, F.5.5 CTR-AES256.Encrypt: checks the big-endian 128-bit
        // counter (OpenSSL's CTR, which Telegram uses).
        let key = hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
        let iv = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        let mut data = hex(concat!(
            "6bc1bee22e409f96e93d7e117393172a",
            "ae2d8a571e03ac9c9eb76fac45af8e51",
            "30c81c46a35ce411e5fbc1191a0a52ef",
            "f69f2445df4f9b17ad2b417be66c3710"
        ));
        stream(&key, &iv, None).apply_keystream(&mut data);
        assert_eq!(
            data,
            hex(concat!(
                "601ec313775789a5b7a7f504bbf3d228",
                "f443e3ca4d62b59aca84e990cacaf5c5",
                "2b0930daa23de94ce87017ba2d84988d",
                "dfc9c58db67aada613c2dd08457941a6"
            ))
        );
    }

    #[test]
    fn reserved_first_words() {
        for (word, _) in RESERVED_FIRST_WORDS {
            let mut init = [1u8; 64];
            init[..4].copy_from_slice(&word.to_le_bytes());
            assert!(reserved_reason(&init).is_some(), "{word:#x}");
        }
        let mut init = [1u8; 64];
        init[..4].copy_from_slice(b"GET ");
        assert!(reserved_reason(&init).is_some());
        init[..4].copy_from_slice(b"POSU");
        assert_eq!(reserved_reason(&init), None);
        init[4..8].fill(0);
        assert!(reserved_reason(&init).is_some());
    }

    #[test]
    fn client_and_server_agree() {
        let opts = ObfuscationOptions {
            secret: Some(ProxySecret::new([0x42; 16])),
            dc_id: Some(-4),
        };
        let init: [u8; 64] = core::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11));
        let (mut client, header) =
            Obfuscation::client_with_init(init, Transport::Padded, &opts).unwrap();
        assert_eq!(header[..56], init[..56]);
        let mut server = Obfuscation::server(&header, opts.secret.as_ref()).unwrap();
        assert_eq!(server.transport, Transport::Padded);
        assert_eq!(server.dc_id, -4);
        let mut msg = *b"hello, obfuscated world!";
        client.encrypt(&mut msg);
        assert_ne!(&msg, b"hello, obfuscated world!");
        server.obfuscation.decrypt(&mut msg);
        assert_eq!(&msg, b"hello, obfuscated world!");
        server.obfuscation.encrypt(&mut msg);
        client.decrypt(&mut msg);
        assert_eq!(&msg, b"hello, obfuscated world!");
        // Without the secret the tag does not decrypt.
        assert!(matches!(
            Obfuscation::server(&header, None),
            Err(ObfuscationError::UnknownTag(_))
        ));
    }

    #[test]
    fn secrets() {
        assert!(ProxySecret::from_bytes(&[1; 16]).is_ok());
        let mut dd = vec![0xdd];
        dd.extend_from_slice(&[1; 16]);
        assert_eq!(ProxySecret::from_bytes(&dd), Ok(ProxySecret::new([1; 16])));
        assert_eq!(
            ProxySecret::from_bytes(&[1; 15]),
            Err(ObfuscationError::BadSecret(15))
        );
        assert_eq!(
            format!("{:?}", ProxySecret::new([1; 16])),
            "ProxySecret(..)"
        );
    }

    #[test]
    fn full_has_no_tag() {
        assert_eq!(
            Obfuscation::client_with_init([1; 64], Transport::Full, &Default::default()).err(),
            Some(ObfuscationError::NoTag(Transport::Full))
        );
    }
}
