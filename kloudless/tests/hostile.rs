//! A hostile server (cloud-core's, on 127.0.0.1): deep, huge, non-UTF-8 and mistyped JSON,
//! Content-Lengths that lie either way, endless redirects, a year's Retry-After. Every call
//! ends in bounded time and memory, with an error where nothing sound came back (the SDK is
//! schemaless, like the original: mistyped JSON is returned as it came).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cloud_core::emulator::hostile;
use futures::{StreamExt, TryStreamExt};
use kloudless::{Account, Configuration, RequestOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_answers_end_in_bounded_time_and_memory() {
    let wrong = hostile::check_pinned(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")),
        Vec::new(),
        &["storage/files/{id}", "contents", "get_paging_iterator"],
        |base, call| async move {
            let a =
                Account::with_config(Some("tok"), None, None, &Configuration::with_base_url(base))
                    .unwrap();
            let e = |e: kloudless::Error| hostile::kind_of(&e.kind());
            match call {
                "storage/files/{id}" => {
                    let r = a
                        .get("storage/files/f1", RequestOptions::default())
                        .await
                        .map_err(e)?;
                    // A non-JSON answer comes back raw: read it, as a caller would.
                    match r.into_raw() {
                        Ok(raw) => raw.bytes().await.map(|b| Some(b.len() as u64)).map_err(e),
                        Err(_) => Ok(None),
                    }
                }
                "contents" => {
                    let r = a
                        .get("storage/files/f1/contents", RequestOptions::default())
                        .await
                        .map_err(e)?;
                    match r.into_raw() {
                        Ok(raw) => {
                            let mut body = raw.body;
                            let mut n = 0u64;
                            while let Some(c) = body.next().await {
                                n += c.map_err(|x| hostile::kind_of(x.kind()))?.len() as u64;
                            }
                            Ok(Some(n))
                        }
                        // JSON came back (the SDK decodes a JSON-typed body).
                        Err(_) => Ok(None),
                    }
                }
                _ => {
                    let list = a
                        .get("storage/folders/root/contents", RequestOptions::default())
                        .await
                        .map_err(e)?
                        .into_list()
                        .map_err(e)?;
                    list.get_paging_iterator(Some(10_000))
                        .try_collect::<Vec<_>>()
                        .await
                        .map(|_| None)
                        .map_err(e)
                }
            }
        },
    )
    .await;
    assert!(wrong.is_empty(), "{wrong:#?}");
}
