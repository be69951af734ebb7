//! 10,000 files listed through the paging iterator, and a 256 MiB upload and download by
//! SHA-256, in bounded memory (a test binary of its own, so that the peak is this test's).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::StreamExt;
use kloudless::emulator::Emulator;
use kloudless::{Account, Configuration, RequestOptions};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

fn peak_rss_mib() -> u64 {
    cloud_core::emulator::peak_rss_mib_checked().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_listing_and_big_file_in_bounded_memory() {
    const SIZE: u64 = 256 << 20;
    let emu = Emulator::start().await.unwrap();
    let a = Account::with_config(
        Some(emu.token()),
        None,
        None,
        &Configuration::with_base_url(emu.base_url()),
    )
    .unwrap();
    let folder = a
        .post(
            "storage/folders",
            RequestOptions::default().json(json!({"name": "many", "parent_id": "root"})),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    let fid = folder.data["id"].as_str().unwrap().to_owned();
    let tasks: Vec<_> = (0..4)
        .map(|t| {
            let (a, fid) = (a.clone(), fid.clone());
            tokio::spawn(async move {
                for i in (t..10_000).step_by(4) {
                    a.post(
                        "storage/files",
                        RequestOptions::default()
                            .header(
                                "X-Kloudless-Metadata",
                                json!({"parent_id": fid, "name": format!("f{i:05}")}).to_string(),
                            )
                            .data(b"x".to_vec()),
                    )
                    .await
                    .unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    // Bounded means: iterating all 10,000 entries costs no more memory than the first 3,000
    // (three pages, so page transitions included) did. The peak is the process's (emulator
    // included), so the check is on its growth between the two, not on an absolute figure.
    let list = |size: u32| {
        let folder = folder.clone();
        async move {
            folder
                .get(
                    "contents",
                    RequestOptions::default().param("page_size", size),
                )
                .await
                .unwrap()
                .into_list()
                .unwrap()
        }
    };
    let first = list(1000).await;
    let mut it = first.get_paging_iterator(Some(3000));
    while let Some(r) = it.next().await {
        r.unwrap();
    }
    let after_one_page = peak_rss_mib();
    let mut it = list(1000).await.get_paging_iterator(None);
    let mut n = 0;
    let mut last = String::new();
    while let Some(r) = it.next().await {
        let name = r.unwrap().data["name"].as_str().unwrap().to_owned();
        assert!(name > last);
        last = name;
        n += 1;
    }
    assert_eq!(n, 10_000);
    let grown = peak_rss_mib().saturating_sub(after_one_page);
    eprintln!("peak RSS grew by {grown} MiB from 3,000 to 10,000 listed files");
    assert!(grown < 24, "{grown} MiB");

    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("big.bin");
    let mut h = Sha256::new();
    {
        let mut f = tokio::io::BufWriter::new(tokio::fs::File::create(&src).await.unwrap());
        let mut piece: Vec<u8> = (0..1u32 << 20).map(|j| (j * 19 % 251) as u8).collect();
        for i in 0..(SIZE >> 20) {
            piece[..8].copy_from_slice(&i.to_le_bytes());
            h.update(&piece);
            f.write_all(&piece).await.unwrap();
        }
        f.flush().await.unwrap();
    }
    let want = h.finalize().to_vec();
    let before = peak_rss_mib();
    let up = a
        .post(
            "storage/files",
            RequestOptions::default()
                .header(
                    "X-Kloudless-Metadata",
                    json!({"parent_id": "root", "name": "big.bin"}).to_string(),
                )
                .file(&src),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    assert_eq!(up.data["size"], SIZE);
    let mut body = up
        .get("contents", RequestOptions::default())
        .await
        .unwrap()
        .into_raw()
        .unwrap()
        .body;
    let mut h = Sha256::new();
    let mut got = 0u64;
    while let Some(c) = body.next().await {
        let c = c.unwrap();
        got += c.len() as u64;
        h.update(&c);
    }
    assert_eq!(got, SIZE);
    assert_eq!(h.finalize().to_vec(), want);
    let grown = peak_rss_mib().saturating_sub(before);
    eprintln!("peak RSS grew by {grown} MiB for a 256 MiB upload and download");
    assert!(grown < 64, "{grown} MiB");
}
