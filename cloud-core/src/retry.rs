//! Retries: a pure [`RetryStrategy::decide`] and the async loop ([`send_with_retry`]) around it.
//!
//! # The rule, the same in every crate of the workspace
//!
//! **What is retried.** With the default [`RetryPolicy`], a request that is idempotent
//! (GET, HEAD, PUT, DELETE, OPTIONS, or an endpoint the provider documents as idempotent) is
//! sent again after a 408, 429, 500, 502, 503 or 504 answer, a connect error, a timeout or a
//! body that broke off: at most 3 retries, 200 ms doubling to a 20 s cap with full jitter,
//! 60 s overall; a `Retry-After` (seconds or HTTP date) is a floor of the wait, and one longer
//! than 60 s stops the loop. 501 and every other 4xx are final.
//!
//! **What is never retried once it may have reached the server.** A request that is not
//! idempotent (POST and PATCH unless the endpoint is known to be idempotent, and above all
//! **token grants**: an authorization code is single-use and refresh tokens rotate, so a
//! second grant can log the user out) is re-sent only after a *connect* error, when it
//! provably never left the machine. A 429 or 5xx answer, a timeout or a broken body proves
//! nothing about what the server did, so the error is returned to the caller.
//!
//! **Opting out.** [`RetryPolicy::none`] never re-sends anything: every provider crate with
//! it behaves exactly as its Python original (which retried nothing, or only what the crate's
//! README lists). A provider whose original has its own back-off (acd's `BackOffRequest`,
//! smartfile's `X-Throttle` wait) keeps it, and the crate README says how it combines with
//! this policy.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use http::{HeaderMap, Method, StatusCode};

use crate::error::{from_reqwest, Error, TransportKind};

/// Whether sending a request twice has the same effect as sending it once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Safe to repeat (GET, HEAD, PUT, DELETE, or an endpoint known to be idempotent).
    Idempotent,
    /// Not safe to repeat once the server may have processed it (most POSTs).
    NonIdempotent,
}

impl Idempotency {
    /// The usual idempotency of an HTTP method.
    pub fn from_method(method: &Method) -> Self {
        match *method {
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS => {
                Idempotency::Idempotent
            }
            _ => Idempotency::NonIdempotent,
        }
    }
}

/// What happened to one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The server answered with this status (and maybe a Retry-After).
    Status {
        /// The response status.
        status: StatusCode,
        /// The parsed Retry-After header.
        retry_after: Option<Duration>,
    },
    /// The request failed below HTTP.
    Transport(TransportKind),
}

/// What the loop knows when it asks for a decision.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Attempt {
    /// Retries already made (0 after the first attempt failed).
    pub retries: u32,
    /// Time since the first attempt started.
    pub elapsed: Duration,
    /// Whether the request may be repeated.
    pub idempotency: Idempotency,
    /// A number in `[0, 1)` used for jitter; the loop draws it at random, tests fix it.
    pub jitter: f64,
}

/// Why the loop stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// The outcome is a success.
    Success,
    /// The failure is not one a retry cures (or the request must not be repeated).
    NotRetryable,
    /// The retry budget is spent.
    Exhausted,
    /// The next wait would pass the overall deadline.
    Deadline,
    /// The server asked to wait longer than the policy allows.
    RetryAfterTooLong,
}

/// The decision for one failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Wait, then send again.
    Retry {
        /// How long to wait.
        after: Duration,
    },
    /// Give up (or succeed).
    Stop(StopReason),
}

/// A retry strategy: a pure decision from an attempt and its outcome.
pub trait RetryStrategy: fmt::Debug + Send + Sync {
    /// Decides whether (and after how long) to retry.
    fn decide(&self, attempt: &Attempt, outcome: &Outcome) -> Decision;
}

