//! Behaviour tests: whole workflows against the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use cloud_core::emulator::{Fault, Route};
use futures::TryStreamExt;
use http::Method;
use sha2::{Digest, Sha256};
use verizon_pcs::emulator::{Emulator, EmulatorConfig};
use verizon_pcs::error::messages;
use verizon_pcs::{
    Cloud, CloudOptions, DownloadOptions, Error, FileOpOptions, Item, SearchOptions, Token,
    UploadOptions,
};

fn cloud_for(emu: &Emulator, options: CloudOptions) -> Cloud {
    Cloud::new(
        emu.client_key(),
        emu.client_secret(),
        emu.callback_url(),
        options.base_url(emu.api_cloud()),
    )
    .unwrap()
}

fn authed(emu: &Emulator) -> Cloud {
    let t = emu.issue_token();
    cloud_for(
        emu,
        CloudOptions::default()
            .access_token(t.access_token)
            .refresh_token(t.refresh_token),
    )
}

async fn put(cloud: &Cloud, folder: &str, name: &str, data: &[u8]) -> verizon_pcs::CloudFile {
    cloud
        .upload(data.to_vec(), folder, UploadOptions::default().name(name))
        .await
        .unwrap()
}

fn sha(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

#[tokio::test]
async fn authorization_code_flow() {
    let emu = Emulator::start().await.unwrap();
    let calls = Arc::new(AtomicU64::new(0));
    let c = Arc::clone(&calls);
    let cloud = cloud_for(
        &emu,
        CloudOptions::default().on_refreshed(move |_| {
            c.fetch_add(1, Ordering::SeqCst);
        }),
    );
    assert!(!cloud.authenticated());
    // Not authenticated: fullview answers None without any request.
    assert!(cloud.fullview(None).await.unwrap().is_none());
    assert!(emu.log().entries().is_empty());
    let code = emu.approve(&cloud.authorize_url()).await.unwrap();
    let token = cloud.token(&code).await.unwrap();
    assert!(cloud.authenticated());
    assert_eq!(cloud.access_token(), Some(token.access_token.clone()));
    assert_eq!(token.expires_in, Some(3600));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "token() does not call on_refreshed"
    );
    // A code is single-use: a 400 is `Could not get access tokens please reauthenticate`.
    let err = cloud.token(&code).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }));
    assert_eq!(err.to_string(), messages::TOKEN);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    // An explicit refresh calls on_refreshed once and rotates the refresh token.
    let new = cloud.refresh().await.unwrap();
    assert_ne!(new.refresh_token, token.refresh_token);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let account = cloud.account().await.unwrap();
    assert_eq!(account.usage.quota, 256 << 30);
    // The old refresh token was retired by the rotation.
    let stale = cloud_for(
        &emu,
        CloudOptions::default()
            .access_token("x")
            .refresh_token(token.refresh_token),
    );
    let err = stale.refresh().await.unwrap_err();
    assert_eq!(err.to_string(), messages::REFRESH);
    // No refresh token at all: a ValueError before any request.
    let bare = cloud_for(&emu, CloudOptions::default().access_token("x"));
    assert!(matches!(
        bare.refresh().await.unwrap_err(),
        Error::InvalidInput(_)
    ));
}

