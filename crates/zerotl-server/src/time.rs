//! Where the world's flood counters get their time from: the system clock, or a
//! manual clock that tests move forward.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A monotonic time source for the world's rate limits (flood windows).
///
/// Only differences matter: `now` counts from an arbitrary start.
pub trait TimeSource: Send + Sync + 'static {
    /// Time since this source's start.
    fn now(&self) -> Duration;
}

/// The system's monotonic clock.
#[derive(Debug, Clone, Copy)]
pub struct MonotonicTime {
    start: Instant,
}

impl MonotonicTime {
    /// A clock starting now.
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

impl Default for MonotonicTime {
    fn default() -> Self {
        Self::new()
    }
}

impl TimeSource for MonotonicTime {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
}

/// A clock that only moves when told to (tests: a FLOOD_WAIT window of 60 s
/// passes with one call). Clones share the same time.
///
/// ```
/// use std::time::Duration;
/// use zerotl_server::{ManualTime, TimeSource};
/// let t = ManualTime::new();
/// let seen_by_server = t.clone();
/// t.advance(Duration::from_secs(59));
/// assert_eq!(seen_by_server.now(), Duration::from_secs(59));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManualTime {
    nanos: Arc<AtomicU64>,
}

impl ManualTime {
    /// A clock at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `by` (saturating).
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        let mut current = self.nanos.load(Ordering::SeqCst);
        loop {
            let next = current.saturating_add(by);
            match self.nanos.compare_exchange_weak(
                current,
                next,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => return,
                Err(seen) => current = seen,
            }
        }
    }
}

impl TimeSource for ManualTime {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}
