//! Uploads (the original's `Upload` mixin): the intent, then one POST of the whole file, or
//! chunks numbered from 1 and a commit. Bodies stream from disk in bounded memory; a retried
//! or replayed request re-sends its whole body (the original re-sent an empty one after a
//! token refresh).

use std::path::{Path, PathBuf};

use http::Method;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use cloud_core::body::{ProgressFn, UploadSource};
use cloud_core::Idempotency;

use crate::client::{read_json, Cloud};
use crate::error::{messages, Call, Error, Result};
use crate::models::CloudFile;

/// Default chunk size of chunked uploads: 10 MiB. The original's `Env.chunked_upload_size` is
/// not known; the API caps chunks at 100 MB. A choice, documented.
pub const CHUNKED_UPLOAD_SIZE: usize = 10 << 20;

/// Files of at least this size (100 MiB) are always uploaded in chunks, as in the original.
pub const FORCE_CHUNKED_AT: u64 = 104_857_600;

/// Options of [`Cloud::upload`] (the Python keywords `name`, `chunked`, `chunk_size`).
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct UploadOptions {
    /// The stored name (default: the file's own name).
    pub(crate) name: Option<String>,
    /// Upload in chunks (forced from [`FORCE_CHUNKED_AT`] bytes).
    pub(crate) chunked: bool,
    /// Chunk size (default [`CHUNKED_UPLOAD_SIZE`]; at most 100 MB).
    pub(crate) chunk_size: Option<usize>,
    /// Called as bytes go out.
    pub(crate) progress: Option<ProgressFn>,
}

impl std::fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadOptions")
            .field("name", &self.name)
            .field("chunked", &self.chunked)
            .field("chunk_size", &self.chunk_size)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl UploadOptions {
    /// Sets `name`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets `chunked`.
    pub fn chunked(mut self, chunked: bool) -> Self {
        self.chunked = chunked;
        self
    }

    /// Sets `chunk_size`.
    pub fn chunk_size(mut self, size: usize) -> Self {
        self.chunk_size = Some(size);
        self
    }

    /// Sets the progress callback.
    pub fn progress(mut self, f: ProgressFn) -> Self {
        self.progress = Some(f);
        self
    }
}

/// The intent's answer (`UploadIntent`).
#[derive(Debug, Clone, Deserialize)]
pub struct UploadIntent {
    /// `uploadurl` and, for chunked uploads, `commiturl`.
    pub uploadurls: UploadUrls,
}

/// The URLs of an intent.
#[derive(Debug, Clone, Deserialize)]
pub struct UploadUrls {
    /// Where the bytes go (already carries a query string).
    pub uploadurl: String,
    /// Where a chunked upload is committed.
    #[serde(default)]
    pub commiturl: Option<String>,
}

impl UploadIntent {
    /// Whether the intent is for a chunked upload (`commiturl` present).
    pub fn chunk(&self) -> bool {
        self.uploadurls.commiturl.is_some()
    }
}

#[derive(Deserialize)]
pub(crate) struct FileEnvelope {
    file: CloudFile,
}

/// A local file to upload: the caller's, or a spool of a one-shot reader.
struct Local {
    path: PathBuf,
    _spool: Option<tempfile::TempPath>,
}

async fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let mut f = tokio::fs::File::open(path).await.map_err(io)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0u64;
    loop {
        let r = f.read(&mut buf).await.map_err(io)?;
        if r == 0 {
            break;
        }
        h.update(&buf[..r]);
        n += r as u64;
    }
    Ok((hex(&h.finalize()), n))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn io(e: std::io::Error) -> Error {
    Error::from(cloud_core::Error::from(e))
}

/// Writes a one-shot source to a temporary file (the checksum must be known before the
/// intent, so the bytes are read twice; memory stays bounded).
async fn spool(source: &mut UploadSource) -> Result<Local> {
    if let UploadSource::Path(p) = source {
        return Ok(Local {
            path: p.clone(),
            _spool: None,
        });
    }
    let tmp = tempfile::NamedTempFile::new().map_err(io)?;
    let (file, path) = tmp.into_parts();
    let mut out = tokio::io::BufWriter::new(tokio::fs::File::from_std(file));
    let mut reader = source.open()?;
    tokio::io::copy(&mut reader, &mut out).await.map_err(io)?;
    out.flush().await.map_err(io)?;
    Ok(Local {
        path: path.to_path_buf(),
        _spool: Some(path),
    })
}

impl Cloud {
    /// `GET {API}/fileupload/intent?size=…&chunk=…&name=…&path=…&checksum=…`.
    pub async fn file_upload_intent(
        &self,
        size: u64,
        chunk: bool,
        name: &str,
        path: &str,
        checksum: &str,
    ) -> Result<UploadIntent> {
        let url = self.url("fileupload/intent")?;
        let q = [
            ("size", size.to_string()),
            ("chunk", if chunk { "true" } else { "false" }.to_owned()),
            ("name", name.to_owned()),
            ("path", path.to_owned()),
            ("checksum", checksum.to_owned()),
        ];
        let resp = self
            .call(
                Call::Intent,
                Method::GET,
                url,
                Idempotency::Idempotent,
                |req| Ok(req.query(&q)),
            )
            .await?;
        read_json(&Method::GET, resp).await
    }

