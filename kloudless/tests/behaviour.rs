//! Behaviour tests: workflows against the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cloud_core::emulator::Route;
use futures::TryStreamExt;
use kloudless::emulator::Emulator;
use kloudless::{Account, Client, Configuration, Error, Field, RequestOptions, Response};
use serde_json::json;

mod common;
use common::{account, upload};

#[tokio::test]
async fn storage_workflow_and_resource_urls() {
    let emu = Emulator::start().await.unwrap();
    let a = account(&emu);
    let b = emu.base_url();
    let me = a
        .get("", RequestOptions::default())
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    assert_eq!(
        me.url(),
        format!("{b}/v1/accounts/me/123"),
        "the original's id-append quirk"
    );
    let folder = a
        .post(
            "storage/folders",
            RequestOptions::default().json(json!({"name": "Docs", "parent_id": "root"})),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    let fid = folder.data["id"].as_str().unwrap().to_owned();
    assert_eq!(
        folder.url(),
        format!("{b}/v1/accounts/me/storage/folders/{fid}")
    );
    // conflict_if_exists: false gives the existing folder, true a 409.
    let again = a
        .post(
            "storage/folders",
            RequestOptions::default().json(json!({"name": "Docs", "parent_id": "root"})),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    assert_eq!(again.data["id"], fid.as_str());
    let err = a
        .post(
            "storage/folders",
            RequestOptions::default()
                .param("conflict_if_exists", "true")
                .json(json!({"name": "Docs", "parent_id": "root"})),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api(_)));
    assert_eq!(err.status_code(), Some(409));
    assert_eq!(
        err.api_error().unwrap().error_data["conflicting_resource_id"],
        fid.as_str()
    );
    // Upload, same name again (renamed), overwrite, download, rename, copy, delete.
    let f1 = upload(&a, &fid, "a.txt", b"one").await;
    assert_eq!(
        f1.url(),
        format!(
            "{b}/v1/accounts/me/storage/files/{}",
            f1.data["id"].as_str().unwrap()
        )
    );
    let f2 = upload(&a, &fid, "a.txt", b"two").await;
    assert_eq!(f2.data["name"], "a (1).txt");
    let f3 = a
        .post(
            "storage/files",
            RequestOptions::default()
                .param("overwrite", "true")
                .header(
                    "X-Kloudless-Metadata",
                    json!({"parent_id": fid, "name": "a.txt"}).to_string(),
                )
                .data(b"three".to_vec()),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    assert_eq!(f3.data["id"], f1.data["id"]);
    let body = f3
        .get("contents", RequestOptions::default())
        .await
        .unwrap()
        .into_raw()
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(body, b"three");
    let renamed = f3
        .patch("", RequestOptions::default().json(json!({"name": "b.txt"})))
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    assert_eq!(renamed.data["name"], "b.txt");
    let copy = renamed
        .post(
            "copy",
            RequestOptions::default().json(json!({"parent_id": "root"})),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    assert_eq!(copy.data["parent"]["id"], "root");
    let deleted = copy.delete("", RequestOptions::default()).await.unwrap();
    assert!(matches!(deleted, Response::Raw(ref r) if r.status == 204));
    assert!(matches!(
        copy.get("", RequestOptions::default()).await.unwrap_err(),
        Error::NotFound(_)
    ));
    // A non-empty folder is not deleted without recursive=true.
    assert_eq!(
        folder
            .delete("", RequestOptions::default())
            .await
            .unwrap_err()
            .status_code(),
        Some(400)
    );
    folder
        .delete("", RequestOptions::default().param("recursive", "true"))
        .await
        .unwrap();
    // Refresh re-sends the original GET.
    let mut r = a
        .get("storage/folders/root", RequestOptions::default())
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    r.refresh().await.unwrap();
    assert_eq!(r.data["id"], "root");
    // Raw data header and api_version override.
    let raw = a
        .get(
            "storage/folders/root",
            RequestOptions::default().get_raw_data(true).api_version(2),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    assert!(raw.data.contains_key("raw"));
    assert!(raw.url().contains("/v2/"));
}

#[tokio::test]
async fn events_to_the_latest_cursor_and_calendars() {
    let emu = Emulator::start().await.unwrap();
    let a = account(&emu);
    for i in 0..7 {
        upload(&a, "root", &format!("f{i}"), b"x").await;
    }
    let list = a
        .get(
            "events",
            RequestOptions::default()
                .param("cursor", 0)
                .param("page_size", 3),
        )
        .await
        .unwrap()
        .into_list()
        .unwrap();
    assert!(list.is_retrieving_events);
    let mut it = list.get_paging_iterator(None);
    let mut n = 0;
    while let Some(e) = it.try_next().await.unwrap() {
        assert_eq!(e.data["type"], "add");
        n += 1;
    }
    assert_eq!(n, 7);
    assert_eq!(it.latest_cursor(), Some(&json!(7)));
    // Cut by max_resources: no latest cursor, and no extra request.
    let before = emu.log().entries().len();
    let list = a
        .get(
            "events",
            RequestOptions::default()
                .param("cursor", 0)
                .param("page_size", 3),
        )
        .await
        .unwrap()
        .into_list()
        .unwrap();
    let mut it = list.get_paging_iterator(Some(4));
    let got: Vec<_> = (&mut it).try_collect().await.unwrap();
    assert_eq!(got.len(), 4);
    assert_eq!(it.latest_cursor(), None);
    assert_eq!(emu.log().entries().len(), before + 2);
    // Calendars: the primary alias keeps its URL; events with opaque page tokens.
    let cal = a
        .get("cal/calendars/primary", RequestOptions::default())
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    assert!(cal.url().ends_with("/cal/calendars/primary"));
    for i in 0..5 {
        cal.post("events", RequestOptions::default().json(json!({"start": "2019-01-01T12:30:00Z", "end": "2019-01-01T13:30:00Z", "name": format!("E{i}")})))
            .await
            .unwrap();
    }
    let evs = cal
        .get("events", RequestOptions::default().param("page_size", 2))
        .await
        .unwrap()
        .into_list()
        .unwrap();
    assert_eq!(evs.next_page(), Field::Value(json!("tok2")));
    let names: Vec<String> = evs
        .get_paging_iterator(None)
        .map_ok(|e| e.data["name"].as_str().unwrap().to_owned())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["E0", "E1", "E2", "E3", "E4"]);
    let queries: Vec<String> = emu
        .log()
        .entries()
        .iter()
        .filter(|r| r.path.ends_with("/events") && r.path.contains("/cal/"))
        .filter_map(|r| r.query.clone())
        .collect();
    assert!(
        queries.contains(&"page_size=2&page=tok2".to_owned()),
        "{queries:?}"
    );
    // Raw pass-through.
    let raw = a
        .raw("GET", "/drive/v2/about", RequestOptions::default())
        .await
        .unwrap()
        .into_raw()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&raw.bytes().await.unwrap()).unwrap();
    assert_eq!(
        (v["method"].as_str(), v["uri"].as_str()),
        (Some("GET"), Some("/drive/v2/about"))
    );
}

#[tokio::test]
async fn rate_limits_and_errors() {
    let emu = Emulator::start().await.unwrap();
    // The retry loop's decisions are recorded and its waits skipped: the Retry-After is
    // checked as the wait asked for, not timed.
    let policy = cloud_core::emulator::SkipWaits::new(cloud_core::RetryPolicy::default());
    let a = Account::with_options(
        Some(emu.token()),
        None,
        None,
        &Configuration::with_base_url(emu.base_url()),
        &cloud_core::HttpOptions::default().retry(policy.clone()),
    )
    .unwrap();
    // 429 with Retry-After: cloud-core's policy waits and retries.
    emu.faults().fail_next(
        1,
        Route::any().path("/v1/accounts/me/storage/folders/root"),
        429,
        Some("30"),
    );
    a.get("storage/folders/root", RequestOptions::default())
        .await
        .unwrap();
    assert_eq!(policy.waits().len(), 1);
    assert!(
        policy.waits()[0] >= Duration::from_secs(30),
        "{:?}",
        policy.waits()
    );
    // Retries spent: RateLimitException with retry_after as a float.
    emu.faults().fail_next(
        10,
        Route::any().path("/v1/accounts/me/storage/folders/root"),
        429,
        Some("70"),
    );
    match a
        .get("storage/folders/root", RequestOptions::default())
        .await
        .unwrap_err()
    {
        Error::RateLimit { retry_after, error } => {
            assert_eq!(retry_after, Some(70.0));
            assert_eq!(error.status, 429);
        }
        other => panic!("{other:?}"),
    }
    emu.faults().clear();
    // Bad credentials and a bad raw-headers value.
    let bad = Account::with_config(
        Some("nope"),
        None,
        None,
        &Configuration::with_base_url(emu.base_url()),
    )
    .unwrap();
    assert!(matches!(
        bad.get("", RequestOptions::default()).await.unwrap_err(),
        Error::Authorization(_)
    ));
    let mut h = serde_json::Map::new();
    h.insert("X-A".into(), json!("b"));
    a.get(
        "storage/folders/root",
        RequestOptions::default().raw_headers(h),
    )
    .await
    .unwrap();
    assert!(matches!(
        Client::with_config(None, None, &Configuration::default()),
        Err(Error::InvalidParameter(_))
    ));
}

#[tokio::test]
async fn oauth_flow_with_a_wrong_state_refused() {
    let emu = Emulator::start().await.unwrap();
    kloudless::set_configuration(Configuration::with_base_url(emu.base_url()));
    let redirect = "http://localhost:8020/callback";
    let (url, state) = kloudless::get_authorization_url(
        emu.app_id(),
        redirect,
        kloudless::AuthorizationOptions::default().scope("storage"),
    )
    .unwrap();
    assert_eq!(state.len(), 16);
    let client = cloud_core::reqwest::Client::builder()
        .redirect(cloud_core::reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let loc = client.get(&url).send().await.unwrap().headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    let params: serde_json::Map<String, serde_json::Value> = url::Url::parse(&loc)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), json!(v.into_owned())))
        .collect();
    let err =
        kloudless::get_token_from_code(emu.app_id(), emu.api_key(), "other", redirect, &params)
            .await
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("state values do not match: other != {state}")
    );
    let token =
        kloudless::get_token_from_code(emu.app_id(), emu.api_key(), &state, redirect, &params)
            .await
            .unwrap();
    let info = kloudless::verify_token(emu.app_id(), &token).await.unwrap();
    assert_eq!(info["account_id"], 123);
    let acc = kloudless::get_verified_account(emu.app_id(), &token)
        .await
        .unwrap();
    assert_eq!(acc.url(), format!("{}/v1/accounts/me", emu.base_url()));
    let err = kloudless::verify_token("someone-else", &token)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TokenVerificationFailed(_)));
}

