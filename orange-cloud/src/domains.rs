//! The three domains: `freespace`, `folders`, `files`.

use std::path::{Path, PathBuf};

use futures::StreamExt;
use http::Method;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use url::Url;

use cloud_core::body::{check_file_name, PartialFile, ProgressFn, SaveOptions, UploadSource};
use cloud_core::paging::{paginate, Page};
use cloud_core::reqwest::multipart::{Form, Part};
use cloud_core::reqwest::{RequestBuilder, Response};
use cloud_core::transport::{read_json, read_limited};
use cloud_core::ErrorContext;

use crate::api::ApiManager;
use crate::error::{client_error, Error, Result};
use crate::models::{Folder, Freespace as FreespaceInfo, Item, Uploaded};

/// Characters kept in a path segment (every real id is made of them).
const SEGMENT: &percent_encoding::AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn seg(id: &str) -> String {
    utf8_percent_encode(id, SEGMENT).to_string()
}

/// Checks a domain answer (status ≥ 300 → `ClientError`) and decodes its JSON.
async fn check(
    domain: &'static str,
    method: &Method,
    url: &Url,
    resp: Response,
) -> Result<Response> {
    let status = resp.status();
    if status.as_u16() < 300 {
        return Ok(resp);
    }
    let headers = resp.headers().clone();
    let body = read_limited(resp, 64 * 1024).await;
    tracing::error!(
        "{domain}: {} on {}: {}",
        status.as_u16(),
        cloud_core::error::redact_url(url),
        String::from_utf8_lossy(&body)
    );
    let ctx = ErrorContext::request(method, url)
        .with_response(status, &headers)
        .with_body(&body);
    Err(client_error(domain, status.as_u16(), url, ctx))
}

/// Decodes a JSON answer (at most 32 MiB: the models keep unknown fields, which serde
/// buffers as a tree several times the text's size) with cloud-core's reader.
async fn json<T: DeserializeOwned>(method: &Method, resp: Response) -> Result<T> {
    let limit = cloud_core::transport::json_limit(&resp);
    read_json(method, resp, limit)
        .await
        .map_err(|e| match e.kind() {
            cloud_core::ErrorKind::Decode => Error::Decode(e.to_string()),
            _ => Error::Transport(e),
        })
}

/// A download's body as cloud-core's byte stream (hyper refuses a body shorter than its
/// Content-Length, so a cut connection is an error, never a short success).
fn body_stream(
    resp: Response,
) -> impl futures::Stream<Item = std::result::Result<bytes::Bytes, cloud_core::Error>> {
    resp.bytes_stream()
        .map(|r| r.map_err(|e| cloud_core::error::from_reqwest(e, Some(&Method::GET))))
}

fn ok(r: RequestBuilder) -> std::result::Result<RequestBuilder, cloud_core::Error> {
    Ok(r)
}

async fn call<T: DeserializeOwned>(
    m: &ApiManager,
    domain: &'static str,
    method: Method,
    url: Url,
    body: Option<Value>,
) -> Result<T> {
    let (resp, _) = m
        .request(method.clone(), &url, |r| {
            Ok(match &body {
                Some(b) => r.json(b),
                None => r,
            })
        })
        .await?;
    json(&method, check(domain, &method, &url, resp).await?).await
}

async fn delete(m: &ApiManager, domain: &'static str, url: Url) -> Result<()> {
    let (resp, _) = m
        .request(Method::DELETE, &url, |r| {
            Ok(r.header(http::header::CONTENT_LENGTH, 0))
        })
        .await?;
    check(domain, &Method::DELETE, &url, resp).await?;
    Ok(())
}

/// `freespace`.
#[derive(Debug, Clone)]
pub struct Freespace {
    pub(crate) manager: ApiManager,
}

impl Freespace {
    /// `GET {API}/cloud/v1/freespace`.
    pub async fn get(&self) -> Result<FreespaceInfo> {
        let url = self.manager.api("freespace")?;
        call(&self.manager, "freespace", Method::GET, url, None).await
    }
}

