//! (feature `object-store`) [`AcdStore`]: an [`object_store::ObjectStore`] over an Amazon
//! Cloud Drive, so code written for any object store (DataFusion, parquet, the other crates
//! of this family) reads and writes it.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emu = acd::emulator::Emulator::start().await?;
//! # let dir = tempfile::tempdir()?;
//! # emu.write_cache(dir.path())?;
//! use acd::{store::AcdStore, AcdClient, AcdOptions};
//! use object_store::{path::Path, ObjectStoreExt};
//!
//! let client = AcdClient::new(dir.path(), dir.path(),
//!                             AcdOptions::default().base_url(&emu.base_url())).await?;
//! let store = AcdStore::new(client);
//! let path = Path::from("Photos/2026/beach.jpg");
//! store.put(&path, vec![0xff, 0xd8, 0xff].into()).await?; // creates Photos/2026
//! let meta = store.head(&path).await?;
//! assert_eq!(meta.size, 3);
//! assert!(meta.e_tag.is_some(), "the content's MD5");
//! # Ok(()) }
//! ```
//!
//! How each operation is done (the README has the table): nodes are addressed by id, so the
//! store keeps a path -> folder-id cache ([`cloud_core::store::cache`]); a name is looked up
//! by listing its folder's children (the `filters` search is an index that lags); trashed
//! children are skipped. Names are **case-insensitive** on Cloud Drive: a put of `A.txt`
//! beside `a.txt` fails with `AlreadyExists`, and a get of `A.txt` is `NotFound` (paths stay
//! case-sensitive). A new file is uploaded, a taken name overwritten in place
//! (`nodes/{id}/content`), both with `suppress=deduplication`, as one streamed request each
//! (the service has no multipart upload: multipart puts are spooled, 8 MiB in memory and
//! then a temporary file); the ETag is the content's MD5. There is no copy on Cloud Drive:
//! a copy is a download and an upload. A rename is `PATCH nodes/{id}` (same folder) or a
//! move (`nodes/{parent}/children`, same name). **Delete moves to the trash**
//! (`PUT trash/{id}`), as acd_cli's `trash` does: [`crate::AcdClient::purge`] empties it.

use std::ops::Range;

use cloud_core::futures::stream::BoxStream;
use cloud_core::futures::{StreamExt, TryStreamExt};
use cloud_core::store::{Backend, ByteStream, Capabilities, Entry, Payload};
use cloud_core::ErrorKind;

use crate::models::Node;
use crate::{AcdClient, Error, Result};

/// The Cloud Drive calls under [`AcdStore`]. Handles are node ids.
#[derive(Debug, Clone)]
pub struct AcdBackend {
    client: AcdClient,
}

impl AcdBackend {
    /// The backend over `client`.
    pub fn new(client: AcdClient) -> Self {
        AcdBackend { client }
    }

    /// The client.
    pub fn client(&self) -> &AcdClient {
        &self.client
    }
}

impl std::fmt::Display for AcdBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AcdStore")
    }
}

cloud_core::store_type! {
    /// An [`object_store::ObjectStore`] over an Amazon Cloud Drive (module docs:
    /// [`crate::store`]).
    pub struct AcdStore(AcdBackend);
}

impl AcdStore {
    /// The store over `client`, with the default options.
    pub fn new(client: AcdClient) -> Self {
        Self::from_backend(AcdBackend::new(client))
    }
}

fn entry(n: Node) -> Entry<String> {
    let is_folder = n.kind == "FOLDER";
    let (size, md5) = match &n.content_properties {
        Some(c) => (c.size, c.md5.clone()),
        None => (0, None),
    };
    Entry {
        handle: n.id,
        name: n.name.unwrap_or_default(),
        is_folder,
        size: if is_folder { 0 } else { size },
        last_modified: n
            .modified_date
            .or(n.created_date)
            .unwrap_or(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH),
        e_tag: if is_folder { None } else { md5 },
        version: None,
    }
}

fn available(n: &Node) -> bool {
    n.status == "AVAILABLE" && (n.kind == "FILE" || n.kind == "FOLDER")
}

