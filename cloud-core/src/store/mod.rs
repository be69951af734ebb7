//! (feature `object-store`) One [`object_store::ObjectStore`] over any provider's folder tree.
//!
//! A provider crate implements [`Backend`], a handful of calls over its own client (look up
//! a name in a folder, list a folder, create a folder, upload, download a range, delete,
//! and copy or rename where the provider has them), and wraps a [`TreeStore`] of it. The
//! store does the rest once for every provider:
//!
//! - **paths** ([`names`]): each segment of an `object_store` path is a provider name, as the
//!   path holds it;
//! - **folders are implied**: a put creates the missing parent folders (one creator per
//!   folder however many puts race into it); listings report files only, and a folder as a
//!   common prefix; a folder left empty by a delete stays (as in a local file system);
//! - **the path -> folder cache** ([`cache`]) of id-addressed providers, with its invalidation;
//! - **conditional requests**: `if_match`/`if_none_match`/`if_(un)modified_since` checked
//!   against the entry the provider reports (its tag and time), `PutMode::Create` refused
//!   when the name is taken, `PutMode::Update` answered `NotImplemented` (no provider of the
//!   family has a compare-and-swap write);
//! - **ranges**: every `GetRange`, sent as one `Range` header;
//! - **multipart**: the provider's chunked upload where the backend has one, else a
//!   [`Spool`](spool::Spool): parts in memory up to 8 MiB, then in a temporary file; the
//!   object appears at `complete` only, an aborted upload leaves nothing;
//! - **copy and rename**: the provider's own where it has one, else download and upload
//!   (and delete for a rename); a taken destination is replaced, or refused with
//!   `AlreadyExists` for the `Create` modes. No provider replaces atomically: the old
//!   object is deleted first, so a copy or rename that fails may have removed it (and an
//!   old object already gone when it is deleted counts as deleted). A provider's auto-rename (`name (1).ext`) never
//!   stands: the backend is always told which entry a write replaces;
//! - **errors** ([`error`]): `object_store::Error` kinds, the provider's error as the source.

pub mod cache;
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod conformance;
pub mod error;
pub mod names;
mod newtype;
pub mod spool;

/// The `object_store` crate this module implements (0.13), so that provider crates and their
/// users name one version.
pub use object_store;

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt, TryFutureExt, TryStreamExt};
use object_store::path::Path;
use object_store::{
    CopyMode, CopyOptions, GetOptions, GetResult, GetResultPayload, ListResult, MultipartUpload,
    ObjectMeta, ObjectStore, PutMode, PutMultipartOptions, PutOptions, PutPayload, PutResult,
    RenameOptions, RenameTargetMode, UploadPart,
};

use crate::ErrorKind;
pub use spool::Payload;

/// One file or folder as a provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<H> {
    /// The provider's address of it: an id, or its path for path-addressed providers.
    pub handle: H,
    /// Its name in its folder.
    pub name: String,
    /// True for a folder.
    pub is_folder: bool,
    /// Size in bytes (0 for a folder).
    pub size: u64,
    /// Last modification.
    pub last_modified: DateTime<Utc>,
    /// A tag that changes with the content (the provider's checksum or etag), when it has one.
    pub e_tag: Option<String>,
    /// A version id, when the provider has one.
    pub version: Option<String>,
}

impl<H> Entry<H> {
    /// A folder known only by its handle (path-addressed providers need no lookup for it).
    pub fn folder(handle: H, name: impl Into<String>) -> Self {
        Entry {
            handle,
            name: name.into(),
            is_folder: true,
            size: 0,
            last_modified: DateTime::<Utc>::UNIX_EPOCH,
            e_tag: None,
            version: None,
        }
    }

    fn meta(&self, location: Path) -> ObjectMeta {
        ObjectMeta {
            location,
            last_modified: self.last_modified,
            size: self.size,
            e_tag: self.e_tag.clone(),
            version: self.version.clone(),
        }
    }
}

/// What a provider does natively; the store emulates the rest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capabilities {
    upload_replaces: bool,
    case_insensitive: bool,
}

impl Capabilities {
    /// Nothing beyond the basics.
    pub const fn new() -> Self {
        Capabilities {
            upload_replaces: false,
            case_insensitive: false,
        }
    }

    /// An upload to a taken name replaces that file in place (so an overwriting put needs
    /// no lookup first).
    pub const fn upload_replaces(mut self, yes: bool) -> Self {
        self.upload_replaces = yes;
        self
    }

    /// Names that differ only in case collide. A put to `A.txt` beside `a.txt` is then
    /// refused with `AlreadyExists`, and a get of `A.txt` is `NotFound` (paths stay
    /// case-sensitive).
    pub const fn case_insensitive(mut self, yes: bool) -> Self {
        self.case_insensitive = yes;
        self
    }

    /// See [`Capabilities::upload_replaces`].
    pub const fn replaces_on_upload(&self) -> bool {
        self.upload_replaces
    }

    /// See [`Capabilities::case_insensitive`].
    pub const fn is_case_insensitive(&self) -> bool {
        self.case_insensitive
    }
}

