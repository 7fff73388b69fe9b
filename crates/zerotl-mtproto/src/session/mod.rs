//! Encrypted MTProto 2.0 messages: packing, unpacking and every check on the
//! way in, as a sans-IO [`Session`].
//!
//! ```text
//! encrypted message = auth_key_id:8 | msg_key:16 | AES-256-IGE(plaintext)
//! plaintext         = salt:8 | session_id:8 | msg_id:8 | seq_no:4 | length:4
//!                     | message_data:length | padding:12..1024   (total % 16 == 0)
//! msg_key           = SHA256(substr(auth_key, 88 + x, 32) + plaintext)[8..24]
//! ```
//! (`x` = 0 for client-to-server, 8 for server-to-client; see [`crate::crypto::kdf`]).
//!
//! An incoming message is accepted only if, in this order: it is long enough and
//! block-aligned, its `auth_key_id` is ours, its `msg_key` matches the decrypted
//! plaintext, `length` fits with 12..1024 bytes of padding, `session_id` is the
//! session's, `msg_id` has the sender's parity, lies within 300 s in the past /
//! 30 s in the future of our (corrected) clock, and has not been seen before (a
//! bounded [`ReplayWindow`]). A server session also checks the salt. A rejected
//! message changes nothing: the next good message is accepted as usual.
//!
//! The [`telegram`] module shows how a client talks to the real Telegram servers
//! over such a session.

mod replay;
pub mod telegram;

pub use replay::{ReplayVerdict, ReplayWindow};

use crate::auth::{encode_to_vec, AuthOutcome};
use crate::crypto::kdf::{message_aes_key_iv, msg_key};
use crate::crypto::{aes_ige_decrypt_in_place, aes_ige_encrypt_in_place, AuthKey, Side};
use std::time::{SystemTime, UNIX_EPOCH};
use zerotl::Decode as _;
use zerotl_types::mtproto::types;

/// Bytes before `message_data` in the plaintext.
const INNER_HEADER: usize = 32;
/// Fewest padding bytes.
pub const MIN_PADDING: usize = 12;
/// Most padding bytes.
pub const MAX_PADDING: usize = 1024;
/// A message older than this (seconds, by its msg_id) is refused.
pub const MAX_AGE_SECS: i64 = 300;
/// A message further in the future than this (seconds) is refused.
pub const MAX_AHEAD_SECS: i64 = 30;
/// The replay window's default size.
pub const DEFAULT_REPLAY_WINDOW: usize = 1024;
/// The largest `message_data` packed or accepted (16 MiB; Telegram's limit is lower).
pub const MAX_MESSAGE_DATA: usize = 1 << 24;

const BAD_SERVER_SALT_ID: u32 = types::BadServerSalt::CONSTRUCTOR_ID;
const BAD_MSG_NOTIFICATION_ID: u32 = types::BadMsgNotification::CONSTRUCTOR_ID;

