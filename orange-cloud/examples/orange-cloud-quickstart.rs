//! The Orange Cloud quickstart: the whole authorization-code flow (the local server catches
//! the redirect), free space, a folder created, a file uploaded with a progress bar, listed,
//! renamed, copied, downloaded and deleted; against the embedded emulator.
//!
//! `cargo run -p orange-cloud --features emulator --example orange-cloud-quickstart`
//!
//! With `ORANGE_CLIENT_ID`, `ORANGE_CLIENT_SECRET` and `ORANGE_REDIRECT_URI` (an
//! `http://localhost:PORT/...` URI registered for the application) set, it runs against
//! Orange: open the printed URL in a browser and consent.
use std::io::Write;
use std::time::Duration;

use orange_cloud::emulator::{Emulator, EmulatorConfig};
use orange_cloud::{generate_state, ApiManager, ApiManagerOptions, FolderQuery, UploadOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _emulator;
    let (manager, redirect_uri, follow) = match std::env::var("ORANGE_CLIENT_ID") {
        Ok(id) => {
            let secret = std::env::var("ORANGE_CLIENT_SECRET")?;
            let redirect = std::env::var("ORANGE_REDIRECT_URI")?;
            let m = ApiManager::new(&id, secret, &redirect, ApiManagerOptions::default())?;
            (m, redirect, false)
        }
        Err(_) => {
            // A free loopback port for the redirect, registered with the emulator.
            let port = std::net::TcpListener::bind("127.0.0.1:0")?
                .local_addr()?
                .port();
            let redirect = format!("http://127.0.0.1:{port}/callback");
            let emu =
                Emulator::start_with(EmulatorConfig::default().redirect_uri(&redirect)).await?;
            println!("emulator at {}", emu.base_url());
            let options = ApiManagerOptions::default().base_url(&emu.base_url());
            let m = ApiManager::new(emu.client_id(), emu.client_secret(), &redirect, options)?;
            _emulator = emu;
            (m, redirect, true)
        }
    };

    // 1. Authorization code, caught by the local server on the redirect URI's port.
    let state = generate_state()?;
    let url = manager
        .init_authorize_code_process(&redirect_uri, &state)
        .await?;
    if follow {
        // Stands in for the browser: the emulator consents and redirects to the catcher.
        let page = cloud_core::reqwest::get(&url).await?.text().await?;
        println!(
            "1. browser saw: {}",
            page.contains("You can close this tab")
        );
    } else {
        println!("1. open this URL and consent: {url}");
    }
    let code = manager
        .wait_and_terminate_authorize_code_process(Some(Duration::from_secs(300)))
        .await?;
    manager
        .init_with_authorize_code(&redirect_uri, &code)
        .await?;
    println!("   authorized; keep the refresh token to skip this next time (init_with_token)");

    // 2. Free space, a folder.
    println!(
        "2. free space: {} bytes",
        manager.freespace().get().await?.freespace
    );
    let folder = manager.folders().create("quickstart", None).await?;
    let other = manager.folders().create("quickstart-copies", None).await?;
    println!("   created folder {} ({})", folder.name, folder.id);

    // 3. Upload 8 MiB with a progress bar.
    let dir = std::env::temp_dir().join(format!("orange-quickstart-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let local = dir.join("hello.bin");
    let data: Vec<u8> = (0..8u32 << 20).map(|i| (i % 251) as u8).collect();
    std::fs::write(&local, &data)?;
    let last = std::sync::atomic::AtomicU64::new(u64::MAX);
    let options = UploadOptions::default().progress(move |p| {
        let total = p.total.unwrap_or(1).max(1);
        if last.swap(
            p.transferred * 100 / total,
            std::sync::atomic::Ordering::Relaxed,
        ) == p.transferred * 100 / total
        {
            return;
        }
        let filled = (p.transferred * 30 / total) as usize;
        print!(
            "\r3. uploading [{}{}] {:>3}%",
            "#".repeat(filled),
            " ".repeat(30 - filled),
            p.transferred * 100 / total
        );
        let _ = std::io::stdout().flush();
    });
    let up = manager
        .files()
        .upload_with(local.as_path(), Some(&folder.id), options)
        .await?;
    println!("\n   uploaded as {} ({})", up.file_name, up.file_id);

    // 4. List, rename, copy.
    let listing = manager
        .folders()
        .get(Some(&folder.id), FolderQuery::default().showthumbnails())
        .await?;
    for f in &listing.files {
        println!(
            "4. {}: {} bytes, {}",
            f.name,
            f.size,
            f.file_type.as_deref().unwrap_or("?")
        );
    }
    let renamed = manager.files().rename(&up.file_id, "renamed.bin").await?;
    let copy = manager.files().copy(&renamed.id, &other.id).await?;
    println!(
        "   renamed to {}, copied to {} ({})",
        renamed.name, copy.name, copy.id
    );

    // 5. Download the copy, compare, clean up.
    let file = manager.files().get(&copy.id).await?;
    let url = file.download_url.ok_or("no download URL")?;
    let target = dir.join("downloaded.bin");
    let n = manager.files().download(&url, &target).await?;
    println!(
        "5. downloaded {n} bytes, equal: {}",
        std::fs::read(&target)? == data
    );
    manager.files().delete(&renamed.id).await?;
    manager.folders().delete(&folder.id).await?;
    manager.folders().delete(&other.id).await?;
    std::fs::remove_dir_all(&dir)?;
    println!(
        "   deleted; free space back to {} bytes",
        manager.freespace().get().await?.freespace
    );
    Ok(())
}
