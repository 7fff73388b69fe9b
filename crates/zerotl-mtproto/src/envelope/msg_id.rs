//! Message ids: `unixtime * 2^32` plus sub-second bits, strictly increasing.
//!
//! ```text
//!  63                              32 31                           2  1 0
//! +----------------------------------+------------------------------+----+
//! | unix seconds (+ time offset)     | fraction of the second       |kind|
//! +----------------------------------+------------------------------+----+
//!   kind: 00 client, 01 server answer, 11 other server message
//! ```
//!
//! Ids never repeat and never go down, even when the clock stalls or jumps back:
//! an id that would not exceed the last one becomes the next id above it with the
//! right kind. The low 32 bits are never zero.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of wall-clock time (injectable for tests).
pub trait Clock {
    /// Time since the Unix epoch.
    fn now(&self) -> Duration;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
    }
}

impl<F: Fn() -> Duration> Clock for F {
    fn now(&self) -> Duration {
        self()
    }
}

/// Which kind of message an id is for (its value mod 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MsgIdKind {
    /// Sent by a client: `0 mod 4`.
    Client,
    /// A server's answer to a client message: `1 mod 4`.
    ServerResponse,
    /// Any other server message: `3 mod 4`.
    ServerOther,
}

impl MsgIdKind {
    /// The id's remainder mod 4.
    pub const fn remainder(self) -> u64 {
        match self {
            MsgIdKind::Client => 0,
            MsgIdKind::ServerResponse => 1,
            MsgIdKind::ServerOther => 3,
        }
    }

    /// The kind of an id, by its remainder (`None` for `2 mod 4`).
    pub const fn of(msg_id: i64) -> Option<Self> {
        match msg_id & 3 {
            0 => Some(MsgIdKind::Client),
            1 => Some(MsgIdKind::ServerResponse),
            3 => Some(MsgIdKind::ServerOther),
            _ => None,
        }
    }
}

/// Generates message ids for one session.
///
/// ```
/// use std::time::Duration;
/// use zerotl_mtproto::envelope::{MsgIdGenerator, MsgIdKind};
/// let mut ids = MsgIdGenerator::with_clock(|| Duration::from_secs(1_700_000_000));
/// let a = ids.next(MsgIdKind::Client);
/// let b = ids.next(MsgIdKind::Client);
/// assert!(b > a && a % 4 == 0 && b % 4 == 0);
/// assert_eq!(a >> 32, 1_700_000_000);
/// assert_eq!(ids.next(MsgIdKind::ServerResponse) % 4, 1);
/// ```
#[derive(Debug, Clone)]
pub struct MsgIdGenerator<C = SystemClock> {
    clock: C,
    offset_secs: i64,
    last: u64,
}

impl MsgIdGenerator<SystemClock> {
    /// A generator on the system clock.
    pub fn new() -> Self {
        Self::with_clock(SystemClock)
    }
}

impl Default for MsgIdGenerator<SystemClock> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: Clock> MsgIdGenerator<C> {
    /// A generator on `clock`.
    pub const fn with_clock(clock: C) -> Self {
        Self {
            clock,
            offset_secs: 0,
            last: 0,
        }
    }

    /// The next id of `kind`: greater than every id this generator gave before.
    pub fn next(&mut self, kind: MsgIdKind) -> i64 {
        let rem = kind.remainder();
        let mut id = (self.time_id() & !3) | rem;
        if id <= self.last {
            id = (self.last & !3) | rem;
            if id <= self.last {
                id += 4;
            }
        }
        if id as u32 == 0 {
            id += 4;
        }
        self.last = id;
        id as i64
    }

    /// The next client id (`0 mod 4`).
    pub fn next_client(&mut self) -> i64 {
        self.next(MsgIdKind::Client)
    }

    /// The id the clock gives now, before monotonicity and kind.
    fn time_id(&self) -> u64 {
        let now = self.clock.now();
        let secs = (now.as_secs() as i64)
            .saturating_add(self.offset_secs)
            .max(0) as u64;
        let fraction = (u64::from(now.subsec_nanos()) << 32) / 1_000_000_000;
        (secs << 32) | fraction
    }

    /// Seconds added to the clock (server time minus local time).
    pub const fn time_offset(&self) -> i64 {
        self.offset_secs
    }

    /// Sets the seconds added to the clock. Ids keep increasing: after a correction
    /// backwards, new ids follow the last one until the corrected clock passes it
    /// (call [`MsgIdGenerator::reset`] when a new session starts).
    pub fn set_time_offset(&mut self, seconds: i64) {
        self.offset_secs = seconds;
    }

    /// Sets the time offset from a server message id (what `bad_msg_notification`
    /// codes 16/17 call for): server seconds minus local seconds. Returns it.
    pub fn correct_from_server_msg_id(&mut self, server_msg_id: i64) -> i64 {
        let server_secs = (server_msg_id as u64 >> 32) as i64;
        let local_secs = self.clock.now().as_secs() as i64;
        self.offset_secs = server_secs - local_secs;
        self.offset_secs
    }

    /// Forgets the last id (a new session may start below it).
    pub fn reset(&mut self) {
        self.last = 0;
    }

    /// The last id given (0 before the first).
    pub const fn last(&self) -> i64 {
        self.last as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn stalled_and_backwards_clock() {
        let t = Cell::new(Duration::new(1_700_000_000, 500_000_000));
        let mut ids = MsgIdGenerator::with_clock(|| t.get());
        let a = ids.next_client();
        assert_eq!(a >> 32, 1_700_000_000);
        assert_eq!(a as u32, 0x8000_0000);
        let b = ids.next_client();
        assert_eq!(b, a + 4);
        t.set(Duration::new(1_699_999_000, 0));
        let c = ids.next(MsgIdKind::ServerOther);
        assert_eq!(c, b + 3);
        let d = ids.next(MsgIdKind::ServerResponse);
        assert_eq!(d, c + 2);
    }

    #[test]
    fn low_bits_never_zero() {
        let mut ids = MsgIdGenerator::with_clock(|| Duration::from_secs(1_700_000_000));
        let a = ids.next_client();
        assert_eq!(a as u32, 4);
    }

    #[test]
    fn offset_from_server_id() {
        let mut ids = MsgIdGenerator::with_clock(|| Duration::from_secs(1_000));
        let server = (1_030i64 << 32) | 1;
        assert_eq!(ids.correct_from_server_msg_id(server), 30);
        assert_eq!(ids.next_client() >> 32, 1_030);
    }
}
