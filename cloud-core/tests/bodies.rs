//! Downloads and uploads through the harness: resume after a mid-body drop with the bytes
//! hashing equal, truncation reported, names from a server refused, partial files never
//! renamed unless complete.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use bytes::Bytes;
use cloud_core::body::{self, download, DownloadOptions, Progress, SaveOptions, UploadSource};
use cloud_core::emulator::axum::extract::State;
use cloud_core::emulator::axum::http::HeaderMap;
use cloud_core::emulator::axum::routing::{get, put};
use cloud_core::emulator::axum::Router;
use cloud_core::emulator::{serve_blob, Blob, BlobStore, EmulatorServer, Harness, Route};
use cloud_core::{Error, ErrorKind, Idempotency, Transport, TransportKind};
use futures::{StreamExt, TryStreamExt};
use http::Method;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Mutex;

const SIZE: usize = 3 * 1024 * 1024 + 17;

fn data() -> Vec<u8> {
    (0..SIZE as u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect()
}

struct Store {
    blobs: BlobStore,
    current: Mutex<Blob>,
}

async fn server() -> (EmulatorServer, Transport) {
    let store = Arc::new(Store {
        blobs: BlobStore::new().unwrap(),
        current: Mutex::new(Blob::from_bytes(data())),
    });
    let app = Router::new()
        .route(
            "/blob",
            get(|State(s): State<Arc<Store>>, h: HeaderMap| async move {
                let blob = s.current.lock().await.clone();
                serve_blob(&blob, &h, "application/octet-stream")
            })
            .put(
                |State(s): State<Arc<Store>>, body: axum::body::Body| async move {
                    match s.blobs.put_stream_md5(body.into_data_stream()).await {
                        Ok(blob) => {
                            let md5 = blob.md5().to_owned();
                            *s.current.lock().await = blob;
                            (http::StatusCode::CREATED, md5)
                        }
                        Err(e) => (http::StatusCode::BAD_REQUEST, e.to_string()),
                    }
                },
            ),
        )
        .route("/blob2", put(|| async { "unused" }))
        .with_state(store);
    let server = EmulatorServer::start(app, Harness::new()).await.unwrap();
    let transport = Transport::builder(server.base_url(), "cloud-core-tests/0")
        .build()
        .unwrap();
    (server, transport)
}

fn fetcher(t: &Transport) -> impl body::RangeFetch {
    let t = t.clone();
    move |offset: u64| {
        let t = t.clone();
        async move {
            let url = t.url("/blob")?;
            let mut req = t.request(Method::GET, url);
            if let Some(r) = body::download::range_header(offset) {
                req = req.header(http::header::RANGE, r);
            }
            req.send()
                .await
                .map_err(|e| cloud_core::error::from_reqwest(e, None))
        }
    }
}

fn sha(b: &[u8]) -> Vec<u8> {
    Sha256::digest(b).to_vec()
}

#[tokio::test]
async fn download_dropped_mid_body_resumes_and_hashes_equal() {
    let (server, t) = server().await;
    // Two drops: after 1 MiB, then (on the resumed request) after 100 KiB.
    server
        .faults()
        .drop_response_after(1, Route::method(Method::GET).exact("/blob"), 1 << 20)
        .drop_response_after(1, Route::method(Method::GET).exact("/blob"), 100_000);
    let seen = Arc::new(std::sync::Mutex::new(Vec::<Progress>::new()));
    let s2 = Arc::clone(&seen);
    let dl = download(
        fetcher(&t),
        DownloadOptions::default().progress(Arc::new(move |p| s2.lock().unwrap().push(p))),
    )
    .await
    .unwrap();
    assert_eq!(dl.total, Some(SIZE as u64));
    let mut hasher = Sha256::new();
    let mut n = 0;
    let mut stream = dl;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        n += chunk.len();
        hasher.update(&chunk);
    }
    assert_eq!(n, SIZE);
    assert_eq!(hasher.finalize().to_vec(), sha(&data()));
    let log = server.log().entries();
    let offsets: Vec<Option<u64>> = log
        .iter()
        .map(|r| {
            r.header("range")
                .and_then(|v| v.strip_prefix("bytes=")?.strip_suffix('-')?.parse().ok())
        })
        .collect();
    // Three requests: the whole body, then two resumes, each from where the bytes stopped
    // (at most the fault's byte counts; a loaded machine may lose a few with the connection).
    assert_eq!(offsets.len(), 3);
    assert_eq!(offsets[0], None);
    let (first, second) = (offsets[1].unwrap(), offsets[2].unwrap());
    assert!(first > 0 && first <= 1 << 20, "{first}");
    assert!(second > first && second <= first + 100_000, "{second}");
    let last = *seen.lock().unwrap().last().unwrap();
    assert_eq!(
        last,
        Progress {
            transferred: SIZE as u64,
            total: Some(SIZE as u64)
        }
    );
}

#[tokio::test]
async fn drop_without_resume_budget_is_a_truncation_error() {
    let (server, t) = server().await;
    server
        .faults()
        .drop_response_after(1, Route::any().exact("/blob"), 5000);
    let dl = download(fetcher(&t), DownloadOptions::default().max_resumes(0))
        .await
        .unwrap();
    let result: Result<Vec<Bytes>, Error> = dl.try_collect().await;
    let err = result.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Transport(TransportKind::Truncated));
    assert!(err.to_string().contains("byte 5000"), "{err}");
}