/// Why an incoming message was refused, or an outgoing one could not be packed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// Shorter than the smallest possible encrypted message (72 bytes).
    #[error("encrypted message of {len} bytes is too short")]
    TooShort {
        /// Its length.
        len: usize,
    },
    /// The encrypted part is not a whole number of 16-byte blocks.
    #[error("encrypted part of {len} bytes is not a multiple of 16")]
    NotBlockAligned {
        /// Its length.
        len: usize,
    },
    /// `auth_key_id` is not the session's.
    #[error("auth_key_id {got:016x} is not this session's {expected:016x}")]
    WrongAuthKeyId {
        /// Ours.
        expected: u64,
        /// Received.
        got: u64,
    },
    /// `msg_key` does not match the decrypted plaintext (tampering or a wrong key).
    #[error("msg_key does not match the decrypted message")]
    WrongMsgKey,
    /// `message_data_length` does not fit the decrypted size with 12..1024 bytes of padding.
    #[error("message_data_length {declared} does not fit {available} decrypted bytes")]
    BadLength {
        /// The length declared in the header.
        declared: i32,
        /// Bytes after the 32-byte header.
        available: usize,
    },
    /// `session_id` is not the session's.
    #[error("session_id {got:#x} is not this session's {expected:#x}")]
    WrongSessionId {
        /// Ours.
        expected: i64,
        /// Received.
        got: i64,
    },
    /// `msg_id` has the wrong low bits for its sender (server: odd; client: 0 mod 4).
    #[error("msg_id {msg_id:#x} has the wrong parity for the sender")]
    WrongMsgIdParity {
        /// The id.
        msg_id: i64,
        /// The session the message came from.
        session_id: i64,
    },
    /// `msg_id` is more than 300 s older than our clock.
    #[error("msg_id {msg_id:#x} is {age_secs} s old")]
    MsgIdTooOld {
        /// The id.
        msg_id: i64,
        /// Its seq_no (for a `bad_msg_notification`).
        seq_no: i32,
        /// How old it is.
        age_secs: i64,
        /// The session the message came from.
        session_id: i64,
    },
    /// `msg_id` is more than 30 s ahead of our clock.
    #[error("msg_id {msg_id:#x} is {ahead_secs} s in the future")]
    MsgIdTooNew {
        /// The id.
        msg_id: i64,
        /// Its seq_no.
        seq_no: i32,
        /// How far ahead it is.
        ahead_secs: i64,
        /// The session the message came from.
        session_id: i64,
    },
    /// `msg_id` was already received.
    #[error("msg_id {msg_id:#x} was already received")]
    Duplicate {
        /// The id.
        msg_id: i64,
    },
    /// `msg_id` is older than everything the replay window remembers.
    #[error("msg_id {msg_id:#x} is behind the replay window")]
    BehindReplayWindow {
        /// The id.
        msg_id: i64,
    },
    /// (Server sessions) the salt is not the current server salt.
    #[error("salt {got:#x} is not the current server salt")]
    WrongSalt {
        /// The id of the refused message.
        msg_id: i64,
        /// Its seq_no.
        seq_no: i32,
        /// The salt it carried.
        got: i64,
        /// The session the message came from.
        session_id: i64,
    },
    /// A body to pack is not a whole number of 4-byte words.
    #[error("message body of {len} bytes is not a multiple of 4")]
    BodyNotAligned {
        /// Its length.
        len: usize,
    },
    /// A body to pack is larger than [`MAX_MESSAGE_DATA`].
    #[error("message body of {len} bytes is too large")]
    BodyTooLarge {
        /// Its length.
        len: usize,
    },
}

impl SessionError {
    /// For errors found in an authenticated message (after the `msg_key` check):
    /// the `bad_msg_notification` code a server answers with (16, 17, 18, 48),
    /// with the refused msg_id and seq_no.
    pub fn bad_msg_notification(&self) -> Option<(i64, i32, i32)> {
        match *self {
            SessionError::MsgIdTooOld { msg_id, seq_no, .. } => Some((msg_id, seq_no, 16)),
            SessionError::MsgIdTooNew { msg_id, seq_no, .. } => Some((msg_id, seq_no, 17)),
            SessionError::WrongMsgIdParity { msg_id, .. } => Some((msg_id, 0, 18)),
            SessionError::WrongSalt { msg_id, seq_no, .. } => Some((msg_id, seq_no, 48)),
            _ => None,
        }
    }

    /// The session an authenticated, refused message came from (where a
    /// notification about it must go).
    pub fn session_id(&self) -> Option<i64> {
        match *self {
            SessionError::MsgIdTooOld { session_id, .. }
            | SessionError::MsgIdTooNew { session_id, .. }
            | SessionError::WrongMsgIdParity { session_id, .. }
            | SessionError::WrongSalt { session_id, .. } => Some(session_id),
            _ => None,
        }
    }
}

/// An encrypted message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    /// Its msg_id (to match answers and acks).
    pub msg_id: i64,
    /// Its seq_no.
    pub seq_no: i32,
    /// The whole encrypted message: `auth_key_id | msg_key | encrypted data`.
    pub bytes: Vec<u8>,
}

/// A decrypted, checked incoming message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// The salt it carried.
    pub salt: i64,
    /// Its session id.
    pub session_id: i64,
    /// Its msg_id.
    pub msg_id: i64,
    /// Its seq_no (odd when content-related).
    pub seq_no: i32,
    /// (Server sessions) this is the first message of a new session: the server
    /// should send `new_session_created`.
    pub new_session: bool,
    plaintext: Vec<u8>,
    body_len: usize,
}

impl Incoming {
    /// `message_data`: the TL body.
    pub fn body(&self) -> &[u8] {
        &self.plaintext[INNER_HEADER..INNER_HEADER + self.body_len]
    }

