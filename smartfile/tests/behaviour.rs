//! Behaviour tests: workflows against the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use cloud_core::emulator::Route;
use futures::{StreamExt, TryStreamExt};
use http::Method;
use smartfile::emulator::Emulator;
use smartfile::{
    BasicClient, BasicOptions, ClientOptions, DownloadOptions, Error, OAuthClient, Params, Response,
};
use tokio::io::AsyncReadExt;

fn basic(emu: &Emulator) -> BasicClient {
    BasicClient::new(
        Some(emu.key()),
        Some(emu.password()),
        BasicOptions::default().url(emu.base_url()),
    )
    .unwrap()
}

#[tokio::test]
async fn the_readme_workflow() {
    let emu = Emulator::start().await.unwrap();
    let api = basic(&emu);
    assert_eq!(
        api.get("/ping", (), Params::new())
            .await
            .unwrap()
            .json()
            .unwrap()["ping"],
        "pong"
    );
    let who = api
        .call("/whoami", (), Params::new())
        .await
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(who["site"]["name"], "emulator");
    // mkdir creates parents, and is idempotent; PUT-in-URL works too.
    let d = api
        .post("/path/oper/mkdir/", (), Params::new().arg("path", "a/b/c"))
        .await
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(
        (d["path"].as_str(), d["isdir"].as_bool()),
        (Some("/a/b/c"), Some(true))
    );
    api.post("/path/oper/mkdir/", (), Params::new().arg("path", "/a/b/c"))
        .await
        .unwrap();
    api.put("/path/oper/mkdir", "/x/y", Params::new())
        .await
        .unwrap();
    // Upload into a folder (the part name's last component), info, download.
    let up = api
        .post(
            "/path/data",
            "/a/b",
            Params::new().arg(
                "file",
                smartfile::FilePart::bytes("dir/report.txt", b"hello".to_vec()),
            ),
        )
        .await
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(
        (up["path"].as_str(), up["size"].as_u64()),
        (Some("/a/b/report.txt"), Some(5))
    );
    let info = api
        .get("/path/info", "/a/b/report.txt", Params::new())
        .await
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(
        (
            info["isfile"].as_bool(),
            info["extension"].as_str(),
            info["mime"].as_str()
        ),
        (Some(true), Some(".txt"), Some("text/plain"))
    );
    let Response::Stream(s) = api
        .get("/path/data", "/a/b/report.txt", Params::new())
        .await
        .unwrap()
    else {
        panic!("a stream");
    };
    let body: Vec<bytes::Bytes> = s.try_collect().await.unwrap();
    assert_eq!(body.concat(), b"hello");
    // Move into an existing directory; then rename-like move; then a conflict.
    let task = api
        .r#move("/a/b/report.txt", "/x")
        .await
        .unwrap()
        .into_json()
        .unwrap();
    let done = api
        .wait_task(
            task["uuid"].as_str().unwrap(),
            Duration::from_millis(10),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(done.status, "SUCCESS");
    assert!(api
        .get("/path/info", "/x/report.txt", Params::new())
        .await
        .is_ok());
    api.r#move("/x/report.txt", "/x/renamed.txt").await.unwrap();
    api.upload("other.txt", b"o".to_vec()).await.unwrap();
    let err = api
        .r#move("/other.txt", "/x/renamed.txt")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"Response 409: Error: b'{"detail":"Destination exists:/x/renamed.txt"}'"#
    );
    // Missing sources and paths: 404 with the src/path rules.
    let err = api.r#move("/nope", "/x").await.unwrap_err();
    assert_eq!(err.to_string(), "Response 404: Source does not exist");
    api.remove("/x").await.unwrap();
    let err = api.remove("/x").await.unwrap_err();
    assert_eq!(err.to_string(), "Response 404: Path does not exist");
    // Bad credentials: 401 and the original's rendering.
    let bad = BasicClient::new(
        Some(&"k".repeat(30)),
        Some(&"p".repeat(30)),
        BasicOptions::default().url(emu.base_url()),
    )
    .unwrap();
    let err = bad.get("/whoami", (), Params::new()).await.unwrap_err();
    assert_eq!(err.status_code(), Some(401));
    // Credentials are checked before any request.
    let before = emu.log().entries().len();
    assert!(matches!(
        BasicClient::new(
            Some("short"),
            Some(&"p".repeat(30)),
            BasicOptions::default().url(emu.base_url())
        ),
        Err(Error::Api(_))
    ));
    assert_eq!(emu.log().entries().len(), before);
}

