//! `kloudless.application` and `get_verified_account`: the OAuth helpers, always on API
//! version 1.

use base64::Engine;
use http::Method;
use serde_json::{Map, Value};

use cloud_core::transport::read_limited;
use cloud_core::{ErrorContext, Idempotency, RetryPolicy, Transport};

use crate::client::{configuration, json_dumps, Account};
use crate::error::{error_from_response, Error, Result};
use crate::util::construct_kloudless_endpoint;

/// The API version of the OAuth endpoints, whatever the configuration says.
pub const OAUTH_API_VERSION: &str = "1";

/// `extra_data`: a JSON object (encoded as the original encodes it) or a string.
#[derive(Debug, Clone, Default)]
pub enum ExtraData {
    /// None (`extra_data=` is still sent).
    #[default]
    None,
    /// A string, as is.
    Text(String),
    /// An object, JSON-encoded.
    Json(Map<String, Value>),
}

/// Options of [`get_authorization_url`] (`scope`, `state`, `extra_data`, extra parameters).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthorizationOptions {
    /// `scope` (default `all`).
    pub(crate) scope: String,
    /// `state` (default: 16 random URL-safe characters).
    pub(crate) state: Option<String>,
    /// `extra_data`.
    pub(crate) extra_data: ExtraData,
    /// Extra query parameters, sent first.
    pub(crate) params: Vec<(String, String)>,
}

impl Default for AuthorizationOptions {
    fn default() -> Self {
        Self {
            scope: "all".into(),
            state: None,
            extra_data: ExtraData::None,
            params: Vec::new(),
        }
    }
}

impl AuthorizationOptions {
    /// Sets `scope`.
    pub fn scope(mut self, s: impl Into<String>) -> Self {
        self.scope = s.into();
        self
    }

    /// Sets `state`.
    pub fn state(mut self, s: impl Into<String>) -> Self {
        self.state = Some(s.into());
        self
    }

    /// Sets `extra_data`.
    pub fn extra_data(mut self, e: ExtraData) -> Self {
        self.extra_data = e;
        self
    }

    /// Adds an extra parameter.
    pub fn param(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.params.push((k.into(), v.into()));
        self
    }
}

fn oauth_base() -> String {
    construct_kloudless_endpoint("", &configuration().base_url, OAUTH_API_VERSION)
}

/// 96 random bits, URL-safe base64 (the original's `secrets.token_urlsafe(12)`); a failing
/// random source is an error, never a guessable value.
fn random_state() -> Result<String> {
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).map_err(|e| {
        cloud_core::Error::with_message(
            cloud_core::ErrorKind::Config,
            format!("the operating system's random source failed: {e}"),
        )
    })?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

/// `get_authorization_url(app_id, redirect_uri, scope='all', state='', extra_data='', **params)`
/// → `(url, state)`. Fails only when no `state` is given and the operating system's random
/// source fails.
pub fn get_authorization_url(
    app_id: &str,
    redirect_uri: &str,
    options: AuthorizationOptions,
) -> Result<(String, String)> {
    let state = match options.state.clone().filter(|s| !s.is_empty()) {
        Some(s) => s,
        None => random_state()?,
    };
    let extra = match &options.extra_data {
        ExtraData::None => String::new(),
        ExtraData::Text(t) => t.clone(),
        ExtraData::Json(m) => json_dumps(&Value::Object(m.clone())),
    };
    let fixed = [
        ("client_id", app_id.to_owned()),
        ("response_type", "code".into()),
        ("redirect_uri", redirect_uri.to_owned()),
        ("scope", options.scope.clone()),
        ("state", state.clone()),
        ("extra_data", extra),
    ];
    let mut pairs: Vec<(String, String)> = options.params.clone();
    for (k, v) in fixed {
        match pairs.iter_mut().find(|(n, _)| n == k) {
            Some(p) => p.1 = v,
            None => pairs.push((k.to_owned(), v)),
        }
    }
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter())
        .finish();
    Ok((format!("{}/oauth?{query}", oauth_base()), state))
}

