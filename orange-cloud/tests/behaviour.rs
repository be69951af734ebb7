//! Behaviour tests against the emulator: the authorization-code flow through the local
//! redirect server (consent, a wrong state, a denial, no code, a timeout, the listener
//! closed), whole folder and file workflows with path-derived ids, the single-flight refresh
//! under 50 concurrent calls, and the upload's token recovery under injected faults.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cloud_core::emulator::Route;
use orange_cloud::emulator::{Emulator, EmulatorConfig};
use orange_cloud::{
    ApiManager, ApiManagerOptions, Error, FolderQuery, UploadOptions, UploadSource,
};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn emulator_with_redirect() -> (Emulator, String) {
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    let emu = Emulator::start_with(EmulatorConfig::default().redirect_uri(&redirect))
        .await
        .unwrap();
    (emu, redirect)
}

fn manager(emu: &Emulator, redirect: &str) -> ApiManager {
    ApiManager::new(
        emu.client_id(),
        emu.client_secret(),
        redirect,
        ApiManagerOptions::default().base_url(&emu.base_url()),
    )
    .unwrap()
}

async fn signed_in(emu: &Emulator) -> ApiManager {
    let m = manager(emu, emu.redirect_uri());
    m.init_with_token(emu.issue_token().refresh_token.expose())
        .await
        .unwrap();
    m
}

async fn listening(port: u16) -> bool {
    tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_ok()
}

fn port_of(uri: &str) -> u16 {
    url::Url::parse(uri).unwrap().port().unwrap()
}

#[tokio::test]
async fn authorization_code_flow_through_the_local_redirect_server() {
    let (emu, redirect) = emulator_with_redirect().await;
    let m = manager(&emu, &redirect);
    let url = m
        .init_authorize_code_process(&redirect, "st ate/1")
        .await
        .unwrap();
    assert!(url.starts_with(&format!(
        "{}/oauth/v2/authorize?scope=openid%20cloud&state=st%20ate%2F1&",
        emu.base_url()
    )));
    // The "browser": the emulator consents and redirects to the catcher.
    let page = cloud_core::reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("You can close this tab"));
    let code = m
        .wait_and_terminate_authorize_code_process(Some(Duration::from_secs(10)))
        .await
        .unwrap();
    assert!(
        !listening(port_of(&redirect)).await,
        "the listener is closed"
    );
    m.init_with_authorize_code(&redirect, &code).await.unwrap();
    assert!(m.freespace().get().await.unwrap().freespace > 0);
    // The code is single-use.
    let e = m
        .init_with_authorize_code(&redirect, &code)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::OAuth {
                status_code: 400,
                ..
            }
        ),
        "{e:?}"
    );
    // The refresh token persists: a new manager starts from it.
    let rt = m.refresh_token().unwrap();
    let again = manager(&emu, &redirect);
    again.init_with_token(rt.expose()).await.unwrap();
    again
        .folders()
        .get(None, FolderQuery::default())
        .await
        .unwrap();
    // A second flow on the same port works (the original's listener kept the port).
    m.init_authorize_code_process(&redirect, "s2")
        .await
        .unwrap();
    let direct = format!("{redirect}?code=abc&state=s2");
    cloud_core::reqwest::get(&direct).await.unwrap();
    assert_eq!(
        m.wait_and_terminate_authorize_code_process(None)
            .await
            .unwrap(),
        "abc"
    );
}

