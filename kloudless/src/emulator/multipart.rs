//! Uploads in pieces: `storage/multipart` sessions (init, parts by `part_number`, complete,
//! abort) and `storage/files/upload_url` with the URL it hands out (`PUT <base>upload/<token>`).
//! The parts and the finished file stream into the blob store: nothing is held whole.
// Handlers return early with a ready `Response` as the error: its size does not matter here.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use cloud_core::emulator::axum::body::Body as AxBody;
use cloud_core::emulator::axum::extract::{Path, State};
use cloud_core::emulator::axum::response::{IntoResponse, Response};
use cloud_core::emulator::Blob;
use futures::StreamExt;
use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::routes::{bad, flag, json_resp, not_found, q, App};
use super::state::{new_id, now, Node, State as Store, Upload, ACCOUNT_ID};

/// The part size the emulator proposes (any size is taken).
const PART_SIZE: u64 = 5 << 20;
/// The highest part number, as S3's.
const MAX_PARTS: u32 = 10_000;

fn session(u: &Upload) -> Value {
    json!({"id": u.id, "account": ACCOUNT_ID, "parent_id": u.parent, "name": u.name,
           "size": u.size, "part_size": PART_SIZE, "parallel_uploads": true,
           "parts": u.parts.keys().collect::<Vec<_>>(), "api": "storage", "type": "multipart"})
}

/// Stores a finished upload under `name` in `parent`: a taken name is replaced with
/// `overwrite`, else the file gets a free name; an `add` event.
pub(crate) fn store_file(
    s: &mut Store,
    parent: &str,
    name: &str,
    blob: Blob,
    overwrite: bool,
    raw: bool,
) -> Value {
    let t = now();
    let existing = s.child_named(parent, name).cloned();
    let node = match existing {
        Some(e) if overwrite && e.blob.is_some() => Node {
            blob: Some(blob),
            modified: t,
            ..e
        },
        other => Node {
            id: new_id("f"),
            name: if other.is_some() {
                s.free_name(parent, name)
            } else {
                name.to_owned()
            },
            parent: Some(parent.to_owned()),
            blob: Some(blob),
            created: t.clone(),
            modified: t,
        },
    };
    let out = s.json(&node, raw);
    s.nodes.modify().insert(node.id.clone(), node);
    s.event("add", out.clone());
    out
}

fn target(s: &Store, v: &Value) -> Result<(String, String), Response> {
    let Some(name) = v["name"].as_str().filter(|n| !n.is_empty()) else {
        return Err(bad("name is required"));
    };
    let parent = v["parent_id"].as_str().unwrap_or("root");
    if s.nodes.get(parent).is_none_or(|n| n.blob.is_some()) {
        return Err(not_found());
    }
    Ok((parent.to_owned(), name.to_owned()))
}

