//! A hostile server on 127.0.0.1 for tests: every request gets the same malicious answer,
//! written as raw HTTP (so that it can lie in ways a well-behaved server framework refuses
//! to: a Content-Length that is wrong, a body that never ends, redirects without end).
//!
//! ```
//! # async fn demo() -> std::io::Result<()> {
//! use cloud_core::emulator::hostile::{Hostile, HostileServer};
//!
//! let server = HostileServer::start(Hostile::DeepJson(10_000)).await?;
//! let body = cloud_core::reqwest::get(server.url("/anything")).await.unwrap().text().await.unwrap();
//! assert!(body.starts_with("[[[["));
//! assert_eq!(server.requests(), 1);
//! # Ok(()) }
//! ```

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One malicious answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hostile {
    /// JSON arrays nested this deep (`[[[...]]]`), typed `application/json`.
    DeepJson(usize),
    /// A JSON array of this many bytes, typed `application/json`, generated as it is sent.
    HugeJson(u64),
    /// A JSON-typed body that is not UTF-8.
    InvalidUtf8,
    /// This JSON text (wrong types in known fields, say), typed `application/json`.
    Json(String),
    /// A binary body announced as `declared` bytes of which `sent` are sent before the
    /// connection closes (or, when `sent > declared`, all `sent` follow the head).
    ContentLength {
        /// The Content-Length header.
        declared: u64,
        /// The bytes actually sent.
        sent: u64,
    },
    /// `302 Found` to another path, for ever.
    EndlessRedirects,
    /// This status with this `Retry-After` value and a JSON body `{}`.
    RetryAfter {
        /// The status (429 or 503).
        status: u16,
        /// The header's value.
        value: String,
    },
}

/// The standard hostile answers of the workspace's `tests/hostile.rs`, named.
pub fn standard() -> Vec<(&'static str, Hostile)> {
    vec![
        ("JSON nested 10,000 deep", Hostile::DeepJson(10_000)),
        ("1 GiB of JSON", Hostile::HugeJson(1 << 30)),
        ("invalid UTF-8", Hostile::InvalidUtf8),
        (
            "wrong types in known fields",
            Hostile::Json(
                r#"{"id": 7, "name": [1], "size": "big", "files": {}, "children": "x", "objects": 3, "data": true, "folder": 1, "file": 2, "access_token": 5}"#
                    .into(),
            ),
        ),
        (
            "Content-Length larger than the body",
            Hostile::ContentLength {
                declared: 1 << 20,
                sent: 1000,
            },
        ),
        (
            "Content-Length smaller than the body",
            Hostile::ContentLength {
                declared: 1000,
                sent: 1 << 20,
            },
        ),
        ("endless redirects", Hostile::EndlessRedirects),
        (
            "429 with Retry-After a year",
            Hostile::RetryAfter {
                status: 429,
                value: "31536000".into(),
            },
        ),
        (
            "503 with Retry-After a year (a date)",
            Hostile::RetryAfter {
                status: 503,
                value: httpdate::fmt_http_date(
                    std::time::SystemTime::now() + std::time::Duration::from_secs(365 * 86_400),
                ),
            },
        ),
    ]
}

