//! The SDK's data objects, with the wire's camelCase field names and snake_case in Rust.
//! Fields the server sends that are not modelled stay reachable in each type's `extra` map.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use cloud_core::Secret;

/// The token endpoint's answer (`thingspace.models.Token`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Token {
    /// The bearer token (serialized as it is: this is the wire answer and the form to store).
    #[serde(serialize_with = "Secret::serialize_exposed")]
    pub access_token: Secret,
    /// The refresh token (the service rotates it on every refresh).
    #[serde(serialize_with = "Secret::serialize_exposed")]
    pub refresh_token: Secret,
    /// Lifetime of the access token in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// The token type (`Bearer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Any other field.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("expires_in", &self.expires_in)
            .field("token_type", &self.token_type)
            .finish_non_exhaustive()
    }
}

/// Storage use (`Account.usage`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Total bytes.
    #[serde(default)]
    pub quota: u64,
    /// Bytes used.
    #[serde(default)]
    pub quota_used: u64,
    /// Any other field.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// The account (`GET /account`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Account {
    /// Quota and use.
    #[serde(default)]
    pub usage: Usage,
    /// The user id (specific to the app key).
    #[serde(default)]
    pub id: Option<String>,
    /// The phone number, for accounts tied to one.
    #[serde(default)]
    pub alias: Option<String>,
    /// Any other field.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A file's `systemAttributes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SystemAttributes {
    /// The MIME type.
    #[serde(default)]
    pub mime_type: Option<String>,
    /// Per-media attributes (dimensions, dates...).
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A file (`thingspace.models.CloudFile`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CloudFile {
    /// The file name.
    pub name: String,
    /// The folder holding it (`/VZMOBILE/Trips`).
    #[serde(default)]
    pub parent_path: String,
    /// Size in bytes.
    #[serde(default)]
    pub size: u64,
    /// SHA-256 of the content, lower-case hex.
    #[serde(default)]
    pub checksum: Option<String>,
    /// Token for thumbnails.
    #[serde(default)]
    pub content_token: Option<String>,
    /// Whether the content can be downloaded.
    #[serde(default)]
    pub content_accessible: Option<bool>,
    /// Whether the file is deleted (in the trash).
    #[serde(default)]
    pub deleted: Option<bool>,
    /// The extension.
    #[serde(default)]
    pub extension: Option<String>,
    /// The version, bumped on every change.
    #[serde(default)]
    pub version: Option<i64>,
    /// When this version was made, in UTC (`YYYY-MM-DDTHH:MM:SS.mmmZ` on the wire).
    #[serde(default, with = "cloud_core::model::time_opt")]
    pub version_created: Option<DateTime<Utc>>,
    /// System attributes (MIME type, media data).
    #[serde(default)]
    pub system_attributes: SystemAttributes,
    /// Views the file belongs to.
    #[serde(default)]
    pub view_uid: Vec<Value>,
    /// Any other field.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

cloud_core::impl_raw!(Usage, Account, SystemAttributes, CloudFile, CloudFolder);

/// Joins a parent path and a name without doubling the `/` of the root.
pub(crate) fn join(parent: &str, name: &str) -> String {
    if parent.ends_with('/') {
        format!("{parent}{name}")
    } else {
        format!("{parent}/{name}")
    }
}

impl CloudFile {
    /// `parent_path + "/" + name`.
    pub fn fullpath(&self) -> String {
        join(&self.parent_path, &self.name)
    }

    /// `CloudFile.download_url()`: the original's file kept a back-reference to its `Cloud`
    /// and called `cloud.download_url(self)`; here the cloud is the argument. The same URL as
    /// [`Cloud::download_url`](crate::Cloud::download_url), access token included (a secret).
    ///
    /// ```no_run
    /// # async fn run(cloud: verizon_pcs::Cloud) -> Result<(), verizon_pcs::Error> {
    /// let file = cloud.file_metadata("/VZMOBILE/beach.jpg").await?;
    /// let url = file.download_url(&cloud)?;
    /// # Ok(()) }
    /// ```
    pub fn download_url(&self, cloud: &crate::Cloud) -> crate::Result<String> {
        cloud.download_url(self)
    }
}

/// A folder (`thingspace.models.CloudFolder`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CloudFolder {
    /// The folder name.
    pub name: String,
    /// The folder holding it.
    #[serde(default)]
    pub parent_path: String,
    /// The version.
    #[serde(default)]
    pub version: Option<i64>,
    /// When this version was made, in UTC (`YYYY-MM-DDTHH:MM:SS.mmmZ` on the wire).
    #[serde(default, with = "cloud_core::model::time_opt")]
    pub version_created: Option<DateTime<Utc>>,
    /// Whether the folder is deleted.
    #[serde(default)]
    pub deleted: Option<bool>,
    /// Any other field.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl CloudFolder {
    /// `/NAME` at the root, else `parent_path + "/" + name`.
    pub fn fullpath(&self) -> String {
        join(&self.parent_path, &self.name)
    }
}

/// `metadata()`'s answer: the folder's files and sub-folders.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetadataResponse {
    /// Files in the folder.
    pub files: Vec<CloudFile>,
    /// Sub-folders (at `/`: the virtual folders).
    pub folders: Vec<CloudFolder>,
}

