//! (feature `object-store`) [`KloudlessStore`]: an [`object_store::ObjectStore`] over the
//! storage of one Kloudless account, so code written for any object store (DataFusion,
//! parquet, the other crates of this family) reads and writes it.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emu = kloudless::emulator::Emulator::start().await?;
//! use kloudless::{store::KloudlessStore, Account, Configuration};
//! use object_store::{path::Path, ObjectStoreExt};
//!
//! let account = Account::with_config(Some(emu.token()), None, None,
//!                                    &Configuration::with_base_url(emu.base_url()))?;
//! let store = KloudlessStore::new(account);
//! let path = Path::from("exports/2026/Résumé 🎉.txt");
//! store.put(&path, "hello".into()).await?; // creates exports/2026
//! assert_eq!(store.get(&path).await?.bytes().await?.as_ref(), b"hello");
//! # Ok(()) }
//! ```
//!
//! How each operation is done (the README has the table): Kloudless addresses files and
//! folders by id, so the store keeps a path -> folder-id cache ([`cloud_core::store::cache`]);
//! a name is looked up by listing its folder (the API has no lookup by name; its search
//! goes through the upstream service's index, which lags). Uploads go with
//! `overwrite=true`, so a taken name is replaced, never auto-renamed (`name (1).ext`);
//! multipart uploads are Kloudless's own (`storage/multipart`: parts sent as they come, in
//! any order, the file appears at `complete`, `abort` deletes the session); copy and rename
//! are the API's own (`POST storage/files/{id}/copy`, `PATCH storage/files/{id}`); delete
//! is permanent (`permanent=true`). The ETag is derived from the file's `id`, `size` and
//! `modified` (the API gives no content hash).

use std::ops::Range;

use bytes::Bytes;
use cloud_core::futures::stream::BoxStream;
use cloud_core::futures::{StreamExt, TryStreamExt};
use cloud_core::store::{Backend, BoxPartUpload, ByteStream, Entry, PartUpload, Payload};
use cloud_core::ErrorKind;
use serde_json::json;

use crate::models::{File, StorageObject, UploadMetadata};
use crate::{Account, Error, RequestOptions, Result};

/// A folder's entries asked for per page.
const PAGE: u32 = 1000;

/// The Kloudless calls under [`KloudlessStore`]. Handles are ids (`root` for the root).
#[derive(Debug, Clone)]
pub struct KloudlessBackend {
    account: Account,
}

impl KloudlessBackend {
    /// The backend over `account`.
    pub fn new(account: Account) -> Self {
        KloudlessBackend { account }
    }

    /// The account.
    pub fn account(&self) -> &Account {
        &self.account
    }
}

impl std::fmt::Display for KloudlessBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KloudlessStore({})", self.account.url())
    }
}

cloud_core::store_type! {
    /// An [`object_store::ObjectStore`] over a Kloudless account's storage (module docs:
    /// [`crate::store`]).
    pub struct KloudlessStore(KloudlessBackend);
}

impl KloudlessStore {
    /// The store over `account`, with the default options.
    pub fn new(account: Account) -> Self {
        Self::from_backend(KloudlessBackend::new(account))
    }
}

fn file_entry(f: File) -> Entry<String> {
    let size = f.size.unwrap_or(0);
    let last_modified = f
        .modified
        .or(f.created)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH);
    Entry {
        e_tag: Some(format!(
            "{}-{}-{}",
            f.id,
            size,
            last_modified.timestamp_millis()
        )),
        handle: f.id,
        name: f.name.unwrap_or_default(),
        is_folder: false,
        size,
        last_modified,
        version: None,
    }
}

fn object_entry(o: StorageObject) -> Entry<String> {
    match o {
        StorageObject::File(f) => file_entry(f),
        StorageObject::Folder(f) => {
            let mut e = Entry::folder(f.id, f.name.unwrap_or_default());
            if let Some(t) = f.modified.or(f.created) {
                e.last_modified = t;
            }
            e
        }
    }
}

fn contents(folder: &str) -> String {
    format!("storage/folders/{folder}/contents")
}

#[cloud_core::__private::async_trait]
impl Backend for KloudlessBackend {
    type Handle = String;
    type Error = Error;
    const STORE: &'static str = "Kloudless";

    fn error_kind(error: &Error) -> ErrorKind {
        error.kind()
    }

    async fn root(&self) -> Result<Entry<String>> {
        Ok(Entry::folder("root".to_owned(), ""))
    }

    async fn lookup(&self, folder: &Entry<String>, name: &str) -> Result<Option<Entry<String>>> {
        let mut listing = self.list(folder);
        while let Some(e) = listing.next().await {
            let e = e?;
            if e.name == name {
                return Ok(Some(e));
            }
        }
        Ok(None)
    }