/// The query of [`Folders::get`] (`restrictedmode`, `showthumbnails`, `filter`, `flat`,
/// `tree`, `limit`, `offset`); booleans go as Python sends them (`True`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct FolderQuery {
    /// Parameters, in order.
    pub(crate) params: Vec<(String, String)>,
}

impl FolderQuery {
    /// A flag sent as `True`.
    pub fn flag(mut self, name: &str) -> Self {
        self.params.push((name.to_owned(), "True".into()));
        self
    }

    /// `restrictedmode`: the application folder as the root.
    pub fn restrictedmode(self) -> Self {
        self.flag("restrictedmode")
    }

    /// `showthumbnails`: download, preview and thumbnail URLs on every listed file.
    pub fn showthumbnails(self) -> Self {
        self.flag("showthumbnails")
    }

    /// `flat`: the whole subtree.
    pub fn flat(self) -> Self {
        self.flag("flat")
    }

    /// `tree`: subfolders only.
    pub fn tree(self) -> Self {
        self.flag("tree")
    }

    /// `filter`: `image`, `video`, `audio` or `other`.
    pub fn filter(self, kind: &str) -> Self {
        self.param("filter", kind)
    }

    /// `limit`: at most this many elements (0: no limit).
    pub fn limit(self, n: u64) -> Self {
        self.param("limit", n)
    }

    /// `offset`: skip this many elements.
    pub fn offset(self, n: u64) -> Self {
        self.param("offset", n)
    }

    /// Any parameter.
    pub fn param(mut self, name: &str, value: impl ToString) -> Self {
        self.params.push((name.to_owned(), value.to_string()));
        self
    }
}

/// `folders`.
#[derive(Debug, Clone)]
pub struct Folders {
    pub(crate) manager: ApiManager,
}

impl Folders {
    /// `get(folder_id=None, **kwargs)`: the root (`GET /folders`) or a folder.
    pub async fn get(&self, folder_id: Option<&str>, query: FolderQuery) -> Result<Folder> {
        let mut url = match folder_id {
            None => self.manager.api("folders")?,
            Some(id) => self.manager.api(&format!("folders/{}", seg(id)))?,
        };
        if !query.params.is_empty() {
            url.query_pairs_mut().extend_pairs(query.params.iter());
        }
        call(&self.manager, "folders", Method::GET, url, None).await
    }

    /// A folder's listing in pages of `limit` (an addition: the original leaves the
    /// `limit`/`offset` loop to the caller): [`Folders::get`] with `query` plus `limit` and an
    /// `offset` growing by `limit`, each page a [`Folder`] holding that page's files and
    /// subfolders. The stream ends after a page with fewer than `limit` of both. One page is in
    /// memory at a time.
    pub fn get_pages(
        &self,
        folder_id: Option<&str>,
        query: FolderQuery,
        limit: u64,
    ) -> Result<impl futures::Stream<Item = Result<Folder>> + Send + 'static> {
        if limit == 0 {
            return Err(Error::Transport(cloud_core::Error::invalid_input(
                "limit must be 1 or more",
            )));
        }
        let (this, id) = (self.clone(), folder_id.map(str::to_owned));
        Ok(paginate(0u64, move |offset| {
            let (this, id, query) = (this.clone(), id.clone(), query.clone());
            async move {
                let page = this
                    .get(id.as_deref(), query.limit(limit).offset(offset))
                    .await?;
                let n = page.files.len().max(page.subfolders.len()) as u64;
                let next = (n >= limit).then_some(offset + limit);
                Ok(Page::new(vec![page], next))
            }
        }))
    }

    /// `create(name, parent_id=None)`.
    pub async fn create(&self, name: &str, parent_id: Option<&str>) -> Result<Folder> {
        let mut body = Map::new();
        body.insert("name".into(), json!(name));
        if let Some(p) = parent_id {
            body.insert("parentFolderId".into(), json!(p));
        }
        call(
            &self.manager,
            "folders",
            Method::POST,
            self.manager.api("folders")?,
            Some(Value::Object(body)),
        )
        .await
    }

    /// `delete(folder_id)`.
    pub async fn delete(&self, folder_id: &str) -> Result<()> {
        delete(
            &self.manager,
            "folders",
            self.manager.api(&format!("folders/{}", seg(folder_id)))?,
        )
        .await
    }

    async fn update(&self, folder_id: &str, body: Value) -> Result<Item> {
        let url = self.manager.api(&format!("folders/{}", seg(folder_id)))?;
        call(&self.manager, "folders", Method::POST, url, Some(body)).await
    }

    /// `move(folder_id, destination_folder_id)` (`move` is a Rust keyword: `r#move`).
    pub async fn r#move(&self, folder_id: &str, destination_folder_id: &str) -> Result<Item> {
        self.update(folder_id, json!({"parentFolderId": destination_folder_id}))
            .await
    }

    /// `rename(folder_id, new_name)`.
    pub async fn rename(&self, folder_id: &str, new_name: &str) -> Result<Item> {
        self.update(folder_id, json!({"name": new_name})).await
    }

    /// `copy(folder_id, destination_folder_id)`: the new copy.
    pub async fn copy(&self, folder_id: &str, destination_folder_id: &str) -> Result<Item> {
        self.update(
            folder_id,
            json!({"parentFolderId": destination_folder_id, "clone": true}),
        )
        .await
    }
}

