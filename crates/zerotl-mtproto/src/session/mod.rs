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
//! Nothing here allocates: [`Session::pack`] writes the encrypted message into the
//! caller's [`OutputBuffer`] and [`Session::unpack`] decrypts in place in the
//! caller's buffer, handing the body out as a borrowed slice.
//!
//! An incoming message is accepted only if, in this order: it is long enough and
//! block-aligned, its `auth_key_id` is ours, its `msg_key` matches the decrypted
//! plaintext, `length` fits with 12..1024 bytes of padding, `session_id` is the
//! session's, `msg_id` has the sender's parity, lies within 300 s in the past /
//! 30 s in the future of our (corrected) clock, and has not been seen before (a
//! bounded [`ReplayWindow`]). A server session also checks the salt. A rejected
//! message changes nothing in the session: the next good message is accepted as
//! usual (the caller's buffer of a refused message holds garbage afterwards).

mod replay;

pub use replay::{ReplayVerdict, ReplayWindow};

use rand_core::CryptoRngCore;
use zerotl::Identifiable as _;
use zerotl::{Decode as _, Encode};
use zerotl_types::mtproto::types;

use crate::crypto::kdf::{message_aes_key_iv, msg_key};
use crate::crypto::{aes_ige_decrypt_in_place, aes_ige_encrypt_in_place, AuthKey};
use crate::envelope::{MsgIdGenerator, MsgIdKind, SeqNoGenerator};
use crate::{BufferFull, OutputBuffer, Side, UnixTime};

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
/// The replay window's default size (msg_ids remembered).
pub const DEFAULT_REPLAY_WINDOW: usize = 1024;
/// Bytes an encrypted message adds around its body, at most: `auth_key_id`,
/// `msg_key`, the 32-byte inner header and up to 12 + 15 + 48 padding bytes.
pub const MAX_OVERHEAD: usize = 24 + INNER_HEADER + MIN_PADDING + 15 + 48;
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
    /// (Server sessions) a rule of the session's message order was broken: the
    /// `bad_msg_notification` `code` says which (20: too old to tell whether it
    /// was received, 32/33: seq_no too low/high, 34/35: seq_no parity, 64: bad
    /// container).
    #[error("message {msg_id:#x} refused with bad_msg_notification code {code}")]
    Refused {
        /// The id.
        msg_id: i64,
        /// Its seq_no.
        seq_no: i32,
        /// The `bad_msg_notification` code.
        code: i32,
        /// The session the message came from.
        session_id: i64,
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
    /// A value to pack does not encode.
    #[error("message body does not encode: {0}")]
    BodyEncode(zerotl::EncodeError),
    /// The caller's output buffer has no room for the encrypted message.
    #[error("no room for the encrypted message: {0}")]
    OutputFull(#[from] BufferFull),
}

impl SessionError {
    /// For errors found in an authenticated message (after the `msg_key` check):
    /// the `bad_msg_notification` code a server answers with (16, 17, 18, 48, or
    /// the code of [`SessionError::Refused`]),
    /// with the refused msg_id and seq_no.
    pub fn bad_msg_notification(&self) -> Option<(i64, i32, i32)> {
        match *self {
            SessionError::MsgIdTooOld { msg_id, seq_no, .. } => Some((msg_id, seq_no, 16)),
            SessionError::MsgIdTooNew { msg_id, seq_no, .. } => Some((msg_id, seq_no, 17)),
            SessionError::WrongMsgIdParity { msg_id, .. } => Some((msg_id, 0, 18)),
            SessionError::WrongSalt { msg_id, seq_no, .. } => Some((msg_id, seq_no, 48)),
            SessionError::Refused {
                msg_id,
                seq_no,
                code,
                ..
            } => Some((msg_id, seq_no, code)),
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
            | SessionError::WrongSalt { session_id, .. }
            | SessionError::Refused { session_id, .. } => Some(session_id),
            _ => None,
        }
    }
}

/// What [`Session::pack`] wrote: the message's ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentMessage {
    /// Its msg_id (to match answers and acks).
    pub msg_id: i64,
    /// Its seq_no.
    pub seq_no: i32,
}

