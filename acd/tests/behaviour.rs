//! Behaviour tests: whole workflows against the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use acd::emulator::{Emulator, EmulatorConfig};
use acd::{
    codes, AcdClient, AcdOptions, ChunkedDownloadOptions, DownloadOptions, Settings, UploadOptions,
};
use cloud_core::emulator::Route;
use futures::StreamExt;
use http::Method;
use md5::{Digest, Md5};

const EMPTY_MD5: &str = "d41d8cd98f00b204e9800998ecf8427e";

async fn client_with(emu: &Emulator, options: AcdOptions) -> (AcdClient, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    emu.write_cache(dir.path()).unwrap();
    let c = AcdClient::new(
        dir.path(),
        dir.path(),
        options.base_url(&emu.base_url()).pacing(acd::Pacing::Off),
    )
    .await
    .unwrap();
    (c, dir)
}

async fn client(emu: &Emulator) -> (AcdClient, tempfile::TempDir) {
    client_with(emu, AcdOptions::default()).await
}

fn md5_hex(b: &[u8]) -> String {
    Md5::digest(b).iter().map(|x| format!("{x:02x}")).collect()
}

fn collector() -> (acd::Callback, Arc<Mutex<Vec<u8>>>) {
    let seen: Arc<Mutex<Vec<u8>>> = Arc::default();
    let s = Arc::clone(&seen);
    (
        Arc::new(move |b: &[u8]| s.lock().unwrap().extend_from_slice(b)),
        seen,
    )
}

#[tokio::test]
async fn discovery_token_file_and_handler_choice() {
    let emu = Emulator::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    emu.write_cache(dir.path()).unwrap();
    std::fs::remove_file(dir.path().join("endpoint_data")).unwrap();
    let opts = AcdOptions::default()
        .base_url(&emu.base_url())
        .pacing(acd::Pacing::Off);
    let c = AcdClient::new(dir.path(), dir.path(), opts.clone())
        .await
        .unwrap();
    assert_eq!(c.metadata_url().as_str(), emu.metadata_url());
    assert_eq!(c.content_url().as_str(), emu.content_url());
    assert_eq!(emu.log().count("GET", "/drive/v1/account/endpoint"), 1);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("endpoint_data")).unwrap())
            .unwrap();
    assert_eq!(written["customerExists"], true);
    assert!(written["exp_time"].as_f64().unwrap() > 1e9);
    // A valid cache: no second discovery.
    AcdClient::new(dir.path(), dir.path(), opts.clone())
        .await
        .unwrap();
    assert_eq!(emu.log().count("GET", "/drive/v1/account/endpoint"), 1);
    assert!(matches!(
        c.handler().method(),
        acd::OAuthMethod::Appspot { .. }
    ));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("oauth_data"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // An expired token file is refreshed at start through the Appspot form, and rewritten.
    let mut data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("oauth_data")).unwrap())
            .unwrap();
    let old = data["access_token"].as_str().unwrap().to_owned();
    data["exp_time"] = serde_json::json!(0);
    std::fs::write(dir.path().join("oauth_data"), data.to_string()).unwrap();
    let c2 = AcdClient::new(dir.path(), dir.path(), opts.clone())
        .await
        .unwrap();
    assert_eq!(emu.log().count("POST", "/appspot/"), 1);
    let after: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("oauth_data")).unwrap())
            .unwrap();
    assert_ne!(after["access_token"], old.as_str());
    assert!(after["exp_time"].as_f64().unwrap() > 1e9);
    let text = std::fs::read_to_string(dir.path().join("oauth_data")).unwrap();
    assert!(
        text.starts_with("{\n    \"access_token\""),
        "indent 4, sorted keys: {text}"
    );
    c2.get_quota().await.unwrap();
    // client_data selects the local handler, which refreshes at /auth/o2/token.
    std::fs::write(
        dir.path().join("client_data"),
        serde_json::json!({"CLIENT_ID": emu.config().client_id, "CLIENT_SECRET": emu.config().client_secret.expose()}).to_string(),
    )
    .unwrap();
    let mut data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("oauth_data")).unwrap())
            .unwrap();
    data["exp_time"] = serde_json::json!(0);
    std::fs::write(dir.path().join("oauth_data"), data.to_string()).unwrap();
    let c3 = AcdClient::new(dir.path(), dir.path(), opts.clone())
        .await
        .unwrap();
    assert!(matches!(
        c3.handler().method(),
        acd::OAuthMethod::Local { .. }
    ));
    assert_eq!(emu.log().count("POST", "/auth/o2/token"), 1);
    // An empty CLIENT_ID is refused.
    std::fs::write(
        dir.path().join("client_data"),
        r#"{"CLIENT_ID": "", "CLIENT_SECRET": "x"}"#,
    )
    .unwrap();
    assert!(matches!(
        AcdClient::new(dir.path(), dir.path(), opts)
            .await
            .unwrap_err(),
        acd::Error::Config(_)
    ));
}

