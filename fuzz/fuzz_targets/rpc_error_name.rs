//! The RPC error-name parser on any code and text.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_mtproto::fuzzing::rpc_error_name(data));