/// A decrypted, checked incoming message, borrowing the caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecryptedMessage<'a> {
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
    body: &'a [u8],
}

impl<'a> DecryptedMessage<'a> {
    /// `message_data`: the TL body.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The body's constructor id, if it has 4 bytes.
    pub fn constructor_id(&self) -> Option<u32> {
        self.body.first_chunk::<4>().map(|b| u32::from_le_bytes(*b))
    }

    /// Whether it is content-related (odd seq_no).
    pub fn is_content_related(&self) -> bool {
        self.seq_no & 1 == 1
    }
}

/// The authenticated header of an incoming message, as [`Session::unpack_with`]
/// shows it to its caller before accepting the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageHeader {
    /// The salt it carried.
    pub salt: i64,
    /// Its session id.
    pub session_id: i64,
    /// Its msg_id.
    pub msg_id: i64,
    /// Its seq_no.
    pub seq_no: i32,
    /// Whether the session id is new to this `Session` (a server session's first message).
    pub new_session: bool,
    /// The body's constructor id, if it has 4 bytes.
    pub body_constructor: Option<u32>,
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
/// offset, msg_id and seq_no counters, and a replay window of the last `W`
/// msg_ids received (fixed-size storage: `8 * W` bytes).
#[derive(Debug, Clone)]
pub struct Session<const W: usize = DEFAULT_REPLAY_WINDOW> {
    auth_key: AuthKey,
    side: Side,
    salt: i64,
    session_id: Option<i64>,
    msg_ids: MsgIdGenerator,
    seq_nos: SeqNoGenerator,
    replay: ReplayWindow<W>,
}

impl Session {
    /// A client session with a chosen `session_id` and clock offset
    /// (server time minus local time, seconds), with the default replay window.
    pub fn client(auth_key: AuthKey, salt: i64, session_id: i64, time_offset: i64) -> Self {
        Self::client_windowed(auth_key, salt, session_id, time_offset)
    }

    /// A client session right after a key exchange: random session id, the
    /// exchange's salt, and the offset of `server_time` from `now`.
    #[cfg(feature = "alloc")]
    pub fn client_from_outcome<R: CryptoRngCore + ?Sized>(
        outcome: &crate::auth::AuthOutcome,
        now: UnixTime,
        rng: &mut R,
    ) -> Self {
        Self::client_from_outcome_windowed(outcome, now, rng)
    }

    /// A server session with the default replay window: it adopts the session id
    /// of the first valid message.
    pub fn server(auth_key: AuthKey, salt: i64) -> Self {
        Self::server_windowed(auth_key, salt)
    }
}

impl<const W: usize> Session<W> {
    /// [`Session::client`] with a replay window of `W` msg_ids
    /// (`Session::<64>::client_windowed(..)`).
    pub fn client_windowed(
        auth_key: AuthKey,
        salt: i64,
        session_id: i64,
        time_offset: i64,
    ) -> Self {
        let mut session = Self::new(auth_key, Side::Client, salt, Some(session_id));
        session.msg_ids.set_time_offset(time_offset);
        session
    }

    /// [`Session::client_from_outcome`] with a replay window of `W` msg_ids.
    #[cfg(feature = "alloc")]
    pub fn client_from_outcome_windowed<R: CryptoRngCore + ?Sized>(
        outcome: &crate::auth::AuthOutcome,
        now: UnixTime,
        rng: &mut R,
    ) -> Self {
        let offset = i64::from(outcome.server_time) - now.as_secs() as i64;
        Self::client_windowed(
            outcome.auth_key.clone(),
            outcome.server_salt,
            rng.next_u64() as i64,
            offset,
        )
    }

    /// [`Session::server`] with a replay window of `W` msg_ids.
    pub fn server_windowed(auth_key: AuthKey, salt: i64) -> Self {
        Self::new(auth_key, Side::Server, salt, None)
    }

    fn new(auth_key: AuthKey, side: Side, salt: i64, session_id: Option<i64>) -> Self {
        Self {
            auth_key,
            side,
            salt,
            session_id,
            msg_ids: MsgIdGenerator::new(),
            seq_nos: SeqNoGenerator::new(),
            replay: ReplayWindow::new(),
        }
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
        self.msg_ids.time_offset()
    }

