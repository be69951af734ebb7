//! `OrangeStore` against the emulator: object_store's own conformance functions
//! (`object_store::integration`, a fresh emulator for each, held to
//! `.ci/store-exceptions.txt`), then the store's own behaviours.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use orange_cloud::emulator::Emulator;
use orange_cloud::store::OrangeStore;
use orange_cloud::{ApiManager, ApiManagerOptions};

async fn store() -> (Emulator, OrangeStore) {
    let emu = Emulator::start().await.expect("emulator");
    let api = ApiManager::new(
        emu.client_id(),
        emu.client_secret(),
        emu.redirect_uri(),
        ApiManagerOptions::default().base_url(&emu.base_url()),
    )
    .expect("manager");
    api.init_with_token(emu.issue_token().refresh_token.expose())
        .await
        .expect("signed in");
    (emu, OrangeStore::new(api))
}

cloud_core::conformance_tests!(
    crate = "orange-cloud",
    exceptions = concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/store-exceptions.txt"),
    store = store().await,
);

use object_store::{path::Path, ObjectStoreExt};

#[tokio::test]
async fn a_folder_renamed_behind_the_store_is_looked_up_again() {
    let (_emu, store) = store().await;
    let p = Path::from("albums/2026/a.jpg");
    store.put(&p, "one".into()).await.unwrap();
    // Rename the folder with the crate's own call: its id (and its children's) change.
    let api = store.tree().backend().api().clone();
    let root = api
        .folders()
        .get(None, orange_cloud::FolderQuery::default())
        .await
        .unwrap();
    let albums = root
        .subfolders
        .iter()
        .find(|f| f.name == "albums")
        .unwrap()
        .id
        .clone();
    api.folders().rename(&albums, "photos").await.unwrap();
    assert!(matches!(
        store.head(&p).await,
        Err(object_store::Error::NotFound { .. })
    ));
    assert_eq!(
        store
            .get(&Path::from("photos/2026/a.jpg"))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .as_ref(),
        b"one"
    );
    store.put(&p, "two".into()).await.unwrap();
    assert_eq!(
        store.get(&p).await.unwrap().bytes().await.unwrap().as_ref(),
        b"two"
    );
}
