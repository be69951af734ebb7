//! Interop: the original SDK (PyPI kloudless 2.0.1, pinned in `tests/interop/requirements.txt`)
//! drives the emulator through its public API; files cross between Rust and Python.
//!
//! Needs the Python environment that `cargo xtask ci` creates (`CLOUD_SDK_INTEROP_PYTHON`);
//! without it the test says so and checks nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kloudless::emulator::Emulator;
use kloudless::{Account, Configuration, RequestOptions};
use sha2::{Digest, Sha256};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_the_original_sdk_drives_the_emulator() {
    let Some(py) = cloud_core::emulator::interop_vars_or_skip(&["CLOUD_SDK_INTEROP_PYTHON"])
        .unwrap()
        .and_then(|mut v| v.pop())
    else {
        return;
    };
    let emu = Emulator::start().await.unwrap();
    let account = Account::with_config(
        Some(emu.token()),
        None,
        None,
        &Configuration::with_base_url(emu.base_url()),
    )
    .unwrap();
    let rust_bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 13 % 251) as u8).collect();
    let up = account
        .post(
            "storage/files",
            RequestOptions::default()
                .header(
                    "X-Kloudless-Metadata",
                    r#"{"parent_id": "root", "name": "from-rust.bin"}"#,
                )
                .data(rust_bytes.clone()),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    let rust_id = up.data["id"].as_str().unwrap().to_owned();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/kloudless_interop.py"
    );
    let out = tokio::process::Command::new(&py)
        .args([
            script,
            &emu.base_url(),
            emu.app_id(),
            emu.api_key(),
            emu.token(),
            &rust_id,
        ])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let b = emu.base_url();
    assert_eq!(
        r["account_url"],
        format!("{b}/v1/accounts/me/123"),
        "the original's id-append quirk"
    );
    assert_eq!(
        r["rust_file_url"],
        format!("{b}/v1/accounts/me/storage/files/{rust_id}")
    );
    assert_eq!(
        r["rust_file_sha256"],
        hex(&Sha256::digest(&rust_bytes)).as_str()
    );
    assert_eq!(
        r["root_names"],
        serde_json::json!(["from-python.bin", "from-rust.bin"])
    );
    assert_eq!(
        r["paged"],
        serde_json::json!(["p0.txt", "p1.txt", "p2.txt", "p3.txt", "p4.txt"])
    );
    assert_eq!(r["renamed"], "renamed.bin");
    assert_eq!(r["copy_parent"], true);
    assert_eq!(
        r["cal_url"],
        format!("{b}/v1/accounts/me/cal/calendars/primary")
    );
    assert!(r["event_url"].as_str().unwrap().starts_with(&format!(
        "{b}/v1/accounts/me/cal/calendars/primary/events/EV"
    )));
    assert_eq!(
        r["cal_events"],
        serde_json::json!(["Event 0", "Event 1", "Event 2"])
    );
    let types: Vec<&str> = r["event_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(
        types.len(),
        r["latest"].as_str().unwrap().parse::<usize>().unwrap()
    );
    assert_eq!(r["latest_cursor"], r["latest"]);
    assert!(types.contains(&"add") && types.contains(&"rename") && types.contains(&"copy"));
    assert_eq!(r["raw"]["method"], "GET");
    assert_eq!(r["raw"]["uri"], "/drive/v2/about");
    assert!(r["wrong_state"]
        .as_str()
        .unwrap()
        .starts_with("state values do not match: not-the-state != "));
    assert_eq!(r["verified"], true);
    assert_eq!(r["verified_url"], format!("{b}/v1/accounts/me"));
    assert_eq!(r["not_found"], 404);
    // Rust reads what Python uploaded.
    let f = account
        .get(
            &format!(
                "storage/files/{}/contents",
                r["py_file_id"].as_str().unwrap()
            ),
            RequestOptions::default(),
        )
        .await
        .unwrap()
        .into_raw()
        .unwrap();
    let got = f.bytes().await.unwrap();
    assert_eq!(
        hex(&Sha256::digest(&got)),
        r["py_file_sha256"].as_str().unwrap()
    );
}

/// The original SDK against an emulator scripted from Python over its control API: a 503
/// burst surfaced as `ServerException`, the request log (credentials redacted), a reset, a
/// clean run, then expired tokens surfaced as `AuthorizationException`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_python_scripts_the_emulator_over_its_control_api() {
    let Some(py) = cloud_core::emulator::interop_vars_or_skip(&["CLOUD_SDK_INTEROP_PYTHON"])
        .unwrap()
        .and_then(|mut v| v.pop())
    else {
        return;
    };
    let emu = Emulator::start().await.unwrap();
    emu.enable_control();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/kloudless_control.py"
    );
    let r = cloud_core::emulator::run_python_json(
        &py,
        script.as_ref(),
        &[&emu.base_url(), emu.token()],
        &[],
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
    assert_eq!(r["expired"], 401);
}