/// The workspace's default retry policy (see the module docs).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First back-off.
    pub initial_backoff: Duration,
    /// Back-off cap.
    pub max_backoff: Duration,
    /// Overall budget, from the first attempt to the start of the last one.
    pub total_timeout: Option<Duration>,
    /// The longest Retry-After honoured; a longer one stops the loop.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(20),
            total_timeout: Some(Duration::from_secs(60)),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Sets the number of retries.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Sets the first back-off and its cap.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// Sets the overall budget (`None`: no deadline).
    pub fn total_timeout(mut self, total: Option<Duration>) -> Self {
        self.total_timeout = total;
        self
    }

    /// Sets the longest Retry-After honoured.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    fn backoff_for(&self, retries: u32, jitter: f64) -> Duration {
        let factor = 2u32.saturating_pow(retries.min(30));
        let exp = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        exp.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

/// True for the statuses a retry can cure: 408, 429, 500, 502, 503, 504.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

impl RetryStrategy for RetryPolicy {
    fn decide(&self, attempt: &Attempt, outcome: &Outcome) -> Decision {
        let (retryable, retry_after) = match *outcome {
            Outcome::Status { status, .. } if status.is_success() || status.is_redirection() => {
                return Decision::Stop(StopReason::Success)
            }
            Outcome::Status {
                status,
                retry_after,
            } => {
                // The server answered: it saw the request, so only an idempotent one may go
                // again (a 429 is no proof that nothing happened).
                let allowed = attempt.idempotency == Idempotency::Idempotent;
                (is_retryable_status(status) && allowed, retry_after)
            }
            // Not sent at all: safe whatever the method.
            Outcome::Transport(TransportKind::Connect) => (true, None),
            // A redirect loop goes round again on every try.
            Outcome::Transport(TransportKind::Redirect) => (false, None),
            Outcome::Transport(_) => (attempt.idempotency == Idempotency::Idempotent, None),
        };
        if !retryable {
            return Decision::Stop(StopReason::NotRetryable);
        }
        if attempt.retries >= self.max_retries {
            return Decision::Stop(StopReason::Exhausted);
        }
        let mut wait = self.backoff_for(attempt.retries, attempt.jitter);
        if let Some(ra) = retry_after {
            if ra > self.max_retry_after {
                return Decision::Stop(StopReason::RetryAfterTooLong);
            }
            wait = wait.max(ra);
        }
        if let Some(total) = self.total_timeout {
            if attempt.elapsed.saturating_add(wait) > total {
                return Decision::Stop(StopReason::Deadline);
            }
        }
        Decision::Retry { after: wait }
    }
}

/// Parses a `Retry-After` value: delay seconds or an HTTP date (relative to `now`).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The `Retry-After` of a response's headers.
pub fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()))
}

/// A random number in `[0, 1)` for jitter.
pub fn random_jitter() -> f64 {
    let mut buf = [0u8; 8];
    if getrandom::fill(&mut buf).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(buf) >> 11) as f64 / (1u64 << 53) as f64
}

/// Reads a provider's own "wait this long" signal from an answer (smartfile's `X-Throttle`),
/// used where the answer has no `Retry-After`.
pub type RetryHint = Arc<dyn Fn(StatusCode, &HeaderMap) -> Option<Duration> + Send + Sync>;

/// Sends a request built by `make` until it succeeds or `strategy` says stop.
///
/// Returns the last response whatever its status (so the provider can parse its error body),
/// or the last transport error. `make` is called once per attempt; when it fails on a retry
/// (a body that cannot be rebuilt), the previous attempt's answer is returned.
pub async fn send_with_retry<F>(
    strategy: &dyn RetryStrategy,
    idempotency: Idempotency,
    make: F,
) -> Result<reqwest::Response, Error>
where
    F: FnMut() -> Result<reqwest::RequestBuilder, Error>,
{
    send_with_retry_hinted(strategy, idempotency, None, make).await
}

