//! The spec's wire table. verizon-pcs has no original to run, so its requests are checked here
//! against `../shared/specs/verizon-pcs.md` §2 as written: for every call, the whole request
//! the crate sends (method, path as on the wire, query pairs in order, the headers that
//! matter and the ones that must be absent, body) is recorded by a plain mockito server (never
//! the emulator, which was built from the same reading and could agree with a wrong client) and
//! compared with the row the spec gives, citing its section. The spec's own literal examples
//! (`/files/VZMOBILE/my%20file.jpg?access-token=ABC`, `sort` as `%2B`, `name:` as `%3A`) are
//! rows of their own. The calls the spec only names (1.3+: delete, folders, copy/move/rename,
//! trash) are pinned as the crate infers them and marked so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use mockito::{Matcher, Server, ServerGuard};
use verizon_pcs::{Cloud, CloudOptions, FileOpOptions, RetryPolicy, SearchOptions, UploadOptions};

/// One request as it reached the server.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    raw_query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the spec says one request is.
struct Expect {
    spec: &'static str,
    method: &'static str,
    path: String,
    query: Vec<(&'static str, String)>,
    /// `Some(v)`: the header has exactly this value; `None`: it must be absent.
    headers: Vec<(&'static str, Option<String>)>,
    body: Vec<u8>,
}

/// Headers the transport adds on its own (§2.1: "nothing else is added" beyond these).
const TRANSPORT: &[&str] = &[
    "host",
    "accept",
    "accept-encoding",
    "user-agent",
    "content-length",
    "connection",
];

struct Recorder {
    server: ServerGuard,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Recorder {
    async fn new() -> Self {
        Self {
            server: Server::new_async().await,
            seen: Arc::default(),
        }
    }

    fn api(&self) -> String {
        format!("{}/cloud/1", self.server.url())
    }

    /// Answers `method path` (any query) with `status` and `body`, recording each request it
    /// answers (the newest answer of a path wins).
    async fn answer(&mut self, method: &str, path: impl Into<Matcher>, status: usize, body: &str) {
        let seen = Arc::clone(&self.seen);
        let body = body.as_bytes().to_vec();
        self.server
            .mock(method, path)
            .match_query(Matcher::Any)
            .with_body_from_request(move |r| {
                let (path, raw_query) = r
                    .path_and_query()
                    .split_once('?')
                    .map(|(p, q)| (p.to_owned(), q.to_owned()))
                    .unwrap_or_else(|| (r.path_and_query().to_owned(), String::new()));
                let query = url::form_urlencoded::parse(raw_query.as_bytes())
                    .into_owned()
                    .collect();
                let headers = r
                    .headers()
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_owned(),
                            v.to_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect();
                seen.lock().unwrap().push(Seen {
                    method: r.method().to_owned(),
                    path,
                    query,
                    raw_query,
                    headers,
                    body: r.body().cloned().unwrap_or_default(),
                });
                body.clone()
            })
            .with_status(status)
            .with_header("content-type", "application/json")
            .with_header("X-Header-ETag", "E2")
            .create_async()
            .await;
    }

    fn cloud(&self, tokens: bool) -> Cloud {
        let mut o = CloudOptions::default()
            .base_url(self.api())
            .retry(Arc::new(RetryPolicy::none()));
        if tokens {
            o = o.access_token("A+T/=").refresh_token("RT");
        }
        Cloud::new("KEY", "SECRET", "https://app.example/cb?x=1", o).unwrap()
    }

    /// Compares everything recorded with `expected`, in order, and forgets it.
    fn check(&self, expected: &[Expect]) {
        let seen = std::mem::take(&mut *self.seen.lock().unwrap());
        assert_eq!(
            seen.len(),
            expected.len(),
            "{}: {} requests sent, the spec has {}: {seen:#?}",
            expected.first().map_or("", |e| e.spec),
            seen.len(),
            expected.len()
        );
        for (s, e) in seen.iter().zip(expected) {
            let at = format!("{} ({} {})", e.spec, e.method, e.path);
            assert_eq!(s.method, e.method, "{at}: method");
            assert_eq!(s.path, e.path, "{at}: path");
            let want: Vec<(String, String)> = e
                .query
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect();
            assert_eq!(s.query, want, "{at}: query {}", s.raw_query);
            for (name, value) in &e.headers {
                assert_eq!(s.header(name), value.as_deref(), "{at}: header {name}");
            }
            let extra: Vec<&str> = s
                .headers
                .iter()
                .map(|(k, _)| k.as_str())
                .filter(|k| !TRANSPORT.contains(k) && !e.headers.iter().any(|(n, _)| n == k))
                .collect();
            assert!(
                extra.is_empty(),
                "{at}: headers the spec does not name: {extra:?}"
            );
            assert_eq!(
                String::from_utf8_lossy(&s.body),
                String::from_utf8_lossy(&e.body),
                "{at}: body"
            );
        }
    }

    /// The raw query of the last request (for rows that pin the encoding itself).
    fn last_raw_query(&self) -> String {
        self.seen
            .lock()
            .unwrap()
            .last()
            .map(|s| s.raw_query.clone())
            .unwrap_or_default()
    }
}

fn q(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}

fn bearer() -> Vec<(&'static str, Option<String>)> {
    vec![("authorization", Some("Bearer A+T/=".into()))]
}

fn get(spec: &'static str, path: &str, query: Vec<(&'static str, String)>) -> Expect {
    Expect {
        spec,
        method: "GET",
        path: path.to_owned(),
        query,
        headers: bearer(),
        body: Vec::new(),
    }
}

const FILE: &str = r#"{"name":"a b.jpg","parentPath":"/VZMOBILE/T","size":3,"checksum":"c","version":1,"versionCreated":"2016-11-17T10:20:30.000Z","systemAttributes":{"mimeType":"image/jpeg"},"viewUid":[]}"#;
const TOKEN: &str =
    r#"{"access_token":"A2","refresh_token":"R2","expires_in":3600,"token_type":"Bearer"}"#;

#[tokio::test]
async fn oauth_rows_of_spec_2_3_and_2_4() {
    let mut r = Recorder::new().await;
    let c = r.cloud(false);
    // §2.3: a URL, no request; `redirect_uri` is the callback as given.
    let url = url::Url::parse(&c.authorize_url()).unwrap();
    assert_eq!(url.path(), "/cloud/1/oauth2/authorize");
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let mut sorted = pairs.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            ("client_id".to_owned(), "KEY".to_owned()),
            ("redirect_uri".into(), "https://app.example/cb?x=1".into()),
            ("response_type".into(), "code".into()),
        ]
    );
    r.check(&[]);

