//! What a server remembers per authorization key across connections: the salt
//! schedule and the sessions (their replay windows and seq_no positions).
//!
//! A message recorded off the wire and sent again, on the same connection or on
//! another, carries a `(session_id, msg_id)` pair the key's [`SessionRegistry`]
//! already holds: it is never handed out twice. Everything here has a fixed
//! upper size: [`MAX_SESSIONS_PER_KEY`] sessions of [`KEY_REPLAY_WINDOW`] ids each.

use alloc::vec::Vec;

use rand_core::CryptoRngCore;
use zerotl_types::mtproto::types;

use crate::crypto::{sha256, AuthKey};
use crate::session::{ReplayVerdict, ReplayWindow};
use crate::UnixTime;

/// msg_ids remembered per session (8 bytes each).
pub const KEY_REPLAY_WINDOW: usize = 128;
/// Sessions remembered per auth key; past that the least recently used one is
/// forgotten.
pub const MAX_SESSIONS_PER_KEY: usize = 32;
/// How long one salt is the current one (seconds).
pub const DEFAULT_SALT_PERIOD: u64 = 3600;
/// How long a salt is still accepted after the next one took over (seconds).
pub const DEFAULT_SALT_OVERLAP: u64 = 1800;
/// Most salts one `get_future_salts` returns (Telegram's limit).
pub const MAX_FUTURE_SALTS: usize = 64;

/// The salts of one key: salt `k` is current from `start + k·period` and
/// accepted until `start + (k+1)·period + overlap`. Salt 0 is the one the key
/// exchange agreed on; later ones derive from a secret drawn when the key was
/// made, so nothing grows with time.
#[derive(Clone)]
pub struct SaltSchedule {
    first: i64,
    secret: [u8; 32],
    start: u64,
    period: u64,
    overlap: u64,
}

impl core::fmt::Debug for SaltSchedule {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SaltSchedule")
            .field("start", &self.start)
            .field("period", &self.period)
            .field("overlap", &self.overlap)
            .finish_non_exhaustive()
    }
}

impl Drop for SaltSchedule {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret);
    }
}

impl SaltSchedule {
    /// A schedule starting at `now` with `first` as its first salt.
    pub fn new<R: CryptoRngCore + ?Sized>(
        first: i64,
        now: UnixTime,
        period: u64,
        overlap: u64,
        rng: &mut R,
    ) -> Self {
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut secret);
        Self {
            first,
            secret,
            start: now.as_secs(),
            period: period.max(1),
            overlap,
        }
    }

    fn index(&self, now: UnixTime) -> u64 {
        now.as_secs().saturating_sub(self.start) / self.period
    }

    fn salt(&self, index: u64) -> i64 {
        if index == 0 {
            return self.first;
        }
        let h = sha256(&[&self.secret, &index.to_le_bytes()]);
        let mut b = [0u8; 8];
        b.copy_from_slice(&h[..8]);
        i64::from_le_bytes(b)
    }

    fn valid_since(&self, index: u64) -> u64 {
        self.start + index * self.period
    }

    fn valid_until(&self, index: u64) -> u64 {
        self.valid_since(index + 1) + self.overlap
    }

    /// The salt current at `now`.
    pub fn current(&self, now: UnixTime) -> i64 {
        self.salt(self.index(now))
    }

    /// Whether `salt` is accepted at `now`: the current one, or an earlier one
    /// still within its validity.
    pub fn accepts(&self, salt: i64, now: UnixTime) -> bool {
        let index = self.index(now);
        let mut k = index;
        loop {
            if self.valid_until(k) <= now.as_secs() {
                return false;
            }
            if self.salt(k) == salt {
                return true;
            }
            if k == 0 {
                return false;
            }
            k -= 1;
        }
    }

    /// The current salt and the `count - 1` after it (at most [`MAX_FUTURE_SALTS`]).
    pub fn future(&self, now: UnixTime, count: usize) -> Vec<types::FutureSalt> {
        let index = self.index(now);
        (index..index + count.clamp(1, MAX_FUTURE_SALTS) as u64)
            .map(|k| types::FutureSalt {
                valid_since: clamp_i32(self.valid_since(k)),
                valid_until: clamp_i32(self.valid_until(k)),
                salt: self.salt(k),
            })
            .collect()
    }
}

