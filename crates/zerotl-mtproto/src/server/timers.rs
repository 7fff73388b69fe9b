//! The deadlines of one server connection: [`ServerTimeouts`] configures them,
//! [`ServerTimer`] names the one that passed, and `Timers` keeps the times they
//! count from. [`ServerConnection`](super::ServerConnection) exposes them as
//! `poll_timeout()` / `handle_timeout(now)`.
//!
//! Every time comes from the caller (the `now` of a
//! [`ServerContext`](super::ServerContext) or an argument): the core reads no
//! clock.

use core::fmt;
use core::time::Duration;

use crate::UnixTime;

/// How long a server connection may take for each phase, and how long it may
/// sit without progress.
///
/// The partial-frame rule is a total deadline: a frame must be complete within
/// [`frame`](Self::frame) of its first byte, however it trickles in. At the
/// defaults that asks a client sending a 1 MiB frame for about 35 KB/s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerTimeouts {
    /// From the connection's start to a detected transport.
    pub detect: Duration,
    /// From the detected transport to the end of the opening: a finished key
    /// exchange, the first message under a known key, or a plain test-mode
    /// request.
    pub key_exchange: Duration,
    /// From the first byte of a frame to its last, while the connection reads.
    /// The clock restarts when the frame before it completes and when reading
    /// resumes after the connection held input back.
    pub frame: Duration,
    /// How long nothing may be read or written while no output waits.
    pub idle: Duration,
    /// How long nothing may be read or written while output waits (a client
    /// that reads nothing).
    pub write: Duration,
}

impl Default for ServerTimeouts {
    /// 10 s to detect, 30 s for the opening, 30 s per frame, 300 s idle and
    /// 10 s for a client to read.
    fn default() -> Self {
        Self {
            detect: Duration::from_secs(10),
            key_exchange: Duration::from_secs(30),
            frame: Duration::from_secs(30),
            idle: Duration::from_secs(300),
            write: Duration::from_secs(10),
        }
    }
}

/// A deadline of a server connection (see [`ServerTimeouts`]).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerTimer {
    /// Transport detection ([`ServerTimeouts::detect`]).
    Detect,
    /// The key exchange or first message ([`ServerTimeouts::key_exchange`]).
    KeyExchange,
    /// A frame not complete in time ([`ServerTimeouts::frame`]).
    Frame,
    /// Nothing read or written, no output waiting ([`ServerTimeouts::idle`]).
    Idle,
    /// Nothing read or written while output waits ([`ServerTimeouts::write`]).
    Write,
}

impl ServerTimer {
    /// The configured duration of this deadline.
    pub fn duration(self, timeouts: &ServerTimeouts) -> Duration {
        match self {
            Self::Detect => timeouts.detect,
            Self::KeyExchange => timeouts.key_exchange,
            Self::Frame => timeouts.frame,
            Self::Idle => timeouts.idle,
            Self::Write => timeouts.write,
        }
    }
}

impl fmt::Display for ServerTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Detect => "transport detection",
            Self::KeyExchange => "key exchange",
            Self::Frame => "partial frame",
            Self::Idle => "idle",
            Self::Write => "write",
        })
    }
}

/// What the connection looks like to its timers after a call that passed the
/// time.
#[derive(Debug, Clone, Copy)]
pub(super) struct Observed {
    /// The transport is known.
    pub detected: bool,
    /// The opening is over (encrypted, or a plain request handed out).
    pub established: bool,
    /// Bytes buffered in the transport while the connection reads (zero while
    /// it holds input back).
    pub partial: usize,
    /// Frames decoded so far.
    pub frames: u64,
}

/// What the connection looks like when a deadline is asked for.
#[derive(Debug, Clone, Copy)]
pub(super) struct Now {
    /// Output waits to be written.
    pub output_pending: bool,
    /// The connection is closing after a protocol error.
    pub closing: bool,
}

/// The times a connection's deadlines count from.
#[derive(Debug, Clone)]
pub(super) struct Timers {
    timeouts: ServerTimeouts,
    started: UnixTime,
    detected: Option<UnixTime>,
    established: bool,
    /// The last byte read or written.
    activity: UnixTime,
    /// Since when the partial frame counts, and the frames decoded then.
    partial: Option<(UnixTime, u64)>,
    /// A deadline passed: no other will.
    expired: bool,
}

