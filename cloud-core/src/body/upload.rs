//! Uploads in bounded memory: a source read one bounded chunk at a time.

use std::fmt;
use std::path::PathBuf;

use bytes::{Bytes, BytesMut};
use futures::Stream;
use tokio::io::{AsyncRead, AsyncReadExt};

use super::progress::{report, ProgressFn};
use crate::error::{Error, ErrorKind, TransportKind};

/// Reads `reader` as a stream of chunks of exactly `chunk_size` bytes (the last may be
/// shorter; an empty source gives no chunk). Each chunk is a [`Bytes`], cheap to clone and so
/// to re-send on a retry. Peak memory is one chunk.
pub fn chunks<R>(reader: R, chunk_size: usize) -> impl Stream<Item = Result<Bytes, Error>> + Send
where
    R: AsyncRead + Send + Unpin + 'static,
{
    let chunk_size = chunk_size.max(1);
    futures::stream::unfold(Some(reader), move |reader| async move {
        let mut reader = reader?;
        let mut buf = BytesMut::with_capacity(chunk_size);
        while buf.len() < chunk_size {
            match (&mut reader)
                .take((chunk_size - buf.len()) as u64)
                .read_buf(&mut buf)
                .await
            {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => return Some((Err(Error::from(e)), None)),
            }
        }
        if buf.is_empty() {
            return None;
        }
        let last = buf.len() < chunk_size;
        Some((Ok(buf.freeze()), (!last).then_some(reader)))
    })
}

/// Where an upload's bytes come from.
#[non_exhaustive]
pub enum UploadSource {
    /// A local file: reopened for each attempt, so a retry re-sends the whole file.
    Path(PathBuf),
    /// Bytes in memory (small bodies).
    Bytes(Bytes),
    /// Any reader: one attempt only (a retry cannot re-read it). Behind a mutex, so that the
    /// source is `Sync` and a future that holds it stays `Send` (spawnable).
    Reader(std::sync::Mutex<Option<Box<dyn AsyncRead + Send + Unpin>>>),
}

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadSource::Path(p) => f.debug_tuple("Path").field(p).finish(),
            UploadSource::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            UploadSource::Reader(_) => f.write_str("Reader(..)"),
        }
    }
}

impl From<PathBuf> for UploadSource {
    fn from(p: PathBuf) -> Self {
        UploadSource::Path(p)
    }
}

impl From<&std::path::Path> for UploadSource {
    fn from(p: &std::path::Path) -> Self {
        UploadSource::Path(p.to_owned())
    }
}

impl From<Bytes> for UploadSource {
    fn from(b: Bytes) -> Self {
        UploadSource::Bytes(b)
    }
}

impl From<Vec<u8>> for UploadSource {
    fn from(b: Vec<u8>) -> Self {
        UploadSource::Bytes(Bytes::from(b))
    }
}

impl UploadSource {
    /// A one-shot reader source.
    pub fn reader(reader: impl AsyncRead + Send + Unpin + 'static) -> Self {
        UploadSource::Reader(std::sync::Mutex::new(Some(Box::new(reader))))
    }

    /// The length, when it is known without reading (file size, bytes length).
    pub async fn len(&self) -> Result<Option<u64>, Error> {
        Ok(match self {
            UploadSource::Path(p) => Some(tokio::fs::metadata(p).await?.len()),
            UploadSource::Bytes(b) => Some(b.len() as u64),
            UploadSource::Reader(_) => None,
        })
    }

    /// True when the source can be read again for a retry.
    pub fn is_replayable(&self) -> bool {
        !matches!(self, UploadSource::Reader(_))
    }

    /// The file name of a path source.
    pub fn file_name(&self) -> Option<String> {
        match self {
            UploadSource::Path(p) => p.file_name().map(|n| n.to_string_lossy().into_owned()),
            _ => None,
        }
    }

    /// Opens the source for one attempt. A reader source opens once; after that this is an
    /// error (the caller's retry loop then returns the previous attempt's answer).
    /// Synchronous (opening a file is one quick system call), so that it fits in a retry
    /// loop's request builder.
    pub fn open(&mut self) -> Result<Box<dyn AsyncRead + Send + Unpin>, Error> {
        match self {
            UploadSource::Path(p) => {
                Ok(Box::new(tokio::fs::File::from_std(std::fs::File::open(p)?)))
            }
            UploadSource::Bytes(b) => Ok(Box::new(std::io::Cursor::new(b.clone()))),
            UploadSource::Reader(r) => r
                .get_mut()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .ok_or_else(|| {
                    Error::with_message(
                        ErrorKind::Transport(TransportKind::Body),
                        "a one-shot upload reader cannot be sent twice",
                    )
                }),
        }
    }

