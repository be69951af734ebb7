//! [`Secret`]: a string that never prints itself.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret string (access token, refresh token, password, API key, client secret).
///
/// `Debug` prints `Secret("***")` and there is no `Display`: the only way to read the value is
/// [`Secret::expose`], which makes every place that sends a secret easy to find.
/// `Serialize` writes `"***"` too, so that a struct holding a secret can be logged as JSON
/// without leaking it; a field that must carry the real value (a token file, a wire body) asks
/// for it explicitly with `#[serde(serialize_with = "Secret::serialize_exposed")]` (or
/// [`Secret::serialize_exposed_opt`] for an `Option<Secret>`). `Deserialize` reads the value.
///
/// ```
/// use cloud_core::Secret;
/// let s = Secret::new("hunter2");
/// assert_eq!(format!("{s:?}"), "Secret(\"***\")");
/// assert_eq!(s.expose(), "hunter2");
/// assert_eq!(serde_json::to_string(&s).unwrap(), "\"***\"");
///
/// #[derive(serde::Serialize)]
/// struct TokenFile {
///     #[serde(serialize_with = "Secret::serialize_exposed")]
///     token: Secret,
/// }
/// let file = TokenFile { token: s };
/// assert_eq!(serde_json::to_string(&file).unwrap(), r#"{"token":"hunter2"}"#);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("***")
    }
}

impl Secret {
    /// Serializes the real value: for `#[serde(serialize_with = "Secret::serialize_exposed")]`
    /// on a field that must carry it.
    pub fn serialize_exposed<S: Serializer>(
        secret: &Secret,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&secret.0)
    }

    /// [`Secret::serialize_exposed`] for an `Option<Secret>`.
    pub fn serialize_exposed_opt<S: Serializer>(
        secret: &Option<Secret>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match secret {
            Some(s) => serializer.serialize_some(&s.0),
            None => serializer.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_and_expose_reveals() {
        let s = Secret::from("tok-123");
        assert!(!format!("{s:?}").contains("tok-123"));
        assert!(!format!("{:#?}", Some(&s)).contains("tok-123"));
        assert_eq!(s.expose(), "tok-123");
        // Serialized redacted unless a field asks for the value.
        assert_eq!(serde_json::to_string(&s).unwrap_or_default(), "\"***\"");
        let back: Secret = serde_json::from_str("\"tok-123\"").unwrap_or_default();
        assert_eq!(back, s);
        let token = crate::Token::new(s.clone()).with_refresh_token(Some(s.clone()));
        let json = serde_json::to_string(&token).unwrap_or_default();
        assert!(json.contains("\"access_token\":\"tok-123\""), "{json}");
        let again: crate::Token = serde_json::from_str(&json).unwrap_or_else(|_| token.clone());
        assert_eq!(again, token);
    }
}
