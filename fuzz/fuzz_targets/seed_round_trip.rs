//! The seed types: decode -> encode -> decode gives the same value and canonical bytes.
#![no_main]
use zerotl_fuzz as _; // the capped global allocator (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_types::fuzzing::seed_round_trip(data));