    /// Opens the source as a streamed request body ([`UPLOAD_READ_SIZE`] reads), reporting
    /// progress.
    pub fn open_body(
        &mut self,
        total: Option<u64>,
        progress: Option<ProgressFn>,
    ) -> Result<reqwest::Body, Error> {
        if let UploadSource::Bytes(b) = self {
            report(progress.as_ref(), b.len() as u64, total);
            return Ok(reqwest::Body::from(b.clone()));
        }
        let reader = self.open()?;
        Ok(reader_body(reader, total, progress))
    }

    /// Opens `len` bytes from `offset` as a streamed request body: one part of
    /// a chunked upload, read again from the file (or sliced from the bytes) for each
    /// attempt, so that no part is held in memory for a retry. A range past the end (a file
    /// that shrank since its size was read) is an error before any byte is sent; so is a
    /// reader source, which cannot be read by range (spool it to a file first).
    pub fn open_range_body(&self, offset: u64, len: u64) -> Result<reqwest::Body, Error> {
        use std::io::{Seek, SeekFrom};
        let end = offset.saturating_add(len);
        let short = |have: u64| {
            Error::invalid_input(format!(
                "the source is {have} bytes, the part ends at byte {end}: it changed since its size was read"
            ))
        };
        match self {
            UploadSource::Path(p) => {
                let mut file = std::fs::File::open(p)?;
                let have = file.metadata()?.len();
                if have < end {
                    return Err(short(have));
                }
                file.seek(SeekFrom::Start(offset))?;
                let part = tokio::io::AsyncReadExt::take(tokio::fs::File::from_std(file), len);
                Ok(reader_body(part, Some(len), None))
            }
            UploadSource::Bytes(b) => {
                let range = usize::try_from(offset)
                    .ok()
                    .zip(usize::try_from(end).ok())
                    .filter(|(_, e)| *e <= b.len());
                match range {
                    Some((s, e)) => Ok(reqwest::Body::from(b.slice(s..e))),
                    None => Err(short(b.len() as u64)),
                }
            }
            UploadSource::Reader(_) => Err(Error::invalid_input(
                "a reader cannot be read by range: spool it to a file first",
            )),
        }
    }
}

/// A reader sent at most once, which a retry loop's request builder can share: the body
/// takes the reader when it is first polled, so an attempt that never sent a byte (a refused
/// connection) leaves it for the next attempt, and a body made after it was read fails with
/// "a reader is sent once" instead of sending nothing. Cheap to clone (the clones share the
/// reader). For uploads from any `AsyncRead` where the call takes a cloneable body.
#[derive(Clone)]
pub struct OnceReader {
    slot: std::sync::Arc<std::sync::Mutex<Option<BoxReader>>>,
    len: Option<u64>,
}

type BoxReader = std::pin::Pin<Box<dyn AsyncRead + Send>>;

impl fmt::Debug for OnceReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OnceReader(len {:?})", self.len)
    }
}

impl OnceReader {
    /// `reader`, with its length when known (sent as `Content-Length`; else the body is
    /// chunked).
    pub fn new(reader: impl AsyncRead + Send + 'static, len: Option<u64>) -> Self {
        Self {
            slot: std::sync::Arc::new(std::sync::Mutex::new(Some(Box::pin(reader)))),
            len,
        }
    }

    /// The length given, if any.
    pub fn known_len(&self) -> Option<u64> {
        self.len
    }

    /// The reader's bytes ([`UPLOAD_READ_SIZE`] reads), the reader taken when the stream is
    /// first polled.
    pub fn stream(&self) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
        use futures::StreamExt;
        let slot = std::sync::Arc::clone(&self.slot);
        let taken = async move {
            match slot.lock().ok().and_then(|mut g| g.take()) {
                Some(r) => Ok(read_stream(r)),
                None => Err(std::io::Error::other(
                    "the reader was read by an earlier attempt: a reader is sent once",
                )),
            }
        };
        futures::TryFutureExt::try_flatten_stream(taken).boxed()
    }

    /// [`OnceReader::stream`] as a request body.
    pub fn body(&self) -> reqwest::Body {
        reqwest::Body::wrap_stream(self.stream())
    }
}

