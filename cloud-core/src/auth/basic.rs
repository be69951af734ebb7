//! HTTP Basic credentials.

use std::fmt;

use crate::Secret;

/// A user name (or API key) and password for HTTP Basic authentication.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicCredentials {
    /// The user name, or the API key where a provider puts its key there.
    pub username: String,
    /// The password.
    pub password: Secret,
}

impl BasicCredentials {
    /// New credentials.
    pub fn new(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
        }
    }

    /// Applies the credentials to a request.
    pub fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.basic_auth(&self.username, Some(self.password.expose()))
    }
}

impl fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The user name can itself be an API key (SmartFile): redact it too, keeping a hint.
        f.debug_struct("BasicCredentials")
            .field("username", &crate::auth::hint(&self.username))
            .field("password", &self.password)
            .finish()
    }
}
