//! Accounts (`/v1/accounts`: list with paging and filters, import with the API key,
//! retrieve with `retrieve_full` and `retrieve_tokens`, update, delete) and the team of an
//! admin account (`team/users`, `team/groups`, a user's groups, a group's members).
//!
//! Two accounts are built in: 123, the connected user's, whose storage, events and calendars
//! the emulator keeps, and 124, a team admin's. Imported accounts are records: they answer
//! as accounts (and 124's team calls answer for admins), not with storage of their own.
// Handlers return early with a ready `Response` as the error: its size does not matter here.
#![allow(clippy::result_large_err)]

use cloud_core::emulator::axum::response::{IntoResponse, Response};
use http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use super::routes::{bad, err, flag, json_resp, not_found, page_list, q, App};
use super::state::{now, parse_time};

/// The services an account may be imported for (and the connected account be of), with the
/// names the service answered in `service_name`.
pub(crate) const SERVICES: &[(&str, &str)] = &[
    ("gdrive", "Google Drive"),
    ("box", "Box"),
    ("dropbox", "Dropbox"),
    ("onedrive", "OneDrive"),
    ("sharepoint", "SharePoint"),
    ("s3", "Amazon S3"),
    ("egnyte", "Egnyte"),
    ("alfresco", "Alfresco"),
    ("hubspot", "HubSpot"),
    ("google_calendar", "Google Calendar"),
    ("outlook_calendar", "Outlook Calendar"),
];

/// The `service_name` of a known service.
pub(crate) fn service_name(service: &str) -> Option<&'static str> {
    SERVICES
        .iter()
        .find(|(s, _)| *s == service)
        .map(|(_, n)| *n)
}

/// The fields an import of these services needs besides `account`, `service` and `token`
/// (the 1.x SDK's live account tests: `alfresco` without `repository_url` and `hubspot`
/// without `hub_id` are refused). They are kept on the account and answered.
const SERVICE_FIELDS: &[(&str, &str)] = &[("alfresco", "repository_url"), ("hubspot", "hub_id")];

/// Optional fields an import or update keeps as given: the connection's settings (`domain`
/// of a SharePoint account) besides the service-specific ones above.
const KEPT: &[&str] = &["domain", "repository_url", "hub_id"];

/// The storage capabilities the service reported in `properties.capabilities` (each as
/// `{"value": bool}`), true where the emulator serves the call for the account: the storage
/// calls for the connected account (123), the team calls for an admin account.
const STORAGE_CAPABILITIES: &[&str] = &[
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
    "can_list_properties",
    "properties_supported_for_files",
    "can_delete_all_properties",
    "permissions_supported_for_files",
    "multipart_uploads_supported_for_files",
];

/// The team capabilities (`team/users`, `team/groups` and their members).
const TEAM_CAPABILITIES: &[&str] = &[
    "can_list_users",
    "can_retrieve_user",
    "can_list_groups",
    "can_retrieve_group",
    "can_list_group_members",
];

/// `properties.capabilities` of an account: every capability the service reported, each
/// `{"value": true}` where the emulator serves that call for this account.
fn capabilities(acct: &Value) -> Value {
    let storage = acct["id"] == super::state::ACCOUNT_ID;
    let team = acct["admin"] == true;
    let mut caps = Map::new();
    for (names, on) in [(STORAGE_CAPABILITIES, storage), (TEAM_CAPABILITIES, team)] {
        for name in names {
            caps.insert((*name).into(), json!({"value": on}));
        }
    }
    Value::Object(caps)
}

/// `token_expiry` of a body, checked: a time (kept as given) or null; else a 400.
fn token_expiry(body: &Value) -> Result<Option<Value>, Response> {
    match body.get("token_expiry") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(Value::Null)),
        Some(v @ Value::String(t)) if parse_time(t).is_some() => Ok(Some(v.clone())),
        Some(_) => Err(bad("token_expiry must be an ISO 8601 date and time")),
    }
}

/// Fields of an account that hold its upstream credentials: answered only with
/// `retrieve_tokens=true` and the API key.
const TOKENS: &[&str] = &["token", "token_secret", "refresh_token"];

