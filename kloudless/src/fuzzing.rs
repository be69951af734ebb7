//! Entry points for `cargo xtask fuzz kloudless` (feature `fuzzing`; not a stable API): every
//! decoder of a server answer, run on arbitrary bytes. None may panic.

use std::sync::OnceLock;

use crate::{Client, Configuration, Response};

fn client() -> Option<&'static Client> {
    static CLIENT: OnceLock<Option<Client>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            Client::with_config(
                Some("fuzz"),
                None,
                &Configuration::with_base_url("http://127.0.0.1:9"),
            )
            .ok()
        })
        .as_ref()
}

/// Runs every answer decoder on `data`: the error mapping under the status the first two
/// bytes make (and the rest as a Retry-After), the JSON answer wrapped as the original wraps
/// it (resource, list with its paging fields, plain JSON) for a storage, an events and a
/// calendar URL, and the URL helpers on the input as a URL.
pub fn decode(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let [a, b, ..] = data {
        let code = (u16::from_be_bytes([*a, *b]) % 1000).max(100);
        if let Ok(status) = http::StatusCode::from_u16(code) {
            let e = crate::error::error_from_response(
                status,
                data,
                Some(&text),
                cloud_core::ErrorContext::default(),
            );
            let _ = e.to_string();
        }
    }
    if let (Ok(serde_json::Value::Object(map)), Some(client)) =
        (serde_json::from_slice::<serde_json::Value>(data), client())
    {
        for url in [
            "http://127.0.0.1:9/v1/accounts/me/storage/folders/root/contents",
            "http://127.0.0.1:9/v1/accounts/me/events",
            "http://127.0.0.1:9/v1/accounts/me/cal/calendars/primary",
        ] {
            match crate::resources::classify(client.clone(), url, map.clone(), None) {
                Response::List(l) => {
                    let _ = (l.api(), l.page(), l.next_page(), l.cursor());
                    let _ = l.get_paging_iterator(Some(1));
                }
                Response::Resource(r) => {
                    let _ = r.url();
                }
                _ => {}
            }
        }
    }
    let _ = crate::util::full_account_prefix(&text);
    let _ = crate::util::is_events_url(&text);
    let _ = crate::util::url_join("http://127.0.0.1:9/v1/accounts/me", &text);
}