/// A provider's own multipart upload of one file (a session with numbered parts), as the
/// store drives it: parts numbered from 1 in the order the caller hands them over, sent
/// concurrently and in any order; the file appears at `complete` only.
#[async_trait]
pub trait PartUpload: Send + Sync + fmt::Debug + 'static {
    /// The provider's address of an entry.
    type Handle: Clone + fmt::Debug + Send + Sync + 'static;
    /// The provider error.
    type Error: std::error::Error + Send + Sync + 'static;
    /// Sends part `number` (1-based). A part sent again replaces the first.
    async fn put_part(&self, number: u32, part: Bytes) -> Result<(), Self::Error>;
    /// Joins parts `1..=parts` (at least one) into the file and returns it.
    async fn complete(&self, parts: u32) -> Result<Entry<Self::Handle>, Self::Error>;
    /// Gives the upload up: nothing of it is left.
    async fn abort(&self) -> Result<(), Self::Error>;
}

/// A boxed [`PartUpload`] of a backend.
pub type BoxPartUpload<H, E> = Box<dyn PartUpload<Handle = H, Error = E>>;

/// A boxed stream of a download's bytes.
pub type ByteStream<E> = BoxStream<'static, Result<Bytes, E>>;

/// The calls of one provider that a [`TreeStore`] is built on.
#[async_trait]
pub trait Backend: fmt::Debug + fmt::Display + Send + Sync + 'static {
    /// The provider's address of an entry (an id, or a path).
    type Handle: Clone + fmt::Debug + Send + Sync + 'static;
    /// The provider crate's error.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The store's name in `object_store::Error::Generic`.
    const STORE: &'static str;

    /// The class of a provider error.
    fn error_kind(error: &Self::Error) -> ErrorKind;

    /// What the provider does natively.
    fn capabilities(&self) -> Capabilities {
        Capabilities::new()
    }

    /// For path-addressed providers: the handle of the folder at `segments`, without a
    /// request. `None` (the default) makes the store look folders up from the root.
    fn folder_handle(&self, segments: &[&str]) -> Option<Self::Handle> {
        let _ = segments;
        None
    }

    /// The root folder.
    async fn root(&self) -> Result<Entry<Self::Handle>, Self::Error>;

    /// The entry called `name` in `folder` (for a case-insensitive provider, the one whose
    /// name equals it ignoring case), `None` when there is none.
    async fn lookup(
        &self,
        folder: &Entry<Self::Handle>,
        name: &str,
    ) -> Result<Option<Entry<Self::Handle>>, Self::Error>;

    /// Every entry of `folder`, page after page.
    fn list(
        &self,
        folder: &Entry<Self::Handle>,
    ) -> BoxStream<'static, Result<Entry<Self::Handle>, Self::Error>>;

    /// Creates the folder `name` in `parent` and returns it.
    async fn create_folder(
        &self,
        parent: &Entry<Self::Handle>,
        name: &str,
    ) -> Result<Entry<Self::Handle>, Self::Error>;

    /// Writes the file `name` in `parent`, replacing `replace` (the file now at that name,
    /// if any): never under another name.
    async fn upload(
        &self,
        parent: &Entry<Self::Handle>,
        name: &str,
        replace: Option<&Entry<Self::Handle>>,
        payload: &Payload,
    ) -> Result<Entry<Self::Handle>, Self::Error>;

    /// The provider's own multipart upload of the file `name` in `parent` (replacing
    /// `replace`: never under another name), where it has one; `Ok(None)` (the default)
    /// makes the store spool the parts and [`upload`](Backend::upload) them at `complete`.
    async fn part_upload(
        &self,
        parent: &Entry<Self::Handle>,
        name: &str,
        replace: Option<&Entry<Self::Handle>>,
    ) -> Result<Option<BoxPartUpload<Self::Handle, Self::Error>>, Self::Error> {
        let _ = (parent, name, replace);
        Ok(None)
    }

    /// The bytes `range` of `file` (never an empty range).
    async fn download(
        &self,
        file: &Entry<Self::Handle>,
        range: Range<u64>,
    ) -> Result<ByteStream<Self::Error>, Self::Error>;

    /// Deletes `file` (or sends it to the trash, where that is what the provider does).
    async fn delete(&self, file: &Entry<Self::Handle>) -> Result<(), Self::Error>;

    /// Copies `file` to `name` in `parent` natively, replacing `replace`: `Ok(true)` when
    /// done, `Ok(false)` (the default) makes the store download and upload it.
    async fn copy(
        &self,
        file: &Entry<Self::Handle>,
        parent: &Entry<Self::Handle>,
        name: &str,
        replace: Option<&Entry<Self::Handle>>,
    ) -> Result<bool, Self::Error> {
        let _ = (file, parent, name, replace);
        Ok(false)
    }

    /// Moves `file` to `name` in `parent` natively, replacing `replace`: `Ok(true)` when
    /// done, `Ok(false)` (the default) makes the store copy it and delete the source.
    async fn rename(
        &self,
        file: &Entry<Self::Handle>,
        parent: &Entry<Self::Handle>,
        name: &str,
        replace: Option<&Entry<Self::Handle>>,
    ) -> Result<bool, Self::Error> {
        let _ = (file, parent, name, replace);
        Ok(false)
    }
}

/// Options of a [`TreeStore`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StoreOptions {
    spill_threshold: usize,
    concurrency: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            spill_threshold: spool::DEFAULT_SPILL_THRESHOLD,
            concurrency: 8,
        }
    }
}

