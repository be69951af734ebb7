//! The emulator's state: the folder tree, the trash, the fullview change journal, pending
//! uploads and the quota. One lock, never held across I/O (bodies stream to blobs outside it).

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::Utc;
use serde_json::{json, Value};

use cloud_core::emulator::{Blob, ListCache};

/// The virtual folders at the root.
pub const VIRTUAL_FOLDERS: &[&str] = &["VZMOBILE", "VZWEB", "MyComputer"];

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileEntry {
    #[serde(with = "cloud_core::emulator::blob_serde")]
    pub blob: Blob,
    pub checksum: String,
    pub version: i64,
    pub version_created: String,
    pub content_token: String,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct FolderEntry {
    pub version: i64,
    pub version_created: String,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) enum Node {
    File(FileEntry),
    Folder(FolderEntry),
}

#[derive(Debug)]
pub(crate) struct Upload {
    pub folder: String,
    pub name: String,
    pub size: u64,
    pub checksum: String,
    pub chunked: bool,
    pub chunks: BTreeMap<u32, Blob>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct State {
    /// Every live item by absolute path (`/VZMOBILE/a.jpg`); the root `/` is implicit.
    pub nodes: BTreeMap<String, Node>,
    /// Trashed subtrees: (root path, entries).
    pub trash: Vec<(String, Vec<(String, Node)>)>,
    pub journal: VecDeque<(u64, String)>,
    pub seq: u64,
    /// The oldest journal position still answerable.
    pub floor: u64,
    pub window: usize,
    /// Uploads in progress are not part of a dump (their chunks are transient).
    #[serde(skip)]
    pub uploads: HashMap<String, Upload>,
    pub next_id: u64,
    pub quota: u64,
    /// The last search's sorted hit paths, kept while `seq` is unchanged: paging through a
    /// large result then costs one page, not one sort, per request.
    #[serde(skip)]
    pub search_cache: ListCache<String>,
}

pub(crate) fn now() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub(crate) fn parent_of(path: &str) -> String {
    match path.rfind('/') {
        Some(0) | None => "/".into(),
        Some(i) => path[..i].to_owned(),
    }
}

pub(crate) fn name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

pub(crate) fn join(parent: &str, name: &str) -> String {
    if parent == "/" {
        format!("/{name}")
    } else {
        format!("{parent}/{name}")
    }
}

fn mime_of(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        "txt" => "text/plain",
        "pdf" => "application/pdf",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

/// True when `path` is `root` or under it.
pub(crate) fn within(path: &str, root: &str) -> bool {
    path == root || path.starts_with(&format!("{root}/"))
}

impl State {
    pub fn new(quota: u64, window: usize) -> Self {
        let mut s = Self {
            nodes: BTreeMap::new(),
            trash: Vec::new(),
            journal: VecDeque::new(),
            seq: 0,
            floor: 0,
            window: window.max(1),
            uploads: HashMap::new(),
            next_id: 0,
            quota,
            search_cache: ListCache::new(),
        };
        for vf in VIRTUAL_FOLDERS {
            s.nodes.insert(
                format!("/{vf}"),
                Node::Folder(FolderEntry {
                    version: 1,
                    version_created: now(),
                }),
            );
        }
        s
    }

    /// Records a change to `path` in the journal.
    pub fn record(&mut self, path: &str) {
        self.seq += 1;
        self.journal.push_back((self.seq, path.to_owned()));
        while self.journal.len() > self.window {
            if let Some((s, _)) = self.journal.pop_front() {
                self.floor = s;
            }
        }
    }

    pub fn used(&self) -> u64 {
        let live: u64 = self
            .nodes
            .values()
            .map(|n| match n {
                Node::File(f) => f.blob.len(),
                Node::Folder(_) => 0,
            })
            .sum();
        let trashed: u64 = self
            .trash
            .iter()
            .flat_map(|(_, e)| e.iter())
            .map(|(_, n)| match n {
                Node::File(f) => f.blob.len(),
                Node::Folder(_) => 0,
            })
            .sum();
        live + trashed
    }

    pub fn is_folder(&self, path: &str) -> bool {
        path == "/" || matches!(self.nodes.get(path), Some(Node::Folder(_)))
    }

    pub fn in_trash(&self, path: &str) -> bool {
        self.trash
            .iter()
            .any(|(_, e)| e.iter().any(|(p, _)| p == path))
    }

    /// Direct children of a folder.
    pub fn children(&self, folder: &str) -> Vec<(String, Node)> {
        let prefix = if folder == "/" {
            "/".to_owned()
        } else {
            format!("{folder}/")
        };
        self.nodes
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter(|(p, _)| !p[prefix.len()..].contains('/'))
            .map(|(p, n)| (p.clone(), n.clone()))
            .collect()
    }

    pub fn has_children(&self, folder: &str) -> bool {
        let prefix = format!("{folder}/");
        self.nodes
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(p, _)| p.starts_with(&prefix))
    }

    /// The subtree at `root` (the item and everything under it).
    pub fn subtree(&self, root: &str) -> Vec<(String, Node)> {
        let mut out: Vec<(String, Node)> = self
            .nodes
            .get(root)
            .map(|n| vec![(root.to_owned(), n.clone())])
            .unwrap_or_default();
        let prefix = format!("{root}/");
        out.extend(
            self.nodes
                .range(prefix.clone()..)
                .take_while(|(p, _)| p.starts_with(&prefix))
                .map(|(p, n)| (p.clone(), n.clone())),
        );
        out
    }

    pub fn remove_subtree(&mut self, root: &str) -> Vec<(String, Node)> {
        let entries = self.subtree(root);
        for (p, _) in &entries {
            self.nodes.remove(p);
            self.record(p);
        }
        entries
    }

    /// Creates the missing folders of `path` (journaled).
    pub fn ensure_folders(&mut self, path: &str) -> Result<(), &'static str> {
        let mut cur = String::new();
        for seg in path.split('/').filter(|s| !s.is_empty()) {
            cur.push('/');
            cur.push_str(seg);
            match self.nodes.get(&cur) {
                Some(Node::Folder(_)) => {}
                Some(Node::File(_)) => return Err("a file is in the way"),
                None => {
                    self.nodes.insert(
                        cur.clone(),
                        Node::Folder(FolderEntry {
                            version: 1,
                            version_created: now(),
                        }),
                    );
                    let p = cur.clone();
                    self.record(&p);
                }
            }
        }
        Ok(())
    }

    /// Stores a file (replacing one of the same path, with a new version).
    pub fn put_file(
        &mut self,
        folder: &str,
        name: &str,
        blob: Blob,
        checksum: String,
    ) -> Result<Value, &'static str> {
        self.ensure_folders(folder)?;
        let path = join(folder, name);
        let version = match self.nodes.get(&path) {
            Some(Node::File(f)) => f.version + 1,
            Some(Node::Folder(_)) => return Err("a folder has that name"),
            None => 1,
        };
        self.next_id += 1;
        let entry = FileEntry {
            blob,
            checksum,
            version,
            version_created: now(),
            content_token: format!("ct-{}", self.next_id),
        };
        let json = file_json(&path, &entry, false);
        self.nodes.insert(path.clone(), Node::File(entry));
        self.record(&path);
        Ok(json)
    }
}

