//! Interop: the original Orange Cloud client (orangecloud-client 0.0.2 on oauth2-client
//! 0.0.12, Python 2 code from PyPI) drives the emulator through its public API, its own
//! redirect listener included; files cross between Rust and Python with equal bytes.
//!
//! Needs what `cargo xtask ci` prepares (`tests/interop/setup_env.py`: the interpreter in
//! `ORANGE_INTEROP_PYTHON`, the sources in `ORANGE_INTEROP_PYTHONPATH`); without it the test
//! says so and checks nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cloud_core::emulator::{Fault, Route};
use orange_cloud::emulator::{Emulator, EmulatorConfig};
use orange_cloud::{ApiManager, ApiManagerOptions, FolderQuery, UploadOptions};
use serde_json::json;
use sha2::{Digest, Sha256};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_the_original_client_drives_the_emulator() {
    let Some([py, path]) = cloud_core::emulator::interop_vars_or_skip(&[
        "ORANGE_INTEROP_PYTHON",
        "ORANGE_INTEROP_PYTHONPATH",
    ])
    .unwrap()
    .and_then(|v| <[String; 2]>::try_from(v).ok()) else {
        return;
    };
    // The original's redirect listener (a plain `SocketServer.TCPServer`, without
    // SO_REUSEADDR) binds the redirect URI's port itself, so the port can only be held until
    // just before the original starts: the listener is closed right before the spawn.
    let reserved = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = reserved.local_addr().unwrap().port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let emu = Emulator::start_with(EmulatorConfig::default().redirect_uri(&redirect))
        .await
        .unwrap();
    let rust = ApiManager::new(
        emu.client_id(),
        emu.client_secret(),
        &redirect,
        ApiManagerOptions::default().base_url(&emu.base_url()),
    )
    .unwrap();
    rust.init_with_token(emu.issue_token().refresh_token.expose())
        .await
        .unwrap();
    let rust_bytes: Vec<u8> = (0..700_000u32).map(|i| (i * 11 % 253) as u8).collect();
    let up = rust
        .files()
        .upload_with(
            rust_bytes.clone(),
            None,
            UploadOptions::default().name("from-rust é.bin"),
        )
        .await
        .unwrap();
    // The original's first upload meets a refused token on the upload host.
    emu.faults().add(
        1,
        Route::any().exact("/cloud/v1/files/content"),
        Fault::Status {
            status: 401,
            retry_after: None,
            body: Some(json!({"error": {"code": "PDK_RP_0004", "label": "INVALID_TOKEN", "details": "OIDC rejected the token"}}).to_string()),
            headers: Vec::new(),
        },
    );
    let refreshes = emu.oauth().refresh_count();
    let work = tempfile::tempdir().unwrap();
    let cfg = json!({
        "base_url": emu.base_url(),
        "client_id": emu.client_id(),
        "client_secret": emu.client_secret().expose(),
        "redirect_uri": redirect,
        "refresh_token": emu.issue_token().refresh_token.expose(),
        "work_dir": work.path(),
        "rust_file_id": up.file_id,
    });
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/orange_interop.py"
    );
    drop(reserved);
    let out = tokio::process::Command::new(&py)
        .arg(script)
        .arg(cfg.to_string())
        .env("PYTHONPATH", &path)
        .env("PYTHONIOENCODING", "utf-8")
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(
        out.stdout
            .rsplit(|b| *b == b'\n')
            .find(|l| !l.is_empty())
            .unwrap(),
    )
    .unwrap();

    // The authorization-code flow: the original's URL (its parameter order and escaping),
    // its listener answered with the JSON echo, the code worked.
    let url = r["authorize_url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/oauth/v2/authorize?", emu.base_url())),
        "{url}"
    );
    assert!(
        url.contains("state=py-state%201") && url.contains("scope=openid%20cloud"),
        "{url}"
    );
    assert_eq!(r["listener_status"], 200);
    assert_eq!(r["listener_body"]["state"], "py-state 1");
    assert!(r["code_flow_freespace"].as_u64().unwrap() > 0);
    // Folders.
    assert_eq!(r["created_subfolders"], json!(["py sub"]));
    assert_eq!(r["moved_parent_is_root"], true);
    assert_eq!(r["copy_name"], "py renamed");
    assert_eq!(r["after_delete_subfolders"], json!([]));
    assert_eq!(r["tree_names"], json!(["py folder é", "py renamed"]));
    // Files: 0.0.2 returns None after a successful resend; the file is there all the same.
    assert_eq!(r["invalid_token_upload_returned"], "None");
    assert!(emu.oauth().refresh_count() > refreshes);
    assert_eq!(r["listed_files"], json!(["py file é.bin"]));
    assert_eq!(r["py_roundtrip_equal"], true);
    assert_eq!(r["second_upload_name"], "py file é(1).bin");
    assert_eq!(
        (r["get_size"].as_u64(), r["get_type"].as_str()),
        (Some(300_000), Some("FILE"))
    );
    assert_eq!(
        r["copy_then_move_names"],
        json!(["renamed.bin", "renamed(1).bin"])
    );
    assert!(
        r["deleted_get"]
            .as_str()
            .unwrap()
            .starts_with("files: Invalid status code 404 on "),
        "{}",
        r["deleted_get"]
    );
    // Rust's upload, read by Python.
    assert_eq!(r["rust_file_name"], "from-rust é.bin");
    assert_eq!(
        r["rust_file_sha256"],
        hex(&Sha256::digest(&rust_bytes)).as_str()
    );
    // Python's upload, read by Rust.
    let f = rust
        .files()
        .get(r["python_file_id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(f.name, "from-python.txt");
    let mut got = Vec::new();
    rust.files()
        .download_to(f.download_url.as_deref().unwrap(), &mut got)
        .await
        .unwrap();
    assert_eq!(
        hex(&Sha256::digest(&got)),
        r["python_file_sha256"].as_str().unwrap()
    );
    // Errors: the same message from both.
    assert_eq!(
        r["client_error"],
        format!(
            "folders: Invalid status code 404 on {}/cloud/v1/folders/bm9wZS8",
            emu.base_url()
        )
    );
    let e = rust
        .folders()
        .get(Some("bm9wZS8"), FolderQuery::default())
        .await
        .unwrap_err();
    assert_eq!(r["client_error"], e.to_string());
    assert_eq!(r["oauth_error_status"], 401);
}

/// The original client (CPython 2.7) against an emulator scripted from Python over its control
/// API: a 503 burst surfaced as the original's `ClientError`, the request log (credentials
/// redacted), a reset, a clean run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_python_scripts_the_emulator_over_its_control_api() {
    let Some([py, path]) = cloud_core::emulator::interop_vars_or_skip(&[
        "ORANGE_INTEROP_PYTHON",
        "ORANGE_INTEROP_PYTHONPATH",
    ])
    .unwrap()
    .and_then(|v| <[String; 2]>::try_from(v).ok()) else {
        return;
    };
    let emu = Emulator::start().await.unwrap();
    emu.enable_control();
    let cfg = serde_json::json!({
        "base_url": emu.base_url(),
        "client_id": emu.client_id(),
        "client_secret": emu.client_secret().expose(),
        "redirect_uri": emu.redirect_uri(),
        "refresh_token": emu.issue_token().refresh_token.expose(),
    });
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/orange_control.py"
    );
    let r = cloud_core::emulator::run_python_json(
        &py,
        script.as_ref(),
        &[&cfg.to_string()],
        &[("PYTHONPATH", &path)],
    )
    .await
    .unwrap();
    assert_eq!(r["burst"], serde_json::json!([503, 503]), "{r}");
    assert_eq!(r["after_burst"], "before-reset");
    assert_eq!(r["logged"], 3);
    assert_eq!(r["authorization_redacted"], true);
    assert_eq!(r["after_reset"], 404);
    assert_eq!(r["clean_root"], serde_json::json!(["after-reset"]));
    assert_eq!(r["emptied"], 0);
    assert_eq!(r["restored"], serde_json::json!(["after-reset"]));
}
