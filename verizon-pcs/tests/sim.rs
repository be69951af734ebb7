//! Seeded simulation (`cloud_core::sim`): random store operations by concurrent tasks, faults
//! from the same seed, every answer checked against a model. Fixed seeds here; `cargo xtask
//! sim verizon-pcs` for long runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use cloud_core::sim::{self, Config, Instance};
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
        guard: Box::new(emu),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fixed_seeds_keep_the_model() {
    let config = Config::ci();
    let r = sim::check_seeds(instance, "verizon-pcs", &[1, 2, 3], &config).await;
    match r {
        Ok(report) => eprintln!("{report:?}"),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a long run: cargo xtask sim verizon-pcs"]
async fn long_run() {
    if let Err(e) = sim::long_run_from_env(instance, "verizon-pcs", true).await {
        panic!("{e}");
    }
}
