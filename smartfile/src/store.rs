//! (feature `object-store`) [`SmartFileStore`]: an [`object_store::ObjectStore`] over a
//! SmartFile account, so code written for any object store (DataFusion, parquet, the other
//! crates of this family) reads and writes SmartFile.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emu = smartfile::emulator::Emulator::start().await?;
//! use object_store::{path::Path, ObjectStoreExt};
//! use smartfile::{store::SmartFileStore, BasicClient, BasicOptions};
//!
//! let api = BasicClient::new(Some(emu.key()), Some(emu.password()),
//!                            BasicOptions::default().url(emu.base_url()))?;
//! let store = SmartFileStore::new(api.as_client().clone());
//! let path = Path::from("reports/2026/q4.csv");
//! store.put(&path, "region,total\nnorth,12\n".into()).await?; // creates reports/2026
//! let bytes = store.get(&path).await?.bytes().await?;
//! assert_eq!(&bytes[..6], b"region");
//! # Ok(()) }
//! ```
//!
//! How each operation is done on SmartFile (the README has the table):
//! SmartFile addresses files by path, so no lookup of folders is needed; an upload replaces
//! a taken name in place; copy and rename are the service's own (`path/oper/copy`,
//! `path/oper/rename`); multipart uploads are buffered (8 MiB in memory, then a temporary
//! file) and sent as one upload at `complete`, as SmartFile's API v2 has no chunked upload;
//! the ETag is derived from the file's `id`, `size` and `time` (the service gives no content
//! hash without a checksum task).

use std::ops::Range;

use cloud_core::futures::stream::BoxStream;
use cloud_core::futures::{StreamExt, TryStreamExt};
use cloud_core::store::{Backend, ByteStream, Capabilities, Entry, Payload};
use cloud_core::ErrorKind;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::models::PathInfo;
use crate::params::{FilePart, FileSource, Params};
use crate::{Client, Error, Id, Result};

/// Every byte but the unreserved ones is escaped in a path sent in a URL: the original's
/// `requote_uri` would otherwise read a `%48` in a name as an `H`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A folder's entries asked for per page.
const PAGE: u32 = 1000;

/// The SmartFile calls under [`SmartFileStore`]. Handles are absolute paths (`/a/b.txt`).
#[derive(Debug, Clone)]
pub struct SmartFileBackend {
    client: Client,
}

impl SmartFileBackend {
    /// The backend over `client` (any of [`crate::BasicClient`]'s or [`crate::OAuthClient`]'s,
    /// through `as_client()`).
    pub fn new(client: Client) -> Self {
        SmartFileBackend { client }
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl std::fmt::Display for SmartFileBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SmartFileStore({})", self.client.url())
    }
}

cloud_core::store_type! {
    /// An [`object_store::ObjectStore`] over a SmartFile account (module docs: [`crate::store`]).
    pub struct SmartFileStore(SmartFileBackend);
}

impl SmartFileStore {
    /// The store over `client`, with the default options.
    pub fn new(client: Client) -> Self {
        Self::from_backend(SmartFileBackend::new(client))
    }
}

fn child(parent: &str, name: &str) -> String {
    if parent.ends_with('/') {
        format!("{parent}{name}")
    } else {
        format!("{parent}/{name}")
    }
}

