//! Wire tests (mockito): every call's method, path, query, headers and body; the token
//! endpoint's grants; the reactive refresh and its exact trigger; the upload's multipart
//! and its token recovery; every failing status mapped to its error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mockito::{Matcher, Mock, Server, ServerGuard};
use orange_cloud::{ApiManager, ApiManagerOptions, Error, FolderQuery, UploadOptions};
use serde_json::json;

const ID: &str = "my id";
const SECRET: &str = "se:cret";
/// base64("my id:se:cret")
const BASIC: &str = "Basic bXkgaWQ6c2U6Y3JldA==";

fn manager(s: &Server) -> ApiManager {
    ApiManager::new(
        ID,
        SECRET,
        "http://127.0.0.1:1/cb",
        ApiManagerOptions::default().base_url(&s.url()),
    )
    .unwrap()
}

async fn token_mock(s: &mut Server, body: &str, access: &str) -> Mock {
    s.mock("POST", "/oauth/v2/token")
        .match_header("authorization", BASIC)
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_body(body)
        .with_header("content-type", "application/json")
        .with_body(json!({"token_type": "Bearer", "access_token": access, "expires_in": 3600, "refresh_token": "RT2"}).to_string())
        .create_async()
        .await
}

/// A manager holding access token `AT` (from `init_with_token("RT")`).
async fn ready(s: &mut ServerGuard) -> ApiManager {
    let m = manager(s);
    let t = token_mock(
        s,
        "scope=openid+cloud&grant_type=refresh_token&refresh_token=RT",
        "AT",
    )
    .await;
    m.init_with_token("RT").await.unwrap();
    t.assert_async().await;
    t.remove_async().await;
    m
}

fn json_ok(m: mockito::Mock, status: usize, body: serde_json::Value) -> mockito::Mock {
    m.with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
}

