//! `acd-emulator`: the Amazon Cloud Drive emulator as a program (feature `emulator`:
//! `cargo install acd --features emulator`). Prints one JSON line, then serves until killed;
//! `--help` lists the flags and the line's fields.
#![forbid(unsafe_code)]

use acd::emulator::{Emulator, EmulatorConfig};
use cloud_core::emulator::standalone::{self, Args};

const FLAGS: &[(&str, &str)] = &[
    (
        "--seed-files N",
        "N empty folders under the root first (large listings and feeds)",
    ),
    (
        "--client-id ID",
        "the client id accepted at /auth/o2/token (default generated)",
    ),
    (
        "--client-secret S",
        "the client secret accepted there (default generated)",
    ),
    (
        "--cache DIR",
        "also write an acd_cli cache folder there (oauth_data, endpoint_data)",
    ),
];

const FIELDS: &[(&str, &str)] = &[
    (
        "base_url",
        "give it to AcdOptions::base_url (or acd_cli's settings)",
    ),
    ("metadata_url", "the metadata endpoint (…/drive/v1/)"),
    ("content_url", "the content endpoint (…/cdproxy/)"),
    ("access_token", "a valid access token"),
    ("refresh_token", "its refresh token"),
    ("client_id", "the accepted client id"),
    ("client_secret", "the accepted client secret"),
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::from_env(&["client-id", "client-secret"], &["cache"])?;
    if args.help {
        print!(
            "{}",
            standalone::help(
                "acd-emulator",
                "a stateful Amazon Cloud Drive emulator",
                FLAGS,
                FIELDS
            )
        );
        return Ok(());
    }
    let mut config = EmulatorConfig::default().addr(args.addr());
    if let Some(id) = args.credential("client-id") {
        config.client_id = id.to_owned();
    }
    if let Some(secret) = args.credential("client-secret") {
        config.client_secret = cloud_core::Secret::new(secret);
    }
    let emu = Emulator::start_with(config).await?;
    if args.control {
        emu.enable_control();
    }
    // The environment variables of the earlier example still work.
    let seed = args
        .seed_files
        .or(std::env::var("ACD_EMULATOR_SEED_FOLDERS")
            .ok()
            .and_then(|n| n.parse().ok()));
    if let Some(n) = seed {
        emu.seed_folders(n, "seed-");
    }
    let cache = args
        .other
        .get("cache")
        .cloned()
        .or_else(|| std::env::var("ACD_EMULATOR_CACHE").ok());
    if let Some(dir) = cache {
        std::fs::create_dir_all(&dir)?;
        emu.write_cache(std::path::Path::new(&dir))?;
    }
    standalone::announce(&emu.info())?;
    standalone::wait_until_killed().await;
    Ok(())
}