impl StoreOptions {
    /// How much of a buffered multipart upload (or of an emulated copy) is kept in memory
    /// before the rest goes to a temporary file (default 8 MiB).
    pub fn spill_threshold(mut self, bytes: usize) -> Self {
        self.spill_threshold = bytes;
        self
    }

    /// How many requests a bulk call (`delete_stream`) has in flight (default 8).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }
}

struct Inner<B: Backend> {
    backend: B,
    folders: cache::FolderCache<Entry<B::Handle>>,
    options: StoreOptions,
}

/// An [`ObjectStore`] over a provider [`Backend`]. Cheap to clone (clones share the client
/// and the folder cache).
pub struct TreeStore<B: Backend> {
    inner: Arc<Inner<B>>,
}

impl<B: Backend> Clone for TreeStore<B> {
    fn clone(&self) -> Self {
        TreeStore {
            inner: self.inner.clone(),
        }
    }
}

impl<B: Backend> fmt::Debug for TreeStore<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TreeStore")
            .field("backend", &self.inner.backend)
            .field("cached_folders", &self.inner.folders.len())
            .finish()
    }
}

impl<B: Backend> fmt::Display for TreeStore<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner.backend, f)
    }
}

type OsResult<T> = object_store::Result<T>;

fn err_of<B: Backend>(path: &str, e: B::Error) -> object_store::Error {
    let kind = B::error_kind(&e);
    error::map_error(B::STORE, &kind, path, e)
}

fn is_not_found<B: Backend>(e: &B::Error) -> bool {
    B::error_kind(e) == ErrorKind::NotFound
}

/// A delete's result, "not found" taken as done: the object is gone either way. A backend
/// deleting the object a copy or rename replaces wants this, because a delete whose answer
/// was lost is sent again (it is idempotent) and then answered 404.
pub fn gone<B: Backend>(r: Result<(), B::Error>) -> Result<(), B::Error> {
    match r {
        Err(e) if is_not_found::<B>(&e) => Ok(()),
        r => r,
    }
}