    fn list(&self, folder: &Entry<String>) -> BoxStream<'static, Result<Entry<String>>> {
        self.account
            .list::<StorageObject>(
                &contents(&folder.handle),
                RequestOptions::default().param("page_size", PAGE),
            )
            .map_ok(object_entry)
            .boxed()
    }

    async fn create_folder(&self, parent: &Entry<String>, name: &str) -> Result<Entry<String>> {
        let created = self
            .account
            .post(
                "storage/folders",
                RequestOptions::default().json(json!({"parent_id": parent.handle, "name": name})),
            )
            .await?;
        let folder: crate::models::Folder = created.decode()?;
        Ok(object_entry(StorageObject::Folder(folder)))
    }

    async fn upload(
        &self,
        parent: &Entry<String>,
        name: &str,
        _replace: Option<&Entry<String>>,
        payload: &Payload,
    ) -> Result<Entry<String>> {
        let meta = UploadMetadata::new(parent.handle.clone(), name);
        let options = RequestOptions::default()
            .metadata(&meta)
            .param("overwrite", true);
        let options = match payload {
            Payload::Bytes(b) => options.data(b.clone()),
            Payload::File { path, .. } => options.file(path.to_path_buf()),
        };
        let file: File = self
            .account
            .post("storage/files", options)
            .await?
            .decode()?;
        Ok(file_entry(file))
    }

    async fn part_upload(
        &self,
        parent: &Entry<String>,
        name: &str,
        _replace: Option<&Entry<String>>,
    ) -> Result<Option<BoxPartUpload<String, Error>>> {
        let session = self
            .account
            .post(
                "storage/multipart",
                RequestOptions::default()
                    .param("overwrite", true)
                    .json(json!({"parent_id": parent.handle, "name": name})),
            )
            .await?;
        let id = match session.data().and_then(|d| d.get("id")) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => return Err(Error::Decode("the multipart session has no id".into())),
        };
        Ok(Some(Box::new(Multipart {
            account: self.account.clone(),
            id,
        })))
    }

    async fn download(&self, file: &Entry<String>, range: Range<u64>) -> Result<ByteStream<Error>> {
        let mut options = RequestOptions::default().get_raw_response(true);
        if let Some(r) = cloud_core::store::range_header(&range, file.size) {
            options = options.header("Range", r);
        }
        let raw = self
            .account
            .get(&format!("storage/files/{}/contents", file.handle), options)
            .await?
            .into_raw()?;
        cloud_core::store::check_range_answer(raw.status.as_u16(), &range, file.size)
            .map_err(Error::Decode)?;
        Ok(raw.body.map_err(Error::from).boxed())
    }

    async fn delete(&self, file: &Entry<String>) -> Result<()> {
        self.account
            .delete(
                &format!("storage/files/{}", file.handle),
                RequestOptions::default().param("permanent", true),
            )
            .await?;
        Ok(())
    }

    async fn copy(
        &self,
        file: &Entry<String>,
        parent: &Entry<String>,
        name: &str,
        replace: Option<&Entry<String>>,
    ) -> Result<bool> {
        if let Some(old) = replace {
            cloud_core::store::gone::<Self>(self.delete(old).await)?;
        }
        self.account
            .post(
                &format!("storage/files/{}/copy", file.handle),
                RequestOptions::default().json(json!({"parent_id": parent.handle, "name": name})),
            )
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
        if let Some(old) = replace {
            cloud_core::store::gone::<Self>(self.delete(old).await)?;
        }
        self.account
            .patch(
                &format!("storage/files/{}", file.handle),
                RequestOptions::default().json(json!({"parent_id": parent.handle, "name": name})),
            )
            .await?;
        Ok(true)
    }
}

/// A `storage/multipart` session.
#[derive(Debug)]
struct Multipart {
    account: Account,
    id: String,
}

#[cloud_core::__private::async_trait]
impl PartUpload for Multipart {
    type Handle = String;
    type Error = Error;

    async fn put_part(&self, number: u32, part: Bytes) -> Result<()> {
        self.account
            .put(
                &format!("storage/multipart/{}", self.id),
                RequestOptions::default()
                    .param("part_number", i64::from(number))
                    .data(part),
            )
            .await?;
        Ok(())
    }

    async fn complete(&self, _parts: u32) -> Result<Entry<String>> {
        let file: File = self
            .account
            .post(
                &format!("storage/multipart/{}/complete", self.id),
                RequestOptions::default(),
            )
            .await?
            .decode()?;
        Ok(file_entry(file))
    }

    async fn abort(&self) -> Result<()> {
        self.account
            .delete(
                &format!("storage/multipart/{}", self.id),
                RequestOptions::default(),
            )
            .await?;
        Ok(())
    }
}
