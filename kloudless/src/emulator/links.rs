//! `storage/links`: shared links to files (create, list with paging and `active`, retrieve,
//! update, delete). A link's password is kept but never answered (`password` is whether one
//! is set, as the service answers it).
// Handlers return early with a ready `Response` as the error: its size does not matter here.
#![allow(clippy::result_large_err)]

use cloud_core::emulator::axum::body::Body as AxBody;
use cloud_core::emulator::axum::response::{IntoResponse, Response};
use http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use super::routes::{bad, json_resp, not_found, page_list, q, App};
use super::state::{new_id, now, ACCOUNT_ID};

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

/// An RFC 3339 time, or null; anything else is a 400.
fn expiration(v: &Value) -> Result<Value, Response> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::String(s) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => Ok(v.clone()),
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
