//! Seeded simulation (`cloud_core::sim`): random store operations by concurrent tasks, faults
//! from the same seed, every answer checked against a model. Fixed seeds here; `cargo xtask
//! sim acd` for long runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use acd::emulator::Emulator;
use acd::store::AcdStore;
use acd::{AcdClient, AcdOptions};
use cloud_core::sim::{self, Config, Instance};

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
        guard: Box::new((emu, dir)),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fixed_seeds_keep_the_model() {
    let config = Config::ci();
    let r = sim::check_seeds(instance, "acd", &[1, 2, 3], &config).await;
    match r {
        Ok(report) => eprintln!("{report:?}"),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a long run: cargo xtask sim acd"]
async fn long_run() {
    if let Err(e) = sim::long_run_from_env(instance, "acd", true).await {
        panic!("{e}");
    }
}
