//! Interop: the original acd_cli 0.3.2 (`acdcli.api`, from PyPI, pinned in
//! `tests/interop/requirements.txt`) drives the emulator through its public API; files and
//! cache folders cross between Rust and Python.
//!
//! Needs the Python environment that `cargo xtask ci` creates (its interpreter in
//! `CLOUD_SDK_INTEROP_PYTHON`); without it the test says so and checks nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use acd::emulator::Emulator;
use acd::{AcdClient, AcdOptions, DownloadOptions, UploadOptions};
use sha2::{Digest, Sha256};

/// The interop Python, or `None` after printing why the test is skipped (a failure when
/// `cargo xtask ci` requires the interop tests).
fn python() -> Option<String> {
    cloud_core::emulator::interop_vars_or_skip(&["CLOUD_SDK_INTEROP_PYTHON"])
        .unwrap()?
        .pop()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_the_original_acdcli_drives_the_emulator() {
    let Some(py) = python() else {
        return;
    };
    let emu = Emulator::start().await.unwrap();
    // Rust writes the cache folder; the original reads it.
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    emu.write_cache(cache.path()).unwrap();
    let rust = AcdClient::new(
        cache.path(),
        cache.path(),
        AcdOptions::default().pacing(acd::Pacing::Off),
    )
    .await
    .unwrap();
    let rust_bytes: Vec<u8> = (0..700_000u32).map(|i| (i * 7 % 253) as u8).collect();
    let rust_node = rust
        .upload_stream(
            std::io::Cursor::new(rust_bytes.clone()),
            "from-rust.bin",
            None,
            UploadOptions::default(),
        )
        .await
        .unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/acd_interop.py");
    let out = tokio::process::Command::new(&py)
        .args([
            script,
            &emu.base_url(),
            &cache.path().display().to_string(),
            &work.path().display().to_string(),
            &rust_node.id,
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
    let want = hex(&Sha256::digest(&rust_bytes));
    assert_eq!(
        r["rust_file_sha256"],
        want.as_str(),
        "Python read Rust's upload"
    );
    assert_eq!(r["rust_file_on_disk_sha256"], want.as_str());
    assert_eq!(r["metadata_url"], emu.metadata_url().as_str());
    assert_eq!(r["root_id"], emu.root_id().as_str());
    assert_eq!(r["upload_name"], "py file é.bin");
    assert_eq!(r["upload_md5_matches"], true);
    assert_eq!(r["stream_size"], 12);
    assert_eq!(
        r["empty_unpeekable"], 400,
        "the original's issue #128, as the service answered it"
    );
    assert_eq!(r["empty_md5"], "d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(
        r["children"],
        serde_json::json!(["py file é.bin", "py-empty.txt", "py-stream.bin"])
    );
    assert_eq!(r["changes_reset"], true);
    assert!(r["changes_nodes"].as_u64().unwrap() >= 6);
    assert_eq!(
        r["changes_after_checkpoint"],
        serde_json::json!(["after-checkpoint"])
    );
    assert_eq!(r["download_ok"], true);
    assert_eq!(r["chunk"], serde_json::json!([0, 1, 2, 3]));
    assert_eq!(r["chunked_ok"], true);
    assert_eq!(r["overwrite_version"], 2);
    assert_eq!(r["moved_parents_ok"], true);
    assert_eq!(
        (r["trash_status"].as_str(), r["restore_status"].as_str()),
        (Some("TRASH"), Some("AVAILABLE"))
    );
    assert_eq!(r["renamed"], "py-renamed");
    assert_eq!(r["properties"], serde_json::json!({"color": "blue"}));
    assert_eq!(r["properties_after_delete"], serde_json::json!({}));
    assert_eq!(r["fs_sizes"][0], serde_json::json!(1u64 << 40));
    assert_eq!(r["usage_lines"], 5);
    assert_eq!(r["info"]["status"], "ACTIVE");
    assert_eq!(r["conflict"], 409);
    assert_eq!(r["conflict_node"], true);
    assert_eq!(r["purge"], 403);

    // Rust reads what Python uploaded, and checks it against the node's MD5.
    let py_node = rust
        .get_metadata(r["py_node"].as_str().unwrap(), false, false)
        .await
        .unwrap();
    let dl = tempfile::tempdir().unwrap();
    let path = rust
        .download_file(
            &py_node.id,
            "from-python.bin",
            Some(dl.path()),
            DownloadOptions::for_node(&py_node),
        )
        .await
        .unwrap();
    let py_bytes: Vec<u8> = (0..4000).flat_map(|_| 0..=255u8).collect();
    assert_eq!(std::fs::read(path).unwrap(), py_bytes);

    // A cache folder written by the original: expire the token and drop the endpoint cache;
    // Python refreshes (Appspot form) and discovers, writing both files; Rust reads them.
    let py_cache = tempfile::tempdir().unwrap();
    emu.write_cache(py_cache.path()).unwrap();
    let p = py_cache.path().join("oauth_data");
    let mut data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    data["exp_time"] = serde_json::json!(0);
    std::fs::write(&p, data.to_string()).unwrap();
    std::fs::remove_file(py_cache.path().join("endpoint_data")).unwrap();
    let code = format!(
        "import sys\nfrom acdcli.api import client, oauth\nclient._AMZ_ENDPOINT_REQ_URL = {ep:?}\noauth.AppspotOAuthHandler.APPSPOT_URL = {ap:?}\nc = client.ACDClient(sys.argv[1], sys.argv[1])\nprint(c.get_root_id())\n",
        ep = format!("{}/drive/v1/account/endpoint", emu.base_url()),
        ap = format!("{}/appspot/", emu.base_url()),
    );
    let out = tokio::process::Command::new(&py)
        .args(["-c", &code, &py_cache.path().display().to_string()])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), emu.root_id());
    let rewritten: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    assert!(
        rewritten["exp_time"].as_f64().unwrap() > 1e9,
        "the original refreshed and wrote the token file"
    );
    assert!(py_cache.path().join("endpoint_data").exists());
    let from_py_cache = AcdClient::new(
        py_cache.path(),
        py_cache.path(),
        AcdOptions::default().pacing(acd::Pacing::Off),
    )
    .await
    .unwrap();
    assert_eq!(from_py_cache.get_root_id().await.unwrap(), emu.root_id());
    assert_eq!(from_py_cache.metadata_url().as_str(), emu.metadata_url());
}

/// acd_cli against an emulator scripted from Python over its control API: a 503 burst
/// surfaced as acd_cli's `RequestError`, the request log (credentials redacted), a reset, a
/// clean run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_python_scripts_the_emulator_over_its_control_api() {
    let Some(py) = python() else {
        return;
    };
    let emu = Emulator::start().await.unwrap();
    emu.enable_control();
    let cache = tempfile::tempdir().unwrap();
    emu.write_cache(cache.path()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/acd_control.py");
    let cache_dir = cache.path().display().to_string();
    let r = cloud_core::emulator::run_python_json(
        &py,
        script.as_ref(),
        &[&emu.base_url(), &cache_dir],
        &[],
    )
    .await
    .unwrap();
    assert_eq!(r["burst"], serde_json::json!([503, 503]), "{r}");
    assert_eq!(r["after_burst"], "before-reset");
    assert_eq!(r["logged"], 3);
    assert_eq!(r["authorization_redacted"], true);
    assert_eq!(r["after_reset"], 404);
    assert_eq!(r["clean_folders"], serde_json::json!(["after-reset"]));
    assert_eq!(r["emptied"], serde_json::json!([]));
    assert_eq!(r["restored"], serde_json::json!(["after-reset"]));
}
