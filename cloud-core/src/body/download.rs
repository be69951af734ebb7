//! A resumable download stream.
//!
//! [`download()`] asks a [`RangeFetch`] for the body from offset 0 (or a start offset), then
//! yields its chunks. When the body breaks off (a dropped connection, a read error, or an end
//! before the announced length) it asks again from the first missing byte with
//! `Range: bytes=N-`, checks that the server answered for that offset and that the resource did
//! not change (same ETag), and goes on. After `max_resumes` attempts without progress it yields
//! the error: a body that ended early is [`TransportKind::Truncated`], never a silent success.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::{BoxStream, Stream, StreamExt};
use http::StatusCode;
use reqwest::Response;
use tokio::io::AsyncRead;

use super::progress::{report, ProgressFn};
use super::ByteStream;
use crate::error::{from_reqwest, Error, ErrorContext, ErrorKind, TransportKind};

/// Fetches the body from a byte offset. The implementation sends `Range: bytes=N-` when the
/// offset is not 0 ([`range_header`]) and turns a failed status into the provider's error; any
/// success status is handed back.
pub trait RangeFetch: Send + Sync + 'static {
    /// Starts the request for the body from `offset`.
    fn fetch(&self, offset: u64) -> BoxFuture<'static, Result<Response, Error>>;
}

impl<F, Fut> RangeFetch for F
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response, Error>> + Send + 'static,
{
    fn fetch(&self, offset: u64) -> BoxFuture<'static, Result<Response, Error>> {
        Box::pin(self(offset))
    }
}

/// The `Range` header value for a body from `offset`, or `None` for the whole body.
pub fn range_header(offset: u64) -> Option<String> {
    (offset > 0).then(|| format!("bytes={offset}-"))
}

/// Options of [`download()`].
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct DownloadOptions {
    /// Resume attempts allowed in a row without progress (default 3 when `None`).
    pub(crate) max_resumes: Option<u32>,
    /// First byte wanted (to continue a partial file).
    pub(crate) start: u64,
    /// Called after each chunk.
    pub(crate) progress: Option<ProgressFn>,
}

impl std::fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("max_resumes", &self.max_resumes)
            .field("start", &self.start)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl DownloadOptions {
    /// Sets the resume budget.
    pub fn max_resumes(mut self, n: u32) -> Self {
        self.max_resumes = Some(n);
        self
    }

    /// Sets the first byte wanted.
    pub fn start(mut self, offset: u64) -> Self {
        self.start = offset;
        self
    }

    /// Sets the progress callback.
    pub fn progress(mut self, f: ProgressFn) -> Self {
        self.progress = Some(f);
        self
    }
}

/// A download in progress: a [`Stream`] of chunks, with what the first answer said.
pub struct Download {
    /// The size of the whole resource, when the server said.
    pub total: Option<u64>,
    /// The ETag (or Last-Modified) of the resource, when the server sent one.
    pub etag: Option<String>,
    /// The offset of the first byte this stream yields.
    pub start: u64,
    stream: ByteStream,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("total", &self.total)
            .field("etag", &self.etag)
            .field("start", &self.start)
            .finish_non_exhaustive()
    }
}

impl Download {
    /// A download over any stream (for bodies that cannot resume).
    pub fn from_stream(stream: ByteStream, total: Option<u64>) -> Self {
        Self {
            total,
            etag: None,
            start: 0,
            stream,
        }
    }

    /// The chunks, as a boxed stream.
    pub fn into_stream(self) -> ByteStream {
        self.stream
    }

    /// The body as a [`tokio::io::AsyncRead`]; errors come out as `io::Error`s wrapping
    /// [`Error`] (and convert back with `Error::from`).
    pub fn into_async_read(self) -> impl AsyncRead + Send + Unpin {
        tokio_util::io::StreamReader::new(self.stream.map(|r| r.map_err(std::io::Error::from)))
    }
}

impl Stream for Download {
    type Item = Result<Bytes, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}

struct Head {
    total: Option<u64>,
    etag: Option<String>,
    /// Bytes to drop from the front (a server that ignored the Range header).
    skip: u64,
}

fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    // bytes a-b/total or bytes a-b/*
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (a, _b) = range.split_once('-')?;
    let start = a.trim().parse().ok()?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    Some((start, total))
}

