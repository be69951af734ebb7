//! The account side of the SmartFile API v2 as records: users, groups, roles, sites, links,
//! quotas, access rules, preferences and sessions. The HTTP side is in `accounts.rs`.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

/// One kind of record kept by name (or by a generated `uid` for links).
pub(crate) struct Kind {
    /// The endpoint's first segment (`user`, `link`, ...).
    pub name: &'static str,
    /// The field naming a record (`username`, `name`); `uid` for a generated id.
    pub key: &'static str,
    /// Fields a create must carry.
    pub required: &'static [&'static str],
    /// Text fields kept as sent.
    pub text: &'static [&'static str],
    /// Flags (`true`, `True`, `on`, `1` are true).
    pub flags: &'static [&'static str],
    /// Repeatable fields kept as lists.
    pub lists: &'static [&'static str],
    /// Kept but never answered (passwords).
    pub secret: &'static [&'static str],
}

pub(crate) const USER: Kind = Kind {
    name: "user",
    key: "username",
    required: &["username", "email"],
    text: &["name", "full_name", "email", "role"],
    flags: &[],
    lists: &[],
    secret: &["password"],
};
pub(crate) const GROUP: Kind = Kind {
    name: "group",
    key: "name",
    required: &["name"],
    text: &["description"],
    flags: &[],
    lists: &["users"],
    secret: &[],
};
pub(crate) const ROLE: Kind = Kind {
    name: "role",
    key: "name",
    required: &["name"],
    text: &["description"],
    flags: &[],
    lists: &["rights"],
    secret: &[],
};
pub(crate) const SITE: Kind = Kind {
    name: "site",
    key: "name",
    required: &["name"],
    text: &["title", "description"],
    flags: &[],
    lists: &[],
    secret: &[],
};
pub(crate) const LINK: Kind = Kind {
    name: "link",
    key: "uid",
    required: &["path"],
    text: &["name", "message", "expires"],
    flags: &["read", "write", "list", "remove"],
    lists: &[],
    secret: &["password"],
};
/// An access rule: a user's or a group's rights on a path.
pub(crate) const ACCESS: Kind = Kind {
    name: "access",
    key: "id",
    required: &["path"],
    text: &[],
    flags: &["read", "write", "list", "remove"],
    lists: &[],
    secret: &[],
};

/// The rights a role may hold and an access rule grants.
pub(crate) const RIGHTS: &[(&str, &str)] = &[
    ("read", "Download files"),
    ("write", "Upload and change files"),
    ("list", "List a folder's contents"),
    ("remove", "Delete files and folders"),
];

/// The emulator's own user and site (the `whoami` answer's).
pub(crate) const OWNER: &str = "emulator";

