//! Every call of `Cloud`, once, against the embedded emulator: the example each method's
//! documentation points to (docs.rs shows these calls under the methods). Each step prints
//! what it did; any failure ends the run with an error.
//!
//! `cargo run -p verizon-pcs --features emulator --example verizon-pcs-tour`
use futures::StreamExt;
use verizon_pcs::emulator::Emulator;
use verizon_pcs::{
    Cloud, CloudOptions, ConflictSolve, FileOpOptions, SearchOptions, UploadOptions,
};

/// SHA-256 of nothing: the checksum of an empty file.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emu = Emulator::start().await?;
    let cloud = Cloud::new(
        emu.client_key(),
        emu.client_secret(),
        emu.callback_url(),
        CloudOptions::default().base_url(emu.api_cloud()),
    )?;
    println!("api_cloud: {}", cloud.api_cloud());

    // OAuth: authorize_url -> (the person approves) -> token; refresh; the callback.
    let code = emu.approve(&cloud.authorize_url()).await?;
    cloud.token(&code).await?;
    println!("authenticated: {}", cloud.authenticated());
    cloud.set_on_refreshed(Some(std::sync::Arc::new(|_t: &verizon_pcs::Token| {
        println!("on_refreshed: new tokens to store")
    })));
    cloud.refresh().await?;
    println!(
        "tokens held: access {}, refresh {}",
        cloud.access_token().is_some(),
        cloud.refresh_token().is_some()
    );

    // Reading.
    let account = cloud.account().await?;
    println!("account: {} bytes used", account.usage.quota_used);
    let roots = cloud.metadata("/").await?;
    println!("virtual folders: {}", roots.folders.len());
    let view = cloud.fullview(None).await?.ok_or("not authenticated")?;
    println!("fullview etag: {}", view.etag);

    // Writing: upload, folders, copy, move, rename.
    let file = cloud
        .upload(
            b"hello".to_vec(),
            "/VZMOBILE",
            UploadOptions::default().name("hello.txt"),
        )
        .await?;
    let meta = cloud.file_metadata("/VZMOBILE/hello.txt").await?;
    println!("file_metadata: {} ({} bytes)", meta.fullpath(), meta.size);
    let folder = cloud.create_folder("/VZMOBILE", "Docs").await?;
    println!("create_folder: {}", folder.fullpath());
    let copied = cloud
        .copy(
            &file,
            "/VZMOBILE/Docs",
            FileOpOptions::default().conflict(ConflictSolve::Rename),
        )
        .await?;
    println!("copy: {}", copied.name());
    let moved = cloud
        .r#move(
            "/VZMOBILE/Docs/hello.txt",
            "/VZMOBILE",
            FileOpOptions::default().conflict(ConflictSolve::Rename),
        )
        .await?;
    println!("move: {}", moved.name());
    let renamed = cloud.rename(&file, "greeting.txt").await?;
    println!("rename: {}", renamed.name());

    // Search, a page and as a stream of every hit.
    let found = cloud
        .search("name:greeting", SearchOptions::default())
        .await?;
    println!("search: {} file(s)", found.files.len());
    let mut hits =
        std::pin::pin!(cloud.search_stream("extension:txt", SearchOptions::default().count(1)));
    while let Some(hit) = hits.next().await {
        println!("search_stream: {}", hit?.name());
    }

    // Downloads: a URL with the token, a stream, a file.
    println!(
        "download_url: {}...",
        &cloud.download_url("/VZMOBILE/greeting.txt")?[..40]
    );
    let mut body = cloud
        .download("/VZMOBILE/greeting.txt", Default::default())
        .await?;
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        bytes.extend_from_slice(&chunk?);
    }
    println!("download: {:?}", String::from_utf8_lossy(&bytes));
    let dir = tempfile::tempdir()?;
    let n = cloud
        .download_to_path("/VZMOBILE/greeting.txt", &dir.path().join("g.txt"))
        .await?;
    println!("download_to_path: {n} bytes");

    // The upload protocol by hand: an intent, then (an empty file sends no chunk) a commit.
    let intent = cloud
        .file_upload_intent(0, true, "empty.bin", "/VZMOBILE", EMPTY_SHA256)
        .await?;
    println!("file_upload_intent: chunked {}", intent.chunk());
    let empty = cloud.commit_chunked_upload(&intent).await?;
    println!("commit_chunked_upload: {}", empty.fullpath());

    // Trash: delete, list, restore, empty.
    cloud.delete("/VZMOBILE/greeting.txt", false).await?;
    println!("trash: {} file(s)", cloud.trash().await?.files.len());
    let back = cloud.restore("/VZMOBILE/greeting.txt").await?;
    println!("restore: {}", back.name());
    cloud.delete(&empty, false).await?;
    cloud.empty_trash().await?;
    println!(
        "empty_trash: {} file(s) left",
        cloud.trash().await?.files.len()
    );
    Ok(())
}
