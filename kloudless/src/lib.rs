//! # kloudless
//!
//! A Rust mirror of kloudless-python v2 (PyPI `kloudless` 2.0.1), on [`cloud_core`]; and,
//! behind the `emulator` feature, a stateful emulator of the Kloudless API.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod application;
mod client;
pub mod error;
mod resources;
pub mod util;

#[cfg(feature = "emulator")]
pub mod emulator;

pub use application::{
    get_authorization_url, get_token_from_code, get_verified_account, verify_token,
    AuthorizationOptions, ExtraData, OAUTH_API_VERSION,
};
pub use client::{
    configuration, set_configuration, Account, Body, Client, Configuration, RequestOptions,
    DEFAULT_BASE_URL,
};
pub use error::{ApiError, Error, Result};
pub use resources::{
    Field, Meta, PagingIterator, RawResponse, Resource, ResourceList, Response, ResponseJson,
};

pub use cloud_core;
