//! The typed layer: models against the spec's examples and the emulator's answers, the typed
//! paging stream on the wire (mockito: the exact requests, the end of each kind of list) and
//! on the emulator, and the typed upload metadata.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::TryStreamExt;
use kloudless::emulator::Emulator;
use kloudless::models::{
    Account as AccountModel, Calendar, CalendarEvent, Event, File, Folder, Link, Page, Permission,
    Property, StorageObject, UploadMetadata,
};
use kloudless::{Account, Client, Configuration, Error, RequestOptions};
use mockito::{Matcher, Server};
use serde_json::{json, Value};

mod common;
use common::account;

/// A Bearer account on the mock server.
fn on(s: &Server) -> Account {
    Account::with_config(
        Some("TOK"),
        None,
        None,
        &Configuration::with_base_url(s.url()),
    )
    .unwrap()
}

/// The spec's fixtures (1.x answers: a size and an account id as strings) decode.
#[test]
fn the_specs_examples_decode() {
    let old = r#"{"account": "7", "name": "derp.burp", "created": "2013-11-27T01:23:10.659000Z",
        "modified": "2013-11-27T01:23:10.659000Z", "type": "file",
        "id": "fMEI3NFBzcEhad3BzTVZqQXdRMkpIVVdkNGJtOA==", "size": "1024000"}"#;
    let StorageObject::File(f) = serde_json::from_str(old).unwrap() else {
        panic!("a file")
    };
    assert_eq!(f.size, Some(1_024_000));
    assert_eq!(f.account.as_deref(), Some("7"));
    assert_eq!(
        f.created.unwrap().to_rfc3339(),
        "2013-11-27T01:23:10.659+00:00"
    );
    assert!(f.extra.is_empty(), "{:?}", f.extra);
    let acct = r#"{"id": 7, "account": "test@example.com", "active": true, "service": "gdrive",
        "created": "2014-04-01T20:48:23.472545Z", "modified": "2014-04-23T21:34:49.427199Z",
        "token": "upstream-secret"}"#;
    let a: AccountModel = serde_json::from_str(acct).unwrap();
    assert_eq!(
        (a.id, a.service.as_deref(), a.active),
        (7, Some("gdrive"), Some(true))
    );
    assert_eq!(a.token.as_ref().unwrap().expose(), "upstream-secret");
    assert!(
        !format!("{a:?}").contains("upstream-secret"),
        "Debug redacts the token"
    );
    let folder = r#"{"id": "root", "name": "/", "type": "folder", "parent": null,
        "can_create_folders": true, "can_upload_files": false, "ids": {"default": "root"}}"#;
    let StorageObject::Folder(d) = serde_json::from_str(folder).unwrap() else {
        panic!("a folder")
    };
    assert_eq!(
        (d.can_create_folders, d.can_upload_files, d.parent.clone()),
        (Some(true), Some(false), None)
    );
    assert_eq!(d.extra["ids"], json!({"default": "root"}));
    assert_eq!(
        Value::Object(d.raw()),
        serde_json::from_str::<Value>(folder)
            .unwrap()
            .as_object()
            .map(|m| {
                let mut m = m.clone();
                m.remove("parent");
                Value::Object(m)
            })
            .unwrap(),
        "raw() gives the map back, the null parent left out"
    );
    // A page of the events list (cursor paging).
    let page = r#"{"objects": [{"id": "e1", "type": "add", "account": 123,
        "metadata": {"id": "f1", "type": "file", "name": "a"}}],
        "count": 1, "cursor": 5, "remaining": 0, "type": "object_list", "api": "events"}"#;
    let p: Page<Event> = serde_json::from_str(page).unwrap();
    assert_eq!(
        (p.count, p.cursor.clone(), p.remaining),
        (Some(1), Some(json!(5)), Some(0))
    );
    assert_eq!(p.objects[0].account.as_deref(), Some("123"));
    assert_eq!(p.objects[0].metadata.as_ref().unwrap().name(), Some("a"));
    // A required field missing is a decode error naming it.
    let e = serde_json::from_str::<Link>(r#"{"url": "u"}"#).unwrap_err();
    assert!(e.to_string().contains("missing field `id`"), "{e}");
}

