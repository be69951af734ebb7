//! The account routes of the SmartFile API v2: `/user/`, `/group/`, `/role/`, `/site/`,
//! `/link/`, `/quota/{user,group,site}/`, `/access/{user,group}/<name>/`, `/access/path/`,
//! `/right/`, `/pref/user/`, `/session/` (the records are in `records.rs`).
//!
//! Creates answer 201, deletes 204 with no body, reads and updates 200; an unknown record is
//! `404 {"detail": "Not found."}`, a bad field `400 {"<field>": ["..."]}`, a method the
//! endpoint does not take `405 {"detail": "Method \"X\" not allowed."}`. Every check is made
//! before anything changes, so an error answer changes no state.
// Handlers return early with a ready `Response` as the error: its size does not matter here.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use bytes::Bytes;
use cloud_core::emulator::axum::extract::{Path, Query, State};
use cloud_core::emulator::axum::http::{HeaderMap, Method, Uri};
use cloud_core::emulator::axum::response::{IntoResponse, Response};
use cloud_core::emulator::axum::routing::any;
use cloud_core::emulator::axum::Router;
use http::StatusCode;
use serde_json::{json, Map, Value};

use super::records::{
    page, pct, render, Kind, Records, ACCESS, GROUP, LINK, OWNER, RIGHTS, ROLE, SITE, USER,
};
use super::routes::{base, check_auth, detail, field_error, json_resp, parse_form, App};
use super::state::normalise;

type S = State<Arc<App>>;
type Params = Path<Vec<(String, String)>>;
type RawQuery = Query<Vec<(String, String)>>;

/// The account routes, added to the file routes' router.
pub(crate) fn routes(r: Router<Arc<App>>) -> Router<Arc<App>> {
    r.route("/api/{v}/user/", any(records))
        .route("/api/{v}/user/{*rest}", any(records))
        .route("/api/{v}/group/", any(records))
        .route("/api/{v}/group/{*rest}", any(records))
        .route("/api/{v}/role/", any(records))
        .route("/api/{v}/role/{*rest}", any(records))
        .route("/api/{v}/site/", any(records))
        .route("/api/{v}/site/{*rest}", any(records))
        .route("/api/{v}/link/", any(records))
        .route("/api/{v}/link/{*rest}", any(records))
        .route("/api/{v}/quota/{*rest}", any(records))
        .route("/api/{v}/access/{*rest}", any(records))
        .route("/api/{v}/right/", any(records))
        .route("/api/{v}/right/{*rest}", any(records))
        .route("/api/{v}/pref/{*rest}", any(records))
        .route("/api/{v}/session/", any(session))
}

fn not_found() -> Response {
    detail(StatusCode::NOT_FOUND, "Not found.")
}

fn not_allowed(m: &Method) -> Response {
    detail(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("Method \"{m}\" not allowed."),
    )
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

fn kind_of(name: &str) -> Option<&'static Kind> {
    [&USER, &GROUP, &ROLE, &SITE, &LINK]
        .into_iter()
        .find(|k| k.name == name)
}

/// Every account route: the first segment after the version picks the family.
async fn records(
    State(app): S,
    Path(params): Params,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    Query(q): RawQuery,
    body: Bytes,
) -> Response {
    if let Err(r) = check_auth(&app, &headers) {
        return r;
    }
    let v = params
        .iter()
        .find(|(k, _)| k == "v")
        .map(|(_, x)| x.clone())
        .unwrap_or_default();
    let rest = params
        .iter()
        .find(|(k, _)| k == "rest")
        .map(|(_, x)| x.as_str())
        .unwrap_or("");
    let api = format!("{}api/{v}/", base(&headers));
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let form = if method == Method::GET {
        Vec::new()
    } else {
        parse_form(&body)
    };
    let family = uri.path().split('/').nth(3).unwrap_or("").to_owned();
    let mut guard = app.lock();
    let st = &mut *guard;
    let used: u64 = st
        .entries
        .values()
        .filter_map(|e| e.blob.as_ref())
        .map(|b| b.len())
        .sum();
    let entries = &st.entries;
    let exists = |p: &str| entries.contains_key(&normalise(p));
    let r = &mut st.records;
    let c = Call {
        method: &method,
        segs: &segs,
        form: &form,
        q: &q,
        api: &api,
    };
    match family.as_str() {
        "quota" => quota(r, c, used),
        "access" => access(r, c, &exists),
        "right" => rights(&method, &segs, &api),
        "pref" => prefs(r, c),
        name => match kind_of(name) {
            Some(kind) => collection(r, kind, c, &exists),
            None => not_found(),
        },
    }
}

