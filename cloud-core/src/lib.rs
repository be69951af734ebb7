//! # cloud-core
//!
//! The thin, provider-neutral core under the cloud-storage SDK crates of this workspace
//! (`verizon-pcs`, `acd`, `smartfile`, `kloudless`, `orange-cloud`). Users depend on one
//! provider crate; that crate re-exports what it needs from here.
//!
//! | module | what it holds |
//! |---|---|
//! | [`error`] | [`ErrorKind`] (shared classes of failure), [`ErrorContext`], [`Error`], URL redaction |
//! | [`retry`] | [`RetryPolicy`]: a pure `decide()` and the async loop around it; **the retry rule** of every crate |
//! | [`model`] | [`wire_model!`]: typed models of a provider's JSON, decoded straight from the bytes, unknown fields kept |
//! | [`options`] | [`HttpOptions`]: timeouts, proxies, user agent, an own `reqwest::Client`, the retry policy, the JSON size limit |
//! | [`transport`] | [`Transport`]: reqwest with base URL override, user agent, timeouts, tracing |
//! | [`auth`] | [`Secret`], Basic credentials, OAuth2 [`Token`] and the single-flight [`TokenCache`] |
//! | [`paging`] | pages and cursors as a [`futures::Stream`] |
//! | [`body`] | resumable downloads, partial files, bounded-chunk uploads, progress |
//! | `store` | (feature `object-store`) one `object_store::ObjectStore` over any provider's folder tree: paths, the folder cache, multipart spooling, listings, error mapping |
//! | `emulator` | (feature `emulator`) the harness every provider emulator is built on |
//!
//! ## The options convention
//!
//! Every call of the original SDKs that takes optional keyword arguments takes, in Rust, one
//! `...Options` struct as its last argument: `#[derive(Default, Clone, Debug)]`,
//! `#[non_exhaustive]` (so that new options are not breaking changes), its fields private to
//! the crate, built from `default()` with one chainable setter per field, named as the Python
//! keyword. Pass `Default::default()` for none.
//! Where the options become a query string, the struct derives `Serialize` with
//! `skip_serializing_if = "Option::is_none"`, so that an unset option is not sent at all, as
//! with a Python keyword left at `None`.
//!
//! ```
//! use serde::Serialize;
//!
//! /// Options of a `list_children(folder, options)` call.
//! #[derive(Default, Clone, Debug, Serialize)]
//! #[non_exhaustive]
//! pub struct ListChildrenOptions {
//!     #[serde(skip_serializing_if = "Option::is_none")]
//!     limit: Option<u32>,
//!     #[serde(skip_serializing_if = "Option::is_none")]
//!     filters: Option<String>,
//! }
//!
//! impl ListChildrenOptions {
//!     /// Sets `limit`.
//!     pub fn limit(mut self, limit: u32) -> Self {
//!         self.limit = Some(limit);
//!         self
//!     }
//!
//!     /// Sets `filters`.
//!     pub fn filters(mut self, filters: impl Into<String>) -> Self {
//!         self.filters = Some(filters.into());
//!         self
//!     }
//! }
//!
//! let opts = ListChildrenOptions::default().limit(50);
//! let query = serde_json::to_value(&opts).unwrap();
//! assert_eq!(query, serde_json::json!({ "limit": 50 }));
//! ```
//!
//! ## Retries, timeouts and client options
//!
//! One rule for the whole family, written in [`retry`]: idempotent calls are re-sent after
//! 408/429/5xx-but-501 answers and transport failures, with `Retry-After` honoured; a request
//! that is not idempotent (token grants above all) is re-sent only after a connect error.
//! [`RetryPolicy::none`] never re-sends. Every provider client takes an [`HttpOptions`]
//! (`.http(..)` on its options), applied by [`transport::TransportBuilder::options`] over the
//! provider's defaults; each provider README has a "Retries and timeouts" table of its calls.
//!
//! ## Secrets
//!
//! Tokens, keys and passwords are [`Secret`]s: `Debug` prints `***` and there is no
//! `Display`. Errors keep a redacted URL and no header but the request id; `tracing` spans
//! carry the redacted URL only.
//!
//! ## What is public, and why
//!
//! Everything here is public because the provider crates build on it and their users meet it
//! in their own code: errors and their accessors ([`error_accessors!`]), [`HttpOptions`] and
//! [`RetryPolicy`] (every client takes them), the retry decision types (for writing a custom
//! [`RetryStrategy`]), [`Transport`], the auth types, paging and body helpers. `emulator`
//! (feature) is the harness provider emulators and users' tests build on; it exposes `axum`
//! types (routers), so its API follows axum's major versions. Enums and structs that will grow
//! are `#[non_exhaustive]`.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

pub mod auth;
pub mod body;
pub mod error;
pub mod model;
pub mod options;
pub mod paging;
pub mod retry;
#[cfg(all(feature = "emulator", feature = "object-store"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "emulator", feature = "object-store"))))]
pub mod sim;
#[cfg(feature = "object-store")]
#[cfg_attr(docsrs, doc(cfg(feature = "object-store")))]
pub mod store;
pub mod transport;

#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;

pub use auth::{BasicCredentials, OAuth2Client, Secret, Token, TokenCache};
pub use error::{Error, ErrorContext, ErrorKind, TransportKind};
pub use options::{HttpOptions, ProxyScheme};
pub use retry::{Idempotency, RetryPolicy, RetryStrategy};
pub use transport::Transport;

/// Re-exported so that provider crates and their users name one version.
pub use bytes;
pub use futures;
pub use reqwest;
pub use url;

/// What the exported macros ([`wire_model!`]) name, so that a crate using them needs no
/// dependency of its own on serde or serde_json.
#[doc(hidden)]
pub mod __private {
    pub use async_trait::async_trait;
    pub use serde;
    pub use serde_json;
}

/// The README's code blocks, compiled (and run where they are not `no_run`) as doc tests, so
/// that the README cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