/// The typed paging stream on the wire: the first request as the generic call sends it,
/// then `page=<next_page>` with the other parameters and headers kept; `next_page: null`
/// ends it without a request.
#[tokio::test]
async fn typed_pages_follow_next_page() {
    let mut s = Server::new_async().await;
    let a = on(&s);
    let path = "/v1/accounts/me/storage/folders/root/contents";
    let obj = |id: &str| json!({"id": id, "name": id, "type": "file", "size": 1});
    let first = s
        .mock("GET", path)
        .match_query(Matcher::UrlEncoded("page_size".into(), "2".into()))
        .match_header("authorization", "Bearer TOK")
        .match_header("x-custom", "c")
        .with_header("content-type", "application/json")
        .with_body(json!({"objects": [obj("a"), obj("b")], "page": 1, "next_page": "p2", "type": "object_list"}).to_string())
        .expect(1)
        .create_async()
        .await;
    let second = s
        .mock("GET", path)
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("page_size".into(), "2".into()),
            Matcher::UrlEncoded("page".into(), "p2".into()),
        ]))
        .match_header("x-custom", "c")
        .with_header("content-type", "application/json")
        .with_body(
            json!({"objects": [obj("c")], "page": "p2", "next_page": null, "type": "object_list"})
                .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let pages = a.list::<File>(
        "storage/folders/root/contents",
        RequestOptions::default()
            .param("page_size", 2)
            .header("X-Custom", "c"),
    );
    let names: Vec<String> = pages.map_ok(|f| f.id).try_collect().await.unwrap();
    assert_eq!(names, ["a", "b", "c"]);
    first.assert_async().await;
    second.assert_async().await;
}

