//! Every answer decoder of kloudless on arbitrary bytes: none may panic, hang or blow up.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kloudless::fuzzing::decode(data));
