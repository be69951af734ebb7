//! `ContentMixin`: folders and files created, uploaded from files and streams, overwritten,
//! downloaded in ranged chunks with resume; thumbnails.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};
use http::Method;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt, AsyncWrite, AsyncWriteExt};

use cloud_core::reqwest::multipart::{Form, Part};
use cloud_core::reqwest::{Body, Response};

use crate::account::json;
use crate::client::{AcdClient, OK_CODES};
use crate::error::{codes, Error, RequestError, Result};
use crate::models::Node;
use crate::pyjson;

/// The suffix of a partial download (`PARTIAL_SUFFIX`).
pub const PARTIAL_SUFFIX: &str = ".__incomplete";

/// A read or write callback: sees every chunk, in order (progress, hashing).
pub type Callback = Arc<dyn Fn(&[u8]) + Send + Sync>;

/// The length `chunked_download` assumes when none is given: 100 TiB ("unknown").
pub const UNKNOWN_LENGTH: u64 = 100 << 40;

/// Options of the uploads and overwrites (the Python keywords `read_callbacks`,
/// `deduplication`).
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct UploadOptions {
    /// Called with every chunk before it is sent.
    pub(crate) read_callbacks: Vec<Callback>,
    /// Let the server refuse duplicate content (409) instead of sending `suppress=deduplication`.
    pub(crate) deduplication: bool,
}

impl std::fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadOptions")
            .field("read_callbacks", &self.read_callbacks.len())
            .field("deduplication", &self.deduplication)
            .finish()
    }
}

impl UploadOptions {
    /// Adds a read callback.
    pub fn read_callback(mut self, cb: Callback) -> Self {
        self.read_callbacks.push(cb);
        self
    }

    /// Sets `deduplication`.
    pub fn deduplication(mut self, dedup: bool) -> Self {
        self.deduplication = dedup;
        self
    }
}

/// Options of [`AcdClient::download_file`] (`length`, `write_callbacks`, `resume`), plus an
/// expected MD5 checked at the end (acd_cli issue #57).
#[derive(Clone)]
#[non_exhaustive]
pub struct DownloadOptions {
    /// The expected total size (0: unknown).
    pub(crate) length: u64,
    /// Called with every chunk written (on resume, first with the kept prefix).
    pub(crate) write_callbacks: Vec<Callback>,
    /// Continue an existing `.__incomplete` file (default true).
    pub(crate) resume: bool,
    /// The node's `contentProperties.md5`: checked once the file is complete.
    pub(crate) md5: Option<String>,
    /// The longest wait for an answer or for the next bytes of a body (`timeout=`).
    pub(crate) timeout: Option<Duration>,
    /// Sync the `.__incomplete` file to disk before the rename (default false, as acd_cli).
    pub(crate) fsync: bool,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        Self {
            length: 0,
            write_callbacks: Vec::new(),
            resume: true,
            md5: None,
            timeout: None,
            fsync: false,
        }
    }
}

impl std::fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("length", &self.length)
            .field("write_callbacks", &self.write_callbacks.len())
            .field("resume", &self.resume)
            .field("md5", &self.md5)
            .field("fsync", &self.fsync)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl DownloadOptions {
    /// Options for a node: its size as `length` and its MD5 checked at the end.
    pub fn for_node(node: &Node) -> Self {
        Self {
            length: node.size(),
            md5: node.md5().map(str::to_owned),
            ..Self::default()
        }
    }

    /// Sets `length`.
    pub fn length(mut self, length: u64) -> Self {
        self.length = length;
        self
    }

    /// Adds a write callback.
    pub fn write_callback(mut self, cb: Callback) -> Self {
        self.write_callbacks.push(cb);
        self
    }

    /// Sets the MD5 to verify the download against (as [`DownloadOptions::for_node`] does).
    pub fn md5(mut self, md5: impl Into<String>) -> Self {
        self.md5 = Some(md5.into());
        self
    }

    /// Sets `resume`.
    pub fn resume(mut self, resume: bool) -> Self {
        self.resume = resume;
        self
    }

    /// `timeout=` of acd_cli's callers: the longest wait for an answer or for the next bytes
    /// of a body (a read timeout, as requests has it, not a deadline for the whole file);
    /// past it the download fails with `RequestError(1000)`, kind `Transport(Timeout)`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Syncs the `.__incomplete` file to disk (`fsync`) before renaming it, so that the file
    /// under its final name survives a power cut complete. Off by default: acd_cli flushes
    /// but never syncs, and a sync costs the time the disk takes to write the whole file out
    /// (the README's benchmark shows both).
    pub fn fsync(mut self, fsync: bool) -> Self {
        self.fsync = fsync;
        self
    }
}

