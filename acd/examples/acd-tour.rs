//! The calls of the Amazon Cloud Drive client that the quickstart does not make, once each,
//! against the embedded emulator: the example each method's documentation points to (docs.rs
//! shows these calls under the methods).
//!
//! `cargo run -p acd --features emulator --example acd-tour`
use acd::{AcdClient, AcdOptions, UploadOptions};

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

    // One line of the changes feed, parsed as the feed reader does.
    let line = br#"{"checkpoint":"cp1","nodes":[],"reset":false,"statusCode":200}"#;
    let change = acd::parse_change_line(line, 0)?;
    println!("parse_change_line: {change:?}");
    Ok(())
}
