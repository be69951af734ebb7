//! An OAuth2 authorization server for emulators: the authorize endpoint approves at once and
//! redirects with `code` and `state`; the token endpoint answers `authorization_code` and
//! `refresh_token` grants; bearer tokens are checked by [`OAuth2Server::check`].

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::{HeaderMap, StatusCode};
use serde_json::{json, Map, Value};

use super::faults::FaultPlan;
use super::server::Harness;
use crate::Secret;

/// How the token endpoint accepts client credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuthStyle {
    /// HTTP Basic or form fields.
    #[default]
    Either,
    /// HTTP Basic only.
    Basic,
    /// Form fields only.
    Form,
}

/// The authorization server's settings.
#[derive(Clone)]
#[non_exhaustive]
pub struct OAuth2ServerConfig {
    /// The accepted client id.
    pub client_id: String,
    /// The accepted client secret.
    pub client_secret: Secret,
    /// Path of the authorize endpoint.
    pub authorize_path: String,
    /// Path of the token endpoint.
    pub token_path: String,
    /// Lifetime of access tokens.
    pub token_lifetime: Duration,
    /// How clients authenticate.
    pub client_auth: ClientAuthStyle,
    /// Issue a new refresh token on each refresh and retire the old one, once the client
    /// shows it has the answer (it uses the new access token or sends the new refresh
    /// token): until then the old one still works once more, so that an answer lost on the
    /// way does not log the client out (the grace servers with rotation give; a later
    /// refresh from the old token revokes the unconfirmed new one).
    pub rotate_refresh_tokens: bool,
    /// Extra fields added to every token answer.
    pub extra_token_fields: Map<String, Value>,
    /// The registered redirect URIs, compared exactly (empty: any URI is accepted).
    pub redirect_uris: Vec<String>,
}

impl fmt::Debug for OAuth2ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2ServerConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("authorize_path", &self.authorize_path)
            .field("token_path", &self.token_path)
            .field("token_lifetime", &self.token_lifetime)
            .field("client_auth", &self.client_auth)
            .field("rotate_refresh_tokens", &self.rotate_refresh_tokens)
            .finish()
    }
}

impl OAuth2ServerConfig {
    /// Settings with the given client credentials, `/oauth2/authorize` and `/oauth2/token`,
    /// one-hour tokens, either client auth style, no rotation.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            authorize_path: "/oauth2/authorize".into(),
            token_path: "/oauth2/token".into(),
            token_lifetime: Duration::from_secs(3600),
            client_auth: ClientAuthStyle::Either,
            rotate_refresh_tokens: false,
            extra_token_fields: Map::new(),
            redirect_uris: Vec::new(),
        }
    }

    /// Registers a redirect URI; once one is registered, the authorize endpoint accepts only
    /// registered URIs, compared exactly (case-sensitive).
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uris.push(uri.into());
        self
    }

    /// Sets the endpoint paths.
    pub fn paths(mut self, authorize: impl Into<String>, token: impl Into<String>) -> Self {
        self.authorize_path = authorize.into();
        self.token_path = token.into();
        self
    }

    /// Sets the access-token lifetime.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Sets the client auth style.
    pub fn client_auth(mut self, style: ClientAuthStyle) -> Self {
        self.client_auth = style;
        self
    }

    /// Rotate refresh tokens.
    pub fn rotate_refresh_tokens(mut self, rotate: bool) -> Self {
        self.rotate_refresh_tokens = rotate;
        self
    }

    /// Adds a field to every token answer.
    pub fn extra_field(mut self, name: impl Into<String>, value: Value) -> Self {
        self.extra_token_fields.insert(name.into(), value);
        self
    }
}

/// A token pair issued by the server.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The access token.
    pub access_token: Secret,
    /// The refresh token.
    pub refresh_token: Secret,
    /// The lifetime in seconds.
    pub expires_in: u64,
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedToken")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRejection {
    /// No `Authorization: Bearer` header.
    Missing,
    /// Not a token this server issued.
    Invalid,
    /// Issued, but expired (by time or by the fault plan).
    Expired,
}

struct AccessEntry {
    expires: Instant,
    epoch: u64,
    /// The rotated-out refresh token this token's first use retires.
    retires: Option<String>,
}