/// One request to an account route, as the families read it.
#[derive(Clone, Copy)]
struct Call<'a> {
    method: &'a Method,
    segs: &'a [&'a str],
    form: &'a [(String, String)],
    q: &'a [(String, String)],
    api: &'a str,
}

/// Answers whether a path exists in the file tree.
type Exists<'a> = &'a dyn Fn(&str) -> bool;

fn collection(r: &mut Records, kind: &'static Kind, c: Call<'_>, exists: Exists<'_>) -> Response {
    let Call {
        method,
        segs,
        form,
        q,
        api,
    } = c;
    match (segs, method.as_str()) {
        ([], "GET") => {
            let items = r
                .set(kind.name)
                .map(|set| {
                    set.iter()
                        .map(|(id, rec)| render(kind, id, rec, api))
                        .collect()
                })
                .unwrap_or_default();
            json_resp(StatusCode::OK, page(items, q))
        }
        ([], "POST") => create(r, kind, form, api, exists),
        ([id], "GET") => match r.get(kind.name, id) {
            Some(rec) => json_resp(StatusCode::OK, render(kind, id, rec, api)),
            None => not_found(),
        },
        ([id], "PUT" | "POST" | "PATCH") => update(r, kind, id, form, api),
        ([id], "DELETE") => {
            if matches!(kind.name, "user" | "site") && *id == OWNER {
                return detail(StatusCode::FORBIDDEN, "You cannot delete your own account.");
            }
            if r.remove(kind.name, id) {
                no_content()
            } else {
                not_found()
            }
        }
        ([] | [_], _) => not_allowed(method),
        _ => not_found(),
    }
}

fn create(
    r: &mut Records,
    kind: &'static Kind,
    form: &[(String, String)],
    api: &str,
    exists: Exists<'_>,
) -> Response {
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    for req in kind.required {
        if get(req).is_none_or(str::is_empty) {
            return field_error(StatusCode::BAD_REQUEST, req, "This field is required.");
        }
    }
    let mut rec = match r.fields(kind, form) {
        Ok(f) => f,
        Err((field, msg)) => return field_error(StatusCode::BAD_REQUEST, field, &msg),
    };
    if let Some(path) = get("path").filter(|_| kind.required.contains(&"path")) {
        if !exists(path) {
            return field_error(StatusCode::BAD_REQUEST, "path", "Path does not exist");
        }
        rec.insert("path".into(), json!(normalise(path)));
    }
    let id = if kind.name == "link" {
        format!("{:010x}", r.new_id().wrapping_mul(0x9e37_79b9))
    } else {
        let id = get(kind.key).unwrap_or_default().to_owned();
        if id.contains('/') {
            return field_error(StatusCode::BAD_REQUEST, kind.key, "Enter a valid value.");
        }
        if r.exists(kind.name, &id) {
            return field_error(
                StatusCode::BAD_REQUEST,
                kind.key,
                &format!("{} with this {} already exists.", kind.name, kind.key),
            );
        }
        id
    };
    rec.insert(kind.key.into(), json!(id));
    let out = render(kind, &id, &rec, api);
    r.set_mut(kind.name).insert(id, rec);
    json_resp(StatusCode::CREATED, out)
}

fn update(
    r: &mut Records,
    kind: &'static Kind,
    id: &str,
    form: &[(String, String)],
    api: &str,
) -> Response {
    if !r.exists(kind.name, id) {
        return not_found();
    }
    let fields = match r.fields(kind, form) {
        Ok(f) => f,
        Err((field, msg)) => return field_error(StatusCode::BAD_REQUEST, field, &msg),
    };
    let set = r.set_mut(kind.name);
    let Some(rec) = set.get_mut(id) else {
        return not_found();
    };
    rec.extend(fields);
    json_resp(StatusCode::OK, render(kind, id, rec, api))
}