#[tokio::test]
async fn paging_a_folder_of_2500_entries() {
    let emu = Emulator::start().await.unwrap();
    let api = basic(&emu);
    api.post("/path/oper/mkdir/", (), Params::new().arg("path", "/big"))
        .await
        .unwrap();
    for i in 0..2500 {
        api.post(
            "/path/data",
            "/big",
            Params::new().arg(
                "file",
                smartfile::FilePart::bytes(format!("f{i:04}"), vec![b'x'; i % 3]),
            ),
        )
        .await
        .unwrap();
    }
    let mut names = Vec::new();
    let mut page = 1;
    loop {
        let r = api
            .get(
                "/path/info",
                "/big",
                Params::new()
                    .arg("children", true)
                    .arg("limit", 100)
                    .arg("page", page)
                    .arg("fields", vec!["name"]),
            )
            .await
            .unwrap()
            .into_json()
            .unwrap();
        names.extend(
            r["children"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_owned()),
        );
        if r["page"] == r["pages"] {
            assert_eq!(r["pages"], 25);
            break;
        }
        page += 1;
    }
    assert_eq!(names.len(), 2500);
    assert!(names.windows(2).all(|w| w[0] < w[1]));

    // The same folder through children_stream, in pages of 300 (9 pages, the last short).
    let before = emu.log().entries().len();
    let streamed: Vec<String> = api
        .children_stream("/big", 300)
        .unwrap()
        .map_ok(|c| c["name"].as_str().unwrap().to_owned())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, names);
    assert_eq!(emu.log().entries().len() - before, 9);

    // Seeded entries list the same way; an empty folder is one page of nothing.
    emu.seed_files("/seeded", 1234).unwrap();
    let n = api
        .children_stream("/seeded", 1000)
        .unwrap()
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(n, 1234);
    api.post("/path/oper/mkdir/", (), Params::new().arg("path", "/empty"))
        .await
        .unwrap();
    let mut empty = std::pin::pin!(api.children_stream("/empty", 10).unwrap());
    assert!(empty.next().await.is_none());
    assert!(matches!(
        api.children_stream("/big", 0).map(|_| ()),
        Err(smartfile::Error::InvalidInput(_))
    ));
}

