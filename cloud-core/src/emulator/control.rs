//! The control API: an emulator scripted over HTTP from any language, as moto's server is.
//! Off unless enabled (`Harness::enable_control`, the programs' `--control` flag); served by
//! every emulator under the reserved prefix [`CONTROL_PREFIX`] (`/__emulator/`, which no
//! provider path starts with), before the fault plan and outside the request log. The
//! emulators listen on loopback only, so only local processes reach it.
//!
//! | request | what it does |
//! |---|---|
//! | `GET /__emulator/` | lists these routes |
//! | `POST /__emulator/reset` | empties the emulator's storage (tokens stay valid); 501 when the emulator has no reset |
//! | `GET /__emulator/state` | the storage as JSON (file bodies in base64): a fixture to keep |
//! | `PUT /__emulator/state` | replaces the storage with such a dump (a test suite starts from its fixture); 400 for JSON that is not a state of this emulator |
//! | `POST /__emulator/faults` | adds a fault rule (JSON below) |
//! | `DELETE /__emulator/faults` | removes every pending rule |
//! | `POST /__emulator/tokens/expire` | expires every access token issued so far |
//! | `GET /__emulator/log` | the request log: `[{"method", "path", "query", "headers"}]`, `Authorization` redacted |
//! | `DELETE /__emulator/log` | clears the log |
//!
//! A fault rule: `{"times": N (default 1), "method": "GET" (any when absent), "path": "/prefix"
//! or "exact": "/path" (any when absent), then one of: "status": 503 (with "retry_after": "2",
//! "body": "...", "headers": {"X-Throttle": "..."}), "drop_response_after": K bytes,
//! "drop_request_after": K bytes, "delay_ms": D, "expire_tokens": true, "lose_response": true}`:
//! the same plan as
//! [`FaultPlan`] in Rust.
//!
//! One curl line per route (an emulator program started with `--control`):
//!
//! ```text
//! $ acd-emulator --control --addr 127.0.0.1:8700 &
//! $ curl 127.0.0.1:8700/__emulator/
//! $ curl -X POST 127.0.0.1:8700/__emulator/faults -d '{"times": 3, "path": "/drive/v1/", "status": 503, "retry_after": "1"}'
//! $ curl -X POST 127.0.0.1:8700/__emulator/faults -d '{"method": "GET", "path": "/cdproxy/", "drop_response_after": 65536}'
//! $ curl -X DELETE 127.0.0.1:8700/__emulator/faults
//! $ curl -X POST 127.0.0.1:8700/__emulator/tokens/expire
//! $ curl 127.0.0.1:8700/__emulator/log
//! $ curl -X DELETE 127.0.0.1:8700/__emulator/log
//! $ curl -X POST 127.0.0.1:8700/__emulator/reset
//! $ curl 127.0.0.1:8700/__emulator/state > fixture.json
//! $ curl -X PUT 127.0.0.1:8700/__emulator/state --data-binary @fixture.json
//! ```
//!
//! From Rust, the same with each emulator's `enable_control()`. Each provider crate's interop
//! tests script it from Python (`tests/interop/*_control.py`) while the original SDK runs.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Response, StatusCode};
use serde_json::{json, Value};

use super::faults::{Fault, FaultPlan, Route};
use super::log::RequestLog;

/// The prefix of the control routes.
pub const CONTROL_PREFIX: &str = "/__emulator";

/// Empties an emulator's storage ([`Control::set_reset`]).
pub type ResetFn = Arc<dyn Fn() + Send + Sync>;

/// Dumps an emulator's storage as JSON ([`Control::set_state`]).
pub type DumpFn = Arc<dyn Fn() -> Result<Value, String> + Send + Sync>;

/// Replaces an emulator's storage with a dump ([`Control::set_state`]).
pub type LoadFn = Arc<dyn Fn(Value) -> Result<(), String> + Send + Sync>;

/// Whether the control API answers, and the emulator's reset (shared by a harness's clones).
#[derive(Clone, Default)]
pub struct Control {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    enabled: bool,
    reset: Option<ResetFn>,
    state: Option<(DumpFn, LoadFn)>,
}

impl fmt::Debug for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Control")
            .field("enabled", &self.enabled())
            .finish()
    }
}

impl Control {
    /// Turns the control API on.
    pub fn enable(&self) {
        if let Ok(mut i) = self.inner.lock() {
            i.enabled = true;
        }
    }

    /// Whether the control API answers.
    pub fn enabled(&self) -> bool {
        self.inner.lock().map(|i| i.enabled).unwrap_or(false)
    }

    /// Sets what `POST /__emulator/reset` does (each emulator sets its own).
    pub fn set_reset(&self, reset: ResetFn) {
        if let Ok(mut i) = self.inner.lock() {
            i.reset = Some(reset);
        }
    }