/// `path` with each segment escaped, for a URL.
fn url_path(path: &str) -> String {
    path.split('/')
        .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

fn entry(info: PathInfo, fallback_path: &str) -> Entry<String> {
    let path = info
        .path
        .clone()
        .unwrap_or_else(|| fallback_path.to_owned());
    let name = info
        .name
        .clone()
        .unwrap_or_else(|| path.rsplit('/').next().unwrap_or_default().to_owned());
    let is_folder = info.isdir.unwrap_or(false);
    let size = if is_folder { 0 } else { info.size.unwrap_or(0) };
    let last_modified = info
        .time
        .unwrap_or(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH);
    let e_tag = (!is_folder).then(|| {
        format!(
            "{}-{}-{}",
            info.id.unwrap_or(0),
            size,
            last_modified.timestamp_millis()
        )
    });
    Entry {
        handle: path,
        name,
        is_folder,
        size,
        last_modified,
        e_tag,
        version: None,
    }
}

impl SmartFileBackend {
    async fn info(&self, path: &str) -> Result<Option<PathInfo>> {
        match self
            .client
            .get_as::<PathInfo>("/path/info", url_path(path).as_str(), Params::new())
            .await
        {
            Ok(info) => Ok(Some(info)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Waits for the task an operation answered with, if it is not finished yet.
    async fn settle(&self, answer: crate::Response) -> Result<()> {
        let Ok(task) = answer.into_json() else {
            return Ok(());
        };
        let status = task["result"]["status"]
            .as_str()
            .or_else(|| task["status"].as_str())
            .map(str::to_owned);
        let status = match (status, task["uuid"].as_str()) {
            (Some(s), Some(uuid)) if s != "SUCCESS" && s != "FAILURE" => {
                let done = self
                    .client
                    .wait_task(
                        uuid,
                        std::time::Duration::from_millis(200),
                        std::time::Duration::from_secs(300),
                    )
                    .await?;
                done.status
            }
            (s, _) => s.unwrap_or_else(|| "SUCCESS".into()),
        };
        if status == "FAILURE" {
            return Err(Error::request(format!("the task failed: {task}")));
        }
        Ok(())
    }

    async fn remove_path(&self, path: &str) -> Result<()> {
        let answer = self.client.remove(path).await?;
        self.settle(answer).await
    }
}

#[cloud_core::__private::async_trait]
impl Backend for SmartFileBackend {
    type Handle = String;
    type Error = Error;
    const STORE: &'static str = "SmartFile";

    fn error_kind(error: &Error) -> ErrorKind {
        error.kind()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new().upload_replaces(true)
    }

    fn folder_handle(&self, segments: &[&str]) -> Option<String> {
        Some(format!("/{}", segments.join("/")))
    }

    async fn root(&self) -> Result<Entry<String>> {
        Ok(Entry::folder("/".to_owned(), ""))
    }

    async fn lookup(&self, folder: &Entry<String>, name: &str) -> Result<Option<Entry<String>>> {
        let path = child(&folder.handle, name);
        Ok(self.info(&path).await?.map(|i| entry(i, &path)))
    }

    fn list(&self, folder: &Entry<String>) -> BoxStream<'static, Result<Entry<String>>> {
        let base = folder.handle.clone();
        match self.client.children(&url_path(&base), PAGE) {
            Ok(s) => s
                .map_ok(move |info| {
                    let fallback = child(&base, info.name.as_deref().unwrap_or_default());
                    entry(info, &fallback)
                })
                .boxed(),
            Err(e) => cloud_core::futures::stream::once(async move { Err(e) }).boxed(),
        }
    }

    async fn create_folder(&self, parent: &Entry<String>, name: &str) -> Result<Entry<String>> {
        let path = child(&parent.handle, name);
        let info: PathInfo = self
            .client
            .post(
                "/path/oper/mkdir/",
                (),
                Params::new().arg("path", path.as_str()),
            )
            .await?
            .decode()?;
        Ok(entry(info, &path))
    }

    async fn upload(
        &self,
        parent: &Entry<String>,
        name: &str,
        replace: Option<&Entry<String>>,
        payload: &Payload,
    ) -> Result<Entry<String>> {
        // A multipart file name cannot carry every name: the service keeps only what follows
        // a `\`, and a `"` goes as `%22` (as the original's `requests` sends it), stored as
        // such. Such a file goes up under a plain name, then is renamed (a form field, sent
        // exactly).
        let mangled = name.contains('\\') || name.contains('"');
        let sent_name = if mangled {
            let mut b = [0u8; 8];
            let _ = getrandom::fill(&mut b);
            format!(
                ".upload-{}",
                b.iter().map(|x| format!("{x:02x}")).collect::<String>()
            )
        } else {
            name.to_owned()
        };
        let source = match payload.upload_source() {
            cloud_core::body::UploadSource::Path(p) => FileSource::Path(p),
            cloud_core::body::UploadSource::Bytes(b) => FileSource::Bytes(b),
            _ => FileSource::Bytes(payload.as_bytes().cloned().unwrap_or_default()),
        };
        let part = FilePart {
            filename: sent_name.clone(),
            content_type: None,
            source,
            progress: None,
        };
        let path = child(&parent.handle, name);
        let answer = self
            .client
            .upload_into(&url_path(&parent.handle), part)
            .await?;
        if mangled {
            let sent = child(&parent.handle, &sent_name);
            // The store's fast path does not look the name up first: do it here.
            let taken = match replace {
                Some(old) => Some(old.handle.clone()),
                None => self.info(&path).await?.map(|_| path.clone()),
            };
            if let Some(old) = taken {
                cloud_core::store::gone::<Self>(self.remove_path(&old).await)?;
            }
            self.client
                .post(
                    "/path/oper/rename/",
                    (),
                    Params::new()
                        .arg("src", sent.as_str())
                        .arg("dst", path.as_str()),
                )
                .await?;
            return match self.info(&path).await? {
                Some(info) => Ok(entry(info, &path)),
                None => Err(Error::unexpected("the renamed upload is not there")),
            };
        }
        let info = match answer.json() {
            Some(serde_json::Value::Array(items)) => items
                .first()
                .cloned()
                .map(serde_json::from_value::<PathInfo>)
                .transpose()
                .map_err(|e| Error::unexpected(format!("upload answer: {e}")))?,
            _ => Some(answer.decode::<PathInfo>()?),
        };
        Ok(match info {
            Some(info) => entry(info, &path),
            None => match self.info(&path).await? {
                Some(info) => entry(info, &path),
                None => return Err(Error::unexpected("the uploaded file is not there")),
            },
        })
    }

    async fn download(&self, file: &Entry<String>, range: Range<u64>) -> Result<ByteStream<Error>> {
        let url = self
            .client
            .build_url("/path/data/", &Id::from(url_path(&file.handle)))?;
        let header = cloud_core::store::range_header(&range, file.size);
        let resp = self.client.get_with_range(&url, header).await?;
        cloud_core::store::check_range_answer(resp.status().as_u16(), &range, file.size)
            .map_err(Error::unexpected)?;
        Ok(resp
            .bytes_stream()
            .map_err(|e| Error::from(cloud_core::error::from_reqwest(e, None)))
            .boxed())
    }

    async fn delete(&self, file: &Entry<String>) -> Result<()> {
        self.remove_path(&file.handle).await
    }

    async fn copy(
        &self,
        file: &Entry<String>,
        parent: &Entry<String>,
        name: &str,
        replace: Option<&Entry<String>>,
    ) -> Result<bool> {
        if let Some(old) = replace {
            cloud_core::store::gone::<Self>(self.remove_path(&old.handle).await)?;
        }
        let dst = child(&parent.handle, name);
        let answer = self
            .client
            .post(
                "/path/oper/copy/",
                (),
                Params::new()
                    .arg("src", file.handle.as_str())
                    .arg("dst", dst.as_str()),
            )
            .await?;
        self.settle(answer).await?;
        Ok(true)
    }

    async fn rename(
        &self,
        file: &Entry<String>,
        parent: &Entry<String>,
        name: &str,
        replace: Option<&Entry<String>>,
    ) -> Result<bool> {
        if let Some(old) = replace {
            cloud_core::store::gone::<Self>(self.remove_path(&old.handle).await)?;
        }
        let dst = child(&parent.handle, name);
        self.client
            .post(
                "/path/oper/rename/",
                (),
                Params::new()
                    .arg("src", file.handle.as_str())
                    .arg("dst", dst.as_str()),
            )
            .await?;
        Ok(true)
    }
}
