//! Typed models of the resources users handle most, beside the generic calls' JSON maps.
//!
//! Each struct has the wire's field names (`type` is `kind`), is `#[non_exhaustive]`, and
//! keeps every field it does not name in `extra`, so nothing the server sends is lost;
//! `raw()` gives the JSON map back. Decode a [`Resource`](crate::Resource) with
//! [`Resource::decode`](crate::Resource::decode), a page with
//! [`ResourceList::decode_objects`](crate::ResourceList::decode_objects), or page through a
//! listing typed with [`Account::list`](crate::Account::list) (decoded straight from the
//! bytes). Sizes are `u64` (a numeric string, as older answers sent, is read too), times
//! `chrono::DateTime<Utc>`, ids strings (an account id sent as a number is read as its text,
//! except [`Account::id`], the service's integer).
//!
//! ```
//! use kloudless::models::StorageObject;
//! let json = r#"{"id": "f1", "name": "a.txt", "type": "file", "size": 3, "mime_type": "text/plain",
//!                "parent": {"id": "root", "name": "/"}, "color": "red"}"#;
//! let StorageObject::File(f) = serde_json::from_str(json).unwrap() else { panic!() };
//! assert_eq!((f.name.as_deref(), f.size), (Some("a.txt"), Some(3)));
//! assert_eq!(f.extra["color"], "red", "fields the model does not name are kept");
//! ```

use std::fmt;

use chrono::{DateTime, Utc};
use cloud_core::model::{LenientString, LenientTime, LenientU64};
use cloud_core::{wire_model, Secret};
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

wire_model! {
    /// A file's or folder's parent, or one of its `ancestors`.
    pub struct Parent {
        /// `id`.
        opt "id" id: String,
        /// `name`.
        opt "name" name: String,
    }
}

wire_model! {
    /// A user named on an object (`owner`, `creator`, an event's `organizer`, an attendee).
    pub struct Person {
        /// `name`.
        opt "name" name: String,
        /// `email`.
        opt "email" email: String,
    }
}

wire_model! {
    /// A file (`"type": "file"`, `api: "storage"`).
    pub struct File {
        /// `id`.
        req "id" id: String,
        /// `name`.
        opt "name" name: String,
        /// `size` in bytes (`null` where the service does not know it).
        opt "size" size: u64 => LenientU64,
        /// `created`.
        opt "created" created: DateTime<Utc> => LenientTime,
        /// `modified`.
        opt "modified" modified: DateTime<Utc> => LenientTime,
        /// `type`: `file`.
        opt "type" kind: String,
        /// `api`: `storage`.
        opt "api" api: String,
        /// `account`: the account's id.
        opt "account" account: String => LenientString,
        /// `parent`.
        opt "parent" parent: Parent,
        /// `ancestors`, the root first.
        opt "ancestors" ancestors: Vec<Parent>,
        /// `path`.
        opt "path" path: String,
        /// `mime_type`.
        opt "mime_type" mime_type: String,
        /// `downloadable`.
        opt "downloadable" downloadable: bool,
        /// `raw_id`: the upstream service's id.
        opt "raw_id" raw_id: String,
        /// `owner`: the user identifier the service gave, as sent.
        opt "owner" owner: Value,
        /// `creator`.
        opt "creator" creator: Value,
        /// `last_modifier`.
        opt "last_modifier" last_modifier: Value,
    }
}

wire_model! {
    /// A folder (`"type": "folder"`, `api: "storage"`).
    pub struct Folder {
        /// `id` (`root` for the root).
        req "id" id: String,
        /// `name`.
        opt "name" name: String,
        /// `size` (`null` or 0 for folders on most services).
        opt "size" size: u64 => LenientU64,
        /// `created`.
        opt "created" created: DateTime<Utc> => LenientTime,
        /// `modified`.
        opt "modified" modified: DateTime<Utc> => LenientTime,
        /// `type`: `folder`.
        opt "type" kind: String,
        /// `api`: `storage`.
        opt "api" api: String,
        /// `account`: the account's id.
        opt "account" account: String => LenientString,
        /// `parent` (`null` for the root).
        opt "parent" parent: Parent,
        /// `ancestors`, the root first.
        opt "ancestors" ancestors: Vec<Parent>,
        /// `path`.
        opt "path" path: String,
        /// `can_create_folders`.
        opt "can_create_folders" can_create_folders: bool,
        /// `can_upload_files`.
        opt "can_upload_files" can_upload_files: bool,
        /// `raw_id`: the upstream service's id.
        opt "raw_id" raw_id: String,
        /// `owner`: the user identifier the service gave, as sent.
        opt "owner" owner: Value,
        /// `creator`.
        opt "creator" creator: Value,
        /// `last_modifier`.
        opt "last_modifier" last_modifier: Value,
    }
}