/// Without `next_page` the stream guesses `page + 1`, and a 404 there is the end (the
/// original's rule); a 404 on the first page is the error it is.
#[tokio::test]
async fn typed_pages_guess_the_next_page_and_stop_at_404() {
    let mut s = Server::new_async().await;
    let c = Client::with_config(Some("KEY"), None, &Configuration::with_base_url(s.url())).unwrap();
    let first = s
        .mock("GET", "/v1/accounts")
        .match_query(Matcher::Missing)
        .with_header("content-type", "application/json")
        .with_body(r#"{"objects": [{"id": 1}, {"id": 2}], "page": 1, "type": "object_list"}"#)
        .create_async()
        .await;
    let past = s
        .mock("GET", "/v1/accounts")
        .match_query(Matcher::UrlEncoded("page".into(), "2".into()))
        .with_status(404)
        .with_header("content-type", "application/json")
        .with_body(r#"{"error_code": "not_found", "message": "no such page"}"#)
        .create_async()
        .await;
    let ids: Vec<i64> = c
        .list::<AccountModel>("accounts", RequestOptions::default())
        .map_ok(|a| a.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, [1, 2]);
    first.assert_async().await;
    past.assert_async().await;
    let _gone = s
        .mock("GET", "/v1/accounts/9/storage/folders/x/contents")
        .with_status(404)
        .with_header("content-type", "application/json")
        .with_body(r#"{"error_code": "not_found", "message": "no folder"}"#)
        .create_async()
        .await;
    let k = Account::with_config(
        None,
        Some("KEY"),
        Some("9"),
        &Configuration::with_base_url(s.url()),
    )
    .unwrap();
    let r: Result<Vec<Folder>, Error> = k
        .list("storage/folders/x/contents", RequestOptions::default())
        .try_collect()
        .await;
    assert!(matches!(r, Err(Error::NotFound(_))), "{r:?}");
    // A page that is not JSON of the model is a decode error, not a silent end.
    let _bad = s
        .mock("GET", "/v1/accounts/9/storage/links")
        .with_header("content-type", "application/json")
        .with_body(r#"{"objects": [{"url": "no id"}], "type": "object_list"}"#)
        .create_async()
        .await;
    let r: Result<Vec<Link>, Error> = k
        .list("storage/links", RequestOptions::default())
        .try_collect()
        .await;
    assert!(
        matches!(r, Err(Error::Decode(ref m)) if m.contains("id")),
        "{r:?}"
    );
}

/// Events: the cursor of each page asks for the next; an empty page ends it, its cursor
/// kept as the latest.
#[tokio::test]
async fn typed_events_follow_the_cursor() {
    let mut s = Server::new_async().await;
    let a = on(&s);
    let page = |objects: Value, cursor: u64| {
        json!({"objects": objects, "cursor": cursor, "remaining": 0, "type": "object_list", "api": "events"}).to_string()
    };
    let m1 = s
        .mock("GET", "/v1/accounts/me/events")
        .match_query(Matcher::UrlEncoded("cursor".into(), "0".into()))
        .with_header("content-type", "application/json")
        .with_body(page(json!([{"id": "e1", "type": "add"}]), 1))
        .create_async()
        .await;
    let m2 = s
        .mock("GET", "/v1/accounts/me/events")
        .match_query(Matcher::UrlEncoded("cursor".into(), "1".into()))
        .with_header("content-type", "application/json")
        .with_body(page(json!([]), 1))
        .create_async()
        .await;
    let mut events = a.list::<Event>("events", RequestOptions::default().param("cursor", 0));
    let kinds: Vec<String> = (&mut events)
        .map_ok(|e| e.kind.unwrap())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(kinds, ["add"]);
    assert_eq!(events.latest_cursor(), Some(&json!(1)));
    m1.assert_async().await;
    m2.assert_async().await;
}

/// The documented upload works for any name: the metadata header from a typed value.
#[tokio::test]
async fn upload_metadata_escapes_every_name() {
    let mut s = Server::new_async().await;
    let a = on(&s);
    let m = s
        .mock("POST", "/v1/accounts/me/storage/files")
        .match_header(
            "x-kloudless-metadata",
            r#"{"parent_id": "root", "name": "R\u00e9sum\u00e9 \ud83c\udf89.txt"}"#,
        )
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(r#"{"id": "f1", "name": "Résumé 🎉.txt", "type": "file", "api": "storage"}"#)
        .create_async()
        .await;
    let r = a
        .post(
            "storage/files",
            RequestOptions::default()
                .metadata(&UploadMetadata::new("root", "Résumé 🎉.txt"))
                .data(&b"cv"[..]),
        )
        .await
        .unwrap();
    let f: File = r.decode().unwrap();
    assert_eq!(f.name.as_deref(), Some("Résumé 🎉.txt"));
    m.assert_async().await;
    // The header a plain `json!(..).to_string()` makes is refused before any request.
    let e = a
        .post(
            "storage/files",
            RequestOptions::default()
                .header(
                    "X-Kloudless-Metadata",
                    json!({"parent_id": "root", "name": "Résumé.txt"}).to_string(),
                )
                .data(&b"cv"[..]),
        )
        .await;
    assert!(e.is_err(), "a non-ASCII header value");
}

/// Asserts that none of `typed` (the wire names a model types) came back in `extra`: a
/// field renamed by mistake in a model lands there, and fails this.
fn typed_fields_not_in_extra(extra: &serde_json::Map<String, Value>, typed: &[&str]) {
    for k in typed {
        assert!(
            !extra.contains_key(*k),
            "{k} was not decoded into its field: {extra:?}"
        );
    }
}

/// Every emulator answer family decodes into its model, each typed field filled.
#[tokio::test]
async fn every_emulator_family_decodes_into_its_model() {
    let emu = Emulator::start().await.unwrap();
    let a = account(&emu);
    let j = |v: Value| RequestOptions::default().json(v);
    let folder: Folder = a
        .post(
            "storage/folders",
            j(json!({"name": "Docs", "parent_id": "root"})),
        )
        .await
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(folder.kind.as_deref(), Some("folder"));
    assert_eq!(
        folder.parent.as_ref().and_then(|p| p.id.as_deref()),
        Some("root")
    );
    assert!(folder.can_upload_files.is_some() && folder.created.is_some() && folder.path.is_some());
    typed_fields_not_in_extra(
        &folder.extra,
        &[
            "can_create_folders",
            "can_upload_files",
            "path",
            "ancestors",
        ],
    );
    let meta = UploadMetadata::new(folder.id.clone(), "Résumé.txt");
    let file: File = a
        .post(
            "storage/files",
            RequestOptions::default()
                .metadata(&meta)
                .data(&b"hello"[..]),
        )
        .await
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(
        (file.name.as_deref(), file.size),
        (Some("Résumé.txt"), Some(5))
    );
    assert_eq!(file.mime_type.as_deref(), Some("text/plain"));
    assert_eq!(file.account.as_deref(), Some("123"));
    assert_eq!(file.ancestors.as_ref().map(Vec::len), Some(2));
    assert!(file.downloadable.unwrap() && file.modified.is_some() && file.raw_id.is_some());
    typed_fields_not_in_extra(
        &file.extra,
        &["mime_type", "downloadable", "size", "raw_id"],
    );
    // The listing, typed, in one pass over the bytes.
    let entries: Vec<StorageObject> = a
        .list(
            &format!("storage/folders/{}/contents", folder.id),
            RequestOptions::default(),
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert!(matches!(&entries[0], StorageObject::File(f) if f.id == file.id));
    let link: Link = a
        .post(
            "storage/links",
            j(json!({"file_id": file.id, "password": "pw"})),
        )
        .await
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(
        (link.active, link.password, link.direct),
        (Some(true), Some(true), Some(false))
    );
    assert_eq!(link.file_id.as_deref(), Some(file.id.as_str()));
    assert!(link.url.is_some() && link.created.is_some());
    let links: Vec<Link> = a
        .list("storage/links", RequestOptions::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(links, std::slice::from_ref(&link));
    let perms = a
        .patch(
            &format!("storage/files/{}/permissions", file.id),
            j(json!({"b@example.invalid": "reader"})),
        )
        .await
        .unwrap();
    let perms: Vec<Permission> =
        serde_json::from_value(perms.data().unwrap()["permissions"].clone()).unwrap();
    assert!(perms
        .iter()
        .any(|p| p.role.as_deref() == Some("reader") && p.kind.as_deref() == Some("user")));
    let props = a
        .patch(
            &format!("storage/files/{}/properties", file.id),
            j(json!([{"key": "k", "value": "v"}])),
        )
        .await
        .unwrap();
    let props: Vec<Property> =
        serde_json::from_value(props.data().unwrap()["properties"].clone()).unwrap();
    assert_eq!(
        (props[0].key.as_str(), props[0].value.as_deref()),
        ("k", Some("v"))
    );
    assert!(props[0].created.is_some());
    let events: Vec<Event> = a
        .list("events", RequestOptions::default().param("cursor", 0))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(events[0].kind.as_deref(), Some("add"));
    assert_eq!(
        events[0].metadata.as_ref().map(StorageObject::id),
        Some(folder.id.as_str())
    );
    let me: AccountModel = a
        .get("", RequestOptions::default())
        .await
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!((me.id, me.service.as_deref()), (123, Some("gdrive")));
    assert!(me.apis.is_some() && me.created.is_some() && me.effective_scope.is_some());
    let app = Client::with_config(
        Some(emu.api_key()),
        None,
        &Configuration::with_base_url(emu.base_url()),
    )
    .unwrap();
    let full: AccountModel = app
        .get(
            "accounts/123",
            RequestOptions::default().param("retrieve_full", true),
        )
        .await
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(full.capability("can_upload_file"), Some(true));
    assert_eq!(full.capability("can_list_users"), Some(false));
    let accounts: Vec<AccountModel> = app
        .list("accounts", RequestOptions::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        accounts.iter().map(|a| a.id).collect::<Vec<_>>(),
        [123, 124]
    );
    let cals: Vec<Calendar> = a
        .list("cal/calendars", RequestOptions::default())
        .try_collect()
        .await
        .unwrap();
    assert!(cals
        .iter()
        .any(|c| c.primary == Some(true) && c.account_id.as_deref() == Some("123")));
    let ev: CalendarEvent = a
        .post(
            "cal/calendars/primary/events",
            j(json!({"name": "Standup", "start": "2030-01-01T09:00:00Z", "end": "2030-01-01T09:15:00Z"})),
        )
        .await
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(ev.start.unwrap().to_rfc3339(), "2030-01-01T09:00:00+00:00");
    assert_eq!(ev.organizer, ev.creator);
    assert_eq!(
        (ev.attendees.clone(), ev.attachments.clone()),
        (Some(vec![]), Some(vec![]))
    );
    typed_fields_not_in_extra(
        &ev.extra,
        &["calendar_id", "account_id", "organizer", "attendees"],
    );
    // Calendar events page by opaque string tokens.
    let evs: Vec<CalendarEvent> = a
        .list(
            "cal/calendars/primary/events",
            RequestOptions::default().param("page_size", 1),
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(evs, [ev]);
}

/// Many pages through the typed stream on the emulator: every entry once, in order, the
/// pages fetched one ahead.
#[tokio::test]
async fn typed_pages_over_many_pages() {
    let emu = Emulator::start().await.unwrap();
    let folder = emu.seed_files(250);
    let a = account(&emu);
    let mut pages = a.list::<StorageObject>(
        &format!("storage/folders/{folder}/contents"),
        RequestOptions::default().param("page_size", 100),
    );
    let mut names = Vec::new();
    while let Some(o) = pages.try_next().await.unwrap() {
        names.push(o.name().unwrap().to_owned());
    }
    assert_eq!(names.len(), 250);
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 250, "each entry once");
    assert_eq!(pages.pages(), 3);
}
