//! The Cloud Drive routes: discovery and account under `/drive/v1/account`, metadata under
//! `/drive/v1/`, content under `/cdproxy/`, token refresh at `/auth/o2/token` and `/appspot/`.
// Handlers return early with a ready `Response` as the error: its size does not matter here.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use cloud_core::emulator::axum::body::Body;
use cloud_core::emulator::axum::extract::{
    DefaultBodyLimit, Multipart, Path, Query, Request, State,
};
use cloud_core::emulator::axum::http::HeaderMap;
use cloud_core::emulator::axum::response::{IntoResponse, Response};
use cloud_core::emulator::axum::routing::{get, post, put};
use cloud_core::emulator::axum::{middleware, Form, Json, Router};
use cloud_core::emulator::{serve_blob, Blob, BlobStore, OAuth2Server};
use futures::StreamExt;
use http::StatusCode;
use serde_json::{json, Value};

use super::state::{now, Content, NodeRec, State as Account};

pub(crate) struct App {
    pub state: Mutex<Account>,
    pub blobs: BlobStore,
    pub oauth: OAuth2Server,
    pub allow_purge: bool,
    pub dedup_on_overwrite: bool,
}

impl App {
    pub fn lock(&self) -> MutexGuard<'_, Account> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

type S = State<Arc<App>>;
type Q = Query<HashMap<String, String>>;

fn msg(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({"logref": super::state::new_id(), "message": message, "code": ""})),
    )
        .into_response()
}

fn not_found() -> Response {
    msg(StatusCode::NOT_FOUND, "Node not found")
}

fn conflict(name: &str, parent: &str, existing: &str) -> Response {
    (
        StatusCode::CONFLICT,
        Json(json!({
            "logref": super::state::new_id(),
            "message": format!(
                "Node with the name {} already exists under parentId {parent} conflicting NodeId: {existing}",
                name.to_lowercase()
            ),
            "code": "NAME_ALREADY_EXISTS",
            "info": {"nodeId": existing},
        })),
    )
        .into_response()
}

fn ok(status: StatusCode, v: Value) -> Response {
    (status, Json(v)).into_response()
}

fn authorized(app: &App, headers: &HeaderMap) -> Result<(), Response> {
    app.oauth
        .check(headers)
        .map_err(|_| msg(StatusCode::UNAUTHORIZED, "Token has expired"))
}

macro_rules! auth {
    ($app:expr, $h:expr) => {
        if let Err(r) = authorized(&$app, &$h) {
            return r;
        }
    };
}

fn host(headers: &HeaderMap) -> String {
    headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned()
}

fn content_base(headers: &HeaderMap) -> String {
    format!("http://{}/cdproxy/", host(headers))
}

/// Collapses `//` in paths (the original sends `…/v1//nodes/…` from `delete_properties`).
async fn collapse_slashes(mut req: Request) -> Request {
    let path = req.uri().path();
    if path.contains("//") {
        let mut p = path.to_owned();
        while p.contains("//") {
            p = p.replace("//", "/");
        }
        let pq = match req.uri().query() {
            Some(q) => format!("{p}?{q}"),
            None => p,
        };
        if let Ok(uri) = pq.parse() {
            *req.uri_mut() = uri;
        }
    }
    req
}

