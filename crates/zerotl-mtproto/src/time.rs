//! [`UnixTime`]: the one notion of "now" in the core.
//!
//! msg_ids are wall-clock times (seconds since the UNIX epoch in their high half),
//! so the core's clock is the wall clock: drivers pass
//! `UnixTime::from_duration_since_epoch(SystemTime::now().duration_since(UNIX_EPOCH)?)`,
//! tests pass whatever time they simulate. Deadlines (request timeouts) use the
//! same clock. Nanosecond resolution in a `u64` lasts until the year 2554.

use core::time::Duration;

/// A point in time: nanoseconds since 1970-01-01T00:00:00Z.
///
/// ```
/// use core::time::Duration;
/// use zerotl_mtproto::UnixTime;
/// let t = UnixTime::from_secs(1_700_000_000) + Duration::from_millis(250);
/// assert_eq!((t.as_secs(), t.subsec_nanos()), (1_700_000_000, 250_000_000));
/// assert_eq!(t.saturating_duration_since(UnixTime::from_secs(1_700_000_000)), Duration::from_millis(250));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixTime(u64);

impl UnixTime {
    /// The epoch itself.
    pub const EPOCH: Self = Self(0);

    /// `secs` seconds after the epoch.
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs.saturating_mul(1_000_000_000))
    }

    /// `nanos` nanoseconds after the epoch.
    pub const fn from_nanos(nanos: u64) -> Self {
        Self(nanos)
    }

    /// The time `since_epoch` after the epoch (saturating in the year 2554).
    pub const fn from_duration_since_epoch(since_epoch: Duration) -> Self {
        let nanos = since_epoch.as_nanos();
        Self(if nanos > u64::MAX as u128 {
            u64::MAX
        } else {
            nanos as u64
        })
    }

    /// Nanoseconds since the epoch.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Whole seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.0 / 1_000_000_000
    }

    /// The nanoseconds past [`as_secs`](Self::as_secs).
    pub const fn subsec_nanos(self) -> u32 {
        (self.0 % 1_000_000_000) as u32
    }

    /// The time since the epoch.
    pub const fn since_epoch(self) -> Duration {
        Duration::from_nanos(self.0)
    }

    /// `self + d`, saturating.
    pub fn saturating_add(self, d: Duration) -> Self {
        Self(
            self.0
                .saturating_add(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)),
        )
    }

    /// `self - d`, saturating at the epoch.
    pub fn saturating_sub(self, d: Duration) -> Self {
        Self(
            self.0
                .saturating_sub(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)),
        )
    }

    /// How long after `earlier` this is (zero if it is not later).
    pub const fn saturating_duration_since(self, earlier: Self) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }
}

impl core::ops::Add<Duration> for UnixTime {
    type Output = Self;
    fn add(self, d: Duration) -> Self {
        self.saturating_add(d)
    }
}

impl core::ops::Sub<Duration> for UnixTime {
    type Output = Self;
    fn sub(self, d: Duration) -> Self {
        self.saturating_sub(d)
    }
}
