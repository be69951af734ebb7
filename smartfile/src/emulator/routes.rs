//! The SmartFile API v2 routes (`/api/<version>/…`) and the OAuth 1.0 endpoints (`/oauth/…`).
// Handlers return early with a ready `Response` as the error: its size does not matter here.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine;
use bytes::Bytes;
use cloud_core::emulator::axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use cloud_core::emulator::axum::http::HeaderMap;
use cloud_core::emulator::axum::response::{IntoResponse, Response};
use cloud_core::emulator::axum::routing::{get, post};
use cloud_core::emulator::axum::{Json, Router};
use cloud_core::emulator::{serve_blob, BlobStore};
use http::StatusCode;
use serde_json::{json, Value};

use super::oauth1::{parse_header, plaintext_ok, Params};
use super::state::{join, mime_of, name_of, normalise, parent_of, State as Tree};

pub(crate) struct App {
    pub state: Mutex<Tree>,
    pub blobs: BlobStore,
    pub key: String,
    pub password: String,
    pub client_token: String,
    pub client_secret: String,
}

impl App {
    pub fn lock(&self) -> MutexGuard<'_, Tree> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

type S = State<Arc<App>>;

pub(crate) fn json_resp(status: StatusCode, v: Value) -> Response {
    (status, Json(v)).into_response()
}

pub(crate) fn detail(status: StatusCode, msg: &str) -> Response {
    json_resp(status, json!({ "detail": msg }))
}

pub(crate) fn field_error(status: StatusCode, field: &str, msg: &str) -> Response {
    json_resp(status, json!({ field: [msg] }))
}

pub(crate) fn base(headers: &HeaderMap) -> String {
    let host = headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}/")
}

/// The OAuth parameters of the request's `Authorization` header (RFC 5849 §3.5.1).
fn oauth_fields(headers: &HeaderMap) -> Option<Params> {
    parse_header(headers.get(http::header::AUTHORIZATION)?.to_str().ok()?)
}

pub(crate) fn check_auth(app: &App, headers: &HeaderMap) -> Result<(), Response> {
    let refused = || {
        let mut r = detail(StatusCode::UNAUTHORIZED, "Invalid username/password.");
        r.headers_mut().insert(
            http::header::WWW_AUTHENTICATE,
            http::HeaderValue::from_static("Basic realm=\"api\""),
        );
        r
    };
    let Some(value) = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Err(refused());
    };
    if let Some(b64) = value.strip_prefix("Basic ") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        return match decoded.as_deref().and_then(|d| d.split_once(':')) {
            Some((k, p)) if k == app.key && p == app.password => Ok(()),
            _ => Err(refused()),
        };
    }
    let f = oauth_fields(headers).ok_or_else(refused)?;
    let token = f.get("oauth_token").unwrap_or_default().to_owned();
    let secret = app.lock().oauth.access.get(&token).cloned();
    let ok = f.get("oauth_consumer_key") == Some(app.client_token.as_str())
        && secret.is_some_and(|s| plaintext_ok(&f, &app.client_secret, &s));
    if ok {
        Ok(())
    } else {
        Err(refused())
    }
}

macro_rules! auth {
    ($app:expr, $h:expr) => {
        if let Err(r) = check_auth(&$app, &$h) {
            return r;
        }
    };
}

fn version_ok(v: &str) -> bool {
    !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.')
}

