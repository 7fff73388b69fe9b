//! The test server's world: which chats and channels exist, what the account may do
//! in each, and the flood limit on exports. Loaded from JSON or built in.
//!
//! ## JSON format (`data/worlds/default.json` is the default world)
//!
//! ```json
//! {
//!   "description": "optional free text",
//!   "self_user_id": 1000,
//!   "chats": [
//!     { "id": 1, "role": "creator" },
//!     { "id": 2, "role": "member" },
//!     { "id": 3, "role": "left" }
//!   ],
//!   "channels": [
//!     { "id": 10, "access_hash": 1010, "role": "admin" },
//!     { "id": 11, "access_hash": 1111, "role": "not_joined" }
//!   ],
//!   "flood": { "max_exports": 20, "window_secs": 60 },
//!   "bots": [
//!     { "token": "123456:AAH-test-token", "user_id": 123456, "username": "zerotl_test_bot",
//!       "chats": [{ "id": 1, "role": "admin" }],
//!       "channels": [{ "id": 10, "role": "admin" }] }
//!   ],
//!   "login_required": false
//! }
//! ```
//!
//! * `chats` are basic groups; `role` is one of `creator`, `admin` (both may export an
//!   invite), `member` (400 `CHAT_ADMIN_REQUIRED`), `left` (403 `CHAT_WRITE_FORBIDDEN`).
//!   Any id not listed answers 400 `CHAT_ID_INVALID`.
//! * `channels` need their `access_hash` to match; `role` is one of `creator`, `admin`
//!   (invite), `member` (400 `CHAT_ADMIN_REQUIRED`), `write_forbidden` (a member barred
//!   from writing: 403 `CHAT_WRITE_FORBIDDEN`), `not_joined` (a private channel the
//!   account is not in: 400 `CHANNEL_PRIVATE`). An unknown id or a wrong hash answers
//!   400 `PEER_ID_INVALID`.
//! * `flood`: more than `max_exports` successful exports of one chat within
//!   `window_secs` seconds answer 420 `FLOOD_WAIT_X` (X: seconds until the oldest
//!   export leaves the window). Optional; the default is 20 per 60 s.
//!
//! * `bots`: accounts that `auth.importBotAuthorization` logs in with their `token`
//!   (`"<user_id>:<secret>"`, as Telegram's are). A bot's `chats` and `channels` list
//!   its roles (the roles above) in the world's chats and channels; a world chat the
//!   bot is not listed in counts as `left` (403 `CHAT_WRITE_FORBIDDEN`), a world
//!   channel as `not_joined` (400 `CHANNEL_PRIVATE`). Optional.
//! * `login_required`: when true, calls other than the connection bootstrap answer
//!   401 `AUTH_KEY_UNREGISTERED` until the auth key has logged in. Without it the
//!   world's account (`self_user_id`) is the caller of chat calls until a bot logs in.
//!
//! Ids are positive and at most 2^31 − 1 (layer 122 carries them as `int`); unknown
//! keys, duplicate ids and out-of-range values are refused with a [`WorldError`].

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use zerotl_mtproto::errors::RpcError;

/// Most bytes a world file may have.
pub const MAX_WORLD_FILE_LEN: u64 = 4 * 1024 * 1024;

/// What the account is in a basic group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatRole {
    /// Created the group: may export invites.
    Creator,
    /// An admin: may export invites.
    Admin,
    /// A plain member: 400 `CHAT_ADMIN_REQUIRED`.
    Member,
    /// Left the group: 403 `CHAT_WRITE_FORBIDDEN`.
    Left,
}

/// What the account is in a channel or supergroup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelRole {
    /// Created the channel: may export invites.
    Creator,
    /// An admin: may export invites.
    Admin,
    /// A member without admin rights: 400 `CHAT_ADMIN_REQUIRED`.
    Member,
    /// A member barred from writing: 403 `CHAT_WRITE_FORBIDDEN`.
    WriteForbidden,
    /// A private channel the account has not joined: 400 `CHANNEL_PRIVATE`.
    NotJoined,
}

/// A channel of the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Channel {
    /// The hash a client must present with the id.
    pub access_hash: i64,
    /// What the account is there.
    pub role: ChannelRole,
}

