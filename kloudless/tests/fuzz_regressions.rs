//! The fuzz seeds and every input fuzzing ever found (`fuzz/seeds`, `fuzz/regressions`) run
//! through `kloudless::fuzzing::decode` on every test run: none may panic.
#![cfg(all(feature = "fuzzing", feature = "emulator"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn seeds_and_regressions_decode_without_panicking() {
    let fuzz = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let dirs = [fuzz.join("seeds"), fuzz.join("regressions")];
    let n = cloud_core::emulator::replay_inputs(&dirs, kloudless::fuzzing::decode).unwrap();
    assert!(n > 0, "no seeds found");
}