fn validator(resp: &Response) -> Option<String> {
    let h = resp.headers();
    h.get(http::header::ETAG)
        .or_else(|| h.get(http::header::LAST_MODIFIED))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn inspect(resp: &Response, offset: u64) -> Result<Head, Error> {
    let ctx = || {
        let mut c = ErrorContext::default().with_response(resp.status(), resp.headers());
        c.url = Some(crate::error::redact_url(resp.url()));
        c
    };
    let etag = validator(resp);
    if resp.status() == StatusCode::PARTIAL_CONTENT {
        let cr = resp
            .headers()
            .get(http::header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_content_range);
        match cr {
            Some((start, total)) if start == offset => Ok(Head {
                total: total.or_else(|| resp.content_length().map(|l| l + offset)),
                etag,
                skip: 0,
            }),
            _ => Err(
                Error::new(ErrorKind::Decode).context(ctx().with_message(format!(
                    "the server answered a range request from byte {offset} with another range"
                ))),
            ),
        }
    } else if resp.status().is_success() {
        Ok(Head {
            total: resp.content_length(),
            etag,
            skip: offset,
        })
    } else {
        Err(Error::from_status(resp.status(), ctx())
            .unwrap_or_else(|| Error::new(ErrorKind::Decode).context(ctx())))
    }
}

struct State {
    fetcher: Arc<dyn RangeFetch>,
    body: Option<BoxStream<'static, reqwest::Result<Bytes>>>,
    offset: u64,
    total: Option<u64>,
    etag: Option<String>,
    skip: u64,
    max_resumes: u32,
    resumes_left: u32,
    progress: Option<ProgressFn>,
    done: bool,
}

fn truncated(offset: u64, total: Option<u64>) -> Error {
    let msg = match total {
        Some(t) => format!("body ended at byte {offset} of {t}"),
        None => format!("body broke off at byte {offset}"),
    };
    Error::with_message(ErrorKind::Transport(TransportKind::Truncated), msg)
}

impl State {
    async fn resume(&mut self) -> Result<(), Error> {
        // A short pause lets a flapping server settle; resumes are bounded.
        let attempt = self.max_resumes - self.resumes_left;
        tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
        tracing::debug!(offset = self.offset, "resuming download");
        let resp = self.fetcher.fetch(self.offset).await?;
        let head = inspect(&resp, self.offset)?;
        if let (Some(before), Some(now)) = (&self.etag, &head.etag) {
            if before != now {
                return Err(Error::with_message(
                    ErrorKind::PreconditionFailed,
                    "the resource changed during the download (its ETag differs)",
                ));
            }
        }
        if let (Some(before), Some(now)) = (self.total, head.total) {
            if before != now {
                return Err(Error::with_message(
                    ErrorKind::PreconditionFailed,
                    "the resource changed during the download (its size differs)",
                ));
            }
        }
        self.skip = head.skip;
        self.body = Some(resp.bytes_stream().boxed());
        Ok(())
    }

    async fn next(&mut self) -> Option<Result<Bytes, Error>> {
        loop {
            if self.done {
                return None;
            }
            let Some(body) = self.body.as_mut() else {
                if let Err(e) = self.resume().await {
                    self.done = true;
                    return Some(Err(e));
                }
                continue;
            };
            match body.next().await {
                Some(Ok(mut chunk)) => {
                    if self.skip > 0 {
                        let drop_n = self.skip.min(chunk.len() as u64);
                        self.skip -= drop_n;
                        chunk = chunk.slice(drop_n as usize..);
                        if chunk.is_empty() {
                            continue;
                        }
                    }
                    self.offset += chunk.len() as u64;
                    self.resumes_left = self.max_resumes;
                    if let Some(total) = self.total {
                        if self.offset > total {
                            self.done = true;
                            return Some(Err(Error::with_message(
                                ErrorKind::Decode,
                                format!("body longer than its announced {total} bytes"),
                            )));
                        }
                    }
                    report(self.progress.as_ref(), self.offset, self.total);
                    return Some(Ok(chunk));
                }
                Some(Err(e)) => {
                    let err = from_reqwest(e, None);
                    self.body = None;
                    if self.resumes_left == 0 {
                        self.done = true;
                        let mut t = truncated(self.offset, self.total);
                        if let Some(m) = err.message() {
                            t.error_context_mut().message =
                                Some(format!("{}: {m}", t.message().unwrap_or_default()));
                        }
                        return Some(Err(t));
                    }
                    self.resumes_left -= 1;
                }
                None => {
                    self.body = None;
                    let complete = self.total.is_none_or(|t| self.offset >= t);
                    if complete {
                        self.done = true;
                        return None;
                    }
                    if self.resumes_left == 0 {
                        self.done = true;
                        return Some(Err(truncated(self.offset, self.total)));
                    }
                    self.resumes_left -= 1;
                }
            }
        }
    }
}

/// Starts a resumable download (see the module docs). The first request's error is returned
/// here; later errors come out of the stream.
pub async fn download(
    fetcher: impl RangeFetch,
    options: DownloadOptions,
) -> Result<Download, Error> {
    let fetcher: Arc<dyn RangeFetch> = Arc::new(fetcher);
    let start = options.start;
    let resp = fetcher.fetch(start).await?;
    let head = inspect(&resp, start)?;
    let max_resumes = options.max_resumes.unwrap_or(3);
    let state = State {
        fetcher,
        body: Some(resp.bytes_stream().boxed()),
        offset: start,
        total: head.total,
        etag: head.etag.clone(),
        skip: head.skip,
        max_resumes,
        resumes_left: max_resumes,
        progress: options.progress,
        done: false,
    };
    let stream = futures::stream::unfold(Box::new(state), |mut st| async move {
        let item = st.next().await?;
        Some((item, st))
    });
    Ok(Download {
        total: head.total,
        etag: head.etag,
        start,
        stream: Box::pin(stream),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_parsing() {
        assert_eq!(parse_content_range("bytes 10-19/20"), Some((10, Some(20))));
        assert_eq!(parse_content_range("bytes 0-0/*"), Some((0, None)));
        assert_eq!(parse_content_range("items 0-1/2"), None);
        assert_eq!(parse_content_range("bytes x-1/2"), None);
        assert_eq!(range_header(0), None);
        assert_eq!(range_header(5).as_deref(), Some("bytes=5-"));
    }
}