#[tokio::test]
async fn uploads_conflicts_dedup_and_overwrites() {
    let emu = Emulator::start().await.unwrap();
    let (c, dir) = client(&emu).await;
    let root = c.get_root_id().await.unwrap();
    assert!(acd::is_valid_id(&root));
    assert_eq!(root, emu.root_id());
    let folder = c.create_folder("Docs", None).await.unwrap();
    assert_eq!(folder.parents, vec![root.clone()]);
    // A case-insensitive name conflict exposes the existing node's id.
    let err = c.create_folder("DOCS", None).await.unwrap_err();
    assert_eq!(err.status_code(), Some(409));
    assert_eq!(err.conflicting_node_id(), Some(folder.id.as_str()));
    assert_eq!(
        err.request_error().unwrap().code.as_deref(),
        Some("NAME_ALREADY_EXISTS")
    );
    // upload_file: basename, MD5 through the read callback equals the node's.
    let path = dir.path().join("héllo wörld.txt");
    let data = b"some text content\n".repeat(1000);
    std::fs::write(&path, &data).unwrap();
    let (cb, seen) = collector();
    let node = c
        .upload_file(
            &path,
            Some(&folder.id),
            UploadOptions::default().read_callback(cb),
        )
        .await
        .unwrap();
    assert_eq!(node.name.as_deref(), Some("héllo wörld.txt"));
    assert_eq!(node.md5(), Some(md5_hex(&data).as_str()));
    assert_eq!(md5_hex(&seen.lock().unwrap()), md5_hex(&data));
    assert_eq!(node.size(), data.len() as u64);
    assert_eq!(
        node.content_properties
            .as_ref()
            .unwrap()
            .content_type
            .as_deref(),
        Some("text/plain")
    );
    // Deduplication asked for: the same content again is a 409 naming the existing file.
    let copy = dir.path().join("copy.txt");
    std::fs::write(&copy, &data).unwrap();
    let err = c
        .upload_file(&copy, None, UploadOptions::default().deduplication(true))
        .await
        .unwrap_err();
    assert_eq!(err.status_code(), Some(409));
    assert_eq!(err.conflicting_node_id(), Some(node.id.as_str()));
    // Suppressed (the default): accepted.
    c.upload_file(&copy, None, UploadOptions::default())
        .await
        .unwrap();
    // upload_stream keeps the given name; an empty stream takes the empty-file path.
    let s = c
        .upload_stream(
            std::io::Cursor::new(data.clone()),
            "dir/streamed.bin",
            Some(&folder.id),
            UploadOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(s.name.as_deref(), Some("dir/streamed.bin"));
    let empty = c
        .upload_stream(
            std::io::Cursor::new(Vec::new()),
            "sub/empty.txt",
            None,
            UploadOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        (empty.name.as_deref(), empty.md5(), empty.size()),
        (Some("empty.txt"), Some(EMPTY_MD5), 0)
    );
    // Overwrite: content version 2; an empty overwrite stream clears the file.
    let o = c
        .overwrite_file(&empty.id, &path, UploadOptions::default())
        .await
        .unwrap();
    assert_eq!(o.content_properties.as_ref().unwrap().version, Some(2));
    assert_eq!(o.md5(), Some(md5_hex(&data).as_str()));
    let o2 = c
        .overwrite_stream(std::io::Cursor::new(b"new".to_vec()), &empty.id, Vec::new())
        .await
        .unwrap();
    assert_eq!(o2.md5(), Some(md5_hex(b"new").as_str()));
    let cleared = c
        .overwrite_stream(std::io::Cursor::new(Vec::new()), &empty.id, Vec::new())
        .await
        .unwrap();
    assert_eq!((cleared.md5(), cleared.size()), (Some(EMPTY_MD5), 0));
    assert!(cleared.version.unwrap() > o.version.unwrap());
    // A parent that does not exist: 400.
    let err = c
        .create_file("x.txt", Some("AAAAAAAAAAAAAAAAAAAAAA"))
        .await
        .unwrap_err();
    assert_eq!(err.status_code(), Some(400));
    // The back-off counted the failure, and a success resets it.
    assert_eq!(c.backoff_retries(), 1);
    c.get_quota().await.unwrap();
    assert_eq!(c.backoff_retries(), 0);
}

#[tokio::test]
async fn tree_trash_properties_and_listing() {
    let emu = Emulator::start().await.unwrap();
    let (c, _dir) = client(&emu).await;
    let a = c.create_folder("A", None).await.unwrap();
    let b = c.create_folder("B", None).await.unwrap();
    let f = c.create_file("f.txt", Some(&a.id)).await.unwrap();
    // Hard link, listing under both, remove one, move_node_from, move_node.
    let linked = c.add_child(&b.id, &f.id).await.unwrap();
    assert_eq!(linked.parents.len(), 2);
    assert_eq!(c.list_children(&b.id).await.unwrap().len(), 1);
    let unlinked = c.remove_child(&a.id, &f.id).await.unwrap();
    assert_eq!(unlinked.parents, vec![b.id.clone()]);
    let moved = c.move_node_from(&f.id, &b.id, &a.id).await.unwrap();
    assert_eq!(moved.parents, vec![a.id.clone()]);
    let moved = c.move_node(&f.id, &b.id).await.unwrap();
    assert_eq!(moved.parents, vec![b.id.clone()]);
    let renamed = c.rename_node(&f.id, "g.txt").await.unwrap();
    assert_eq!(renamed.name.as_deref(), Some("g.txt"));
    assert!(renamed.version > moved.version);
    // Trash, listings, restore, trash again; purge is refused.
    let t = c.move_to_trash(&f.id).await.unwrap();
    assert_eq!(t.status, "TRASH");
    assert_eq!(c.list_trash().await.unwrap().len(), 1);
    assert_eq!(c.get_trashed_files().await.unwrap().len(), 1);
    assert!(c.get_file_list().await.unwrap().is_empty());
    assert_eq!(c.restore(&f.id).await.unwrap().status, "AVAILABLE");
    assert_eq!(c.get_file_list().await.unwrap().len(), 1);
    c.move_to_trash(&f.id).await.unwrap();
    assert_eq!(c.purge(&f.id).await.unwrap_err().status_code(), Some(403));
    // Properties.
    let owner = c.get_owner_id().await.unwrap();
    assert_eq!(owner, emu.config().app_name);
    assert_eq!(c.get_owner_id().await.unwrap(), owner);
    assert_eq!(
        emu.log().count("POST", "/cdproxy/nodes"),
        2,
        "the owner probe runs once"
    );
    let p = c
        .add_property(&a.id, &owner, "color", "blue")
        .await
        .unwrap();
    assert_eq!(p["value"], "blue");
    c.add_property(&a.id, &owner, "size", "L").await.unwrap();
    assert_eq!(c.list_properties(&a.id, &owner).await.unwrap().len(), 2);
    assert!(c
        .list_properties(&a.id, "someone-else")
        .await
        .unwrap()
        .is_empty());
    c.delete_properties(&a.id, &owner).await.unwrap();
    assert!(c.list_properties(&a.id, &owner).await.unwrap().is_empty());
    // Metadata with a temp link that downloads without a token.
    let up = c
        .upload_stream(
            std::io::Cursor::new(b"linked".to_vec()),
            "l.txt",
            None,
            UploadOptions::default(),
        )
        .await
        .unwrap();
    let meta = c.get_metadata(&up.id, true, true).await.unwrap();
    let link = meta.temp_link.clone().unwrap();
    assert_eq!(
        cloud_core::reqwest::get(&link)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .as_ref(),
        b"linked"
    );
    assert_eq!(meta.extra["assets"], serde_json::json!([]));
    // Paging: 450 folders come back over three pages.
    emu.seed_folders(450, "seed");
    let folders = c.get_folder_list().await.unwrap();
    assert_eq!(folders.len(), 453);
    assert_eq!(
        emu.log()
            .entries()
            .iter()
            .filter(|r| r.path == "/drive/v1/nodes"
                && r.query.as_deref().unwrap_or("").contains("startToken"))
            .count(),
        2
    );
    let ids: HashSet<_> = folders.iter().map(|f| f.id.clone()).collect();
    assert_eq!(ids.len(), 453);
}

#[tokio::test]
async fn chunked_download_rules_and_resume() {
    let emu = Emulator::start().await.unwrap();
    let (c, dir) = client(&emu).await;
    let data: Vec<u8> = (0..10_240u32).map(|i| (i % 251) as u8).collect();
    let node = c
        .upload_stream(
            std::io::Cursor::new(data.clone()),
            "d.bin",
            None,
            UploadOptions::default(),
        )
        .await
        .unwrap();
    let mut s = Settings::default();
    s.fs_chunk_size = 1000;
    s.dl_chunk_size = 4000;
    c.set_settings(s.clone());
    // Unknown length: ranges until a 416.
    let mut out = Vec::new();
    let n = c
        .chunked_download(&node.id, &mut out, ChunkedDownloadOptions::default())
        .await
        .unwrap();
    assert_eq!((n, out.as_slice()), (10_240, data.as_slice()));
    let ranges: Vec<String> = emu
        .log()
        .entries()
        .iter()
        .filter_map(|r| r.header("range").map(str::to_owned))
        .collect();
    assert_eq!(
        ranges,
        [
            "bytes=0-3999",
            "bytes=4000-7999",
            "bytes=8000-11999",
            "bytes=10240-14239"
        ]
    );
    // A partial file of 5000 bytes: cut to 3999, replayed to callbacks, then completed.
    std::fs::write(dir.path().join("d.bin.__incomplete"), &data[..5000]).unwrap();
    emu.log().clear();
    let (cb, seen) = collector();
    let path = c
        .download_file(
            &node.id,
            "d.bin",
            Some(dir.path()),
            DownloadOptions::for_node(&node).write_callback(cb),
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), data);
    assert_eq!(md5_hex(&seen.lock().unwrap()), md5_hex(&data));
    let ranges: Vec<String> = emu
        .log()
        .entries()
        .iter()
        .filter_map(|r| r.header("range").map(str::to_owned))
        .collect();
    assert_eq!(ranges, ["bytes=3999-7998", "bytes=7999-10239"]);
    assert!(!dir.path().join("d.bin.__incomplete").exists());
    // chunk_retries = 1: the first failed chunk is RequestError(1002); 3 attempts recover.
    emu.faults().fail_next(
        1,
        Route::method(Method::GET).path("/cdproxy/nodes/"),
        500,
        None,
    );
    let err = c
        .chunked_download(&node.id, &mut Vec::new(), ChunkedDownloadOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.status_code(), Some(codes::FAILED_SUBREQUEST));
    s.chunk_retries = 3;
    c.set_settings(s.clone());
    emu.faults().fail_next(
        2,
        Route::method(Method::GET).path("/cdproxy/nodes/"),
        503,
        None,
    );
    let mut out = Vec::new();
    c.chunked_download(
        &node.id,
        &mut out,
        ChunkedDownloadOptions::default().length(10_240),
    )
    .await
    .unwrap();
    assert_eq!(out, data);
    // Expected length longer than the file: 1003, the partial kept for a later resume.
    let err = c
        .download_file(
            &node.id,
            "e.bin",
            Some(dir.path()),
            DownloadOptions::default().length(10_241),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status_code(), Some(codes::INCOMPLETE_RESULT));
    assert!(dir.path().join("e.bin.__incomplete").exists());
    // A name from a server can never escape the folder.
    let err = c
        .download_file(
            &node.id,
            "../x",
            Some(dir.path()),
            DownloadOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, acd::Error::InvalidInput(_)));
    // A zero-length file: one request, answered 416, an empty file.
    let z = c.create_file("zero", None).await.unwrap();
    let mut out = Vec::new();
    assert_eq!(
        c.chunked_download(&z.id, &mut out, ChunkedDownloadOptions::default())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        c.download_chunk(&node.id, 10, 5).await.unwrap(),
        &data[10..15]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_calls_across_a_token_expiry_cause_one_refresh() {
    // Tokens live 121 s: exp_time = now + 1 s once the 120 s margin is taken.
    let emu =
        Emulator::start_with(EmulatorConfig::default().token_lifetime(Duration::from_secs(121)))
            .await
            .unwrap();
    let (c, _dir) = client(&emu).await;
    // The refreshed token lives an hour, so no second expiry can race the 50 calls.
    emu.oauth().set_token_lifetime(Duration::from_secs(3600));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.get_quota().await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(c.handler().refresh_count(), 1);
    assert_eq!(emu.oauth().refresh_count(), 1);
    // Opt-in: tokens the server invalidated early are refreshed once on a 401.
    let (c2, _d2) = client_with(&emu, AcdOptions::default().refresh_on_401(true)).await;
    emu.expire_tokens();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let c = c2.clone();
            tokio::spawn(async move { c.get_quota().await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(c2.handler().refresh_count(), 1);
    // Faithful mode: a 401 is an error.
    emu.expire_tokens();
    assert_eq!(c.get_quota().await.unwrap_err().status_code(), Some(401));
}

#[tokio::test]
async fn a_change_stream_cut_short_resumes_from_the_last_checkpoint() {
    let emu = Emulator::start().await.unwrap();
    let (c, _dir) = client(&emu).await;
    let mut all: HashSet<String> = emu.seed_folders(1000, "n").into_iter().collect();
    all.insert(emu.root_id());
    // Cut the first feed after 200 KB: a couple of complete sets of 200 nodes arrive.
    emu.faults()
        .drop_response_after(1, Route::any().exact("/drive/v1/changes"), 200_000);
    let mut feed = c.changes("", false).await.unwrap();
    let mut seen: Vec<String> = Vec::new();
    let mut failed = false;
    while let Some(set) = feed.next().await {
        match set {
            Ok(s) => seen.extend(s.nodes.into_iter().map(|n| n.id)),
            Err(e) => {
                assert_eq!(e.status_code(), Some(codes::INCOMPLETE_RESULT));
                failed = true;
            }
        }
    }
    assert!(failed && !feed.end_reached());
    assert!(!seen.is_empty() && seen.len() < all.len());
    let cp = feed.last_checkpoint().unwrap();
    let mut rest = c.changes(&cp, false).await.unwrap();
    while let Some(set) = rest.next().await {
        let s = set.unwrap();
        assert!(!s.reset);
        seen.extend(s.nodes.into_iter().map(|n| n.id));
    }
    assert!(rest.end_reached());
    let unique: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "nothing duplicated");
    assert_eq!(unique, all, "nothing lost");
    // The latest checkpoint gives no nodes; a change gives exactly that node.
    let latest = rest.last_checkpoint().unwrap();
    let mut none = c.changes(&latest, true).await.unwrap();
    let sets: Vec<_> = none.by_ref().collect().await;
    assert!(sets.iter().all(|s| s.as_ref().unwrap().nodes.is_empty()));
    let f = c.create_folder("changed", None).await.unwrap();
    let mut one = c.changes(&latest, true).await.unwrap();
    let mut ids = Vec::new();
    while let Some(s) = one.next().await {
        ids.extend(s.unwrap().nodes.into_iter().map(|n| n.id));
    }
    assert_eq!(ids, [f.id]);
    // get_changes writes the raw lines; iter_changes_lines parses them back.
    let mut raw = Vec::new();
    let lines = c.get_changes("", false, &mut raw).await.unwrap();
    assert_eq!(lines, 7);
    let sets: Vec<_> = acd::iter_changes_lines(std::io::Cursor::new(raw))
        .collect()
        .await;
    assert_eq!(sets.len(), 6);
    assert!(sets[0].as_ref().unwrap().reset);
}

#[tokio::test]
async fn faithful_mode_never_resends_and_the_opt_in_retry_does() {
    let emu = Emulator::start().await.unwrap();
    let (c, _d) = client(&emu).await;
    emu.faults()
        .fail_next(1, Route::any().exact("/drive/v1/account/quota"), 503, None);
    assert_eq!(c.get_quota().await.unwrap_err().status_code(), Some(503));
    assert_eq!(emu.log().count("GET", "/drive/v1/account/quota"), 1);
    let fast = cloud_core::RetryPolicy::default()
        .backoff(Duration::from_millis(1), Duration::from_millis(5));
    let (r, _d2) = client_with(&emu, AcdOptions::default().retry(Arc::new(fast))).await;
    emu.faults().fail_next(
        2,
        Route::any().exact("/drive/v1/account/quota"),
        429,
        Some("0"),
    );
    r.get_quota().await.unwrap();
    assert_eq!(emu.log().count("GET", "/drive/v1/account/quota"), 4);
}

/// A download answered with an error surfaces that answer: a node that does not exist is a
/// 404 `RequestError` (`is_not_found`) after one request, and leaves no partial file; 5xx
/// answers that outlast `chunk_retries` give the original's 1002 with the last answer's status.
#[tokio::test]
async fn a_failed_download_surfaces_the_answer_and_leaves_no_partial_file() {
    let emu = Emulator::start().await.unwrap();
    let (c, dir) = client(&emu).await;
    let mut s = c.settings();
    s.chunk_retries = 3;
    c.set_settings(s);
    emu.log().clear();
    let err = c
        .download_file(
            "no-such-node",
            "missing.bin",
            Some(dir.path()),
            DownloadOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.status_code(), Some(404));
    assert_eq!(err.status(), Some(http::StatusCode::NOT_FOUND));
    assert_eq!(emu.log().count_prefix("GET", "/cdproxy/nodes/"), 1);
    assert!(!dir.path().join("missing.bin.__incomplete").exists());
    assert!(!dir.path().join("missing.bin").exists());

    let src = dir.path().join("src.bin");
    std::fs::write(&src, b"12345").unwrap();
    let node = c
        .upload_file(&src, None, UploadOptions::default())
        .await
        .unwrap();
    emu.faults().fail_next(
        3,
        Route::method(Method::GET).path("/cdproxy/nodes/"),
        503,
        None,
    );
    let err = c
        .download_file(
            &node.id,
            "five.bin",
            Some(dir.path()),
            DownloadOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status_code(), Some(codes::FAILED_SUBREQUEST));
    assert_eq!(err.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    assert!(!dir.path().join("five.bin.__incomplete").exists());
}

/// The original's escape hatch and its `timeout=`: any request through the back-off and the
/// token, the answer whatever its status; a download that waits longer than its timeout for
/// an answer fails as a timeout, at once.
#[tokio::test]
async fn the_backoff_request_and_per_call_timeouts() {
    let emu = Emulator::start().await.unwrap();
    let (c, dir) = client(&emu).await;
    let quota = c.metadata_url().join("account/quota").unwrap();
    let ok = c
        .backoff_request(Method::GET, quota.clone(), acd::OK_CODES, Ok)
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(c.backoff_retries(), 0);
    emu.faults()
        .fail_next(1, Route::any().exact("/drive/v1/account/quota"), 503, None);
    let busy = c
        .backoff_request(Method::GET, quota, acd::OK_CODES, Ok)
        .await
        .unwrap();
    assert_eq!(busy.status(), 503);
    assert_eq!(c.backoff_retries(), 1);

    let src = dir.path().join("slow.bin");
    std::fs::write(&src, vec![5u8; 1000]).unwrap();
    let node = c
        .upload_file(&src, None, UploadOptions::default())
        .await
        .unwrap();
    emu.faults().delay(
        1,
        Route::method(Method::GET).path("/cdproxy/nodes/"),
        Duration::from_secs(5),
    );
    let start = std::time::Instant::now();
    let err = c
        .download_file(
            &node.id,
            "slow.bin",
            Some(dir.path()),
            DownloadOptions::default().timeout(Duration::from_millis(200)),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        cloud_core::ErrorKind::Transport(cloud_core::TransportKind::Timeout),
        "{err:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(4));
    assert!(!dir.path().join("slow.bin.__incomplete").exists());
    // Without the delay, the same call with the same timeout succeeds.
    let path = c
        .download_file(
            &node.id,
            "slow.bin",
            Some(dir.path()),
            DownloadOptions::default().timeout(Duration::from_secs(5)),
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(path).unwrap(), vec![5u8; 1000]);
    let early = c
        .response_chunk_with(&node.id, 0, 10, Some(Duration::from_secs(5)))
        .await
        .unwrap();
    assert_eq!(early.status(), 206);
}

/// An error answer changes nothing: each failing mutating call leaves the emulator's node
/// count and the node it aimed at as they were.
#[tokio::test]
async fn an_error_answer_changes_nothing() {
    let emu = Emulator::start().await.unwrap();
    let (c, _dir) = client(&emu).await;
    let folder = c.create_folder("keep", None).await.unwrap();
    let before = emu.node_count();
    let snapshot = |n: &acd::Node| (n.name.clone(), n.parents.clone(), n.status.clone());
    let kept = snapshot(&c.get_metadata(&folder.id, false, false).await.unwrap());
    let errors = [
        c.create_folder("keep", None).await.map(drop),
        c.move_node(&folder.id, "nope").await.map(drop),
        c.add_child("nope", &folder.id).await.map(drop),
        c.rename_node("nope", "x").await.map(drop),
        c.move_to_trash("nope").await.map(drop),
        c.restore("nope").await.map(drop),
    ];
    for (i, r) in errors.iter().enumerate() {
        assert!(r.is_err(), "call {i} succeeded");
    }
    assert_eq!(emu.node_count(), before);
    assert_eq!(
        snapshot(&c.get_metadata(&folder.id, false, false).await.unwrap()),
        kept
    );
}

#[tokio::test]
async fn the_local_first_run_create_handler_and_token_info() {
    let emu = Emulator::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let opts = AcdOptions::default().base_url(&emu.base_url());
    // No client_data: the first run has nothing to ask with.
    assert!(matches!(
        acd::OAuthHandler::local_authorization_url(dir.path(), &opts)
            .await
            .unwrap_err(),
        acd::Error::Config(_)
    ));
    std::fs::write(
        dir.path().join("client_data"),
        serde_json::json!({"CLIENT_ID": emu.config().client_id, "CLIENT_SECRET": emu.config().client_secret.expose()}).to_string(),
    )
    .unwrap();
    assert!(!acd::OAuthHandler::check_oauth_file_exists(dir.path()));
    // Step one: the authorize URL, built as the original builds it.
    let url = acd::OAuthHandler::local_authorization_url(dir.path(), &opts)
        .await
        .unwrap();
    assert_eq!(
        url,
        format!(
            "{}/auth/o2/authorize?client_id={}&response_type=code&scope=clouddrive%3Aread_all+clouddrive%3Awrite&redirect_uri=http%3A%2F%2Flocalhost",
            emu.base_url(),
            emu.config().client_id
        )
    );
    // Step two: the redirected URL's code exchanged, once, for the token file.
    let code = emu.oauth().issue_code(None);
    let redirected = format!("http://localhost/?code={code}&scope=clouddrive%3Aread_all");
    acd::OAuthHandler::local_first_run(dir.path(), &redirected, &opts)
        .await
        .unwrap();
    assert_eq!(emu.log().count("POST", "/auth/o2/token"), 1);
    assert!(acd::OAuthHandler::check_oauth_file_exists(dir.path()));
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("oauth_data")).unwrap())
            .unwrap();
    assert!(data["exp_time"].as_f64().unwrap() > 1e9);
    // A code is good once: the second exchange is refused with the server's answer.
    let err = acd::OAuthHandler::local_first_run(dir.path(), &redirected, &opts)
        .await
        .unwrap_err();
    assert_eq!(err.status_code(), Some(acd::codes::INVALID_TOKEN));
    assert_eq!(
        err.context().and_then(|c| c.status),
        Some(http::StatusCode::BAD_REQUEST)
    );
    assert!(
        acd::OAuthHandler::local_first_run(dir.path(), "http://localhost/?state=x", &opts)
            .await
            .is_err()
    );
    // The handler on its own, the local one (client_data is there).
    let h = acd::OAuthHandler::create_handler(dir.path(), &opts)
        .await
        .unwrap();
    assert!(matches!(h.method(), acd::OAuthMethod::Local { .. }));
    let bearer = h.get_auth_token().await.unwrap();
    assert_eq!(
        bearer.expose(),
        format!("Bearer {}", data["access_token"].as_str().unwrap())
    );
    // Token info: no Authorization header, the token in the query.
    let info = h.get_access_token_info().await.unwrap();
    assert_eq!(info["aud"], emu.config().client_id.as_str());
    assert!(info["exp"].as_u64().unwrap() > 0);
    let logged: Vec<_> = emu
        .log()
        .entries()
        .into_iter()
        .filter(|r| r.path == "/auth/o2/tokeninfo")
        .collect();
    assert_eq!(logged.len(), 1);
    assert!(logged[0].header("authorization").is_none());
    // An expired token: the service's 400 answer, returned as the original returns it.
    emu.expire_tokens();
    let info = h.get_access_token_info().await.unwrap();
    assert_eq!(info["error"], "invalid_token");
}

/// Names with URL-reserved characters, percent signs, spaces, non-ASCII letters and emoji go
/// through every name-carrying call: a folder and a file made with them, listed, renamed to
/// another, downloaded to a local file of that name.
#[tokio::test]
async fn awkward_names_go_through_every_name_carrying_call() {
    let emu = Emulator::start().await.unwrap();
    let (c, dir) = client(&emu).await;
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    for (i, name) in cloud_core::emulator::AWKWARD_NAMES.iter().enumerate() {
        let folder = c.create_folder(&format!("dir {name}"), None).await.unwrap();
        assert_eq!(folder.name.as_deref(), Some(format!("dir {name}").as_str()));
        let body = format!("body {i}").into_bytes();
        let file = c
            .upload_stream(
                std::io::Cursor::new(body.clone()),
                name,
                Some(&folder.id),
                UploadOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!(file.name.as_deref(), Some(*name));
        let listed = c.list_children(&folder.id).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].name.as_deref(), Some(*name));
        let renamed = c
            .rename_node(&file.id, &format!("re {name}"))
            .await
            .unwrap();
        assert_eq!(renamed.name.as_deref(), Some(format!("re {name}").as_str()));
        let got = c
            .download_file(&file.id, name, Some(&out), DownloadOptions::default())
            .await
            .unwrap();
        assert_eq!(got.file_name().and_then(|n| n.to_str()), Some(*name));
        assert_eq!(std::fs::read(&got).unwrap(), body, "{name}");
    }
}

/// The installed program (`acd-emulator`): `--help`, the credentials it is given, a seeded
/// listing and an acd_cli cache folder a client starts from.
#[tokio::test]
async fn the_emulator_program_takes_its_flags() {
    let Some(bin) = option_env!("CARGO_BIN_EXE_acd-emulator") else {
        return;
    };
    let help = cloud_core::emulator::standalone::Program::help(bin.as_ref()).unwrap();
    for flag in [
        "--addr",
        "--seed-files N",
        "--client-id",
        "--cache DIR",
        "metadata_url",
    ] {
        assert!(help.contains(flag), "{flag}: {help}");
    }
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let cache_s = cache.display().to_string();
    let p = cloud_core::emulator::standalone::Program::start(
        std::path::Path::new(bin),
        &[
            "--client-id",
            "my-id",
            "--seed-files",
            "3",
            "--cache",
            &cache_s,
        ],
    )
    .unwrap();
    assert_eq!(p.field("client_id"), "my-id");
    let c = AcdClient::new(
        &cache,
        &cache,
        AcdOptions::default()
            .base_url(&p.field("base_url"))
            .pacing(acd::Pacing::Off),
    )
    .await
    .unwrap();
    let root = c.get_root_id().await.unwrap();
    assert_eq!(c.list_children(&root).await.unwrap().len(), 3);
    assert!(std::process::Command::new(bin)
        .args(["--addr", "0.0.0.0:0"])
        .output()
        .map(|o| !o.status.success())
        .unwrap());
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
    const NODE: &[&str] = &[
        "id",
        "name",
        "kind",
        "status",
        "parents",
        "version",
        "contentProperties",
        "createdDate",
        "modifiedDate",
        "createdBy",
        "isRoot",
        "tempLink",
    ];
    const CONTENT: &[&str] = &["size", "md5", "contentType", "extension", "version"];
    let emu = Emulator::start().await.unwrap();
    let (c, dir) = client(&emu).await;
    let root = c.get_root_node().await.unwrap();
    assert_eq!((root.is_root, root.is_folder()), (Some(true), true));
    typed_not_in_extra(&root.extra, NODE);
    let folder = c.create_folder("Typed", None).await.unwrap();
    let path = dir.path().join("a.txt");
    std::fs::write(&path, b"hello").unwrap();
    let up = c
        .upload_file(&path, Some(&folder.id), UploadOptions::default())
        .await
        .unwrap();
    let meta = c.get_metadata(&up.id, false, true).await.unwrap();
    for n in [&folder, &up, &meta] {
        typed_not_in_extra(&n.extra, NODE);
        let (created, modified) = (n.created_date.unwrap(), n.modified_date.unwrap());
        assert!(
            created <= modified && modified <= chrono::Utc::now(),
            "{n:?}"
        );
        assert!(n.version.is_some() && n.created_by.is_some() && !n.status.is_empty());
    }
    assert!(meta.temp_link.is_some() && meta.is_file());
    let cp = meta.content_properties.as_ref().unwrap();
    typed_not_in_extra(&cp.extra, CONTENT);
    assert_eq!(
        (
            cp.size,
            cp.md5.as_deref(),
            cp.extension.as_deref(),
            cp.version
        ),
        (5, Some(md5_hex(b"hello").as_str()), Some("txt"), Some(1))
    );
    assert_eq!(cp.content_type.as_deref(), Some("text/plain"));
    // Listings, the trash and the changes feed give the same model.
    let kids = c.list_children(&folder.id).await.unwrap();
    assert_eq!(kids.len(), 1);
    assert_eq!(kids[0].md5(), cp.md5.as_deref());
    assert_eq!(kids[0].created_date, meta.created_date);
    let trashed = c.move_to_trash(&up.id).await.unwrap();
    assert_eq!(trashed.status, "TRASH");
    typed_not_in_extra(&trashed.extra, NODE);
    // `raw()` writes the wire's names and its time format back.
    let raw = meta.raw();
    assert_eq!(raw["contentProperties"]["md5"], cp.md5.clone().unwrap());
    let text = raw["createdDate"].as_str().unwrap();
    assert!(text.ends_with('Z') && text.len() == 24, "{text}");
}
