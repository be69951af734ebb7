//! The deterministic fault plan shared by every emulator.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::Method;

/// Which requests a fault applies to: a method (or any) and a path prefix (or exact path).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Route {
    method: Option<Method>,
    path: Option<String>,
    exact: bool,
}

impl Route {
    /// Every request.
    pub fn any() -> Self {
        Self::default()
    }

    /// Requests of this method.
    pub fn method(method: Method) -> Self {
        Self {
            method: Some(method),
            ..Self::default()
        }
    }

    /// Restricts to paths starting with `prefix`.
    pub fn path(mut self, prefix: impl Into<String>) -> Self {
        self.path = Some(prefix.into());
        self.exact = false;
        self
    }

    /// Restricts to exactly this path.
    pub fn exact(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self.exact = true;
        self
    }

    /// True when the request matches.
    pub fn matches(&self, method: &Method, path: &str) -> bool {
        if self.method.as_ref().is_some_and(|m| m != method) {
            return false;
        }
        match &self.path {
            None => true,
            Some(p) if self.exact => p == path,
            Some(p) => path.starts_with(p.as_str()),
        }
    }
}

/// One scripted fault.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this status instead of serving the request.
    Status {
        /// The status.
        status: u16,
        /// A Retry-After header value (seconds or an HTTP date).
        retry_after: Option<String>,
        /// A body (JSON is sent with `application/json`).
        body: Option<String>,
        /// Extra headers.
        headers: Vec<(String, String)>,
    },
    /// Serve the request, but close the connection after this many bytes of the response body
    /// (the peer receives at most that many; under heavy load it may receive fewer).
    DropResponseAfter(u64),
    /// Read this many bytes of the request body, then close the connection.
    DropRequestAfter(u64),
    /// Serve the request (its change is made), then close the connection before any of the
    /// answer goes out: the lost answer, which a cut body cannot give for an empty one.
    LoseResponse,
    /// Wait before serving.
    Delay(Duration),
    /// Serve the request, but pause this long after this many bytes of the response body.
    StallResponseAfter(u64, Duration),
    /// Expire every access token issued so far, then serve the request (which then fails
    /// authentication): a token expiring mid-workflow.
    ExpireTokens,
}

#[derive(Debug)]
struct Rule {
    route: Route,
    remaining: u32,
    fault: Fault,
}

/// The fault plan: rules applied in the order they were added, each to the next N matching
/// requests. Cheap to clone (shared).
#[derive(Clone, Default)]
pub struct FaultPlan {
    rules: Arc<Mutex<Vec<Rule>>>,
    token_epoch: Arc<AtomicU64>,
    fired: Arc<AtomicU64>,
}

impl fmt::Debug for FaultPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rules = self.rules.lock().map(|r| r.len()).unwrap_or(0);
        f.debug_struct("FaultPlan")
            .field("pending_rules", &rules)
            .field("fired", &self.fired_count())
            .finish()
    }
}

impl FaultPlan {
    /// An empty plan.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a rule: the next `times` requests matching `route` get `fault`.
    pub fn add(&self, times: u32, route: Route, fault: Fault) -> &Self {
        if let Ok(mut rules) = self.rules.lock() {
            rules.push(Rule {
                route,
                remaining: times,
                fault,
            });
        }
        self
    }

    /// The next `times` matching requests get `status`, with an optional Retry-After.
    pub fn fail_next(
        &self,
        times: u32,
        route: Route,
        status: u16,
        retry_after: Option<&str>,
    ) -> &Self {
        self.answer(times, route, status, None, retry_after, &[])
    }

    /// The next `times` matching requests get `status` with this body (JSON is typed
    /// `application/json`), `Retry-After` and extra headers: an exact answer for a test of
    /// error handling (`x-request-id`, a non-JSON body...).
    pub fn answer(
        &self,
        times: u32,
        route: Route,
        status: u16,
        body: Option<&str>,
        retry_after: Option<&str>,
        headers: &[(&str, &str)],
    ) -> &Self {
        self.add(
            times,
            route,
            Fault::Status {
                status,
                retry_after: retry_after.map(str::to_owned),
                body: body.map(str::to_owned),
                headers: headers
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            },
        )
    }

    /// The next `times` matching responses break off after `bytes` body bytes.
    pub fn drop_response_after(&self, times: u32, route: Route, bytes: u64) -> &Self {
        self.add(times, route, Fault::DropResponseAfter(bytes))
    }

    /// The next `times` matching requests are served, then their connection closes before
    /// the answer goes out.
    pub fn lose_response(&self, times: u32, route: Route) -> &Self {
        self.add(times, route, Fault::LoseResponse)
    }

    /// The next `times` matching requests have their connection closed after `bytes` of
    /// their body were read.
    pub fn drop_request_after(&self, times: u32, route: Route, bytes: u64) -> &Self {
        self.add(times, route, Fault::DropRequestAfter(bytes))
    }

    /// The next `times` matching requests wait `delay` first.
    pub fn delay(&self, times: u32, route: Route, delay: Duration) -> &Self {
        self.add(times, route, Fault::Delay(delay))
    }

    /// Expires every access token issued so far, now.
    pub fn expire_tokens(&self) {
        self.token_epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// The current token epoch: tokens issued in an earlier epoch are expired.
    pub fn token_epoch(&self) -> u64 {
        self.token_epoch.load(Ordering::SeqCst)
    }

    /// Removes every pending rule.
    pub fn clear(&self) {
        if let Ok(mut rules) = self.rules.lock() {
            rules.clear();
        }
    }

    /// How many faults have fired.
    pub fn fired_count(&self) -> u64 {
        self.fired.load(Ordering::SeqCst)
    }

    /// Takes the first rule matching the request, if any (consuming one of its uses).
    pub fn take(&self, method: &Method, path: &str) -> Option<Fault> {
        let mut rules = self.rules.lock().ok()?;
        let idx = rules
            .iter()
            .position(|r| r.remaining > 0 && r.route.matches(method, path))?;
        let rule = &mut rules[idx];
        rule.remaining -= 1;
        let fault = rule.fault.clone();
        if rule.remaining == 0 {
            rules.remove(idx);
        }
        drop(rules);
        self.fired.fetch_add(1, Ordering::SeqCst);
        if fault == Fault::ExpireTokens {
            self.expire_tokens();
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_fire_in_order_and_run_out() {
        let plan = FaultPlan::new();
        plan.fail_next(2, Route::method(Method::GET).path("/files"), 503, None);
        plan.delay(1, Route::any(), Duration::from_millis(1));
        assert_eq!(
            plan.take(&Method::POST, "/files/1"),
            Some(Fault::Delay(Duration::from_millis(1)))
        );
        assert!(matches!(
            plan.take(&Method::GET, "/files/1"),
            Some(Fault::Status { status: 503, .. })
        ));
        assert!(matches!(
            plan.take(&Method::GET, "/files/2"),
            Some(Fault::Status { status: 503, .. })
        ));
        assert_eq!(plan.take(&Method::GET, "/files/3"), None);
        assert_eq!(plan.fired_count(), 3);
        let e = plan.token_epoch();
        plan.add(1, Route::any().exact("/x"), Fault::ExpireTokens);
        assert_eq!(plan.take(&Method::GET, "/xy"), None);
        assert_eq!(plan.take(&Method::GET, "/x"), Some(Fault::ExpireTokens));
        assert_eq!(plan.token_epoch(), e + 1);
    }
}
