//! Typed models of the answers users handle most, beside the generic calls' JSON.
//!
//! Each struct has the wire's field names (`type` is `kind`), is `#[non_exhaustive]`, and
//! keeps every field it does not name in `extra`, so nothing the server sends is lost;
//! `raw()` gives the JSON map back. Decode any answer with
//! [`Client::get_as`](crate::Client::get_as) (straight from the body's bytes) or a
//! [`Response`](crate::Response) with [`Response::decode`](crate::Response::decode), and
//! list a folder typed with [`Client::children`](crate::Client::children). Sizes are `u64`,
//! times `chrono::DateTime<Utc>` (the service sends them without an offset: UTC).
//!
//! ```
//! use smartfile::models::PathInfo;
//! let json = r#"{"id": 7, "name": "a.txt", "path": "/a.txt", "isdir": false, "isfile": true,
//!                "size": 5, "mime": "text/plain", "time": "2013-02-23T22:49:30", "tags": [],
//!                "checksum": "x"}"#;
//! let info: PathInfo = serde_json::from_str(json).unwrap();
//! assert_eq!((info.size, info.isfile), (Some(5), Some(true)));
//! assert_eq!(info.time.unwrap().to_rfc3339(), "2013-02-23T22:49:30+00:00");
//! assert_eq!(info.extra["checksum"], "x", "fields the model does not name are kept");
//! ```

use chrono::{DateTime, Utc};
use cloud_core::model::{LenientString, LenientTime, LenientU64};
use cloud_core::wire_model;
use serde_json::{Map, Value};

wire_model! {
    /// What a path grants the caller (`acl`).
    pub struct Acl {
        /// `list`.
        opt "list" list: bool,
        /// `read`.
        opt "read" read: bool,
        /// `write`.
        opt "write" write: bool,
        /// `remove`.
        opt "remove" remove: bool,
    }
}

wire_model! {
    /// A file's or folder's information (`path/info/<path>/`), with its `children` when
    /// asked for (`children=on`) and the page they are.
    pub struct PathInfo {
        /// `id`.
        opt "id" id: u64 => LenientU64,
        /// `name` (`""` for the root).
        opt "name" name: String,
        /// `path`: absolute, no trailing slash.
        opt "path" path: String,
        /// `isdir`.
        opt "isdir" isdir: bool,
        /// `isfile`.
        opt "isfile" isfile: bool,
        /// `size` in bytes.
        opt "size" size: u64 => LenientU64,
        /// `items`: a folder's direct children (`None` for a file).
        opt "items" items: u64 => LenientU64,
        /// `mime`.
        opt "mime" mime: String,
        /// `extension`, with its dot.
        opt "extension" extension: String,
        /// `time`: the last modification.
        opt "time" time: DateTime<Utc> => LenientTime,
        /// `url`: this information's own URL.
        opt "url" url: String,
        /// `acl`.
        opt "acl" acl: Acl,
        /// `attributes`: the user's key/values.
        opt "attributes" attributes: Map<String, Value>,
        /// `tags`.
        opt "tags" tags: Vec<String>,
        /// `owner`, as sent (`None` on the emulator).
        opt "owner" owner: Value,
        /// `children` (with `children=on`).
        opt "children" children: Vec<PathInfo>,
        /// `page` of the children.
        opt "page" page: u64,
        /// `pages` of children in all.
        opt "pages" pages: u64,
    }
}

impl PathInfo {
    /// Whether this is a folder (`isdir`).
    pub fn is_dir(&self) -> bool {
        self.isdir == Some(true)
    }
}

wire_model! {
    /// The inner result of a task (`result`): its `status` and what it did.
    pub struct TaskOutcome {
        /// `status`: `PENDING`, `PROGRESS`, `SUCCESS`, `FAILURE`.
        opt "status" status: String,
        /// `result`: `errors` (path to message) on a partial failure, `checksums` of a
        /// checksum task.
        opt "result" result: Map<String, Value>,
    }
}

wire_model! {
    /// A task (`task/<uuid>/`, and what move, copy and remove answer).
    pub struct Task {
        /// `uuid`.
        req "uuid" uuid: String,
        /// `type`: `Move`, `Copy`, `Remove`, `Checksum`...
        opt "type" kind: String,
        /// `status`.
        opt "status" status: String,
        /// `url`: the task's own (relative) URL.
        opt "url" url: String,
        /// `result`.
        opt "result" result: TaskOutcome,
    }
}

