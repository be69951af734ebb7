//! One benchmark case of `cargo xtask bench orange-cloud`, as a whole process, against a
//! running emulator described by INFO (its standalone JSON line, in a file).
//!
//! ```text
//! orange-cloud-bench seed INFO FILE SMALL_COUNT SMALL_SIZE   # prints {"big": id, "small": [ids]}
//! orange-cloud-bench download-sink INFO FILE_ID
//! orange-cloud-bench download-file INFO FILE_ID DIR
//! orange-cloud-bench upload INFO FILE
//! orange-cloud-bench metadata INFO FILE_ID COUNT
//! orange-cloud-bench list INFO FOLDER_ID EXPECTED   # get_pages, pages of 1,000
//! orange-cloud-bench concurrent INFO FILE_ID...
//! ```
use futures::StreamExt;
use orange_cloud::{ApiManager, ApiManagerOptions, FolderQuery, UploadOptions};

type Res<T = ()> = Result<T, Box<dyn std::error::Error>>;

async fn manager(info: &str) -> Res<ApiManager> {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(info)?)?;
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    let m = ApiManager::new(
        &s("client_id"),
        s("client_secret"),
        &s("redirect_uri"),
        ApiManagerOptions::default().base_url(&s("base_url")),
    )?;
    m.init_with_token(&s("refresh_token")).await?;
    Ok(m)
}

async fn url_of(m: &ApiManager, id: &str) -> Res<String> {
    Ok(m.files()
        .get(id)
        .await?
        .download_url
        .ok_or("no downloadUrl")?)
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
    let m = manager(arg(1)?).await?;
    match arg(0)? {
        "seed" => {
            let big = m.files().upload(arg(2)?, None).await?.file_id;
            let (count, size): (usize, usize) = (arg(3)?.parse()?, arg(4)?.parse()?);
            let mut small = Vec::new();
            for i in 0..count {
                let opts = UploadOptions::default().name(format!("small-{i:03}.bin"));
                small.push(
                    m.files()
                        .upload_with(vec![(i % 251) as u8; size], None, opts)
                        .await?
                        .file_id,
                );
            }
            println!("{}", serde_json::json!({"big": big, "small": small}));
        }
        "download-sink" => {
            let url = url_of(&m, arg(2)?).await?;
            m.files().download_to(&url, &mut tokio::io::sink()).await?;
        }
        "download-file" => {
            let url = url_of(&m, arg(2)?).await?;
            let target = std::path::Path::new(arg(3)?).join("download-file.bin");
            m.files().download(&url, &target).await?;
            std::fs::remove_file(target)?;
        }
        "upload" => {
            m.files().upload(arg(2)?, None).await?;
        }
        "metadata" => {
            let (id, count): (&str, usize) = (arg(2)?, arg(3)?.parse()?);
            for _ in 0..count {
                m.files().get(id).await?;
            }
        }
        "list" => {
            let expected: usize = arg(3)?.parse()?;
            let folders = m.folders();
            let mut pages =
                std::pin::pin!(folders.get_pages(Some(arg(2)?), FolderQuery::default(), 1000)?);
            let mut n = 0;
            while let Some(page) = pages.next().await {
                n += page?.files.len();
            }
            if n != expected {
                return Err(format!("{n} entries, expected {expected}").into());
            }
        }
        "concurrent" => {
            let mut urls = Vec::new();
            for id in &args[2..] {
                urls.push(url_of(&m, id).await?);
            }
            let tasks: Vec<_> = urls
                .into_iter()
                .map(|u| {
                    let m = m.clone();
                    tokio::spawn(
                        async move { m.files().download_to(&u, &mut tokio::io::sink()).await },
                    )
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
