//! Seeded simulation (`cloud_core::sim`): random store operations by concurrent tasks, faults
//! from the same seed, every answer checked against a model. Fixed seeds here; `cargo xtask
//! sim kloudless` for long runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use cloud_core::sim::{self, Config, Instance};
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
        guard: Box::new(emu),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fixed_seeds_keep_the_model() {
    // A Kloudless token is fixed (no refresh): the server never expires it here.
    let mut config = Config::ci();
    config.shape.token_expiry = false;
    let r = sim::check_seeds(instance, "kloudless", &[1, 2, 3], &config).await;
    match r {
        Ok(report) => eprintln!("{report:?}"),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a long run: cargo xtask sim kloudless"]
async fn long_run() {
    if let Err(e) = sim::long_run_from_env(instance, "kloudless", false).await {
        panic!("{e}");
    }
}
