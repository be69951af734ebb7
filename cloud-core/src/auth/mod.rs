//! Credentials: [`Secret`], HTTP Basic, OAuth2 tokens and the single-flight [`TokenCache`].

mod basic;
mod oauth2;
mod secret;
mod token_cache;

pub use basic::BasicCredentials;
pub use oauth2::{
    random_hex, random_state, AuthorizeRequest, ClientAuth, OAuth2Client, Token, TokenResponse,
};
pub use secret::Secret;
pub use token_cache::{send_authorized, RefreshHook, TokenCache, TokenRefresher};

/// A hint of an identifier that may itself be a secret: its first 4 characters and its length.
pub(crate) fn hint(value: &str) -> String {
    let head: String = value.chars().take(4).collect();
    format!("{head}…({} chars)", value.chars().count())
}
