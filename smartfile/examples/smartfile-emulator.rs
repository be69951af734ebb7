//! The SmartFile emulator, standalone: prints one JSON line (`base_url`, `key`, `password`,
//! `client_token`, `client_secret`, `access_token`, `access_secret`), then serves until
//! killed.
//!
//! `cargo xtask emulator smartfile --addr 127.0.0.1:8700`
//!
//! `SMARTFILE_EMULATOR_SEED_FILES=N` first adds N small files to `/seed` (large listings, for
//! benchmarks).
use cloud_core::emulator::standalone;
use smartfile::emulator::Emulator;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emu = Emulator::start_on(standalone::addr_from_args()?).await?;
    if let Ok(n) = std::env::var("SMARTFILE_EMULATOR_SEED_FILES") {
        emu.seed_files("/seed", n.parse()?)?;
    }
    standalone::announce(&emu.info())?;
    standalone::wait_until_killed().await;
    Ok(())
}