fn split_last<'a>(segs: &'a [&'a str], path: &Path) -> OsResult<(&'a [&'a str], &'a str)> {
    match segs.split_last() {
        Some((name, parent)) => Ok((parent, name)),
        None => Err(error::generic(
            "object_store",
            format!("{path:?} names no object (the root is a folder)"),
        )),
    }
}

impl<B: Backend> TreeStore<B> {
    /// A store over `backend` with the default options.
    pub fn new(backend: B) -> Self {
        Self::with_options(backend, StoreOptions::default())
    }

    /// A store over `backend`.
    pub fn with_options(backend: B, options: StoreOptions) -> Self {
        TreeStore {
            inner: Arc::new(Inner {
                backend,
                folders: cache::FolderCache::default(),
                options,
            }),
        }
    }

    /// The backend (and through it the provider client).
    pub fn backend(&self) -> &B {
        &self.inner.backend
    }

    /// Forgets the cached folder at `prefix` and its subtree: call it after moving or
    /// deleting folders with the provider crate's own calls.
    pub fn forget(&self, prefix: &Path) {
        self.inner.folders.evict_subtree(prefix.as_ref());
    }
}

impl<B: Backend> Inner<B> {
    fn caps(&self) -> Capabilities {
        self.backend.capabilities()
    }

    /// The folder at `segs`, `None` when there is none (or a file is there).
    async fn folder(&self, segs: &[&str]) -> OsResult<Option<Entry<B::Handle>>> {
        if let Some(h) = self.backend.folder_handle(segs) {
            let name = segs.last().copied().unwrap_or_default();
            return Ok(Some(Entry::folder(h, name)));
        }
        let key = segs.join("/");
        if let Some(e) = self.folders.get(&key) {
            return Ok(Some(e));
        }
        // The longest cached prefix, then one lookup per segment below it.
        let mut depth = segs.len();
        let mut current = loop {
            if depth == 0 {
                let root = self.backend.root().await.map_err(|e| err_of::<B>("", e))?;
                self.folders.insert("", root.clone());
                break root;
            }
            depth -= 1;
            if let Some(e) = self.folders.get(&segs[..depth].join("/")) {
                break e;
            }
        };
        for (i, name) in segs.iter().enumerate().skip(depth) {
            let here = segs[..=i].join("/");
            match self.backend.lookup(&current, name).await {
                Ok(Some(e)) if e.is_folder && e.name == *name => {
                    self.folders.insert(&here, e.clone());
                    current = e;
                }
                Ok(_) => return Ok(None),
                Err(e) if is_not_found::<B>(&e) => {
                    // A cached folder that is gone: forget it, look again once.
                    self.folders.evict_subtree(&segs[..i].join("/"));
                    return Box::pin(self.folder_uncached(segs)).await;
                }
                Err(e) => return Err(err_of::<B>(&here, e)),
            }
        }
        Ok(Some(current))
    }

    /// The folder at `segs` for a listing: for a path-addressed provider, asked for (one
    /// request), so that a file or nothing at that path lists as empty.
    async fn listed_folder(&self, segs: &[&str]) -> OsResult<Option<Entry<B::Handle>>> {
        let Some((name, parent_segs)) = segs.split_last() else {
            return self.folder(segs).await;
        };
        if self.backend.folder_handle(segs).is_none() {
            return self.folder(segs).await;
        }
        let Some(parent) = self.folder(parent_segs).await? else {
            return Ok(None);
        };
        let found = self
            .lookup(&parent, parent_segs, name, &Path::default())
            .await?;
        Ok(found.filter(|e| e.is_folder && e.name == *name))
    }

    async fn folder_uncached(&self, segs: &[&str]) -> OsResult<Option<Entry<B::Handle>>> {
        let root = self.backend.root().await.map_err(|e| err_of::<B>("", e))?;
        self.folders.insert("", root.clone());
        let mut current = root;
        for (i, name) in segs.iter().enumerate() {
            let here = segs[..=i].join("/");
            match self.backend.lookup(&current, name).await {
                Ok(Some(e)) if e.is_folder && e.name == *name => {
                    self.folders.insert(&here, e.clone());
                    current = e;
                }
                Ok(_) => return Ok(None),
                Err(e) if is_not_found::<B>(&e) => return Ok(None),
                Err(e) => return Err(err_of::<B>(&here, e)),
            }
        }
        Ok(Some(current))
    }

    /// The entry named `name` in `parent` as the provider has it (any case).
    async fn lookup(
        &self,
        parent: &Entry<B::Handle>,
        parent_segs: &[&str],
        name: &str,
        path: &Path,
    ) -> OsResult<Option<Entry<B::Handle>>> {
        match self.backend.lookup(parent, name).await {
            Ok(found) => Ok(found),
            Err(e) if is_not_found::<B>(&e) => {
                // The parent went away (or a cached id is stale): forget it.
                self.folders.evict_subtree(&parent_segs.join("/"));
                Ok(None)
            }
            Err(e) => Err(err_of::<B>(path.as_ref(), e)),
        }
    }

    /// The file at `path`, `None` when there is none.
    async fn file(&self, path: &Path) -> OsResult<Option<Entry<B::Handle>>> {
        let segs = names::segments(path);
        let Some((name, parent_segs)) = segs.split_last() else {
            return Ok(None);
        };
        let Some(parent) = self.folder(parent_segs).await? else {
            return Ok(None);
        };
        let found = self.lookup(&parent, parent_segs, name, path).await?;
        Ok(found.filter(|e| !e.is_folder && e.name == *name))
    }

    async fn file_or_not_found(&self, path: &Path) -> OsResult<Entry<B::Handle>> {
        self.file(path)
            .await?
            .ok_or_else(|| error::not_found(path.as_ref(), "no such file"))
    }

    /// The folder at `segs`, created with its missing parents (one creator per folder).
    async fn ensure_folder(&self, segs: &[&str]) -> OsResult<Entry<B::Handle>> {
        let Some((name, parent_segs)) = segs.split_last() else {
            return self
                .folder(&[])
                .await?
                .ok_or_else(|| error::generic(B::STORE, "the root folder is missing"));
        };
        let key = segs.join("/");
        let path_addressed = self.backend.folder_handle(segs).is_some();
        if !path_addressed {
            if let Some(f) = self.folder(segs).await? {
                return Ok(f);
            }
        }
        let lock = self.folders.creation_lock(&key);
        let _one_creator = lock.lock().await;
        // Another put may have created it while this one waited (or, for a path-addressed
        // provider, it may simply be there).
        if let Some(parent) = self.folder(parent_segs).await? {
            if let Some(existing) = self
                .lookup(&parent, parent_segs, name, &Path::default())
                .await?
            {
                if existing.is_folder && existing.name == *name {
                    self.folders.insert(&key, existing.clone());
                    return Ok(existing);
                }
                return Err(error::already_exists(
                    &key,
                    &format!("{:?} is where a folder must go", existing.name),
                ));
            }
        }
        let parent = Box::pin(self.ensure_folder(parent_segs)).await?;
        match self.backend.create_folder(&parent, name).await {
            Ok(created) => {
                self.folders.insert(&key, created.clone());
                Ok(created)
            }
            Err(e) if B::error_kind(&e) == ErrorKind::Conflict => {
                // Created by someone else meanwhile.
                match self
                    .lookup(&parent, parent_segs, name, &Path::default())
                    .await?
                {
                    Some(f) if f.is_folder && f.name == *name => Ok(f),
                    _ => Err(err_of::<B>(&key, e)),
                }
            }
            Err(e) => Err(err_of::<B>(&key, e)),
        }
    }

    /// What a write to `path` replaces: `Ok(None)` for a free name. Refuses a taken name
    /// under `create`, a folder in the way, and a name that differs only in case.
    async fn target(
        &self,
        path: &Path,
        create: bool,
    ) -> OsResult<(Option<Entry<B::Handle>>, Option<Entry<B::Handle>>)> {
        let segs = names::segments(path);
        let (parent_segs, name) = split_last(&segs, path)?;
        let Some(parent) = self.folder(parent_segs).await? else {
            return Ok((None, None));
        };
        let existing = self.lookup(&parent, parent_segs, name, path).await?;
        if let Some(e) = &existing {
            if e.name != name {
                return Err(error::already_exists(
                    path.as_ref(),
                    &format!("the provider's names ignore case and {:?} is taken", e.name),
                ));
            }
            if e.is_folder {
                return Err(error::already_exists(
                    path.as_ref(),
                    "a folder is at this path",
                ));
            }
            if create {
                return Err(error::already_exists(path.as_ref(), "the object exists"));
            }
        }
        Ok((Some(parent), existing))
    }

    async fn put_payload(
        &self,
        path: &Path,
        payload: Payload,
        create: bool,
    ) -> OsResult<PutResult> {
        let segs = names::segments(path);
        let (parent_segs, name) = split_last(&segs, path)?;
        let fast = !create && self.caps().replaces_on_upload();
        let (parent, existing) = if fast {
            (self.folder(parent_segs).await?, None)
        } else {
            self.target(path, create).await?
        };
        let parent = match parent {
            Some(p) => p,
            None => self.ensure_folder(parent_segs).await?,
        };
        let written = self
            .upload_to(parent_segs, parent, name, existing.as_ref(), &payload, path)
            .await?;
        Ok(PutResult {
            e_tag: written.e_tag,
            version: written.version,
        })
    }

    /// Uploads to `name` in `parent`; a "not found" (a path-addressed parent that is
    /// missing, or a stale cached one) makes the folders and tries once more.
    async fn upload_to(
        &self,
        parent_segs: &[&str],
        parent: Entry<B::Handle>,
        name: &str,
        existing: Option<&Entry<B::Handle>>,
        payload: &Payload,
        path: &Path,
    ) -> OsResult<Entry<B::Handle>> {
        match self.backend.upload(&parent, name, existing, payload).await {
            Ok(e) => Ok(e),
            Err(e) if is_not_found::<B>(&e) => {
                self.folders.evict_subtree(&parent_segs.join("/"));
                let parent = self.ensure_folder(parent_segs).await?;
                self.backend
                    .upload(&parent, name, existing, payload)
                    .await
                    .map_err(|e| err_of::<B>(path.as_ref(), e))
            }
            Err(e) => Err(err_of::<B>(path.as_ref(), e)),
        }
    }

    async fn native_copy(
        &self,
        remove: bool,
        src: &Entry<B::Handle>,
        parent: &Entry<B::Handle>,
        name: &str,
        existing: Option<&Entry<B::Handle>>,
    ) -> Result<bool, B::Error> {
        if remove {
            self.backend.rename(src, parent, name, existing).await
        } else {
            self.backend.copy(src, parent, name, existing).await
        }
    }

    /// The whole of `file` in a payload (memory, then a temporary file).
    async fn fetch_all(&self, file: &Entry<B::Handle>, path: &Path) -> OsResult<Payload> {
        let mut spool = spool::Spool::new(self.options.spill_threshold);
        if file.size > 0 {
            let mut body = self
                .backend
                .download(file, 0..file.size)
                .await
                .map_err(|e| err_of::<B>(path.as_ref(), e))?;
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| err_of::<B>(path.as_ref(), e))?;
                spool
                    .push(PutPayload::from(chunk))
                    .await
                    .map_err(|e| io_err(B::STORE, e))?;
            }
        }
        spool.finish().await.map_err(|e| io_err(B::STORE, e))
    }

    async fn copy_or_move(
        &self,
        from: &Path,
        to: &Path,
        create: bool,
        remove: bool,
    ) -> OsResult<()> {
        let src = self.file_or_not_found(from).await?;
        if from == to {
            // Onto itself: nothing to do (replacing the target would delete the source).
            return if create {
                Err(error::already_exists(to.as_ref(), "the object exists"))
            } else {
                Ok(())
            };
        }
        let segs = names::segments(to);
        let (parent_segs, name) = split_last(&segs, to)?;
        let (parent, existing) = self.target(to, create).await?;
        let parent = match parent {
            Some(p) => p,
            None => self.ensure_folder(parent_segs).await?,
        };
        let native = match self
            .native_copy(remove, &src, &parent, name, existing.as_ref())
            .await
        {
            Err(e) if is_not_found::<B>(&e) => {
                // A missing destination folder (path-addressed) or a stale cached one.
                self.folders.evict_subtree(&parent_segs.join("/"));
                let parent = self.ensure_folder(parent_segs).await?;
                self.native_copy(remove, &src, &parent, name, existing.as_ref())
                    .await
            }
            other => other,
        };
        match native.map_err(|e| err_of::<B>(to.as_ref(), e))? {
            true => Ok(()),
            false => {
                let payload = self.fetch_all(&src, from).await?;
                self.upload_to(parent_segs, parent, name, existing.as_ref(), &payload, to)
                    .await?;
                if remove {
                    // Gone either way: a delete whose answer was lost is sent again, and 404s.
                    gone::<B>(self.backend.delete(&src).await)
                        .map_err(|e| err_of::<B>(from.as_ref(), e))?;
                }
                Ok(())
            }
        }
    }

    /// The backend's own multipart upload to `location`, if it has one.
    async fn native_multipart(
        self: &Arc<Self>,
        location: &Path,
        parent_segs: &[&str],
        name: &str,
    ) -> OsResult<Option<Box<dyn MultipartUpload>>> {
        let (parent, existing) = self.target(location, false).await?;
        let parent = match parent {
            Some(p) => p,
            None => self.ensure_folder(parent_segs).await?,
        };
        let started = match self
            .backend
            .part_upload(&parent, name, existing.as_ref())
            .await
        {
            Err(e) if is_not_found::<B>(&e) => {
                self.folders.evict_subtree(&parent_segs.join("/"));
                let parent = self.ensure_folder(parent_segs).await?;
                self.backend
                    .part_upload(&parent, name, existing.as_ref())
                    .await
            }
            other => other,
        };
        let Some(session) = started.map_err(|e| err_of::<B>(location.as_ref(), e))? else {
            return Ok(None);
        };
        Ok(Some(Box::new(NativeUpload::<B> {
            inner: self.clone(),
            location: location.clone(),
            session: Arc::from(session),
            parts: 0,
            done: false,
        })))
    }

    async fn delete(&self, path: &Path) -> OsResult<()> {
        match self.file(path).await? {
            None => Ok(()),
            Some(f) => {
                gone::<B>(self.backend.delete(&f).await).map_err(|e| err_of::<B>(path.as_ref(), e))
            }
        }
    }
}

