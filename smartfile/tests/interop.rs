//! Interop: the original client (PyPI smartfile 2.19, pinned in
//! `tests/interop/requirements.txt`) drives the emulator through its public API; files cross
//! between Rust and Python with bytes equal.
//!
//! Needs the Python environment that `cargo xtask ci` creates (`CLOUD_SDK_INTEROP_PYTHON`);
//! without it the test says so and checks nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sha2::{Digest, Sha256};
use smartfile::emulator::Emulator;
use smartfile::{BasicClient, BasicOptions, DownloadOptions};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_the_original_client_drives_the_emulator() {
    let Some(py) = cloud_core::emulator::interop_vars_or_skip(&["CLOUD_SDK_INTEROP_PYTHON"])
        .unwrap()
        .and_then(|mut v| v.pop())
    else {
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
    let work = tempfile::tempdir().unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/smartfile_interop.py"
    );
    let out = tokio::process::Command::new(&py)
        .current_dir(work.path())
        .args([
            script,
            &emu.base_url(),
            emu.key(),
            emu.password(),
            "from-rust.bin",
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