#[tokio::test]
async fn the_redirect_server_refuses_what_it_must() {
    let redirect = format!("http://127.0.0.1:{}/cb", free_port());
    let m = ApiManager::new(
        "id",
        "secret",
        &redirect,
        ApiManagerOptions::default().base_url("http://127.0.0.1:9"),
    )
    .unwrap();
    let hit = |q: &str| {
        let u = format!("{redirect}?{q}");
        async move { cloud_core::reqwest::get(&u).await.unwrap().status() }
    };

    // A wrong state.
    m.init_authorize_code_process(&redirect, "A").await.unwrap();
    assert_eq!(hit("code=x&state=B").await, 200);
    let e = m
        .wait_and_terminate_authorize_code_process(Some(Duration::from_secs(5)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::OAuth {
                status_code: 500,
                error: None,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "500  - Sate returned does not match: Sent(A) <> Got(B)"
    );

    // A timeout: the state-mismatch error with Got(None), the listener closed.
    m.init_authorize_code_process(&redirect, "A").await.unwrap();
    assert!(listening(port_of(&redirect)).await);
    let start = std::time::Instant::now();
    let e = m
        .wait_and_terminate_authorize_code_process(Some(Duration::from_millis(200)))
        .await
        .unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(
        e.to_string(),
        "500  - Sate returned does not match: Sent(A) <> Got(None)"
    );
    assert!(!listening(port_of(&redirect)).await);

    // A denial: 401 with the error pair.
    m.init_authorize_code_process(&redirect, "A").await.unwrap();
    hit("error=access_denied&error_description=User%20denied&state=A").await;
    let e = m
        .wait_and_terminate_authorize_code_process(None)
        .await
        .unwrap_err();
    match &e {
        Error::OAuth {
            status_code: 401,
            error: Some((err, desc)),
            ..
        } => assert_eq!(
            (err.as_str(), desc.as_str()),
            ("access_denied", "User denied")
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(e.to_string(), "401  - access_denied : User denied");

    // No code.
    m.init_authorize_code_process(&redirect, "A").await.unwrap();
    hit("state=A").await;
    let e = m
        .wait_and_terminate_authorize_code_process(None)
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "500  - No code returned");

    // Not started; https; a port taken.
    assert!(matches!(
        m.wait_and_terminate_authorize_code_process(None).await,
        Err(Error::NotStarted)
    ));
    assert!(matches!(
        m.init_authorize_code_process("https://127.0.0.1:8443/cb", "A")
            .await,
        Err(Error::InsecureRedirect)
    ));
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = format!("http://127.0.0.1:{}/cb", taken.local_addr().unwrap().port());
    assert!(matches!(
        m.init_authorize_code_process(&busy, "A").await,
        Err(Error::Io(_))
    ));
}

#[tokio::test]
async fn folders_and_files_workflow() {
    let emu = Emulator::start().await.unwrap();
    let m = signed_in(&emu).await;
    let free0 = m.freespace().get().await.unwrap().freespace;
    let root = m.folders().get(None, FolderQuery::default()).await.unwrap();
    assert_eq!(
        (root.name.as_str(), root.parent_id.as_deref()),
        ("", Some(root.id.as_str()))
    );

    let docs = m.folders().create("Documents", None).await.unwrap();
    let photos = m
        .folders()
        .create("Photos été", Some(&docs.id))
        .await
        .unwrap();
    assert_eq!(photos.parent_id.as_deref(), Some(docs.id.as_str()));
    let e = m.folders().create("Documents", None).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Client {
                status: 409,
                domain: "folders",
                ..
            }
        ),
        "{e:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let pic = dir.path().join("a.jpg");
    std::fs::write(&pic, vec![7u8; 1000]).unwrap();
    let up = m.files().upload(&pic, Some(&photos.id)).await.unwrap();
    assert_eq!(up.file_name, "a.jpg");
    // The same name again is stored as a(1).jpg.
    let up2 = m.files().upload(&pic, Some(&photos.id)).await.unwrap();
    assert_eq!(up2.file_name, "a(1).jpg");
    let txt = m
        .files()
        .upload_with(
            UploadSource::reader(&b"hello"[..]),
            Some(&docs.id),
            UploadOptions::default().name("n.txt").size(5),
        )
        .await
        .unwrap();
    assert_eq!(m.freespace().get().await.unwrap().freespace, free0 - 2005);

    // Listings: URLs only with showthumbnails; filter; flat and tree; limit/offset.
    let l = m
        .folders()
        .get(Some(&photos.id), FolderQuery::default())
        .await
        .unwrap();
    assert_eq!(l.files.len(), 2);
    assert!(l.files[0].download_url.is_none());
    assert_eq!(l.files[0].file_type.as_deref(), Some("PICTURE"));
    let l = m
        .folders()
        .get(Some(&photos.id), FolderQuery::default().showthumbnails())
        .await
        .unwrap();
    assert!(l.files.iter().all(|f| f.download_url.is_some()));
    let flat = m
        .folders()
        .get(None, FolderQuery::default().flat())
        .await
        .unwrap();
    assert_eq!((flat.files.len(), flat.subfolders.len()), (3, 2));
    let tree = m
        .folders()
        .get(None, FolderQuery::default().flat().tree())
        .await
        .unwrap();
    assert_eq!((tree.files.len(), tree.subfolders.len()), (0, 2));
    let images = m
        .folders()
        .get(None, FolderQuery::default().flat().filter("image"))
        .await
        .unwrap();
    assert_eq!(images.files.len(), 2);
    let page = m
        .folders()
        .get(Some(&photos.id), FolderQuery::default().limit(1).offset(1))
        .await
        .unwrap();
    assert_eq!(page.files.len(), 1);
    assert_eq!(page.files[0].name, "a.jpg");

    // Rename a folder: ids below it change; the old ids are gone.
    let renamed = m.folders().rename(&photos.id, "Pictures").await.unwrap();
    assert_ne!(renamed.id, photos.id);
    assert!(matches!(
        m.files().get(&up.file_id).await,
        Err(Error::Client { status: 404, .. })
    ));
    let inside = m
        .folders()
        .get(Some(&renamed.id), FolderQuery::default())
        .await
        .unwrap();
    assert_eq!(inside.files.len(), 2);
    let a = inside
        .files
        .iter()
        .find(|f| f.name == "a.jpg")
        .unwrap()
        .clone();

    // Move the file to the root, copy it back (a taken name gets a suffix), rename, download.
    let moved = m.files().r#move(&a.id, &root.id).await.unwrap();
    assert_eq!(moved.parent_id.as_deref(), Some(root.id.as_str()));
    let copy = m.files().copy(&moved.id, &renamed.id).await.unwrap();
    assert_eq!(copy.name, "a.jpg");
    let copy2 = m.files().copy(&moved.id, &renamed.id).await.unwrap();
    assert_eq!(copy2.name, "a(2).jpg");
    let f = m.files().get(&copy2.id).await.unwrap();
    let mut out = Vec::new();
    m.files()
        .download_to(f.download_url.as_deref().unwrap(), &mut out)
        .await
        .unwrap();
    assert_eq!(out, vec![7u8; 1000]);
    let e = m.files().rename(&copy.id, "a(2).jpg").await.unwrap_err();
    assert!(matches!(e, Error::Client { status: 409, .. }));

    // Copy a whole folder, move it, delete it with everything below.
    let c = m.folders().copy(&renamed.id, &root.id).await.unwrap();
    assert_eq!(c.name, "Pictures");
    let cl = m
        .folders()
        .get(Some(&c.id), FolderQuery::default())
        .await
        .unwrap();
    assert_eq!(cl.files.len(), 3);
    let e = m.folders().r#move(&docs.id, &renamed.id).await.unwrap_err();
    assert!(
        matches!(e, Error::Client { status: 400, .. }),
        "a folder cannot go inside itself: {e:?}"
    );
    let free1 = m.freespace().get().await.unwrap().freespace;
    m.folders().delete(&c.id).await.unwrap();
    assert_eq!(m.freespace().get().await.unwrap().freespace, free1 + 3000);
    assert!(matches!(
        m.folders().get(Some(&c.id), FolderQuery::default()).await,
        Err(Error::Client { status: 404, .. })
    ));
    m.files().delete(&txt.file_id).await.unwrap();
    assert!(matches!(
        m.files().delete(&txt.file_id).await,
        Err(Error::Client { status: 404, .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expired_token_is_refreshed_once_under_50_concurrent_calls() {
    let emu = Emulator::start().await.unwrap();
    let refreshed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let r2 = refreshed.clone();
    let m = ApiManager::new(
        emu.client_id(),
        emu.client_secret(),
        emu.redirect_uri(),
        ApiManagerOptions::default()
            .base_url(&emu.base_url())
            .on_refreshed(move |t| r2.lock().unwrap().push(t.refresh_token.clone())),
    )
    .unwrap();
    m.init_with_token(emu.issue_token().refresh_token.expose())
        .await
        .unwrap();
    let before = emu.oauth().refresh_count();
    emu.expire_tokens();
    let calls: Vec<_> = (0..50)
        .map(|i| {
            let m = m.clone();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    m.freespace().get().await.map(drop)
                } else {
                    m.folders()
                        .get(None, FolderQuery::default())
                        .await
                        .map(drop)
                }
            })
        })
        .collect();
    for c in calls {
        c.await.unwrap().unwrap();
    }
    assert_eq!(emu.oauth().refresh_count() - before, 1, "one refresh grant");
    assert_eq!(m.refresh_count(), 1);
    assert_eq!(
        refreshed.lock().unwrap().len(),
        1,
        "the hook saw the new token once"
    );
}

#[tokio::test]
async fn upload_recovers_from_a_refused_token_and_a_reset() {
    let emu = Emulator::start().await.unwrap();
    let m = signed_in(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.bin");
    let data: Vec<u8> = (0..3u32 << 20).map(|i| (i % 253) as u8).collect();
    std::fs::write(&p, &data).unwrap();

    // The token expires: the upload host answers INVALID_TOKEN; one refresh, one resend.
    emu.expire_tokens();
    let before = emu.oauth().refresh_count();
    let up = m.files().upload(&p, None).await.unwrap();
    assert_eq!(emu.oauth().refresh_count() - before, 1);
    assert_eq!(emu.log().count("POST", "/cloud/v1/files/content"), 2);

    // The connection drops mid-upload: refresh, resend the whole file.
    emu.faults()
        .drop_request_after(1, Route::any().exact("/cloud/v1/files/content"), 1 << 20);
    let up2 = m.files().upload(&p, None).await.unwrap();
    assert_eq!(up2.file_name, "big(1).bin");
    assert_eq!(emu.oauth().refresh_count() - before, 2);

    // Both stored whole.
    for id in [&up.file_id, &up2.file_id] {
        let f = m.files().get(id).await.unwrap();
        let mut out = Vec::new();
        m.files()
            .download_to(f.download_url.as_deref().unwrap(), &mut out)
            .await
            .unwrap();
        assert!(out == data);
    }

    // A one-shot reader cannot be sent twice: the refused token is the error.
    emu.expire_tokens();
    let e = m
        .files()
        .upload_with(
            UploadSource::reader(&b"abc"[..]),
            None,
            UploadOptions::default().name("r.txt").size(3),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
}

#[tokio::test]
async fn downloads_fail_cleanly_and_errors_are_the_originals() {
    let emu = Emulator::start().await.unwrap();
    let m = signed_in(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("d.bin");
    std::fs::write(&p, vec![1u8; 200_000]).unwrap();
    let up = m.files().upload(&p, None).await.unwrap();
    let url = m
        .files()
        .get(&up.file_id)
        .await
        .unwrap()
        .download_url
        .unwrap();

    // The connection drops mid-body: an error, and no file under the final name.
    emu.faults()
        .drop_response_after(1, Route::any().path("/cloud/v1/files/"), 50_000);
    let target = dir.path().join("out.bin");
    assert!(m.files().download(&url, &target).await.is_err());
    assert!(!target.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no partial file left"
    );
    // Then it works.
    assert_eq!(m.files().download(&url, &target).await.unwrap(), 200_000);

    // A 503 is a ClientError (the original has no retries) unless a retry strategy is set.
    emu.faults()
        .fail_next(1, Route::any().exact("/cloud/v1/freespace"), 503, None);
    let e = m.freespace().get().await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Client {
                status: 503,
                domain: "freespace",
                ..
            }
        ),
        "{e:?}"
    );
    let retrying = ApiManager::new(
        emu.client_id(),
        emu.client_secret(),
        emu.redirect_uri(),
        ApiManagerOptions::default()
            .base_url(&emu.base_url())
            .retry(std::sync::Arc::new(cloud_core::RetryPolicy::default())),
    )
    .unwrap();
    retrying
        .init_with_token(emu.issue_token().refresh_token.expose())
        .await
        .unwrap();
    emu.faults()
        .fail_next(2, Route::any().exact("/cloud/v1/freespace"), 503, None);
    retrying.freespace().get().await.unwrap();

    // A wrong client secret: OAuthError 401 from the token endpoint.
    let bad = ApiManager::new(
        emu.client_id(),
        "wrong",
        emu.redirect_uri(),
        ApiManagerOptions::default().base_url(&emu.base_url()),
    )
    .unwrap();
    let e = bad
        .init_with_token(emu.issue_token().refresh_token.expose())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::OAuth {
                status_code: 401,
                ..
            }
        ),
        "{e:?}"
    );
    // An unknown refresh token: 400.
    let e = m.init_with_token("nope").await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::OAuth {
                status_code: 400,
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn get_pages_walks_a_large_folder_with_limit_and_offset() {
    use futures::TryStreamExt;
    let emu = Emulator::start().await.unwrap();
    let m = signed_in(&emu).await;
    let id = emu.seed_files("seed", 2500);
    let pages: Vec<orange_cloud::Folder> = m
        .folders()
        .get_pages(Some(&id), FolderQuery::default(), 1000)
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.files.len()).collect();
    assert_eq!(sizes, [1000, 1000, 500]);
    let names: Vec<&str> = pages
        .iter()
        .flat_map(|p| p.files.iter().map(|f| f.name.as_str()))
        .collect();
    assert_eq!(names[0], "seed-0000000.txt");
    assert_eq!(names[2499], "seed-0002499.txt");
    assert!(names.windows(2).all(|w| w[0] < w[1]));
    // A filter applies before the cut: no seeded file is an image.
    let images: Vec<orange_cloud::Folder> = m
        .folders()
        .get_pages(Some(&id), FolderQuery::default().filter("image"), 1000)
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(images.len(), 1);
    assert!(images[0].files.is_empty());
    assert!(m
        .folders()
        .get_pages(None, FolderQuery::default(), 0)
        .is_err());
}

/// The manager's generic verbs: any URL with the bearer, one refresh and replay on Orange's
/// expiry answer, the raw answer whatever its status; nothing sent before a token.
#[tokio::test]
async fn the_generic_verbs_carry_the_token_and_refresh_once() {
    let emu = Emulator::start().await.unwrap();
    let idle = manager(&emu, "http://127.0.0.1:1/cb");
    let before = emu.log().entries().len();
    let err = idle
        .get(&format!("{}/cloud/v1/freespace", emu.base_url()))
        .await
        .unwrap_err();
    assert_eq!(err.status_code(), Some(401));
    assert_eq!(emu.log().entries().len(), before);

    let m = signed_in(&emu).await;
    let base = emu.base_url();
    let free = m.get(&format!("{base}/cloud/v1/freespace")).await.unwrap();
    assert_eq!(free.status(), 200);
    let made = m
        .post(
            &format!("{base}/cloud/v1/folders"),
            &serde_json::json!({"name": "generic"}),
        )
        .await
        .unwrap();
    assert!(made.status().is_success(), "{}", made.status());
    let folder: serde_json::Value = made.json().await.unwrap();
    let id = folder["id"].as_str().unwrap().to_owned();
    // Expired: one refresh, one replay, the answer of the replay.
    emu.expire_tokens();
    let refreshes = emu.oauth().refresh_count();
    let got = m
        .send(
            http::Method::GET,
            &format!("{base}/cloud/v1/folders/{id}"),
            |r| Ok(r.query(&[("showthumbnails", "True")])),
        )
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(emu.oauth().refresh_count() - refreshes, 1);
    // An error answer is returned, not raised.
    let missing = m
        .delete(&format!("{base}/cloud/v1/folders/nope"))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

/// An error answer changes nothing: each failing mutating call leaves the emulator's nodes
/// as they were.
#[tokio::test]
async fn an_error_answer_changes_nothing() {
    let emu = Emulator::start().await.unwrap();
    let m = signed_in(&emu).await;
    let folder = m.folders().create("keep", None).await.unwrap();
    let up = m
        .files()
        .upload_with(
            b"x".to_vec(),
            Some(&folder.id),
            orange_cloud::UploadOptions::default().name("x.txt"),
        )
        .await
        .unwrap();
    let before = emu.node_count();
    let errors = [
        m.folders().create("orphan", Some("nope")).await.map(drop),
        m.folders().r#move(&folder.id, "nope").await.map(drop),
        m.folders().copy(&folder.id, "nope").await.map(drop),
        m.folders().rename("nope", "x").await.map(drop),
        m.folders().delete("nope").await,
        m.files().r#move(&up.file_id, "nope").await.map(drop),
        m.files().copy(&up.file_id, "nope").await.map(drop),
        m.files().rename("nope", "y").await.map(drop),
        m.files().delete("nope").await,
    ];
    for (i, r) in errors.iter().enumerate() {
        assert!(r.is_err(), "call {i} succeeded");
    }
    assert_eq!(emu.node_count(), before);
    let kept = m
        .folders()
        .get(Some(&folder.id), orange_cloud::FolderQuery::default())
        .await
        .unwrap();
    assert_eq!(kept.files.len(), 1);
    assert_eq!(kept.name, "keep");
}

/// On request, the catcher listens on the redirect URI's own host (`start_on`): the flow
/// completes through it (tests bind 127.0.0.1 only, so the host here is 127.0.0.1; which
/// host is chosen is the unit test `catcher_hosts`).
#[tokio::test]
async fn the_catcher_can_listen_on_the_redirect_host() {
    let (emu, redirect) = emulator_with_redirect().await;
    let m = ApiManager::new(
        emu.client_id(),
        emu.client_secret(),
        &redirect,
        ApiManagerOptions::default()
            .base_url(&emu.base_url())
            .listen_on_redirect_host(true),
    )
    .unwrap();
    let url = m
        .init_authorize_code_process(&redirect, "s1")
        .await
        .unwrap();
    let page = cloud_core::reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), 200);
    let code = m
        .wait_and_terminate_authorize_code_process(Some(Duration::from_secs(10)))
        .await
        .unwrap();
    m.init_with_authorize_code(&redirect, &code).await.unwrap();
    assert!(m.freespace().get().await.unwrap().freespace > 0);
}

#[tokio::test]
async fn grants_orange_never_offered_are_refused_as_the_service_refuses_them() {
    let (emu, redirect) = emulator_with_redirect().await;
    let m = manager(&emu, &redirect);
    for err in [
        m.init_with_user_credentials("me", "pw").await.unwrap_err(),
        m.init_with_client_credentials().await.unwrap_err(),
    ] {
        match err {
            Error::OAuth {
                status_code,
                response_text,
                ..
            } => {
                assert_eq!(status_code, 400);
                assert!(
                    response_text.contains("unsupported_grant_type"),
                    "{response_text}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
    // Each grant was sent once, and nothing was signed in.
    assert_eq!(emu.log().count("POST", "/oauth/v2/token"), 2);
    assert!(m.freespace().get().await.is_err());
}

/// Names with URL-reserved characters, percent signs, spaces, non-ASCII letters and emoji go
/// through every name-carrying call: a folder and a file made with them, read back, renamed,
/// downloaded into a folder under the server's name.
#[tokio::test]
async fn awkward_names_go_through_every_name_carrying_call() {
    let emu = Emulator::start().await.unwrap();
    let m = signed_in(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    for (i, name) in cloud_core::emulator::AWKWARD_NAMES.iter().enumerate() {
        let folder = m
            .folders()
            .create(&format!("dir {name}"), None)
            .await
            .unwrap();
        assert_eq!(folder.name, format!("dir {name}"));
        let body = format!("body {i}").into_bytes();
        let up = m
            .files()
            .upload_with(
                body.clone(),
                Some(&folder.id),
                UploadOptions::default().name(*name),
            )
            .await
            .unwrap();
        assert_eq!(up.file_name, *name);
        let listed = m
            .folders()
            .get(Some(&folder.id), FolderQuery::default())
            .await
            .unwrap();
        assert_eq!(listed.files.len(), 1);
        assert_eq!(listed.files[0].name, *name);
        let info = m.files().get(&up.file_id).await.unwrap();
        let url = info.download_url.clone().unwrap();
        let saved = m
            .files()
            .download_into(&url, dir.path(), &info.name)
            .await
            .unwrap();
        assert_eq!(saved.file_name().and_then(|n| n.to_str()), Some(*name));
        assert_eq!(std::fs::read(&saved).unwrap(), body, "{name}");
        let renamed = m
            .files()
            .rename(&up.file_id, &format!("re {name}"))
            .await
            .unwrap();
        assert_eq!(renamed.name, format!("re {name}"));
        let renamed = m
            .folders()
            .rename(&folder.id, &format!("moved {name}"))
            .await
            .unwrap();
        assert_eq!(renamed.name, format!("moved {name}"));
    }
}

/// The installed program (`orange-cloud-emulator`): `--help`, the client it is given and a
/// seeded folder.
#[tokio::test]
async fn the_emulator_program_takes_its_flags() {
    let Some(bin) = option_env!("CARGO_BIN_EXE_orange-cloud-emulator") else {
        return;
    };
    let help = cloud_core::emulator::standalone::Program::help(bin.as_ref()).unwrap();
    for flag in [
        "--addr",
        "--seed-files N",
        "--client-id",
        "--redirect-uri",
        "refresh_token",
    ] {
        assert!(help.contains(flag), "{flag}: {help}");
    }
    let p = cloud_core::emulator::standalone::Program::start(
        std::path::Path::new(bin),
        &[
            "--client-id",
            "my-client",
            "--client-secret",
            "my-secret",
            "--seed-files",
            "3",
        ],
    )
    .unwrap();
    assert_eq!(p.field("client_id"), "my-client");
    let m = ApiManager::new(
        "my-client",
        "my-secret",
        &p.field("redirect_uri"),
        ApiManagerOptions::default().base_url(&p.field("base_url")),
    )
    .unwrap();
    m.init_with_token(&p.field("refresh_token")).await.unwrap();
    let seeded = m
        .folders()
        .get(Some(&p.field("seed_folder")), FolderQuery::default())
        .await
        .unwrap();
    assert_eq!(seeded.files.len(), 3);
}

/// A typed field renamed by mistake would leave its wire name in `extra` and the field empty.
fn typed_not_in_extra(
    extra: &std::collections::BTreeMap<String, serde_json::Value>,
    typed: &[&str],
) {
    for k in typed {
        assert!(!extra.contains_key(*k), "`{k}` landed in extra: {extra:?}");
    }
}

#[tokio::test]
async fn every_emulator_answer_decodes_into_its_model() {
    const FILE: &[&str] = &[
        "id",
        "name",
        "type",
        "size",
        "creationDate",
        "lastUpdateDate",
        "downloadUrl",
        "previewUrl",
        "thumbUrl",
        "metadata",
    ];
    const ITEM: &[&str] = &["id", "name", "parentId"];
    let emu = Emulator::start().await.unwrap();
    let m = signed_in(&emu).await;
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);
    let free = m.freespace().get().await.unwrap();
    assert!(free.freespace > 0 && free.extra.is_empty(), "{free:?}");
    let docs = m.folders().create("Typed", None).await.unwrap();
    typed_not_in_extra(
        &docs.extra,
        &["id", "name", "parentId", "files", "subfolders"],
    );
    let up = m
        .files()
        .upload_with(
            UploadSource::reader(&b"hello"[..]),
            Some(&docs.id),
            UploadOptions::default().name("a.jpg").size(5),
        )
        .await
        .unwrap();
    typed_not_in_extra(&up.extra, &["fileId", "fileName"]);
    let got = m.files().get(&up.file_id).await.unwrap();
    let listed = m
        .folders()
        .get(Some(&docs.id), FolderQuery::default().showthumbnails())
        .await
        .unwrap();
    assert_eq!(listed.files.len(), 1);
    for f in [&got, &listed.files[0]] {
        typed_not_in_extra(&f.extra, FILE);
        assert_eq!((f.name.as_str(), f.size), ("a.jpg", 5));
        assert_eq!(f.file_type.as_deref(), Some("PICTURE"));
        assert!(f.download_url.is_some() && f.preview_url.is_some() && f.thumb_url.is_some());
        assert!(f.metadata.is_some());
        let (made, changed) = (f.creation_date.unwrap(), f.last_update_date.unwrap());
        assert!(before <= made && made <= changed && changed <= chrono::Utc::now());
    }
    let root = m.folders().get(None, FolderQuery::default()).await.unwrap();
    let sub = root.subfolders.iter().find(|s| s.id == docs.id).unwrap();
    typed_not_in_extra(&sub.extra, ITEM);
    assert_eq!(sub.parent_id.as_deref(), Some(root.id.as_str()));
    let renamed = m.files().rename(&up.file_id, "b.jpg").await.unwrap();
    typed_not_in_extra(&renamed.extra, ITEM);
    assert_eq!(
        (renamed.name.as_str(), renamed.parent_id.as_deref()),
        ("b.jpg", Some(docs.id.as_str()))
    );
    // `raw()` writes the wire's names back, the times in UTC.
    let raw = got.raw();
    assert_eq!(raw["type"], "PICTURE");
    assert!(raw["creationDate"].as_str().unwrap().ends_with('Z'));
}
