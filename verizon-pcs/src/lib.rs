//! A Rust mirror of the Verizon ThingSpace Personal Cloud Storage SDK (the `Cloud` class).
//!
//! This crate is being built: its client, models, errors and emulator land in their own
//! issue. It builds on [`cloud_core`], which already provides the transport, retries,
//! OAuth2 token cache, paging and streamed bodies it will use.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use cloud_core;