struct CodeGrant {
    redirect_uri: Option<String>,
}

struct Inner {
    config: OAuth2ServerConfig,
    faults: FaultPlan,
    codes: Mutex<HashMap<String, CodeGrant>>,
    access: Mutex<HashMap<String, AccessEntry>>,
    refresh: Mutex<HashSet<String>>,
    /// Rotations not yet confirmed: old refresh token -> the new one issued from it.
    pending: Mutex<HashMap<String, String>>,
    refreshes: AtomicU64,
    /// The lifetime of tokens issued from now on, in milliseconds (starts as the config's).
    lifetime_ms: AtomicU64,
}

/// The authorization server (cheap to clone).
#[derive(Clone)]
pub struct OAuth2Server {
    inner: Arc<Inner>,
}

impl fmt::Debug for OAuth2Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2Server")
            .field("config", &self.inner.config)
            .field("refreshes", &self.refresh_count())
            .finish()
    }
}

fn oauth_error(status: StatusCode, code: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": code, "error_description": description })),
    )
        .into_response()
}

impl OAuth2Server {
    /// Changes the lifetime of the tokens issued from now on (a test that lets the first token
    /// expire soon can give the refreshed ones a long life, so that no second expiry races it).
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.inner
            .lifetime_ms
            .store(lifetime.as_millis() as u64, Ordering::SeqCst);
    }

    /// A server with these settings, sharing the harness's fault plan (for token expiry).
    pub fn new(config: OAuth2ServerConfig, harness: &Harness) -> Self {
        Self {
            inner: Arc::new(Inner {
                config: config.clone(),
                faults: harness.faults().clone(),
                codes: Mutex::default(),
                access: Mutex::default(),
                refresh: Mutex::default(),
                pending: Mutex::default(),
                refreshes: AtomicU64::new(0),
                lifetime_ms: AtomicU64::new(config.token_lifetime.as_millis() as u64),
            }),
        }
    }

    /// The settings.
    pub fn config(&self) -> &OAuth2ServerConfig {
        &self.inner.config
    }

    /// The authorize and token routes, to merge into the provider's router.
    pub fn router(&self) -> Router {
        let c = &self.inner.config;
        Router::new()
            .route(&c.authorize_path, get(authorize))
            .route(&c.token_path, post(token))
            .with_state(self.clone())
    }

    /// Issues a token pair directly (for a standalone emulator's JSON line, or tests).
    pub fn issue_token(&self) -> IssuedToken {
        let refresh = format!("rt-{}", super::unique_id());
        if let Ok(mut r) = self.inner.refresh.lock() {
            r.insert(refresh.clone());
        }
        self.issue_access(refresh, None)
    }

    fn issue_access(&self, refresh: String, retires: Option<String>) -> IssuedToken {
        let access = format!("at-{}", super::unique_id());
        let lifetime = Duration::from_millis(self.inner.lifetime_ms.load(Ordering::SeqCst));
        if let Ok(mut a) = self.inner.access.lock() {
            a.insert(
                access.clone(),
                AccessEntry {
                    expires: Instant::now() + lifetime,
                    epoch: self.inner.faults.token_epoch(),
                    retires,
                },
            );
        }
        IssuedToken {
            access_token: Secret::new(access),
            refresh_token: Secret::new(refresh),
            expires_in: lifetime.as_secs(),
        }
    }

    /// Issues an authorization code directly (as if the person approved).
    pub fn issue_code(&self, redirect_uri: Option<&str>) -> String {
        let code = format!("code-{}", super::unique_id());
        if let Ok(mut c) = self.inner.codes.lock() {
            c.insert(
                code.clone(),
                CodeGrant {
                    redirect_uri: redirect_uri.map(str::to_owned),
                },
            );
        }
        code
    }

    /// Serves a refresh grant (for provider endpoints of their own shape, such as a refresh
    /// service that takes only the refresh token): `None` for an unknown refresh token.
    pub fn refresh_grant(&self, refresh_token: &str) -> Option<IssuedToken> {
        let known = self
            .inner
            .refresh
            .lock()
            .map(|r| r.contains(refresh_token))
            .unwrap_or(false);
        if !known {
            return None;
        }
        self.inner.refreshes.fetch_add(1, Ordering::SeqCst);
        Some(if self.inner.config.rotate_refresh_tokens {
            // Sending a rotated token confirms the rotation that issued it.
            self.confirm_rotation_to(refresh_token);
            let new = format!("rt-{}", super::unique_id());
            let unconfirmed = self
                .inner
                .pending
                .lock()
                .ok()
                .and_then(|mut p| p.insert(refresh_token.to_owned(), new.clone()));
            if let Ok(mut r) = self.inner.refresh.lock() {
                if let Some(u) = unconfirmed {
                    r.remove(&u);
                }
                r.insert(new.clone());
            }
            self.issue_access(new, Some(refresh_token.to_owned()))
        } else {
            self.issue_access(refresh_token.to_owned(), None)
        })
    }

    /// Retires `old`, the refresh token a confirmed rotation replaced.
    fn retire(&self, old: &str) {
        if let Ok(mut p) = self.inner.pending.lock() {
            p.remove(old);
        }
        if let Ok(mut r) = self.inner.refresh.lock() {
            r.remove(old);
        }
    }

    /// The client sent `new`: the refresh token it replaced is retired.
    fn confirm_rotation_to(&self, new: &str) {
        let old = self.inner.pending.lock().ok().and_then(|p| {
            p.iter()
                .find(|(_, n)| n.as_str() == new)
                .map(|(o, _)| o.clone())
        });
        if let Some(old) = old {
            self.retire(&old);
        }
    }

    /// The JSON answer for an issued token (with the configured extra fields).
    pub fn token_json(&self, issued: &IssuedToken) -> Value {
        let mut body = Map::new();
        body.insert("access_token".into(), json!(issued.access_token.expose()));
        body.insert("token_type".into(), json!("bearer"));
        body.insert("expires_in".into(), json!(issued.expires_in));
        body.insert("refresh_token".into(), json!(issued.refresh_token.expose()));
        for (k, v) in &self.inner.config.extra_token_fields {
            body.insert(k.clone(), v.clone());
        }
        Value::Object(body)
    }

    /// How many refresh grants were served.
    pub fn refresh_count(&self) -> u64 {
        self.inner.refreshes.load(Ordering::SeqCst)
    }

    /// Checks a bearer token value.
    pub fn check_token(&self, token: &str) -> Result<(), TokenRejection> {
        let mut access = self
            .inner
            .access
            .lock()
            .map_err(|_| TokenRejection::Invalid)?;
        let entry = access.get_mut(token).ok_or(TokenRejection::Invalid)?;
        if entry.epoch < self.inner.faults.token_epoch() || entry.expires <= Instant::now() {
            return Err(TokenRejection::Expired);
        }
        // The first use of a rotated token confirms its rotation.
        let retires = entry.retires.take();
        drop(access);
        if let Some(old) = retires {
            self.retire(&old);
        }
        Ok(())
    }

    /// Checks the `Authorization: Bearer <token>` header of a request.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), TokenRejection> {
        let value = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(TokenRejection::Missing)?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or(TokenRejection::Missing)?;
        self.check_token(token.trim())
    }

    fn client_ok(&self, headers: &HeaderMap, form: &HashMap<String, String>) -> bool {
        let c = &self.inner.config;
        let basic = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|b| decode_basic(b.trim()));
        let by_basic = basic
            .is_some_and(|(id, secret)| id == c.client_id && secret == c.client_secret.expose());
        let by_form = form.get("client_id") == Some(&c.client_id)
            && form.get("client_secret").map(String::as_str) == Some(c.client_secret.expose());
        match c.client_auth {
            ClientAuthStyle::Either => by_basic || by_form,
            ClientAuthStyle::Basic => by_basic,
            ClientAuthStyle::Form => by_form,
        }
    }

    fn token_answer(&self, issued: &IssuedToken) -> Response {
        (StatusCode::OK, Json(self.token_json(issued))).into_response()
    }
}

