//! (feature `object-store`) [`VerizonStore`]: an [`object_store::ObjectStore`] over one
//! folder of a Verizon Cloud account (a virtual folder such as `/VZMOBILE`, or any folder
//! below one: the service takes no uploads into its root), so code written for any object
//! store (DataFusion, parquet, the other crates of this family) reads and writes it.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emu = verizon_pcs::emulator::Emulator::start().await?;
//! # let t = emu.issue_token();
//! use object_store::{path::Path, ObjectStoreExt};
//! use verizon_pcs::{store::VerizonStore, Cloud, CloudOptions};
//!
//! let cloud = Cloud::new(emu.client_key(), emu.client_secret(), emu.callback_url(),
//!     CloudOptions::default().base_url(emu.api_cloud()).access_token(t.access_token))?;
//! let store = VerizonStore::new(cloud, "/VZMOBILE")?;
//! let path = Path::from("trips/2026/notes.txt");
//! store.put(&path, "beach".into()).await?; // creates trips/2026
//! assert_eq!(store.get(&path).await?.bytes().await?.as_ref(), b"beach");
//! assert_eq!(store.head(&path).await?.size, 5);
//! # Ok(()) }
//! ```
//!
//! How each operation is done (the README has the table): files are addressed by path, so
//! folders need no lookup; an upload replaces a taken name (the service bumps the file's
//! `version`); the ETag is the file's SHA-256 `checksum`; the intent of an upload needs the
//! whole file's SHA-256 and size before any byte, so a multipart upload is spooled (8 MiB
//! in memory, then a temporary file) and sent at `complete` by [`Cloud::upload`], in chunks
//! and a commit from 100 MiB on; copy and rename into a folder under the same name are the
//! service's own (`copy`, `move` with `conflictsolve=overwrite`), and so is a rename in
//! place (`rename`); others are a download and an upload; delete is permanent
//! (`purge=true`: the store never fills the trash).

use std::ops::Range;

use cloud_core::futures::stream::BoxStream;
use cloud_core::futures::{StreamExt, TryStreamExt};
use cloud_core::store::{Backend, ByteStream, Capabilities, Entry, Payload};
use cloud_core::ErrorKind;

use crate::fops::{ConflictSolve, FileOpOptions, Item};
use crate::models::{CloudFile, CloudFolder};
use crate::upload::UploadOptions;
use crate::{Cloud, Error, Result};

/// The Verizon Cloud calls under [`VerizonStore`]. Handles are absolute paths.
#[derive(Debug, Clone)]
pub struct VerizonBackend {
    cloud: Cloud,
    root: String,
}

impl VerizonBackend {
    /// The backend over `cloud`, rooted at the folder `root` (`/VZMOBILE`, say).
    pub fn new(cloud: Cloud, root: &str) -> Result<Self> {
        let root = format!("/{}", root.trim_matches('/'));
        if root == "/" {
            return Err(Error::InvalidInput(
                "the store's root must be a folder below /: the service takes no uploads into its root".into(),
            ));
        }
        Ok(VerizonBackend { cloud, root })
    }

    /// The client.
    pub fn cloud(&self) -> &Cloud {
        &self.cloud
    }

    /// The folder the store is rooted at.
    pub fn root_folder(&self) -> &str {
        &self.root
    }
}

impl std::fmt::Display for VerizonBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let base = self.cloud.api_cloud().as_str().trim_end_matches('/');
        write!(f, "VerizonStore({base}{})", self.root)
    }
}

cloud_core::store_type! {
    /// An [`object_store::ObjectStore`] over a folder of a Verizon Cloud account (module
    /// docs: [`crate::store`]).
    pub struct VerizonStore(VerizonBackend);
}

impl VerizonStore {
    /// The store over `cloud`, rooted at the folder `root` (`/VZMOBILE`, say), with the
    /// default options.
    pub fn new(cloud: Cloud, root: &str) -> Result<Self> {
        Ok(Self::from_backend(VerizonBackend::new(cloud, root)?))
    }
}

fn child(parent: &str, name: &str) -> String {
    format!("{}/{name}", parent.trim_end_matches('/'))
}

fn file_entry(f: CloudFile) -> Entry<String> {
    Entry {
        handle: child(&f.parent_path, &f.name),
        name: f.name,
        is_folder: false,
        size: f.size,
        last_modified: f
            .version_created
            .unwrap_or(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH),
        e_tag: f.checksum,
        version: None,
    }
}

