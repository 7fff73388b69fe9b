//! The client connection core (plain test mode) on arbitrary server bytes: containers, gzip, rpc_result.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_mtproto::fuzzing::client_stream(data));
