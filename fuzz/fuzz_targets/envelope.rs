//! The envelope: plain messages, rpc_result, containers, gzip_packed with a bounded inflate.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_mtproto::fuzzing::envelope(data));
