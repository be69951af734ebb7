//! The Amazon Cloud Drive emulator, standalone: prints one JSON line (`base_url`,
//! `metadata_url`, `content_url`, `access_token`, `refresh_token`, `client_id`,
//! `client_secret`), then serves until killed.
//!
//! `cargo xtask emulator acd --addr 127.0.0.1:8700`
//!
//! `ACD_EMULATOR_CACHE=DIR` also writes an acd_cli cache folder there (`oauth_data`,
//! `endpoint_data`), from which the original and `AcdClient` start;
//! `ACD_EMULATOR_SEED_FOLDERS=N` adds N empty folders under the root first (large listings
//! and changes feeds, for benchmarks).
use acd::emulator::{Emulator, EmulatorConfig};
use cloud_core::emulator::standalone;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = standalone::addr_from_args()?;
    let emu = Emulator::start_with(EmulatorConfig::default().addr(addr)).await?;
    if let Ok(n) = std::env::var("ACD_EMULATOR_SEED_FOLDERS") {
        emu.seed_folders(n.parse()?, "seed-");
    }
    if let Ok(dir) = std::env::var("ACD_EMULATOR_CACHE") {
        std::fs::create_dir_all(&dir)?;
        emu.write_cache(std::path::Path::new(&dir))?;
    }
    standalone::announce(&emu.info())?;
    standalone::wait_until_killed().await;
    Ok(())
}