/// A bot account of the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bot {
    /// The token `auth.importBotAuthorization` presents (`"<user_id>:<secret>"`).
    pub token: String,
    /// The bot's user id.
    pub user_id: i64,
    /// The bot's username (without `@`).
    pub username: String,
    /// Its roles in the world's basic groups (unlisted: [`ChatRole::Left`]).
    pub chats: BTreeMap<i64, ChatRole>,
    /// Its roles in the world's channels (unlisted: [`ChannelRole::NotJoined`]).
    pub channels: BTreeMap<i64, ChannelRole>,
}

/// Who makes a call: the world's account, or a bot logged in on the auth key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Caller {
    /// The world's account (`self_user_id`): no login needed.
    Account,
    /// The bot with this user id.
    Bot(i64),
}

/// The flood limit on exports of one chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FloodLimit {
    /// Successful exports allowed within `window`.
    pub max_exports: u32,
    /// The sliding window.
    pub window: Duration,
}

impl Default for FloodLimit {
    /// 20 exports per 60 s.
    fn default() -> Self {
        Self {
            max_exports: 20,
            window: Duration::from_secs(60),
        }
    }
}

/// A chat whose invite links the server keeps: basic groups and channels have
/// separate id spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChatKey {
    /// A basic group.
    Chat(i64),
    /// A channel or supergroup.
    Channel(i64),
}

/// What a request's peer names, reduced to what the world's rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// `inputPeerChat`.
    Chat(i64),
    /// `inputPeerChannel` (with its hash) or `inputPeerChannelFromMessage` (without).
    Channel {
        /// The channel id.
        id: i64,
        /// The hash presented, if the constructor carries one.
        access_hash: Option<i64>,
    },
    /// A peer that is not a chat (`inputPeerEmpty`, `inputPeerSelf`, users).
    NotAChat,
}

/// The world: chats, channels and the flood limit.
///
/// ```
/// use zerotl_server::world::{ChatKey, Target, World};
/// let w = World::default();
/// assert_eq!(w.resolve(Target::Chat(1)), Ok(ChatKey::Chat(1)));
/// let e = w.resolve(Target::Chat(2)).unwrap_err();
/// assert_eq!((e.code, e.message.as_str()), (400, "CHAT_ADMIN_REQUIRED"));
/// let e = w.resolve(Target::Channel { id: 10, access_hash: Some(9) }).unwrap_err();
/// assert_eq!(e.message, "PEER_ID_INVALID");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    /// The account's user id (informational: user peers are never chats).
    pub self_user_id: i64,
    /// Basic groups by id.
    pub chats: BTreeMap<i64, ChatRole>,
    /// Channels by id.
    pub channels: BTreeMap<i64, Channel>,
    /// The flood limit on exports.
    pub flood: FloodLimit,
    /// Bot accounts.
    pub bots: Vec<Bot>,
    /// Whether calls need a login first.
    pub login_required: bool,
}

impl Default for World {
    /// The default world (docs/world.md): self is user 1000; chats 1 (creator),
    /// 2 (member), 3 (left); channels (10, 1010) admin, (11, 1111) not joined,
    /// (12, 1212) member, (13, 1313) barred from writing; 20 exports per 60 s; one
    /// bot, [`DEFAULT_BOT_TOKEN`] (user 123456, `@zerotl_test_bot`): admin of chat 1
    /// and channel 10, member of chat 2 and channel 12, barred from writing in
    /// channel 13; no login required.
    fn default() -> Self {
        let chats = [
            (1, ChatRole::Creator),
            (2, ChatRole::Member),
            (3, ChatRole::Left),
        ];
        let channels = [
            (10, 1010, ChannelRole::Admin),
            (11, 1111, ChannelRole::NotJoined),
            (12, 1212, ChannelRole::Member),
            (13, 1313, ChannelRole::WriteForbidden),
        ];
        Self {
            self_user_id: 1000,
            chats: chats.into_iter().collect(),
            channels: channels
                .into_iter()
                .map(|(id, access_hash, role)| (id, Channel { access_hash, role }))
                .collect(),
            flood: FloodLimit::default(),
            bots: vec![Bot {
                token: DEFAULT_BOT_TOKEN.to_owned(),
                user_id: 123_456,
                username: "zerotl_test_bot".to_owned(),
                chats: [(1, ChatRole::Admin), (2, ChatRole::Member)].into(),
                channels: [
                    (10, ChannelRole::Admin),
                    (12, ChannelRole::Member),
                    (13, ChannelRole::WriteForbidden),
                ]
                .into(),
            }],
            login_required: false,
        }
    }
}

