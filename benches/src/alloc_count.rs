//! A global allocator that counts allocations, so benches and tests can prove that
//! zerotl's decode/encode paths allocate nothing (and report what the peers allocate).
//!
//! The counter lives here; each binary registers the allocator itself:
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOC: zerotl_benches::CountingAlloc = zerotl_benches::CountingAlloc;
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

thread_local! {
    /// Allocations made by this thread (per thread, so a test harness or criterion
    /// thread printing meanwhile cannot add to a count).
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}
static REGISTERED: AtomicBool = AtomicBool::new(false);

fn bump() {
    REGISTERED.store(true, Ordering::Relaxed);
    // `try_with`: allocations during thread teardown are simply not counted.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// [`System`] plus a counter of `alloc`, `alloc_zeroed` and `realloc` calls.
pub struct CountingAlloc;

// SAFETY: every call is forwarded unchanged to `System`; the counter has no effect on
// the memory handed out.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Runs `f` once and returns its result with the number of allocations it made on
/// this thread.
///
/// Panics if [`CountingAlloc`] is not the binary's global allocator, so a count of 0
/// can never come from a counter that was not wired in.
pub fn count_allocations<R>(f: impl FnOnce() -> R) -> (R, usize) {
    // Make sure the counting allocator is really installed: this Box must be counted.
    drop(std::hint::black_box(Box::new(0u64)));
    assert!(
        REGISTERED.load(Ordering::Relaxed),
        "CountingAlloc is not the #[global_allocator] of this binary"
    );
    let before = allocations();
    let r = std::hint::black_box(f());
    let after = allocations();
    (r, after - before)
}
