//! The helpers of client-python 2.19 (`upload`, `download`, `move`, `remove`) and the task
//! polling its README shows.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cloud_core::paging::{paginate, Page};
use futures::Stream;

use cloud_core::body::{self, Download, DownloadOptions as CoreDownloadOptions, SaveOptions};

use crate::client::{Client, Id, Response};
use crate::error::{Error, Result};
use crate::params::{FilePart, FileSource, Params};

/// Options of [`Client::download`] (HEAD's `perform_download` and `download_to_path`, and a
/// folder that a server-given name can never leave).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DownloadOptions {
    /// Write to exactly this local path (the caller's choice).
    pub(crate) download_to_path: Option<PathBuf>,
    /// Otherwise write `<directory>/<last component of the remote path>` (default: the
    /// current folder). The name is checked: it can never leave the folder.
    pub(crate) directory: Option<PathBuf>,
    /// Sync the partial file to disk before the rename (default false, as the original).
    pub(crate) fsync: bool,
}

impl DownloadOptions {
    /// Sets `download_to_path`.
    pub fn download_to_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.download_to_path = Some(path.into());
        self
    }

    /// Sets the target folder.
    pub fn directory(mut self, dir: impl Into<PathBuf>) -> Self {
        self.directory = Some(dir.into());
        self
    }

    /// Syncs the partial file to disk (`fsync`) before renaming it to the target, so that the
    /// file survives a power cut complete. Off by default: the original writes the file
    /// without syncing it.
    pub fn fsync(mut self, fsync: bool) -> Self {
        self.fsync = fsync;
        self
    }
}

/// A task's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskResult {
    /// `result.status` (`SUCCESS`, `FAILURE`...).
    pub status: String,
    /// The whole task object.
    pub task: serde_json::Value,
}

fn slashed(p: &str) -> String {
    let mut s = String::new();
    if !p.starts_with('/') {
        s.push('/');
    }
    s.push_str(p);
    if !p.ends_with('/') {
        s.push('/');
    }
    s
}

impl Client {
    /// `upload(filename, fileobj)`: `POST /api/2/path/data/`, multipart field `file`, the part
    /// named `filename` (one trailing `/` stripped). A path or bytes source is re-read for
    /// each attempt, so a retried upload re-sends the whole file.
    pub async fn upload(&self, filename: &str, source: impl Into<FileSource>) -> Result<Response> {
        let name = filename.strip_suffix('/').unwrap_or(filename);
        let part = FilePart {
            filename: name.to_owned(),
            content_type: None,
            source: source.into(),
            progress: None,
        };
        self.upload_part(part).await
    }

    /// [`Client::upload`] of a prepared part (with a progress callback, say): `POST
    /// /api/2/path/data/`, field `file`.
    pub async fn upload_part(&self, part: FilePart) -> Result<Response> {
        self.post("/path/data/", (), Params::new().arg("file", part))
            .await
    }

    /// Uploads into `folder`: `POST /api/2/path/data/<folder>/`, field `file` (an addition).
    /// The original's `upload` always posts to the root, where the server keeps only the
    /// last component of the part's name (`upload("docs/x.txt", ..)` stores `/x.txt`);
    /// SmartFile's API takes the folder in the path, as here.
    ///
    /// ```no_run
    /// # async fn run(api: smartfile::BasicClient) -> Result<(), smartfile::Error> {
    /// use smartfile::FilePart;
    /// api.upload_into("/docs", FilePart::bytes("x.txt", b"hello".to_vec())).await?;
    /// # Ok(()) }
    /// ```
    pub async fn upload_into(&self, folder: &str, part: FilePart) -> Result<Response> {
        self.post("/path/data/", folder, Params::new().arg("file", part))
            .await
    }

