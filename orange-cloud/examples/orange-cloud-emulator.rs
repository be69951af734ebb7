//! The Orange Cloud France emulator, standalone: prints one JSON line (`base_url`,
//! `client_id`, `client_secret`, `redirect_uri`, `refresh_token`, `access_token`), then serves
//! until killed.
//!
//! `cargo xtask emulator orange-cloud --addr 127.0.0.1:8700`
//!
//! `ORANGE_EMULATOR_SEED_FILES=N` first adds a folder `seed` under the root holding N small
//! files (large listings, for benchmarks); the line then also carries its id as
//! `seed_folder`.
use cloud_core::emulator::standalone;
use orange_cloud::emulator::{Emulator, EmulatorConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emu =
        Emulator::start_with(EmulatorConfig::default().addr(standalone::addr_from_args()?)).await?;
    let mut info = emu.info();
    if let Ok(n) = std::env::var("ORANGE_EMULATOR_SEED_FILES") {
        info["seed_folder"] = emu.seed_files("seed", n.parse()?).into();
    }
    standalone::announce(&info)?;
    standalone::wait_until_killed().await;
    Ok(())
}