pub(crate) fn router(app: Arc<App>) -> Router {
    let inner = Router::new()
        .route("/drive/v1/account/endpoint", get(endpoint))
        .route("/drive/v1/account/info", get(account_info))
        .route("/drive/v1/account/quota", get(quota))
        .route("/drive/v1/account/usage", get(usage))
        .route("/drive/v1/nodes", get(list_nodes).post(create_folder))
        .route(
            "/drive/v1/nodes/{id}",
            get(get_node).patch(patch_node).delete(purge),
        )
        .route(
            "/drive/v1/nodes/{id}/children",
            get(list_children).post(move_from),
        )
        .route(
            "/drive/v1/nodes/{parent}/children/{child}",
            put(add_child).delete(remove_child),
        )
        .route("/drive/v1/nodes/{id}/properties/{owner}", get(list_props))
        .route(
            "/drive/v1/nodes/{id}/properties/{owner}/{key}",
            put(add_prop).delete(delete_prop),
        )
        .route("/drive/v1/changes", post(changes))
        .route("/drive/v1/trash", get(list_trash))
        .route("/drive/v1/trash/{id}", put(trash))
        .route("/drive/v1/trash/{id}/restore", post(restore))
        .route(
            "/cdproxy/nodes",
            post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/cdproxy/nodes/{id}/content",
            get(download)
                .put(overwrite)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/cdproxy/templink/{id}", get(templink))
        .route("/appspot/", post(appspot))
        .route("/auth/o2/tokeninfo", get(token_info))
        .with_state(app);
    // The rewrite must come before routing: an outer router whose only route is the inner one.
    Router::new()
        .fallback_service(inner)
        .layer(middleware::map_request(collapse_slashes))
}

async fn endpoint(State(app): S, headers: HeaderMap) -> Response {
    auth!(app, headers);
    let h = host(&headers);
    ok(
        StatusCode::OK,
        json!({"customerExists": true, "contentUrl": format!("http://{h}/cdproxy/"), "metadataUrl": format!("http://{h}/drive/v1/")}),
    )
}

async fn appspot(State(app): S, Form(form): Form<HashMap<String, String>>) -> Response {
    let rt = form.get("refresh_token").cloned().unwrap_or_default();
    match app.oauth.refresh_grant(&rt) {
        Some(issued) => ok(StatusCode::OK, app.oauth.token_json(&issued)),
        None => (StatusCode::BAD_REQUEST, "invalid refresh token").into_response(),
    }
}

/// Login with Amazon's token info: the token's audience (the client id), user, app, seconds
/// left and issue time; 400 `invalid_token` for a token it did not issue or that expired.
async fn token_info(State(app): S, Query(q): Query<HashMap<String, String>>) -> Response {
    let token = q
        .get("access_token")
        .map(String::as_str)
        .unwrap_or_default();
    if app.oauth.check_token(token).is_err() {
        return ok(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_token", "error_description": "The access token provided is expired, revoked, malformed, or invalid for other reasons."}),
        );
    }
    let config = app.oauth.config();
    let iat = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    ok(
        StatusCode::OK,
        json!({"aud": config.client_id, "user_id": "amzn1.account.EMULATOR", "app_id": "amzn1.application.EMULATOR", "exp": config.token_lifetime.as_secs(), "iat": iat}),
    )
}

async fn account_info(State(app): S, headers: HeaderMap) -> Response {
    auth!(app, headers);
    ok(
        StatusCode::OK,
        json!({"termsOfUse": "1.0.0", "status": "ACTIVE"}),
    )
}

async fn quota(State(app): S, headers: HeaderMap) -> Response {
    auth!(app, headers);
    let s = app.lock();
    ok(
        StatusCode::OK,
        json!({"quota": s.quota, "available": s.quota.saturating_sub(s.used()), "lastCalculated": now()}),
    )
}

async fn usage(State(app): S, headers: HeaderMap) -> Response {
    auth!(app, headers);
    let s = app.lock();
    let mut cats: BTreeMap<&str, (u64, u64)> = ["doc", "other", "photo", "video"]
        .iter()
        .map(|c| (*c, (0, 0)))
        .collect();
    for n in s.nodes.values().filter(|n| n.status != "PURGED") {
        if let Some(c) = &n.content {
            let cat = match c.content_type.split('/').next().unwrap_or("") {
                "image" => "photo",
                "video" => "video",
                "text" => "doc",
                _ if c.content_type.contains("pdf") || c.content_type.contains("document") => "doc",
                _ => "other",
            };
            if let Some(e) = cats.get_mut(cat) {
                e.0 += 1;
                e.1 += c.blob.len();
            }
        }
    }
    let mut v = json!({"lastCalculated": now()});
    for (cat, (count, bytes)) in cats {
        let t = json!({"bytes": bytes, "count": count});
        v[cat] = json!({"total": t, "billable": t});
    }
    ok(StatusCode::OK, v)
}

/// One filter term.
fn term_matches(s: &Account, n: &NodeRec, term: &str) -> Result<bool, String> {
    let (field, value) = term
        .split_once(':')
        .ok_or_else(|| format!("Invalid filter {term}"))?;
    let value = value.trim().trim_matches('"');
    Ok(match field.trim() {
        "kind" => n.kind.eq_ignore_ascii_case(value),
        "status" => n.status.eq_ignore_ascii_case(value),
        "isRoot" => n.is_root == value.eq_ignore_ascii_case("true"),
        "name" => n
            .name
            .as_deref()
            .is_some_and(|x| x.eq_ignore_ascii_case(value)),
        "parents" => n.parents.iter().any(|p| p == value),
        "labels" => n.labels.iter().any(|l| l == value),
        "contentProperties.md5" => n.content.as_ref().is_some_and(|c| c.md5 == value),
        other => {
            let _ = s;
            return Err(format!("Invalid filter field {other}"));
        }
    })
}

/// `a AND b OR c AND d`; without a `status` term, trashed nodes are hidden.
fn filter(
    s: &Account,
    n: &NodeRec,
    filters: Option<&str>,
    default_hide_trash: bool,
) -> Result<bool, String> {
    if n.status == "PURGED" {
        return Ok(false);
    }
    let Some(f) = filters.filter(|f| !f.trim().is_empty()) else {
        return Ok(!(default_hide_trash && n.status == "TRASH"));
    };
    if default_hide_trash && !f.contains("status") && n.status == "TRASH" {
        return Ok(false);
    }
    let f = f.replace(['(', ')'], "");
    for group in f.split(" OR ") {
        let mut all = true;
        for t in group.split(" AND ") {
            all &= term_matches(s, n, t.trim())?;
        }
        if all {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A page of nodes: sorted by id, `startToken` an offset, at most `limit` (200).
fn page(
    s: &Account,
    mut items: Vec<&NodeRec>,
    q: &HashMap<String, String>,
    temp_base: &str,
) -> Response {
    items.sort_by(|a, b| a.id.cmp(&b.id));
    let limit: usize = q
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(200)
        .clamp(1, 200);
    let start = match q.get("startToken") {
        None => 0,
        Some(t) => match t.strip_prefix("nt").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) if n <= items.len() => n,
            _ => return msg(StatusCode::BAD_REQUEST, "Next token is expired"),
        },
    };
    let temp = (q.get("tempLink").map(String::as_str) == Some("true")).then_some(temp_base);
    let data: Vec<Value> = items
        .iter()
        .skip(start)
        .take(limit)
        .map(|n| s.json(n, temp))
        .collect();
    let mut v = json!({"count": items.len(), "data": data});
    if start + limit < items.len() {
        v["nextToken"] = json!(format!("nt{}", start + limit));
    }
    ok(StatusCode::OK, v)
}

async fn list_nodes(State(app): S, headers: HeaderMap, Query(q): Q) -> Response {
    auth!(app, headers);
    let s = app.lock();
    let mut items = Vec::new();
    for n in s.nodes.values() {
        match filter(&s, n, q.get("filters").map(String::as_str), true) {
            Ok(true) => items.push(n),
            Ok(false) => {}
            Err(m) => return msg(StatusCode::BAD_REQUEST, &m),
        }
    }
    page(&s, items, &q, &content_base(&headers))
}

async fn list_children(
    State(app): S,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Q,
) -> Response {
    auth!(app, headers);
    let s = app.lock();
    if !s.nodes.contains_key(&id) {
        return not_found();
    }
    let mut items = Vec::new();
    for n in s.nodes.values().filter(|n| n.parents.contains(&id)) {
        match filter(&s, n, q.get("filters").map(String::as_str), false) {
            Ok(true) => items.push(n),
            Ok(false) => {}
            Err(m) => return msg(StatusCode::BAD_REQUEST, &m),
        }
    }
    page(&s, items, &q, &content_base(&headers))
}

async fn list_trash(State(app): S, headers: HeaderMap, Query(q): Q) -> Response {
    auth!(app, headers);
    let s = app.lock();
    let items = s.nodes.values().filter(|n| n.status == "TRASH").collect();
    page(&s, items, &q, &content_base(&headers))
}

async fn get_node(
    State(app): S,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Q,
) -> Response {
    auth!(app, headers);
    let s = app.lock();
    match s.nodes.get(&id).filter(|n| n.status != "PURGED") {
        Some(n) => {
            let base = content_base(&headers);
            let temp =
                (q.get("tempLink").map(String::as_str) == Some("true")).then_some(base.as_str());
            let mut v = s.json(n, temp);
            if q.get("asset").map(String::as_str) == Some("ALL") && n.kind == "FILE" {
                v["assets"] = json!([]);
            }
            ok(StatusCode::OK, v)
        }
        None => not_found(),
    }
}

fn body_json(body: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice(body).map_err(|_| {
        msg(
            StatusCode::BAD_REQUEST,
            "The request body is not valid JSON",
        )
    })
}

async fn create_folder(State(app): S, headers: HeaderMap, body: Bytes) -> Response {
    auth!(app, headers);
    let v = match body_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    if v["kind"] != "FOLDER" {
        return msg(StatusCode::BAD_REQUEST, "kind must be FOLDER");
    }
    let Some(name) = v["name"].as_str().filter(|n| !n.is_empty()) else {
        return msg(StatusCode::BAD_REQUEST, "name is required");
    };
    let mut s = app.lock();
    let parents = match parents_of(&s, &v) {
        Ok(p) => p,
        Err(r) => return r,
    };
    for p in &parents {
        if let Some(existing) = s.conflict(p, name, None) {
            return conflict(name, p, &existing);
        }
    }
    let id = s.new_node(name, "FOLDER", parents, None);
    let n = s.json(&s.nodes[&id], None);
    ok(StatusCode::CREATED, n)
}

/// The `parents` of a create (default: the root), each an existing folder.
fn parents_of(s: &Account, v: &Value) -> Result<Vec<String>, Response> {
    let parents: Vec<String> = match v.get("parents").and_then(Value::as_array) {
        Some(a) if !a.is_empty() => a
            .iter()
            .filter_map(|p| p.as_str().map(str::to_owned))
            .collect(),
        _ => vec![s.root.clone()],
    };
    for p in &parents {
        if !s
            .nodes
            .get(p)
            .is_some_and(|n| n.kind == "FOLDER" && n.status != "PURGED")
        {
            return Err(msg(
                StatusCode::BAD_REQUEST,
                "One of the parentId doesn't exists",
            ));
        }
    }
    Ok(parents)
}

/// Streams a multipart `content` field into a blob.
async fn store_field(
    app: &App,
    field: cloud_core::emulator::axum::extract::multipart::Field<'_>,
) -> Result<(Blob, String), Response> {
    let ct = field
        .content_type()
        .unwrap_or("application/octet-stream")
        .to_owned();
    let blob = app.blobs.put_stream_md5(field).await.map_err(|e| {
        msg(
            StatusCode::BAD_REQUEST,
            &format!("Bytes not received for request: {e}"),
        )
    })?;
    Ok((blob, ct))
}

fn is_chunked(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::TRANSFER_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("chunked"))
}

fn duplicate_of(s: &Account, md5: &str, except: Option<&str>) -> Option<String> {
    s.nodes
        .values()
        .find(|n| {
            n.kind == "FILE"
                && n.status == "AVAILABLE"
                && Some(n.id.as_str()) != except
                && n.content.as_ref().is_some_and(|c| c.md5 == md5)
        })
        .map(|n| n.id.clone())
}

fn duplicate(id: &str) -> Response {
    (
        StatusCode::CONFLICT,
        Json(json!({"logref": super::state::new_id(), "message": "Attempted to upload a duplicate File", "code": "DUPLICATE_CONTENT", "info": {"nodeId": id}})),
    )
        .into_response()
}

async fn drain(mp: &mut Multipart) {
    while let Ok(Some(mut f)) = mp.next_field().await {
        while let Ok(Some(_)) = f.chunk().await {}
    }
}

async fn upload(State(app): S, headers: HeaderMap, Query(q): Q, mut mp: Multipart) -> Response {
    auth!(app, headers);
    let meta = match mp.next_field().await {
        Ok(Some(f)) if f.name() == Some("metadata") => match f.bytes().await {
            Ok(b) => b,
            Err(_) => return msg(StatusCode::BAD_REQUEST, "Bytes not received for request."),
        },
        _ => return msg(StatusCode::BAD_REQUEST, "the metadata part must come first"),
    };
    let v = match body_json(&meta) {
        Ok(v) => v,
        Err(r) => return r,
    };
    if v["kind"] != "FILE" {
        drain(&mut mp).await;
        return msg(StatusCode::BAD_REQUEST, "kind must be FILE");
    }
    let Some(name) = v["name"]
        .as_str()
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
    else {
        drain(&mut mp).await;
        return msg(StatusCode::BAD_REQUEST, "name is required");
    };
    let checked: Result<Vec<String>, Response> = {
        let s = app.lock();
        parents_of(&s, &v).and_then(|parents| {
            match parents
                .iter()
                .find_map(|p| s.conflict(p, &name, None).map(|e| (p.clone(), e)))
            {
                Some((p, existing)) => Err(conflict(&name, &p, &existing)),
                None => Ok(parents),
            }
        })
    };
    let parents = match checked {
        Ok(p) => p,
        Err(r) => {
            drain(&mut mp).await;
            return r;
        }
    };
    let (blob, ct) = match mp.next_field().await {
        Ok(Some(f)) if f.name() == Some("content") => match store_field(&app, f).await {
            Ok(x) => x,
            Err(r) => return r,
        },
        _ => return msg(StatusCode::BAD_REQUEST, "the content part is missing"),
    };
    if blob.is_empty() && is_chunked(&headers) {
        return msg(StatusCode::BAD_REQUEST, "Bytes not received for request.");
    }
    let suppress = q.get("suppress").map(String::as_str) == Some("deduplication");
    let mut s = app.lock();
    if !suppress && !blob.is_empty() {
        if let Some(d) = duplicate_of(&s, blob.md5(), None) {
            return duplicate(&d);
        }
    }
    if s.used() + blob.len() > s.quota {
        return msg(StatusCode::FORBIDDEN, "Quota exceeded");
    }
    if let Some((p, existing)) = parents
        .iter()
        .find_map(|p| s.conflict(p, &name, None).map(|e| (p.clone(), e)))
    {
        return conflict(&name, &p, &existing);
    }
    let md5 = blob.md5().to_owned();
    let id = s.new_node(
        &name,
        "FILE",
        parents,
        Some(Content {
            blob,
            md5,
            content_type: ct,
            version: 1,
        }),
    );
    if let Some(n) = s.nodes.get_mut(&id) {
        if let Some(l) = v.get("labels").and_then(Value::as_array) {
            n.labels = l
                .iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect();
        }
        n.description = v
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned);
    }
    let out = s.json(&s.nodes[&id], None);
    ok(StatusCode::CREATED, out)
}

