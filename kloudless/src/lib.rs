#![cfg_attr(any(not(doctest), feature = "emulator"), doc = include_str!("../README.md"))]
#![cfg_attr(
    all(doctest, not(feature = "emulator")),
    doc = "The README's examples are doc tests with the `emulator` feature."
)]
//!
//! ## The original's names, linked
//!
//! | Python (`kloudless`) | Rust (`kloudless`) |
//! |---|---|
//! | `configuration['base_url']`, `['api_version']` | [`configuration`], [`set_configuration`]; per object: [`Client::with_config`], [`Account::with_config`] |
//! | `Client(api_key=None, token=None)` | [`Client::new`] |
//! | `Account(token=None, api_key=None, account_id=None)` | [`Account::new`] (dereferences to [`Client`]) |
//! | `get/post/put/patch/delete(path, **kwargs)` on a client or any response object | the same verbs with [`RequestOptions`] (`params`, `headers`, `json`, `data`, `api_version`, `get_raw_data`, `raw_headers`, `impersonate_user_id`, `get_raw_response`) |
//! | `account.headers[k] = v` | [`Client::set_header`] |
//! | `account.raw(method, uri, **kwargs)` | [`Account::raw`] |
//! | `Response`, `ResponseJson`, `Resource`, `ResourceList` | [`Response`]: `Raw` ([`RawResponse`]), `Json`, `Resource`, `List` |
//! | `resource.url`, `.data`, `.query_params`, `.refresh()` | [`Resource::url`], `.data`, `.meta.query_params`, [`Resource::refresh`] |
//! | `resource_list.objects`, `page`, `next_page`, `cursor`, `latest_cursor` | [`ResourceList::objects`], [`ResourceList::page`], `next_page()`, `cursor()` ([`Field`]: absent, null or a value), [`PagingIterator::latest_cursor`] |
//! | `get_next_page()`, `get_paging_iterator(max_resources)` | [`ResourceList::get_next_page`], [`ResourceList::get_paging_iterator`] (a `Stream`) |
//! | `get_authorization_url`, `get_token_from_code`, `verify_token`, `get_verified_account` | the same functions |
//! | the exceptions | [`Error`] (see [`error`]) |
//! | (beyond the original) typed models | [`models`]: [`Resource::decode`], [`ResourceList::decode_objects`], [`Account::list`] ([`TypedPages`], decoded from the bytes), [`models::UploadMetadata`] with [`RequestOptions::metadata`] |
//!
//! ## What is public, and why
//!
//! The configuration, [`Client`] and [`Account`] (with every call of the Python classes, no
//! `Deref`), [`RequestOptions`], the answer types and paging iterators, the OAuth helpers,
//! [`Error`] with [`ApiError`], and `emulator` (feature). The URL helpers of the original's
//! `util` module are crate-private (the original's users do not call them); `fuzzing` is
//! `#[doc(hidden)]`.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod application;
#[macro_use]
mod verbs;
mod client;
pub mod error;
pub mod models;
mod resources;
#[cfg(feature = "object-store")]
#[cfg_attr(docsrs, doc(cfg(feature = "object-store")))]
pub mod store;
mod typed;
mod util;

#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub use application::{
    get_authorization_url, get_token_from_code, get_verified_account, verify_token,
    AuthorizationOptions, ExtraData, OAUTH_API_VERSION,
};
pub use client::{
    configuration, json_dumps, set_configuration, Account, Body, Client, Configuration, QueryValue,
    RequestOptions, DEFAULT_BASE_URL,
};
pub use error::{ApiError, Error, Result};
pub use resources::{
    Field, Meta, PagingIterator, RawResponse, Resource, ResourceList, Response, ResponseJson,
};
pub use typed::TypedPages;

pub use cloud_core;
/// The client options and retry policy every crate of the family takes.
pub use cloud_core::{HttpOptions, ProxyScheme, RetryPolicy};

/// The surface of the `kloudless` package, symbol by symbol, and where each lives here
/// (generated from `surface.toml` by `cargo xtask surface`; a page of the docs only).
#[cfg(doc)]
#[doc = include_str!("python_surface.md")]
pub mod python_surface {}
