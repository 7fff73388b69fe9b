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

use crate::UnixTime;

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

/// Generates message ids for one session from the time the caller passes.
///
/// ```
/// use zerotl_mtproto::envelope::{MsgIdGenerator, MsgIdKind};
/// use zerotl_mtproto::UnixTime;
/// let now = UnixTime::from_secs(1_700_000_000);
/// let mut ids = MsgIdGenerator::new();
/// let a = ids.next(MsgIdKind::Client, now);
/// let b = ids.next(MsgIdKind::Client, now);
/// assert!(b > a && a % 4 == 0 && b % 4 == 0);
/// assert_eq!(a >> 32, 1_700_000_000);
/// assert_eq!(ids.next(MsgIdKind::ServerResponse, now) % 4, 1);
/// ```
#[derive(Debug, Clone, Default)]
pub struct MsgIdGenerator {
    offset_secs: i64,
    last: u64,
}

impl MsgIdGenerator {
    /// A generator with no time offset.
    pub const fn new() -> Self {
        Self {
            offset_secs: 0,
            last: 0,
        }
    }

    /// The next id of `kind` at time `now`: greater than every id this generator
    /// gave before.
    pub fn next(&mut self, kind: MsgIdKind, now: UnixTime) -> i64 {
        let rem = kind.remainder();
        let mut id = (self.time_id(now) & !3) | rem;
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
    pub fn next_client(&mut self, now: UnixTime) -> i64 {
        self.next(MsgIdKind::Client, now)
    }

    /// The id `now` gives, before monotonicity and kind.
    fn time_id(&self, now: UnixTime) -> u64 {
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
    pub fn correct_from_server_msg_id(&mut self, server_msg_id: i64, now: UnixTime) -> i64 {
        let server_secs = (server_msg_id as u64 >> 32) as i64;
        let local_secs = now.as_secs() as i64;
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

    #[test]
    fn stalled_and_backwards_clock() {
        let t = UnixTime::from_secs(1_700_000_000) + core::time::Duration::from_millis(500);
        let mut ids = MsgIdGenerator::new();
        let a = ids.next_client(t);
        assert_eq!(a >> 32, 1_700_000_000);
        assert_eq!(a as u32, 0x8000_0000);
        let b = ids.next_client(t);
        assert_eq!(b, a + 4);
        let earlier = UnixTime::from_secs(1_699_999_000);
        let c = ids.next(MsgIdKind::ServerOther, earlier);
        assert_eq!(c, b + 3);
        let d = ids.next(MsgIdKind::ServerResponse, earlier);
        assert_eq!(d, c + 2);
    }

    #[test]
    fn low_bits_never_zero() {
        let mut ids = MsgIdGenerator::new();
        let a = ids.next_client(UnixTime::from_secs(1_700_000_000));
        assert_eq!(a as u32, 4);
    }

    #[test]
    fn offset_from_server_id() {
        let now = UnixTime::from_secs(1_000);
        let mut ids = MsgIdGenerator::new();
        let server = (1_030i64 << 32) | 1;
        assert_eq!(ids.correct_from_server_msg_id(server, now), 30);
        assert_eq!(ids.next_client(now) >> 32, 1_030);
    }
}
