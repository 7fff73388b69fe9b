//! The world's mutable state, shared by every connection: the current invite link
//! of each chat and the recent exports that the flood limit counts.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use rand_core::{OsRng, RngCore};
use zerotl_mtproto::errors::RpcError;

use super::sessions::{ClientInfo, SessionRef, Sessions};
use super::time::{MonotonicTime, TimeSource};
use super::world::{Caller, ChatKey, Target, World};

/// The prefix of every link the server hands out.
pub const LINK_PREFIX: &str = "https://t.me/joinchat/";

/// A [`World`] with its links and flood counters, shared across connections
/// (cheap to clone: clones share the state).
///
/// ```
/// use std::time::Duration;
/// use zerotl_server::{ManualTime, WorldState};
/// use zerotl_server::world::{ChatKey, Target, World};
/// let time = ManualTime::new();
/// let state = WorldState::with_time(World::default(), time.clone());
/// let first = state.export(Target::Chat(1)).unwrap();
/// let second = state.export(Target::Chat(1)).unwrap();
/// assert_ne!(first, second);
/// assert_eq!(state.current_link(ChatKey::Chat(1)).as_deref(), Some(second.as_str()));
/// for _ in 2..20 {
///     state.export(Target::Chat(1)).unwrap();
/// }
/// time.advance(Duration::from_secs(15));
/// let e = state.export(Target::Chat(1)).unwrap_err();
/// assert_eq!((e.code, e.message.as_str()), (420, "FLOOD_WAIT_45"));
/// time.advance(Duration::from_secs(45));
/// assert!(state.export(Target::Chat(1)).is_ok());
/// ```
#[derive(Clone)]
pub struct WorldState {
    shared: Arc<Shared>,
}

struct Shared {
    world: World,
    time: Arc<dyn TimeSource>,
    links: Mutex<Links>,
    sessions: Mutex<Sessions>,
    listen: OnceLock<SocketAddr>,
}

#[derive(Default)]
struct Links {
    current: HashMap<ChatKey, String>,
    recent_exports: HashMap<ChatKey, VecDeque<Duration>>,
    exports: u64,
}

impl std::fmt::Debug for WorldState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorldState")
            .field("world", &self.shared.world)
            .finish_non_exhaustive()
    }
}

impl WorldState {
    /// The world on the system's monotonic clock.
    pub fn new(world: World) -> Self {
        Self::with_time(world, MonotonicTime::new())
    }

    /// The world on `time` (a [`ManualTime`](super::ManualTime) in tests).
    pub fn with_time(world: World, time: impl TimeSource) -> Self {
        Self {
            shared: Arc::new(Shared {
                world,
                time: Arc::new(time),
                links: Mutex::new(Links::default()),
                sessions: Mutex::new(Sessions::default()),
                listen: OnceLock::new(),
            }),
        }
    }

    /// The world.
    pub fn world(&self) -> &World {
        &self.shared.world
    }

    /// The sessions' layers and the auth keys' logins.
    pub(crate) fn sessions(&self) -> MutexGuard<'_, Sessions> {
        // As for `links`: every operation leaves the maps consistent.
        self.shared
            .sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// What the session said in `initConnection`, if it is remembered.
    pub fn client_info(&self, session: SessionRef) -> Option<ClientInfo> {
        self.sessions().client(session)
    }

    /// The layer the session named last in `invokeWithLayer`, if remembered.
    pub fn session_layer(&self, session: SessionRef) -> Option<i32> {
        self.sessions().layer(session)
    }

    /// Forgets what is remembered for a session (its layer and app), as
    /// `destroy_session` asks: whether anything was. The driver calls this when
    /// the connection core reports a destroyed session.
    pub fn destroy_session(&self, auth_key_id: i64, session_id: i64) -> bool {
        self.sessions().destroy(auth_key_id, session_id)
    }

    /// The bot the auth key is logged in as, if any.
    pub fn logged_in(&self, auth_key_id: i64) -> Option<i64> {
        self.sessions().login(SessionRef {
            auth_key_id: Some(auth_key_id),
            session_id: None,
        })
    }

    /// Records the address the server listens on (the first one set stays), which
    /// `help.getConfig` gives as every DC's address.
    pub fn set_listen_addr(&self, addr: SocketAddr) {
        let _ = self.shared.listen.set(addr);
    }

    /// The address recorded by [`set_listen_addr`](Self::set_listen_addr).
    pub fn listen_addr(&self) -> Option<SocketAddr> {
        self.shared.listen.get().copied()
    }