async fn overwrite(
    State(app): S,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Q,
    mut mp: Multipart,
) -> Response {
    auth!(app, headers);
    let refusal = match app.lock().nodes.get(&id) {
        Some(n) if n.kind == "FILE" && n.status != "PURGED" => None,
        Some(n) if n.status != "PURGED" => {
            Some(msg(StatusCode::BAD_REQUEST, "only files have content"))
        }
        _ => Some(not_found()),
    };
    if let Some(r) = refusal {
        drain(&mut mp).await;
        return r;
    }
    let (blob, ct) = loop {
        match mp.next_field().await {
            Ok(Some(f)) if f.name() == Some("content") => match store_field(&app, f).await {
                Ok(x) => break x,
                Err(r) => return r,
            },
            Ok(Some(_)) => continue,
            _ => return msg(StatusCode::BAD_REQUEST, "the content part is missing"),
        }
    };
    if blob.is_empty() && is_chunked(&headers) {
        return msg(StatusCode::BAD_REQUEST, "Bytes not received for request.");
    }
    let suppress = q.get("suppress").map(String::as_str) == Some("deduplication");
    let mut s = app.lock();
    if app.dedup_on_overwrite && !suppress && !blob.is_empty() {
        if let Some(d) = duplicate_of(&s, blob.md5(), Some(&id)) {
            return duplicate(&d);
        }
    }
    let md5 = blob.md5().to_owned();
    let Some(n) = s.nodes.get_mut(&id) else {
        return not_found();
    };
    let cversion = n.content.as_ref().map_or(0, |c| c.version) + 1;
    n.content = Some(Content {
        blob,
        md5,
        content_type: ct,
        version: cversion,
    });
    s.touch(&id, true);
    let out = s.json(&s.nodes[&id], None);
    ok(StatusCode::OK, out)
}

