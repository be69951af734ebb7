//! Interop: the original SDK (PyPI kloudless 2.0.1, pinned in `tests/interop/requirements.txt`)
//! drives the emulator through its public API; files cross between Rust and Python.
//!
//! Needs the Python environment that `cargo xtask ci` creates (`CLOUD_SDK_INTEROP_PYTHON`);
//! without it the test says so and checks nothing.
#![recursion_limit = "256"]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kloudless::emulator::Emulator;
use kloudless::{Account, Configuration, RequestOptions};
use sha2::{Digest, Sha256};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The JSON line of `tests/interop/<script>` run with the emulator's base URL, API key and
/// token.
async fn run_with_app(py: &str, script: &str, emu: &Emulator) -> serde_json::Value {
    let path = format!("{}/tests/interop/{script}", env!("CARGO_MANIFEST_DIR"));
    cloud_core::emulator::run_python_json(
        py,
        path.as_ref(),
        &[&emu.base_url(), emu.api_key(), emu.token()],
        &[],
    )
    .await
    .unwrap()
}

/// The interop Python, or `None` (the test then checks nothing, as `interop_vars_or_skip`
/// reports).
fn python() -> Option<String> {
    cloud_core::emulator::interop_vars_or_skip(&["CLOUD_SDK_INTEROP_PYTHON"])
        .unwrap()
        .and_then(|mut v| v.pop())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_the_original_sdk_drives_the_emulator() {
    let Some(py) = python() else {
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
    // The cursor is an integer, as the service typed it (and the original takes it back).
    assert_eq!(types.len() as u64, r["latest"].as_u64().unwrap());
    assert_eq!(r["latest_cursor"], r["latest"]);
    // The connected account is Google Drive's, whose events are limited: the rename comes
    // as an `add` (as the service reported it).
    assert!(types.contains(&"add") && types.contains(&"copy"));
    assert!(!types.contains(&"rename"), "{types:?}");
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
    let Some(py) = python() else {
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

/// The original SDK's generic calls through every family beyond file storage (links,
/// search, recent, quota, permissions, properties, multipart and upload URLs, the events
/// cursor, calendars and availability, accounts, the team): create, list, update, delete
/// and the errors, pinned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_the_original_sdk_drives_every_endpoint_family() {
    let Some(py) = python() else {
        return;
    };
    let emu = Emulator::start().await.unwrap();
    let r = run_with_app(&py, "kloudless_families.py", &emu).await;
    let expected = serde_json::json!({
        "link_no_file": [400, "invalid_parameters"], "link_folder": [404, "not_found"],
        "link": [true, true, true, true, "link"], "links_paged": 2,
        "link_bad_update": [400, "invalid_parameters"], "link_after_bad_update": null,
        "link_updated": [false, false], "links_active": 1, "link_after_delete": [404, "not_found"],
        "search_simple": ["Quarterly Report.txt"],
        "search_many": ["Quarterly Report.txt", "notes.txt"],
        "search_parents": ["Quarterly Report.txt"],
        "search_empty": [400, "invalid_parameters"], "search_bad": [400, "invalid_parameters"],
        "recent_first": ["notes.txt", 2], "recent_size_1001": [400, "invalid_parameters"],
        "recent_page_0": [400, "invalid_parameters"], "recent_page_past": [404, "not_found"],
        "recent_after": 0, "quota_used": 15,
        "perms_initial": ["owner"], "perms_bad_role": [400, "invalid_parameters"],
        "perms_patched": ["owner", "reader"],
        "perms_put_folder": [["owner", "user"], ["writer", "group"]],
        "properties": [["status", "final"]], "properties_bad": [400, "invalid_parameters"],
        "properties_after_delete": [],
        "multipart_missing_part": [400, "invalid_parameters"], "multipart_file": ["big.bin", 6],
        "multipart_bytes": "abcdef", "multipart_bad_part": [404, "not_found"],
        "multipart_aborted": [404, "not_found"],
        "upload_url_put": 200, "upload_url_again": 404, "upload_url_file": ["direct.txt"],
        "new_event_types": ["add", "add", "delete"], "cursor_type": "int",
        "event_types": ["add", "delete"],
        "events_page_size_100000": [400, "invalid_parameters"],
        "cal_created": ["Team", "calendar"], "cal_bad": [400, "invalid_parameters"],
        "cal_events": ["Standup"], "cal_updated": "Team B",
        "cals": ["Primary calendar", "Team B", "Work"],
        "availability": [["2030-01-01T08:00:00Z", "2030-01-01T09:00:00Z"],
                         ["2030-01-01T10:00:00Z", "2030-01-01T12:00:00Z"]],
        "availability_bad": [400, "invalid_parameters"], "primary_delete": [403, "forbidden"],
        "cal_after_delete": [404, "not_found"],
        "import_bad": [400, "invalid_parameters"], "imported": ["box", true, false],
        "accounts": [123, 124, 125], "accounts_admin": [124], "accounts_search": [125],
        "retrieve_full": [["can_copy_file", "can_copy_folder", "can_create_folder",
            "can_delete_all_properties", "can_delete_file", "can_delete_file_permanently",
            "can_delete_folder", "can_list_group_members", "can_list_groups",
            "can_list_properties", "can_list_users", "can_move_file", "can_move_folder",
            "can_rename_file", "can_rename_folder", "can_retrieve_group", "can_retrieve_user",
            "can_search_file_name", "can_update_file_content", "can_upload_file",
            "multipart_uploads_supported_for_files", "permissions_supported_for_files",
            "properties_supported_for_files"], "tok"],
        "tokens_with_bearer": [403, "forbidden"], "update": false, "accounts_inactive": [125],
        "account_after_delete": [404, "not_found"],
        "team_users": ["u1", "u2", "u3"], "team_user": "bob@example.invalid",
        "team_memberships": ["Everyone", "Engineering"],
        "team_groups": ["Everyone", "Engineering"], "team_members": ["u3"],
        "team_not_admin": [403, "forbidden"],
    });
    for (k, v) in expected.as_object().unwrap() {
        assert_eq!(&r[k], v, "{k} in {r}");
    }
}

/// The calls of the service's own 1.x live tests, made by the original SDK (2.0.1) against
/// an emulator started `admin`: the emulator answers them as the live service did.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_the_original_sdk_makes_the_live_tests_calls() {
    let Some(py) = python() else {
        return;
    };
    let emu = Emulator::start_with(kloudless::emulator::EmulatorConfig::default().admin(true))
        .await
        .unwrap();
    let r = run_with_app(&py, "kloudless_live.py", &emu).await;
    let owner = serde_json::json!(["emulator@example.invalid", "owner"]);
    let expected = serde_json::json!({
        "capabilities_all": 23,
        "perms_put": [["a@example.invalid", "writer"], owner],
        "perms_patch": [["a@example.invalid", "writer"], ["b@example.invalid", "reader"], owner],
        "perms_clear": [owner],
        "link_text": "test", "direct_text": "test", "inactive_status": 404,
        "expired_status": 403, "valid_text": "test",
        "password_form": [403, true], "password_wrong": [403, true], "password_text": "test",
        "recent_bad_after": 0,
        "event_types": ["add", "add", "add", "add", "delete"], "delete_event": ["delete"],
        "alfresco_without": [400, "invalid_parameters"],
        "alfresco": "https://alfresco.example.invalid/alfresco",
        "hubspot_without": [400, "invalid_parameters"], "hubspot": "42",
        "token_expiry_kept": true, "bad_service": [400, "invalid_parameters"],
        "calendar_account": true, "event_account": 123,
        "event_fields": ["cal_primary", "", [], [], true],
        "team_users": ["u1", "u2", "u3"], "team_groups": ["Everyone", "Engineering"],
    });
    for (k, v) in expected.as_object().unwrap() {
        assert_eq!(&r[k], v, "{k} in {r}");
    }
    // Every capability on: the storage ones for the connected account, the team ones as
    // it is an admin here.
    assert_eq!(r["capabilities"].as_array().unwrap().len(), 23, "{r}");
}
