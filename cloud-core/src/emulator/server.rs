//! [`EmulatorServer`]: an HTTP/1.1 server on loopback that applies the [`FaultPlan`], records
//! the [`RequestLog`] and hands each request to an [`axum::Router`].

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::Router;
use bytes::Bytes;
use futures::{Stream, StreamExt};
use http::{HeaderValue, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_service::Service;

use super::faults::{Fault, FaultPlan};
use super::log::{LoggedRequest, RequestLog};
use crate::error::Error;

/// What an emulator shares with its tests: the fault plan, the request log, and the control
/// API's switch and reset.
#[derive(Clone, Debug, Default)]
pub struct Harness {
    faults: FaultPlan,
    log: RequestLog,
    control: super::control::Control,
}

impl Harness {
    /// A new harness with an empty plan and log.
    pub fn new() -> Self {
        Self::default()
    }

    /// The fault plan.
    pub fn faults(&self) -> &FaultPlan {
        &self.faults
    }

    /// The request log.
    pub fn log(&self) -> &RequestLog {
        &self.log
    }

    /// The control API (off until [`Harness::enable_control`]).
    pub fn control(&self) -> &super::control::Control {
        &self.control
    }

    /// Turns the control API on for an emulator whose storage is a serde `Mutex<S>` in its
    /// shared `owner` (its app): `POST /__emulator/reset` puts `fresh()` in its place,
    /// `GET`/`PUT /__emulator/state` dump and load it.
    pub fn enable_control_over<T, S>(
        &self,
        owner: std::sync::Arc<T>,
        get: fn(&T) -> &std::sync::Mutex<S>,
        fresh: impl Fn() -> S + Send + Sync + 'static,
    ) where
        T: Send + Sync + 'static,
        S: serde::Serialize + serde::de::DeserializeOwned + Send + 'static,
    {
        let (dump, load) = super::control::serde_state(std::sync::Arc::clone(&owner), get);
        self.control.set_state(dump, load);
        let reset = move || {
            if let Ok(mut s) = get(&owner).lock() {
                *s = fresh();
            }
        };
        self.enable_control(Some(std::sync::Arc::new(reset)));
    }

    /// Turns the control API on (`/__emulator/...`, see [`super::control`]), with the
    /// emulator's storage reset when it has one.
    pub fn enable_control(&self, reset: Option<super::control::ResetFn>) {
        if let Some(r) = reset {
            self.control.set_reset(r);
        }
        self.control.enable();
    }
}

/// A running emulator. Dropping it stops the server and closes its connections.
#[derive(Debug)]
pub struct EmulatorServer {
    addr: SocketAddr,
    harness: Harness,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Drop for EmulatorServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        self.task.abort();
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl EmulatorServer {
    /// Serves `router` on `127.0.0.1:0` (a free port).
    pub async fn start(router: Router, harness: Harness) -> Result<Self, Error> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), router, harness).await
    }

    /// Serves `router` on `addr`, which must be a loopback address.
    pub async fn start_on(
        addr: SocketAddr,
        router: Router,
        harness: Harness,
    ) -> Result<Self, Error> {
        if !addr.ip().is_loopback() {
            return Err(Error::config(format!(
                "emulators bind to loopback only, not {addr}"
            )));
        }
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (shutdown, rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, router, harness.clone(), rx));
        Ok(Self {
            addr,
            harness,
            shutdown,
            task,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The harness (faults and log).
    pub fn harness(&self) -> &Harness {
        &self.harness
    }

    /// The fault plan.
    pub fn faults(&self) -> &FaultPlan {
        self.harness.faults()
    }

    /// The request log.
    pub fn log(&self) -> &RequestLog {
        self.harness.log()
    }

    /// Waits until the server stops (it only stops when dropped or on a listener error).
    pub async fn wait(&mut self) {
        let _ = (&mut self.task).await;
    }
}

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    harness: Harness,
    rx: watch::Receiver<bool>,
) {
    loop {
        let mut stop = rx.clone();
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.changed() => return,
        };
        let (stream, _) = match accepted {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "emulator accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let harness = harness.clone();
        let mut stop = rx.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                handle(req, router.clone(), harness.clone())
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .max_buf_size(4 * 1024 * 1024)
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                _ = stop.changed() => {}
            }
        });
    }
}

/// The error of a dropped connection, after a pause: the connection flushes the bytes
/// already written before it drops, so that the peer sees (nearly always) all of them; under
/// heavy load a few may still be lost with the connection.
async fn dropped() -> BoxError {
    tokio::time::sleep(Duration::from_millis(100)).await;
    "fault plan: connection dropped".into()
}

