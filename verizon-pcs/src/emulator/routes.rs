//! The Verizon Cloud API routes under `/cloud/1`.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine;
use cloud_core::emulator::axum::body::Body;
use cloud_core::emulator::axum::extract::{Path, Query, State};
use cloud_core::emulator::axum::http::HeaderMap;
use cloud_core::emulator::axum::response::{IntoResponse, Response};
use cloud_core::emulator::axum::routing::{get, post};
use cloud_core::emulator::axum::{Json, Router};
use cloud_core::emulator::{serve_blob, Blob, BlobStore, OAuth2Server};
use futures::StreamExt;
use http::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::state::{
    file_json, folder_json, join, mime_for, name_of, node_json, parent_of, within, Node,
    State as Tree, Upload,
};

/// The largest un-chunked upload and the largest chunk (100 MiB).
const MAX_SINGLE: u64 = 104_857_600;

pub(crate) struct App {
    pub state: Mutex<Tree>,
    pub blobs: BlobStore,
    pub oauth: OAuth2Server,
}

type S = State<Arc<App>>;
type Q = Query<HashMap<String, String>>;

impl App {
    fn lock(&self) -> MutexGuard<'_, Tree> {
        // A panic while holding the lock cannot leave the tree half-changed in a way that
        // matters more than stopping: recover the guard.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn err(status: StatusCode, code: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": code, "error_description": description})),
    )
        .into_response()
}

fn not_found() -> Response {
    err(StatusCode::NOT_FOUND, "not_found", "path not found")
}

fn ok_json(status: StatusCode, v: Value) -> Response {
    (status, Json(v)).into_response()
}

/// Bearer header, or (for downloads) the `access-token` query parameter.
#[allow(clippy::result_large_err)]
fn authorized(
    app: &App,
    headers: &HeaderMap,
    query: Option<&HashMap<String, String>>,
) -> Result<(), Response> {
    if app.oauth.check(headers).is_ok() {
        return Ok(());
    }
    if let Some(t) = query.and_then(|q| q.get("access-token")) {
        if app.oauth.check_token(t).is_ok() {
            return Ok(());
        }
    }
    Err(err(
        StatusCode::UNAUTHORIZED,
        "invalid_token",
        "The access token is invalid or has expired",
    ))
}

macro_rules! auth {
    ($app:expr, $headers:expr) => {
        if let Err(r) = authorized(&$app, &$headers, None) {
            return r;
        }
    };
}

fn abs(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else if trimmed.starts_with('/') {
        trimmed.to_owned()
    } else {
        format!("/{trimmed}")
    }
}

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/cloud/1/account", get(account))
        .route("/cloud/1/metadata", get(metadata_root))
        .route("/cloud/1/metadata/", get(metadata_root))
        .route("/cloud/1/metadata/{*path}", get(metadata))
        .route("/cloud/1/fullview", get(fullview))
        .route("/cloud/1/search", get(search))
        .route("/cloud/1/files/{*path}", get(download).delete(delete))
        .route("/cloud/1/fileupload/intent", get(intent))
        .route("/cloud/1/upload/{id}", post(upload))
        .route("/cloud/1/commit/{id}", post(commit))
        .route("/cloud/1/createfolder", post(create_folder))
        .route("/cloud/1/copy", post(copy))
        .route("/cloud/1/move", post(move_))
        .route("/cloud/1/rename", post(rename))
        .route("/cloud/1/trash", get(trash_list).delete(trash_empty))
        .route("/cloud/1/trash/restore", post(restore))
        .with_state(app)
}

async fn account(State(app): S, headers: HeaderMap) -> Response {
    auth!(app, headers);
    let s = app.lock();
    ok_json(
        StatusCode::OK,
        json!({"usage": {"quota": s.quota, "quotaUsed": s.used()}, "alias": "15550100000", "id": "emulator-user"}),
    )
}

