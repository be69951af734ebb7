//! `verizon-pcs-emulator`: the Verizon Personal Cloud Storage emulator as a program (feature
//! `emulator`: `cargo install verizon-pcs --features emulator`). Prints one JSON line, then
//! serves until killed; `--help` lists the flags and the line's fields.
#![forbid(unsafe_code)]

use cloud_core::emulator::standalone::{self, Args};
use verizon_pcs::emulator::{Emulator, EmulatorConfig};

const FLAGS: &[(&str, &str)] = &[
    (
        "--seed-files N",
        "N small files in /VZMOBILE/seed first (large listings)",
    ),
    (
        "--client-key K",
        "the accepted client key (default generated)",
    ),
    (
        "--client-secret S",
        "the accepted client secret (default generated)",
    ),
    ("--callback-url U", "the registered callback URL"),
];

const FIELDS: &[(&str, &str)] = &[
    (
        "base_url",
        "the API root (…/cloud/1), for CloudOptions::base_url",
    ),
    ("client_key", "the accepted client key"),
    ("client_secret", "the accepted client secret"),
    ("callback_url", "the registered callback URL"),
    ("access_token", "a valid access token"),
    ("refresh_token", "its refresh token"),
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::from_env(&["client-key", "client-secret"], &["callback-url"])?;
    if args.help {
        print!(
            "{}",
            standalone::help(
                "verizon-pcs-emulator",
                "a stateful Verizon Personal Cloud Storage emulator",
                FLAGS,
                FIELDS
            )
        );
        return Ok(());
    }
    let mut config = EmulatorConfig::default().addr(args.addr());
    if let Some(k) = args.credential("client-key") {
        config.client_key = k.to_owned();
    }
    if let Some(s) = args.credential("client-secret") {
        config.client_secret = cloud_core::Secret::new(s);
    }
    if let Some(u) = args.other.get("callback-url") {
        config.callback_url = u.clone();
    }
    let emu = Emulator::start_with(config).await?;
    if args.control {
        emu.enable_control();
    }
    let seed = args
        .seed_files
        .or(std::env::var("VERIZON_EMULATOR_SEED_FILES")
            .ok()
            .and_then(|n| n.parse().ok()));
    if let Some(n) = seed {
        emu.seed_files("/VZMOBILE/seed", n)?;
    }
    standalone::announce(&emu.info())?;
    standalone::wait_until_killed().await;
    Ok(())
}