#[tokio::test]
async fn throttle_retry_and_rate_limits() {
    let emu = Emulator::start().await.unwrap();
    let api = basic(&emu);
    // Throttled twice, then served: three requests, one success (POST too).
    emu.throttle(2, Route::any().path("/api/2/path/oper/mkdir/"), 0.01);
    api.post("/path/oper/mkdir/", (), Params::new().arg("path", "/t"))
        .await
        .unwrap();
    assert_eq!(emu.log().count("POST", "/api/2/path/oper/mkdir/"), 3);
    // Throttled for good: three requests, then the original's RequestError.
    emu.throttle(10, Route::any().path("/api/2/ping/"), 0.01);
    let start = Instant::now();
    let err = api.get("/ping", (), Params::new()).await.unwrap_err();
    assert_eq!(err.to_string(), "Could not complete request after 3 trys.");
    assert_eq!(emu.log().count("GET", "/api/2/ping/"), 3);
    // Two waits: the original also slept after the third answer, before giving up.
    assert!(start.elapsed() >= Duration::from_millis(20));
    emu.faults().clear();
    // throttle_wait=false: one request.
    let nowait = BasicClient::new(
        Some(emu.key()),
        Some(emu.password()),
        BasicOptions::default().client(
            ClientOptions::default()
                .url(emu.base_url())
                .throttle_wait(false),
        ),
    )
    .unwrap();
    emu.log().clear();
    emu.throttle(1, Route::any().path("/api/2/ping/"), 0.01);
    assert_eq!(
        nowait
            .get("/ping", (), Params::new())
            .await
            .unwrap_err()
            .status_code(),
        Some(503)
    );
    assert_eq!(emu.log().count("GET", "/api/2/ping/"), 1);
    // 429 with Retry-After: retried by cloud-core's policy (beyond the original).
    emu.faults()
        .fail_next(1, Route::any().path("/api/2/ping/"), 429, Some("0"));
    api.get("/ping", (), Params::new()).await.unwrap();
    // A retried upload re-sends the whole file.
    emu.throttle(
        1,
        Route::method(Method::POST).path("/api/2/path/data/"),
        0.01,
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("retry.bin");
    std::fs::write(&p, vec![7u8; 100_000]).unwrap();
    let up = api
        .upload("retry.bin", p.clone())
        .await
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(up["size"], 100_000);
}

#[tokio::test]
async fn download_survives_a_mid_body_drop_and_stays_in_its_folder() {
    let emu = Emulator::start().await.unwrap();
    let api = basic(&emu);
    let data: Vec<u8> = (0..2_000_000u32).map(|i| (i % 253) as u8).collect();
    api.upload("data.bin", data.clone()).await.unwrap();
    emu.faults().drop_response_after(
        1,
        Route::method(Method::GET).path("/api/2/path/data/"),
        700_000,
    );
    let dir = tempfile::tempdir().unwrap();
    let p = api
        .download(
            "/data.bin",
            DownloadOptions::default().directory(dir.path()),
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), data);
    assert_eq!(
        emu.log()
            .entries()
            .iter()
            .filter(|r| r.header("range").is_some())
            .count(),
        1
    );
    // A name that would leave the folder is refused before any request.
    let err = api
        .download("/..", DownloadOptions::default().directory(dir.path()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)));
    // A missing file: the original's 404 rendering; nothing left behind.
    let err = api
        .download(
            "/missing.bin",
            DownloadOptions::default().directory(dir.path()),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status_code(), Some(404));
    assert!(!dir.path().join("missing.bin").exists());
}

