//! The fault matrix: cloud-core's standard faults × every transfer and listing call, against
//! the emulator. Each cell recovers with the bytes equal by SHA-256 or returns a specific
//! error, leaving no file under the final name and nothing half-stored; the table is printed
//! (`cargo test -p verizon-pcs --features emulator --test faults -- --nocapture`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use cloud_core::emulator::matrix::{Call, Cell, Matrix, StandardFault};
use cloud_core::emulator::Route;
use futures::{StreamExt, TryStreamExt};
use http::Method;
use sha2::{Digest, Sha256};
use verizon_pcs::emulator::Emulator;
use verizon_pcs::{
    Cloud, CloudOptions, DownloadOptions, RetryPolicy, SearchOptions, UploadOptions,
};

fn sha(b: &[u8]) -> Vec<u8> {
    Sha256::digest(b).to_vec()
}

fn data(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()
}

async fn body(cloud: &Cloud, path: &str) -> verizon_pcs::Result<Vec<u8>> {
    let mut s = cloud.download(path, DownloadOptions::default()).await?;
    let mut out = Vec::new();
    while let Some(c) = s.next().await {
        out.extend_from_slice(&c.map_err(verizon_pcs::Error::from)?);
    }
    Ok(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix() {
    let emu = Emulator::start().await.unwrap();
    let t = emu.issue_token();
    let retry = RetryPolicy::default()
        .backoff(Duration::from_millis(20), Duration::from_millis(200))
        .max_retry_after(Duration::from_secs(5));
    let cloud = Cloud::new(
        emu.client_key(),
        emu.client_secret(),
        emu.callback_url(),
        CloudOptions::default()
            .base_url(emu.api_cloud())
            .access_token(t.access_token)
            .refresh_token(t.refresh_token)
            .retry(Arc::new(retry)),
    )
    .unwrap();
    let one = data(1 << 20, 1);
    cloud
        .upload(
            one.clone(),
            "/VZMOBILE/m",
            UploadOptions::default().name("one.bin"),
        )
        .await
        .unwrap();
    emu.seed_files("/VZMOBILE/seed", 250).unwrap();
    let dir = tempfile::tempdir().unwrap();

    let get = |p: &str| Route::method(Method::GET).path(p);
    let post = |p: &str| Route::method(Method::POST).path(p);
    let calls = vec![
        Call::download("download (stream)", get("/cloud/1/files/")),
        Call::download("download_to_path", get("/cloud/1/files/")),
        Call::upload("upload 1 MiB", post("/cloud/1/upload/")),
        Call::upload("chunked upload 3 × 1 MiB", post("/cloud/1/upload/")).multi(),
        Call::listing("search_stream 250 (pages of 100)", get("/cloud/1/search")).multi(),
        Call::metadata("file_metadata", get("/cloud/1/metadata/")),
        Call::metadata("fullview", get("/cloud/1/fullview")),
    ];
    let mut m = Matrix::new(Duration::from_secs(30));
    let mut n = 0u32;
    m.run(
        emu.faults(),
        &calls,
        StandardFault::all(),
        |call, _fault| {
            n += 1;
            let (cloud, emu, one, dir) = (cloud.clone(), &emu, one.clone(), dir.path().to_owned());
            async move {
                // What the emulator holds before the cell: an error must leave it so (or, for an
                // upload whose answer was lost, with the one whole object added).
                let before = emu.file_count();
                match call.name.as_str() {
                    "download (stream)" => match body(&cloud, "/VZMOBILE/m/one.bin").await {
                        Ok(b) if sha(&b) == sha(&one) => Cell::Recovered,
                        Ok(b) => Cell::Broken(format!("{} bytes, not the file", b.len())),
                        Err(e) => Cell::from_error(&e, &e.kind(), emu.file_count() == before),
                    },
                    "download_to_path" => {
                        let target = dir.join(format!("d{n}.bin"));
                        match cloud.download_to_path("/VZMOBILE/m/one.bin", &target).await {
                            Ok(_) if sha(&std::fs::read(&target).unwrap()) == sha(&one) => {
                                Cell::Recovered
                            }
                            Ok(_) => Cell::Broken("the file differs".into()),
                            Err(e) => Cell::from_error(
                                &e,
                                &e.kind(),
                                !target.exists() && emu.file_count() == before,
                            ),
                        }
                    }
                    "upload 1 MiB" | "chunked upload 3 × 1 MiB" => {
                        let chunked = call.multi_request;
                        let bytes = data(if chunked { 3 << 20 } else { 1 << 20 }, n as u8);
                        let name = format!("u{n}.bin");
                        let opts = UploadOptions::default()
                            .name(&name)
                            .chunked(chunked)
                            .chunk_size(1 << 20);
                        let r = cloud.upload(bytes.clone(), "/VZMOBILE/up", opts).await;
                        emu.faults().clear();
                        let stored = body(&cloud, &format!("/VZMOBILE/up/{name}")).await;
                        match (r, stored) {
                            (Ok(_), Ok(b)) if sha(&b) == sha(&bytes) => Cell::Recovered,
                            (Ok(_), _) => Cell::Broken("uploaded, but stored bytes differ".into()),
                            (Err(e), Err(_)) => {
                                Cell::from_error(&e, &e.kind(), emu.file_count() == before)
                            }
                            (Err(e), Ok(b)) => Cell::from_error(
                                &e,
                                &e.kind(),
                                sha(&b) == sha(&bytes) && emu.file_count() == before + 1,
                            ),
                        }
                    }
                    "search_stream 250 (pages of 100)" => {
                        let hits: Result<Vec<_>, _> = cloud
                            .search_stream("name:seed-", SearchOptions::default().count(100))
                            .try_collect()
                            .await;
                        match hits {
                            Ok(h) if h.len() == 250 => Cell::Recovered,
                            Ok(h) => Cell::Broken(format!("{} hits of 250", h.len())),
                            Err(e) => Cell::from_error(&e, &e.kind(), emu.file_count() == before),
                        }
                    }
                    "file_metadata" => match cloud.file_metadata("/VZMOBILE/m/one.bin").await {
                        Ok(f) if f.size == 1 << 20 => Cell::Recovered,
                        Ok(f) => Cell::Broken(format!("size {}", f.size)),
                        Err(e) => Cell::from_error(&e, &e.kind(), emu.file_count() == before),
                    },
                    _ => match cloud.fullview(None).await {
                        Ok(Some(v)) if v.files.len() >= 251 => Cell::Recovered,
                        Ok(v) => Cell::Broken(format!("{:?} files", v.map(|v| v.files.len()))),
                        Err(e) => Cell::from_error(&e, &e.kind(), emu.file_count() == before),
                    },
                }
            }
        },
    )
    .await;
    println!("{}", m.table());
    let broken = m.broken();
    assert!(broken.is_empty(), "{broken:#?}");
    m.check_pinned(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/README.md"
    )))
    .unwrap();
    // The ones a retrying client must ride out.
    let (ok, _, _, total) = m.totals();
    assert!(ok * 2 > total, "only {ok} of {total} recovered");
}