/// Decodes a Basic credential (base64 of `id:secret`).
fn decode_basic(b64: &str) -> Option<(String, String)> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

async fn authorize(
    State(server): State<OAuth2Server>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = &server.inner.config;
    if q.get("client_id") != Some(&c.client_id) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "unknown client_id",
        );
    }
    if q.get("response_type").map(String::as_str) != Some("code") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_response_type",
            "response_type must be code",
        );
    }
    let Some(redirect) = q.get("redirect_uri") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri is required",
        );
    };
    if !c.redirect_uris.is_empty() && !c.redirect_uris.iter().any(|r| r == redirect) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri does not match the registered callback",
        );
    }
    let Ok(mut target) = url::Url::parse(redirect) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri is not a URL",
        );
    };
    let code = server.issue_code(Some(redirect));
    // Percent-encoded (a space as `%20`, never `+`), so that a client decoding with a plain
    // `unquote` gets the state back exactly.
    // (`byte_serialize` writes a space as `+` and a `+` as `%2B`.)
    let enc = |v: &str| {
        url::form_urlencoded::byte_serialize(v.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    let mut query = target.query().map(str::to_owned).unwrap_or_default();
    let mut add = |k: &str, v: &str| {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(k);
        query.push('=');
        query.push_str(&enc(v));
    };
    add("code", &code);
    if let Some(state) = q.get("state") {
        add("state", state);
    }
    target.set_query(Some(&query));
    (
        StatusCode::FOUND,
        [(http::header::LOCATION, target.to_string())],
    )
        .into_response()
}

async fn token(
    State(server): State<OAuth2Server>,
    headers: HeaderMap,
    axum::extract::Form(form): axum::extract::Form<HashMap<String, String>>,
) -> Response {
    if !server.client_ok(&headers, &form) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed",
        );
    }
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let code = form.get("code").cloned().unwrap_or_default();
            let grant = server
                .inner
                .codes
                .lock()
                .ok()
                .and_then(|mut c| c.remove(&code));
            let Some(grant) = grant else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "unknown or used code",
                );
            };
            if let (Some(want), Some(got)) = (&grant.redirect_uri, form.get("redirect_uri")) {
                if want != got {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "redirect_uri mismatch",
                    );
                }
            }
            let issued = server.issue_token();
            server.token_answer(&issued)
        }
        Some("refresh_token") => {
            let rt = form.get("refresh_token").cloned().unwrap_or_default();
            match server.refresh_grant(&rt) {
                Some(issued) => server.token_answer(&issued),
                None => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "unknown refresh token",
                ),
            }
        }
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_decoding() {
        // "cid:csecret"
        assert_eq!(
            decode_basic("Y2lkOmNzZWNyZXQ="),
            Some(("cid".into(), "csecret".into()))
        );
        assert_eq!(decode_basic("!!"), None);
    }

    #[tokio::test]
    async fn a_rotation_is_confirmed_before_the_old_refresh_token_goes() {
        // Found by the simulation: a refresh whose answer was cut retired the old token at
        // once, so the client, never told the new one, was logged out for good.
        let harness = Harness::new();
        let config = OAuth2ServerConfig::new("id", "secret").rotate_refresh_tokens(true);
        let server = OAuth2Server::new(config, &harness);
        let first = server.issue_token();
        let old = first.refresh_token.expose().to_owned();
        // The answer is lost: the old token is sent again, and works.
        let lost = server.refresh_grant(&old).expect("first grant");
        let again = server
            .refresh_grant(&old)
            .expect("the old token, once more");
        // The unconfirmed token of the lost answer is revoked by the second grant.
        assert!(server.refresh_grant(lost.refresh_token.expose()).is_none());
        // Using the new access token confirms the rotation: the old refresh token goes.
        server
            .check_token(again.access_token.expose())
            .expect("new access token");
        assert!(server.refresh_grant(&old).is_none());
        // Sending the new refresh token confirms its rotation too.
        let next = server
            .refresh_grant(again.refresh_token.expose())
            .expect("the rotated token");
        let after = server
            .refresh_grant(next.refresh_token.expose())
            .expect("next");
        assert!(server.refresh_grant(again.refresh_token.expose()).is_none());
        assert!(server.refresh_grant(after.refresh_token.expose()).is_some());
    }
}
