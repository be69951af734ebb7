//! The Orange Cloud France routes (`/cloud/v1/…`) of the API host and the upload host (one
//! listener serves both).
// Handlers return early with a ready `Response` as the error: its size does not matter here.
#![allow(clippy::result_large_err)]

use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use cloud_core::emulator::axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use cloud_core::emulator::axum::http::HeaderMap;
use cloud_core::emulator::axum::response::{IntoResponse, Response};
use cloud_core::emulator::axum::routing::{get, post};
use cloud_core::emulator::axum::{Json, Router};
use cloud_core::emulator::{serve_blob, BlobStore, OAuth2Server};
use http::StatusCode;
use serde_json::{json, Value};

use super::state::{
    child_path, children_of, descendants_of, file_type, id_of, name_of, now, parent_of, path_of,
    Entry, State as Tree,
};

pub(crate) struct App {
    pub state: Mutex<Tree>,
    pub blobs: BlobStore,
    pub oauth: OAuth2Server,
}

impl App {
    pub fn lock(&self) -> MutexGuard<'_, Tree> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

type S = State<Arc<App>>;
type Q = Query<Vec<(String, String)>>;

fn api_error(status: StatusCode, code: u32, message: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"code": code, "message": message, "description": description})),
    )
        .into_response()
}

fn not_found() -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        60,
        "Resource not found",
        "No item has this id",
    )
}

fn conflict(name: &str) -> Response {
    api_error(
        StatusCode::CONFLICT,
        24,
        "Invalid body field",
        &format!("An item named {name} already exists"),
    )
}

/// API host: an expired or unknown token is `41 Invalid credentials` (the body the client
/// refreshes on).
fn check_api(app: &App, headers: &HeaderMap) -> Result<(), Response> {
    app.oauth.check(headers).map_err(|_| {
        api_error(
            StatusCode::UNAUTHORIZED,
            41,
            "Invalid credentials",
            "The access token is invalid or expired",
        )
    })
}

/// Upload host: its own token error shape.
fn check_upload(app: &App, headers: &HeaderMap) -> Result<(), Response> {
    app.oauth.check(headers).map_err(|_| {
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": {"code": "PDK_RP_0004", "label": "INVALID_TOKEN", "details": "OIDC rejected the token"}})),
        )
            .into_response()
    })
}

macro_rules! auth {
    ($app:expr, $h:expr) => {
        if let Err(r) = check_api(&$app, &$h) {
            return r;
        }
    };
}

fn base(headers: &HeaderMap) -> String {
    format!(
        "http://{}",
        headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1")
    )
}

fn q<'a>(query: &'a [(String, String)], k: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(k))
        .map(|(_, v)| v.as_str())
}

fn flag(query: &[(String, String)], k: &str) -> bool {
    q(query, k).is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1"))
}

fn folder_path(id: &str) -> Option<String> {
    path_of(id).filter(|p| p == "/" || p.ends_with('/'))
}

/// The folder an id names, or the root when there is none.
fn folder_or_root(id: Option<&str>) -> Result<String, Response> {
    match id {
        Some(id) => folder_path(id).ok_or_else(not_found),
        None => Ok("/".to_owned()),
    }
}

fn file_path(id: &str) -> Option<String> {
    path_of(id).filter(|p| p != "/" && !p.ends_with('/'))
}

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/cloud/v1/freespace", get(freespace))
        .route("/cloud/v1/folders", get(root_folder).post(create_folder))
        .route(
            "/cloud/v1/folders/{id}",
            get(get_folder).post(update_folder).delete(delete_folder),
        )
        .route("/cloud/v1/files/content", post(upload))
        .route(
            "/cloud/v1/files/{id}",
            get(get_file).post(update_file).delete(delete_file),
        )
        .route("/cloud/v1/files/{id}/content/{tok}", get(download))
        .route("/cloud/v1/files/{id}/preview/{tok}", get(download))
        .route("/cloud/v1/files/{id}/thumb/{tok}", get(download))
        .layer(DefaultBodyLimit::disable())
        .with_state(app)
}

async fn freespace(State(app): S, headers: HeaderMap) -> Response {
    auth!(app, headers);
    let s = app.lock();
    Json(json!({"freespace": s.quota.saturating_sub(s.used())})).into_response()
}