/// The read size of upload bodies read from a file or reader: 1 MiB. A `tokio::fs::File`
/// read is a task on the blocking pool and a wake-up back, so the read size sets the
/// client's CPU for an upload: `strace` of a 1 GiB upload in 64 KiB reads showed 16,402
/// reads and 38,629 futex calls, twice curl's CPU. At most a few reads are in flight, so
/// memory stays a few MiB.
pub const UPLOAD_READ_SIZE: usize = 1 << 20;

/// A reader's bytes as a stream, in reads of at most [`UPLOAD_READ_SIZE`].
pub fn read_stream<R: AsyncRead>(reader: R) -> tokio_util::io::ReaderStream<R> {
    tokio_util::io::ReaderStream::with_capacity(reader, UPLOAD_READ_SIZE)
}

/// A streamed request body over a reader, in reads of [`UPLOAD_READ_SIZE`], with progress.
pub fn reader_body(
    reader: impl AsyncRead + Send + Unpin + 'static,
    total: Option<u64>,
    progress: Option<ProgressFn>,
) -> reqwest::Body {
    use futures::StreamExt;
    let mut sent = 0u64;
    let stream = read_stream(reader).map(move |r| {
        if let Ok(b) = &r {
            sent += b.len() as u64;
            report(progress.as_ref(), sent, total);
        }
        r
    });
    reqwest::Body::wrap_stream(stream)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;

    #[tokio::test]
    async fn a_once_reader_is_read_once_by_whichever_body_polls_first() {
        let r = OnceReader::new(std::io::Cursor::new(b"abc".to_vec()), Some(3));
        let unpolled = r.clone().stream();
        drop(unpolled);
        let first: Vec<Bytes> = r.stream().try_collect().await.unwrap();
        assert_eq!(first.concat(), b"abc");
        let again: Result<Vec<Bytes>, _> = r.stream().try_collect().await;
        assert!(again
            .unwrap_err()
            .to_string()
            .contains("a reader is sent once"));
        assert_eq!(r.known_len(), Some(3));
    }

    #[tokio::test]
    async fn a_range_body_reads_its_part_again_for_each_attempt() {
        use http_body_util::BodyExt;
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, &data).unwrap();
        for src in [
            UploadSource::Path(path.clone()),
            UploadSource::Bytes(Bytes::from(data.clone())),
        ] {
            for (offset, len) in [(0u64, 4096u64), (4096, 4096), (8192, 1808), (10_000, 0)] {
                for _attempt in 0..2 {
                    let body = src.open_range_body(offset, len).unwrap();
                    let got = body.collect().await.unwrap().to_bytes();
                    let (lo, hi) = (offset as usize, (offset + len) as usize);
                    assert_eq!(&got[..], &data[lo..hi], "{src:?} {offset} {len}");
                }
            }
            // Past the end: refused before a byte is read, saying why.
            for (offset, len) in [(8192u64, 4096u64), (20_000, 5), (u64::MAX, 2)] {
                let e = src.open_range_body(offset, len).unwrap_err().to_string();
                assert!(e.contains("the source is 10000 bytes"), "{e}");
            }
        }
        let reader = UploadSource::reader(std::io::Cursor::new(data));
        assert!(reader.open_range_body(0, 1).is_err());
    }

    #[tokio::test]
    async fn chunks_are_bounded_and_complete() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let got: Vec<Bytes> = chunks(std::io::Cursor::new(data.clone()), 4096)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            got.iter().map(Bytes::len).collect::<Vec<_>>(),
            [4096, 4096, 1808]
        );
        assert_eq!(got.concat(), data);
        let none: Vec<Bytes> = chunks(std::io::Cursor::new(Vec::new()), 10)
            .try_collect()
            .await
            .unwrap();
        assert!(none.is_empty());
        // Exactly one chunk: no empty chunk after it.
        let one: Vec<Bytes> = chunks(std::io::Cursor::new(vec![1u8; 10]), 10)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(one.len(), 1);
    }

    #[tokio::test]
    async fn reader_source_opens_once() {
        let mut s = UploadSource::reader(std::io::Cursor::new(vec![1u8, 2, 3]));
        assert!(!s.is_replayable());
        assert!(s.open().is_ok());
        assert!(s.open().is_err());
        let mut b = UploadSource::from(vec![1u8, 2]);
        assert!(b.open().is_ok() && b.open().is_ok());
    }
}
