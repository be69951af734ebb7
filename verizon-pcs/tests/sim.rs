//! Seeded simulation (`cloud_core::sim`): random store operations by concurrent tasks, faults
//! from the same seed, every answer checked against a model. Fixed seeds here; `cargo xtask
//! sim verizon-pcs` for long runs.
#![allow(clippy::panic)]

use std::sync::Arc;

use cloud_core::emulator::Route;
use cloud_core::sim::Instance;
use http::Method;
use verizon_pcs::emulator::Emulator;
use verizon_pcs::store::VerizonStore;
use verizon_pcs::{Cloud, CloudOptions};

async fn instance() -> Result<Instance, String> {
    let emu = Emulator::start().await.map_err(|e| e.to_string())?;
    let t = emu.issue_token();
    let options = CloudOptions::default()
        .base_url(emu.api_cloud())
        .access_token(t.access_token)
        .refresh_token(t.refresh_token);
    let cloud = Cloud::new(
        emu.client_key(),
        emu.client_secret(),
        emu.callback_url(),
        options,
    )
    .map_err(|e| e.to_string())?;
    let store = VerizonStore::new(cloud, "/VZMOBILE").map_err(|e| e.to_string())?;
    Ok(Instance {
        store: Arc::new(store),
        faults: emu.faults().clone(),
        log: emu.log().clone(),
        guard: Box::new(emu),
    })
}

cloud_core::sim_tests!(
    crate = "verizon-pcs",
    token_expiry = true,
    instance = instance,
    replace_delete = Route::method(Method::DELETE),
);
