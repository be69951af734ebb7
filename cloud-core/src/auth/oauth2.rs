//! OAuth2 (RFC 6749) authorization-code flow: [`Token`], the authorize URL with a random
//! `state`, code exchange and refresh.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use http::Method;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, ErrorKind};
use crate::retry::Idempotency;
use crate::transport::{error_from_response, read_json, Transport};
use crate::Secret;

/// An OAuth2 token. `Serialize` writes the real tokens (explicitly, see [`Secret`]): it is
/// the form to persist; `Debug` redacts them.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Token {
    /// The bearer token.
    #[serde(serialize_with = "Secret::serialize_exposed")]
    pub access_token: Secret,
    /// The refresh token, when the server issued one.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "Secret::serialize_exposed_opt"
    )]
    pub refresh_token: Option<Secret>,
    /// When the access token expires, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// The token type (`bearer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// The granted scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("expires_at", &self.expires_at)
            .field("token_type", &self.token_type)
            .field("scope", &self.scope)
            .finish()
    }
}

impl Token {
    /// A token with this access token and nothing else known (build the rest with the
    /// `with_*` methods; the struct is `#[non_exhaustive]`).
    pub fn new(access_token: impl Into<Secret>) -> Self {
        Self {
            access_token: access_token.into(),
            refresh_token: None,
            expires_at: None,
            token_type: None,
            scope: None,
        }
    }

    /// Sets the refresh token.
    pub fn with_refresh_token(mut self, refresh_token: Option<Secret>) -> Self {
        self.refresh_token = refresh_token;
        self
    }

    /// Sets the expiry.
    pub fn with_expires_at(mut self, expires_at: Option<DateTime<Utc>>) -> Self {
        self.expires_at = expires_at;
        self
    }

    /// Sets the token type.
    pub fn with_token_type(mut self, token_type: Option<String>) -> Self {
        self.token_type = token_type;
        self
    }

    /// Sets the scope.
    pub fn with_scope(mut self, scope: Option<String>) -> Self {
        self.scope = scope;
        self
    }

    /// A token with only an access token (no expiry known).
    pub fn bearer(access_token: impl Into<Secret>) -> Self {
        Self {
            access_token: access_token.into(),
            refresh_token: None,
            expires_at: None,
            token_type: Some("bearer".into()),
            scope: None,
        }
    }

    /// True when the token expires within `margin` of `now` (a token without expiry never does).
    pub fn expires_within(&self, margin: std::time::Duration, now: DateTime<Utc>) -> bool {
        match self.expires_at {
            Some(at) => {
                let margin = ChronoDuration::from_std(margin).unwrap_or(ChronoDuration::zero());
                at - margin <= now
            }
            None => false,
        }
    }
}

/// A token endpoint's JSON answer (RFC 6749 section 5.1), with any extra fields kept.
#[derive(Clone, Deserialize, Serialize)]
pub struct TokenResponse {
    /// The access token (serialized as it is: this is the wire answer).
    #[serde(serialize_with = "Secret::serialize_exposed")]
    pub access_token: Secret,
    /// The token type.
    #[serde(default)]
    pub token_type: Option<String>,
    /// Lifetime in seconds.
    #[serde(default)]
    pub expires_in: Option<i64>,
    /// The refresh token.
    #[serde(default, serialize_with = "Secret::serialize_exposed_opt")]
    pub refresh_token: Option<Secret>,
    /// The granted scope.
    #[serde(default)]
    pub scope: Option<String>,
    /// Any other field the provider sends.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &self.refresh_token)
            .field("scope", &self.scope)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl TokenResponse {
    /// The token, its expiry computed from `now`. A refresh answer without a refresh token
    /// keeps `previous_refresh` (servers that do not rotate refresh tokens).
    pub fn into_token(self, now: DateTime<Utc>, previous_refresh: Option<&Secret>) -> Token {
        Token {
            access_token: self.access_token,
            refresh_token: self.refresh_token.or_else(|| previous_refresh.cloned()),
            expires_at: self
                .expires_in
                .map(|s| now + ChronoDuration::seconds(s.max(0))),
            token_type: self.token_type,
            scope: self.scope,
        }
    }
}

/// How the client authenticates itself at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ClientAuth {
    /// `Authorization: Basic base64(client_id:client_secret)`.
    #[default]
    BasicHeader,
    /// `client_id` and `client_secret` as form fields, after the grant's own.
    RequestBody,
    /// Nothing added: a public client, or a provider whose form carries the credentials in
    /// its own order (the caller puts them in the form it passes).
    None,
}

