//! `OrangeStore` against the emulator: object_store's own conformance functions
//! (`object_store::integration`, a fresh emulator for each, held to
//! `.ci/store-exceptions.txt`), then the store's own behaviours.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use orange_cloud::emulator::Emulator;
use orange_cloud::store::OrangeStore;
use orange_cloud::{ApiManager, ApiManagerOptions};

async fn store() -> (Emulator, OrangeStore) {
    let emu = Emulator::start().await.expect("emulator");
    let api = ApiManager::new(
        emu.client_id(),
        emu.client_secret(),
        emu.redirect_uri(),
        ApiManagerOptions::default().base_url(&emu.base_url()),
    )
    .expect("manager");
    api.init_with_token(emu.issue_token().refresh_token.expose())
        .await
        .expect("signed in");
    (emu, OrangeStore::new(api))
}

cloud_core::conformance_tests!(
    crate = "orange-cloud",
    exceptions = concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/store-exceptions.txt"),
    store = store().await,
);
