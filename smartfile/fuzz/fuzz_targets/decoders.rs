//! Every answer decoder of smartfile on arbitrary bytes: none may panic, hang or blow up.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| smartfile::fuzzing::decode(data));
