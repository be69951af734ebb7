//! `SmartFileStore` against the emulator: object_store's own conformance functions
//! (`object_store::integration`, a fresh emulator for each, held to
//! `.ci/store-exceptions.txt`), then the store's own behaviours.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use smartfile::emulator::Emulator;
use smartfile::store::SmartFileStore;
use smartfile::{BasicClient, BasicOptions};

async fn store() -> (Emulator, SmartFileStore) {
    let emu = Emulator::start().await.expect("emulator");
    let api = BasicClient::new(
        Some(emu.key()),
        Some(emu.password()),
        BasicOptions::default().url(emu.base_url()),
    )
    .expect("client");
    let store = SmartFileStore::new(api.as_client().clone());
    (emu, store)
}

cloud_core::conformance_tests!(
    crate = "smartfile",
    exceptions = concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/store-exceptions.txt"),
    store = store().await,
);

use cloud_core::emulator::Route;
use object_store::{path::Path, ObjectStoreExt};

#[tokio::test]
async fn a_cut_download_is_an_error_never_a_short_object() {
    let (emu, store) = store().await;
    let p = Path::from("cut/body.bin");
    store.put(&p, vec![5u8; 100_000].into()).await.unwrap();
    emu.faults()
        .drop_response_after(1, Route::any().path("/api/2/path/data/cut"), 1000);
    let got = match store.get(&p).await {
        Ok(r) => r.bytes().await,
        Err(e) => Err(e),
    };
    assert!(
        got.is_err(),
        "a body cut after 1000 bytes must not read as an object"
    );
    // The next read is whole.
    assert_eq!(
        store.get(&p).await.unwrap().bytes().await.unwrap().len(),
        100_000
    );
}

#[tokio::test]
async fn a_ranged_read_sends_one_bounded_range() {
    let (emu, store) = store().await;
    let p = Path::from("r/data.bin");
    let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    store.put(&p, data.clone().into()).await.unwrap();
    emu.log().clear();
    let got = store.get_range(&p, 100..300).await.unwrap();
    assert_eq!(&got[..], &data[100..300]);
    let gets: Vec<_> = emu
        .log()
        .entries()
        .into_iter()
        .filter(|e| e.path.starts_with("/api/2/path/data/"))
        .collect();
    assert_eq!(gets.len(), 1);
    assert_eq!(gets[0].header("range"), Some("bytes=100-299"));
}

#[tokio::test]
async fn put_file_sends_a_local_file_in_bounded_parts() {
    let (_emu, store) = store().await;
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("disk.img");
    let data: Vec<u8> = (0..(20u32 << 20)).map(|i| (i % 253) as u8).collect();
    std::fs::write(&local, &data).unwrap();
    let p = Path::from("backups/disk.img");
    let sent = cloud_core::store::put_file(&store, &p, &local, 4 << 20, 2)
        .await
        .unwrap();
    assert_eq!(sent, data.len() as u64);
    let back = store.get(&p).await.unwrap().bytes().await.unwrap();
    assert!(back == data, "the file reads back as sent");
    let missing =
        cloud_core::store::put_file(&store, &p, &dir.path().join("nope"), 1 << 20, 1).await;
    assert!(missing.is_err(), "a missing local file is an error");
    assert_eq!(
        store.get(&p).await.unwrap().bytes().await.unwrap().len(),
        data.len(),
        "and leaves the object as it was"
    );
}