#[tokio::test]
async fn token_expiring_between_calls_is_refreshed_once() {
    let emu = Emulator::start().await.unwrap();
    let seen: Arc<Mutex<Vec<Token>>> = Arc::default();
    let s = Arc::clone(&seen);
    let t = emu.issue_token();
    let cloud = cloud_for(
        &emu,
        CloudOptions::default()
            .access_token(t.access_token.clone())
            .refresh_token(t.refresh_token.clone())
            .on_refreshed(move |tok| s.lock().unwrap().push(tok.clone())),
    );
    cloud.account().await.unwrap();
    emu.expire_tokens();
    cloud.account().await.unwrap();
    assert_eq!(cloud.refresh_count(), 1);
    assert_eq!(emu.oauth().refresh_count(), 1);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(Some(seen[0].access_token.clone()), cloud.access_token());
    assert_ne!(seen[0].access_token, t.access_token);
    // Requests: account (401), token, account replay... plus the first account.
    assert_eq!(emu.log().count("GET", "/cloud/1/account"), 3);
    assert_eq!(emu.log().count("POST", "/cloud/1/oauth2/token"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_calls_across_an_expiry_cause_one_refresh() {
    let emu = Emulator::start().await.unwrap();
    let calls = Arc::new(AtomicU64::new(0));
    let c = Arc::clone(&calls);
    let t = emu.issue_token();
    let cloud = cloud_for(
        &emu,
        CloudOptions::default()
            .access_token(t.access_token)
            .refresh_token(t.refresh_token)
            .on_refreshed(move |_| {
                c.fetch_add(1, Ordering::SeqCst);
            }),
    );
    emu.expire_tokens();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let cloud = cloud.clone();
            tokio::spawn(async move { cloud.metadata("/").await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().folders.len(), 3);
    }
    assert_eq!(emu.oauth().refresh_count(), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn refresh_failure_and_second_401_are_unauthorized() {
    let emu = Emulator::start().await.unwrap();
    let cloud = authed(&emu);
    // A token endpoint that answers 500: the refresh grant is sent once, never again (refresh
    // tokens rotate: a second grant could log the user out); the call fails, the next
    // call refreshes.
    emu.expire_tokens();
    emu.faults()
        .fail_next(1, Route::any().exact("/cloud/1/oauth2/token"), 500, None);
    let err = cloud.account().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    assert_eq!(emu.log().count("POST", "/cloud/1/oauth2/token"), 1);
    assert_eq!(emu.oauth().refresh_count(), 0);
    cloud.account().await.unwrap();
    assert_eq!(emu.oauth().refresh_count(), 1);
    // A refresh refused (400): the call is `Unauthorized request`, carrying the refresh
    // response.
    emu.expire_tokens();
    emu.faults()
        .fail_next(10, Route::any().exact("/cloud/1/oauth2/token"), 400, None);
    let err = cloud.account().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }));
    assert_eq!(err.to_string(), messages::UNAUTHORIZED);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    emu.faults().clear();
    // A 401 on the replay too: `Unauthorized request`.
    emu.expire_tokens();
    emu.faults()
        .fail_next(2, Route::any().exact("/cloud/1/account"), 401, None);
    let err = cloud.account().await.unwrap_err();
    assert_eq!(err.to_string(), messages::UNAUTHORIZED);
    // A 5xx on the first attempt never refreshes.
    let before = emu.oauth().refresh_count();
    emu.faults()
        .fail_next(4, Route::any().exact("/cloud/1/account"), 503, None);
    let err = cloud.account().await.unwrap_err();
    assert_eq!(err.to_string(), messages::SERVICE_UNAVAILABLE);
    assert_eq!(emu.oauth().refresh_count(), before);
}

#[tokio::test]
async fn fullview_deltas_are_exactly_the_changes() {
    let emu = Emulator::start().await.unwrap();
    let cloud = authed(&emu);
    put(&cloud, "/VZMOBILE/Trips", "a.jpg", b"aaa").await;
    put(&cloud, "/VZMOBILE/Trips", "b.jpg", b"bbb").await;
    cloud.create_folder("/VZMOBILE", "Empty").await.unwrap();
    let full = cloud.fullview(None).await.unwrap().unwrap();
    let mut names: Vec<String> = full.files.iter().map(|f| f.fullpath()).collect();
    names.sort();
    assert_eq!(names, ["/VZMOBILE/Trips/a.jpg", "/VZMOBILE/Trips/b.jpg"]);
    let mut empty: Vec<String> = full.empty_folders.iter().map(|f| f.fullpath()).collect();
    empty.sort();
    assert_eq!(empty, ["/MyComputer", "/VZMOBILE/Empty", "/VZWEB"]);
    assert!(full.deleted.is_empty());
    let e1 = full.etag.clone();
    // Nothing changed: 412, empty lists and the same etag.
    let same = cloud.fullview(Some(&e1)).await.unwrap().unwrap();
    assert!(same.files.is_empty() && same.empty_folders.is_empty() && same.deleted.is_empty());
    assert_eq!(same.etag, e1);
    // Changes: an upload, a move, a purge, a replaced file.
    put(&cloud, "/VZMOBILE/Trips", "c.jpg", b"ccc").await;
    cloud
        .r#move(
            "/VZMOBILE/Trips/a.jpg",
            "/VZMOBILE/Empty",
            FileOpOptions::default(),
        )
        .await
        .unwrap();
    cloud.delete("/VZMOBILE/Trips/b.jpg", true).await.unwrap();
    let delta = cloud.fullview(Some(&e1)).await.unwrap().unwrap();
    let mut changed: Vec<String> = delta.files.iter().map(|f| f.fullpath()).collect();
    changed.sort();
    assert_eq!(changed, ["/VZMOBILE/Empty/a.jpg", "/VZMOBILE/Trips/c.jpg"]);
    let mut deleted = delta.deleted.clone();
    deleted.sort();
    assert_eq!(deleted, ["/VZMOBILE/Trips/a.jpg", "/VZMOBILE/Trips/b.jpg"]);
    // /VZMOBILE/Empty is no longer empty: not listed.
    assert!(delta.empty_folders.is_empty());
    assert_ne!(delta.etag, e1);
    let after = cloud.fullview(Some(&delta.etag)).await.unwrap().unwrap();
    assert_eq!(after.etag, delta.etag);
}

#[tokio::test]
async fn stale_or_garbage_etag_is_out_of_sync() {
    let emu = Emulator::start_with(EmulatorConfig::default().journal_window(5))
        .await
        .unwrap();
    let cloud = authed(&emu);
    let e0 = cloud.fullview(None).await.unwrap().unwrap().etag;
    for i in 0..6 {
        put(&cloud, "/VZMOBILE", &format!("f{i}.txt"), b"x").await;
    }
    let err = cloud.fullview(Some(&e0)).await.unwrap_err();
    assert!(matches!(err, Error::OutOfSync { .. }), "{err:?}");
    assert_eq!(err.to_string(), messages::OUT_OF_SYNC);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(205));
    assert!(matches!(
        cloud.fullview(Some("garbage")).await.unwrap_err(),
        Error::OutOfSync { .. }
    ));
    // Resync without an etag works.
    let full = cloud.fullview(None).await.unwrap().unwrap();
    assert_eq!(full.files.len(), 6);
    // The fault plan can force 205 too.
    emu.faults()
        .fail_next(1, Route::any().exact("/cloud/1/fullview"), 205, None);
    assert!(matches!(
        cloud.fullview(Some(&full.etag)).await.unwrap_err(),
        Error::OutOfSync { .. }
    ));
}