    /// The body's constructor id, if it has 4 bytes.
    pub fn constructor_id(&self) -> Option<u32> {
        self.body()
            .get(..4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
    }

    /// Whether it is content-related (odd seq_no).
    pub fn is_content_related(&self) -> bool {
        self.seq_no & 1 == 1
    }
}

/// Which low bits a server msg_id carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerMsgKind {
    /// An answer to a client message: `msg_id ≡ 1 (mod 4)`.
    Response,
    /// A message of the server's own (updates, service): `msg_id ≡ 3 (mod 4)`.
    Notification,
}

/// What a service message did to the session (see [`Session::handle_service`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceEvent {
    /// `bad_server_salt`: the salt was replaced; resend `bad_msg_id` (with a new msg_id).
    SaltChanged {
        /// The refused message.
        bad_msg_id: i64,
        /// The new salt.
        new_salt: i64,
    },
    /// `bad_msg_notification` 16/17: the clock offset was corrected from the
    /// notification's msg_id; resend `bad_msg_id`.
    TimeCorrected {
        /// The refused message.
        bad_msg_id: i64,
        /// The new offset (server time minus local time, seconds).
        offset: i64,
    },
    /// `bad_msg_notification` 32/33: the seq_no counter was moved; resend `bad_msg_id`.
    SeqNoCorrected {
        /// The refused message.
        bad_msg_id: i64,
        /// The code (32: too low, 33: too high).
        code: i32,
    },
    /// Another `bad_msg_notification` code: the message was malformed; the session cannot fix it.
    BadMessage {
        /// The refused message.
        bad_msg_id: i64,
        /// The code.
        code: i32,
    },
    /// `new_session_created`: the salt was replaced; updates before
    /// `first_msg_id` may have been lost.
    NewSession {
        /// The first message of the new session.
        first_msg_id: i64,
        /// The server's id for the session.
        unique_id: i64,
        /// The new salt.
        server_salt: i64,
    },
}

/// One MTProto session over an authorization key: salt, session id, clock
/// offset, msg_id and seq_no counters, and the replay window.
#[derive(Debug, Clone)]
pub struct Session {
    auth_key: AuthKey,
    side: Side,
    salt: i64,
    session_id: Option<i64>,
    time_offset: i64,
    last_msg_id: i64,
    content_sent: i32,
    replay: ReplayWindow,
}

impl Session {
    /// A client session with a chosen `session_id` and clock offset
    /// (server time minus local time, seconds).
    pub fn client(auth_key: AuthKey, salt: i64, session_id: i64, time_offset: i64) -> Self {
        Self::new(auth_key, Side::Client, salt, Some(session_id), time_offset)
    }

    /// A client session right after a key exchange: random session id, the
    /// exchange's salt, and the offset of `server_time` from `now`.
    pub fn client_from_outcome<R: rand::CryptoRng + ?Sized>(
        outcome: &AuthOutcome,
        now: SystemTime,
        rng: &mut R,
    ) -> Self {
        let offset = i64::from(outcome.server_time) - unix_secs(now);
        Self::client(
            outcome.auth_key.clone(),
            outcome.server_salt,
            rng.next_u64() as i64,
            offset,
        )
    }

    /// A server session: it adopts the session id of the first valid message.
    pub fn server(auth_key: AuthKey, salt: i64) -> Self {
        Self::new(auth_key, Side::Server, salt, None, 0)
    }

    fn new(
        auth_key: AuthKey,
        side: Side,
        salt: i64,
        session_id: Option<i64>,
        time_offset: i64,
    ) -> Self {
        Self {
            auth_key,
            side,
            salt,
            session_id,
            time_offset,
            last_msg_id: 0,
            content_sent: 0,
            replay: ReplayWindow::new(DEFAULT_REPLAY_WINDOW),
        }
    }

    /// Replaces the replay window (to change its size).
    pub fn with_replay_window(mut self, window: ReplayWindow) -> Self {
        self.replay = window;
        self
    }

    /// The authorization key.
    pub fn auth_key(&self) -> &AuthKey {
        &self.auth_key
    }

    /// Which side this session speaks for.
    pub fn side(&self) -> Side {
        self.side
    }

    /// The current server salt.
    pub fn salt(&self) -> i64 {
        self.salt
    }

    /// Sets the server salt (from `future_salts`, or a server rotating salts).
    pub fn set_salt(&mut self, salt: i64) {
        self.salt = salt;
    }

    /// The session id (`None` for a server session before its first message).
    pub fn session_id(&self) -> Option<i64> {
        self.session_id
    }

