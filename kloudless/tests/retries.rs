//! The retry rule and the client options, pinned: which verbs are re-sent after a 503 by the
//! default policy (GET, PUT, DELETE) and which never are (POST, PATCH, even on a 429);
//! `RetryPolicy::none()` sends once; a proxy carries the calls.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cloud_core::emulator::{ForwardProxy, Route};
use cloud_core::{HttpOptions, RetryPolicy};
use http::Method;
use kloudless::emulator::Emulator;
use kloudless::{Account, Configuration, RequestOptions};
use serde_json::json;

fn account(emu: &Emulator, http: HttpOptions) -> Account {
    Account::with_options(
        Some(emu.token()),
        None,
        None,
        &Configuration::with_base_url(emu.base_url()),
        &http,
    )
    .unwrap()
}

fn fast() -> RetryPolicy {
    RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(2))
}

fn sent(emu: &Emulator, method: &Method) -> usize {
    emu.log()
        .entries()
        .iter()
        .filter(|r| r.method == method.as_str())
        .count()
}

#[tokio::test]
async fn which_verbs_are_retried_after_a_503_or_429() {
    let emu = Emulator::start().await.unwrap();
    let a = account(&emu, HttpOptions::default().retry(fast()));
    let folder = a
        .post(
            "storage/folders",
            RequestOptions::default().json(json!({"name": "D", "parent_id": "root"})),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    let id = folder.data["id"].as_str().unwrap().to_owned();
    let mut got = Vec::new();
    for (status, method) in [
        (503, Method::GET),
        (503, Method::PUT),
        (503, Method::PATCH),
        (503, Method::POST),
        (503, Method::DELETE),
        (429, Method::GET),
        (429, Method::POST),
    ] {
        emu.faults()
            .fail_next(1, Route::method(method.clone()), status, Some("0"));
        let before = sent(&emu, &method);
        let path = format!("storage/folders/{id}");
        let opts = RequestOptions::default().json(json!({"name": "E"}));
        let _ = match method {
            Method::GET => a.get(&path, RequestOptions::default()).await,
            Method::PUT => a.put(&path, opts).await,
            Method::PATCH => a.patch(&path, opts).await,
            Method::POST => {
                a.post(
                    "storage/folders",
                    RequestOptions::default().json(json!({"name": "P", "parent_id": "root"})),
                )
                .await
            }
            _ => a.delete(&path, RequestOptions::default()).await,
        };
        emu.faults().clear();
        got.push((status, method.to_string(), sent(&emu, &method) - before));
    }
    let want: Vec<(u16, String, usize)> = [
        (503, "GET", 2),
        (503, "PUT", 2),
        (503, "PATCH", 1),
        (503, "POST", 1),
        (503, "DELETE", 2),
        (429, "GET", 2),
        (429, "POST", 1),
    ]
    .iter()
    .map(|(s, m, n)| (*s, m.to_string(), *n))
    .collect();
    assert_eq!(got, want);
}

#[tokio::test]
async fn retries_off_sends_one_request_and_a_proxy_carries_the_calls() {
    let emu = Emulator::start().await.unwrap();
    let a = account(&emu, HttpOptions::default().retry(RetryPolicy::none()));
    emu.faults()
        .fail_next(3, Route::method(Method::GET), 503, None);
    let err = a
        .get("storage/folders/root", RequestOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.status_code(), Some(503));
    assert_eq!(sent(&emu, &Method::GET), 1);
    emu.faults().clear();

    let proxy = ForwardProxy::start().await.unwrap();
    let a = account(&emu, HttpOptions::default().proxy(proxy.url()));
    a.get("storage/folders/root", RequestOptions::default())
        .await
        .unwrap();
    assert_eq!(
        proxy.seen(),
        vec![format!(
            "GET {}/v1/accounts/me/storage/folders/root",
            emu.base_url()
        )]
    );
}

/// An upload from a reader: known length and chunked both stored whole; a PUT re-sent after a
/// 503 (the emulator read the body before answering) cannot send the reader again and says
/// so, and the file keeps its bytes.
#[tokio::test]
async fn a_reader_is_uploaded_once() {
    use tokio::io::AsyncReadExt;
    let emu = Emulator::start().await.unwrap();
    let a = account(&emu, HttpOptions::default().retry(fast()));
    let meta = |name: &str| json!({"parent_id": "root", "name": name}).to_string();
    let len = 300_000u64;
    let known = a
        .post(
            "storage/files",
            RequestOptions::default()
                .header("X-Kloudless-Metadata", meta("known.bin"))
                .reader(tokio::io::repeat(b'k').take(len), Some(len)),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    assert_eq!(known.data["size"], len);
    let chunked = a
        .post(
            "storage/files",
            RequestOptions::default()
                .header("X-Kloudless-Metadata", meta("chunked.bin"))
                .reader(&b"no length given"[..], None),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    assert_eq!(chunked.data["size"], 15);
    let id = known.data["id"].as_str().unwrap().to_owned();
    emu.faults()
        .fail_next(1, Route::method(Method::PUT), 503, Some("0"));
    let err = a
        .put(
            &format!("storage/files/{id}"),
            RequestOptions::default().reader(&b"new bytes"[..], Some(9)),
        )
        .await
        .unwrap_err();
    assert!(
        format!("{err:?}").contains("a reader is sent once"),
        "{err:?}"
    );
    // The second attempt fails on its body's first read, before its head leaves.
    assert_eq!(sent(&emu, &Method::PUT), 1);
    let now = a
        .get(&format!("storage/files/{id}"), RequestOptions::default())
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    assert_eq!(now.data["size"], len, "the file keeps its bytes");
}
