//! A server connection's bytes: transport detection (plain and obfuscated), framing, envelope.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_mtproto::fuzzing::server_stream(data));
