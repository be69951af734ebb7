//! `SmartFileStore` against the emulator: object_store's own conformance functions
//! (`object_store::integration`, a fresh emulator for each, held to
//! `.ci/store-exceptions.txt`), then the store's own behaviours.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use smartfile::emulator::Emulator;
use smartfile::store::SmartFileStore;
use smartfile::{BasicClient, BasicOptions};

async fn store() -> (Emulator, SmartFileStore) {
    let emu = Emulator::start().await.expect("emulator");
    let api = BasicClient::new(
        Some(emu.key()),
        Some(emu.password()),
        BasicOptions::default().url(emu.base_url()),
    )
    .expect("client");
    let store = SmartFileStore::new(api.as_client().clone());
    (emu, store)
}

cloud_core::conformance_tests!(
    crate = "smartfile",
    exceptions = concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/store-exceptions.txt"),
    store = store().await,
);
