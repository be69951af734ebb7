//! Every answer decoder of verizon-pcs on arbitrary bytes: none may panic, hang or blow up.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| verizon_pcs::fuzzing::decode(data));