/// `n` random bytes from the operating system, as lowercase hex (OAuth `state`, OAuth 1
/// nonces). A failing random source is an error ([`ErrorKind::Config`]), never a constant or
/// a clock value that an attacker could guess.
pub fn random_hex(n: usize) -> Result<String, Error> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| {
        Error::with_message(
            ErrorKind::Config,
            format!("the operating system's random source failed: {e}"),
        )
    })?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// A new random `state` value (128 bits, hex); an error when the random source fails.
pub fn random_state() -> Result<String, Error> {
    random_hex(16)
}

/// An authorize URL and the `state` it carries, to check against the redirect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    /// The URL to open in a browser.
    pub url: Url,
    /// The `state` to expect back.
    pub state: String,
}

/// An OAuth2 client: its id and secret, the endpoints and how it authenticates.
#[derive(Clone)]
pub struct OAuth2Client {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Option<Secret>,
    /// The authorize endpoint.
    pub authorize_url: Url,
    /// The token endpoint.
    pub token_url: Url,
    /// The redirect URI registered for the client.
    pub redirect_uri: Option<String>,
    /// How the client authenticates at the token endpoint.
    pub client_auth: ClientAuth,
}

impl fmt::Debug for OAuth2Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2Client")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("authorize_url", &self.authorize_url.as_str())
            .field("token_url", &self.token_url.as_str())
            .field("redirect_uri", &self.redirect_uri)
            .field("client_auth", &self.client_auth)
            .finish()
    }
}

impl OAuth2Client {
    /// The authorize URL with `response_type=code`, the client id, the redirect URI, the scopes
    /// (space-separated), a new random `state` unless one is given, and any extra parameters.
    pub fn authorize_url(
        &self,
        scopes: &[&str],
        state: Option<&str>,
        extra: &[(&str, &str)],
    ) -> Result<AuthorizeRequest, Error> {
        let state = match state {
            Some(s) => s.to_owned(),
            None => random_state()?,
        };
        let mut url = self.authorize_url.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code");
            q.append_pair("client_id", &self.client_id);
            if let Some(r) = &self.redirect_uri {
                q.append_pair("redirect_uri", r);
            }
            if !scopes.is_empty() {
                q.append_pair("scope", &scopes.join(" "));
            }
            q.append_pair("state", &state);
            for (k, v) in extra {
                q.append_pair(k, v);
            }
        }
        Ok(AuthorizeRequest { url, state })
    }

    /// Exchanges an authorization code for a token.
    pub async fn exchange_code(&self, transport: &Transport, code: &str) -> Result<Token, Error> {
        if code.is_empty() {
            return Err(Error::invalid_input("empty authorization code"));
        }
        let mut form = vec![("grant_type", "authorization_code"), ("code", code)];
        if let Some(r) = &self.redirect_uri {
            form.push(("redirect_uri", r));
        }
        let resp = self.token_request(transport, &form).await?;
        Ok(resp.into_token(Utc::now(), None))
    }

    /// Refreshes a token with its refresh token.
    pub async fn refresh(
        &self,
        transport: &Transport,
        refresh_token: &Secret,
    ) -> Result<Token, Error> {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
        ];
        let resp = self.token_request(transport, &form).await?;
        Ok(resp.into_token(Utc::now(), Some(refresh_token)))
    }

    /// Sends a token grant (`form`, in the order given) to the token endpoint with the
    /// client's authentication, and returns the answer whatever its status. This is the one
    /// place where the workspace sends a grant: it is **never re-sent once it may have reached
    /// the server** (a code is single-use and refresh tokens rotate; see [`crate::retry`]),
    /// only after a connect error. Providers with their own answer format decode it
    /// themselves; [`OAuth2Client::token_request`] decodes the standard one.
    pub async fn send_token_form(
        &self,
        transport: &Transport,
        form: &[(&str, &str)],
    ) -> Result<reqwest::Response, Error> {
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        if self.client_auth == ClientAuth::RequestBody {
            fields.push(("client_id", &self.client_id));
            if let Some(s) = &self.client_secret {
                fields.push(("client_secret", s.expose()));
            }
        }
        let method = Method::POST;
        let url = self.token_url.clone();
        transport
            .send(&method, &url, Idempotency::NonIdempotent, || {
                let mut req = transport
                    .request(method.clone(), url.clone())
                    .header(http::header::ACCEPT, "application/json")
                    .form(&fields);
                if self.client_auth == ClientAuth::BasicHeader {
                    req = req.basic_auth(
                        &self.client_id,
                        self.client_secret.as_ref().map(Secret::expose),
                    );
                }
                Ok(req)
            })
            .await
    }

    /// Sends a token grant ([`OAuth2Client::send_token_form`]) and decodes the standard
    /// answer; an error answer is an [`ErrorKind::Unauthorized`] (a rejected grant or client)
    /// or the status's kind.
    pub async fn token_request(
        &self,
        transport: &Transport,
        form: &[(&str, &str)],
    ) -> Result<TokenResponse, Error> {
        let method = Method::POST;
        let resp = self.send_token_form(transport, form).await?;
        if !resp.status().is_success() {
            let mut err = error_from_response(&method, resp, oauth_error_message).await;
            // A rejected grant or client is an authorization failure whatever the status.
            if matches!(err.kind(), ErrorKind::Client) {
                err = Error::new(ErrorKind::Unauthorized).context(err.error_context().clone());
            }
            return Err(err);
        }
        read_json(&method, resp, 1024 * 1024).await
    }
}

