#![cfg_attr(any(not(doctest), feature = "emulator"), doc = include_str!("../README.md"))]
#![cfg_attr(
    all(doctest, not(feature = "emulator")),
    doc = "The README's examples are doc tests with the `emulator` feature."
)]
//!
//! ## The original's names, linked
//!
//! | Python (`smartfile`) | Rust (`smartfile`) |
//! |---|---|
//! | `Client(url=, version='2', throttle_wait=True)` | [`Client::new`] with [`ClientOptions`] |
//! | `BasicClient(key, password, netrcfile=, url=…)` | [`BasicClient::new`] with [`BasicOptions`] (dereferences to [`Client`]) |
//! | `OAuthClient(client_token, client_secret, access_token, access_secret, url=…)` | [`OAuthClient::new`] (dereferences to [`Client`]) |
//! | `get/put/post/delete(endpoint, id=None, **kwargs)`, `client(...)` | [`Client::get`], `put`, `post`, `delete`, [`Client::call`] with [`Params`] |
//! | the return value (dict, text or `response.raw`) | [`Response`]: `Json`, `Text` or `Stream` |
//! | `upload(filename, fileobj)`, `download(path)`, `move(src, dst)`, `remove(path)` | [`Client::upload`], [`Client::download`], `Client::r#move`, [`Client::remove`] |
//! | README task loop | [`Client::wait_task`] |
//! | `get_request_token`, `get_authorization_url`, `get_access_token` | the same names on [`OAuthClient`] |
//! | `OAuthToken`, `clean_tokens` | [`OAuthToken`], [`clean_tokens`] |
//! | `APIError`, `RequestError`, `ResponseError` | [`Error::Api`], [`Error::Request`], [`Error::Response`] |
//! | (beyond the original) typed answers | [`models`]: [`Client::get_as`] (decoded from the bytes), [`Response::decode`], [`Client::children`] (typed children, a page ahead) |
//!
//! ## Decisions (linked to the API)
//!
//! - Python 3 breakages (spec 2.16): `get_authorization_url` returns the intended URL;
//!   `OAuthToken` gives `into_parts()` where iteration broke; a missing request token is
//!   [`Error::Api`] with the documented message; `ResponseError`'s detail keeps Python 3's
//!   bytes repr (`Error: b'{"detail": "bad"}'`), as the original prints it today.
//! - `download` writes to `download_to_path` or to the remote file's last path component in
//!   a folder (default the current one), never outside it (2.19 wrote to the remote path
//!   itself); through a partial file; resumable with `Range`. `download_stream` is HEAD's
//!   `perform_download=False`.
//! - Retries: the original's throttle retry (503 with `X-Throttle: …; next=N sec`, at most 3
//!   attempts, then `Could not complete request after 3 trys.`) is mirrored inside the shared
//!   retry loop, on downloads too, its wait capped at [`ClientOptions::throttle_max_wait`]
//!   (60 s); beyond it, 429 answers are retried after `Retry-After` by cloud-core's policy
//!   ([`ClientOptions::retry_rate_limits`]). `ClientOptions::http` takes the client options
//!   (timeouts: connect 5 s, read-idle 60 s; `HttpOptions::retry(RetryPolicy::none())` leaves
//!   only the original's throttle wait). A retried upload re-sends the whole file (the
//!   original re-sent an empty part).
//! - The User-Agent is `smartfile/<version>` (the workspace's convention), not the original's
//!   `SmartFile Python API client v2.19`; nothing on the server depends on it.
//! - Move semantics are the server's; the emulator's choice is documented in its module.
//! - `smartfile.sync` (librsync deltas) is not mirrored: it needs the librsync C library.
//!
//! ## What is public, and why
//!
//! [`Client`], [`BasicClient`], [`OAuthClient`] (each with every call the Python class has,
//! no `Deref`), their options, [`Params`] and file parts, [`Response`], [`Error`] with
//! [`Detail`], the netrc and token helpers the original exports (`netrc_lookup`,
//! `clean_tokens`), and `emulator` (feature). URL re-quoting, the throttle parsing and the
//! error-body decoding are crate-private; `fuzzing` is `#[doc(hidden)]`.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod client;
mod credentials;
pub mod error;
mod helpers;
mod inherit;
pub mod models;
pub mod netrc;
mod params;
#[cfg(feature = "object-store")]
#[cfg_attr(docsrs, doc(cfg(feature = "object-store")))]
pub mod store;

#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub use client::{
    BasicClient, BasicOptions, Client, ClientOptions, Id, OAuthClient, Response, API_URL,
    HTTP_USER_AGENT,
};
pub use credentials::{clean_tokens, netrc_lookup, OAuthToken, MIN_TOKEN_LEN};
pub use error::{Detail, Error, Result};
pub use helpers::{DownloadOptions, TaskResult};
pub use params::{FilePart, FileSource, Params, Value};

pub use cloud_core;
/// The client options and retry policy every crate of the family takes.
pub use cloud_core::{HttpOptions, ProxyScheme, RetryPolicy};

/// The surface of the `smartfile` package, symbol by symbol, and where each lives here
/// (generated from `surface.toml` by `cargo xtask surface`; a page of the docs only).
#[cfg(doc)]
#[doc = include_str!("python_surface.md")]
pub mod python_surface {}

/// The workspace README's example (SmartFile's store on its emulator), run as a doc test here,
/// the crate it uses.
#[cfg(all(doctest, feature = "emulator", feature = "object-store"))]
#[doc = include_str!("../../README.md")]
pub struct WorkspaceReadme;