impl Task {
    /// The status to poll on: `result.status`, else the top-level `status`.
    pub fn current_status(&self) -> Option<&str> {
        self.result
            .as_ref()
            .and_then(|r| r.status.as_deref())
            .or(self.status.as_deref())
    }

    /// Whether the task has ended (`SUCCESS` or `FAILURE`).
    pub fn is_done(&self) -> bool {
        matches!(self.current_status(), Some("SUCCESS" | "FAILURE"))
    }

    /// The per-path errors of a partial failure (`result.result.errors`), if any.
    pub fn errors(&self) -> Option<&Map<String, Value>> {
        self.result
            .as_ref()?
            .result
            .as_ref()?
            .get("errors")?
            .as_object()
    }
}

wire_model! {
    /// A user (`user/<username>/`). The password is never answered.
    pub struct User {
        /// `username`: the id.
        req "username" username: String,
        /// `name`.
        opt "name" name: String,
        /// `full_name`.
        opt "full_name" full_name: String,
        /// `email`.
        opt "email" email: String,
        /// `role`.
        opt "role" role: String,
        /// `url`.
        opt "url" url: String,
    }
}

wire_model! {
    /// A group (`group/<name>/`).
    pub struct Group {
        /// `name`: the id.
        req "name" name: String,
        /// `description`.
        opt "description" description: String,
        /// `users`: its members' usernames.
        opt "users" users: Vec<String>,
        /// `url`.
        opt "url" url: String,
    }
}

wire_model! {
    /// A shared link (`link/<uid>/`). Its password is never answered: `protected` says
    /// whether one is set.
    pub struct Link {
        /// `uid`: the id.
        req "uid" uid: String => LenientString,
        /// `path`: what it shares.
        opt "path" path: String,
        /// `name`.
        opt "name" name: String,
        /// `message`.
        opt "message" message: String,
        /// `expires`, as sent.
        opt "expires" expires: String,
        /// `read`.
        opt "read" read: bool,
        /// `write`.
        opt "write" write: bool,
        /// `list`.
        opt "list" list: bool,
        /// `remove`.
        opt "remove" remove: bool,
        /// `protected`: whether a password is set.
        opt "protected" protected: bool,
        /// `href`: the public URL.
        opt "href" href: String,
        /// `url`.
        opt "url" url: String,
    }
}

wire_model! {
    /// An access rule (`access/{user,group}/<name>/<id>/`): a user's or group's rights on a
    /// path.
    pub struct AccessRule {
        /// `id`.
        opt "id" id: String => LenientString,
        /// `path`.
        opt "path" path: String,
        /// `user`, for a user's rule.
        opt "user" user: String,
        /// `group`, for a group's rule.
        opt "group" group: String,
        /// `read`.
        opt "read" read: bool,
        /// `write`.
        opt "write" write: bool,
        /// `list`.
        opt "list" list: bool,
        /// `remove`.
        opt "remove" remove: bool,
        /// `url`.
        opt "url" url: String,
    }
}

wire_model! {
    /// A quota (`quota/{user,group,site}/<name>/`).
    pub struct Quota {
        /// `name`: whose.
        opt "name" name: String,
        /// `type`: `user`, `group` or `site`.
        opt "type" kind: String,
        /// `limit` in bytes (0: none).
        opt "limit" limit: u64 => LenientU64,
        /// `used` bytes.
        opt "used" used: u64 => LenientU64,
        /// `url`.
        opt "url" url: String,
    }
}

/// A page of a record list (`user/`, `group/`, `link/`, `quota/...`, `access/...`): the
/// `results` decoded as `T`, with `count`, `page` and `pages`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct ListPage<T> {
    /// `count`: the records in all.
    #[serde(default)]
    pub count: Option<u64>,
    /// `page`.
    #[serde(default)]
    pub page: Option<u64>,
    /// `pages`.
    #[serde(default)]
    pub pages: Option<u64>,
    /// `results`.
    pub results: Vec<T>,
}