fn io_err(store: &'static str, e: std::io::Error) -> object_store::Error {
    object_store::Error::Generic {
        store,
        source: Box::new(e),
    }
}

/// The `Range` header value asking for `range` of a file of `size` bytes, `None` for the
/// whole file (a backend's [`download`](Backend::download) sends it as it is).
pub fn range_header(range: &Range<u64>, size: u64) -> Option<String> {
    let whole = range.start == 0 && range.end >= size;
    (!whole).then(|| format!("bytes={}-{}", range.start, range.end.saturating_sub(1)))
}

/// Checks that an answer of `status` to a request for `range` of a `size`-byte file holds that
/// range: a partial range answered without `206 Partial Content` (the whole file) is an error
/// (its message), so that no caller reads the wrong bytes.
pub fn check_range_answer(status: u16, range: &Range<u64>, size: u64) -> Result<(), String> {
    if range_header(range, size).is_some() && status != 206 {
        return Err(format!(
            "asked for bytes {range:?}, answered {status} without a range"
        ));
    }
    Ok(())
}

/// Puts the local file `file` at `location` of any `store` as a multipart upload of
/// `part_size` parts, at most `in_flight` of them sent at once: memory stays about
/// `part_size * in_flight` whatever the file's size. Returns the bytes sent.
///
/// ```no_run
/// # async fn run(store: &dyn object_store::ObjectStore) -> object_store::Result<()> {
/// use object_store::path::Path;
/// let sent = cloud_core::store::put_file(store, &Path::from("backups/disk.img"),
///                                        std::path::Path::new("disk.img"), 8 << 20, 4).await?;
/// # Ok(()) }
/// ```
pub async fn put_file(
    store: &dyn ObjectStore,
    location: &Path,
    file: &std::path::Path,
    part_size: usize,
    in_flight: usize,
) -> OsResult<u64> {
    use object_store::ObjectStoreExt;
    use tokio::io::AsyncReadExt;
    let io = |e: std::io::Error| io_err("local file", e);
    let mut f = tokio::fs::File::open(file).await.map_err(io)?;
    let upload = store.put_multipart(location).await?;
    let mut w = object_store::WriteMultipart::new_with_chunk_size(upload, part_size.max(1));
    let mut buf = vec![0u8; 1 << 20];
    let mut sent = 0u64;
    loop {
        let n = match f.read(&mut buf).await {
            Ok(n) => n,
            Err(e) => {
                let _ = w.abort().await;
                return Err(io(e));
            }
        };
        if n == 0 {
            break;
        }
        w.wait_for_capacity(in_flight.max(1)).await?;
        w.write(&buf[..n]);
        sent += n as u64;
    }
    w.finish().await?;
    Ok(sent)
}

