//! The trash (SDK 1.3+'s `Trash` mixin): list, empty, restore. Wire forms inferred (see the
//! crate docs).

use http::Method;
use serde::Deserialize;

use cloud_core::Idempotency;

use crate::client::{read_json, Cloud};
use crate::error::{messages, Call, Error, Result};
use crate::fops::{Item, ItemEnvelope};
use crate::models::{CloudFile, CloudFolder, FileOrPath, MetadataResponse};

#[derive(Deserialize)]
struct TrashEnvelope {
    #[serde(default)]
    file: Vec<CloudFile>,
    #[serde(default)]
    folder: Vec<CloudFolder>,
}

impl Cloud {
    /// What is in the trash: `GET {API}/trash`.
    pub async fn trash(&self) -> Result<MetadataResponse> {
        let env: TrashEnvelope = self.get_json(Call::FileOp, self.url("trash")?).await?;
        Ok(MetadataResponse {
            files: env.file,
            folders: env.folder,
        })
    }

    /// Purges everything in the trash: `DELETE {API}/trash`.
    pub async fn empty_trash(&self) -> Result<()> {
        let url = self.url("trash")?;
        self.call(
            Call::FileOp,
            Method::DELETE,
            url,
            Idempotency::Idempotent,
            Ok,
        )
        .await?;
        Ok(())
    }

    /// Restores a trashed item to its path: `POST {API}/trash/restore?path=…`.
    /// [`Error::Conflict`] when a live item holds that path.
    pub async fn restore(&self, file_or_path: impl Into<FileOrPath>) -> Result<Item> {
        let path = file_or_path.into().path();
        if path.is_empty() {
            return Err(Error::InvalidInput(messages::FILE_OR_PATH.into()));
        }
        let url = self.url("trash/restore")?;
        let q = [("path", path.as_str())];
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
}
