//! A 256 MiB chunked upload with the connection dropped mid-chunk: it completes, the bytes
//! hash equal, and the process's memory stays bounded (its own test binary, so that the
//! peak is this test's alone).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cloud_core::emulator::Route;
use futures::StreamExt;
use http::Method;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use verizon_pcs::emulator::Emulator;
use verizon_pcs::{Cloud, CloudOptions, DownloadOptions, UploadOptions};

fn peak_rss_mib() -> u64 {
    cloud_core::emulator::peak_rss_mib_checked().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunked_256_mib_upload_survives_a_drop_mid_chunk() {
    const SIZE: u64 = 256 << 20;
    const CHUNK: usize = 64 << 20;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    // Write the file in 1 MiB pieces, hashing as it goes.
    let mut hasher = Sha256::new();
    {
        let mut f = tokio::io::BufWriter::new(tokio::fs::File::create(&path).await.unwrap());
        let mut piece: Vec<u8> = (0..1u32 << 20).map(|j| (j * 7 % 251) as u8).collect();
        for i in 0..(SIZE >> 20) {
            // Every MiB differs from the others.
            piece[..8].copy_from_slice(&i.to_le_bytes());
            hasher.update(&piece);
            f.write_all(&piece).await.unwrap();
        }
        f.flush().await.unwrap();
    }
    let want = hasher.finalize().to_vec();
    let emu = Emulator::start().await.unwrap();
    let t = emu.issue_token();
    let cloud = Cloud::new(
        emu.client_key(),
        emu.client_secret(),
        emu.callback_url(),
        CloudOptions::default()
            .base_url(emu.api_cloud())
            .access_token(t.access_token)
            .refresh_token(t.refresh_token),
    )
    .unwrap();
    // The first chunk POST is cut after 3 MiB of its body: a connection drop mid-chunk.
    emu.faults().drop_request_after(
        1,
        Route::method(Method::POST).path("/cloud/1/upload/"),
        3 << 20,
    );
    let before = peak_rss_mib();
    let f = cloud
        .upload(
            path.clone(),
            "/VZMOBILE/Big",
            UploadOptions::default().chunked(true).chunk_size(CHUNK),
        )
        .await
        .unwrap();
    let grown_mib = peak_rss_mib().saturating_sub(before);
    eprintln!("peak RSS grew by {grown_mib} MiB during the 256 MiB upload");
    assert_eq!(f.size, SIZE);
    let hex: String = want.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(f.checksum.as_deref(), Some(hex.as_str()));
    // 4 chunks, plus the one re-sent after the drop.
    let posts = emu
        .log()
        .entries()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/cloud/1/upload/"))
        .count();
    assert_eq!(posts, 5);
    // Client and emulator together: less than one chunk (each part is read from the file
    // by range, for the re-sent one too). Pinned: the client held a whole chunk for its retry
    // before (growth 107 MiB; now about 30, the same with 32 MiB chunks; 48 seen once in a
    // clean-clone CI run with both cores busy, so the bound is the chunk itself).
    assert!(
        grown_mib < (CHUNK >> 20) as u64,
        "peak RSS grew by {grown_mib} MiB for a 256 MiB upload"
    );
    // Read it back through the streamed download and compare hashes.
    let mut dl = cloud
        .download(&f, DownloadOptions::default())
        .await
        .unwrap();
    let mut h = Sha256::new();
    let mut n = 0u64;
    while let Some(c) = dl.next().await {
        let c = c.unwrap();
        n += c.len() as u64;
        h.update(&c);
    }
    assert_eq!(n, SIZE);
    assert_eq!(h.finalize().to_vec(), want);
}
