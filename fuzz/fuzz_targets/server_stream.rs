//! A server connection's bytes: transport detection (plain and obfuscated), framing, envelope.
#![no_main]
use zerotl_fuzz as _; // the capped global allocator (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_mtproto::fuzzing::server_stream(data));
