//! Bodies of puts, and the bounded buffering of multipart uploads for providers without a
//! chunked upload of their own.
//!
//! A [`Spool`] keeps the parts of an upload in memory up to its threshold, then moves them to
//! an anonymous temporary file and writes every later part there, each at its offset (parts
//! may be awaited in any order). So an upload holds at most the threshold in memory (plus the
//! parts handed to it and not yet written), whatever its size. The object appears only when
//! the upload completes; an aborted or dropped upload leaves nothing, the temporary file
//! included.

use std::io::SeekFrom;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use object_store::PutPayload;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

use crate::body::UploadSource;

/// The default threshold of a [`Spool`]: 8 MiB.
pub const DEFAULT_SPILL_THRESHOLD: usize = 8 * 1024 * 1024;

/// The bytes of one put, handed to a provider's upload.
#[derive(Debug, Clone)]
pub enum Payload {
    /// Bytes in memory.
    Bytes(Bytes),
    /// A temporary file (removed when the last clone of the payload is dropped).
    File {
        /// The file.
        path: Arc<tempfile::TempPath>,
        /// Its length.
        len: u64,
    },
}

impl Payload {
    /// The payload of a `put`: its one buffer as it is, several buffers joined.
    pub fn from_put(payload: PutPayload) -> Self {
        Payload::Bytes(joined(payload))
    }

    /// Its length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Payload::Bytes(b) => b.len() as u64,
            Payload::File { len, .. } => *len,
        }
    }

    /// True for an empty payload.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// As an upload source of the provider crates' own calls: the bytes, or the file (read
    /// again for each attempt, so a retried upload re-sends it whole).
    pub fn upload_source(&self) -> UploadSource {
        match self {
            Payload::Bytes(b) => UploadSource::Bytes(b.clone()),
            Payload::File { path, .. } => UploadSource::Path(path.to_path_buf()),
        }
    }

    /// The bytes in memory, when the payload is there.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            Payload::Bytes(b) => Some(b),
            Payload::File { .. } => None,
        }
    }

    /// The temporary file, when the payload is one.
    pub fn file_path(&self) -> Option<&std::path::Path> {
        match self {
            Payload::Bytes(_) => None,
            Payload::File { path, .. } => Some(path),
        }
    }

    /// The bytes as a stream (a file is read in 256 KiB blocks).
    pub fn stream(&self) -> BoxStream<'static, std::io::Result<Bytes>> {
        match self {
            Payload::Bytes(b) => {
                futures::stream::once(futures::future::ready(Ok(b.clone()))).boxed()
            }
            Payload::File { path, .. } => {
                let path = path.to_path_buf();
                futures::stream::once(async move { tokio::fs::File::open(path).await })
                    .map(|f| match f {
                        Ok(f) => tokio_util::io::ReaderStream::with_capacity(f, 256 * 1024).boxed(),
                        Err(e) => futures::stream::once(futures::future::ready(Err(e))).boxed(),
                    })
                    .flatten()
                    .boxed()
            }
        }
    }
}

/// The bytes of a `PutPayload`: its one buffer as it is (no copy), several buffers joined.
pub fn joined(payload: PutPayload) -> Bytes {
    let mut chunks = payload.iter();
    match (chunks.next(), chunks.next()) {
        (None, _) => Bytes::new(),
        (Some(one), None) => one.clone(),
        _ => {
            let mut v = Vec::with_capacity(payload.content_length());
            for c in payload.iter() {
                v.extend_from_slice(c);
            }
            Bytes::from(v)
        }
    }
}

#[derive(Debug)]
struct SpoolFile {
    file: Arc<tokio::sync::Mutex<tokio::fs::File>>,
    path: Arc<tempfile::TempPath>,
    written: Arc<AtomicU64>,
    spilled: u64,
}

/// Parts in memory up to a threshold, then in a temporary file.
#[derive(Debug)]
pub struct Spool {
    threshold: usize,
    mem: Vec<Bytes>,
    mem_len: usize,
    len: u64,
    file: Option<SpoolFile>,
}

impl Spool {
    /// A spool that keeps up to `threshold` bytes in memory.
    pub fn new(threshold: usize) -> Self {
        Spool {
            threshold,
            mem: Vec::new(),
            mem_len: 0,
            len: 0,
            file: None,
        }
    }

    /// The bytes handed to the spool so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when nothing was handed to it.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True once the parts went to a temporary file.
    pub fn spilled(&self) -> bool {
        self.file.is_some()
    }