/// The default world's bot token (user 123456).
pub const DEFAULT_BOT_TOKEN: &str = "123456:AAH-zerotl-test-bot-token";

impl World {
    /// Which chat `target` is, or the error the server answers: the rules of the
    /// [module docs](self).
    pub fn resolve(&self, target: Target) -> Result<ChatKey, RpcError> {
        self.resolve_as(Caller::Account, target)
    }

    /// The bot with this token.
    pub fn bot_by_token(&self, token: &str) -> Option<&Bot> {
        self.bots.iter().find(|b| b.token == token)
    }

    /// The bot with this user id.
    pub fn bot(&self, user_id: i64) -> Option<&Bot> {
        self.bots.iter().find(|b| b.user_id == user_id)
    }

    /// [`resolve`](Self::resolve) by `caller`'s roles (a bot's own, see the
    /// [module docs](self)).
    pub fn resolve_as(&self, caller: Caller, target: Target) -> Result<ChatKey, RpcError> {
        let error = |code, name: &str| Err(RpcError::parse(code, name));
        let bot = match caller {
            Caller::Account => None,
            Caller::Bot(id) => Some(
                self.bot(id)
                    .ok_or_else(|| RpcError::parse(401, "AUTH_KEY_UNREGISTERED"))?,
            ),
        };
        let chat_role = |id: i64| {
            let role = self.chats.get(&id).copied()?;
            Some(match bot {
                None => role,
                Some(b) => b.chats.get(&id).copied().unwrap_or(ChatRole::Left),
            })
        };
        let channel_role = |id: i64, c: &Channel| match bot {
            None => c.role,
            Some(b) => b
                .channels
                .get(&id)
                .copied()
                .unwrap_or(ChannelRole::NotJoined),
        };
        match target {
            Target::NotAChat => error(400, "PEER_ID_INVALID"),
            Target::Chat(id) => match chat_role(id) {
                None => error(400, "CHAT_ID_INVALID"),
                Some(ChatRole::Creator | ChatRole::Admin) => Ok(ChatKey::Chat(id)),
                Some(ChatRole::Member) => error(400, "CHAT_ADMIN_REQUIRED"),
                Some(ChatRole::Left) => error(403, "CHAT_WRITE_FORBIDDEN"),
            },
            Target::Channel { id, access_hash } => {
                let channel = self
                    .channels
                    .get(&id)
                    .filter(|c| access_hash.is_none_or(|h| h == c.access_hash));
                match channel.map(|c| channel_role(id, c)) {
                    None => error(400, "PEER_ID_INVALID"),
                    Some(ChannelRole::Creator | ChannelRole::Admin) => Ok(ChatKey::Channel(id)),
                    Some(ChannelRole::Member) => error(400, "CHAT_ADMIN_REQUIRED"),
                    Some(ChannelRole::WriteForbidden) => error(403, "CHAT_WRITE_FORBIDDEN"),
                    Some(ChannelRole::NotJoined) => error(400, "CHANNEL_PRIVATE"),
                }
            }
        }
    }