    /// `POST <commiturl>` with no body: makes a chunked upload visible.
    pub async fn commit_chunked_upload(&self, intent: &UploadIntent) -> Result<CloudFile> {
        let commit = intent.uploadurls.commiturl.as_deref().ok_or_else(|| {
            Error::InvalidInput("the intent is not a chunked one (no commiturl)".into())
        })?;
        let url = self.url(commit)?;
        let resp = self
            .call(
                Call::Commit,
                Method::POST,
                url,
                Idempotency::NonIdempotent,
                Ok,
            )
            .await?;
        Ok(read_json::<FileEnvelope>(&Method::POST, resp).await?.file)
    }

    /// Uploads a file into the folder `upload_path` (`/VZMOBILE/Trips`) and returns it.
    ///
    /// `source` is a path, bytes or any async reader ([`UploadSource`]); a reader is spooled to
    /// a temporary file first, since the SHA-256 must be sent before the bytes. Files of
    /// 100 MiB and more always go in chunks.
    pub async fn upload(
        &self,
        source: impl Into<UploadSource>,
        upload_path: &str,
        options: UploadOptions,
    ) -> Result<CloudFile> {
        let mut source = source.into();
        let name = match options.name.clone().or_else(|| source.file_name()) {
            Some(n) if !n.is_empty() && !n.contains('/') => n,
            Some(_) => return Err(Error::InvalidInput("name must be one path segment".into())),
            None => {
                return Err(Error::InvalidInput(
                    "name must be provided for a reader or bytes".into(),
                ))
            }
        };
        if upload_path.is_empty() {
            return Err(Error::InvalidInput("upload_path must be provided".into()));
        }
        let chunk_size = options.chunk_size.unwrap_or(CHUNKED_UPLOAD_SIZE);
        if chunk_size == 0 || chunk_size > 100_000_000 {
            return Err(Error::InvalidInput(
                "chunk_size must be between 1 and 100,000,000".into(),
            ));
        }
        let local = match &source {
            UploadSource::Bytes(_) => None,
            _ => Some(spool(&mut source).await?),
        };
        // No borrow of `source` lives across an await: a reader source is not `Sync`, and
        // this future must stay `Send`.
        let in_memory = match &source {
            UploadSource::Bytes(b) => Some(b.clone()),
            _ => None,
        };
        let (checksum, size) = match (in_memory, &local) {
            (Some(b), _) => (hex(&Sha256::digest(&b)), b.len() as u64),
            (None, Some(l)) => sha256_file(&l.path).await?,
            _ => return Err(Error::InvalidInput("no source".into())),
        };
        let chunked = options.chunked || size >= FORCE_CHUNKED_AT;
        let intent = self
            .file_upload_intent(size, chunked, &name, upload_path, &checksum)
            .await?;
        let upload_url = format!("{}&checksum={checksum}", intent.uploadurls.uploadurl);
        let mut replayable = match &local {
            Some(l) => UploadSource::Path(l.path.clone()),
            None => source,
        };
        if !chunked {
            let url = self.url(&upload_url)?;
            let progress = options.progress.clone();
            let resp = self
                .call(
                    Call::Upload,
                    Method::POST,
                    url,
                    Idempotency::NonIdempotent,
                    |req| {
                        let body = replayable.open_body(Some(size), progress.clone())?;
                        Ok(req
                            .header(http::header::CONTENT_TYPE, "application/octet-stream")
                            .header(http::header::CONTENT_LENGTH, size)
                            .body(body))
                    },
                )
                .await?;
            return Ok(read_json::<FileEnvelope>(&Method::POST, resp).await?.file);
        }
        // Each part is read from the file (or sliced from the bytes) by range, again for a
        // retried attempt: no part is held in memory (RSS stays flat whatever the chunk size).
        let parts = size.div_ceil(chunk_size as u64);
        let mut sent = 0u64;
        for n in 1..=parts {
            let offset = (n - 1) * chunk_size as u64;
            let len = (size - offset).min(chunk_size as u64);
            // A file that shrank since it was hashed: said before its part is sent.
            if let Some(now) = replayable.len().await?.filter(|now| *now < offset + len) {
                return Err(Error::Cloud {
                    message: messages::CHUNK.into(),
                    source: cloud_core::Error::invalid_input(format!(
                        "the file changed during the upload ({now} bytes now, {size} announced)"
                    )),
                });
            }
            let url = self.url(&format!("{upload_url}&offset={n}"))?;
            // Idempotent by the protocol: `offset` is the chunk's sequence number within the
            // upload, and a re-sent chunk replaces the same slot (as S3's UploadPart).
            self.call(
                Call::Chunk,
                Method::POST,
                url,
                Idempotency::Idempotent,
                |req| {
                    Ok(req
                        .header(http::header::CONTENT_TYPE, "application/octet-stream")
                        .header(http::header::CONTENT_LENGTH, len)
                        .body(replayable.open_range_body(offset, len)?))
                },
            )
            .await?;
            sent += len;
            if let Some(p) = &options.progress {
                p(cloud_core::body::Progress {
                    transferred: sent,
                    total: Some(size),
                });
            }
        }
        self.commit_chunked_upload(&intent).await
    }
}
