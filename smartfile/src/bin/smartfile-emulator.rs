//! `smartfile-emulator`: the SmartFile API v2 emulator as a program (feature `emulator`:
//! `cargo install smartfile --features emulator`). Prints one JSON line, then serves until
//! killed; `--help` lists the flags and the line's fields.
#![forbid(unsafe_code)]

use cloud_core::emulator::standalone::{self, Args};
use smartfile::emulator::{Emulator, EmulatorConfig};

const FLAGS: &[(&str, &str)] = &[
    (
        "--seed-files N",
        "N small files in /seed first (large listings)",
    ),
    ("--key KEY", "the accepted API key (default generated)"),
    (
        "--password PW",
        "the accepted API password (default generated)",
    ),
    (
        "--client-token T",
        "the accepted OAuth client token (default generated)",
    ),
    (
        "--client-secret S",
        "the accepted OAuth client secret (default generated)",
    ),
];

const FIELDS: &[(&str, &str)] = &[
    (
        "base_url",
        "the API root (…/), for BasicOptions::url or the original's url=",
    ),
    ("key", "the accepted API key"),
    ("password", "the accepted API password"),
    ("client_token", "the accepted OAuth client token"),
    ("client_secret", "the accepted OAuth client secret"),
    ("access_token", "an OAuth access token already granted"),
    ("access_secret", "its secret"),
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::from_env(&["key", "password", "client-token", "client-secret"], &[])?;
    if args.help {
        print!(
            "{}",
            standalone::help(
                "smartfile-emulator",
                "a stateful SmartFile API v2 emulator",
                FLAGS,
                FIELDS
            )
        );
        return Ok(());
    }
    let mut config = EmulatorConfig::default().addr(args.addr());
    if let Some(k) = args.credential("key") {
        config.key = k.to_owned();
    }
    if let Some(p) = args.credential("password") {
        config.password = cloud_core::Secret::new(p);
    }
    if let Some(t) = args.credential("client-token") {
        config.client_token = t.to_owned();
    }
    if let Some(s) = args.credential("client-secret") {
        config.client_secret = cloud_core::Secret::new(s);
    }
    let emu = Emulator::start_with(config).await?;
    if args.control {
        emu.enable_control();
    }
    let seed = args
        .seed_files
        .or(std::env::var("SMARTFILE_EMULATOR_SEED_FILES")
            .ok()
            .and_then(|n| n.parse().ok()));
    if let Some(n) = seed {
        emu.seed_files("/seed", n)?;
    }
    standalone::announce(&emu.info())?;
    standalone::wait_until_killed().await;
    Ok(())
}
