//! Seeded simulation (`cloud_core::sim`): random store operations by concurrent tasks, faults
//! from the same seed, every answer checked against a model. Fixed seeds here; `cargo xtask
//! sim acd` for long runs.
#![allow(clippy::panic)]

use std::sync::Arc;

use acd::emulator::Emulator;
use acd::store::AcdStore;
use acd::{AcdClient, AcdOptions};
use cloud_core::emulator::Route;
use cloud_core::sim::Instance;
use http::Method;

async fn instance() -> Result<Instance, String> {
    let emu = Emulator::start().await.map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    emu.write_cache(dir.path()).map_err(|e| e.to_string())?;
    let options = AcdOptions::default()
        .base_url(&emu.base_url())
        .pacing(acd::Pacing::Off)
        // The original waits for the clock after a server-side expiry; a store user opts in.
        .refresh_on_401(true);
    let client = AcdClient::new(dir.path(), dir.path(), options)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Instance {
        store: Arc::new(AcdStore::new(client)),
        faults: emu.faults().clone(),
        log: emu.log().clone(),
        guard: Box::new((emu, dir)),
    })
}

cloud_core::sim_tests!(
    crate = "acd",
    token_expiry = true,
    instance = instance,
    replace_delete = Route::method(Method::PUT).path("/drive/v1/trash/"),
);
