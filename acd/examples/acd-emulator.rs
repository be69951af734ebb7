//! The Amazon Cloud Drive emulator, standalone: prints one JSON line (`base_url`,
//! `metadata_url`, `content_url`, `access_token`, `refresh_token`, `client_id`,
//! `client_secret`), then serves until killed.
//!
//! `cargo xtask emulator acd --addr 127.0.0.1:8700`
use acd::emulator::{Emulator, EmulatorConfig};
use cloud_core::emulator::standalone;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = standalone::addr_from_args()?;
    let emu = Emulator::start_with(EmulatorConfig::default().addr(addr)).await?;
    standalone::announce(&emu.info())?;
    standalone::wait_until_killed().await;
    Ok(())
}
