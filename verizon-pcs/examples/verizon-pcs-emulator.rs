//! The Verizon Cloud emulator, standalone: prints one JSON line (`base_url`, `client_key`,
//! `client_secret`, `callback_url`, `access_token`, `refresh_token`), then serves until killed.
//!
//! `cargo xtask emulator verizon-pcs --addr 127.0.0.1:8700`
//!
//! `VERIZON_EMULATOR_SEED_FILES=N` first adds N small files to `/VZMOBILE/seed` (large
//! listings, searches and fullviews, for benchmarks).
use cloud_core::emulator::standalone;
use verizon_pcs::emulator::{Emulator, EmulatorConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = standalone::addr_from_args()?;
    let emu = Emulator::start_with(EmulatorConfig::default().addr(addr)).await?;
    if let Ok(n) = std::env::var("VERIZON_EMULATOR_SEED_FILES") {
        emu.seed_files("/VZMOBILE/seed", n.parse()?)?;
    }
    standalone::announce(&emu.info())?;
    standalone::wait_until_killed().await;
    Ok(())
}
