//! The Kloudless API routes under `/v1` and `/v2`: accounts, storage, events, calendars,
//! meta, raw pass-through and OAuth (v1 only).
// Handlers return early with a ready `Response` as the error: its size does not matter here.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use cloud_core::emulator::axum::body::Body as AxBody;
use cloud_core::emulator::axum::extract::{DefaultBodyLimit, Path, Query, State};
use cloud_core::emulator::axum::http::HeaderMap;
use cloud_core::emulator::axum::response::{IntoResponse, Response};
use cloud_core::emulator::axum::routing::{any, get, put};
use cloud_core::emulator::axum::Router;
use cloud_core::emulator::{serve_blob, BlobStore};
use http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use super::state::{new_id, now, Node, State as Store, ACCOUNT_ID};

pub(crate) struct App {
    pub state: Mutex<Store>,
    pub blobs: BlobStore,
    pub app_id: String,
    pub api_key: String,
    /// Account tokens with the fault plan's token epoch they were issued in: a token from an
    /// earlier epoch is refused (revoked), as `FaultPlan::expire_tokens` asks.
    pub token: Mutex<Vec<(String, u64)>>,
    pub faults: cloud_core::emulator::FaultPlan,
    pub meta_token: String,
    /// The connected account's setup: kept by the control API's reset.
    pub setup: super::state::Setup,
}

impl App {
    /// A new account token, valid until the next `expire_tokens`.
    pub fn issue_token(&self) -> String {
        let token = new_id("tok-");
        if let Ok(mut t) = self.token.lock() {
            t.push((token.clone(), self.faults.token_epoch()));
        }
        token
    }

    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub(crate) type S = State<Arc<App>>;
pub(crate) type Q = Query<Vec<(String, String)>>;

pub(crate) fn json_resp(status: StatusCode, v: Value) -> Response {
    (
        status,
        [(http::header::CONTENT_TYPE, "application/json")],
        v.to_string(),
    )
        .into_response()
}

/// The API's error body.
pub(crate) fn err(status: StatusCode, code: &str, message: &str) -> Response {
    json_resp(
        status,
        json!({"error_code": code, "message": message, "id": new_id("req-"), "status_code": status.as_u16()}),
    )
}

pub(crate) fn not_found() -> Response {
    err(
        StatusCode::NOT_FOUND,
        "not_found",
        "The requested resource was not found.",
    )
}

pub(crate) fn bad(msg: &str) -> Response {
    err(StatusCode::BAD_REQUEST, "invalid_parameters", msg)
}

pub(crate) fn q<'a>(query: &'a [(String, String)], k: &str) -> Option<&'a str> {
    query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

pub(crate) fn flag(query: &[(String, String)], k: &str) -> bool {
    q(query, k).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

#[derive(Clone, Copy, PartialEq)]
enum Caller {
    Account,
    App,
    Meta,
}

fn caller(app: &App, headers: &HeaderMap) -> Option<Caller> {
    let h = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    if let Some(t) = h.strip_prefix("Bearer ") {
        if t == app.meta_token {
            return Some(Caller::Meta);
        }
        let epoch = app.faults.token_epoch();
        return app
            .token
            .lock()
            .ok()?
            .iter()
            .any(|(x, e)| x == t && *e >= epoch)
            .then_some(Caller::Account);
    }
    let k = h.strip_prefix("APIKey ")?;
    (k == app.api_key).then_some(Caller::App)
}

fn unauthorized() -> Response {
    err(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Invalid authorization credentials.",
    )
}

fn version_ok(v: &str) -> bool {
    v == "v1" || v == "v2"
}

/// A page of a page-based list of `total` items, as JSON; only the page's items are
/// rendered. A page size outside 1..=1000 or a page below 1 is a 400, a page past the last a
/// 404 (the SDK's end of paging when `next_page` is missing).
pub(crate) fn page_value(
    total: usize,
    query: &[(String, String)],
    api: &str,
    render: impl FnOnce(usize, usize) -> Vec<Value>,
) -> Result<Value, Response> {
    let size: usize = match q(query, "page_size").map(str::parse::<usize>) {
        None => 100,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        _ => return Err(bad("page_size must be between 1 and 1000")),
    };
    let page: usize = match q(query, "page").map(str::parse::<usize>) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n,
        _ => return Err(bad("page must be a positive integer")),
    };
    let pages = total.div_ceil(size).max(1);
    if page > pages {
        return Err(not_found());
    }
    let objects = render((page - 1) * size, size);
    Ok(
        json!({"objects": objects, "count": objects.len(), "page": page,
              "next_page": if page < pages { json!(page + 1) } else { Value::Null },
              "type": "object_list", "api": api}),
    )
}

