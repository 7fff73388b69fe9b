//! The server connection core behind a valid encryption: arbitrary message bodies (containers, gzip, seq_no rules, replay).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_mtproto::fuzzing::server_session(data));
