#![cfg_attr(any(not(doctest), feature = "emulator"), doc = include_str!("../README.md"))]
#![cfg_attr(
    all(doctest, not(feature = "emulator")),
    doc = "The README's examples are doc tests with the `emulator` feature."
)]
//!
//! ## The original's names, linked
//!
//! | Python | Rust |
//! |---|---|
//! | `Cloud(key, secret, callback, access_token=, refresh_token=, on_refreshed=)` | [`Cloud::new`] with [`CloudOptions`] |
//! | `authorize_url()`, `token(code)`, `refresh()` | [`Cloud::authorize_url`], [`Cloud::token`], [`Cloud::refresh`] |
//! | `account()` | [`Cloud::account`] |
//! | `metadata(path='/')`, `file_metadata(path)` | [`Cloud::metadata`], [`Cloud::file_metadata`] |
//! | `fullview(etag=None)` | [`Cloud::fullview`] |
//! | `search(query, sort, virtualfolder, page, count)` | [`Cloud::search`] with [`SearchOptions`]; all pages: [`Cloud::search_stream`] |
//! | `download_url(file_or_path)` | [`Cloud::download_url`]; streamed download: [`Cloud::download`] |
//! | `CloudFile.download_url()` | [`CloudFile::download_url`] (the cloud as argument) |
//! | `upload(file, upload_path, name, chunked, chunk_size)` | [`Cloud::upload`] with [`UploadOptions`] |
//! | `delete`, `create_folder`, `copy`, `move`, `rename` (1.3+) | [`Cloud::delete`], [`Cloud::create_folder`], [`Cloud::copy`], `Cloud::r#move`, [`Cloud::rename`] |
//! | `trash`, `empty_trash`, `restore` (1.3+) | [`Cloud::trash`], [`Cloud::empty_trash`], [`Cloud::restore`] |
//!
//! ## Decisions where the original is silent or buggy (linked to the API)
//!
//! - **Refresh**: reactive on any 401 (one refresh, one replay, as the original) and,
//!   beyond it, proactive when the expiry is known; single-flight through
//!   [`cloud_core::TokenCache`], so concurrent calls make one refresh and one
//!   `on_refreshed` call. A 5xx or network failure of the replay is `Unauthorized request`,
//!   as in the original.
//! - **Retries and timeouts** ([`CloudOptions::http`]): cloud-core's default policy re-sends
//!   idempotent calls (GETs, DELETEs, sequence-numbered chunks) after 5xx/429/transport
//!   errors, never a token grant, a create, a commit or a one-shot upload; connect 5 s,
//!   read-idle 60 s. The original never retries and has no timeouts:
//!   `HttpOptions::default().retry(RetryPolicy::none()).read_timeout_disabled()` for that.
//! - **Replays re-send the whole body** (the original sent an empty body when replaying an
//!   un-chunked upload after a refresh).
//! - **Statuses the original leaves unchecked** (metadata's 400/403, the un-chunked upload's
//!   status, a fullview 404) are [`Error::Cloud`] with the response kept, not a `KeyError`.
//! - `download_url` of a folder at the root is `/NAME` (the original built `//NAME`).
//! - `Env.chunked_upload_size` is unknown: [`CHUNKED_UPLOAD_SIZE`] is 10 MiB.
//! - A one-shot reader given to `upload` is spooled to a temporary file: the SHA-256 must be
//!   in the intent, before the bytes.
//! - **Inferred wire forms** (not recorded for the 1.3+ SDK): `DELETE /files{path}[?purge=true]`;
//!   `POST /createfolder?path=&name=`; `POST /copy|/move?src=&target=&conflictsolve=fail|overwrite|rename`;
//!   `POST /rename?src=&target=<new name>`; `GET /trash`; `DELETE /trash`;
//!   `POST /trash/restore?path=`. Answers `{"file": …}` or `{"folder": …}`; 409 is
//!   [`Error::Conflict`].
//!
//! ## What is public, and why
//!
//! [`Cloud`] and its options, the models the calls return, [`Error`] (with `error::messages`,
//! the SDK's own texts, which users compare against), the body helpers re-exported from
//! cloud-core, and `emulator` (feature). The status-to-error table is crate-private;
//! `fuzzing` is `#[doc(hidden)]` (for `cargo xtask fuzz`, not a stable API);
//! `Cloud::refresh_count` is a test hook behind the `emulator` feature.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod client;
pub mod error;
mod fops;
mod fullview;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod models;
#[cfg(feature = "object-store")]
#[cfg_attr(docsrs, doc(cfg(feature = "object-store")))]
pub mod store;
mod trash;
mod upload;

#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;

pub use client::{Cloud, CloudOptions, OnRefreshed, API_CLOUD};
pub use error::{Error, Result};
pub use fops::{ConflictSolve, FileOpOptions, Item, SearchItem, SearchOptions, VZMOBILE};
pub use fullview::{FullviewEntry, FullviewStream};
pub use models::{
    Account, CloudFile, CloudFolder, FileOrPath, FullviewResponse, MetadataResponse,
    SearchResponse, SystemAttributes, Token, Usage,
};
pub use upload::{UploadIntent, UploadOptions, UploadUrls, CHUNKED_UPLOAD_SIZE, FORCE_CHUNKED_AT};

pub use cloud_core;
pub use cloud_core::body::{Download, DownloadOptions, Progress, UploadSource};
pub use cloud_core::{HttpOptions, ProxyScheme, RetryPolicy, Secret};

/// The calls of the Verizon SDK's reference (the specification's tables: the SDK was never
/// published), one by one, and where each lives here (generated from `surface.toml` by
/// `cargo xtask surface`; a page of the docs only).
#[cfg(doc)]
#[doc = include_str!("python_surface.md")]
pub mod python_surface {}
