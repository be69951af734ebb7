//! The emulator's file tree, tasks and OAuth 1.0 tokens.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use serde_json::{json, Value};

use cloud_core::emulator::{Blob, ListCache, Tracked};

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Entry {
    pub id: u64,
    #[serde(with = "cloud_core::emulator::blob_serde::option")]
    pub blob: Option<Blob>,
    pub time: String,
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct OAuthTokens {
    /// request token -> (secret, verifier, callback)
    pub request: HashMap<String, (String, String, Option<String>)>,
    /// access token -> secret
    pub access: HashMap<String, String>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct State {
    /// Every item by normalised absolute path; directories have no blob. `/` always exists.
    /// Every entry by normalised path; changed only through `modify()`, so that `listing`
    /// knows when it is stale.
    pub entries: Tracked<BTreeMap<String, Entry>>,
    /// The last folder paged through, its children's paths in order.
    #[serde(skip)]
    pub listing: ListCache<String>,
    pub next_id: u64,
    pub tasks: HashMap<String, Value>,
    /// The tasks' ids in the order made: the last
    /// [`DEFAULT_RETAINED`](cloud_core::emulator::DEFAULT_RETAINED) are kept (as the service
    /// lets finished tasks go), the older ones leave `tasks`.
    #[serde(default)]
    pub task_order: cloud_core::emulator::Retained<String>,
    /// Users, groups, roles, sites, links, quotas, access rules, preferences, sessions.
    #[serde(default)]
    pub records: super::records::Records,
    /// Not in a dump (secrets of this instance's grants); a load keeps the current ones.
    #[serde(skip)]
    pub oauth: OAuthTokens,
}

/// The direct children of `dir` in `entries`, in path order.
fn children_of<'a>(
    entries: &'a BTreeMap<String, Entry>,
    dir: &str,
) -> impl Iterator<Item = &'a String> + 'a {
    let prefix = if dir == "/" {
        "/".to_owned()
    } else {
        format!("{dir}/")
    };
    let n = prefix.len();
    entries
        .range(prefix.clone()..)
        .map(|(p, _)| p)
        .take_while(move |p| p.starts_with(&prefix))
        .filter(move |p| p.len() > n && !p[n..].contains('/'))
}

pub(crate) fn now() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// The spec's path normalisation: one leading `/`, no trailing `/`, `//` collapsed, `.` and
/// `..` resolved without leaving `/`; empty is `/`.
pub(crate) fn normalise(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

pub(crate) fn parent_of(p: &str) -> String {
    match p.rfind('/') {
        Some(0) | None => "/".into(),
        Some(i) => p[..i].to_owned(),
    }
}

pub(crate) fn name_of(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or("")
}

pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

impl State {
    pub fn new() -> Self {
        let mut entries = BTreeMap::new();
        entries.insert(
            "/".to_owned(),
            Entry {
                id: 1,
                blob: None,
                time: now(),
            },
        );
        Self {
            entries: Tracked::new(entries),
            listing: ListCache::new(),
            next_id: 1,
            tasks: HashMap::new(),
            task_order: cloud_core::emulator::Retained::default(),
            records: super::records::Records::default(),
            oauth: OAuthTokens::default(),
        }
    }

    pub fn is_dir(&self, p: &str) -> bool {
        self.entries.get(p).is_some_and(|e| e.blob.is_none())
    }

    /// The paths of `dir`'s direct children in path order, kept between calls while nothing
    /// changes: paging through a large folder walks it once, not per page.
    pub fn sorted_children(&mut self, dir: &str) -> std::sync::Arc<Vec<String>> {
        let generation = self.entries.generation();
        let entries = &self.entries;
        self.listing.get_or(dir, generation, || {
            children_of(entries, dir).cloned().collect()
        })
    }

    /// How many direct children `dir` has: the kept listing's length when it is `dir`'s at
    /// this generation (a page of a large folder then costs no walk), else a count.
    pub fn child_count(&self, dir: &str) -> usize {
        match self.listing.peek(dir, self.entries.generation()) {
            Some(kids) => kids.len(),
            None => self.children_iter(dir).count(),
        }
    }

    /// The direct children of `dir`, in path order, without copying them.
    pub fn children_iter<'a>(&'a self, dir: &str) -> impl Iterator<Item = &'a String> + 'a {
        children_of(&self.entries, dir)
    }

    pub fn subtree(&self, root: &str) -> Vec<String> {
        let prefix = format!("{root}/");
        let mut out = vec![root.to_owned()];
        out.extend(
            self.entries
                .range(prefix.clone()..)
                .take_while(|(p, _)| p.starts_with(&prefix))
                .map(|(p, _)| p.clone()),
        );
        out
    }

    /// Creates `p` and its missing parents as directories; a file in the way is an error.
    pub fn mkdirs(&mut self, p: &str) -> Result<(), String> {
        let mut cur = String::new();
        for seg in p.split('/').filter(|s| !s.is_empty()) {
            cur.push('/');
            cur.push_str(seg);
            match self.entries.get(&cur) {
                Some(e) if e.blob.is_some() => return Err(cur),
                Some(_) => {}
                None => {
                    self.next_id += 1;
                    let id = self.next_id;
                    self.entries.modify().insert(
                        cur.clone(),
                        Entry {
                            id,
                            blob: None,
                            time: now(),
                        },
                    );
                }
            }
        }
        Ok(())
    }

    pub fn put_file(&mut self, p: &str, blob: Blob) {
        self.next_id += 1;
        let id = self.next_id;
        self.entries.modify().insert(
            p.to_owned(),
            Entry {
                id,
                blob: Some(blob),
                time: now(),
            },
        );
    }

    pub fn info(&self, p: &str, base: &str, version: &str) -> Value {
        let Some(e) = self.entries.get(p) else {
            return Value::Null;
        };
        let isdir = e.blob.is_none();
        let name = if p == "/" { "" } else { name_of(p) };
        let ext = if isdir {
            String::new()
        } else {
            name.rsplit_once('.')
                .map(|(_, x)| format!(".{x}"))
                .unwrap_or_default()
        };
        let size = match &e.blob {
            Some(b) => b.len(),
            None => 0,
        };
        let mime = if isdir {
            "application/x-directory".to_owned()
        } else {
            mime_of(name)
        };
        let url_path = if p == "/" {
            String::new()
        } else {
            format!("{}/", &p[1..])
        };
        json!({
            "acl": {"list": true, "read": true, "remove": true, "write": true},
            "attributes": {},
            "extension": ext,
            "id": e.id,
            "isdir": isdir,
            "isfile": !isdir,
            "items": if isdir { json!(self.child_count(p)) } else { Value::Null },
            "mime": mime,
            "name": name,
            "owner": Value::Null,
            "path": p,
            "size": size,
            "tags": [],
            "time": e.time,
            "url": format!("{base}api/{version}/path/info/{url_path}"),
        })
    }
}

/// The MIME type served for a file; never exactly `application/json` (the original client
/// would decode such a download instead of streaming it).
pub(crate) fn mime_of(name: &str) -> String {
    let m = mime_guess::from_path(name)
        .first_raw()
        .unwrap_or("application/octet-stream");
    if m == "application/json" {
        "application/json; charset=utf-8".into()
    } else {
        m.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        assert_eq!(normalise(""), "/");
        assert_eq!(normalise("testfn2/testfn"), "/testfn2/testfn");
        assert_eq!(normalise("/file.txt/"), "/file.txt");
        assert_eq!(normalise("//a//b/"), "/a/b");
        assert_eq!(normalise("/a/../../b/./c"), "/b/c");
    }
}
