//! Typed models of a provider's JSON, decoded straight from the bytes, with every field the
//! server sent kept.
//!
//! [`wire_model!`](crate::wire_model) declares a `#[non_exhaustive]` struct whose fields carry the wire's names,
//! and writes its `Deserialize` and `Serialize` out rather than deriving them: a derived impl
//! with `#[serde(flatten)]` for the unknown fields buffers every field of every object first
//! (serde's private `Content`: a copy and an allocation per value). Here each key goes
//! straight to its field or, unknown, into `extra` as a [`serde_json::Value`]; keys are
//! borrowed from the input where it allows. `req` fields must be there (else the decode
//! fails naming the field); `opt` fields are `Option`s, `None` when absent or `null`; a field
//! sent twice is an error, as with the derive. `raw()` gives the object back as a JSON map
//! (the typed fields under their wire names, `None` ones left out, then `extra`).
//!
//! ```
//! cloud_core::wire_model! {
//!     /// A file.
//!     pub struct File {
//!         /// `id`.
//!         req "id" id: String,
//!         /// `size` in bytes; a number or a numeric string on the wire.
//!         opt "size" size: u64 => cloud_core::model::LenientU64,
//!     }
//! }
//! let f: File = serde_json::from_str(r#"{"id": "f1", "size": "12", "color": "red"}"#).unwrap();
//! assert_eq!((f.id.as_str(), f.size), ("f1", Some(12)));
//! assert_eq!(f.extra["color"], "red");
//! assert_eq!(f.raw()["size"], 12);
//! assert!(serde_json::from_str::<File>(r#"{"size": 1}"#).is_err(), "id is required");
//! ```

mod time;

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A map key, borrowed when the input allows it.
#[doc(hidden)]
pub struct Key<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(v.into()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(v.to_owned().into()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(v.into()))
            }
        }
        d.deserialize_identifier(V)
    }
}

/// A `u64` sent as a JSON number or as a numeric string (`"size": "1024000"`, as older API
/// versions sent sizes); read through it with `=> cloud_core::model::LenientU64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LenientU64(pub u64);

impl From<LenientU64> for u64 {
    fn from(v: LenientU64) -> u64 {
        v.0
    }
}