fn clamp_i32(secs: u64) -> i32 {
    i32::try_from(secs).unwrap_or(i32::MAX)
}

/// Why a message's `(session_id, msg_id, seq_no)` was refused by the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Recorded; `new_session` when the session was not known.
    Fresh {
        /// The first message of a session this key has not seen (or forgot).
        new_session: bool,
    },
    /// Already received: never handle it again.
    Duplicate,
    /// Older than everything the session (or the key, for a forgotten session)
    /// still remembers: it cannot be told apart from a replay.
    TooOld,
    /// The seq_no breaks the order of the session's messages
    /// (`bad_msg_notification` 32: too low, 33: too high).
    SeqNo(i32),
}

struct SessionEntry {
    session_id: i64,
    window: ReplayWindow<KEY_REPLAY_WINDOW>,
    /// The highest msg_id received and its seq_no.
    highest: Option<(i64, i32)>,
    last_use: u64,
}

/// The sessions of one key (at most [`MAX_SESSIONS_PER_KEY`], least recently
/// used forgotten first). A forgotten session leaves a floor behind: a new
/// session's messages must be newer than everything the forgotten ones held, so
/// forgetting never re-opens a replay.
#[derive(Default)]
pub struct SessionRegistry {
    sessions: Vec<SessionEntry>,
    floor: Option<i64>,
    clock: u64,
}

impl core::fmt::Debug for SessionRegistry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionRegistry")
            .field("sessions", &self.sessions.len())
            .field("floor", &self.floor)
            .finish()
    }
}

impl SessionRegistry {
    /// Checks and records message `msg_id` with `seq_no` of `session_id`. A refused
    /// message changes nothing.
    pub fn admit(&mut self, session_id: i64, msg_id: i64, seq_no: i32) -> Admission {
        self.clock += 1;
        let clock = self.clock;
        if let Some(entry) = self
            .sessions
            .iter_mut()
            .find(|e| e.session_id == session_id)
        {
            match entry.window.check(msg_id) {
                ReplayVerdict::Fresh => {}
                ReplayVerdict::Duplicate => return Admission::Duplicate,
                ReplayVerdict::BehindWindow => return Admission::TooOld,
            }
            if let Some(code) = seq_no_conflict(entry.highest, msg_id, seq_no) {
                return Admission::SeqNo(code);
            }
            entry.window.insert(msg_id);
            if entry.highest.is_none_or(|(id, _)| msg_id > id) {
                entry.highest = Some((msg_id, seq_no));
            }
            entry.last_use = clock;
            return Admission::Fresh { new_session: false };
        }
        if self.floor.is_some_and(|floor| msg_id <= floor) {
            return Admission::TooOld;
        }
        if self.sessions.len() >= MAX_SESSIONS_PER_KEY {
            if let Some(oldest) =
                (0..self.sessions.len()).min_by_key(|&i| self.sessions[i].last_use)
            {
                let gone = self.sessions.swap_remove(oldest);
                self.raise_floor(gone.highest.map(|(id, _)| id));
            }
        }
        let mut window = ReplayWindow::new();
        window.insert(msg_id);
        self.sessions.push(SessionEntry {
            session_id,
            window,
            highest: Some((msg_id, seq_no)),
            last_use: clock,
        });
        Admission::Fresh { new_session: true }
    }

    /// Forgets `session_id` (`destroy_session`); whether it was known.
    pub fn destroy(&mut self, session_id: i64) -> bool {
        let Some(at) = self
            .sessions
            .iter()
            .position(|e| e.session_id == session_id)
        else {
            return false;
        };
        let gone = self.sessions.swap_remove(at);
        self.raise_floor(gone.highest.map(|(id, _)| id));
        true
    }