/// Cuts a body stream after `limit` bytes with an error (the connection then closes); a
/// body of `limit` bytes or fewer passes whole.
fn cut_after<S, E>(stream: S, limit: u64) -> impl Stream<Item = Result<Bytes, BoxError>> + Send
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<BoxError> + Send,
{
    /// Where a cut stream is: passing bytes, cut (the error comes next), or over.
    #[derive(Clone, Copy)]
    enum At {
        Open,
        Cut,
        Done,
    }
    let stream = Box::pin(stream);
    futures::stream::unfold((stream, limit, At::Open), |(mut s, left, at)| async move {
        match at {
            At::Done => return None,
            // The error follows the cut chunk at once, without waiting for more of the
            // stream: were its end asked for first, a cut inside the last chunk would end the
            // stream cleanly, short (a partial upload stored as whole).
            At::Cut => return Some((Err(dropped().await), (s, 0, At::Done))),
            At::Open => {}
        }
        match s.next().await? {
            Ok(chunk) => {
                let n = chunk.len() as u64;
                if n <= left {
                    Some((Ok(chunk), (s, left - n, At::Open)))
                } else if left > 0 {
                    Some((Ok(chunk.slice(..left as usize)), (s, 0, At::Cut)))
                } else {
                    Some((Err(dropped().await), (s, 0, At::Done)))
                }
            }
            Err(e) => Some((Err(e.into()), (s, left, At::Done))),
        }
    })
}

/// Pauses a body stream for `pause` once `after` bytes went out.
fn stall_after<S>(
    stream: S,
    after: u64,
    pause: Duration,
) -> impl Stream<Item = Result<Bytes, BoxError>> + Send
where
    S: Stream<Item = Result<Bytes, axum::Error>> + Send + 'static,
{
    type Dyn = std::pin::Pin<Box<dyn Stream<Item = Result<Bytes, axum::Error>> + Send>>;
    let stream: Dyn = Box::pin(stream);
    futures::stream::unfold(
        (stream, 0u64, false),
        move |(mut s, sent, stalled)| async move {
            if !stalled && sent >= after {
                tokio::time::sleep(pause).await;
                return Some((Ok(Bytes::new()), (s, sent, true)));
            }
            match s.next().await? {
                Ok(mut chunk) => {
                    if !stalled && sent + chunk.len() as u64 > after {
                        let head = chunk.split_to((after - sent) as usize);
                        // The rest comes after the pause: push it back by yielding head now.
                        let rest = chunk;
                        let s: Dyn = Box::pin(futures::stream::iter([Ok(rest)]).chain(s));
                        return Some((Ok(head), (s, after, false)));
                    }
                    let n = chunk.len() as u64;
                    Some((Ok(chunk), (s, sent + n, stalled)))
                }
                Err(e) => Some((Err(Box::new(e) as BoxError), (s, sent, true))),
            }
        },
    )
}

fn fault_response(
    status: u16,
    retry_after: Option<String>,
    body: Option<String>,
    headers: Vec<(String, String)>,
) -> Response<Body> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = body.unwrap_or_else(|| {
        serde_json::json!({
            "error": status.canonical_reason().unwrap_or("fault"),
            "message": "injected by the emulator's fault plan",
        })
        .to_string()
    });
    let mut resp = Response::new(Body::from(body.clone()));
    *resp.status_mut() = status;
    let ct = if body.trim_start().starts_with(['{', '[']) {
        "application/json"
    } else {
        "text/plain"
    };
    resp.headers_mut()
        .insert(http::header::CONTENT_TYPE, HeaderValue::from_static(ct));
    if let Some(ra) = retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
        resp.headers_mut().insert(http::header::RETRY_AFTER, ra);
    }
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (
            http::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            resp.headers_mut().insert(k, v);
        }
    }
    resp
}

async fn handle(
    req: Request<Incoming>,
    mut router: Router,
    harness: Harness,
) -> Result<Response<Body>, BoxError> {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    if harness.control().enabled()
        && (path == super::control::CONTROL_PREFIX
            || path.starts_with(&format!("{}/", super::control::CONTROL_PREFIX)))
    {
        return Ok(super::control::serve(
            harness.control(),
            harness.faults(),
            harness.log(),
            &method,
            &path,
            Body::new(req.into_body()),
        )
        .await);
    }
    harness.log().push(LoggedRequest {
        method: method.to_string(),
        path: path.clone(),
        query: req.uri().query().map(str::to_owned),
        headers: req
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
    });
    let fault = harness.faults().take(&method, &path);
    let req = req.map(Body::new);
    match fault {
        None | Some(Fault::ExpireTokens) => Ok(call_draining(&mut router, req).await),
        Some(Fault::Status {
            status,
            retry_after,
            body,
            headers,
        }) => {
            // Read the request body first, as a server does, so that the client sees the
            // status rather than a broken pipe while it is still sending.
            let mut incoming = req.into_body().into_data_stream();
            while let Some(Ok(_)) = incoming.next().await {}
            Ok(fault_response(status, retry_after, body, headers))
        }
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(d).await;
            Ok(call_draining(&mut router, req).await)
        }
        Some(Fault::DropResponseAfter(k)) => {
            let resp = call(&mut router, req).await;
            Ok(resp.map(|b| Body::from_stream(cut_after(b.into_data_stream(), k))))
        }
        Some(Fault::LoseResponse) => {
            // The route runs to its end (its change is made); closing the connection instead
            // of answering is the fault.
            let _served = call_draining(&mut router, req).await;
            Err("fault plan: answer lost".into())
        }
        Some(Fault::StallResponseAfter(k, d)) => {
            let resp = call(&mut router, req).await;
            Ok(resp.map(|b| Body::from_stream(stall_after(b.into_data_stream(), k, d))))
        }
        Some(Fault::DropRequestAfter(k)) => {
            let tripped = Arc::new(AtomicBool::new(false));
            let flag = Arc::clone(&tripped);
            let req = req.map(move |b| {
                let mut seen = 0u64;
                let cut = cut_after(b.into_data_stream(), k).map(move |r| {
                    // Tripped once the cut is reached, whether or not the route polls on to
                    // the error (a parser may give up on the short body first and answer 400:
                    // the connection still drops, which is the fault).
                    match &r {
                        Ok(chunk) => seen += chunk.len() as u64,
                        Err(_) => seen = k,
                    }
                    if seen >= k {
                        flag.store(true, Ordering::SeqCst);
                    }
                    r
                });
                Body::from_stream(cut)
            });
            let resp = call(&mut router, req).await;
            if tripped.load(Ordering::SeqCst) {
                // Closing the connection is the fault.
                return Err("fault plan: request body dropped".into());
            }
            Ok(resp)
        }
    }
}