pub(crate) fn oauth_error_message(_status: http::StatusCode, body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let code = v.get("error")?.as_str()?.to_owned();
    Some(match v.get("error_description").and_then(|d| d.as_str()) {
        Some(d) => format!("{code}: {d}"),
        None => code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> OAuth2Client {
        OAuth2Client {
            client_id: "cid".into(),
            client_secret: Some(Secret::new("csecret")),
            authorize_url: Url::parse("https://auth.test/authorize?x=1").unwrap(),
            token_url: Url::parse("https://auth.test/token").unwrap(),
            redirect_uri: Some("http://127.0.0.1:8080/cb".into()),
            client_auth: ClientAuth::BasicHeader,
        }
    }

    #[test]
    fn authorize_url_has_state_and_params() {
        let a = client()
            .authorize_url(&["read", "write"], None, &[("access_type", "offline")])
            .unwrap();
        let q: BTreeMap<String, String> = a.url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "cid");
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:8080/cb");
        assert_eq!(q["scope"], "read write");
        assert_eq!(q["state"], a.state);
        assert_eq!(q["x"], "1");
        assert_eq!(q["access_type"], "offline");
        assert_eq!(a.state.len(), 32);
        let b = client().authorize_url(&[], None, &[]).unwrap();
        assert_ne!(a.state, b.state);
        assert!(!format!("{:?}", client()).contains("csecret"));
    }

    #[test]
    fn token_expiry_and_redaction() {
        let now = Utc::now();
        let resp: TokenResponse = serde_json::from_str(
            r#"{"access_token":"AT","expires_in":3600,"token_type":"bearer","user_id":"u1"}"#,
        )
        .unwrap();
        assert_eq!(resp.extra["user_id"], "u1");
        let t = resp.into_token(now, Some(&Secret::new("RT")));
        assert_eq!(t.refresh_token.as_ref().map(Secret::expose), Some("RT"));
        assert!(!t.expires_within(std::time::Duration::from_secs(60), now));
        assert!(t.expires_within(std::time::Duration::from_secs(3600), now));
        let shown = format!("{t:?}");
        assert!(!shown.contains("AT\"") && !shown.contains("RT"));
    }
}
