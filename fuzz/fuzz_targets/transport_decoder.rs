//! Each transport decoder on arbitrary bytes in arbitrary chunks (same events at once, chunked, byte by byte).
#![no_main]
use zerotl_fuzz as _; // the capped global allocator (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_mtproto::fuzzing::transport_decoder(data));