#[tokio::test]
async fn search_pages_over_a_thousand_files_with_sort() {
    let emu = Emulator::start().await.unwrap();
    let cloud = authed(&emu);
    for i in 0..1000 {
        put(
            &cloud,
            "/VZMOBILE/Many",
            &format!("file{i:04}.txt"),
            &vec![b'x'; i % 7],
        )
        .await;
    }
    put(&cloud, "/VZWEB", "file-elsewhere.txt", b"y").await;
    let hits: Vec<Item> = cloud
        .search_stream(
            "name:file",
            SearchOptions::default().count(100).sort("name+desc"),
        )
        .try_collect()
        .await
        .unwrap();
    let names: Vec<String> = hits.iter().map(|h| h.name().to_owned()).collect();
    assert_eq!(names.len(), 1000);
    assert_eq!(names[0], "file0999.txt");
    assert_eq!(names[999], "file0000.txt");
    assert!(names.windows(2).all(|w| w[0] > w[1]));
    // 10 full pages, then an empty 11th.
    assert_eq!(emu.log().count("GET", "/cloud/1/search"), 11);
    let all = cloud
        .search(
            "file",
            SearchOptions::default()
                .virtualfolder("*")
                .count(100)
                .page(11),
        )
        .await
        .unwrap();
    assert_eq!(all.files.len(), 1);
    // Argument checks come before any request.
    let before = emu.log().entries().len();
    for bad in [
        cloud.search("", SearchOptions::default()).await,
        cloud.search("x", SearchOptions::default().count(101)).await,
        cloud.search("x", SearchOptions::default().count(0)).await,
        cloud.search("x", SearchOptions::default().page(0)).await,
        cloud
            .search("x", SearchOptions::default().virtualfolder(""))
            .await,
    ] {
        assert!(matches!(bad, Err(Error::InvalidInput(_))));
    }
    assert_eq!(emu.log().entries().len(), before);
    let by_ext = cloud
        .search(
            "extension:txt",
            SearchOptions::default().virtualfolder("VZWEB"),
        )
        .await
        .unwrap();
    assert_eq!(by_ext.files.len(), 1);

    // The emulator keeps a search's sorted hits between pages: a change in between must
    // show on the next page asked for.
    let opts = || SearchOptions::default().count(100).sort("name+asc");
    assert_eq!(
        cloud
            .search("name:file", opts().page(10))
            .await
            .unwrap()
            .files
            .len(),
        100
    );
    put(&cloud, "/VZMOBILE/Many", "file1000.txt", b"z").await;
    let last = cloud.search("name:file", opts().page(11)).await.unwrap();
    assert_eq!(last.files.len(), 1);
    assert_eq!(last.files[0].name, "file1000.txt");
    cloud
        .delete("/VZMOBILE/Many/file1000.txt", false)
        .await
        .unwrap();
    assert!(cloud
        .search("name:file", opts().page(11))
        .await
        .unwrap()
        .files
        .is_empty());

    // Seeded files are found like uploaded ones.
    emu.seed_files("/VZMOBILE/seed", 250).unwrap();
    let seeded: Vec<Item> = cloud
        .search_stream("name:seed-", opts())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(seeded.len(), 250);
}

