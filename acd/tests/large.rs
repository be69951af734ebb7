//! Large transfers and feeds in bounded memory (a test binary of its own, so that the peak
//! RSS measured is this test's).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use acd::emulator::Emulator;
use acd::{AcdClient, AcdOptions, DownloadOptions, Settings, UploadOptions};
use cloud_core::emulator::Route;
use futures::StreamExt;
use http::Method;
use md5::{Digest, Md5};
use sha2::Sha256;
use tokio::io::AsyncWriteExt;

fn peak_rss_mib() -> u64 {
    cloud_core::emulator::peak_rss_mib_checked().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_file_and_big_feed_in_bounded_memory() {
    const SIZE: u64 = 512 << 20;
    let emu = Emulator::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    emu.write_cache(dir.path()).unwrap();
    let c = AcdClient::new(
        dir.path(),
        dir.path(),
        AcdOptions::default()
            .base_url(&emu.base_url())
            .pacing(acd::Pacing::Off),
    )
    .await
    .unwrap();
    let path = dir.path().join("big.bin");
    let (mut sha, mut md5) = (Sha256::new(), Md5::new());
    {
        let mut f = tokio::io::BufWriter::new(tokio::fs::File::create(&path).await.unwrap());
        let mut piece: Vec<u8> = (0..1u32 << 20).map(|j| (j * 13 % 251) as u8).collect();
        for i in 0..(SIZE >> 20) {
            piece[..8].copy_from_slice(&i.to_le_bytes());
            sha.update(&piece);
            md5.update(&piece);
            f.write_all(&piece).await.unwrap();
        }
        f.flush().await.unwrap();
    }
    let (want_sha, want_md5) = (sha.finalize().to_vec(), md5.finalize());
    let want_md5: String = want_md5.iter().map(|b| format!("{b:02x}")).collect();
    let before = peak_rss_mib();
    let node = c
        .upload_file(&path, None, UploadOptions::default())
        .await
        .unwrap();
    assert_eq!(node.size(), SIZE);
    assert_eq!(node.md5(), Some(want_md5.as_str()));
    std::fs::remove_file(&path).unwrap();
    // Download in 64 MiB ranges; the second range breaks off after 10 MiB.
    let mut s = Settings::default();
    s.dl_chunk_size = 64 << 20;
    c.set_settings(s);
    let route = Route::method(Method::GET).path("/cdproxy/nodes/");
    emu.faults().add(
        1,
        route.clone(),
        cloud_core::emulator::Fault::Delay(std::time::Duration::ZERO),
    );
    emu.faults().drop_response_after(1, route, 10 << 20);
    let err = c
        .download_file(
            &node.id,
            "big.bin",
            Some(dir.path()),
            DownloadOptions::for_node(&node),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status_code(), Some(acd::codes::CONN_EXCEPTION), "{err}");
    let partial = std::fs::metadata(dir.path().join("big.bin.__incomplete"))
        .unwrap()
        .len();
    // The first range whole, and at most 10 MiB of the second.
    assert!(
        partial > 64 << 20 && partial <= (64 << 20) + (10 << 20),
        "{partial}"
    );
    // The second call resumes the partial file; the MD5 is checked against the node's.
    let out = c
        .download_file(
            &node.id,
            "big.bin",
            Some(dir.path()),
            DownloadOptions::for_node(&node),
        )
        .await
        .unwrap();
    let grown = peak_rss_mib().saturating_sub(before);
    eprintln!("peak RSS grew by {grown} MiB for a 512 MiB upload and download");
    let mut h = Sha256::new();
    let mut f = tokio::fs::File::open(&out).await.unwrap();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        use tokio::io::AsyncReadExt;
        let n = f.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    assert_eq!(h.finalize().to_vec(), want_sha);
    assert!(grown < 128, "peak RSS grew by {grown} MiB");

    // A feed of 100,000 nodes, consumed as a stream.
    emu.seed_folders(100_000, "f");
    let before = peak_rss_mib();
    let mut feed = c.changes("", false).await.unwrap();
    let mut n = 0usize;
    while let Some(set) = feed.next().await {
        n += set.unwrap().nodes.len();
    }
    assert!(feed.end_reached());
    assert_eq!(n, 100_000 + 2);
    let grown = peak_rss_mib().saturating_sub(before);
    eprintln!("peak RSS grew by {grown} MiB for a 100,000-node feed");
    assert!(grown < 64, "peak RSS grew by {grown} MiB");
}