pub(crate) fn router(app: Arc<App>) -> Router {
    let files = Router::new()
        .route("/api/{v}/ping/", get(ping))
        .route("/api/{v}/whoami/", get(whoami))
        .route("/api/{v}/path/info/", get(info_root))
        .route("/api/{v}/path/info/{*path}", get(info))
        .route("/api/{v}/path/data/", get(data_root).post(upload_root))
        .route("/api/{v}/path/data/{*path}", get(download).post(upload))
        .route("/api/{v}/path/oper/mkdir/", post(mkdir_form))
        .route(
            "/api/{v}/path/oper/mkdir/{*path}",
            cloud_core::emulator::axum::routing::put(mkdir_put),
        )
        .route("/api/{v}/path/oper/move/", post(move_))
        .route("/api/{v}/path/oper/copy/", post(copy))
        .route("/api/{v}/path/oper/remove/", post(remove))
        .route("/api/{v}/path/oper/rename/", post(rename))
        .route("/api/{v}/task/{uuid}/", get(task))
        .route(
            "/oauth/request_token/",
            post(request_token).get(request_token),
        )
        .route("/oauth/authorize/", get(authorize))
        .route("/oauth/access_token/", post(access_token));
    super::accounts::routes(files)
        .layer(DefaultBodyLimit::disable())
        .with_state(app)
}

async fn ping(Path(v): Path<String>) -> Response {
    if !version_ok(&v) {
        return detail(StatusCode::NOT_FOUND, "Not found.");
    }
    json_resp(StatusCode::OK, json!({"ping": "pong"}))
}

async fn whoami(State(app): S, Path(v): Path<String>, headers: HeaderMap) -> Response {
    auth!(app, headers);
    let b = base(&headers);
    json_resp(
        StatusCode::OK,
        json!({
            "username": "emulator", "name": "Emulator User", "first_name": "Emulator", "last_name": "User",
            "email": "emulator@example.invalid", "url": format!("{b}api/{v}/user/emulator/"),
            "site": {"name": "emulator", "url": b},
        }),
    )
}

fn listing(
    app: &App,
    v: &str,
    path: &str,
    headers: &HeaderMap,
    q: &[(String, String)],
) -> Response {
    let mut s = app.lock();
    if !s.entries.contains_key(path) {
        return detail(StatusCode::NOT_FOUND, "Not found.");
    }
    let b = base(headers);
    if s.is_dir(path) {
        // Kept first, so that the folder's own `items` is its length, not a walk.
        s.sorted_children(path);
    }
    let mut out = s.info(path, &b, v);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, x)| x.as_str());
    let flag = |k: &str| {
        get(k).is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "on" | "true" | "1"))
    };
    if flag("children") && s.is_dir(path) {
        let limit: usize = get("limit").and_then(|l| l.parse().ok()).unwrap_or(0);
        let page: usize = get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
        let fields: Vec<&str> = q
            .iter()
            .filter(|(k, _)| k == "fields")
            .map(|(_, x)| x.as_str())
            .collect();
        let kids = s.sorted_children(path);
        let (slice, pages): (Vec<&String>, usize) = if limit > 0 {
            let pages = kids.len().div_ceil(limit).max(1);
            (
                kids.iter()
                    .skip((page - 1).saturating_mul(limit))
                    .take(limit)
                    .collect(),
                pages,
            )
        } else {
            (kids.iter().collect(), 1)
        };
        let children: Vec<Value> = slice
            .iter()
            .map(|k| {
                let mut i = s.info(k, &b, v);
                if !fields.is_empty() {
                    if let Value::Object(m) = &mut i {
                        m.retain(|key, _| fields.contains(&key.as_str()));
                    }
                }
                i
            })
            .collect();
        out["children"] = json!(children);
        out["page"] = json!(page);
        out["pages"] = json!(pages);
    }
    json_resp(StatusCode::OK, out)
}

type RawQuery = Query<Vec<(String, String)>>;

async fn info_root(
    State(app): S,
    Path(v): Path<String>,
    headers: HeaderMap,
    Query(q): RawQuery,
) -> Response {
    auth!(app, headers);
    listing(&app, &v, "/", &headers, &q)
}

async fn info(
    State(app): S,
    Path((v, path)): Path<(String, String)>,
    headers: HeaderMap,
    Query(q): RawQuery,
) -> Response {
    auth!(app, headers);
    listing(&app, &v, &normalise(&path), &headers, &q)
}

async fn data_root(State(app): S, headers: HeaderMap) -> Response {
    auth!(app, headers);
    detail(StatusCode::BAD_REQUEST, "Cannot download a directory.")
}