fn quota(r: &mut Records, c: Call<'_>, used: u64) -> Response {
    let Call {
        method,
        segs,
        form,
        q,
        api,
    } = c;
    let answer = |r: &Records, kind: &str, name: &str| {
        json!({
            "name": name, "type": kind,
            "limit": r.quotas.get(&format!("{kind}/{name}")).copied().unwrap_or(0),
            "used": if name == OWNER && kind != "group" { used } else { 0 },
            "url": format!("{api}quota/{kind}/{}/", pct(name)),
        })
    };
    let Some((kind, rest)) = segs.split_first() else {
        return not_found();
    };
    if !matches!(*kind, "user" | "group" | "site") {
        return not_found();
    }
    match (rest, method.as_str()) {
        ([], "GET") => {
            let names: Vec<String> = r
                .set(kind)
                .map(|s| s.keys().cloned().collect())
                .unwrap_or_default();
            let items = names.iter().map(|n| answer(r, kind, n)).collect();
            json_resp(StatusCode::OK, page(items, q))
        }
        ([name], "GET") if r.exists(kind, name) => json_resp(StatusCode::OK, answer(r, kind, name)),
        ([name], "PUT" | "POST" | "PATCH") if r.exists(kind, name) => {
            let Some(limit) = form.iter().find(|(k, _)| k == "limit").map(|(_, v)| v) else {
                return field_error(StatusCode::BAD_REQUEST, "limit", "This field is required.");
            };
            let Ok(limit) = limit.trim().parse::<u64>() else {
                return field_error(
                    StatusCode::BAD_REQUEST,
                    "limit",
                    "A valid integer is required.",
                );
            };
            r.quotas.insert(format!("{kind}/{name}"), limit);
            json_resp(StatusCode::OK, answer(r, kind, name))
        }
        ([_], "GET" | "PUT" | "POST" | "PATCH") => not_found(),
        ([] | [_], _) => not_allowed(method),
        _ => not_found(),
    }
}

fn access_answer(id: &str, rec: &Map<String, Value>, api: &str) -> Value {
    let mut out = rec.clone();
    let (subject, name) = if let Some(u) = rec.get("user").and_then(Value::as_str) {
        ("user", u)
    } else {
        (
            "group",
            rec.get("group").and_then(Value::as_str).unwrap_or(""),
        )
    };
    out.insert(
        "url".into(),
        json!(format!("{api}access/{subject}/{}/{id}/", pct(name))),
    );
    Value::Object(out)
}

fn access(r: &mut Records, c: Call<'_>, exists: Exists<'_>) -> Response {
    let Call {
        method,
        segs,
        form,
        q,
        api,
    } = c;
    let rules = |r: &Records, keep: &dyn Fn(&Map<String, Value>) -> bool| -> Vec<Value> {
        r.set("access")
            .map(|s| {
                s.iter()
                    .filter(|(_, rec)| keep(rec))
                    .map(|(id, rec)| access_answer(id, rec, api))
                    .collect()
            })
            .unwrap_or_default()
    };
    match segs {
        ["path", path @ ..] => {
            if method != Method::GET {
                return not_allowed(method);
            }
            let p = normalise(&path.join("/"));
            let items = rules(r, &|rec| {
                rec.get("path").and_then(Value::as_str) == Some(&p)
            });
            json_resp(StatusCode::OK, page(items, q))
        }
        [subject @ ("user" | "group"), name, rest @ ..] => {
            if !r.exists(subject, name) {
                return not_found();
            }
            let mine =
                |rec: &Map<String, Value>| rec.get(*subject).and_then(Value::as_str) == Some(*name);
            match (rest, method.as_str()) {
                ([], "GET") => json_resp(StatusCode::OK, page(rules(r, &mine), q)),
                ([], "POST") => {
                    let Some(path) = form.iter().find(|(k, _)| k == "path").map(|(_, v)| v) else {
                        return field_error(
                            StatusCode::BAD_REQUEST,
                            "path",
                            "This field is required.",
                        );
                    };
                    if !exists(path) {
                        return field_error(StatusCode::BAD_REQUEST, "path", "Path does not exist");
                    }
                    let mut rec = match r.fields(&ACCESS, form) {
                        Ok(f) => f,
                        Err((f, m)) => return field_error(StatusCode::BAD_REQUEST, f, &m),
                    };
                    for f in ACCESS.flags {
                        rec.entry(*f).or_insert(json!(false));
                    }
                    rec.insert("path".into(), json!(normalise(path)));
                    rec.insert((*subject).into(), json!(name));
                    let id = r.new_id().to_string();
                    rec.insert("id".into(), json!(id.parse::<u64>().unwrap_or(0)));
                    let out = access_answer(&id, &rec, api);
                    r.set_mut("access").insert(id, rec);
                    json_resp(StatusCode::CREATED, out)
                }
                ([id], m) => {
                    let Some(rec) = r.get("access", id).filter(|rec| mine(rec)).cloned() else {
                        return not_found();
                    };
                    match m {
                        "GET" => json_resp(StatusCode::OK, access_answer(id, &rec, api)),
                        "PUT" | "POST" | "PATCH" => {
                            let fields = match r.fields(&ACCESS, form) {
                                Ok(f) => f,
                                Err((f, m)) => return field_error(StatusCode::BAD_REQUEST, f, &m),
                            };
                            let set = r.set_mut("access");
                            let Some(rec) = set.get_mut(*id) else {
                                return not_found();
                            };
                            rec.extend(fields);
                            json_resp(StatusCode::OK, access_answer(id, rec, api))
                        }
                        "DELETE" => {
                            r.set_mut("access").remove(*id);
                            no_content()
                        }
                        _ => not_allowed(method),
                    }
                }
                ([], _) => not_allowed(method),
                _ => not_found(),
            }
        }
        _ => not_found(),
    }
}

