//! Entry points for `cargo xtask fuzz verizon-pcs` (feature `fuzzing`; not a stable API):
//! every decoder of a server answer, run on arbitrary bytes. None may panic.

use crate::error::{classify, Call};

/// Runs every answer decoder on `data`: the token, account, metadata, fullview, search,
/// item, upload-intent and file bodies, the error-body message, and the status rules of every
/// call for the status the first two bytes make.
pub fn decode(data: &[u8]) {
    let _ = serde_json::from_slice::<crate::Token>(data);
    let _ = serde_json::from_slice::<crate::Account>(data);
    let _ = serde_json::from_slice::<crate::models::FolderListing>(data);
    let _ = crate::fullview::decode_slice(data);
    let _ = serde_json::from_slice::<crate::fops::SearchEnvelope>(data);
    if let Ok(env) = serde_json::from_slice::<crate::fops::ItemEnvelope>(data) {
        let _ = env.into_item();
    }
    let _ = serde_json::from_slice::<crate::UploadIntent>(data);
    let _ = serde_json::from_slice::<crate::upload::FileEnvelope>(data);
    let _ = crate::client::server_message(data);
    if let [a, b, ..] = data {
        let code = u16::from_be_bytes([*a, *b]) % 1000;
        if let Ok(status) = http::StatusCode::from_u16(code.max(100)) {
            for call in Call::all() {
                let _ = classify(*call, status);
            }
        }
    }
}
