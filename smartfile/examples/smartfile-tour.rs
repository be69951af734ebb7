//! Every call of the SmartFile clients, once, against the embedded emulator: the example each
//! method's documentation points to (docs.rs shows these calls under the methods).
//!
//! `cargo run -p smartfile --features emulator --example smartfile-tour`
use std::time::Duration;

use futures::StreamExt;
use http::Method;
use smartfile::emulator::Emulator;
use smartfile::{BasicClient, BasicOptions, ClientOptions, Id, OAuthClient, Params};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emu = Emulator::start().await?;
    // BasicClient: key and password, client options nested.
    let api = BasicClient::new(
        Some(emu.key()),
        Some(emu.password()),
        BasicOptions::default().client(
            ClientOptions::default()
                .url(emu.base_url())
                .throttle_max_wait(Duration::from_secs(30)),
        ),
    )?;
    println!("url {} version {}", api.url(), api.version());
    println!(
        "build_url: {}",
        api.build_url("/path/info", &Id::from("/docs"))?
    );

    // The generic verbs on endpoint paths.
    let pong = api.request(Method::GET, "/ping", (), Params::new()).await?;
    println!("request GET /ping: {:?}", pong.json());
    api.put("/path/oper/mkdir", "/docs", Params::new()).await?;
    println!("put /path/oper/mkdir/docs: created");
    match api.delete("/path/data", "/docs", Params::new()).await {
        Ok(_) => println!("delete: done"),
        // SmartFile's v2 API removes with `path/oper/remove` (`remove()`); DELETE is refused.
        Err(e) => println!("delete: refused ({:?})", e.status()),
    }

    // OAuth 1.0a: request token, authorization, access token, then signed calls.
    let oauth = OAuthClient::new(
        Some(emu.client_token()),
        Some(emu.client_secret()),
        None,
        None,
        ClientOptions::default().url(emu.base_url()),
    )?;
    let request = oauth.get_request_token(None).await?;
    let url = oauth.get_authorization_url(Some(&request))?;
    println!("authorize at {url}");
    // The emulator approves at once and shows the verifier.
    let page = cloud_core::reqwest::get(&url).await?.text().await?;
    let verifier = page.trim_start_matches("oauth_verifier=");
    oauth.get_access_token(None, Some(verifier)).await?;
    let me = oauth.get("/whoami", (), Params::new()).await?;
    println!("oauth whoami: {}", me.into_json()?["username"]);
    let listing = oauth
        .call("/path/info", "/", Params::new().arg("children", "on"))
        .await?;
    println!(
        "oauth call: {} children",
        listing.into_json()?["children"]
            .as_array()
            .map_or(0, Vec::len)
    );
    // Into a folder (the original's upload always posts to the root).
    api.upload_into(
        "/docs",
        smartfile::FilePart::bytes("in-docs.txt", b"hi".to_vec()),
    )
    .await?;
    println!("upload_into /docs: done");
    // From any async reader (here a pipe-like in-memory reader of known length).
    let data: &'static [u8] = b"streamed from a reader";
    api.upload_part(smartfile::FilePart::reader(
        "from-reader.txt",
        data,
        Some(data.len() as u64),
    ))
    .await?;
    // A download synced to disk before its rename (durable across a power cut).
    let dir = tempfile::tempdir()?;
    let saved = api
        .download(
            "/from-reader.txt",
            smartfile::DownloadOptions::default()
                .directory(dir.path())
                .fsync(true),
        )
        .await?;
    println!(
        "reader upload, fsync download: {}",
        std::fs::read_to_string(saved)?
    );
    let mut children = std::pin::pin!(api.children_stream("/", 100)?);
    while let Some(child) = children.next().await {
        println!("children_stream: {}", child?["path"]);
    }
    Ok(())
}