impl Timers {
    pub(super) fn new(timeouts: ServerTimeouts, now: UnixTime) -> Self {
        Self {
            timeouts,
            started: now,
            detected: None,
            established: false,
            activity: now,
            partial: None,
            expired: false,
        }
    }

    /// Bytes were read or written at `now`.
    pub(super) fn activity(&mut self, now: UnixTime) {
        self.activity = self.activity.max(now);
    }

    /// Notes what changed since the last call.
    pub(super) fn observe(&mut self, now: UnixTime, seen: Observed) {
        if seen.detected && self.detected.is_none() {
            self.detected = Some(now);
        }
        self.established |= seen.established;
        self.partial = match self.partial {
            _ if seen.partial == 0 => None,
            // The same frame still arriving: its clock runs on, whatever it grew by.
            Some((since, frames)) if frames == seen.frames => Some((since, frames)),
            // A new frame started, or reading resumed with one buffered.
            _ => Some((now, seen.frames)),
        };
    }

    /// The earliest deadline that applies, if any. Of two at the same time the
    /// idle or write deadline wins.
    pub(super) fn next(&self, state: Now) -> Option<(UnixTime, ServerTimer)> {
        if self.expired {
            return None;
        }
        let t = &self.timeouts;
        let mut best: Option<(UnixTime, ServerTimer)> = None;
        let mut consider = |at: UnixTime, timer: ServerTimer| {
            if best.is_none_or(|(b, _)| at < b) {
                best = Some((at, timer));
            }
        };
        if state.output_pending {
            consider(self.activity + t.write, ServerTimer::Write);
        } else if !state.closing {
            consider(self.activity + t.idle, ServerTimer::Idle);
        }
        if state.closing {
            return best;
        }
        match self.detected {
            None => consider(self.started + t.detect, ServerTimer::Detect),
            Some(at) if !self.established => {
                consider(at + t.key_exchange, ServerTimer::KeyExchange)
            }
            Some(_) => {}
        }
        if let Some((since, _)) = self.partial {
            consider(since + t.frame, ServerTimer::Frame);
        }
        best
    }

    /// The deadline that passed at `now`, if one did (it is the last: the
    /// timers stop).
    pub(super) fn expire(&mut self, now: UnixTime, state: Now) -> Option<(ServerTimer, Duration)> {
        let (at, timer) = self.next(state)?;
        if at > now {
            return None;
        }
        self.expired = true;
        Some((timer, timer.duration(&self.timeouts)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: UnixTime = UnixTime::from_secs(1_700_000_000);
    const IDLE: Now = Now {
        output_pending: false,
        closing: false,
    };

    fn seen(detected: bool, established: bool, partial: usize, frames: u64) -> Observed {
        Observed {
            detected,
            established,
            partial,
            frames,
        }
    }

    #[test]
    fn a_trickled_frame_keeps_its_first_byte_time() {
        let mut timers = Timers::new(ServerTimeouts::default(), T0);
        timers.observe(T0, seen(true, true, 0, 0));
        for i in 1..=10u64 {
            let now = T0 + Duration::from_secs(i * 29 / 10);
            timers.activity(now);
            timers.observe(now, seen(true, true, i as usize, 0));
        }
        let first_byte = T0 + Duration::from_secs(2);
        assert_eq!(
            timers.next(IDLE),
            Some((first_byte + Duration::from_secs(30), ServerTimer::Frame))
        );
        // A decoded frame with a next one buffered restarts the clock.
        let later = T0 + Duration::from_secs(31);
        timers.observe(later, seen(true, true, 3, 1));
        assert_eq!(
            timers.next(IDLE),
            Some((later + Duration::from_secs(30), ServerTimer::Frame))
        );
    }

    #[test]
    fn closing_leaves_only_the_write_deadline() {
        let mut timers = Timers::new(ServerTimeouts::default(), T0);
        let closing = Now {
            output_pending: true,
            closing: true,
        };
        assert_eq!(
            timers.next(closing),
            Some((T0 + Duration::from_secs(10), ServerTimer::Write))
        );
        let closed = Now {
            output_pending: false,
            ..closing
        };
        assert_eq!(timers.next(closed), None);
        assert_eq!(timers.expire(T0 + Duration::from_secs(9), closing), None);
        assert_eq!(
            timers.expire(T0 + Duration::from_secs(10), closing),
            Some((ServerTimer::Write, Duration::from_secs(10)))
        );
        assert_eq!(timers.next(closing), None, "one deadline passes, once");
    }
}
