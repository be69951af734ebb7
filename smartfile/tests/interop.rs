//! Interop: the original client (PyPI smartfile 2.19, pinned in
//! `tests/interop/requirements.txt`) drives the emulator through its public API; files cross
//! between Rust and Python with bytes equal.
//!
//! Needs the Python environment that `cargo xtask ci` creates (`CLOUD_SDK_INTEROP_PYTHON`);
//! without it the test says so and checks nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sha2::{Digest, Sha256};
use smartfile::emulator::Emulator;
use smartfile::{BasicClient, BasicOptions, ClientOptions, DownloadOptions, OAuthClient, Params};

/// The interop Python, or `None` (the test then checks nothing, as `interop_vars_or_skip`
/// reports).
fn python() -> Option<String> {
    cloud_core::emulator::interop_vars_or_skip(&["CLOUD_SDK_INTEROP_PYTHON"])
        .unwrap()
        .and_then(|mut v| v.pop())
}

/// Runs `tests/interop/<script>` with `args` in a scratch folder; its one JSON line.
async fn run_script(py: &str, script: &str, args: &[&str]) -> serde_json::Value {
    let work = tempfile::tempdir().unwrap();
    let path = format!("{}/tests/interop/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = tokio::process::Command::new(py)
        .current_dir(work.path())
        .arg(&path)
        .args(args)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_the_original_client_drives_the_emulator() {
    let Some(py) = python() else {
        return;
    };
    let emu = Emulator::start().await.unwrap();
    let api = BasicClient::new(
        Some(emu.key()),
        Some(emu.password()),
        BasicOptions::default().url(emu.base_url()),
    )
    .unwrap();
    let rust_bytes: Vec<u8> = (0..500_000u32).map(|i| (i * 11 % 251) as u8).collect();
    api.upload("from-rust.bin", rust_bytes.clone())
        .await
        .unwrap();
    let r = run_script(
        &py,
        "smartfile_interop.py",
        &[&emu.base_url(), emu.key(), emu.password(), "from-rust.bin"],
    )
    .await;
    assert_eq!(r["ping"], serde_json::json!({"ping": "pong"}));
    assert_eq!(
        r["rust_file_sha256"],
        hex(&Sha256::digest(&rust_bytes)).as_str()
    );
    assert_eq!(r["info_size"], 5);
    assert_eq!(r["downloaded"], "hello");
    assert_eq!(
        r["children"],
        serde_json::json!(["from-rust.bin", "testfn", "testfn2"])
    );
    assert_eq!(r["move_task_type"], "Move");
    assert_eq!(r["task_status"], "SUCCESS");
    assert_eq!(r["moved_path"], "/testfn2/testfn");
    assert_eq!(r["second_remove"], "Response 404: Path does not exist");
    assert_eq!(r["pages"], 2);
    assert_eq!(r["child_keys"], serde_json::json!(["name", "size"]));
    assert_eq!(r["missing"], 404);
    // Rust reads what Python uploaded.
    let dir = tempfile::tempdir().unwrap();
    let path = api
        .download(
            "/from-python.bin",
            DownloadOptions::default().directory(dir.path()),
        )
        .await
        .unwrap();
    let got = std::fs::read(path).unwrap();
    assert_eq!(
        hex(&Sha256::digest(&got)),
        r["python_file_sha256"].as_str().unwrap()
    );
}

/// The original `OAuthClient` (requests-oauthlib, PLAINTEXT) through the three legs and signed
/// calls, checked by the emulator's own RFC 5849 verifier (its secrets hold `$&+/=`, which
/// the signature must carry encoded twice); tokens cross both ways: Rust calls with the
/// access token the original obtained, and each side reads the other's file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_the_original_oauth_client_drives_the_emulator() {
    let Some(py) = python() else {
        return;
    };
    let emu = Emulator::start().await.unwrap();
    let (at, asec) = emu.access_token();
    let rust = OAuthClient::new(
        Some(emu.client_token()),
        Some(emu.client_secret()),
        Some(at),
        Some(asec),
        ClientOptions::default().url(emu.base_url()),
    )
    .unwrap();
    let rust_bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 253) as u8).collect();
    rust.upload("from-rust-oauth.bin", rust_bytes.clone())
        .await
        .unwrap();
    let r = run_script(
        &py,
        "smartfile_oauth_interop.py",
        &[
            &emu.base_url(),
            emu.client_token(),
            emu.client_secret(),
            "from-rust-oauth.bin",
        ],
    )
    .await;
    assert_eq!(r["request_token_length"], 40);
    assert_eq!(r["authorization_url_error"], "AttributeError");
    assert_eq!(r["callback"], "http://127.0.0.1:9/cb");
    assert_eq!(
        r["callback_query"],
        serde_json::json!(["oauth_token", "oauth_verifier", "x", "y"])
    );
    assert_eq!(r["ping"], serde_json::json!({"ping": "pong"}));
    assert_eq!(
        r["whoami_keys"],
        serde_json::json!([
            "email",
            "first_name",
            "last_name",
            "name",
            "site",
            "url",
            "username"
        ])
    );
    assert_eq!(
        r["rust_file_sha256"],
        hex(&Sha256::digest(&rust_bytes)).as_str()
    );
    assert_eq!(r["wrong_secret"], 401);
    assert_eq!(r["wrong_verifier"], "TypeError");
    // Every call the original made (but the authorization page, opened without a client)
    // carried an OAuth header.
    let python: Vec<_> = emu
        .log()
        .entries()
        .into_iter()
        .filter(|e| {
            e.header("user-agent").is_some_and(|u| {
                u.starts_with("python-requests") || u.starts_with("SmartFile Python API client")
            }) && e.path != "/oauth/authorize/"
        })
        .collect();
    assert!(python.len() >= 9, "{}", python.len());
    for e in &python {
        assert!(
            e.header("authorization")
                .is_some_and(|a| a.starts_with("OAuth ") && a.contains("PLAINTEXT")),
            "{} {} without OAuth",
            e.method,
            e.path
        );
    }
    // Rust with the token the original obtained reads the original's upload.
    let with_python_token = OAuthClient::new(
        Some(emu.client_token()),
        Some(emu.client_secret()),
        r["access_token"].as_str(),
        r["access_secret"].as_str(),
        ClientOptions::default().url(emu.base_url()),
    )
    .unwrap();
    let info = with_python_token
        .get("/path/info/from-python-oauth.bin", (), Params::new())
        .await
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(info["size"], 256_000);
    let dir = tempfile::tempdir().unwrap();
    let path = with_python_token
        .download(
            "/from-python-oauth.bin",
            DownloadOptions::default().directory(dir.path()),
        )
        .await
        .unwrap();
    assert_eq!(
        hex(&Sha256::digest(std::fs::read(path).unwrap())),
        r["python_file_sha256"].as_str().unwrap()
    );
}

