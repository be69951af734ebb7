//! `BackOffRequest`'s algorithm, exactly (spec section 2.5): no request is ever re-sent; after
//! every request the earliest start of the next one (from any task of the client) moves to
//! `now + U * 2^min(retries, 8)` seconds, `U` uniform in [0, 1), where `retries` is the number
//! of consecutive failures (0 after a success). A failure is a status outside the call's
//! accepted set, or any transport error.
//!
//! The clock is tokio's (so tests can pause it) and the random source is injectable.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// A source of `U`, uniform in [0, 1).
pub type Jitter = Arc<dyn Fn() -> f64 + Send + Sync>;

struct State {
    retries: u32,
    next_req: Instant,
}

/// The back-off state of one client, shared by all its tasks.
pub struct BackOff {
    state: Mutex<State>,
    jitter: Jitter,
    enabled: bool,
}

impl fmt::Debug for BackOff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackOff")
            .field("retries", &self.retries())
            .field("enabled", &self.enabled)
            .finish()
    }
}

impl BackOff {
    /// A back-off state; `enabled = false` never waits (as the Python tests do by replacing
    /// `_wait`), but still counts failures.
    pub fn new(jitter: Jitter, enabled: bool) -> Self {
        Self {
            state: Mutex::new(State {
                retries: 0,
                next_req: Instant::now(),
            }),
            jitter,
            enabled,
        }
    }

    /// Consecutive failures so far (`BOReq._BackOffRequest__retries`).
    pub fn retries(&self) -> u32 {
        self.state.lock().map(|s| s.retries).unwrap_or(0)
    }

    /// How long the next request must wait from now.
    pub fn delay(&self) -> Duration {
        let next = self
            .state
            .lock()
            .map(|s| s.next_req)
            .unwrap_or_else(|_| Instant::now());
        next.saturating_duration_since(Instant::now())
    }

    /// Waits until the next request may start (`_wait`).
    pub async fn wait(&self) {
        if !self.enabled {
            return;
        }
        let d = self.delay();
        if d > Duration::from_secs(5) {
            tracing::warn!("Waiting {:.2}s because of error(s).", d.as_secs_f64());
        }
        if !d.is_zero() {
            tokio::time::sleep(d).await;
        }
    }

    /// Records the outcome of a request and moves the next start.
    pub fn record(&self, success: bool) {
        let u = (self.jitter)().clamp(0.0, 0.999_999_999);
        if let Ok(mut s) = self.state.lock() {
            s.retries = if success {
                0
            } else {
                s.retries.saturating_add(1)
            };
            let factor = f64::from(1u32 << s.retries.min(8));
            s.next_req = Instant::now() + Duration::from_secs_f64(u * factor);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn windows_grow_and_reset() {
        // U fixed just under 1: the delay is the top of each window.
        let b = BackOff::new(Arc::new(|| 0.999_999), true);
        let near = |d: Duration, secs: f64| (d.as_secs_f64() - secs).abs() < 0.01;
        b.record(true);
        assert!(near(b.delay(), 1.0));
        b.record(false);
        assert!(near(b.delay(), 2.0));
        b.record(false);
        assert!(near(b.delay(), 4.0));
        for _ in 0..10 {
            b.record(false);
        }
        assert_eq!(b.retries(), 12);
        assert!(near(b.delay(), 256.0));
        let start = Instant::now();
        b.wait().await;
        assert!(near(start.elapsed(), 256.0));
        b.record(true);
        assert_eq!(b.retries(), 0);
        assert!(near(b.delay(), 1.0));
        let off = BackOff::new(Arc::new(|| 0.5), false);
        off.record(false);
        let t = Instant::now();
        off.wait().await;
        assert_eq!(t.elapsed(), Duration::ZERO);
        assert_eq!(off.retries(), 1);
    }
}
