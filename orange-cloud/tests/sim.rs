//! Seeded simulation (`cloud_core::sim`): random store operations by concurrent tasks, faults
//! from the same seed, every answer checked against a model. Fixed seeds here; `cargo xtask
//! sim orange-cloud` for long runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use cloud_core::sim::{self, Config, Instance};
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
        guard: Box::new(emu),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fixed_seeds_keep_the_model() {
    let config = Config::ci();
    let r = sim::check_seeds(instance, "orange-cloud", &[1, 2, 3], &config).await;
    match r {
        Ok(report) => eprintln!("{report:?}"),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a long run: cargo xtask sim orange-cloud"]
async fn long_run() {
    if let Err(e) = sim::long_run_from_env(instance, "orange-cloud", true).await {
        panic!("{e}");
    }
}
