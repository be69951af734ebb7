//! `AcdStore` against the emulator: object_store's own conformance functions
//! (`object_store::integration`, a fresh emulator for each, held to
//! `.ci/store-exceptions.txt`), then the store's own behaviours.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use acd::emulator::Emulator;
use acd::store::AcdStore;
use acd::{AcdClient, AcdOptions};

async fn store() -> ((Emulator, tempfile::TempDir), AcdStore) {
    let emu = Emulator::start().await.expect("emulator");
    let dir = tempfile::tempdir().expect("dir");
    emu.write_cache(dir.path()).expect("cache");
    let client = AcdClient::new(
        dir.path(),
        dir.path(),
        AcdOptions::default()
            .base_url(&emu.base_url())
            .pacing(acd::Pacing::Off),
    )
    .await
    .expect("client");
    ((emu, dir), AcdStore::new(client))
}

cloud_core::conformance_tests!(
    crate = "acd",
    exceptions = concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/store-exceptions.txt"),
    store = store().await,
);
