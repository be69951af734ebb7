//! A 256 MiB upload and download compared by SHA-256, with the process's peak memory bounded
//! (its own test binary, so that the peak is this test's).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sha2::{Digest, Sha256};
use smartfile::emulator::Emulator;
use smartfile::{BasicClient, BasicOptions, DownloadOptions};
use tokio::io::AsyncWriteExt;

fn peak_rss_mib() -> u64 {
    cloud_core::emulator::peak_rss_mib_checked().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_256_mib_round_trip_in_bounded_memory() {
    const SIZE: u64 = 256 << 20;
    let emu = Emulator::start().await.unwrap();
    let api = BasicClient::new(
        Some(emu.key()),
        Some(emu.password()),
        BasicOptions::default().url(emu.base_url()),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("big.bin");
    let mut h = Sha256::new();
    {
        let mut f = tokio::io::BufWriter::new(tokio::fs::File::create(&src).await.unwrap());
        let mut piece: Vec<u8> = (0..1u32 << 20).map(|j| (j * 17 % 251) as u8).collect();
        for i in 0..(SIZE >> 20) {
            piece[..8].copy_from_slice(&i.to_le_bytes());
            h.update(&piece);
            f.write_all(&piece).await.unwrap();
        }
        f.flush().await.unwrap();
    }
    let want = h.finalize().to_vec();
    let before = peak_rss_mib();
    let up = api
        .upload("big.bin", src.clone())
        .await
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(up["size"], SIZE);
    std::fs::remove_file(&src).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let p = api
        .download("/big.bin", DownloadOptions::default().directory(&out))
        .await
        .unwrap();
    let grown = peak_rss_mib().saturating_sub(before);
    eprintln!("peak RSS grew by {grown} MiB for a 256 MiB upload and download");
    let mut h = Sha256::new();
    let mut f = std::fs::File::open(p).unwrap();
    std::io::copy(&mut f, &mut h).unwrap();
    assert_eq!(h.finalize().to_vec(), want);
    assert!(grown < 64, "peak RSS grew by {grown} MiB");
}
