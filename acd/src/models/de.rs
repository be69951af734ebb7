//! `Deserialize` for [`Node`] and [`ContentProperties`], written out rather than derived.
//!
//! The derived impl with `#[serde(flatten)]` (for the `extra` map) buffers every field of
//! every node as `serde::__private::de::Content` first and then converts it: a copy and an
//! allocation per value, 30 % of the changes feed's client CPU in `perf` (issue 19). Here
//! each key goes straight to its field or, unknown, into `extra` as a `Value`. Same rules as
//! the derive: `id` required, the other typed fields optional (`null` where an `Option`), a
//! repeated typed field an error, unknown fields kept.

use std::collections::BTreeMap;
use std::fmt;

use cloud_core::model::{Key, LenientTime};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::{ContentProperties, Node};

/// Reads one typed field's value, refusing a second one.
fn once<'de, A, T>(map: &mut A, slot: &mut Option<T>, name: &'static str) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de>,
{
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a node object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut id = None;
                let mut name: Option<Option<String>> = None;
                let mut kind = None;
                let mut status = None;
                let mut parents = None;
                let mut version: Option<Option<i64>> = None;
                let mut content: Option<Option<ContentProperties>> = None;
                let mut created_date: Option<Option<LenientTime>> = None;
                let mut modified_date: Option<Option<LenientTime>> = None;
                let mut created_by: Option<Option<String>> = None;
                let mut is_root: Option<Option<bool>> = None;
                let mut temp_link: Option<Option<String>> = None;
                let mut extra = BTreeMap::new();
                while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
                    match &*k {
                        "id" => once(&mut map, &mut id, "id")?,
                        "name" => once(&mut map, &mut name, "name")?,
                        "kind" => once(&mut map, &mut kind, "kind")?,
                        "status" => once(&mut map, &mut status, "status")?,
                        "parents" => once(&mut map, &mut parents, "parents")?,
                        "version" => once(&mut map, &mut version, "version")?,
                        "contentProperties" => {
                            once(&mut map, &mut content, "contentProperties")?;
                        }
                        "createdDate" => once(&mut map, &mut created_date, "createdDate")?,
                        "modifiedDate" => once(&mut map, &mut modified_date, "modifiedDate")?,
                        "createdBy" => once(&mut map, &mut created_by, "createdBy")?,
                        "isRoot" => once(&mut map, &mut is_root, "isRoot")?,
                        "tempLink" => once(&mut map, &mut temp_link, "tempLink")?,
                        _ => {
                            let v: Value = map.next_value()?;
                            extra.insert(k.into_owned(), v);
                        }
                    }
                }
                Ok(Node {
                    id: id.ok_or_else(|| de::Error::missing_field("id"))?,
                    name: name.flatten(),
                    kind: kind.unwrap_or_default(),
                    status: status.unwrap_or_default(),
                    parents: parents.unwrap_or_default(),
                    version: version.flatten(),
                    content_properties: content.flatten(),
                    created_date: created_date.flatten().map(|t| t.0),
                    modified_date: modified_date.flatten().map(|t| t.0),
                    created_by: created_by.flatten(),
                    is_root: is_root.flatten(),
                    temp_link: temp_link.flatten(),
                    extra,
                })
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for ContentProperties {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ContentProperties;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a contentProperties object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ContentProperties, A::Error> {
                let mut size = None;
                let mut md5: Option<Option<String>> = None;
                let mut content_type: Option<Option<String>> = None;
                let mut extension: Option<Option<String>> = None;
                let mut version: Option<Option<i64>> = None;
                let mut extra = BTreeMap::new();
                while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
                    match &*k {
                        "size" => once(&mut map, &mut size, "size")?,
                        "md5" => once(&mut map, &mut md5, "md5")?,
                        "contentType" => once(&mut map, &mut content_type, "contentType")?,
                        "extension" => once(&mut map, &mut extension, "extension")?,
                        "version" => once(&mut map, &mut version, "version")?,
                        _ => {
                            let v: Value = map.next_value()?;
                            extra.insert(k.into_owned(), v);
                        }
                    }
                }
                Ok(ContentProperties {
                    size: size.unwrap_or_default(),
                    md5: md5.flatten(),
                    content_type: content_type.flatten(),
                    extension: extension.flatten(),
                    version: version.flatten(),
                    extra,
                })
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The derived impl this replaces, kept here to compare answers with.
    mod derived {
        use std::collections::BTreeMap;

        use serde::Deserialize;
        use serde_json::Value;

        #[derive(Debug, Deserialize, Default)]
        #[serde(rename_all = "camelCase")]
        pub struct Cp {
            #[serde(default)]
            pub size: u64,
            #[serde(default)]
            pub md5: Option<String>,
            #[serde(default)]
            pub content_type: Option<String>,
            #[serde(default)]
            pub extension: Option<String>,
            #[serde(default)]
            pub version: Option<i64>,
            #[serde(flatten)]
            pub extra: BTreeMap<String, Value>,
        }

        #[derive(Debug, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct N {
            pub id: String,
            #[serde(default)]
            pub name: Option<String>,
            #[serde(default)]
            pub kind: String,
            #[serde(default)]
            pub status: String,
            #[serde(default)]
            pub parents: Vec<String>,
            #[serde(default)]
            pub version: Option<i64>,
            #[serde(default)]
            pub content_properties: Option<Cp>,
            #[serde(default, with = "cloud_core::model::time_opt")]
            pub created_date: Option<chrono::DateTime<chrono::Utc>>,
            #[serde(default, with = "cloud_core::model::time_opt")]
            pub modified_date: Option<chrono::DateTime<chrono::Utc>>,
            #[serde(default)]
            pub created_by: Option<String>,
            #[serde(default)]
            pub is_root: Option<bool>,
            #[serde(default)]
            pub temp_link: Option<String>,
            #[serde(flatten)]
            pub extra: BTreeMap<String, Value>,
        }
    }

    fn same(json: &str) {
        let ours = serde_json::from_str::<Node>(json);
        let theirs = serde_json::from_str::<derived::N>(json);
        match (ours, theirs) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.id, b.id, "{json}");
                assert_eq!(a.name, b.name, "{json}");
                assert_eq!(a.kind, b.kind, "{json}");
                assert_eq!(a.status, b.status, "{json}");
                assert_eq!(a.parents, b.parents, "{json}");
                assert_eq!(a.version, b.version, "{json}");
                assert_eq!(a.created_date, b.created_date, "{json}");
                assert_eq!(a.modified_date, b.modified_date, "{json}");
                assert_eq!(a.created_by, b.created_by, "{json}");
                assert_eq!(a.is_root, b.is_root, "{json}");
                assert_eq!(a.temp_link, b.temp_link, "{json}");
                assert_eq!(a.extra, b.extra, "{json}");
                match (a.content_properties, b.content_properties) {
                    (None, None) => {}
                    (Some(x), Some(y)) => {
                        assert_eq!(x.size, y.size, "{json}");
                        assert_eq!(x.md5, y.md5, "{json}");
                        assert_eq!(x.content_type, y.content_type, "{json}");
                        assert_eq!(x.extension, y.extension, "{json}");
                        assert_eq!(x.version, y.version, "{json}");
                        assert_eq!(x.extra, y.extra, "{json}");
                    }
                    (x, y) => panic!("{json}: {x:?} against {y:?}"),
                }
                // From a JSON tree too (the feed's general path decodes from a `Value`).
                let v: Value = serde_json::from_str(json).unwrap();
                let from_tree = Node::deserialize(&v).unwrap();
                assert_eq!(from_tree, serde_json::from_str::<Node>(json).unwrap());
            }
            (Err(_), Err(_)) => {}
            (a, b) => panic!("{json}: ours {a:?}, derived {b:?}"),
        }
    }

    #[test]
    fn decodes_as_the_derived_impl_did() {
        for json in [
            r#"{"id":"a"}"#,
            r#"{"id":"a","name":null,"kind":"FILE","status":"AVAILABLE","parents":["r"],"version":3,
                "contentProperties":{"size":5,"md5":"x","contentType":"text/plain","extension":"txt",
                "version":2,"contentDate":"2015-01-01T00:00:00.000Z","image":{"width":1}},
                "createdDate":"2015-01-01T00:00:00.000Z","modifiedDate":"2015-01-02T03:04:05.678Z","createdBy":"app","isRoot":false,"tempLink":"u",
                "eTagResponse":"e","labels":[],"description":"","isShared":false,"restricted":false,
                "properties":{"app":{"k":"v"}}}"#,
            r#"{"id":"a","contentProperties":null}"#,
            r#"{"id":"a","contentProperties":{}}"#,
            r#"{"id":"esc\u00e9","n\u0061me":"x\"y","extra\n":1}"#,
            // Refused by both: no id, a wrong type, a null where no Option, a repeated field.
            r#"{"name":"a"}"#,
            r#"{"id":5}"#,
            r#"{"id":"a","kind":null}"#,
            r#"{"id":"a","parents":null}"#,
            r#"{"id":"a","version":"1"}"#,
            r#"{"id":"a","createdDate":"yesterday"}"#,
            r#"{"id":"a","id":"b"}"#,
            r#"{"id":"a","contentProperties":{"size":-1}}"#,
            r#"{"id":"a","contentProperties":{"size":null}}"#,
            r#"["a"]"#,
            r#""a""#,
        ] {
            same(json);
        }
    }

    #[test]
    fn a_refusal_names_the_field() {
        let e = serde_json::from_str::<Node>(r#"{"name":"a"}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `id`"), "{e}");
        let e = serde_json::from_str::<Node>(r#"{"id":"a","id":"b"}"#).unwrap_err();
        assert!(e.to_string().contains("duplicate field `id`"), "{e}");
        let e = serde_json::from_str::<Node>(r#"{"id":"a","modifiedDate":"m"}"#).unwrap_err();
        assert!(e.to_string().contains("not a time: \"m\""), "{e}");
    }
}