fn serve_node(app: &App, id: &str, headers: &HeaderMap, q: &HashMap<String, String>) -> Response {
    let (blob, ct) = {
        let s = app.lock();
        match s.nodes.get(id).filter(|n| n.status != "PURGED") {
            Some(n) => match &n.content {
                Some(c) => (c.blob.clone(), c.content_type.clone()),
                None => return msg(StatusCode::BAD_REQUEST, "a folder has no content"),
            },
            None => return not_found(),
        }
    };
    if q.contains_key("viewBox") {
        if !ct.starts_with("image/") {
            return msg(StatusCode::NOT_FOUND, "no thumbnail for this type");
        }
        return serve_blob(&blob, &HeaderMap::new(), &ct);
    }
    serve_blob(&blob, headers, &ct)
}

async fn download(
    State(app): S,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Q,
) -> Response {
    auth!(app, headers);
    serve_node(&app, &id, &headers, &q)
}

async fn templink(State(app): S, Path(id): Path<String>, headers: HeaderMap) -> Response {
    serve_node(&app, &id, &headers, &HashMap::new())
}

async fn patch_node(
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
    for forbidden in ["kind", "id", "contentProperties"] {
        if v.get(forbidden).is_some() {
            return msg(
                StatusCode::FORBIDDEN,
                &format!("Application try to update {forbidden}"),
            );
        }
    }
    let mut s = app.lock();
    let Some(node) = s.nodes.get(&id).filter(|n| n.status != "PURGED").cloned() else {
        return not_found();
    };
    let new_parents: Option<Vec<String>> = v.get("parents").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|p| p.as_str().map(str::to_owned))
            .collect()
    });
    let new_name = v.get("name").and_then(Value::as_str).map(str::to_owned);
    let parents = new_parents.clone().unwrap_or_else(|| node.parents.clone());
    let name = new_name.clone().or(node.name.clone()).unwrap_or_default();
    if let Some(ps) = &new_parents {
        for p in ps {
            if s.nodes.get(p).is_none_or(|n| n.kind != "FOLDER") {
                return msg(
                    StatusCode::BAD_REQUEST,
                    "One of the parentId doesn't exists",
                );
            }
            if s.is_ancestor(&id, p) {
                return msg(StatusCode::BAD_REQUEST, "a folder cannot go inside itself");
            }
        }
    }
    if node.status == "AVAILABLE" && (new_parents.is_some() || new_name.is_some()) {
        for p in &parents {
            if let Some(existing) = s.conflict(p, &name, Some(&id)) {
                return conflict(&name, p, &existing);
            }
        }
    }
    if let Some(n) = s.nodes.get_mut(&id) {
        n.parents = parents;
        n.name = Some(name).filter(|_| !n.is_root).or(n.name.clone());
        if v.get("status").and_then(Value::as_str) == Some("AVAILABLE") && n.status == "PENDING" {
            n.status = "AVAILABLE".into();
        }
        if let Some(l) = v.get("labels").and_then(Value::as_array) {
            n.labels = l
                .iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect();
        }
        if let Some(d) = v.get("description").and_then(Value::as_str) {
            n.description = Some(d.to_owned());
        }
    }
    s.touch(&id, true);
    let out = s.json(&s.nodes[&id], None);
    ok(StatusCode::OK, out)
}