/// [`send_with_retry`] where a provider's [`RetryHint`] gives the wait of an answer without
/// `Retry-After`.
pub async fn send_with_retry_hinted<F>(
    strategy: &dyn RetryStrategy,
    idempotency: Idempotency,
    hint: Option<&RetryHint>,
    mut make: F,
) -> Result<reqwest::Response, Error>
where
    F: FnMut() -> Result<reqwest::RequestBuilder, Error>,
{
    let start = Instant::now();
    let mut retries = 0u32;
    let mut previous: Option<Result<reqwest::Response, Error>> = None;
    loop {
        let request = match make() {
            Ok(r) => r,
            // The request cannot be rebuilt (a one-shot body): the last answer stands.
            Err(e) => return previous.unwrap_or(Err(e)),
        };
        drop(previous.take());
        let (outcome, result) = match request.send().await {
            Ok(resp) => {
                let retry_after = retry_after_header(resp.headers())
                    .or_else(|| hint.and_then(|h| h(resp.status(), resp.headers())));
                let outcome = Outcome::Status {
                    status: resp.status(),
                    retry_after,
                };
                (outcome, Ok(resp))
            }
            Err(e) => {
                let err = from_reqwest(e, None);
                let kind = match err.kind() {
                    crate::ErrorKind::Transport(t) => *t,
                    _ => TransportKind::Body,
                };
                (Outcome::Transport(kind), Err(err))
            }
        };
        let attempt = Attempt {
            retries,
            elapsed: start.elapsed(),
            idempotency,
            jitter: random_jitter(),
        };
        match strategy.decide(&attempt, &outcome) {
            Decision::Stop(_) => return result,
            Decision::Retry { after } => {
                tracing::debug!(
                    ?outcome,
                    retry = retries + 1,
                    wait_ms = after.as_millis() as u64,
                    "retrying"
                );
                previous = Some(result);
                tokio::time::sleep(after).await;
                retries += 1;
            }
        }
    }
}

