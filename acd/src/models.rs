//! Nodes, as the service sends them (the original returns the decoded JSON dicts): typed
//! fields with the wire's names, and every other field kept in `extra`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod de;
use serde_json::Value;

/// A file's `contentProperties`.
///
/// `Deserialize` is written out in `models/de.rs` (no `flatten` buffering).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ContentProperties {
    /// Size in bytes.
    #[serde(default)]
    pub size: u64,
    /// MD5 of the content, lower-case hex.
    #[serde(default)]
    pub md5: Option<String>,
    /// MIME type.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Extension without the dot.
    #[serde(default)]
    pub extension: Option<String>,
    /// Content version: 1, then +1 per overwrite.
    #[serde(default)]
    pub version: Option<i64>,
    /// Anything else (`contentDate`, image and video data).
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A node: a file, a folder or an asset.
///
/// `Deserialize` is written out in `models/de.rs` (no `flatten` buffering).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// The 22-character id.
    pub id: String,
    /// The name (`None` on the root).
    #[serde(default)]
    pub name: Option<String>,
    /// `FILE`, `FOLDER` or `ASSET`.
    #[serde(default)]
    pub kind: String,
    /// `AVAILABLE`, `TRASH`, `PURGED` or `PENDING`.
    #[serde(default)]
    pub status: String,
    /// Parent ids (several: hard links; none: the root).
    #[serde(default)]
    pub parents: Vec<String>,
    /// +1 on every change.
    #[serde(default)]
    pub version: Option<i64>,
    /// Files only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_properties: Option<ContentProperties>,
    /// Creation date (`2015-01-01T00:00:00.000Z`), in UTC (written back as `2015-01-01T00:00:00.000Z`).
    #[serde(default, with = "cloud_core::model::time_opt")]
    pub created_date: Option<DateTime<Utc>>,
    /// Last change date, in UTC (written back as `2015-01-01T00:00:00.000Z`).
    #[serde(default, with = "cloud_core::model::time_opt")]
    pub modified_date: Option<DateTime<Utc>>,
    /// The application that created it (the properties owner).
    #[serde(default)]
    pub created_by: Option<String>,
    /// True only on the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_root: Option<bool>,
    /// A pre-authenticated download URL, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temp_link: Option<String>,
    /// Every other field (`eTagResponse`, `labels`, `description`, `assets`, `properties`...).
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

cloud_core::impl_raw!(Node, ContentProperties);

impl Node {
    /// The content's MD5, for files.
    pub fn md5(&self) -> Option<&str> {
        self.content_properties
            .as_ref()
            .and_then(|c| c.md5.as_deref())
    }

    /// The content's size (0 for folders).
    pub fn size(&self) -> u64 {
        self.content_properties.as_ref().map_or(0, |c| c.size)
    }

    /// True for a file.
    pub fn is_file(&self) -> bool {
        self.kind == "FILE"
    }

    /// True for a folder.
    pub fn is_folder(&self) -> bool {
        self.kind == "FOLDER"
    }
}

/// One page of a listing: `{"count", "nextToken", "data"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NodeList {
    #[serde(default)]
    pub next_token: Option<String>,
    /// Required: the original reads `r.json()['data']` (a `KeyError` without it), so an
    /// answer without it is a decode error, never an empty page.
    pub data: Vec<Node>,
}
