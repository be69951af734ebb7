//! Blob storage for emulators: file bodies written to a temporary folder as they stream in
//! (never held whole in memory), synthesized bodies for benchmarks, and a `Range`-aware
//! response builder.

use std::fmt;
use std::io::SeekFrom;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use futures::{Stream, StreamExt};
use http::{HeaderMap, HeaderValue, StatusCode};
use md5::{Digest, Md5};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

const PATTERN_LEN: usize = 1 << 20;
const READ_CHUNK: usize = 256 * 1024;

fn pattern() -> &'static Bytes {
    static P: OnceLock<Bytes> = OnceLock::new();
    P.get_or_init(|| {
        // xorshift: deterministic, not periodic within the pattern.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut v = Vec::with_capacity(PATTERN_LEN);
        while v.len() < PATTERN_LEN {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v.extend_from_slice(&x.to_le_bytes());
        }
        Bytes::from(v)
    })
}

enum Content {
    File(PathBuf),
    Memory(Bytes),
    Synthetic,
}

struct Inner {
    content: Content,
    len: u64,
    /// The MD5, lower-case hex: known from the start for in-memory blobs and bodies stored
    /// with [`BlobStore::put_stream_md5`], else computed on the first ask.
    md5: OnceLock<String>,
    /// The strong ETag, fixed when the blob is made: the MD5 when it was known then, else
    /// this store's unique number for the blob with its length.
    etag: String,
}

/// A process-unique number for each blob (its ETag when the MD5 is not computed).
static NEXT_BLOB: AtomicU64 = AtomicU64::new(1);

impl Inner {
    fn new(content: Content, len: u64, md5: Option<String>) -> Self {
        let etag = match (&content, &md5) {
            (Content::Synthetic, _) => format!("\"syn-{len}\""),
            (_, Some(m)) => format!("\"{m}\""),
            (_, None) => format!("\"b{}-{len}\"", NEXT_BLOB.fetch_add(1, Ordering::Relaxed)),
        };
        let cell = OnceLock::new();
        if let Some(m) = md5 {
            let _ = cell.set(m);
        }
        Self {
            content,
            len,
            md5: cell,
            etag,
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Content::File(p) = &self.content {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// A stored body (cheap to clone; a file body is deleted when its last clone drops).
#[derive(Clone)]
pub struct Blob {
    inner: Arc<Inner>,
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blob")
            .field("len", &self.inner.len)
            .field("md5", &self.inner.md5.get())
            .finish()
    }
}

impl Blob {
    /// A blob held in memory (small bodies).
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        let md5 = hex(&Md5::digest(&bytes));
        let len = bytes.len() as u64;
        Self {
            inner: Arc::new(Inner::new(Content::Memory(bytes), len, Some(md5))),
        }
    }

    /// A synthesized blob of `len` deterministic bytes, stored nowhere: for benchmarks of
    /// large transfers. Its MD5 is not computed (reported as empty).
    pub fn synthetic(len: u64) -> Self {
        Self {
            inner: Arc::new(Inner::new(Content::Synthetic, len, Some(String::new()))),
        }
    }

    /// The bytes a synthetic blob of any length holds from `offset` on, for checks.
    pub fn synthetic_bytes(offset: u64, len: usize) -> Vec<u8> {
        let p = pattern();
        (0..len as u64)
            .map(|i| p[((offset + i) % PATTERN_LEN as u64) as usize])
            .collect()
    }

    /// The size in bytes.
    pub fn len(&self) -> u64 {
        self.inner.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.inner.len == 0
    }

    /// The MD5, lower-case hex (empty for a synthetic blob). A body stored with
    /// [`BlobStore::put_stream`] is hashed on this first ask, by reading its file (a blocking
    /// read): an emulator that answers the MD5 of an upload stores it with
    /// [`BlobStore::put_stream_md5`], which hashes it as it arrives.
    pub fn md5(&self) -> &str {
        self.inner.md5.get_or_init(|| match &self.inner.content {
            Content::Memory(b) => hex(&Md5::digest(b)),
            Content::Synthetic => String::new(),
            Content::File(p) => hash_file(p).unwrap_or_default(),
        })
    }

    /// A strong ETag for the content: its MD5 when that was known when the blob was made,
    /// else a tag unique to the blob (the same for as long as it lives).
    pub fn etag(&self) -> String {
        self.inner.etag.clone()
    }

    /// The bytes `start..end` as a stream (end exclusive, clamped to the length).
    pub fn stream(
        &self,
        start: u64,
        end: u64,
    ) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
        let end = end.min(self.inner.len);
        let start = start.min(end);
        let inner = Arc::clone(&self.inner);
        futures::stream::unfold(
            (inner, start, None::<tokio::fs::File>),
            move |(inner, pos, mut file)| async move {
                if pos >= end {
                    return None;
                }
                let want = (end - pos).min(READ_CHUNK as u64) as usize;
                let chunk = match &inner.content {
                    Content::Memory(b) => Ok(b.slice(pos as usize..pos as usize + want)),
                    Content::Synthetic => {
                        let p = pattern();
                        let at = (pos % PATTERN_LEN as u64) as usize;
                        let n = want.min(PATTERN_LEN - at);
                        Ok(p.slice(at..at + n))
                    }
                    Content::File(path) => read_file_chunk(path, &mut file, pos, want).await,
                };
                match chunk {
                    Ok(c) => {
                        let n = c.len() as u64;
                        if n == 0 {
                            return None;
                        }
                        Some((Ok(c), (inner, pos + n, file)))
                    }
                    Err(e) => Some((Err(e), (inner, end, None))),
                }
            },
        )
    }
}

async fn read_file_chunk(
    path: &PathBuf,
    file: &mut Option<tokio::fs::File>,
    pos: u64,
    want: usize,
) -> Result<Bytes, std::io::Error> {
    if file.is_none() {
        let mut f = tokio::fs::File::open(path).await?;
        f.seek(SeekFrom::Start(pos)).await?;
        *file = Some(f);
    }
    let f = file
        .as_mut()
        .ok_or_else(|| std::io::Error::other("file not open"))?;
    let mut buf = bytes::BytesMut::with_capacity(want);
    while buf.len() < want {
        let n = f.read_buf(&mut buf).await?;
        if n == 0 {
            break;
        }
    }
    Ok(buf.freeze())
}

/// The MD5 of a file, read in chunks.
fn hash_file(path: &PathBuf) -> std::io::Result<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut md5 = Md5::new();
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(hex(&md5.finalize()));
        }
        md5.update(&buf[..n]);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where an emulator keeps its file bodies: a temporary folder removed when the store drops.
