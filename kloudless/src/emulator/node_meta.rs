//! What hangs on a file or folder besides its bytes: `permissions` (files and folders:
//! GET, PUT replacing, PATCH merging by e-mail) and `properties` (files: GET, PATCH setting or,
//! with a null value, removing keys, DELETE removing all).
//!
//! A PUT or PATCH body is a map `{"<email>": "<role>"}`, as the service took it (the 1.x
//! SDK's live permission tests); a PUT with no body clears every entry but the owner's. The
//! list form `{"permissions": [{"email", "role", "type"}]}` is taken too (it names groups,
//! domains and `anyone`, which the map cannot).
// Handlers return early with a ready `Response` as the error: its size does not matter here.
#![allow(clippy::result_large_err)]

use cloud_core::emulator::axum::body::Body as AxBody;
use cloud_core::emulator::axum::response::{IntoResponse, Response};
use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::routes::{bad, json_resp, not_found, App};
use super::state::now;

/// The roles a permission may carry.
const ROLES: &[&str] = &["owner", "writer", "commenter", "reader"];
/// The grantee kinds.
const KINDS: &[&str] = &["user", "group", "domain", "anyone"];

/// The owner's permission every node starts with.
fn owner() -> Value {
    json!({"id": "emulator-user", "email": "emulator@example.invalid", "name": "Emulator",
           "role": "owner", "type": "user"})
}

fn permission_list(perms: &[Value]) -> Value {
    json!({"permissions": perms, "api": "storage", "type": "permission_list"})
}

/// One permission of a PUT or PATCH body, checked: a known `role` (not `owner`: ownership
/// is not transferred here), a known `type` (`user` by default), an `email` unless `anyone`.
fn permission(p: &Value) -> Result<Value, Response> {
    let role = p["role"].as_str().unwrap_or_default();
    if !ROLES.contains(&role) || role == "owner" {
        return Err(bad("role must be one of writer, commenter, reader"));
    }
    let kind = p["type"].as_str().unwrap_or("user");
    if !KINDS.contains(&kind) {
        return Err(bad("type must be one of user, group, domain, anyone"));
    }
    let email = p["email"].as_str().filter(|e| e.contains('@'));
    if kind != "anyone" && email.is_none() {
        return Err(bad("email is required (an e-mail address)"));
    }
    let email = email.unwrap_or_default();
    Ok(
        json!({"id": if kind == "anyone" { "anyone" } else { email }, "email": email,
              "name": p["name"].as_str().unwrap_or(email), "role": role, "type": kind}),
    )
}

/// The permissions a PUT or PATCH body asks for, checked: the list form
/// (`{"permissions": [...]}`) or the map form (`{"<email>": "<role>"}`; `{}` asks for none).
fn requested(v: &Value) -> Result<Vec<Value>, Response> {
    let Some(map) = v.as_object() else {
        return Err(bad(
            "a map of e-mail addresses to roles ({\"<email>\": \"reader\"}) is required",
        ));
    };
    if let Some(list) = map.get("permissions").and_then(Value::as_array) {
        return list.iter().map(permission).collect();
    }
    map.iter()
        .map(|(email, role)| match role.as_str() {
            Some(role) => permission(&json!({"email": email, "role": role, "type": "user"})),
            None => Err(bad(&format!(
                "the role of {email} must be one of writer, commenter, reader"
            ))),
        })
        .collect()
}

pub(crate) async fn permissions(
    app: &App,
    method: &Method,
    id: &str,
    file: bool,
    body: AxBody,
) -> Response {
    let exists = |app: &App| {
        app.lock()
            .nodes
            .get(id)
            .is_some_and(|n| n.blob.is_some() == file)
    };
    if !exists(app) {
        return not_found();
    }
    let current = |app: &App| {
        app.lock()
            .permissions
            .get(id)
            .cloned()
            .unwrap_or_else(|| vec![owner()])
    };
    match *method {
        Method::GET => json_resp(StatusCode::OK, permission_list(&current(app))),
        Method::PUT | Method::PATCH => {
            let v = json_body!(body);
            let new = match requested(&v) {
                Ok(n) => n,
                Err(r) => return r,
            };
            let mut perms = current(app);
            if *method == Method::PUT {
                perms.retain(|p| p["role"] == "owner");
            }
            for p in new {
                match perms.iter_mut().find(|x| x["id"] == p["id"]) {
                    Some(x) => *x = p,
                    None => perms.push(p),
                }
            }
            let mut s = app.lock();
            if s.nodes.get(id).is_none() {
                return not_found();
            }
            s.permissions.insert(id.to_owned(), perms.clone());
            json_resp(StatusCode::OK, permission_list(&perms))
        }
        _ => not_found(),
    }
}

fn property_list(props: Option<&std::collections::BTreeMap<String, Value>>) -> Value {
    let list: Vec<Value> = props
        .map(|p| p.values().cloned().collect())
        .unwrap_or_default();
    json!({"properties": list, "api": "storage", "type": "property_list"})
}

pub(crate) async fn properties(app: &App, method: &Method, id: &str, body: AxBody) -> Response {
    if app.lock().nodes.get(id).is_none_or(|n| n.blob.is_none()) {
        return not_found();
    }
    match *method {
        Method::GET => json_resp(StatusCode::OK, property_list(app.lock().properties.get(id))),
        Method::PATCH => {
            let v = json_body!(body);
            let Some(items) = v.as_array() else {
                return bad("a list of {\"key\": ..., \"value\": ...} objects is required");
            };
            let mut changes = Vec::new();
            for it in items {
                let Some(key) = it["key"].as_str().filter(|k| !k.is_empty()) else {
                    return bad("every property needs a key");
                };
                match &it["value"] {
                    Value::Null => changes.push((key.to_owned(), None)),
                    Value::String(x) => changes.push((key.to_owned(), Some(x.clone()))),
                    _ => return bad("a property's value is a string, or null to remove it"),
                }
            }
            let mut s = app.lock();
            let props = s.properties.entry(id.to_owned()).or_default();
            let t = now();
            for (key, value) in changes {
                match value {
                    None => {
                        props.remove(&key);
                    }
                    Some(value) => {
                        let created = props
                            .get(&key)
                            .map(|p| p["created"].clone())
                            .unwrap_or_else(|| json!(t));
                        props.insert(
                            key.clone(),
                            json!({"key": key, "value": value, "created": created, "modified": t}),
                        );
                    }
                }
            }
            json_resp(StatusCode::OK, property_list(Some(props)))
        }
        Method::DELETE => {
            app.lock().properties.remove(id);
            StatusCode::NO_CONTENT.into_response()
        }
        _ => not_found(),
    }
}
