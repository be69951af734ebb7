//! One benchmark case of `cargo xtask bench kloudless`, as a whole process, against a running
//! emulator described by INFO (its standalone JSON line, in a file).
//!
//! ```text
//! kloudless-bench seed INFO FILE SMALL_COUNT SMALL_SIZE   # prints {"big": id, "small": [ids]}
//! kloudless-bench download-sink INFO FILE_ID
//! kloudless-bench download-file INFO FILE_ID DIR
//! kloudless-bench upload INFO FILE
//! kloudless-bench metadata INFO FILE_ID COUNT
//! kloudless-bench list INFO FOLDER_ID EXPECTED      # get_paging_iterator, pages of 1,000
//! kloudless-bench list-typed INFO FOLDER_ID EXPECTED  # Account::list::<StorageObject>, the same pages
//! kloudless-bench list-lean INFO FOLDER_ID EXPECTED   # Account::list::<a user's (id, size) type>
//! kloudless-bench concurrent INFO FILE_ID...
//! kloudless-bench store-put INFO FILE         # KloudlessStore: a multipart put of FILE
//! kloudless-bench store-get INFO PATH         # KloudlessStore: PATH to a sink
//! kloudless-bench store-list INFO FOLDER_ID EXPECTED  # KloudlessStore::list under the folder
//! ```
use futures::StreamExt;
use kloudless::cloud_core::body::{save_to_path, SaveOptions};
use kloudless::{Account, Configuration, RequestOptions};
use serde_json::json;

type Res<T = ()> = Result<T, Box<dyn std::error::Error>>;

fn account(info: &str) -> Res<Account> {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(info)?)?;
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    Ok(Account::with_config(
        Some(&s("token")),
        None,
        None,
        &Configuration::with_base_url(s("base_url")),
    )?)
}

/// Reads a listing to its end: it must hold `expected` entries.
async fn expect<T>(
    mut it: impl futures::Stream<Item = kloudless::Result<T>> + Unpin,
    expected: &str,
) -> Res {
    let expected: usize = expected.parse()?;
    let mut n = 0;
    while let Some(r) = it.next().await {
        r?;
        n += 1;
    }
    if n != expected {
        return Err(format!("{n} entries, expected {expected}").into());
    }
    Ok(())
}

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

fn metadata(name: &str) -> String {
    json!({"parent_id": "root", "name": name}).to_string()
}

async fn contents(a: &Account, id: &str) -> Res<kloudless::cloud_core::body::Download> {
    let path = format!("storage/files/{id}/contents");
    Ok(a.get(&path, RequestOptions::default())
        .await?
        .into_raw()?
        .body)
}

async fn sink(a: &Account, id: &str) -> Res<u64> {
    let mut body = contents(a, id).await?;
    let mut n = 0u64;
    while let Some(chunk) = body.next().await {
        n += chunk?.len() as u64;
    }
    Ok(n)
}

async fn id_of(r: kloudless::Response) -> Res<String> {
    Ok(r.into_resource()?.data["id"]
        .as_str()
        .ok_or("no id")?
        .to_owned())
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
    let a = account(arg(1)?)?;
    let upload =
        |name: String| RequestOptions::default().header("X-Kloudless-Metadata", metadata(&name));
    match arg(0)? {
        "seed" => {
            let opts = upload("big.bin".into()).file(arg(2)?);
            let big = id_of(a.post("storage/files", opts).await?).await?;
            let (count, size): (usize, usize) = (arg(3)?.parse()?, arg(4)?.parse()?);
            let mut small = Vec::new();
            for i in 0..count {
                let opts = upload(format!("small-{i:03}.bin")).data(vec![(i % 251) as u8; size]);
                small.push(id_of(a.post("storage/files", opts).await?).await?);
            }
            println!("{}", json!({"big": big, "small": small}));
        }
        "download-sink" => {
            sink(&a, arg(2)?).await?;
        }
        "download-file" => {
            let target = std::path::Path::new(arg(3)?).join("download-file.bin");
            save_to_path(
                contents(&a, arg(2)?).await?,
                &target,
                &SaveOptions::default(),
            )
            .await?;
            std::fs::remove_file(target)?;
        }
        "upload" => {
            let opts = upload("upload.bin".into())
                .file(arg(2)?)
                .param("overwrite", "true");
            a.post("storage/files", opts).await?;
        }
        "metadata" => {
            let (id, count): (&str, usize) = (arg(2)?, arg(3)?.parse()?);
            for _ in 0..count {
                a.get(&format!("storage/files/{id}"), RequestOptions::default())
                    .await?;
            }
        }
        "list" => {
            let first = a
                .get(
                    &format!("storage/folders/{}/contents", arg(2)?),
                    RequestOptions::default().param("page_size", 1000),
                )
                .await?
                .into_list()?;
            expect(first.get_paging_iterator(None), arg(3)?).await?;
        }
        "list-typed" => {
            let it = a.list::<kloudless::models::StorageObject>(
                &format!("storage/folders/{}/contents", arg(2)?),
                RequestOptions::default().param("page_size", 1000),
            );
            expect(it, arg(3)?).await?;
        }
        "list-lean" => {
            /// A user's own model of the two fields they need: the rest is skipped unread.
            #[derive(serde::Deserialize)]
            #[allow(dead_code)]
            struct Lean {
                id: String,
                size: Option<u64>,
            }
            let it = a.list::<Lean>(
                &format!("storage/folders/{}/contents", arg(2)?),
                RequestOptions::default().param("page_size", 1000),
            );
            expect(it, arg(3)?).await?;
        }
        "concurrent" => {
            let tasks: Vec<_> = args[2..]
                .iter()
                .map(|id| {
                    let (a, id) = (a.clone(), id.clone());
                    tokio::spawn(async move { sink(&a, &id).await.map_err(|e| e.to_string()) })
                })
                .collect();
            for t in tasks {
                t.await??;
            }
        }
        "store-put" => {
            let store = kloudless::store::KloudlessStore::new(a);
            let to = object_store::path::Path::from("store-upload.bin");
            kloudless::cloud_core::store::put_file(&store, &to, arg(2)?.as_ref(), 8 << 20, 4)
                .await?;
        }
        "store-get" => {
            store_get(&kloudless::store::KloudlessStore::new(a), arg(2)?).await?;
        }
        "store-list" => {
            let folder: kloudless::models::Folder = a
                .get(
                    &format!("storage/folders/{}", arg(2)?),
                    RequestOptions::default(),
                )
                .await?
                .decode()?;
            let name = folder.name.unwrap_or_default();
            store_list(&kloudless::store::KloudlessStore::new(a), &name, arg(3)?).await?;
        }
        other => return Err(format!("unknown case {other}").into()),
    }
    Ok(())
}
