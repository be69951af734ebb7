//! The Kloudless emulator, standalone: prints one JSON line (`base_url`, `app_id`, `api_key`,
//! `token`, `account_id`), then serves until killed.
//!
//! `cargo xtask emulator kloudless --addr 127.0.0.1:8700`
//!
//! `KLOUDLESS_EMULATOR_SEED_FILES=N` first adds a folder `seed` under the root holding N small
//! files (large listings, for benchmarks); the line then also carries its id as
//! `seed_folder`.
use cloud_core::emulator::standalone;
use kloudless::emulator::Emulator;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emu = Emulator::start_on(standalone::addr_from_args()?).await?;
    let mut info = emu.info();
    if let Ok(n) = std::env::var("KLOUDLESS_EMULATOR_SEED_FILES") {
        info["seed_folder"] = emu.seed_files(n.parse()?).into();
    }
    standalone::announce(&info)?;
    standalone::wait_until_killed().await;
    Ok(())
}