    /// Sets how `GET`/`PUT /__emulator/state` dump and load the storage.
    pub fn set_state(&self, dump: DumpFn, load: LoadFn) {
        if let Ok(mut i) = self.inner.lock() {
            i.state = Some((dump, load));
        }
    }

    fn reset(&self) -> Option<ResetFn> {
        self.inner.lock().ok().and_then(|i| i.reset.clone())
    }

    fn state(&self) -> Option<(DumpFn, LoadFn)> {
        self.inner.lock().ok().and_then(|i| i.state.clone())
    }
}

/// The dump and load of an emulator's `Mutex<S>` storage through serde, for
/// [`Control::set_state`]: `get` finds the mutex in the shared `owner` (the emulator's app).
pub fn serde_state<T, S>(owner: Arc<T>, get: fn(&T) -> &Mutex<S>) -> (DumpFn, LoadFn)
where
    T: Send + Sync + 'static,
    S: serde::Serialize + serde::de::DeserializeOwned + Send + 'static,
{
    let for_load = Arc::clone(&owner);
    let dump: DumpFn = Arc::new(move || {
        let s = get(&owner)
            .lock()
            .map_err(|_| "the state's lock is poisoned")?;
        serde_json::to_value(&*s).map_err(|e| e.to_string())
    });
    let load: LoadFn = Arc::new(move |v| {
        let new: S = serde_json::from_value(v).map_err(|e| e.to_string())?;
        let mut s = get(&for_load)
            .lock()
            .map_err(|_| "the state's lock is poisoned")?;
        *s = new;
        Ok(())
    });
    (dump, load)
}