fn folder_entry(f: CloudFolder) -> Entry<String> {
    let mut e = Entry::folder(child(&f.parent_path, &f.name), f.name);
    if let Some(t) = f.version_created {
        e.last_modified = t;
    }
    e
}

fn item_entry(item: Item) -> Entry<String> {
    match item {
        Item::File(f) => file_entry(f),
        Item::Folder(f) => folder_entry(f),
    }
}

fn parent_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

#[cloud_core::__private::async_trait]
impl Backend for VerizonBackend {
    type Handle = String;
    type Error = Error;
    const STORE: &'static str = "VerizonCloud";

    fn error_kind(error: &Error) -> ErrorKind {
        error.kind()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new().upload_replaces(true)
    }

    fn folder_handle(&self, segments: &[&str]) -> Option<String> {
        let mut p = self.root.clone();
        for s in segments {
            p.push('/');
            p.push_str(s);
        }
        Some(p)
    }

    async fn root(&self) -> Result<Entry<String>> {
        Ok(Entry::folder(self.root.clone(), ""))
    }

    async fn lookup(&self, folder: &Entry<String>, name: &str) -> Result<Option<Entry<String>>> {
        let path = child(&folder.handle, name);
        Ok(self.cloud.metadata_item(&path).await?.map(item_entry))
    }

    fn list(&self, folder: &Entry<String>) -> BoxStream<'static, Result<Entry<String>>> {
        let (cloud, path) = (self.cloud.clone(), folder.handle.clone());
        cloud_core::futures::stream::once(async move { cloud.metadata(&path).await })
            .map_ok(|listing| {
                let folders = listing.folders.into_iter().map(folder_entry);
                let files = listing.files.into_iter().map(file_entry);
                cloud_core::futures::stream::iter(folders.chain(files).map(Ok))
            })
            .try_flatten()
            .boxed()
    }

    async fn create_folder(&self, parent: &Entry<String>, name: &str) -> Result<Entry<String>> {
        Ok(folder_entry(
            self.cloud.create_folder(&parent.handle, name).await?,
        ))
    }

    async fn upload(
        &self,
        parent: &Entry<String>,
        name: &str,
        _replace: Option<&Entry<String>>,
        payload: &Payload,
    ) -> Result<Entry<String>> {
        let file = self
            .cloud
            .upload(
                payload.upload_source(),
                &parent.handle,
                UploadOptions::default().name(name),
            )
            .await?;
        Ok(file_entry(file))
    }

    async fn download(&self, file: &Entry<String>, range: Range<u64>) -> Result<ByteStream<Error>> {
        let header = cloud_core::store::range_header(&range, file.size);
        let resp = self.cloud.download_range(&file.handle, header).await?;
        cloud_core::store::check_range_answer(resp.status().as_u16(), &range, file.size)
            .map_err(|m| Error::unexpected(&m))?;
        Ok(resp
            .bytes_stream()
            .map_err(|e| Error::from(cloud_core::error::from_reqwest(e, None)))
            .boxed())
    }

    async fn delete(&self, file: &Entry<String>) -> Result<()> {
        self.cloud.delete(file.handle.as_str(), true).await
    }

    async fn copy(
        &self,
        file: &Entry<String>,
        parent: &Entry<String>,
        name: &str,
        _replace: Option<&Entry<String>>,
    ) -> Result<bool> {
        if name != file.name {
            return Ok(false);
        }
        let options = FileOpOptions::default().conflict(ConflictSolve::Overwrite);
        self.cloud
            .copy(file.handle.as_str(), &parent.handle, options)
            .await?;
        Ok(true)
    }

    async fn rename(
        &self,
        file: &Entry<String>,
        parent: &Entry<String>,
        name: &str,
        replace: Option<&Entry<String>>,
    ) -> Result<bool> {
        if name == file.name {
            let options = FileOpOptions::default().conflict(ConflictSolve::Overwrite);
            self.cloud
                .r#move(file.handle.as_str(), &parent.handle, options)
                .await?;
            return Ok(true);
        }
        if parent_of(&file.handle) == parent.handle {
            if let Some(old) = replace {
                let r = self.cloud.delete(old.handle.as_str(), true).await;
                cloud_core::store::gone::<Self>(r)?;
            }
            self.cloud.rename(file.handle.as_str(), name).await?;
            return Ok(true);
        }
        Ok(false)
    }
}