/// `search()`'s answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchResponse {
    /// Matching files.
    pub files: Vec<CloudFile>,
    /// Matching folders.
    pub folders: Vec<CloudFolder>,
}

/// `fullview()`'s answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FullviewResponse {
    /// Files added or changed (all files without an etag).
    pub files: Vec<CloudFile>,
    /// Folders that hold nothing (non-empty folders are implied by the files' paths).
    pub empty_folders: Vec<CloudFolder>,
    /// The etag of the account state this answer brings you to.
    pub etag: String,
    /// Paths deleted since the etag given.
    pub deleted: Vec<String>,
}

/// A file or a path, as `download_url` and the file operations take it.
#[derive(Debug, Clone, PartialEq)]
pub enum FileOrPath {
    /// An absolute path (`/VZMOBILE/a.jpg`).
    Path(String),
    /// A file from a listing.
    File(CloudFile),
    /// A folder from a listing.
    Folder(CloudFolder),
}

impl FileOrPath {
    /// The absolute path.
    pub fn path(&self) -> String {
        match self {
            FileOrPath::Path(p) => p.clone(),
            FileOrPath::File(f) => f.fullpath(),
            FileOrPath::Folder(f) => f.fullpath(),
        }
    }
}

impl From<&str> for FileOrPath {
    fn from(p: &str) -> Self {
        FileOrPath::Path(p.to_owned())
    }
}

impl From<String> for FileOrPath {
    fn from(p: String) -> Self {
        FileOrPath::Path(p)
    }
}

impl From<&String> for FileOrPath {
    fn from(p: &String) -> Self {
        FileOrPath::Path(p.clone())
    }
}

impl From<&CloudFile> for FileOrPath {
    fn from(f: &CloudFile) -> Self {
        FileOrPath::File(f.clone())
    }
}

impl From<CloudFile> for FileOrPath {
    fn from(f: CloudFile) -> Self {
        FileOrPath::File(f)
    }
}

impl From<&CloudFolder> for FileOrPath {
    fn from(f: &CloudFolder) -> Self {
        FileOrPath::Folder(f.clone())
    }
}

/// The wire envelope of a folder listing (`{"folder": {..., "file": [...], "folder": [...]}}`).
#[derive(Debug, Deserialize)]
pub(crate) struct FolderListing {
    #[serde(default)]
    pub file: Vec<CloudFile>,
    #[serde(default)]
    pub folder: Vec<CloudFolder>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_and_paths() {
        let f: CloudFile = serde_json::from_value(serde_json::json!({
            "name": "beach.jpg", "parentPath": "/VZMOBILE/Trips", "size": 48213,
            "checksum": "ab", "contentToken": "ct", "contentAccessible": true,
            "deleted": false, "extension": "jpg", "version": 3,
            "versionCreated": "2016-11-17T10:20:30.000Z",
            "systemAttributes": {"mimeType": "image/jpeg", "width": 10},
            "viewUid": [], "favorite": true
        }))
        .unwrap();
        assert_eq!(f.parent_path, "/VZMOBILE/Trips");
        assert_eq!(f.system_attributes.mime_type.as_deref(), Some("image/jpeg"));
        assert_eq!(f.system_attributes.extra["width"], 10);
        assert_eq!(f.extra["favorite"], true);
        assert_eq!(f.fullpath(), "/VZMOBILE/Trips/beach.jpg");
        let root = CloudFolder {
            name: "VZMOBILE".into(),
            parent_path: "/".into(),
            ..CloudFolder::default()
        };
        assert_eq!(root.fullpath(), "/VZMOBILE");
        assert_eq!(FileOrPath::from(&root).path(), "/VZMOBILE");
    }
}
