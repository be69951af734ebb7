//! The SmartFile emulator, standalone: prints one JSON line (`base_url`, `key`, `password`,
//! `client_token`, `client_secret`, `access_token`, `access_secret`), then serves until
//! killed.
//!
//! `cargo xtask emulator smartfile --addr 127.0.0.1:8700`
use cloud_core::emulator::standalone;
use smartfile::emulator::Emulator;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emu = Emulator::start_on(standalone::addr_from_args()?).await?;
    standalone::announce(&emu.info())?;
    standalone::wait_until_killed().await;
    Ok(())
}