#[tokio::test]
async fn seeded_folder_pages_in_order_with_folders_first() {
    let emu = Emulator::start().await.unwrap();
    let a = account(&emu);
    let folder = emu.seed_files(2345);
    a.post(
        "storage/folders",
        RequestOptions::default().json(json!({"name": "zz-sub", "parent_id": folder})),
    )
    .await
    .unwrap();
    let list = a
        .get(
            &format!("storage/folders/{folder}/contents"),
            RequestOptions::default().param("page_size", 1000),
        )
        .await
        .unwrap()
        .into_list()
        .unwrap();
    let names: Vec<String> = list
        .get_paging_iterator(None)
        .map_ok(|r| r.data["name"].as_str().unwrap().to_owned())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names.len(), 2346);
    // Folders come first, then files by name, across page boundaries.
    assert_eq!(names[0], "zz-sub");
    assert_eq!(names[1], "seed-0000000.txt");
    assert!(names[1..].windows(2).all(|w| w[0] < w[1]));
    // Three pages; the third's `next_page` is null, so no fourth request.
    assert_eq!(
        emu.log()
            .entries()
            .iter()
            .filter(|e| e.path.ends_with("/contents"))
            .count(),
        3
    );
}

/// An error answer changes nothing: for each mutating route answered with an error, the
/// emulator's nodes and its events feed stay as they were.
#[tokio::test]
async fn an_error_answer_changes_nothing() {
    let emu = Emulator::start().await.unwrap();
    let a = account(&emu);
    let folder = a
        .post(
            "storage/folders",
            RequestOptions::default().json(json!({"parent_id": "root", "name": "F"})),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    let fid = folder.data["id"].as_str().unwrap().to_owned();
    let file = upload(&a, &fid, "x.txt", b"x").await;
    let file_id = file.data["id"].as_str().unwrap().to_owned();
    let cursor = |a: Account| async move {
        a.get("events/latest", RequestOptions::default())
            .await
            .unwrap()
            .data()
            .map(|d| d["cursor"].clone())
    };
    let before = (emu.node_count(), cursor(a.clone()).await);
    let failing: Vec<(http::Method, String, RequestOptions)> = vec![
        // A folder's id on the files route, a file's id on the folders route.
        (
            http::Method::DELETE,
            format!("storage/files/{fid}"),
            RequestOptions::default(),
        ),
        (
            http::Method::DELETE,
            format!("storage/folders/{file_id}"),
            RequestOptions::default(),
        ),
        // A folder that is not empty, without `recursive`.
        (
            http::Method::DELETE,
            format!("storage/folders/{fid}"),
            RequestOptions::default(),
        ),
        // Ids that do not exist.
        (
            http::Method::PATCH,
            "storage/files/nope".into(),
            RequestOptions::default().json(json!({"name": "y"})),
        ),
        (
            http::Method::POST,
            "storage/files/nope/copy".into(),
            RequestOptions::default().json(json!({"parent_id": "root"})),
        ),
        (
            http::Method::POST,
            format!("storage/files/{file_id}/copy"),
            RequestOptions::default().json(json!({"parent_id": "nope"})),
        ),
    ];
    for (method, path, options) in failing {
        let r = a.request(method.clone(), &path, options).await;
        assert!(r.is_err(), "{method} {path} succeeded");
        assert_eq!(
            (emu.node_count(), cursor(a.clone()).await),
            before,
            "{method} {path} changed the state"
        );
    }
}

/// Non-ASCII names in `X-Kloudless-Metadata`: written with `json_dumps` (Python's
/// `json.dumps`, non-ASCII escaped) they go through; raw UTF-8 in the header is refused with a
/// message that says what to do.
#[tokio::test]
async fn non_ascii_names_go_through_the_metadata_header() {
    let emu = Emulator::start().await.unwrap();
    let a = account(&emu);
    for name in cloud_core::emulator::AWKWARD_NAMES {
        let meta = kloudless::json_dumps(&json!({"parent_id": "root", "name": name}));
        assert!(meta.is_ascii());
        let f = a
            .post(
                "storage/files",
                RequestOptions::default()
                    .header("X-Kloudless-Metadata", meta)
                    .data(b"x".to_vec()),
            )
            .await
            .unwrap()
            .into_resource()
            .unwrap();
        assert_eq!(f.data["name"], *name);
    }
    let err = a
        .post(
            "storage/files",
            RequestOptions::default()
                .header(
                    "X-Kloudless-Metadata",
                    json!({"parent_id": "root", "name": "été.txt"}).to_string(),
                )
                .data(b"x".to_vec()),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::BAD_REQUEST));
    assert!(err.to_string().contains("must be ASCII"), "{err}");
}

