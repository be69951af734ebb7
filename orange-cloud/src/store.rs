//! (feature `object-store`) [`OrangeStore`]: an [`object_store::ObjectStore`] over an Orange
//! Cloud account, so code written for any object store (DataFusion, parquet, the other
//! crates of this family) reads and writes it.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emu = orange_cloud::emulator::Emulator::start().await?;
//! use object_store::{path::Path, ObjectStoreExt};
//! use orange_cloud::{store::OrangeStore, ApiManager, ApiManagerOptions};
//!
//! let api = ApiManager::new(emu.client_id(), emu.client_secret(), emu.redirect_uri(),
//!                           ApiManagerOptions::default().base_url(&emu.base_url()))?;
//! api.init_with_token(emu.issue_token().refresh_token.expose()).await?;
//! let store = OrangeStore::new(api);
//! let path = Path::from("Vacances/2026/été.txt");
//! store.put(&path, "soleil".into()).await?; // creates Vacances/2026
//! assert_eq!(store.get(&path).await?.bytes().await?.as_ref(), b"soleil");
//! # Ok(()) }
//! ```
//!
//! How each operation is done (the README has the table): items are addressed by id (ids are
//! derived from paths by the service, and change when an item or a folder above it is
//! renamed or moved), so the store keeps a path -> folder-id cache; a name is looked up by
//! listing its folder. Orange stores an upload to a taken name as `stem(1).ext`: the store
//! never lets that stand. A put to a taken name uploads the new file first, under a hidden
//! staging name of its own (`.name.<random>.upload`, so that an upload whose answer was lost
//! can be found and taken away again; a failed upload leaves the old file), then deletes the
//! old one and renames the new one to the name: for a moment both exist, under two names,
//! and the object is briefly missing between the delete and the rename. Orange has no
//! multipart upload: multipart puts are spooled (8 MiB in memory, then a temporary file) and
//! uploaded at `complete`. A copy into
//! another folder under the same free name is the service's own (`clone: true`), a rename in
//! place or a move under the same name too (a taken target is deleted first); other copies
//! and renames are a download and an upload. The ETag is derived from the file's `id`,
//! `size` and `lastUpdateDate` (no content hash).

use std::ops::Range;

use cloud_core::futures::stream::BoxStream;
use cloud_core::futures::{StreamExt, TryStreamExt};
use cloud_core::store::{Backend, ByteStream, Entry, Payload};
use cloud_core::ErrorKind;

use crate::domains::{FolderQuery, UploadOptions};
use crate::models::File;
use crate::{ApiManager, Error, Result};

/// A folder's entries asked for per page.
const PAGE: u64 = 1000;

/// An Orange item: its id and, for a file listed with its URLs, where it downloads from.
#[derive(Clone, PartialEq, Eq)]
pub struct OrangeHandle {
    /// The item's id.
    pub id: String,
    /// The folder it was listed in.
    parent: Option<String>,
    download_url: Option<String>,
}

impl std::fmt::Debug for OrangeHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The download URL carries an access token segment: never printed.
        f.debug_struct("OrangeHandle")
            .field("id", &self.id)
            .field("parent", &self.parent)
            .field("download_url", &self.download_url.as_ref().map(|_| "***"))
            .finish()
    }
}

fn id_only(id: String) -> OrangeHandle {
    OrangeHandle {
        id,
        parent: None,
        download_url: None,
    }
}

/// The Orange Cloud calls under [`OrangeStore`].
#[derive(Debug, Clone)]
pub struct OrangeBackend {
    api: ApiManager,
}

impl OrangeBackend {
    /// The backend over `api` (signed in).
    pub fn new(api: ApiManager) -> Self {
        OrangeBackend { api }
    }

    /// The API manager.
    pub fn api(&self) -> &ApiManager {
        &self.api
    }

    async fn delete_file(&self, id: &str) -> Result<()> {
        self.api.files().delete(id).await
    }
}

impl std::fmt::Display for OrangeBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OrangeStore")
    }
}

cloud_core::store_type! {
    /// An [`object_store::ObjectStore`] over an Orange Cloud account (module docs:
    /// [`crate::store`]).
    pub struct OrangeStore(OrangeBackend);
}

impl OrangeStore {
    /// The store over `api` (signed in), with the default options.
    pub fn new(api: ApiManager) -> Self {
        Self::from_backend(OrangeBackend::new(api))
    }
}

fn file_entry(f: File, parent: Option<String>) -> Entry<OrangeHandle> {
    let last_modified = f
        .last_update_date
        .or(f.creation_date)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH);
    Entry {
        e_tag: Some(format!(
            "{}-{}-{}",
            f.id,
            f.size,
            last_modified.timestamp_millis()
        )),
        handle: OrangeHandle {
            id: f.id,
            parent,
            download_url: f.download_url,
        },
        name: f.name,
        is_folder: false,
        size: f.size,
        last_modified,
        version: None,
    }
}