/// The running server; dropping it stops it.
#[derive(Debug)]
pub struct HostileServer {
    addr: SocketAddr,
    requests: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl HostileServer {
    /// Starts answering every request on a free loopback port with `answer`.
    pub async fn start(answer: Hostile) -> std::io::Result<Self> {
        Self::start_with(answer, Vec::new()).await
    }

    /// [`HostileServer::start`], except that requests whose path starts with one of
    /// `honest`'s prefixes get that JSON body with a 200 (a token endpoint, say, so that a
    /// client can sign in before meeting the hostile answers).
    pub async fn start_with(
        answer: Hostile,
        honest: Vec<(String, String)>,
    ) -> std::io::Result<Self> {
        let honest = Arc::new(honest);
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let requests = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    continue;
                };
                let (answer, counter, honest) =
                    (answer.clone(), Arc::clone(&counter), Arc::clone(&honest));
                tokio::spawn(async move {
                    let _ = serve(sock, &answer, &honest, &counter).await;
                });
            }
        });
        Ok(Self {
            addr,
            requests,
            task,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// How many requests arrived.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Reads one request head (and whatever body arrives with it), answers, closes.
async fn serve(
    mut sock: TcpStream,
    answer: &Hostile,
    honest: &[(String, String)],
    counter: &AtomicU64,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        let n = sock.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let json = "Content-Type: application/json\r\n";
    let text = String::from_utf8_lossy(&head);
    let path = text.split_whitespace().nth(1).unwrap_or("");
    if let Some((_, body)) = honest.iter().find(|(p, _)| path.starts_with(p.as_str())) {
        return send(&mut sock, "200 OK", json, body.as_bytes()).await;
    }
    counter.fetch_add(1, Ordering::SeqCst);
    match answer {
        Hostile::DeepJson(depth) => {
            let body = format!("{}{}", "[".repeat(*depth), "]".repeat(*depth));
            send(&mut sock, "200 OK", json, body.as_bytes()).await
        }
        Hostile::HugeJson(len) => {
            // `[0,0,...,0]` of about `len` bytes (3 + 2k), written in pieces as it goes.
            let k = len.saturating_sub(3) / 2;
            let total = 3 + 2 * k;
            let head = format!(
                "HTTP/1.1 200 OK\r\n{json}Content-Length: {total}\r\nConnection: close\r\n\r\n"
            );
            sock.write_all(head.as_bytes()).await?;
            sock.write_all(b"[").await?;
            let piece = "0,".repeat(32 * 1024);
            let mut left = k;
            while left > 0 {
                let n = left.min(32 * 1024);
                sock.write_all(&piece.as_bytes()[..2 * n as usize]).await?;
                left -= n;
            }
            sock.write_all(b"0]").await
        }
        Hostile::InvalidUtf8 => {
            send(
                &mut sock,
                "200 OK",
                json,
                b"{\"name\": \"\xff\xfe\xfd\", \"id\": \"\xc3\x28\"}",
            )
            .await
        }
        Hostile::Json(text) => send(&mut sock, "200 OK", json, text.as_bytes()).await,
        Hostile::ContentLength { declared, sent } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n"
            );
            sock.write_all(head.as_bytes()).await?;
            let chunk = vec![b'x'; 64 * 1024];
            let mut left = *sent;
            while left > 0 {
                let n = left.min(chunk.len() as u64) as usize;
                sock.write_all(&chunk[..n]).await?;
                left -= n as u64;
            }
            sock.shutdown().await
        }
        Hostile::EndlessRedirects => {
            let n = counter.load(Ordering::SeqCst);
            let head = format!(
                "HTTP/1.1 302 Found\r\nLocation: /redirect/{n}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            sock.write_all(head.as_bytes()).await
        }
        Hostile::RetryAfter { status, value } => {
            let extra = format!("{json}Retry-After: {value}\r\n");
            send(&mut sock, &format!("{status} Busy"), &extra, b"{}").await
        }
    }
}

async fn send(
    sock: &mut TcpStream,
    status: &str,
    headers: &str,
    body: &[u8],
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    sock.write_all(head.as_bytes()).await?;
    sock.write_all(body).await?;
    sock.shutdown().await
}

/// What a call against a hostile server gave: an error (what it reported: its error kind, as
/// [`super::matrix::kind_label`] writes it, for the pinned table), or success with the number
/// of body bytes handed to the caller (downloads) or `None` (other calls).
pub type Outcome = Result<Option<u64>, String>;

/// Runs every call against a fresh server for each [`standard`] answer and returns what went
/// wrong, one line each (empty: all good). The rules: every call ends within 20 s (a year's
/// Retry-After within 10 s, as an error); endless redirects end in an error after fewer than
/// 30 requests; a Content-Length larger than the body is an error, and no call hands over more
/// bytes than the server declared; the process's peak RSS grows by less than 256 MiB in all
/// (1 GiB of JSON is never held). Answers that are merely malformed may succeed where the
/// SDK is schemaless (its original returns whatever JSON came), or fail.
pub async fn check<F, Fut>(calls: &[&'static str], call: F) -> Vec<String>
where
    F: FnMut(String, &'static str) -> Fut,
    Fut: Future<Output = Outcome>,
{
    check_with(Vec::new(), calls, call).await
}

/// [`check`] with servers honest at `honest`'s paths (see [`HostileServer::start_with`]).
pub async fn check_with<F, Fut>(
    honest: Vec<(String, String)>,
    calls: &[&'static str],
    call: F,
) -> Vec<String>
where
    F: FnMut(String, &'static str) -> Fut,
    Fut: Future<Output = Outcome>,
{
    run(honest, calls, call).await.0
}

/// An error's entry in the pinned table: its kind (`Decode`, `Transport(Body)`...).
pub fn kind_of(kind: &crate::ErrorKind) -> String {
    super::matrix::kind_label(kind)
}

/// The markers around a crate README's pinned table of hostile outcomes.
pub const PINNED_BEGIN: &str = "<!-- hostile: pinned by tests/hostile.rs -->";
/// The end marker.
pub const PINNED_END: &str = "<!-- /hostile -->";

/// [`check_with`], and the outcome of every (call, answer) cell compared with the table
/// pinned in `readme` (between [`PINNED_BEGIN`] and [`PINNED_END`]): `ok` where the call
/// succeeded, `err <what>` with what the call reported (its error kind), so that a call that
/// starts returning `Ok` on garbage, or another error, fails. The README's table is the data.
pub async fn check_pinned<F, Fut>(
    readme: &std::path::Path,
    honest: Vec<(String, String)>,
    calls: &[&'static str],
    call: F,
) -> Vec<String>
where
    F: FnMut(String, &'static str) -> Fut,
    Fut: Future<Output = Outcome>,
{
    let (mut wrong, table) = run(honest, calls, call).await;
    if let Err(e) = super::matrix::pin_table(readme, PINNED_BEGIN, PINNED_END, &table) {
        wrong.push(e);
    }
    wrong
}

async fn run<F, Fut>(
    honest: Vec<(String, String)>,
    calls: &[&'static str],
    mut call: F,
) -> (Vec<String>, String)
where
    F: FnMut(String, &'static str) -> Fut,
    Fut: Future<Output = Outcome>,
{
    let mut wrong = Vec::new();
    let before = super::peak_rss_mib_checked().unwrap_or_else(|e| {
        wrong.push(e);
        0
    });
    let cases = standard();
    let mut cells: Vec<Vec<String>> = vec![Vec::new(); calls.len()];
    for (case, answer) in &cases {
        for (i, &name) in calls.iter().enumerate() {
            let server = match HostileServer::start_with(answer.clone(), honest.clone()).await {
                Ok(s) => s,
                Err(e) => {
                    wrong.push(format!("{case}: no server: {e}"));
                    cells[i].push("no server".into());
                    continue;
                }
            };
            let started = Instant::now();
            let out =
                tokio::time::timeout(Duration::from_secs(20), call(server.base_url(), name)).await;
            let took = started.elapsed();
            let Ok(out) = out else {
                wrong.push(format!("{name} × {case}: no answer within 20 s"));
                cells[i].push("hang".into());
                continue;
            };
            cells[i].push(match &out {
                Ok(_) => "ok".into(),
                Err(e) => format!("err {e}"),
            });
            if let Some(why) = judge(answer, &out, took, server.requests()) {
                wrong.push(format!("{name} × {case}: {why}"));
            }
        }
    }
    let grown = super::peak_rss_mib_checked()
        .unwrap_or(0)
        .saturating_sub(before);
    if grown >= 256 {
        wrong.push(format!("peak RSS grew by {grown} MiB"));
    }
    let mut table = String::from("| call |");
    for (case, _) in &cases {
        table.push_str(&format!(" {case} |"));
    }
    table.push_str("\n|---|");
    table.push_str(&"---|".repeat(cases.len()));
    table.push('\n');
    for (name, row) in calls.iter().zip(&cells) {
        table.push_str(&format!("| {name} |"));
        for c in row {
            table.push_str(&format!(" {c} |"));
        }
        table.push('\n');
    }
    (wrong, table)
}

/// What is wrong with `out` as the outcome of a call that met `answer` (see [`check`]).
pub fn judge(answer: &Hostile, out: &Outcome, took: Duration, requests: u64) -> Option<String> {
    match (answer, out) {
        (Hostile::RetryAfter { .. }, Ok(_)) => Some("succeeded".into()),
        (Hostile::RetryAfter { .. }, Err(_)) if took > Duration::from_secs(10) => {
            Some(format!("took {took:?}"))
        }
        (Hostile::EndlessRedirects, Ok(_)) => Some("succeeded".into()),
        (Hostile::EndlessRedirects, Err(_)) if requests >= 30 => {
            Some(format!("{requests} requests"))
        }
        (Hostile::ContentLength { declared, sent }, Ok(got)) if sent < declared => {
            Some(format!("a short body was taken as whole ({got:?} bytes)"))
        }
        (Hostile::ContentLength { declared, .. }, Ok(Some(n))) if n > declared => {
            Some(format!("{n} bytes handed over, {declared} declared"))
        }
        _ => None,
    }
}
