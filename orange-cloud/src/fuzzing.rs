//! Entry points for `cargo xtask fuzz orange-cloud` (feature `fuzzing`; not a stable API):
//! every decoder of a server answer (and of the browser's request to the redirect catcher),
//! run on arbitrary bytes. None may panic.

/// Runs every decoder on `data`: the redirect catcher's parameters (of the whole input and of
/// its first line's target), the freespace, file, folder, item and upload answers, the token
/// answer, and the `ClientError` of the status the first two bytes make.
pub fn decode(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::read_request_parameters(&text);
    if let Some(target) = text
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
    {
        let _ = crate::read_request_parameters(target);
    }
    let _ = serde_json::from_slice::<crate::models::Freespace>(data);
    let _ = serde_json::from_slice::<crate::models::File>(data);
    let _ = serde_json::from_slice::<crate::models::Folder>(data);
    let _ = serde_json::from_slice::<crate::models::Item>(data);
    let _ = serde_json::from_slice::<crate::models::Uploaded>(data);
    let _ = serde_json::from_slice::<cloud_core::auth::TokenResponse>(data);
    if let ([a, b, ..], Ok(url)) = (data, url::Url::parse("http://127.0.0.1:9/cloud/v1/files/x")) {
        let status = u16::from_be_bytes([*a, *b]);
        let mut ctx = cloud_core::ErrorContext::default();
        ctx.body_snippet = Some(text.chars().take(200).collect());
        let e = crate::error::client_error("files", status, &url, ctx);
        let _ = (e.to_string(), format!("{e:?}"));
    }
}
