//! The calls of the Amazon Cloud Drive client that the quickstart does not make, once each,
//! against the embedded emulator: the example each method's documentation points to (docs.rs
//! shows these calls under the methods).
//!
//! `cargo run -p acd --features emulator --example acd-tour`
use acd::{AcdClient, AcdOptions, UploadOptions};
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let work = tempfile::tempdir()?;
    let emu = acd::emulator::Emulator::start().await?;
    let cache = work.path().join("cache");
    std::fs::create_dir_all(&cache)?;
    emu.write_cache(&cache)?;
    // A token file written from a token answer, as the local OAuth handler's first run does.
    let issued = emu.issue_token();
    let answer = serde_json::json!({
        "access_token": issued.access_token.expose(),
        "refresh_token": issued.refresh_token.expose(),
        "expires_in": issued.expires_in,
        "token_type": "bearer",
    })
    .to_string();
    println!("validate: {} fields", acd::oauth::validate(&answer)?.len());
    acd::OAuthHandler::write_token_file(&cache, &answer)?;

    // Each URL set by hand (`base_url` sets all three from one host).
    let base = emu.base_url();
    let client = AcdClient::new(
        &cache,
        &cache,
        AcdOptions::default()
            .endpoint_url(format!("{base}/drive/v1/account/endpoint"))
            .appspot_url(format!("{base}/appspot/"))
            .token_url(format!("{base}/auth/o2/token"))
            .pacing(acd::Pacing::Off),
    )
    .await?;
    println!("endpoint_data: {} keys", client.endpoint_data().len());

    // The token handler.
    let handler = client.handler();
    println!("oauth_data_path: {}", handler.oauth_data_path().display());
    println!("exp_time: {:.0}", handler.exp_time());
    let token = handler.get_auth_token().await?;
    handler.refresh_auth_token().await?;
    let fresh = handler.refresh_after_unauthorized(&token).await?;
    println!("refreshed: a new token ({} chars)", fresh.expose().len());

    // Sizes as the CLI prints them.
    println!("file_size_pair: {:?}", acd::file_size_pair(3 << 20));

    // Nodes: rename, move, hard links, availability, properties.
    let a = client.create_folder("a", None).await?;
    let b = client.create_folder("b", None).await?;
    let src = work.path().join("note.txt");
    std::fs::write(&src, b"hello")?;
    let file = client
        .upload_file(&src, Some(&a.id), UploadOptions::default())
        .await?;
    let renamed = client.rename_node(&file.id, "renamed.txt").await?;
    println!("rename_node: {:?}", renamed.name);
    client.move_node_from(&file.id, &a.id, &b.id).await?;
    client.move_node(&file.id, &a.id).await?;
    client.add_child(&b.id, &file.id).await?;
    let linked = client.remove_child(&b.id, &file.id).await?;
    println!("parents after add/remove_child: {:?}", linked.parents);
    let available = client.set_available(&file.id).await?;
    println!("set_available: {:?}", available.status);
    let owner = client.get_owner_id().await?;
    client
        .add_property(&file.id, &owner, "colour", "blue")
        .await?;
    client.add_property(&file.id, &owner, "size", "L").await?;
    println!(
        "list_properties: {:?}",
        client.list_properties(&file.id, &owner).await?
    );
    client.delete_property(&file.id, &owner, "colour").await?;
    client.delete_properties(&file.id, &owner).await?;
    println!(
        "after delete_property(ies): {:?}",
        client.list_properties(&file.id, &owner).await?
    );

    // The escape hatch: any paginated listing through the client's back-off and auth.
    let url = client.metadata_url().join("nodes")?;
    let all = client
        .paginated_get(url, vec![("filters".into(), "kind:FOLDER".into())])
        .await?;
    println!("paginated_get: {} folder(s)", all.len());

    // acd_cli's `timeout=`: the longest wait for an answer (and, on downloads, for the next
    // bytes).
    let chunk = client
        .response_chunk_with(&file.id, 0, 3, Some(std::time::Duration::from_secs(30)))
        .await?;
    println!("response_chunk_with: {}", chunk.status());

    // Listings as streams, one page in memory at a time.
    let root = client.get_root_node().await?;
    let children: Vec<_> = client.list_children_stream(&root.id)?.try_collect().await?;
    println!(
        "get_root_node + list_children_stream: {} child(ren)",
        children.len()
    );
    let folders: Vec<_> = client
        .paginated_stream(
            client.metadata_url().join("nodes")?,
            vec![("filters".into(), "kind:FOLDER".into())],
        )
        .try_collect()
        .await?;
    println!("paginated_stream: {} folder(s)", folders.len());
    client.move_to_trash(&b.id).await?;
    let trashed: Vec<_> = client.list_trash_stream()?.try_collect().await?;
    println!("list_trash_stream: {} node(s)", trashed.len());

    // Downloads with a write callback (called with each piece written).
    let written = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = written.clone();
    let cb: acd::Callback = std::sync::Arc::new(move |piece: &[u8]| {
        count.fetch_add(piece.len(), std::sync::atomic::Ordering::SeqCst);
    });
    let dl = work.path().join("dl");
    std::fs::create_dir_all(&dl)?;
    client
        .download_file(
            &file.id,
            "copy.txt",
            Some(&dl),
            acd::DownloadOptions::default().write_callback(cb.clone()),
        )
        .await?;
    let mut sink = Vec::new();
    client
        .chunked_download(
            &file.id,
            &mut sink,
            acd::ChunkedDownloadOptions::default().write_callback(cb),
        )
        .await?;
    println!(
        "write_callback: {} bytes seen",
        written.load(std::sync::atomic::Ordering::SeqCst)
    );

    // The changes feed saved as raw lines, read back with iter_changes_lines.
    let mut raw = Vec::new();
    client.get_changes("", false, &mut raw).await?;
    let sets: Vec<_> = acd::iter_changes_lines(std::io::Cursor::new(raw))
        .try_collect()
        .await?;
    println!("iter_changes_lines: {} change set(s)", sets.len());

    // The local OAuth handler's first run, as two calls: the authorize URL to open, then the
    // URL the browser was sent back to (here a code the emulator issues as if approved).
    let fresh_cache = work.path().join("first-run");
    std::fs::create_dir_all(&fresh_cache)?;
    std::fs::write(
        fresh_cache.join("client_data"),
        serde_json::json!({"CLIENT_ID": emu.config().client_id, "CLIENT_SECRET": emu.config().client_secret.expose()}).to_string(),
    )?;
    let opts = AcdOptions::default()
        .base_url(&base)
        .login_url(format!("{base}/auth/o2/authorize"))
        .token_info_url(format!("{base}/auth/o2/tokeninfo"));
    let open = acd::OAuthHandler::local_authorization_url(&fresh_cache, &opts).await?;
    println!("local_authorization_url: {open}");
    let code = emu.oauth().issue_code(None);
    acd::OAuthHandler::local_first_run(
        &fresh_cache,
        &format!("http://localhost/?code={code}"),
        &opts,
    )
    .await?;
    let local = acd::OAuthHandler::create_handler(&fresh_cache, &opts).await?;
    println!(
        "check_oauth_file_exists: {}; method: {:?}",
        acd::OAuthHandler::check_oauth_file_exists(&fresh_cache),
        local.method()
    );
    let info = local.get_access_token_info().await?;
    println!("get_access_token_info: aud {}", info["aud"]);
    println!(
        "access_token: {} chars",
        local.access_token().await?.expose().len()
    );

    // One line of the changes feed, parsed as the feed reader does.
    let line = br#"{"checkpoint":"cp1","nodes":[],"reset":false,"statusCode":200}"#;
    let change = acd::parse_change_line(line, 0)?;
    println!("parse_change_line: {change:?}");
    Ok(())
}
