//! `storage/links`: shared links to files (create, list with paging and `active`, retrieve,
//! update, delete), and the link's own page at its `url` (`/l/<id>`), which anyone holding the
//! link opens without credentials. A link's password is kept but never answered (`password` is
//! whether one is set, as the service answers it).
// Handlers return early with a ready `Response` as the error: its size does not matter here.
#![allow(clippy::result_large_err)]

use bytes::Bytes;
use cloud_core::emulator::axum::body::Body as AxBody;
use cloud_core::emulator::axum::extract::{Path, Query, State};
use cloud_core::emulator::axum::http::HeaderMap;
use cloud_core::emulator::axum::response::{IntoResponse, Response};
use cloud_core::emulator::serve_blob;
use http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use super::routes::{bad, download_mime, json_resp, not_found, page_list, q, App, Q, S};
use super::state::{new_id, now, parse_time, ACCOUNT_ID};

/// The hidden field holding a link's password.
const SECRET: &str = "_password";

/// A link as answered: the password left out, `password` true when one is set.
fn answer(link: &Value) -> Value {
    let mut out = link.clone();
    if let Some(m) = out.as_object_mut() {
        let set = m.remove(SECRET).is_some_and(|p| !p.is_null());
        m.insert("password".into(), json!(set));
    }
    out
}

/// An ISO 8601 time, or null; anything else is a 400. A time without an offset is UTC (the
/// live tests send Python's naive `datetime.utcnow().isoformat()`); it is kept and answered
/// in RFC 3339 UTC.
fn expiration(v: &Value) -> Result<Value, Response> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::String(s) => match parse_time(s) {
            Some(t) => Ok(json!(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))),
            None => Err(bad(
                "expiration must be an ISO 8601 date and time, such as 2030-01-01T00:00:00Z",
            )),
        },
        _ => Err(bad(
            "expiration must be an ISO 8601 date and time, such as 2030-01-01T00:00:00Z",
        )),
    }
}

/// The fields of a create or update body that a link keeps, checked.
fn fields(body: &Value, into: &mut Map<String, Value>) -> Result<(), Response> {
    if let Some(a) = body.get("active") {
        let Some(a) = a.as_bool() else {
            return Err(bad("active must be a boolean"));
        };
        into.insert("active".into(), json!(a));
    }
    if let Some(d) = body.get("direct") {
        let Some(d) = d.as_bool() else {
            return Err(bad("direct must be a boolean"));
        };
        into.insert("direct".into(), json!(d));
    }
    if let Some(e) = body.get("expiration") {
        into.insert("expiration".into(), expiration(e)?);
    }
    if let Some(p) = body.get("password") {
        if !(p.is_null() || p.is_string()) {
            return Err(bad("password must be a string or null"));
        }
        into.insert(SECRET.into(), p.clone());
    }
    Ok(())
}