/// `body`, cut at `expected` bytes, and failing if it ends before them (a cut body is an
/// error, never a short object).
fn exact_len(
    body: BoxStream<'static, OsResult<Bytes>>,
    expected: u64,
    store: &'static str,
) -> BoxStream<'static, OsResult<Bytes>> {
    futures::stream::unfold(
        (body, 0u64, false),
        move |(mut body, seen, done)| async move {
            if done || (seen >= expected && expected > 0) {
                return None;
            }
            match body.next().await {
                Some(Ok(mut b)) => {
                    let left = expected - seen;
                    if b.len() as u64 > left {
                        b.truncate(left as usize);
                    }
                    let seen = seen + b.len() as u64;
                    Some((Ok(b), (body, seen, false)))
                }
                Some(Err(e)) => Some((Err(e), (body, seen, true))),
                None if seen < expected => Some((
                    Err(error::generic(
                        store,
                        format!("the body ended after {seen} of {expected} bytes"),
                    )),
                    (body, seen, true),
                )),
                None => None,
            }
        },
    )
    .boxed()
}

/// A folder listing in progress.
type Listing<B> = (
    Path,
    BoxStream<'static, Result<Entry<<B as Backend>::Handle>, <B as Backend>::Error>>,
);

/// The folders still to list, and the one being listed.
type WalkState<B> = (
    Vec<(Path, Entry<<B as Backend>::Handle>)>,
    Option<Listing<B>>,
);