impl<'de> Deserialize<'de> for LenientU64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = LenientU64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative integer, or one in a string")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LenientU64, E> {
                Ok(LenientU64(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LenientU64, E> {
                u64::try_from(v)
                    .map(LenientU64)
                    .map_err(|_| E::custom(format!("a negative size: {v}")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<LenientU64, E> {
                if v >= 0.0 && v.fract() == 0.0 && v < 1.8e19 {
                    Ok(LenientU64(v as u64))
                } else {
                    Err(E::custom(format!("not a size: {v}")))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LenientU64, E> {
                v.trim()
                    .parse()
                    .map(LenientU64)
                    .map_err(|_| E::custom(format!("not a size: {v:?}")))
            }
        }
        d.deserialize_any(V)
    }
}

/// An id sent as a JSON string or as a number (`"account": 123` beside `"account": "7"`),
/// kept as the string; read through it with `=> cloud_core::model::LenientString`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LenientString(pub String);

impl From<LenientString> for String {
    fn from(v: LenientString) -> String {
        v.0
    }
}

impl<'de> Deserialize<'de> for LenientString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = LenientString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LenientString, E> {
                Ok(LenientString(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LenientString, E> {
                Ok(LenientString(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LenientString, E> {
                Ok(LenientString(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<LenientString, E> {
                Ok(LenientString(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A time sent as RFC 3339 (`2013-02-23T22:49:30Z`, an offset) or without an offset
/// (`2013-02-23T22:49:30`, read as UTC, as the services that send it mean it), with a space
/// for the `T` too; read through it with `=> cloud_core::model::LenientTime` into a
/// `chrono::DateTime<Utc>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LenientTime(pub chrono::DateTime<chrono::Utc>);

impl From<LenientTime> for chrono::DateTime<chrono::Utc> {
    fn from(v: LenientTime) -> Self {
        v.0
    }
}

impl LenientTime {
    /// Reads `text` by the rules above.
    pub fn parse(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        time::parse(text).or_else(|| Self::parse_with_chrono(text))
    }

    /// The same rules through chrono's parsers (what the fast path is checked against).
    fn parse_with_chrono(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        use chrono::{DateTime, NaiveDateTime, Utc};
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Some(t.with_timezone(&Utc));
        }
        // An offset with or without its colon (`+02:00`, `+0200`), a `T` or a space.
        for f in [
            "%Y-%m-%d %H:%M:%S%.f%:z",
            "%Y-%m-%dT%H:%M:%S%.f%z",
            "%Y-%m-%d %H:%M:%S%.f%z",
        ] {
            if let Ok(t) = DateTime::parse_from_str(text, f) {
                return Some(t.with_timezone(&Utc));
            }
        }
        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
            .map(|t| t.and_utc())
    }
}

impl<'de> Deserialize<'de> for LenientTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = LenientTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a time")
            }
            // Read from the input where it allows (no copy of the text).
            fn visit_str<E: de::Error>(self, text: &str) -> Result<LenientTime, E> {
                LenientTime::parse(text)
                    .map(LenientTime)
                    .ok_or_else(|| E::custom(format!("not a time: {text:?}")))
            }
        }
        d.deserialize_str(V)
    }
}

/// `#[serde(default, with = "cloud_core::model::time_opt")]` on an
/// `Option<chrono::DateTime<Utc>>` field of a derived model: read by [`LenientTime`]'s rules
/// (`null` or absent: `None`; text that is no time: an error naming it), written as
/// RFC 3339 in UTC with milliseconds (`2015-01-01T00:00:00.000Z`).
pub mod time_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    use super::LenientTime;

    /// Reads an optional time.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Ok(Option::<LenientTime>::deserialize(d)?.map(|t| t.0))
    }

    /// Writes an optional time (`null` for `None`).
    pub fn serialize<S: Serializer>(v: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(t) => s.collect_str(&t.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
            None => s.serialize_none(),
        }
    }
}

/// The object as a JSON map, through its `Serialize` (what `raw()` answers on models that
/// derive it).
pub fn raw_of<T: Serialize>(v: &T) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    }
}

/// Gives derived models the `raw()` of [`wire_model!`](crate::wire_model): the object as a
/// JSON map, typed fields under their wire names and the kept unknown ones beside them.
///
/// ```
/// #[derive(serde::Serialize)]
/// pub struct Item { id: String }
/// cloud_core::impl_raw!(Item);
/// assert_eq!(Item { id: "a".into() }.raw()["id"], "a");
/// ```
#[macro_export]
macro_rules! impl_raw {
    ($($name:ty),+ $(,)?) => {
        $(
            impl $name {
                /// The object as a JSON map: the typed fields under their wire names, then
                /// the fields kept in `extra`.
                pub fn raw(&self) -> $crate::__private::serde_json::Map<String, $crate::__private::serde_json::Value> {
                    $crate::model::raw_of(self)
                }
            }
        )+
    };
}

/// Serializes a typed field (what `raw()` and `Serialize` write).
#[doc(hidden)]
pub fn entry<M: serde::ser::SerializeMap, T: Serialize + ?Sized>(
    m: &mut M,
    key: &str,
    value: &T,
) -> Result<(), M::Error> {
    m.serialize_entry(key, value)
}

/// `Serialize` needs a serializer type in a few generated places.
#[doc(hidden)]
pub fn map_of<S: Serializer>(s: S) -> Result<S::SerializeMap, S::Error> {
    s.serialize_map(None)
}

/// Declares a typed wire model: see the [module docs](self).
///
/// Each field is `req "wire_name" rust_name: Type` or `opt "wire_name" rust_name: Type`
/// (then `Option<Type>`), with `=> Via` to read it through another `Deserialize` type that
/// converts `Into<Type>` ([`LenientU64`], [`LenientString`]). The struct gets the fields,
/// `pub extra: serde_json::Map<String, serde_json::Value>` (the fields it does not name),
/// `Debug`, `Clone`, `PartialEq`, `Deserialize`, `Serialize` and `raw()`.
#[macro_export]
macro_rules! wire_model {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $kind:ident $wire:literal $field:ident : $ty:ty $(=> $via:ty)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $(
                $(#[$fmeta])*
                pub $field: $crate::__wire_ty!($kind $ty),
            )*
            /// Every field the server sent that is not typed above, as it came.
            pub extra: $crate::__private::serde_json::Map<String, $crate::__private::serde_json::Value>,
        }

        impl $name {
            /// The object as a JSON map: the typed fields under their wire names (`None`
            /// ones left out), then [`extra`](Self::extra).
            pub fn raw(&self) -> $crate::__private::serde_json::Map<String, $crate::__private::serde_json::Value> {
                match $crate::__private::serde_json::to_value(self) {
                    Ok($crate::__private::serde_json::Value::Object(m)) => m,
                    _ => self.extra.clone(),
                }
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> $crate::__private::serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }
                    fn visit_map<A: $crate::__private::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        $( let mut $field: Option<$crate::__wire_ty!($kind $ty)> = None; )*
                        let mut extra = $crate::__private::serde_json::Map::new();
                        while let Some($crate::model::Key(k)) = map.next_key::<$crate::model::Key<'de>>()? {
                            match &*k {
                                $(
                                    $wire => {
                                        if $field.is_some() {
                                            return Err(<A::Error as $crate::__private::serde::de::Error>::duplicate_field($wire));
                                        }
                                        $field = Some($crate::__wire_read!(map, $kind $ty $(, $via)?));
                                    }
                                )*
                                _ => {
                                    let v: $crate::__private::serde_json::Value = map.next_value()?;
                                    extra.insert(k.into_owned(), v);
                                }
                            }
                        }
                        Ok($name {
                            $( $field: $crate::__wire_finish!(A, $kind $field, $wire), )*
                            extra,
                        })
                    }
                }
                d.deserialize_map(V)
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use $crate::__private::serde::ser::SerializeMap;
                let mut m = $crate::model::map_of(s)?;
                $( $crate::__wire_write!(m, $kind $wire, &self.$field); )*
                for (k, v) in &self.extra {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
    };
}

/// The field type of a `req` or `opt` field.
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_ty {
    (req $ty:ty) => { $ty };
    (opt $ty:ty) => { Option<$ty> };
}

/// Reads a field's value (`null` is `None` for `opt` fields).
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_read {
    ($map:ident, req $ty:ty) => {
        $map.next_value::<$ty>()?
    };
    ($map:ident, req $ty:ty, $via:ty) => {
        <$ty>::from($map.next_value::<$via>()?)
    };
    ($map:ident, opt $ty:ty) => {
        $map.next_value::<Option<$ty>>()?
    };
    ($map:ident, opt $ty:ty, $via:ty) => {
        $map.next_value::<Option<$via>>()?.map(<$ty>::from)
    };
}

/// A field's final value: a missing `req` field is an error, a missing `opt` one `None`.
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_finish {
    ($a:ident, req $field:ident, $wire:literal) => {
        match $field {
            Some(v) => v,
            None => {
                return Err(<$a::Error as $crate::__private::serde::de::Error>::missing_field($wire))
            }
        }
    };
    ($a:ident, opt $field:ident, $wire:literal) => {
        $field.flatten()
    };
}

/// Writes a field (a `None` `opt` field is left out).
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_write {
    ($m:ident, req $wire:literal, $v:expr) => {
        $crate::model::entry(&mut $m, $wire, $v)?;
    };
    ($m:ident, opt $wire:literal, $v:expr) => {
        if let Some(v) = $v {
            $crate::model::entry(&mut $m, $wire, v)?;
        }
    };
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    crate::wire_model! {
        /// A test model.
        pub struct Thing {
            /// id
            req "id" id: String => crate::model::LenientString,
            /// size
            opt "size" size: u64 => crate::model::LenientU64,
            /// name
            opt "name" name: String,
            /// tags
            opt "tags" tags: Vec<String>,
            /// time
            opt "time" time: chrono::DateTime<chrono::Utc> => crate::model::LenientTime,
        }
    }

    #[test]
    fn typed_fields_and_the_rest_kept() {
        let t: Thing =
            serde_json::from_str(r#"{"id": 7, "size": 3, "name": null, "x": {"y": [1]}}"#).unwrap();
        assert_eq!(t.id, "7");
        assert_eq!(
            (t.size, t.name.clone(), t.tags.clone()),
            (Some(3), None, None)
        );
        assert_eq!(t.extra["x"], json!({"y": [1]}));
        assert_eq!(
            serde_json::Value::Object(t.raw()),
            json!({"id": "7", "size": 3, "x": {"y": [1]}})
        );
        let back: Thing = serde_json::from_value(serde_json::Value::Object(t.raw())).unwrap();
        assert_eq!(back, t);
        // From a map already decoded, too.
        let m = json!({"id": "a", "size": "10"});
        let t = Thing::deserialize(&m).unwrap();
        assert_eq!(t.size, Some(10));
        for text in [
            "2013-02-23T22:49:30",
            "2013-02-23 22:49:30",
            "2013-02-23T23:49:30+01:00",
            "2013-02-23T22:49:30.000Z",
            "2013-02-23T23:49:30+0100",
        ] {
            let t: Thing = serde_json::from_value(json!({"id": "a", "time": text})).unwrap();
            assert_eq!(
                t.time.unwrap().to_rfc3339(),
                "2013-02-23T22:49:30+00:00",
                "{text}"
            );
        }
    }

    #[test]
    fn refusals_name_the_field() {
        for (json, what) in [
            (r#"{"size": 1}"#, "missing field `id`"),
            (r#"{"id": "a", "id": "b"}"#, "duplicate field `id`"),
            (r#"{"id": "a", "size": -1}"#, "negative"),
            (r#"{"id": "a", "size": "lots"}"#, "not a size"),
            (r#"{"id": "a", "tags": "x"}"#, "invalid type"),
            (r#"[1]"#, "a Thing object"),
            (r#"{"id": "a", "time": "yesterday"}"#, "not a time"),
        ] {
            let e = serde_json::from_str::<Thing>(json).unwrap_err().to_string();
            assert!(e.contains(what), "{json}: {e}");
        }
    }

    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    struct Derived {
        #[serde(default, with = "crate::model::time_opt")]
        at: Option<chrono::DateTime<chrono::Utc>>,
    }
    crate::impl_raw!(Derived);

    #[test]
    fn derived_models_read_times_and_write_them_as_utc() {
        let d: Derived = serde_json::from_str(r#"{"at": "2015-09-29T15:39:28+0200"}"#).unwrap();
        assert_eq!(d.raw()["at"], "2015-09-29T13:39:28.000Z");
        let d: Derived = serde_json::from_str(r#"{"at": null}"#).unwrap();
        assert!(d.at.is_none());
        assert_eq!(d.raw()["at"], serde_json::Value::Null);
        assert!(serde_json::from_str::<Derived>("{}").unwrap().at.is_none());
        let e = serde_json::from_str::<Derived>(r#"{"at": "soon"}"#).unwrap_err();
        assert!(e.to_string().contains("not a time: \"soon\""), "{e}");
    }

    use serde::Deserialize;
}
