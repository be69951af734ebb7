//! The Amazon Cloud Drive quickstart, against the embedded emulator: account quota, a
//! folder, an upload with a progress bar, a listing, a download broken off and resumed,
//! trash and restore, and the changes feed.
//!
//! `cargo run -p acd --features emulator --example acd-quickstart`
//!
//! With `ACD_CACHE=/path/to/acd_cli/cache` it uses that cache folder (its `oauth_data` and
//! `endpoint_data`) and the real endpoints instead.
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use acd::{AcdClient, AcdOptions, DownloadOptions, Settings, UploadOptions};
use futures::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let work = tempfile::tempdir()?;
    let _emulator;
    let client = match std::env::var("ACD_CACHE") {
        Ok(cache) => AcdClient::new(&cache, &cache, AcdOptions::default()).await?,
        Err(_) => {
            let emu = acd::emulator::Emulator::start().await?;
            println!("emulator at {}", emu.base_url());
            let cache = work.path().join("cache");
            std::fs::create_dir_all(&cache)?;
            emu.write_cache(&cache)?;
            let c = AcdClient::new(
                &cache,
                &cache,
                AcdOptions::default().base_url(&emu.base_url()),
            )
            .await?;
            _emulator = emu;
            c
        }
    };

    let (quota, available) = client.fs_sizes().await?;
    println!("1. quota {quota} bytes, {available} available");
    let folder = client.create_folder("quickstart", None).await?;
    println!(
        "2. created folder {} ({})",
        folder.name.as_deref().unwrap_or("?"),
        folder.id
    );

    let path = work.path().join("video.mp4");
    let size = 6u64 << 20;
    std::fs::write(
        &path,
        (0..size as u32)
            .map(|i| (i % 249) as u8)
            .collect::<Vec<u8>>(),
    )?;
    let sent = Arc::new(AtomicU64::new(0));
    let s = Arc::clone(&sent);
    let bar: acd::Callback = Arc::new(move |chunk: &[u8]| {
        let done = s.fetch_add(chunk.len() as u64, Ordering::SeqCst) + chunk.len() as u64;
        let filled = (done * 30 / size) as usize;
        print!(
            "\r3. uploading [{}{}] {:>3}%",
            "#".repeat(filled),
            " ".repeat(30 - filled),
            done * 100 / size
        );
        let _ = std::io::stdout().flush();
    });
    let node = client
        .upload_file(
            &path,
            Some(&folder.id),
            UploadOptions::default().read_callback(bar),
        )
        .await?;
    println!(
        "\n   uploaded {} ({} bytes, md5 {})",
        node.id,
        node.size(),
        node.md5().unwrap_or("?")
    );

    for child in client.list_children(&folder.id).await? {
        println!(
            "4. in the folder: {} [{}]",
            child.name.unwrap_or_default(),
            child.kind
        );
    }

    // Download in 1 MiB ranges; pretend the first attempt stopped after 2 MiB.
    let mut settings = Settings::default();
    settings.dl_chunk_size = 1 << 20;
    client.set_settings(settings);
    let partial = work.path().join(format!("copy.mp4{}", acd::PARTIAL_SUFFIX));
    std::fs::write(&partial, &std::fs::read(&path)?[..2 << 20])?;
    let copy = client
        .download_file(
            &node.id,
            "copy.mp4",
            Some(work.path()),
            DownloadOptions::for_node(&node),
        )
        .await?;
    let same = std::fs::read(&copy)? == std::fs::read(&path)?;
    println!("5. downloaded (resumed from a 2 MiB partial file, MD5 checked): identical = {same}");

    let trashed = client.move_to_trash(&node.id).await?;
    let restored = client.restore(&node.id).await?;
    println!(
        "6. trash -> {}, restore -> {}",
        trashed.status, restored.status
    );

    let mut feed = client.changes("", false).await?;
    let mut nodes = 0;
    while let Some(set) = feed.next().await {
        nodes += set?.nodes.len();
    }
    println!(
        "7. changes: {nodes} nodes, end reached: {}, next checkpoint {}",
        feed.end_reached(),
        feed.last_checkpoint().unwrap_or_default()
    );
    if !same {
        return Err("the download differs".into());
    }
    Ok(())
}