#[cloud_core::__private::async_trait]
impl Backend for OrangeBackend {
    type Handle = OrangeHandle;
    type Error = Error;
    const STORE: &'static str = "OrangeCloud";

    fn error_kind(error: &Error) -> ErrorKind {
        error.kind()
    }

    async fn root(&self) -> Result<Entry<OrangeHandle>> {
        let root = self
            .api
            .folders()
            .get(None, FolderQuery::default().tree().limit(1))
            .await?;
        Ok(Entry::folder(id_only(root.id), ""))
    }

    async fn lookup(
        &self,
        folder: &Entry<OrangeHandle>,
        name: &str,
    ) -> Result<Option<Entry<OrangeHandle>>> {
        let mut listing = self.list(folder);
        while let Some(e) = listing.next().await {
            let e = e?;
            if e.name == name {
                return Ok(Some(e));
            }
        }
        Ok(None)
    }

    fn list(
        &self,
        folder: &Entry<OrangeHandle>,
    ) -> BoxStream<'static, Result<Entry<OrangeHandle>>> {
        let pages = self.api.folders().get_pages(
            Some(&folder.handle.id),
            FolderQuery::default().showthumbnails(),
            PAGE,
        );
        let at = folder.handle.id.clone();
        match pages {
            Ok(pages) => pages
                .map_ok(move |page| {
                    let at = at.clone();
                    let folders = page
                        .subfolders
                        .into_iter()
                        .map(|f| Entry::folder(id_only(f.id), f.name));
                    let files = page
                        .files
                        .into_iter()
                        .map(move |f| file_entry(f, Some(at.clone())));
                    cloud_core::futures::stream::iter(folders.chain(files).map(Ok))
                })
                .try_flatten()
                .boxed(),
            Err(e) => cloud_core::futures::stream::once(async move { Err(e) }).boxed(),
        }
    }

    async fn create_folder(
        &self,
        parent: &Entry<OrangeHandle>,
        name: &str,
    ) -> Result<Entry<OrangeHandle>> {
        let f = self
            .api
            .folders()
            .create(name, Some(&parent.handle.id))
            .await?;
        Ok(Entry::folder(id_only(f.id), f.name))
    }

    async fn upload(
        &self,
        parent: &Entry<OrangeHandle>,
        name: &str,
        replace: Option<&Entry<OrangeHandle>>,
        payload: &Payload,
    ) -> Result<Entry<OrangeHandle>> {
        let files = self.api.files();
        // Onto a taken name the new file is staged under a name of its own, so that an
        // upload whose answer is lost can still be found and taken away again (the service
        // would store it as `stem(1).ext`, a name that could be anybody's).
        let staged = match replace {
            Some(_) => Some(staging_name(name).map_err(Error::Transport)?),
            None => None,
        };
        let up = match files
            .upload_with(
                payload.upload_source(),
                Some(&parent.handle.id),
                UploadOptions::default()
                    .name(staged.as_deref().unwrap_or(name))
                    .size(payload.len()),
            )
            .await
        {
            Ok(up) => up,
            Err(e) => {
                if let Some(staged) = &staged {
                    self.remove_staged(parent, staged, None).await;
                }
                return Err(e);
            }
        };
        if let Some(staged) = staged.as_deref().filter(|s| *s != up.file_name) {
            // Stored beside its own staged name: the client sent the upload again after a
            // reset (as the original does), and the first one had been made. Take it away.
            self.remove_staged(parent, staged, None).await;
        }
        let mut id = up.file_id;
        if up.file_name != name {
            // Staged, or stored as `stem(1).ext` beside a name taken meanwhile: replace the
            // file there, take its name. Until the old file is gone, a failure takes the new
            // one away again (the put never happened); after, the rename is tried until the
            // name is taken.
            let taken = match self.lookup(parent, name).await {
                Ok(t) => t,
                Err(e) => {
                    self.remove_staged(parent, &up.file_name, Some(&id)).await;
                    return Err(e);
                }
            };
            if let Some(taken) = taken {
                if taken.is_folder {
                    self.remove_staged(parent, &up.file_name, Some(&id)).await;
                    return Err(Error::Transport(cloud_core::Error::with_message(
                        ErrorKind::Conflict,
                        format!("a folder named {name:?} is there"),
                    )));
                }
                if let Err(e) = self.delete_file(&taken.handle.id).await {
                    // A delete whose answer was lost may have been made: then the new file
                    // must stay and take the name, or the put would have lost both (found by
                    // the soak: a failed lookup here took the new file away too).
                    match self.still_there(parent, name).await {
                        Some(false) => {}
                        Some(true) => {
                            self.remove_staged(parent, &up.file_name, Some(&id)).await;
                            return Err(e);
                        }
                        // Not known: the new file stays where it is (a staged name), so
                        // that nothing is lost; the call fails.
                        None => return Err(e),
                    }
                }
            }
            id = self.take_name(&id, parent, name).await?;
        }
        Ok(file_entry(
            files.get(&id).await?,
            Some(parent.handle.id.clone()),
        ))
    }

    async fn download(
        &self,
        file: &Entry<OrangeHandle>,
        range: Range<u64>,
    ) -> Result<ByteStream<Error>> {
        let url = match &file.handle.download_url {
            Some(u) => u.clone(),
            None => self
                .api
                .files()
                .get(&file.handle.id)
                .await?
                .download_url
                .ok_or_else(|| Error::Decode("the file has no downloadUrl".into()))?,
        };
        let header = cloud_core::store::range_header(&range, file.size);
        let (status, body) = self.api.files().download_range(&url, header).await?;
        cloud_core::store::check_range_answer(status.as_u16(), &range, file.size)
            .map_err(Error::Decode)?;
        Ok(body.map_err(Error::Transport).boxed())
    }

    async fn delete(&self, file: &Entry<OrangeHandle>) -> Result<()> {
        self.delete_file(&file.handle.id).await
    }

    async fn copy(
        &self,
        file: &Entry<OrangeHandle>,
        parent: &Entry<OrangeHandle>,
        name: &str,
        replace: Option<&Entry<OrangeHandle>>,
    ) -> Result<bool> {
        if name != file.name || replace.is_some() {
            return Ok(false);
        }
        let copied = self
            .api
            .files()
            .copy(&file.handle.id, &parent.handle.id)
            .await?;
        if copied.name != name {
            // The name was taken meanwhile (copied as `stem(1).ext`): undo, copy by hand.
            self.delete_file(&copied.id).await?;
            return Ok(false);
        }
        Ok(true)
    }

    async fn rename(
        &self,
        file: &Entry<OrangeHandle>,
        parent: &Entry<OrangeHandle>,
        name: &str,
        replace: Option<&Entry<OrangeHandle>>,
    ) -> Result<bool> {
        let Some(from) = &file.handle.parent else {
            return Ok(false);
        };
        let in_place = *from == parent.handle.id;
        if !in_place && name != file.name {
            return Ok(false);
        }
        if let Some(old) = replace {
            cloud_core::store::gone::<Self>(self.delete_file(&old.handle.id).await)?;
        }
        let moved = if in_place {
            self.api.files().rename(&file.handle.id, name).await?
        } else {
            self.api
                .files()
                .r#move(&file.handle.id, &parent.handle.id)
                .await?
        };
        if moved.name != name {
            // Moved as `stem(1).ext` (the name was taken meanwhile): take the name.
            self.api.files().rename(&moved.id, name).await?;
        }
        Ok(true)
    }
}

