//! The .tl parser, resolver and emitter on arbitrary text.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| zerotl_codegen::fuzzing::parse_schema(data));