/// An account as answered: the credentials left out unless asked for, the capabilities added
/// with `retrieve_full`.
pub(crate) fn answer(acct: &Value, query: &[(String, String)]) -> Value {
    let mut out = acct.clone();
    if let Some(m) = out.as_object_mut() {
        if !flag(query, "retrieve_tokens") {
            for t in TOKENS {
                m.remove(*t);
            }
        }
        if flag(query, "retrieve_full") {
            m.insert(
                "properties".into(),
                json!({"capabilities": capabilities(acct)}),
            );
        }
    }
    out
}

/// `GET /v1/accounts?page=&page_size=&active=&admin=&search=` (API key).
pub(crate) fn list(app: &App, query: &[(String, String)]) -> Response {
    let want = |k: &str| match q(query, k).map(str::to_ascii_lowercase).as_deref() {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(bad(&format!("{k} must be true or false"))),
    };
    let (active, admin) = match (want("active"), want("admin")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let search = q(query, "search").map(str::to_lowercase);
    let items = app
        .lock()
        .accounts
        .values()
        .filter(|a| active.is_none_or(|x| a["active"] == x))
        .filter(|a| admin.is_none_or(|x| a["admin"] == x))
        .filter(|a| {
            search.as_ref().is_none_or(|s| {
                a["account"]
                    .as_str()
                    .is_some_and(|n| n.to_lowercase().contains(s))
            })
        })
        .map(|a| answer(a, &[]))
        .collect();
    page_list(items, query, "meta")
}

/// `POST /v1/accounts` (API key) JSON `{"account", "service", "token", ...}`: 201 the new
/// account; the same account and service again updates its credentials (200).
pub(crate) fn import(app: &App, body: &Value) -> Response {
    let (Some(name), Some(service), Some(_)) = (
        body["account"].as_str().filter(|x| !x.is_empty()),
        body["service"].as_str(),
        body["token"].as_str().filter(|x| !x.is_empty()),
    ) else {
        return bad("account, service and token are required");
    };
    if service_name(service).is_none() {
        return bad(&format!("unknown service: {service}"));
    }
    for (svc, field) in SERVICE_FIELDS {
        if *svc == service && body[*field].as_str().is_none_or(str::is_empty) {
            return bad(&format!("{field} is required for a {service} account"));
        }
    }
    let expiry = match token_expiry(body) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let mut s = app.lock();
    let t = now();
    let existing = s
        .accounts
        .iter()
        .find(|(_, a)| a["account"] == name && a["service"] == service)
        .map(|(id, _)| *id);
    let (id, status) = match existing {
        Some(id) => (id, StatusCode::OK),
        None => (
            s.accounts.keys().max().copied().unwrap_or(0) + 1,
            StatusCode::CREATED,
        ),
    };
    let mut acct = match s.accounts.get(&id).and_then(Value::as_object) {
        Some(m) => m.clone(),
        None => {
            let mut m = Map::new();
            m.insert("id".into(), json!(id));
            m.insert("account".into(), json!(name));
            m.insert("service".into(), json!(service));
            m.insert("service_name".into(), json!(service_name(service)));
            m.insert("active".into(), json!(true));
            m.insert("admin".into(), json!(false));
            m.insert("created".into(), json!(t));
            let apis = if service.ends_with("calendar") {
                json!(["calendar"])
            } else {
                json!(["storage"])
            };
            m.insert("apis".into(), body.get("apis").cloned().unwrap_or(apis));
            m
        }
    };
    for k in TOKENS {
        if let Some(v) = body.get(*k).filter(|v| v.is_string()) {
            acct.insert((*k).into(), v.clone());
        }
    }
    keep_settings(body, &mut acct, expiry);
    if let Some(scope) = body["scope"].as_str() {
        acct.insert("effective_scope".into(), json!(scope));
    }
    acct.insert("modified".into(), json!(t));
    let acct = Value::Object(acct);
    s.accounts.insert(id, acct.clone());
    json_resp(status, answer(&acct, &[]))
}

/// The credentials' expiry and the connection's settings of an import or update body.
fn keep_settings(body: &Value, acct: &mut Map<String, Value>, expiry: Option<Value>) {
    for k in KEPT {
        if let Some(v) = body.get(*k).filter(|v| v.is_string()) {
            acct.insert((*k).into(), v.clone());
        }
    }
    if let Some(e) = expiry {
        acct.insert("token_expiry".into(), e);
    }
}

/// `PATCH accounts/<id>`: `active`, `account`, `service` (a known one), new credentials and
/// their `token_expiry` (kept and answered as given).
pub(crate) fn update(app: &App, id: i64, body: &Value) -> Response {
    let expiry = match token_expiry(body) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let service = match body.get("service") {
        None => None,
        Some(v) => match v.as_str().filter(|s| service_name(s).is_some()) {
            Some(s) => Some(s),
            None => return bad(&format!("unknown service: {v}")),
        },
    };
    let mut s = app.lock();
    let Some(mut acct) = s.accounts.get(&id).and_then(Value::as_object).cloned() else {
        return not_found();
    };
    if let Some(svc) = service {
        acct.insert("service".into(), json!(svc));
        acct.insert("service_name".into(), json!(service_name(svc)));
    }
    if let Some(a) = body.get("active") {
        let Some(a) = a.as_bool() else {
            return bad("active must be a boolean");
        };
        acct.insert("active".into(), json!(a));
    }
    if let Some(n) = body.get("account") {
        let Some(n) = n.as_str().filter(|n| !n.is_empty()) else {
            return bad("account must be a non-empty string");
        };
        acct.insert("account".into(), json!(n));
    }
    for k in TOKENS {
        if let Some(v) = body.get(*k).filter(|v| v.is_string()) {
            acct.insert((*k).into(), v.clone());
        }
    }
    keep_settings(body, &mut acct, expiry);
    acct.insert("modified".into(), json!(now()));
    let acct = Value::Object(acct);
    s.accounts.insert(id, acct.clone());
    json_resp(StatusCode::OK, answer(&acct, &[]))
}

/// `DELETE accounts/<id>`: 204; the account's calls answer 404 afterwards.
pub(crate) fn delete(app: &App, id: i64) -> Response {
    match app.lock().accounts.remove(&id) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => not_found(),
    }
}