    r.answer("POST", "/cloud/1/oauth2/token", 200, TOKEN).await;
    let form = |last: &str, value: &str, grant: &str| {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", "KEY")
            .append_pair("client_secret", "SECRET")
            .append_pair("redirect_uri", "https://app.example/cb?x=1")
            .append_pair(last, value)
            .append_pair("grant_type", grant)
            .finish()
            .into_bytes()
    };
    let token_row = |spec, body| Expect {
        spec,
        method: "POST",
        path: "/cloud/1/oauth2/token".into(),
        query: Vec::new(),
        headers: vec![
            (
                "content-type",
                Some("application/x-www-form-urlencoded".into()),
            ),
            ("authorization", None),
        ],
        body,
    };
    c.token("C/1+").await.unwrap();
    r.check(&[token_row(
        "§2.4 token(code)",
        form("code", "C/1+", "authorization_code"),
    )]);
    c.refresh().await.unwrap();
    r.check(&[token_row(
        "§2.4 refresh()",
        form("refresh_token", "R2", "refresh_token"),
    )]);
}

#[tokio::test]
async fn read_rows_of_spec_2_5_to_2_9() {
    let mut r = Recorder::new().await;
    let c = r.cloud(true);
    r.answer(
        "GET",
        "/cloud/1/account",
        200,
        r#"{"usage":{"quota":1,"quotaUsed":0},"id":"u"}"#,
    )
    .await;
    c.account().await.unwrap();
    r.check(&[get("§2.5 account()", "/cloud/1/account", Vec::new())]);

    r.answer(
        "GET",
        "/cloud/1/search",
        200,
        r#"{"searchResults":{"count":0}}"#,
    )
    .await;
    c.search("name:x y", SearchOptions::default())
        .await
        .unwrap();
    r.check(&[get(
        "§2.6 search(query) with the defaults",
        "/cloud/1/search",
        q(&[
            ("query", "name:x y"),
            ("virtualfolder", "VZMOBILE"),
            ("count", "20"),
            ("page", "1"),
        ]),
    )]);
    c.search(
        "extension:jpg",
        SearchOptions::default()
            .virtualfolder("*")
            .page(3)
            .count(100)
            .sort("name+asc"),
    )
    .await
    .unwrap();
    // §2.1/§2.6: requests' form encoding: `:` as %3A, space as `+`, `+` as %2B.
    assert_eq!(
        r.last_raw_query(),
        "query=extension%3Ajpg&virtualfolder=*&count=100&page=3&sort=name%2Basc"
    );
    r.check(&[get(
        "§2.6 search(..., sort)",
        "/cloud/1/search",
        q(&[
            ("query", "extension:jpg"),
            ("virtualfolder", "*"),
            ("count", "100"),
            ("page", "3"),
            ("sort", "name+asc"),
        ]),
    )]);
    // §2.6: argument checks before any request.
    for bad in [
        c.search("", SearchOptions::default()).await,
        c.search("q", SearchOptions::default().virtualfolder(""))
            .await,
        c.search("q", SearchOptions::default().page(0)).await,
        c.search("q", SearchOptions::default().count(0)).await,
        c.search("q", SearchOptions::default().count(101)).await,
    ] {
        assert!(bad.is_err());
    }
    r.check(&[]);

    r.answer(
        "GET",
        Matcher::Regex("^/cloud/1/metadata".into()),
        200,
        r#"{"folder":{"name":"","folder":[],"file":[]}}"#,
    )
    .await;
    c.metadata("/").await.unwrap();
    r.check(&[get("§2.7 metadata('/')", "/cloud/1/metadata/", Vec::new())]);
    c.metadata("/VZMOBILE/Photos").await.unwrap();
    r.check(&[get(
        "§2.7 metadata(path)",
        "/cloud/1/metadata/VZMOBILE/Photos",
        Vec::new(),
    )]);

    r.answer(
        "GET",
        "/cloud/1/fullview",
        200,
        r#"{"data":{"file":[],"folder":[]}}"#,
    )
    .await;
    c.fullview(None).await.unwrap();
    let mut row = get("§2.8 fullview()", "/cloud/1/fullview", Vec::new());
    row.headers.push(("x-header-etag", None));
    r.check(&[row]);
    c.fullview(Some("E1")).await.unwrap();
    let mut row = get("§2.8 fullview(etag)", "/cloud/1/fullview", Vec::new());
    row.headers.push(("x-header-etag", Some("E1".into())));
    r.check(&[row]);
    // §2.8: not authenticated: `None`, no request.
    assert!(r.cloud(false).fullview(None).await.unwrap().is_none());
    r.check(&[]);

    // §2.9: the spec's example, and the token form-encoded in `access-token`.
    let c = {
        let o = CloudOptions::default()
            .base_url(r.api())
            .access_token("ABC");
        Cloud::new("KEY", "SECRET", "https://app.example/cb", o).unwrap()
    };
    assert_eq!(
        c.download_url("/VZMOBILE/my file.jpg").unwrap(),
        format!("{}/files/VZMOBILE/my%20file.jpg?access-token=ABC", r.api())
    );
    assert_eq!(
        r.cloud(true).download_url("/VZMOBILE/été").unwrap(),
        format!(
            "{}/files/VZMOBILE/%C3%A9t%C3%A9?access-token=A%2BT%2F%3D",
            r.api()
        )
    );
    r.check(&[]);
}