    /// The body of a remote file as a resumable stream (`Range` continues a broken body):
    /// HEAD's `download(path, perform_download=False)`.
    pub async fn download_stream(&self, file_to_be_downloaded: &str) -> Result<Download> {
        let url = self.build_url("/path/data/", &Id::from(file_to_be_downloaded))?;
        let this = self.clone();
        let fetch = move |offset: u64| {
            let (this, url) = (this.clone(), url.clone());
            async move { this.get_range(&url, offset).await.map_err(carry) }
        };
        body::download(fetch, CoreDownloadOptions::default())
            .await
            .map_err(uncarry)
    }

    /// `download(file_to_be_downloaded)`: `GET /api/2/path/data/<file>/`, written to
    /// `download_to_path`, or to the file's last path component in `directory` (default: the
    /// current folder): never outside it (2.19 wrote to the remote path itself, relative to
    /// the current folder). Written through a partial file, renamed when complete. Returns
    /// the local path.
    pub async fn download(
        &self,
        file_to_be_downloaded: &str,
        options: DownloadOptions,
    ) -> Result<PathBuf> {
        let target = match options.download_to_path {
            Some(p) => p,
            None => {
                let name = file_to_be_downloaded
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or_default();
                body::check_file_name(name).map_err(|e| Error::InvalidInput(e.to_string()))?;
                options
                    .directory
                    .unwrap_or_else(|| PathBuf::from("."))
                    .join(name)
            }
        };
        let stream = self.download_stream(file_to_be_downloaded).await?;
        body::save_to_path(
            stream,
            &target,
            &SaveOptions::default().fsync(options.fsync),
        )
        .await
        .map_err(uncarry)?;
        Ok(target)
    }

    /// Every child of the folder `path`, page after page, as a stream (an addition: the
    /// original leaves the `page`/`pages` loop to the caller): `GET /api/2/path/info/<path>/`
    /// with `children=on`, `limit` (1 or more; the SDKs use 100) and `page` from 1 until `page`
    /// reaches `pages`. One page is in memory at a time.
    pub fn children_stream(
        &self,
        path: &str,
        limit: u32,
    ) -> Result<impl Stream<Item = Result<serde_json::Value>> + Send + 'static> {
        if limit == 0 {
            return Err(Error::InvalidInput("limit must be 1 or more".into()));
        }
        let (this, path) = (self.clone(), path.to_owned());
        Ok(paginate(1u64, move |page| {
            let (this, path) = (this.clone(), path.clone());
            async move {
                let params = Params::new()
                    .arg("children", "on")
                    .arg("limit", i64::from(limit))
                    .arg("page", page as i64);
                let mut v = this
                    .get("/path/info", path.as_str(), params)
                    .await?
                    .into_json()?;
                let pages = v["pages"].as_u64().unwrap_or(1);
                let items = match v.get_mut("children").map(serde_json::Value::take) {
                    Some(serde_json::Value::Array(items)) => items,
                    _ => return Err(Error::unexpected("path/info answered without children")),
                };
                let next = (page < pages).then_some(page + 1);
                Ok(Page::new(items, next))
            }
        }))
    }

    /// Every child of the folder `path` as a [`PathInfo`](crate::models::PathInfo), page
    /// after page (the requests of [`Client::children_stream`]), each page decoded straight
    /// from its body's bytes, the next page requested as soon as one arrives (a look-ahead
    /// of one page: at most two pages in memory).
    ///
    /// ```no_run
    /// # async fn run(api: smartfile::BasicClient) -> smartfile::Result<()> {
    /// use futures::TryStreamExt;
    /// let names: Vec<String> = api
    ///     .children("/", 100)?
    ///     .map_ok(|c| c.name.unwrap_or_default())
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn children(
        &self,
        path: &str,
        limit: u32,
    ) -> Result<impl Stream<Item = Result<crate::models::PathInfo>> + Send + 'static> {
        if limit == 0 {
            return Err(Error::InvalidInput("limit must be 1 or more".into()));
        }
        let (this, path) = (self.clone(), path.to_owned());
        Ok(cloud_core::paging::paginate_ahead(1u64, move |page| {
            let (this, path) = (this.clone(), path.clone());
            Box::pin(async move {
                let params = Params::new()
                    .arg("children", "on")
                    .arg("limit", i64::from(limit))
                    .arg("page", page as i64);
                let info: crate::models::PathInfo =
                    this.get_as("/path/info", path.as_str(), params).await?;
                let pages = info.pages.unwrap_or(1);
                let Some(items) = info.children else {
                    return Err(Error::unexpected("path/info answered without children"));
                };
                let next = (page < pages).then_some(page + 1);
                Ok(Page::new(items, next))
            })
        }))
    }

    /// `move(src_path, dst_path)`: `POST /api/2/path/oper/move/` with `src` and `dst` given
    /// leading and trailing slashes; returns the task.
    pub async fn r#move(&self, src_path: &str, dst_path: &str) -> Result<Response> {
        self.post(
            "/path/oper/move/",
            (),
            Params::new()
                .arg("src", slashed(src_path))
                .arg("dst", slashed(dst_path)),
        )
        .await
    }

    /// `remove(deletefile)`: `POST /api/2/path/oper/remove/` with `path` as given; returns
    /// the task.
    pub async fn remove(&self, deletefile: &str) -> Result<Response> {
        self.post(
            "/path/oper/remove/",
            (),
            Params::new().arg("path", deletefile),
        )
        .await
    }

    /// Polls `GET /api/2/task/<uuid>/` until `result.status` is `SUCCESS` or `FAILURE` (the
    /// README's loop, with an end): at most `timeout`, every `interval`.
    pub async fn wait_task(
        &self,
        uuid: &str,
        interval: Duration,
        timeout: Duration,
    ) -> Result<TaskResult> {
        let start = Instant::now();
        loop {
            let task = self.get("/task", uuid, Params::new()).await?.into_json()?;
            let status = task["result"]["status"]
                .as_str()
                .or_else(|| task["status"].as_str())
                .unwrap_or_default()
                .to_owned();
            if status == "SUCCESS" || status == "FAILURE" {
                return Ok(TaskResult { status, task });
            }
            if start.elapsed() + interval > timeout {
                return Err(Error::request(format!(
                    "task {uuid} still {status} after {timeout:?}"
                )));
            }
            tokio::time::sleep(interval).await;
        }
    }
}

