//! `VerizonStore` against the emulator: object_store's own conformance functions
//! (`object_store::integration`, a fresh emulator for each, held to
//! `.ci/store-exceptions.txt`), then the store's own behaviours.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use verizon_pcs::emulator::Emulator;
use verizon_pcs::store::VerizonStore;
use verizon_pcs::{Cloud, CloudOptions};

async fn store() -> (Emulator, VerizonStore) {
    let emu = Emulator::start().await.expect("emulator");
    let t = emu.issue_token();
    let cloud = Cloud::new(
        emu.client_key(),
        emu.client_secret(),
        emu.callback_url(),
        CloudOptions::default()
            .base_url(emu.api_cloud())
            .access_token(t.access_token)
            .refresh_token(t.refresh_token),
    )
    .expect("client");
    let store = VerizonStore::new(cloud, "/VZMOBILE").expect("store");
    (emu, store)
}

cloud_core::conformance_tests!(
    crate = "verizon-pcs",
    exceptions = concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/store-exceptions.txt"),
    store = store().await,
);

use object_store::{path::Path, ObjectStoreExt};

#[tokio::test]
async fn the_root_of_the_account_is_refused_before_any_request() {
    let (emu, _) = store().await;
    let t = emu.issue_token();
    let cloud = Cloud::new(
        emu.client_key(),
        emu.client_secret(),
        emu.callback_url(),
        CloudOptions::default()
            .base_url(emu.api_cloud())
            .access_token(t.access_token),
    )
    .unwrap();
    emu.log().clear();
    let err = VerizonStore::new(cloud, "/").unwrap_err();
    assert!(err.to_string().contains("root"), "{err}");
    assert!(emu.log().entries().is_empty());
}

#[tokio::test]
async fn the_etag_is_the_content_sha256_and_delete_is_permanent() {
    let (emu, store) = store().await;
    let p = Path::from("t/a.txt");
    let put = store.put(&p, "hello".into()).await.unwrap();
    assert_eq!(
        put.e_tag.as_deref(),
        Some("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
    );
    store.delete(&p).await.unwrap();
    emu.log().clear();
    assert!(store.head(&p).await.is_err());
    let cloud = store.tree().backend().cloud().clone();
    assert!(
        cloud.trash().await.unwrap().files.is_empty(),
        "purged, not trashed"
    );
}
