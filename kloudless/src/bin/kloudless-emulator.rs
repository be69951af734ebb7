//! `kloudless-emulator`: the Kloudless API emulator as a program (feature `emulator`:
//! `cargo install kloudless --features emulator`). Prints one JSON line, then serves until
//! killed; `--help` lists the flags and the line's fields.
#![forbid(unsafe_code)]

use cloud_core::emulator::standalone::{self, Args};
use kloudless::emulator::{Emulator, EmulatorConfig};

const FLAGS: &[(&str, &str)] = &[
    (
        "--seed-files N",
        "N small files in a folder first (its id is the line's seed_folder)",
    ),
    ("--app-id ID", "the application id (default generated)"),
    (
        "--api-key KEY",
        "the application's API key (default generated)",
    ),
    (
        "--service NAME",
        "the connected account's service (default gdrive: renames and moves come as add events)",
    ),
    (
        "--admin",
        "the connected account an admin of its team (team/users, team/groups answer)",
    ),
];

const FIELDS: &[(&str, &str)] = &[
    (
        "base_url",
        "for Configuration::with_base_url or the original's configuration['base_url']",
    ),
    ("app_id", "the application id"),
    ("api_key", "the application's API key"),
    ("token", "a Bearer token of the connected account"),
    ("account_id", "the connected account's id"),
    (
        "seed_folder",
        "with --seed-files: the folder holding the seeded files",
    ),
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::from_env_with_switches(&["app-id", "api-key"], &["service"], &["admin"])?;
    if args.help {
        print!(
            "{}",
            standalone::help(
                "kloudless-emulator",
                "a stateful Kloudless API emulator",
                FLAGS,
                FIELDS
            )
        );
        return Ok(());
    }
    let mut config = EmulatorConfig::default()
        .addr(args.addr())
        .admin(args.switch("admin"));
    if let Some(service) = args.other.get("service") {
        config = config.service(service.as_str());
    }
    if let Some(id) = args.credential("app-id") {
        config.app_id = id.to_owned();
    }
    if let Some(k) = args.credential("api-key") {
        config.api_key = cloud_core::Secret::new(k);
    }
    let emu = Emulator::start_with(config).await?;
    if args.control {
        emu.enable_control();
    }
    let mut info = emu.info();
    let seed = args
        .seed_files
        .or(std::env::var("KLOUDLESS_EMULATOR_SEED_FILES")
            .ok()
            .and_then(|n| n.parse().ok()));
    if let Some(n) = seed {
        info["seed_folder"] = emu.seed_files(n).into();
    }
    standalone::announce(&info)?;
    standalone::wait_until_killed().await;
    Ok(())
}
