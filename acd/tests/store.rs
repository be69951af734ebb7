//! `AcdStore` against the emulator: object_store's own conformance functions
//! (`object_store::integration`, a fresh emulator for each, held to
//! `.ci/store-exceptions.txt`), then the store's own behaviours.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use acd::emulator::Emulator;
use acd::store::AcdStore;
use acd::{AcdClient, AcdOptions};

async fn store() -> ((Emulator, tempfile::TempDir), AcdStore) {
    let emu = Emulator::start().await.expect("emulator");
    let dir = tempfile::tempdir().expect("dir");
    emu.write_cache(dir.path()).expect("cache");
    let client = AcdClient::new(
        dir.path(),
        dir.path(),
        AcdOptions::default()
            .base_url(&emu.base_url())
            .pacing(acd::Pacing::Off),
    )
    .await
    .expect("client");
    ((emu, dir), AcdStore::new(client))
}

cloud_core::conformance_tests!(
    crate = "acd",
    exceptions = concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/store-exceptions.txt"),
    store = store().await,
);

use object_store::{path::Path, ObjectStoreExt};

#[tokio::test]
async fn names_that_differ_in_case_collide_and_are_refused() {
    let (_guard, store) = store().await;
    store
        .put(&Path::from("Dir/a.txt"), "lower".into())
        .await
        .unwrap();
    let err = store
        .put(&Path::from("Dir/A.txt"), "upper".into())
        .await
        .unwrap_err();
    assert!(
        matches!(err, object_store::Error::AlreadyExists { .. }),
        "{err}"
    );
    assert!(matches!(
        store.head(&Path::from("Dir/A.TXT")).await,
        Err(object_store::Error::NotFound { .. })
    ));
    assert_eq!(
        store
            .get(&Path::from("Dir/a.txt"))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .as_ref(),
        b"lower"
    );
    // Nor can a folder be made beside one whose name differs only in case.
    store
        .put(&Path::from("dir/b.txt"), "b".into())
        .await
        .unwrap_err();
}

#[tokio::test]
async fn delete_moves_to_the_trash() {
    let (_guard, store) = store().await;
    let p = Path::from("t/old.txt");
    store.put(&p, "bye".into()).await.unwrap();
    store.delete(&p).await.unwrap();
    assert!(store.head(&p).await.is_err());
    let trash = store.tree().backend().client().list_trash().await.unwrap();
    assert!(trash.iter().any(|n| n.name.as_deref() == Some("old.txt")));
    // The name is free again.
    store.put(&p, "again".into()).await.unwrap();
    assert_eq!(
        store.get(&p).await.unwrap().bytes().await.unwrap().as_ref(),
        b"again"
    );
}