    /// Sets the clock offset; msg_ids restart from the corrected clock.
    pub fn set_time_offset(&mut self, offset: i64) {
        self.msg_ids.set_time_offset(offset);
        self.msg_ids.reset();
    }

    /// The msg_ids received lately (the replay window).
    pub fn replay_window(&self) -> &ReplayWindow<W> {
        &self.replay
    }

    /// Encrypts `body` as the next message (fresh random padding from `rng`) and
    /// appends it to `out`: `auth_key_id | msg_key | encrypted data`. Client
    /// msg_ids are 0 mod 4; a server session marks it as a response (1 mod 4).
    pub fn pack<R: CryptoRngCore + ?Sized, O: OutputBuffer + ?Sized>(
        &mut self,
        body: &[u8],
        content_related: bool,
        now: UnixTime,
        rng: &mut R,
        out: &mut O,
    ) -> Result<SentMessage, SessionError> {
        self.pack_kind(
            body,
            content_related,
            ServerMsgKind::Response,
            now,
            rng,
            out,
        )
    }

    /// Like [`pack`](Self::pack), choosing the msg_id kind of a server message
    /// (ignored by client sessions).
    pub fn pack_kind<R: CryptoRngCore + ?Sized, O: OutputBuffer + ?Sized>(
        &mut self,
        body: &[u8],
        content_related: bool,
        kind: ServerMsgKind,
        now: UnixTime,
        rng: &mut R,
        out: &mut O,
    ) -> Result<SentMessage, SessionError> {
        if body.len() % 4 != 0 {
            return Err(SessionError::BodyNotAligned { len: body.len() });
        }
        let session_id = self.session_id.unwrap_or(0);
        let header = Header {
            content_related,
            kind,
            session_id,
        };
        self.seal(body.len(), header, now, rng, out, |region| {
            region.copy_from_slice(body);
            Ok(())
        })
    }

    /// Like [`pack_kind`](Self::pack_kind) with the body given as a TL value,
    /// encoded straight into the output (no intermediate buffer).
    pub fn pack_value<T, R, O>(
        &mut self,
        value: &T,
        content_related: bool,
        kind: ServerMsgKind,
        now: UnixTime,
        rng: &mut R,
        out: &mut O,
    ) -> Result<SentMessage, SessionError>
    where
        T: Encode + ?Sized,
        R: CryptoRngCore + ?Sized,
        O: OutputBuffer + ?Sized,
    {
        let session_id = self.session_id.unwrap_or(0);
        self.pack_value_for(value, content_related, kind, session_id, now, rng, out)
    }

    #[allow(clippy::too_many_arguments)]
    fn pack_value_for<T, R, O>(
        &mut self,
        value: &T,
        content_related: bool,
        kind: ServerMsgKind,
        session_id: i64,
        now: UnixTime,
        rng: &mut R,
        out: &mut O,
    ) -> Result<SentMessage, SessionError>
    where
        T: Encode + ?Sized,
        R: CryptoRngCore + ?Sized,
        O: OutputBuffer + ?Sized,
    {
        let header = Header {
            content_related,
            kind,
            session_id,
        };
        self.seal(value.encoded_len(), header, now, rng, out, |region| {
            zerotl::encode_to_slice(value, region)
                .map(|_| ())
                .map_err(SessionError::BodyEncode)
        })
    }

    /// Appends an encrypted message with a `body_len`-byte body that `fill` writes.
    fn seal<R: CryptoRngCore + ?Sized, O: OutputBuffer + ?Sized>(
        &mut self,
        body_len: usize,
        header: Header,
        now: UnixTime,
        rng: &mut R,
        out: &mut O,
        fill: impl FnOnce(&mut [u8]) -> Result<(), SessionError>,
    ) -> Result<SentMessage, SessionError> {
        let plan = SealPlan::new(body_len, rng)?;
        let start = out.len();
        let wire = out.grow(plan.message_len())?;
        let sent = self.seal_into(plan, header, wire, now, rng, fill);
        if sent.is_err() {
            out.truncate(start);
        }
        sent
    }

