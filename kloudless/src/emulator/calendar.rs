//! Calendars: `cal/calendars` (list, create, retrieve, update, delete; `primary` is the
//! primary calendar's alias and cannot be deleted), their events (opaque page tokens), and
//! `cal/availability` (the free windows of some calendars within given windows).
// Handlers return early with a ready `Response` as the error: its size does not matter here.
#![allow(clippy::result_large_err)]

use chrono::{DateTime, Duration, FixedOffset};
use cloud_core::emulator::axum::body::Body as AxBody;
use cloud_core::emulator::axum::response::{IntoResponse, Response};
use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::routes::{bad, err, json_resp, not_found, page_list, q, read_json, App};
use super::state::ACCOUNT_ID;

/// The one who creates events here: the connected account's user.
fn creator() -> Value {
    json!({"name": "Emulator", "email": "emulator@example.invalid"})
}

/// The fields an event's answer is built from and a create or update cannot set.
const EVENT_FIXED: &[&str] = &["id", "api", "type", "calendar_id", "account_id"];

/// The primary calendar's real id.
const PRIMARY: &str = "cal_primary";

pub(crate) async fn calendars(
    app: &App,
    method: &Method,
    rest: &[&str],
    query: &[(String, String)],
    body: AxBody,
) -> Response {
    let real = |c: &str| {
        if c == "primary" {
            PRIMARY.to_owned()
        } else {
            c.to_owned()
        }
    };
    match (method, rest) {
        (&Method::GET, []) => {
            let items = app.lock().calendars.values().cloned().collect();
            page_list(items, query, "calendar")
        }
        (&Method::GET, [cal]) => match app.lock().calendars.get(&real(cal)) {
            Some(c) => json_resp(StatusCode::OK, c.clone()),
            None => not_found(),
        },
        (&Method::POST, []) => {
            let v = json_body!(body);
            let Some(name) = v["name"].as_str().filter(|n| !n.is_empty()) else {
                return bad("name is required");
            };
            let text = |k: &str| match &v[k] {
                Value::Null => Ok(String::new()),
                Value::String(x) => Ok(x.clone()),
                _ => Err(bad(&format!("{k} must be a string"))),
            };
            let (description, location) = match (text("description"), text("location")) {
                (Ok(d), Ok(l)) => (d, l),
                (Err(r), _) | (_, Err(r)) => return r,
            };
            let timezone = v["timezone"].as_str().unwrap_or("UTC");
            let mut s = app.lock();
            s.next += 1;
            let id = format!("cal_{:06}", s.next);
            let c = json!({"id": id, "name": name, "description": description, "location": location,
                           "timezone": timezone, "primary": false, "api": "calendar", "type": "calendar",
                           "account_id": ACCOUNT_ID.to_string()});
            s.calendars.insert(id.clone(), c.clone());
            s.cal_events.insert(id, Default::default());
            json_resp(StatusCode::CREATED, c)
        }
        (&Method::PATCH, [cal]) => {
            let v = json_body!(body);
            let Some(patch) = v.as_object() else {
                return bad("a JSON object is required");
            };
            for (k, x) in patch {
                let ok = match k.as_str() {
                    "name" => x.as_str().is_some_and(|n| !n.is_empty()),
                    "description" | "location" | "timezone" => x.is_string(),
                    _ => true,
                };
                if !ok {
                    return bad(&format!("{k} must be a non-empty string"));
                }
            }
            let mut s = app.lock();
            let Some(Value::Object(c)) = s.calendars.get_mut(&real(cal)) else {
                return not_found();
            };
            for k in ["name", "description", "location", "timezone"] {
                if let Some(x) = patch.get(k) {
                    c.insert(k.into(), x.clone());
                }
            }
            json_resp(StatusCode::OK, Value::Object(c.clone()))
        }
        (&Method::DELETE, [cal]) => {
            let id = real(cal);
            if id == PRIMARY {
                return err(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    "The primary calendar cannot be deleted.",
                );
            }
            let mut s = app.lock();
            if s.calendars.remove(&id).is_none() {
                return not_found();
            }
            s.cal_events.remove(&id);
            StatusCode::NO_CONTENT.into_response()
        }
        (&Method::GET, [cal, "events"]) => {
            let s = app.lock();
            let Some(evs) = s.cal_events.get(&real(cal)) else {
                return not_found();
            };
            // Opaque page tokens: "tok" + the base64 of the offset.
            let size: usize = q(query, "page_size")
                .and_then(|p| p.parse().ok())
                .unwrap_or(100)
                .clamp(1, 1000);
            let start: usize = match q(query, "page") {
                None | Some("1") => 0,
                Some(t) => match t.strip_prefix("tok").and_then(|o| o.parse().ok()) {
                    Some(o) => o,
                    None => return bad("invalid page token"),
                },
            };
            let all: Vec<Value> = evs.values().cloned().collect();
            let objects: Vec<Value> = all.iter().skip(start).take(size).cloned().collect();
            let next = (start + size < all.len()).then(|| format!("tok{}", start + size));
            json_resp(
                StatusCode::OK,
                json!({"objects": objects, "count": objects.len(), "page": if start == 0 { "1".to_owned() } else { format!("tok{start}") },
                       "next_page": next, "type": "object_list", "api": "calendar"}),
            )
        }
        (&Method::POST, [cal, "events"]) => {
            let v = json_body!(body);
            let (Some(start), Some(end)) = (v["start"].as_str(), v["end"].as_str()) else {
                return bad("start and end are required");
            };
            let mut s = app.lock();
            s.next += 1;
            let id = format!("EV{:06}", s.next);
            // What the service answered for an event, the body's other fields kept as given
            // (`attendees`, `organizer`, `reminders`, ...); the organizer is the creator unless
            // the body names one.
            let mut ev = json!({"id": id, "name": v["name"].as_str().unwrap_or(""), "start": start, "end": end,
                                "api": "calendar", "type": "event", "calendar_id": real(cal),
                                "account_id": ACCOUNT_ID.to_string(), "description": "", "location": "",
                                "attendees": [], "attachments": [], "creator": creator(), "organizer": creator()});
            if let (Some(e), Some(given)) = (ev.as_object_mut(), v.as_object()) {
                for (k, x) in given {
                    if !EVENT_FIXED.contains(&k.as_str()) && !x.is_null() {
                        e.insert(k.clone(), x.clone());
                    }
                }
            }
            match s.cal_events.get_mut(&real(cal)) {
                Some(m) => {
                    m.insert(id, ev.clone());
                }
                None => return not_found(),
            }
            json_resp(StatusCode::CREATED, ev)
        }
        (m, [cal, "events", id]) => {
            let patch = if *m == Method::PATCH {
                match read_json(body).await {
                    Ok(v) => Some(v),
                    Err(r) => return r,
                }
            } else {
                None
            };
            let mut s = app.lock();
            let Some(evs) = s.cal_events.get_mut(&real(cal)) else {
                return not_found();
            };
            match (m, patch) {
                (&Method::GET, _) => evs
                    .get(*id)
                    .map_or_else(not_found, |e| json_resp(StatusCode::OK, e.clone())),
                (&Method::DELETE, _) => {
                    if evs.remove(*id).is_some() {
                        StatusCode::NO_CONTENT.into_response()
                    } else {
                        not_found()
                    }
                }
                (&Method::PATCH, Some(Value::Object(p))) => match evs.get_mut(*id) {
                    Some(Value::Object(e)) => {
                        for (k, v) in p {
                            if !EVENT_FIXED.contains(&k.as_str()) {
                                e.insert(k, v);
                            }
                        }
                        json_resp(StatusCode::OK, Value::Object(e.clone()))
                    }
                    _ => not_found(),
                },
                _ => not_found(),
            }
        }
        _ => not_found(),
    }
}

