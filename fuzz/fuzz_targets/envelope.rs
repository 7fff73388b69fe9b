//! The envelope: plain messages, rpc_result, containers, gzip_packed with a bounded inflate.
#![no_main]
use zerotl_fuzz as _; // the capped global allocator (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_mtproto::fuzzing::envelope(data));