fn upload_options() -> crate::UploadOptions {
    // `suppress=deduplication`: a store writes whatever bytes it is given.
    crate::UploadOptions::default().deduplication(false)
}

async fn reader(payload: &Payload) -> Result<Box<dyn tokio::io::AsyncRead + Send + Unpin>> {
    Ok(match payload {
        Payload::Bytes(b) => Box::new(std::io::Cursor::new(b.clone())),
        Payload::File { path, .. } => Box::new(tokio::fs::File::open(path.to_path_buf()).await?),
    })
}

#[cloud_core::__private::async_trait]
impl Backend for AcdBackend {
    type Handle = String;
    type Error = Error;
    const STORE: &'static str = "AmazonCloudDrive";

    fn error_kind(error: &Error) -> ErrorKind {
        error.kind()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new().case_insensitive(true)
    }

    async fn root(&self) -> Result<Entry<String>> {
        Ok(entry(self.client.get_root_node().await?))
    }

    async fn lookup(&self, folder: &Entry<String>, name: &str) -> Result<Option<Entry<String>>> {
        let wanted = name.to_lowercase();
        let mut children = self.list(folder);
        let mut folded = None;
        while let Some(e) = children.next().await {
            let e = e?;
            if e.name == name {
                return Ok(Some(e));
            }
            if folded.is_none() && e.name.to_lowercase() == wanted {
                folded = Some(e);
            }
        }
        Ok(folded)
    }

    fn list(&self, folder: &Entry<String>) -> BoxStream<'static, Result<Entry<String>>> {
        match self.client.list_children_stream(&folder.handle) {
            Ok(s) => s
                .try_filter(|n| cloud_core::futures::future::ready(available(n)))
                .map_ok(entry)
                .boxed(),
            Err(e) => cloud_core::futures::stream::once(async move { Err(e) }).boxed(),
        }
    }

    async fn create_folder(&self, parent: &Entry<String>, name: &str) -> Result<Entry<String>> {
        Ok(entry(
            self.client
                .create_folder(name, Some(&parent.handle))
                .await?,
        ))
    }

    async fn upload(
        &self,
        parent: &Entry<String>,
        name: &str,
        replace: Option<&Entry<String>>,
        payload: &Payload,
    ) -> Result<Entry<String>> {
        let body = reader(payload).await?;
        let node = match replace {
            Some(old) => {
                self.client
                    .overwrite_stream(body, &old.handle, Vec::new())
                    .await?
            }
            None => {
                self.client
                    .upload_stream(body, name, Some(&parent.handle), upload_options())
                    .await?
            }
        };
        Ok(entry(node))
    }

    async fn download(&self, file: &Entry<String>, range: Range<u64>) -> Result<ByteStream<Error>> {
        let resp = self
            .client
            .response_chunk(&file.handle, range.start, range.end - range.start)
            .await?;
        Ok(resp
            .bytes_stream()
            .map_err(|e| Error::from(cloud_core::error::from_reqwest(e, None)))
            .boxed())
    }

    async fn delete(&self, file: &Entry<String>) -> Result<()> {
        self.client.move_to_trash(&file.handle).await?;
        Ok(())
    }

    async fn rename(
        &self,
        file: &Entry<String>,
        parent: &Entry<String>,
        name: &str,
        replace: Option<&Entry<String>>,
    ) -> Result<bool> {
        let node = self.client.get_metadata(&file.handle, false, false).await?;
        let Some(old_parent) = node.parents.first().cloned() else {
            return Ok(false);
        };
        let same_folder = old_parent == parent.handle;
        if !same_folder && name != file.name {
            return Ok(false);
        }
        if let Some(old) = replace {
            let trashed = self.client.move_to_trash(&old.handle).await.map(drop);
            cloud_core::store::gone::<Self>(trashed)?;
        }
        if same_folder {
            self.client.rename_node(&file.handle, name).await?;
        } else {
            self.client
                .move_node_from(&file.handle, &old_parent, &parent.handle)
                .await?;
        }
        Ok(true)
    }
}