fn answer(status: StatusCode, body: Value) -> Response<Body> {
    let mut r = Response::new(Body::from(body.to_string()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    r
}

fn bad(msg: impl Into<String>) -> Response<Body> {
    answer(StatusCode::BAD_REQUEST, json!({"error": msg.into()}))
}

/// Serves one control request (`path` below [`CONTROL_PREFIX`]).
pub(crate) async fn serve(
    control: &Control,
    faults: &FaultPlan,
    log: &RequestLog,
    method: &Method,
    path: &str,
    body: Body,
) -> Response<Body> {
    let rest = path
        .strip_prefix(CONTROL_PREFIX)
        .unwrap_or(path)
        .trim_end_matches('/');
    match (method.as_str(), rest) {
        ("GET", "") => answer(
            StatusCode::OK,
            json!({"routes": [
                "POST /__emulator/reset", "GET /__emulator/state", "PUT /__emulator/state",
                "POST /__emulator/faults", "DELETE /__emulator/faults",
                "POST /__emulator/tokens/expire", "GET /__emulator/log", "DELETE /__emulator/log",
            ]}),
        ),
        ("POST", "/reset") => match control.reset() {
            Some(reset) => {
                reset();
                answer(StatusCode::OK, json!({"reset": true}))
            }
            None => answer(
                StatusCode::NOT_IMPLEMENTED,
                json!({"error": "this emulator has no reset"}),
            ),
        },
        ("GET", "/state") => match control.state() {
            Some((dump, _)) => match dump() {
                Ok(v) => answer(StatusCode::OK, v),
                Err(e) => answer(StatusCode::INTERNAL_SERVER_ERROR, json!({"error": e})),
            },
            None => answer(
                StatusCode::NOT_IMPLEMENTED,
                json!({"error": "this emulator cannot dump its state"}),
            ),
        },
        ("PUT", "/state") => {
            let Some((_, load)) = control.state() else {
                return answer(
                    StatusCode::NOT_IMPLEMENTED,
                    json!({"error": "this emulator cannot load a state"}),
                );
            };
            let bytes = match axum::body::to_bytes(body, 1 << 30).await {
                Ok(b) => b,
                Err(e) => return bad(format!("body: {e}")),
            };
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(v) => match load(v) {
                    Ok(()) => answer(StatusCode::OK, json!({"loaded": true})),
                    Err(e) => bad(format!("not a state of this emulator: {e}")),
                },
                Err(e) => bad(format!("a JSON state: {e}")),
            }
        }
        ("POST", "/faults") => {
            let bytes = match axum::body::to_bytes(body, 1 << 20).await {
                Ok(b) => b,
                Err(e) => return bad(format!("body: {e}")),
            };
            let rule: Value = match serde_json::from_slice(&bytes) {
                Ok(v) => v,
                Err(e) => return bad(format!("a JSON fault rule: {e}")),
            };
            match rule_of(&rule) {
                Ok((times, route, fault)) => {
                    faults.add(times, route, fault);
                    answer(StatusCode::OK, json!({"added": rule}))
                }
                Err(e) => bad(e),
            }
        }
        ("DELETE", "/faults") => {
            faults.clear();
            answer(StatusCode::OK, json!({"cleared": true}))
        }
        ("POST", "/tokens/expire") => {
            faults.expire_tokens();
            answer(StatusCode::OK, json!({"expired": true}))
        }
        ("GET", "/log") => {
            let entries: Vec<Value> = log
                .entries()
                .into_iter()
                .map(|e| {
                    let headers: serde_json::Map<String, Value> = e
                        .headers
                        .iter()
                        .map(|(k, v)| {
                            let v = if k.eq_ignore_ascii_case("authorization") {
                                "***".to_owned()
                            } else {
                                v.clone()
                            };
                            (k.clone(), Value::from(v))
                        })
                        .collect();
                    json!({"method": e.method, "path": e.path, "query": e.query, "headers": headers})
                })
                .collect();
            answer(StatusCode::OK, Value::Array(entries))
        }
        ("DELETE", "/log") => {
            log.clear();
            answer(StatusCode::OK, json!({"cleared": true}))
        }
        _ => answer(
            StatusCode::NOT_FOUND,
            json!({"error": format!("no control route {method} {path}: GET {CONTROL_PREFIX}/ lists them")}),
        ),
    }
}

/// A JSON rule as the fault plan's `(times, route, fault)`.
fn rule_of(v: &Value) -> Result<(u32, Route, Fault), String> {
    let times = match v.get("times") {
        None => 1,
        Some(t) => t
            .as_u64()
            .and_then(|t| u32::try_from(t).ok())
            .ok_or("times: a count")?,
    };
    let mut route = match v.get("method").and_then(Value::as_str) {
        Some(m) => Route::method(
            Method::from_bytes(m.to_ascii_uppercase().as_bytes())
                .map_err(|_| format!("method: {m:?}"))?,
        ),
        None => Route::any(),
    };
    if let Some(p) = v.get("path").and_then(Value::as_str) {
        route = route.path(p);
    }
    if let Some(p) = v.get("exact").and_then(Value::as_str) {
        route = route.exact(p);
    }
    let num = |k: &str| v.get(k).and_then(Value::as_u64);
    let fault = if let Some(status) = num("status") {
        let status = u16::try_from(status)
            .ok()
            .filter(|s| (100..=599).contains(s))
            .ok_or("status: 100 to 599")?;
        let text = |k: &str| {
            v.get(k).map(|x| match x {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        };
        let headers = v
            .get("headers")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, x)| (k.clone(), x.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Fault::Status {
            status,
            retry_after: text("retry_after"),
            body: text("body"),
            headers,
        }
    } else if let Some(k) = num("drop_response_after") {
        Fault::DropResponseAfter(k)
    } else if let Some(k) = num("drop_request_after") {
        Fault::DropRequestAfter(k)
    } else if let Some(ms) = num("delay_ms") {
        Fault::Delay(Duration::from_millis(ms))
    } else if v.get("expire_tokens").and_then(Value::as_bool) == Some(true) {
        Fault::ExpireTokens
    } else if v.get("lose_response").and_then(Value::as_bool) == Some(true) {
        Fault::LoseResponse
    } else {
        return Err(
            "a fault: status, drop_response_after, drop_request_after, delay_ms, expire_tokens \
             or lose_response"
                .into(),
        );
    };
    Ok((times, route, fault))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_as_the_rust_plan() {
        let (t, route, f) = rule_of(
            &json!({"times": 3, "method": "get", "path": "/a", "status": 503, "retry_after": 2}),
        )
        .unwrap();
        assert_eq!(t, 3);
        assert!(route.matches(&Method::GET, "/a/b") && !route.matches(&Method::POST, "/a/b"));
        assert_eq!(
            f,
            Fault::Status {
                status: 503,
                retry_after: Some("2".into()),
                body: None,
                headers: vec![]
            }
        );
        let (t, route, f) = rule_of(&json!({"exact": "/x", "drop_response_after": 10})).unwrap();
        assert_eq!((t, f), (1, Fault::DropResponseAfter(10)));
        assert!(route.matches(&Method::PUT, "/x") && !route.matches(&Method::PUT, "/x/y"));
        assert_eq!(
            rule_of(&json!({"lose_response": true})).unwrap().2,
            Fault::LoseResponse
        );
        assert_eq!(
            rule_of(&json!({"delay_ms": 5})).unwrap().2,
            Fault::Delay(Duration::from_millis(5))
        );
        assert_eq!(
            rule_of(&json!({"expire_tokens": true})).unwrap().2,
            Fault::ExpireTokens
        );
        for bad in [
            json!({}),
            json!({"status": 42}),
            json!({"times": -1, "status": 500}),
            json!({"method": "G T", "status": 500}),
        ] {
            assert!(rule_of(&bad).is_err(), "{bad}");
        }
    }
}
