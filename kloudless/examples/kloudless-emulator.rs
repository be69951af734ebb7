//! The Kloudless emulator, standalone: prints one JSON line (`base_url`, `app_id`, `api_key`,
//! `token`, `account_id`), then serves until killed.
//!
//! `cargo xtask emulator kloudless --addr 127.0.0.1:8700`
use cloud_core::emulator::standalone;
use kloudless::emulator::Emulator;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emu = Emulator::start_on(standalone::addr_from_args()?).await?;
    standalone::announce(&emu.info())?;
    standalone::wait_until_killed().await;
    Ok(())
}