#[tokio::test]
async fn metadata_download_url_and_resumed_download() {
    let emu = Emulator::start().await.unwrap();
    let cloud = authed(&emu);
    let root = cloud.metadata("/").await.unwrap();
    let mut vfs: Vec<String> = root.folders.iter().map(|f| f.name.clone()).collect();
    vfs.sort();
    assert_eq!(vfs, ["MyComputer", "VZMOBILE", "VZWEB"]);
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 241) as u8).collect();
    let f = put(&cloud, "/VZMOBILE/Été 2016", "my photo #1.jpg", &data).await;
    assert_eq!(f.checksum.as_deref(), Some(sha(&data).as_str()));
    let meta = cloud
        .file_metadata("/VZMOBILE/Été 2016/my photo #1.jpg")
        .await
        .unwrap();
    assert_eq!(
        meta.system_attributes.mime_type.as_deref(),
        Some("image/jpeg")
    );
    assert_eq!(meta.size, data.len() as u64);
    let listing = cloud.metadata("/VZMOBILE/Été 2016").await.unwrap();
    assert_eq!(listing.files.len(), 1);
    let err = cloud.metadata("/path/doesnt/exist").await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }));
    assert_eq!(err.to_string(), messages::NOT_FOUND);
    // The download URL serves the bytes with the token in the query.
    let url = cloud.download_url(&meta).unwrap();
    assert!(
        url.contains("/files/VZMOBILE/%C3%89t%C3%A9%202016/my%20photo%20%231.jpg?access-token=")
    );
    let got = cloud_core::reqwest::get(&url)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(sha(&got), sha(&data));
    assert!(matches!(
        cloud.download_url("").unwrap_err(),
        Error::InvalidInput(_)
    ));
    // A streamed download broken off mid-body resumes.
    emu.faults().drop_response_after(
        1,
        Route::method(Method::GET).path("/cloud/1/files/"),
        1_000_000,
    );
    let dl = cloud
        .download(&meta, DownloadOptions::default())
        .await
        .unwrap();
    let chunks: Vec<bytes::Bytes> = dl.try_collect().await.unwrap();
    assert_eq!(sha(&chunks.concat()), sha(&data));
    let ranged = emu
        .log()
        .entries()
        .into_iter()
        .filter(|r| r.header("range").is_some())
        .count();
    assert_eq!(ranged, 1);
    // To a file.
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("copy.jpg");
    assert_eq!(
        cloud.download_to_path(&meta, &target).await.unwrap(),
        data.len() as u64
    );
    assert_eq!(sha(&std::fs::read(&target).unwrap()), sha(&data));
}

