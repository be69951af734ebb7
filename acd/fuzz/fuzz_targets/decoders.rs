//! Every answer decoder of acd on arbitrary bytes: none may panic, hang or blow up.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| acd::fuzzing::decode(data));
