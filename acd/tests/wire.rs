//! Wire tests (mockito): the exact request of every call, and statuses to `RequestError`s.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use acd::{codes, AcdClient, AcdOptions, ChunkedDownloadOptions, UploadOptions};
use mockito::{Matcher, Server};

const NODE: &str = r#"{"id":"AAAAAAAAAAAAAAAAAAAAAA","name":"n","kind":"FILE","status":"AVAILABLE","parents":["RRRRRRRRRRRRRRRRRRRRRR"],"version":1,"contentProperties":{"size":3,"md5":"900150983cd24fb0d6963f7d28e17f72","contentType":"text/plain","version":1},"createdDate":"2015-01-01T00:00:00.000Z","modifiedDate":"2015-01-01T00:00:00.000Z","createdBy":"app"}"#;
const ID: &str = "AAAAAAAAAAAAAAAAAAAAAA";

async fn client(server: &Server) -> (AcdClient, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("oauth_data"),
        r#"{"access_token": "Bar", "exp_time": 5000000000, "expires_in": 5000000000, "refresh_token": "Foo", "token_type": "bearer"}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("endpoint_data"),
        format!(
            r#"{{"contentUrl": "{0}/cdproxy/", "exp_time": 5000000000, "metadataUrl": "{0}/drive/v1/"}}"#,
            server.url()
        ),
    )
    .unwrap();
    let c = AcdClient::new(
        dir.path(),
        dir.path(),
        AcdOptions::default().pacing(acd::Pacing::Off),
    )
    .await
    .unwrap();
    (c, dir)
}

