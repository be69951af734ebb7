//! The emulator's tree: items keyed by path (folders end with `/`, the root is `/`), ids
//! derived from paths as Orange's are (unpadded URL-safe base64), so that a rename or move
//! changes the ids of the item and everything below it.

use std::collections::BTreeMap;

use base64::Engine;
use chrono::Utc;
use serde_json::{json, Value};

use cloud_core::emulator::{Blob, ListCache, Tracked};

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Entry {
    #[serde(with = "cloud_core::emulator::blob_serde::option")]
    pub blob: Option<Blob>,
    pub mime: String,
    pub created: String,
    pub modified: String,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct State {
    /// Every item by path; changed only through `modify()`, so that the listing caches know
    /// when they are stale.
    pub entries: Tracked<BTreeMap<String, Entry>>,
    pub quota: u64,
    /// The last listing's folders and files (before the page cut): paging through a large
    /// folder then costs one page per request, not a walk of the folder.
    #[serde(skip)]
    pub listed_folders: ListCache<String>,
    #[serde(skip)]
    pub listed_files: ListCache<String>,
}

pub(crate) fn now() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%S+0000").to_string()
}

pub(crate) fn id_of(path: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(path)
}

pub(crate) fn path_of(id: &str) -> Option<String> {
    let b = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id)
        .ok()?;
    String::from_utf8(b).ok()
}

/// The parent folder path of an item path.
pub(crate) fn parent_of(path: &str) -> String {
    if path == "/" {
        return "/".into();
    }
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(i) => trimmed[..=i].to_owned(),
        None => "/".into(),
    }
}

/// [`parent_of`] without a copy.
fn parent_slice(path: &str) -> &str {
    if path == "/" {
        return "/";
    }
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(i) => &trimmed[..=i],
        None => "/",
    }
}

pub(crate) fn name_of(path: &str) -> String {
    if path == "/" {
        return String::new();
    }
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_owned()
}

/// The path of `name` in folder `dir` (a folder name gets its trailing `/`).
pub(crate) fn child_path(dir: &str, name: &str, folder: bool) -> String {
    let base = if dir == "/" {
        String::new()
    } else {
        dir.to_owned()
    };
    if folder {
        format!("{base}{name}/")
    } else {
        format!("{base}{name}")
    }
}

pub(crate) fn file_type(mime: &str) -> &'static str {
    match mime.split('/').next().unwrap_or("") {
        "image" => "PICTURE",
        "video" => "VIDEO",
        "audio" => "AUDIO",
        _ => "FILE",
    }
}

impl State {
    pub fn new(quota: u64) -> Self {
        let mut entries = BTreeMap::new();
        let t = now();
        entries.insert(
            "/".to_owned(),
            Entry {
                blob: None,
                mime: String::new(),
                created: t.clone(),
                modified: t,
            },
        );
        Self {
            entries: Tracked::new(entries),
            quota,
            listed_folders: ListCache::new(),
            listed_files: ListCache::new(),
        }
    }

    pub fn used(&self) -> u64 {
        self.entries
            .values()
            .filter_map(|e| e.blob.as_ref().map(Blob::len))
            .sum()
    }

    pub fn descendants(&self, dir: &str) -> Vec<String> {
        descendants_of(&self.entries, dir)
    }

    /// A free name `stem(n).ext` in `dir`.
    pub fn free_name(&self, dir: &str, name: &str, folder: bool) -> String {
        if !self.entries.contains_key(&child_path(dir, name, folder)) {
            return name.to_owned();
        }
        let (stem, ext) = match name.rsplit_once('.') {
            Some((a, b)) if !a.is_empty() && !folder => (a.to_owned(), format!(".{b}")),
            _ => (name.to_owned(), String::new()),
        };
        (1..)
            .map(|i| format!("{stem}({i}){ext}"))
            .find(|n| !self.entries.contains_key(&child_path(dir, n, folder)))
            .unwrap_or_else(|| name.to_owned())
    }

    pub fn file_json(&self, path: &str, base: &str, urls: bool) -> Value {
        let Some(e) = self.entries.get(path) else {
            return Value::Null;
        };
        let id = id_of(path);
        let mut v = json!({
            "id": id, "name": name_of(path), "type": file_type(&e.mime),
            "size": e.blob.as_ref().map_or(0, Blob::len),
            "creationDate": e.created, "lastUpdateDate": e.modified,
            "parentId": id_of(&parent_of(path)),
            "metadata": {},
        });
        if urls {
            v["downloadUrl"] = json!(format!("{base}/cloud/v1/files/{id}/content/d"));
            v["previewUrl"] = json!(format!("{base}/cloud/v1/files/{id}/preview/p"));
            v["thumbUrl"] = json!(format!("{base}/cloud/v1/files/{id}/thumb/t"));
        }
        v
    }

    pub fn folder_ref(path: &str) -> Value {
        json!({"id": id_of(path), "name": name_of(path), "parentId": id_of(&parent_of(path))})
    }
}

/// The direct children of `dir`, in path order.
pub(crate) fn children_of(entries: &BTreeMap<String, Entry>, dir: &str) -> Vec<String> {
    let direct = |p: &&String| *p != "/" && parent_slice(p) == dir;
    if dir == "/" {
        return entries.keys().filter(direct).cloned().collect();
    }
    // Everything under `dir` sorts right after it: walk that range only.
    entries
        .range::<str, _>((std::ops::Bound::Excluded(dir), std::ops::Bound::Unbounded))
        .map(|(p, _)| p)
        .take_while(|p| p.starts_with(dir))
        .filter(direct)
        .cloned()
        .collect()
}

/// Everything below `dir`, in path order.
pub(crate) fn descendants_of(entries: &BTreeMap<String, Entry>, dir: &str) -> Vec<String> {
    entries
        .keys()
        .filter(|p| *p != "/" && *p != dir && (dir == "/" || p.starts_with(dir)))
        .cloned()
        .collect()
}
