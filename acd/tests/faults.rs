//! The fault matrix: cloud-core's standard faults × every transfer and listing call, against
//! the emulator. Each cell recovers with the bytes equal by SHA-256 or returns a specific
//! error, leaving no file under the final name and nothing half-stored; the table is printed
//! (`cargo test -p acd --features emulator --test faults -- --nocapture`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use acd::emulator::Emulator;
use acd::{AcdClient, AcdOptions, DownloadOptions, UploadOptions};
use cloud_core::emulator::matrix::{Call, Cell, Matrix, StandardFault};
use cloud_core::emulator::Route;
use futures::TryStreamExt;
use http::Method;
use sha2::{Digest, Sha256};

fn sha(b: &[u8]) -> Vec<u8> {
    Sha256::digest(b).to_vec()
}

fn data(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()
}

/// The bytes of the root's child `name`, if there is one (read with no fault pending).
async fn stored(c: &AcdClient, root: &str, name: &str) -> Option<Vec<u8>> {
    let kids: Vec<acd::Node> = c
        .list_children_stream(root)
        .unwrap()
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("listing {name} after its upload: {e}"));
    let node = kids.iter().find(|n| n.name.as_deref() == Some(name))?;
    let size = node.content_properties.as_ref().map(|p| p.size)?;
    Some(c.download_chunk(&node.id, 0, size).await.unwrap())
}

/// A client on a cache folder with a fresh token. acd_cli refreshes only when the token's
/// recorded expiry time has passed, so after the emulator revokes tokens a client keeps
/// failing with 401 until it is built again on a new token (as the original does).
async fn fresh(emu: &Emulator) -> (AcdClient, tempfile::TempDir) {
    let cache = tempfile::tempdir().unwrap();
    emu.write_cache(cache.path()).unwrap();
    let c = AcdClient::new(
        cache.path(),
        cache.path(),
        AcdOptions::default()
            .base_url(&emu.base_url())
            .pacing(acd::Pacing::Off),
    )
    .await
    .unwrap();
    (c, cache)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix() {
    let emu = Emulator::start().await.unwrap();
    let (c, _cache) = fresh(&emu).await;
    let root = emu.root_id();
    let work = tempfile::tempdir().unwrap();
    let one = data(1 << 20, 1);
    let src = work.path().join("one.bin");
    std::fs::write(&src, &one).unwrap();
    let node = c
        .upload_file(&src, None, UploadOptions::default())
        .await
        .unwrap();
    emu.seed_folders(250, "seed-");
    let dir = tempfile::tempdir().unwrap();

    let content = format!("/cdproxy/nodes/{}/content", node.id);
    let calls = vec![
        Call::download(
            "download_file",
            Route::method(Method::GET).path(content.as_str()),
        ),
        Call::download(
            "download_chunk 1 MiB",
            Route::method(Method::GET).path(content.as_str()),
        ),
        Call::upload(
            "upload_file 1 MiB",
            Route::method(Method::POST).exact("/cdproxy/nodes"),
        ),
        Call::listing(
            "list_children_stream 251",
            Route::method(Method::GET).path(format!("/drive/v1/nodes/{root}/children")),
        )
        .multi(),
        Call::listing(
            "get_changes (whole feed)",
            Route::method(Method::POST).exact("/drive/v1/changes"),
        ),
        Call::metadata(
            "get_metadata",
            Route::method(Method::GET).exact(format!("/drive/v1/nodes/{}", node.id)),
        ),
    ];
    let mut m = Matrix::new(Duration::from_secs(30));
    let mut n = 0u32;
    m.run(
        emu.faults(),
        &calls,
        StandardFault::all(),
        |call, _fault| {
            n += 1;
            let emu = &emu;
            let (one, dir, work, node, root) = (
                one.clone(),
                dir.path().to_owned(),
                work.path().to_owned(),
                node.clone(),
                root.clone(),
            );
            async move {
                // What the emulator holds before the cell: an error must leave it so (or, for an
                // upload whose answer was lost, with the one whole object added).
                let before = emu.node_count();
                // A client per cell: a revoked token stays dead in acd_cli's client.
                let (c, _cache) = fresh(emu).await;
                match call.name.as_str() {
                    "download_file" => {
                        let name = format!("d{n}.bin");
                        let r = c
                            .download_file(&node.id, &name, Some(&dir), DownloadOptions::default())
                            .await;
                        let target = dir.join(&name);
                        match r {
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
                    "download_chunk 1 MiB" => match c.download_chunk(&node.id, 0, 1 << 20).await {
                        Ok(b) if sha(&b) == sha(&one) => Cell::Recovered,
                        Ok(b) => Cell::Broken(format!("{} bytes, not the file", b.len())),
                        Err(e) => Cell::from_error(&e, &e.kind(), emu.node_count() == before),
                    },
                    "upload_file 1 MiB" => {
                        let name = format!("u{n}.bin");
                        let bytes = data(1 << 20, n as u8);
                        let path = work.join(&name);
                        std::fs::write(&path, &bytes).unwrap();
                        let r = c.upload_file(&path, None, UploadOptions::default()).await;
                        emu.faults().clear();
                        let (checker, _cache) = fresh(emu).await;
                        let kept = stored(&checker, &root, &name).await;
                        match (r, kept) {
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
                    "list_children_stream 251" => {
                        let kids: Result<Vec<acd::Node>, _> =
                            c.list_children_stream(&root).unwrap().try_collect().await;
                        match kids {
                            Ok(k) if k.len() >= 251 => Cell::Recovered,
                            Ok(k) => Cell::Broken(format!("{} children", k.len())),
                            Err(e) => Cell::from_error(&e, &e.kind(), emu.node_count() == before),
                        }
                    }
                    "get_changes (whole feed)" => {
                        let mut out = Vec::new();
                        match c.get_changes("", false, &mut out).await {
                            Ok(_) => {
                                let text = String::from_utf8_lossy(&out);
                                if text.contains("seed-0000249") && text.contains(&node.id) {
                                    Cell::Recovered
                                } else {
                                    Cell::Broken("the feed misses nodes".into())
                                }
                            }
                            Err(e) => Cell::from_error(&e, &e.kind(), emu.node_count() == before),
                        }
                    }
                    _ => match c.get_metadata(&node.id, false, false).await {
                        Ok(got) if got.id == node.id => Cell::Recovered,
                        Ok(got) => Cell::Broken(format!("node {}", got.id)),
                        Err(e) => Cell::from_error(&e, &e.kind(), emu.node_count() == before),
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
}