    /// Takes the next part. Its place is fixed now; the returned future writes it (at once
    /// for a part kept in memory).
    pub fn push(&mut self, data: PutPayload) -> BoxFuture<'static, std::io::Result<()>> {
        let offset = self.len;
        let n = data.content_length();
        self.len += n as u64;
        if self.file.is_none() && self.mem_len + n <= self.threshold {
            self.mem.extend(data.iter().cloned());
            self.mem_len += n;
            return futures::future::ready(Ok(())).boxed();
        }
        let mut writes: Vec<(u64, Vec<Bytes>)> = Vec::new();
        if self.file.is_none() {
            let created = tempfile::NamedTempFile::new().map(|f| f.into_parts());
            let (file, path) = match created {
                Ok(parts) => parts,
                Err(e) => return futures::future::ready(Err(e)).boxed(),
            };
            writes.push((0, std::mem::take(&mut self.mem)));
            self.file = Some(SpoolFile {
                file: Arc::new(tokio::sync::Mutex::new(tokio::fs::File::from_std(file))),
                path: Arc::new(path),
                written: Arc::new(AtomicU64::new(0)),
                spilled: 0,
            });
        }
        writes.push((offset, data.iter().cloned().collect()));
        let Some(spool_file) = self.file.as_mut() else {
            return futures::future::ready(Ok(())).boxed();
        };
        let total: u64 = writes
            .iter()
            .flat_map(|(_, c)| c.iter())
            .map(|c| c.len() as u64)
            .sum();
        spool_file.spilled += total;
        let (file, written) = (spool_file.file.clone(), spool_file.written.clone());
        async move {
            let mut f = file.lock().await;
            for (off, chunks) in writes {
                f.seek(SeekFrom::Start(off)).await?;
                for c in chunks {
                    f.write_all(&c).await?;
                }
            }
            f.flush().await?;
            written.fetch_add(total, Ordering::SeqCst);
            Ok(())
        }
        .boxed()
    }

    /// The whole body, once every part's future has finished. Fails if a part was not
    /// written (its future failed or was dropped).
    pub async fn finish(self) -> std::io::Result<Payload> {
        match self.file {
            None => {
                let mut v = Vec::with_capacity(self.mem_len);
                for c in &self.mem {
                    v.extend_from_slice(c);
                }
                Ok(Payload::Bytes(if self.mem.len() == 1 {
                    self.mem[0].clone()
                } else {
                    Bytes::from(v)
                }))
            }
            Some(f) => {
                let written = f.written.load(Ordering::SeqCst);
                if written != f.spilled {
                    return Err(std::io::Error::other(format!(
                        "{} of the upload's {} bytes were written: a part failed or was not awaited",
                        written, f.spilled
                    )));
                }
                // No fsync: the file is only read back by this process, from the page cache
                // (syncing 256 MiB cost more than the upload).
                Ok(Payload::File {
                    path: f.path,
                    len: self.len,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn collect(p: &Payload) -> Vec<u8> {
        let mut out = Vec::new();
        let mut s = p.stream();
        while let Some(c) = s.next().await {
            out.extend_from_slice(&c.unwrap());
        }
        out
    }

    #[tokio::test]
    async fn small_uploads_stay_in_memory() {
        let mut s = Spool::new(10);
        s.push(PutPayload::from(vec![1u8, 2])).await.unwrap();
        s.push(PutPayload::from(vec![3u8])).await.unwrap();
        assert!(!s.spilled());
        let p = s.finish().await.unwrap();
        assert_eq!(p.as_bytes().map(|b| b.to_vec()), Some(vec![1, 2, 3]));
    }

    #[tokio::test]
    async fn large_uploads_spill_and_parts_land_at_their_offsets_in_any_order() {
        let mut s = Spool::new(4);
        let a = s.push(PutPayload::from(vec![b'a'; 3]));
        let b = s.push(PutPayload::from(vec![b'b'; 5]));
        let c = s.push(PutPayload::from(vec![b'c'; 2]));
        assert!(s.spilled());
        c.await.unwrap();
        b.await.unwrap();
        a.await.unwrap();
        let p = s.finish().await.unwrap();
        assert_eq!(p.len(), 10);
        let path = p.file_path().map(|p| p.to_owned()).unwrap();
        assert_eq!(collect(&p).await, b"aaabbbbbcc");
        drop(p);
        assert!(!path.exists(), "the temporary file goes with the payload");
    }

    #[tokio::test]
    async fn a_part_not_awaited_fails_the_finish() {
        let mut s = Spool::new(0);
        let _never = s.push(PutPayload::from(vec![1u8; 8]));
        let err = s.finish().await.unwrap_err();
        assert!(
            err.to_string().contains("0 of the upload's 8 bytes"),
            "{err}"
        );
    }

    #[test]
    fn a_put_of_one_buffer_is_not_copied() {
        let b = Bytes::from_static(b"hello");
        let p = Payload::from_put(PutPayload::from(b.clone()));
        assert_eq!(p.as_bytes().map(|x| x.as_ptr()), Some(b.as_ptr()));
        let joined =
            Payload::from_put(PutPayload::from_iter([Bytes::from("ab"), Bytes::from("c")]));
        assert_eq!(joined.as_bytes().map(|b| b.to_vec()), Some(b"abc".to_vec()));
    }
}
