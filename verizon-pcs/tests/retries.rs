//! The retry rule and the client options, pinned: which calls are re-sent after a 503
//! (idempotent ones) and which never are (token grants, creates, commits); a refresh token
//! given alone is used; a proxy carries the calls; `RetryPolicy::none()` sends once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cloud_core::emulator::{ForwardProxy, Route};
use cloud_core::{HttpOptions, RetryPolicy};
use http::Method;
use verizon_pcs::emulator::Emulator;
use verizon_pcs::{Cloud, CloudOptions, Error, FileOpOptions, UploadOptions};

fn fast() -> RetryPolicy {
    RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(2))
}

fn cloud(emu: &Emulator, options: CloudOptions) -> Cloud {
    Cloud::new(
        emu.client_key(),
        emu.client_secret(),
        emu.callback_url(),
        options.base_url(emu.api_cloud()),
    )
    .unwrap()
}

fn authed(emu: &Emulator, http: HttpOptions) -> Cloud {
    let t = emu.issue_token();
    cloud(
        emu,
        CloudOptions::default()
            .access_token(t.access_token)
            .refresh_token(t.refresh_token)
            .http(http),
    )
}

#[tokio::test]
async fn a_503_on_the_code_exchange_is_not_resent() {
    let emu = Emulator::start().await.unwrap();
    let c = cloud(
        &emu,
        CloudOptions::default().http(HttpOptions::default().retry(fast())),
    );
    let code = emu.approve(&c.authorize_url()).await.unwrap();
    emu.faults()
        .fail_next(1, Route::any().exact("/cloud/1/oauth2/token"), 503, None);
    let err = c.token(&code).await.unwrap_err();
    assert!(matches!(err, Error::Cloud { .. }), "{err:?}");
    assert_eq!(emu.log().count("POST", "/cloud/1/oauth2/token"), 1);
    assert!(!c.authenticated());
}

#[tokio::test]
async fn a_refresh_token_given_alone_is_kept_and_used() {
    let emu = Emulator::start().await.unwrap();
    let t = emu.issue_token();
    let c = cloud(
        &emu,
        CloudOptions::default().refresh_token(t.refresh_token.clone()),
    );
    assert!(!c.authenticated(), "no access token yet");
    assert_eq!(c.refresh_token(), Some(t.refresh_token));
    let token = c.refresh().await.unwrap();
    assert!(c.authenticated());
    assert_eq!(c.access_token(), Some(token.access_token));
    c.account().await.unwrap();
}

/// (call, method, path prefix, requests sent when the first answer is a 503).
#[tokio::test]
async fn which_calls_are_retried_after_a_503() {
    let emu = Emulator::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = authed(&emu, HttpOptions::default().retry(fast()));
    c.upload(
        b"abc".to_vec(),
        "/VZMOBILE",
        UploadOptions::default().name("a.txt"),
    )
    .await
    .unwrap();
    let mut table: Vec<(&str, &str, &str, usize)> = Vec::new();
    let run = |name: &'static str, method: &'static str, prefix: &'static str| {
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        emu.faults()
            .fail_next(1, Route::method(m).path(prefix), 503, None);
        let before = emu.log().count_prefix(method, prefix);
        (name, method, prefix, before)
    };
    macro_rules! case {
        ($name:expr, $method:expr, $prefix:expr, $call:expr) => {{
            let (name, method, prefix, before) = run($name, $method, $prefix);
            let _ = $call.await;
            emu.faults().clear();
            table.push((
                name,
                method,
                prefix,
                emu.log().count_prefix(method, prefix) - before,
            ));
        }};
    }
    case!("account", "GET", "/cloud/1/account", c.account());
    case!(
        "metadata",
        "GET",
        "/cloud/1/metadata",
        c.metadata("/VZMOBILE")
    );
    case!("fullview", "GET", "/cloud/1/fullview", c.fullview(None));
    case!(
        "search",
        "GET",
        "/cloud/1/search",
        c.search("a", Default::default())
    );
    case!(
        "file_upload_intent",
        "GET",
        "/cloud/1/fileupload/intent",
        c.upload(
            b"xyz".to_vec(),
            "/VZMOBILE",
            UploadOptions::default().name("i.txt")
        )
    );
    case!(
        "upload (one-shot POST)",
        "POST",
        "/cloud/1/upload/",
        c.upload(
            b"xyz".to_vec(),
            "/VZMOBILE",
            UploadOptions::default().name("u.txt")
        )
    );
    case!(
        "upload chunk (sequence-numbered)",
        "POST",
        "/cloud/1/upload/",
        c.upload(
            b"xyz".to_vec(),
            "/VZMOBILE",
            UploadOptions::default()
                .name("ch.txt")
                .chunked(true)
                .chunk_size(2)
        )
    );
    case!(
        "commit_chunked_upload",
        "POST",
        "/cloud/1/commit/",
        c.upload(
            b"xyz".to_vec(),
            "/VZMOBILE",
            UploadOptions::default()
                .name("cm.txt")
                .chunked(true)
                .chunk_size(2)
        )
    );
    case!(
        "create_folder",
        "POST",
        "/cloud/1/createfolder",
        c.create_folder("/VZMOBILE", "F")
    );
    case!(
        "copy",
        "POST",
        "/cloud/1/copy",
        c.copy("/VZMOBILE/a.txt", "/VZMOBILE/F", FileOpOptions::default())
    );
    case!(
        "rename",
        "POST",
        "/cloud/1/rename",
        c.rename("/VZMOBILE/a.txt", "b.txt")
    );
    case!(
        "delete",
        "DELETE",
        "/cloud/1/files/",
        c.delete("/VZMOBILE/F/a.txt", false)
    );
    case!("trash", "GET", "/cloud/1/trash", c.trash());
    case!(
        "restore",
        "POST",
        "/cloud/1/trash/restore",
        c.restore("/VZMOBILE/F/a.txt")
    );
    case!("empty_trash", "DELETE", "/cloud/1/trash", c.empty_trash());
    case!(
        "download",
        "GET",
        "/cloud/1/files/",
        c.download_to_path("/VZMOBILE/b.txt", &dir.path().join("b.txt"))
    );
    let got: Vec<(&str, usize)> = table.iter().map(|(n, _, _, k)| (*n, *k)).collect();
    let want = vec![
        ("account", 2),
        ("metadata", 2),
        ("fullview", 2),
        ("search", 2),
        ("file_upload_intent", 2),
        ("upload (one-shot POST)", 1),
        ("upload chunk (sequence-numbered)", 2 + 1),
        ("commit_chunked_upload", 1),
        ("create_folder", 1),
        ("copy", 1),
        ("rename", 1),
        ("delete", 2),
        ("trash", 2),
        ("restore", 1),
        ("empty_trash", 2),
        ("download", 2),
    ];
    assert_eq!(got, want);
}

#[tokio::test]
async fn retries_off_sends_once_and_a_proxy_carries_the_calls() {
    let emu = Emulator::start().await.unwrap();
    let c = authed(&emu, HttpOptions::default().retry(RetryPolicy::none()));
    emu.faults()
        .fail_next(1, Route::any().exact("/cloud/1/account"), 503, None);
    assert!(c.account().await.is_err());
    assert_eq!(emu.log().count("GET", "/cloud/1/account"), 1);

    let proxy = ForwardProxy::start().await.unwrap();
    let c = authed(&emu, HttpOptions::default().proxy(proxy.url()));
    c.account().await.unwrap();
    assert_eq!(
        proxy.seen(),
        vec![format!(
            "GET {}/account",
            emu.api_cloud().trim_end_matches('/')
        )]
    );
}