#[tokio::test]
async fn oauth_three_legs_then_calls() {
    let emu = Emulator::start().await.unwrap();
    let client = OAuthClient::new(
        Some(emu.client_token()),
        Some(emu.client_secret()),
        None,
        None,
        ClientOptions::default().url(emu.base_url()),
    )
    .unwrap();
    // No access token: refused before any request.
    let before = emu.log().entries().len();
    assert_eq!(
        client
            .get("/whoami", (), Params::new())
            .await
            .unwrap_err()
            .to_string(),
        "You must obtain an access tokenbefore making API calls."
    );
    assert_eq!(emu.log().entries().len(), before);
    assert!(matches!(
        client.get_authorization_url(None),
        Err(Error::Api(_))
    ));
    let request = client.get_request_token(None).await.unwrap();
    let url = client.get_authorization_url(None).unwrap();
    assert!(url.starts_with(&format!("{}oauth/authorize/?oauth_token=", emu.base_url())));
    let page = cloud_core::reqwest::get(&url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let verifier = page.strip_prefix("oauth_verifier=").unwrap().to_owned();
    let access = client
        .get_access_token(Some(&request), Some(&verifier))
        .await
        .unwrap();
    assert!(access.is_valid());
    assert_eq!(
        client
            .get("/whoami", (), Params::new())
            .await
            .unwrap()
            .into_json()
            .unwrap()["username"],
        "emulator"
    );
    // A pre-issued access token works as well; a wrong secret does not.
    let (at, asec) = emu.access_token();
    let c2 = OAuthClient::new(
        Some(emu.client_token()),
        Some(emu.client_secret()),
        Some(at),
        Some(asec),
        ClientOptions::default().url(emu.base_url()),
    )
    .unwrap();
    c2.get("/whoami", (), Params::new()).await.unwrap();
    let c3 = OAuthClient::new(
        Some(emu.client_token()),
        Some(emu.client_secret()),
        Some(at),
        Some(&"w".repeat(30)),
        ClientOptions::default().url(emu.base_url()),
    )
    .unwrap();
    assert_eq!(
        c3.get("/whoami", (), Params::new())
            .await
            .unwrap_err()
            .status_code(),
        Some(401)
    );
    // A wrong verifier is refused (403 text): a RequestError naming the missing token.
    let r2 = client.get_request_token(None).await.unwrap();
    assert!(matches!(
        client.get_access_token(Some(&r2), Some("wrong")).await,
        Err(Error::Request { .. })
    ));
}

/// Names with URL-reserved characters, percent signs, spaces, non-ASCII letters and emoji go
/// through every path-addressed call: upload, info, download, move, rename's target, remove.
#[tokio::test]
async fn names_with_reserved_characters_are_addressable() {
    let emu = Emulator::start().await.unwrap();
    let api = basic(&emu);
    let dir = tempfile::tempdir().unwrap();
    api.post("/path/oper/mkdir/", (), Params::new().arg("path", "/dst"))
        .await
        .unwrap();
    for (i, name) in cloud_core::emulator::AWKWARD_NAMES.iter().enumerate() {
        let body = format!("body {i}").into_bytes();
        api.upload(name, body.clone()).await.unwrap();
        let info = api
            .get("/path/info", format!("/{name}"), Params::new())
            .await
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(info["name"], *name, "{name}");
        assert_eq!(info["size"], body.len(), "{name}");
        let got = api
            .download(
                &format!("/{name}"),
                DownloadOptions::default().directory(dir.path()),
            )
            .await
            .unwrap();
        assert_eq!(std::fs::read(&got).unwrap(), body, "{name}");
        api.r#move(&format!("/{name}"), "/dst").await.unwrap();
        let moved = api
            .get("/path/info", format!("/dst/{name}"), Params::new())
            .await
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(moved["path"], format!("/dst/{name}"), "{name}");
        api.remove(&format!("/dst/{name}")).await.unwrap();
        assert!(api
            .get("/path/info", format!("/dst/{name}"), Params::new())
            .await
            .unwrap_err()
            .is_not_found());
    }
}

/// The original's `upload` posts to the root and keeps the last component of the name;
/// `upload_into` puts the file in a folder.
#[tokio::test]
async fn uploads_into_a_folder() {
    let emu = Emulator::start().await.unwrap();
    let api = basic(&emu);
    api.post("/path/oper/mkdir/", (), Params::new().arg("path", "/docs"))
        .await
        .unwrap();
    api.upload("docs/a.txt", b"root".to_vec()).await.unwrap();
    let at_root = api
        .get("/path/info", "/a.txt", Params::new())
        .await
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(at_root["path"], "/a.txt");
    api.upload_into(
        "/docs",
        smartfile::FilePart::bytes("b.txt", b"in docs".to_vec()),
    )
    .await
    .unwrap();
    let inside = api
        .get("/path/info", "/docs/b.txt", Params::new())
        .await
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(
        (inside["path"].as_str(), inside["size"].as_u64()),
        (Some("/docs/b.txt"), Some(7))
    );
}

/// An error answer changes nothing: each failing mutating call leaves the emulator's tree
/// (every path, its size) as it was.
#[tokio::test]
async fn an_error_answer_changes_nothing() {
    let emu = Emulator::start().await.unwrap();
    let api = basic(&emu);
    api.post("/path/oper/mkdir/", (), Params::new().arg("path", "/d/e"))
        .await
        .unwrap();
    api.upload("a.txt", b"a".to_vec()).await.unwrap();
    api.upload("b.txt", b"bb".to_vec()).await.unwrap();
    let tree = |api: BasicClient| async move {
        let mut out = Vec::new();
        for dir in ["/", "/d", "/d/e"] {
            let info = api
                .get("/path/info", dir, Params::new().arg("children", "on"))
                .await
                .unwrap()
                .into_json()
                .unwrap();
            for c in info["children"].as_array().into_iter().flatten() {
                out.push((c["path"].to_string(), c["size"].to_string()));
            }
        }
        out.sort();
        out
    };
    let before = (emu.file_count(), tree(api.clone()).await);
    let form = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .fold(Params::new(), |p, (k, v)| p.arg(*k, v.to_string()))
    };
    let failing = [
        ("/path/oper/move/", form(&[("src", "/nope"), ("dst", "/d")])),
        ("/path/oper/copy/", form(&[("src", "/nope"), ("dst", "/d")])),
        (
            "/path/oper/move/",
            form(&[("src", "/a.txt"), ("dst", "/x/y/z")]),
        ),
        (
            "/path/oper/rename/",
            form(&[("src", "/a.txt"), ("dst", "/b.txt")]),
        ),
        (
            "/path/oper/rename/",
            form(&[("src", "/nope"), ("dst", "/c.txt")]),
        ),
        // One path of two missing: neither goes.
        (
            "/path/oper/remove/",
            form(&[("path", "/a.txt"), ("path", "/nope")]),
        ),
    ];
    for (endpoint, params) in failing {
        let shown = format!("{endpoint} {params:?}");
        assert!(
            api.post(endpoint, (), params).await.is_err(),
            "{shown} succeeded"
        );
        assert_eq!(
            (emu.file_count(), tree(api.clone()).await),
            before,
            "{shown} changed the tree"
        );
    }
}

