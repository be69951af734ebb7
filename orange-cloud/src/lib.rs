//! # orange-cloud
//!
//! A Rust mirror of the Orange Cloud France client (PyPI `orangecloud-client` 0.0.2, on
//! `oauth2-client` 0.0.12), on [`cloud_core`]; and, behind the `emulator` feature, a stateful
//! emulator of the API. The README has the Python-to-Rust table of every call, how to register
//! the redirect URL, and the decisions taken where the original misbehaved.
//!
//! ```
//! # #[cfg(feature = "emulator")]
//! # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
//! use orange_cloud::emulator::Emulator;
//! use orange_cloud::{ApiManager, ApiManagerOptions, FolderQuery};
//!
//! let emu = Emulator::start().await?;
//! let options = ApiManagerOptions::default().base_url(&emu.base_url());
//! let m = ApiManager::new(emu.client_id(), emu.client_secret(), emu.redirect_uri(), options)?;
//! // A stored refresh token (the authorization-code flow gives the first one).
//! m.init_with_token(emu.issue_token().refresh_token.expose()).await?;
//! let docs = m.folders().create("Documents", None).await?;
//! let up = m.files().upload_with(b"hello".to_vec(), Some(&docs.id),
//!     orange_cloud::UploadOptions::default().name("hello.txt")).await?;
//! let listing = m.folders().get(Some(&docs.id), FolderQuery::default().showthumbnails()).await?;
//! assert_eq!(listing.files[0].name, up.file_name);
//! let mut bytes = Vec::new();
//! m.files().download_to(listing.files[0].download_url.as_deref().unwrap_or_default(), &mut bytes).await?;
//! assert_eq!(bytes, b"hello");
//! # Ok::<_, Box<dyn std::error::Error>>(()) }).unwrap();
//! ```
//!
//! ## Retries and timeouts
//!
//! As the original, nothing is re-sent but the one replay after an expired token
//! (`401 {"message": "Invalid credentials"}`). [`ApiManagerOptions::http`] takes cloud-core's
//! `HttpOptions`: `retry(RetryPolicy::default())` re-sends GETs and DELETEs (never a POST or a
//! token grant); timeouts default to connect 5 s and read-idle 60 s (the original had none:
//! `read_timeout_disabled()`).
//!
//! ## What is public, and why
//!
//! [`ApiManager`] and its options, the three domains, the models, [`Error`], the redirect
//! parameter reader the original exposes, and `emulator` (feature). `fuzzing` is
//! `#[doc(hidden)]`; `ApiManager::refresh_count` is a test hook behind `emulator`.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod api;
mod domains;
pub mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod models;
mod redirect;
#[cfg(feature = "object-store")]
#[cfg_attr(docsrs, doc(cfg(feature = "object-store")))]
pub mod store;

#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;

pub use api::{
    generate_state, ApiManager, ApiManagerOptions, BASE_URI, SCOPES, URL_API, URL_UPLOAD,
};
pub use domains::{Files, FolderQuery, Folders, Freespace, UploadOptions};
pub use error::{Error, Result};
pub use models::{File, Folder, Item, SubFolder, Uploaded};
pub use redirect::read_request_parameters;

pub use cloud_core;
pub use cloud_core::body::{Progress, UploadSource};
/// The client options and retry policy every crate of the family takes.
pub use cloud_core::{HttpOptions, ProxyScheme, RetryPolicy};

/// The surface of `orangecloud_client` (and the oauth2-client calls its `ApiManager`
/// inherits), symbol by symbol, and where each lives here (generated from `surface.toml` by
/// `cargo xtask surface`; a page of the docs only).
#[cfg(doc)]
#[doc = include_str!("python_surface.md")]
pub mod python_surface {}

/// The README's code blocks, compiled (and run where they are not `no_run`) as doc tests, so
/// that the README cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