fn listing(s: &Tree, path: &str) -> Response {
    if s.is_folder(path) {
        let (mut files, mut folders) = (Vec::new(), Vec::new());
        for (p, n) in s.children(path) {
            match &n {
                Node::File(_) => files.push(node_json(&p, &n, false)),
                Node::Folder(_) => folders.push(node_json(&p, &n, false)),
            }
        }
        let mut folder = match s.nodes.get(path) {
            Some(Node::Folder(f)) => folder_json(path, f, false),
            _ => json!({"name": "", "parentPath": ""}),
        };
        folder["file"] = json!(files);
        folder["folder"] = json!(folders);
        return ok_json(StatusCode::OK, json!({ "folder": folder }));
    }
    match s.nodes.get(path) {
        Some(Node::File(f)) => ok_json(StatusCode::OK, json!({"file": file_json(path, f, false)})),
        _ if s.in_trash(path) => err(StatusCode::GONE, "gone", "the item is in the trash"),
        _ => not_found(),
    }
}

async fn metadata_root(State(app): S, headers: HeaderMap) -> Response {
    auth!(app, headers);
    listing(&app.lock(), "/")
}

async fn metadata(State(app): S, Path(path): Path<String>, headers: HeaderMap) -> Response {
    auth!(app, headers);
    listing(&app.lock(), &abs(&path))
}

fn encode_etag(seq: u64) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("fullview:{seq}"))
}

fn decode_etag(etag: &str) -> Option<u64> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(etag.trim())
        .ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("fullview:")?
        .parse()
        .ok()
}

async fn fullview(State(app): S, headers: HeaderMap, Query(q): Q) -> Response {
    auth!(app, headers);
    let s = app.lock();
    let vf = q
        .get("virtualfolder")
        .filter(|v| !v.is_empty() && *v != "*")
        .map(|v| format!("/{v}"));
    let in_scope = |p: &str| vf.as_ref().is_none_or(|root| within(p, root));
    let etag_header = headers.get("X-Header-ETag").and_then(|v| v.to_str().ok());
    let (mut files, mut folders, mut deleted) = (Vec::new(), Vec::new(), Vec::new());
    match etag_header {
        None => {
            for (p, n) in &s.nodes {
                if !in_scope(p) {
                    continue;
                }
                match n {
                    Node::File(f) => files.push(file_json(p, f, false)),
                    Node::Folder(f) if !s.has_children(p) => folders.push(folder_json(p, f, false)),
                    Node::Folder(_) => {}
                }
            }
        }
        Some(etag) => {
            // Unknown, garbage, or older than the journal keeps: too far out of sync (205).
            let Some(pos) = decode_etag(etag).filter(|p| *p <= s.seq && *p >= s.floor) else {
                return err(
                    StatusCode::RESET_CONTENT,
                    "out_of_sync",
                    "too many changes since this etag: call fullview again with no etag",
                );
            };
            if pos == s.seq {
                return StatusCode::PRECONDITION_FAILED.into_response();
            }
            let changed: BTreeSet<&str> = s
                .journal
                .iter()
                .filter(|(seq, _)| *seq > pos)
                .map(|(_, p)| p.as_str())
                .collect();
            for p in changed {
                if !in_scope(p) {
                    continue;
                }
                match s.nodes.get(p) {
                    Some(Node::File(f)) => files.push(file_json(p, f, false)),
                    Some(Node::Folder(f)) if !s.has_children(p) => {
                        folders.push(folder_json(p, f, false))
                    }
                    Some(Node::Folder(_)) => {}
                    None => deleted.push(p.to_owned()),
                }
            }
        }
    }
    let body = json!({"data": {"file": files, "folder": folders, "deleted": {"path": deleted}}});
    let mut resp = ok_json(StatusCode::OK, body);
    if let Ok(v) = http::HeaderValue::from_str(&encode_etag(s.seq)) {
        resp.headers_mut().insert("X-Header-ETag", v);
    }
    resp
}