#[tokio::test]
async fn uploads_small_chunked_replayed_and_over_quota() {
    let emu = Emulator::start_with(EmulatorConfig::default().quota(10_000_000))
        .await
        .unwrap();
    let cloud = authed(&emu);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.bin");
    let data: Vec<u8> = (0..1_000_003u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    // By path, chunked in 300,000-byte chunks: 4 chunks numbered 1..4, then a commit.
    let progress: Arc<Mutex<Vec<u64>>> = Arc::default();
    let p = Arc::clone(&progress);
    let f = cloud
        .upload(
            path.clone(),
            "/VZMOBILE/Docs",
            UploadOptions::default()
                .chunked(true)
                .chunk_size(300_000)
                .progress(Arc::new(move |pr| p.lock().unwrap().push(pr.transferred))),
        )
        .await
        .unwrap();
    assert_eq!(f.name, "report.bin");
    assert_eq!(f.checksum.as_deref(), Some(sha(&data).as_str()));
    assert_eq!(
        *progress.lock().unwrap(),
        [300_000, 600_000, 900_000, 1_000_003]
    );
    let offsets: Vec<String> = emu
        .log()
        .entries()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/cloud/1/upload/"))
        .map(|r| r.query.unwrap_or_default())
        .collect();
    assert_eq!(offsets.len(), 4);
    for (i, q) in offsets.iter().enumerate() {
        assert!(q.starts_with("chunk=true&checksum="), "{q}");
        assert!(q.ends_with(&format!("&offset={}", i + 1)), "{q}");
        assert!(q.contains(&sha(&data)));
    }
    assert_eq!(
        emu.log()
            .count("POST", &format!("/cloud/1/commit/{}", "up1")),
        1
    );
    // The same name again: replaced, version 2; quota grows by the sizes stored.
    let used0 = cloud.account().await.unwrap().usage.quota_used;
    // A token that expires on the upload POST itself: refreshed, and the replay re-sends the
    // whole body (the original sent an empty one).
    emu.faults().add(
        1,
        Route::method(Method::POST).path("/cloud/1/upload/"),
        Fault::ExpireTokens,
    );
    let again = cloud
        .upload(path.clone(), "/VZMOBILE/Docs", UploadOptions::default())
        .await
        .unwrap();
    assert_eq!(again.version, Some(2));
    assert_eq!(cloud.refresh_count(), 1);
    let url = cloud.download_url(&again).unwrap();
    let got = cloud_core::reqwest::get(&url)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(sha(&got), sha(&data));
    let used1 = cloud.account().await.unwrap().usage.quota_used;
    assert_eq!(used1, used0);
    // From a one-shot reader, with a name.
    let r = cloud
        .upload(
            verizon_pcs::UploadSource::reader(std::io::Cursor::new(b"hello".to_vec())),
            "/VZMOBILE",
            UploadOptions::default().name("hello.txt"),
        )
        .await
        .unwrap();
    assert_eq!(r.size, 5);
    // Over quota: 413 on the intent.
    let err = cloud
        .upload(
            vec![0u8; 9_000_000],
            "/VZMOBILE",
            UploadOptions::default().name("big.bin"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), messages::INTENT);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(413));
    // A chunk answered with 500 until the retries are spent: `Server error` (a chunk is
    // idempotent: its sequence number names its slot; 1 + 3 retries).
    emu.faults().fail_next(
        4,
        Route::method(Method::POST).path("/cloud/1/upload/"),
        500,
        None,
    );
    let chunk_posts = || emu.log().count_prefix("POST", "/cloud/1/upload/");
    let chunks_before = chunk_posts();
    let err = cloud
        .upload(
            vec![1u8; 10],
            "/VZMOBILE",
            UploadOptions::default()
                .name("c.bin")
                .chunked(true)
                .chunk_size(4),
        )
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), messages::SERVER_ERROR);
    assert_eq!(
        chunk_posts() - chunks_before,
        4,
        "a chunk POST is retried by the default policy"
    );
    emu.faults().clear();
    // A commit answered 400: `Could not finalize chunked upload`.
    emu.faults().fail_next(
        1,
        Route::method(Method::POST).path("/cloud/1/commit/"),
        400,
        None,
    );
    let err = cloud
        .upload(
            vec![1u8; 10],
            "/VZMOBILE",
            UploadOptions::default()
                .name("c.bin")
                .chunked(true)
                .chunk_size(4),
        )
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), messages::COMMIT);
}

#[tokio::test]
async fn a_file_that_shrinks_during_a_chunked_upload_stops_before_the_next_part() {
    // Parts are read from the file by range for each attempt (none is held in memory), so a
    // file cut short after the first part is found before the second is sent.
    let emu = Emulator::start().await.unwrap();
    let cloud = authed(&emu);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shrinks.bin");
    std::fs::write(&path, vec![7u8; 10]).unwrap();
    let cut = path.clone();
    let progress: verizon_pcs::cloud_core::body::ProgressFn = Arc::new(move |p| {
        if p.transferred == 4 {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&cut)
                .unwrap()
                .set_len(6)
                .unwrap();
        }
    });
    let parts = || emu.log().count_prefix("POST", "/cloud/1/upload/");
    let commits = || emu.log().count_prefix("POST", "/cloud/1/commit/");
    let (parts_before, commits_before) = (parts(), commits());
    let err = cloud
        .upload(
            path.clone(),
            "/VZMOBILE",
            UploadOptions::default()
                .chunked(true)
                .chunk_size(4)
                .progress(progress),
        )
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), messages::CHUNK);
    let why = err.core().unwrap().to_string();
    assert!(
        why.contains("the file changed during the upload (6 bytes now, 10 announced)"),
        "{why}"
    );
    assert_eq!(parts() - parts_before, 1, "only the first part was sent");
    assert_eq!(commits() - commits_before, 0, "nothing was committed");
}