    /// Parses a world from JSON text (the format of the [module docs](self)).
    ///
    /// ```
    /// use zerotl_server::world::World;
    /// let w = World::from_json(r#"{"self_user_id": 7, "chats": [{"id": 5, "role": "admin"}]}"#).unwrap();
    /// assert_eq!(w.chats.len(), 1);
    /// assert!(World::from_json(r#"{"self_user_id": 7, "chats": [{"id": 0, "role": "admin"}]}"#).is_err());
    /// ```
    pub fn from_json(text: &str) -> Result<Self, WorldError> {
        let file: WorldFile = serde_json::from_str(text).map_err(|e| WorldError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        file.validate()
    }

    /// Reads and parses a world file (at most [`MAX_WORLD_FILE_LEN`] bytes).
    pub fn load(path: &Path) -> Result<Self, WorldError> {
        use std::io::Read;
        let io = |e: std::io::Error| WorldError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let mut text = String::new();
        file.take(MAX_WORLD_FILE_LEN + 1)
            .read_to_string(&mut text)
            .map_err(io)?;
        if text.len() as u64 > MAX_WORLD_FILE_LEN {
            return Err(WorldError::TooLarge {
                max: MAX_WORLD_FILE_LEN,
            });
        }
        Self::from_json(&text)
    }
}

/// Why a world file was refused.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorldError {
    /// The file could not be read.
    #[error("cannot read world file {path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        message: String,
    },
    /// The file is larger than [`MAX_WORLD_FILE_LEN`].
    #[error("world file is larger than {max} bytes")]
    TooLarge {
        /// The limit.
        max: u64,
    },
    /// Not JSON of the world's shape (unknown keys and roles included).
    #[error("world file, line {line} column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A malformed string (a bot's token or username).
    #[error("{what} is malformed: {value:?}")]
    BadValue {
        /// The field.
        what: &'static str,
        /// The value (its first 64 characters).
        value: String,
    },
    /// A bot's role names a chat or channel the world does not list.
    #[error("{what} = {id} is not a chat or channel of the world")]
    UnknownChat {
        /// The field.
        what: &'static str,
        /// The id.
        id: i64,
    },
    /// The same id twice in `chats` or in `channels`.
    #[error("{what} id {id} is listed twice")]
    DuplicateId {
        /// `"chat"`, `"channel"`, `"bot"` (a user id or token used twice, or the
        /// account's id), `"bot chat"` or `"bot channel"`.
        what: &'static str,
        /// The id.
        id: i64,
    },
    /// A value out of its range.
    #[error("{what} = {value} is out of range ({range})")]
    OutOfRange {
        /// The field.
        what: &'static str,
        /// The value.
        value: i64,
        /// The allowed range.
        range: &'static str,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorldFile {
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    self_user_id: i64,
    #[serde(default)]
    chats: Vec<ChatEntry>,
    #[serde(default)]
    channels: Vec<ChannelEntry>,
    #[serde(default)]
    flood: Option<FloodEntry>,
    #[serde(default)]
    bots: Vec<BotEntry>,
    #[serde(default)]
    login_required: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BotEntry {
    token: String,
    user_id: i64,
    username: String,
    #[serde(default)]
    chats: Vec<ChatEntry>,
    #[serde(default)]
    channels: Vec<BotChannelEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BotChannelEntry {
    id: i64,
    role: ChannelRole,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChatEntry {
    id: i64,
    role: ChatRole,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChannelEntry {
    id: i64,
    access_hash: i64,
    role: ChannelRole,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FloodEntry {
    max_exports: i64,
    window_secs: i64,
}

const ID_RANGE: &str = "1..=2147483647";

fn check(
    what: &'static str,
    value: i64,
    min: i64,
    max: i64,
    range: &'static str,
) -> Result<(), WorldError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(WorldError::OutOfRange { what, value, range })
    }
}

impl WorldFile {
    fn validate(self) -> Result<World, WorldError> {
        let max_id = i64::from(i32::MAX);
        check("self_user_id", self.self_user_id, 1, max_id, ID_RANGE)?;
        let mut chats = BTreeMap::new();
        for c in self.chats {
            check("chats[].id", c.id, 1, max_id, ID_RANGE)?;
            if chats.insert(c.id, c.role).is_some() {
                return Err(WorldError::DuplicateId {
                    what: "chat",
                    id: c.id,
                });
            }
        }
        let mut channels = BTreeMap::new();
        for c in self.channels {
            check("channels[].id", c.id, 1, max_id, ID_RANGE)?;
            let channel = Channel {
                access_hash: c.access_hash,
                role: c.role,
            };
            if channels.insert(c.id, channel).is_some() {
                return Err(WorldError::DuplicateId {
                    what: "channel",
                    id: c.id,
                });
            }
        }
        let flood = match self.flood {
            None => FloodLimit::default(),
            Some(f) => {
                check(
                    "flood.max_exports",
                    f.max_exports,
                    1,
                    1_000_000,
                    "1..=1000000",
                )?;
                check("flood.window_secs", f.window_secs, 1, 86_400, "1..=86400")?;
                FloodLimit {
                    max_exports: f.max_exports as u32,
                    window: Duration::from_secs(f.window_secs as u64),
                }
            }
        };
        let mut bots: Vec<Bot> = Vec::with_capacity(self.bots.len());
        for b in self.bots {
            let bot = validate_bot(b, &chats, &channels)?;
            if bot.user_id == self.self_user_id
                || bots
                    .iter()
                    .any(|o| o.user_id == bot.user_id || o.token == bot.token)
            {
                return Err(WorldError::DuplicateId {
                    what: "bot",
                    id: bot.user_id,
                });
            }
            bots.push(bot);
        }
        Ok(World {
            self_user_id: self.self_user_id,
            chats,
            channels,
            flood,
            bots,
            login_required: self.login_required,
        })
    }
}

/// Checks one bot entry: its token, username and roles in existing chats.
fn validate_bot(
    b: BotEntry,
    chats: &BTreeMap<i64, ChatRole>,
    channels: &BTreeMap<i64, Channel>,
) -> Result<Bot, WorldError> {
    check(
        "bots[].user_id",
        b.user_id,
        1,
        i64::from(i32::MAX),
        ID_RANGE,
    )?;
    let bad = |what: &'static str, value: &str| WorldError::BadValue {
        what,
        value: value.chars().take(64).collect(),
    };
    let secret_ok = |s: &str| {
        (1..=128).contains(&s.len())
            && s.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    };
    match b.token.split_once(':') {
        Some((id, secret)) if id == b.user_id.to_string() && secret_ok(secret) => {}
        _ => return Err(bad("bots[].token (\"<user_id>:<secret>\")", &b.token)),
    }
    let name_ok = (1..=32).contains(&b.username.len())
        && b.username
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_');
    if !name_ok {
        return Err(bad("bots[].username", &b.username));
    }
    let mut bot_chats = BTreeMap::new();
    for c in b.chats {
        if !chats.contains_key(&c.id) {
            return Err(WorldError::UnknownChat {
                what: "bots[].chats[].id",
                id: c.id,
            });
        }
        if bot_chats.insert(c.id, c.role).is_some() {
            return Err(WorldError::DuplicateId {
                what: "bot chat",
                id: c.id,
            });
        }
    }
    let mut bot_channels = BTreeMap::new();
    for c in b.channels {
        if !channels.contains_key(&c.id) {
            return Err(WorldError::UnknownChat {
                what: "bots[].channels[].id",
                id: c.id,
            });
        }
        if bot_channels.insert(c.id, c.role).is_some() {
            return Err(WorldError::DuplicateId {
                what: "bot channel",
                id: c.id,
            });
        }
    }
    Ok(Bot {
        token: b.token,
        user_id: b.user_id,
        username: b.username,
        chats: bot_chats,
        channels: bot_channels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_rule() {
        let w = World::default();
        let err = |t| {
            let e = w.resolve(t).unwrap_err();
            (e.code, e.message.to_string())
        };
        let s = |c: i32, m: &str| (c, m.to_owned());
        assert_eq!(w.resolve(Target::Chat(1)), Ok(ChatKey::Chat(1)));
        assert_eq!(err(Target::Chat(2)), s(400, "CHAT_ADMIN_REQUIRED"));
        assert_eq!(err(Target::Chat(3)), s(403, "CHAT_WRITE_FORBIDDEN"));
        assert_eq!(err(Target::Chat(4)), s(400, "CHAT_ID_INVALID"));
        assert_eq!(err(Target::Chat(10)), s(400, "CHAT_ID_INVALID"));
        let ch = |id, h| Target::Channel {
            id,
            access_hash: Some(h),
        };
        assert_eq!(w.resolve(ch(10, 1010)), Ok(ChatKey::Channel(10)));
        assert_eq!(err(ch(11, 1111)), s(400, "CHANNEL_PRIVATE"));
        assert_eq!(err(ch(12, 1212)), s(400, "CHAT_ADMIN_REQUIRED"));
        assert_eq!(err(ch(13, 1313)), s(403, "CHAT_WRITE_FORBIDDEN"));
        assert_eq!(err(ch(10, 1011)), s(400, "PEER_ID_INVALID"));
        assert_eq!(err(ch(1, 1010)), s(400, "PEER_ID_INVALID"));
        let from_msg = |id| Target::Channel {
            id,
            access_hash: None,
        };
        assert_eq!(w.resolve(from_msg(10)), Ok(ChatKey::Channel(10)));
        assert_eq!(err(from_msg(11)), s(400, "CHANNEL_PRIVATE"));
        assert_eq!(err(from_msg(14)), s(400, "PEER_ID_INVALID"));
        assert_eq!(err(Target::NotAChat), s(400, "PEER_ID_INVALID"));
    }

    #[test]
    fn bots_in_world_files() {
        let ok = r#"{"self_user_id": 1, "chats": [{"id": 5, "role": "admin"}],
            "channels": [{"id": 6, "access_hash": 7, "role": "member"}],
            "bots": [{"token": "42:abc_DEF-9", "user_id": 42, "username": "b_bot",
                      "chats": [{"id": 5, "role": "member"}], "channels": [{"id": 6, "role": "admin"}]}],
            "login_required": true}"#;
        let w = World::from_json(ok).unwrap();
        assert!(w.login_required);
        assert_eq!(w.bot_by_token("42:abc_DEF-9").map(|b| b.user_id), Some(42));
        assert_eq!(w.bot_by_token("42:abc"), None);
        let e = w.resolve_as(Caller::Bot(42), Target::Chat(5)).unwrap_err();
        assert_eq!(e.message, "CHAT_ADMIN_REQUIRED");
        let ch = Target::Channel {
            id: 6,
            access_hash: Some(7),
        };
        assert_eq!(w.resolve_as(Caller::Bot(42), ch), Ok(ChatKey::Channel(6)));
        assert_eq!(w.resolve(ch).unwrap_err().message, "CHAT_ADMIN_REQUIRED");
        // An unknown bot (a login the world no longer lists) is not a caller.
        assert_eq!(
            w.resolve_as(Caller::Bot(9), ch).unwrap_err().message,
            "AUTH_KEY_UNREGISTERED"
        );

        let bot = |body: &str| {
            format!(
                r#"{{"self_user_id": 1, "chats": [{{"id": 5, "role": "admin"}}], "bots": [{body}]}}"#
            )
        };
        let refused = [
            // token's id is not the user id; empty secret; bad characters
            r#"{"token": "41:abc", "user_id": 42, "username": "b"}"#,
            r#"{"token": "42:", "user_id": 42, "username": "b"}"#,
            r#"{"token": "42:a b", "user_id": 42, "username": "b"}"#,
            r#"{"token": "42abc", "user_id": 42, "username": "b"}"#,
            // username
            r#"{"token": "42:a", "user_id": 42, "username": ""}"#,
            r#"{"token": "42:a", "user_id": 42, "username": "no-dash"}"#,
            // roles in chats the world does not list; unknown keys
            r#"{"token": "42:a", "user_id": 42, "username": "b", "chats": [{"id": 6, "role": "admin"}]}"#,
            r#"{"token": "42:a", "user_id": 42, "username": "b", "channels": [{"id": 5, "role": "admin"}]}"#,
            r#"{"token": "42:a", "user_id": 42, "username": "b", "chats": [{"id": 5, "role": "admin"}, {"id": 5, "role": "left"}]}"#,
            r#"{"token": "42:a", "user_id": 42, "username": "b", "role": "admin"}"#,
            // the account's own id
            r#"{"token": "1:a", "user_id": 1, "username": "b"}"#,
            // the same bot twice
            r#"{"token": "42:a", "user_id": 42, "username": "b"}, {"token": "42:b", "user_id": 42, "username": "c"}"#,
        ];
        for body in refused {
            assert!(World::from_json(&bot(body)).is_err(), "{body}");
        }
    }

    #[test]
    fn refused_files() {
        let bad = [
            r#"{"self_user_id": 1, "extra": 1}"#,
            r#"{"self_user_id": 1, "chats": [{"id": 1, "role": "owner"}]}"#,
            r#"{"self_user_id": 1, "chats": [{"id": 1, "role": "admin"}, {"id": 1, "role": "left"}]}"#,
            r#"{"self_user_id": 1, "channels": [{"id": 1, "role": "admin"}]}"#,
            r#"{"self_user_id": 1, "channels": [{"id": 2147483648, "access_hash": 1, "role": "admin"}]}"#,
            r#"{"self_user_id": 1, "flood": {"max_exports": 0, "window_secs": 60}}"#,
            r#"{"self_user_id": 0}"#,
            r#"[]"#,
            "",
        ];
        for text in bad {
            assert!(World::from_json(text).is_err(), "{text}");
        }
        let e = World::from_json(r#"{"self_user_id": 1, "chats": [{"id": 1, "role": "admin"}, {"id": 1, "role": "left"}]}"#)
            .unwrap_err();
        assert_eq!(
            e,
            WorldError::DuplicateId {
                what: "chat",
                id: 1
            }
        );
    }
}
