//! A bounded window of recently received msg_ids.

use std::collections::{HashSet, VecDeque};

/// Remembers the last `capacity` msg_ids received. An id seen before is a
/// duplicate; an id at or below the highest id already forgotten (the *floor*)
/// can no longer be checked and is refused too. Memory is bounded by `capacity`.
#[derive(Debug, Clone)]
pub struct ReplayWindow {
    capacity: usize,
    order: VecDeque<i64>,
    seen: HashSet<i64>,
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

impl ReplayWindow {
    /// A window remembering up to `capacity` ids (at least 1).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            capacity,
            order: VecDeque::with_capacity(capacity),
            seen: HashSet::with_capacity(capacity),
            floor: None,
        }
    }

    /// Whether `msg_id` would be accepted (does not record it).
    pub fn check(&self, msg_id: i64) -> ReplayVerdict {
        if self.seen.contains(&msg_id) {
            ReplayVerdict::Duplicate
        } else if self.floor.is_some_and(|floor| msg_id <= floor) {
            ReplayVerdict::BehindWindow
        } else {
            ReplayVerdict::Fresh
        }
    }

    /// Records `msg_id` as received, forgetting the oldest entry when full.
    pub fn insert(&mut self, msg_id: i64) {
        if !self.seen.insert(msg_id) {
            return;
        }
        self.order.push_back(msg_id);
        if self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
                self.floor = Some(self.floor.map_or(old, |f| f.max(old)));
            }
        }
    }

    /// How many ids are remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_refuses_old_ids() {
        let mut w = ReplayWindow::new(4);
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
