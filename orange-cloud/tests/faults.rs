//! The fault matrix: cloud-core's standard faults × every transfer and listing call, against
//! the emulator, with a retry policy set (the original has none, so by default every fault is
//! an error). Each cell recovers with the bytes equal by SHA-256 or returns a specific error,
//! leaving no file under the final name and nothing half-stored; the table is printed
//! (`cargo test -p orange-cloud --features emulator --test faults -- --nocapture`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use cloud_core::emulator::matrix::{Call, Cell, Matrix, StandardFault};
use cloud_core::emulator::Route;
use cloud_core::RetryPolicy;
use futures::TryStreamExt;
use http::Method;
use orange_cloud::emulator::Emulator;
use orange_cloud::{ApiManager, ApiManagerOptions, FolderQuery, UploadOptions};
use sha2::{Digest, Sha256};

fn sha(b: &[u8]) -> Vec<u8> {
    Sha256::digest(b).to_vec()
}

fn data(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix() {
    let emu = Emulator::start().await.unwrap();
    let retry = RetryPolicy::default()
        .backoff(Duration::from_millis(20), Duration::from_millis(200))
        .max_retry_after(Duration::from_secs(5));
    let m = ApiManager::new(
        emu.client_id(),
        emu.client_secret(),
        emu.redirect_uri(),
        ApiManagerOptions::default()
            .base_url(&emu.base_url())
            .retry(Arc::new(retry)),
    )
    .unwrap();
    m.init_with_token(emu.issue_token().refresh_token.expose())
        .await
        .unwrap();
    let one = data(1 << 20, 1);
    let opts = UploadOptions::default().name("one.bin");
    let id = m
        .files()
        .upload_with(one.clone(), None, opts)
        .await
        .unwrap()
        .file_id;
    let url = m.files().get(&id).await.unwrap().download_url.unwrap();
    let seeded = emu.seed_files("seed", 250);
    let up = m.folders().create("up", None).await.unwrap().id;
    let dir = tempfile::tempdir().unwrap();

    let calls = vec![
        Call::download(
            "files.download_to (stream)",
            Route::method(Method::GET).path(format!("/cloud/v1/files/{id}/content/")),
        ),
        Call::download(
            "files.download (to a file)",
            Route::method(Method::GET).path(format!("/cloud/v1/files/{id}/content/")),
        ),
        Call::upload(
            "files.upload_with 1 MiB",
            Route::method(Method::POST).exact("/cloud/v1/files/content"),
        ),
        Call::listing(
            "folders.get_pages 250 (pages of 100)",
            Route::method(Method::GET).exact(format!("/cloud/v1/folders/{seeded}")),
        )
        .multi(),
        Call::metadata(
            "files.get",
            Route::method(Method::GET).exact(format!("/cloud/v1/files/{id}")),
        ),
    ];
    let mut matrix = Matrix::new(Duration::from_secs(30));
    let mut n = 0u32;
    matrix
        .run(emu.faults(), &calls, StandardFault::all(), |call, fault| {
            n += 1;
            let (m, emu, one, dir, id, url, up, seeded) = (
                m.clone(),
                &emu,
                one.clone(),
                dir.path().to_owned(),
                id.clone(),
                url.clone(),
                up.clone(),
                seeded.clone(),
            );
            async move {
                // What the emulator holds before the cell: an error must leave it so (or, for an
                // upload whose answer was lost, with the one whole object added).
                let before = emu.node_count();
                match call.name.as_str() {
                    "files.download_to (stream)" => {
                        let mut out = Vec::new();
                        match m.files().download_to(&url, &mut out).await {
                            Ok(_) if sha(&out) == sha(&one) => Cell::Recovered,
                            Ok(_) => Cell::Broken(format!("{} bytes, not the file", out.len())),
                            Err(e) => Cell::from_error(&e, &e.kind(), emu.node_count() == before),
                        }
                    }
                    "files.download (to a file)" => {
                        let target = dir.join(format!("d{n}.bin"));
                        match m.files().download(&url, &target).await {
                            Ok(_) if sha(&std::fs::read(&target).unwrap()) == sha(&one) => {
                                Cell::Recovered
                            }
                            Ok(_) => Cell::Broken("the file differs".into()),
                            Err(e) => Cell::from_error(
                                &e,
                                &e.kind(),
                                !target.exists() && emu.node_count() == before,
                            ),
                        }
                    }
                    "files.upload_with 1 MiB" => {
                        let name = format!("u{n}.bin");
                        let bytes = data(1 << 20, n as u8);
                        let opts = UploadOptions::default().name(&name);
                        let r = m.files().upload_with(bytes.clone(), Some(&up), opts).await;
                        emu.faults().clear();
                        let listing = m
                            .folders()
                            .get(Some(&up), FolderQuery::default())
                            .await
                            .unwrap();
                        let same: Vec<_> = listing
                            .files
                            .iter()
                            .filter(|f| f.name.starts_with(&format!("u{n}")))
                            .collect();
                        let kept = match same.first() {
                            Some(f) => {
                                let u = m.files().get(&f.id).await.unwrap().download_url.unwrap();
                                let mut out = Vec::new();
                                m.files().download_to(&u, &mut out).await.unwrap();
                                Some(out)
                            }
                            None => None,
                        };
                        match (r, kept) {
                            // The original re-sends an upload after a reset, and a lost
                            // answer is one: the first upload was stored, the second goes
                            // beside it. Faithful; OrangeStore takes the first away.
                            (Ok(_), Some(b))
                                if same.len() == 2
                                    && fault == StandardFault::LoseResponse
                                    && sha(&b) == sha(&bytes) =>
                            {
                                Cell::Faithful("stored twice (re-sent, as the original)".into())
                            }
                            _ if same.len() > 1 => {
                                Cell::Broken(format!("{} copies stored", same.len()))
                            }
                            (Ok(_), Some(b)) if sha(&b) == sha(&bytes) => Cell::Recovered,
                            (Ok(_), _) => Cell::Broken("uploaded, but stored bytes differ".into()),
                            (Err(e), None) => {
                                Cell::from_error(&e, &e.kind(), emu.node_count() == before)
                            }
                            (Err(e), Some(b)) => Cell::from_error(
                                &e,
                                &e.kind(),
                                sha(&b) == sha(&bytes) && emu.node_count() == before + 1,
                            ),
                        }
                    }
                    "folders.get_pages 250 (pages of 100)" => {
                        let pages: Result<Vec<orange_cloud::Folder>, _> = m
                            .folders()
                            .get_pages(Some(&seeded), FolderQuery::default(), 100)
                            .unwrap()
                            .try_collect()
                            .await;
                        match pages {
                            Ok(p) => {
                                let n: usize = p.iter().map(|p| p.files.len()).sum();
                                if n == 250 {
                                    Cell::Recovered
                                } else {
                                    Cell::Broken(format!("{n} of 250"))
                                }
                            }
                            Err(e) => Cell::from_error(&e, &e.kind(), emu.node_count() == before),
                        }
                    }
                    _ => match m.files().get(&id).await {
                        Ok(f) if f.id == id => Cell::Recovered,
                        Ok(f) => Cell::Broken(format!("got {}", f.id)),
                        Err(e) => Cell::from_error(&e, &e.kind(), emu.node_count() == before),
                    },
                }
            }
        })
        .await;
    println!("{}", matrix.table());
    let broken = matrix.broken();
    assert!(broken.is_empty(), "{broken:#?}");
    matrix
        .check_pinned(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/README.md"
        )))
        .unwrap();
}
