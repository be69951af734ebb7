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

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct State {
    /// The nodes by id; changed only through `modify()`, so that `listing` knows when it is
    /// stale.
    pub nodes: Tracked<HashMap<String, Node>>,
    /// The last folder listed, in listing order.
    #[serde(skip)]
    pub listing: ListCache<String>,
    /// The storage events, the last [`DEFAULT_RETAINED`](cloud_core::emulator::DEFAULT_RETAINED)
    /// kept (a cursor is an absolute position).
    pub events: cloud_core::emulator::Retained<Value>,
    pub calendars: BTreeMap<String, Value>,
    pub cal_events: BTreeMap<String, BTreeMap<String, Value>>,
    pub codes: HashMap<String, String>,
    pub next: u64,
    /// Shared links by id.
    #[serde(default)]
    pub links: BTreeMap<String, Value>,
    /// A file's or folder's permissions, by node id.
    #[serde(default)]
    pub permissions: HashMap<String, Vec<Value>>,
    /// A file's properties (key -> the property object), by node id.
    #[serde(default)]
    pub properties: HashMap<String, BTreeMap<String, Value>>,
    /// Multipart uploads in progress (not in a dump, as a transfer in flight).
    #[serde(skip)]
    pub uploads: BTreeMap<u64, Upload>,
    /// Upload URLs handed out: token -> (parent id, name).
    #[serde(default)]
    pub upload_urls: HashMap<String, (String, String)>,
    /// The connected accounts by id (the built-in ones, then the imported).
    #[serde(default = "builtin_accounts")]
    pub accounts: BTreeMap<i64, Value>,
}

/// A multipart upload session: its target and the parts received so far.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    pub id: u64,
    pub parent: String,
    pub name: String,
    pub size: Option<u64>,
    pub overwrite: bool,
    pub parts: BTreeMap<u32, Blob>,
}

/// The second built-in account: an admin of a team (the `team/...` endpoints answer for
/// admin accounts only), reachable with the API key.
pub(crate) const ADMIN_ACCOUNT_ID: i64 = 124;

/// How the connected account (123) is set up: the emulator's `admin` and `service` settings,
/// kept by the control API's reset.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    /// 123 an admin of its team (then a one-account test suite reaches `team/...`).
    pub admin: bool,
    /// 123's service (`gdrive` by default: the service's limited events with it).
    pub service: String,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            admin: false,
            service: "gdrive".into(),
        }
    }
}

/// The accounts a fresh emulator has: the connected user's (123) and a team admin's (124).
pub(crate) fn builtin_accounts() -> BTreeMap<i64, Value> {
    builtin_accounts_with(&Setup::default())
}