fn listing(s: &mut Tree, path: &str, query: &[(String, String)], headers: &HeaderMap) -> Response {
    if !s.entries.contains_key(path) {
        return not_found();
    }
    let urls = q(query, "showthumbnails").is_some();
    let (flat, tree) = (flag(query, "flat"), flag(query, "tree"));
    let filter = q(query, "filter").map(str::to_ascii_lowercase);
    // The folder's folders and (filtered) files, kept until the tree changes.
    let key = format!("{path}\n{flat}\n{tree}\n{filter:?}");
    let generation = s.entries.generation();
    let Tree {
        entries,
        listed_folders,
        listed_files,
        ..
    } = s;
    let items = || {
        if flat {
            descendants_of(entries, path)
        } else {
            children_of(entries, path)
        }
    };
    let folder_paths = listed_folders.get_or(&key, generation, || {
        items().into_iter().filter(|p| p.ends_with('/')).collect()
    });
    let file_paths = listed_files.get_or(&key, generation, || {
        if tree {
            return Vec::new();
        }
        items()
            .into_iter()
            .filter(|p| !p.ends_with('/'))
            .filter(|p| {
                let kind = entries
                    .get(p.as_str())
                    .map_or("FILE", |e| file_type(&e.mime));
                match filter.as_deref() {
                    None => true,
                    Some("image") => kind == "PICTURE",
                    Some("video") => kind == "VIDEO",
                    Some("audio") => kind == "AUDIO",
                    Some(_) => kind == "FILE",
                }
            })
            .collect()
    });
    let s = &*s;
    let b = base(headers);
    let offset: usize = q(query, "offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    let limit: usize = q(query, "limit").and_then(|l| l.parse().ok()).unwrap_or(0);
    // Cut before rendering: a page of a large folder renders only its own entries.
    fn cut(v: &[String], offset: usize, limit: usize) -> &[String] {
        let v = v.get(offset..).unwrap_or(&[]);
        if limit > 0 {
            v.get(..limit).unwrap_or(v)
        } else {
            v
        }
    }
    let folders: Vec<Value> = cut(&folder_paths, offset, limit)
        .iter()
        .map(|p| Tree::folder_ref(p))
        .collect();
    let files: Vec<Value> = cut(&file_paths, offset, limit)
        .iter()
        .map(|p| s.file_json(p, &b, urls))
        .collect();
    let id = id_of(path);
    let parent = if path == "/" {
        id.clone()
    } else {
        id_of(&parent_of(path))
    };
    Json(json!({"id": id, "parentId": parent, "name": name_of(path), "files": files, "subfolders": folders})).into_response()
}

async fn root_folder(State(app): S, headers: HeaderMap, Query(query): Q) -> Response {
    auth!(app, headers);
    listing(&mut app.lock(), "/", &query, &headers)
}

async fn get_folder(
    State(app): S,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(query): Q,
) -> Response {
    auth!(app, headers);
    match folder_path(&id) {
        Some(p) => listing(&mut app.lock(), &p, &query, &headers),
        None => not_found(),
    }
}

fn body_json(body: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice(body).map_err(|_| {
        api_error(
            StatusCode::BAD_REQUEST,
            22,
            "Invalid body",
            "The body is not JSON",
        )
    })
}

async fn create_folder(State(app): S, headers: HeaderMap, body: Bytes) -> Response {
    auth!(app, headers);
    let v = match body_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(name) = v["name"]
        .as_str()
        .filter(|n| !n.is_empty() && !n.contains('/'))
    else {
        return api_error(
            StatusCode::BAD_REQUEST,
            23,
            "Missing body field",
            "name is required",
        );
    };
    let parent = match folder_or_root(v["parentFolderId"].as_str()) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut s = app.lock();
    if !s.entries.contains_key(&parent) {
        return not_found();
    }
    let path = child_path(&parent, name, true);
    if s.entries.contains_key(&path) {
        return conflict(name);
    }
    let t = now();
    s.entries.modify().insert(
        path.clone(),
        Entry {
            blob: None,
            mime: String::new(),
            created: t.clone(),
            modified: t,
        },
    );
    (
        StatusCode::CREATED,
        Json(json!({"id": id_of(&path), "parentId": id_of(&parent), "name": name, "files": [], "subfolders": []})),
    )
        .into_response()
}

/// Moves or copies `src` (and, for a folder, everything below) to `dst`.
fn relocate(s: &mut Tree, src: &str, dst: &str, keep: bool) {
    let mut moved = vec![src.to_owned()];
    if src.ends_with('/') {
        moved.extend(s.descendants(src));
    }
    for p in moved {
        let Some(e) = s.entries.get(&p).cloned() else {
            continue;
        };
        let new_path = format!("{dst}{}", &p[src.len()..]);
        if !keep {
            s.entries.modify().remove(&p);
        }
        s.entries.modify().insert(
            new_path,
            Entry {
                modified: now(),
                ..e
            },
        );
    }
}

/// `POST /folders/{id}` or `/files/{id}`: move (`parentFolderId`), rename (`name`), copy
/// (`parentFolderId` + `clone`).
fn update(app: &App, path: &str, v: &Value) -> Response {
    let folder = path.ends_with('/');
    let mut s = app.lock();
    if path == "/" || !s.entries.contains_key(path) {
        return not_found();
    }
    let clone = v["clone"].as_bool().unwrap_or(false);
    let (dir, name) = if let Some(dest) = v["parentFolderId"].as_str() {
        let Some(d) = folder_path(dest).filter(|d| s.entries.contains_key(d)) else {
            return not_found();
        };
        if folder && d.starts_with(path) {
            return api_error(
                StatusCode::BAD_REQUEST,
                24,
                "Invalid body field",
                "A folder cannot go inside itself",
            );
        }
        let n = s.free_name(&d, &name_of(path), folder);
        (d, n)
    } else if let Some(new_name) = v["name"]
        .as_str()
        .filter(|n| !n.is_empty() && !n.contains('/'))
    {
        let d = parent_of(path);
        if s.entries.contains_key(&child_path(&d, new_name, folder)) {
            return conflict(new_name);
        }
        (d, new_name.to_owned())
    } else {
        return api_error(
            StatusCode::BAD_REQUEST,
            23,
            "Missing body field",
            "name or parentFolderId is required",
        );
    };
    let dst = child_path(&dir, &name, folder);
    if dst != path {
        relocate(&mut s, path, &dst, clone);
    }
    Json(json!({"id": id_of(&dst), "name": name, "parentId": id_of(&dir)})).into_response()
}

async fn update_folder(
    State(app): S,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    auth!(app, headers);
    let v = match body_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    match folder_path(&id) {
        Some(p) => update(&app, &p, &v),
        None => not_found(),
    }
}

async fn update_file(
    State(app): S,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    auth!(app, headers);
    let v = match body_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    match file_path(&id) {
        Some(p) => update(&app, &p, &v),
        None => not_found(),
    }
}

fn remove(app: &App, path: Option<String>) -> Response {
    let Some(path) = path.filter(|p| p != "/") else {
        return not_found();
    };
    let mut s = app.lock();
    if !s.entries.contains_key(&path) {
        return not_found();
    }
    let mut gone = vec![path.clone()];
    if path.ends_with('/') {
        gone.extend(s.descendants(&path));
    }
    for p in gone {
        s.entries.modify().remove(&p);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn delete_folder(State(app): S, Path(id): Path<String>, headers: HeaderMap) -> Response {
    auth!(app, headers);
    remove(&app, folder_path(&id))
}

async fn delete_file(State(app): S, Path(id): Path<String>, headers: HeaderMap) -> Response {
    auth!(app, headers);
    remove(&app, file_path(&id))
}

async fn get_file(State(app): S, Path(id): Path<String>, headers: HeaderMap) -> Response {
    auth!(app, headers);
    let s = app.lock();
    match file_path(&id).filter(|p| s.entries.contains_key(p)) {
        Some(p) => Json(s.file_json(&p, &base(&headers), true)).into_response(),
        None => not_found(),
    }
}

async fn download(
    State(app): S,
    Path((id, _tok)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    auth!(app, headers);
    let (blob, mime) = {
        let s = app.lock();
        match file_path(&id).and_then(|p| s.entries.get(&p).cloned()) {
            Some(Entry {
                blob: Some(b),
                mime,
                ..
            }) => (b, mime),
            _ => return not_found(),
        }
    };
    serve_blob(&blob, &headers, &mime)
}

async fn upload(State(app): S, headers: HeaderMap, mut mp: Multipart) -> Response {
    if let Err(r) = check_upload(&app, &headers) {
        return r;
    }
    let mut desc: Option<Value> = None;
    let mut stored = None;
    while let Ok(Some(field)) = mp.next_field().await {
        match field.name() {
            Some("description") => {
                let text = field.text().await.unwrap_or_default();
                desc = serde_json::from_str(&text).ok();
            }
            Some("file") => {
                let mime = field
                    .content_type()
                    .map(str::to_owned)
                    .unwrap_or_else(|| "application/octet-stream".into());
                match app.blobs.put_stream(field).await {
                    Ok(b) => stored = Some((b, mime)),
                    Err(e) => {
                        return api_error(
                            StatusCode::BAD_REQUEST,
                            22,
                            "Invalid body",
                            &format!("upload interrupted: {e}"),
                        )
                    }
                }
            }
            _ => {}
        }
    }
    let (Some(desc), Some((blob, mime))) = (desc, stored) else {
        return api_error(
            StatusCode::BAD_REQUEST,
            21,
            "Missing body",
            "description and file parts are required",
        );
    };
    let Some(name) = desc["name"]
        .as_str()
        .filter(|n| !n.is_empty() && !n.contains('/'))
    else {
        return api_error(
            StatusCode::BAD_REQUEST,
            23,
            "Missing body field",
            "description.name is required",
        );
    };
    if desc["size"].as_str() != Some(&blob.len().to_string()) {
        return api_error(
            StatusCode::BAD_REQUEST,
            24,
            "Invalid body field",
            "description.size does not match the bytes received",
        );
    }
    let dir = match folder_or_root(desc["folder"].as_str()) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut s = app.lock();
    if !s.entries.contains_key(&dir) {
        return not_found();
    }
    if s.used() + blob.len() > s.quota {
        return api_error(StatusCode::FORBIDDEN, 50, "Access denied", "Quota exceeded");
    }
    let stored_name = s.free_name(&dir, name, false);
    let path = child_path(&dir, &stored_name, false);
    let t = now();
    s.entries.modify().insert(
        path.clone(),
        Entry {
            blob: Some(blob),
            mime,
            created: t.clone(),
            modified: t,
        },
    );
    (
        StatusCode::CREATED,
        Json(json!({"fileId": id_of(&path), "fileName": stored_name})),
    )
        .into_response()
}