#[tokio::test]
async fn uploads_from_any_async_reader() {
    let emu = Emulator::start().await.unwrap();
    let api = basic(&emu);
    // A reader of known length, with progress, and one of unknown length (a chunked body):
    // 3 MiB each, never held whole.
    let len = 3u64 << 20;
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let s = seen.clone();
    let part =
        smartfile::FilePart::reader("known.bin", tokio::io::repeat(b'k').take(len), Some(len))
            .progress(std::sync::Arc::new(move |p: cloud_core::body::Progress| {
                s.store(p.transferred, std::sync::atomic::Ordering::SeqCst);
                assert_eq!(p.total, Some(len));
            }));
    api.upload_part(part).await.unwrap();
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), len);
    let (mut w, r) = tokio::io::duplex(64 * 1024);
    let writer = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        for _ in 0..48 {
            w.write_all(&[b'u'; 64 * 1024]).await.unwrap();
        }
    });
    api.upload_into("/", smartfile::FilePart::reader("unknown.bin", r, None))
        .await
        .unwrap();
    writer.await.unwrap();
    for (name, byte) in [("known.bin", b'k'), ("unknown.bin", b'u')] {
        let info = api
            .get("/path/info", name, Params::new())
            .await
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(info["size"].as_u64(), Some(len), "{name}");
        let body: Vec<u8> = api
            .download_stream(name)
            .await
            .unwrap()
            .map_ok(|b| b.to_vec())
            .try_concat()
            .await
            .unwrap();
        assert!(
            body.len() as u64 == len && body.iter().all(|b| *b == byte),
            "{name}"
        );
    }
    // A throttled answer re-sends the call; a reader cannot be read twice: the error says so
    // (a path or bytes source is read again).
    let route = "/api/2/path/data/";
    emu.throttle(1, Route::any().path(route), 0.01);
    let err = api
        .upload_part(smartfile::FilePart::reader(
            "twice.bin",
            &b"once"[..],
            Some(4),
        ))
        .await
        .unwrap_err();
    assert!(
        format!("{err:?}").contains("a reader is sent once"),
        "{err:?}"
    );
    emu.throttle(1, Route::any().path(route), 0.01);
    api.upload("again.bin", b"bytes".to_vec()).await.unwrap();
}

