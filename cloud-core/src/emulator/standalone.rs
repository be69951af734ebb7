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

/// The command line of an installed `<crate>-emulator` binary: `--addr`, `--seed-files N`,
/// `--help`, and the credential flags the crate accepts (`--client-id X`, `--key X`, ...).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Args {
    /// `--addr HOST:PORT` (loopback only; default `127.0.0.1:0`).
    pub addr: Option<SocketAddr>,
    /// `--seed-files N`.
    pub seed_files: Option<usize>,
    /// `--help` or `-h` was given.
    pub help: bool,
    /// `--control`: serve the control API (`/__emulator/...`, see [`super::control`]).
    pub control: bool,
    /// The credential flags given, by name without the dashes (`client-id`).
    pub credentials: std::collections::BTreeMap<String, String>,
    /// Other `--name VALUE` flags the binary declared (`cache`).
    pub other: std::collections::BTreeMap<String, String>,
    /// The `--name` switches (flags without a value) the binary declared and were given.
    pub switches: std::collections::BTreeSet<String>,
}

impl Args {
    /// Parses `args` (without the program name); `credentials` and `other` name the flags
    /// (without dashes) this binary accepts beyond the common ones. An unknown flag, a flag
    /// without its value or a non-loopback address is an error.
    pub fn parse(args: &[String], credentials: &[&str], other: &[&str]) -> Result<Self, Error> {
        Self::parse_with_switches(args, credentials, other, &[])
    }

    /// [`Args::parse`], with `switches` naming the flags (without dashes) that take no value
    /// (`admin` for `--admin`); see [`Args::switch`].
    pub fn parse_with_switches(
        args: &[String],
        credentials: &[&str],
        other: &[&str],
        switches: &[&str],
    ) -> Result<Self, Error> {
        let mut out = Args::default();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if a == "--help" || a == "-h" {
                out.help = true;
                continue;
            }
            if a == "--control" {
                out.control = true;
                continue;
            }
            let Some(flag) = a.strip_prefix("--") else {
                return Err(Error::invalid_input(format!("unexpected argument {a:?}")));
            };
            if switches.contains(&flag) {
                out.switches.insert(flag.to_owned());
                continue;
            }
            let (name, inline) = match flag.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (flag, None),
            };
            let value = match inline {
                Some(v) => v,
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| Error::invalid_input(format!("--{name} needs a value")))?,
            };
            match name {
                "addr" => out.addr = Some(addr_from(&["--addr".to_owned(), value])?),
                "seed-files" => {
                    out.seed_files = Some(value.parse().map_err(|e| {
                        Error::invalid_input(format!("--seed-files {value:?}: {e}"))
                    })?)
                }
                n if credentials.contains(&n) => {
                    out.credentials.insert(n.to_owned(), value);
                }
                n if other.contains(&n) => {
                    out.other.insert(n.to_owned(), value);
                }
                n => {
                    return Err(Error::invalid_input(format!(
                        "unknown flag --{n} (see --help)"
                    )))
                }
            }
        }
        Ok(out)
    }

    /// [`Args::parse`] over the process's arguments.
    pub fn from_env(credentials: &[&str], other: &[&str]) -> Result<Self, Error> {
        Self::from_env_with_switches(credentials, other, &[])
    }

    /// [`Args::parse_with_switches`] over the process's arguments.
    pub fn from_env_with_switches(
        credentials: &[&str],
        other: &[&str],
        switches: &[&str],
    ) -> Result<Self, Error> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        Self::parse_with_switches(&args, credentials, other, switches)
    }

    /// Whether switch `name` (declared to [`Args::parse_with_switches`]) was given.
    pub fn switch(&self, name: &str) -> bool {
        self.switches.contains(name)
    }

    /// The address to listen on (`127.0.0.1:0` when not given).
    pub fn addr(&self) -> SocketAddr {
        self.addr
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// A credential flag's value.
    pub fn credential(&self, name: &str) -> Option<&str> {
        self.credentials.get(name).map(String::as_str)
    }
}

