//! The request log: what an emulator was asked, for assertions in tests.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::is_secret_name;

/// One request as the emulator saw it (its body is not kept).
#[derive(Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// The method.
    pub method: String,
    /// The path, percent-decoded as sent.
    pub path: String,
    /// The raw query string.
    pub query: Option<String>,
    /// The headers, lower-case names, in order.
    pub headers: Vec<(String, String)>,
}

impl LoggedRequest {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for LoggedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let v = if is_secret_name(k) { "***" } else { v.as_str() };
                (k.as_str(), v)
            })
            .collect();
        f.debug_struct("LoggedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query.as_ref().map(|_| "…"))
            .field("headers", &headers)
            .finish()
    }
}

/// The log, shared by clones. Bounded: past `capacity` entries the oldest are dropped.
#[derive(Clone, Debug)]
pub struct RequestLog {
    entries: Arc<Mutex<std::collections::VecDeque<LoggedRequest>>>,
    capacity: usize,
    total: Arc<AtomicU64>,
}

impl Default for RequestLog {
    fn default() -> Self {
        Self::with_capacity(100_000)
    }
}

impl RequestLog {
    /// A log keeping at most `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Arc::default(),
            capacity,
            total: Arc::default(),
        }
    }

    /// Records a request.
    pub fn push(&self, entry: LoggedRequest) {
        self.total.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut e) = self.entries.lock() {
            if e.len() >= self.capacity {
                e.pop_front();
            }
            e.push_back(entry);
        }
    }

    /// Every request kept, oldest first.
    pub fn entries(&self) -> Vec<LoggedRequest> {
        self.entries
            .lock()
            .map(|e| e.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// How many requests had this method and path.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.entries
            .lock()
            .map(|e| {
                e.iter()
                    .filter(|r| r.method == method && r.path == path)
                    .count()
            })
            .unwrap_or(0)
    }

    /// How many requests of `method` went to a path starting with `prefix`.
    pub fn count_prefix(&self, method: &str, prefix: &str) -> usize {
        self.entries
            .lock()
            .map(|e| {
                e.iter()
                    .filter(|r| r.method == method && r.path.starts_with(prefix))
                    .count()
            })
            .unwrap_or(0)
    }

    /// How many requests were recorded since the emulator started, the dropped and the
    /// cleared ones too (a soak's "requests served").
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        if let Ok(mut e) = self.entries.lock() {
            e.clear();
        }
    }
}
