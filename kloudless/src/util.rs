//! `kloudless.util` and `kloudless.re_patterns`: URL joining, the per-call API version
//! rewrite, and the URL patterns the response classes use.

use url::Url;

/// `url_join(prefix, suffix)` (spec 2.2): an empty suffix gives the prefix; a suffix that
/// starts with the prefix is taken as is; otherwise the suffix, leading `/`s stripped, is
/// resolved as a relative reference against `prefix + "/"` (an absolute URL wins, dot
/// segments resolve, empty interior segments collapse, the query is kept).
pub fn url_join(prefix: &str, suffix: &str) -> String {
    if suffix.is_empty() {
        return prefix.to_owned();
    }
    if suffix.starts_with(prefix) {
        return suffix.to_owned();
    }
    let rel = suffix.trim_start_matches('/');
    // A first segment with a `:` is an absolute URI with that scheme.
    let first = rel.split(['/', '?', '#']).next().unwrap_or("");
    if let Some((scheme, _)) = first.split_once(':') {
        if !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return suffix.to_owned();
        }
    }
    // Python's urljoin drops empty path segments: one `/` between prefix and suffix.
    let base = format!("{}/", prefix.trim_end_matches('/'));
    let Ok(base) = Url::parse(&base) else {
        return format!("{base}{rel}");
    };
    // Python's urljoin drops empty interior segments: collapse `//` in the path part.
    let (path, rest) = match rel.find(['?', '#']) {
        Some(i) => (&rel[..i], &rel[i..]),
        None => (rel, ""),
    };
    let mut path = path.to_owned();
    while path.contains("//") {
        path = path.replace("//", "/");
    }
    match base.join(&format!("{path}{rest}")) {
        Ok(u) => u.to_string(),
        Err(_) => format!("{base}{rel}"),
    }
}

/// `construct_kloudless_endpoint(path, base_url, api_version)`.
pub fn construct_kloudless_endpoint(path: &str, base_url: &str, api_version: &str) -> String {
    url_join(
        &url_join(base_url.trim_end_matches('/'), &format!("v{api_version}")),
        path,
    )
}

/// The per-call `api_version` rewrite: the first `scheme://…/v<digit>` has that `v<digit>`
/// replaced by `v<version>`.
pub fn rewrite_api_version(url: &str, version: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let bytes = url.as_bytes();
    let mut i = scheme_end + 3;
    while i + 2 < bytes.len() {
        if bytes[i] == b'/' && bytes[i + 1] == b'v' && bytes[i + 2].is_ascii_digit() {
            return format!("{}/v{version}{}", &url[..i], &url[i + 3..]);
        }
        i += 1;
    }
    url.to_owned()
}

/// The URL without its query (and fragment).
pub(crate) fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

fn account_segment_ok(s: &str) -> bool {
    s == "me" || (!s.is_empty() && s.chars().all(|c| c.is_ascii_digit()))
}

/// `events_pattern`: `accounts/<digits|me>/events` at the end (a trailing `/` allowed).
pub fn is_events_url(url: &str) -> bool {
    let u = strip_query(url).trim_end_matches('/');
    let Some(rest) = u.strip_suffix("/events") else {
        return false;
    };
    let Some(i) = rest.rfind("accounts/") else {
        return false;
    };
    account_segment_ok(&rest[i + "accounts/".len()..])
}

/// `full_account_pattern`: the `http(s)://…/v<digit>/accounts/<digits|me>` prefix of a URL.
pub fn full_account_prefix(url: &str) -> Option<&str> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return None;
    }
    let idx = url.find("/accounts/")?;
    let before = &url[..idx];
    let v = before.rsplit('/').next()?;
    if !(v.len() == 2 && v.starts_with('v') && v.as_bytes()[1].is_ascii_digit()) {
        return None;
    }
    let after = &url[idx + "/accounts/".len()..];
    let seg_len = after.find(['/', '?', '#']).unwrap_or(after.len());
    account_segment_ok(&after[..seg_len]).then(|| &url[..idx + "/accounts/".len() + seg_len])
}

/// `primary_calendar_alias`: `cal/calendars/primary` at the end (a trailing `/` allowed).
pub fn is_primary_calendar_url(url: &str) -> bool {
    strip_query(url)
        .trim_end_matches('/')
        .ends_with("cal/calendars/primary")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_table() {
        let p = "http://h/v1/accounts/me";
        let cases = [
            ("storage/x", "http://h/v1/accounts/me/storage/x"),
            ("/storage/x/", "http://h/v1/accounts/me/storage/x/"),
            ("", "http://h/v1/accounts/me"),
            ("/", "http://h/v1/accounts/me/"),
            ("http://h/v1/accounts/me/a", "http://h/v1/accounts/me/a"),
            ("http://other/z", "http://other/z"),
            ("../x", "http://h/v1/accounts/x"),
            ("a//b/./c/../d", "http://h/v1/accounts/me/a/b/d"),
            ("x?a=1&b=2", "http://h/v1/accounts/me/x?a=1&b=2"),
            ("?x=1", "http://h/v1/accounts/me/?x=1"),
            ("x:y", "x:y"),
        ];
        for (s, want) in cases {
            assert_eq!(url_join(p, s), want, "{s:?}");
        }
        assert_eq!(
            url_join("http://h/v1/accounts/me/", "x"),
            "http://h/v1/accounts/me/x"
        );
        assert_eq!(
            construct_kloudless_endpoint("", "http://127.0.0.1:8765/", "1"),
            "http://127.0.0.1:8765/v1"
        );
        assert_eq!(
            construct_kloudless_endpoint("", "http://host/api", "1"),
            "http://host/api/v1"
        );
    }

    #[test]
    fn versions_and_patterns() {
        assert_eq!(
            rewrite_api_version("https://api.kloudless.com/v1/accounts/me", "2"),
            "https://api.kloudless.com/v2/accounts/me"
        );
        assert_eq!(rewrite_api_version("http://h/v1/x", "10"), "http://h/v10/x");
        assert_eq!(rewrite_api_version("http://h/v12/x", "3"), "http://h/v32/x");
        assert!(is_events_url("http://h/v1/accounts/me/events?cursor=1"));
        assert!(is_events_url("http://h/v1/accounts/123/events/"));
        assert!(!is_events_url("http://h/v1/accounts/me/events/latest"));
        assert!(!is_events_url("http://h/v1/accounts/abc/events"));
        assert_eq!(
            full_account_prefix("https://h/v1/accounts/me/storage/x"),
            Some("https://h/v1/accounts/me")
        );
        assert_eq!(
            full_account_prefix("https://h/v1/accounts/42/storage"),
            Some("https://h/v1/accounts/42")
        );
        assert_eq!(full_account_prefix("https://h/v12/accounts/42"), None);
        assert_eq!(full_account_prefix("https://h/v1/accounts/abc"), None);
        assert!(is_primary_calendar_url(
            "http://h/v1/accounts/me/cal/calendars/primary/"
        ));
    }
}
