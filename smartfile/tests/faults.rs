//! The fault matrix: cloud-core's standard faults × every transfer and listing call, against
//! the emulator. Each cell recovers with the bytes equal by SHA-256 or returns a specific
//! error, leaving no file under the final name and nothing half-stored; the table is printed
//! (`cargo test -p smartfile --features emulator --test faults -- --nocapture`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cloud_core::emulator::matrix::{Call, Cell, Matrix, StandardFault};
use cloud_core::emulator::Route;
use futures::{StreamExt, TryStreamExt};
use http::Method;
use sha2::{Digest, Sha256};
use smartfile::emulator::Emulator;
use smartfile::{
    BasicClient, BasicOptions, Client, ClientOptions, DownloadOptions, FilePart, Params,
};

fn sha(b: &[u8]) -> Vec<u8> {
    Sha256::digest(b).to_vec()
}

fn data(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()
}

async fn body(api: &Client, path: &str) -> smartfile::Result<Vec<u8>> {
    let mut s = api.download_stream(path).await?;
    let mut out = Vec::new();
    while let Some(c) = s.next().await {
        out.extend_from_slice(&c.map_err(smartfile::Error::from)?);
    }
    Ok(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix() {
    let emu = Emulator::start().await.unwrap();
    let api = BasicClient::new(
        Some(emu.key()),
        Some(emu.password()),
        BasicOptions::default()
            .client(ClientOptions::default().retry_rate_limits(true))
            .url(emu.base_url()),
    )
    .unwrap();
    let api: Client = api.as_client().clone();
    let one = data(1 << 20, 1);
    api.upload_part(FilePart::bytes("one.bin", one.clone()))
        .await
        .unwrap();
    emu.seed_files("/seed", 250).unwrap();
    api.post("/path/oper/mkdir/", (), Params::new().arg("path", "/up"))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();

    let calls = vec![
        Call::download(
            "download_stream",
            Route::method(Method::GET).path("/api/2/path/data/one.bin"),
        ),
        Call::download(
            "download (to a file)",
            Route::method(Method::GET).path("/api/2/path/data/one.bin"),
        ),
        Call::upload(
            "upload 1 MiB (multipart)",
            Route::method(Method::POST).path("/api/2/path/data/up"),
        ),
        Call::listing(
            "children_stream 250 (pages of 100)",
            Route::method(Method::GET).path("/api/2/path/info/seed"),
        )
        .multi(),
        Call::metadata(
            "path/info",
            Route::method(Method::GET).path("/api/2/path/info/one.bin"),
        ),
    ];
    let mut m = Matrix::new(Duration::from_secs(30));
    let mut n = 0u32;
    // Basic auth has no token to expire: the two token faults do not apply.
    let faults: Vec<StandardFault> = StandardFault::all()
        .iter()
        .copied()
        .filter(|f| {
            !matches!(
                f,
                StandardFault::ExpireToken | StandardFault::ExpireMidTransfer
            )
        })
        .collect();
    m.run(emu.faults(), &calls, &faults, |call, _fault| {
        n += 1;
        let (api, emu, one, dir) = (api.clone(), &emu, one.clone(), dir.path().to_owned());
        async move {
            // What the emulator holds before the cell: an error must leave it so (or, for an
            // upload whose answer was lost, with the one whole object added).
            let before = emu.file_count();
            match call.name.as_str() {
                "download_stream" => match body(&api, "/one.bin").await {
                    Ok(b) if sha(&b) == sha(&one) => Cell::Recovered,
                    Ok(b) => Cell::Broken(format!("{} bytes, not the file", b.len())),
                    Err(e) => Cell::from_error(&e, &e.kind(), emu.file_count() == before),
                },
                "download (to a file)" => {
                    let target = dir.join(format!("d{n}.bin"));
                    let opts = DownloadOptions::default().download_to_path(&target);
                    match api.download("/one.bin", opts).await {
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
                "upload 1 MiB (multipart)" => {
                    let name = format!("u{n}.bin");
                    let bytes = data(1 << 20, n as u8);
                    let r = api
                        .post(
                            "/path/data",
                            "/up",
                            Params::new().arg("file", FilePart::bytes(&name, bytes.clone())),
                        )
                        .await;
                    emu.faults().clear();
                    let kept = body(&api, &format!("/up/{name}")).await;
                    match (r, kept) {
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
                "children_stream 250 (pages of 100)" => {
                    let r: Result<Vec<_>, _> = api
                        .children_stream("/seed", 100)
                        .unwrap()
                        .try_collect()
                        .await;
                    match r {
                        Ok(all) if all.len() == 250 => Cell::Recovered,
                        Ok(all) => Cell::Broken(format!("{} of 250", all.len())),
                        Err(e) => Cell::from_error(&e, &e.kind(), emu.file_count() == before),
                    }
                }
                _ => match api.get("/path/info", "/one.bin", Params::new()).await {
                    Ok(r) => match r.json() {
                        Some(v) if v["size"] == 1 << 20 => Cell::Recovered,
                        other => Cell::Broken(format!("{other:?}")),
                    },
                    Err(e) => Cell::from_error(&e, &e.kind(), emu.file_count() == before),
                },
            }
        }
    })
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