    fn raise_floor(&mut self, id: Option<i64>) {
        if let Some(id) = id {
            self.floor = Some(self.floor.map_or(id, |f| f.max(id)));
        }
    }

    /// How many sessions are remembered.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Whether no session is remembered.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }
}

/// The seq_no rule against the session's highest message: a later message must
/// not have a lower seq_no (32), an earlier one not a higher one (33); an equal
/// seq_no is fine only when both are not content-related (even).
fn seq_no_conflict(highest: Option<(i64, i32)>, msg_id: i64, seq_no: i32) -> Option<i32> {
    let (top_id, top_seq) = highest?;
    let odd_tie = seq_no == top_seq && seq_no & 1 == 1;
    if msg_id > top_id && (seq_no < top_seq || odd_tie) {
        Some(32)
    } else if msg_id < top_id && (seq_no > top_seq || odd_tie) {
        Some(33)
    } else {
        None
    }
}

/// Everything a server keeps for one auth key.
#[derive(Debug)]
pub struct KeyState {
    /// The key.
    pub auth_key: AuthKey,
    /// Its salts.
    pub salts: SaltSchedule,
    /// Its sessions.
    pub sessions: SessionRegistry,
}

impl KeyState {
    /// The state of a key just made, with the exchange's salt as its first one
    /// and the default salt period.
    pub fn new<R: CryptoRngCore + ?Sized>(
        auth_key: AuthKey,
        first_salt: i64,
        now: UnixTime,
        rng: &mut R,
    ) -> Self {
        Self {
            auth_key,
            salts: SaltSchedule::new(
                first_salt,
                now,
                DEFAULT_SALT_PERIOD,
                DEFAULT_SALT_OVERLAP,
                rng,
            ),
            sessions: SessionRegistry::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn salts_rotate_and_old_ones_expire() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let t0 = 1_700_000_000;
        let s = SaltSchedule::new(42, UnixTime::from_secs(t0), 100, 50, &mut rng);
        let at = UnixTime::from_secs;
        assert_eq!(s.current(at(t0 + 99)), 42);
        let second = s.current(at(t0 + 100));
        assert_ne!(second, 42);
        assert!(s.accepts(42, at(t0 + 149)), "within the overlap");
        assert!(!s.accepts(42, at(t0 + 150)), "expired");
        assert!(s.accepts(second, at(t0 + 150)));
        let future = s.future(at(t0 + 10), 3);
        assert_eq!(future.len(), 3);
        assert_eq!((future[0].salt, future[1].salt), (42, second));
        assert_eq!(future[1].valid_since as u64, t0 + 100);
        assert_eq!(future[0].valid_until as u64, t0 + 150);
        assert_eq!(s.future(at(t0), 10_000).len(), MAX_FUTURE_SALTS);
    }

    #[test]
    fn registry_refuses_repeats_and_bad_seq_nos() {
        let mut r = SessionRegistry::default();
        assert_eq!(r.admit(7, 100, 1), Admission::Fresh { new_session: true });
        assert_eq!(r.admit(7, 100, 1), Admission::Duplicate);
        assert_eq!(r.admit(7, 104, 3), Admission::Fresh { new_session: false });
        assert_eq!(r.admit(7, 108, 1), Admission::SeqNo(32));
        assert_eq!(r.admit(7, 102, 5), Admission::SeqNo(33));
        assert_eq!(r.admit(7, 108, 4), Admission::Fresh { new_session: false });
        for s in 0..MAX_SESSIONS_PER_KEY as i64 {
            r.admit(1000 + s, 200 + s * 4, 1);
        }
        assert_eq!(r.len(), MAX_SESSIONS_PER_KEY);
        // Session 7 was forgotten: its messages (and anything older) stay refused.
        assert_eq!(r.admit(7, 100, 1), Admission::TooOld);
        assert!(r.destroy(1000));
        assert!(!r.destroy(1000));
    }
}