/// A page of a page-based list of `total` items; only the page's items are rendered.
pub(crate) fn page_list_of(
    total: usize,
    query: &[(String, String)],
    api: &str,
    render: impl FnOnce(usize, usize) -> Vec<Value>,
) -> Response {
    match page_value(total, query, api, render) {
        Ok(v) => json_resp(StatusCode::OK, v),
        Err(r) => r,
    }
}

/// A page of a page-based list.
pub(crate) fn page_list(items: Vec<Value>, query: &[(String, String)], api: &str) -> Response {
    let total = items.len();
    page_list_of(total, query, api, |skip, take| {
        items.into_iter().skip(skip).take(take).collect()
    })
}

/// The content type a file's download is served with, from its name: never exactly JSON, as a
/// download is bytes whatever the file holds.
pub(crate) fn download_mime(name: &str) -> &'static str {
    let mime = mime_guess::from_path(name)
        .first_raw()
        .unwrap_or("application/octet-stream");
    if mime.contains("json") {
        "application/octet-stream"
    } else {
        mime
    }
}

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/v1/oauth", get(authorize))
        .route("/v1/oauth/", get(authorize))
        .route("/v1/oauth/token", get(token_info).post(token_exchange))
        .route("/{v}/accounts", get(list_accounts).post(import_account))
        .route("/{v}/accounts/", get(list_accounts).post(import_account))
        .route("/{v}/accounts/{acct}", any(account_api_root))
        .route("/{v}/accounts/{acct}/{*rest}", any(account_api))
        .route("/{v}/meta/applications", get(meta_apps))
        .route("/{v}/meta/applications/", get(meta_apps))
        .route("/upload/{token}", put(super::multipart::put_upload))
        // A shared link's page, open to anyone with the link (no credentials).
        .route(
            "/l/{link}",
            get(super::links::open_link).post(super::links::open_link_form),
        )
        .layer(DefaultBodyLimit::disable())
        .with_state(app)
}

async fn authorize(State(app): S, Query(query): Q) -> Response {
    if q(&query, "client_id") != Some(app.app_id.as_str()) {
        return bad("unknown client_id");
    }
    let Some(redirect) = q(&query, "redirect_uri").and_then(|r| url::Url::parse(r).ok()) else {
        return bad("redirect_uri is required");
    };
    let code = new_id("code-");
    app.lock().codes.insert(code.clone(), redirect.to_string());
    let mut target = redirect;
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(s) = q(&query, "state") {
        target.query_pairs_mut().append_pair("state", s);
    }
    (
        StatusCode::FOUND,
        [(http::header::LOCATION, target.to_string())],
    )
        .into_response()
}

