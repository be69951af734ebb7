//! The fuzz seeds and every input fuzzing ever found (`fuzz/seeds`, `fuzz/regressions`) run
//! through `smartfile::fuzzing::decode` on every test run: none may panic.
#![cfg(feature = "fuzzing")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn seeds_and_regressions_decode_without_panicking() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for sub in ["seeds", "regressions"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                continue;
            }
            smartfile::fuzzing::decode(&std::fs::read(&path).unwrap());
            n += 1;
        }
    }
    assert!(n > 0, "no seeds found");
}
