//! Seeded simulation (`cloud_core::sim`): random store operations by concurrent tasks, faults
//! from the same seed, every answer checked against a model. Fixed seeds here; `cargo xtask
//! sim kloudless` for long runs.
#![allow(clippy::panic)]

use std::sync::Arc;

use cloud_core::emulator::Route;
use cloud_core::sim::Instance;
use http::Method;
use kloudless::emulator::Emulator;
use kloudless::store::KloudlessStore;
use kloudless::{Account, Configuration};

async fn instance() -> Result<Instance, String> {
    let emu = Emulator::start().await.map_err(|e| e.to_string())?;
    let config = Configuration::with_base_url(emu.base_url());
    let account =
        Account::with_config(Some(emu.token()), None, None, &config).map_err(|e| e.to_string())?;
    Ok(Instance {
        store: Arc::new(KloudlessStore::new(account)),
        faults: emu.faults().clone(),
        log: emu.log().clone(),
        guard: Box::new(emu),
    })
}

// The credential is fixed (no refresh): the server never expires it here.
cloud_core::sim_tests!(
    crate = "kloudless",
    token_expiry = false,
    instance = instance,
    replace_delete = Route::method(Method::DELETE),
);