async fn token_exchange(State(app): S, headers: HeaderMap, body: Bytes) -> Response {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let key_ok = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h == format!("APIKey {}", app.api_key))
        || q(&form, "client_secret") == Some(app.api_key.as_str());
    if !key_ok || q(&form, "client_id") != Some(app.app_id.as_str()) {
        return unauthorized();
    }
    let code = q(&form, "code").unwrap_or_default().to_owned();
    let redirect = app.lock().codes.remove(&code);
    match redirect {
        Some(r)
            if Some(r.as_str()) == q(&form, "redirect_uri")
                || q(&form, "redirect_uri").is_some_and(|x| {
                    url::Url::parse(x)
                        .map(|u| u.to_string() == r)
                        .unwrap_or(false)
                }) =>
        {
            let token = app.issue_token();
            json_resp(
                StatusCode::OK,
                json!({"access_token": token, "token_type": "Bearer", "account_id": ACCOUNT_ID, "scope": "storage calendar"}),
            )
        }
        _ => bad("invalid code or redirect_uri"),
    }
}

async fn token_info(State(app): S, headers: HeaderMap) -> Response {
    match caller(&app, &headers) {
        Some(Caller::Account) => json_resp(
            StatusCode::OK,
            json!({"client_id": app.app_id, "account_id": ACCOUNT_ID, "scope": "storage calendar"}),
        ),
        _ => unauthorized(),
    }
}

async fn list_accounts(
    State(app): S,
    Path(v): Path<String>,
    headers: HeaderMap,
    Query(query): Q,
) -> Response {
    if !version_ok(&v) {
        return not_found();
    }
    match caller(&app, &headers) {
        Some(Caller::App) => super::accounts::list(&app, &query),
        _ => unauthorized(),
    }
}

async fn import_account(
    State(app): S,
    Path(v): Path<String>,
    headers: HeaderMap,
    body: AxBody,
) -> Response {
    if !version_ok(&v) {
        return not_found();
    }
    if caller(&app, &headers) != Some(Caller::App) {
        return unauthorized();
    }
    match read_json(body).await {
        Ok(b) => super::accounts::import(&app, &b),
        Err(r) => r,
    }
}

async fn meta_apps(
    State(app): S,
    Path(v): Path<String>,
    headers: HeaderMap,
    Query(query): Q,
) -> Response {
    if !version_ok(&v) {
        return not_found();
    }
    match caller(&app, &headers) {
        Some(Caller::Meta) => page_list(
            vec![
                json!({"id": app.app_id, "name": "Emulator app", "api": "meta", "type": "application"}),
            ],
            &query,
            "meta",
        ),
        _ => unauthorized(),
    }
}

