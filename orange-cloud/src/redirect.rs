//! The local server that catches the authorization redirect (oauth2-client's
//! `http_server`): it answers any GET on any path, keeps the query's `k=v` pairs (values
//! percent-decoded, `+` left as is, malformed pairs dropped) and tells the person they can
//! close the tab. Bound to loopback only; closed when the flow ends.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// The page shown once the redirect arrived.
const PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Authorization received</title></head><body><p>Authorization received. You can close this tab.</p></body></html>";

/// oauth2-client's parameter parsing: after the first `?`, items split on `&`, kept only when
/// they split on `=` into exactly two parts; values percent-decoded (`+` stays `+`).
pub fn read_request_parameters(target: &str) -> BTreeMap<String, String> {
    let Some((_, query)) = target.split_once('?') else {
        return BTreeMap::new();
    };
    query
        .split('&')
        .filter_map(|item| {
            let parts: Vec<&str> = item.split('=').collect();
            (parts.len() == 2).then(|| {
                (
                    parts[0].to_owned(),
                    percent_encoding::percent_decode_str(parts[1])
                        .decode_utf8_lossy()
                        .into_owned(),
                )
            })
        })
        .collect()
}

/// A running catcher: parameters of the first redirect come out of `rx`.
pub(crate) struct Catcher {
    pub rx: mpsc::Receiver<BTreeMap<String, String>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Catcher {
    fn drop(&mut self) {
        // Closes the listener (the original left its socket open).
        self.task.abort();
    }
}

impl Catcher {
    /// Stops listening, and returns once the port is free again.
    pub(crate) async fn close(mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
    }

    /// Listens on 127.0.0.1:`port`.
    pub(crate) async fn start(port: u16) -> std::io::Result<Self> {
        Self::serve(TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?)
    }

    /// Listens on `host`:`port` (the redirect URI's host, when the user asked for it).
    pub(crate) async fn start_on(host: &str, port: u16) -> std::io::Result<Self> {
        Self::serve(TcpListener::bind((host, port)).await?)
    }

    fn serve(listener: TcpListener) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel(8);
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    continue;
                };
                let tx = tx.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    let mut n = 0;
                    // Read the request head (bounded in size and time).
                    let read = tokio::time::timeout(Duration::from_secs(10), async {
                        while n < buf.len() {
                            match sock.read(&mut buf[n..]).await {
                                Ok(0) | Err(_) => break,
                                Ok(k) => {
                                    n += k;
                                    if buf[..n].windows(4).any(|w| w == b"\r\n\r\n") {
                                        break;
                                    }
                                }
                            }
                        }
                    })
                    .await;
                    if read.is_err() {
                        return;
                    }
                    let head = String::from_utf8_lossy(&buf[..n]);
                    let line = head.lines().next().unwrap_or_default();
                    let mut parts = line.split_whitespace();
                    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                    if method != "GET" {
                        let _ = sock
                            .write_all(
                                b"HTTP/1.0 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n",
                            )
                            .await;
                        return;
                    }
                    let params = read_request_parameters(target);
                    let resp = format!(
                        "HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{PAGE}",
                        PAGE.len()
                    );
                    let _ = sock.write_all(resp.as_bytes()).await;
                    let _ = sock.shutdown().await;
                    let _ = tx.send(params).await;
                });
            }
        });
        Ok(Self { rx, task })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_like_oauth2_client() {
        let p = read_request_parameters("/anything?code=C%2BD+E&state=xyz&foo=a=b&bar");
        assert_eq!(p.len(), 2);
        assert_eq!(p["code"], "C+D+E");
        assert_eq!(p["state"], "xyz");
        assert!(read_request_parameters("/cb").is_empty());
    }
}