pub struct BlobStore {
    dir: tempfile::TempDir,
    next: AtomicU64,
}

impl fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlobStore")
            .field("dir", &self.dir.path())
            .finish()
    }
}

impl BlobStore {
    /// A store in a new temporary folder.
    pub fn new() -> std::io::Result<Self> {
        Ok(Self {
            dir: tempfile::Builder::new()
                .prefix("cloud-emulator-")
                .tempdir()?,
            next: AtomicU64::new(0),
        })
    }

    /// Streams a body to a new file. A body error leaves no file. The file is written by a
    /// blocking thread while the next chunks arrive; the MD5 is not computed (see
    /// [`Blob::md5`]).
    pub async fn put_stream<S, E>(&self, stream: S) -> std::io::Result<Blob>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: fmt::Display,
    {
        let (blob, _) = self.store(stream, None::<Md5>, false).await?;
        Ok(blob)
    }

    /// [`BlobStore::put_stream`], hashing the body with MD5 on a second thread as it is
    /// written, so that [`Blob::md5`] (and the ETag) is known at once.
    pub async fn put_stream_md5<S, E>(&self, stream: S) -> std::io::Result<Blob>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: fmt::Display,
    {
        let (blob, _) = self.store(stream, Some(Md5::new()), true).await?;
        Ok(blob)
    }

    /// [`BlobStore::put_stream`], hashing the body with `digest` (SHA-256, say) on a second
    /// thread as it is written; the blob and the digest.
    pub async fn put_stream_digest<S, E, D>(
        &self,
        stream: S,
        digest: D,
    ) -> std::io::Result<(Blob, Vec<u8>)>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: fmt::Display,
        D: Digest + Send + 'static,
    {
        let (blob, sum) = self.store(stream, Some(digest), false).await?;
        Ok((blob, sum.unwrap_or_default()))
    }

