//! What every fuzz target links: a global allocator that refuses any single
//! allocation over [`MAX_ALLOCATION`], so that a size a peer controls reaching the
//! allocator unbounded is a crash libFuzzer records, even when no memory is touched.
//!
//! zerotl's largest legitimate allocations are a 16 MiB frame or inflated message
//! (`DEFAULT_MAX_FRAME_LEN`, `DEFAULT_MAX_INFLATED`), and a `Vec` growing to hold one
//! may double that; anything bigger means a bound is missing. A refused allocation
//! ends in Rust's allocation-error handler: "memory allocation of N bytes failed" and
//! an abort, which libFuzzer reports as a crash with the input saved.
//!
//! Each target names the crate (`use zerotl_fuzz as _;`) so that it is linked.

use std::alloc::{GlobalAlloc, Layout, System};

/// The largest single allocation the targets may make: 64 MiB.
pub const MAX_ALLOCATION: usize = 64 << 20;

/// The system allocator, refusing allocations over [`MAX_ALLOCATION`].
pub struct CappedAlloc;

// SAFETY: every call is forwarded unchanged to `System`, except that requests over the
// cap return null, which the `GlobalAlloc` contract allows (allocation failure).
unsafe impl GlobalAlloc for CappedAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() > MAX_ALLOCATION {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract for `layout` is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() > MAX_ALLOCATION {
            return std::ptr::null_mut();
        }
        // SAFETY: as in `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > MAX_ALLOCATION {
            return std::ptr::null_mut();
        }
        // SAFETY: `ptr` and `layout` come from this allocator, which is `System`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CappedAlloc = CappedAlloc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocations_over_the_cap_are_refused() {
        let over = Layout::from_size_align(MAX_ALLOCATION + 1, 8).unwrap();
        let at = Layout::from_size_align(MAX_ALLOCATION, 8).unwrap();
        // SAFETY: the layouts have non-zero sizes; what is allocated is freed with its layout.
        unsafe {
            assert!(CappedAlloc.alloc(over).is_null());
            assert!(CappedAlloc.alloc_zeroed(over).is_null());
            let p = CappedAlloc.alloc(at);
            assert!(!p.is_null());
            assert!(CappedAlloc.realloc(p, at, MAX_ALLOCATION + 1).is_null());
            CappedAlloc.dealloc(p, at);
        }
        // Through the global allocator: a Vec's over-cap reservation fails.
        assert!(Vec::<u8>::new()
            .try_reserve_exact(MAX_ALLOCATION + 1)
            .is_err());
    }
}