#[tokio::test]
async fn file_operations_trash_and_conflicts() {
    let emu = Emulator::start().await.unwrap();
    let cloud = authed(&emu);
    let folder = cloud.create_folder("/VZMOBILE", "Album").await.unwrap();
    assert_eq!(folder.fullpath(), "/VZMOBILE/Album");
    assert!(matches!(
        cloud.create_folder("/VZMOBILE", "Album").await.unwrap_err(),
        Error::Conflict { .. }
    ));
    put(&cloud, "/VZMOBILE/Album", "a.jpg", b"A").await;
    put(&cloud, "/VZMOBILE/Other", "a.jpg", b"B").await;
    // Copy onto a taken name: Conflict, then rename-on-conflict, then overwrite.
    let err = cloud
        .copy(
            "/VZMOBILE/Album/a.jpg",
            "/VZMOBILE/Other",
            FileOpOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }));
    let Item::File(c) = cloud
        .copy(
            "/VZMOBILE/Album/a.jpg",
            "/VZMOBILE/Other",
            FileOpOptions::default().conflict(verizon_pcs::ConflictSolve::Rename),
        )
        .await
        .unwrap()
    else {
        panic!("a file")
    };
    assert_eq!(c.name, "a (1).jpg");
    cloud
        .copy(
            "/VZMOBILE/Album/a.jpg",
            "/VZMOBILE/Other",
            FileOpOptions::default().conflict(verizon_pcs::ConflictSolve::Overwrite),
        )
        .await
        .unwrap();
    let url = cloud.download_url("/VZMOBILE/Other/a.jpg").unwrap();
    assert_eq!(
        cloud_core::reqwest::get(&url)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .as_ref(),
        b"A"
    );
    let Item::Folder(moved) = cloud.rename("/VZMOBILE/Album", "Album 2").await.unwrap() else {
        panic!("a folder")
    };
    assert_eq!(moved.fullpath(), "/VZMOBILE/Album 2");
    assert_eq!(
        cloud
            .file_metadata("/VZMOBILE/Album 2/a.jpg")
            .await
            .unwrap()
            .size,
        1
    );
    // Delete to the trash, list it, restore it; purge; empty the trash.
    cloud.delete("/VZMOBILE/Album 2", false).await.unwrap();
    assert!(matches!(
        cloud.metadata("/VZMOBILE/Album 2").await.unwrap_err(),
        Error::NotFound { .. }
    ));
    let trash = cloud.trash().await.unwrap();
    assert_eq!(trash.folders.len(), 1);
    assert_eq!(trash.folders[0].deleted, Some(true));
    let Item::Folder(back) = cloud.restore("/VZMOBILE/Album 2").await.unwrap() else {
        panic!("a folder")
    };
    assert_eq!(back.name, "Album 2");
    assert_eq!(
        cloud
            .metadata("/VZMOBILE/Album 2")
            .await
            .unwrap()
            .files
            .len(),
        1
    );
    assert!(matches!(
        cloud.restore("/VZMOBILE/Album 2").await.unwrap_err(),
        Error::NotFound { .. }
    ));
    cloud.delete("/VZMOBILE/Other/a.jpg", false).await.unwrap();
    assert!(matches!(
        cloud
            .delete("/VZMOBILE/Other/a.jpg", false)
            .await
            .unwrap_err(),
        Error::NotFound { .. }
    ));
    cloud.empty_trash().await.unwrap();
    assert!(cloud.trash().await.unwrap().files.is_empty());
    assert_eq!(emu.file_count(), 2);
}

/// Names with URL-reserved characters, percent signs, spaces, non-ASCII letters and emoji go
/// through every path-addressed call: upload, file_metadata, download_url and download,
/// search, rename, copy, delete, restore.
#[tokio::test]
async fn names_with_reserved_characters_are_addressable() {
    let emu = Emulator::start().await.unwrap();
    let c = authed(&emu);
    c.create_folder("/VZMOBILE", "dst").await.unwrap();
    for (i, name) in cloud_core::emulator::AWKWARD_NAMES.iter().enumerate() {
        let body = format!("body {i}").into_bytes();
        let f = c
            .upload(
                body.clone(),
                "/VZMOBILE",
                verizon_pcs::UploadOptions::default().name(*name),
            )
            .await
            .unwrap();
        assert_eq!(f.name, *name);
        let path = format!("/VZMOBILE/{name}");
        let meta = c.file_metadata(&path).await.unwrap();
        assert_eq!(meta.size, body.len() as u64, "{name}");
        let by_url = cloud_core::reqwest::get(c.download_url(&path).unwrap())
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(by_url.as_ref(), body.as_slice(), "{name}");
        let dir = tempfile::tempdir().unwrap();
        c.download_to_path(&path, &dir.path().join("x"))
            .await
            .unwrap();
        assert_eq!(std::fs::read(dir.path().join("x")).unwrap(), body, "{name}");
        let copied = c
            .copy(&path, "/VZMOBILE/dst", FileOpOptions::default())
            .await
            .unwrap();
        assert_eq!(copied.name(), *name);
        let renamed = c
            .rename(&format!("/VZMOBILE/dst/{name}"), &format!("r {name}"))
            .await
            .unwrap();
        assert_eq!(renamed.name(), format!("r {name}"));
        c.delete(&path, false).await.unwrap();
        assert!(c.file_metadata(&path).await.is_err());
        c.restore(&path).await.unwrap();
        assert_eq!(c.file_metadata(&path).await.unwrap().name, *name);
    }
}