#[tokio::test]
async fn construction_does_no_io_and_calls_need_a_token() {
    let mut s = Server::new_async().await;
    let any = s.mock("GET", Matcher::Any).expect(0).create_async().await;
    let m = manager(&s);
    let e = m.freespace().get().await.unwrap_err();
    assert!(
        matches!(
            &e,
            Error::OAuth {
                status_code: 401,
                error: None,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "401  - no token provided");
    assert!(m.folders().get(None, FolderQuery::default()).await.is_err());
    any.assert_async().await;
}

#[tokio::test]
async fn code_grant_exact_and_refresh_token_required() {
    let mut s = Server::new_async().await;
    let m = manager(&s);
    let t = token_mock(
        &mut s,
        "scope=openid+cloud&code=C%2BD&grant_type=authorization_code&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcb",
        "AT",
    )
    .await;
    m.init_with_authorize_code("http://127.0.0.1:8080/cb", "C+D")
        .await
        .unwrap();
    t.assert_async().await;
    assert_eq!(m.refresh_token().unwrap().expose(), "RT2");
    // The bearer is used.
    let f = json_ok(
        s.mock("GET", "/cloud/v1/freespace")
            .match_header("authorization", "Bearer AT"),
        200,
        json!({"freespace": 1024}),
    )
    .create_async()
    .await;
    assert_eq!(m.freespace().get().await.unwrap().freespace, 1024);
    f.assert_async().await;
    // A code-grant answer without refresh_token is an error.
    t.remove_async().await;
    s.mock("POST", "/oauth/v2/token")
        .with_header("content-type", "application/json")
        .with_body(r#"{"access_token": "X"}"#)
        .create_async()
        .await;
    let m2 = manager(&s);
    assert!(m2
        .init_with_authorize_code("http://127.0.0.1:8080/cb", "C")
        .await
        .is_err());
    assert!(m2.freespace().get().await.is_err());
}

#[tokio::test]
async fn the_password_and_client_credentials_grants_of_oauth2_client() {
    let mut s = Server::new_async().await;
    let m = manager(&s);
    let t = token_mock(
        &mut s,
        "scope=openid+cloud&username=me%40example.fr&grant_type=password&password=p%26ss+w",
        "AT",
    )
    .await;
    m.init_with_user_credentials("me@example.fr", "p&ss w")
        .await
        .unwrap();
    t.assert_async().await;
    assert_eq!(m.refresh_token().unwrap().expose(), "RT2");
    t.remove_async().await;
    // Client credentials: the access token only; the refresh token held before stays.
    let t = token_mock(
        &mut s,
        "scope=openid+cloud&grant_type=client_credentials",
        "AT3",
    )
    .await;
    m.init_with_client_credentials().await.unwrap();
    t.assert_async().await;
    assert_eq!(m.refresh_token().unwrap().expose(), "RT2");
    let f = json_ok(
        s.mock("GET", "/cloud/v1/freespace")
            .match_header("authorization", "Bearer AT3"),
        200,
        json!({"freespace": 1}),
    )
    .create_async()
    .await;
    m.freespace().get().await.unwrap();
    f.assert_async().await;
}

#[tokio::test]
async fn init_with_token_keeps_the_given_refresh_token_when_none_comes_back() {
    let mut s = Server::new_async().await;
    let t = s
        .mock("POST", "/oauth/v2/token")
        .match_header("authorization", BASIC)
        .match_body("scope=openid+cloud&grant_type=refresh_token&refresh_token=R+T%2F1")
        .with_body(r#"{"access_token": "AT"}"#)
        .create_async()
        .await;
    let m = manager(&s);
    m.init_with_token("R T/1").await.unwrap();
    t.assert_async().await;
    assert_eq!(m.refresh_token().unwrap().expose(), "R T/1");
    // Secrets stay out of Debug.
    let dbg = format!("{m:?}");
    assert!(
        !dbg.contains("se:cret") && !dbg.contains("R T/1") && !dbg.contains("\"AT\""),
        "{dbg}"
    );
}

#[tokio::test]
async fn token_endpoint_failures_are_oauth_errors_with_the_raw_text() {
    for status in [400usize, 401, 500] {
        let mut s = Server::new_async().await;
        let body = r#"{"error": "invalid_grant", "error_description": "bad"}"#;
        s.mock("POST", "/oauth/v2/token")
            .with_status(status)
            .with_body(body)
            .create_async()
            .await;
        let e = manager(&s).init_with_token("RT").await.unwrap_err();
        match &e {
            Error::OAuth {
                status_code,
                response_text,
                error,
            } => {
                assert_eq!(*status_code as usize, status);
                assert_eq!(response_text, body);
                assert!(error.is_none());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(e.to_string(), format!("{status}  - {body}"));
    }
}

#[tokio::test]
async fn a_401_on_refresh_forgets_the_tokens_another_status_does_not() {
    for (status, cleared) in [(401usize, true), (400, false)] {
        let mut s = Server::new_async().await;
        let m = ready(&mut s).await;
        s.mock("POST", "/oauth/v2/token")
            .with_status(status)
            .with_body("no")
            .create_async()
            .await;
        let expired = json_ok(
            s.mock("GET", "/cloud/v1/freespace"),
            401,
            json!({"code": 41, "message": "Invalid credentials"}),
        )
        .create_async()
        .await;
        let e = m.freespace().get().await.unwrap_err();
        assert_eq!(e.status_code(), Some(status as u16), "{e:?}");
        expired.assert_async().await;
        let again = m.freespace().get().await.unwrap_err();
        if cleared {
            assert_eq!(again.to_string(), "401  - no token provided");
        } else {
            assert!(!again.to_string().contains("no token provided"));
        }
    }
}

#[tokio::test]
async fn reactive_refresh_only_on_invalid_credentials_and_once() {
    let mut s = Server::new_async().await;
    let m = ready(&mut s).await;
    // 41 "Invalid credentials": one refresh, one replay with the new bearer.
    let old = json_ok(
        s.mock("GET", "/cloud/v1/freespace")
            .match_header("authorization", "Bearer AT"),
        401,
        json!({"code": 41, "message": "Invalid credentials", "description": "expired"}),
    )
    .expect(1)
    .create_async()
    .await;
    let refresh = token_mock(
        &mut s,
        "scope=openid+cloud&grant_type=refresh_token&refresh_token=RT2",
        "AT2",
    )
    .await;
    let new = json_ok(
        s.mock("GET", "/cloud/v1/freespace")
            .match_header("authorization", "Bearer AT2"),
        200,
        json!({"freespace": 5}),
    )
    .create_async()
    .await;
    assert_eq!(m.freespace().get().await.unwrap().freespace, 5);
    old.assert_async().await;
    // The refresh grant carried the rotated refresh token... of the init answer (RT2).
    refresh.assert_async().await;
    new.assert_async().await;

    // Any other 401 body does not refresh: ClientError.
    for body in [
        json!({"code": 42, "message": "Expired credentials"}),
        json!({"error": "invalid_token"}),
    ] {
        let mut s = Server::new_async().await;
        let m = ready(&mut s).await;
        let no_refresh = s
            .mock("POST", "/oauth/v2/token")
            .expect(0)
            .create_async()
            .await;
        json_ok(s.mock("GET", "/cloud/v1/folders"), 401, body)
            .create_async()
            .await;
        let e = m
            .folders()
            .get(None, FolderQuery::default())
            .await
            .unwrap_err();
        assert!(
            matches!(
                &e,
                Error::Client {
                    status: 401,
                    domain: "folders",
                    ..
                }
            ),
            "{e:?}"
        );
        no_refresh.assert_async().await;
    }

    // A second 401 after the refresh is a ClientError (no loop).
    let mut s = Server::new_async().await;
    let m = ready(&mut s).await;
    let both = json_ok(
        s.mock("GET", "/cloud/v1/freespace"),
        401,
        json!({"code": 41, "message": "Invalid credentials"}),
    )
    .expect(2)
    .create_async()
    .await;
    let refresh = token_mock(
        &mut s,
        "scope=openid+cloud&grant_type=refresh_token&refresh_token=RT2",
        "AT2",
    )
    .await;
    let e = m.freespace().get().await.unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Client {
                status: 401,
                domain: "freespace",
                ..
            }
        ),
        "{e:?}"
    );
    both.assert_async().await;
    refresh.assert_async().await;
}

#[tokio::test]
async fn folders_calls_exact() {
    let mut s = Server::new_async().await;
    let m = ready(&mut s).await;
    let folder = json!({"id": "F", "parentId": "R", "name": "n", "files": [{"id": "f1", "name": "a.jpg", "size": 3, "type": "PICTURE", "metaData": {"w": 1}}], "subfolders": [{"id": "S", "name": "s", "parentId": "F"}], "extraField": 1});
    let root = json_ok(
        s.mock("GET", "/cloud/v1/folders")
            .match_query(Matcher::Exact(String::new()))
            .match_header("authorization", "Bearer AT"),
        200,
        folder.clone(),
    )
    .create_async()
    .await;
    let got = m.folders().get(None, FolderQuery::default()).await.unwrap();
    root.assert_async().await;
    assert_eq!(got.files[0].name, "a.jpg");
    assert_eq!(got.files[0].extra["metaData"], json!({"w": 1}));
    assert_eq!(got.subfolders[0].parent_id.as_deref(), Some("F"));
    assert_eq!(got.extra["extraField"], json!(1));
    let one = json_ok(
        s.mock("GET", "/cloud/v1/folders/F-_1")
            .match_query(Matcher::Exact(
                "flat=True&tree=True&limit=10&offset=2&filter=image".into(),
            )),
        200,
        folder.clone(),
    )
    .create_async()
    .await;
    m.folders()
        .get(
            Some("F-_1"),
            FolderQuery::default()
                .flat()
                .tree()
                .limit(10)
                .offset(2)
                .filter("image"),
        )
        .await
        .unwrap();
    one.assert_async().await;
    // An id that needs escaping is escaped (real ids never do).
    let esc = json_ok(
        s.mock("GET", "/cloud/v1/folders/a%2Fb%20c"),
        200,
        folder.clone(),
    )
    .create_async()
    .await;
    m.folders()
        .get(Some("a/b c"), FolderQuery::default())
        .await
        .unwrap();
    esc.assert_async().await;

    let create = json_ok(
        s.mock("POST", "/cloud/v1/folders")
            .match_header("content-type", "application/json")
            .match_body(Matcher::Json(json!({"name": "été", "parentFolderId": "P"}))),
        201,
        json!({"id": "N", "parentId": "P", "name": "été", "files": [], "subfolders": []}),
    )
    .create_async()
    .await;
    assert_eq!(m.folders().create("été", Some("P")).await.unwrap().id, "N");
    create.assert_async().await;
    let create_root = json_ok(
        s.mock("POST", "/cloud/v1/folders")
            .match_body(Matcher::Json(json!({"name": "top"}))),
        201,
        json!({"id": "T", "name": "top"}),
    )
    .create_async()
    .await;
    m.folders().create("top", None).await.unwrap();
    create_root.assert_async().await;

    for (body, which) in [
        (json!({"parentFolderId": "D"}), "move"),
        (json!({"name": "new"}), "rename"),
        (json!({"parentFolderId": "D", "clone": true}), "copy"),
    ] {
        let mk = json_ok(
            s.mock("POST", "/cloud/v1/folders/F")
                .match_body(Matcher::Json(body)),
            200,
            json!({"id": "F2", "name": "new", "parentId": "D"}),
        )
        .expect(1)
        .create_async()
        .await;
        let r = match which {
            "move" => m.folders().r#move("F", "D").await,
            "rename" => m.folders().rename("F", "new").await,
            _ => m.folders().copy("F", "D").await,
        }
        .unwrap();
        assert_eq!(r.id, "F2");
        mk.assert_async().await;
        mk.remove_async().await;
    }
    let del = s
        .mock("DELETE", "/cloud/v1/folders/F")
        .match_header("content-length", "0")
        .match_body("")
        .with_status(204)
        .create_async()
        .await;
    m.folders().delete("F").await.unwrap();
    del.assert_async().await;
}

#[tokio::test]
async fn files_calls_exact() {
    let mut s = Server::new_async().await;
    let m = ready(&mut s).await;
    let dl = format!("{}/cloud/v1/files/X/content/tok", s.url());
    let get = json_ok(
        s.mock("GET", "/cloud/v1/files/X").match_query(Matcher::Exact(String::new())),
        200,
        json!({"id": "X", "name": "a.txt", "size": 0, "type": "FILE", "downloadUrl": dl, "creationDate": "2015-09-29T15:39:28+0200"}),
    )
    .create_async()
    .await;
    let f = m.files().get("X").await.unwrap();
    get.assert_async().await;
    assert_eq!(f.download_url.as_deref(), Some(dl.as_str()));
    assert_eq!(
        f.creation_date.map(|t| t.to_rfc3339()).as_deref(),
        Some("2015-09-29T13:39:28+00:00"),
        "the wire's +0200 read as UTC"
    );
    for (body, which) in [
        (json!({"parentFolderId": "D"}), "move"),
        (json!({"name": "b.txt"}), "rename"),
        (json!({"parentFolderId": "D", "clone": true}), "copy"),
    ] {
        let mk = json_ok(
            s.mock("POST", "/cloud/v1/files/X")
                .match_body(Matcher::Json(body)),
            200,
            json!({"id": "Y", "name": "b.txt", "parentId": "D"}),
        )
        .create_async()
        .await;
        let r = match which {
            "move" => m.files().r#move("X", "D").await,
            "rename" => m.files().rename("X", "b.txt").await,
            _ => m.files().copy("X", "D").await,
        }
        .unwrap();
        assert_eq!(r.parent_id.as_deref(), Some("D"));
        mk.assert_async().await;
        mk.remove_async().await;
    }
    let del = s
        .mock("DELETE", "/cloud/v1/files/X")
        .match_header("content-length", "0")
        .with_status(204)
        .create_async()
        .await;
    m.files().delete("X").await.unwrap();
    del.assert_async().await;

    // Download: bearer to the absolute URL, bytes streamed to a writer and to a file.
    let body = s
        .mock("GET", "/cloud/v1/files/X/content/tok")
        .match_header("authorization", "Bearer AT")
        .with_body("hello")
        .expect(2)
        .create_async()
        .await;
    let mut out = Vec::new();
    assert_eq!(m.files().download_to(&dl, &mut out).await.unwrap(), 5);
    assert_eq!(out, b"hello");
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("a.txt");
    m.files().download(&dl, &target).await.unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"hello");
    body.assert_async().await;
    // A failed download leaves nothing behind (the original left an empty file).
    s.mock("GET", "/cloud/v1/files/Z/content/tok")
        .with_status(404)
        .create_async()
        .await;
    let gone = dir.path().join("z.txt");
    let e = m
        .files()
        .download(&format!("{}/cloud/v1/files/Z/content/tok", s.url()), &gone)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Client {
                status: 404,
                domain: "files",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(!gone.exists());
    // A server-given name cannot leave the folder.
    assert!(m
        .files()
        .download_into(&dl, dir.path(), "../evil")
        .await
        .is_err());
    assert!(m
        .files()
        .download_into(&dl, dir.path(), "/etc/passwd")
        .await
        .is_err());
}

fn upload_managers(api: &Server, up: &Server) -> ApiManager {
    let o = ApiManagerOptions::default()
        .base_url(&api.url())
        .upload_url(&up.url());
    ApiManager::new(ID, SECRET, "http://127.0.0.1:1/cb", o).unwrap()
}

#[tokio::test]
async fn upload_multipart_on_the_upload_host() {
    let mut api = Server::new_async().await;
    let mut up = Server::new_async().await;
    let m = upload_managers(&api, &up);
    token_mock(
        &mut api,
        "scope=openid+cloud&grant_type=refresh_token&refresh_token=RT",
        "AT",
    )
    .await;
    m.init_with_token("RT").await.unwrap();
    let not_api = api
        .mock("POST", "/cloud/v1/files/content")
        .expect(0)
        .create_async()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("photo été.jpg");
    std::fs::write(&p, b"JPEG!").unwrap();
    let with_folder = json_ok(
        up.mock("POST", "/cloud/v1/files/content")
            .match_header("authorization", "Bearer AT")
            .match_header("content-type", Matcher::Regex("^multipart/form-data; boundary=".into()))
            .match_header("content-length", Matcher::Regex("^[0-9]+$".into()))
            .match_body(Matcher::AllOf(vec![
                Matcher::Regex(
                    "Content-Disposition: form-data; name=\"description\"\r\n\r\n\\{\"folder\":\"F\",\"name\":\"photo été.jpg\",\"size\":\"5\"\\}\r\n".into(),
                ),
                Matcher::Regex(
                    "Content-Disposition: form-data; name=\"file\"; filename=\"photo été.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nJPEG!\r\n".into(),
                ),
            ])),
        201,
        json!({"fileId": "NEW", "fileName": "photo été.jpg"}),
    )
    .create_async()
    .await;
    let r = m.files().upload(&p, Some("F")).await.unwrap();
    assert_eq!(
        (r.file_id.as_str(), r.file_name.as_str()),
        ("NEW", "photo été.jpg")
    );
    with_folder.assert_async().await;
    with_folder.remove_async().await;
    // No folder: no "folder" key; an unknown extension is application/octet-stream.
    let q = dir.path().join("data.zzqx");
    std::fs::write(&q, b"").unwrap();
    let root = json_ok(
        up.mock("POST", "/cloud/v1/files/content")
            .match_body(Matcher::AllOf(vec![
                Matcher::Regex("\r\n\\{\"name\":\"data.zzqx\",\"size\":\"0\"\\}\r\n".into()),
                Matcher::Regex("Content-Type: application/octet-stream\r\n".into()),
            ])),
        201,
        json!({"fileId": "E", "fileName": "data.zzqx"}),
    )
    .create_async()
    .await;
    m.files().upload(&q, None).await.unwrap();
    root.assert_async().await;
    not_api.assert_async().await;
    // Bad input fails before any request: a reader without a name or size.
    let e = m
        .files()
        .upload_with(
            orange_cloud::UploadSource::reader(&b"abc"[..]),
            None,
            UploadOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("name"), "{e}");
    let e = m
        .files()
        .upload_with(
            orange_cloud::UploadSource::reader(&b"abc"[..]),
            None,
            UploadOptions::default().name("x"),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("size"), "{e}");
}

#[tokio::test]
async fn upload_invalid_token_refreshes_and_resends_returning_the_retry() {
    let mut api = Server::new_async().await;
    let mut up = Server::new_async().await;
    let m = upload_managers(&api, &up);
    token_mock(
        &mut api,
        "scope=openid+cloud&grant_type=refresh_token&refresh_token=RT",
        "AT",
    )
    .await;
    m.init_with_token("RT").await.unwrap();
    let refused = json_ok(
        up.mock("POST", "/cloud/v1/files/content").match_header("authorization", "Bearer AT"),
        401,
        json!({"error": {"code": "PDK_RP_0004", "label": "INVALID_TOKEN", "details": "OIDC rejected the token"}}),
    )
    .create_async()
    .await;
    let refresh = token_mock(
        &mut api,
        "scope=openid+cloud&grant_type=refresh_token&refresh_token=RT2",
        "AT2",
    )
    .await;
    let ok = json_ok(
        up.mock("POST", "/cloud/v1/files/content")
            .match_header("authorization", "Bearer AT2")
            .match_body(Matcher::Regex("\r\n\r\nabc\r\n".into())),
        201,
        json!({"fileId": "I", "fileName": "a.txt"}),
    )
    .create_async()
    .await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.txt");
    std::fs::write(&p, b"abc").unwrap();
    // The original returned None here; this crate returns the retry's answer.
    assert_eq!(m.files().upload(&p, None).await.unwrap().file_id, "I");
    refused.assert_async().await;
    refresh.assert_async().await;
    ok.assert_async().await;

    // Any other 401 body on the upload host: no refresh, ClientError.
    let mut api = Server::new_async().await;
    let mut up = Server::new_async().await;
    let m = upload_managers(&api, &up);
    token_mock(
        &mut api,
        "scope=openid+cloud&grant_type=refresh_token&refresh_token=RT",
        "AT",
    )
    .await;
    m.init_with_token("RT").await.unwrap();
    api.mock("POST", "/oauth/v2/token")
        .expect(0)
        .create_async()
        .await;
    json_ok(
        up.mock("POST", "/cloud/v1/files/content"),
        401,
        json!({"error": "nope"}),
    )
    .create_async()
    .await;
    let e = m.files().upload(&p, None).await.unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Client {
                status: 401,
                domain: "files",
                ..
            }
        ),
        "{e:?}"
    );
}

/// `raise_response_error`: every status ≥ 300 of every domain is a `ClientError` naming the
/// domain and the URL without its query.
#[tokio::test]
async fn every_failing_status_is_a_client_error() {
    let mut s = Server::new_async().await;
    let m = ready(&mut s).await;
    for status in [300u16, 304, 400, 403, 404, 409, 413, 429, 500, 502, 503] {
        let body = json!({"code": 60, "message": "Resource not found", "description": "d"});
        let mut mocks = Vec::new();
        for method in ["GET", "POST", "DELETE"] {
            mocks.push(
                json_ok(s.mock(method, Matcher::Any), status as usize, body.clone())
                    .create_async()
                    .await,
            );
        }
        let cases: Vec<(&str, String, Result<(), Error>)> = vec![
            (
                "freespace",
                "/cloud/v1/freespace".into(),
                m.freespace().get().await.map(drop),
            ),
            (
                "folders",
                "/cloud/v1/folders".into(),
                m.folders()
                    .get(None, FolderQuery::default().flat())
                    .await
                    .map(drop),
            ),
            (
                "folders",
                "/cloud/v1/folders".into(),
                m.folders().create("x", None).await.map(drop),
            ),
            (
                "folders",
                "/cloud/v1/folders/F".into(),
                m.folders().rename("F", "y").await.map(drop),
            ),
            (
                "folders",
                "/cloud/v1/folders/F".into(),
                m.folders().delete("F").await,
            ),
            (
                "files",
                "/cloud/v1/files/X".into(),
                m.files().get("X").await.map(drop),
            ),
            (
                "files",
                "/cloud/v1/files/X".into(),
                m.files().copy("X", "D").await.map(drop),
            ),
            (
                "files",
                "/cloud/v1/files/X".into(),
                m.files().delete("X").await,
            ),
        ];
        for (domain, path, r) in cases {
            let e = r.unwrap_err();
            match &e {
                Error::Client {
                    domain: d,
                    status: st,
                    context,
                    ..
                } => {
                    assert_eq!((*d, *st), (domain, status));
                    if status != 304 {
                        assert!(
                            context
                                .body_snippet
                                .as_deref()
                                .unwrap_or("")
                                .contains("Resource not found"),
                            "{context:?}"
                        );
                    }
                }
                other => panic!("{status} {domain}: {other:?}"),
            }
            assert_eq!(
                e.to_string(),
                format!(
                    "{domain}: Invalid status code {status} on {}{path}",
                    s.url()
                )
            );
        }
        for mk in mocks {
            mk.remove_async().await;
        }
    }
}

#[tokio::test]
async fn get_pages_sends_limit_and_growing_offsets_until_a_short_page() {
    use futures::TryStreamExt;
    let mut s = Server::new_async().await;
    let m = ready(&mut s).await;
    let file =
        |n: u32| json!({"id": format!("f{n}"), "name": format!("f{n}"), "type": "FILE", "size": 1});
    let page = |files: Vec<serde_json::Value>| json!({"id": "D", "parentId": "R", "name": "d", "files": files, "subfolders": []});
    let p1 = json_ok(
        s.mock("GET", "/cloud/v1/folders/D")
            .match_query("showthumbnails=True&limit=2&offset=0")
            .match_header("authorization", "Bearer AT"),
        200,
        page(vec![file(1), file(2)]),
    )
    .create_async()
    .await;
    let p2 = json_ok(
        s.mock("GET", "/cloud/v1/folders/D")
            .match_query("showthumbnails=True&limit=2&offset=2"),
        200,
        page(vec![file(3)]),
    )
    .create_async()
    .await;
    let pages: Vec<orange_cloud::Folder> = m
        .folders()
        .get_pages(Some("D"), FolderQuery::default().showthumbnails(), 2)
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = pages
        .iter()
        .flat_map(|p| p.files.iter().map(|f| f.id.as_str()))
        .collect();
    assert_eq!(ids, ["f1", "f2", "f3"]);
    p1.assert_async().await;
    p2.assert_async().await;
}
