#![cfg_attr(any(not(doctest), feature = "emulator"), doc = include_str!("../README.md"))]
#![cfg_attr(
    all(doctest, not(feature = "emulator")),
    doc = "The README's examples are doc tests with the `emulator` feature."
)]
//!
//! ## Retries and timeouts (linked to the API)
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
