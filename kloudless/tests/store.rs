//! `KloudlessStore` against the emulator: object_store's own conformance functions
//! (`object_store::integration`, a fresh emulator for each, held to
//! `.ci/store-exceptions.txt`), then the store's own behaviours.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kloudless::emulator::Emulator;
use kloudless::store::KloudlessStore;
use kloudless::{Account, Configuration};

async fn store() -> (Emulator, KloudlessStore) {
    let emu = Emulator::start().await.expect("emulator");
    let account = Account::with_config(
        Some(emu.token()),
        None,
        None,
        &Configuration::with_base_url(emu.base_url()),
    )
    .expect("account");
    (emu, KloudlessStore::new(account))
}

cloud_core::conformance_tests!(
    crate = "kloudless",
    exceptions = concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/store-exceptions.txt"),
    store = store().await,
);