    /// Writes the encrypted message planned by `plan` into `message` (exactly
    /// [`SealPlan::message_len`] bytes, for example the payload region of a frame
    /// being built), with the body written by `fill`. For the client core, which
    /// builds messages straight into frames.
    #[allow(clippy::too_many_arguments)]
    pub fn seal_message<R: CryptoRngCore + ?Sized>(
        &mut self,
        plan: SealPlan,
        content_related: bool,
        kind: ServerMsgKind,
        message: &mut [u8],
        now: UnixTime,
        rng: &mut R,
        fill: impl FnOnce(&mut [u8]) -> Result<(), SessionError>,
    ) -> Result<SentMessage, SessionError> {
        let header = Header {
            content_related,
            kind,
            session_id: self.session_id.unwrap_or(0),
        };
        self.seal_into(plan, header, message, now, rng, fill)
    }

    fn seal_into<R: CryptoRngCore + ?Sized>(
        &mut self,
        plan: SealPlan,
        header: Header,
        wire: &mut [u8],
        now: UnixTime,
        rng: &mut R,
        fill: impl FnOnce(&mut [u8]) -> Result<(), SessionError>,
    ) -> Result<SentMessage, SessionError> {
        let body_len = plan.body_len;
        if wire.len() != plan.message_len() {
            return Err(SessionError::OutputFull(BufferFull {
                needed: plan.message_len(),
                available: wire.len(),
            }));
        }
        let body_at = 24 + INNER_HEADER;
        fill(&mut wire[body_at..body_at + body_len])?;
        let kind = match (self.side, header.kind) {
            (Side::Client, _) => MsgIdKind::Client,
            (Side::Server, ServerMsgKind::Response) => MsgIdKind::ServerResponse,
            (Side::Server, ServerMsgKind::Notification) => MsgIdKind::ServerOther,
        };
        let msg_id = self.msg_ids.next(kind, now);
        let seq_no = self.seq_nos.next(header.content_related);
        wire[..8].copy_from_slice(&self.auth_key.id_bytes());
        wire[24..32].copy_from_slice(&self.salt.to_le_bytes());
        wire[32..40].copy_from_slice(&header.session_id.to_le_bytes());
        wire[40..48].copy_from_slice(&msg_id.to_le_bytes());
        wire[48..52].copy_from_slice(&seq_no.to_le_bytes());
        wire[52..56].copy_from_slice(&(body_len as i32).to_le_bytes());
        rng.fill_bytes(&mut wire[body_at + body_len..]);

        let key = msg_key(&self.auth_key, self.side, &wire[24..]);
        wire[8..24].copy_from_slice(&key);
        let (mut aes_key, mut aes_iv) = message_aes_key_iv(&self.auth_key, &key, self.side);
        // Whole blocks by construction: 32 + body + padding is a multiple of 16.
        let _ = aes_ige_encrypt_in_place(&mut wire[24..], &aes_key, &aes_iv);
        zeroize::Zeroize::zeroize(&mut aes_key);
        zeroize::Zeroize::zeroize(&mut aes_iv);
        Ok(SentMessage { msg_id, seq_no })
    }

