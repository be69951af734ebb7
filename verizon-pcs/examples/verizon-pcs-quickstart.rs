//! The Verizon Personal Cloud Storage quickstart, against the embedded emulator (no
//! credentials needed): the authorization flow, quota, a chunked upload with a progress bar,
//! metadata, search, fullview twice showing the changes between them, and a download.
//!
//! `cargo run -p verizon-pcs --features emulator --example verizon-pcs-quickstart`
//!
//! With `VERIZON_CLIENT_KEY`, `VERIZON_CLIENT_SECRET`, `VERIZON_CALLBACK_URL`,
//! `VERIZON_ACCESS_TOKEN` and `VERIZON_REFRESH_TOKEN` set (and optionally `VERIZON_API_CLOUD`),
//! it runs against that service instead.
use std::io::Write;
use std::sync::Arc;

use verizon_pcs::emulator::Emulator;
use verizon_pcs::{Cloud, CloudOptions, SearchOptions, UploadOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |k: &str| std::env::var(k).ok();
    let _emulator;
    let cloud = match (env("VERIZON_CLIENT_KEY"), env("VERIZON_ACCESS_TOKEN")) {
        (Some(key), Some(access)) => {
            let mut o = CloudOptions::default().access_token(access);
            if let Some(r) = env("VERIZON_REFRESH_TOKEN") {
                o = o.refresh_token(r);
            }
            if let Some(b) = env("VERIZON_API_CLOUD") {
                o = o.base_url(b);
            }
            Cloud::new(
                key,
                env("VERIZON_CLIENT_SECRET").unwrap_or_default(),
                env("VERIZON_CALLBACK_URL").unwrap_or_default(),
                o.on_refreshed(|t| println!("   (tokens refreshed: store {t:?})")),
            )?
        }
        _ => {
            let emu = Emulator::start().await?;
            println!("emulator at {}", emu.api_cloud());
            let cloud = Cloud::new(
                emu.client_key(),
                emu.client_secret(),
                emu.callback_url(),
                CloudOptions::default()
                    .base_url(emu.api_cloud())
                    .on_refreshed(|t| println!("   (tokens refreshed: store {t:?})")),
            )?;
            // 1. The person opens authorize_url(), approves, and the callback gets a code.
            let url = cloud.authorize_url();
            println!("1. authorize at {url}");
            let code = emu.approve(&url).await?;
            let token = cloud.token(&code).await?;
            println!("   token: {token:?}");
            _emulator = emu;
            cloud
        }
    };

    let account = cloud.account().await?;
    println!(
        "2. quota: {} of {} bytes used",
        account.usage.quota_used, account.usage.quota
    );
    let before = cloud.fullview(None).await?.ok_or("not authenticated")?;
    println!(
        "3. fullview: {} files, etag {}",
        before.files.len(),
        before.etag
    );

    // A 24 MiB file, uploaded in 4 MiB chunks with a progress bar.
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("holiday.mp4");
    std::fs::write(
        &path,
        (0..24u32 << 20)
            .map(|i| (i % 251) as u8)
            .collect::<Vec<u8>>(),
    )?;
    let bar = Arc::new(|p: verizon_pcs::Progress| {
        let total = p.total.unwrap_or(1).max(1);
        let filled = (p.transferred * 30 / total) as usize;
        print!(
            "\r4. uploading [{}{}] {:>3}%",
            "#".repeat(filled),
            " ".repeat(30 - filled),
            p.transferred * 100 / total
        );
        let _ = std::io::stdout().flush();
    });
    let file = cloud
        .upload(
            path.clone(),
            "/VZMOBILE/Trips",
            UploadOptions::default()
                .chunked(true)
                .chunk_size(4 << 20)
                .progress(bar),
        )
        .await?;
    println!(
        "\n   stored {} ({} bytes, sha256 {})",
        file.fullpath(),
        file.size,
        file.checksum.as_deref().unwrap_or("?")
    );

    let listing = cloud.metadata("/VZMOBILE/Trips").await?;
    println!("5. /VZMOBILE/Trips holds {} file(s)", listing.files.len());
    let found = cloud
        .search("extension:mp4", SearchOptions::default().sort("name+asc"))
        .await?;
    println!(
        "6. search extension:mp4 -> {:?}",
        found.files.iter().map(|f| &f.name).collect::<Vec<_>>()
    );

    let after = cloud
        .fullview(Some(&before.etag))
        .await?
        .ok_or("not authenticated")?;
    println!(
        "7. fullview since {}: {:?} changed, {:?} deleted, new etag {}",
        before.etag,
        after.files.iter().map(|f| f.fullpath()).collect::<Vec<_>>(),
        after.deleted,
        after.etag
    );

    let target = dir.path().join("copy.mp4");
    let n = cloud.download_to_path(&file, &target).await?;
    let same = std::fs::read(&target)? == std::fs::read(&path)?;
    println!("8. downloaded {n} bytes; identical to the upload: {same}");
    if !same {
        return Err("download differs".into());
    }
    Ok(())
}