#[tokio::test]
async fn metadata_calls_send_exactly_this() {
    let mut s = Server::new_async().await;
    let (c, _d) = client(&s).await;
    let bearer = "Bearer Bar";
    let mut mocks = Vec::new();
    mocks.push(
        s.mock("POST", "/drive/v1/nodes")
            .match_header("authorization", bearer)
            .match_header("content-type", Matcher::Missing)
            .match_body(
                r#"{"kind": "FOLDER", "name": "h\u00e9", "parents": ["RRRRRRRRRRRRRRRRRRRRRR"]}"#,
            )
            .with_status(201)
            .with_body(NODE)
            .create_async()
            .await,
    );
    c.create_folder("hé", Some("RRRRRRRRRRRRRRRRRRRRRR"))
        .await
        .unwrap();
    mocks.push(
        s.mock("GET", "/drive/v1/nodes")
            .match_query("filters=kind%3AFILE")
            .with_body(format!(r#"{{"count":2,"nextToken":"T2","data":[{NODE}]}}"#))
            .create_async()
            .await,
    );
    mocks.push(
        s.mock("GET", "/drive/v1/nodes")
            .match_query("filters=kind%3AFILE&startToken=T2")
            .with_body(format!(r#"{{"count":2,"data":[{NODE}]}}"#))
            .create_async()
            .await,
    );
    assert_eq!(c.get_file_list().await.unwrap().len(), 2);
    mocks.push(
        s.mock("GET", "/drive/v1/nodes")
            .match_query("filters=status%3ATRASH+AND+kind%3AFOLDER")
            .with_body(r#"{"count":0,"data":[]}"#)
            .create_async()
            .await,
    );
    c.get_trashed_folders().await.unwrap();
    mocks.push(
        s.mock("GET", "/drive/v1/nodes")
            .match_query("filters=isRoot%3Atrue")
            .with_body(r#"{"count":1,"data":[{"id":"RRRRRRRRRRRRRRRRRRRRRR","kind":"FOLDER","isRoot":true,"parents":[]}]}"#)
            .create_async()
            .await,
    );
    assert_eq!(c.get_root_id().await.unwrap(), "RRRRRRRRRRRRRRRRRRRRRR");
    mocks.push(
        s.mock("GET", format!("/drive/v1/nodes/{ID}").as_str())
            .match_query("tempLink=true&asset=NONE")
            .with_body(NODE)
            .create_async()
            .await,
    );
    c.get_metadata(ID, false, true).await.unwrap();
    mocks.push(
        s.mock("PATCH", format!("/drive/v1/nodes/{ID}").as_str())
            .match_body(r#"{"name": "new"}"#)
            .with_body(NODE)
            .create_async()
            .await,
    );
    c.rename_node(ID, "new").await.unwrap();
    mocks.push(
        s.mock("PATCH", format!("/drive/v1/nodes/{ID}").as_str())
            .match_body(r#"{"parents": ["P"]}"#)
            .with_body(NODE)
            .create_async()
            .await,
    );
    c.move_node(ID, "P").await.unwrap();
    mocks.push(
        s.mock("PATCH", format!("/drive/v1/nodes/{ID}").as_str())
            .match_body(r#"{"status": "AVAILABLE"}"#)
            .with_body(NODE)
            .create_async()
            .await,
    );
    c.set_available(ID).await.unwrap();
    mocks.push(
        s.mock("PUT", format!("/drive/v1/nodes/P/children/{ID}").as_str())
            .match_header("content-length", "0")
            .with_body(NODE)
            .create_async()
            .await,
    );
    c.add_child("P", ID).await.unwrap();
    mocks.push(
        s.mock(
            "DELETE",
            format!("/drive/v1/nodes/P/children/{ID}").as_str(),
        )
        .with_body(NODE)
        .create_async()
        .await,
    );
    c.remove_child("P", ID).await.unwrap();
    mocks.push(
        s.mock("POST", "/drive/v1/nodes/NEW/children")
            .match_body(format!(r#"{{"fromParent": "OLD", "childId": "{ID}"}}"#).as_str())
            .with_body(NODE)
            .create_async()
            .await,
    );
    c.move_node_from(ID, "OLD", "NEW").await.unwrap();
    mocks.push(
        s.mock("GET", format!("/drive/v1/nodes/{ID}/children").as_str())
            .match_query(Matcher::Missing)
            .with_body(r#"{"count":0,"data":[]}"#)
            .create_async()
            .await,
    );
    c.list_children(ID).await.unwrap();
    mocks.push(
        s.mock(
            "PUT",
            format!("/drive/v1/nodes/{ID}/properties/OWN/k").as_str(),
        )
        .match_body(r#"{"value": "v"}"#)
        .with_status(201)
        .with_body(r#"{"key":"k","value":"v","location":"x"}"#)
        .create_async()
        .await,
    );
    c.add_property(ID, "OWN", "k", "v").await.unwrap();
    mocks.push(
        s.mock(
            "GET",
            format!("/drive/v1/nodes/{ID}/properties/OWN").as_str(),
        )
        .with_body(r#"{"data":{"k":"v"}}"#)
        .create_async()
        .await,
    );
    mocks.push(
        s.mock(
            "DELETE",
            format!("/drive/v1/nodes/{ID}/properties/OWN/k").as_str(),
        )
        .with_status(204)
        .create_async()
        .await,
    );
    c.delete_properties(ID, "OWN").await.unwrap();
    mocks.push(
        s.mock("PUT", format!("/drive/v1/trash/{ID}").as_str())
            .match_header("content-length", "0")
            .with_body(NODE)
            .create_async()
            .await,
    );
    c.move_to_trash(ID).await.unwrap();
    mocks.push(
        s.mock("POST", format!("/drive/v1/trash/{ID}/restore").as_str())
            .with_body(NODE)
            .create_async()
            .await,
    );
    c.restore(ID).await.unwrap();
    mocks.push(
        s.mock("GET", "/drive/v1/trash")
            .with_body(r#"{"count":0,"data":[]}"#)
            .create_async()
            .await,
    );
    c.list_trash().await.unwrap();
    mocks.push(
        s.mock("POST", "/drive/v1/changes")
            .match_body(r#"{"checkpoint": "CP", "includePurged": "true"}"#)
            .with_body("{\"checkpoint\": \"C2\", \"reset\": false, \"nodes\": [], \"statusCode\": 200}\n{\"end\": true}\n")
            .create_async()
            .await,
    );
    let mut out = Vec::new();
    assert_eq!(c.get_changes("CP", true, &mut out).await.unwrap(), 2);
    mocks.push(
        s.mock("POST", "/drive/v1/changes")
            .match_body("{}")
            .with_body("{\"end\": true}\n")
            .create_async()
            .await,
    );
    c.get_changes("", false, &mut Vec::new()).await.unwrap();
    for (path, body) in [
        ("/drive/v1/account/quota", r#"{"quota":10,"available":4}"#),
        ("/drive/v1/account/usage", r#"{}"#),
        (
            "/drive/v1/account/info",
            r#"{"termsOfUse":"1.0.0","status":"ACTIVE"}"#,
        ),
    ] {
        mocks.push(s.mock("GET", path).with_body(body).create_async().await);
    }
    assert_eq!(c.fs_sizes().await.unwrap(), (10, 4));
    assert_eq!(c.get_account_usage().await.unwrap().to_string(), "");
    c.get_account_info().await.unwrap();
    for m in mocks {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn content_calls_send_exactly_this() {
    let mut s = Server::new_async().await;
    let (c, dir) = client(&s).await;
    let path = dir.path().join("héllo wörld.txt");
    std::fs::write(&path, b"abc").unwrap();
    let m = s
        .mock("POST", "/cdproxy/nodes")
        .match_query("suppress=deduplication")
        .match_header("content-type", Matcher::Regex("^multipart/form-data; boundary=".into()))
        .match_header("content-length", Matcher::Any)
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex("name=\"metadata\"\r\n\r\n\\{\"kind\": \"FILE\", \"name\": \"h\\\\u00e9llo w\\\\u00f6rld.txt\", \"parents\": \\[\"P\"\\]\\}\r\n".into()),
            Matcher::Regex("name=\"content\"; filename=\"h%C3%A9llo\\+w%C3%B6rld.txt\"\r\nContent-Type: text/plain\r\n\r\nabc\r\n".into()),
        ]))
        .with_status(201)
        .with_body(NODE)
        .create_async()
        .await;
    c.upload_file(&path, Some("P"), UploadOptions::default())
        .await
        .unwrap();
    m.assert_async().await;
    // Deduplication asked for on a non-empty file: no query at all.
    let m = s
        .mock("POST", "/cdproxy/nodes")
        .match_query(Matcher::Missing)
        .with_status(201)
        .with_body(NODE)
        .create_async()
        .await;
    c.upload_file(&path, None, UploadOptions::default().deduplication(true))
        .await
        .unwrap();
    m.assert_async().await;
    // A stream: chunked, name as given.
    let m = s
        .mock("POST", "/cdproxy/nodes")
        .match_query("suppress=deduplication")
        .match_header("transfer-encoding", "chunked")
        .match_body(Matcher::Regex("\"name\": \"dir/x.bin\"".into()))
        .with_status(201)
        .with_body(NODE)
        .create_async()
        .await;
    c.upload_stream(
        std::io::Cursor::new(b"xyz".to_vec()),
        "dir/x.bin",
        None,
        UploadOptions::default(),
    )
    .await
    .unwrap();
    m.assert_async().await;
    // overwrite_stream: no query, content part only.
    let m = s
        .mock("PUT", format!("/cdproxy/nodes/{ID}/content").as_str())
        .match_query(Matcher::Missing)
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex("name=\"content\"".into()),
            // The first (and only) part is the content part.
            Matcher::Regex("^--[^\r]+\r\nContent-Disposition: form-data; name=\"content\"; filename=\"foo\"\r\nContent-Type: application/octet-stream\r\n\r\nnew\r\n--[^\r]+--\r\n$".into()),
        ]))
        .with_body(NODE)
        .create_async()
        .await;
    c.overwrite_stream(std::io::Cursor::new(b"new".to_vec()), ID, Vec::new())
        .await
        .unwrap();
    m.assert_async().await;
    // clear_file: a single-space file name.
    let m = s
        .mock("PUT", format!("/cdproxy/nodes/{ID}/content").as_str())
        .match_body(Matcher::Regex(
            "filename=\" \"\r\nContent-Type: application/octet-stream".into(),
        ))
        .with_body(NODE)
        .create_async()
        .await;
    c.clear_file(ID).await.unwrap();
    m.assert_async().await;
    // Downloads: inclusive ranges, 206 required.
    let m = s
        .mock("GET", format!("/cdproxy/nodes/{ID}/content").as_str())
        .match_header("range", "bytes=5-9")
        .with_status(206)
        .with_body("01234")
        .create_async()
        .await;
    assert_eq!(c.download_chunk(ID, 5, 5).await.unwrap(), b"01234");
    m.assert_async().await;
    let m = s
        .mock("GET", format!("/cdproxy/nodes/{ID}/content").as_str())
        .match_header("range", "bytes=0-2")
        .with_status(200)
        .with_body("abc")
        .create_async()
        .await;
    let err = c
        .chunked_download(
            ID,
            &mut Vec::new(),
            ChunkedDownloadOptions::default().length(3),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.status_code(),
        Some(codes::FAILED_SUBREQUEST),
        "a 200 to a ranged GET fails"
    );
    m.assert_async().await;
    let m = s
        .mock("GET", format!("/cdproxy/nodes/{ID}/content").as_str())
        .match_query("viewBox=64")
        .with_body("img")
        .create_async()
        .await;
    c.download_thumbnail(ID, dir.path().join("t.jpg"), 64)
        .await
        .unwrap();
    assert_eq!(std::fs::read(dir.path().join("t.jpg")).unwrap(), b"img");
    m.assert_async().await;
}

#[tokio::test]
async fn statuses_become_request_errors_with_bodies() {
    let mut s = Server::new_async().await;
    let (c, _d) = client(&s).await;
    for (status, body) in [
        (
            400,
            r#"{"message":"One of the parentId doesn't exists","code":""}"#,
        ),
        (401, r#"{"message":"Token has expired"}"#),
        (
            403,
            r#"{"message":"Insufficient permissions granted for operation: purgeNode"}"#,
        ),
        (404, r#"{"message":"Node not found"}"#),
        (
            409,
            r#"{"logref":"l","message":"Node with the name n already exists","code":"NAME_ALREADY_EXISTS","info":{"nodeId":"BBBBBBBBBBBBBBBBBBBBBB"}}"#,
        ),
        (429, r#"{"message":"Rate exceeded"}"#),
        (500, r#"{"message":"Internal failure"}"#),
        (503, ""),
    ] {
        let m = s
            .mock("PUT", format!("/drive/v1/trash/{ID}").as_str())
            .with_status(status)
            .with_header("x-amzn-RequestId", "rid")
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let err = c.move_to_trash(ID).await.unwrap_err();
        let r = err.request_error().unwrap();
        assert_eq!(r.status_code, status as u16);
        if body.is_empty() {
            assert_eq!(r.msg, acd::error::NO_BODY);
        } else {
            assert_eq!(r.msg, body, "the raw body is the message");
        }
        assert_eq!(
            err.to_string(),
            format!("RequestError: {status}, {}", r.msg)
        );
        if status == 409 {
            assert_eq!(err.conflicting_node_id(), Some("BBBBBBBBBBBBBBBBBBBBBB"));
            assert_eq!(r.code.as_deref(), Some("NAME_ALREADY_EXISTS"));
        }
        m.assert_async().await;
        m.remove_async().await;
    }
    assert_eq!(c.backoff_retries(), 8);
    // A transport failure is 1000 (nothing listens on port 9 of loopback).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("oauth_data"),
        r#"{"access_token": "Bar", "exp_time": 5000000000, "expires_in": 1, "refresh_token": "Foo"}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("endpoint_data"),
        r#"{"contentUrl": "http://127.0.0.1:9/cdproxy/", "exp_time": 5000000000, "metadataUrl": "http://127.0.0.1:9/drive/v1/"}"#,
    )
    .unwrap();
    let dead = AcdClient::new(
        dir.path(),
        dir.path(),
        AcdOptions::default().pacing(acd::Pacing::Off),
    )
    .await
    .unwrap();
    let err = dead.get_quota().await.unwrap_err();
    assert_eq!(err.status_code(), Some(codes::CONN_EXCEPTION));
    assert_eq!(dead.backoff_retries(), 1);
}

#[test]
fn secrets_never_print() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    std::fs::write(
        dir.path().join("oauth_data"),
        r#"{"access_token": "ACCESS-SECRET", "exp_time": 5000000000, "expires_in": 1, "refresh_token": "REFRESH-SECRET"}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("client_data"),
        r#"{"CLIENT_ID": "id", "CLIENT_SECRET": "CLIENT-SECRET"}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("endpoint_data"),
        r#"{"contentUrl": "http://127.0.0.1:9/cdproxy/", "exp_time": 5000000000, "metadataUrl": "http://127.0.0.1:9/drive/v1/"}"#,
    )
    .unwrap();
    let c = rt
        .block_on(AcdClient::new(
            dir.path(),
            dir.path(),
            AcdOptions::default(),
        ))
        .unwrap();
    let shown = format!("{c:?} {:?}", c.handler());
    for s in ["ACCESS-SECRET", "REFRESH-SECRET", "CLIENT-SECRET"] {
        assert!(!shown.contains(s), "{shown}");
    }
}

#[tokio::test]
async fn the_first_run_and_token_info_send_exactly_this() {
    let mut server = Server::new_async().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("client_data"),
        r#"{"CLIENT_ID": "amzn1.cid", "CLIENT_SECRET": "s&cret"}"#,
    )
    .unwrap();
    let opts = AcdOptions::default().base_url(&server.url());
    let grant = server
        .mock("POST", "/auth/o2/token")
        .match_header("authorization", Matcher::Missing)
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_body(
            "grant_type=authorization_code&code=C%2F1&client_id=amzn1.cid&client_secret=s%26cret&redirect_uri=http%3A%2F%2Flocalhost",
        )
        .with_body(r#"{"access_token": "AT", "refresh_token": "RT", "expires_in": 3600, "token_type": "bearer"}"#)
        .expect(1)
        .create_async()
        .await;
    acd::OAuthHandler::local_first_run(dir.path(), "http://localhost/?code=C%2F1", &opts)
        .await
        .unwrap();
    grant.assert_async().await;
    let h = acd::OAuthHandler::create_handler(dir.path(), &opts)
        .await
        .unwrap();
    let info = server
        .mock("GET", "/auth/o2/tokeninfo")
        .match_query(Matcher::Exact("access_token=AT".into()))
        .match_header("authorization", Matcher::Missing)
        .with_body(r#"{"aud": "amzn1.cid", "exp": 3597}"#)
        .expect(1)
        .create_async()
        .await;
    assert_eq!(h.get_access_token_info().await.unwrap()["exp"], 3597);
    info.assert_async().await;
    assert_eq!(h.get_auth_token().await.unwrap().expose(), "Bearer AT");
}