/// The help every emulator binary prints: its usage line, the common flags, the crate's own
/// (`extra`: `(flag, what)`), and the JSON line's fields (`fields`: `(name, what)`).
pub fn help(binary: &str, what: &str, extra: &[(&str, &str)], fields: &[(&str, &str)]) -> String {
    let mut s = format!(
        "{binary}: {what}\n\nUsage: {binary} [--addr 127.0.0.1:PORT] [--seed-files N] [FLAGS]\n\n\
         Prints one JSON line on stdout (the fields below), then serves until Ctrl-C or SIGTERM.\n\n\
         Flags:\n  --addr HOST:PORT   where to listen, loopback only (default 127.0.0.1:0, a free port)\n\
         \x20 --control          serve the control API under /__emulator/ (reset, faults, token\n\
         \x20                    expiry, the request log; GET /__emulator/ lists the routes)\n"
    );
    for (flag, help) in extra {
        s.push_str(&format!("  {flag:<18} {help}\n"));
    }
    s.push_str("  -h, --help         this text\n\nThe JSON line:\n");
    for (field, help) in fields {
        s.push_str(&format!("  {field:<18} {help}\n"));
    }
    s
}

/// A running emulator program (an installed `<crate>-emulator`): killed when dropped.
#[derive(Debug)]
pub struct Program {
    child: std::process::Child,
    /// The JSON line it printed.
    pub info: serde_json::Value,
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Program {
    /// Starts `program` with `args` and reads its JSON line (tests of the binaries, scripts).
    pub fn start(program: &std::path::Path, args: &[&str]) -> Result<Self, Error> {
        use std::io::BufRead;
        let mut child = std::process::Command::new(program)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| Error::invalid_input("no stdout"))?;
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line)?;
        let info = serde_json::from_str(line.trim()).map_err(|e| {
            Error::invalid_input(format!(
                "{}: not a JSON line: {e}: {line:?}",
                program.display()
            ))
        });
        match info {
            Ok(info) => Ok(Self { child, info }),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(e)
            }
        }
    }

    /// What `program --help` prints.
    pub fn help(program: &std::path::Path) -> Result<String, Error> {
        let out = std::process::Command::new(program).arg("--help").output()?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// A string field of the JSON line (empty when absent).
    pub fn field(&self, name: &str) -> String {
        self.info[name].as_str().unwrap_or_default().to_owned()
    }
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
    fn binary_flags() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let a = Args::parse(
            &s(&[
                "--addr",
                "127.0.0.1:9000",
                "--seed-files=5",
                "--key",
                "K",
                "--cache",
                "/c",
                "--control",
            ]),
            &["key"],
            &["cache"],
        )
        .unwrap();
        assert_eq!(a.addr().port(), 9000);
        assert_eq!(a.seed_files, Some(5));
        assert_eq!(a.credential("key"), Some("K"));
        assert_eq!(a.other.get("cache").map(String::as_str), Some("/c"));
        assert!(!a.help && a.control);
        assert!(Args::parse(&s(&["-h"]), &[], &[]).unwrap().help);
        let w =
            Args::parse_with_switches(&s(&["--admin", "--key", "K"]), &["key"], &[], &["admin"])
                .unwrap();
        assert!(w.switch("admin") && !w.switch("key") && w.credential("key") == Some("K"));
        assert!(!a.switch("admin"));
        // Undeclared, a switch is a flag without its value.
        assert!(Args::parse(&s(&["--admin"]), &[], &["admin"]).is_err());
        for bad in [
            &["--key", "K"][..],
            &["--seed-files"],
            &["--seed-files", "many"],
            &["--addr", "0.0.0.0:1"],
            &["positional"],
        ] {
            assert!(Args::parse(&s(bad), &[], &[]).is_err(), "{bad:?}");
        }
        let h = help(
            "x-emulator",
            "X",
            &[("--key KEY", "the key")],
            &[("base_url", "where")],
        );
        assert!(h.contains("--key KEY") && h.contains("base_url") && h.contains("--seed-files"));
    }

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