pub(crate) fn file_json(path: &str, f: &FileEntry, deleted: bool) -> Value {
    let name = name_of(path);
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    json!({
        "name": name,
        "parentPath": parent_of(path),
        "size": f.blob.len(),
        "checksum": f.checksum,
        "contentToken": f.content_token,
        "contentAccessible": !deleted,
        "deleted": deleted,
        "extension": ext,
        "version": f.version,
        "versionCreated": f.version_created,
        "systemAttributes": {"mimeType": mime_of(name)},
        "viewUid": [],
    })
}

pub(crate) fn folder_json(path: &str, f: &FolderEntry, deleted: bool) -> Value {
    let mut v = json!({
        "name": name_of(path),
        "parentPath": parent_of(path),
        "version": f.version,
        "versionCreated": f.version_created,
    });
    if deleted {
        v["deleted"] = json!(true);
    }
    v
}

pub(crate) fn node_json(path: &str, n: &Node, deleted: bool) -> Value {
    match n {
        Node::File(f) => file_json(path, f, deleted),
        Node::Folder(f) => folder_json(path, f, deleted),
    }
}

pub(crate) fn mime_for(path: &str) -> &'static str {
    mime_of(name_of(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_children() {
        assert_eq!(parent_of("/VZMOBILE/a.jpg"), "/VZMOBILE");
        assert_eq!(parent_of("/VZMOBILE"), "/");
        assert_eq!(join("/", "x"), "/x");
        let mut s = State::new(1 << 30, 10);
        s.ensure_folders("/VZMOBILE/a/b").unwrap();
        assert!(s.is_folder("/VZMOBILE/a/b"));
        assert_eq!(s.children("/VZMOBILE").len(), 1);
        assert_eq!(s.children("/").len(), 3);
        assert!(within("/VZMOBILE/a/b", "/VZMOBILE/a"));
        assert!(!within("/VZMOBILE/ab", "/VZMOBILE/a"));
        // The window keeps 10 positions.
        for i in 0..20 {
            s.record(&format!("/x{i}"));
        }
        assert_eq!(s.journal.len(), 10);
        assert_eq!(s.floor, s.seq - 10);
    }
}