#[tokio::test]
async fn upload_rows_of_spec_2_11() {
    let mut r = Recorder::new().await;
    let c = r.cloud(true);
    let api = r.api();
    let data = b"0123456789".to_vec();
    // sha256("0123456789"), lower-case hex (§2.11 step 2).
    let sum = "84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882";
    let intent = |chunk: &str| {
        get(
            "§2.11 step 6: intent",
            "/cloud/1/fileupload/intent",
            q(&[
                ("size", "10"),
                ("chunk", chunk),
                ("name", "n b.bin"),
                ("path", "/VZMOBILE/Trips"),
                ("checksum", sum),
            ]),
        )
    };
    let post = |spec, path: &str, query: Vec<(&'static str, String)>, body: &[u8]| {
        let mut e = get(spec, path, query);
        e.method = "POST";
        e.headers
            .push(("content-type", Some("application/octet-stream".into())));
        e.body = body.to_vec();
        e
    };

    r.answer(
        "GET",
        "/cloud/1/fileupload/intent",
        200,
        &format!(r#"{{"uploadurls":{{"uploadurl":"{api}/upload/U1?chunk=false"}}}}"#),
    )
    .await;
    r.answer(
        "POST",
        "/cloud/1/upload/U1",
        201,
        &format!(r#"{{"file":{FILE}}}"#),
    )
    .await;
    c.upload(
        data.clone(),
        "/VZMOBILE/Trips",
        UploadOptions::default().name("n b.bin"),
    )
    .await
    .unwrap();
    r.check(&[
        intent("false"),
        post(
            "§2.11 step 8: the body to uploadurl&checksum",
            "/cloud/1/upload/U1",
            q(&[("chunk", "false"), ("checksum", sum)]),
            &data,
        ),
    ]);

    r.answer(
        "GET",
        "/cloud/1/fileupload/intent",
        200,
        &format!(
            r#"{{"uploadurls":{{"uploadurl":"{api}/upload/U2?chunk=true","commiturl":"{api}/commit/U2"}}}}"#
        ),
    )
    .await;
    r.answer("POST", "/cloud/1/upload/U2", 201, "").await;
    r.answer(
        "POST",
        "/cloud/1/commit/U2",
        201,
        &format!(r#"{{"file":{FILE}}}"#),
    )
    .await;
    c.upload(
        data.clone(),
        "/VZMOBILE/Trips",
        UploadOptions::default()
            .name("n b.bin")
            .chunked(true)
            .chunk_size(4),
    )
    .await
    .unwrap();
    let chunk = |n: &str, body: &[u8]| {
        post(
            "§2.11 step 9: chunk n, whole-file checksum, offset = n",
            "/cloud/1/upload/U2",
            q(&[("chunk", "true"), ("checksum", sum), ("offset", n)]),
            body,
        )
    };
    // §2.11 step 10: bearer only, no body.
    let mut commit = get("§2.11 step 10: commit", "/cloud/1/commit/U2", Vec::new());
    commit.method = "POST";
    commit.headers.push(("content-type", None));
    r.check(&[
        intent("true"),
        chunk("1", b"0123"),
        chunk("2", b"4567"),
        chunk("3", b"89"),
        commit,
    ]);
}

/// The 1.3+ calls the spec names without their wire form: pinned as the crate infers them
/// (from the later SDK snapshots' method names and the API reference's parameter names), so
/// that a change shows here.
#[tokio::test]
async fn inferred_rows_of_the_1_3_calls() {
    let mut r = Recorder::new().await;
    let c = r.cloud(true);
    let file = format!(r#"{{"file":{FILE}}}"#);
    r.answer("DELETE", "/cloud/1/files/VZMOBILE/a%20b.jpg", 204, "")
        .await;
    c.delete("/VZMOBILE/a b.jpg", true).await.unwrap();
    let mut row = get(
        "1.3 delete (inferred)",
        "/cloud/1/files/VZMOBILE/a%20b.jpg",
        q(&[("purge", "true")]),
    );
    row.method = "DELETE";
    r.check(&[row]);

    let post = |spec, path: &str, query| {
        let mut e = get(spec, path, query);
        e.method = "POST";
        e
    };
    r.answer(
        "POST",
        "/cloud/1/createfolder",
        201,
        r#"{"folder":{"name":"N","parentPath":"/VZMOBILE"}}"#,
    )
    .await;
    c.create_folder("/VZMOBILE", "N").await.unwrap();
    r.check(&[post(
        "1.3 create_folder (inferred)",
        "/cloud/1/createfolder",
        q(&[("path", "/VZMOBILE"), ("name", "N")]),
    )]);
    for (op, path) in [("copy", "/cloud/1/copy"), ("move", "/cloud/1/move")] {
        r.answer("POST", path, 200, &file).await;
        if op == "copy" {
            c.copy("/VZMOBILE/a", "/VZMOBILE/N", FileOpOptions::default())
                .await
                .unwrap();
        } else {
            c.r#move("/VZMOBILE/a", "/VZMOBILE/N", FileOpOptions::default())
                .await
                .unwrap();
        }
        r.check(&[post(
            "1.3 copy/move (inferred)",
            path,
            q(&[
                ("src", "/VZMOBILE/a"),
                ("target", "/VZMOBILE/N"),
                ("conflictsolve", "fail"),
            ]),
        )]);
    }
    r.answer("POST", "/cloud/1/rename", 200, &file).await;
    c.rename("/VZMOBILE/a", "b").await.unwrap();
    r.check(&[post(
        "1.3 rename (inferred)",
        "/cloud/1/rename",
        q(&[("src", "/VZMOBILE/a"), ("target", "b")]),
    )]);
    r.answer(
        "GET",
        "/cloud/1/trash",
        200,
        &format!(r#"{{"file":[{FILE}]}}"#),
    )
    .await;
    c.trash().await.unwrap();
    r.check(&[get("1.3 trash (inferred)", "/cloud/1/trash", Vec::new())]);
    r.answer("DELETE", "/cloud/1/trash", 204, "").await;
    c.empty_trash().await.unwrap();
    let mut row = get("1.3 empty_trash (inferred)", "/cloud/1/trash", Vec::new());
    row.method = "DELETE";
    r.check(&[row]);
    r.answer("POST", "/cloud/1/trash/restore", 200, &file).await;
    c.restore("/VZMOBILE/a").await.unwrap();
    r.check(&[post(
        "1.3 restore (inferred)",
        "/cloud/1/trash/restore",
        q(&[("path", "/VZMOBILE/a")]),
    )]);
}
