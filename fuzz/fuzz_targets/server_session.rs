//! The server connection core behind a valid encryption: arbitrary message bodies (containers, gzip, seq_no rules, replay).
#![no_main]
use zerotl_fuzz as _; // the capped global allocator (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_mtproto::fuzzing::server_session(data));
