//! Any boxed object of layer 122 (and the MTProto schema): typed decode, canonical re-encode, JSON round trip.
#![no_main]
use zerotl_fuzz as _; // the capped global allocator (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_types::fuzzing::decode_any(
    &zerotl_types::layer122::schema::SCHEMA,
    data
));
