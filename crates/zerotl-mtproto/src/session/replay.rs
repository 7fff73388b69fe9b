//! A bounded window of recently received msg_ids, in fixed-size storage.

/// Remembers the last `N` msg_ids received (no allocation: a ring of `N` ids). An
/// id seen before is a duplicate; an id at or below the highest id already
/// forgotten (the *floor*) can no longer be checked and is refused too.
///
/// ```
/// use zerotl_mtproto::session::{ReplayVerdict, ReplayWindow};
/// let mut w = ReplayWindow::<2>::new();
/// for id in [10, 30, 20] {
///     w.insert(id); // 10 is forgotten when 20 arrives
/// }
/// assert_eq!(w.check(30), ReplayVerdict::Duplicate);
/// assert_eq!(w.check(10), ReplayVerdict::BehindWindow);
/// assert_eq!(w.check(25), ReplayVerdict::Fresh);
/// ```
#[derive(Debug, Clone)]
pub struct ReplayWindow<const N: usize> {
    order: heapless::Deque<i64, N>,
    floor: Option<i64>,
}

/// Why an id was refused by the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayVerdict {
    /// Not seen: acceptable.
    Fresh,
    /// Already received.
    Duplicate,
    /// Older than everything the window still remembers.
    BehindWindow,
}

impl<const N: usize> Default for ReplayWindow<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> ReplayWindow<N> {
    /// An empty window (`N` must be at least 1).
    pub const fn new() -> Self {
        assert!(N > 0, "a replay window remembers at least one id");
        Self {
            order: heapless::Deque::new(),
            floor: None,
        }
    }

    /// Whether `msg_id` would be accepted (does not record it). A linear scan of at
    /// most `N` ids.
    pub fn check(&self, msg_id: i64) -> ReplayVerdict {
        if self.order.iter().any(|&id| id == msg_id) {
            ReplayVerdict::Duplicate
        } else if self.floor.is_some_and(|floor| msg_id <= floor) {
            ReplayVerdict::BehindWindow
        } else {
            ReplayVerdict::Fresh
        }
    }

    /// Records `msg_id` as received, forgetting the oldest entry when full.
    pub fn insert(&mut self, msg_id: i64) {
        if self.check(msg_id) == ReplayVerdict::Duplicate {
            return;
        }
        if self.order.is_full() {
            if let Some(old) = self.order.pop_front() {
                self.floor = Some(self.floor.map_or(old, |f| f.max(old)));
            }
        }
        // Cannot fail: there is room now.
        let _ = self.order.push_back(msg_id);
    }

    /// How many ids are remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The most ids remembered.
    pub const fn capacity(&self) -> usize {
        N
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_refuses_old_ids() {
        let mut w = ReplayWindow::<4>::new();
        for id in [10, 30, 20, 40] {
            assert_eq!(w.check(id), ReplayVerdict::Fresh);
            w.insert(id);
        }
        assert_eq!(w.check(20), ReplayVerdict::Duplicate);
        w.insert(50); // forgets 10
        assert_eq!(w.len(), 4);
        assert_eq!(w.check(10), ReplayVerdict::BehindWindow);
        assert_eq!(w.check(5), ReplayVerdict::BehindWindow);
        assert_eq!(w.check(15), ReplayVerdict::Fresh);
        for id in 100..10_000 {
            w.insert(id);
        }
        assert_eq!(w.len(), 4);
        assert_eq!(w.check(9_000), ReplayVerdict::BehindWindow);
        assert_eq!(w.check(9_999), ReplayVerdict::Duplicate);
    }
}
