//! `BackOffRequest`'s algorithm, exactly (spec section 2.5): no request is ever re-sent; after
//! every request the earliest start of the next one (from any task of the client) moves to
//! `now + U * 2^min(retries, 8)` seconds, `U` uniform in [0, 1), where `retries` is the number
//! of consecutive failures (0 after a success). A failure is a status outside the call's
//! accepted set, or any transport error.
//!
//! By default ([`Pacing::AfterFailures`]) a success clears the wait, so that a workflow of
//! successful calls is not slowed by the original's `U` seconds after each one; from the first
//! failure on the windows grow exactly as the original's. [`Pacing::Original`] restores the
//! wait after successes too; [`Pacing::Off`] never waits (the Python tests' `_wait` stub).
//!
//! The clock is tokio's (so tests can pause it) and the random source is injectable.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// A source of `U`, uniform in [0, 1).
pub type Jitter = Arc<dyn Fn() -> f64 + Send + Sync>;

/// When requests of a client wait for each other (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Pacing {
    /// The original's windows after failures; no wait after a success (the default).
    #[default]
    AfterFailures,
    /// `BackOffRequest` exactly: `U * 2^min(retries, 8)` seconds after every request,
    /// successes included.
    Original,
    /// Never wait (failures are still counted).
    Off,
}

struct State {
    retries: u32,
    next_req: Instant,
}

/// The back-off state of one client, shared by all its tasks.
pub struct BackOff {
    state: Mutex<State>,
    jitter: Jitter,
    pacing: Pacing,
}

impl fmt::Debug for BackOff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackOff")
            .field("retries", &self.retries())
            .field("pacing", &self.pacing)
            .finish()
    }
}

impl BackOff {
    /// A back-off state with this pacing.
    pub fn new(jitter: Jitter, pacing: Pacing) -> Self {
        Self {
            state: Mutex::new(State {
                retries: 0,
                next_req: Instant::now(),
            }),
            jitter,
            pacing,
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
        if self.pacing == Pacing::Off {
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
            if success && self.pacing == Pacing::AfterFailures {
                s.next_req = Instant::now();
                return;
            }
            let factor = f64::from(1u32 << s.retries.min(8));
            s.next_req = Instant::now() + Duration::from_secs_f64(u * factor);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `cargo xtask mutants`: `Debug` shows the failures and the pacing.
    #[test]
    fn debug_shows_failures_and_pacing() {
        let b = BackOff::new(Arc::new(|| 0.5), Pacing::Off);
        b.record(false);
        assert_eq!(format!("{b:?}"), "BackOff { retries: 1, pacing: Off }");
    }

    #[tokio::test(start_paused = true)]
    async fn windows_grow_and_reset() {
        // U fixed just under 1: the delay is the top of each window.
        let b = BackOff::new(Arc::new(|| 0.999_999), Pacing::Original);
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
        let off = BackOff::new(Arc::new(|| 0.5), Pacing::Off);
        off.record(false);
        let t = Instant::now();
        off.wait().await;
        assert_eq!(t.elapsed(), Duration::ZERO);
        assert_eq!(off.retries(), 1);
        // The default: no wait after successes, the original's windows after failures.
        let d = BackOff::new(Arc::new(|| 0.999_999), Pacing::default());
        d.record(true);
        assert_eq!(d.delay(), Duration::ZERO);
        d.record(false);
        assert!(near(d.delay(), 2.0));
        d.record(false);
        assert!(near(d.delay(), 4.0));
        d.record(true);
        assert_eq!(d.delay(), Duration::ZERO);
        assert_eq!(d.retries(), 0);
    }
}
