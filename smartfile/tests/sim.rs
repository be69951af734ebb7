//! Seeded simulation (`cloud_core::sim`): random store operations by concurrent tasks, faults
//! from the same seed, every answer checked against a model. Fixed seeds here; `cargo xtask
//! sim smartfile` for long runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use cloud_core::sim::{self, Config, Instance};
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
        guard: Box::new(emu),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fixed_seeds_keep_the_model() {
    // A key and password never expire: the server never expires it here.
    let mut config = Config::ci();
    config.shape.token_expiry = false;
    let r = sim::check_seeds(instance, "smartfile", &[1, 2, 3], &config).await;
    match r {
        Ok(report) => eprintln!("{report:?}"),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a long run: cargo xtask sim smartfile"]
async fn long_run() {
    if let Err(e) = sim::long_run_from_env(instance, "smartfile", false).await {
        panic!("{e}");
    }
}