/// A storage object: a [`File`] or a [`Folder`], by its `type` (a folder listing, search,
/// an event's `metadata`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StorageObject {
    /// `"type": "file"` (or no `type`).
    File(File),
    /// `"type": "folder"`.
    Folder(Folder),
}

impl StorageObject {
    /// `id`.
    pub fn id(&self) -> &str {
        match self {
            StorageObject::File(f) => &f.id,
            StorageObject::Folder(f) => &f.id,
        }
    }

    /// `name`.
    pub fn name(&self) -> Option<&str> {
        match self {
            StorageObject::File(f) => f.name.as_deref(),
            StorageObject::Folder(f) => f.name.as_deref(),
        }
    }

    /// The JSON map (see [`File::raw`]).
    pub fn raw(&self) -> Map<String, Value> {
        match self {
            StorageObject::File(f) => f.raw(),
            StorageObject::Folder(f) => f.raw(),
        }
    }
}

/// Takes `key` out of `extra` as a `T`, if it is there and is one.
fn take<T: DeserializeOwned>(extra: &mut Map<String, Value>, key: &str) -> Option<T> {
    let v = extra.remove(key)?;
    match T::deserialize(&v) {
        Ok(t) => Some(t),
        Err(_) => {
            extra.insert(key.to_owned(), v);
            None
        }
    }
}

impl From<File> for Folder {
    /// A folder read as a file first (one pass over the bytes, whatever the `type`): the
    /// shared fields move, the folder's own come out of `extra`, the file's go into it.
    fn from(f: File) -> Folder {
        let mut extra = f.extra;
        let can_create_folders = take(&mut extra, "can_create_folders");
        let can_upload_files = take(&mut extra, "can_upload_files");
        for (k, v) in [
            ("mime_type", f.mime_type.map(Value::String)),
            ("downloadable", f.downloadable.map(Value::Bool)),
        ] {
            if let Some(v) = v {
                extra.insert(k.into(), v);
            }
        }
        Folder {
            id: f.id,
            name: f.name,
            size: f.size,
            created: f.created,
            modified: f.modified,
            kind: f.kind,
            api: f.api,
            account: f.account,
            parent: f.parent,
            ancestors: f.ancestors,
            path: f.path,
            can_create_folders,
            can_upload_files,
            raw_id: f.raw_id,
            owner: f.owner,
            creator: f.creator,
            last_modifier: f.last_modifier,
            extra,
        }
    }
}

impl<'de> Deserialize<'de> for StorageObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = File::deserialize(d)?;
        Ok(if f.kind.as_deref() == Some("folder") {
            StorageObject::Folder(f.into())
        } else {
            StorageObject::File(f)
        })
    }
}

impl Serialize for StorageObject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            StorageObject::File(f) => f.serialize(s),
            StorageObject::Folder(f) => f.serialize(s),
        }
    }
}

wire_model! {
    /// A shared link (`storage/links`).
    pub struct Link {
        /// `id`.
        req "id" id: String,
        /// `url`: the link's page.
        opt "url" url: String,
        /// `file_id`.
        opt "file_id" file_id: String,
        /// `account`.
        opt "account" account: String => LenientString,
        /// `active`.
        opt "active" active: bool,
        /// `direct`: whether the url serves the file's bytes directly.
        opt "direct" direct: bool,
        /// `expiration` (`None`: never).
        opt "expiration" expiration: DateTime<Utc> => LenientTime,
        /// `password`: whether one is set (the password itself is never answered).
        opt "password" password: bool,
        /// `created`.
        opt "created" created: DateTime<Utc> => LenientTime,
        /// `modified`.
        opt "modified" modified: DateTime<Utc> => LenientTime,
        /// `type`: `link`.
        opt "type" kind: String,
        /// `api`: `storage`.
        opt "api" api: String,
    }
}