/// One search term: `name:x`, `extension:x` or a bare `x`.
fn matches(term: &str, path: &str, is_file: bool) -> bool {
    let name = name_of(path).to_lowercase();
    let (field, value) = term.split_once(':').unwrap_or(("", term));
    let value = value.trim_matches('"').to_lowercase();
    let parts: Vec<&str> = value.split('*').filter(|s| !s.is_empty()).collect();
    let glob = |hay: &str| {
        let mut at = 0;
        parts.iter().all(|p| match hay[at..].find(p) {
            Some(i) => {
                at += i + p.len();
                true
            }
            None => false,
        })
    };
    match field {
        "extension" => is_file && name.rsplit_once('.').is_some_and(|(_, e)| e == value),
        _ => glob(&name),
    }
}

fn sort_key(field: &str, path: &str, n: &Node) -> (String, u64) {
    match (field, n) {
        ("size", Node::File(f)) => (String::new(), f.blob.len()),
        ("versionCreated", Node::File(f)) => (f.version_created.clone(), 0),
        ("versionCreated", Node::Folder(f)) => (f.version_created.clone(), 0),
        ("extension", _) => (
            name_of(path)
                .rsplit_once('.')
                .map(|(_, e)| e.to_lowercase())
                .unwrap_or_default(),
            0,
        ),
        _ => (name_of(path).to_lowercase(), 0),
    }
}

