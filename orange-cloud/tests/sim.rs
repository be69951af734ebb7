//! Seeded simulation (`cloud_core::sim`): random store operations by concurrent tasks, faults
//! from the same seed, every answer checked against a model. Fixed seeds here; `cargo xtask
//! sim orange-cloud` for long runs.
#![allow(clippy::panic)]

use std::sync::Arc;

use cloud_core::emulator::Route;
use cloud_core::sim::Instance;
use http::Method;
use orange_cloud::emulator::Emulator;
use orange_cloud::store::OrangeStore;
use orange_cloud::{ApiManager, ApiManagerOptions};

async fn instance() -> Result<Instance, String> {
    let emu = Emulator::start().await.map_err(|e| e.to_string())?;
    let options = ApiManagerOptions::default().base_url(&emu.base_url());
    let api = ApiManager::new(
        emu.client_id(),
        emu.client_secret(),
        emu.redirect_uri(),
        options,
    )
    .map_err(|e| e.to_string())?;
    api.init_with_token(emu.issue_token().refresh_token.expose())
        .await
        .map_err(|e| e.to_string())?;
    Ok(Instance {
        store: Arc::new(OrangeStore::new(api)),
        faults: emu.faults().clone(),
        log: emu.log().clone(),
        guard: Box::new(emu),
    })
}

cloud_core::sim_tests!(
    crate = "orange-cloud",
    token_expiry = true,
    instance = instance,
    replace_delete = Route::method(Method::DELETE),
);
