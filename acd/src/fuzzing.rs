//! Entry points for `cargo xtask fuzz acd` (feature `fuzzing`; not a stable API): every
//! decoder of a server answer, run on arbitrary bytes. None may panic.

use futures::{FutureExt, StreamExt};

/// Runs every answer decoder on `data`: each line as a changes-feed line, the whole as a
/// changes feed, an OAuth token answer, a node and a node list, and an error body under the
/// status the first two bytes make.
pub fn decode(data: &[u8]) {
    for (i, line) in data.split(|b| *b == b'\n').enumerate() {
        let _ = crate::changes::parse_change_line(line, i);
    }
    let mut feed = Box::pin(crate::changes::iter_changes_lines(std::io::Cursor::new(
        data.to_vec(),
    )));
    // An in-memory reader never waits: every step is ready at once.
    while let Some(Some(item)) = feed.next().now_or_never() {
        if item.is_err() {
            break;
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::oauth::validate(text);
    }
    let _ = serde_json::from_slice::<crate::models::Node>(data);
    let _ = serde_json::from_slice::<crate::models::NodeList>(data);
    if let [a, b, ..] = data {
        let code = (u16::from_be_bytes([*a, *b]) % 1000).max(100);
        if let Ok(status) = http::StatusCode::from_u16(code) {
            let _ = crate::error::from_response(status, data, cloud_core::ErrorContext::default());
        }
    }
}
