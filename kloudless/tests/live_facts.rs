//! The wire facts the service's own live tests (kloudless-python 1.x, run against the live
//! API) pin, each checked twice against the emulator: on the wire (raw HTTP, the exact JSON
//! the service answered) and through this crate's generic calls. Every test here failed
//! before the emulator answered as the live service did.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cloud_core::reqwest;
use kloudless::emulator::{Emulator, EmulatorConfig};
use kloudless::{Account, Client, Configuration, RequestOptions};
use serde_json::{json, Value};

mod common;
use common::{account, upload};

fn app(emu: &Emulator) -> Client {
    Client::with_config(
        Some(emu.api_key()),
        None,
        &Configuration::with_base_url(emu.base_url()),
    )
    .unwrap()
}

/// One raw call: its status and JSON body (null when the body is not JSON).
async fn call(
    emu: &Emulator,
    method: &str,
    path: &str,
    auth: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{}/v1/{path}", emu.base_url().trim_end_matches('/'));
    let mut req = reqwest::Client::new()
        .request(method.parse().unwrap(), url)
        .header("Authorization", auth);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A raw GET.
async fn get(emu: &Emulator, path: &str, auth: &str) -> (u16, Value) {
    call(emu, "GET", path, auth, None).await
}

fn bearer(emu: &Emulator) -> String {
    format!("Bearer {}", emu.token())
}

fn api_key(emu: &Emulator) -> String {
    format!("APIKey {}", emu.api_key())
}

/// A file uploaded to the root; its id.
async fn upload_id(a: &Account, name: &str, data: &[u8]) -> String {
    let r = upload(a, "root", name, data).await;
    r.data["id"].as_str().unwrap().to_owned()
}

fn data(r: kloudless::Response) -> Value {
    Value::Object(r.data().unwrap().clone())
}

const CAPABILITIES: &[&str] = &[
    "can_upload_file",
    "can_create_folder",
    "can_rename_folder",
    "can_move_folder",
    "can_copy_folder",
    "can_delete_folder",
    "can_rename_file",
    "can_move_file",
    "can_copy_file",
    "can_delete_file",
    "can_delete_file_permanently",
    "can_update_file_content",
    "can_search_file_name",
    "can_list_users",
    "can_retrieve_user",
    "can_list_groups",
    "can_retrieve_group",
    "can_list_group_members",
    "can_list_properties",
    "properties_supported_for_files",
    "can_delete_all_properties",
    "permissions_supported_for_files",
    "multipart_uploads_supported_for_files",
];

const TEAM: &[&str] = &[
    "can_list_users",
    "can_retrieve_user",
    "can_list_groups",
    "can_retrieve_group",
    "can_list_group_members",
];

/// 1. `retrieve_full`: every capability the service reported, each `{"value": bool}`.
#[tokio::test]
async fn capabilities_are_objects_with_a_value() {
    let emu = Emulator::start().await.unwrap();
    let (status, acct) = get(&emu, "accounts/123?retrieve_full=True", &api_key(&emu)).await;
    assert_eq!(status, 200);
    let caps = acct["properties"]["capabilities"].as_object().unwrap();
    let mut names: Vec<&str> = caps.keys().map(String::as_str).collect();
    names.sort_unstable();
    let mut want = CAPABILITIES.to_vec();
    want.sort_unstable();
    assert_eq!(names, want);
    for (name, cap) in caps {
        let on = !TEAM.contains(&name.as_str());
        assert_eq!(cap, &json!({"value": on}), "{name}");
    }
    // Through the generic call, as the live tests' `utils.capabilities` reads them.
    let full = data(
        app(&emu)
            .get(
                "accounts/123",
                RequestOptions::default().param("retrieve_full", true),
            )
            .await
            .unwrap(),
    );
    assert_eq!(
        full["properties"]["capabilities"]["can_upload_file"]["value"],
        true
    );
    // An imported account has no storage here: its capabilities are there, all false.
    let imported = data(
        app(&emu)
            .post(
                "accounts",
                RequestOptions::default()
                    .json(json!({"account": "x@example.invalid", "service": "box", "token": "t"})),
            )
            .await
            .unwrap(),
    );
    let (_, other) = call(
        &emu,
        "GET",
        &format!("accounts/{}?retrieve_full=true", imported["id"]),
        &api_key(&emu),
        None,
    )
    .await;
    let caps = other["properties"]["capabilities"].as_object().unwrap();
    assert_eq!(caps.len(), CAPABILITIES.len());
    assert!(caps.values().all(|c| c == &json!({"value": false})));
}

fn roles(v: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["email"].as_str().unwrap_or_default().to_owned(),
                p["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// 2. Permissions as the 1.x SDK sent them: a map of e-mail to role; PUT replaces, PATCH
/// merges, a PUT without a body leaves the owner only.
#[tokio::test]
async fn permissions_take_an_email_to_role_map() {
    let emu = Emulator::start().await.unwrap();
    let a = account(&emu);
    let id = upload_id(&a, "shared.txt", b"s").await;
    let path = format!("accounts/me/storage/files/{id}/permissions");
    let (status, owner_only) = get(&emu, &path, &bearer(&emu)).await;
    assert_eq!(status, 200);
    let owner = roles(&owner_only);
    assert_eq!(owner.len(), 1);
    assert_eq!(owner[0].1, "owner");
    let (status, put) = call(
        &emu,
        "PUT",
        &path,
        &bearer(&emu),
        Some(json!({"a@example.invalid": "writer", "b@example.invalid": "reader"})),
    )
    .await;
    assert_eq!(status, 200, "{put}");
    let mut want = owner.clone();
    want.push(("a@example.invalid".into(), "writer".into()));
    want.push(("b@example.invalid".into(), "reader".into()));
    want.sort();
    assert_eq!(roles(&put), want);
    for p in put["permissions"].as_array().unwrap() {
        assert!(p.get("email").is_some() && p.get("role").is_some(), "{p}");
    }
    // PATCH merges: a new entry added, an existing one's role changed, the rest kept.
    let file = a
        .get(&format!("storage/files/{id}"), RequestOptions::default())
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    let patched = data(
        file.patch(
            "permissions",
            RequestOptions::default()
                .json(json!({"c@example.invalid": "commenter", "a@example.invalid": "reader"})),
        )
        .await
        .unwrap(),
    );
    let mut want = owner.clone();
    want.push(("a@example.invalid".into(), "reader".into()));
    want.push(("b@example.invalid".into(), "reader".into()));
    want.push(("c@example.invalid".into(), "commenter".into()));
    want.sort();
    assert_eq!(roles(&patched), want);
    // PUT replaces every entry but the owner's.
    let replaced = data(
        file.put(
            "permissions",
            RequestOptions::default().json(json!({"d@example.invalid": "reader"})),
        )
        .await
        .unwrap(),
    );
    let mut want = owner.clone();
    want.push(("d@example.invalid".into(), "reader".into()));
    want.sort();
    assert_eq!(roles(&replaced), want);
    // A PUT with no body clears the others.
    let cleared = data(
        file.put("permissions", RequestOptions::default())
            .await
            .unwrap(),
    );
    assert_eq!(roles(&cleared), owner);
    // A bad role in the map is refused, nothing changed.
    let (status, _) = call(
        &emu,
        "PATCH",
        &path,
        &bearer(&emu),
        Some(json!({"e@example.invalid": "emperor"})),
    )
    .await;
    assert_eq!(status, 400);
    let (_, after) = get(&emu, &path, &bearer(&emu)).await;
    assert_eq!(roles(&after), owner);
    // The list form still works (the v2 docs' shape).
    let (status, listed) = call(
        &emu,
        "PATCH",
        &path,
        &bearer(&emu),
        Some(json!({"permissions": [{"email": "f@example.invalid", "role": "writer", "type": "user"}]})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(roles(&listed).len(), 2);
}

/// A link's page, fetched as anyone holding the link: status, body, content type.
async fn open(url: &str, range: Option<&str>) -> (u16, String, String) {
    let mut req = reqwest::Client::new().get(url);
    if let Some(r) = range {
        req = req.header("Range", r);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, resp.text().await.unwrap(), ct)
}

/// 3. A link's `url` serves the file (a direct link too), honouring `active`, `expiration`
/// (without an offset: UTC) and `password`.
#[tokio::test]
async fn a_link_url_serves_the_file_as_its_settings_say() {
    let emu = Emulator::start().await.unwrap();
    let a = account(&emu);
    let id = upload_id(&a, "test.txt", b"test").await;
    let link = a
        .post(
            "storage/links",
            RequestOptions::default().json(json!({"file_id": id})),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    let url = link.data["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&emu.base_url()), "{url}");
    assert_eq!(open(&url, None).await.0, 200);
    assert_eq!(open(&url, None).await.1, "test");
    assert_eq!(open(&url, Some("bytes=1-2")).await.0, 206);
    assert_eq!(open(&url, Some("bytes=1-2")).await.1, "es");
    let direct = data(
        link.patch("", RequestOptions::default().json(json!({"direct": true})))
            .await
            .unwrap(),
    );
    assert_eq!(direct["direct"], true);
    assert_eq!(open(&url, None).await.1, "test");
    // Inactive: not found.
    link.patch("", RequestOptions::default().json(json!({"active": false})))
        .await
        .unwrap();
    assert_eq!(open(&url, None).await.0, 404);
    // A naive expiration (Python's utcnow().isoformat()) is UTC; in the past it is expired.
    let (status, past) = call(
        &emu,
        "PATCH",
        &format!(
            "accounts/me/storage/links/{}",
            link.data["id"].as_str().unwrap()
        ),
        &bearer(&emu),
        Some(json!({"active": true, "expiration": "2020-01-02T03:04:05.322590"})),
    )
    .await;
    assert_eq!(status, 200, "{past}");
    assert_eq!(past["expiration"], "2020-01-02T03:04:05.322590Z");
    assert_eq!(open(&url, None).await.0, 403);
    let soon = (chrono::Utc::now() + chrono::Duration::hours(1))
        .naive_utc()
        .format("%Y-%m-%dT%H:%M:%S%.6f")
        .to_string();
    link.patch(
        "",
        RequestOptions::default().json(json!({"expiration": soon})),
    )
    .await
    .unwrap();
    assert_eq!(open(&url, None).await.1, "test");
    // A password: the form without it, a refusal with a wrong one, the file with it.
    link.patch(
        "",
        RequestOptions::default().json(json!({"password": "s3cret"})),
    )
    .await
    .unwrap();
    let (status, page, ct) = open(&url, None).await;
    assert_eq!(status, 403);
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(page.contains("id=\"id_password\""), "{page}");
    let (status, page, _) = open(&format!("{url}?password=wrong"), None).await;
    assert_eq!(status, 403);
    assert!(page.contains("The password entered is incorrect"), "{page}");
    assert_eq!(
        open(&format!("{url}?password=s3cret"), None).await.1,
        "test"
    );
    let posted = reqwest::Client::new()
        .post(&url)
        .form(&[("password", "s3cret")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status().as_u16(), 200);
    assert_eq!(posted.text().await.unwrap(), "test");
    // The file gone, the link finds nothing.
    a.delete(&format!("storage/files/{id}"), RequestOptions::default())
        .await
        .unwrap();
    assert_eq!(open(&format!("{url}?password=s3cret"), None).await.0, 404);
    // An expiration that is no time is still refused.
    let e = link
        .patch(
            "",
            RequestOptions::default().json(json!({"expiration": "soon"})),
        )
        .await
        .unwrap_err();
    assert_eq!(e.status_code(), Some(400));
}

/// 4. `recent?after=` with a value that is no time: an empty list, not a 400.
#[tokio::test]
async fn recent_after_an_unparseable_time_is_empty() {
    let emu = Emulator::start().await.unwrap();
    let a = account(&emu);
    upload_id(&a, "r.txt", b"r").await;
    let (status, page) = get(
        &emu,
        "accounts/me/storage/recent?after=00/00/00",
        &bearer(&emu),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["objects"], json!([]));
    let list = a
        .get(
            "storage/recent",
            RequestOptions::default().param("after", "2000-01-01T00:00:00"),
        )
        .await
        .unwrap()
        .into_list()
        .unwrap();
    assert_eq!(list.objects.len(), 1, "a naive time is UTC and is read");
}

fn types(page: &Value) -> Vec<String> {
    page["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

/// 5. Google Drive's limited events: a rename or a move is an `add`; a deleted file's event
/// is found by the file's id. Another service has every event type.
#[tokio::test]
async fn limited_events_and_the_deleted_files_event() {
    let full = ["add", "add", "rename", "move", "delete"];
    let limited = ["add", "add", "add", "add", "delete"];
    for (config, want) in [
        (EmulatorConfig::default(), limited),
        (EmulatorConfig::default().service("box"), full),
    ] {
        let emu = Emulator::start_with(config).await.unwrap();
        let a = account(&emu);
        let (_, latest) = get(&emu, "accounts/me/events/latest", &bearer(&emu)).await;
        let cursor = latest["cursor"].as_u64().expect("an integer cursor");
        let file = upload(&a, "root", "ev.txt", b"e").await;
        let id = file.data["id"].as_str().unwrap().to_owned();
        let folder = json!({"name": "Sub", "parent_id": "root"});
        let made = a.post("storage/folders", RequestOptions::default().json(folder));
        let folder = data(made.await.unwrap());
        for change in [
            json!({"name": "ev2.txt"}),
            json!({"parent_id": folder["id"]}),
        ] {
            file.patch("", RequestOptions::default().json(change))
                .await
                .unwrap();
        }
        file.delete("", RequestOptions::default()).await.unwrap();
        let path = format!("accounts/me/events?cursor={cursor}");
        let (status, page) = get(&emu, &path, &bearer(&emu)).await;
        assert_eq!(status, 200);
        assert_eq!(types(&page), want);
        let events = page["objects"].as_array().unwrap();
        let deleted: Vec<&Value> = events.iter().filter(|e| e["id"] == id.as_str()).collect();
        assert_eq!(deleted.len(), 1, "{events:?}");
        assert_eq!(deleted[0]["type"], "delete");
        let mut ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), events.len(), "event ids stay unique");
        // Through the generic call's cursor pages too.
        let list = a
            .get("events", RequestOptions::default().param("cursor", cursor))
            .await
            .unwrap()
            .into_list()
            .unwrap();
        let kinds: Vec<&str> = list
            .objects
            .iter()
            .map(|e| e.data["type"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, want);
    }
    let emu = Emulator::start_with(EmulatorConfig::default().service("box"))
        .await
        .unwrap();
    let (_, me) = get(&emu, "accounts/123", &api_key(&emu)).await;
    assert_eq!(
        (&me["service"], &me["service_name"]),
        (&json!("box"), &json!("Box"))
    );
    let e = Emulator::start_with(EmulatorConfig::default().service("floppy")).await;
    assert!(e.is_err(), "an unknown service is refused");
}

/// 6. Imports of the services that need more than a token, and an update that keeps
/// `token_expiry` and refuses an unknown service.
#[tokio::test]
async fn imports_need_their_service_fields_and_updates_keep_the_expiry() {
    let emu = Emulator::start().await.unwrap();
    let key = api_key(&emu);
    let import = |body: Value| {
        let (emu, key) = (&emu, key.clone());
        async move { call(emu, "POST", "accounts", &key, Some(body)).await }
    };
    let base = json!({"account": "svc@example.invalid", "token": "t"});
    let with = |extra: Value| {
        let mut b = base.clone();
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    let (status, _) = import(with(json!({"service": "alfresco"}))).await;
    assert_eq!(status, 400);
    let (status, alfresco) = import(with(
        json!({"service": "alfresco", "repository_url": "https://alfresco.example.invalid/alfresco"}),
    ))
    .await;
    assert_eq!(status, 201, "{alfresco}");
    assert_eq!(
        alfresco["repository_url"],
        "https://alfresco.example.invalid/alfresco"
    );
    let (status, _) = import(with(json!({"service": "hubspot"}))).await;
    assert_eq!(status, 400);
    let (status, hubspot) = import(with(json!({"service": "hubspot", "hub_id": "42"}))).await;
    assert_eq!(status, 201);
    assert_eq!(hubspot["hub_id"], "42");
    let (status, sp) = import(with(
        json!({"service": "sharepoint", "domain": "example.sharepoint.invalid"}),
    ))
    .await;
    assert_eq!(status, 201);
    assert_eq!(sp["domain"], "example.sharepoint.invalid");
    // An update keeps the expiry it is given, and answers it.
    let id = hubspot["id"].as_i64().unwrap();
    let c = app(&emu);
    let acct = data(
        c.patch(
            &format!("accounts/{id}"),
            RequestOptions::default()
                .json(json!({"token": "t2", "token_expiry": "2030-01-01T00:00:00"})),
        )
        .await
        .unwrap(),
    );
    assert_eq!(acct["token_expiry"], "2030-01-01T00:00:00");
    let (_, again) = get(&emu, &format!("accounts/{id}?retrieve_tokens=true"), &key).await;
    assert_eq!(
        (&again["token_expiry"], &again["token"]),
        (&json!("2030-01-01T00:00:00"), &json!("t2"))
    );
    let (status, _) = call(
        &emu,
        "PATCH",
        &format!("accounts/{id}"),
        &key,
        Some(json!({"service": "invalid"})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = call(
        &emu,
        "PATCH",
        &format!("accounts/{id}"),
        &key,
        Some(json!({"token_expiry": "tomorrow"})),
    )
    .await;
    assert_eq!(status, 400);
    let (_, after) = get(&emu, &format!("accounts/{id}"), &key).await;
    assert_eq!(
        (&after["service"], &after["token_expiry"]),
        (&json!("hubspot"), &json!("2030-01-01T00:00:00")),
        "a refused update changed the account"
    );
}

/// 7. Calendars and events carry `account_id`; events the fields the live tests read.
#[tokio::test]
async fn calendars_and_events_carry_their_account() {
    let emu = Emulator::start().await.unwrap();
    let a = account(&emu);
    let (_, primary) = get(&emu, "accounts/me/cal/calendars/primary", &bearer(&emu)).await;
    assert_eq!(primary["account_id"], "123");
    let cal = data(
        a.post(
            "cal/calendars",
            RequestOptions::default().json(json!({"name": "Team"})),
        )
        .await
        .unwrap(),
    );
    assert_eq!(cal["account_id"], "123");
    let (status, ev) = call(
        &emu,
        "POST",
        &format!("accounts/me/cal/calendars/{}/events", cal["id"].as_str().unwrap()),
        &bearer(&emu),
        Some(json!({"name": "Standup", "start": "2030-01-01T09:00:00Z", "end": "2030-01-01T09:15:00Z"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(ev["account_id"], "123");
    assert_eq!(ev["calendar_id"], cal["id"]);
    assert_eq!(
        (&ev["description"], &ev["attendees"], &ev["attachments"]),
        (&json!(""), &json!([]), &json!([]))
    );
    assert_eq!(ev["organizer"], ev["creator"]);
    assert!(ev["organizer"]["email"].is_string());
    // Given fields are kept; the account and calendar are not the body's to set.
    let given = data(
        a.post(
            "cal/calendars/primary/events",
            RequestOptions::default().json(json!({
                "name": "Review", "start": "2030-01-02T09:00:00Z", "end": "2030-01-02T10:00:00Z",
                "description": "the plan", "account_id": "999",
                "organizer": {"name": "Ada", "email": "ada@example.invalid"},
                "attendees": [{"name": "Bob", "email": "bob@example.invalid", "status": "accepted"}],
            })),
        )
        .await
        .unwrap(),
    );
    assert_eq!(given["account_id"], "123");
    assert_eq!(given["calendar_id"], "cal_primary");
    assert_eq!(given["description"], "the plan");
    assert_eq!(given["organizer"]["email"], "ada@example.invalid");
    assert_eq!(given["attendees"][0]["email"], "bob@example.invalid");
    assert_eq!(given["attachments"], json!([]));
}

/// 8. The `admin` setting: the connected account reaches the team calls.
#[tokio::test]
async fn the_admin_setting_opens_the_team_to_the_connected_account() {
    let plain = Emulator::start().await.unwrap();
    let (status, _) = get(&plain, "accounts/me/team/users", &bearer(&plain)).await;
    assert_eq!(status, 403);
    let emu = Emulator::start_with(EmulatorConfig::default().admin(true))
        .await
        .unwrap();
    let (status, users) = get(&emu, "accounts/me/team/users", &bearer(&emu)).await;
    assert_eq!(status, 200, "{users}");
    assert_eq!(users["objects"].as_array().unwrap().len(), 3);
    let groups = account(&emu)
        .get("team/groups", RequestOptions::default())
        .await
        .unwrap()
        .into_list()
        .unwrap();
    assert_eq!(groups.objects.len(), 2);
    let (_, me) = get(&emu, "accounts/123?retrieve_full=true", &api_key(&emu)).await;
    assert_eq!(me["admin"], true);
    assert_eq!(
        me["properties"]["capabilities"]["can_list_users"]["value"],
        true
    );
    // The control API's reset keeps the setting.
    emu.enable_control();
    let reset = reqwest::Client::new()
        .post(format!(
            "{}/__emulator/reset",
            emu.base_url().trim_end_matches('/')
        ))
        .send()
        .await
        .unwrap();
    assert!(reset.status().is_success());
    let (status, _) = get(&emu, "accounts/me/team/users", &bearer(&emu)).await;
    assert_eq!(status, 200);
    // The program's switch.
    let Some(bin) = option_env!("CARGO_BIN_EXE_kloudless-emulator") else {
        return;
    };
    let p =
        cloud_core::emulator::standalone::Program::start(std::path::Path::new(bin), &["--admin"])
            .unwrap();
    let url = format!("{}/v1/accounts/me/team/users", p.field("base_url"));
    let resp = reqwest::Client::new()
        .get(url)
        .header("Authorization", format!("Bearer {}", p.field("token")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
}
