//! File operations (the original's `Fops` mixin): account, metadata, fullview, search,
//! download URLs and downloads; and the 1.3+ calls delete, create_folder, copy, move, rename.

use std::path::Path;

use futures::{Stream, StreamExt};
use http::{Method, StatusCode};
use serde::Deserialize;

use cloud_core::body::{self, range_header, Download, DownloadOptions, SaveOptions};
use cloud_core::paging::{paginate, Page};
use cloud_core::Idempotency;

use crate::client::{read_json, Cloud};
use crate::error::{messages, Call, Error, Result};
use crate::fullview::{FullviewEntry, FullviewStream};
use crate::models::{
    Account, CloudFile, CloudFolder, FileOrPath, FolderListing, FullviewResponse, MetadataResponse,
    SearchResponse,
};

/// The default virtual folder of `search` (the handset's).
pub const VZMOBILE: &str = "VZMOBILE";

/// Options of [`Cloud::search`] (the Python keywords `sort`, `virtualfolder`, `page`, `count`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SearchOptions {
    /// `<field>+<asc|desc>`, e.g. `name+asc`, `versionCreated+desc`.
    pub(crate) sort: Option<String>,
    /// The virtual folder (default `VZMOBILE`; `*` for all).
    pub(crate) virtualfolder: String,
    /// The page, from 1.
    pub(crate) page: u32,
    /// Items per page, 1 to 100 (default 20).
    pub(crate) count: u32,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            sort: None,
            virtualfolder: VZMOBILE.into(),
            page: 1,
            count: 20,
        }
    }
}

impl SearchOptions {
    /// Sets `sort`.
    pub fn sort(mut self, sort: impl Into<String>) -> Self {
        self.sort = Some(sort.into());
        self
    }

    /// Sets `virtualfolder`.
    pub fn virtualfolder(mut self, vf: impl Into<String>) -> Self {
        self.virtualfolder = vf.into();
        self
    }

    /// Sets `page`.
    pub fn page(mut self, page: u32) -> Self {
        self.page = page;
        self
    }

    /// Sets `count`.
    pub fn count(mut self, count: u32) -> Self {
        self.count = count;
        self
    }
}

/// How a copy or move settles a name already taken at the target (SDK 1.3+'s
/// `ConflictSolve`; its wire form is inferred, see the crate docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConflictSolve {
    /// Fail with [`Error::Conflict`] (the default).
    #[default]
    Fail,
    /// Replace what is there.
    Overwrite,
    /// Keep both: the new item gets a free name.
    Rename,
}

impl ConflictSolve {
    fn as_str(self) -> &'static str {
        match self {
            ConflictSolve::Fail => "fail",
            ConflictSolve::Overwrite => "overwrite",
            ConflictSolve::Rename => "rename",
        }
    }
}

/// Options of [`Cloud::copy`], `Cloud::r#move` and [`Cloud::create_folder`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct FileOpOptions {
    /// What to do when the name is taken.
    pub(crate) conflict: ConflictSolve,
}

impl FileOpOptions {
    /// Sets the conflict rule.
    pub fn conflict(mut self, conflict: ConflictSolve) -> Self {
        self.conflict = conflict;
        self
    }
}

/// A file or a folder, as copy, move, rename and restore answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Item {
    /// A file.
    File(CloudFile),
    /// A folder.
    Folder(CloudFolder),
}

