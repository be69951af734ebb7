#![cfg_attr(any(not(doctest), feature = "emulator"), doc = include_str!("../README.md"))]
#![cfg_attr(
    all(doctest, not(feature = "emulator")),
    doc = "The README's examples are doc tests with the `emulator` feature."
)]
//!
//! ## Quirks of the original: mirrored or fixed
//!
//! | # | quirk (spec 2.10) | here |
//! |---|---|---|
//! | 1 | the back-off never re-sends, and delays the next request even after a success | never re-sends by default ([`AcdOptions::http`] with a retry policy opts into cloud-core's re-sends of idempotent calls); waits only from the first failure on ([`Pacing::AfterFailures`]); [`AcdOptions::pacing`]`(`[`Pacing::Original`]`)` restores the wait after successes, [`Pacing::Off`] removes it |
//! | 2 | the (connect, read) timeouts disabled by a string version comparison | fixed: connect `connection_timeout`, read `idle_timeout` |
//! | 3 | `get_changes` swallows streaming errors and drops error bodies | fixed: errors are returned, bodies kept; [`AcdClient::changes`] reports whether the end marker arrived |
//! | 4 | change lines missing a key raise a raw `KeyError`; a missing end is a warning | missing keys are [`Error::Decode`]; a missing end is still only a warning (and visible as `end_reached() == false`) |
//! | 5 | `chunked_download` trusts `file.tell()`, crashes on non-seekable writers | fixed: the position is counted, any `AsyncWrite` works |
//! | 6 | `delete_properties` sends `//nodes` | fixed: the proper path (the emulator accepts both) |
//! | 7 | `get_account_info` has no status check | mirrored |
//! | 8 | endpoint discovery raises a bare `Exception`, bypasses back-off | fixed: a `RequestError` with status and body; still no back-off |
//! | 9 | `upload_stream` uses the name as given, `upload_file`/`create_file` the basename | mirrored |
//! | 10 | `overwrite_stream` never suppresses dedup, `create_file` always does | mirrored |
//! | 11 | the local handler accepts an absent `CLIENT_ID` | mirrored (an empty one is an error) |
//! | 12 | `move_node` replaces every parent | mirrored and documented; [`AcdClient::move_node_from`] replaces one |
//! | 13 | stale tests calling `get_changes` as an iterator | n/a: [`iter_changes_lines`] and [`AcdClient::changes`] |
//!
//! Beyond the original, for problems its users reported: a 409 exposes the conflicting node
//! id ([`Error::conflicting_node_id`]); an empty stream upload takes the sized empty-file
//! path; downloads check the MD5 when given ([`DownloadOptions::for_node`]);
//! `get_owner_id` probes once per client; [`AcdOptions::refresh_on_401`] refreshes once on a
//! 401 (servers invalidated tokens early); listings are streams that keep the pages already
//! received when a later page fails.
//!
//! ## What is public, and why
//!
//! [`AcdClient`] with the mixins' calls, [`AcdOptions`], [`Pacing`], the models, the token
//! handler (`oauth`, whose file format users write), the settings (`config`), change
//! streams, [`Error`] with [`RequestError`] and its `codes` (the original's numbers), and
//! `emulator` (feature). The answer-to-error mapping is crate-private; `fuzzing` is
//! `#[doc(hidden)]`; `OAuthHandler::refresh_count` is a test hook behind `emulator`.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod account;
mod backoff;
mod changes;
mod client;
pub mod config;
mod content;
pub mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod metadata;
pub mod models;
pub mod oauth;
mod pyjson;
#[cfg(feature = "object-store")]
#[cfg_attr(docsrs, doc(cfg(feature = "object-store")))]
pub mod store;
mod trash;

#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;

pub use account::{file_size_pair, Usage};
pub use backoff::{Jitter, Pacing};
pub use changes::{iter_changes_lines, parse_change_line, ChangeLine, ChangeSet, Changes};
pub use client::{is_valid_id, AcdClient, AcdOptions, AMZ_ENDPOINT_REQ_URL, OK_CODES};
pub use config::Settings;
pub use content::{
    Callback, ChunkedDownloadOptions, DownloadOptions, UploadOptions, PARTIAL_SUFFIX,
    UNKNOWN_LENGTH,
};
pub use error::{codes, Error, RequestError, Result};
pub use models::{ContentProperties, Node};
pub use oauth::{OAuthHandler, OAuthMethod};

pub use cloud_core;
/// The client options and retry policy every crate of the family takes.
pub use cloud_core::{HttpOptions, ProxyScheme, RetryPolicy};

/// The surface of `acdcli.api`, symbol by symbol, and where each lives here (generated from
/// `surface.toml` by `cargo xtask surface`; a page of the docs only).
#[cfg(doc)]
#[doc = include_str!("python_surface.md")]
pub mod python_surface {}
