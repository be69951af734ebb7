//! The fault matrix: cloud-core's standard faults × every transfer and listing call, against
//! the emulator. Each cell recovers with the bytes equal by SHA-256 or returns a specific
//! error, leaving nothing half-stored or duplicated; the table is printed
//! (`cargo test -p kloudless --features emulator --test faults -- --nocapture`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cloud_core::body::{save_to_path, SaveOptions};
use cloud_core::emulator::matrix::{Call, Cell, Matrix, StandardFault};
use cloud_core::emulator::Route;
use futures::{StreamExt, TryStreamExt};
use http::Method;
use kloudless::emulator::Emulator;
use kloudless::{Account, Configuration, RequestOptions};
use serde_json::json;
use sha2::{Digest, Sha256};

fn sha(b: &[u8]) -> Vec<u8> {
    Sha256::digest(b).to_vec()
}

fn data(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()
}

async fn contents(a: &Account, id: &str) -> kloudless::Result<Vec<u8>> {
    let mut body = a
        .get(
            &format!("storage/files/{id}/contents"),
            RequestOptions::default(),
        )
        .await?
        .into_raw()?
        .body;
    let mut out = Vec::new();
    while let Some(c) = body.next().await {
        out.extend_from_slice(&c.map_err(kloudless::Error::from)?);
    }
    Ok(out)
}

/// Every file named `name` in `folder` (read with no fault pending).
async fn named(a: &Account, folder: &str, name: &str) -> Vec<String> {
    let list = a
        .get(
            &format!("storage/folders/{folder}/contents"),
            RequestOptions::default().param("page_size", 1000),
        )
        .await
        .unwrap()
        .into_list()
        .unwrap();
    let all: Vec<kloudless::Resource> = list.get_paging_iterator(None).try_collect().await.unwrap();
    all.iter()
        .filter(|r| {
            let n = r.data["name"].as_str().unwrap_or_default();
            n == name || n.starts_with(&format!("{} (", name.trim_end_matches(".bin")))
        })
        .map(|r| r.data["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// An account on a new token.
fn account(emu: &Emulator) -> Account {
    Account::with_config(
        Some(&emu.issue_token()),
        None,
        None,
        &Configuration::with_base_url(emu.base_url()),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix() {
    let emu = Emulator::start().await.unwrap();
    let a = Account::with_config(
        Some(emu.token()),
        None,
        None,
        &Configuration::with_base_url(emu.base_url()),
    )
    .unwrap();
    let upload = |folder: &str, name: &str, bytes: Vec<u8>| {
        RequestOptions::default()
            .header(
                "X-Kloudless-Metadata",
                json!({"parent_id": folder, "name": name}).to_string(),
            )
            .data(bytes)
    };
    let one = data(1 << 20, 1);
    let file = a
        .post("storage/files", upload("root", "one.bin", one.clone()))
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    let id = file.data["id"].as_str().unwrap().to_owned();
    let up = a
        .post(
            "storage/folders",
            RequestOptions::default().json(json!({"name": "up", "parent_id": "root"})),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    let up_id = up.data["id"].as_str().unwrap().to_owned();
    let seeded = emu.seed_files(250);
    let dir = tempfile::tempdir().unwrap();

    let api = "/v1/accounts/me/storage";
    let calls = vec![
        Call::download(
            "files/{id}/contents (stream)",
            Route::method(Method::GET).exact(format!("{api}/files/{id}/contents")),
        ),
        Call::download(
            "contents saved to a file",
            Route::method(Method::GET).exact(format!("{api}/files/{id}/contents")),
        ),
        Call::upload(
            "POST storage/files 1 MiB",
            Route::method(Method::POST).exact(format!("{api}/files")),
        ),
        Call::listing(
            "get_paging_iterator 250 (pages of 100)",
            Route::method(Method::GET).exact(format!("{api}/folders/{seeded}/contents")),
        )
        .multi(),
        Call::metadata(
            "GET storage/files/{id}",
            Route::method(Method::GET).exact(format!("{api}/files/{id}")),
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
            // A fresh token per cell: the account has no refresh, so a revoked token stays
            // revoked.
            let (a, emu, one, dir, id, up_id, seeded) = (
                account(&emu),
                &emu,
                one.clone(),
                dir.path().to_owned(),
                id.clone(),
                up_id.clone(),
                seeded.clone(),
            );
            let upload = &upload;
            async move {
                // What the emulator holds before the cell: an error must leave it so (or, for an
                // upload whose answer was lost, with the one whole object added).
                let before = emu.node_count();
                match call.name.as_str() {
                    "files/{id}/contents (stream)" => match contents(&a, &id).await {
                        Ok(b) if sha(&b) == sha(&one) => Cell::Recovered,
                        Ok(b) => Cell::Broken(format!("{} bytes, not the file", b.len())),
                        Err(e) => Cell::from_error(&e, &e.kind(), emu.node_count() == before),
                    },
                    "contents saved to a file" => {
                        let target = dir.join(format!("d{n}.bin"));
                        let r = async {
                            let raw = a
                                .get(
                                    &format!("storage/files/{id}/contents"),
                                    RequestOptions::default(),
                                )
                                .await?
                                .into_raw()?;
                            save_to_path(raw.body, &target, &SaveOptions::default())
                                .await
                                .map_err(kloudless::Error::from)
                        }
                        .await;
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
                    "POST storage/files 1 MiB" => {
                        let name = format!("u{n}.bin");
                        let bytes = data(1 << 20, n as u8);
                        let r = a
                            .post("storage/files", upload(&up_id, &name, bytes.clone()))
                            .await;
                        emu.faults().clear();
                        let checker = account(emu);
                        let ids = named(&checker, &up_id, &name).await;
                        let kept = match ids.first() {
                            Some(i) => Some(contents(&checker, i).await.unwrap()),
                            None => None,
                        };
                        match (r, kept) {
                            _ if ids.len() > 1 => {
                                Cell::Broken(format!("{} copies stored", ids.len()))
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
                    "get_paging_iterator 250 (pages of 100)" => {
                        let r = async {
                            let first = a
                                .get(
                                    &format!("storage/folders/{seeded}/contents"),
                                    RequestOptions::default().param("page_size", 100),
                                )
                                .await?
                                .into_list()?;
                            first
                                .get_paging_iterator(None)
                                .try_collect::<Vec<_>>()
                                .await
                        }
                        .await;
                        match r {
                            Ok(all) if all.len() == 250 => Cell::Recovered,
                            Ok(all) => Cell::Broken(format!("{} of 250", all.len())),
                            Err(e) => Cell::from_error(&e, &e.kind(), emu.node_count() == before),
                        }
                    }
                    _ => match a
                        .get(&format!("storage/files/{id}"), RequestOptions::default())
                        .await
                        .and_then(|r| r.into_resource())
                    {
                        Ok(r) if r.data["id"] == id.as_str() => Cell::Recovered,
                        Ok(r) => Cell::Broken(format!("got {}", r.data["id"])),
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
