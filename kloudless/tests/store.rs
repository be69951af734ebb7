//! `KloudlessStore` against the emulator: object_store's own conformance functions
//! (`object_store::integration`, a fresh emulator for each, held to
//! `.ci/store-exceptions.txt`), then the store's own behaviours.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kloudless::emulator::Emulator;
use kloudless::store::KloudlessStore;
use kloudless::{Account, Configuration};

async fn store() -> (Emulator, KloudlessStore) {
    let emu = Emulator::start().await.expect("emulator");
    let account = Account::with_config(
        Some(emu.token()),
        None,
        None,
        &Configuration::with_base_url(emu.base_url()),
    )
    .expect("account");
    (emu, KloudlessStore::new(account))
}

cloud_core::conformance_tests!(
    crate = "kloudless",
    exceptions = concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/store-exceptions.txt"),
    store = store().await,
);

use object_store::{path::Path, ObjectStoreExt};

#[tokio::test]
async fn multipart_puts_use_kloudless_multipart_sessions() {
    let (emu, store) = store().await;
    let p = Path::from("mp/big.bin");
    let mut up = store.put_multipart(&p).await.unwrap();
    up.put_part(vec![1u8; 5 << 20].into()).await.unwrap();
    up.put_part(vec![2u8; 1000].into()).await.unwrap();
    up.complete().await.unwrap();
    assert_eq!(store.head(&p).await.unwrap().size, (5 << 20) + 1000);
    let puts = emu
        .log()
        .entries()
        .into_iter()
        .filter(|e| e.method == "PUT" && e.path.contains("/storage/multipart/"))
        .count();
    assert_eq!(puts, 2, "each part went as its own PUT");
    assert_eq!(
        emu.log()
            .count_prefix("POST", "/v1/accounts/me/storage/files"),
        0
    );
}

#[tokio::test]
async fn a_folder_deleted_behind_the_store_is_looked_up_again() {
    let (_emu, store) = store().await;
    let p = Path::from("gone/later/a.txt");
    store.put(&p, "one".into()).await.unwrap();
    // Delete the folder with the crate's own call: the store's cached id goes stale.
    let account = store.tree().backend().account().clone();
    let root: Vec<kloudless::models::StorageObject> =
        futures::TryStreamExt::try_collect(account.list(
            "storage/folders/root/contents",
            kloudless::RequestOptions::default(),
        ))
        .await
        .unwrap();
    let gone = root
        .iter()
        .find(|o| o.name() == Some("gone"))
        .unwrap()
        .id()
        .to_owned();
    account
        .delete(
            &format!("storage/folders/{gone}"),
            kloudless::RequestOptions::default().param("recursive", true),
        )
        .await
        .unwrap();
    assert!(matches!(
        store.head(&p).await,
        Err(object_store::Error::NotFound { .. })
    ));
    store.put(&p, "two".into()).await.unwrap();
    assert_eq!(
        store.get(&p).await.unwrap().bytes().await.unwrap().as_ref(),
        b"two"
    );
}
