//! A 256 MiB upload and download by SHA-256 in bounded memory (a test binary of its own, so
//! that the peak is this test's).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use orange_cloud::emulator::Emulator;
use orange_cloud::{ApiManager, ApiManagerOptions, UploadOptions};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn peak_rss_mib() -> u64 {
    cloud_core::emulator::peak_rss_mib_checked().unwrap()
}

async fn sha256_of(path: &std::path::Path) -> Vec<u8> {
    let mut f = tokio::fs::File::open(path).await.unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let mut h = Sha256::new();
    loop {
        let n = f.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    h.finalize().to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_256_mib_round_trip_in_bounded_memory() {
    const SIZE: u64 = 256 << 20;
    let emu = Emulator::start().await.unwrap();
    let m = ApiManager::new(
        emu.client_id(),
        emu.client_secret(),
        emu.redirect_uri(),
        ApiManagerOptions::default().base_url(&emu.base_url()),
    )
    .unwrap();
    m.init_with_token(emu.issue_token().refresh_token.expose())
        .await
        .unwrap();
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
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let s2 = seen.clone();
    let folder = m.folders().create("big", None).await.unwrap();
    let up = m
        .files()
        .upload_with(
            src.as_path(),
            Some(&folder.id),
            UploadOptions::default()
                .progress(move |p| s2.store(p.transferred, std::sync::atomic::Ordering::Relaxed)),
        )
        .await
        .unwrap();
    assert_eq!(seen.load(std::sync::atomic::Ordering::Relaxed), SIZE);
    let f = m.files().get(&up.file_id).await.unwrap();
    assert_eq!(f.size, SIZE);
    let out = dir.path().join("back.bin");
    assert_eq!(
        m.files()
            .download(f.download_url.as_deref().unwrap(), &out)
            .await
            .unwrap(),
        SIZE
    );
    assert_eq!(sha256_of(&out).await, want);
    let grown = peak_rss_mib().saturating_sub(before);
    eprintln!("peak RSS grew by {grown} MiB for a 256 MiB upload and download");
    assert!(grown < 64, "{grown} MiB");
}