/// The most of a request body left unread by a route that is read (and discarded) before its
/// answer goes out.
const DRAIN_LIMIT: u64 = 64 << 20;

/// A request body that, dropped before its end (a route answered without reading it: a 401 on
/// an upload, say), hands what is left back to [`call_draining`].
struct Leftover {
    inner: Option<axum::body::BodyDataStream>,
    tx: Option<tokio::sync::oneshot::Sender<axum::body::BodyDataStream>>,
    done: bool,
}

impl Stream for Leftover {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let Some(inner) = self.inner.as_mut() else {
            return std::task::Poll::Ready(None);
        };
        let polled = inner.poll_next_unpin(cx);
        if let std::task::Poll::Ready(None) = polled {
            self.done = true;
        }
        polled
    }
}

impl Drop for Leftover {
    fn drop(&mut self) {
        if !self.done {
            if let (Some(inner), Some(tx)) = (self.inner.take(), self.tx.take()) {
                let _ = tx.send(inner);
            }
        }
    }
}

/// Calls the router; when the route left the request body unread, reads the rest (up to
/// [`DRAIN_LIMIT`]) before answering, as a server's front end does, so that the client sees
/// the answer (a 401, a 413) rather than a connection closed under its upload.
async fn call_draining(router: &mut Router, req: Request<Body>) -> Response<Body> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let req = req.map(|b| {
        Body::from_stream(Leftover {
            inner: Some(b.into_data_stream()),
            tx: Some(tx),
            done: false,
        })
    });
    let resp = call(router, req).await;
    if let Ok(mut rest) = rx.await {
        let mut read = 0u64;
        while let Some(Ok(chunk)) = rest.next().await {
            read += chunk.len() as u64;
            if read > DRAIN_LIMIT {
                break;
            }
        }
    }
    resp
}

async fn call(router: &mut Router, req: Request<Body>) -> Response<Body> {
    match <Router as Service<Request<Body>>>::call(router, req).await {
        Ok(r) => r,
        Err(e) => {
            let e: Infallible = e;
            match e {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn collect(chunks: Vec<&'static [u8]>, limit: u64) -> (Vec<u8>, bool) {
        let inner = futures::stream::iter(
            chunks
                .into_iter()
                .map(|c| Ok::<_, std::io::Error>(Bytes::from_static(c))),
        );
        let mut cut = Box::pin(cut_after(inner, limit));
        let mut got = Vec::new();
        while let Some(r) = cut.next().await {
            match r {
                Ok(b) => got.extend_from_slice(&b),
                Err(_) => return (got, true),
            }
        }
        (got, false)
    }

    #[tokio::test]
    async fn a_cut_inside_the_last_chunk_ends_in_an_error_not_a_short_body() {
        // Found by the simulation: the cut of a one-chunk upload ended the stream cleanly
        // after `limit` bytes, so the emulator stored a partial file as a whole upload.
        assert_eq!(
            collect(vec![b"0123456789"], 4).await,
            (b"0123".to_vec(), true)
        );
        assert_eq!(
            collect(vec![b"01", b"23456"], 3).await,
            (b"012".to_vec(), true)
        );
        assert_eq!(
            collect(vec![b"0123", b"45"], 4).await,
            (b"0123".to_vec(), true)
        );
        assert_eq!(collect(vec![b"01", b"23"], 0).await, (Vec::new(), true));
        // A body no longer than the limit passes whole.
        assert_eq!(collect(vec![b"0123"], 4).await, (b"0123".to_vec(), false));
        assert_eq!(
            collect(vec![b"01", b"2"], 9).await,
            (b"012".to_vec(), false)
        );
        assert_eq!(collect(vec![], 0).await, (Vec::new(), false));
    }
}