/// The team an admin account sees.
fn users() -> Vec<Value> {
    [
        ("u1", "Ada Admin", "admin@example.invalid", true),
        ("u2", "Bob Builder", "bob@example.invalid", false),
        ("u3", "Cy Coder", "cy@example.invalid", false),
    ]
    .iter()
    .map(|(id, name, email, admin)| {
        json!({"id": id, "name": name, "email": email, "admin": admin, "api": "team", "type": "user"})
    })
    .collect()
}

fn groups() -> Vec<Value> {
    [("g1", "Everyone"), ("g2", "Engineering")]
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name, "api": "team", "type": "group"}))
        .collect()
}

/// Who is in which group.
const MEMBERS: &[(&str, &str)] = &[("g1", "u1"), ("g1", "u2"), ("g1", "u3"), ("g2", "u3")];

/// `team/...` of account `id`: users, groups, a user's groups, a group's members; 403 for
/// an account that is not an admin.
pub(crate) fn team(
    app: &App,
    id: i64,
    method: &Method,
    rest: &[&str],
    query: &[(String, String)],
) -> Response {
    let admin = app
        .lock()
        .accounts
        .get(&id)
        .is_some_and(|a| a["admin"] == true);
    if !admin {
        return err(
            StatusCode::FORBIDDEN,
            "forbidden",
            "The team API needs an admin account.",
        );
    }
    if *method != Method::GET {
        return not_found();
    }
    let find = |list: Vec<Value>, id: &str| list.into_iter().find(|x| x["id"] == id);
    match rest {
        ["users"] => page_list(users(), query, "team"),
        ["users", u] => find(users(), u).map_or_else(not_found, |x| json_resp(StatusCode::OK, x)),
        ["users", u, "memberships"] => {
            if find(users(), u).is_none() {
                return not_found();
            }
            let mine = groups()
                .into_iter()
                .filter(|g| MEMBERS.iter().any(|(gid, uid)| g["id"] == *gid && uid == u))
                .collect();
            page_list(mine, query, "team")
        }
        ["groups"] => page_list(groups(), query, "team"),
        ["groups", g] => find(groups(), g).map_or_else(not_found, |x| json_resp(StatusCode::OK, x)),
        ["groups", g, "members"] => {
            if find(groups(), g).is_none() {
                return not_found();
            }
            let members = users()
                .into_iter()
                .filter(|u| MEMBERS.iter().any(|(gid, uid)| gid == g && u["id"] == *uid))
                .collect();
            page_list(members, query, "team")
        }
        _ => not_found(),
    }
}
