//! The client connection core (plain test mode) on arbitrary server bytes: containers, gzip, rpc_result.
#![no_main]
use zerotl_fuzz as _; // the capped global allocator (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_mtproto::fuzzing::client_stream(data));