wire_model! {
    /// An event of the events log (`events`).
    pub struct Event {
        /// `id`.
        opt "id" id: String => LenientString,
        /// `account`.
        opt "account" account: String => LenientString,
        /// `type`: `add`, `update`, `rename`, `move`, `copy`, `delete`, `restore`.
        opt "type" kind: String,
        /// `modified`.
        opt "modified" modified: DateTime<Utc> => LenientTime,
        /// `ip`.
        opt "ip" ip: String,
        /// `user_id`.
        opt "user_id" user_id: String => LenientString,
        /// `metadata`: the file or folder as it was.
        opt "metadata" metadata: StorageObject,
    }
}

wire_model! {
    /// A connected account (`accounts/<id>`). Its upstream credentials, answered only with
    /// `retrieve_tokens` and the API key, are [`Secret`]s: `Debug` never prints them.
    pub struct Account {
        /// `id`.
        req "id" id: i64,
        /// `account`: the display name, usually an e-mail address.
        opt "account" account: String,
        /// `service`: `gdrive`, `box`, `dropbox`, ...
        opt "service" service: String,
        /// `service_name`.
        opt "service_name" service_name: String,
        /// `active`.
        opt "active" active: bool,
        /// `admin`: an admin of its team.
        opt "admin" admin: bool,
        /// `apis`: `storage`, `calendar`, `team`, ...
        opt "apis" apis: Vec<String>,
        /// `effective_scope`.
        opt "effective_scope" effective_scope: String,
        /// `created`.
        opt "created" created: DateTime<Utc> => LenientTime,
        /// `modified`.
        opt "modified" modified: DateTime<Utc> => LenientTime,
        /// `token_expiry`, as given at import or update.
        opt "token_expiry" token_expiry: String,
        /// `token` (with `retrieve_tokens`).
        opt "token" token: Secret,
        /// `token_secret` (with `retrieve_tokens`).
        opt "token_secret" token_secret: Secret,
        /// `refresh_token` (with `retrieve_tokens`).
        opt "refresh_token" refresh_token: Secret,
    }
}

impl Account {
    /// Whether `properties.capabilities` (with `retrieve_full`) reports `capability`
    /// (`{"can_upload_file": {"value": true}}`); `None` when it is not there.
    pub fn capability(&self, capability: &str) -> Option<bool> {
        self.extra
            .get("properties")?
            .get("capabilities")?
            .get(capability)?
            .get("value")?
            .as_bool()
    }
}

wire_model! {
    /// A permission on a file or folder (`.../permissions`).
    pub struct Permission {
        /// `id`.
        opt "id" id: String => LenientString,
        /// `email`.
        opt "email" email: String,
        /// `name`.
        opt "name" name: String,
        /// `role`: `owner`, `writer`, `commenter`, `reader`.
        opt "role" role: String,
        /// `type`: `user`, `group`, `domain`, `anyone`.
        opt "type" kind: String,
    }
}

wire_model! {
    /// A custom property of a file (`storage/files/<id>/properties`).
    pub struct Property {
        /// `key`.
        req "key" key: String,
        /// `value`.
        opt "value" value: String,
        /// `created`.
        opt "created" created: DateTime<Utc> => LenientTime,
        /// `modified`.
        opt "modified" modified: DateTime<Utc> => LenientTime,
    }
}

wire_model! {
    /// A calendar (`cal/calendars`).
    pub struct Calendar {
        /// `id` (the real id, also for the `primary` alias).
        req "id" id: String,
        /// `name`.
        opt "name" name: String,
        /// `description`.
        opt "description" description: String,
        /// `location`.
        opt "location" location: String,
        /// `timezone`.
        opt "timezone" timezone: String,
        /// `primary`.
        opt "primary" primary: bool,
        /// `account_id`.
        opt "account_id" account_id: String => LenientString,
        /// `type`: `calendar`.
        opt "type" kind: String,
        /// `api`: `calendar`.
        opt "api" api: String,
    }
}

wire_model! {
    /// An event of a calendar (`cal/calendars/<cal>/events`).
    pub struct CalendarEvent {
        /// `id`.
        req "id" id: String,
        /// `calendar_id`.
        opt "calendar_id" calendar_id: String,
        /// `account_id`.
        opt "account_id" account_id: String => LenientString,
        /// `name`.
        opt "name" name: String,
        /// `description`.
        opt "description" description: String,
        /// `location`.
        opt "location" location: String,
        /// `start`.
        opt "start" start: DateTime<Utc> => LenientTime,
        /// `end`.
        opt "end" end: DateTime<Utc> => LenientTime,
        /// `creator`.
        opt "creator" creator: Person,
        /// `organizer`.
        opt "organizer" organizer: Person,
        /// `owner`.
        opt "owner" owner: Person,
        /// `attendees` (each one's `status` and the rest in its `extra`).
        opt "attendees" attendees: Vec<Person>,
        /// `attachments`, as sent.
        opt "attachments" attachments: Vec<Value>,
        /// `type`: `event`.
        opt "type" kind: String,
        /// `api`: `calendar`.
        opt "api" api: String,
    }
}