/// The original client against an emulator scripted from Python over its control API: a 503
/// burst surfaced as the original's `ResponseError`, the request log (credentials redacted),
/// a reset and a clean run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_python_scripts_the_emulator_over_its_control_api() {
    let Some(py) = python() else {
        return;
    };
    let emu = Emulator::start().await.unwrap();
    emu.enable_control();
    let r = run_script(
        &py,
        "smartfile_control.py",
        &[&emu.base_url(), emu.key(), emu.password()],
    )
    .await;
    assert_eq!(r["burst"], serde_json::json!([503, 503]), "{r}");
    assert_eq!(r["after_burst_size"], 20);
    assert_eq!(
        r["logged"],
        serde_json::json!([
            "GET /api/2/path/info/before-reset.txt/",
            "GET /api/2/path/info/before-reset.txt/",
            "GET /api/2/path/info/before-reset.txt/"
        ])
    );
    assert_eq!(r["authorization_redacted"], true);
    assert_eq!(r["after_reset"], 404);
    assert_eq!(r["clean_children"], serde_json::json!(["after-reset.txt"]));
    assert_eq!(
        (r["emptied"].as_u64(), r["restored"].as_u64()),
        (Some(0), Some(5))
    );
    // Off unless enabled: another emulator answers the prefix as an unknown path.
    let off = Emulator::start().await.unwrap();
    let resp = cloud_core::reqwest::get(format!("{}__emulator/", off.base_url()))
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

