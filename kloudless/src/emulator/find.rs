//! Finding things in storage: `storage/search`, `storage/recent`, `storage/quota`.
// Handlers return early with a ready `Response` as the error: its size does not matter here.
#![allow(clippy::result_large_err)]

use cloud_core::emulator::axum::response::Response;
use http::StatusCode;
use serde_json::json;

use super::routes::{bad, json_resp, not_found, page_list, page_value, q, App};
use super::state::parse_time;

/// The quota the emulated account has (15 GiB, as a free Google Drive).
const QUOTA_TOTAL: u64 = 15 << 30;

/// The words of a keyword query: double-quoted phrases kept whole; an unbalanced quote is a
/// bad query.
fn terms(query: &str) -> Result<Vec<String>, Response> {
    if query.matches('"').count() % 2 == 1 {
        return Err(bad("invalid query: unbalanced double quotes"));
    }
    let mut out = Vec::new();
    for (i, part) in query.split('"').enumerate() {
        if i % 2 == 1 {
            if !part.trim().is_empty() {
                out.push(part.to_lowercase());
            }
        } else {
            out.extend(part.split_whitespace().map(str::to_lowercase));
        }
    }
    Ok(out)
}

/// `GET storage/search?q=&lang=&parents=`: files and folders whose name holds every term
/// (`lang=keyword`, the default: case-insensitive, quoted phrases whole) or the query
/// verbatim (`lang=raw`), under the `parents` (comma-separated folder ids) when given.
pub(crate) fn search(app: &App, query: &[(String, String)]) -> Response {
    let Some(text) = q(query, "q").filter(|t| !t.trim().is_empty()) else {
        return bad("q is required: a non-empty search query");
    };
    let lang = q(query, "lang").unwrap_or("keyword");
    let matches: Box<dyn Fn(&str) -> bool> = match lang {
        "keyword" => match terms(text) {
            Ok(t) if !t.is_empty() => Box::new(move |name: &str| {
                let n = name.to_lowercase();
                t.iter().all(|w| n.contains(w.as_str()))
            }),
            Ok(_) => return bad("q is required: a non-empty search query"),
            Err(r) => return r,
        },
        "raw" => {
            let t = text.to_owned();
            Box::new(move |name: &str| name.contains(t.as_str()))
        }
        _ => return bad("lang must be keyword or raw"),
    };
    let s = app.lock();
    let parents: Vec<&str> = q(query, "parents")
        .map(|p| p.split(',').filter(|x| !x.is_empty()).collect())
        .unwrap_or_default();
    for p in &parents {
        if s.nodes.get(*p).is_none_or(|n| n.blob.is_some()) {
            return not_found();
        }
    }
    let under: Vec<String> = parents.iter().flat_map(|p| s.subtree(p)).collect();
    let mut hits: Vec<&super::state::Node> = s
        .nodes
        .values()
        .filter(|n| n.parent.is_some() && matches(&n.name))
        .filter(|n| parents.is_empty() || under.contains(&n.id))
        .collect();
    hits.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    let items = hits.into_iter().map(|n| s.json(n, false)).collect();
    page_list(items, query, "storage")
}

/// `GET storage/recent?page_size=&page=&after=`: files by modification, newest first, only
/// those modified after `after` when given; the answer carries `total`. An `after` that is
/// not a time matches nothing: 200 with an empty list, as the service answered the 1.x SDK's
/// live test (`after="00/00/00"`); one without a timezone is UTC.
pub(crate) fn recent(app: &App, query: &[(String, String)]) -> Response {
    // None: no filter; Some(None): a filter no file passes.
    let after = q(query, "after").map(parse_time);
    let s = app.lock();
    let mut files: Vec<&super::state::Node> = s
        .nodes
        .values()
        .filter(|n| n.blob.is_some())
        .filter(|n| match after {
            None => true,
            Some(None) => false,
            Some(Some(a)) => parse_time(&n.modified).is_some_and(|m| m > a),
        })
        .collect();
    files.sort_by(|a, b| (&b.modified, &b.id).cmp(&(&a.modified, &a.id)));
    let total = files.len();
    let page = page_value(total, query, "storage", |skip, take| {
        files
            .iter()
            .skip(skip)
            .take(take)
            .map(|n| s.json(n, false))
            .collect()
    });
    match page {
        Ok(mut v) => {
            v["total"] = json!(total);
            json_resp(StatusCode::OK, v)
        }
        Err(r) => r,
    }
}

/// `GET storage/quota`: the bytes stored and the account's total.
pub(crate) fn quota(app: &App) -> Response {
    let used: u64 = app
        .lock()
        .nodes
        .values()
        .filter_map(|n| n.blob.as_ref())
        .map(|b| b.len())
        .sum();
    json_resp(
        StatusCode::OK,
        json!({"used": used, "total": QUOTA_TOTAL, "api": "storage", "type": "quota"}),
    )
}

#[cfg(test)]
mod tests {
    use super::terms;

    #[test]
    fn keyword_terms_keep_quoted_phrases() {
        assert_eq!(
            terms(r#"Report "Q3 draft" final"#).ok(),
            Some(vec!["report".into(), "q3 draft".into(), "final".into()])
        );
        assert!(terms(r#"unbalanced "quote"#).is_err());
    }
}