/// A crate error carried through cloud-core's download machinery.
#[derive(Debug)]
struct Carried(String, Option<u16>);

impl std::fmt::Display for Carried {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Carried {}

fn carry(e: Error) -> cloud_core::Error {
    let kind = e.kind();
    let status = e.status_code();
    let msg = e.to_string();
    let mut core =
        cloud_core::Error::with_message(kind, msg.clone()).source_error(Carried(msg, status));
    if let (Error::Response { context, .. }, Some(_)) = (&e, status) {
        core = core.context((**context).clone());
    }
    core
}

fn uncarry(e: cloud_core::Error) -> Error {
    if let (Some(_), Some(status)) = (e.source_as::<Carried>(), e.status()) {
        let body = e.error_context().body_snippet.clone().unwrap_or_default();
        return crate::error::response_error(status, body.as_bytes(), e.error_context().clone());
    }
    if let Some(Carried(msg, None)) = e.source_as::<Carried>() {
        return Error::request(msg.clone());
    }
    Error::from(e)
}

impl From<PathBuf> for FileSource {
    fn from(p: PathBuf) -> Self {
        FileSource::Path(p)
    }
}

impl From<&Path> for FileSource {
    fn from(p: &Path) -> Self {
        FileSource::Path(p.to_owned())
    }
}

impl From<Vec<u8>> for FileSource {
    fn from(b: Vec<u8>) -> Self {
        FileSource::Bytes(b.into())
    }
}

impl From<&[u8]> for FileSource {
    fn from(b: &[u8]) -> Self {
        FileSource::Bytes(bytes::Bytes::copy_from_slice(b))
    }
}

impl From<bytes::Bytes> for FileSource {
    fn from(b: bytes::Bytes) -> Self {
        FileSource::Bytes(b)
    }
}