async fn download(
    State(app): S,
    Path((_v, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    auth!(app, headers);
    let p = normalise(&path);
    let blob = match app.lock().entries.get(&p) {
        Some(e) => match &e.blob {
            Some(b) => b.clone(),
            None => return detail(StatusCode::BAD_REQUEST, "Cannot download a directory."),
        },
        None => return detail(StatusCode::NOT_FOUND, "Not found."),
    };
    let mut r = serve_blob(&blob, &headers, &mime_of(name_of(&p)));
    if let Ok(v) = http::HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        name_of(&p).replace('"', "")
    )) {
        r.headers_mut().insert(http::header::CONTENT_DISPOSITION, v);
    }
    r
}

async fn store_upload(
    app: &App,
    v: &str,
    dir: &str,
    headers: &HeaderMap,
    mut mp: Multipart,
) -> Response {
    if !app.lock().is_dir(dir) {
        while let Ok(Some(mut f)) = mp.next_field().await {
            while let Ok(Some(_)) = f.chunk().await {}
        }
        return detail(StatusCode::NOT_FOUND, "Not found.");
    }
    let mut stored = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return detail(StatusCode::BAD_REQUEST, &format!("Bad multipart body: {e}")),
        };
        let Some(filename) = field.file_name().map(str::to_owned) else {
            let _ = field.bytes().await;
            continue;
        };
        let name = filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .to_owned();
        if name.is_empty() || name == "." || name == ".." {
            return detail(StatusCode::BAD_REQUEST, "Invalid file name.");
        }
        let blob = match app.blobs.put_stream(field).await {
            Ok(b) => b,
            Err(e) => return detail(StatusCode::BAD_REQUEST, &format!("Upload interrupted: {e}")),
        };
        let p = join(dir, &name);
        let mut s = app.lock();
        if s.is_dir(&p) {
            return detail(StatusCode::CONFLICT, &format!("Destination exists:{p}"));
        }
        s.put_file(&p, blob);
        stored.push(s.info(&p, &base(headers), v));
    }
    match stored.len() {
        0 => field_error(StatusCode::BAD_REQUEST, "file", "No file was submitted."),
        1 => json_resp(StatusCode::OK, stored.remove(0)),
        _ => json_resp(StatusCode::OK, Value::Array(stored)),
    }
}

async fn upload_root(
    State(app): S,
    Path(v): Path<String>,
    headers: HeaderMap,
    mp: Multipart,
) -> Response {
    auth!(app, headers);
    store_upload(&app, &v, "/", &headers, mp).await
}

async fn upload(
    State(app): S,
    Path((v, path)): Path<(String, String)>,
    headers: HeaderMap,
    mp: Multipart,
) -> Response {
    auth!(app, headers);
    store_upload(&app, &v, &normalise(&path), &headers, mp).await
}

pub(crate) fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn form_get<'a>(f: &'a [(String, String)], k: &str) -> Option<&'a str> {
    f.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

fn mkdir_at(app: &App, v: &str, p: &str, headers: &HeaderMap) -> Response {
    let mut s = app.lock();
    match s.mkdirs(p) {
        Ok(()) => json_resp(StatusCode::OK, s.info(p, &base(headers), v)),
        Err(in_the_way) => detail(
            StatusCode::CONFLICT,
            &format!("Destination exists:{in_the_way}"),
        ),
    }
}

async fn mkdir_form(
    State(app): S,
    Path(v): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    auth!(app, headers);
    let f = parse_form(&body);
    let Some(p) = form_get(&f, "path") else {
        return field_error(StatusCode::BAD_REQUEST, "path", "This field is required.");
    };
    mkdir_at(&app, &v, &normalise(p), &headers)
}