async fn account_api_root(
    State(app): S,
    Path((v, acct)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    Query(query): Q,
    body: AxBody,
) -> Response {
    dispatch(&app, &v, &acct, "", method, &headers, &query, body).await
}

async fn account_api(
    State(app): S,
    Path((v, acct, rest)): Path<(String, String, String)>,
    method: Method,
    headers: HeaderMap,
    Query(query): Q,
    body: AxBody,
) -> Response {
    dispatch(&app, &v, &acct, &rest, method, &headers, &query, body).await
}

pub(crate) async fn read_json(body: AxBody) -> Result<Value, Response> {
    let bytes = cloud_core::emulator::axum::body::to_bytes(body, 16 << 20)
        .await
        .map_err(|_| bad("could not read the body"))?;
    if bytes.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(&bytes).map_err(|_| bad("the body is not valid JSON"))
}

#[allow(clippy::too_many_arguments)]
async fn dispatch(
    app: &App,
    v: &str,
    acct: &str,
    rest: &str,
    method: Method,
    headers: &HeaderMap,
    query: &[(String, String)],
    body: AxBody,
) -> Response {
    if !version_ok(v) {
        return not_found();
    }
    let who = caller(app, headers);
    let id: i64 = match (who, acct) {
        (None, _) => return unauthorized(),
        (Some(Caller::Account), "me") => ACCOUNT_ID,
        (Some(Caller::Account), a) if a == ACCOUNT_ID.to_string() => ACCOUNT_ID,
        (Some(Caller::App), a) => match a.parse() {
            Ok(i) => i,
            Err(_) => return not_found(),
        },
        (Some(_), _) => return not_found(),
    };
    let Some(account) = app.lock().accounts.get(&id).cloned() else {
        return not_found();
    };
    if let Some(h) = headers.get("X-Kloudless-Raw-Headers") {
        let ok = h
            .to_str()
            .ok()
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
            .is_some_and(|x| x.is_object());
        if !ok {
            return bad("X-Kloudless-Raw-Headers must be a JSON object");
        }
    }
    let raw = headers
        .get("X-Kloudless-Raw-Data")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h.eq_ignore_ascii_case("true"));
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let host = headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let base = format!("http://{host}/");
    match (&method, segs.as_slice()) {
        (&Method::GET, []) => {
            if flag(query, "retrieve_tokens") && who != Some(Caller::App) {
                return err(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    "retrieve_tokens needs the API key.",
                );
            }
            json_resp(StatusCode::OK, super::accounts::answer(&account, query))
        }
        (&Method::PATCH, []) => match read_json(body).await {
            Ok(b) => super::accounts::update(app, id, &b),
            Err(r) => r,
        },
        (&Method::DELETE, []) => super::accounts::delete(app, id),
        (_, ["team", rest @ ..]) => super::accounts::team(app, id, &method, rest, query),
        (&Method::POST, ["raw"]) => raw_passthrough(headers, body).await,
        _ if id != ACCOUNT_ID => err(
            StatusCode::NOT_FOUND,
            "not_found",
            "The emulator keeps storage, events and calendars for account 123 only.",
        ),
        (&Method::POST, ["storage", "files", "upload_url"]) => {
            super::multipart::upload_url(app, body, &base).await
        }
        (_, ["storage", "links", rest @ ..]) => {
            super::links::handle(app, &method, rest, query, body, &base).await
        }
        (&Method::GET, ["storage", "search"]) => super::find::search(app, query),
        (&Method::GET, ["storage", "recent"]) => super::find::recent(app, query),
        (&Method::GET, ["storage", "quota"]) => super::find::quota(app),
        (_, ["storage", "multipart", rest @ ..]) => {
            super::multipart::handle(app, &method, rest, query, body).await
        }
        (_, ["storage", kind @ ("files" | "folders"), node, "permissions"]) => {
            super::node_meta::permissions(app, &method, node, *kind == "files", body).await
        }
        (_, ["storage", "files", node, "properties"]) => {
            super::node_meta::properties(app, &method, node, body).await
        }
        (&Method::POST, ["cal", "availability"]) => super::calendar::availability(app, body).await,
        (_, ["storage", "folders", rest @ ..]) => {
            folders(app, &method, rest, query, body, raw).await
        }
        (_, ["storage", "files", rest @ ..]) => {
            files(app, &method, rest, query, headers, body, raw).await
        }
        (&Method::GET, ["events", "latest"]) => {
            json_resp(StatusCode::OK, json!({"cursor": app.lock().events.end()}))
        }
        (&Method::GET, ["events"]) => events(app, query),
        (_, ["cal", "calendars", rest @ ..]) => {
            super::calendar::calendars(app, &method, rest, query, body).await
        }
        _ => not_found(),
    }
}

async fn raw_passthrough(headers: &HeaderMap, body: AxBody) -> Response {
    let h = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (Some(m), Some(u)) = (h("X-Kloudless-Raw-Method"), h("X-Kloudless-Raw-URI")) else {
        return bad("X-Kloudless-Raw-Method and X-Kloudless-Raw-URI are required");
    };
    let bytes = cloud_core::emulator::axum::body::to_bytes(body, 16 << 20)
        .await
        .unwrap_or_default();
    let seen: Map<String, Value> = headers
        .iter()
        .filter(|(k, _)| k.as_str().starts_with("x-kloudless"))
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                json!(String::from_utf8_lossy(v.as_bytes())),
            )
        })
        .collect();
    json_resp(
        StatusCode::OK,
        json!({"method": m, "uri": u, "body": String::from_utf8_lossy(&bytes), "headers": seen}),
    )
}