pub(crate) async fn handle(
    app: &App,
    method: &Method,
    rest: &[&str],
    query: &[(String, String)],
    body: AxBody,
) -> Response {
    let id = |x: &str| x.parse::<u64>().ok();
    match (method, rest) {
        (&Method::POST, []) => {
            let v = json_body!(body);
            let size = match &v["size"] {
                Value::Null => None,
                x => match x.as_u64() {
                    Some(n) => Some(n),
                    None => return bad("size must be a non-negative integer"),
                },
            };
            let mut s = app.lock();
            let (parent, name) = match target(&s, &v) {
                Ok(t) => t,
                Err(r) => return r,
            };
            s.next += 1;
            let u = Upload {
                id: s.next,
                parent,
                name,
                size,
                overwrite: flag(query, "overwrite"),
                parts: Default::default(),
            };
            let out = session(&u);
            s.uploads.insert(u.id, u);
            json_resp(StatusCode::CREATED, out)
        }
        (&Method::GET, [x]) => match id(x).and_then(|i| app.lock().uploads.get(&i).map(session)) {
            Some(v) => json_resp(StatusCode::OK, v),
            None => not_found(),
        },
        (&Method::PUT, [x]) => {
            let Some(uid) = id(x).filter(|i| app.lock().uploads.contains_key(i)) else {
                return not_found();
            };
            let part = match q(query, "part_number").map(str::parse::<u32>) {
                Some(Ok(n)) if (1..=MAX_PARTS).contains(&n) => n,
                _ => return bad("part_number must be an integer from 1 to 10000"),
            };
            let blob = match app.blobs.put_stream(body.into_data_stream()).await {
                Ok(b) => b,
                Err(e) => return bad(&format!("upload interrupted: {e}")),
            };
            match app.lock().uploads.get_mut(&uid) {
                // A part sent again replaces the one before (a retried part is harmless).
                Some(u) => {
                    u.parts.insert(part, blob);
                }
                None => return not_found(),
            }
            json_resp(
                StatusCode::OK,
                json!({"success": true, "part_number": part}),
            )
        }
        (&Method::POST, [x, "complete"]) => {
            let Some(u) = id(x).and_then(|i| app.lock().uploads.get(&i).cloned()) else {
                return not_found();
            };
            if u.parts.is_empty() {
                return bad("no part was uploaded");
            }
            if let Some((i, _)) = (1..).zip(u.parts.keys()).find(|(i, k)| i != *k) {
                return bad(&format!("part {i} is missing"));
            }
            let total: u64 = u.parts.values().map(Blob::len).sum();
            if u.size.is_some_and(|n| n != total) {
                return bad(&format!(
                    "the parts hold {total} bytes, the upload announced {}",
                    u.size.unwrap_or_default()
                ));
            }
            let parts: Vec<Blob> = u.parts.values().cloned().collect();
            let whole = futures::stream::iter(parts).flat_map(|b| b.stream(0, b.len()));
            let blob = match app.blobs.put_stream(whole).await {
                Ok(b) => b,
                Err(e) => return bad(&format!("could not join the parts: {e}")),
            };
            let mut s = app.lock();
            if s.uploads.remove(&u.id).is_none() {
                return not_found();
            }
            if s.nodes.get(&u.parent).is_none_or(|n| n.blob.is_some()) {
                return not_found();
            }
            let out = store_file(&mut s, &u.parent, &u.name, blob, u.overwrite, false);
            json_resp(StatusCode::CREATED, out)
        }
        (&Method::DELETE, [x]) => match id(x).and_then(|i| app.lock().uploads.remove(&i)) {
            Some(_) => StatusCode::NO_CONTENT.into_response(),
            None => not_found(),
        },
        _ => not_found(),
    }
}

/// `POST storage/files/upload_url` JSON `{"parent_id", "name"}`: a URL to `PUT` the bytes to
/// once, without credentials (as a pre-signed S3 URL), valid for an hour.
pub(crate) async fn upload_url(app: &App, body: AxBody, base: &str) -> Response {
    let v = json_body!(body);
    let mut s = app.lock();
    let (parent, name) = match target(&s, &v) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let token = new_id("up");
    s.upload_urls.insert(token.clone(), (parent, name));
    let expires = (chrono::Utc::now() + chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    json_resp(
        StatusCode::OK,
        json!({"url": format!("{base}upload/{token}"), "expiration": expires,
               "api": "storage", "type": "upload_url"}),
    )
}

/// `PUT /upload/<token>`: the bytes of an upload URL, stored once (200 with an empty body,
/// as S3 answers); a used or unknown token is a 404.
pub(crate) async fn put_upload(
    State(app): State<Arc<App>>,
    Path(token): Path<String>,
    body: AxBody,
) -> Response {
    if !app.lock().upload_urls.contains_key(&token) {
        return not_found();
    }
    let blob = match app.blobs.put_stream(body.into_data_stream()).await {
        Ok(b) => b,
        Err(e) => return bad(&format!("upload interrupted: {e}")),
    };
    let mut s = app.lock();
    let Some((parent, name)) = s.upload_urls.remove(&token) else {
        return not_found();
    };
    if s.nodes.get(&parent).is_none_or(|n| n.blob.is_some()) {
        return not_found();
    }
    store_file(&mut s, &parent, &name, blob, false, false);
    StatusCode::OK.into_response()
}
