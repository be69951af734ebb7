//! Wire tests (mockito): the exact requests of every call, and each mapped status.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use mockito::{Matcher, Server};
use verizon_pcs::error::messages;
use verizon_pcs::{
    Cloud, CloudOptions, Error, FileOpOptions, RetryPolicy, SearchOptions, UploadOptions,
};

const FILE: &str = r#"{"name":"a b.jpg","parentPath":"/VZMOBILE/T","size":3,"checksum":"c","version":1,
"versionCreated":"2016-11-17T10:20:30.000Z","systemAttributes":{"mimeType":"image/jpeg"},"viewUid":[]}"#;

fn cloud(server: &Server, tokens: bool) -> Cloud {
    let mut o = CloudOptions::default()
        .base_url(format!("{}/cloud/1", server.url()))
        .retry(Arc::new(RetryPolicy::none()));
    if tokens {
        o = o.access_token("AT").refresh_token("RT");
    }
    Cloud::new("KEY", "SECRET", "https://app.example/cb", o).unwrap()
}

#[tokio::test]
async fn authorize_url_and_token_exchange() {
    let mut server = Server::new_async().await;
    let c = cloud(&server, false);
    let url = url::Url::parse(&c.authorize_url()).unwrap();
    assert_eq!(url.path(), "/cloud/1/oauth2/authorize");
    let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(
        q,
        [
            ("client_id".into(), "KEY".into()),
            ("redirect_uri".into(), "https://app.example/cb".into()),
            ("response_type".into(), "code".into())
        ]
    );
    let m = server
        .mock("POST", "/cloud/1/oauth2/token")
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_header("authorization", Matcher::Missing)
        .match_body(
            "client_id=KEY&client_secret=SECRET&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&code=C0DE&grant_type=authorization_code",
        )
        .with_body(r#"{"access_token":"NEW","refresh_token":"NEWR","expires_in":3600,"token_type":"Bearer","user":"u"}"#)
        .create_async()
        .await;
    let t = c.token("C0DE").await.unwrap();
    m.assert_async().await;
    assert_eq!(t.access_token.expose(), "NEW");
    assert_eq!(t.extra["user"], "u");
    assert!(c.authenticated());
    // Refresh: the same form with the refresh token.
    let m = server
        .mock("POST", "/cloud/1/oauth2/token")
        .match_body(
            "client_id=KEY&client_secret=SECRET&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&refresh_token=NEWR&grant_type=refresh_token",
        )
        .with_body(r#"{"access_token":"A2","refresh_token":"R2","expires_in":3600}"#)
        .create_async()
        .await;
    let t = c.refresh().await.unwrap();
    m.assert_async().await;
    assert_eq!(t.refresh_token.expose(), "R2");
    assert_eq!(c.refresh_token().unwrap().expose(), "R2");
}

#[tokio::test]
async fn token_errors_by_status() {
    let mut server = Server::new_async().await;
    let c = cloud(&server, false);
    for (status, want, unauthorized) in [
        (400, messages::TOKEN, true),
        (401, messages::UNAUTHORIZED, true),
        (500, messages::SERVER_ERROR, false),
        (503, messages::SERVICE_UNAVAILABLE, false),
        (504, messages::GATEWAY_TIMEOUT, false),
    ] {
        let m = server
            .mock("POST", "/cloud/1/oauth2/token")
            .with_status(status)
            .with_body(r#"{"error":"invalid_grant","error_description":"bad code"}"#)
            .create_async()
            .await;
        let err = c.token("x").await.unwrap_err();
        assert_eq!(err.to_string(), want, "{status}");
        assert_eq!(
            matches!(err, Error::Unauthorized { .. }),
            unauthorized,
            "{status}"
        );
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status as u16));
        m.remove_async().await;
    }
}

#[tokio::test]
async fn every_get_call_sends_exactly_this() {
    let mut server = Server::new_async().await;
    let c = cloud(&server, true);
    let bearer = "Bearer AT";
    let account = server
        .mock("GET", "/cloud/1/account")
        .match_header("authorization", bearer)
        .with_body(r#"{"usage":{"quota":100,"quotaUsed":40},"id":"u1","alias":"555"}"#)
        .create_async()
        .await;
    let a = c.account().await.unwrap();
    account.assert_async().await;
    assert_eq!((a.usage.quota, a.usage.quota_used), (100, 40));

    let root = server
        .mock("GET", "/cloud/1/metadata/")
        .match_header("authorization", bearer)
        .with_body(r#"{"folder":{"name":"","folder":[{"name":"VZMOBILE","parentPath":"/"}]}}"#)
        .create_async()
        .await;
    assert_eq!(
        c.metadata("/").await.unwrap().folders[0].fullpath(),
        "/VZMOBILE"
    );
    root.assert_async().await;

    let file = server
        .mock("GET", "/cloud/1/metadata/VZMOBILE/%C3%A9t%C3%A9/a%20b.jpg")
        .with_body(format!(r#"{{"file":{FILE}}}"#))
        .create_async()
        .await;
    let f = c.file_metadata("/VZMOBILE/été/a b.jpg").await.unwrap();
    file.assert_async().await;
    assert_eq!(f.system_attributes.mime_type.as_deref(), Some("image/jpeg"));

    let search = server
        .mock("GET", "/cloud/1/search")
        .match_query("query=name%3Ax+y&virtualfolder=VZMOBILE&count=20&page=1")
        .with_body(r#"{"searchResults":{"count":0}}"#)
        .create_async()
        .await;
    let r = c
        .search("name:x y", SearchOptions::default())
        .await
        .unwrap();
    search.assert_async().await;
    assert!(r.files.is_empty() && r.folders.is_empty());
    let sorted = server
        .mock("GET", "/cloud/1/search")
        .match_query("query=q&virtualfolder=VZWEB&count=5&page=2&sort=name%2Bdesc")
        .with_body(format!(
            r#"{{"searchResults":{{"count":1,"file":[{FILE}]}}}}"#
        ))
        .create_async()
        .await;
    let r = c
        .search(
            "q",
            SearchOptions::default()
                .virtualfolder("VZWEB")
                .count(5)
                .page(2)
                .sort("name+desc"),
        )
        .await
        .unwrap();
    sorted.assert_async().await;
    assert_eq!(r.files.len(), 1);

    let fv = server
        .mock("GET", "/cloud/1/fullview")
        .match_header("x-header-etag", Matcher::Missing)
        .match_query(Matcher::Missing)
        .with_header("X-Header-ETag", "E1")
        .with_body(format!(
            r#"{{"data":{{"file":[{FILE}],"folder":[{{"name":"E","parentPath":"/VZMOBILE"}}],"deleted":{{"path":["/VZMOBILE/old"]}}}}}}"#
        ))
        .create_async()
        .await;
    let v = c.fullview(None).await.unwrap().unwrap();
    fv.assert_async().await;
    assert_eq!(
        (v.etag.as_str(), v.files.len(), v.empty_folders.len()),
        ("E1", 1, 1)
    );
    assert_eq!(v.deleted, ["/VZMOBILE/old"]);
    let fv412 = server
        .mock("GET", "/cloud/1/fullview")
        .match_header("x-header-etag", "E1")
        .with_status(412)
        .create_async()
        .await;
    let v = c.fullview(Some("E1")).await.unwrap().unwrap();
    fv412.assert_async().await;
    assert_eq!(v.etag, "E1");
    assert!(v.files.is_empty());

    // download_url: pure, token in the query; `CloudFile.download_url()` gives the same.
    assert_eq!(f.download_url(&c).unwrap(), c.download_url(&f).unwrap());
    assert_eq!(
        c.download_url(&f).unwrap(),
        format!(
            "{}/cloud/1/files/VZMOBILE/T/a%20b.jpg?access-token=AT",
            server.url()
        )
    );
}

#[tokio::test]
async fn error_statuses_map_to_their_errors() {
    let mut server = Server::new_async().await;
    let c = cloud(&server, false);
    let cases: Vec<(&str, &str, u16, &str)> = vec![
        ("GET", "/cloud/1/account", 403, messages::ACCOUNT),
        ("GET", "/cloud/1/account", 401, messages::UNAUTHORIZED),
        ("GET", "/cloud/1/account", 502, messages::SERVER_ERROR),
        ("GET", "/cloud/1/metadata/x", 404, messages::NOT_FOUND),
        ("GET", "/cloud/1/metadata/x", 400, messages::UNEXPECTED),
        ("GET", "/cloud/1/search", 400, messages::SEARCH),
    ];
    for (method, path, status, want) in cases {
        let m = server
            .mock(method, path)
            .match_query(Matcher::Any)
            .with_status(status as usize)
            .with_header("x-request-id", "rid-1")
            .with_body(r#"{"error":"e","error_description":"server says no"}"#)
            .create_async()
            .await;
        let err = match path {
            "/cloud/1/account" => c.account().await.map(|_| ()),
            "/cloud/1/search" => c.search("q", SearchOptions::default()).await.map(|_| ()),
            _ => c.metadata("/x").await.map(|_| ()),
        }
        .unwrap_err();
        assert_eq!(err.to_string(), want, "{path} {status}");
        let ctx = err.context().unwrap();
        assert_eq!(ctx.status.map(|s| s.as_u16()), Some(status));
        assert_eq!(ctx.message.as_deref(), Some("server says no"));
        assert_eq!(ctx.request_id.as_deref(), Some("rid-1"));
        assert!(ctx
            .body_snippet
            .as_deref()
            .unwrap_or_default()
            .contains("server says no"));
        let expected_variant = match status {
            401 => matches!(err, Error::Unauthorized { .. }),
            404 => matches!(err, Error::NotFound { .. }),
            _ => matches!(err, Error::Cloud { .. }),
        };
        assert!(expected_variant, "{err:?}");
        m.remove_async().await;
    }
    // 205 on fullview.
    let c = cloud(&server, true);
    let m = server
        .mock("GET", "/cloud/1/fullview")
        .with_status(205)
        .create_async()
        .await;
    assert!(matches!(
        c.fullview(Some("old")).await.unwrap_err(),
        Error::OutOfSync { .. }
    ));
    m.remove_async().await;
    // 409 on a file operation.
    let m = server
        .mock("POST", "/cloud/1/copy")
        .match_query(Matcher::Any)
        .with_status(409)
        .create_async()
        .await;
    assert!(matches!(
        c.copy("/a/b", "/a/c", FileOpOptions::default())
            .await
            .unwrap_err(),
        Error::Conflict { .. }
    ));
    m.remove_async().await;
}

#[tokio::test]
async fn a_401_refreshes_once_and_replays_with_the_new_bearer() {
    let mut server = Server::new_async().await;
    let c = cloud(&server, true);
    let first = server
        .mock("GET", "/cloud/1/account")
        .match_header("authorization", "Bearer AT")
        .with_status(401)
        .expect(1)
        .create_async()
        .await;
    let token = server
        .mock("POST", "/cloud/1/oauth2/token")
        .match_body(Matcher::Regex(
            "refresh_token=RT&grant_type=refresh_token$".into(),
        ))
        .with_body(r#"{"access_token":"AT2","refresh_token":"RT2","expires_in":60}"#)
        .expect(1)
        .create_async()
        .await;
    let replay = server
        .mock("GET", "/cloud/1/account")
        .match_header("authorization", "Bearer AT2")
        .with_body(r#"{"usage":{"quota":1,"quotaUsed":0}}"#)
        .expect(1)
        .create_async()
        .await;
    c.account().await.unwrap();
    first.assert_async().await;
    token.assert_async().await;
    replay.assert_async().await;
    // A 503 on the replay is `Unauthorized request`, as in the original.
    let c = cloud(&server, true);
    replay.remove_async().await;
    let replay503 = server
        .mock("GET", "/cloud/1/account")
        .match_header("authorization", "Bearer AT2")
        .with_status(503)
        .create_async()
        .await;
    let err = c.account().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    replay503.assert_async().await;
}

#[tokio::test]
async fn upload_sends_intent_body_chunks_and_commit() {
    let mut server = Server::new_async().await;
    let c = cloud(&server, true);
    let data = b"0123456789".to_vec();
    let sum = "84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882";
    let base = format!("{}/cloud/1", server.url());
    let intent = server
        .mock("GET", "/cloud/1/fileupload/intent")
        .match_query(
            format!("size=10&chunk=false&name=n.bin&path=%2FVZMOBILE&checksum={sum}").as_str(),
        )
        .with_body(format!(
            r#"{{"uploadurls":{{"uploadurl":"{base}/upload/U1?chunk=false"}}}}"#
        ))
        .create_async()
        .await;
    let body = server
        .mock("POST", "/cloud/1/upload/U1")
        .match_query(format!("chunk=false&checksum={sum}").as_str())
        .match_header("content-type", "application/octet-stream")
        .match_header("authorization", "Bearer AT")
        .match_body(data.clone())
        .with_status(201)
        .with_body(format!(r#"{{"file":{FILE}}}"#))
        .create_async()
        .await;
    c.upload(
        data.clone(),
        "/VZMOBILE",
        UploadOptions::default().name("n.bin"),
    )
    .await
    .unwrap();
    intent.assert_async().await;
    body.assert_async().await;

    let intent = server
        .mock("GET", "/cloud/1/fileupload/intent")
        .match_query(format!("size=10&chunk=true&name=n.bin&path=%2FVZMOBILE&checksum={sum}").as_str())
        .with_body(format!(
            r#"{{"uploadurls":{{"uploadurl":"{base}/upload/U2?chunk=true","commiturl":"{base}/commit/U2"}}}}"#
        ))
        .create_async()
        .await;
    let mut chunks = Vec::new();
    for (n, part) in [(1, &b"0123"[..]), (2, b"4567"), (3, b"89")] {
        chunks.push(
            server
                .mock("POST", "/cloud/1/upload/U2")
                .match_query(format!("chunk=true&checksum={sum}&offset={n}").as_str())
                .match_body(part.to_vec())
                .with_status(201)
                .create_async()
                .await,
        );
    }
    let commit = server
        .mock("POST", "/cloud/1/commit/U2")
        .match_body("")
        .with_status(201)
        .with_body(format!(r#"{{"file":{FILE}}}"#))
        .create_async()
        .await;
    c.upload(
        data.clone(),
        "/VZMOBILE",
        UploadOptions::default()
            .name("n.bin")
            .chunked(true)
            .chunk_size(4),
    )
    .await
    .unwrap();
    intent.assert_async().await;
    for m in chunks {
        m.assert_async().await;
    }
    commit.assert_async().await;
    // A chunk answered 200 instead of 201: `Could not upload chunk`.
    let bad = server
        .mock("POST", "/cloud/1/upload/U2")
        .match_query(Matcher::Any)
        .with_status(200)
        .create_async()
        .await;
    let err = c
        .upload(
            data,
            "/VZMOBILE",
            UploadOptions::default()
                .name("n.bin")
                .chunked(true)
                .chunk_size(4),
        )
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), messages::CHUNK);
    bad.assert_async().await;
}

#[tokio::test]
async fn later_file_operations_send_exactly_this() {
    let mut server = Server::new_async().await;
    let c = cloud(&server, true);
    let del = server
        .mock("DELETE", "/cloud/1/files/VZMOBILE/a%20b.jpg")
        .match_query("purge=true")
        .with_status(204)
        .create_async()
        .await;
    c.delete("/VZMOBILE/a b.jpg", true).await.unwrap();
    del.assert_async().await;
    let mk = server
        .mock("POST", "/cloud/1/createfolder")
        .match_query("path=%2FVZMOBILE&name=New")
        .with_status(201)
        .with_body(r#"{"folder":{"name":"New","parentPath":"/VZMOBILE"}}"#)
        .create_async()
        .await;
    c.create_folder("/VZMOBILE", "New").await.unwrap();
    mk.assert_async().await;
    let mv = server
        .mock("POST", "/cloud/1/move")
        .match_query("src=%2FVZMOBILE%2Fa&target=%2FVZMOBILE%2FNew&conflictsolve=fail")
        .with_body(format!(r#"{{"file":{FILE}}}"#))
        .create_async()
        .await;
    c.r#move("/VZMOBILE/a", "/VZMOBILE/New", FileOpOptions::default())
        .await
        .unwrap();
    mv.assert_async().await;
    let rn = server
        .mock("POST", "/cloud/1/rename")
        .match_query("src=%2FVZMOBILE%2Fa&target=b")
        .with_body(format!(r#"{{"file":{FILE}}}"#))
        .create_async()
        .await;
    c.rename("/VZMOBILE/a", "b").await.unwrap();
    rn.assert_async().await;
    let tr = server
        .mock("GET", "/cloud/1/trash")
        .with_body(format!(r#"{{"file":[{FILE}]}}"#))
        .create_async()
        .await;
    assert_eq!(c.trash().await.unwrap().files.len(), 1);
    tr.assert_async().await;
    let et = server
        .mock("DELETE", "/cloud/1/trash")
        .with_status(204)
        .create_async()
        .await;
    c.empty_trash().await.unwrap();
    et.assert_async().await;
    let rs = server
        .mock("POST", "/cloud/1/trash/restore")
        .match_query("path=%2FVZMOBILE%2Fa")
        .with_body(format!(r#"{{"file":{FILE}}}"#))
        .create_async()
        .await;
    c.restore("/VZMOBILE/a").await.unwrap();
    rs.assert_async().await;
}

#[test]
fn secrets_never_print() {
    let c = Cloud::new(
        "KEY",
        "CLIENT-SECRET-1",
        "https://app.example/cb",
        CloudOptions::default()
            .access_token("ACCESS-SECRET-2")
            .refresh_token("REFRESH-SECRET-3"),
    )
    .unwrap();
    let shown = format!("{c:?}");
    for s in ["CLIENT-SECRET-1", "ACCESS-SECRET-2", "REFRESH-SECRET-3"] {
        assert!(!shown.contains(s), "{shown}");
    }
    let t: verizon_pcs::Token = serde_json::from_str(
        r#"{"access_token":"ACCESS-SECRET-2","refresh_token":"REFRESH-SECRET-3"}"#,
    )
    .unwrap();
    assert!(!format!("{t:?}").contains("SECRET"));
}