/// Options of [`AcdClient::chunked_download`] (`offset`, `length`, `write_callbacks`).
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct ChunkedDownloadOptions {
    /// First byte (the writer's current position).
    pub(crate) offset: u64,
    /// Total length (`None`: unknown, ended by a 416).
    pub(crate) length: Option<u64>,
    /// Called with every chunk written.
    pub(crate) write_callbacks: Vec<Callback>,
    /// The longest wait for an answer or for the next bytes of a body.
    pub(crate) timeout: Option<Duration>,
}

impl std::fmt::Debug for ChunkedDownloadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkedDownloadOptions")
            .field("offset", &self.offset)
            .field("length", &self.length)
            .field("write_callbacks", &self.write_callbacks.len())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl ChunkedDownloadOptions {
    /// The read timeout of [`DownloadOptions::timeout`], for each ranged request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets `offset`.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Sets `length`.
    pub fn length(mut self, length: u64) -> Self {
        self.length = Some(length);
        self
    }

    /// Adds a write callback.
    pub fn write_callback(mut self, cb: Callback) -> Self {
        self.write_callbacks.push(cb);
        self
    }
}

#[derive(Serialize)]
struct NewNode<'a> {
    kind: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    parents: Option<[&'a str; 1]>,
}

/// Python's `quote_plus` safe set.
const QUOTE_PLUS: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~')
    .remove(b' ');

pub(crate) fn quote_plus(s: &str) -> String {
    utf8_percent_encode(s, QUOTE_PLUS)
        .to_string()
        .replace(' ', "+")
}

fn basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn mimetype(name: &str) -> String {
    mime_guess::from_path(name)
        .first_raw()
        .unwrap_or("application/octet-stream")
        .to_owned()
}

fn suppress(dedup: bool) -> Option<[(&'static str, &'static str); 1]> {
    (!dedup).then_some([("suppress", "deduplication")])
}