    /// Decrypts `message` in place and checks it against the clock `now`; the
    /// returned body borrows `message`. On error the session is unchanged.
    pub fn unpack<'b>(
        &mut self,
        message: &'b mut [u8],
        now: UnixTime,
    ) -> Result<DecryptedMessage<'b>, SessionError> {
        self.unpack_then(message, now, |session, m| {
            match session.replay.check(m.msg_id) {
                ReplayVerdict::Fresh => {}
                ReplayVerdict::Duplicate => {
                    return Err(SessionError::Duplicate { msg_id: m.msg_id })
                }
                ReplayVerdict::BehindWindow => {
                    return Err(SessionError::BehindReplayWindow { msg_id: m.msg_id })
                }
            }
            if session.side == Side::Server && m.salt != session.salt {
                return Err(SessionError::WrongSalt {
                    msg_id: m.msg_id,
                    seq_no: m.seq_no,
                    got: m.salt,
                    session_id: m.session_id,
                });
            }
            session.replay.insert(m.msg_id);
            Ok(m.new_session)
        })
    }

    /// Like [`unpack`](Self::unpack), but the replay and salt checks are the
    /// caller's: `admit` sees the authenticated header (after the length,
    /// session, parity and clock checks) and says whether the message starts a
    /// new session, or why it is refused. A server keeps that state per auth key,
    /// across connections (see `server::KeyState`); this session's own replay
    /// window is not used.
    pub fn unpack_with<'b>(
        &mut self,
        message: &'b mut [u8],
        now: UnixTime,
        admit: impl FnOnce(&MessageHeader) -> Result<bool, SessionError>,
    ) -> Result<DecryptedMessage<'b>, SessionError> {
        self.unpack_then(message, now, |_, m| admit(m))
    }

    fn unpack_then<'b>(
        &mut self,
        message: &'b mut [u8],
        now: UnixTime,
        finish: impl FnOnce(&mut Self, &MessageHeader) -> Result<bool, SessionError>,
    ) -> Result<DecryptedMessage<'b>, SessionError> {
        const MIN_LEN: usize = 24 + 48;
        if message.len() < MIN_LEN {
            return Err(SessionError::TooShort { len: message.len() });
        }
        let (head, encrypted) = message.split_at_mut(24);
        if encrypted.len() % 16 != 0 {
            return Err(SessionError::NotBlockAligned {
                len: encrypted.len(),
            });
        }
        let got_id: [u8; 8] = head[..8].try_into().unwrap_or_default();
        if got_id != self.auth_key.id_bytes() {
            return Err(SessionError::WrongAuthKeyId {
                expected: u64::from_le_bytes(self.auth_key.id_bytes()),
                got: u64::from_le_bytes(got_id),
            });
        }
        let sender = self.side.peer();
        let their_key: [u8; 16] = head[8..24].try_into().unwrap_or_default();
        let (mut aes_key, mut aes_iv) = message_aes_key_iv(&self.auth_key, &their_key, sender);
        // Block alignment was checked above.
        let _ = aes_ige_decrypt_in_place(encrypted, &aes_key, &aes_iv);
        zeroize::Zeroize::zeroize(&mut aes_key);
        zeroize::Zeroize::zeroize(&mut aes_iv);
        let plain: &'b [u8] = encrypted;
        let expected_key = msg_key(&self.auth_key, sender, plain);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            &expected_key[..],
            &their_key[..],
        )) {
            return Err(SessionError::WrongMsgKey);
        }

        let read_i64 = |at: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&plain[at..at + 8]);
            i64::from_le_bytes(b)
        };
        let read_i32 = |at: usize| {
            let mut b = [0u8; 4];
            b.copy_from_slice(&plain[at..at + 4]);
            i32::from_le_bytes(b)
        };
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
        let body_id = body.first_chunk::<4>().map(|b| u32::from_le_bytes(*b));
        // Salt and time notifications must get through a wrong clock (they fix it).
        let exempt_from_clock = sender == Side::Server
            && matches!(body_id, Some(BAD_SERVER_SALT_ID | BAD_MSG_NOTIFICATION_ID));
        if !exempt_from_clock {
            let delta = now.as_secs() as i64 + self.time_offset() - (msg_id >> 32);
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

        let header = MessageHeader {
            salt,
            session_id,
            msg_id,
            seq_no,
            new_session,
            body_constructor: body_id,
        };
        let new_session = finish(self, &header)?;
        self.session_id = Some(session_id);
        Ok(DecryptedMessage {
            salt,
            session_id,
            msg_id,
            seq_no,
            new_session,
            body,
        })
    }

    /// Applies a service message received in message `msg_id` (`bad_server_salt`,
    /// `bad_msg_notification`, `new_session_created`) to a client session.
    /// Returns `Ok(None)` for any other body.
    pub fn handle_service(
        &mut self,
        msg_id: i64,
        body: &[u8],
        now: UnixTime,
    ) -> Result<Option<ServiceEvent>, zerotl::DecodeError> {
        let Some(id) = body.first_chunk::<4>().map(|b| u32::from_le_bytes(*b)) else {
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
                        let offset = (msg_id >> 32) - now.as_secs() as i64;
                        self.set_time_offset(offset);
                        ServiceEvent::TimeCorrected {
                            bad_msg_id: n.bad_msg_id,
                            offset,
                        }
                    }
                    code @ (32 | 33) => {
                        if code == 32 {
                            self.seq_nos.skip_ahead(32);
                        } else {
                            self.seq_nos.step_back(8);
                        }
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

    /// (Server sessions) appends the notification a refused, authenticated message
    /// calls for, addressed to that message's session: `bad_server_salt` for a
    /// wrong salt, `bad_msg_notification` for msg_id problems; `None` for errors
    /// that get no answer (those of messages that could not be authenticated).
    pub fn notify_refusal<R: CryptoRngCore + ?Sized, O: OutputBuffer + ?Sized>(
        &mut self,
        error: &SessionError,
        now: UnixTime,
        rng: &mut R,
        out: &mut O,
    ) -> Option<Result<SentMessage, SessionError>> {
        let (bad_msg_id, bad_msg_seqno, error_code) = error.bad_msg_notification()?;
        let session_id = error.session_id()?;
        let kind = ServerMsgKind::Notification;
        Some(if error_code == 48 {
            let body = types::BadServerSalt {
                bad_msg_id,
                bad_msg_seqno,
                error_code,
                new_server_salt: self.salt,
            };
            self.pack_value_for(&body, false, kind, session_id, now, rng, out)
        } else {
            let body = types::BadMsgNotification {
                bad_msg_id,
                bad_msg_seqno,
                error_code,
            };
            self.pack_value_for(&body, false, kind, session_id, now, rng, out)
        })
    }

    /// (Server sessions) appends `new_session_created` for the first message of a
    /// session.
    pub fn new_session_created<R: CryptoRngCore + ?Sized, O: OutputBuffer + ?Sized>(
        &mut self,
        first_msg_id: i64,
        now: UnixTime,
        rng: &mut R,
        out: &mut O,
    ) -> Result<SentMessage, SessionError> {
        let body = types::NewSessionCreated {
            first_msg_id,
            unique_id: rng.next_u64() as i64,
            server_salt: self.salt,
        };
        self.pack_value(&body, false, ServerMsgKind::Notification, now, rng, out)
    }
}

/// The shape of an encrypted message about to be built: its body length and the
/// padding drawn for it (see [`Session::seal_message`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealPlan {
    body_len: usize,
    padding: usize,
}

