//! Entry points for `cargo xtask fuzz smartfile` (feature `fuzzing`; not a stable API): every
//! decoder of a server answer, run on arbitrary bytes. None may panic.

/// Runs every answer decoder on `data`: the error detail and error mapping under the status
/// the first two bytes make, a JSON answer, an `X-Throttle` value, and a server-given URI
/// re-quoted.
pub fn decode(data: &[u8]) {
    if let [a, b, ..] = data {
        let code = (u16::from_be_bytes([*a, *b]) % 1000).max(100);
        if let Ok(status) = http::StatusCode::from_u16(code) {
            let _ = crate::error::detail_of(status, data);
            let e = crate::error::response_error(status, data, cloud_core::ErrorContext::default());
            let _ = e.to_string();
        }
    }
    let _ = serde_json::from_slice::<serde_json::Value>(data);
    let text = String::from_utf8_lossy(data);
    let _ = crate::client::throttle_delay(&text);
    let _ = crate::client::requote_uri(&text);
}
