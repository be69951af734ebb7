//! `VerizonStore` against the emulator: object_store's own conformance functions
//! (`object_store::integration`, a fresh emulator for each, held to
//! `.ci/store-exceptions.txt`), then the store's own behaviours.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use verizon_pcs::emulator::Emulator;
use verizon_pcs::store::VerizonStore;
use verizon_pcs::{Cloud, CloudOptions};

async fn store() -> (Emulator, VerizonStore) {
    let emu = Emulator::start().await.expect("emulator");
    let t = emu.issue_token();
    let cloud = Cloud::new(
        emu.client_key(),
        emu.client_secret(),
        emu.callback_url(),
        CloudOptions::default()
            .base_url(emu.api_cloud())
            .access_token(t.access_token)
            .refresh_token(t.refresh_token),
    )
    .expect("client");
    let store = VerizonStore::new(cloud, "/VZMOBILE").expect("store");
    (emu, store)
}

cloud_core::conformance_tests!(
    crate = "verizon-pcs",
    exceptions = concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/store-exceptions.txt"),
    store = store().await,
);