#[tokio::test]
async fn every_response_has_the_verbs_refresh_status_and_headers() {
    let emu = Emulator::start().await.unwrap();
    let a = account(&emu);
    // The SDK README's calendar flow: a verb on the list itself.
    let mut events = a
        .get("cal/calendars/primary/events", RequestOptions::default())
        .await
        .unwrap()
        .into_list()
        .unwrap();
    assert_eq!(events.meta.status(), Some(http::StatusCode::OK));
    assert!(events.meta.headers().get("content-type").is_some());
    let before = events.objects.len();
    let created = events
        .post(
            "",
            RequestOptions::default().json(json!({"start": "2019-01-01T12:30:00Z", "end": "2019-01-01T13:30:00Z", "name": "from the list"})),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    assert_eq!(created.meta.status(), Some(http::StatusCode::CREATED));
    assert_eq!(created.data["name"], "from the list");
    events.refresh().await.unwrap();
    assert_eq!(events.objects.len(), before + 1);
    // A resource built from a list's objects had no answer of its own.
    assert_eq!(events.objects[0].meta.status(), None);
    // A raw answer: its verbs and refresh.
    let file = upload(&a, "root", "r.txt", b"raw body").await;
    let mut raw = file
        .get("contents", RequestOptions::default())
        .await
        .unwrap()
        .into_raw()
        .unwrap();
    assert_eq!(raw.meta.status(), Some(http::StatusCode::OK));
    raw.refresh().await.unwrap();
    assert_eq!(raw.bytes().await.unwrap(), b"raw body");
    let id = file.data["id"].as_str().unwrap().to_owned();
    let fetched = emu
        .log()
        .entries()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with(&format!("/storage/files/{id}/contents")))
        .count();
    assert_eq!(fetched, 2);
}