/// A shared strategy, as clients hold it.
pub type SharedRetryStrategy = Arc<dyn RetryStrategy>;

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `cargo xtask mutants`: the jitter is a uniform draw in [0, 1), not a constant.
    #[test]
    fn jitter_is_drawn_in_the_unit_interval() {
        let draws: Vec<f64> = (0..200).map(|_| random_jitter()).collect();
        assert!(draws.iter().all(|j| (0.0..1.0).contains(j)), "{draws:?}");
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((0.3..0.7).contains(&mean), "mean {mean}");
        let distinct: std::collections::BTreeSet<u64> = draws.iter().map(|j| j.to_bits()).collect();
        assert!(distinct.len() > 190);
    }

    /// Found by `cargo xtask mutants`: every setter sets its field.
    #[test]
    fn setters_set_their_fields() {
        let p = RetryPolicy::default()
            .max_retries(7)
            .backoff(Duration::from_millis(5), Duration::from_millis(50))
            .total_timeout(None)
            .max_retry_after(Duration::from_secs(2));
        assert_eq!(p.max_retries, 7);
        assert_eq!(
            (p.initial_backoff, p.max_backoff),
            (Duration::from_millis(5), Duration::from_millis(50))
        );
        assert_eq!(p.total_timeout, None);
        assert_eq!(p.max_retry_after, Duration::from_secs(2));
        assert_eq!(RetryPolicy::none().max_retries, 0);
        let t = RetryPolicy::default().total_timeout(Some(Duration::from_secs(9)));
        assert_eq!(t.total_timeout, Some(Duration::from_secs(9)));
    }

    fn at(retries: u32, idem: Idempotency) -> Attempt {
        Attempt {
            retries,
            elapsed: Duration::ZERO,
            idempotency: idem,
            jitter: 1.0,
        }
    }
    fn st(code: u16, ra: Option<u64>) -> Outcome {
        Outcome::Status {
            status: StatusCode::from_u16(code).unwrap(),
            retry_after: ra.map(Duration::from_secs),
        }
    }
    const I: Idempotency = Idempotency::Idempotent;
    const N: Idempotency = Idempotency::NonIdempotent;
    fn retry(ms: u64) -> Decision {
        Decision::Retry {
            after: Duration::from_millis(ms),
        }
    }
    fn stop(r: StopReason) -> Decision {
        Decision::Stop(r)
    }

    #[test]
    fn decision_table() {
        let p = RetryPolicy::default();
        use StopReason::*;
        let table: Vec<(&str, Attempt, Outcome, Decision)> = vec![
            ("200 stops", at(0, I), st(200, None), stop(Success)),
            ("500 retries", at(0, I), st(500, None), retry(200)),
            ("502 doubles", at(1, I), st(502, None), retry(400)),
            ("503 doubles again", at(2, I), st(503, None), retry(800)),
            ("504 retries", at(0, I), st(504, None), retry(200)),
            ("408 retries", at(0, I), st(408, None), retry(200)),
            ("budget spent", at(3, I), st(500, None), stop(Exhausted)),
            ("501 never", at(0, I), st(501, None), stop(NotRetryable)),
            ("404 never", at(0, I), st(404, None), stop(NotRetryable)),
            ("401 never", at(0, I), st(401, None), stop(NotRetryable)),
            ("400 never", at(0, I), st(400, None), stop(NotRetryable)),
            ("POST 500 not", at(0, N), st(500, None), stop(NotRetryable)),
            (
                "POST 429 not",
                at(0, N),
                st(429, Some(2)),
                stop(NotRetryable),
            ),
            ("POST 503 not", at(0, N), st(503, None), stop(NotRetryable)),
            ("429 floor", at(0, I), st(429, Some(5)), retry(5000)),
            ("429 0s", at(0, I), st(429, Some(0)), retry(200)),
            ("429 max", at(0, I), st(429, Some(60)), retry(60_000)),
            (
                "429 too long",
                at(0, I),
                st(429, Some(61)),
                stop(RetryAfterTooLong),
            ),
            ("503 RA", at(0, I), st(503, Some(3)), retry(3000)),
            (
                "connect POST",
                at(0, N),
                Outcome::Transport(TransportKind::Connect),
                retry(200),
            ),
            (
                "body POST",
                at(0, N),
                Outcome::Transport(TransportKind::Body),
                stop(NotRetryable),
            ),
            (
                "timeout POST",
                at(0, N),
                Outcome::Transport(TransportKind::Timeout),
                stop(NotRetryable),
            ),
            (
                "body GET",
                at(0, I),
                Outcome::Transport(TransportKind::Body),
                retry(200),
            ),
            (
                "truncated GET",
                at(1, I),
                Outcome::Transport(TransportKind::Truncated),
                retry(400),
            ),
        ];
        for (name, attempt, outcome, want) in table {
            assert_eq!(p.decide(&attempt, &outcome), want, "{name}");
        }
    }

    #[test]
    fn cap_jitter_and_deadline() {
        let p = RetryPolicy::default().max_retries(20);
        // Capped at 20 s.
        assert_eq!(p.decide(&at(10, I), &st(500, None)), retry(20_000));
        // Full jitter scales the back-off.
        let half = Attempt {
            jitter: 0.5,
            ..at(1, I)
        };
        assert_eq!(p.decide(&half, &st(500, None)), retry(200));
        let zero = Attempt {
            jitter: 0.0,
            ..at(1, I)
        };
        assert_eq!(p.decide(&zero, &st(500, None)), retry(0));
        // Past the overall deadline.
        let late = Attempt {
            elapsed: Duration::from_secs(59),
            ..at(0, I)
        };
        assert_eq!(
            p.decide(&late, &st(429, Some(5))),
            stop(StopReason::Deadline)
        );
        assert_eq!(
            RetryPolicy::none().decide(&at(0, I), &st(500, None)),
            stop(StopReason::Exhausted)
        );
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn idempotency_of_methods() {
        assert_eq!(Idempotency::from_method(&Method::GET), I);
        assert_eq!(Idempotency::from_method(&Method::PUT), I);
        assert_eq!(Idempotency::from_method(&Method::DELETE), I);
        assert_eq!(Idempotency::from_method(&Method::POST), N);
        assert_eq!(Idempotency::from_method(&Method::PATCH), N);
        let j = random_jitter();
        assert!((0.0..1.0).contains(&j));
    }
}
