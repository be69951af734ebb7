//! [`Secret`]: a string that never prints itself.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret string (access token, refresh token, password, API key, client secret).
///
/// `Debug` prints `Secret("***")` and there is no `Display`: the only way to read the value is
/// [`Secret::expose`], which makes every place that sends a secret easy to find.
/// `Serialize` writes the real value, since token files and wire bodies need it; serialize a
/// secret only to where it belongs.
///
/// ```
/// use cloud_core::Secret;
/// let s = Secret::new("hunter2");
/// assert_eq!(format!("{s:?}"), "Secret(\"***\")");
/// assert_eq!(s.expose(), "hunter2");
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
        serializer.serialize_str(&self.0)
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
        let json = serde_json::to_string(&s).unwrap_or_default();
        assert_eq!(json, "\"tok-123\"");
        let back: Secret = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, s);
    }
}
