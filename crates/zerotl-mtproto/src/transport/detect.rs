//! Server-side transport detection from the first bytes of a connection.
//!
//! ```text
//! ef ..                     abridged             (1 tag byte)
//! ee ee ee ee ..            intermediate         (4 tag bytes)
//! dd dd dd dd ..            padded intermediate  (4 tag bytes)
//! xx xx xx xx 00 00 00 00   full (its first frame has sequence number 0; no tag)
//! 64 bytes otherwise        obfuscated2 if the tag at 56..60 decrypts to
//!                           efefefef / eeeeeeee / dddddddd (64 header bytes)
//! "POST" "GET " "HEAD" "OPTI"   HTTP: refused (a server connection reads "GET " as a
//!                               WebSocket upgrade, see websocket.rs)
//! 16 03 01 02               TLS record (fake-TLS MTProxy): refused
//! ```
//!
//! An obfuscated init never has zero bytes at 4..8 and a plain full stream always
//! has, so after 8 bytes the only open question is whether 64 bytes decrypt to a
//! known tag; anything else is [`DetectError::Unrecognised`].

use super::{DetectError, Obfuscation, ProxySecret, ServerObfuscation, Transport};

/// What a connection turned out to use.
#[derive(Debug)]
pub enum Detected {
    /// A plain framing, after `tag_len` tag bytes (0 for full).
    Plain {
        /// The framing.
        transport: Transport,
        /// Tag bytes to skip before the first frame.
        tag_len: usize,
    },
    /// Obfuscated2 over a framing, after the 64-byte header.
    Obfuscated(ServerObfuscation),
}

impl Detected {
    /// The framing in use.
    pub fn transport(&self) -> Transport {
        match self {
            Detected::Plain { transport, .. } => *transport,
            Detected::Obfuscated(o) => o.transport,
        }
    }

    /// Bytes at the start of the stream that belong to the tag or header.
    pub fn header_len(&self) -> usize {
        match self {
            Detected::Plain { tag_len, .. } => *tag_len,
            Detected::Obfuscated(_) => 64,
        }
    }
}

const HTTP_METHODS: [&[u8; 4]; 4] = [b"POST", b"GET ", b"HEAD", b"OPTI"];
const TLS_RECORD: [u8; 4] = [0x16, 0x03, 0x01, 0x02];

/// Tells the transport from the first bytes a client sent: `Ok(None)` while the
/// bytes are not enough to decide. With an MTProxy `secret`, obfuscated headers are
/// keyed with it.
///
/// ```
/// use zerotl_mtproto::transport::{detect, Transport};
/// assert!(detect(&[0xee, 0xee], None).unwrap().is_none());
/// let d = detect(&[0xee, 0xee, 0xee, 0xee, 0x04], None).unwrap().unwrap();
/// assert_eq!((d.transport(), d.header_len()), (Transport::Intermediate, 4));
/// let d = detect(&[0x10, 0, 0, 0, 0, 0, 0, 0], None).unwrap().unwrap();
/// assert_eq!((d.transport(), d.header_len()), (Transport::Full, 0));
/// assert!(detect(b"GET / HTTP/1.1", None).is_err());
/// ```
pub fn detect(buf: &[u8], secret: Option<&ProxySecret>) -> Result<Option<Detected>, DetectError> {
    let plain = |transport, tag_len| Ok(Some(Detected::Plain { transport, tag_len }));
    match buf.first() {
        None => return Ok(None),
        Some(0xef) => return plain(Transport::Abridged, 1),
        Some(_) => {}
    }
    let Some(first) = buf.first_chunk::<4>() else {
        return Ok(None);
    };
    match first {
        [0xee, 0xee, 0xee, 0xee] => return plain(Transport::Intermediate, 4),
        [0xdd, 0xdd, 0xdd, 0xdd] => return plain(Transport::Padded, 4),
        _ if HTTP_METHODS.contains(&first) => return Err(DetectError::Http(*first)),
        _ if *first == TLS_RECORD => return Err(DetectError::Tls),
        _ => {}
    }
    match buf.get(4..8) {
        None => return Ok(None),
        Some([0, 0, 0, 0]) => return plain(Transport::Full, 0),
        Some(_) => {}
    }
    let Some(header) = buf.first_chunk::<64>() else {
        return Ok(None);
    };
    Obfuscation::server(header, secret)
        .map(|o| Some(Detected::Obfuscated(o)))
        .map_err(DetectError::Unrecognised)
}