/// `files`.
#[derive(Debug, Clone)]
pub struct Files {
    pub(crate) manager: ApiManager,
}

/// What an upload sends besides the bytes.
struct UploadMeta {
    name: String,
    size: u64,
    mime: String,
    progress: Option<ProgressFn>,
}

/// Options of [`Files::upload_with`].
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct UploadOptions {
    /// The stored name (default: the path's file name).
    pub(crate) name: Option<String>,
    /// The byte count (default: the file's or the bytes' length; required for a reader).
    pub(crate) size: Option<u64>,
    /// The part's Content-Type (default: guessed from the name's extension).
    pub(crate) mime: Option<String>,
    /// Called as bytes are sent.
    pub(crate) progress: Option<ProgressFn>,
}

impl std::fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadOptions")
            .field("name", &self.name)
            .field("size", &self.size)
            .field("mime", &self.mime)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl UploadOptions {
    /// Sets the stored name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the byte count.
    pub fn size(mut self, size: u64) -> Self {
        self.size = Some(size);
        self
    }

    /// Sets the part's Content-Type.
    pub fn mime(mut self, mime: impl Into<String>) -> Self {
        self.mime = Some(mime.into());
        self
    }

    /// Sets the progress callback.
    pub fn progress(
        mut self,
        f: impl Fn(cloud_core::body::Progress) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(std::sync::Arc::new(f));
        self
    }
}

/// A connection reset or drop while sending (not a timeout or a refused connection).
fn is_reset(e: &cloud_core::Error) -> bool {
    use cloud_core::{ErrorKind, TransportKind};
    matches!(
        e.kind(),
        ErrorKind::Transport(TransportKind::Body | TransportKind::Truncated)
    )
}

fn is_upload_token_error(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body)
        .ok()
        .is_some_and(|v| v["error"]["label"] == "INVALID_TOKEN")
}

impl Files {
    /// `get(file_id)`.
    pub async fn get(&self, file_id: &str) -> Result<crate::models::File> {
        let url = self.manager.api(&format!("files/{}", seg(file_id)))?;
        call(&self.manager, "files", Method::GET, url, None).await
    }

    /// `delete(file_id)`.
    pub async fn delete(&self, file_id: &str) -> Result<()> {
        delete(
            &self.manager,
            "files",
            self.manager.api(&format!("files/{}", seg(file_id)))?,
        )
        .await
    }

    async fn update(&self, file_id: &str, body: Value) -> Result<Item> {
        let url = self.manager.api(&format!("files/{}", seg(file_id)))?;
        call(&self.manager, "files", Method::POST, url, Some(body)).await
    }