/// The installed program (`kloudless-emulator`): `--help`, the application it is given and a
/// seeded folder.
#[tokio::test]
async fn the_emulator_program_takes_its_flags() {
    let Some(bin) = option_env!("CARGO_BIN_EXE_kloudless-emulator") else {
        return;
    };
    let help = cloud_core::emulator::standalone::Program::help(bin.as_ref()).unwrap();
    for flag in [
        "--addr",
        "--seed-files N",
        "--app-id",
        "--api-key",
        "--admin",
        "--service NAME",
        "seed_folder",
    ] {
        assert!(help.contains(flag), "{flag}: {help}");
    }
    let p = cloud_core::emulator::standalone::Program::start(
        std::path::Path::new(bin),
        &[
            "--app-id",
            "my-app",
            "--api-key",
            "my-key",
            "--seed-files",
            "3",
        ],
    )
    .unwrap();
    assert_eq!(
        (p.field("app_id"), p.field("api_key")),
        ("my-app".into(), "my-key".into())
    );
    let a = Account::with_config(
        Some(&p.field("token")),
        None,
        None,
        &Configuration::with_base_url(p.field("base_url")),
    )
    .unwrap();
    let list = a
        .get(
            &format!("storage/folders/{}/contents", p.field("seed_folder")),
            RequestOptions::default(),
        )
        .await
        .unwrap()
        .into_list()
        .unwrap();
    assert_eq!(list.objects.len(), 3);
}

