//! The seed types: decode -> encode -> decode gives the same value and canonical bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_types::fuzzing::seed_round_trip(data));
