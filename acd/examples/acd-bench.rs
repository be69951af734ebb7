//! One benchmark case of `cargo xtask bench acd`, as a whole process (so that its wall time
//! and peak memory are its own), against a running emulator whose cache folder is CACHE.
//!
//! ```text
//! acd-bench seed CACHE FILE SMALL_COUNT SMALL_SIZE   # uploads FILE and the small files; prints ids
//! acd-bench download-sink CACHE ID
//! acd-bench download-file CACHE ID DIR [fsync]
//! acd-bench upload CACHE FILE
//! acd-bench metadata CACHE ID COUNT
//! acd-bench changes CACHE
//! acd-bench concurrent CACHE ID...
//! ```
use std::sync::Arc;

use acd::{AcdClient, AcdOptions, ChunkedDownloadOptions, DownloadOptions, UploadOptions};
use futures::StreamExt;

type Res<T = ()> = Result<T, Box<dyn std::error::Error>>;

async fn client(cache: &str) -> Res<AcdClient> {
    // The original paces every request (a random wait in [0, 1) s, even after a success):
    // off on both sides, so that the SDK is what is measured.
    Ok(AcdClient::new(cache, cache, AcdOptions::default().pacing(acd::Pacing::Off)).await?)
}

/// `BENCH_RUNTIME=current_thread` runs the case on a current-thread runtime (a row of
/// `cargo xtask bench`: the multi-thread scheduler's own share of the client's CPU).
fn main() -> Res {
    let mut rt = match std::env::var("BENCH_RUNTIME").as_deref() {
        Ok("current_thread") => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    rt.enable_all().build()?.block_on(run())
}

async fn run() -> Res {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| -> Res<&str> {
        args.get(i)
            .map(String::as_str)
            .ok_or_else(|| format!("missing argument {i}").into())
    };
    let c = client(arg(1)?).await?;
    match arg(0)? {
        "seed" => {
            let big = c
                .upload_file(arg(2)?, None, UploadOptions::default())
                .await?;
            let (count, size): (usize, usize) = (arg(3)?.parse()?, arg(4)?.parse()?);
            let dir = std::env::temp_dir().join(format!("acd-bench-seed-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let mut small = Vec::new();
            for i in 0..count {
                let p = dir.join(format!("small-{i:03}.bin"));
                std::fs::write(&p, vec![(i % 251) as u8; size])?;
                small.push(c.upload_file(&p, None, UploadOptions::default()).await?.id);
                std::fs::remove_file(&p)?;
            }
            let _ = std::fs::remove_dir(&dir);
            println!("{}", serde_json::json!({"big": big.id, "small": small}));
        }
        "download-sink" => {
            c.chunked_download(
                arg(2)?,
                &mut tokio::io::sink(),
                ChunkedDownloadOptions::default(),
            )
            .await?;
        }
        "download-file" => {
            // A fifth argument `fsync`: the partial file synced before the rename.
            let dir = std::path::Path::new(arg(3)?);
            let fsync = args.get(4).map(String::as_str) == Some("fsync");
            c.download_file(
                arg(2)?,
                "download-file.bin",
                Some(dir),
                DownloadOptions::default().resume(false).fsync(fsync),
            )
            .await?;
            std::fs::remove_file(dir.join("download-file.bin"))?;
        }
        "upload" => {
            // A new name each run: the service refuses a second node of the same name.
            let src = std::path::Path::new(arg(2)?);
            let name = format!(
                "up-{}-{}.bin",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)?
                    .as_nanos()
            );
            let link = src.with_file_name(&name);
            std::fs::hard_link(src, &link)?;
            let r = c.upload_file(&link, None, UploadOptions::default()).await;
            std::fs::remove_file(&link)?;
            r?;
        }
        "metadata" => {
            let (id, count): (&str, usize) = (arg(2)?, arg(3)?.parse()?);
            for _ in 0..count {
                c.get_metadata(id, false, false).await?;
            }
        }
        "changes" => {
            let mut changes = c.changes("", false).await?;
            let mut nodes = 0usize;
            while let Some(set) = changes.next().await {
                nodes += set?.nodes.len();
            }
            if nodes == 0 {
                return Err("an empty changes feed".into());
            }
        }
        "concurrent" => {
            let c = Arc::new(c);
            let tasks: Vec<_> = args[2..]
                .iter()
                .map(|id| {
                    let (c, id) = (Arc::clone(&c), id.clone());
                    tokio::spawn(async move {
                        c.chunked_download(
                            &id,
                            &mut tokio::io::sink(),
                            ChunkedDownloadOptions::default(),
                        )
                        .await
                    })
                })
                .collect();
            for t in tasks {
                t.await??;
            }
        }
        other => return Err(format!("unknown case {other}").into()),
    }
    Ok(())
}
