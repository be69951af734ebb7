//! Wire tests (mockito): exact requests of every call, headers for Basic and OAuth, bodies,
//! response decoding, and every mapped status.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mockito::{Matcher, Server};
use smartfile::{
    BasicClient, BasicOptions, ClientOptions, Error, FilePart, OAuthClient, Params, Response,
};

fn k() -> String {
    "k".repeat(30)
}
fn p() -> String {
    "p".repeat(30)
}

fn client(server: &Server) -> BasicClient {
    BasicClient::new(
        Some(&k()),
        Some(&p()),
        BasicOptions::default().url(format!("{}/", server.url())),
    )
    .unwrap()
}

#[tokio::test]
async fn generic_calls_urls_and_bodies() {
    let mut s = Server::new_async().await;
    let c = client(&s);
    let basic = format!("Basic {}", {
        use std::io::Write;
        let mut enc = Vec::new();
        write!(enc, "{}:{}", k(), p()).unwrap();
        base64_encode(&enc)
    });
    let m = s
        .mock("GET", "/api/2/ping/")
        .match_header("authorization", basic.as_str())
        .match_header("user-agent", "smartfile/0.1.0")
        .with_header("content-type", "application/json")
        .with_body(r#"{"ping": "pong"}"#)
        .create_async()
        .await;
    assert_eq!(
        c.get("/ping", (), Params::new())
            .await
            .unwrap()
            .json()
            .unwrap()["ping"],
        "pong"
    );
    m.assert_async().await;
    let m = s
        .mock("GET", "/api/2/path/info/")
        .match_query("children=True&limit=2&page=1&fields=name&fields=size")
        .with_header("content-type", "application/json")
        .with_body("{}")
        .create_async()
        .await;
    c.get(
        "/path/info",
        "/",
        Params::new()
            .arg("children", true)
            .arg("limit", 2)
            .arg("page", 1)
            .arg("fields", vec!["name", "size"])
            .arg("gone", smartfile::Value::None),
    )
    .await
    .unwrap();
    m.assert_async().await;
    let m = s
        .mock("POST", "/api/2/path/oper/remove/")
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_body("path=%2Fa&path=%2Fb")
        .with_header("content-type", "application/json")
        .with_body(r#"{"uuid": "u"}"#)
        .create_async()
        .await;
    c.post(
        "/path/oper/remove",
        (),
        Params::new().arg("path", vec!["/a", "/b"]),
    )
    .await
    .unwrap();
    m.assert_async().await;
    let m = s
        .mock("PUT", "/api/2/user/bobafett/")
        .match_body("full_name=Boba+Fett")
        .create_async()
        .await;
    c.put(
        "/user",
        "bobafett",
        Params::new().arg("full_name", "Boba Fett"),
    )
    .await
    .unwrap();
    m.assert_async().await;
    let m = s
        .mock("DELETE", "/api/2/user/bobafett/")
        .match_header("content-length", "0")
        .match_header("content-type", Matcher::Missing)
        .with_status(204)
        .create_async()
        .await;
    let r = c.delete("/user", "bobafett", Params::new()).await.unwrap();
    assert!(r.bytes().await.unwrap().is_empty(), "204: an empty stream");
    m.assert_async().await;
    let m = s.mock("GET", "/api/2/access/user/42/").create_async().await;
    c.get("access/user", 42, Params::new()).await.unwrap();
    m.assert_async().await;
    // Helpers.
    let m = s
        .mock("POST", "/api/2/path/oper/move/")
        .match_body("src=%2Ffile.txt%2F&dst=%2FnewFolder%2F")
        .with_header("content-type", "application/json")
        .with_body(r#"{"uuid": "u"}"#)
        .create_async()
        .await;
    c.r#move("file.txt", "newFolder").await.unwrap();
    m.assert_async().await;
    let m = s
        .mock("POST", "/api/2/path/oper/remove/")
        .match_body("path=testfn2%2Ftestfn")
        .create_async()
        .await;
    c.remove("testfn2/testfn").await.unwrap();
    m.assert_async().await;
    let m = s
        .mock("POST", "/api/2/path/data/")
        .match_header("content-type", Matcher::Regex("^multipart/form-data; boundary=".into()))
        .match_header("content-length", Matcher::Any)
        .match_body(Matcher::Regex(
            "^--[^\r]+\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dir/test.txt\"\r\n\r\nhello\r\n--[^\r]+--\r\n$".into(),
        ))
        .create_async()
        .await;
    c.upload("dir/test.txt/", b"hello".to_vec()).await.unwrap();
    m.assert_async().await;
    let m = s
        .mock("POST", "/api/2/path/data/target/")
        .match_body(Matcher::Regex(
            "name=\"extra\"\r\n\r\n1\r\n--[^\r]+\r\nContent-Disposition: form-data; name=\"file\"; filename=\"up.bin\"\r\n\r\nBIN\r\n".into(),
        ))
        .create_async()
        .await;
    c.post(
        "/path/data",
        "target",
        Params::new()
            .arg("extra", 1)
            .arg("file", FilePart::bytes("up.bin", b"BIN".to_vec())),
    )
    .await
    .unwrap();
    m.assert_async().await;
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[tokio::test]
async fn response_decoding_is_exact() {
    let mut s = Server::new_async().await;
    let c = client(&s);
    for (ct, body, kind) in [
        ("application/json", r#"{"a":1}"#, "json"),
        ("application/json", "not json", "text"),
        ("application/json; charset=utf-8", r#"{"a":1}"#, "stream"),
        ("text/plain", "Hello World!", "stream"),
    ] {
        let m = s
            .mock("GET", "/api/2/x/")
            .with_header("content-type", ct)
            .with_body(body)
            .create_async()
            .await;
        let r = c.get("/x", (), Params::new()).await.unwrap();
        let got = match &r {
            Response::Json(_) => "json",
            Response::Text(_) => "text",
            Response::Stream(_) => "stream",
            _ => "other",
        };
        assert_eq!(got, kind, "{ct}");
        let bytes = r.bytes().await.unwrap();
        if kind == "json" {
            assert_eq!(
                serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
                serde_json::json!({"a": 1})
            );
        } else {
            assert_eq!(bytes, body.as_bytes(), "{ct}: the exact body");
        }
        m.remove_async().await;
    }
}

#[tokio::test]
async fn statuses_map_to_response_errors_and_throttling_counts() {
    let mut s = Server::new_async().await;
    let c = client(&s);
    for (status, body, want) in [
        (
            400,
            r#"{"field_errors": {"path": ["required"]}}"#,
            "Response 400: {'path': ['required']}",
        ),
        (
            404,
            r#"{"path": ["Path does not exist"]}"#,
            "Response 404: Path does not exist",
        ),
        (
            409,
            r#"{"detail": "Destination exists:/screenShot"}"#,
            r#"Response 409: Error: b'{"detail": "Destination exists:/screenShot"}'"#,
        ),
        (
            404,
            "<html>",
            "Response 404: Invalid URL, check your API path",
        ),
        (
            500,
            "boom",
            "Response 500: Server error; check response for errors",
        ),
        (
            429,
            r#"{"detail": "slow down"}"#,
            r#"Response 429: Error: b'{"detail": "slow down"}'"#,
        ),
    ] {
        let m = s
            .mock("GET", "/api/2/e/")
            .with_status(status)
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let c429 = BasicClient::new(
            Some(&k()),
            Some(&p()),
            BasicOptions::default().client(
                ClientOptions::default()
                    .url(format!("{}/", s.url()))
                    .retry_rate_limits(false),
            ),
        )
        .unwrap();
        let err = c429.get("/e", (), Params::new()).await.unwrap_err();
        assert_eq!(err.to_string(), want);
        assert!(matches!(err, Error::Response { .. }));
        m.assert_async().await;
        m.remove_async().await;
    }
    let m = s
        .mock("GET", "/api/2/t/")
        .with_status(503)
        .with_header("X-Throttle", "throttled; next=0.01 sec")
        .expect(3)
        .create_async()
        .await;
    assert_eq!(
        c.get("/t", (), Params::new())
            .await
            .unwrap_err()
            .to_string(),
        "Could not complete request after 3 trys."
    );
    m.assert_async().await;
    let m = s
        .mock("GET", "/api/2/u/")
        .with_status(503)
        .with_header("X-Throttle", "next=1 sec")
        .expect(1)
        .create_async()
        .await;
    assert_eq!(
        c.get("/u", (), Params::new())
            .await
            .unwrap_err()
            .status_code(),
        Some(503)
    );
    m.assert_async().await;
    // No slash at the end of the base URL: nothing is sent.
    let bad =
        BasicClient::new(Some(&k()), Some(&p()), BasicOptions::default().url(s.url())).unwrap();
    assert!(matches!(
        bad.get("/ping", (), Params::new()).await.unwrap_err(),
        Error::Request { .. }
    ));
}

#[tokio::test]
async fn oauth_headers_and_token_calls() {
    let mut s = Server::new_async().await;
    let url = format!("{}/", s.url());
    let (ct, cs) = ("c".repeat(30), "s".repeat(30));
    let c = OAuthClient::new(
        Some(&ct),
        Some(&cs),
        None,
        None,
        ClientOptions::default().url(&url),
    )
    .unwrap();
    let rt = "r".repeat(30);
    let m = s
        .mock("POST", "/oauth/request_token/")
        .match_header("content-length", "0")
        .match_header(
            "authorization",
            Matcher::Regex(format!(
                "^OAuth oauth_nonce=\"[0-9]+\", oauth_timestamp=\"[0-9]+\", oauth_version=\"1.0\", oauth_signature_method=\"PLAINTEXT\", oauth_consumer_key=\"{ct}\", oauth_callback=\"http%3A%2F%2Fcb.example%2Fx%3Fy%3D1\", oauth_signature=\"{cs}%26\"$"
            )),
        )
        .with_body(format!("oauth_token={rt}&oauth_token_secret={}&oauth_callback_confirmed=true", "q".repeat(30)))
        .create_async()
        .await;
    let req = c
        .get_request_token(Some("http://cb.example/x?y=1"))
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(
        c.get_authorization_url(None).unwrap(),
        format!("{url}oauth/authorize/?oauth_token={rt}")
    );
    let m = s
        .mock("POST", "/oauth/access_token/")
        .match_header(
            "authorization",
            Matcher::Regex(format!(
                "oauth_token=\"{rt}\", oauth_verifier=\"VERIFIER\", oauth_signature=\"{cs}%26{}\"$",
                "q".repeat(30)
            )),
        )
        .with_body(format!(
            "oauth_token={}&oauth_token_secret={}",
            "a".repeat(30),
            "b".repeat(30)
        ))
        .create_async()
        .await;
    c.get_access_token(Some(&req), Some("VERIFIER"))
        .await
        .unwrap();
    m.assert_async().await;
    let m = s
        .mock("GET", "/api/2/ping/")
        .match_header(
            "authorization",
            Matcher::Regex(format!(
                "oauth_token=\"{}\", oauth_signature=\"{cs}%26{}\"$",
                "a".repeat(30),
                "b".repeat(30)
            )),
        )
        .create_async()
        .await;
    c.get("/ping", (), Params::new()).await.unwrap();
    m.assert_async().await;
    assert!(matches!(
        OAuthClient::new(Some("short"), Some(&cs), None, None, ClientOptions::default().url(&url)),
        Err(Error::Api(m)) if m == "You must provide a client_tokenand client_secret for OAuth."
    ));
}

#[test]
fn credentials_from_netrc_and_secrets_never_print() {
    let dir = tempfile::tempdir().unwrap();
    let netrc = dir.path().join("netrc");
    std::fs::write(
        &netrc,
        format!(
            "machine 127.0.0.1:8123\n login {}\n password {}\n",
            k(),
            p()
        ),
    )
    .unwrap();
    let c = BasicClient::new(
        None,
        None,
        BasicOptions::default()
            .url("http://127.0.0.1:8123/")
            .netrcfile(&netrc),
    );
    // The environment may hold real credentials on a developer machine: only check the
    // netrc path when it does not.
    if std::env::var("SMARTFILE_API_KEY").is_err()
        && std::env::var("SMARTFILE_API_PASSWORD").is_err()
    {
        let c = c.unwrap();
        assert_eq!(c.key(), k());
        let shown = format!("{c:?}");
        assert!(!shown.contains(&p()), "{shown}");
        assert!(!shown.contains(&k()), "{shown}");
    }
    let o = OAuthClient::new(
        Some(&"c".repeat(30)),
        Some(&"S".repeat(30)),
        Some(&"A".repeat(30)),
        Some(&"B".repeat(30)),
        ClientOptions::default().url("http://h/"),
    )
    .unwrap();
    let shown = format!("{o:?}");
    for secret in ["S".repeat(30), "A".repeat(30), "B".repeat(30)] {
        assert!(!shown.contains(&secret), "{shown}");
    }
}

#[tokio::test]
async fn children_stream_pages_until_page_equals_pages() {
    use futures::TryStreamExt;
    let mut s = Server::new_async().await;
    let c = client(&s);
    let page = |n: u32, names: &[&str]| {
        let children: Vec<String> = names
            .iter()
            .map(|x| format!(r#"{{"name": "{x}"}}"#))
            .collect();
        format!(
            r#"{{"name": "d", "page": {n}, "pages": 2, "children": [{}]}}"#,
            children.join(",")
        )
    };
    let m1 = s
        .mock("GET", "/api/2/path/info/d/")
        .match_query("children=on&limit=2&page=1")
        .with_header("content-type", "application/json")
        .with_body(page(1, &["a", "b"]))
        .create_async()
        .await;
    let m2 = s
        .mock("GET", "/api/2/path/info/d/")
        .match_query("children=on&limit=2&page=2")
        .with_header("content-type", "application/json")
        .with_body(page(2, &["c"]))
        .create_async()
        .await;
    let names: Vec<serde_json::Value> = c
        .children_stream("/d", 2)
        .unwrap()
        .map_ok(|v| v["name"].clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["a", "b", "c"]);
    m1.assert_async().await;
    m2.assert_async().await;

    // A folder answer without children is an error, not an empty listing.
    let m = s
        .mock("GET", "/api/2/path/info/f/")
        .match_query("children=on&limit=2&page=1")
        .with_header("content-type", "application/json")
        .with_body(r#"{"name": "f", "isfile": true}"#)
        .create_async()
        .await;
    let got: Result<Vec<serde_json::Value>, _> =
        c.children_stream("f", 2).unwrap().try_collect().await;
    assert!(got.is_err());
    m.assert_async().await;
}

/// A JSON answer of 20 MiB (a big listing) is read, as the original reads it; the family's
/// limit (64 MiB unless set) bounds memory, and a lower one is an error naming the option.
#[tokio::test]
async fn json_answers_up_to_the_family_limit() {
    let mut server = Server::new_async().await;
    let pad = "x".repeat(200);
    let names: Vec<String> = (0..100_000)
        .map(|i| format!("file-{i:012}-{pad}.txt"))
        .collect();
    let body = serde_json::json!({"children": names}).to_string();
    assert!(body.len() > 20 << 20);
    let m = server
        .mock("GET", "/api/2/path/info/")
        .match_query(Matcher::Any)
        .with_header("content-type", "application/json")
        .with_body(&body)
        .expect(2)
        .create_async()
        .await;
    let api = client(&server);
    let v = api
        .get("/path/info", (), Params::new().arg("children", "on"))
        .await
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(v["children"].as_array().unwrap().len(), 100_000);
    let tight = BasicClient::new(
        Some(&k()),
        Some(&p()),
        BasicOptions::default()
            .url(format!("{}/", server.url()))
            .client(
                ClientOptions::default()
                    .http(smartfile::HttpOptions::default().max_json_bytes(1 << 20)),
            ),
    )
    .unwrap();
    let err = tight
        .get("/path/info", (), Params::new().arg("children", "on"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("max_json_bytes"), "{err}");
    m.assert_async().await;
}

/// The account endpoints as the generic calls write them (the spec's captured requests for
/// `/user/`, and the shapes the emulator serves for the other families): method, path,
/// form body; a 201, a 204 without a body, and the errors they answer.
#[tokio::test]
async fn account_endpoints_on_the_wire() {
    let mut s = Server::new_async().await;
    let c = client(&s);
    let form = "application/x-www-form-urlencoded";
    // method, path, body, content type (None: not checked), status, answer
    type Case<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, usize, &'a str);
    let cases: Vec<Case> = vec![
        (
            "POST",
            "/api/2/user/",
            "username=bobafett&email=bob%40example.invalid",
            Some(form),
            201,
            r#"{"username": "bobafett"}"#,
        ),
        (
            "PUT",
            "/api/2/user/bobafett/",
            "full_name=Boba+Fett",
            Some(form),
            200,
            r#"{"full_name": "Boba Fett"}"#,
        ),
        (
            "GET",
            "/api/2/link/?limit=10&page=2",
            "",
            None,
            200,
            r#"{"count": 0, "page": 2, "pages": 1, "results": []}"#,
        ),
        (
            "POST",
            "/api/2/link/",
            "path=%2Fdocs&read=True",
            Some(form),
            201,
            r#"{"uid": "u1"}"#,
        ),
        (
            "PUT",
            "/api/2/quota/user/bobafett/",
            "limit=1024",
            Some(form),
            200,
            r#"{"limit": 1024}"#,
        ),
        (
            "POST",
            "/api/2/access/user/bobafett/",
            "path=%2Fdocs&read=True",
            Some(form),
            201,
            r#"{"id": 7}"#,
        ),
        (
            "GET",
            "/api/2/access/user/bobafett/7/",
            "",
            None,
            200,
            r#"{"id": 7}"#,
        ),
        (
            "PUT",
            "/api/2/pref/user/theme/",
            "value=dark",
            Some(form),
            200,
            r#"{"value": "dark"}"#,
        ),
        (
            "POST",
            "/api/2/session/",
            "username=bobafett&password=x",
            Some(form),
            201,
            r#"{"username": "bobafett"}"#,
        ),
    ];
    for (method, path, body, ctype, status, answer) in &cases {
        let (p, q) = path.split_once('?').unwrap_or((path, ""));
        let mut m = s
            .mock(method, p)
            .match_query(if q.is_empty() {
                Matcher::Missing
            } else {
                Matcher::Exact(q.to_string())
            })
            .match_body(*body);
        if let Some(ct) = ctype {
            m = m.match_header("content-type", *ct);
        }
        let m = m
            .with_status(*status)
            .with_header("content-type", "application/json")
            .with_body(*answer)
            .create_async()
            .await;
        let got = match (*method, p) {
            ("POST", "/api/2/user/") => {
                c.post(
                    "/user",
                    (),
                    Params::new()
                        .arg("username", "bobafett")
                        .arg("email", "bob@example.invalid"),
                )
                .await
            }
            ("PUT", _) if p.contains("/user/") && !p.contains("quota") && !p.contains("pref") => {
                c.put(
                    "/user",
                    "bobafett",
                    Params::new().arg("full_name", "Boba Fett"),
                )
                .await
            }
            ("GET", "/api/2/link/") => {
                c.get("/link", (), Params::new().arg("limit", 10).arg("page", 2))
                    .await
            }
            ("POST", "/api/2/link/") => {
                c.post(
                    "/link",
                    (),
                    Params::new().arg("path", "/docs").arg("read", true),
                )
                .await
            }
            ("PUT", _) if p.contains("quota") => {
                c.put("/quota/user", "bobafett", Params::new().arg("limit", 1024))
                    .await
            }
            ("POST", _) if p.contains("access") => {
                c.post(
                    "/access/user/bobafett",
                    (),
                    Params::new().arg("path", "/docs").arg("read", true),
                )
                .await
            }
            ("GET", _) if p.contains("access") => {
                c.get("/access/user/bobafett", 7u64, Params::new()).await
            }
            ("PUT", _) if p.contains("pref") => {
                c.put("/pref/user", "theme", Params::new().arg("value", "dark"))
                    .await
            }
            _ => {
                c.post(
                    "/session",
                    (),
                    Params::new()
                        .arg("username", "bobafett")
                        .arg("password", "x"),
                )
                .await
            }
        };
        let v = got.unwrap().into_json().unwrap();
        assert_eq!(
            v,
            serde_json::from_str::<serde_json::Value>(answer).unwrap(),
            "{method} {path}"
        );
        m.assert_async().await;
    }
    // A delete: 204 without a Content-Type, an empty stream, as the original returns.
    let m = s
        .mock("DELETE", "/api/2/link/u1/")
        .match_header("content-length", "0")
        .with_status(204)
        .create_async()
        .await;
    match c.delete("/link", "u1", Params::new()).await.unwrap() {
        Response::Stream(d) => {
            use futures::TryStreamExt;
            let chunks: Vec<_> = d.into_stream().try_collect().await.unwrap();
            assert_eq!(chunks.iter().map(|c| c.len()).sum::<usize>(), 0);
        }
        other => panic!("{other:?}"),
    }
    m.assert_async().await;
    // The errors: a field error, an unknown record, a method not taken; an id of 0 dropped.
    for (status, body, shown) in [
        (
            400,
            r#"{"username": ["user with this username already exists."]}"#,
            "Response 400: Error: ",
        ),
        (404, r#"{"detail": "Not found."}"#, "Response 404: Error: "),
        (
            405,
            r#"{"detail": "Method \"PATCH\" not allowed."}"#,
            "Response 405: Error: ",
        ),
    ] {
        let m = s
            .mock("GET", "/api/2/user/")
            .with_status(status)
            .with_header("content-type", "application/json")
            .with_body(body)
            .create_async()
            .await;
        let e = c.get("/user", 0u64, Params::new()).await.unwrap_err();
        assert_eq!(e.status_code(), Some(status as u16));
        assert!(e.to_string().starts_with(shown), "{e}");
        m.assert_async().await;
        m.remove_async().await;
    }
}
