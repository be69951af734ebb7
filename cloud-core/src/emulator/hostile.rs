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

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

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
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let requests = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    continue;
                };
                let (answer, counter) = (answer.clone(), Arc::clone(&counter));
                tokio::spawn(async move {
                    let _ = serve(sock, &answer, &counter).await;
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
async fn serve(mut sock: TcpStream, answer: &Hostile, counter: &AtomicU64) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        let n = sock.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    counter.fetch_add(1, Ordering::SeqCst);
    let json = "Content-Type: application/json\r\n";
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
