//! The path -> folder cache of a store, and the single-flight creation of folders.
//!
//! Rules:
//! - Only folders are cached (a file's entry is looked up for each call: its size and tag
//!   change with every write).
//! - A folder is cached when it is looked up, created or met in a listing.
//! - A call that meets a "not found" through a cached folder evicts that folder and its
//!   subtree and looks the path up again, once.
//! - The store never renames or moves folders itself; a user who does so through the crate's
//!   own calls calls [`TreeStore::forget`](super::TreeStore::forget) (or lets the stale
//!   "not found" above evict it).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

/// Cached folders by their path (`""` for the root).
#[derive(Debug)]
pub struct FolderCache<H> {
    folders: RwLock<HashMap<String, H>>,
    creating: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl<H> Default for FolderCache<H> {
    fn default() -> Self {
        Self {
            folders: RwLock::new(HashMap::new()),
            creating: Mutex::new(HashMap::new()),
        }
    }
}

impl<H: Clone> FolderCache<H> {
    /// The cached folder at `path`.
    pub fn get(&self, path: &str) -> Option<H> {
        self.folders
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
            .cloned()
    }

    /// Caches the folder at `path`.
    pub fn insert(&self, path: &str, handle: H) {
        self.folders
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_owned(), handle);
    }

    /// Forgets `path` and every folder under it.
    pub fn evict_subtree(&self, path: &str) {
        let mut map = self.folders.write().unwrap_or_else(|e| e.into_inner());
        if path.is_empty() {
            map.clear();
            return;
        }
        let below = format!("{path}/");
        map.retain(|k, _| k != path && !k.starts_with(&below));
    }

    /// How many folders are cached.
    pub fn len(&self) -> usize {
        self.folders.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The lock that one creator of the folder at `path` holds, so that concurrent puts into
    /// one new folder create it once.
    pub fn creation_lock(&self, path: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.creating.lock().unwrap_or_else(|e| e.into_inner());
        // Locks nobody holds or waits for are dropped, so the map stays small.
        map.retain(|_, l| Arc::strong_count(l) > 1);
        map.entry(path.to_owned()).or_default().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicting_a_folder_evicts_its_subtree_only() {
        let c = FolderCache::default();
        for p in ["a", "a/b", "a/b/c", "ab", "b"] {
            c.insert(p, p.to_owned());
        }
        c.evict_subtree("a");
        assert_eq!(c.get("a"), None);
        assert_eq!(c.get("a/b/c"), None);
        assert_eq!(c.get("ab").as_deref(), Some("ab"));
        assert_eq!(c.len(), 2);
        c.evict_subtree("");
        assert!(c.is_empty());
    }

    #[tokio::test]
    async fn one_creation_lock_per_path() {
        let c: FolderCache<String> = FolderCache::default();
        let a = c.creation_lock("x");
        let _held = a.lock().await;
        let b = c.creation_lock("x");
        assert!(b.try_lock().is_err(), "the same path shares one lock");
        assert!(c.creation_lock("y").try_lock().is_ok());
    }
}