fn rights(method: &Method, segs: &[&str], api: &str) -> Response {
    let one = |(name, description): &(&str, &str)| json!({"name": name, "description": description, "url": format!("{api}right/{name}/")});
    if method != Method::GET {
        return not_allowed(method);
    }
    match segs {
        [] => json_resp(StatusCode::OK, page(RIGHTS.iter().map(one).collect(), &[])),
        [name] => match RIGHTS.iter().find(|(n, _)| n == name) {
            Some(r) => json_resp(StatusCode::OK, one(r)),
            None => not_found(),
        },
        _ => not_found(),
    }
}

fn prefs(r: &mut Records, c: Call<'_>) -> Response {
    let Call {
        method,
        segs,
        form,
        q,
        api: _,
    } = c;
    let one = |k: &str, v: &str| json!({"name": k, "value": v});
    match (segs, method.as_str()) {
        (["user"], "GET") => {
            let items = r.prefs.iter().map(|(k, v)| one(k, v)).collect();
            json_resp(StatusCode::OK, page(items, q))
        }
        (["user", key], "GET") => match r.prefs.get(*key) {
            Some(v) => json_resp(StatusCode::OK, one(key, v)),
            None => not_found(),
        },
        (["user", key], "PUT" | "POST" | "PATCH") => {
            let Some(value) = form.iter().find(|(k, _)| k == "value").map(|(_, v)| v) else {
                return field_error(StatusCode::BAD_REQUEST, "value", "This field is required.");
            };
            r.prefs.insert((*key).to_owned(), value.clone());
            json_resp(StatusCode::OK, one(key, value))
        }
        (["user", key], "DELETE") => match r.prefs.remove(*key) {
            Some(_) => no_content(),
            None => not_found(),
        },
        (["user"] | ["user", _], _) => not_allowed(method),
        _ => not_found(),
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// `POST /session/` logs in with a user name and password (the API key and password, or a
/// user's, as created through `/user/`), answering 201 with the `sessionid` and `csrftoken`
/// cookies; `DELETE /session/` ends the cookie's session (204).
async fn session(State(app): S, method: Method, headers: HeaderMap, body: Bytes) -> Response {
    let form = parse_form(&body);
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    match method.as_str() {
        "POST" => {
            for f in ["username", "password"] {
                if get(f).is_none_or(str::is_empty) {
                    return field_error(StatusCode::BAD_REQUEST, f, "This field is required.");
                }
            }
            let (user, password) = (get("username").unwrap_or(""), get("password").unwrap_or(""));
            let mut s = app.lock();
            let ok = (user == app.key && password == app.password)
                || s.records
                    .get("user", user)
                    .is_some_and(|u| u.get("password").and_then(Value::as_str) == Some(password));
            if !ok {
                return detail(StatusCode::UNAUTHORIZED, "Invalid username/password.");
            }
            let sid = format!("{:032x}", random_u128());
            s.records.sessions.push(sid.clone());
            let name = if user == app.key { OWNER } else { user };
            let mut resp = json_resp(StatusCode::CREATED, json!({"username": name}));
            for c in [
                format!("sessionid={sid}; HttpOnly; Path=/"),
                format!("csrftoken={:032x}; Path=/", random_u128()),
            ] {
                if let Ok(v) = http::HeaderValue::from_str(&c) {
                    resp.headers_mut().append(http::header::SET_COOKIE, v);
                }
            }
            resp
        }
        "DELETE" => {
            let authed = check_auth(&app, &headers).is_ok();
            let mut s = app.lock();
            let known =
                cookie(&headers, "sessionid").is_some_and(|sid| s.records.sessions.contains(&sid));
            if !known && !authed {
                return detail(
                    StatusCode::UNAUTHORIZED,
                    "Authentication credentials were not provided.",
                );
            }
            if let Some(sid) = cookie(&headers, "sessionid") {
                s.records.sessions.retain(|x| *x != sid);
            }
            no_content()
        }
        _ => not_allowed(&method),
    }
}

fn random_u128() -> u128 {
    let mut b = [0u8; 16];
    let _ = getrandom::fill(&mut b);
    u128::from_le_bytes(b)
}

#[cfg(test)]
mod tests {
    use super::super::records::flag;

    #[test]
    fn flags_read_as_the_service_reads_them() {
        assert!(flag("True") && flag("on") && flag("1"));
        assert!(!flag("False") && !flag("off") && !flag(""));
    }
}