impl SealPlan {
    /// Plans a message with a `body_len`-byte body: 12..=1024 bytes of padding
    /// (the minimum, rounded to a block, plus 0..=3 random blocks from `rng`).
    pub fn new<R: CryptoRngCore + ?Sized>(
        body_len: usize,
        rng: &mut R,
    ) -> Result<Self, SessionError> {
        if body_len % 4 != 0 {
            return Err(SessionError::BodyNotAligned { len: body_len });
        }
        if body_len > MAX_MESSAGE_DATA {
            return Err(SessionError::BodyTooLarge { len: body_len });
        }
        let unpadded = INNER_HEADER + body_len;
        let padding = MIN_PADDING
            + (16 - (unpadded + MIN_PADDING) % 16) % 16
            + 16 * (rng.next_u32() % 4) as usize;
        Ok(Self { body_len, padding })
    }

    /// The whole encrypted message's length: `auth_key_id`, `msg_key`, header,
    /// body and padding.
    pub const fn message_len(&self) -> usize {
        24 + INNER_HEADER + self.body_len + self.padding
    }

    /// The body's length.
    pub const fn body_len(&self) -> usize {
        self.body_len
    }
}

/// What goes into the inner header besides the ids.
#[derive(Clone, Copy)]
struct Header {
    content_related: bool,
    kind: ServerMsgKind,
    session_id: i64,
}

#[cfg(feature = "alloc")]
mod owned {
    use alloc::vec::Vec;

    use rand_core::CryptoRngCore;

    use super::{ServerMsgKind, Session, SessionError, INNER_HEADER};
    use crate::UnixTime;