async fn mkdir_put(
    State(app): S,
    Path((v, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    auth!(app, headers);
    mkdir_at(&app, &v, &normalise(&path), &headers)
}

fn new_task(s: &mut Tree, v: &str, kind: &str) -> Value {
    let mut b = [0u8; 16];
    let _ = getrandom::fill(&mut b);
    let uuid: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let task = json!({
        "uuid": uuid, "type": kind, "status": "SUCCESS",
        "url": format!("/api/{v}/task/{uuid}/"),
        "result": {"status": "SUCCESS", "result": {}},
    });
    s.tasks.insert(uuid.clone(), task.clone());
    if let Some(old) = s.task_order.push(uuid) {
        s.tasks.remove(&old);
    }
    task
}

/// Moves or copies `src` to `target` (the final path), subtree included.
fn relocate(s: &mut Tree, src: &str, target: &str, keep: bool) {
    for p in s.subtree(src) {
        let Some(e) = s.entries.get(&p).cloned() else {
            continue;
        };
        let new_path = format!("{target}{}", &p[src.len()..]);
        if !keep {
            s.entries.modify().remove(&p);
        }
        s.next_id += 1;
        let mut e = e;
        if keep {
            e.id = s.next_id;
        }
        s.entries.modify().insert(new_path, e);
    }
}

/// The move/copy destination rule: an existing directory receives the item; otherwise `dst`
/// is the new path when its parent is a directory; a taken final path is a 409.
fn oper(app: &App, v: &str, form: &[(String, String)], keep: bool, kind: &str) -> Response {
    let srcs: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "src")
        .map(|(_, x)| normalise(x))
        .collect();
    let Some(dst) = form_get(form, "dst").map(normalise) else {
        return field_error(StatusCode::BAD_REQUEST, "dst", "This field is required.");
    };
    if srcs.is_empty() {
        return field_error(StatusCode::BAD_REQUEST, "src", "This field is required.");
    }
    let mut s = app.lock();
    for src in &srcs {
        if src == "/" || !s.entries.contains_key(src) {
            return field_error(StatusCode::NOT_FOUND, "src", "Source does not exist");
        }
        let target = if s.is_dir(&dst) {
            join(&dst, name_of(src))
        } else if s.is_dir(&parent_of(&dst)) {
            dst.clone()
        } else {
            return field_error(StatusCode::NOT_FOUND, "dst", "Destination does not exist");
        };
        if s.entries.contains_key(&target) {
            return detail(
                StatusCode::CONFLICT,
                &format!("Destination exists:{target}"),
            );
        }
        if target == *src || target.starts_with(&format!("{src}/")) {
            return field_error(
                StatusCode::BAD_REQUEST,
                "dst",
                "Cannot move a directory into itself",
            );
        }
        relocate(&mut s, src, &target, keep);
    }
    json_resp(StatusCode::OK, new_task(&mut s, v, kind))
}

async fn move_(State(app): S, Path(v): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    auth!(app, headers);
    let f = parse_form(&body);
    oper(&app, &v, &f, false, "Move")
}

async fn copy(State(app): S, Path(v): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    auth!(app, headers);
    let f = parse_form(&body);
    oper(&app, &v, &f, true, "Copy")
}

async fn rename(State(app): S, Path(v): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    auth!(app, headers);
    let f = parse_form(&body);
    let (Some(src), Some(dst)) = (
        form_get(&f, "src").map(normalise),
        form_get(&f, "dst").map(normalise),
    ) else {
        return field_error(StatusCode::BAD_REQUEST, "src", "This field is required.");
    };
    let mut s = app.lock();
    if src == "/" || !s.entries.contains_key(&src) {
        return field_error(StatusCode::NOT_FOUND, "src", "Source does not exist");
    }
    if s.entries.contains_key(&dst) {
        return detail(StatusCode::CONFLICT, &format!("Destination exists:{dst}"));
    }
    if !s.is_dir(&parent_of(&dst)) {
        return field_error(StatusCode::NOT_FOUND, "dst", "Destination does not exist");
    }
    relocate(&mut s, &src, &dst, false);
    json_resp(StatusCode::OK, s.info(&dst, &base(&headers), &v))
}

async fn remove(State(app): S, Path(v): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    auth!(app, headers);
    let f = parse_form(&body);
    let paths: Vec<String> = f
        .iter()
        .filter(|(k, _)| k == "path")
        .map(|(_, x)| normalise(x))
        .collect();
    if paths.is_empty() {
        return field_error(StatusCode::BAD_REQUEST, "path", "This field is required.");
    }
    let mut s = app.lock();
    for p in &paths {
        if p == "/" || !s.entries.contains_key(p) {
            return field_error(StatusCode::NOT_FOUND, "path", "Path does not exist");
        }
    }
    for p in &paths {
        for q in s.subtree(p) {
            s.entries.modify().remove(&q);
        }
    }
    json_resp(StatusCode::OK, new_task(&mut s, &v, "Remove"))
}

async fn task(
    State(app): S,
    Path((_v, uuid)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    auth!(app, headers);
    match app.lock().tasks.get(&uuid) {
        Some(t) => json_resp(StatusCode::OK, t.clone()),
        None => detail(StatusCode::NOT_FOUND, "Not found."),
    }
}

fn random_token() -> String {
    let mut b = [0u8; 20];
    let _ = getrandom::fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn oauth_refused() -> Response {
    (StatusCode::FORBIDDEN, "Could not verify OAuth request.").into_response()
}

async fn request_token(State(app): S, headers: HeaderMap) -> Response {
    let Some(f) = oauth_fields(&headers) else {
        return oauth_refused();
    };
    if f.get("oauth_consumer_key") != Some(app.client_token.as_str())
        || f.get("oauth_token").is_some()
        || !plaintext_ok(&f, &app.client_secret, "")
    {
        return oauth_refused();
    }
    let (token, secret) = (random_token(), random_token());
    let verifier = format!("verifier-{}", &token[..12]);
    app.lock().oauth.request.insert(
        token.clone(),
        (
            secret.clone(),
            verifier,
            f.get("oauth_callback").map(str::to_owned),
        ),
    );
    (
        StatusCode::OK,
        format!("oauth_token={token}&oauth_token_secret={secret}&oauth_callback_confirmed=true"),
    )
        .into_response()
}

/// Auto-approves: redirects to the registered callback with the verifier, or shows it.
async fn authorize(State(app): S, Query(q): Query<HashMap<String, String>>) -> Response {
    let token = q.get("oauth_token").cloned().unwrap_or_default();
    let Some((_, verifier, callback)) = app.lock().oauth.request.get(&token).cloned() else {
        return oauth_refused();
    };
    if let Some(cb) = callback.filter(|c| c != "oob") {
        if let Ok(mut u) = url::Url::parse(&cb) {
            u.query_pairs_mut()
                .append_pair("oauth_token", &token)
                .append_pair("oauth_verifier", &verifier);
            return (StatusCode::FOUND, [(http::header::LOCATION, u.to_string())]).into_response();
        }
    }
    (StatusCode::OK, format!("oauth_verifier={verifier}")).into_response()
}

async fn access_token(State(app): S, headers: HeaderMap) -> Response {
    let Some(f) = oauth_fields(&headers) else {
        return oauth_refused();
    };
    let token = f.get("oauth_token").unwrap_or_default().to_owned();
    let mut s = app.lock();
    let Some((secret, verifier, _)) = s.oauth.request.get(&token).cloned() else {
        return oauth_refused();
    };
    if f.get("oauth_consumer_key") != Some(app.client_token.as_str())
        || !plaintext_ok(&f, &app.client_secret, &secret)
        || f.get("oauth_verifier") != Some(verifier.as_str())
    {
        return oauth_refused();
    }
    s.oauth.request.remove(&token);
    let (at, asec) = (random_token(), random_token());
    s.oauth.access.insert(at.clone(), asec.clone());
    (
        StatusCode::OK,
        format!("oauth_token={at}&oauth_token_secret={asec}"),
    )
        .into_response()
}
