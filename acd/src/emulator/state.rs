//! The emulator's account: nodes by id, a global change sequence, content blobs.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use serde_json::{json, Map, Value};

use cloud_core::emulator::Blob;

#[derive(Clone, Debug)]
pub(crate) struct Content {
    pub blob: Blob,
    pub md5: String,
    pub content_type: String,
    pub version: i64,
}

#[derive(Clone, Debug)]
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

#[derive(Debug)]
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
        let mut v = Map::new();
        v.insert("id".into(), json!(n.id));
        v.insert(
            "name".into(),
            n.name.as_ref().map_or(Value::Null, |s| json!(s)),
        );
        v.insert("kind".into(), json!(n.kind));
        v.insert("status".into(), json!(n.status));
        v.insert("parents".into(), json!(n.parents));
        v.insert("version".into(), json!(n.version));
        v.insert("createdDate".into(), json!(n.created));
        v.insert("modifiedDate".into(), json!(n.modified));
        v.insert("createdBy".into(), json!(self.created_by));
        v.insert(
            "eTagResponse".into(),
            json!(format!("etag{}v{}", &n.id[..8.min(n.id.len())], n.version)),
        );
        v.insert("labels".into(), json!(n.labels));
        v.insert(
            "description".into(),
            json!(n.description.clone().unwrap_or_default()),
        );
        v.insert("isShared".into(), json!(false));
        v.insert("restricted".into(), json!(false));
        if n.is_root {
            v.insert("isRoot".into(), json!(true));
        }
        if let Some(c) = &n.content {
            let mut cp = json!({
                "size": c.blob.len(),
                "md5": c.md5,
                "contentType": c.content_type,
                "version": c.version,
            });
            if let Some(e) = n.name.as_deref().and_then(extension) {
                cp["extension"] = json!(e);
            }
            v.insert("contentProperties".into(), cp);
            if let Some(base) = temp_link {
                v.insert("tempLink".into(), json!(format!("{base}templink/{}", n.id)));
            }
        }
        if !n.properties.is_empty() {
            v.insert("properties".into(), json!(n.properties));
        }
        Value::Object(v)
    }
}