    /// An encrypted message in a vector of its own (feature `alloc`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Packed {
        /// Its msg_id (to match answers and acks).
        pub msg_id: i64,
        /// Its seq_no.
        pub seq_no: i32,
        /// The whole encrypted message: `auth_key_id | msg_key | encrypted data`.
        pub bytes: Vec<u8>,
    }

    /// A decrypted, checked incoming message with its own copy of the plaintext
    /// (feature `alloc`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct OwnedMessage {
        /// The salt it carried.
        pub salt: i64,
        /// Its session id.
        pub session_id: i64,
        /// Its msg_id.
        pub msg_id: i64,
        /// Its seq_no (odd when content-related).
        pub seq_no: i32,
        /// (Server sessions) the first message of a new session.
        pub new_session: bool,
        body: Vec<u8>,
    }

    impl OwnedMessage {
        /// `message_data`: the TL body.
        pub fn body(&self) -> &[u8] {
            &self.body
        }

        /// The body's constructor id, if it has 4 bytes.
        pub fn constructor_id(&self) -> Option<u32> {
            self.body.first_chunk::<4>().map(|b| u32::from_le_bytes(*b))
        }

        /// Whether it is content-related (odd seq_no).
        pub fn is_content_related(&self) -> bool {
            self.seq_no & 1 == 1
        }
    }

    impl<const W: usize> Session<W> {
        /// [`pack`](Session::pack) into a new vector.
        pub fn pack_to_vec<R: CryptoRngCore + ?Sized>(
            &mut self,
            body: &[u8],
            content_related: bool,
            now: UnixTime,
            rng: &mut R,
        ) -> Result<Packed, SessionError> {
            self.pack_kind_to_vec(body, content_related, ServerMsgKind::Response, now, rng)
        }

        /// [`pack_kind`](Session::pack_kind) into a new vector.
        pub fn pack_kind_to_vec<R: CryptoRngCore + ?Sized>(
            &mut self,
            body: &[u8],
            content_related: bool,
            kind: ServerMsgKind,
            now: UnixTime,
            rng: &mut R,
        ) -> Result<Packed, SessionError> {
            let mut bytes = Vec::with_capacity(body.len() + super::MAX_OVERHEAD);
            let sent = self.pack_kind(body, content_related, kind, now, rng, &mut bytes)?;
            Ok(Packed {
                msg_id: sent.msg_id,
                seq_no: sent.seq_no,
                bytes,
            })
        }

        /// [`notify_refusal`](Session::notify_refusal) into a new vector.
        pub fn notify_refusal_to_vec<R: CryptoRngCore + ?Sized>(
            &mut self,
            error: &SessionError,
            now: UnixTime,
            rng: &mut R,
        ) -> Option<Packed> {
            let mut bytes = Vec::new();
            let sent = self.notify_refusal(error, now, rng, &mut bytes)?.ok()?;
            Some(Packed {
                msg_id: sent.msg_id,
                seq_no: sent.seq_no,
                bytes,
            })
        }

        /// [`new_session_created`](Session::new_session_created) into a new vector.
        pub fn new_session_created_to_vec<R: CryptoRngCore + ?Sized>(
            &mut self,
            first_msg_id: i64,
            now: UnixTime,
            rng: &mut R,
        ) -> Result<Packed, SessionError> {
            let mut bytes = Vec::new();
            let sent = self.new_session_created(first_msg_id, now, rng, &mut bytes)?;
            Ok(Packed {
                msg_id: sent.msg_id,
                seq_no: sent.seq_no,
                bytes,
            })
        }

        /// [`unpack`](Session::unpack) on a copy of `message`.
        pub fn unpack_to_owned(
            &mut self,
            message: &[u8],
            now: UnixTime,
        ) -> Result<OwnedMessage, SessionError> {
            let mut copy = message.to_vec();
            let m = self.unpack(&mut copy, now)?;
            let (salt, session_id, msg_id, seq_no, new_session) =
                (m.salt, m.session_id, m.msg_id, m.seq_no, m.new_session);
            let len = m.body().len();
            copy.truncate(24 + INNER_HEADER + len);
            copy.drain(..24 + INNER_HEADER);
            Ok(OwnedMessage {
                salt,
                session_id,
                msg_id,
                seq_no,
                new_session,
                body: copy,
            })
        }
    }
}

#[cfg(feature = "alloc")]
pub use owned::{OwnedMessage, Packed};
