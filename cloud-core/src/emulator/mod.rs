//! The emulator harness (feature `emulator`): what every provider emulator is built on.
//!
//! - [`EmulatorServer`]: serves an [`axum::Router`] on `127.0.0.1:0` (or a given loopback
//!   address) and stops when dropped.
//! - [`FaultPlan`]: deterministic, scripted faults: fail the next N requests of a route with a
//!   status (and Retry-After), drop the connection after K body bytes in either direction,
//!   delay, stall a body, expire the current access tokens.
//! - [`RequestLog`]: every request seen, for assertions.
//! - [`OAuth2Server`]: an authorization server (authorize redirect with code and state, token
//!   endpoint for `authorization_code` and `refresh_token`, client auth by Basic or form).
//! - [`BlobStore`]: file bodies kept on disk (or synthesized), served with `Range` support,
//!   never buffered whole.
//! - [`SkipWaits`]: a retry strategy wrapper that records each decision and skips the wait,
//!   the test clock of the retry loop.
//! - [`standalone`]: the convention for running an emulator as its own process: one JSON line
//!   with `base_url` and the credentials on stdout, then serve until killed.
//!
//! ```
//! use axum::{routing::get, Router};
//! use cloud_core::emulator::{EmulatorServer, Harness, Route};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let harness = Harness::new();
//! let app = Router::new().route("/hello", get(|| async { "hi" }));
//! let server = EmulatorServer::start(app, harness.clone()).await?;
//! harness.faults().fail_next(1, Route::any().path("/hello"), 503, Some("1"));
//!
//! let url = format!("{}/hello", server.base_url());
//! assert_eq!(reqwest::get(&url).await?.status(), 503);
//! assert_eq!(reqwest::get(&url).await?.text().await?, "hi");
//! assert_eq!(harness.log().count("GET", "/hello"), 2);
//! # Ok::<_, Box<dyn std::error::Error>>(()) }).unwrap();
//! ```

mod blob;
mod clock;
pub mod control;
pub mod demo;
mod faults;
pub mod hostile;
mod interop;
mod log;
pub mod matrix;
mod oauth2;
mod proxy;
mod retained;
mod server;
pub mod standalone;
mod tracked;

/// Remote names every crate's path- and name-addressed calls must carry intact: URL-reserved
/// characters (`#`, `?`, `%`, `+`, `;`, `&`, `=`), spaces, non-ASCII letters and an emoji.
pub const AWKWARD_NAMES: &[&str] = &[
    "a#b.txt",
    "what?.txt",
    "100% sure.txt",
    "1+1=2;x&y.txt",
    "été naïve.txt",
    "party 🎉.txt",
];

pub use blob::{blob_serde, parse_range, serve_blob, Blob, BlobStore};
pub use clock::{Decided, SkipWaits};
pub use faults::{Fault, FaultPlan, Route};
pub use interop::{
    interop_env, interop_vars_or_skip, run_python_json, InteropEnv, REQUIRE_INTEROP,
};
pub use log::{LoggedRequest, RequestLog};
pub use oauth2::{ClientAuthStyle, IssuedToken, OAuth2Server, OAuth2ServerConfig, TokenRejection};
pub use proxy::ForwardProxy;
pub use retained::{Retained, DEFAULT_RETAINED};
pub use server::{EmulatorServer, Harness};
pub use tracked::{ListCache, Tracked};

/// Re-exported for emulator code.
pub use axum;

/// A fresh identifier for an emulator's tokens, codes and ids: 128 random bits as hex, or,
/// should the random source fail, a process-wide counter (emulator tokens guard nothing).
pub fn unique_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    crate::auth::random_hex(16).unwrap_or_else(|_| {
        format!(
            "{:032x}",
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        )
    })
}

/// The peak resident set size of this process so far, in MiB (`VmHWM` of
/// `/proc/self/status`; `None` where there is no such file): for tests that show a transfer
/// runs in bounded memory, by the growth of the peak across it.
pub fn peak_rss_mib() -> Option<u64> {
    peak_rss_now()
}

/// [`peak_rss_mib`] for a memory check that must not pass unmeasured: the figure; or, where
/// it cannot be read, an error under CI (the `CI` variable set) and, elsewhere, 0 after
/// printing that memory was NOT measured (the check then bounds nothing, and says so).
pub fn peak_rss_mib_checked() -> Result<u64, String> {
    match peak_rss_now() {
        Some(v) => Ok(v),
        None if std::env::var_os("CI").is_some() => Err(
            "peak RSS cannot be read here (no /proc/self/status): the memory bound would be \
             unchecked"
                .into(),
        ),
        None => {
            eprintln!("memory NOT measured: no /proc/self/status on this system");
            Ok(0)
        }
    }
}

fn peak_rss_now() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// Runs `decode` on every file of `dirs` (a fuzz target's seeds and kept regressions),
/// skipping `*.md`; returns how many ran. For `tests/fuzz_regressions.rs` of each crate.
pub fn replay_inputs(
    dirs: &[std::path::PathBuf],
    decode: impl Fn(&[u8]),
) -> std::io::Result<usize> {
    let mut n = 0;
    for dir in dirs {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "md") {
                continue;
            }
            decode(&std::fs::read(&path)?);
            n += 1;
        }
    }
    Ok(n)
}