/// One page of a list (`"type": "object_list"`), its objects decoded as `T`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// `objects`.
    pub objects: Vec<T>,
    /// `count`: the objects in this page.
    pub count: Option<u64>,
    /// `page`: this page's identifier (a number, or an opaque string on some services).
    pub page: Option<Value>,
    /// `next_page`: the next page's identifier, `None` on the last page.
    pub next_page: Option<Value>,
    /// `cursor` (events lists).
    pub cursor: Option<Value>,
    /// `remaining` (events lists).
    pub remaining: Option<u64>,
    /// `total`, where the list gives it.
    pub total: Option<u64>,
    /// `type`: `object_list`.
    pub kind: Option<String>,
    /// `api`.
    pub api: Option<String>,
    /// The other fields of the page, as sent.
    pub extra: Map<String, Value>,
    /// Whether the page named `next_page` at all (`null` included): without it the next
    /// page is guessed as `page + 1`, as the original does.
    pub(crate) next_page_given: bool,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Page<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object_list page")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Page<T>, A::Error> {
                let mut page = Page {
                    objects: Vec::new(),
                    count: None,
                    page: None,
                    next_page: None,
                    cursor: None,
                    remaining: None,
                    total: None,
                    kind: None,
                    api: None,
                    extra: Map::new(),
                    next_page_given: false,
                };
                let mut seen_objects = false;
                while let Some(cloud_core::model::Key(k)) = map.next_key()? {
                    match &*k {
                        "objects" => {
                            if seen_objects {
                                return Err(de::Error::duplicate_field("objects"));
                            }
                            seen_objects = true;
                            page.objects = map.next_value()?;
                        }
                        "count" => page.count = map.next_value()?,
                        "page" => page.page = map.next_value::<Option<Value>>()?,
                        "next_page" => {
                            page.next_page_given = true;
                            page.next_page = map.next_value::<Option<Value>>()?;
                        }
                        "cursor" => page.cursor = map.next_value::<Option<Value>>()?,
                        "remaining" => page.remaining = map.next_value()?,
                        "total" => page.total = map.next_value()?,
                        "type" => page.kind = map.next_value()?,
                        "api" => page.api = map.next_value()?,
                        _ => {
                            let v: Value = map.next_value()?;
                            page.extra.insert(k.into_owned(), v);
                        }
                    }
                }
                Ok(page)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// The metadata of an upload (`X-Kloudless-Metadata`): the file's `name` and its parent
/// folder's id, written as the wire needs (JSON with every non-ASCII character escaped, as
/// Python's `json.dumps` writes it, so any name goes in a header).
///
/// ```
/// use kloudless::models::UploadMetadata;
/// let m = UploadMetadata::new("root", "Résumé.txt");
/// assert_eq!(m.header_value(), r#"{"parent_id": "root", "name": "R\u00e9sum\u00e9.txt"}"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UploadMetadata {
    /// `parent_id`: the folder's id (`root` for the root).
    pub parent_id: String,
    /// `name`.
    pub name: String,
    /// Any other fields to send, as given.
    pub extra: Map<String, Value>,
}

impl UploadMetadata {
    /// The metadata of a file `name` in folder `parent_id`.
    pub fn new(parent_id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            parent_id: parent_id.into(),
            name: name.into(),
            extra: Map::new(),
        }
    }

    /// The header's value: `{"parent_id": ..., "name": ..., <extra>}` in `json.dumps`'s
    /// form (ASCII only).
    pub fn header_value(&self) -> String {
        use crate::client::json_dumps;
        let text = |s: &str| json_dumps(&Value::String(s.to_owned()));
        let mut fields = vec![
            format!("\"parent_id\": {}", text(&self.parent_id)),
            format!("\"name\": {}", text(&self.name)),
        ];
        for (k, v) in &self.extra {
            if k != "parent_id" && k != "name" {
                fields.push(format!("{}: {}", text(k), json_dumps(v)));
            }
        }
        format!("{{{}}}", fields.join(", "))
    }
}