fn events(app: &App, query: &[(String, String)]) -> Response {
    let size: usize = match q(query, "page_size").map(str::parse::<usize>) {
        None => 100,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        _ => return bad("page_size must be between 1 and 1000"),
    };
    let s = app.lock();
    let (kept, end) = (s.events.start(), s.events.end());
    let start: u64 = match q(query, "cursor").map(str::parse::<u64>) {
        None => kept,
        Some(Ok(c)) if (kept..=end).contains(&c) => c,
        // Older than the oldest event kept: those events are gone, which a caller must hear
        // rather than get a feed with a hole in it.
        Some(Ok(c)) if c < kept => {
            return bad(&format!(
                "cursor expired: events before {kept} are no longer kept; ask events/latest"
            ))
        }
        _ => return bad("invalid cursor"),
    };
    let objects: Vec<Value> = s.events.from(start).take(size).cloned().collect();
    let next = start + objects.len() as u64;
    json_resp(
        StatusCode::OK,
        json!({"objects": objects, "count": objects.len(), "cursor": next,
               "remaining": end - next, "type": "object_list", "api": "events"}),
    )
}

fn is_folder(s: &Store, id: &str) -> bool {
    s.nodes.get(id).is_some_and(|n| n.blob.is_none())
}

fn is_file(s: &Store, id: &str) -> bool {
    s.nodes.get(id).is_some_and(|n| n.blob.is_some())
}

fn resolve(id: &str) -> &str {
    id
}

async fn folders(
    app: &App,
    method: &Method,
    rest: &[&str],
    query: &[(String, String)],
    body: AxBody,
    raw: bool,
) -> Response {
    match (method, rest) {
        (&Method::POST, []) => {
            let v = json_body!(body);
            let Some(name) = v["name"].as_str().filter(|n| !n.is_empty()) else {
                return bad("name is required");
            };
            let parent = v["parent_id"].as_str().unwrap_or("root").to_owned();
            let mut s = app.lock();
            if !is_folder(&s, &parent) {
                return not_found();
            }
            if let Some(existing) = s.child_named(&parent, name).cloned() {
                if flag(query, "conflict_if_exists") || existing.blob.is_some() {
                    let mut r = err(
                        StatusCode::CONFLICT,
                        "conflict",
                        "A folder with that name already exists.",
                    );
                    let _ = &mut r;
                    return json_resp(
                        StatusCode::CONFLICT,
                        json!({"error_code": "conflict", "message": "An item with that name already exists.", "id": new_id("req-"), "status_code": 409, "conflicting_resource_id": existing.id}),
                    );
                }
                return json_resp(StatusCode::OK, s.json(&existing, raw));
            }
            let t = now();
            let node = Node {
                id: new_id("F"),
                name: name.to_owned(),
                parent: Some(parent),
                blob: None,
                created: t.clone(),
                modified: t,
            };
            let out = s.json(&node, raw);
            s.nodes.modify().insert(node.id.clone(), node);
            s.event("add", out.clone());
            json_resp(StatusCode::CREATED, out)
        }
        (&Method::GET, [id]) => {
            let s = app.lock();
            match s.nodes.get(resolve(id)).filter(|n| n.blob.is_none()) {
                Some(n) => json_resp(StatusCode::OK, s.json(n, raw)),
                None => not_found(),
            }
        }
        (&Method::GET, [id, "contents"]) => {
            let mut s = app.lock();
            if !is_folder(&s, id) {
                return not_found();
            }
            let kids = s.sorted_children(id);
            page_list_of(kids.len(), query, "storage", |skip, take| {
                kids.iter()
                    .skip(skip)
                    .take(take)
                    .filter_map(|k| s.nodes.get(k))
                    .map(|n| s.json(n, raw))
                    .collect()
            })
        }
        (&Method::PATCH, [id]) => patch_node(app, id, body, false, raw).await,
        (&Method::POST, [id, "copy"]) => copy_node(app, id, body, false, raw).await,
        (&Method::DELETE, [id]) => {
            let mut s = app.lock();
            if *id == "root" || !is_folder(&s, id) {
                return not_found();
            }
            if !s.children(id).is_empty() && !flag(query, "recursive") {
                return bad("The folder is not empty: use recursive=true");
            }
            let meta = s
                .nodes
                .get(*id)
                .map(|n| s.json(n, false))
                .unwrap_or_default();
            for x in s.subtree(id) {
                s.nodes.modify().remove(&x);
            }
            s.event("delete", meta);
            StatusCode::NO_CONTENT.into_response()
        }
        _ => not_found(),
    }
}

