//! Wire tests of the transport and retry loop with mockito: exact requests, retried statuses,
//! Retry-After honoured, non-idempotent requests not repeated, errors mapped with context.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use cloud_core::transport::{error_from_response, read_json};
use cloud_core::{ErrorKind, Idempotency, RetryPolicy, Transport};
use http::Method;
use mockito::Matcher;

fn transport(base: &str) -> Transport {
    let fast = RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(5));
    Transport::builder(format!("{base}/api/2"), cloud_core::user_agent!())
        .retry(Arc::new(fast))
        .build()
        .unwrap()
}

async fn get(t: &Transport, path: &str, idem: Idempotency, method: Method) -> reqwest::Response {
    let url = t.url(path).unwrap();
    t.send(&method, &url, idem, || {
        Ok(t.request(method.clone(), url.clone()))
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn user_agent_base_path_and_retry_of_503() {
    let mut server = mockito::Server::new_async().await;
    let fail = server
        .mock("GET", "/api/2/files/1")
        .match_header("user-agent", "cloud-core/0.1.0")
        .with_status(503)
        .expect(2)
        .create_async()
        .await;
    let t = transport(&server.url());
    // The third attempt succeeds: mockito serves the newest matching mock first.
    let resp = {
        let url = t.url("/files/1").unwrap();
        let calls = std::sync::atomic::AtomicU32::new(0);
        let server_url = server.url();
        let ok = server
            .mock("GET", "/api/2/files/ok")
            .with_status(200)
            .with_body("fine")
            .create_async()
            .await;
        let r = t
            .send(&Method::GET, &url, Idempotency::Idempotent, || {
                let n = calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let target = if n < 2 {
                    url.clone()
                } else {
                    url::Url::parse(&format!("{server_url}/api/2/files/ok")).unwrap()
                };
                Ok(t.request(Method::GET, target))
            })
            .await
            .unwrap();
        ok.assert_async().await;
        r
    };
    fail.assert_async().await;
    assert_eq!(resp.text().await.unwrap(), "fine");
}

#[tokio::test]
async fn budget_exhausted_returns_last_answer_and_501_is_never_retried() {
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock("GET", "/api/2/x")
        .with_status(500)
        .expect(4)
        .create_async()
        .await;
    let t = transport(&server.url());
    assert_eq!(
        get(&t, "x", Idempotency::Idempotent, Method::GET)
            .await
            .status(),
        500
    );
    m.assert_async().await;

    let m = server
        .mock("GET", "/api/2/y")
        .with_status(501)
        .expect(1)
        .create_async()
        .await;
    assert_eq!(
        get(&t, "y", Idempotency::Idempotent, Method::GET)
            .await
            .status(),
        501
    );
    m.assert_async().await;

    let m = server
        .mock("POST", "/api/2/z")
        .with_status(502)
        .expect(1)
        .create_async()
        .await;
    assert_eq!(
        get(&t, "z", Idempotency::NonIdempotent, Method::POST)
            .await
            .status(),
        502
    );
    m.assert_async().await;
}

/// The waits are read from the strategy's decisions (`SkipWaits`), not timed: a 7 s
/// Retry-After is checked in no time.
#[cfg(feature = "emulator")]
#[tokio::test]
async fn retry_after_is_a_floor() {
    use cloud_core::emulator::SkipWaits;
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock("GET", "/api/2/r")
        .with_status(429)
        .with_header("retry-after", "7")
        .expect(2)
        .create_async()
        .await;
    let policy = SkipWaits::new(
        RetryPolicy::default()
            .max_retries(1)
            .backoff(Duration::from_millis(10), Duration::from_millis(10)),
    );
    let t = Transport::builder(format!("{}/api/2", server.url()), "t/0")
        .retry(Arc::new(policy.clone()))
        .build()
        .unwrap();
    let start = Instant::now();
    let resp = get(&t, "r", Idempotency::Idempotent, Method::GET).await;
    // Retry-After over a 10 ms back-off: the wait asked for is the server's 7 s.
    assert_eq!(policy.waits(), [Duration::from_secs(7)]);
    assert!(start.elapsed() < Duration::from_secs(5));
    m.assert_async().await;
    // A POST that got a 429 reached the server: it is not sent again.
    policy.clear();
    let p = server
        .mock("POST", "/api/2/r")
        .with_status(429)
        .with_header("retry-after", "7")
        .expect(1)
        .create_async()
        .await;
    let post = get(&t, "r", Idempotency::NonIdempotent, Method::POST).await;
    assert_eq!(post.status(), 429);
    assert_eq!(policy.waits(), Vec::<Duration>::new());
    p.assert_async().await;
    let err = error_from_response(&Method::GET, resp, |_, _| None).await;
    assert_eq!(
        err.kind(),
        &ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(7))
        }
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
}

/// The loop really waits what the strategy decides (the one test that times a wait: 200 ms).
#[tokio::test]
async fn the_loop_waits_the_decided_time() {
    use cloud_core::retry::{Attempt, Decision, Outcome, RetryStrategy, StopReason};
    #[derive(Debug)]
    struct Once(Duration);
    impl RetryStrategy for Once {
        fn decide(&self, attempt: &Attempt, _: &Outcome) -> Decision {
            if attempt.retries == 0 {
                Decision::Retry { after: self.0 }
            } else {
                Decision::Stop(StopReason::Exhausted)
            }
        }
    }
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock("GET", "/api/2/w")
        .with_status(503)
        .expect(2)
        .create_async()
        .await;
    let t = Transport::builder(format!("{}/api/2", server.url()), "t/0")
        .retry(Arc::new(Once(Duration::from_millis(200))))
        .build()
        .unwrap();
    let start = Instant::now();
    get(&t, "w", Idempotency::Idempotent, Method::GET).await;
    m.assert_async().await;
    assert!(start.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn error_context_keeps_message_request_id_and_no_secret() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock("GET", "/api/2/f")
        .match_query(Matcher::UrlEncoded("access_token".into(), "SEKRET".into()))
        .with_status(404)
        .with_header("x-request-id", "req-42")
        .with_body(r#"{"message":"no such file"}"#)
        .create_async()
        .await;
    let t = transport(&server.url());
    let resp = get(
        &t,
        "f?access_token=SEKRET",
        Idempotency::Idempotent,
        Method::GET,
    )
    .await;
    let err = error_from_response(&Method::GET, resp, |_, body| {
        let v: serde_json::Value = serde_json::from_slice(body).ok()?;
        v["message"].as_str().map(str::to_owned)
    })
    .await;
    assert_eq!(err.kind(), &ErrorKind::NotFound);
    assert_eq!(err.message(), Some("no such file"));
    assert_eq!(err.error_context().request_id.as_deref(), Some("req-42"));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("SEKRET"), "{shown}");
    assert!(shown.contains("access_token=***"));
    assert!(err
        .to_string()
        .starts_with("not found: no such file (GET http://"));
}

#[tokio::test]
async fn json_bodies_are_bounded_and_connect_errors_classified() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock("GET", "/api/2/big")
        .with_body(format!("[{}1]", "1,".repeat(10_000)))
        .create_async()
        .await;
    let t = transport(&server.url());
    let resp = get(&t, "big", Idempotency::Idempotent, Method::GET).await;
    let err = read_json::<serde_json::Value>(&Method::GET, resp, 1000)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Decode);

    // Nothing listens on port 9 of loopback: a connect error, retried, then reported.
    let t = Transport::builder("http://127.0.0.1:9/", "t/0")
        .retry(Arc::new(RetryPolicy::none()))
        .build()
        .unwrap();
    let url = t.url("x").unwrap();
    let err = t
        .send(&Method::POST, &url, Idempotency::NonIdempotent, || {
            Ok(t.request(Method::POST, url.clone()))
        })
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::Transport(cloud_core::TransportKind::Connect)
    );
    assert_eq!(err.error_context().method, Some(Method::POST));
}

/// A refused connection reaches the strategy as `Transport(Connect)`, the one failure after
/// which even a POST is sent again (found by `cargo xtask mutants`).
#[cfg(feature = "emulator")]
#[tokio::test]
async fn a_refused_connection_is_a_connect_outcome_and_a_post_goes_again() {
    use cloud_core::emulator::SkipWaits;
    use cloud_core::retry::{Decision, Outcome};
    use cloud_core::TransportKind;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let policy = SkipWaits::new(RetryPolicy::default().max_retries(1));
    let t = Transport::builder(format!("http://127.0.0.1:{port}/api/2"), "t/0")
        .retry(Arc::new(policy.clone()))
        .build()
        .unwrap();
    let url = t.url("x").unwrap();
    let r = t
        .send(&Method::POST, &url, Idempotency::NonIdempotent, || {
            Ok(t.request(Method::POST, url.clone()))
        })
        .await;
    assert!(r.is_err());
    let decided = policy.decided();
    assert_eq!(decided.len(), 2, "{decided:?}");
    assert_eq!(
        decided[0].outcome,
        Outcome::Transport(TransportKind::Connect)
    );
    assert!(matches!(decided[0].decision, Decision::Retry { .. }));
}
