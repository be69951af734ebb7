//! The emulator's account: nodes by id, a global change sequence, content blobs.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use cloud_core::emulator::Blob;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Content {
    #[serde(with = "cloud_core::emulator::blob_serde")]
    pub blob: Blob,
    pub md5: String,
    pub content_type: String,
    pub version: i64,
}

/// The JSON of a node (fields in the order the API's objects print them, sorted).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NodeView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    content_properties: Option<ContentView<'a>>,
    created_by: &'a str,
    created_date: &'a str,
    description: &'a str,
    #[serde(rename = "eTagResponse")]
    etag: String,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_root: Option<bool>,
    is_shared: bool,
    kind: &'a str,
    labels: &'a [String],
    modified_date: &'a str,
    name: Option<&'a str>,
    parents: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<&'a BTreeMap<String, BTreeMap<String, String>>>,
    restricted: bool,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    temp_link: Option<String>,
    version: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContentView<'a> {
    content_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    extension: Option<String>,
    md5: &'a str,
    size: u64,
    version: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct NodeRec {
    pub id: String,
    pub name: Option<String>,
    pub kind: String,
    pub status: String,
    pub parents: Vec<String>,
    pub version: i64,
    pub created: String,
    pub modified: String,
    pub labels: Vec<String>,
    pub description: Option<String>,
    pub content: Option<Content>,
    pub properties: BTreeMap<String, BTreeMap<String, String>>,
    pub seq: u64,
    pub is_root: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    pub nodes: HashMap<String, NodeRec>,
    pub root: String,
    pub seq: u64,
    pub created_by: String,
    pub quota: u64,
    /// Purged ids with their kind and change number (reported with includePurged).
    pub purged: HashMap<String, (String, u64)>,
}

pub(crate) fn now() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A new 22-character id (URL-safe base64 of 16 random bytes).
pub(crate) fn new_id() -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut b = [0u8; 22];
    let _ = getrandom::fill(&mut b);
    b.iter().map(|x| A[(*x & 63) as usize] as char).collect()
}

pub(crate) fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.')
        .filter(|(stem, e)| !stem.is_empty() && !e.is_empty())
        .map(|(_, e)| e.to_owned())
}

impl State {
    pub fn new(created_by: &str, quota: u64) -> Self {
        let root = new_id();
        let t = now();
        let mut nodes = HashMap::new();
        nodes.insert(
            root.clone(),
            NodeRec {
                id: root.clone(),
                name: None,
                kind: "FOLDER".into(),
                status: "AVAILABLE".into(),
                parents: Vec::new(),
                version: 1,
                created: t.clone(),
                modified: t,
                labels: Vec::new(),
                description: None,
                content: None,
                properties: BTreeMap::new(),
                seq: 1,
                is_root: true,
            },
        );
        Self {
            nodes,
            root,
            seq: 1,
            created_by: created_by.to_owned(),
            quota,
            purged: HashMap::new(),
        }
    }

    /// Marks a node changed: next sequence number, version +1 (unless new), modified now.
    pub fn touch(&mut self, id: &str, bump_version: bool) {
        self.seq += 1;
        let seq = self.seq;
        if let Some(n) = self.nodes.get_mut(id) {
            n.seq = seq;
            if bump_version {
                n.version += 1;
                n.modified = now();
            }
        }
    }

    pub fn used(&self) -> u64 {
        self.nodes
            .values()
            .filter_map(|n| n.content.as_ref().map(|c| c.blob.len()))
            .sum()
    }

    /// An AVAILABLE child of `parent` named like `name` (case-insensitively), other than `except`.
    pub fn conflict(&self, parent: &str, name: &str, except: Option<&str>) -> Option<String> {
        let lower = name.to_lowercase();
        self.nodes
            .values()
            .find(|n| {
                n.status == "AVAILABLE"
                    && Some(n.id.as_str()) != except
                    && n.parents.iter().any(|p| p == parent)
                    && n.name.as_deref().map(str::to_lowercase).as_deref() == Some(lower.as_str())
            })
            .map(|n| n.id.clone())
    }

    /// True when `ancestor` is `id` or above it (through any parent).
    pub fn is_ancestor(&self, ancestor: &str, id: &str) -> bool {
        let mut stack = vec![id.to_owned()];
        let mut seen = std::collections::HashSet::new();
        while let Some(cur) = stack.pop() {
            if cur == ancestor {
                return true;
            }
            if !seen.insert(cur.clone()) {
                continue;
            }
            if let Some(n) = self.nodes.get(&cur) {
                stack.extend(n.parents.iter().cloned());
            }
        }
        false
    }

    pub fn new_node(
        &mut self,
        name: &str,
        kind: &str,
        parents: Vec<String>,
        content: Option<Content>,
    ) -> String {
        let id = new_id();
        let t = now();
        self.seq += 1;
        self.nodes.insert(
            id.clone(),
            NodeRec {
                id: id.clone(),
                name: Some(name.to_owned()),
                kind: kind.to_owned(),
                status: "AVAILABLE".into(),
                parents,
                version: 1,
                created: t.clone(),
                modified: t,
                labels: Vec::new(),
                description: None,
                content,
                properties: BTreeMap::new(),
                seq: self.seq,
                is_root: false,
            },
        );
        id
    }

    pub fn json(&self, n: &NodeRec, temp_link: Option<&str>) -> Value {
        serde_json::to_value(self.view(n, temp_link)).unwrap_or(Value::Null)
    }

    /// A node as the API renders it, borrowed (the changes feed writes a million of these
    /// straight to its body).
    pub fn view<'a>(&'a self, n: &'a NodeRec, temp_link: Option<&str>) -> NodeView<'a> {
        NodeView {
            content_properties: n.content.as_ref().map(|c| ContentView {
                content_type: &c.content_type,
                extension: n.name.as_deref().and_then(extension),
                md5: &c.md5,
                size: c.blob.len(),
                version: c.version,
            }),
            created_by: &self.created_by,
            created_date: &n.created,
            description: n.description.as_deref().unwrap_or(""),
            etag: format!("etag{}v{}", &n.id[..8.min(n.id.len())], n.version),
            id: &n.id,
            is_root: n.is_root.then_some(true),
            is_shared: false,
            kind: &n.kind,
            labels: &n.labels,
            modified_date: &n.modified,
            name: n.name.as_deref(),
            parents: &n.parents,
            properties: (!n.properties.is_empty()).then_some(&n.properties),
            restricted: false,
            status: &n.status,
            temp_link: match (&n.content, temp_link) {
                (Some(_), Some(base)) => Some(format!("{base}templink/{}", n.id)),
                _ => None,
            },
            version: n.version,
        }
    }
}