async fn patch_node(app: &App, id: &str, body: AxBody, file: bool, raw: bool) -> Response {
    let v = json_body!(body);
    let mut s = app.lock();
    let Some(mut n) = s
        .nodes
        .get(id)
        .filter(|n| n.blob.is_some() == file && n.parent.is_some())
        .cloned()
    else {
        return not_found();
    };
    let old_parent = n.parent.clone();
    let old_name = n.name.clone();
    if let Some(p) = v["parent_id"].as_str() {
        if !is_folder(&s, p) || s.subtree(id).iter().any(|x| x == p) {
            return bad("invalid parent_id");
        }
        n.parent = Some(p.to_owned());
    }
    if let Some(name) = v["name"].as_str().filter(|x| !x.is_empty()) {
        n.name = name.to_owned();
    }
    if let Some(other) = s.child_named(n.parent.as_deref().unwrap_or("root"), &n.name) {
        if other.id != n.id {
            return json_resp(
                StatusCode::CONFLICT,
                json!({"error_code": "conflict", "message": "An item with that name already exists.", "id": new_id("req-"), "status_code": 409, "conflicting_resource_id": other.id}),
            );
        }
    }
    n.modified = now();
    s.nodes.modify().insert(n.id.clone(), n.clone());
    let out = s.json(&n, raw);
    let kind = if n.parent != old_parent {
        "move"
    } else if n.name != old_name {
        "rename"
    } else {
        "update"
    };
    s.event(kind, out.clone());
    json_resp(StatusCode::OK, out)
}

async fn copy_node(app: &App, id: &str, body: AxBody, file: bool, raw: bool) -> Response {
    let v = json_body!(body);
    let mut s = app.lock();
    let Some(src) = s
        .nodes
        .get(id)
        .filter(|n| n.blob.is_some() == file)
        .cloned()
    else {
        return not_found();
    };
    let parent = v["parent_id"]
        .as_str()
        .map(str::to_owned)
        .or(src.parent.clone())
        .unwrap_or_else(|| "root".into());
    if !is_folder(&s, &parent) {
        return not_found();
    }
    let mut name = v["name"].as_str().unwrap_or(&src.name).to_owned();
    if s.child_named(&parent, &name).is_some() {
        name = s.free_name(&parent, &name);
    }
    // Copy the subtree, mapping old ids to new ones.
    let mut map = HashMap::new();
    for old in s.subtree(id) {
        map.insert(old, new_id(if file { "f" } else { "F" }));
    }
    let t = now();
    let mut created = Vec::new();
    for (old, new) in &map {
        let Some(o) = s.nodes.get(old).cloned() else {
            continue;
        };
        let node = Node {
            id: new.clone(),
            name: if old == id {
                name.clone()
            } else {
                o.name.clone()
            },
            parent: if old == id {
                Some(parent.clone())
            } else {
                o.parent.as_ref().and_then(|p| map.get(p).cloned())
            },
            blob: o.blob.clone(),
            created: t.clone(),
            modified: t.clone(),
        };
        created.push(node);
    }
    for n in created {
        s.nodes.modify().insert(n.id.clone(), n);
    }
    let top = map
        .get(id)
        .and_then(|n| s.nodes.get(n))
        .map(|n| s.json(n, raw))
        .unwrap_or_default();
    s.event("copy", top.clone());
    json_resp(StatusCode::CREATED, top)
}

