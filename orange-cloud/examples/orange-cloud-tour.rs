//! The calls of the Orange Cloud client that the quickstart does not make, once each, against
//! the embedded emulator: the example each method's documentation points to (docs.rs shows
//! these calls under the methods).
//!
//! `cargo run -p orange-cloud --features emulator --example orange-cloud-tour`
use orange_cloud::emulator::Emulator;
use orange_cloud::{
    read_request_parameters, ApiManager, ApiManagerOptions, FolderQuery, UploadOptions,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emu = Emulator::start().await?;
    // The two hosts set one by one (the real service uploads to its own host), and a hook
    // told of every refresh.
    let options = ApiManagerOptions::default()
        .api_url(&emu.base_url())
        .upload_url(&emu.base_url())
        .on_refreshed(|_token| println!("on_refreshed: a new access token"));
    let manager = ApiManager::new(
        emu.client_id(),
        emu.client_secret(),
        "http://127.0.0.1:1/callback",
        options,
    )?;
    manager
        .init_with_token(emu.issue_token().refresh_token.expose())
        .await?;

    // The redirect catcher's parsing, as oauth2-client's.
    let p = read_request_parameters("/callback?code=abc%2F1&state=s+1&broken");
    println!("read_request_parameters: {p:?}");

    // An upload with its Content-Type, then a folder listing with any query parameter.
    let file = manager
        .files()
        .upload_with(
            b"{\"a\": 1}".to_vec(),
            None,
            UploadOptions::default()
                .name("a.json")
                .mime("application/json"),
        )
        .await?;
    println!("upload with mime: {}", file.file_id);
    let root = manager
        .folders()
        .get(
            None,
            FolderQuery::default()
                .flag("showthumbnails")
                .param("limit", 10),
        )
        .await?;
    println!(
        "folder get with flag and param: {} file(s)",
        root.files.len()
    );

    // A download into a folder under the server's name (a name that cannot leave the folder).
    let info = manager.files().get(&file.file_id).await?;
    let dir = tempfile::tempdir()?;
    let url = info.download_url.clone().unwrap_or_default();
    let saved = manager
        .files()
        .download_into(&url, dir.path(), &info.name)
        .await?;
    println!("download_into: {}", saved.display());

    // Grants oauth2-client has and Orange never offered: sent as the original sends them,
    // refused by the service (and by the emulator) with 400 unsupported_grant_type.
    let refused = manager.init_with_user_credentials("me", "password").await;
    println!("init_with_user_credentials: {}", refused.is_err());
    let refused = manager.init_with_client_credentials().await;
    println!("init_with_client_credentials: {}", refused.is_err());

    // The manager's generic verbs: any URL with the token, the raw answer.
    let base = emu.base_url();
    let free = manager.get(&format!("{base}/cloud/v1/freespace")).await?;
    println!("get freespace: {}", free.status());
    let made = manager
        .post(
            &format!("{base}/cloud/v1/folders"),
            &serde_json::json!({"name": "by-hand"}),
        )
        .await?;
    println!("post folders: {}", made.status());
    // The API has no PUT or PATCH: the answer comes back, it is not raised.
    let put = manager
        .put(&format!("{base}/cloud/v1/folders"), &serde_json::json!({}))
        .await?;
    let patch = manager
        .patch(&format!("{base}/cloud/v1/folders"), &serde_json::json!({}))
        .await?;
    println!("put / patch: {} / {}", put.status(), patch.status());
    let gone = manager
        .delete(&format!("{base}/cloud/v1/folders/nope"))
        .await?;
    println!("delete a missing folder: {}", gone.status());
    Ok(())
}
