//! Progress callbacks for transfers.

use std::sync::Arc;

/// How far a transfer has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes transferred so far (counting any resumed offset).
    pub transferred: u64,
    /// The total, when known.
    pub total: Option<u64>,
}

/// A progress callback, called after each chunk. Keep it cheap: it runs on the transfer's task.
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Calls `f`, if there is one.
pub(crate) fn report(f: Option<&ProgressFn>, transferred: u64, total: Option<u64>) {
    if let Some(f) = f {
        f(Progress { transferred, total });
    }
}
