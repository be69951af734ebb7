//! A hostile server (cloud-core's, on 127.0.0.1): deep, huge, non-UTF-8 and mistyped JSON,
//! Content-Lengths that lie either way, endless redirects, a year's Retry-After. Every call
//! ends in bounded time and memory, with an error where nothing sound came back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use cloud_core::emulator::hostile;
use futures::{StreamExt, TryStreamExt};
use verizon_pcs::{Cloud, CloudOptions, DownloadOptions, RetryPolicy, SearchOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_answers_end_in_bounded_time_and_memory() {
    let wrong = hostile::check_pinned(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")),
        Vec::new(),
        &["file_metadata", "download", "search_stream", "fullview"],
        |base, call| async move {
            let retry = RetryPolicy::default()
                .backoff(Duration::from_millis(10), Duration::from_millis(50));
            let cloud = Cloud::new(
                "key",
                "secret",
                "http://127.0.0.1:9/cb",
                CloudOptions::default()
                    .base_url(format!("{base}/cloud/1"))
                    .access_token("at")
                    .refresh_token("rt")
                    .retry(Arc::new(retry)),
            )
            .unwrap();
            let e = |e: verizon_pcs::Error| hostile::kind_of(&e.kind());
            match call {
                "file_metadata" => cloud
                    .file_metadata("/VZMOBILE/a")
                    .await
                    .map(|_| None)
                    .map_err(e),
                "download" => {
                    let mut s = cloud
                        .download("/VZMOBILE/a", DownloadOptions::default())
                        .await
                        .map_err(e)?;
                    let mut n = 0u64;
                    while let Some(c) = s.next().await {
                        n += c.map_err(|x| hostile::kind_of(x.kind()))?.len() as u64;
                    }
                    Ok(Some(n))
                }
                "search_stream" => cloud
                    .search_stream("a", SearchOptions::default())
                    .try_collect::<Vec<_>>()
                    .await
                    .map(|_| None)
                    .map_err(e),
                _ => cloud.fullview(None).await.map(|_| None).map_err(e),
            }
        },
    )
    .await;
    assert!(wrong.is_empty(), "{wrong:#?}");
}