/// Every file under the folder `root` (at `base`), depth first, one folder listing at a time.
fn walk<B: Backend>(
    inner: Arc<Inner<B>>,
    base: Path,
    root: Entry<B::Handle>,
) -> BoxStream<'static, OsResult<ObjectMeta>> {
    let state: WalkState<B> = (vec![(base, root)], None);
    futures::stream::try_unfold(state, move |(mut stack, mut current)| {
        let inner = inner.clone();
        async move {
            loop {
                if let Some((at, listing)) = current.as_mut() {
                    match listing.next().await {
                        Some(Ok(e)) => {
                            let location = names::child(at, &e.name);
                            if e.is_folder {
                                inner.folders.insert(location.as_ref(), e.clone());
                                stack.push((location, e));
                                continue;
                            }
                            let meta = e.meta(location);
                            return Ok(Some((meta, (stack, current))));
                        }
                        // A folder removed while it was listed has nothing left to list.
                        Some(Err(e)) if is_not_found::<B>(&e) => current = None,
                        Some(Err(e)) => return Err(err_of::<B>(at.as_ref(), e)),
                        None => current = None,
                    }
                } else if let Some((at, folder)) = stack.pop() {
                    let listing = inner.backend.list(&folder);
                    current = Some((at, listing));
                } else {
                    return Ok(None);
                }
            }
        }
    })
    .boxed()
}

#[async_trait]
impl<B: Backend> ObjectStore for TreeStore<B> {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> OsResult<PutResult> {
        if !opts.attributes.is_empty() || !opts.tags.encoded().is_empty() {
            return Err(object_store::Error::NotImplemented {
                operation: "put_opts with attributes or tags (the provider keeps neither)".into(),
                implementer: B::STORE.into(),
            });
        }
        let create = match opts.mode {
            PutMode::Overwrite => false,
            PutMode::Create => true,
            PutMode::Update(_) => {
                return Err(object_store::Error::NotImplemented {
                    operation: "put_opts with PutMode::Update (a compare-and-swap write)".into(),
                    implementer: B::STORE.into(),
                })
            }
        };
        self.inner
            .put_payload(location, Payload::from_put(payload), create)
            .await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> OsResult<Box<dyn MultipartUpload>> {
        if !opts.attributes.is_empty() || !opts.tags.encoded().is_empty() {
            return Err(object_store::Error::NotImplemented {
                operation:
                    "put_multipart_opts with attributes or tags (the provider keeps neither)".into(),
                implementer: B::STORE.into(),
            });
        }
        let segs = names::segments(location);
        let (parent_segs, name) = split_last(&segs, location)?;
        if let Some(native) = self
            .inner
            .native_multipart(location, parent_segs, name)
            .await?
        {
            return Ok(native);
        }
        Ok(Box::new(SpooledUpload {
            inner: self.inner.clone(),
            location: location.clone(),
            spool: Some(spool::Spool::new(self.inner.options.spill_threshold)),
        }))
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> OsResult<GetResult> {
        if options.version.is_some() {
            return Err(object_store::Error::NotSupported {
                source: format!("{} keeps no versions", B::STORE).into(),
            });
        }
        let file = self.inner.file_or_not_found(location).await?;
        let meta = file.meta(location.clone());
        options.check_preconditions(&meta)?;
        let range = match &options.range {
            Some(r) => r
                .as_range(meta.size)
                .map_err(|e| object_store::Error::Generic {
                    store: B::STORE,
                    source: Box::new(e),
                })?,
            None => 0..meta.size,
        };
        let payload: BoxStream<'static, OsResult<Bytes>> = if options.head || range.is_empty() {
            futures::stream::empty().boxed()
        } else {
            let at = location.to_string();
            let body = self
                .inner
                .backend
                .download(&file, range.clone())
                .await
                .map_err(|e| err_of::<B>(&at, e))?
                .map_err(move |e| err_of::<B>(&at, e))
                .boxed();
            exact_len(body, range.end - range.start, B::STORE)
        };
        Ok(GetResult {
            payload: GetResultPayload::Stream(payload),
            meta,
            range,
            attributes: Default::default(),
        })
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, OsResult<Path>>,
    ) -> BoxStream<'static, OsResult<Path>> {
        let inner = self.inner.clone();
        let n = inner.options.concurrency;
        locations
            .map(move |p| {
                let inner = inner.clone();
                async move {
                    let p = p?;
                    inner.delete(&p).await.map(|()| p)
                }
            })
            .buffered(n)
            .boxed()
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, OsResult<ObjectMeta>> {
        let inner = self.inner.clone();
        let base = prefix.cloned().unwrap_or_default();
        futures::stream::once(async move {
            let segs = names::segments(&base);
            let walked = match inner.listed_folder(&segs).await {
                Ok(Some(folder)) => walk(inner.clone(), base.clone(), folder),
                Ok(None) => futures::stream::empty().boxed(),
                Err(e) => futures::stream::once(futures::future::ready(Err(e))).boxed(),
            };
            walked
        })
        .flatten()
        .boxed()
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> OsResult<ListResult> {
        let base = prefix.cloned().unwrap_or_default();
        let segs = names::segments(&base);
        let mut result = ListResult {
            common_prefixes: Vec::new(),
            objects: Vec::new(),
        };
        let Some(folder) = self.inner.listed_folder(&segs).await? else {
            return Ok(result);
        };
        let mut listing = self.inner.backend.list(&folder);
        while let Some(e) = listing.next().await {
            let e = match e {
                Ok(e) => e,
                Err(e) if is_not_found::<B>(&e) => break,
                Err(e) => return Err(err_of::<B>(base.as_ref(), e)),
            };
            let location = names::child(&base, &e.name);
            if e.is_folder {
                self.inner.folders.insert(location.as_ref(), e.clone());
                result.common_prefixes.push(location);
            } else {
                result.objects.push(e.meta(location));
            }
        }
        result.common_prefixes.sort();
        result.objects.sort_by(|a, b| a.location.cmp(&b.location));
        Ok(result)
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> OsResult<()> {
        let create = matches!(options.mode, CopyMode::Create);
        self.inner.copy_or_move(from, to, create, false).await
    }

    async fn rename_opts(&self, from: &Path, to: &Path, options: RenameOptions) -> OsResult<()> {
        let create = matches!(options.target_mode, RenameTargetMode::Create);
        self.inner.copy_or_move(from, to, create, true).await
    }
}

/// A multipart upload buffered in a [`Spool`](spool::Spool) and written at `complete`.
struct SpooledUpload<B: Backend> {
    inner: Arc<Inner<B>>,
    location: Path,
    spool: Option<spool::Spool>,
}

impl<B: Backend> fmt::Debug for SpooledUpload<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpooledUpload")
            .field("location", &self.location)
            .field("spool", &self.spool)
            .finish()
    }
}

#[async_trait]
impl<B: Backend> MultipartUpload for SpooledUpload<B> {
    fn put_part(&mut self, data: PutPayload) -> UploadPart {
        let store = B::STORE;
        match self.spool.as_mut() {
            Some(s) => FutureExt::boxed(TryFutureExt::map_err(s.push(data), move |e| {
                io_err(store, e)
            })),
            None => FutureExt::boxed(futures::future::ready(Err(error::generic(
                store,
                "the upload was completed or aborted",
            )))),
        }
    }