    /// `move(file_id, destination_folder_id)` (`r#move`).
    pub async fn r#move(&self, file_id: &str, destination_folder_id: &str) -> Result<Item> {
        self.update(file_id, json!({"parentFolderId": destination_folder_id}))
            .await
    }

    /// `rename(file_id, new_name)`.
    pub async fn rename(&self, file_id: &str, new_name: &str) -> Result<Item> {
        self.update(file_id, json!({"name": new_name})).await
    }

    /// `copy(file_id, destination_folder_id)`.
    pub async fn copy(&self, file_id: &str, destination_folder_id: &str) -> Result<Item> {
        self.update(
            file_id,
            json!({"parentFolderId": destination_folder_id, "clone": true}),
        )
        .await
    }

    fn form(
        source: &mut UploadSource,
        folder_id: Option<&str>,
        meta: &UploadMeta,
    ) -> std::result::Result<Form, cloud_core::Error> {
        let mut desc = Map::new();
        if let Some(folder) = folder_id {
            desc.insert("folder".into(), json!(folder));
        }
        desc.insert("name".into(), json!(meta.name));
        desc.insert("size".into(), json!(meta.size.to_string()));
        let body = source.open_body(Some(meta.size), meta.progress.clone())?;
        let part = Part::stream_with_length(body, meta.size)
            .file_name(meta.name.clone())
            .mime_str(&meta.mime)
            .map_err(|e| cloud_core::Error::invalid_input(e.to_string()))?;
        Ok(Form::new()
            .percent_encode_noop()
            .text("description", Value::Object(desc).to_string())
            .part("file", part))
    }

    /// `upload(file_path, folder_id=None)`: `POST {UPLOAD}/cloud/v1/files/content`, the
    /// multipart `description` then `file`, streamed from the file. A token refused by the
    /// upload host (`INVALID_TOKEN`) or a connection reset mid-upload makes one refresh and
    /// one resend of the whole file, whose result is returned (the original returned `None`
    /// after a successful retry, and swallowed other errors: this crate returns them).
    pub async fn upload(
        &self,
        file_path: impl AsRef<Path>,
        folder_id: Option<&str>,
    ) -> Result<Uploaded> {
        self.upload_with(file_path.as_ref(), folder_id, UploadOptions::default())
            .await
    }

    /// [`upload`](Self::upload) from a path, bytes or any async reader, with a progress
    /// callback. A reader needs [`UploadOptions::name`] and [`UploadOptions::size`] (the API
    /// takes the size up front) and is sent once: a refused token then ends in the error.
    pub async fn upload_with(
        &self,
        source: impl Into<UploadSource>,
        folder_id: Option<&str>,
        options: UploadOptions,
    ) -> Result<Uploaded> {
        let mut source = source.into();
        let name = options
            .name
            .clone()
            .or_else(|| source.file_name())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                cloud_core::Error::invalid_input(
                    "upload: a name is needed (UploadOptions::name for bytes or a reader)",
                )
            })?;
        let size = match options.size {
            Some(s) => s,
            None => source.len().await?.ok_or_else(|| {
                cloud_core::Error::invalid_input(
                    "upload: a reader needs its size (UploadOptions::size)",
                )
            })?,
        };
        let mime = options.mime.clone().unwrap_or_else(|| {
            mime_guess::from_path(&name)
                .first_raw()
                .unwrap_or("application/octet-stream")
                .to_owned()
        });
        let meta = UploadMeta {
            name,
            size,
            mime,
            progress: options.progress.clone(),
        };
        let url = self.manager.upload_endpoint()?;
        let m = &self.manager;
        let first = {
            let mut make =
                |r: RequestBuilder| Ok(r.multipart(Self::form(&mut source, folder_id, &meta)?));
            m.request(Method::POST, &url, &mut make).await
        };
        let (first, token) = match first {
            Ok(x) => x,
            Err(Error::Transport(e)) if is_reset(&e) => {
                // A reset: Orange dropped uploads whose token expired; refresh and resend.
                tracing::warn!("upload: connection reset, refreshing the token and sending again");
                return self
                    .retry_upload(&url, &mut source, folder_id, &meta, None)
                    .await;
            }
            Err(e) => return Err(e),
        };
        if first.status().as_u16() == 401 {
            let body = read_limited(first, 64 * 1024).await;
            if is_upload_token_error(&body) {
                return self
                    .retry_upload(&url, &mut source, folder_id, &meta, Some(token))
                    .await;
            }
            let ctx = ErrorContext::request(&Method::POST, &url).with_body(&body);
            return Err(client_error("files", 401, &url, ctx));
        }
        json(
            &Method::POST,
            check("files", &Method::POST, &url, first).await?,
        )
        .await
    }

    async fn retry_upload(
        &self,
        url: &Url,
        source: &mut UploadSource,
        folder_id: Option<&str>,
        meta: &UploadMeta,
        rejected: Option<cloud_core::Secret>,
    ) -> Result<Uploaded> {
        let m = &self.manager;
        let rejected = match rejected {
            Some(t) => t,
            None => m.current_token()?,
        };
        let token = m.refresh_after(&rejected).await?;
        let mut make = |r: RequestBuilder| Ok(r.multipart(Self::form(source, folder_id, meta)?));
        let resp = m.send_with(&Method::POST, url, &token, &mut make).await?;
        json(
            &Method::POST,
            check("files", &Method::POST, url, resp).await?,
        )
        .await
    }

    /// The answer of a `downloadUrl`, checked (status ≥ 300 → `ClientError`).
    /// `GET <downloadUrl>` with an optional `Range` header value: the status and the body
    /// as a byte stream. (For the store's ranged reads.)
    #[cfg(feature = "object-store")]
    pub(crate) async fn download_range(
        &self,
        download_url: &str,
        range: Option<String>,
    ) -> Result<(
        http::StatusCode,
        impl futures::Stream<Item = std::result::Result<bytes::Bytes, cloud_core::Error>>,
    )> {
        let url = Url::parse(download_url)
            .map_err(|e| cloud_core::Error::invalid_input(format!("download URL: {e}")))?;
        let (resp, _) = self
            .manager
            .request(Method::GET, &url, |r| {
                Ok(match &range {
                    Some(h) => r.header(http::header::RANGE, h.as_str()),
                    None => r,
                })
            })
            .await?;
        let resp = check("files", &Method::GET, &url, resp).await?;
        Ok((resp.status(), body_stream(resp)))
    }

    async fn open_download(&self, download_url: &str) -> Result<Response> {
        let url = Url::parse(download_url)
            .map_err(|e| cloud_core::Error::invalid_input(format!("download URL: {e}")))?;
        let (resp, _) = self.manager.request(Method::GET, &url, ok).await?;
        check("files", &Method::GET, &url, resp).await
    }

    /// `download(download_url, destination)`: the content at a file's `downloadUrl`, with the
    /// bearer, streamed into `writer` (a body shorter than announced is an error). Returns
    /// the byte count.
    pub async fn download_to<W: AsyncWrite + Unpin + ?Sized>(
        &self,
        download_url: &str,
        writer: &mut W,
    ) -> Result<u64> {
        let resp = self.open_download(download_url).await?;
        let mut stream = std::pin::pin!(body_stream(resp));
        let mut n = 0u64;
        while let Some(c) = stream.next().await {
            let c = c?;
            writer.write_all(&c).await?;
            n += c.len() as u64;
        }
        writer.flush().await?;
        Ok(n)
    }

    /// `download(download_url, destination_path)`: streamed through a partial file renamed
    /// when complete (the original wrote the destination directly, leaving an empty or
    /// partial file on failure).
    pub async fn download(
        &self,
        download_url: &str,
        destination_path: impl AsRef<Path>,
    ) -> Result<u64> {
        let resp = self.open_download(download_url).await?;
        let mut file =
            PartialFile::create(destination_path.as_ref(), &SaveOptions::default()).await?;
        // Nothing is kept on failure: these downloads do not resume.
        if let Err(e) = file.write_stream(body_stream(resp)).await {
            let _ = file.discard().await;
            return Err(e.into());
        }
        Ok(file.finish().await?)
    }

    /// Downloads into `dir`, named `name` (a name from a server: checked, it can never leave
    /// `dir`).
    pub async fn download_into(
        &self,
        download_url: &str,
        dir: &Path,
        name: &str,
    ) -> Result<PathBuf> {
        check_file_name(name).map_err(Error::Transport)?;
        let target = dir.join(name);
        self.download(download_url, &target).await?;
        Ok(target)
    }
}
