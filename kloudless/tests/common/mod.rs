//! What the emulator test files share: the connected account and an upload.
#![allow(dead_code, clippy::unwrap_used)]

use kloudless::emulator::Emulator;
use kloudless::{Account, Configuration, RequestOptions};
use serde_json::json;

/// The emulator's connected account, with its Bearer token.
pub fn account(emu: &Emulator) -> Account {
    Account::with_config(
        Some(emu.token()),
        None,
        None,
        &Configuration::with_base_url(emu.base_url()),
    )
    .unwrap()
}

/// A file uploaded through the generic call (`X-Kloudless-Metadata`).
pub async fn upload(a: &Account, parent: &str, name: &str, data: &[u8]) -> kloudless::Resource {
    a.post(
        "storage/files",
        RequestOptions::default()
            .header(
                "X-Kloudless-Metadata",
                json!({"parent_id": parent, "name": name}).to_string(),
            )
            .data(data.to_vec()),
    )
    .await
    .unwrap()
    .into_resource()
    .unwrap()
}