/// An error answer changes nothing: after each failing mutating call the file count is the
/// same and the fullview journal has nothing new (a fullview from the earlier etag is the
/// 412 "no change" answer).
#[tokio::test]
async fn an_error_answer_changes_nothing() {
    let emu = Emulator::start().await.unwrap();
    let c = authed(&emu);
    c.create_folder("/VZMOBILE", "Docs").await.unwrap();
    c.upload(
        b"x".to_vec(),
        "/VZMOBILE",
        verizon_pcs::UploadOptions::default().name("x.txt"),
    )
    .await
    .unwrap();
    let etag = c.fullview(None).await.unwrap().unwrap().etag;
    let count = emu.file_count();
    let errors = [
        c.copy("/VZMOBILE/nope", "/VZMOBILE/Docs", FileOpOptions::default())
            .await
            .map(drop),
        c.r#move("/VZMOBILE/nope", "/VZMOBILE/Docs", FileOpOptions::default())
            .await
            .map(drop),
        c.rename("/VZMOBILE/nope", "y.txt").await.map(drop),
        c.delete("/VZMOBILE/nope", false).await,
        c.restore("/VZMOBILE/nope").await.map(drop),
        c.create_folder("/VZMOBILE", "Docs").await.map(drop),
    ];
    for (i, r) in errors.iter().enumerate() {
        assert!(r.is_err(), "call {i} succeeded");
    }
    assert_eq!(emu.file_count(), count);
    let delta = c.fullview(Some(&etag)).await.unwrap().unwrap();
    assert_eq!(delta.etag, etag, "the journal moved");
    assert!(delta.files.is_empty() && delta.deleted.is_empty());
}

/// `fullview_stream`: 5,000 seeded files come one by one with the answer's etag, the same
/// set as `fullview`; a stream dropped half-way ends the decoding without an error; the etag
/// then gives 412 (no entries).
#[tokio::test]
async fn fullview_stream_yields_every_entry_as_it_arrives() {
    use futures::TryStreamExt;
    let emu = Emulator::start().await.unwrap();
    emu.seed_files("/VZMOBILE/Seeded", 5_000).unwrap();
    let cloud = authed(&emu);
    let mut stream = cloud.fullview_stream(None).await.unwrap().unwrap();
    let etag = stream.etag().to_owned();
    let mut files = 0;
    while let Some(entry) = stream.try_next().await.unwrap() {
        if let verizon_pcs::FullviewEntry::File(f) = entry {
            assert_eq!(f.parent_path, "/VZMOBILE/Seeded");
            files += 1;
        }
    }
    assert_eq!(files, 5_000);
    assert_eq!(
        cloud.fullview(None).await.unwrap().unwrap().files.len(),
        5_000
    );
    let mut half = cloud.fullview_stream(None).await.unwrap().unwrap();
    for _ in 0..10 {
        half.try_next().await.unwrap().unwrap();
    }
    drop(half);
    let same = cloud.fullview_stream(Some(&etag)).await.unwrap().unwrap();
    assert_eq!(same.etag(), etag);
    assert_eq!(same.try_collect::<Vec<_>>().await.unwrap(), vec![]);
}

/// The installed program (`verizon-pcs-emulator`): `--help`, the client it is given and the
/// seeded files.
#[tokio::test]
async fn the_emulator_program_takes_its_flags() {
    let Some(bin) = option_env!("CARGO_BIN_EXE_verizon-pcs-emulator") else {
        return;
    };
    let help = cloud_core::emulator::standalone::Program::help(bin.as_ref()).unwrap();
    for flag in [
        "--addr",
        "--seed-files N",
        "--client-key",
        "--callback-url",
        "base_url",
    ] {
        assert!(help.contains(flag), "{flag}: {help}");
    }
    let p = cloud_core::emulator::standalone::Program::start(
        std::path::Path::new(bin),
        &["--client-key", "my-key", "--seed-files", "3"],
    )
    .unwrap();
    assert_eq!(p.field("client_key"), "my-key");
    let cloud = verizon_pcs::Cloud::new(
        "my-key",
        p.field("client_secret"),
        p.field("callback_url"),
        verizon_pcs::CloudOptions::default()
            .base_url(p.field("base_url"))
            .access_token(p.field("access_token")),
    )
    .unwrap();
    let listing = cloud.metadata("/VZMOBILE/seed").await.unwrap();
    assert_eq!(listing.files.len(), 3);
}