/// The installed program (`smartfile-emulator`): `--help`, the credentials it is given and a
/// seeded folder.
#[tokio::test]
async fn the_emulator_program_takes_its_flags() {
    let Some(bin) = option_env!("CARGO_BIN_EXE_smartfile-emulator") else {
        return;
    };
    let help = cloud_core::emulator::standalone::Program::help(bin.as_ref()).unwrap();
    for flag in [
        "--addr",
        "--seed-files N",
        "--key KEY",
        "--password PW",
        "access_secret",
    ] {
        assert!(help.contains(flag), "{flag}: {help}");
    }
    let (key, pw) = ("k".repeat(30), "p".repeat(30));
    let p = cloud_core::emulator::standalone::Program::start(
        std::path::Path::new(bin),
        &["--key", &key, "--password", &pw, "--seed-files", "3"],
    )
    .unwrap();
    assert_eq!(
        (p.field("key"), p.field("password")),
        (key.clone(), pw.clone())
    );
    let api = BasicClient::new(
        Some(&key),
        Some(&pw),
        BasicOptions::default().url(p.field("base_url")),
    )
    .unwrap();
    let listing = api
        .get("/path/info", "/seed", Params::new().arg("children", "on"))
        .await
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(listing["children"].as_array().map(Vec::len), Some(3));
}

/// The endpoint table of the docs (`emulator::endpoints`) against the emulator: every row's
/// methods on its path are routed (an answer of the handler, not the router's bare 404 or
/// 405), and every route of the emulator has a row, so the table cannot drift.
#[tokio::test]
async fn the_endpoint_table_matches_the_routes() {
    let table = include_str!("../src/emulator/endpoints.md");
    let routes = [
        include_str!("../src/emulator/routes.rs"),
        include_str!("../src/emulator/accounts.rs"),
    ]
    .concat();
    let placeholder = |p: &str, with: &str| {
        let mut out = String::new();
        let mut rest = p;
        while let Some(i) = rest.find('<') {
            out.push_str(&rest[..i]);
            let end = rest[i..].find('>').map(|j| i + j + 1).unwrap_or(rest.len());
            out.push_str(with);
            rest = &rest[end..];
            rest = rest.strip_prefix('/').unwrap_or(rest);
        }
        out + rest
    };
    let mut rows = Vec::new();
    for line in table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| method"))
    {
        let cells: Vec<&str> = line.split(" | ").collect();
        let methods: Vec<String> = cells[0]
            .trim_start_matches("| ")
            .split(", ")
            .map(str::to_owned)
            .collect();
        let path = cells[1].trim_matches('`').to_owned();
        rows.push((methods, path));
    }
    assert!(rows.len() >= 33, "{} rows", rows.len());
    // Every route has a row ("X/" is covered by a row "X/<name>/").
    let covered: Vec<String> = rows.iter().map(|(_, p)| placeholder(p, "*")).collect();
    for r in routes
        .lines()
        .filter_map(|l| l.trim().strip_prefix(".route(\""))
    {
        let r = r.split('"').next().unwrap();
        let r = r.strip_prefix("/api/{v}").unwrap_or(r);
        let r = r
            .replace("{*path}", "*")
            .replace("{*rest}", "*")
            .replace("{uuid}/", "*");
        // A catch-all route (`/quota/*`) is covered by the rows under it.
        let under = |prefix: &str| covered.iter().any(|c| c.starts_with(prefix) && c != prefix);
        assert!(
            covered.contains(&r)
                || covered.contains(&format!("{r}*"))
                || r.strip_suffix('*').is_some_and(under),
            "route {r} has no row in endpoints.md"
        );
    }
    // Every row is routed.
    let emu = Emulator::start().await.unwrap();
    let http = cloud_core::reqwest::Client::new();
    for (methods, path) in &rows {
        let concrete = placeholder(path, "docs/");
        let url = if concrete.starts_with("/oauth/") {
            format!("{}{}", emu.base_url(), &concrete[1..])
        } else {
            format!("{}api/2{concrete}", emu.base_url())
        };
        for m in methods {
            let resp = http
                .request(m.parse().unwrap(), &url)
                .basic_auth(emu.key(), Some(emu.password()))
                .send()
                .await
                .unwrap();
            let status = resp.status();
            let body = resp.bytes().await.unwrap();
            assert_ne!(status, 405, "{m} {path}: not routed");
            assert!(
                !(status == 404 && body.is_empty()),
                "{m} {path}: the router's 404"
            );
        }
    }
}