    /// Server time minus local time, in seconds.
    pub fn time_offset(&self) -> i64 {
        self.time_offset
    }

    /// Sets the clock offset; msg_ids restart from the corrected clock.
    pub fn set_time_offset(&mut self, offset: i64) {
        self.time_offset = offset;
        self.last_msg_id = 0;
    }

    /// Encrypts `body` as the next message (now, fresh random padding). Client
    /// msg_ids are 0 mod 4; a server session marks it as a response (1 mod 4).
    pub fn pack(&mut self, body: &[u8], content_related: bool) -> Result<Packed, SessionError> {
        self.pack_at(body, content_related, SystemTime::now(), &mut rand::rng())
    }

    /// [`pack`](Self::pack) with an explicit clock and RNG.
    pub fn pack_at<R: rand::CryptoRng + ?Sized>(
        &mut self,
        body: &[u8],
        content_related: bool,
        now: SystemTime,
        rng: &mut R,
    ) -> Result<Packed, SessionError> {
        self.pack_kind_at(body, content_related, ServerMsgKind::Response, now, rng)
    }

    /// Like [`pack_at`](Self::pack_at), choosing the msg_id kind of a server
    /// message (ignored by client sessions).
    pub fn pack_kind_at<R: rand::CryptoRng + ?Sized>(
        &mut self,
        body: &[u8],
        content_related: bool,
        kind: ServerMsgKind,
        now: SystemTime,
        rng: &mut R,
    ) -> Result<Packed, SessionError> {
        let session_id = self.session_id.unwrap_or(0);
        self.pack_for_session(body, content_related, kind, session_id, now, rng)
    }

    fn pack_for_session<R: rand::CryptoRng + ?Sized>(
        &mut self,
        body: &[u8],
        content_related: bool,
        kind: ServerMsgKind,
        session_id: i64,
        now: SystemTime,
        rng: &mut R,
    ) -> Result<Packed, SessionError> {
        if body.len() % 4 != 0 {
            return Err(SessionError::BodyNotAligned { len: body.len() });
        }
        if body.len() > MAX_MESSAGE_DATA {
            return Err(SessionError::BodyTooLarge { len: body.len() });
        }
        let msg_id = self.next_msg_id(now, kind);
        let seq_no = self.next_seq_no(content_related);

        let unpadded = INNER_HEADER + body.len();
        let padding = MIN_PADDING
            + (16 - (unpadded + MIN_PADDING) % 16) % 16
            + 16 * (rng.next_u32() % 4) as usize;
        let mut out = Vec::with_capacity(24 + unpadded + padding);
        out.extend_from_slice(&self.auth_key.id_bytes());
        out.extend_from_slice(&[0u8; 16]);
        out.extend_from_slice(&self.salt.to_le_bytes());
        out.extend_from_slice(&session_id.to_le_bytes());
        out.extend_from_slice(&msg_id.to_le_bytes());
        out.extend_from_slice(&seq_no.to_le_bytes());
        out.extend_from_slice(&(body.len() as i32).to_le_bytes());
        out.extend_from_slice(body);
        let pad_start = out.len();
        out.resize(pad_start + padding, 0);
        rng.fill_bytes(&mut out[pad_start..]);

        let key = msg_key(&self.auth_key, self.side, &out[24..]);
        out[8..24].copy_from_slice(&key);
        let (aes_key, aes_iv) = message_aes_key_iv(&self.auth_key, &key, self.side);
        aes_ige_encrypt_in_place(&mut out[24..], &aes_key, &aes_iv)
            .expect("padded to whole blocks");
        Ok(Packed {
            msg_id,
            seq_no,
            bytes: out,
        })
    }

    fn next_msg_id(&mut self, now: SystemTime, kind: ServerMsgKind) -> i64 {
        let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
        let secs = since.as_secs() as i64 + self.time_offset;
        let fraction = (u64::from(since.subsec_nanos()) << 32) / 1_000_000_000;
        let low_bits = match (self.side, kind) {
            (Side::Client, _) => 0,
            (Side::Server, ServerMsgKind::Response) => 1,
            (Side::Server, ServerMsgKind::Notification) => 3,
        };
        let mut id = ((secs << 32) | fraction as i64) & !3;
        if id & 0xffff_fffc == 0 {
            id += 4; // the low 32 bits of a msg_id must not be empty
        }
        if id <= self.last_msg_id & !3 {
            id = (self.last_msg_id & !3) + 4;
        }
        let id = id | low_bits;
        self.last_msg_id = id;
        id
    }

