//! The SmartFile quickstart, against the embedded emulator: ping, whoami, mkdir, an upload
//! with a progress bar, a listing, a download, a move (with its task), a remove.
//!
//! `cargo run -p smartfile --features emulator --example smartfile-quickstart`
//!
//! With `SMARTFILE_API_KEY` and `SMARTFILE_API_PASSWORD` set (and optionally
//! `SMARTFILE_API_URL`), it runs against that service instead.
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use smartfile::{BasicClient, BasicOptions, DownloadOptions, FilePart, Params};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _emulator;
    let api = if std::env::var("SMARTFILE_API_KEY").is_ok() {
        BasicClient::new(None, None, BasicOptions::default())?
    } else {
        let emu = smartfile::emulator::Emulator::start().await?;
        println!("emulator at {}", emu.base_url());
        let api = BasicClient::new(
            Some(emu.key()),
            Some(emu.password()),
            BasicOptions::default().url(emu.base_url()),
        )?;
        _emulator = emu;
        api
    };
    println!(
        "1. ping: {}",
        api.get("/ping", (), Params::new()).await?.into_json()?
    );
    println!(
        "2. whoami: {}",
        api.get("/whoami", (), Params::new()).await?.into_json()?["username"]
    );
    api.post(
        "/path/oper/mkdir/",
        (),
        Params::new().arg("path", "/quickstart/reports"),
    )
    .await?;
    println!("3. created /quickstart/reports");

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("report.pdf");
    let size = 3u64 << 20;
    std::fs::write(
        &path,
        (0..size as u32)
            .map(|i| (i % 241) as u8)
            .collect::<Vec<u8>>(),
    )?;
    let bar = Arc::new(move |p: cloud_core::body::Progress| {
        let filled = (p.transferred * 30 / size) as usize;
        print!(
            "\r4. uploading [{}{}] {:>3}%",
            "#".repeat(filled),
            " ".repeat(30 - filled),
            p.transferred * 100 / size
        );
        let _ = std::io::stdout().flush();
    });
    api.upload_part(FilePart::path(&path).progress(bar)).await?;
    println!();

    let listing = api
        .get(
            "/path/info",
            "/",
            Params::new().arg("children", "on").arg("limit", 100),
        )
        .await?
        .into_json()?;
    for child in listing["children"].as_array().into_iter().flatten() {
        println!("5. / holds {} ({} bytes)", child["path"], child["size"]);
    }
    let copies = dir.path().join("copies");
    std::fs::create_dir_all(&copies)?;
    let local = api
        .download("/report.pdf", DownloadOptions::default().directory(&copies))
        .await?;
    let same = std::fs::read(&local)? == std::fs::read(&path)?;
    println!("6. downloaded to {} (identical: {same})", local.display());

    let task = api
        .r#move("report.pdf", "quickstart/reports")
        .await?
        .into_json()?;
    let done = api
        .wait_task(
            task["uuid"].as_str().unwrap_or_default(),
            Duration::from_millis(200),
            Duration::from_secs(30),
        )
        .await?;
    println!("7. move task {}: {}", task["uuid"], done.status);
    let info = api
        .get(
            "/path/info",
            "/quickstart/reports/report.pdf",
            Params::new(),
        )
        .await?
        .into_json()?;
    println!("   now at {}", info["path"]);
    api.remove("/quickstart").await?;
    println!("8. removed /quickstart");
    if !same {
        return Err("the download differs".into());
    }
    Ok(())
}
