//! Credentials: `clean_tokens`, `OAuthToken`, the OAuth 1.0 PLAINTEXT header, and netrc.
//!
//! PLAINTEXT signing is a string concatenation (`pct(client_secret)&pct(token_secret)`) and
//! netrc is a tiny token format: both are written here rather than pulled in as crates.

use std::fmt;
use std::path::Path;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use cloud_core::Secret;

use crate::error::{Error, Result};

/// The minimum length of keys, passwords, tokens and secrets.
pub const MIN_TOKEN_LEN: usize = 30;

/// `clean_tokens(*args)`: every value present and, stripped, at least 30 characters.
/// Errors are the original's `ValueError('not provided')` / `ValueError('too short')`.
pub fn clean_tokens(values: &[Option<&str>]) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        match v {
            Some(s) if !s.is_empty() => out.push(s.trim().to_owned()),
            _ => return Err(Error::InvalidInput("not provided".into())),
        }
    }
    if out.iter().any(|s| s.chars().count() < MIN_TOKEN_LEN) {
        return Err(Error::InvalidInput("too short".into()));
    }
    Ok(out)
}

/// An OAuth 1.0 token and its secret (`OAuthToken`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct OAuthToken {
    /// The token.
    pub token: Option<String>,
    /// Its secret.
    pub secret: Option<Secret>,
}

impl fmt::Debug for OAuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // An access or request token is as good as a password: neither part is printed.
        f.debug_struct("OAuthToken")
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("secret", &self.secret)
            .finish()
    }
}

impl OAuthToken {
    /// A token pair.
    pub fn new(token: impl Into<String>, secret: impl Into<Secret>) -> Self {
        Self {
            token: Some(token.into()),
            secret: Some(secret.into()),
        }
    }

    /// `is_valid()`: both present and at least 30 characters once stripped.
    pub fn is_valid(&self) -> bool {
        clean_tokens(&[
            self.token.as_deref(),
            self.secret.as_ref().map(Secret::expose),
        ])
        .is_ok()
    }

    /// `(token, secret)` (the original's iteration, broken on Python 3.7+, as intended).
    pub fn into_parts(self) -> (Option<String>, Option<Secret>) {
        (self.token, self.secret)
    }
}

/// RFC 3986 percent-encoding (unreserved characters kept).
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub(crate) fn pct(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// A nonce (64 random bits then the timestamp, as the original's `random.getrandbits(64)`)
/// and the timestamp; a failing random source is an error, never a guessable nonce.
fn nonce_and_timestamp() -> Result<(String, String), cloud_core::Error> {
    let ts = chrono::Utc::now().timestamp().to_string();
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| {
        cloud_core::Error::with_message(
            cloud_core::ErrorKind::Config,
            format!("the operating system's random source failed: {e}"),
        )
    })?;
    Ok((format!("{}{ts}", u64::from_le_bytes(b)), ts))
}

/// The `Authorization: OAuth ...` header of a PLAINTEXT request, fields in the original's
/// order; `extra` (`oauth_callback`, `oauth_verifier`) go just before the signature.
pub(crate) fn oauth_header(
    client: &OAuthToken,
    token: Option<&OAuthToken>,
    extra: &[(&str, &str)],
) -> Result<String, cloud_core::Error> {
    let (nonce, ts) = nonce_and_timestamp()?;
    let client_secret = client
        .secret
        .as_ref()
        .map(Secret::expose)
        .unwrap_or_default();
    let token_secret = token
        .and_then(|t| t.secret.as_ref())
        .map(Secret::expose)
        .unwrap_or_default();
    let signature = format!("{}&{}", pct(client_secret), pct(token_secret));
    let mut fields: Vec<(&str, String)> = vec![
        ("oauth_nonce", nonce),
        ("oauth_timestamp", ts),
        ("oauth_version", "1.0".into()),
        ("oauth_signature_method", "PLAINTEXT".into()),
        (
            "oauth_consumer_key",
            client.token.clone().unwrap_or_default(),
        ),
    ];
    if let Some(t) = token.and_then(|t| t.token.clone()) {
        fields.push(("oauth_token", t));
    }
    for (k, v) in extra {
        fields.push((k, (*v).to_owned()));
    }
    fields.push(("oauth_signature", signature));
    let parts: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", pct(v)))
        .collect();
    Ok(format!("OAuth {}", parts.join(", ")))
}

/// The `login` and `password` of a netrc file for `machine` (or its `default` entry), read
/// as Python's `netrc` module reads it ([`crate::netrc::Netrc`]); `None` when the file cannot
/// be read or parsed (the original ignores a broken netrc) or has no entry for the machine.
pub fn netrc_lookup(path: &Path, machine: &str) -> Option<(Option<String>, Option<String>)> {
    let rc = crate::netrc::Netrc::read(Some(path)).ok()?;
    let e = rc.authenticators(machine)?;
    Some((Some(e.login.clone()), Some(e.password.expose().to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_header() {
        let k = "k".repeat(30);
        assert_eq!(
            clean_tokens(&[Some(&format!("  {k} ")), Some(&k)]).unwrap()[0],
            k
        );
        assert!(clean_tokens(&[Some(&"x".repeat(29)), Some(&k)]).is_err());
        assert!(clean_tokens(&[Some(""), Some(&k)]).is_err());
        assert!(clean_tokens(&[None, Some(&k)]).is_err());
        let client = OAuthToken::new("c".repeat(30), "s&s".repeat(10));
        let access = OAuthToken::new("a".repeat(30), "q".repeat(30));
        let h = oauth_header(&client, Some(&access), &[("oauth_verifier", "V")]).unwrap();
        assert!(h.starts_with("OAuth oauth_nonce=\""));
        assert!(h.contains("oauth_version=\"1.0\", oauth_signature_method=\"PLAINTEXT\""));
        assert!(h.contains(&format!(
            "oauth_token=\"{}\", oauth_verifier=\"V\", oauth_signature=\"",
            "a".repeat(30)
        )));
        // pct(pct(cs) & pct(ts)): `&` inside the secret is encoded twice, the separator once.
        assert!(h.ends_with(&format!(
            "oauth_signature=\"{}%26{}\"",
            "s%2526s".repeat(10),
            "q".repeat(30)
        )));
        assert!(!format!("{access:?}").contains("aaaa"));
    }

    #[test]
    fn netrc() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("netrc");
        std::fs::write(&p, "machine other login a password b\nmachine 127.0.0.1:8000\n  login KEY\n  password PW\ndefault login D password DP\n").unwrap();
        assert_eq!(
            netrc_lookup(&p, "127.0.0.1:8000"),
            Some((Some("KEY".into()), Some("PW".into())))
        );
        assert_eq!(
            netrc_lookup(&p, "nowhere"),
            Some((Some("D".into()), Some("DP".into())))
        );
        std::fs::write(&p, "machine x account only\n").unwrap();
        // Python gives empty strings for what an entry lacks.
        assert_eq!(
            netrc_lookup(&p, "x"),
            Some((Some(String::new()), Some(String::new())))
        );
        assert_eq!(netrc_lookup(&dir.path().join("missing"), "x"), None);
    }
}
