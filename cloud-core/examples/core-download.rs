//! Downloads a URL to a sink through cloud-core's resumable download stream and prints the
//! byte count: the client side of `cargo xtask bench harness`.
//!
//! `cargo run --release -p cloud-core --example core-download -- http://127.0.0.1:PORT/synthetic/1073741824`
use cloud_core::body::{download, range_header, DownloadOptions};
use cloud_core::Transport;
use futures::StreamExt;
use http::Method;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = url::Url::parse(&std::env::args().nth(1).ok_or("usage: core-download URL")?)?;
    let transport = Transport::builder(url.as_str(), cloud_core::user_agent!()).build()?;
    let fetch = move |offset: u64| {
        let (transport, url) = (transport.clone(), url.clone());
        async move {
            let mut req = transport.request(Method::GET, url);
            if let Some(r) = range_header(offset) {
                req = req.header(http::header::RANGE, r);
            }
            req.send()
                .await
                .map_err(|e| cloud_core::error::from_reqwest(e, None))
        }
    };
    let mut stream = download(fetch, DownloadOptions::default()).await?;
    let mut n = 0u64;
    while let Some(chunk) = stream.next().await {
        n += chunk?.len() as u64;
    }
    println!("{n}");
    Ok(())
}