/// The account families through this crate's generic calls: each created, listed, read,
/// updated and deleted, with the statuses and bodies of the errors; a refused call changes
/// nothing (the list and the record are the same after it).
#[tokio::test]
async fn account_endpoints_through_the_generic_calls() {
    let emu = Emulator::start().await.unwrap();
    let api = basic(&emu);
    let json = |r: Response| r.into_json().unwrap();
    let status = |e: Error| (e.status_code().unwrap(), e.to_string());
    let list = |v: serde_json::Value, field: &str| -> Vec<String> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x[field].as_str().unwrap().to_owned())
            .collect()
    };
    // Users.
    let created = api
        .post(
            "/user",
            (),
            Params::new()
                .arg("username", "han")
                .arg("email", "han@example.invalid")
                .arg("password", "p".repeat(30)),
        )
        .await
        .map(json)
        .unwrap();
    assert_eq!(created["username"], "han");
    assert!(created.get("password").is_none(), "{created}");
    assert!(created["url"]
        .as_str()
        .unwrap()
        .ends_with("/api/2/user/han/"));
    let dup = api
        .post(
            "/user",
            (),
            Params::new().arg("username", "han").arg("email", "x@y"),
        )
        .await
        .unwrap_err();
    assert_eq!(dup.status_code(), Some(400));
    assert!(dup.to_string().contains("already exists"), "{dup}");
    let users = api.get("/user", (), Params::new()).await.map(json).unwrap();
    assert_eq!(list(users, "username"), ["emulator", "han"]);
    let page = api
        .get("/user", (), Params::new().arg("limit", 1).arg("page", 1))
        .await
        .map(json)
        .unwrap();
    assert_eq!(
        (page["page"].clone(), page["pages"].clone()),
        (1.into(), 2.into())
    );
    assert_eq!(list(page, "username"), ["emulator"]);
    let updated = api
        .put("/user", "han", Params::new().arg("full_name", "Han Solo"))
        .await
        .map(json)
        .unwrap();
    assert_eq!(updated["full_name"], "Han Solo");
    // Groups: an unknown member refused, nothing created.
    let bad = api
        .post(
            "/group",
            (),
            Params::new().arg("name", "crew").arg("users", "nobody"),
        )
        .await
        .unwrap_err();
    assert_eq!(bad.status_code(), Some(400));
    let groups = api
        .get("/group", (), Params::new())
        .await
        .map(json)
        .unwrap();
    assert_eq!(groups["count"], 0);
    let crew = api
        .post(
            "/group",
            (),
            Params::new()
                .arg("name", "crew")
                .arg("users", vec!["han", "emulator"]),
        )
        .await
        .map(json)
        .unwrap();
    assert_eq!(crew["users"], serde_json::json!(["han", "emulator"]));
    // Roles and sites.
    let role = api
        .post(
            "/role",
            (),
            Params::new()
                .arg("name", "reader")
                .arg("rights", vec!["read", "list"]),
        )
        .await
        .map(json)
        .unwrap();
    assert_eq!(role["rights"], serde_json::json!(["read", "list"]));
    let site = api
        .post("/site", (), Params::new().arg("name", "falcon"))
        .await
        .map(json)
        .unwrap();
    assert_eq!(site["name"], "falcon");
    // Links on an existing path.
    api.put("/path/oper/mkdir", "/docs", Params::new())
        .await
        .unwrap();
    let missing = api
        .post("/link", (), Params::new().arg("path", "/nope"))
        .await
        .unwrap_err();
    assert_eq!(
        status(missing),
        (400, "Response 400: Path does not exist".into())
    );
    assert_eq!(
        api.get("/link", (), Params::new()).await.map(json).unwrap()["count"],
        0
    );
    let link = api
        .post(
            "/link",
            (),
            Params::new()
                .arg("path", "/docs")
                .arg("read", true)
                .arg("password", "secret"),
        )
        .await
        .map(json)
        .unwrap();
    let uid = link["uid"].as_str().unwrap().to_owned();
    assert_eq!(
        (link["read"].clone(), link["protected"].clone()),
        (true.into(), true.into())
    );
    assert!(link.get("password").is_none());
    api.delete("/link", uid.as_str(), Params::new())
        .await
        .unwrap();
    assert_eq!(
        api.get("/link", uid.as_str(), Params::new())
            .await
            .unwrap_err()
            .status_code(),
        Some(404)
    );
    // Quotas: a bad limit leaves the old one.
    api.put("/quota/user", "han", Params::new().arg("limit", 10))
        .await
        .unwrap();
    let bad = api
        .put("/quota/user", "han", Params::new().arg("limit", "ten"))
        .await
        .unwrap_err();
    assert_eq!(bad.status_code(), Some(400));
    assert_eq!(
        api.get("/quota/user", "han", Params::new())
            .await
            .map(json)
            .unwrap()["limit"],
        10
    );
    // Access rules, by subject and by path; a group's too.
    let rule = api
        .post(
            "/access/group/crew",
            (),
            Params::new().arg("path", "/docs").arg("list", true),
        )
        .await
        .map(json)
        .unwrap();
    assert_eq!(
        (rule["group"].clone(), rule["list"].clone()),
        ("crew".into(), true.into())
    );
    let by_path = api
        .get("/access/path", "/docs", Params::new())
        .await
        .map(json)
        .unwrap();
    assert_eq!(by_path["count"], 1);
    let id = rule["id"].as_u64().unwrap();
    api.delete("/access/group/crew", id, Params::new())
        .await
        .unwrap();
    assert_eq!(
        api.get("/access/path", "/docs", Params::new())
            .await
            .map(json)
            .unwrap()["count"],
        0
    );
    // Rights, preferences, sessions.
    let rights = api
        .get("/right", (), Params::new())
        .await
        .map(json)
        .unwrap();
    assert_eq!(list(rights, "name"), ["read", "write", "list", "remove"]);
    api.put("/pref/user", "lang", Params::new().arg("value", "fr"))
        .await
        .unwrap();
    assert_eq!(
        api.get("/pref/user", "lang", Params::new())
            .await
            .map(json)
            .unwrap()["value"],
        "fr"
    );
    let session = api
        .post(
            "/session",
            (),
            Params::new()
                .arg("username", "han")
                .arg("password", "p".repeat(30)),
        )
        .await
        .map(json)
        .unwrap();
    assert_eq!(session["username"], "han");
    // A method a route does not take.
    let e = api
        .request(Method::PATCH, "/right", (), Params::new())
        .await
        .unwrap_err();
    assert_eq!(e.status_code(), Some(405));
    // Deleting a user: 204, its membership gone.
    api.delete("/user", "han", Params::new()).await.unwrap();
    let crew = api
        .get("/group", "crew", Params::new())
        .await
        .map(json)
        .unwrap();
    assert_eq!(crew["users"], serde_json::json!(["emulator"]));
}

/// The account records travel with the control API's state: dumped, reset away, loaded back.
#[tokio::test]
async fn account_records_are_in_the_state_dump() {
    let emu = Emulator::start().await.unwrap();
    emu.enable_control();
    let api = basic(&emu);
    api.post(
        "/user",
        (),
        Params::new()
            .arg("username", "lando")
            .arg("email", "lando@example.invalid"),
    )
    .await
    .unwrap();
    api.put("/pref/user", "theme", Params::new().arg("value", "dark"))
        .await
        .unwrap();
    let http = cloud_core::reqwest::Client::new();
    let control = |p: &str| format!("{}__emulator{p}", emu.base_url());
    let dump = http
        .get(control("/state"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    http.post(control("/reset")).send().await.unwrap();
    let gone = api.get("/user", "lando", Params::new()).await.unwrap_err();
    assert_eq!(gone.status_code(), Some(404));
    let loaded = http.put(control("/state")).body(dump).send().await.unwrap();
    assert!(loaded.status().is_success(), "{}", loaded.status());
    let user = api
        .get("/user", "lando", Params::new())
        .await
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(user["email"], "lando@example.invalid");
    let pref = api
        .get("/pref/user", "theme", Params::new())
        .await
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(pref["value"], "dark");
}
