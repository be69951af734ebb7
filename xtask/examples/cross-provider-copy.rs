//! A folder tree copied from one provider to another through `dyn ObjectStore` alone: here
//! from SmartFile's emulator to Kloudless's, but `copy_tree` takes any two stores (any of
//! the five crates', S3's, a local file system's...). Bodies stream through in 5 MiB parts,
//! so a file of any size is copied in bounded memory; progress is printed per file.
//!
//! `cargo run -p xtask --example cross-provider-copy`
use std::sync::Arc;

use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};

/// Copies every object under `prefix` from `from` to `to` (same paths); returns the files
/// and bytes copied.
async fn copy_tree(
    from: &dyn ObjectStore,
    to: &dyn ObjectStore,
    prefix: &Path,
) -> object_store::Result<(usize, u64)> {
    let objects: Vec<_> = from.list(Some(prefix)).try_collect().await?;
    let total: u64 = objects.iter().map(|o| o.size).sum();
    let (mut files, mut bytes) = (0, 0u64);
    for meta in objects {
        let mut body = from.get(&meta.location).await?.into_stream();
        let mut out = WriteMultipart::new(to.put_multipart(&meta.location).await?);
        while let Some(chunk) = body.try_next().await? {
            // At most 4 parts in flight: memory stays bounded whatever the file's size.
            out.wait_for_capacity(4).await?;
            out.write(&chunk);
        }
        out.finish().await?;
        files += 1;
        bytes += meta.size;
        println!(
            "  [{files:>2}] {} ({} bytes; {bytes} of {total} bytes copied)",
            meta.location, meta.size
        );
    }
    Ok((files, bytes))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sf_emu = smartfile::emulator::Emulator::start().await?;
    let api = smartfile::BasicClient::new(
        Some(sf_emu.key()),
        Some(sf_emu.password()),
        smartfile::BasicOptions::default().url(sf_emu.base_url()),
    )?;
    let from: Arc<dyn ObjectStore> = Arc::new(smartfile::store::SmartFileStore::new(
        api.as_client().clone(),
    ));

    let kl_emu = kloudless::emulator::Emulator::start().await?;
    let account = kloudless::Account::with_config(
        Some(kl_emu.token()),
        None,
        None,
        &kloudless::Configuration::with_base_url(kl_emu.base_url()),
    )?;
    let to: Arc<dyn ObjectStore> = Arc::new(kloudless::store::KloudlessStore::new(account));

    // A tree on SmartFile: nested folders, awkward names, one file of 12 MiB.
    let prefix = Path::from("projects");
    let mut seeded = Vec::new();
    for (name, size) in [
        ("projects/a/readme.txt", 100usize),
        ("projects/a/b/data #1.csv", 4096),
        ("projects/a/b/c/été 🎉.json", 20),
        ("projects/big.bin", 12 << 20),
    ] {
        let path = Path::parse(name)?;
        let body: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        from.put(&path, body.into()).await?;
        seeded.push(path);
    }
    println!("copying {from} -> {to}");
    let (files, bytes) = copy_tree(from.as_ref(), to.as_ref(), &prefix).await?;

    // Both sides list the same paths and sizes.
    let mut a: Vec<_> = from
        .list(Some(&prefix))
        .map_ok(|m| (m.location, m.size))
        .try_collect()
        .await?;
    let mut b: Vec<_> = to
        .list(Some(&prefix))
        .map_ok(|m| (m.location, m.size))
        .try_collect()
        .await?;
    a.sort();
    b.sort();
    assert_eq!(a, b, "the copy lists as the source");
    assert_eq!(files, seeded.len());
    println!("copied {files} files, {bytes} bytes; both stores list the same tree");
    Ok(())
}