    async fn store<S, E, D>(
        &self,
        stream: S,
        digest: Option<D>,
        digest_is_md5: bool,
    ) -> std::io::Result<(Blob, Option<Vec<u8>>)>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: fmt::Display,
        D: Digest + Send + 'static,
    {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let path = self.dir.path().join(format!("blob-{n}"));
        match write_stream(&path, stream, digest).await {
            Ok((len, sum)) => {
                let md5 = sum.as_deref().filter(|_| digest_is_md5).map(hex);
                let blob = Blob {
                    inner: Arc::new(Inner::new(Content::File(path), len, md5)),
                };
                Ok((blob, sum))
            }
            Err(e) => {
                let _ = tokio::fs::remove_file(&path).await;
                Err(e)
            }
        }
    }
}

/// How many bytes may wait for the writing and hashing threads (a chunk holds its share
/// until both are done with it), so that a slow disk or hash bounds the memory, not the
/// sender.
const QUEUE_BYTES: usize = 8 << 20;

/// A chunk on its way to the threads, with its share of [`QUEUE_BYTES`].
type Queued = (Bytes, Arc<tokio::sync::OwnedSemaphorePermit>);

/// Writes `stream` to a new file at `path`: the chunks go to a blocking thread that writes
/// them (and, with a `digest`, to another that hashes them), so that reading the next chunk
/// from the network, writing and hashing overlap. Its length and the digest.
async fn write_stream<S, E, D>(
    path: &std::path::Path,
    stream: S,
    digest: Option<D>,
) -> std::io::Result<(u64, Option<Vec<u8>>)>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: fmt::Display,
    D: Digest + Send + 'static,
{
    use std::io::Write;
    let file = std::fs::File::create(path)?;
    let budget = Arc::new(tokio::sync::Semaphore::new(QUEUE_BYTES));
    let (wtx, mut wrx) = tokio::sync::mpsc::unbounded_channel::<Queued>();
    let writer = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let mut f = std::io::BufWriter::with_capacity(READ_CHUNK, file);
        while let Some((chunk, _share)) = wrx.blocking_recv() {
            f.write_all(&chunk)?;
        }
        f.flush()
    });
    let (htx, hasher) = match digest {
        Some(mut d) => {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Queued>();
            let h = tokio::task::spawn_blocking(move || {
                while let Some((chunk, _share)) = rx.blocking_recv() {
                    d.update(&chunk);
                }
                d.finalize().to_vec()
            });
            (Some(tx), Some(h))
        }
        None => (None, None),
    };
    let mut len = 0u64;
    let mut failure = None;
    let mut stream = std::pin::pin!(stream);
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                failure = Some(std::io::Error::other(e.to_string()));
                break;
            }
        };
        len += chunk.len() as u64;
        let want = u32::try_from(chunk.len().clamp(1, QUEUE_BYTES)).unwrap_or(u32::MAX);
        let Ok(share) = Arc::clone(&budget).acquire_many_owned(want).await else {
            break;
        };
        let share = Arc::new(share);
        if let Some(tx) = &htx {
            // A hasher gone away has nothing to fail: the writer's result tells.
            let _ = tx.send((chunk.clone(), Arc::clone(&share)));
        }
        if wtx.send((chunk, share)).is_err() {
            // The writer stopped on an error, returned below.
            break;
        }
    }
    drop(wtx);
    drop(htx);
    let written = writer.await.map_err(std::io::Error::other)?;
    let sum = match hasher {
        Some(h) => Some(h.await.map_err(std::io::Error::other)?),
        None => None,
    };
    if let Some(e) = failure {
        return Err(e);
    }
    written?;
    Ok((len, sum))
}

