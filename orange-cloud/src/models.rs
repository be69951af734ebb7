//! The API's objects, with the wire's field names; every other field kept in `extra`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `GET /cloud/v1/freespace`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Freespace {
    /// Bytes available.
    pub freespace: u64,
    /// Any other field.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A file as folder listings and `files.get` give it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct File {
    /// The id (opaque; path-derived at Orange).
    pub id: String,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// `PICTURE`, `VIDEO`, `AUDIO`, `FILE`...
    #[serde(default, rename = "type")]
    pub file_type: Option<String>,
    /// Size in bytes.
    #[serde(default)]
    pub size: u64,
    /// When it was made, in UTC (the wire's `2015-09-29T15:39:28+0200`; written back as
    /// `2015-09-29T13:39:28.000Z`).
    #[serde(default, with = "cloud_core::model::time_opt")]
    pub creation_date: Option<DateTime<Utc>>,
    /// The last change, in UTC.
    #[serde(default, with = "cloud_core::model::time_opt")]
    pub last_update_date: Option<DateTime<Utc>>,
    /// Where to download the content (absolute).
    #[serde(default)]
    pub download_url: Option<String>,
    /// A preview URL.
    #[serde(default)]
    pub preview_url: Option<String>,
    /// A thumbnail URL.
    #[serde(default)]
    pub thumb_url: Option<String>,
    /// Free-form media data.
    #[serde(default)]
    pub metadata: Option<Value>,
    /// Any other field.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A sub-folder entry of a listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SubFolder {
    /// The id.
    pub id: String,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// The parent's id.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// Any other field.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A folder with its files and sub-folders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Folder {
    /// The id.
    pub id: String,
    /// The parent's id (the root's is its own).
    #[serde(default)]
    pub parent_id: Option<String>,
    /// The name (`""` for the root).
    #[serde(default)]
    pub name: String,
    /// The files.
    #[serde(default)]
    pub files: Vec<File>,
    /// The sub-folders.
    #[serde(default)]
    pub subfolders: Vec<SubFolder>,
    /// Any other field.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// What move, rename and copy answer: at least the id, name and parent of the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// The (new) id.
    pub id: String,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// The parent's id.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// Any other field.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// What an upload answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Uploaded {
    /// The new file's id.
    pub file_id: String,
    /// The stored name (`stem(1).ext` when the name was taken).
    pub file_name: String,
    /// Any other field.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

cloud_core::impl_raw!(Freespace, File, SubFolder, Folder, Item, Uploaded);