#[allow(clippy::too_many_arguments)]
async fn files(
    app: &App,
    method: &Method,
    rest: &[&str],
    query: &[(String, String)],
    headers: &HeaderMap,
    body: AxBody,
    raw: bool,
) -> Response {
    match (method, rest) {
        (&Method::POST, []) => {
            let Some(header) = headers.get("X-Kloudless-Metadata") else {
                return bad(
                    "X-Kloudless-Metadata (a JSON object with name and parent_id) is required",
                );
            };
            let Ok(text) = header.to_str() else {
                return bad(
                    "X-Kloudless-Metadata must be ASCII: escape non-ASCII characters as \\uXXXX, as Python's json.dumps does (kloudless::json_dumps in Rust)",
                );
            };
            let Ok(meta) = serde_json::from_str::<Value>(text) else {
                return bad("X-Kloudless-Metadata is not JSON: a JSON object with name and parent_id is required");
            };
            let Some(name) = meta["name"]
                .as_str()
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
            else {
                return bad("X-Kloudless-Metadata needs a name");
            };
            let parent = meta["parent_id"].as_str().unwrap_or("root").to_owned();
            if !is_folder(&app.lock(), &parent) {
                return not_found();
            }
            let blob = match app.blobs.put_stream(body.into_data_stream()).await {
                Ok(b) => b,
                Err(e) => return bad(&format!("upload interrupted: {e}")),
            };
            let mut s = app.lock();
            if !is_folder(&s, &parent) {
                return not_found();
            }
            let out = super::multipart::store_file(
                &mut s,
                &parent,
                &name,
                blob,
                flag(query, "overwrite"),
                raw,
            );
            json_resp(StatusCode::CREATED, out)
        }
        (&Method::GET, [id]) => {
            let s = app.lock();
            match s.nodes.get(*id).filter(|n| n.blob.is_some()) {
                Some(n) => json_resp(StatusCode::OK, s.json(n, raw)),
                None => not_found(),
            }
        }
        (&Method::GET, [id, "contents" | "thumbnail"]) => {
            let (blob, name) = match app.lock().nodes.get(*id) {
                Some(Node {
                    blob: Some(b),
                    name,
                    ..
                }) => (b.clone(), name.clone()),
                _ => return not_found(),
            };
            serve_blob(&blob, headers, download_mime(&name))
        }
        (&Method::PUT, [id]) => {
            if !is_file(&app.lock(), id) {
                return not_found();
            }
            let blob = match app.blobs.put_stream(body.into_data_stream()).await {
                Ok(b) => b,
                Err(e) => return bad(&format!("upload interrupted: {e}")),
            };
            let mut s = app.lock();
            let Some(mut n) = s.nodes.get(*id).cloned() else {
                return not_found();
            };
            n.blob = Some(blob);
            n.modified = now();
            let out = s.json(&n, raw);
            s.nodes.modify().insert(n.id.clone(), n);
            s.event("update", out.clone());
            json_resp(StatusCode::OK, out)
        }
        (&Method::PATCH, [id]) => patch_node(app, id, body, true, raw).await,
        (&Method::POST, [id, "copy"]) => copy_node(app, id, body, true, raw).await,
        (&Method::DELETE, [id]) => {
            let mut s = app.lock();
            // Only a file goes here: a folder's id is a 404 that changes nothing.
            if s.nodes.get(*id).is_none_or(|n| n.blob.is_none()) {
                return not_found();
            }
            let Some(n) = s.nodes.modify().remove(*id) else {
                return not_found();
            };
            let meta = s.json(&n, false);
            s.event("delete", meta);
            StatusCode::NO_CONTENT.into_response()
        }
        _ => not_found(),
    }
}
