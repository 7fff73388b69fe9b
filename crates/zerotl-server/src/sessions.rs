//! Per-client state: the layer each (auth key, session) speaks and the app it
//! named in `initConnection`, and which account each auth key is logged in as.
//!
//! Both maps are bounded ([`MAX_SESSIONS`], [`MAX_LOGINS`]): past the bound the
//! entry used least recently is forgotten (a forgotten session falls back to the
//! layer its next request shows; a forgotten login must log in again).

use std::collections::HashMap;

/// Most (auth key, session) pairs remembered.
pub const MAX_SESSIONS: usize = 16_384;
/// Most logged-in auth keys remembered.
pub const MAX_LOGINS: usize = 16_384;
/// Longest `initConnection` string kept (longer ones are cut, on a char boundary).
pub const MAX_APP_FIELD: usize = 128;

/// Which session a request came in: `None`s in plain test mode (no state is kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SessionRef {
    /// The auth key's id.
    pub auth_key_id: Option<i64>,
    /// The client's session id.
    pub session_id: Option<i64>,
}

impl SessionRef {
    fn key(self) -> Option<(i64, i64)> {
        Some((self.auth_key_id?, self.session_id?))
    }
}

/// What a client said about itself in `initConnection`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientInfo {
    /// The layer of the surrounding `invokeWithLayer` (if any).
    pub layer: Option<i32>,
    /// `api_id`.
    pub api_id: i32,
    /// `device_model`.
    pub device_model: String,
    /// `system_version`.
    pub system_version: String,
    /// `app_version`.
    pub app_version: String,
    /// `lang_code`.
    pub lang_code: String,
}

impl std::fmt::Display for ClientInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "api_id {} app {:?} on {:?} {:?} lang {:?}",
            self.api_id, self.app_version, self.device_model, self.system_version, self.lang_code
        )?;
        match self.layer {
            Some(layer) => write!(f, ", layer {layer}"),
            None => Ok(()),
        }
    }
}

/// Cuts `s` to at most [`MAX_APP_FIELD`] bytes.
pub(crate) fn bounded(s: &str) -> String {
    let mut end = s.len().min(MAX_APP_FIELD);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

#[derive(Debug, Default)]
struct SessionEntry {
    layer: Option<i32>,
    client: Option<ClientInfo>,
    used: u64,
}

/// The sessions and logins (behind the world state's lock).
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    sessions: HashMap<(i64, i64), SessionEntry>,
    logins: HashMap<i64, (i64, u64)>,
    clock: u64,
}

impl Sessions {
    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    fn entry(&mut self, key: (i64, i64)) -> &mut SessionEntry {
        let now = self.tick();
        if !self.sessions.contains_key(&key) && self.sessions.len() >= MAX_SESSIONS {
            evict(&mut self.sessions, |e| e.used);
        }
        let entry = self.sessions.entry(key).or_default();
        entry.used = now;
        entry
    }

    /// The layer the session named last.
    pub(crate) fn layer(&mut self, at: SessionRef) -> Option<i32> {
        let key = at.key()?;
        let now = self.tick();
        let entry = self.sessions.get_mut(&key)?;
        entry.used = now;
        entry.layer
    }

    /// Remembers the session's layer.
    pub(crate) fn set_layer(&mut self, at: SessionRef, layer: i32) {
        if let Some(key) = at.key() {
            self.entry(key).layer = Some(layer);
        }
    }

    /// Remembers the session's app.
    pub(crate) fn set_client(&mut self, at: SessionRef, client: ClientInfo) {
        if let Some(key) = at.key() {
            self.entry(key).client = Some(client);
        }
    }

    /// The session's app, if it sent `initConnection`.
    pub(crate) fn client(&self, at: SessionRef) -> Option<ClientInfo> {
        self.sessions.get(&at.key()?)?.client.clone()
    }

    /// Forgets a session: whether it was known (`destroy_session`).
    pub(crate) fn destroy(&mut self, auth_key_id: i64, session_id: i64) -> bool {
        self.sessions.remove(&(auth_key_id, session_id)).is_some()
    }

    /// The user the auth key is logged in as.
    pub(crate) fn login(&mut self, at: SessionRef) -> Option<i64> {
        let key = at.auth_key_id?;
        let now = self.tick();
        let (user, used) = self.logins.get_mut(&key)?;
        *used = now;
        Some(*user)
    }

    /// Logs the auth key in as `user_id`.
    pub(crate) fn set_login(&mut self, at: SessionRef, user_id: i64) {
        let Some(key) = at.auth_key_id else { return };
        let now = self.tick();
        if !self.logins.contains_key(&key) && self.logins.len() >= MAX_LOGINS {
            evict(&mut self.logins, |e| e.1);
        }
        self.logins.insert(key, (user_id, now));
    }
}

/// Removes the entry used least recently.
fn evict<K: Copy + Eq + std::hash::Hash, V>(map: &mut HashMap<K, V>, used: impl Fn(&V) -> u64) {
    if let Some(oldest) = map.iter().min_by_key(|(_, v)| used(v)).map(|(k, _)| *k) {
        map.remove(&oldest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(key: i64, session: i64) -> SessionRef {
        SessionRef {
            auth_key_id: Some(key),
            session_id: Some(session),
        }
    }

    #[test]
    fn per_session_layers_and_per_key_logins() {
        let mut s = Sessions::default();
        s.set_layer(at(1, 1), 229);
        s.set_layer(at(1, 2), 122);
        assert_eq!(s.layer(at(1, 1)), Some(229));
        assert_eq!(s.layer(at(1, 2)), Some(122));
        assert_eq!(s.layer(at(2, 1)), None);
        assert_eq!(s.layer(SessionRef::default()), None);
        s.set_login(at(1, 1), 123_456);
        // A login belongs to the auth key: every session of it sees it.
        assert_eq!(s.login(at(1, 9)), Some(123_456));
        assert_eq!(s.login(at(2, 1)), None);
        assert!(s.destroy(1, 2));
        assert!(!s.destroy(1, 2));
        assert_eq!(s.layer(at(1, 2)), None);
    }

    #[test]
    fn bounded_by_least_recent_use() {
        let mut s = Sessions::default();
        for i in 0..MAX_SESSIONS as i64 {
            s.set_layer(at(i, 0), 230);
        }
        // Touch the first: the second is now the least recently used.
        assert_eq!(s.layer(at(0, 0)), Some(230));
        s.set_layer(at(-1, 0), 198);
        assert_eq!(s.sessions.len(), MAX_SESSIONS);
        assert_eq!(s.layer(at(0, 0)), Some(230));
        assert_eq!(s.layer(at(1, 0)), None);
        assert_eq!(s.layer(at(-1, 0)), Some(198));
        assert_eq!(bounded(&"é".repeat(100)).len(), MAX_APP_FIELD);
    }
}