/// The endpoint table of the docs (`emulator::endpoints`) against the emulator: every row's
/// request reaches its handler (with a folder, a file, a calendar event made first, so that
/// a 404 can only mean an unknown route), and every top-level route has a row.
#[tokio::test]
async fn the_endpoint_table_matches_the_routes() {
    let table = include_str!("../src/emulator/endpoints.md");
    let routes = include_str!("../src/emulator/routes.rs");
    let mut rows: Vec<(Vec<String>, String)> = Vec::new();
    for line in table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| method"))
    {
        let cells: Vec<&str> = line.split(" | ").collect();
        let methods = cells[0]
            .trim_start_matches("| ")
            .split(", ")
            .map(str::to_owned)
            .collect();
        rows.push((methods, cells[1].trim_matches('`').to_owned()));
    }
    assert!(rows.len() >= 54, "{} rows", rows.len());
    for r in routes
        .lines()
        .filter_map(|l| l.trim().strip_prefix(".route(\""))
    {
        let r = r.split('"').next().unwrap().trim_end_matches('/');
        let r = r
            .replace("{v}", "<v>")
            .replace("{acct}", "<acct>")
            .replace("{token}", "<token>")
            .replace("{link}", "<link>");
        let r = r.trim_end_matches("/{*rest}");
        let r = r
            .strip_prefix("/<v>/")
            .map(str::to_owned)
            .unwrap_or_else(|| r.to_owned());
        assert!(
            rows.iter().any(|(_, p)| p == &r
                || p == &format!("/<v>/{r}")
                || p.starts_with(&format!("{r}/"))),
            "route {r} has no row in endpoints.md"
        );
    }
    let emu = Emulator::start().await.unwrap();
    let a = account(&emu);
    let folder = a
        .post(
            "storage/folders",
            RequestOptions::default().json(json!({"name": "F", "parent_id": "root"})),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    let file = upload(&a, "root", "x.txt", b"x").await;
    let event = a
        .post(
            "cal/calendars/primary/events",
            RequestOptions::default().json(json!({"name": "E", "start": "2019-01-01T12:30:00Z", "end": "2019-01-01T13:30:00Z"})),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    // The records the new families' rows name, made first (so that a 404 is a missing
    // route, never a missing record).
    let file2 = upload(&a, "root", "y.txt", b"y").await;
    let folder2 = a
        .post(
            "storage/folders",
            RequestOptions::default().json(json!({"name": "G", "parent_id": "root"})),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    let made = |r: Response| serde_json::Value::Object(r.data().unwrap().clone());
    let link = made(
        a.post(
            "storage/links",
            RequestOptions::default().json(json!({"file_id": file2.data["id"]})),
        )
        .await
        .unwrap(),
    );
    let session = made(
        a.post(
            "storage/multipart",
            RequestOptions::default().json(json!({"name": "m.bin", "parent_id": "root"})),
        )
        .await
        .unwrap(),
    );
    let upload_url = made(
        a.post(
            "storage/files/upload_url",
            RequestOptions::default().json(json!({"name": "u.bin", "parent_id": "root"})),
        )
        .await
        .unwrap(),
    );
    let token = upload_url["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let app = Client::with_config(
        Some(emu.api_key()),
        None,
        &Configuration::with_base_url(emu.base_url()),
    )
    .unwrap();
    let imported = made(
        app.post(
            "accounts",
            RequestOptions::default()
                .json(json!({"account": "x@example.invalid", "service": "box", "token": "t"})),
        )
        .await
        .unwrap(),
    );
    let http = cloud_core::reqwest::Client::new();
    for (methods, path) in &rows {
        let id = if path.contains("folders/<id>") {
            folder.data["id"].as_str().unwrap().to_owned()
        } else {
            file.data["id"].as_str().unwrap().to_owned()
        };
        let concrete = path
            .replace("<v>", "v1")
            .replace("<acct>", "me")
            .replace("<id>", &id)
            .replace("<cal>", "primary")
            .replace("<event>", event.data["id"].as_str().unwrap())
            .replace("<file>", file2.data["id"].as_str().unwrap())
            .replace("<folder>", folder2.data["id"].as_str().unwrap())
            .replace("<link>", link["id"].as_str().unwrap())
            .replace("<upload>", &session["id"].to_string())
            .replace("<token>", &token)
            .replace("<imported>", &imported["id"].to_string())
            .replace("<admin>", "124")
            .replace("<user>", "u1")
            .replace("<group>", "g1");
        let url = match concrete.strip_prefix('/') {
            Some(p) => format!("{}/{p}", emu.base_url().trim_end_matches('/')),
            None => format!("{}/v1/{concrete}", emu.base_url().trim_end_matches('/')),
        };
        let auth = if path.contains("/accounts") && !path.contains("<acct>")
            || path.contains("<imported>")
            || path.contains("<admin>")
        {
            format!("APIKey {}", emu.api_key())
        } else if path.contains("meta/") {
            format!("Bearer {}", emu.meta_token())
        } else {
            format!("Bearer {}", emu.token())
        };
        for m in methods {
            let resp = http
                .request(m.parse().unwrap(), &url)
                .header("Authorization", &auth)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let body = resp.text().await.unwrap_or_default();
            assert!(
                status != 405
                    && !(status == 404
                        && (body.is_empty()
                            || body.contains("The requested resource was not found"))),
                "{m} {path} ({url}): {status} {body}"
            );
        }
    }
}

/// The families beyond file storage through this crate's generic calls: links, search,
/// recent, permissions, properties, multipart, calendars, availability, accounts and the
/// team, each created, listed, updated and deleted; a refused call changes nothing.
#[tokio::test]
async fn endpoint_families_through_the_generic_calls() {
    let emu = Emulator::start().await.unwrap();
    let a = account(&emu);
    let data = |r: Response| serde_json::Value::Object(r.data().unwrap().clone());
    let status = |e: Error| e.status_code().unwrap();
    let j = |v: serde_json::Value| RequestOptions::default().json(v);
    let file = upload(&a, "root", "Plan 2030.txt", b"the plan").await;
    let fid = file.data["id"].as_str().unwrap().to_owned();
    // Links: a bad expiration refused and the link unchanged; disabled; deleted.
    let link = a
        .post("storage/links", j(json!({"file_id": fid, "direct": true})))
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    assert_eq!(
        (link.data["active"].clone(), link.data["direct"].clone()),
        (json!(true), json!(true))
    );
    let e = link
        .patch("", j(json!({"expiration": "soon", "active": false})))
        .await
        .unwrap_err();
    assert_eq!(status(e), 400);
    let again = data(link.get("", RequestOptions::default()).await.unwrap());
    assert_eq!(again["active"], true, "a refused update changed the link");
    let off = data(link.patch("", j(json!({"active": false}))).await.unwrap());
    assert_eq!(off["active"], false);
    let listed = a
        .get(
            "storage/links",
            RequestOptions::default().param("active", "false"),
        )
        .await
        .unwrap()
        .into_list()
        .unwrap();
    assert_eq!(listed.objects.len(), 1);
    link.delete("", RequestOptions::default()).await.unwrap();
    assert_eq!(
        status(link.get("", RequestOptions::default()).await.unwrap_err()),
        404
    );
    // Search and recent.
    let hits = a
        .get(
            "storage/search",
            RequestOptions::default().param("q", "\"plan 2030\""),
        )
        .await
        .unwrap()
        .into_list()
        .unwrap();
    assert_eq!(hits.objects.len(), 1);
    for bad in ["", "  ", "\"open"] {
        let e = a
            .get("storage/search", RequestOptions::default().param("q", bad))
            .await
            .unwrap_err();
        assert_eq!(status(e), 400, "{bad:?}");
    }
    upload(&a, "root", "later.txt", b"later").await;
    let recent = a
        .get("storage/recent", RequestOptions::default())
        .await
        .unwrap()
        .into_list()
        .unwrap();
    assert_eq!(recent.objects[0].data["name"], "later.txt");
    assert_eq!(recent.data["total"], 2);
    // Permissions and properties: a bad entry refuses the whole call.
    let perms = format!("storage/files/{fid}/permissions");
    let e = a
        .patch(
            &perms,
            j(json!({"permissions": [
                {"email": "a@example.invalid", "role": "reader"},
                {"email": "not-an-address", "role": "reader"}]})),
        )
        .await
        .unwrap_err();
    assert_eq!(status(e), 400);
    let now = data(a.get(&perms, RequestOptions::default()).await.unwrap());
    assert_eq!(now["permissions"].as_array().unwrap().len(), 1);
    let props = format!("storage/files/{fid}/properties");
    let set = data(
        a.patch(&props, j(json!([{"key": "k", "value": "v"}])))
            .await
            .unwrap(),
    );
    assert_eq!(set["properties"][0]["value"], "v");
    // Multipart: parts joined in order, the size checked.
    let session = data(
        a.post(
            "storage/multipart",
            j(json!({"name": "joined.bin", "parent_id": "root", "size": 4})),
        )
        .await
        .unwrap(),
    );
    let sid = session["id"].as_u64().unwrap();
    for (n, part) in [(2, "cd"), (1, "ab")] {
        a.put(
            &format!("storage/multipart/{sid}"),
            RequestOptions::default()
                .param("part_number", n)
                .data(part.as_bytes().to_vec()),
        )
        .await
        .unwrap();
    }
    let joined = a
        .post(
            &format!("storage/multipart/{sid}/complete"),
            RequestOptions::default(),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    let raw = joined
        .get("contents", RequestOptions::default())
        .await
        .unwrap()
        .into_raw()
        .unwrap();
    assert_eq!(&raw.bytes().await.unwrap()[..], b"abcd");
    // Calendars and availability.
    let cal = a
        .post("cal/calendars", j(json!({"name": "Ops"})))
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    cal.post(
        "events",
        j(json!({"name": "Busy", "start": "2030-05-01T10:00:00Z", "end": "2030-05-01T11:30:00Z"})),
    )
    .await
    .unwrap();
    let free = data(
        a.post(
            "cal/availability",
            j(
                json!({"calendars": [cal.data["id"]], "meeting_duration": "PT1H",
                     "constraints": {"time_windows": [
                         {"start": "2030-05-01T09:30:00Z", "end": "2030-05-01T13:00:00Z"}]}}),
            ),
        )
        .await
        .unwrap(),
    );
    assert_eq!(
        free["time_windows"],
        json!([{"start": "2030-05-01T11:30:00Z", "end": "2030-05-01T13:00:00Z"}])
    );
    cal.delete("", RequestOptions::default()).await.unwrap();
    let cals = a
        .get("cal/calendars", RequestOptions::default())
        .await
        .unwrap()
        .into_list()
        .unwrap();
    assert_eq!(cals.objects.len(), 2);
    // Accounts with the API key, and the team of the admin account.
    let app = Client::with_config(
        Some(emu.api_key()),
        None,
        &Configuration::with_base_url(emu.base_url()),
    )
    .unwrap();
    let e = app
        .post(
            "accounts",
            j(json!({"account": "x@example.invalid", "service": "box"})),
        )
        .await
        .unwrap_err();
    assert_eq!(status(e), 400);
    let all = |app: Client| async move {
        app.get("accounts", RequestOptions::default())
            .await
            .unwrap()
            .into_list()
            .unwrap()
            .objects
            .len()
    };
    assert_eq!(
        all(app.clone()).await,
        2,
        "a refused import added an account"
    );
    let imported = data(
        app.post(
            "accounts",
            j(json!({"account": "x@example.invalid", "service": "box", "token": "t"})),
        )
        .await
        .unwrap(),
    );
    assert!(imported.get("token").is_none(), "{imported}");
    assert_eq!(all(app.clone()).await, 3);
    let id = imported["id"].as_i64().unwrap();
    app.delete(&format!("accounts/{id}"), RequestOptions::default())
        .await
        .unwrap();
    assert_eq!(all(app.clone()).await, 2);
    let team = app
        .get(
            "accounts/124/team/groups/g1/members",
            RequestOptions::default(),
        )
        .await
        .unwrap()
        .into_list()
        .unwrap();
    assert_eq!(team.objects.len(), 3);
    assert_eq!(
        status(
            a.get("team/users", RequestOptions::default())
                .await
                .unwrap_err()
        ),
        403
    );
}

/// The new records travel with the control API's state: a link, a calendar and an imported
/// account dumped, reset away, loaded back.
#[tokio::test]
async fn new_records_are_in_the_state_dump() {
    let emu = Emulator::start().await.unwrap();
    emu.enable_control();
    let a = account(&emu);
    let file = upload(&a, "root", "kept.txt", b"kept").await;
    let link = a
        .post(
            "storage/links",
            RequestOptions::default().json(json!({"file_id": file.data["id"]})),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    let app = Client::with_config(
        Some(emu.api_key()),
        None,
        &Configuration::with_base_url(emu.base_url()),
    )
    .unwrap();
    app.post(
        "accounts",
        RequestOptions::default()
            .json(json!({"account": "y@example.invalid", "service": "dropbox", "token": "t"})),
    )
    .await
    .unwrap();
    let http = cloud_core::reqwest::Client::new();
    let control = |p: &str| format!("{}/__emulator{p}", emu.base_url().trim_end_matches('/'));
    let dump = http
        .get(control("/state"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    http.post(control("/reset")).send().await.unwrap();
    assert!(link.get("", RequestOptions::default()).await.is_err());
    let loaded = http.put(control("/state")).body(dump).send().await.unwrap();
    assert!(loaded.status().is_success(), "{}", loaded.status());
    let back = link
        .get("", RequestOptions::default())
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    assert_eq!(back.data["file_id"], file.data["id"]);
    let accounts = app
        .get("accounts", RequestOptions::default())
        .await
        .unwrap()
        .into_list()
        .unwrap();
    assert_eq!(accounts.objects.len(), 3, "123, 124 and the imported one");
}

/// The events feed keeps the last events only (memory stays flat under a soak): a cursor from
/// before the oldest kept is a 400 naming the cause, never a feed with a hole in it; no
/// cursor reads from the oldest kept; positions stay absolute.
#[tokio::test]
async fn an_expired_events_cursor_is_refused_and_positions_stay() {
    let emu = Emulator::start().await.unwrap();
    emu.enable_control();
    let a = account(&emu);
    upload(&a, "root", "one.txt", b"1").await;
    let http = cloud_core::reqwest::Client::new();
    let control = |p: &str| format!("{}/__emulator{p}", emu.base_url().trim_end_matches('/'));
    let dump: serde_json::Value = http
        .get(control("/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut state = dump.clone();
    // As if 20,000 events had gone before the one kept.
    state["events"]["start"] = json!(20_000);
    assert_eq!(state["events"]["items"].as_array().map(Vec::len), Some(1));
    let loaded = http
        .put(control("/state"))
        .json(&state)
        .send()
        .await
        .unwrap();
    assert!(loaded.status().is_success(), "{}", loaded.status());
    let err = a
        .get("events", RequestOptions::default().param("cursor", 5))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err:?}");
    assert!(err.to_string().contains("cursor expired"), "{err}");
    let page = a
        .get("events", RequestOptions::default())
        .await
        .unwrap()
        .data()
        .cloned()
        .unwrap();
    assert_eq!(page["count"], 1);
    assert_eq!(page["cursor"], 20_001);
    let latest = a
        .get("events/latest", RequestOptions::default())
        .await
        .unwrap();
    assert_eq!(latest.data().unwrap()["cursor"], 20_001);
}