/// Parses a `Range: bytes=a-b` (or `a-`, or `-n`) header against a size. Returns the
/// half-open range, `Ok(None)` for no (or an unsupported multi-range) header, `Err(())` for an
/// unsatisfiable one.
#[allow(clippy::result_unit_err)]
pub fn parse_range(value: Option<&str>, size: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(v) = value else { return Ok(None) };
    let Some(spec) = v.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((a, b)) = spec.split_once('-') else {
        return Ok(None);
    };
    let (a, b) = (a.trim(), b.trim());
    let range = if a.is_empty() {
        let n: u64 = b.parse().map_err(|_| ())?;
        if n == 0 {
            return Err(());
        }
        (size.saturating_sub(n), size)
    } else {
        let start: u64 = a.parse().map_err(|_| ())?;
        let end = if b.is_empty() {
            size
        } else {
            b.parse::<u64>()
                .map_err(|_| ())?
                .saturating_add(1)
                .min(size)
        };
        if start >= size || start >= end {
            return Err(());
        }
        (start, end)
    };
    Ok(Some(range))
}

/// A response serving a blob: 200 with the whole body, or 206 for a `Range` request, or 416;
/// with Content-Length, Accept-Ranges, ETag and the given content type.
pub fn serve_blob(blob: &Blob, request_headers: &HeaderMap, content_type: &str) -> Response {
    let size = blob.len();
    let range = request_headers
        .get(http::header::RANGE)
        .and_then(|v| v.to_str().ok());
    let mut builder = Response::builder()
        .header(http::header::ACCEPT_RANGES, "bytes")
        .header(http::header::ETAG, blob.etag());
    if let Ok(ct) = HeaderValue::from_str(content_type) {
        builder = builder.header(http::header::CONTENT_TYPE, ct);
    }
    let built = match parse_range(range, size) {
        Ok(None) => builder
            .status(StatusCode::OK)
            .header(http::header::CONTENT_LENGTH, size)
            .body(Body::from_stream(blob.stream(0, size))),
        Ok(Some((start, end))) => builder
            .status(StatusCode::PARTIAL_CONTENT)
            .header(http::header::CONTENT_LENGTH, end - start)
            .header(
                http::header::CONTENT_RANGE,
                format!("bytes {start}-{}/{size}", end - 1),
            )
            .body(Body::from_stream(blob.stream(start, end))),
        Err(()) => builder
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header(http::header::CONTENT_RANGE, format!("bytes */{size}"))
            .body(Body::empty()),
    };
    built.unwrap_or_else(|_| {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range(None, 10), Ok(None));
        assert_eq!(parse_range(Some("bytes=0-"), 10), Ok(Some((0, 10))));
        assert_eq!(parse_range(Some("bytes=2-4"), 10), Ok(Some((2, 5))));
        assert_eq!(parse_range(Some("bytes=2-400"), 10), Ok(Some((2, 10))));
        assert_eq!(parse_range(Some("bytes=-3"), 10), Ok(Some((7, 10))));
        assert_eq!(parse_range(Some("bytes=10-"), 10), Err(()));
        assert_eq!(parse_range(Some("bytes=5-2"), 10), Err(()));
        assert_eq!(parse_range(Some("bytes=0-1,3-4"), 10), Ok(None));
        assert_eq!(parse_range(Some("items=0-1"), 10), Ok(None));
    }

    fn chunks(data: &[u8]) -> impl Stream<Item = Result<Bytes, std::io::Error>> + '_ {
        futures::stream::iter(
            data.chunks(70_000)
                .map(|c| Ok::<_, std::io::Error>(Bytes::copy_from_slice(c))),
        )
    }

    /// The three ways to store: the MD5 hashed on the way (and the ETag from it), hashed on
    /// the first ask (the ETag the blob's own), another digest on the way; a body that fails
    /// leaves no file and no blob.
    #[tokio::test]
    async fn hashing_on_the_way_or_on_ask() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let want = hex(&Md5::digest(&data));
        let store = BlobStore::new().unwrap();
        let hashed = store.put_stream_md5(chunks(&data)).await.unwrap();
        assert_eq!(
            hashed.inner.md5.get().map(String::as_str),
            Some(want.as_str())
        );
        assert_eq!(hashed.etag(), format!("\"{want}\""));
        let lazy = store.put_stream(chunks(&data)).await.unwrap();
        assert!(
            lazy.inner.md5.get().is_none(),
            "not hashed before it is asked"
        );
        let tag = lazy.etag();
        assert!(
            tag.starts_with("\"b") && tag.ends_with("-300000\""),
            "{tag}"
        );
        assert_eq!(lazy.md5(), want);
        assert_eq!(lazy.etag(), tag, "the ETag does not change once hashed");
        let again = store.put_stream(chunks(&data)).await.unwrap();
        assert_ne!(again.etag(), tag, "each blob its own tag");
        let (blob, sum) = store
            .put_stream_digest(chunks(&data), Md5::new())
            .await
            .unwrap();
        assert_eq!((hex(&sum), blob.len()), (want, 300_000));
        let failing = futures::stream::iter(vec![
            Ok(Bytes::from_static(b"some")),
            Err(std::io::Error::other("cut")),
        ]);
        let files = || std::fs::read_dir(store.dir.path()).unwrap().count();
        let before = files();
        assert!(store.put_stream_md5(failing).await.is_err());
        assert_eq!(files(), before, "a failed body leaves no file");
    }

    #[tokio::test]
    async fn streams_are_exact() {
        let data: Vec<u8> = (0..700_000u32).map(|i| (i % 253) as u8).collect();
        let store = BlobStore::new().unwrap();
        let blob = store
            .put_stream(futures::stream::iter(
                data.chunks(100_000)
                    .map(|c| Ok::<_, std::io::Error>(Bytes::copy_from_slice(c))),
            ))
            .await
            .unwrap();
        assert_eq!(blob.len(), data.len() as u64);
        let got: Vec<Bytes> = blob
            .stream(123, 650_001)
            .map(|r| r.unwrap())
            .collect()
            .await;
        assert_eq!(got.concat(), &data[123..650_001]);
        let syn = Blob::synthetic(3 * PATTERN_LEN as u64 + 5);
        let tail: Vec<Bytes> = syn
            .stream(PATTERN_LEN as u64 * 3 - 2, syn.len())
            .map(|r| r.unwrap())
            .collect()
            .await;
        assert_eq!(
            tail.concat(),
            Blob::synthetic_bytes(PATTERN_LEN as u64 * 3 - 2, 7)
        );
    }
}

