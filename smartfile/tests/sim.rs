//! Seeded simulation (`cloud_core::sim`): random store operations by concurrent tasks, faults
//! from the same seed, every answer checked against a model. Fixed seeds here; `cargo xtask
//! sim smartfile` for long runs.
#![allow(clippy::panic)]

use std::sync::Arc;

use cloud_core::emulator::Route;
use cloud_core::sim::Instance;
use http::Method;
use smartfile::emulator::Emulator;
use smartfile::store::SmartFileStore;
use smartfile::{BasicClient, BasicOptions};

async fn instance() -> Result<Instance, String> {
    let emu = Emulator::start().await.map_err(|e| e.to_string())?;
    let options = BasicOptions::default().url(emu.base_url());
    let api = BasicClient::new(Some(emu.key()), Some(emu.password()), options)
        .map_err(|e| e.to_string())?;
    Ok(Instance {
        store: Arc::new(SmartFileStore::new(api.as_client().clone())),
        faults: emu.faults().clone(),
        log: emu.log().clone(),
        guard: Box::new(emu),
    })
}

// The credential is fixed (no refresh): the server never expires it here.
cloud_core::sim_tests!(
    crate = "smartfile",
    token_expiry = false,
    instance = instance,
    replace_delete = Route::method(Method::POST).path("/api/2/path/oper/remove/"),
);