fn time(v: &Value, what: &str) -> Result<DateTime<FixedOffset>, Response> {
    v.as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .ok_or_else(|| bad(&format!("{what} must be an ISO 8601 date and time")))
}

/// An ISO 8601 duration of hours, minutes and seconds (`PT1H30M`, `PT45M`, `PT90S`).
fn duration(text: &str) -> Option<Duration> {
    let mut rest = text.strip_prefix("PT")?;
    let mut total = Duration::zero();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let i = rest.find(|c: char| !c.is_ascii_digit())?;
        let n: i64 = rest[..i].parse().ok()?;
        total += match rest[i..].chars().next()? {
            'H' => Duration::hours(n),
            'M' => Duration::minutes(n),
            'S' => Duration::seconds(n),
            _ => return None,
        };
        rest = &rest[i + 1..];
    }
    (total > Duration::zero()).then_some(total)
}

/// `POST cal/availability` JSON `{"calendars": [ids], "meeting_duration": "PT1H",
/// "constraints": {"time_windows": [{"start", "end"}]}}`: the parts of the windows that no
/// event of the calendars covers, as long as the meeting or longer.
pub(crate) async fn availability(app: &App, body: AxBody) -> Response {
    let v = json_body!(body);
    let Some(cals) = v["calendars"].as_array().filter(|c| !c.is_empty()) else {
        return bad("calendars (a list of calendar ids) is required");
    };
    let Some(need) = v["meeting_duration"].as_str().and_then(duration) else {
        return bad("meeting_duration must be an ISO 8601 duration such as PT1H");
    };
    let Some(windows) = v["constraints"]["time_windows"].as_array() else {
        return bad("constraints.time_windows is required");
    };
    let mut spans = Vec::new();
    for w in windows {
        match (time(&w["start"], "start"), time(&w["end"], "end")) {
            (Ok(a), Ok(b)) if a < b => spans.push((a, b)),
            (Ok(_), Ok(_)) => return bad("a time window must end after it starts"),
            (Err(r), _) | (_, Err(r)) => return r,
        }
    }
    let s = app.lock();
    let mut busy = Vec::new();
    for c in cals {
        let id = match c.as_str() {
            Some("primary") => PRIMARY,
            Some(x) => x,
            None => return bad("calendars holds calendar ids"),
        };
        let Some(evs) = s.cal_events.get(id) else {
            return not_found();
        };
        for e in evs.values() {
            if let (Ok(a), Ok(b)) = (time(&e["start"], "start"), time(&e["end"], "end")) {
                busy.push((a, b));
            }
        }
    }
    busy.sort();
    let mut free = Vec::new();
    for (start, end) in spans {
        let mut at = start;
        for (a, b) in &busy {
            if *b <= at || *a >= end {
                continue;
            }
            if *a > at && *a - at >= need {
                free.push((at, *a));
            }
            at = at.max(*b);
        }
        if end > at && end - at >= need {
            free.push((at, end));
        }
    }
    let fmt = |t: DateTime<FixedOffset>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let windows: Vec<Value> = free
        .into_iter()
        .map(|(a, b)| json!({"start": fmt(a), "end": fmt(b)}))
        .collect();
    json_resp(
        StatusCode::OK,
        json!({"time_windows": windows, "api": "calendar", "type": "availability"}),
    )
}

#[cfg(test)]
mod tests {
    use super::duration;
    use chrono::Duration;

    #[test]
    fn meeting_durations() {
        assert_eq!(duration("PT1H30M"), Some(Duration::minutes(90)));
        assert_eq!(duration("PT45S"), Some(Duration::seconds(45)));
        assert_eq!(duration("PT"), None);
        assert_eq!(duration("P1D"), None);
        assert_eq!(duration("PT0M"), None);
    }
}