/// Passes every chunk to the callbacks.
fn tee<S>(
    stream: S,
    callbacks: Vec<Callback>,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static
where
    S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
{
    stream.map(move |r| {
        if let Ok(b) = &r {
            for cb in &callbacks {
                cb(b);
            }
        }
        r
    })
}

fn mp_err(e: cloud_core::reqwest::Error) -> cloud_core::Error {
    cloud_core::error::from_reqwest(e, None)
}

/// A one-shot body: the first chunk (already read to tell an empty stream) then the rest.
type OneShot = std::sync::Mutex<Option<Body>>;

impl AcdClient {
    /// `POST {metadata}nodes` `{"kind": "FOLDER", "name": …[, "parents": [parent]]}` (201).
    pub async fn create_folder(&self, name: &str, parent: Option<&str>) -> Result<Node> {
        let body = pyjson::dumps(&NewNode {
            kind: "FOLDER",
            name,
            parents: parent.map(|p| [p]),
        });
        let resp = self
            .request(Method::POST, self.meta("nodes")?, &[201], |r| {
                Ok(r.body(body.clone()))
            })
            .await?;
        json(resp).await
    }

    fn metadata_part(name: &str, parent: Option<&str>) -> String {
        pyjson::dumps(&NewNode {
            kind: "FILE",
            name,
            parents: parent.map(|p| [p]),
        })
    }

    /// Creates an empty file: `POST {content}nodes?suppress=deduplication`, multipart (201).
    pub async fn create_file(&self, file_name: &str, parent: Option<&str>) -> Result<Node> {
        let name = basename(file_name);
        let meta = Self::metadata_part(name, parent);
        let (fname, mime) = (quote_plus(name), mimetype(name));
        let resp = self
            .request(Method::POST, self.content("nodes")?, &[201], |r| {
                let form = Form::new().text("metadata", meta.clone()).part(
                    "content",
                    Part::bytes(Vec::new())
                        .file_name(fname.clone())
                        .mime_str(&mime)
                        .map_err(mp_err)?,
                );
                Ok(r.query(&[("suppress", "deduplication")]).multipart(form))
            })
            .await?;
        json(resp).await
    }

    /// Truncates a file: `PUT {content}nodes/<id>/content`, an empty content part named `" "` (200).
    pub async fn clear_file(&self, node_id: &str) -> Result<Node> {
        let url = self.content(&format!("nodes/{node_id}/content"))?;
        let resp = self
            .request(Method::PUT, url, OK_CODES, |r| {
                let part = Part::bytes(Vec::new())
                    .file_name(" ")
                    .mime_str("application/octet-stream")
                    .map_err(mp_err)?;
                Ok(r.multipart(Form::new().part("content", part)))
            })
            .await?;
        json(resp).await
    }

    fn file_part(
        &self,
        path: &Path,
        len: u64,
        callbacks: &[Callback],
    ) -> std::result::Result<Part, cloud_core::Error> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file = tokio::fs::File::from_std(std::fs::File::open(path)?);
        let chunk = self.settings().fs_chunk_size;
        let stream = tee(
            tokio_util::io::ReaderStream::with_capacity(file, chunk),
            callbacks.to_vec(),
        );
        Part::stream_with_length(Body::wrap_stream(stream), len)
            .file_name(quote_plus(&name))
            .mime_str(&mimetype(&name))
            .map_err(mp_err)
    }

    /// Uploads a local file: `POST {content}nodes`, multipart `metadata` (the basename) then
    /// `content` with a Content-Length (201). `suppress=deduplication` unless deduplication
    /// was asked for and the file is not empty.
    pub async fn upload_file(
        &self,
        file_name: impl AsRef<Path>,
        parent: Option<&str>,
        options: UploadOptions,
    ) -> Result<Node> {
        let path = file_name.as_ref().to_owned();
        let len = tokio::fs::metadata(&path).await?.len();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let meta = Self::metadata_part(&name, parent);
        let q = suppress(options.deduplication && len > 0);
        let resp = self
            .request(Method::POST, self.content("nodes")?, &[201], |r| {
                let form = Form::new().text("metadata", meta.clone()).part(
                    "content",
                    self.file_part(&path, len, &options.read_callbacks)?,
                );
                Ok(match q {
                    Some(q) => r.query(&q),
                    None => r,
                }
                .multipart(form))
            })
            .await?;
        json(resp).await
    }

    /// Reads the first chunk of a stream: `None` when it is empty, otherwise a body that
    /// replays that chunk then the rest (the original's `peek`).
    async fn open_stream<R>(&self, mut stream: R, callbacks: Vec<Callback>) -> Result<Option<Body>>
    where
        R: AsyncRead + Send + Unpin + 'static,
    {
        let chunk = self.settings().fs_chunk_size;
        let mut first = BytesMut::with_capacity(chunk);
        while first.is_empty() {
            if stream.read_buf(&mut first).await? == 0 {
                return Ok(None);
            }
        }
        let head = futures::stream::iter([Ok::<_, std::io::Error>(first.freeze())]);
        let rest = tokio_util::io::ReaderStream::with_capacity(stream, chunk);
        Ok(Some(Body::wrap_stream(tee(head.chain(rest), callbacks))))
    }

    /// Uploads from a stream: an empty stream becomes [`AcdClient::create_file`] (acd_cli
    /// issue #128); otherwise `POST {content}nodes`, multipart with `Transfer-Encoding:
    /// chunked`, the metadata name being `file_name` as given (201). One attempt: a stream
    /// cannot be re-sent.
    pub async fn upload_stream<R>(
        &self,
        stream: R,
        file_name: &str,
        parent: Option<&str>,
        options: UploadOptions,
    ) -> Result<Node>
    where
        R: AsyncRead + Send + Unpin + 'static,
    {
        let Some(body) = self
            .open_stream(stream, options.read_callbacks.clone())
            .await?
        else {
            return self.create_file(file_name, parent).await;
        };
        let meta = Self::metadata_part(file_name, parent);
        let body: OneShot = std::sync::Mutex::new(Some(body));
        let q = suppress(options.deduplication);
        let resp = self
            .request(Method::POST, self.content("nodes")?, &[201], |r| {
                let b = take(&body)?;
                let form = Form::new().text("metadata", meta.clone()).part(
                    "content",
                    Part::stream(b)
                        .file_name("foo")
                        .mime_str("application/octet-stream")
                        .map_err(mp_err)?,
                );
                Ok(match q {
                    Some(q) => r.query(&q),
                    None => r,
                }
                .multipart(form))
            })
            .await?;
        json(resp).await
    }

    /// Overwrites a file's content from a local file: `PUT {content}nodes/<id>/content` (200).
    pub async fn overwrite_file(
        &self,
        node_id: &str,
        file_name: impl AsRef<Path>,
        options: UploadOptions,
    ) -> Result<Node> {
        let path = file_name.as_ref().to_owned();
        let len = tokio::fs::metadata(&path).await?.len();
        let url = self.content(&format!("nodes/{node_id}/content"))?;
        let q = suppress(options.deduplication);
        let resp = self
            .request(Method::PUT, url, OK_CODES, |r| {
                let form = Form::new().part(
                    "content",
                    self.file_part(&path, len, &options.read_callbacks)?,
                );
                Ok(match q {
                    Some(q) => r.query(&q),
                    None => r,
                }
                .multipart(form))
            })
            .await?;
        json(resp).await
    }

    /// Overwrites from a stream (no query: deduplication is never suppressed here, as in the
    /// original); an empty stream becomes [`AcdClient::clear_file`] (200).
    pub async fn overwrite_stream<R>(
        &self,
        stream: R,
        node_id: &str,
        read_callbacks: Vec<Callback>,
    ) -> Result<Node>
    where
        R: AsyncRead + Send + Unpin + 'static,
    {
        let Some(body) = self.open_stream(stream, read_callbacks).await? else {
            return self.clear_file(node_id).await;
        };
        let url = self.content(&format!("nodes/{node_id}/content"))?;
        let body: OneShot = std::sync::Mutex::new(Some(body));
        let resp = self
            .request(Method::PUT, url, OK_CODES, |r| {
                let b = take(&body)?;
                let part = Part::stream(b)
                    .file_name("foo")
                    .mime_str("application/octet-stream")
                    .map_err(mp_err)?;
                Ok(r.multipart(Form::new().part("content", part)))
            })
            .await?;
        json(resp).await
    }

    /// `GET {content}nodes/<id>/content` with `Range: bytes=<offset>-<offset+length-1>` (206);
    /// the caller reads (and drops) the response.
    pub async fn response_chunk(
        &self,
        node_id: &str,
        offset: u64,
        length: u64,
    ) -> Result<Response> {
        if length == 0 {
            return Err(Error::InvalidInput("length must be at least 1".into()));
        }
        let url = self.content(&format!("nodes/{node_id}/content"))?;
        let range = format!("bytes={offset}-{}", offset + length - 1);
        self.request(Method::GET, url, &[206], |r| {
            Ok(r.header(http::header::RANGE, range.clone()))
        })
        .await
    }

    /// [`AcdClient::response_chunk`] with acd_cli's `timeout=`: the longest wait for the
    /// answer (the caller reads the body, and bounds its reads itself).
    pub async fn response_chunk_with(
        &self,
        node_id: &str,
        offset: u64,
        length: u64,
        timeout: Option<Duration>,
    ) -> Result<Response> {
        within(timeout, self.response_chunk(node_id, offset, length)).await
    }

    /// [`AcdClient::response_chunk`] read whole (one chunk: bounded by `length`).
    pub async fn download_chunk(&self, node_id: &str, offset: u64, length: u64) -> Result<Vec<u8>> {
        let mut resp = self.response_chunk(node_id, offset, length).await?;
        let mut out = Vec::with_capacity(length.min(64 << 20) as usize);
        while let Some(c) = resp.chunk().await.map_err(|e| transport_err(&e))? {
            out.extend_from_slice(&c);
        }
        Ok(out)
    }

    /// The original's chunk loop: ranged GETs of at most `dl_chunk_size` bytes into `writer`,
    /// from `offset`; a 416 ends an unknown-length download; a 5xx, 408 or 429 answer is
    /// retried until `chunk_retries` attempts failed (`RequestError(1002)`, whose context is
    /// the last answer's: its `status()` and `kind()` are that answer's); any other error
    /// answer (a 404 for a node that does not exist) is returned at once as its own
    /// `RequestError`, where the original re-asked `chunk_retries` times and then raised 1002
    /// (README, "Differences from the original"); a short 206 is followed by a request from the
    /// writer's position. A body broken off mid-chunk is `RequestError(1000)`, the bytes
    /// already written staying in `writer`. Returns the writer's final position.
    pub async fn chunked_download<W>(
        &self,
        node_id: &str,
        writer: &mut W,
        options: ChunkedDownloadOptions,
    ) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let settings = self.settings();
        let length = options.length.unwrap_or(UNKNOWN_LENGTH);
        let url = self.content(&format!("nodes/{node_id}/content"))?;
        let mut pos = options.offset;
        let mut retries = 0u32;
        let mut last: Option<Error> = None;
        while pos < length {
            let end = (pos + settings.dl_chunk_size - 1).min(length - 1);
            if retries >= settings.chunk_retries {
                let mut e = RequestError::new(
                    codes::FAILED_SUBREQUEST,
                    "[acd_api] Downloading chunk failed multiple times.",
                );
                if let Some(ctx) = last.as_ref().and_then(Error::context) {
                    e.context = ctx.clone();
                }
                return Err(Error::Request(Box::new(e)));
            }
            let range = format!("bytes={pos}-{end}");
            let mut resp = within(
                options.timeout,
                self.request_raw(Method::GET, url.clone(), &[206], |r| {
                    Ok(r.header(http::header::RANGE, range.clone()))
                }),
            )
            .await?;
            match resp.status().as_u16() {
                416 => break,
                206 => {}
                status => {
                    let err = crate::client::error_of(&Method::GET, resp).await;
                    // Re-asking cannot cure a client error (but a timeout or a rate limit).
                    if (400..500).contains(&status) && status != 408 && status != 429 {
                        return Err(err);
                    }
                    last = Some(err);
                    retries += 1;
                    continue;
                }
            }
            loop {
                let next = within(options.timeout, async {
                    resp.chunk().await.map_err(|e| transport_err(&e))
                })
                .await;
                match next {
                    Ok(Some(c)) => {
                        if c.is_empty() {
                            continue;
                        }
                        writer.write_all(&c).await?;
                        for cb in &options.write_callbacks {
                            cb(&c);
                        }
                        pos += c.len() as u64;
                    }
                    Ok(None) => break,
                    Err(e) => {
                        writer.flush().await?;
                        return Err(e);
                    }
                }
            }
            writer.flush().await?;
            retries = 0;
        }
        Ok(pos)
    }

    /// Downloads a file to `dirname/basename` through `<basename>.__incomplete`, resuming an
    /// existing partial file (minus a safety margin of `fs_chunk_size + 1` bytes, replayed to
    /// the write callbacks), renamed when complete. `RequestError(1003)` when fewer than
    /// `length` bytes arrived (the partial file is kept) or the MD5 differs from
    /// `options.md5`. `basename` is checked: it can never leave `dirname`.
    pub async fn download_file(
        &self,
        node_id: &str,
        basename: &str,
        dirname: Option<&Path>,
        options: DownloadOptions,
    ) -> Result<PathBuf> {
        cloud_core::body::check_file_name(basename)
            .map_err(|e| Error::InvalidInput(e.to_string()))?;
        let fs_chunk = self.settings().fs_chunk_size;
        let dl_path = dirname.map_or_else(|| PathBuf::from(basename), |d| d.join(basename));
        let part_path = PathBuf::from(format!("{}{PARTIAL_SUFFIX}", dl_path.display()));
        let mut callbacks = options.write_callbacks.clone();
        let md5 = options
            .md5
            .as_ref()
            .map(|_| Arc::new(std::sync::Mutex::new(<md5::Md5 as md5::Digest>::new())));
        if let Some(h) = &md5 {
            let h = Arc::clone(h);
            callbacks.push(Arc::new(move |b: &[u8]| {
                use md5::Digest;
                if let Ok(mut h) = h.lock() {
                    h.update(b);
                }
            }));
        }
        let fresh = !(options.resume && part_path.exists());
        let (mut file, offset) = if !fresh {
            let size = tokio::fs::metadata(&part_path).await?.len();
            let keep = size.saturating_sub(1 + fs_chunk as u64);
            let f = tokio::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&part_path)
                .await?;
            f.set_len(keep).await?;
            let mut f = f;
            if !callbacks.is_empty() {
                f.seek(std::io::SeekFrom::Start(0)).await?;
                let mut left = keep;
                let mut buf = vec![0u8; fs_chunk];
                while left > 0 {
                    let n = f
                        .read(&mut buf[..(left.min(fs_chunk as u64)) as usize])
                        .await?;
                    if n == 0 {
                        break;
                    }
                    for cb in &callbacks {
                        cb(&buf[..n]);
                    }
                    left -= n as u64;
                }
            }
            f.seek(std::io::SeekFrom::Start(keep)).await?;
            (f, keep)
        } else {
            (tokio::fs::File::create(&part_path).await?, 0)
        };
        let mut writer = tokio::io::BufWriter::with_capacity(fs_chunk.max(8192), &mut file);
        let cd = ChunkedDownloadOptions {
            offset,
            length: (options.length > 0).then_some(options.length),
            write_callbacks: callbacks,
            timeout: options.timeout,
        };
        let result = self.chunked_download(node_id, &mut writer, cd).await;
        writer.flush().await?;
        drop(writer);
        if options.fsync && result.is_ok() {
            file.sync_all().await?;
        }
        let pos = match result {
            Ok(pos) => pos,
            Err(e) => {
                // No answer brought a byte: no partial file is left for a later resume.
                if fresh && file.metadata().await.is_ok_and(|m| m.len() == 0) {
                    drop(file);
                    let _ = tokio::fs::remove_file(&part_path).await;
                }
                return Err(e);
            }
        };
        if options.length > 0 && pos < options.length {
            return Err(Error::request(
                codes::INCOMPLETE_RESULT,
                format!(
                    "[acd_api] download incomplete. Expected {}, got {pos}.",
                    options.length
                ),
            ));
        }
        if let (Some(want), Some(h)) = (&options.md5, md5) {
            use md5::Digest;
            let got: String = h
                .lock()
                .map(|h| {
                    h.clone()
                        .finalize()
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect()
                })
                .unwrap_or_default();
            if &got != want {
                tokio::fs::remove_file(&part_path).await?;
                return Err(Error::request(
                    codes::INCOMPLETE_RESULT,
                    format!("[acd_api] download corrupt: MD5 {got}, expected {want}."),
                ));
            }
        }
        if dl_path.exists() {
            tracing::info!("Deleting existing file \"{}\".", dl_path.display());
            tokio::fs::remove_file(&dl_path).await?;
        }
        tokio::fs::rename(&part_path, &dl_path).await?;
        Ok(dl_path)
    }

    /// `GET {content}nodes/<id>/content?viewBox=<max_dim>` (200), the raw body written to
    /// `file_name`.
    pub async fn download_thumbnail(
        &self,
        node_id: &str,
        file_name: impl AsRef<Path>,
        max_dim: u32,
    ) -> Result<()> {
        let url = self.content(&format!("nodes/{node_id}/content"))?;
        let q = [("viewBox", max_dim.to_string())];
        let mut resp = self
            .request(Method::GET, url, OK_CODES, |r| Ok(r.query(&q)))
            .await?;
        let mut f = tokio::fs::File::create(file_name.as_ref()).await?;
        while let Some(c) = resp.chunk().await.map_err(|e| transport_err(&e))? {
            f.write_all(&c).await?;
        }
        f.flush().await?;
        Ok(())
    }
}