/// The built-in accounts, the connected user's (123) set up as `setup` says.
pub(crate) fn builtin_accounts_with(setup: &Setup) -> BTreeMap<i64, Value> {
    let admin = setup.admin;
    let service = setup.service.as_str();
    let service_name = super::accounts::service_name(service).unwrap_or(service);
    let mut m = BTreeMap::new();
    let (apis, scope) = if admin {
        (
            json!(["storage", "calendar", "team"]),
            "storage calendar team",
        )
    } else {
        (json!(["storage", "calendar"]), "storage calendar")
    };
    m.insert(
        ACCOUNT_ID,
        json!({"id": ACCOUNT_ID, "account": "emulator@example.invalid", "service": service, "service_name": service_name,
               "active": true, "admin": admin, "apis": apis, "effective_scope": scope,
               "created": "2019-01-01T00:00:00Z", "modified": "2019-01-01T00:00:00Z"}),
    );
    m.insert(
        ADMIN_ACCOUNT_ID,
        json!({"id": ADMIN_ACCOUNT_ID, "account": "admin@example.invalid", "service": "gdrive", "service_name": "Google Drive",
               "active": true, "admin": true, "apis": ["storage", "team"], "effective_scope": "storage team",
               "created": "2019-01-01T00:00:00Z", "modified": "2019-01-01T00:00:00Z"}),
    );
    m
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

/// An ISO 8601 time (`2026-12-06T12:47:19Z`, with an offset, or without one: read as UTC),
/// as the service read the times it was given.
pub(crate) fn parse_time(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    cloud_core::model::LenientTime::parse(text)
}

pub(crate) fn new_id(prefix: &str) -> String {
    let mut b = [0u8; 12];
    let _ = getrandom::fill(&mut b);
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let s: String = b.iter().map(|x| A[(*x & 63) as usize] as char).collect();
    format!("{prefix}{s}")
}

/// The services whose events the service reported in a limited way: renames and moves come
/// as `add` events (the 1.x SDK's live event tests, `LIMITED_EVENTS_SERVICES`).
const LIMITED_EVENTS_SERVICES: &[&str] = &["gdrive"];

impl State {
    /// A fresh state, the connected account set up as `setup` says.
    pub fn new_with(setup: &Setup) -> Self {
        let mut s = Self {
            nodes: Tracked::new(HashMap::new()),
            listing: ListCache::new(),
            events: cloud_core::emulator::Retained::default(),
            calendars: BTreeMap::new(),
            cal_events: BTreeMap::new(),
            codes: HashMap::new(),
            next: 0,
            links: BTreeMap::new(),
            permissions: HashMap::new(),
            properties: HashMap::new(),
            uploads: BTreeMap::new(),
            upload_urls: HashMap::new(),
            accounts: builtin_accounts_with(setup),
        };
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
                json!({"id": id, "name": name, "api": "calendar", "type": "calendar", "description": "", "location": "", "timezone": "UTC",
                       "primary": id == "cal_primary", "account_id": ACCOUNT_ID.to_string()}),
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

    /// `n`'s ancestors, the root first: from `n` itself, so that the answer of a node not
    /// stored yet (a new upload or folder) has them too.
    pub fn ancestors(&self, n: &Node) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cur = n.parent.clone();
        while let Some(p) = cur {
            let Some(n) = self.nodes.get(&p) else { break };
            out.push(json!({"id": n.id, "name": n.name}));
            cur = n.parent.clone();
        }
        out.reverse();
        out
    }

    /// `n`'s path (`/Docs/a.txt`; the root's is `/`), from `n` itself as [`State::ancestors`].
    pub fn path(&self, n: &Node) -> String {
        let mut parts = Vec::new();
        if n.parent.is_some() {
            parts.push(n.name.clone());
        }
        let mut cur = n.parent.clone();
        while let Some(c) = cur {
            let Some(p) = self.nodes.get(&c) else { break };
            if p.parent.is_some() {
                parts.push(p.name.clone());
            }
            cur = p.parent.clone();
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
        v.insert("ancestors".into(), json!(self.ancestors(n)));
        v.insert("path".into(), json!(self.path(n)));
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

    /// Appends an event for a storage change. A service with limited events (Google Drive,
    /// the connected account's) reports a rename or a move as `add`, as the service did. A
    /// `delete` event's `id` is the deleted file's or folder's id (the 1.x SDK's live tests
    /// look a deleted file's event up by `id`; its metadata may be all that is left of it),
    /// every other event's a unique `ev<N>`: ids stay unique, as a file is deleted once.
    pub fn event(&mut self, kind: &str, metadata: Value) {
        let limited = self.accounts.get(&ACCOUNT_ID).is_some_and(|a| {
            a["service"]
                .as_str()
                .is_some_and(|s| LIMITED_EVENTS_SERVICES.contains(&s))
        });
        let kind = match kind {
            "rename" | "move" if limited => "add",
            k => k,
        };
        let id = match (kind, metadata["id"].as_str()) {
            ("delete", Some(node)) => node.to_owned(),
            _ => format!("ev{}", self.events.end() + 1),
        };
        self.events.push(json!({
            "id": id, "account": ACCOUNT_ID, "type": kind, "modified": now(),
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