impl Item {
    /// The file's or folder's name.
    pub fn name(&self) -> &str {
        match self {
            Item::File(f) => &f.name,
            Item::Folder(f) => &f.name,
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct ItemEnvelope {
    file: Option<CloudFile>,
    folder: Option<CloudFolder>,
}

impl ItemEnvelope {
    pub(crate) fn into_item(self) -> Result<Item> {
        match (self.file, self.folder) {
            (Some(f), _) => Ok(Item::File(f)),
            (None, Some(f)) => Ok(Item::Folder(f)),
            (None, None) => Err(Error::unexpected("neither file nor folder in the answer")),
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct SearchEnvelope {
    #[serde(rename = "searchResults", default)]
    search_results: SearchResults,
}

#[derive(Deserialize, Default)]
struct SearchResults {
    #[serde(default)]
    file: Vec<CloudFile>,
    #[serde(default)]
    folder: Vec<CloudFolder>,
}

/// A search hit: a file or a folder (items of [`Cloud::search_stream`]).
pub type SearchItem = Item;

fn nonempty_path(fop: &FileOrPath) -> Result<String> {
    let p = fop.path();
    if p.is_empty() {
        return Err(Error::InvalidInput(messages::FILE_OR_PATH.into()));
    }
    Ok(p)
}

impl Cloud {
    /// A GET through `networker` and the call's checks, decoded as JSON.
    pub(crate) async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        call: Call,
        url: url::Url,
    ) -> Result<T> {
        let resp = self
            .call(call, Method::GET, url, Idempotency::Idempotent, Ok)
            .await?;
        read_json(&Method::GET, resp).await
    }

    /// `GET {API}/account`.
    pub async fn account(&self) -> Result<Account> {
        self.get_json(Call::Account, self.url("account")?).await
    }

    /// `GET {API}/metadata{path}`: the files and folders of a folder (`/`: the virtual folders).
    pub async fn metadata(&self, path: &str) -> Result<MetadataResponse> {
        let path = if path.is_empty() { "/" } else { path };
        let url = self.path_url("metadata", path)?;
        #[derive(Deserialize)]
        struct Envelope {
            folder: Option<FolderListing>,
        }
        let env: Envelope = self.get_json(Call::Metadata, url).await?;
        let folder = env
            .folder
            .ok_or_else(|| Error::unexpected("no folder in the answer (is the path a file?)"))?;
        Ok(MetadataResponse {
            files: folder.file,
            folders: folder.folder,
        })
    }

    /// `GET {API}/metadata{path}` for a file.
    pub async fn file_metadata(&self, path: &str) -> Result<CloudFile> {
        let url = self.path_url("metadata", path)?;
        #[derive(Deserialize)]
        struct Envelope {
            file: Option<CloudFile>,
        }
        let env: Envelope = self.get_json(Call::Metadata, url).await?;
        env.file
            .ok_or_else(|| Error::unexpected("no file in the answer (is the path a folder?)"))
    }

    /// `GET {API}/fullview` (with `X-Header-ETag` when an etag is given): every file and empty
    /// folder, or only the changes since `etag`. `Ok(None)` without a request when not
    /// authenticated (the original returns `None`). Nothing changed (412): empty lists and
    /// the etag given. Etag too old (205): [`Error::OutOfSync`]; call again with `None`.
    ///
    /// Built on [`Cloud::fullview_stream`]: the answer is decoded as it arrives, so only the
    /// entries are held, never the answer's text or tree.
    pub async fn fullview(&self, etag: Option<&str>) -> Result<Option<FullviewResponse>> {
        let Some(mut stream) = self.fullview_stream(etag).await? else {
            return Ok(None);
        };
        let mut view = FullviewResponse {
            etag: stream.etag().to_owned(),
            ..FullviewResponse::default()
        };
        while let Some(entry) = stream.next().await {
            match entry? {
                FullviewEntry::File(f) => view.files.push(*f),
                FullviewEntry::EmptyFolder(f) => view.empty_folders.push(f),
                FullviewEntry::Deleted(p) => view.deleted.push(p),
            }
        }
        Ok(Some(view))
    }

    /// [`Cloud::fullview`] as a stream of entries (files, empty folders, deleted paths, in the
    /// answer's order) decoded as the answer arrives: memory stays at a few entries however
    /// many files the account holds. `etag()` is the etag the answer brings you to. The
    /// statuses are `fullview`'s (205 is [`Error::OutOfSync`] before any entry).
    ///
    /// ```no_run
    /// # async fn run(cloud: verizon_pcs::Cloud) -> Result<(), verizon_pcs::Error> {
    /// use futures::TryStreamExt;
    /// use verizon_pcs::FullviewEntry;
    /// if let Some(mut view) = cloud.fullview_stream(None).await? {
    ///     let mut bytes = 0;
    ///     while let Some(entry) = view.try_next().await? {
    ///         if let FullviewEntry::File(f) = entry {
    ///             bytes += f.size;
    ///         }
    ///     }
    ///     println!("{bytes} bytes; next time ask with etag {}", view.etag());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn fullview_stream(&self, etag: Option<&str>) -> Result<Option<FullviewStream>> {
        if !self.authenticated() {
            return Ok(None);
        }
        let url = self.url("fullview")?;
        let etag_owned = etag.map(str::to_owned);
        let resp = self
            .call(
                Call::Fullview,
                Method::GET,
                url,
                Idempotency::Idempotent,
                |req| {
                    Ok(match &etag_owned {
                        Some(e) => req.header("X-Header-ETag", e),
                        None => req,
                    })
                },
            )
            .await?;
        if resp.status() == StatusCode::PRECONDITION_FAILED {
            return Ok(Some(FullviewStream::empty(
                etag.unwrap_or_default().to_owned(),
            )));
        }
        let new_etag = resp
            .headers()
            .get("X-Header-ETag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| Error::unexpected("fullview answer without X-Header-ETag"))?;
        Ok(Some(FullviewStream::decode(
            new_etag,
            crate::fullview::body_of(resp),
        )))
    }

    fn check_search(query: &str, o: &SearchOptions) -> Result<()> {
        let bad = |m: &str| Err(Error::InvalidInput(m.into()));
        if query.is_empty() {
            return bad("query must be provided");
        }
        if o.virtualfolder.is_empty() {
            return bad("virtualfolder must be provided");
        }
        if o.page < 1 {
            return bad("page must be 1 or more");
        }
        if o.count < 1 || o.count > 100 {
            return bad("count must be between 1 and 100");
        }
        Ok(())
    }

    /// `GET {API}/search?query=…&virtualfolder=…&count=…&page=…[&sort=…]`: one page.
    /// Arguments are checked before any request (the original's `ValueError`s).
    pub async fn search(&self, query: &str, options: SearchOptions) -> Result<SearchResponse> {
        Self::check_search(query, &options)?;
        let url = self.url("search")?;
        let mut q: Vec<(&str, String)> = vec![
            ("query", query.to_owned()),
            ("virtualfolder", options.virtualfolder.clone()),
            ("count", options.count.to_string()),
            ("page", options.page.to_string()),
        ];
        if let Some(s) = &options.sort {
            q.push(("sort", s.clone()));
        }
        let resp = self
            .call(
                Call::Search,
                Method::GET,
                url,
                Idempotency::Idempotent,
                |req| Ok(req.query(&q)),
            )
            .await?;
        let env: SearchEnvelope = read_json(&Method::GET, resp).await?;
        Ok(SearchResponse {
            files: env.search_results.file,
            folders: env.search_results.folder,
        })
    }

    /// Every hit of a search, page after page from `options.page`, as a stream (an addition:
    /// the original returns one page). Folders of a page come before its files; the stream
    /// ends after a page shorter than `count`.
    pub fn search_stream(
        &self,
        query: &str,
        options: SearchOptions,
    ) -> impl Stream<Item = Result<SearchItem>> + Send + 'static {
        let cloud = self.clone();
        let query = query.to_owned();
        let start = options.page;
        paginate(start, move |page| {
            let (cloud, query, options) = (cloud.clone(), query.clone(), options.clone());
            async move {
                let count = options.count as usize;
                let r = cloud.search(&query, options.page(page)).await?;
                let n = r.files.len() + r.folders.len();
                let items: Vec<Item> = r
                    .folders
                    .into_iter()
                    .map(Item::Folder)
                    .chain(r.files.into_iter().map(Item::File))
                    .collect();
                let next = (n >= count).then_some(page + 1);
                Ok(Page::new(items, next))
            }
        })
    }

    /// `{API}/files<quoted path>?access-token=<token>`: a URL that downloads the file; no I/O.
    /// The token is in the URL: treat it as a secret.
    pub fn download_url(&self, file_or_path: impl Into<FileOrPath>) -> Result<String> {
        let path = nonempty_path(&file_or_path.into())?;
        let path = if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        let base = self.api_cloud().as_str().trim_end_matches('/');
        let mut url = format!("{base}/files{}", Cloud::quote(&path));
        let token = self.access_token().unwrap_or_default();
        let q: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("access-token", token.expose())
            .finish();
        url.push('?');
        url.push_str(&q);
        Ok(url)
    }

    /// Downloads a file as a stream of bytes (an addition: the original only builds the URL),
    /// with the bearer token in a header, resuming a broken body with `Range`.
    pub async fn download(
        &self,
        file_or_path: impl Into<FileOrPath>,
        options: DownloadOptions,
    ) -> Result<Download> {
        let path = nonempty_path(&file_or_path.into())?;
        let url = self.path_url("files", &path)?;
        let cloud = self.clone();
        let fetch = move |offset: u64| {
            let (cloud, url) = (cloud.clone(), url.clone());
            async move {
                cloud
                    .call(
                        Call::FileOp,
                        Method::GET,
                        url,
                        Idempotency::Idempotent,
                        |req| {
                            Ok(match range_header(offset) {
                                Some(r) => req.header(http::header::RANGE, r),
                                None => req,
                            })
                        },
                    )
                    .await
                    .map_err(into_core)
            }
        };
        body::download(fetch, options).await.map_err(from_core_keep)
    }

    /// Downloads a file to `target` through a partial file renamed when complete.
    pub async fn download_to_path(
        &self,
        file_or_path: impl Into<FileOrPath>,
        target: &Path,
    ) -> Result<u64> {
        let dl = self
            .download(file_or_path, DownloadOptions::default())
            .await?;
        body::save_to_path(dl, target, &SaveOptions::default())
            .await
            .map_err(from_core_keep)
    }

    /// Deletes a file or folder (SDK 1.3+): `DELETE {API}/files{path}[?purge=true]`. Without
    /// `purge` the item goes to the trash.
    pub async fn delete(&self, file_or_path: impl Into<FileOrPath>, purge: bool) -> Result<()> {
        let path = nonempty_path(&file_or_path.into())?;
        let url = self.path_url("files", &path)?;
        self.call(
            Call::FileOp,
            Method::DELETE,
            url,
            Idempotency::Idempotent,
            |req| {
                Ok(if purge {
                    req.query(&[("purge", "true")])
                } else {
                    req
                })
            },
        )
        .await?;
        Ok(())
    }

    /// Creates a folder `name` in `path` (SDK 1.3+): `POST {API}/createfolder?path=…&name=…`.
    pub async fn create_folder(&self, path: &str, name: &str) -> Result<CloudFolder> {
        if name.is_empty() || name.contains('/') {
            return Err(Error::InvalidInput(
                "name must be one non-empty path segment".into(),
            ));
        }
        let url = self.url("createfolder")?;
        let q = [("path", path), ("name", name)];
        let resp = self
            .call(
                Call::FileOp,
                Method::POST,
                url,
                Idempotency::NonIdempotent,
                |req| Ok(req.query(&q)),
            )
            .await?;
        match read_json::<ItemEnvelope>(&Method::POST, resp)
            .await?
            .into_item()?
        {
            Item::Folder(f) => Ok(f),
            Item::File(_) => Err(Error::unexpected("a file where a folder was expected")),
        }
    }

    async fn src_target(
        &self,
        endpoint: &str,
        src: FileOrPath,
        target: &str,
        extra: &[(&str, &str)],
    ) -> Result<Item> {
        let src = nonempty_path(&src)?;
        if target.is_empty() {
            return Err(Error::InvalidInput("target must be provided".into()));
        }
        let url = self.url(endpoint)?;
        let mut q: Vec<(&str, &str)> = vec![("src", &src), ("target", target)];
        q.extend_from_slice(extra);
        let resp = self
            .call(
                Call::FileOp,
                Method::POST,
                url,
                Idempotency::NonIdempotent,
                |req| Ok(req.query(&q)),
            )
            .await?;
        read_json::<ItemEnvelope>(&Method::POST, resp)
            .await?
            .into_item()
    }

    /// Copies a file or folder into the folder `target` (SDK 1.3+): `POST {API}/copy`.
    pub async fn copy(
        &self,
        src: impl Into<FileOrPath>,
        target: &str,
        options: FileOpOptions,
    ) -> Result<Item> {
        self.src_target(
            "copy",
            src.into(),
            target,
            &[("conflictsolve", options.conflict.as_str())],
        )
        .await
    }

    /// Moves a file or folder into the folder `target` (SDK 1.3+): `POST {API}/move`.
    /// (`move` is a Rust keyword: call it as `cloud.r#move(...)`.)
    pub async fn r#move(
        &self,
        src: impl Into<FileOrPath>,
        target: &str,
        options: FileOpOptions,
    ) -> Result<Item> {
        self.src_target(
            "move",
            src.into(),
            target,
            &[("conflictsolve", options.conflict.as_str())],
        )
        .await
    }

    /// Renames a file or folder in place (SDK 1.3+): `POST {API}/rename?src=…&target=<new name>`.
    pub async fn rename(&self, src: impl Into<FileOrPath>, new_name: &str) -> Result<Item> {
        if new_name.contains('/') {
            return Err(Error::InvalidInput(
                "the new name must be one path segment".into(),
            ));
        }
        self.src_target("rename", src.into(), new_name, &[]).await
    }
}

#[cfg(feature = "object-store")]
impl Cloud {
    /// `GET {API}/metadata{path}` as one item: the file, or the folder without its listing;
    /// `None` for 404/410. (For the store's lookups.)
    pub(crate) async fn metadata_item(&self, path: &str) -> Result<Option<Item>> {
        #[derive(Deserialize)]
        struct FolderHead {
            name: String,
            #[serde(rename = "parentPath", default)]
            parent_path: String,
            #[serde(
                rename = "versionCreated",
                default,
                with = "cloud_core::model::time_opt"
            )]
            version_created: Option<chrono::DateTime<chrono::Utc>>,
        }
        #[derive(Deserialize)]
        struct Envelope {
            file: Option<CloudFile>,
            folder: Option<FolderHead>,
        }
        let url = self.path_url("metadata", path)?;
        let env: Envelope = match self.get_json(Call::Metadata, url).await {
            Ok(env) => env,
            Err(e) if e.kind() == cloud_core::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(match (env.file, env.folder) {
            (Some(f), _) => Some(Item::File(f)),
            (None, Some(h)) => Some(Item::Folder(CloudFolder {
                name: h.name,
                parent_path: h.parent_path,
                version: None,
                version_created: h.version_created,
                deleted: None,
                extra: Default::default(),
            })),
            (None, None) => None,
        })
    }

    /// `GET {API}/files{path}` with an optional `Range` header value: the response, its body
    /// unread. (For the store's ranged reads.)
    pub(crate) async fn download_range(
        &self,
        path: &str,
        range: Option<String>,
    ) -> Result<cloud_core::reqwest::Response> {
        let url = self.path_url("files", path)?;
        self.call(
            Call::FileOp,
            Method::GET,
            url,
            Idempotency::Idempotent,
            |req| {
                Ok(match &range {
                    Some(r) => req.header(http::header::RANGE, r.as_str()),
                    None => req,
                })
            },
        )
        .await
    }
}

/// A crate error travelling through cloud-core's download machinery.
#[derive(Debug)]
struct Carried(Error);

impl std::fmt::Display for Carried {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Carried {}

fn into_core(e: Error) -> cloud_core::Error {
    let base = match e.core() {
        Some(c) => cloud_core::Error::new(c.kind().clone()).context(c.error_context().clone()),
        None => cloud_core::Error::invalid_input(e.message().to_owned()),
    };
    base.source_error(Carried(e))
}

/// Gets the crate error back out of a cloud-core error, or converts it.
fn from_core_keep(e: cloud_core::Error) -> Error {
    if let Some(carried) = std::error::Error::source(&e).and_then(|s| s.downcast_ref::<Carried>()) {
        return clone_error(&carried.0);
    }
    Error::from(e)
}

fn clone_error(e: &Error) -> Error {
    match e.core() {
        Some(c) => Error::from_kind(c.kind().clone(), e.message(), c.error_context().clone()),
        None => Error::InvalidInput(e.message().to_owned()),
    }
}
