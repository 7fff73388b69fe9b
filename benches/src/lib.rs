//! # zerotl-benches
//!
//! Criterion benchmarks of zerotl next to grammers-tl-types 0.11 (layer 230) and
//! tl-proto 0.5.4 (hand-derived layer-122 seed shapes), on the same bytes. See
//! `README.md` for how to run them and the latest numbers.
//!
//! The library holds what the bench binary, the profiling driver and the tests share:
//! the inputs ([`fixtures`]), one module per library doing the same work
//! ([`zerotl_ops`], [`grammers_ops`], [`tlproto_ops`]), the cross-checks run before
//! anything is timed ([`checks`]), the allocation counter ([`alloc_count`]) and
//! hand-optimized copies of generated code used to test proposals ([`hand`]).

pub mod alloc_count;
pub mod checks;
pub mod fixtures;
pub mod grammers_ops;
pub mod hand;
pub mod tlproto_ops;
pub mod zerotl_ops;

pub use alloc_count::{count_allocations, CountingAlloc};