async fn search(State(app): S, headers: HeaderMap, Query(q): Q) -> Response {
    auth!(app, headers);
    let query = q.get("query").cloned().unwrap_or_default();
    let vf = q.get("virtualfolder").cloned().unwrap_or_default();
    if query.trim().is_empty() || vf.is_empty() {
        return err(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "query and virtualfolder are required",
        );
    }
    let page: usize = q
        .get("page")
        .or_else(|| q.get("start"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let count: usize = q.get("count").and_then(|v| v.parse().ok()).unwrap_or(20);
    if page < 1 || !(1..=100).contains(&count) {
        return err(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "page must be >= 1 and count 1..100",
        );
    }
    // `name+asc` arrives as `name asc` when the `+` was not encoded: accept both.
    let sort = q
        .get("sort")
        .cloned()
        .unwrap_or_else(|| "name+asc".into())
        .replace(' ', "+");
    let (field, dir) = sort.split_once('+').unwrap_or((sort.as_str(), "asc"));
    let terms: Vec<&str> = query.split_whitespace().collect();
    let root = (vf != "*").then(|| format!("/{vf}"));
    let key = format!("{query}\n{vf}\n{sort}");
    let mut s = app.lock();
    // Field by field through the guard, so that the cache and the nodes borrow apart.
    let st = &mut *s;
    let (seq, nodes) = (st.seq, &st.nodes);
    let hits = st.search_cache.get_or(&key, seq, || {
        let mut hits: Vec<(&String, &Node)> = nodes
            .iter()
            .filter(|(p, _)| root.as_ref().is_none_or(|r| within(p, r) && *p != r))
            .filter(|(p, n)| {
                terms
                    .iter()
                    .all(|t| matches(t, p, matches!(n, Node::File(_))))
            })
            .collect();
        hits.sort_by_cached_key(|(p, n)| (sort_key(field, p, n), (*p).clone()));
        if dir.eq_ignore_ascii_case("desc") {
            hits.reverse();
        }
        hits.into_iter().map(|(p, _)| p.clone()).collect()
    });
    let total = hits.len();
    let (mut files, mut folders) = (Vec::new(), Vec::new());
    for p in hits.iter().skip((page - 1) * count).take(count) {
        match s.nodes.get(p) {
            Some(n @ Node::File(_)) => files.push(node_json(p, n, false)),
            Some(n @ Node::Folder(_)) => folders.push(node_json(p, n, false)),
            None => {}
        }
    }
    ok_json(
        StatusCode::OK,
        json!({"searchResults": {"count": total, "file": files, "folder": folders}}),
    )
}

async fn download(
    State(app): S,
    Path(path): Path<String>,
    headers: HeaderMap,
    Query(q): Q,
) -> Response {
    if let Err(r) = authorized(&app, &headers, Some(&q)) {
        return r;
    }
    let path = abs(&path);
    let blob = match app.lock().nodes.get(&path) {
        Some(Node::File(f)) => f.blob.clone(),
        Some(Node::Folder(_)) => {
            return err(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "a folder has no content",
            )
        }
        None => return not_found(),
    };
    serve_blob(&blob, &headers, mime_for(&path))
}

async fn delete(
    State(app): S,
    Path(path): Path<String>,
    headers: HeaderMap,
    Query(q): Q,
) -> Response {
    auth!(app, headers);
    let path = abs(&path);
    let purge = q
        .get("purge")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let mut s = app.lock();
    if path == "/"
        || !s.nodes.contains_key(&path)
        || super::state::VIRTUAL_FOLDERS
            .iter()
            .any(|v| path == format!("/{v}"))
    {
        return if s.nodes.contains_key(&path) {
            err(
                StatusCode::FORBIDDEN,
                "forbidden",
                "virtual folders cannot be deleted",
            )
        } else {
            not_found()
        };
    }
    let entries = s.remove_subtree(&path);
    if !purge {
        s.trash.push((path, entries));
    }
    StatusCode::NO_CONTENT.into_response()
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

async fn intent(State(app): S, headers: HeaderMap, Query(q): Q) -> Response {
    auth!(app, headers);
    let bad = |m: &str| err(StatusCode::BAD_REQUEST, "invalid_request", m);
    let Some(size) = q.get("size").and_then(|v| v.parse::<u64>().ok()) else {
        return bad("size is required");
    };
    let chunked = match q.get("chunk").map(String::as_str) {
        Some("true") | Some("True") => true,
        Some("false") | Some("False") | None => false,
        Some(_) => return bad("chunk must be true or false"),
    };
    let name = q.get("name").cloned().unwrap_or_default();
    let folder = abs(q.get("path").map(String::as_str).unwrap_or(""));
    let checksum = q.get("checksum").cloned().unwrap_or_default();
    if name.is_empty() || name.contains('/') {
        return bad("name is required and must be one path segment");
    }
    if folder == "/" {
        return bad("uploads to the root are not allowed");
    }
    if !is_hex64(&checksum) {
        return bad("checksum must be a lower-case SHA-256 hex digest");
    }
    if !chunked && size > MAX_SINGLE {
        return bad("files over 100 MB must be uploaded in chunks");
    }
    let host = headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let mut s = app.lock();
    if s.used().saturating_add(size) > s.quota {
        return err(
            StatusCode::PAYLOAD_TOO_LARGE,
            "quota_exceeded",
            "the upload would exceed the quota",
        );
    }
    if matches!(s.nodes.get(&folder), Some(Node::File(_))) {
        return bad("the upload path is a file");
    }
    s.next_id += 1;
    let id = format!("up{}", s.next_id);
    s.uploads.insert(
        id.clone(),
        Upload {
            folder,
            name,
            size,
            checksum,
            chunked,
            chunks: Default::default(),
        },
    );
    let base = format!("http://{host}/cloud/1");
    let mut urls = json!({"uploadurl": format!("{base}/upload/{id}?chunk={chunked}")});
    if chunked {
        urls["commiturl"] = json!(format!("{base}/commit/{id}"));
    }
    ok_json(StatusCode::OK, json!({ "uploadurls": urls }))
}

/// Streams a request body to a blob, hashing it (SHA-256, on a thread of its own while the
/// body is written).
#[allow(clippy::result_large_err)]
async fn store(app: &App, body: Body) -> Result<(Blob, String), Response> {
    let (blob, sum) = app
        .blobs
        .put_stream_digest(body.into_data_stream(), Sha256::new())
        .await
        .map_err(|e| err(StatusCode::BAD_REQUEST, "incomplete_body", &e.to_string()))?;
    Ok((blob, hex(&sum)))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

async fn upload(
    State(app): S,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Q,
    body: Body,
) -> Response {
    // (A refused upload's body is read by cloud-core's server before the 401 goes out.)
    auth!(app, headers);
    let (chunked, want_sum, want_size) = match app.lock().uploads.get(&id) {
        Some(u) => (u.chunked, u.checksum.clone(), u.size),
        None => {
            return err(
                StatusCode::NOT_FOUND,
                "not_found",
                "unknown or finished upload",
            )
        }
    };
    let given = q.get("checksum").cloned().unwrap_or_default();
    let (blob, sum) = match store(&app, body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !chunked {
        if blob.len() != want_size || sum != want_sum || given != want_sum {
            return err(
                StatusCode::BAD_REQUEST,
                "checksum_mismatch",
                "the body does not match the intent's size and checksum",
            );
        }
        let mut s = app.lock();
        let Some(up) = s.uploads.remove(&id) else {
            return err(
                StatusCode::NOT_FOUND,
                "not_found",
                "unknown or finished upload",
            );
        };
        return match s.put_file(&up.folder, &up.name, blob, sum) {
            Ok(file) => ok_json(StatusCode::CREATED, json!({ "file": file })),
            Err(m) => err(StatusCode::CONFLICT, "conflict", m),
        };
    }
    let Some(n) = q
        .get("offset")
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|n| *n >= 1)
    else {
        return err(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "offset (the chunk's sequence number, from 1) is required",
        );
    };
    // The SDK sends the whole file's checksum on every chunk; the API documents the chunk's own.
    if given != want_sum && given != sum {
        return err(
            StatusCode::BAD_REQUEST,
            "checksum_mismatch",
            "the chunk matches neither checksum",
        );
    }
    if blob.len() > MAX_SINGLE {
        return err(
            StatusCode::PAYLOAD_TOO_LARGE,
            "chunk_too_large",
            "chunks are at most 100 MB",
        );
    }
    match app.lock().uploads.get_mut(&id) {
        Some(up) => {
            up.chunks.insert(n, blob);
        }
        None => {
            return err(
                StatusCode::NOT_FOUND,
                "not_found",
                "unknown or finished upload",
            )
        }
    }
    ok_json(StatusCode::CREATED, json!({}))
}

async fn commit(State(app): S, Path(id): Path<String>, headers: HeaderMap) -> Response {
    auth!(app, headers);
    let (chunks, folder, name, size, checksum) = {
        let s = app.lock();
        match s.uploads.get(&id) {
            Some(u) if u.chunked => (
                u.chunks
                    .iter()
                    .map(|(n, b)| (*n, b.clone()))
                    .collect::<Vec<_>>(),
                u.folder.clone(),
                u.name.clone(),
                u.size,
                u.checksum.clone(),
            ),
            Some(_) => {
                return err(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "not a chunked upload",
                )
            }
            None => {
                return err(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "unknown or finished upload",
                )
            }
        }
    };
    if chunks
        .iter()
        .enumerate()
        .any(|(i, (n, _))| *n as usize != i + 1)
    {
        return err(
            StatusCode::BAD_REQUEST,
            "missing_chunk",
            "chunks must be numbered 1..N without gaps",
        );
    }
    let parts: Vec<Blob> = chunks.into_iter().map(|(_, b)| b).collect();
    let stream = futures::stream::iter(parts).flat_map(|b| {
        let len = b.len();
        b.stream(0, len)
    });
    let (blob, sum) = match store(&app, Body::from_stream(stream)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if blob.len() != size || sum != checksum {
        return err(
            StatusCode::BAD_REQUEST,
            "checksum_mismatch",
            "the assembled file does not match the intent",
        );
    }
    let mut s = app.lock();
    s.uploads.remove(&id);
    match s.put_file(&folder, &name, blob, sum) {
        Ok(file) => ok_json(StatusCode::CREATED, json!({ "file": file })),
        Err(m) => err(StatusCode::CONFLICT, "conflict", m),
    }
}

async fn create_folder(State(app): S, headers: HeaderMap, Query(q): Q) -> Response {
    auth!(app, headers);
    let parent = abs(q.get("path").map(String::as_str).unwrap_or(""));
    let name = q.get("name").cloned().unwrap_or_default();
    if name.is_empty() || name.contains('/') {
        return err(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "name must be one path segment",
        );
    }
    let path = join(&parent, &name);
    let mut s = app.lock();
    if s.nodes.contains_key(&path) {
        return err(
            StatusCode::CONFLICT,
            "conflict",
            "an item already has that path",
        );
    }
    if let Err(m) = s.ensure_folders(&path) {
        return err(StatusCode::CONFLICT, "conflict", m);
    }
    match s.nodes.get(&path) {
        Some(n) => ok_json(
            StatusCode::CREATED,
            json!({"folder": node_json(&path, n, false)}),
        ),
        None => err(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "folder not created",
        ),
    }
}

/// A free name like `name (1).ext` in `folder`.
fn free_name(s: &Tree, folder: &str, name: &str) -> String {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((a, b)) if !a.is_empty() => (a.to_owned(), format!(".{b}")),
        _ => (name.to_owned(), String::new()),
    };
    (1..)
        .map(|i| format!("{stem} ({i}){ext}"))
        .find(|n| !s.nodes.contains_key(&join(folder, n)))
        .unwrap_or_else(|| name.to_owned())
}

/// Copies or moves the subtree at `src` to `dest`.
fn relocate(s: &mut Tree, src: &str, dest: &str, keep_source: bool) -> Response {
    let entries = if keep_source {
        s.subtree(src)
    } else {
        s.remove_subtree(src)
    };
    let now = super::state::now();
    for (p, n) in entries {
        let new_path = format!("{dest}{}", &p[src.len()..]);
        let n = match (n, keep_source) {
            (Node::File(mut f), true) => {
                f.version = 1;
                f.version_created = now.clone();
                s.next_id += 1;
                f.content_token = format!("ct-{}", s.next_id);
                Node::File(f)
            }
            (other, _) => other,
        };
        s.nodes.insert(new_path.clone(), n);
        s.record(&new_path);
    }
    match s.nodes.get(dest) {
        Some(n @ Node::File(_)) => {
            ok_json(StatusCode::OK, json!({"file": node_json(dest, n, false)}))
        }
        Some(n) => ok_json(StatusCode::OK, json!({"folder": node_json(dest, n, false)})),
        None => err(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "nothing relocated",
        ),
    }
}

fn src_target(app: &App, q: &HashMap<String, String>, keep_source: bool, rename: bool) -> Response {
    let src = abs(q.get("src").map(String::as_str).unwrap_or(""));
    let target = q.get("target").cloned().unwrap_or_default();
    if target.is_empty() {
        return err(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "target is required",
        );
    }
    let mut s = app.lock();
    if src == "/" || !s.nodes.contains_key(&src) {
        return not_found();
    }
    if parent_of(&src) == "/" {
        return err(
            StatusCode::FORBIDDEN,
            "forbidden",
            "virtual folders cannot be copied, moved or renamed",
        );
    }
    let (folder, mut name) = if rename {
        if target.contains('/') {
            return err(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "target must be a name",
            );
        }
        (parent_of(&src), target)
    } else {
        (abs(&target), name_of(&src).to_owned())
    };
    if folder == "/" {
        return err(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "items cannot be placed at the root",
        );
    }
    let mut dest = join(&folder, &name);
    if within(&folder, &src) {
        return err(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "a folder cannot go inside itself",
        );
    }
    if dest == src {
        return if keep_source {
            err(
                StatusCode::CONFLICT,
                "conflict",
                "an item already has that path",
            )
        } else {
            relocate(&mut s, &src, &dest, false)
        };
    }
    if s.nodes.contains_key(&dest) {
        match q.get("conflictsolve").map(String::as_str).unwrap_or("fail") {
            "overwrite" => {
                s.remove_subtree(&dest);
            }
            "rename" => {
                name = free_name(&s, &folder, &name);
                dest = join(&folder, &name);
            }
            _ => {
                return err(
                    StatusCode::CONFLICT,
                    "conflict",
                    "an item already has that path",
                )
            }
        }
    }
    if let Err(m) = s.ensure_folders(&folder) {
        return err(StatusCode::CONFLICT, "conflict", m);
    }
    relocate(&mut s, &src, &dest, keep_source)
}

async fn copy(State(app): S, headers: HeaderMap, Query(q): Q) -> Response {
    auth!(app, headers);
    src_target(&app, &q, true, false)
}

async fn move_(State(app): S, headers: HeaderMap, Query(q): Q) -> Response {
    auth!(app, headers);
    src_target(&app, &q, false, false)
}

async fn rename(State(app): S, headers: HeaderMap, Query(q): Q) -> Response {
    auth!(app, headers);
    src_target(&app, &q, false, true)
}

async fn trash_list(State(app): S, headers: HeaderMap) -> Response {
    auth!(app, headers);
    let s = app.lock();
    let (mut files, mut folders) = (Vec::new(), Vec::new());
    for (root, entries) in &s.trash {
        if let Some((p, n)) = entries.iter().find(|(p, _)| p == root) {
            match n {
                Node::File(_) => files.push(node_json(p, n, true)),
                Node::Folder(_) => folders.push(node_json(p, n, true)),
            }
        }
    }
    ok_json(StatusCode::OK, json!({"file": files, "folder": folders}))
}

async fn trash_empty(State(app): S, headers: HeaderMap) -> Response {
    auth!(app, headers);
    app.lock().trash.clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn restore(State(app): S, headers: HeaderMap, Query(q): Q) -> Response {
    auth!(app, headers);
    let path = abs(q.get("path").map(String::as_str).unwrap_or(""));
    let mut s = app.lock();
    let Some(i) = s.trash.iter().position(|(root, _)| *root == path) else {
        return not_found();
    };
    if s.nodes.contains_key(&path) {
        return err(
            StatusCode::CONFLICT,
            "conflict",
            "an item already has that path",
        );
    }
    if let Err(m) = s.ensure_folders(&parent_of(&path)) {
        return err(StatusCode::CONFLICT, "conflict", m);
    }
    let (_, entries) = s.trash.remove(i);
    for (p, n) in entries {
        s.nodes.insert(p.clone(), n);
        s.record(&p);
    }
    match s.nodes.get(&path) {
        Some(n @ Node::File(_)) => {
            ok_json(StatusCode::OK, json!({"file": node_json(&path, n, false)}))
        }
        Some(n) => ok_json(
            StatusCode::OK,
            json!({"folder": node_json(&path, n, false)}),
        ),
        None => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_and_terms() {
        assert_eq!(decode_etag(&encode_etag(42)), Some(42));
        assert_eq!(decode_etag("garbage"), None);
        assert!(matches("name:beach", "/VZMOBILE/Beach.JPG", true));
        assert!(matches("name:b*h", "/VZMOBILE/beach.jpg", true));
        assert!(matches("extension:jpg", "/VZMOBILE/beach.JPG", true));
        assert!(!matches("extension:jpg", "/VZMOBILE/beach.jpeg", true));
        assert!(!matches("extension:jpg", "/VZMOBILE/x.jpg", false));
        assert!(matches("each", "/VZMOBILE/beach.jpg", true));
    }
}
