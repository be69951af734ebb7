//! One benchmark case of `cargo xtask bench smartfile`, as a whole process, against a running
//! emulator described by INFO (its standalone JSON line, in a file).
//!
//! ```text
//! smartfile-bench seed INFO FILE SMALL_COUNT SMALL_SIZE   # prints {"big": path, "small": [paths]}
//! smartfile-bench download-sink INFO PATH
//! smartfile-bench download-file INFO PATH DIR
//! smartfile-bench upload INFO FILE
//! smartfile-bench metadata INFO PATH COUNT
//! smartfile-bench list INFO FOLDER EXPECTED      # children_stream, pages of 1,000
//! smartfile-bench list-typed INFO FOLDER EXPECTED  # children (PathInfo, a page ahead)
//! smartfile-bench concurrent INFO PATH...
//! smartfile-bench store-put INFO FILE         # SmartFileStore: a multipart put of FILE
//! smartfile-bench store-get INFO PATH         # SmartFileStore: PATH to a sink
//! smartfile-bench store-list INFO FOLDER EXPECTED  # SmartFileStore::list under the folder
//! ```
use futures::StreamExt;
use smartfile::{BasicClient, BasicOptions, Client, DownloadOptions, FilePart, Params};

type Res<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// `store-get`: PATH read through the store to a sink.
async fn store_get(store: &dyn object_store::ObjectStore, path: &str) -> Res {
    use object_store::ObjectStoreExt;
    let mut body = store
        .get(&object_store::path::Path::from(path))
        .await?
        .into_stream();
    let mut n = 0u64;
    while let Some(c) = body.next().await {
        n += c?.len() as u64;
    }
    std::hint::black_box(n);
    Ok(())
}

/// `store-list`: every object under PREFIX listed through the store; EXPECTED of them.
async fn store_list(store: &dyn object_store::ObjectStore, prefix: &str, expected: &str) -> Res {
    let expected: usize = expected.parse()?;
    let n = store
        .list(Some(&object_store::path::Path::from(prefix)))
        .count()
        .await;
    if n != expected {
        return Err(format!("{n} objects, expected {expected}").into());
    }
    Ok(())
}

/// Reads a listing to its end: it must hold `expected` entries.
async fn expect<T>(it: impl futures::Stream<Item = smartfile::Result<T>>, expected: &str) -> Res {
    let expected: usize = expected.parse()?;
    let mut it = std::pin::pin!(it);
    let mut n = 0;
    while let Some(child) = it.next().await {
        child?;
        n += 1;
    }
    if n != expected {
        return Err(format!("{n} entries, expected {expected}").into());
    }
    Ok(())
}

fn client(info: &str) -> Res<BasicClient> {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(info)?)?;
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    Ok(BasicClient::new(
        Some(&s("key")),
        Some(&s("password")),
        BasicOptions::default().url(s("base_url")),
    )?)
}

async fn sink(api: &Client, path: &str) -> Res<u64> {
    let mut body = api.download_stream(path).await?;
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
    let api = client(arg(1)?)?;
    match arg(0)? {
        "seed" => {
            api.upload("big.bin", std::path::PathBuf::from(arg(2)?))
                .await?;
            let (count, size): (usize, usize) = (arg(3)?.parse()?, arg(4)?.parse()?);
            let mut small = Vec::new();
            for i in 0..count {
                let name = format!("small-{i:03}.bin");
                api.upload_part(FilePart::bytes(&name, vec![(i % 251) as u8; size]))
                    .await?;
                small.push(format!("/{name}"));
            }
            println!("{}", serde_json::json!({"big": "/big.bin", "small": small}));
        }
        "download-sink" => {
            sink(api.as_client(), arg(2)?).await?;
        }
        "download-file" => {
            let target = std::path::Path::new(arg(3)?).join("download-file.bin");
            api.download(
                arg(2)?,
                DownloadOptions::default().download_to_path(&target),
            )
            .await?;
            std::fs::remove_file(target)?;
        }
        "upload" => {
            api.upload("upload.bin", std::path::PathBuf::from(arg(2)?))
                .await?;
        }
        "metadata" => {
            let (path, count): (&str, usize) = (arg(2)?, arg(3)?.parse()?);
            for _ in 0..count {
                api.get("/path/info", path, Params::new()).await?;
            }
        }
        "list" => {
            expect(api.children_stream(arg(2)?, 1000)?, arg(3)?).await?;
        }
        "list-typed" => {
            expect(api.children(arg(2)?, 1000)?, arg(3)?).await?;
        }
        "store-put" => {
            let store = smartfile::store::SmartFileStore::new(api.as_client().clone());
            let to = object_store::path::Path::from("store-upload.bin");
            smartfile::cloud_core::store::put_file(&store, &to, arg(2)?.as_ref(), 8 << 20, 4)
                .await?;
        }
        "store-get" => {
            let store = smartfile::store::SmartFileStore::new(api.as_client().clone());
            store_get(&store, arg(2)?.trim_start_matches('/')).await?;
        }
        "store-list" => {
            let store = smartfile::store::SmartFileStore::new(api.as_client().clone());
            store_list(&store, arg(2)?.trim_matches('/'), arg(3)?).await?;
        }
        "concurrent" => {
            let tasks: Vec<_> = args[2..]
                .iter()
                .map(|p| {
                    let (api, p) = (api.as_client().clone(), p.clone());
                    tokio::spawn(async move { sink(&api, &p).await.map_err(|e| e.to_string()) })
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