async fn add_child(
    State(app): S,
    Path((parent, child)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    auth!(app, headers);
    let mut s = app.lock();
    let (Some(p), Some(c)) = (s.nodes.get(&parent).cloned(), s.nodes.get(&child).cloned()) else {
        return not_found();
    };
    if p.kind != "FOLDER" {
        return msg(StatusCode::BAD_REQUEST, "the parent must be a folder");
    }
    if c.parents.contains(&parent) {
        return ok(StatusCode::OK, s.json(&c, None));
    }
    if s.is_ancestor(&child, &parent) {
        return msg(StatusCode::BAD_REQUEST, "a folder cannot go inside itself");
    }
    if let Some(existing) = c
        .name
        .as_deref()
        .and_then(|name| s.conflict(&parent, name, Some(&child)))
    {
        return conflict(c.name.as_deref().unwrap_or_default(), &parent, &existing);
    }
    if let Some(n) = s.nodes.get_mut(&child) {
        n.parents.push(parent);
    }
    s.touch(&child, true);
    let out = s.json(&s.nodes[&child], None);
    ok(StatusCode::OK, out)
}

async fn remove_child(
    State(app): S,
    Path((parent, child)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    auth!(app, headers);
    let mut s = app.lock();
    let root = s.root.clone();
    let Some(n) = s.nodes.get_mut(&child) else {
        return not_found();
    };
    if !n.parents.contains(&parent) {
        return not_found();
    }
    n.parents.retain(|p| *p != parent);
    if n.parents.is_empty() {
        n.parents.push(root);
    }
    s.touch(&child, true);
    let out = s.json(&s.nodes[&child], None);
    ok(StatusCode::OK, out)
}

async fn move_from(
    State(app): S,
    Path(new_parent): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    auth!(app, headers);
    let v = match body_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (Some(from), Some(child)) = (v["fromParent"].as_str(), v["childId"].as_str()) else {
        return msg(
            StatusCode::BAD_REQUEST,
            "fromParent and childId are required",
        );
    };
    let mut s = app.lock();
    if s.nodes.get(&new_parent).is_none_or(|n| n.kind != "FOLDER") {
        return not_found();
    }
    let Some(c) = s.nodes.get(child).cloned() else {
        return not_found();
    };
    if !c.parents.iter().any(|p| p == from) {
        return msg(
            StatusCode::BAD_REQUEST,
            "fromParent is not a parent of the node",
        );
    }
    if s.is_ancestor(child, &new_parent) {
        return msg(StatusCode::BAD_REQUEST, "a folder cannot go inside itself");
    }
    if let Some(existing) = c
        .name
        .as_deref()
        .and_then(|name| s.conflict(&new_parent, name, Some(child)))
    {
        return conflict(
            c.name.as_deref().unwrap_or_default(),
            &new_parent,
            &existing,
        );
    }
    if let Some(n) = s.nodes.get_mut(child) {
        for p in n.parents.iter_mut() {
            if p == from {
                p.clone_from(&new_parent);
            }
        }
        n.parents.dedup();
    }
    s.touch(child, true);
    let out = s.json(&s.nodes[child], None);
    ok(StatusCode::OK, out)
}

async fn trash(State(app): S, Path(id): Path<String>, headers: HeaderMap) -> Response {
    auth!(app, headers);
    let mut s = app.lock();
    if id == s.root {
        return msg(
            StatusCode::FORBIDDEN,
            "Application try to trash/purge root node",
        );
    }
    let Some(n) = s.nodes.get_mut(&id).filter(|n| n.status != "PURGED") else {
        return not_found();
    };
    if n.status != "TRASH" {
        n.status = "TRASH".into();
        s.touch(&id, true);
    }
    let out = s.json(&s.nodes[&id], None);
    ok(StatusCode::OK, out)
}

async fn restore(State(app): S, Path(id): Path<String>, headers: HeaderMap) -> Response {
    auth!(app, headers);
    let mut s = app.lock();
    let Some(n) = s.nodes.get(&id).filter(|n| n.status != "PURGED").cloned() else {
        return not_found();
    };
    if n.status == "TRASH" {
        if let Some(name) = &n.name {
            for p in &n.parents {
                if let Some(existing) = s.conflict(p, name, Some(&id)) {
                    return conflict(name, p, &existing);
                }
            }
        }
        if let Some(m) = s.nodes.get_mut(&id) {
            m.status = "AVAILABLE".into();
        }
        s.touch(&id, true);
    }
    let out = s.json(&s.nodes[&id], None);
    ok(StatusCode::OK, out)
}

async fn purge(State(app): S, Path(id): Path<String>, headers: HeaderMap) -> Response {
    auth!(app, headers);
    if !app.allow_purge {
        return msg(
            StatusCode::FORBIDDEN,
            "Insufficient permissions granted for operation: purgeNode",
        );
    }
    let mut s = app.lock();
    if id == s.root {
        return msg(
            StatusCode::FORBIDDEN,
            "Application try to trash/purge root node",
        );
    }
    let Some(mut n) = s.nodes.remove(&id) else {
        return not_found();
    };
    s.seq += 1;
    let seq = s.seq;
    s.purged.insert(id.clone(), (n.kind.clone(), seq));
    n.status = "PURGED".into();
    n.content = None;
    ok(StatusCode::OK, s.json(&n, None))
}

async fn list_props(
    State(app): S,
    Path((id, owner)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    auth!(app, headers);
    let s = app.lock();
    match s.nodes.get(&id) {
        Some(n) => ok(
            StatusCode::OK,
            json!({"data": n.properties.get(&owner).cloned().unwrap_or_default()}),
        ),
        None => not_found(),
    }
}

async fn add_prop(
    State(app): S,
    Path((id, owner, key)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    auth!(app, headers);
    let v = match body_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(value) = v["value"].as_str().map(str::to_owned) else {
        return msg(StatusCode::BAD_REQUEST, "value is required");
    };
    if value.chars().count() > 500 {
        return msg(
            StatusCode::BAD_REQUEST,
            "a property value is at most 500 characters",
        );
    }
    let mut s = app.lock();
    let Some(n) = s.nodes.get_mut(&id) else {
        return not_found();
    };
    let props = n.properties.entry(owner.clone()).or_default();
    if !props.contains_key(&key) && props.len() >= 10 {
        return msg(StatusCode::BAD_REQUEST, "at most 10 properties per owner");
    }
    props.insert(key.clone(), value.clone());
    s.touch(&id, true);
    let location = format!(
        "http://{}/drive/v1/nodes/{id}/properties/{owner}/{key}",
        host(&headers)
    );
    ok(
        StatusCode::CREATED,
        json!({"key": key, "location": location, "value": value}),
    )
}

async fn delete_prop(
    State(app): S,
    Path((id, owner, key)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    auth!(app, headers);
    let mut s = app.lock();
    let Some(n) = s.nodes.get_mut(&id) else {
        return not_found();
    };
    let removed = n.properties.get_mut(&owner).and_then(|p| p.remove(&key));
    if removed.is_none() {
        return msg(StatusCode::NOT_FOUND, "no such property");
    }
    if n.properties.get(&owner).is_some_and(BTreeMap::is_empty) {
        n.properties.remove(&owner);
    }
    s.touch(&id, true);
    StatusCode::NO_CONTENT.into_response()
}

fn checkpoint_of(seq: u64) -> String {
    format!("CP{seq}")
}

/// The changes feed, streamed: one JSON object per line, `chunkSize` nodes each, then
/// `{"end": true}`. Node JSON is rendered chunk by chunk, never the whole feed at once.
async fn changes(State(app): S, headers: HeaderMap, body: Bytes) -> Response {
    auth!(app, headers);
    let v: Value = if body.is_empty() {
        json!({})
    } else {
        match body_json(&body) {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
    let since = v["checkpoint"]
        .as_str()
        .and_then(|c| c.strip_prefix("CP"))
        .and_then(|n| n.parse::<u64>().ok());
    let include_purged =
        matches!(&v["includePurged"], Value::Bool(true)) || v["includePurged"] == "true";
    let chunk = v["chunkSize"].as_u64().unwrap_or(200).clamp(1, 10_000) as usize;
    let max_nodes = v["maxNodes"].as_u64().map(|m| m as usize);
    let (ids, now_seq, reset) = {
        let s = app.lock();
        let since = since.filter(|c| *c <= s.seq);
        let reset = since.is_none();
        let from = since.unwrap_or(0);
        let mut ids: Vec<(u64, String, bool)> = s
            .nodes
            .values()
            .filter(|n| reset || n.seq > from)
            .map(|n| (n.seq, n.id.clone(), false))
            .collect();
        if include_purged && !reset {
            ids.extend(
                s.purged
                    .iter()
                    .filter(|(_, (_, q))| *q > from)
                    .map(|(id, (_, q))| (*q, id.clone(), true)),
            );
        }
        ids.sort();
        if let Some(m) = max_nodes {
            ids.truncate(m.max(1));
        }
        (ids, s.seq, reset)
    };
    let total = ids.len();
    let chunks: Vec<Vec<(u64, String, bool)>> = if ids.is_empty() {
        vec![Vec::new()]
    } else {
        ids.chunks(chunk).map(<[_]>::to_vec).collect()
    };
    let n_chunks = chunks.len();
    let app2 = Arc::clone(&app);
    let lines = futures::stream::iter(chunks.into_iter().enumerate()).map(move |(i, part)| {
        let last = i + 1 == n_chunks;
        let cp = if last || total == 0 {
            now_seq
        } else {
            part.last().map_or(now_seq, |(q, _, _)| *q)
        };
        // Written straight to the line (no JSON tree per node): the feed can be a million
        // nodes long.
        let mut line = format!(
            "{{\"checkpoint\": \"{}\", \"reset\": {}, \"statusCode\": 200, \"nodes\": [",
            checkpoint_of(cp),
            reset && i == 0
        )
        .into_bytes();
        let s = app2.lock();
        let mut first = true;
        for (_, id, purged) in &part {
            let start = line.len();
            if !first {
                line.push(b',');
            }
            let written = if *purged {
                s.purged.get(id).map(|(kind, _)| {
                    serde_json::to_writer(
                        &mut line,
                        &json!({"id": id, "status": "PURGED", "kind": kind}),
                    )
                })
            } else {
                s.nodes
                    .get(id)
                    .map(|n| serde_json::to_writer(&mut line, &s.view(n, None)))
            };
            match written {
                Some(Ok(())) => first = false,
                _ => line.truncate(start),
            }
        }
        line.extend_from_slice(b"]}\n");
        Ok::<_, std::io::Error>(Bytes::from(line))
    });
    let end = futures::stream::iter([Ok(Bytes::from_static(b"{\"end\": true}\n"))]);
    Response::builder()
        .status(StatusCode::OK)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(lines.chain(end)))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
