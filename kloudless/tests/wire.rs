//! Wire tests (mockito): URLs, headers (Bearer vs APIKey, the X-Kloudless-* headers and their
//! encoding), paging requests re-sending the original's headers and query, every status to
//! its error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kloudless::{Account, Client, Configuration, Error, Field, RequestOptions, Response};
use mockito::{Matcher, Server};
use serde_json::json;

fn cfg(s: &Server) -> Configuration {
    Configuration::with_base_url(s.url())
}

#[tokio::test]
async fn urls_and_headers() {
    let mut s = Server::new_async().await;
    let a = Account::with_config(Some("TOK"), None, None, &cfg(&s)).unwrap();
    assert_eq!(a.url(), format!("{}/v1/accounts/me", s.url()));
    let k = Account::with_config(None, Some("KEY"), Some("123"), &cfg(&s)).unwrap();
    assert_eq!(k.url(), format!("{}/v1/accounts/123", s.url()));
    assert!(matches!(
        Account::with_config(None, Some("KEY"), None, &cfg(&s)),
        Err(Error::InvalidParameter(_))
    ));
    let c = Client::with_config(Some("KEY"), Some("TOK"), &cfg(&s)).unwrap();
    assert_eq!(c.url(), format!("{}/v1", s.url()));
    let m = s
        .mock("GET", "/v1/accounts/me/storage/x/")
        .match_header("authorization", "Bearer TOK")
        .match_header("user-agent", "kloudless/0.1.0")
        .match_header("x-kloudless-raw-data", "false")
        .match_header("x-kloudless-raw-headers", r#"{"X-A": "b", "n": 1}"#)
        .match_header("x-kloudless-as-user", "77")
        .match_header("x-custom", "c")
        .with_header("content-type", "application/json")
        .with_body(r#"{"ok": true}"#)
        .create_async()
        .await;
    let mut rh = serde_json::Map::new();
    rh.insert("X-A".into(), json!("b"));
    rh.insert("n".into(), json!(1));
    let r = a
        .get(
            "/storage/x/",
            RequestOptions::default()
                .get_raw_data(false)
                .raw_headers(rh)
                .impersonate_user_id(77)
                .header("X-Custom", "c"),
        )
        .await
        .unwrap();
    assert!(matches!(r, Response::Json(_)));
    m.assert_async().await;
    let m = s
        .mock("GET", "/v1/accounts/123")
        .match_header("authorization", "APIKey KEY")
        .match_header("x-kloudless-as-user", Matcher::Missing)
        .match_header("x-kloudless-raw-headers", Matcher::Missing)
        .with_header("content-type", "application/json")
        .with_body(r#"{"id": 123}"#)
        .create_async()
        .await;
    k.get(
        "",
        RequestOptions::default()
            .impersonate_user_id(0)
            .raw_headers(serde_json::Map::new()),
    )
    .await
    .unwrap();
    m.assert_async().await;
    // api_version on one call.
    let m = s
        .mock("GET", "/v2/accounts/me/events")
        .match_query(Matcher::Any)
        .with_status(204)
        .create_async()
        .await;
    let r = a
        .get("events", RequestOptions::default().api_version(2))
        .await
        .unwrap();
    assert!(matches!(r, Response::Raw(_)));
    m.assert_async().await;
    // An api_version of 0 is applied too (the original tests `is not None`).
    let m = s
        .mock("GET", "/v0/accounts/me/events")
        .match_query(Matcher::Any)
        .with_status(204)
        .create_async()
        .await;
    a.get("events", RequestOptions::default().api_version(0))
        .await
        .unwrap();
    m.assert_async().await;
    // Upload: metadata header and a raw body without Content-Type.
    let m = s
        .mock("POST", "/v1/accounts/me/storage/files")
        .match_query("overwrite=true")
        .match_header(
            "x-kloudless-metadata",
            r#"{"parent_id": "root", "name": "f.txt"}"#,
        )
        .match_header("content-type", Matcher::Missing)
        .match_body("RAW BYTES")
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(r#"{"id": "F1", "api": "storage", "type": "file"}"#)
        .create_async()
        .await;
    let f = a
        .post(
            "storage/files",
            RequestOptions::default()
                .param("overwrite", "true")
                .header(
                    "X-Kloudless-Metadata",
                    r#"{"parent_id": "root", "name": "f.txt"}"#,
                )
                .data(b"RAW BYTES".to_vec()),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    m.assert_async().await;
    assert_eq!(
        f.url(),
        format!("{}/v1/accounts/me/storage/files/F1", s.url())
    );
    // Raw pass-through.
    let m = s
        .mock("POST", "/v1/accounts/me/raw")
        .match_header("x-kloudless-raw-method", "GET")
        .match_header("x-kloudless-raw-uri", "/drive/v2/about")
        .with_header("content-type", "application/json")
        .with_body("{}")
        .create_async()
        .await;
    assert!(matches!(
        a.raw("GET", "/drive/v2/about", RequestOptions::default())
            .await
            .unwrap(),
        Response::Raw(_)
    ));
    m.assert_async().await;
}

#[tokio::test]
async fn paging_resends_headers_and_query() {
    let mut s = Server::new_async().await;
    let a = Account::with_config(Some("TOK"), None, None, &cfg(&s)).unwrap();
    let list = |objects: &str, page: i64, next: serde_json::Value| {
        json!({"objects": serde_json::from_str::<serde_json::Value>(objects).unwrap(), "page": page, "next_page": next, "type": "object_list", "api": "storage"}).to_string()
    };
    let p1 = s
        .mock("GET", "/v1/accounts/me/storage/folders/root/contents")
        .match_query("page_size=2")
        .with_header("content-type", "application/json")
        .with_body(list(r#"[{"id": "a", "api": "storage", "type": "file"}, {"id": "b", "api": "storage", "type": "file"}]"#, 1, json!(2)))
        .create_async()
        .await;
    let p2 = s
        .mock("GET", "/v1/accounts/me/storage/folders/root/contents")
        .match_query("page_size=2&page=2")
        .match_header("x-kloudless-raw-data", "true")
        .match_header("authorization", "Bearer TOK")
        .with_header("content-type", "application/json")
        .with_body(list(
            r#"[{"id": "c", "api": "storage", "type": "file"}]"#,
            2,
            serde_json::Value::Null,
        ))
        .create_async()
        .await;
    let l = a
        .get(
            "storage/folders/root/contents",
            RequestOptions::default()
                .param("page_size", 2)
                .get_raw_data(true),
        )
        .await
        .unwrap()
        .into_list()
        .unwrap();
    assert_eq!(l.next_page(), Field::Value(json!(2)));
    assert_eq!(
        l.objects[0].url(),
        format!("{}/v1/accounts/me/storage/files/a", s.url())
    );
    let next = l.get_next_page().await.unwrap();
    assert_eq!(next.next_page(), Field::Null);
    assert!(matches!(
        next.get_next_page().await.unwrap_err(),
        Error::NoNextPage { cursor: None }
    ));
    p1.assert_async().await;
    p2.assert_async().await;
    // Events: cursor chain, stopping on an empty page.
    let ev = |objs: &str, cursor: &str| {
        json!({"objects": serde_json::from_str::<serde_json::Value>(objs).unwrap(), "cursor": cursor, "type": "object_list"}).to_string()
    };
    s.mock("GET", "/v1/accounts/me/events")
        .match_query("cursor=0&page_size=50")
        .with_header("content-type", "application/json")
        .with_body(ev(r#"[{"id": 1}]"#, "c1"))
        .create_async()
        .await;
    s.mock("GET", "/v1/accounts/me/events")
        .match_query("page_size=50&cursor=c1")
        .with_header("content-type", "application/json")
        .with_body(ev(r#"[{"id": 2}]"#, "c2"))
        .create_async()
        .await;
    s.mock("GET", "/v1/accounts/me/events")
        .match_query("page_size=50&cursor=c2")
        .with_header("content-type", "application/json")
        .with_body(ev("[]", "c2"))
        .create_async()
        .await;
    let l = a
        .get(
            "events",
            RequestOptions::default()
                .param("cursor", 0)
                .param("page_size", 50),
        )
        .await
        .unwrap()
        .into_list()
        .unwrap();
    let mut it = l.get_paging_iterator(None);
    let mut ids = Vec::new();
    while let Some(r) = futures::StreamExt::next(&mut it).await {
        ids.push(r.unwrap().data["id"].clone());
    }
    assert_eq!(ids, [json!(1), json!(2)]);
    assert_eq!(it.latest_cursor(), Some(&json!("c2")));
}

#[tokio::test]
async fn statuses_to_errors_and_wrapping() {
    let mut s = Server::new_async().await;
    let a = Account::with_config(Some("TOK"), None, None, &cfg(&s)).unwrap();
    let no_retry = |e: &Error| e.status_code();
    for (status, class) in [
        (400, "Api"),
        (401, "Authorization"),
        (403, "Forbidden"),
        (404, "NotFound"),
        (409, "Api"),
        (501, "Server"),
    ] {
        let m = s
            .mock("GET", format!("/v1/accounts/me/e{status}").as_str())
            .with_status(status)
            .with_header("content-type", "application/json")
            .with_body(
                json!({"error_code": "x", "message": "m", "id": "req-9", "status_code": status})
                    .to_string(),
            )
            .create_async()
            .await;
        let e = a
            .get(&format!("e{status}"), RequestOptions::default())
            .await
            .unwrap_err();
        let got = match &e {
            Error::Api(_) => "Api",
            Error::Authorization(_) => "Authorization",
            Error::Forbidden(_) => "Forbidden",
            Error::NotFound(_) => "NotFound",
            Error::Server(_) => "Server",
            _ => "other",
        };
        assert_eq!(got, class);
        assert_eq!(no_retry(&e), Some(status as u16));
        assert!(e.to_string().contains("[Request ID: req-9]"));
        assert_eq!(e.api_error().unwrap().error_data["error_code"], "x");
        m.assert_async().await;
    }
    // Wrapping: a top-level array is an error; an href makes a resource; other JSON stays JSON.
    s.mock("GET", "/v1/accounts/me/arr")
        .with_header("content-type", "application/json")
        .with_body("[1]")
        .create_async()
        .await;
    assert!(matches!(
        a.get("arr", RequestOptions::default()).await.unwrap_err(),
        Error::Decode(_)
    ));
    s.mock("GET", "/v1/accounts/me/h")
        .with_header("content-type", "application/json")
        .with_body(r#"{"href": "http://elsewhere/x"}"#)
        .create_async()
        .await;
    assert_eq!(
        a.get("h", RequestOptions::default())
            .await
            .unwrap()
            .into_resource()
            .unwrap()
            .url(),
        "http://elsewhere/x"
    );
    s.mock("GET", "/v1/accounts/me/j")
        .with_header("content-type", "application/json; charset=utf-8")
        .with_body(r#"{"cursor": 5}"#)
        .create_async()
        .await;
    assert!(matches!(
        a.get("j", RequestOptions::default()).await.unwrap(),
        Response::Json(_)
    ));
}

#[test]
fn secrets_never_print() {
    let a = Account::with_config(
        Some("TOKEN-SECRET-1"),
        None,
        None,
        &Configuration::default(),
    )
    .unwrap();
    let c = Client::with_config(Some("KEY-SECRET-2"), None, &Configuration::default()).unwrap();
    let shown = format!("{a:?} {c:?}");
    assert!(!shown.contains("SECRET"), "{shown}");
}

/// requests' header merge: a call's header replaces the instance's of the same name (any
/// case), and the client's authorization replaces one the caller gave; each sent once.
#[tokio::test]
async fn a_call_header_replaces_the_default_and_auth_wins() {
    use std::sync::{Arc, Mutex};
    let mut s = Server::new_async().await;
    type Seen = Vec<(String, Vec<String>)>;
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let record = Arc::clone(&seen);
    let m = s
        .mock("GET", "/v1/accounts/me/x")
        .with_header("content-type", "application/json")
        .with_body_from_request(move |r| {
            let mut got = record.lock().unwrap();
            for name in ["x-custom", "authorization", "x-kloudless-as-user"] {
                let values = r
                    .header(name)
                    .iter()
                    .map(|v| v.to_str().unwrap().to_owned())
                    .collect();
                got.push((name.to_owned(), values));
            }
            br#"{"ok": true}"#.to_vec()
        })
        .create_async()
        .await;
    let a = Account::with_config(Some("TOK"), None, None, &cfg(&s)).unwrap();
    a.set_header("X-Custom", "default");
    a.get(
        "x",
        RequestOptions::default()
            .header("x-custom", "per-call")
            .header("Authorization", "Basic c3B5OnNweQ==")
            .header("X-Kloudless-As-User", "1")
            .impersonate_user_id("77"),
    )
    .await
    .unwrap();
    m.assert_async().await;
    assert_eq!(
        *seen.lock().unwrap(),
        [
            ("x-custom".to_owned(), vec!["per-call".to_owned()]),
            ("authorization".to_owned(), vec!["Bearer TOK".to_owned()]),
            ("x-kloudless-as-user".to_owned(), vec!["77".to_owned()]),
        ]
    );
}

/// Query values go as Python's `str()` writes them: `True`/`False`, `1.0`, `1e-05`.
#[tokio::test]
async fn query_values_are_written_like_python() {
    let mut s = Server::new_async().await;
    let m = s
        .mock("GET", "/v1/accounts/me/q")
        .match_query("recursive=True&hidden=False&ratio=1.0&tiny=1e-05&big=1e%2B16&n=5&t=x+y")
        .with_header("content-type", "application/json")
        .with_body(r#"{"ok": true}"#)
        .create_async()
        .await;
    let a = Account::with_config(Some("TOK"), None, None, &cfg(&s)).unwrap();
    a.get(
        "q",
        RequestOptions::default()
            .param("recursive", true)
            .param("hidden", false)
            .param("ratio", 1.0)
            .param("tiny", 0.00001)
            .param("big", 1e16)
            .param("n", 5)
            .param("t", "x y"),
    )
    .await
    .unwrap();
    m.assert_async().await;
}

/// A JSON answer of 20 MiB is read, as the original reads it (the family's limit is 64 MiB
/// unless set); a lower limit is an error naming the option.
#[tokio::test]
async fn json_answers_up_to_the_family_limit() {
    let mut s = Server::new_async().await;
    let pad = "x".repeat(1800);
    let objects: Vec<serde_json::Value> = (0..10_000)
        .map(|i| json!({"id": format!("F{i:012}"), "name": format!("file-{i:012}-{pad}.txt"), "type": "file", "api": "storage"}))
        .collect();
    let body = json!({"type": "object_list", "objects": objects, "page": 1, "next_page": null})
        .to_string();
    assert!(body.len() > 16 << 20);
    let m = s
        .mock("GET", "/v1/accounts/me/storage/folders/root/contents")
        .match_query(Matcher::Any)
        .with_header("content-type", "application/json")
        .with_body(&body)
        .expect(2)
        .create_async()
        .await;
    let a = Account::with_config(Some("T"), None, None, &cfg(&s)).unwrap();
    let list = a
        .get("storage/folders/root/contents", RequestOptions::default())
        .await
        .unwrap()
        .into_list()
        .unwrap();
    assert_eq!(list.objects.len(), 10_000);
    // The page is held once: the objects moved into the resources.
    assert!(!list.data.contains_key("objects"));
    assert_eq!(list.objects[9_999].data["id"], "F000000009999");
    let tight = Account::with_options(
        Some("T"),
        None,
        None,
        &cfg(&s),
        &kloudless::HttpOptions::default().max_json_bytes(1 << 20),
    )
    .unwrap();
    let err = tight
        .get("storage/folders/root/contents", RequestOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("max_json_bytes"), "{err}");
    m.assert_async().await;
}

/// The families beyond file storage as the generic calls write them: method, path, query,
/// auth header, JSON body or raw bytes, each answer decoded to its kind (a resource, a list,
/// plain JSON, an empty 204), and their errors to the per-status exceptions.
#[tokio::test]
async fn endpoint_families_on_the_wire() {
    let mut s = Server::new_async().await;
    let a = Account::with_config(Some("TOK"), None, None, &cfg(&s)).unwrap();
    let app = Client::with_config(Some("KEY"), None, &cfg(&s)).unwrap();
    let list = r#"{"objects": [{"id": "x"}], "count": 1, "page": 1, "next_page": null, "type": "object_list", "api": "storage"}"#;
    let ok = |m: mockito::Mock, status: usize, body: &str| {
        m.with_status(status)
            .with_header("content-type", "application/json")
            .with_body(body)
    };
    // Links.
    let m = ok(
        s.mock("POST", "/v1/accounts/me/storage/links")
            .match_header("authorization", "Bearer TOK")
            .match_header("content-type", "application/json")
            .match_body(Matcher::Json(json!({"file_id": "f1", "password": "pw"}))),
        201,
        r#"{"id": "l1", "url": "u", "password": true, "type": "link"}"#,
    )
    .create_async()
    .await;
    let link = a
        .post(
            "storage/links",
            RequestOptions::default().json(json!({"file_id": "f1", "password": "pw"})),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    assert_eq!(
        link.url(),
        format!("{}/v1/accounts/me/storage/links/l1", s.url())
    );
    m.assert_async().await;
    let m = ok(
        s.mock("PATCH", "/v1/accounts/me/storage/links/l1")
            .match_body(Matcher::Json(json!({"active": false}))),
        200,
        r#"{"id": "l1", "active": false}"#,
    )
    .create_async()
    .await;
    link.patch("", RequestOptions::default().json(json!({"active": false})))
        .await
        .unwrap();
    m.assert_async().await;
    let m = s
        .mock("DELETE", "/v1/accounts/me/storage/links/l1")
        .with_status(204)
        .create_async()
        .await;
    assert!(matches!(
        link.delete("", RequestOptions::default()).await.unwrap(),
        Response::Raw(_)
    ));
    m.assert_async().await;
    // Search, recent, quota: queries as given; a list, a list, plain JSON.
    let m = ok(
        s.mock("GET", "/v1/accounts/me/storage/search")
            .match_query("q=plan&lang=keyword&parents=F1%2CF2"),
        200,
        list,
    )
    .create_async()
    .await;
    let r = a
        .get(
            "storage/search",
            RequestOptions::default()
                .param("q", "plan")
                .param("lang", "keyword")
                .param("parents", "F1,F2"),
        )
        .await
        .unwrap();
    assert!(matches!(r, Response::List(_)));
    m.assert_async().await;
    let m = ok(
        s.mock("GET", "/v1/accounts/me/storage/recent")
            .match_query("page_size=1&after=2030-01-01T00%3A00%3A00Z"),
        200,
        list,
    )
    .create_async()
    .await;
    a.get(
        "storage/recent",
        RequestOptions::default()
            .param("page_size", 1)
            .param("after", "2030-01-01T00:00:00Z"),
    )
    .await
    .unwrap();
    m.assert_async().await;
    let m = ok(
        s.mock("GET", "/v1/accounts/me/storage/quota"),
        200,
        r#"{"used": 1, "total": 2, "type": "quota"}"#,
    )
    .create_async()
    .await;
    assert!(matches!(
        a.get("storage/quota", RequestOptions::default())
            .await
            .unwrap(),
        Response::Json(_)
    ));
    m.assert_async().await;
    // Permissions and properties.
    let m = ok(
        s.mock("PUT", "/v1/accounts/me/storage/folders/F1/permissions")
            .match_body(Matcher::Json(
                json!({"permissions": [{"email": "b@example.invalid", "role": "reader"}]}),
            )),
        200,
        r#"{"permissions": [], "type": "permission_list"}"#,
    )
    .create_async()
    .await;
    a.put(
        "storage/folders/F1/permissions",
        RequestOptions::default()
            .json(json!({"permissions": [{"email": "b@example.invalid", "role": "reader"}]})),
    )
    .await
    .unwrap();
    m.assert_async().await;
    let m = ok(
        s.mock("PATCH", "/v1/accounts/me/storage/files/f1/properties")
            .match_body(Matcher::Json(json!([{"key": "k", "value": null}]))),
        200,
        r#"{"properties": [], "type": "property_list"}"#,
    )
    .create_async()
    .await;
    a.patch(
        "storage/files/f1/properties",
        RequestOptions::default().json(json!([{"key": "k", "value": null}])),
    )
    .await
    .unwrap();
    m.assert_async().await;
    // Multipart: a part is raw bytes with its number in the query.
    let m = ok(
        s.mock("PUT", "/v1/accounts/me/storage/multipart/7")
            .match_query("part_number=2")
            .match_body(b"part two".to_vec()),
        200,
        r#"{"success": true}"#,
    )
    .create_async()
    .await;
    a.put(
        "storage/multipart/7",
        RequestOptions::default()
            .param("part_number", 2)
            .data(b"part two".to_vec()),
    )
    .await
    .unwrap();
    m.assert_async().await;
    let m = ok(
        s.mock("POST", "/v1/accounts/me/storage/multipart/7/complete"),
        201,
        r#"{"id": "f9", "type": "file"}"#,
    )
    .create_async()
    .await;
    a.post("storage/multipart/7/complete", RequestOptions::default())
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    m.assert_async().await;
    // Accounts with the API key: import, filters, retrieve_full; the team of account 124.
    let m = ok(
        s.mock("POST", "/v1/accounts")
            .match_header("authorization", "APIKey KEY")
            .match_body(Matcher::Json(
                json!({"account": "x@example.invalid", "service": "box", "token": "t"}),
            )),
        201,
        r#"{"id": 125, "service": "box"}"#,
    )
    .create_async()
    .await;
    app.post(
        "accounts",
        RequestOptions::default()
            .json(json!({"account": "x@example.invalid", "service": "box", "token": "t"})),
    )
    .await
    .unwrap();
    m.assert_async().await;
    let m = ok(
        s.mock("GET", "/v1/accounts")
            // Booleans as Python prints them, as the original sends them.
            .match_query("active=True&admin=False&search=box"),
        200,
        r#"{"objects": [], "count": 0, "page": 1, "next_page": null, "type": "object_list"}"#,
    )
    .create_async()
    .await;
    app.get(
        "accounts",
        RequestOptions::default()
            .param("active", true)
            .param("admin", false)
            .param("search", "box"),
    )
    .await
    .unwrap();
    m.assert_async().await;
    let admin = Account::with_config(None, Some("KEY"), Some("124"), &cfg(&s)).unwrap();
    let m = ok(
        s.mock("GET", "/v1/accounts/124/team/groups/g2/members")
            .match_header("authorization", "APIKey KEY"),
        200,
        list,
    )
    .create_async()
    .await;
    admin
        .get("team/groups/g2/members", RequestOptions::default())
        .await
        .unwrap();
    m.assert_async().await;
    // Calendars: create and availability.
    let m = ok(
        s.mock("POST", "/v1/accounts/me/cal/availability")
            .match_body(Matcher::Json(
                json!({"calendars": ["c1"], "meeting_duration": "PT1H",
                   "constraints": {"time_windows": [{"start": "a", "end": "b"}]}}),
            )),
        200,
        r#"{"time_windows": [], "type": "availability"}"#,
    )
    .create_async()
    .await;
    a.post(
        "cal/availability",
        RequestOptions::default().json(json!({"calendars": ["c1"], "meeting_duration": "PT1H",
            "constraints": {"time_windows": [{"start": "a", "end": "b"}]}})),
    )
    .await
    .unwrap();
    m.assert_async().await;
    // The errors these families answer, each to its exception.
    for (status, code) in [
        (400, "invalid_parameters"),
        (403, "forbidden"),
        (404, "not_found"),
    ] {
        let m = ok(
            s.mock("GET", "/v1/accounts/me/team/users"),
            status,
            &json!({"error_code": code, "message": "m", "id": "r1", "status_code": status})
                .to_string(),
        )
        .create_async()
        .await;
        let e = a
            .get("team/users", RequestOptions::default())
            .await
            .unwrap_err();
        assert_eq!(e.status_code(), Some(status as u16));
        match (status, &e) {
            (400, Error::Api(_)) | (403, Error::Forbidden(_)) | (404, Error::NotFound(_)) => {}
            _ => panic!("{status}: {e:?}"),
        }
        m.assert_async().await;
        m.remove_async().await;
    }
}