/// A field error in the DRF shape: `{"<field>": ["<message>"]}`.
pub(crate) type FieldError = (&'static str, String);

pub(crate) fn flag(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "true" | "on" | "1" | "yes")
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Records {
    /// kind (`user`, `group`, `role`, `site`, `link`, `access`) -> id -> record.
    pub sets: BTreeMap<String, BTreeMap<String, Map<String, Value>>>,
    /// `user/<name>`, `group/<name>`, `site/<name>` -> limit in bytes (0: none).
    pub quotas: BTreeMap<String, u64>,
    /// The caller's preferences.
    pub prefs: BTreeMap<String, String>,
    /// Open sessions (`sessionid` cookie values).
    pub sessions: Vec<String>,
    pub next_id: u64,
}

impl Default for Records {
    fn default() -> Self {
        let mut r = Records {
            sets: BTreeMap::new(),
            quotas: BTreeMap::new(),
            prefs: BTreeMap::new(),
            sessions: Vec::new(),
            next_id: 0,
        };
        let mut user = Map::new();
        user.insert("username".into(), json!(OWNER));
        user.insert("name".into(), json!("Emulator User"));
        user.insert("email".into(), json!("emulator@example.invalid"));
        user.insert("role".into(), json!("Administrator"));
        r.set_mut("user").insert(OWNER.into(), user);
        let mut site = Map::new();
        site.insert("name".into(), json!(OWNER));
        site.insert("title".into(), json!("Emulator"));
        r.set_mut("site").insert(OWNER.into(), site);
        r
    }
}

impl Records {
    pub fn set(&self, kind: &str) -> Option<&BTreeMap<String, Map<String, Value>>> {
        self.sets.get(kind)
    }

    pub fn set_mut(&mut self, kind: &str) -> &mut BTreeMap<String, Map<String, Value>> {
        self.sets.entry(kind.to_owned()).or_default()
    }

    pub fn get(&self, kind: &str, id: &str) -> Option<&Map<String, Value>> {
        self.set(kind)?.get(id)
    }

    pub fn exists(&self, kind: &str, id: &str) -> bool {
        self.get(kind, id).is_some()
    }

    /// The fields of `form` that `kind` keeps, checked: unknown fields are ignored (as the
    /// service ignores them), a group's users and a role's rights must exist.
    pub fn fields(
        &self,
        kind: &Kind,
        form: &[(String, String)],
    ) -> Result<Map<String, Value>, FieldError> {
        let mut out = Map::new();
        for (k, v) in form {
            let k = k.as_str();
            if kind.text.contains(&k) || kind.secret.contains(&k) {
                out.insert(k.to_owned(), json!(v));
            } else if kind.flags.contains(&k) {
                out.insert(k.to_owned(), json!(flag(v)));
            }
        }
        for list in kind.lists {
            let items: Vec<&str> = form
                .iter()
                .filter(|(k, _)| k == list)
                .map(|(_, v)| v.as_str())
                .collect();
            if items.is_empty() {
                continue;
            }
            for item in &items {
                let known = match *list {
                    "users" => self.exists("user", item),
                    _ => RIGHTS.iter().any(|(r, _)| r == item),
                };
                if !known {
                    return Err((
                        list,
                        format!("Invalid pk \"{item}\" - object does not exist."),
                    ));
                }
            }
            out.insert((*list).to_owned(), json!(items));
        }
        Ok(out)
    }

    pub fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Removes a record and what hangs on it (a user's or group's access rules and quota,
    /// a user's group memberships).
    pub fn remove(&mut self, kind: &str, id: &str) -> bool {
        let Some(set) = self.sets.get_mut(kind) else {
            return false;
        };
        if set.remove(id).is_none() {
            return false;
        }
        if matches!(kind, "user" | "group" | "site") {
            self.quotas.remove(&format!("{kind}/{id}"));
        }
        if matches!(kind, "user" | "group") {
            if let Some(rules) = self.sets.get_mut("access") {
                rules.retain(|_, r| r.get(kind).and_then(Value::as_str) != Some(id));
            }
        }
        if kind == "user" {
            for g in self.set_mut("group").values_mut() {
                if let Some(Value::Array(users)) = g.get_mut("users") {
                    users.retain(|u| u.as_str() != Some(id));
                }
            }
        }
        true
    }
}

/// A record as answered: its secret fields left out, `url` (and a link's `href`) added.
pub(crate) fn render(kind: &Kind, id: &str, rec: &Map<String, Value>, api: &str) -> Value {
    let mut out = rec.clone();
    for s in kind.secret {
        if out.remove(*s).is_some() && kind.name == "link" {
            out.insert("protected".into(), json!(true));
        }
    }
    if kind.name == "link" {
        out.entry("protected").or_insert(json!(false));
        out.insert("href".into(), json!(format!("{api}pub/{id}/")));
    }
    out.insert(
        "url".into(),
        json!(format!("{api}{}/{}/", kind.name, pct(id))),
    );
    Value::Object(out)
}

/// Percent-encodes a URL path segment.
pub(crate) fn pct(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// A page of a list, as `path/info` pages its children: `limit` and `page` in the query,
/// `count`, `page`, `pages` and the `results` in the answer (no `limit`: everything).
pub(crate) fn page(items: Vec<Value>, q: &[(String, String)]) -> Value {
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, x)| x.as_str());
    let limit: usize = get("limit").and_then(|l| l.parse().ok()).unwrap_or(0);
    let page: usize = get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let count = items.len();
    let (results, pages): (Vec<Value>, usize) = if limit > 0 {
        (
            items
                .into_iter()
                .skip((page - 1).saturating_mul(limit))
                .take(limit)
                .collect(),
            count.div_ceil(limit).max(1),
        )
    } else {
        (items, 1)
    };
    json!({"count": count, "page": page, "pages": pages, "results": results})
}
