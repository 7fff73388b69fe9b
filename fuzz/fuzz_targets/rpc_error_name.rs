//! The RPC error-name parser on any code and text.
#![no_main]
use zerotl_fuzz as _; // the capped global allocator (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_mtproto::fuzzing::rpc_error_name(data));