/// A name of its own for a new file staged beside `name` (hidden, random, never a user's).
fn staging_name(name: &str) -> std::result::Result<String, cloud_core::Error> {
    Ok(format!(
        ".{name}.{}.upload",
        cloud_core::auth::random_hex(6)?
    ))
}

impl OrangeBackend {
    /// Takes a staged upload away again, up to three times: by `id` when it is known, else
    /// by finding `staged` in `parent` (an upload whose answer was lost). Best effort: the
    /// caller's error is the one that counts.
    async fn remove_staged(&self, parent: &Entry<OrangeHandle>, staged: &str, id: Option<&str>) {
        for _ in 0..3 {
            let id = match id {
                Some(id) => id.to_owned(),
                None => match self.lookup(parent, staged).await {
                    Ok(Some(f)) => f.handle.id,
                    Ok(None) => return,
                    Err(_) => continue,
                },
            };
            match self.delete_file(&id).await {
                Ok(()) => return,
                Err(e) if e.kind() == ErrorKind::NotFound => return,
                Err(_) => {}
            }
        }
    }

    /// Whether `name` is in `parent`, looked up to three times; `None` when no lookup answered.
    async fn still_there(&self, parent: &Entry<OrangeHandle>, name: &str) -> Option<bool> {
        for _ in 0..3 {
            if let Ok(found) = self.lookup(parent, name).await {
                return Some(found.is_some());
            }
        }
        None
    }

    /// Renames the staged upload `id` to `name`, up to three times: a rename whose answer was
    /// lost may have been made, so each failure first looks whether the name is taken now.
    async fn take_name(
        &self,
        id: &str,
        parent: &Entry<OrangeHandle>,
        name: &str,
    ) -> Result<String> {
        let mut attempt = 0;
        loop {
            match self.api.files().rename(id, name).await {
                Ok(item) => return Ok(item.id),
                Err(e) => {
                    if let Ok(Some(f)) = self.lookup(parent, name).await {
                        if !f.is_folder {
                            return Ok(f.handle.id);
                        }
                    }
                    attempt += 1;
                    if attempt == 3 {
                        return Err(e);
                    }
                }
            }
        }
    }
}
