//! The typed layer: models against the spec's examples and every emulator answer family, the
//! typed children stream on the wire (mockito: its exact requests) and on the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::TryStreamExt;
use mockito::{Matcher, Server};
use serde_json::{json, Value};
use smartfile::emulator::Emulator;
use smartfile::models::{AccessRule, Group, Link, ListPage, PathInfo, Quota, Task, User};
use smartfile::{BasicClient, BasicOptions, Error, Params};

fn basic(emu: &Emulator) -> BasicClient {
    BasicClient::new(
        Some(emu.key()),
        Some(emu.password()),
        BasicOptions::default().url(emu.base_url()),
    )
    .unwrap()
}

/// Fails when a wire name the model types came back in `extra` (a field renamed by mistake).
fn none_in_extra(extra: &serde_json::Map<String, Value>, typed: &[&str]) {
    for k in typed {
        assert!(
            !extra.contains_key(*k),
            "{k} not decoded into its field: {extra:?}"
        );
    }
}

/// The spec's examples: the README's root folder and a task.
#[test]
fn the_specs_examples_decode() {
    let root = json!({"acl": {"list": true, "read": true, "remove": true, "write": true},
        "attributes": {}, "extension": "", "id": 7, "isdir": true, "isfile": false, "items": 348,
        "mime": "application/x-directory", "name": "", "owner": null, "path": "/",
        "size": 220429838, "tags": [], "time": "2013-02-23T22:49:30",
        "url": "http://localhost:8000/api/2/path/info/"});
    let info: PathInfo = serde_json::from_value(root.clone()).unwrap();
    assert!(info.is_dir());
    assert_eq!(
        (info.items, info.size, info.id),
        (Some(348), Some(220_429_838), Some(7))
    );
    assert_eq!(info.acl.as_ref().and_then(|a| a.write), Some(true));
    assert_eq!(info.time.unwrap().to_rfc3339(), "2013-02-23T22:49:30+00:00");
    assert!(info.extra.is_empty(), "{:?}", info.extra);
    let task: Task =
        serde_json::from_value(json!({"uuid": "f1a3", "type": "Move", "status": "SUCCESS",
        "url": "/api/2/task/f1a3/", "result": {"status": "SUCCESS", "result": {}}}))
        .unwrap();
    assert!(task.is_done() && task.errors().is_none());
    assert_eq!(task.kind.as_deref(), Some("Move"));
    let partial: Task =
        serde_json::from_value(json!({"uuid": "u", "result": {"status": "PROGRESS",
        "result": {"errors": {"/foobar": "Directory is not empty"}}}}))
        .unwrap();
    assert!(!partial.is_done());
    assert_eq!(
        partial.errors().unwrap()["/foobar"],
        "Directory is not empty"
    );
    let e = serde_json::from_value::<Task>(json!({"type": "Move"})).unwrap_err();
    assert!(e.to_string().contains("missing field `uuid`"), "{e}");
}

/// The typed children on the wire: `children=on`, `limit`, `page` from 1 while
/// `page < pages`, the answers decoded from the bytes.
#[tokio::test]
async fn children_pages_on_the_wire() {
    let mut s = Server::new_async().await;
    let api = BasicClient::new(
        Some(&"k".repeat(30)),
        Some(&"p".repeat(30)),
        BasicOptions::default().url(format!("{}/", s.url())),
    )
    .unwrap();
    let child = |n: &str| json!({"name": n, "path": format!("/d/{n}"), "isfile": true, "size": 1});
    let mut mocks = Vec::new();
    for (page, names) in [(1, ["a", "b"]), (2, ["c", "d"])] {
        mocks.push(
            s.mock("GET", "/api/2/path/info/d/")
                .match_query(Matcher::AllOf(vec![
                    Matcher::UrlEncoded("children".into(), "on".into()),
                    Matcher::UrlEncoded("limit".into(), "2".into()),
                    Matcher::UrlEncoded("page".into(), page.to_string()),
                ]))
                .with_header("content-type", "application/json")
                .with_body(
                    json!({"name": "d", "path": "/d", "isdir": true, "page": page, "pages": 2,
                           "children": names.map(child)})
                    .to_string(),
                )
                .expect(1)
                .create_async()
                .await,
        );
    }
    let names: Vec<String> = api
        .children("/d", 2)
        .unwrap()
        .map_ok(|c| c.name.unwrap())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["a", "b", "c", "d"]);
    for m in mocks {
        m.assert_async().await;
    }
    assert!(matches!(api.children("/d", 0), Err(Error::InvalidInput(_))));
    // An answer of another shape is an error, not an empty listing.
    let _odd = s
        .mock("GET", "/api/2/path/info/odd/")
        .match_query(Matcher::Any)
        .with_header("content-type", "application/json")
        .with_body(r#"{"name": "odd", "children": "none"}"#)
        .create_async()
        .await;
    let r: Result<Vec<PathInfo>, Error> = api.children("/odd", 2).unwrap().try_collect().await;
    assert!(matches!(r, Err(Error::Request { .. })), "{r:?}");
}

