//! [`SkipWaits`]: a retry strategy that records what the wrapped strategy decided and does not
//! wait, so that a test of a 60 s Retry-After checks the decision in no time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::retry::{Attempt, Decision, Outcome, RetryStrategy};

/// One decision the wrapped strategy made.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Decided {
    /// What the loop knew (its `elapsed` is real time, which the skipped waits do not add to).
    pub attempt: Attempt,
    /// The answer or failure being judged.
    pub outcome: Outcome,
    /// What the wrapped strategy decided (the wait it asked for, before it was skipped).
    pub decision: Decision,
}

/// Wraps a [`RetryStrategy`]: each decision is recorded, and a `Retry { after }` is carried out
/// at once instead of after `after`. A test clock for the retry loop: the waits a strategy
/// asks for (Retry-After, back-off) are asserted from [`SkipWaits::waits`] rather than
/// measured with a stopwatch.
///
/// ```
/// use std::time::Duration;
/// use cloud_core::emulator::SkipWaits;
/// use cloud_core::RetryPolicy;
///
/// let policy = SkipWaits::new(RetryPolicy::default());
/// // Give `policy.clone()` to a client (`HttpOptions::retry`), make the call, then:
/// assert_eq!(policy.waits(), Vec::<Duration>::new());
/// ```
#[derive(Debug, Clone)]
pub struct SkipWaits<S> {
    inner: S,
    decided: Arc<Mutex<Vec<Decided>>>,
}

impl<S: RetryStrategy> SkipWaits<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            decided: Arc::default(),
        }
    }

    /// Every decision so far, in order.
    pub fn decided(&self) -> Vec<Decided> {
        self.decided.lock().map(|d| d.clone()).unwrap_or_default()
    }

    /// The waits the wrapped strategy asked for (one per retry), in order.
    pub fn waits(&self) -> Vec<Duration> {
        self.decided()
            .iter()
            .filter_map(|d| match d.decision {
                Decision::Retry { after } => Some(after),
                Decision::Stop(_) => None,
            })
            .collect()
    }

    /// Forgets the decisions recorded so far.
    pub fn clear(&self) {
        if let Ok(mut d) = self.decided.lock() {
            d.clear();
        }
    }
}

impl<S: RetryStrategy> RetryStrategy for SkipWaits<S> {
    fn decide(&self, attempt: &Attempt, outcome: &Outcome) -> Decision {
        let decision = self.inner.decide(attempt, outcome);
        if let Ok(mut d) = self.decided.lock() {
            d.push(Decided {
                attempt: *attempt,
                outcome: *outcome,
                decision,
            });
        }
        match decision {
            Decision::Retry { .. } => Decision::Retry {
                after: Duration::ZERO,
            },
            stop => stop,
        }
    }
}
