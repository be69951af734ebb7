//! # orange-cloud
//!
//! A Rust mirror of the Orange Cloud France client (PyPI `orangecloud-client` 0.0.2, on
//! `oauth2-client` 0.0.12), on [`cloud_core`]; and, behind the `emulator` feature, a stateful
//! emulator of the API.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
mod domains;
pub mod error;
pub mod models;
mod redirect;

#[cfg(feature = "emulator")]
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