    fn links(&self) -> MutexGuard<'_, Links> {
        // The lock guards plain maps that every operation leaves consistent, so a
        // panic elsewhere while holding it cannot leave them half-updated.
        self.shared
            .links
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `messages.exportChatInvite` on `target`: a fresh link that replaces (revokes)
    /// the chat's previous one, or the error of the world's rules, or 420
    /// `FLOOD_WAIT_X` past the flood limit. Only successful exports count towards
    /// the limit, and permissions are checked before it.
    pub fn export(&self, target: Target) -> Result<String, RpcError> {
        self.export_as(Caller::Account, target, true)
            .map(|(_, link)| link)
    }

    /// `messages.exportChatInvite` on `target` by `caller` (by its roles): a
    /// `primary` link replaces (revokes) the chat's previous primary link; another
    /// link leaves it in place. Flood limit and errors as [`export`](Self::export).
    pub fn export_as(
        &self,
        caller: Caller,
        target: Target,
        primary: bool,
    ) -> Result<(ChatKey, String), RpcError> {
        let world = &self.shared.world;
        let key = world.resolve_as(caller, target)?;
        let owner = match caller {
            Caller::Account => world.self_user_id,
            Caller::Bot(id) => id,
        };
        let now = self.shared.time.now();
        let limit = world.flood;
        let mut links = self.links();
        let recent = links.recent_exports.entry(key).or_default();
        while recent
            .front()
            .is_some_and(|&t| now.saturating_sub(t) >= limit.window)
        {
            recent.pop_front();
        }
        if recent.len() >= limit.max_exports as usize {
            let oldest = recent.front().copied().unwrap_or(now);
            let left = (oldest + limit.window).saturating_sub(now);
            let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            let secs = u32::try_from(secs.max(1)).unwrap_or(u32::MAX);
            return Err(RpcError::new(420, "FLOOD_WAIT", Some(secs)));
        }
        recent.push_back(now);
        let link = loop {
            let link = new_link(owner, key);
            if links.current.get(&key) != Some(&link) {
                break link;
            }
        };
        if primary {
            links.current.insert(key, link.clone());
        }
        links.exports += 1;
        Ok((key, link))
    }

    /// The chat's current primary (not revoked) link, if one was exported.
    pub fn current_link(&self, key: ChatKey) -> Option<String> {
        self.links().current.get(&key).cloned()
    }

    /// Successful exports so far, over all chats.
    pub fn exports(&self) -> u64 {
        self.links().exports
    }
}

/// `https://t.me/joinchat/` + 22 base64url characters of 16 bytes: the owner id and
/// the chat id (big-endian `u32`s, as Telegram's old links had) and 8 random bytes.
fn new_link(owner: i64, key: ChatKey) -> String {
    let chat = match key {
        ChatKey::Chat(id) | ChatKey::Channel(id) => id,
    };
    let mut token = [0u8; 16];
    token[..4].copy_from_slice(&(owner as u32).to_be_bytes());
    token[4..8].copy_from_slice(&(chat as u32).to_be_bytes());
    OsRng.fill_bytes(&mut token[8..]);
    let mut link = String::with_capacity(LINK_PREFIX.len() + 22);
    link.push_str(LINK_PREFIX);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode_string(token, &mut link);
    link
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ManualTime;

    #[test]
    fn link_shape() {
        let link = new_link(1000, ChatKey::Chat(1));
        let token = link.strip_prefix(LINK_PREFIX).unwrap();
        assert_eq!(token.len(), 22);
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token)
            .unwrap();
        assert_eq!(bytes[..8], [0, 0, 0x03, 0xe8, 0, 0, 0, 1]);
    }

    #[test]
    fn flood_window_slides_per_chat() {
        let time = ManualTime::new();
        let state = WorldState::with_time(World::default(), time.clone());
        for i in 0..20 {
            state.export(Target::Chat(1)).unwrap();
            time.advance(Duration::from_millis(if i == 0 { 10_000 } else { 100 }));
        }
        // t = 11.9 s; the first export (t = 0) leaves the window at 60 s.
        let e = state.export(Target::Chat(1)).unwrap_err();
        assert_eq!(e.message, "FLOOD_WAIT_49");
        assert_eq!(e.wait(), Some(Duration::from_secs(49)));
        // Another chat has its own counter; errors do not count.
        let channel = Target::Channel {
            id: 10,
            access_hash: Some(1010),
        };
        assert!(state.export(channel).is_ok());
        assert!(state.export(Target::Chat(2)).is_err());
        time.advance(Duration::from_millis(48_100));
        // t = 60 s: exactly one slot is free again.
        assert!(state.export(Target::Chat(1)).is_ok());
        let e = state.export(Target::Chat(1)).unwrap_err();
        assert_eq!(e.message, "FLOOD_WAIT_10");
        assert_eq!(state.exports(), 22);
    }
}