pub(crate) async fn handle(
    app: &App,
    method: &Method,
    rest: &[&str],
    query: &[(String, String)],
    body: AxBody,
    base: &str,
) -> Response {
    match (method, rest) {
        (&Method::POST, []) => {
            let v = json_body!(body);
            let Some(file_id) = v["file_id"].as_str() else {
                return bad("file_id is required");
            };
            let mut s = app.lock();
            if s.nodes.get(file_id).is_none_or(|n| n.blob.is_none()) {
                return not_found();
            }
            let id = new_id("lnk");
            let t = now();
            let mut link = Map::new();
            for (k, x) in [
                ("id", json!(id)),
                ("url", json!(format!("{base}l/{id}"))),
                ("file_id", json!(file_id)),
                ("account", json!(ACCOUNT_ID)),
                ("active", json!(true)),
                ("direct", json!(false)),
                ("expiration", Value::Null),
                ("created", json!(t)),
                ("modified", json!(t)),
                ("api", json!("storage")),
                ("type", json!("link")),
            ] {
                link.insert(k.into(), x);
            }
            if let Err(r) = fields(&v, &mut link) {
                return r;
            }
            let link = Value::Object(link);
            s.links.insert(id, link.clone());
            json_resp(StatusCode::CREATED, answer(&link))
        }
        (&Method::GET, []) => {
            let active = match q(query, "active").map(str::to_ascii_lowercase).as_deref() {
                None => None,
                Some("true") => Some(true),
                Some("false") => Some(false),
                Some(_) => return bad("active must be true or false"),
            };
            let items = app
                .lock()
                .links
                .values()
                .filter(|l| active.is_none_or(|a| l["active"] == a))
                .map(answer)
                .collect();
            page_list(items, query, "storage")
        }
        (&Method::GET, [id]) => match app.lock().links.get(*id) {
            Some(l) => json_resp(StatusCode::OK, answer(l)),
            None => not_found(),
        },
        (&Method::PATCH, [id]) => {
            let v = json_body!(body);
            let mut s = app.lock();
            let Some(mut link) = s.links.get(*id).and_then(|l| l.as_object().cloned()) else {
                return not_found();
            };
            if let Err(r) = fields(&v, &mut link) {
                return r;
            }
            link.insert("modified".into(), json!(now()));
            let link = Value::Object(link);
            s.links.insert((*id).to_owned(), link.clone());
            json_resp(StatusCode::OK, answer(&link))
        }
        (&Method::DELETE, [id]) => match app.lock().links.remove(*id) {
            Some(_) => StatusCode::NO_CONTENT.into_response(),
            None => not_found(),
        },
        _ => not_found(),
    }
}

/// The page a password-protected link shows before the password is given: a form posting
/// `password` back to the link, its field `id_password` as the service's page had it.
fn password_page(id: &str, message: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html><head><title>Password required</title></head><body>\n\
         <p>{message}</p>\n<form method=\"post\" action=\"/l/{id}\">\n\
         <input type=\"password\" id=\"id_password\" name=\"password\">\n\
         <input type=\"submit\" value=\"Submit\">\n</form>\n</body></html>\n"
    );
    let mut r = (StatusCode::FORBIDDEN, html).into_response();
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// A plain-text refusal of a link's page.
fn refuse(status: StatusCode, text: &'static str) -> Response {
    (status, text).into_response()
}

/// The file behind link `id`, or why it is not served: an unknown or inactive link and a
/// link whose file is gone are 404; an expired link is 403; a password-protected link
/// without its password is 403 with the password form, with a wrong one 403 saying so.
fn open(app: &App, id: &str, password: Option<&str>, headers: &HeaderMap) -> Response {
    let (blob, name) = {
        let s = app.lock();
        let Some(link) = s.links.get(id) else {
            return refuse(StatusCode::NOT_FOUND, "This link does not exist.");
        };
        if link["active"] != json!(true) {
            return refuse(StatusCode::NOT_FOUND, "This link is no longer active.");
        }
        if link["expiration"]
            .as_str()
            .and_then(parse_time)
            .is_some_and(|t| t <= chrono::Utc::now())
        {
            return refuse(StatusCode::FORBIDDEN, "This link has expired.");
        }
        if let Some(secret) = link[SECRET].as_str() {
            match password {
                None => return password_page(id, "This link is protected by a password."),
                Some(p) if p != secret => {
                    return password_page(id, "The password entered is incorrect.")
                }
                Some(_) => {}
            }
        }
        let node = link["file_id"].as_str().and_then(|f| s.nodes.get(f));
        match node.and_then(|n| n.blob.clone().map(|b| (b, n.name.clone()))) {
            Some(found) => found,
            None => return refuse(StatusCode::NOT_FOUND, "The linked file no longer exists."),
        }
    };
    serve_blob(&blob, headers, download_mime(&name))
}

/// `GET /l/<id>`: the link's file (a `Range` honoured), the password in `?password=` if any.
pub(crate) async fn open_link(
    State(app): S,
    Path(id): Path<String>,
    Query(query): Q,
    headers: HeaderMap,
) -> Response {
    open(&app, &id, q(&query, "password"), &headers)
}

/// `POST /l/<id>`: the password form sent back (`password=...`, form-encoded).
pub(crate) async fn open_link_form(
    State(app): S,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let password = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.into_owned());
    open(&app, &id, password.as_deref(), &headers)
}
