//! WebSocket: upgrade requests, client frames, a server connection after an upgrade.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_mtproto::fuzzing::websocket(data));
