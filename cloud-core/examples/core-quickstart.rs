//! cloud-core in five steps, against the embedded demo emulator (no credentials needed):
//! the OAuth2 authorization-code flow, a streamed upload, a download that the emulator breaks
//! off mid-body and that resumes, a save that never leaves a partial file under its final
//! name, and a token refreshed after the server expired it.
//!
//! `cargo run -p cloud-core --features emulator --example core-quickstart`
use std::sync::Arc;

use cloud_core::auth::{send_authorized, ClientAuth};
use cloud_core::body::{self, download, DownloadOptions, SaveOptions, UploadSource};
use cloud_core::emulator::{demo, Route};
use cloud_core::{Idempotency, OAuth2Client, Secret, TokenCache, Transport};
use http::Method;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let demo = demo::Demo::start().await?;
    let transport =
        Transport::builder(demo.server.base_url(), cloud_core::user_agent!()).build()?;
    println!("1. demo emulator at {}", demo.server.base_url());

    // The authorization-code flow: the "browser" is a client that does not follow redirects.
    let oauth = OAuth2Client {
        client_id: demo::CLIENT_ID.into(),
        client_secret: Some(Secret::new(demo::CLIENT_SECRET)),
        authorize_url: transport.url("/oauth2/authorize")?,
        token_url: transport.url("/oauth2/token")?,
        redirect_uri: Some("http://127.0.0.1:9/callback".into()),
        client_auth: ClientAuth::BasicHeader,
    };
    let request = oauth.authorize_url(&["files"], None, &[])?;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let redirect = browser.get(request.url.clone()).send().await?;
    let location = url::Url::parse(
        redirect
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or("no redirect")?,
    )?;
    let params: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    if params.get("state") != Some(&request.state) {
        return Err("state mismatch".into());
    }
    let code = params.get("code").ok_or("no code")?;
    let token = oauth.exchange_code(&transport, code).await?;
    println!("2. authorized: {token:?}");
    let cache = Arc::new(TokenCache::new(
        Some(token),
        Arc::new((oauth, transport.clone())),
    ));
    cache.set_hook(Some(Arc::new(|t| {
        println!("   refreshed, persist me: {t:?}")
    })));

    // A streamed upload of 8 MiB from a file.
    let dir = tempfile::tempdir()?;
    let src = dir.path().join("source.bin");
    let data: Vec<u8> = (0..8u32 << 20).map(|i| (i % 251) as u8).collect();
    tokio::fs::write(&src, &data).await?;
    let url = transport.url("/files/report.bin")?;
    let mut source = UploadSource::from(src.clone());
    let len = source.len().await?;
    let resp = send_authorized(
        &transport,
        &cache,
        &Method::PUT,
        &url,
        Idempotency::Idempotent,
        |tok| {
            Ok(transport
                .request(Method::PUT, url.clone())
                .bearer_auth(tok.expose())
                .body(source.open_body(len, None)?))
        },
    )
    .await?;
    println!("3. uploaded: {}", resp.text().await?);

    // The emulator drops the connection after 3 MiB: the download resumes with a Range request.
    demo.server.faults().drop_response_after(
        1,
        Route::method(Method::GET).path("/files/"),
        3 << 20,
    );
    // And expires the token: the next call refreshes it once and goes on.
    demo.server.faults().expire_tokens();
    let fetch = {
        let (transport, cache, url) = (transport.clone(), Arc::clone(&cache), url.clone());
        move |offset: u64| {
            let (transport, cache, url) = (transport.clone(), Arc::clone(&cache), url.clone());
            async move {
                let resp = send_authorized(
                    &transport,
                    &cache,
                    &Method::GET,
                    &url,
                    Idempotency::Idempotent,
                    |tok| {
                        let mut req = transport
                            .request(Method::GET, url.clone())
                            .bearer_auth(tok.expose());
                        if let Some(r) = body::download::range_header(offset) {
                            req = req.header(http::header::RANGE, r);
                        }
                        Ok(req)
                    },
                )
                .await?;
                if !resp.status().is_success() {
                    return Err(cloud_core::transport::error_from_response(
                        &Method::GET,
                        resp,
                        |_, _| None,
                    )
                    .await);
                }
                Ok(resp)
            }
        }
    };
    let stream = download(fetch, DownloadOptions::default()).await?;
    let (path, n) =
        body::save_to_dir(stream, dir.path(), "copy.bin", &SaveOptions::default()).await?;
    let same = tokio::fs::read(&path).await? == data;
    println!(
        "4. downloaded {n} bytes to {} (resumed after a drop; identical: {same})",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("?")
    );
    println!(
        "5. requests seen by the emulator: {}, token refreshes: {}",
        demo.server.log().entries().len(),
        cache.refresh_count()
    );
    if !same {
        return Err("the copy differs".into());
    }
    Ok(())
}