fn transport() -> Result<Transport> {
    Ok(
        Transport::builder("http://127.0.0.1/", cloud_core::user_agent!())
            .retry(std::sync::Arc::new(RetryPolicy::default()))
            .build()?,
    )
}

async fn json_or_error(
    method: &Method,
    resp: cloud_core::reqwest::Response,
) -> Result<Map<String, Value>> {
    let status = resp.status();
    let headers = resp.headers().clone();
    let url = resp.url().clone();
    let body = read_limited(resp, 1 << 20).await;
    if status.as_u16() >= 400 {
        let ctx = ErrorContext::request(method, &url)
            .with_response(status, &headers)
            .with_body(&body);
        let ra = headers
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok());
        return Err(error_from_response(status, &body, ra, ctx));
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Error::Decode("the answer is not a JSON object".into())),
        Err(e) => Err(Error::Decode(e.to_string())),
    }
}

/// `get_token_from_code(app_id, api_key, orig_state, orig_redirect_uri, **params)`: checks
/// the callback's `error`, `state` and `code`, then exchanges the code; returns the access
/// token.
pub async fn get_token_from_code(
    app_id: &str,
    api_key: &str,
    orig_state: &str,
    orig_redirect_uri: &str,
    params: &Map<String, Value>,
) -> Result<String> {
    let s = |k: &str| {
        params
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    if !s("error").is_empty() {
        let desc = params
            .get("error_description")
            .and_then(Value::as_str)
            .unwrap_or("");
        return Err(Error::OauthFlowFailed {
            message: format!("{}: {desc}", s("error")),
            error_data: Some(params.clone()),
        });
    }
    let received = params.get("state").and_then(Value::as_str);
    if Some(orig_state) != received {
        return Err(Error::OauthFlowFailed {
            message: format!(
                "state values do not match: {orig_state} != {}",
                received.unwrap_or("None")
            ),
            error_data: None,
        });
    }
    let code = s("code");
    if code.is_empty() {
        return Err(Error::OauthFlowFailed {
            message: "An authorization code is required.".into(),
            error_data: None,
        });
    }
    let url = url::Url::parse(&format!("{}/oauth/token", oauth_base()))
        .map_err(|e| Error::Decode(format!("token URL: {e}")))?;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", orig_redirect_uri),
            ("client_id", app_id),
            ("client_secret", api_key),
        ])
        .finish();
    let t = transport()?;
    let resp = t
        .send(&Method::POST, &url, Idempotency::NonIdempotent, || {
            Ok(t.request(Method::POST, url.clone())
                .header(http::header::AUTHORIZATION, format!("APIKey {api_key}"))
                .header(http::header::CONTENT_TYPE, "application/form-urlencoded")
                .body(body.clone()))
        })
        .await?;
    let data = json_or_error(&Method::POST, resp).await?;
    data.get("access_token")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| Error::Decode("the token answer has no access_token".into()))
}

/// `verify_token(app_id, token)`: `GET /v1/oauth/token`; the token must belong to `app_id`.
pub async fn verify_token(app_id: &str, token: &str) -> Result<Map<String, Value>> {
    let url = url::Url::parse(&format!("{}/oauth/token", oauth_base()))
        .map_err(|e| Error::Decode(format!("token URL: {e}")))?;
    let t = transport()?;
    let resp = t
        .send(&Method::GET, &url, Idempotency::Idempotent, || {
            Ok(t.request(Method::GET, url.clone()).bearer_auth(token))
        })
        .await?;
    let data = json_or_error(&Method::GET, resp).await?;
    let client_id = data
        .get("client_id")
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .unwrap_or_default();
    if client_id != app_id {
        return Err(Error::TokenVerificationFailed(format!(
            "Token verification failed, the token is grant to {client_id} but not {app_id}"
        )));
    }
    Ok(data)
}

/// `get_verified_account(app_id, token)`: [`verify_token`], then `Account(token=token)`.
pub async fn get_verified_account(app_id: &str, token: &str) -> Result<Account> {
    verify_token(app_id, token).await?;
    Account::new(Some(token), None, None)
}
