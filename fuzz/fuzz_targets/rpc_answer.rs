//! The test server's answers to arbitrary request bodies in several sessions: every form of messages.exportChatInvite, the bootstrap's wrappers, users.getUsers, bot logins.
#![no_main]
use zerotl_fuzz as _; // the capped global allocator (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_server::fuzzing::rpc_answer(data));
