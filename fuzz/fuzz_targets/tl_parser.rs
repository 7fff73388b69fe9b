//! The .tl parser, resolver and emitter on arbitrary text.
#![no_main]
use zerotl_fuzz as _; // the capped global allocator (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_codegen::fuzzing::parse_schema(data));