    fn next_seq_no(&mut self, content_related: bool) -> i32 {
        if content_related {
            let seq = self.content_sent.wrapping_mul(2).wrapping_add(1);
            self.content_sent = self.content_sent.wrapping_add(1);
            seq
        } else {
            self.content_sent.wrapping_mul(2)
        }
    }

    /// Decrypts and checks an incoming encrypted message against the clock now.
    pub fn unpack(&mut self, message: &[u8]) -> Result<Incoming, SessionError> {
        self.unpack_at(message, SystemTime::now())
    }

    /// [`unpack`](Self::unpack) with an explicit clock. On error the session is unchanged.
    pub fn unpack_at(&mut self, message: &[u8], now: SystemTime) -> Result<Incoming, SessionError> {
        const MIN_LEN: usize = 24 + 48;
        if message.len() < MIN_LEN {
            return Err(SessionError::TooShort { len: message.len() });
        }
        let encrypted = &message[24..];
        if encrypted.len() % 16 != 0 {
            return Err(SessionError::NotBlockAligned {
                len: encrypted.len(),
            });
        }
        let got_id: [u8; 8] = message[..8].try_into().expect("8 bytes");
        if got_id != self.auth_key.id_bytes() {
            return Err(SessionError::WrongAuthKeyId {
                expected: u64::from_le_bytes(self.auth_key.id_bytes()),
                got: u64::from_le_bytes(got_id),
            });
        }
        let sender = self.side.peer();
        let their_key: [u8; 16] = message[8..24].try_into().expect("16 bytes");
        let (aes_key, aes_iv) = message_aes_key_iv(&self.auth_key, &their_key, sender);
        let mut plain = encrypted.to_vec();
        aes_ige_decrypt_in_place(&mut plain, &aes_key, &aes_iv).expect("checked block alignment");
        let expected_key = msg_key(&self.auth_key, sender, &plain);
        if expected_key
            .iter()
            .zip(&their_key)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            != 0
        {
            return Err(SessionError::WrongMsgKey);
        }

        let read_i64 =
            |at: usize| i64::from_le_bytes(plain[at..at + 8].try_into().expect("8 bytes"));
        let read_i32 =
            |at: usize| i32::from_le_bytes(plain[at..at + 4].try_into().expect("4 bytes"));
        let (salt, session_id, msg_id, seq_no, declared) = (
            read_i64(0),
            read_i64(8),
            read_i64(16),
            read_i32(24),
            read_i32(28),
        );
        let available = plain.len() - INNER_HEADER;
        let body_len = usize::try_from(declared).ok().filter(|&len| {
            len % 4 == 0
                && len <= MAX_MESSAGE_DATA
                && len + MIN_PADDING <= available
                && available - len <= MAX_PADDING
        });
        let Some(body_len) = body_len else {
            return Err(SessionError::BadLength {
                declared,
                available,
            });
        };

        let mut new_session = false;
        match self.session_id {
            Some(expected) if expected != session_id => {
                return Err(SessionError::WrongSessionId {
                    expected,
                    got: session_id,
                })
            }
            Some(_) => {}
            None => new_session = true,
        }

        let parity_ok = match sender {
            Side::Server => msg_id & 1 == 1,
            Side::Client => msg_id & 3 == 0,
        };
        if !parity_ok {
            return Err(SessionError::WrongMsgIdParity { msg_id, session_id });
        }

        let body = &plain[INNER_HEADER..INNER_HEADER + body_len];
        let body_id = body
            .get(..4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")));
        // Salt and time notifications must get through a wrong clock (they fix it).
        let exempt_from_clock = sender == Side::Server
            && matches!(body_id, Some(BAD_SERVER_SALT_ID | BAD_MSG_NOTIFICATION_ID));
        if !exempt_from_clock {
            let delta = unix_secs(now) + self.time_offset - (msg_id >> 32);
            if delta > MAX_AGE_SECS {
                return Err(SessionError::MsgIdTooOld {
                    msg_id,
                    seq_no,
                    age_secs: delta,
                    session_id,
                });
            }
            if -delta > MAX_AHEAD_SECS {
                return Err(SessionError::MsgIdTooNew {
                    msg_id,
                    seq_no,
                    ahead_secs: -delta,
                    session_id,
                });
            }
        }

        match self.replay.check(msg_id) {
            ReplayVerdict::Fresh => {}
            ReplayVerdict::Duplicate => return Err(SessionError::Duplicate { msg_id }),
            ReplayVerdict::BehindWindow => return Err(SessionError::BehindReplayWindow { msg_id }),
        }

        if self.side == Side::Server && salt != self.salt {
            return Err(SessionError::WrongSalt {
                msg_id,
                seq_no,
                got: salt,
                session_id,
            });
        }

        self.session_id = Some(session_id);
        self.replay.insert(msg_id);
        Ok(Incoming {
            salt,
            session_id,
            msg_id,
            seq_no,
            new_session,
            plaintext: plain,
            body_len,
        })
    }

    /// Applies a service message received in message `msg_id` (`bad_server_salt`,
    /// `bad_msg_notification`, `new_session_created`) to a client session.
    /// Returns `Ok(None)` for any other body.
    pub fn handle_service(
        &mut self,
        msg_id: i64,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Option<ServiceEvent>, zerotl::DecodeError> {
        let Some(id) = body
            .get(..4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
        else {
            return Ok(None);
        };
        match id {
            BAD_SERVER_SALT_ID => {
                let n = types::BadServerSalt::decode_from_slice(body)?;
                self.salt = n.new_server_salt;
                Ok(Some(ServiceEvent::SaltChanged {
                    bad_msg_id: n.bad_msg_id,
                    new_salt: n.new_server_salt,
                }))
            }
            BAD_MSG_NOTIFICATION_ID => {
                let n = types::BadMsgNotification::decode_from_slice(body)?;
                Ok(Some(match n.error_code {
                    16 | 17 => {
                        let offset = (msg_id >> 32) - unix_secs(now);
                        self.set_time_offset(offset);
                        ServiceEvent::TimeCorrected {
                            bad_msg_id: n.bad_msg_id,
                            offset,
                        }
                    }
                    code @ (32 | 33) => {
                        self.content_sent = if code == 32 {
                            self.content_sent.saturating_add(32)
                        } else {
                            self.content_sent.saturating_sub(8).max(0)
                        };
                        ServiceEvent::SeqNoCorrected {
                            bad_msg_id: n.bad_msg_id,
                            code,
                        }
                    }
                    code => ServiceEvent::BadMessage {
                        bad_msg_id: n.bad_msg_id,
                        code,
                    },
                }))
            }
            types::NewSessionCreated::CONSTRUCTOR_ID => {
                let n = types::NewSessionCreated::decode_from_slice(body)?;
                self.salt = n.server_salt;
                Ok(Some(ServiceEvent::NewSession {
                    first_msg_id: n.first_msg_id,
                    unique_id: n.unique_id,
                    server_salt: n.server_salt,
                }))
            }
            _ => Ok(None),
        }
    }

    /// (Server sessions) packs the notification a refused, authenticated message
    /// calls for, addressed to that message's session: `bad_server_salt` for a
    /// wrong salt, `bad_msg_notification` for msg_id problems; `None` for errors
    /// that get no answer (those of messages that could not be authenticated).
    pub fn notify_refusal<R: rand::CryptoRng + ?Sized>(
        &mut self,
        error: &SessionError,
        now: SystemTime,
        rng: &mut R,
    ) -> Option<Packed> {
        let (bad_msg_id, bad_msg_seqno, error_code) = error.bad_msg_notification()?;
        let body = if error_code == 48 {
            encode_to_vec(&types::BadServerSalt {
                bad_msg_id,
                bad_msg_seqno,
                error_code,
                new_server_salt: self.salt,
            })
        } else {
            encode_to_vec(&types::BadMsgNotification {
                bad_msg_id,
                bad_msg_seqno,
                error_code,
            })
        };
        let session_id = error.session_id()?;
        self.pack_for_session(
            &body,
            false,
            ServerMsgKind::Notification,
            session_id,
            now,
            rng,
        )
        .ok()
    }

    /// (Server sessions) packs `new_session_created` for the first message of a session.
    pub fn new_session_created<R: rand::CryptoRng + ?Sized>(
        &mut self,
        first_msg_id: i64,
        now: SystemTime,
        rng: &mut R,
    ) -> Result<Packed, SessionError> {
        let body = encode_to_vec(&types::NewSessionCreated {
            first_msg_id,
            unique_id: rng.next_u64() as i64,
            server_salt: self.salt,
        });
        self.pack_kind_at(&body, false, ServerMsgKind::Notification, now, rng)
    }
}

fn unix_secs(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}