/// Every emulator answer family decodes into its model, each typed field filled.
#[tokio::test]
async fn every_emulator_family_decodes_into_its_model() {
    let emu = Emulator::start().await.unwrap();
    let api = basic(&emu);
    let dir: PathInfo = api
        .post("/path/oper/mkdir/", (), Params::new().arg("path", "/docs"))
        .await
        .unwrap()
        .decode()
        .unwrap();
    assert!(dir.is_dir() && dir.time.is_some() && dir.url.is_some());
    api.upload_into(
        "/docs",
        smartfile::FilePart::bytes("notes.txt", &b"hello"[..]),
    )
    .await
    .unwrap();
    let file: PathInfo = api
        .get_as("/path/info", "/docs/notes.txt", Params::new())
        .await
        .unwrap();
    assert_eq!(
        (file.size, file.isfile, file.mime.as_deref()),
        (Some(5), Some(true), Some("text/plain"))
    );
    assert_eq!(file.extension.as_deref(), Some(".txt"));
    assert!(file.acl.is_some() && file.attributes.is_some() && file.tags.is_some());
    none_in_extra(
        &file.extra,
        &[
            "isdir",
            "isfile",
            "mime",
            "time",
            "acl",
            "extension",
            "items",
        ],
    );
    let kids: Vec<PathInfo> = api
        .children("/docs", 100)
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(kids.len(), 1);
    let mut kid = kids[0].clone();
    kid.url = file.url.clone();
    assert_eq!(kid, file, "a child is the file's info (its url aside)");
    let task: Task = api
        .r#move("/docs/notes.txt", "/")
        .await
        .unwrap()
        .decode()
        .unwrap();
    assert!(task.is_done() && task.url.is_some(), "{task:?}");
    let again: Task = api
        .get_as("/task", task.uuid.as_str(), Params::new())
        .await
        .unwrap();
    assert_eq!(again.uuid, task.uuid);
    let user: User = api
        .post(
            "/user",
            (),
            Params::new()
                .arg("username", "han")
                .arg("email", "han@example.invalid")
                .arg("password", "p".repeat(30)),
        )
        .await
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(
        (user.username.as_str(), user.email.as_deref()),
        ("han", Some("han@example.invalid"))
    );
    none_in_extra(&user.extra, &["email", "url", "password"]);
    let users: ListPage<User> = api.get_as("/user", (), Params::new()).await.unwrap();
    assert_eq!(
        users
            .results
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>(),
        ["emulator", "han"]
    );
    assert_eq!(
        (users.count, users.page, users.pages),
        (Some(2), Some(1), Some(1))
    );
    let group: Group = api
        .post(
            "/group",
            (),
            Params::new().arg("name", "crew").arg("users", vec!["han"]),
        )
        .await
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(group.users, Some(vec!["han".to_owned()]));
    let link: Link = api
        .post(
            "/link",
            (),
            Params::new()
                .arg("path", "/docs")
                .arg("read", true)
                .arg("password", "secret"),
        )
        .await
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!((link.read, link.protected), (Some(true), Some(true)));
    assert!(link.href.is_some() && !link.uid.is_empty());
    none_in_extra(&link.extra, &["read", "protected", "href", "password"]);
    api.put("/quota/user", "han", Params::new().arg("limit", 10))
        .await
        .unwrap();
    let quota: Quota = api
        .get_as("/quota/user", "han", Params::new())
        .await
        .unwrap();
    assert_eq!(
        (quota.limit, quota.used, quota.kind.as_deref()),
        (Some(10), Some(0), Some("user"))
    );
    let rule: AccessRule = api
        .post(
            "/access/group/crew",
            (),
            Params::new().arg("path", "/docs").arg("list", true),
        )
        .await
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(
        (rule.group.as_deref(), rule.list, rule.path.as_deref()),
        (Some("crew"), Some(true), Some("/docs"))
    );
    assert!(rule.id.is_some());
    let rules: ListPage<AccessRule> = api
        .get_as("/access/path", "/docs", Params::new())
        .await
        .unwrap();
    assert_eq!(rules.results, [rule]);
    // The generic call's answer is there as before; a shape that does not fit is an error.
    let e = api
        .get_as::<Task>("/ping", (), Params::new())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Request { .. }), "{e:?}");
}

/// A folder of many pages, typed: every entry once, in name order.
#[tokio::test]
async fn typed_children_over_many_pages() {
    let emu = Emulator::start().await.unwrap();
    let api = basic(&emu);
    api.put("/path/oper/mkdir", "/many", Params::new())
        .await
        .unwrap();
    for i in 0..25 {
        let part = smartfile::FilePart::bytes(format!("f{i:02}.txt"), &b"x"[..]);
        api.upload_into("/many", part).await.unwrap();
    }
    let names: Vec<String> = api
        .children("/many", 10)
        .unwrap()
        .map_ok(|c| c.name.unwrap())
        .try_collect()
        .await
        .unwrap();
    let want: Vec<String> = (0..25).map(|i| format!("f{i:02}.txt")).collect();
    assert_eq!(names, want);
}