/// A server that announces 100 bytes and sends 40, then closes: a lying Content-Length.
#[tokio::test]
async fn short_body_from_a_raw_server_is_truncated() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut sock, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let _ = sock
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n",
                    )
                    .await;
                let _ = sock.write_all(&[7u8; 40]).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    let t = Transport::builder(format!("http://{addr}"), "t/0")
        .build()
        .unwrap();
    let t2 = t.clone();
    let f = move |offset: u64| {
        let t = t2.clone();
        async move {
            let mut req = t.request(Method::GET, t.url("/x")?);
            if let Some(r) = body::download::range_header(offset) {
                req = req.header(http::header::RANGE, r);
            }
            req.send()
                .await
                .map_err(|e| cloud_core::error::from_reqwest(e, None))
        }
    };
    let dl = download(f, DownloadOptions::default().max_resumes(2))
        .await
        .unwrap();
    let err = dl.try_collect::<Vec<Bytes>>().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Transport(TransportKind::Truncated));
}

#[tokio::test]
async fn save_to_dir_refuses_hostile_names_and_renames_only_complete_files() {
    let (server, t) = server().await;
    let dir = tempfile::tempdir().unwrap();
    for bad in ["../x", "/etc/x", "a/b", "..", "x\0y"] {
        let dl = download(fetcher(&t), DownloadOptions::default())
            .await
            .unwrap();
        let err = body::save_to_dir(dl, dir.path(), bad, &SaveOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidInput, "{bad:?}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    assert!(!dir.path().parent().unwrap().join("x").exists());

    // A body that breaks for good leaves a partial file, never the target.
    server
        .faults()
        .drop_response_after(1, Route::any().exact("/blob"), 70_000);
    let dl = download(fetcher(&t), DownloadOptions::default().max_resumes(0))
        .await
        .unwrap();
    let err = body::save_to_dir(dl, dir.path(), "f.bin", &SaveOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Transport(TransportKind::Truncated));
    assert!(!dir.path().join("f.bin").exists());
    let partial = dir.path().join("f.bin.partial");
    let have = std::fs::metadata(&partial).unwrap().len();
    assert!(have > 0 && have <= 70_000, "{have}");

    // Resume from the partial file.
    let opts = SaveOptions::default().resume(true);
    let mut file = body::PartialFile::create(&dir.path().join("f.bin"), &opts)
        .await
        .unwrap();
    assert_eq!(file.offset(), have);
    let dl = download(fetcher(&t), DownloadOptions::default().start(file.offset()))
        .await
        .unwrap();
    file.write_stream(dl).await.unwrap();
    assert_eq!(file.finish().await.unwrap(), SIZE as u64);
    assert_eq!(
        sha(&std::fs::read(dir.path().join("f.bin")).unwrap()),
        sha(&data())
    );
    assert!(!partial.exists());
}

#[tokio::test]
async fn upload_retried_after_a_dropped_request_resends_the_whole_file() {
    let (server, t) = server().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("up.bin");
    let payload: Vec<u8> = data().into_iter().rev().collect();
    std::fs::write(&path, &payload).unwrap();
    server
        .faults()
        .drop_request_after(1, Route::method(Method::PUT).exact("/blob"), 200_000);
    let url = t.url("/blob").unwrap();
    let mut source = UploadSource::from(path.clone());
    let len = source.len().await.unwrap();
    let resp = t
        .send(&Method::PUT, &url, Idempotency::Idempotent, || {
            let body = source.open_body(len, None)?;
            Ok(t.request(Method::PUT, url.clone()).body(body))
        })
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let md5 = resp.text().await.unwrap();
    assert_eq!(server.log().count("PUT", "/blob"), 2);
    // What the server kept is the whole file.
    let dl = download(fetcher(&t), DownloadOptions::default())
        .await
        .unwrap();
    let mut r = dl.into_async_read();
    let mut got = Vec::new();
    r.read_to_end(&mut got).await.unwrap();
    assert_eq!(sha(&got), sha(&payload));
    assert_eq!(md5.len(), 32);

    // A one-shot reader is not re-sent: the failure stands.
    server
        .faults()
        .drop_request_after(1, Route::method(Method::PUT).exact("/blob"), 200_000);
    let mut once = UploadSource::reader(std::io::Cursor::new(payload.clone()));
    let err = t
        .send(&Method::PUT, &url, Idempotency::Idempotent, || {
            let body = once.open_body(None, None)?;
            Ok(t.request(Method::PUT, url.clone()).body(body))
        })
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Transport(_)), "{err:?}");
}

#[tokio::test]
async fn a_lost_answer_is_made_on_the_server_and_not_resent_when_it_must_not_be() {
    let (server, t) = server().await;
    let url = t.url("/blob").unwrap();
    let route = || Route::method(Method::PUT).exact("/blob");
    let put = |bytes: &'static [u8], idem: Idempotency| {
        let (t, url) = (t.clone(), url.clone());
        async move {
            t.send(&Method::PUT, &url, idem, || {
                Ok(t.request(Method::PUT, url.clone()).body(bytes))
            })
            .await
        }
    };
    let held = || async {
        let dl = download(fetcher(&t), DownloadOptions::default())
            .await
            .unwrap();
        let mut got = Vec::new();
        dl.into_async_read().read_to_end(&mut got).await.unwrap();
        got
    };
    // Not to be repeated: the call fails, yet its change was made, and it went out once.
    server.faults().lose_response(1, route());
    let err = put(b"first", Idempotency::NonIdempotent).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Transport(_)), "{err:?}");
    assert_eq!(held().await, b"first");
    assert_eq!(server.log().count("PUT", "/blob"), 1);
    // Safe to repeat: sent again, and it is the second answer the caller sees.
    server.faults().lose_response(1, route());
    let resp = put(b"second", Idempotency::Idempotent).await.unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(held().await, b"second");
    assert_eq!(server.log().count("PUT", "/blob"), 3);
}