/// A blob in a state dump (the control API's `GET /__emulator/state`): its bytes as standard
/// base64, loaded back into memory. Use with `#[serde(with = "cloud_core::emulator::blob_serde")]`
/// (and [`blob_serde::option`] for an `Option<Blob>`). A synthetic blob is dumped as its bytes.
pub mod blob_serde {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Blob, Content};

    fn bytes_of(blob: &Blob) -> std::io::Result<Vec<u8>> {
        match &blob.inner.content {
            Content::File(p) => std::fs::read(p),
            Content::Memory(b) => Ok(b.to_vec()),
            Content::Synthetic => {
                let len = usize::try_from(blob.len()).map_err(std::io::Error::other)?;
                Ok(Blob::synthetic_bytes(0, len))
            }
        }
    }

    /// Serializes a blob as base64.
    pub fn serialize<S: Serializer>(blob: &Blob, s: S) -> Result<S::Ok, S::Error> {
        let bytes = bytes_of(blob).map_err(serde::ser::Error::custom)?;
        base64::engine::general_purpose::STANDARD
            .encode(bytes)
            .serialize(s)
    }

    /// Reads a blob back from base64 (held in memory).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Blob, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(Blob::from_bytes)
            .map_err(serde::de::Error::custom)
    }

    /// The same for an `Option<Blob>` (`null` for none).
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};

        use super::super::Blob;

        /// Serializes an optional blob.
        pub fn serialize<S: Serializer>(blob: &Option<Blob>, s: S) -> Result<S::Ok, S::Error> {
            match blob {
                Some(b) => super::serialize(b, s),
                None => s.serialize_none(),
            }
        }

        /// Reads an optional blob.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Blob>, D::Error> {
            #[derive(Deserialize)]
            struct Wrap(#[serde(with = "super")] Blob);
            Option::<Wrap>::deserialize(d).map(|w| w.map(|Wrap(b)| b))
        }
    }
}
