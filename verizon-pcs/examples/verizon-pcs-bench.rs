//! One benchmark case of `cargo xtask bench verizon-pcs`, as a whole process, against a
//! running emulator described by INFO (its standalone JSON line, in a file).
//!
//! ```text
//! verizon-pcs-bench seed INFO FILE SMALL_COUNT SMALL_SIZE   # prints {"big": path, "small": [paths]}
//! verizon-pcs-bench download-sink INFO PATH
//! verizon-pcs-bench download-file INFO PATH DIR
//! verizon-pcs-bench upload INFO FILE
//! verizon-pcs-bench metadata INFO PATH COUNT
//! verizon-pcs-bench search INFO QUERY EXPECTED      # every page of 100, through search_stream
//! verizon-pcs-bench fullview INFO EXPECTED_AT_LEAST
//! verizon-pcs-bench concurrent INFO PATH...
//! ```
use futures::StreamExt;
use verizon_pcs::{Cloud, CloudOptions, DownloadOptions, SearchOptions, UploadOptions};

type Res<T = ()> = Result<T, Box<dyn std::error::Error>>;

fn cloud(info: &str) -> Res<Cloud> {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(info)?)?;
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    Ok(Cloud::new(
        s("client_key"),
        s("client_secret"),
        s("callback_url"),
        CloudOptions::default()
            .base_url(s("base_url"))
            .access_token(s("access_token"))
            .refresh_token(s("refresh_token")),
    )?)
}

async fn sink(cloud: &Cloud, path: &str) -> Res<u64> {
    let mut body = cloud
        .download(path, DownloadOptions::default())
        .await?
        .into_stream();
    let mut n = 0u64;
    while let Some(chunk) = body.next().await {
        n += chunk?.len() as u64;
    }
    Ok(n)
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
    let c = cloud(arg(1)?)?;
    match arg(0)? {
        "seed" => {
            let big = c
                .upload(
                    std::path::PathBuf::from(arg(2)?),
                    "/VZMOBILE/bench",
                    UploadOptions::default(),
                )
                .await?
                .fullpath();
            let (count, size): (usize, usize) = (arg(3)?.parse()?, arg(4)?.parse()?);
            let mut small = Vec::new();
            for i in 0..count {
                let opts = UploadOptions::default().name(format!("small-{i:03}.bin"));
                let body = vec![(i % 251) as u8; size];
                small.push(c.upload(body, "/VZMOBILE/bench", opts).await?.fullpath());
            }
            println!("{}", serde_json::json!({"big": big, "small": small}));
        }
        "download-sink" => {
            sink(&c, arg(2)?).await?;
        }
        "download-file" => {
            let target = std::path::Path::new(arg(3)?).join("download-file.bin");
            c.download_to_path(arg(2)?, &target).await?;
            std::fs::remove_file(target)?;
        }
        "upload" => {
            let opts = UploadOptions::default().name("upload.bin");
            c.upload(std::path::PathBuf::from(arg(2)?), "/VZMOBILE/up", opts)
                .await?;
        }
        "metadata" => {
            let (path, count): (&str, usize) = (arg(2)?, arg(3)?.parse()?);
            for _ in 0..count {
                c.file_metadata(path).await?;
            }
        }
        "search" => {
            let expected: usize = arg(3)?.parse()?;
            let options = SearchOptions::default().count(100);
            let mut hits = std::pin::pin!(c.search_stream(arg(2)?, options));
            let mut n = 0;
            while let Some(hit) = hits.next().await {
                hit?;
                n += 1;
            }
            if n != expected {
                return Err(format!("{n} hits, expected {expected}").into());
            }
        }
        "fullview" => {
            // The entries as they are decoded (fullview_stream): nothing is held but a count.
            let at_least: usize = arg(2)?.parse()?;
            let mut view = c.fullview_stream(None).await?.ok_or("no fullview")?;
            let mut files = 0;
            while let Some(entry) = futures::TryStreamExt::try_next(&mut view).await? {
                if matches!(entry, verizon_pcs::FullviewEntry::File(_)) {
                    files += 1;
                }
            }
            if files < at_least {
                return Err(format!("{files} files in the fullview").into());
            }
        }
        "concurrent" => {
            let tasks: Vec<_> = args[2..]
                .iter()
                .map(|p| {
                    let (c, p) = (c.clone(), p.clone());
                    tokio::spawn(async move { sink(&c, &p).await.map_err(|e| e.to_string()) })
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
