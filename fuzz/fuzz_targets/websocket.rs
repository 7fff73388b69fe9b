//! WebSocket: upgrade requests, client frames, a server connection after an upgrade.
#![no_main]
use zerotl_fuzz as _; // the capped global allocator (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_mtproto::fuzzing::websocket(data));