fn take(slot: &OneShot) -> std::result::Result<Body, cloud_core::Error> {
    slot.lock().ok().and_then(|mut s| s.take()).ok_or_else(|| {
        cloud_core::Error::with_message(
            cloud_core::ErrorKind::Transport(cloud_core::TransportKind::Body),
            "a stream upload cannot be sent twice",
        )
    })
}

/// `fut` within `limit` (no limit: as it is); past it, `RequestError(1000)` of kind
/// `Transport(Timeout)`.
async fn within<T>(
    limit: Option<Duration>,
    fut: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    match limit {
        None => fut.await,
        Some(d) => tokio::time::timeout(d, fut).await.unwrap_or_else(|_| {
            Err(crate::error::from_transport(
                &cloud_core::Error::with_message(
                    cloud_core::ErrorKind::Transport(cloud_core::TransportKind::Timeout),
                    format!("no answer within {} s", d.as_secs_f64()),
                ),
            ))
        }),
    }
}

fn transport_err(e: &cloud_core::reqwest::Error) -> Error {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    Error::request(codes::CONN_EXCEPTION, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_names() {
        assert_eq!(quote_plus("héllo wörld.txt"), "h%C3%A9llo+w%C3%B6rld.txt");
        assert_eq!(quote_plus("a~b_c-d.e"), "a~b_c-d.e");
        assert_eq!(basename("dir/sub/name.txt"), "name.txt");
        assert_eq!(mimetype("x.txt"), "text/plain");
        assert_eq!(mimetype("x.unknownext"), "application/octet-stream");
    }
}
