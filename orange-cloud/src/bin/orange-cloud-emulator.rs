//! `orange-cloud-emulator`: the Orange Cloud France emulator as a program (feature
//! `emulator`: `cargo install orange-cloud --features emulator`). Prints one JSON line, then
//! serves until killed; `--help` lists the flags and the line's fields.
#![forbid(unsafe_code)]

use cloud_core::emulator::standalone::{self, Args};
use orange_cloud::emulator::{Emulator, EmulatorConfig};

const FLAGS: &[(&str, &str)] = &[
    (
        "--seed-files N",
        "N small files in a folder first (its id is the line's seed_folder)",
    ),
    (
        "--client-id ID",
        "the accepted client id (default generated)",
    ),
    (
        "--client-secret S",
        "the accepted client secret (default generated)",
    ),
    ("--redirect-uri URI", "the registered redirect URI"),
];

const FIELDS: &[(&str, &str)] = &[
    (
        "base_url",
        "for ApiManagerOptions::base_url (the API and upload hosts both)",
    ),
    ("client_id", "the accepted client id"),
    ("client_secret", "the accepted client secret"),
    ("redirect_uri", "the registered redirect URI"),
    ("refresh_token", "a refresh token for init_with_token"),
    ("access_token", "a valid access token"),
    (
        "seed_folder",
        "with --seed-files: the folder holding the seeded files",
    ),
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::from_env(&["client-id", "client-secret"], &["redirect-uri"])?;
    if args.help {
        print!(
            "{}",
            standalone::help(
                "orange-cloud-emulator",
                "a stateful Orange Cloud France emulator",
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
    if let Some(s) = args.credential("client-secret") {
        config.client_secret = cloud_core::Secret::new(s);
    }
    if let Some(uri) = args.other.get("redirect-uri") {
        config = config.redirect_uri(uri.clone());
    }
    let emu = Emulator::start_with(config).await?;
    if args.control {
        emu.enable_control();
    }
    let mut info = emu.info();
    let seed = args
        .seed_files
        .or(std::env::var("ORANGE_EMULATOR_SEED_FILES")
            .ok()
            .and_then(|n| n.parse().ok()));
    if let Some(n) = seed {
        info["seed_folder"] = emu.seed_files("seed", n).into();
    }
    standalone::announce(&info)?;
    standalone::wait_until_killed().await;
    Ok(())
}
