//! Every answer decoder of orange-cloud on arbitrary bytes: none may panic, hang or blow up.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| orange_cloud::fuzzing::decode(data));
