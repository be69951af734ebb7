//! The emulator's state: one connected account with storage, events and calendars.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::Utc;
use serde_json::{json, Map, Value};

use cloud_core::emulator::{Blob, ListCache, Tracked};

pub(crate) const ACCOUNT_ID: i64 = 123;

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Node {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    #[serde(with = "cloud_core::emulator::blob_serde::option")]
    pub blob: Option<Blob>,
    pub created: String,
    pub modified: String,
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct State {
    /// The nodes by id; changed only through `modify()`, so that `listing` knows when it is
    /// stale.
    pub nodes: Tracked<HashMap<String, Node>>,
    /// The last folder listed, in listing order.
    #[serde(skip)]
    pub listing: ListCache<String>,
    pub events: Vec<Value>,
    pub calendars: BTreeMap<String, Value>,
    pub cal_events: BTreeMap<String, BTreeMap<String, Value>>,
    pub codes: HashMap<String, String>,
    pub next: u64,
}

/// The children of `folder`: folders first, then files, each by name.
fn children_of<'a>(nodes: &'a HashMap<String, Node>, folder: &str) -> Vec<&'a Node> {
    let mut v: Vec<&Node> = nodes
        .values()
        .filter(|n| n.parent.as_deref() == Some(folder))
        .collect();
    v.sort_by(|a, b| (a.blob.is_some(), &a.name).cmp(&(b.blob.is_some(), &b.name)));
    v
}

pub(crate) fn now() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub(crate) fn new_id(prefix: &str) -> String {
    let mut b = [0u8; 12];
    let _ = getrandom::fill(&mut b);
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let s: String = b.iter().map(|x| A[(*x & 63) as usize] as char).collect();
    format!("{prefix}{s}")
}

impl State {
    pub fn new() -> Self {
        let mut s = Self::default();
        let t = now();
        s.nodes.modify().insert(
            "root".into(),
            Node {
                id: "root".into(),
                name: "".into(),
                parent: None,
                blob: None,
                created: t.clone(),
                modified: t,
            },
        );
        for (id, name) in [("cal_primary", "Primary calendar"), ("cal_work", "Work")] {
            s.calendars.insert(
                id.into(),
                json!({"id": id, "name": name, "api": "calendar", "type": "calendar", "description": "", "location": "", "timezone": "UTC"}),
            );
            s.cal_events.insert(id.into(), BTreeMap::new());
        }
        s
    }

    /// The ids of `folder`'s children in [`State::children`]'s order, kept between calls
    /// while nothing changes: paging through a large folder sorts it once, not per page.
    pub fn sorted_children(&mut self, folder: &str) -> Arc<Vec<String>> {
        let generation = self.nodes.generation();
        let nodes = &self.nodes;
        self.listing.get_or(folder, generation, || {
            children_of(nodes, folder)
                .into_iter()
                .map(|n| n.id.clone())
                .collect()
        })
    }

    pub fn children(&self, folder: &str) -> Vec<&Node> {
        children_of(&self.nodes, folder)
    }

    pub fn child_named(&self, folder: &str, name: &str) -> Option<&Node> {
        self.nodes
            .values()
            .find(|n| n.parent.as_deref() == Some(folder) && n.name == name)
    }

    pub fn ancestors(&self, id: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cur = self.nodes.get(id).and_then(|n| n.parent.clone());
        while let Some(p) = cur {
            let Some(n) = self.nodes.get(&p) else { break };
            out.push(json!({"id": n.id, "name": n.name}));
            cur = n.parent.clone();
        }
        out.reverse();
        out
    }

    pub fn path(&self, id: &str) -> String {
        let mut parts = Vec::new();
        let mut cur = Some(id.to_owned());
        while let Some(c) = cur {
            let Some(n) = self.nodes.get(&c) else { break };
            if n.parent.is_some() {
                parts.push(n.name.clone());
            }
            cur = n.parent.clone();
        }
        parts.reverse();
        format!("/{}", parts.join("/"))
    }

    pub fn json(&self, n: &Node, raw: bool) -> Value {
        let parent = n
            .parent
            .as_ref()
            .and_then(|p| self.nodes.get(p))
            .map(|p| json!({"id": p.id, "name": p.name}));
        let mut v = Map::new();
        v.insert("id".into(), json!(n.id));
        v.insert("name".into(), json!(n.name));
        v.insert("api".into(), json!("storage"));
        v.insert("account".into(), json!(ACCOUNT_ID));
        v.insert("parent".into(), parent.unwrap_or(Value::Null));
        v.insert("ancestors".into(), json!(self.ancestors(&n.id)));
        v.insert("path".into(), json!(self.path(&n.id)));
        v.insert("created".into(), json!(n.created));
        v.insert("modified".into(), json!(n.modified));
        v.insert("raw_id".into(), json!(n.id));
        v.insert("ids".into(), json!({"default": n.id}));
        match &n.blob {
            Some(b) => {
                v.insert("type".into(), json!("file"));
                v.insert("size".into(), json!(b.len()));
                v.insert(
                    "mime_type".into(),
                    json!(mime_guess::from_path(&n.name)
                        .first_raw()
                        .unwrap_or("application/octet-stream")),
                );
                v.insert("downloadable".into(), json!(true));
            }
            None => {
                v.insert("type".into(), json!("folder"));
                v.insert("size".into(), Value::Null);
                v.insert("can_create_folders".into(), json!(true));
                v.insert("can_upload_files".into(), json!(true));
            }
        }
        if raw {
            v.insert("raw".into(), json!({"upstream_id": n.id, "title": n.name}));
        }
        Value::Object(v)
    }

    /// Appends an event for a storage change.
    pub fn event(&mut self, kind: &str, metadata: Value) {
        let pos = self.events.len() + 1;
        self.events.push(json!({
            "id": format!("ev{pos}"), "account": ACCOUNT_ID, "type": kind, "modified": now(),
            "ip": Value::Null, "user_id": "emulator-user", "metadata": metadata,
        }));
    }

    /// A free name like `name (1).ext` in `folder`.
    pub fn free_name(&self, folder: &str, name: &str) -> String {
        let (stem, ext) = match name.rsplit_once('.') {
            Some((a, b)) if !a.is_empty() => (a.to_owned(), format!(".{b}")),
            _ => (name.to_owned(), String::new()),
        };
        (1..)
            .map(|i| format!("{stem} ({i}){ext}"))
            .find(|n| self.child_named(folder, n).is_none())
            .unwrap_or_else(|| name.to_owned())
    }

    pub fn subtree(&self, id: &str) -> Vec<String> {
        let mut out = vec![id.to_owned()];
        let mut i = 0;
        while i < out.len() {
            let cur = out[i].clone();
            out.extend(
                self.nodes
                    .values()
                    .filter(|n| n.parent.as_deref() == Some(cur.as_str()))
                    .map(|n| n.id.clone()),
            );
            i += 1;
        }
        out
    }
}