/// The control API over HTTP (no published original to drive it from Python): a fault rule
/// as JSON, the log, a dump, a reset, the dump loaded back.
#[tokio::test]
async fn the_control_api_scripts_the_emulator() {
    let emu = Emulator::start().await.unwrap();
    emu.enable_control();
    let cloud = authed(&emu);
    put(&cloud, "/VZMOBILE", "kept.txt", b"kept").await;
    let http = cloud_core::reqwest::Client::new();
    let root = emu.api_cloud().replace("/cloud/1", "");
    let control =
        |m: &str, p: &str| http.request(m.parse().unwrap(), format!("{root}/__emulator{p}"));
    let added = control("POST", "/faults")
        .body(r#"{"times": 1, "method": "GET", "path": "/cloud/1/metadata", "status": 404}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 200);
    assert!(cloud.file_metadata("/VZMOBILE/kept.txt").await.is_err());
    assert_eq!(
        cloud
            .file_metadata("/VZMOBILE/kept.txt")
            .await
            .unwrap()
            .size,
        4
    );
    let log: serde_json::Value = control("GET", "/log")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let log = log.as_array().unwrap();
    let metadata: Vec<_> = log
        .iter()
        .filter(|e| e["path"] == "/cloud/1/metadata/VZMOBILE/kept.txt")
        .collect();
    assert_eq!(metadata.len(), 2, "{log:?}");
    assert!(metadata
        .iter()
        .all(|e| e["headers"]["authorization"] == "***"));
    let fixture = control("GET", "/state")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    control("POST", "/reset").send().await.unwrap();
    assert!(cloud.file_metadata("/VZMOBILE/kept.txt").await.is_err());
    let loaded = control("PUT", "/state").body(fixture).send().await.unwrap();
    assert_eq!(loaded.status(), 200);
    assert_eq!(
        cloud
            .file_metadata("/VZMOBILE/kept.txt")
            .await
            .unwrap()
            .size,
        4
    );
    let refused = control("PUT", "/state")
        .body(r#"{"nodes": 7}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
}

/// A typed field renamed by mistake would leave its wire name in `extra` and the field empty.
fn typed_not_in_extra(
    extra: &std::collections::BTreeMap<String, serde_json::Value>,
    typed: &[&str],
) {
    for k in typed {
        assert!(!extra.contains_key(*k), "`{k}` landed in extra: {extra:?}");
    }
}

#[tokio::test]
async fn every_emulator_answer_decodes_into_its_model() {
    const FILE: &[&str] = &[
        "name",
        "parentPath",
        "size",
        "checksum",
        "contentToken",
        "contentAccessible",
        "deleted",
        "extension",
        "version",
        "versionCreated",
        "systemAttributes",
        "viewUid",
    ];
    const FOLDER: &[&str] = &["name", "parentPath", "version", "versionCreated", "deleted"];
    let emu = Emulator::start().await.unwrap();
    let cloud = authed(&emu);
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);
    let up = put(&cloud, "/VZMOBILE/Typed", "a.txt", b"hello").await;
    let folder = cloud.create_folder("/VZMOBILE", "Empty").await.unwrap();
    let meta = cloud.file_metadata("/VZMOBILE/Typed/a.txt").await.unwrap();
    let listed = cloud.metadata("/VZMOBILE/Typed").await.unwrap();
    let found = cloud
        .search("a.txt", SearchOptions::default().virtualfolder("*"))
        .await
        .unwrap();
    let full = cloud.fullview(None).await.unwrap().unwrap();
    assert_eq!((listed.files.len(), found.files.len()), (1, 1));
    for f in [&up, &meta, &listed.files[0], &found.files[0]] {
        typed_not_in_extra(&f.extra, FILE);
        typed_not_in_extra(&f.system_attributes.extra, &["mimeType"]);
        assert_eq!(
            (f.size, f.checksum.as_deref(), f.extension.as_deref()),
            (5, Some(sha(b"hello").as_str()), Some("txt"))
        );
        assert_eq!(f.system_attributes.mime_type.as_deref(), Some("text/plain"));
        assert_eq!((f.deleted, f.content_accessible), (Some(false), Some(true)));
        assert!(f.content_token.is_some() && f.version.is_some());
        let at = f.version_created.unwrap();
        assert!(before <= at && at <= chrono::Utc::now(), "{at}");
    }
    assert!(full.files.iter().any(|f| f.checksum == up.checksum));
    for d in std::iter::once(&folder).chain(&full.empty_folders) {
        typed_not_in_extra(&d.extra, FOLDER);
        assert!(d.version.is_some() && d.version_created.is_some(), "{d:?}");
    }
    // `raw()` writes the wire's names and its time format back.
    let raw = meta.raw();
    assert_eq!(raw["systemAttributes"]["mimeType"], "text/plain");
    let text = raw["versionCreated"].as_str().unwrap();
    assert!(text.ends_with('Z') && text.len() == 24, "{text}");
}