/// The original client's generic calls through every account family of the emulator
/// (users, groups, roles, sites, links, quotas, access rules, rights, preferences,
/// sessions): create 201, list with paging, update, delete, and the error cases, each
/// leaving the state as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_the_original_client_drives_the_account_endpoints() {
    let Some(py) = python() else {
        return;
    };
    let emu = Emulator::start().await.unwrap();
    let r = run_script(
        &py,
        "smartfile_accounts.py",
        &[&emu.base_url(), emu.key(), emu.password()],
    )
    .await;
    let j = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
    let error = |status: u16, body: &str| serde_json::json!([status, format!("Error: b'{body}'")]);
    let expected = [
        ("user_created", j(r#"["email", "name", "url", "username"]"#)),
        (
            "user_duplicate",
            error(
                400,
                r#"{"username":["user with this username already exists."]}"#,
            ),
        ),
        (
            "user_missing_email",
            error(400, r#"{"email":["This field is required."]}"#),
        ),
        ("users", j(r#"["bobafett", "emulator"]"#)),
        ("users_page", j(r#"[2, 2, 2, ["emulator"]]"#)),
        ("user_updated", j(r#""Boba Fett""#)),
        ("user_get", j(r#""Boba Fett""#)),
        ("user_unknown", error(404, r#"{"detail":"Not found."}"#)),
        (
            "group_bad_member",
            error(
                400,
                r#"{"users":["Invalid pk \\"nobody\\" - object does not exist."]}"#,
            ),
        ),
        ("groups_after_error", j("[]")),
        ("group", j(r#"["bobafett"]"#)),
        ("role", j(r#"["read"]"#)),
        ("site", j(r#""Tatooine""#)),
        ("sites", j(r#"["emulator", "tatooine"]"#)),
        ("link_missing_path", j(r#"[400, "Path does not exist"]"#)),
        ("link", j(r#"["/shared.txt", true, false, true]"#)),
        ("link_updated", j(r#""renamed""#)),
        ("links", j(r#"["renamed"]"#)),
        (
            "link_after_delete",
            error(404, r#"{"detail":"Not found."}"#),
        ),
        ("quota", j("1024")),
        (
            "quota_bad",
            error(400, r#"{"limit":["A valid integer is required."]}"#),
        ),
        ("quota_after_error", j("1024")),
        ("quota_unknown", error(404, r#"{"detail":"Not found."}"#)),
        ("access", j(r#"["bobafett", "/shared.txt", true, false]"#)),
        ("access_update", j("true")),
        ("access_by_path", j("1")),
        ("access_missing_path", j(r#"[400, "Path does not exist"]"#)),
        ("rights", j(r#"["read", "write", "list", "remove"]"#)),
        ("pref", j(r#""dark""#)),
        ("pref_get", j(r#""dark""#)),
        (
            "pref_after_delete",
            error(404, r#"{"detail":"Not found."}"#),
        ),
        ("session", j(r#""bobafett""#)),
        (
            "session_bad",
            error(401, r#"{"detail":"Invalid username/password."}"#),
        ),
        (
            "user_after_delete",
            error(404, r#"{"detail":"Not found."}"#),
        ),
        ("group_after_user_delete", j("[]")),
        ("access_after_user_delete", j("0")),
        (
            "owner_delete",
            error(403, r#"{"detail":"You cannot delete your own account."}"#),
        ),
    ];
    for (k, v) in expected {
        assert_eq!(r[k], v, "{k} in {r}");
    }
    assert_eq!(r["role_bad_right"][0], 400, "{r}");
}
