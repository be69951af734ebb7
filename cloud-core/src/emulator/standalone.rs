//! The standalone-start convention: an emulator run as its own process prints one JSON line on
//! stdout (with at least `base_url` and the credentials it accepts), then serves until killed.
//!
//! ```text
//! $ cargo xtask emulator acd --addr 127.0.0.1:8765
//! {"base_url":"http://127.0.0.1:8765","client_id":"...","refresh_token":"..."}
//! ```

use std::io::Write;
use std::net::SocketAddr;

use crate::error::Error;

/// Reads `--addr HOST:PORT` from the command-line arguments (default `127.0.0.1:0`). Only
/// loopback addresses are accepted.
pub fn addr_from_args() -> Result<SocketAddr, Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    addr_from(&args)
}

/// [`addr_from_args`] over a given argument list.
pub fn addr_from(args: &[String]) -> Result<SocketAddr, Error> {
    let mut addr = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = if let Some(v) = a.strip_prefix("--addr=") {
            Some(v.to_owned())
        } else if a == "--addr" {
            it.next().cloned()
        } else {
            None
        };
        if let Some(v) = value {
            addr = v
                .parse()
                .map_err(|e| Error::invalid_input(format!("--addr {v:?}: {e}")))?;
        }
    }
    if !addr.ip().is_loopback() {
        return Err(Error::invalid_input(format!(
            "emulators bind to loopback only, not {addr}"
        )));
    }
    Ok(addr)
}

/// Prints the one JSON line and flushes stdout.
pub fn announce(info: &serde_json::Value) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{info}")?;
    out.flush()?;
    Ok(())
}

/// Waits for Ctrl-C (or SIGTERM on Unix).
pub async fn wait_until_killed() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addr_parsing() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(addr_from(&s(&[])).unwrap().port(), 0);
        assert_eq!(
            addr_from(&s(&["--addr", "127.0.0.1:9000"])).unwrap().port(),
            9000
        );
        assert_eq!(addr_from(&s(&["--addr=[::1]:9001"])).unwrap().port(), 9001);
        assert!(addr_from(&s(&["--addr", "0.0.0.0:9000"])).is_err());
        assert!(addr_from(&s(&["--addr", "nope"])).is_err());
    }
}