    async fn complete(&mut self) -> OsResult<PutResult> {
        let Some(spool) = self.spool.take() else {
            return Err(error::generic(
                B::STORE,
                "the upload was completed or aborted",
            ));
        };
        let payload = spool.finish().await.map_err(|e| io_err(B::STORE, e))?;
        self.inner.put_payload(&self.location, payload, false).await
    }

    async fn abort(&mut self) -> OsResult<()> {
        self.spool = None;
        Ok(())
    }
}

/// A multipart upload through the backend's own sessions ([`PartUpload`]).
struct NativeUpload<B: Backend> {
    inner: Arc<Inner<B>>,
    location: Path,
    session: Arc<dyn PartUpload<Handle = B::Handle, Error = B::Error>>,
    parts: u32,
    done: bool,
}

impl<B: Backend> fmt::Debug for NativeUpload<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeUpload")
            .field("location", &self.location)
            .field("session", &self.session)
            .field("parts", &self.parts)
            .finish()
    }
}

#[async_trait]
impl<B: Backend> MultipartUpload for NativeUpload<B> {
    fn put_part(&mut self, data: PutPayload) -> UploadPart {
        if self.done {
            return FutureExt::boxed(futures::future::ready(Err(error::generic(
                B::STORE,
                "the upload was completed or aborted",
            ))));
        }
        self.parts += 1;
        let (number, session, at) = (self.parts, self.session.clone(), self.location.to_string());
        let bytes = spool::joined(data);
        FutureExt::boxed(async move {
            session
                .put_part(number, bytes)
                .await
                .map_err(|e| err_of::<B>(&at, e))
        })
    }

    async fn complete(&mut self) -> OsResult<PutResult> {
        if std::mem::replace(&mut self.done, true) {
            return Err(error::generic(
                B::STORE,
                "the upload was completed or aborted",
            ));
        }
        let at = self.location.to_string();
        if self.parts == 0 {
            // A session of no parts cannot be completed: an empty put instead.
            self.session
                .abort()
                .await
                .map_err(|e| err_of::<B>(&at, e))?;
            return self
                .inner
                .put_payload(&self.location, Payload::Bytes(Bytes::new()), false)
                .await;
        }
        let written = self
            .session
            .complete(self.parts)
            .await
            .map_err(|e| err_of::<B>(&at, e))?;
        Ok(PutResult {
            e_tag: written.e_tag,
            version: written.version,
        })
    }

    async fn abort(&mut self) -> OsResult<()> {
        if std::mem::replace(&mut self.done, true) {
            return Ok(());
        }
        self.session
            .abort()
            .await
            .map_err(|e| err_of::<B>(self.location.as_ref(), e))
    }
}

#[cfg(test)]
mod tests {
    use super::{check_range_answer, range_header};

    #[test]
    fn a_range_is_asked_for_unless_it_is_the_whole_file() {
        assert_eq!(range_header(&(0..10), 10), None);
        assert_eq!(range_header(&(0..4), 10).as_deref(), Some("bytes=0-3"));
        assert_eq!(range_header(&(7..10), 10).as_deref(), Some("bytes=7-9"));
        assert!(check_range_answer(200, &(0..10), 10).is_ok());
        assert!(check_range_answer(206, &(2..5), 10).is_ok());
        let whole_for_part = check_range_answer(200, &(2..5), 10);
        assert!(whole_for_part.is_err_and(|m| m.contains("without a range")));
    }
}
