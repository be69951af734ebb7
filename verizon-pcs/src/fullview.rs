//! `fullview` decoded as it arrives: the answer (`{"data": {"file": [...], "folder": [...],
//! "deleted": {"path": [...]}}}`, any key order, unknown keys ignored) is read by serde_json on
//! the blocking pool from the body stream, and each entry is handed over a bounded channel as
//! soon as it is decoded. Memory stays at a few entries and one read buffer however large the
//! account: the answer is never held whole, as text or as a tree.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::{Stream, StreamExt};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use tokio::sync::mpsc;

use crate::error::{Error, Result};
use crate::models::{CloudFile, CloudFolder};

/// One entry of a fullview answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FullviewEntry {
    /// A file added or changed (every file, without an etag).
    File(Box<CloudFile>),
    /// A folder that holds nothing.
    EmptyFolder(CloudFolder),
    /// A path deleted since the etag given.
    Deleted(String),
}

/// The entries of a fullview answer as a stream ([`crate::Cloud::fullview_stream`]), with the
/// etag the answer brings you to.
pub struct FullviewStream {
    etag: String,
    rx: Option<mpsc::Receiver<Result<FullviewEntry>>>,
}

impl fmt::Debug for FullviewStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FullviewStream")
            .field("etag", &self.etag)
            .finish_non_exhaustive()
    }
}

impl FullviewStream {
    /// The etag of the account state this answer brings you to (`X-Header-ETag`; the etag
    /// given when nothing changed).
    pub fn etag(&self) -> &str {
        &self.etag
    }

    /// An answer with no entries (412: nothing changed since `etag`).
    pub(crate) fn empty(etag: String) -> Self {
        Self { etag, rx: None }
    }

    /// Decodes `body` (the answer's bytes) on the blocking pool.
    pub(crate) fn decode<S>(etag: String, body: S) -> Self
    where
        S: Stream<Item = std::io::Result<bytes::Bytes>> + Send + Unpin + 'static,
    {
        let (tx, rx) = mpsc::channel(256);
        let reader = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(body));
        tokio::task::spawn_blocking(move || {
            let reader = std::io::BufReader::with_capacity(64 * 1024, reader);
            let sink = |entry| tx.blocking_send(Ok(entry)).is_ok();
            if let Err(e) = decode_from(serde_json::Deserializer::from_reader(reader), &sink) {
                // A consumer that went away is not an error to report.
                if !tx.is_closed() {
                    let _ = tx.blocking_send(Err(e));
                }
            }
        });
        Self { etag, rx: Some(rx) }
    }
}

/// Decodes a whole answer held in memory (the fuzzing entry point, and tests).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn decode_slice(data: &[u8]) -> Result<Vec<FullviewEntry>> {
    let out = std::cell::RefCell::new(Vec::new());
    let sink = |entry| {
        out.borrow_mut().push(entry);
        true
    };
    decode_from(serde_json::Deserializer::from_slice(data), &sink)?;
    Ok(out.into_inner())
}

/// Runs the decoder over one answer, handing each entry to `sink` (which says whether to go
/// on).
fn decode_from<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
    sink: Sink<'_>,
) -> Result<()> {
    Answer { tx: sink }
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| Error::unexpected(&format!("fullview answer: {e}")))
}

impl Stream for FullviewStream {
    type Item = Result<FullviewEntry>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.rx.as_mut() {
            Some(rx) => rx.poll_recv(cx),
            None => Poll::Ready(None),
        }
    }
}

/// The body stream of an answer, as `std::io` results.
pub(crate) fn body_of(
    resp: cloud_core::reqwest::Response,
) -> impl Stream<Item = std::io::Result<bytes::Bytes>> + Send + Unpin + 'static {
    resp.bytes_stream()
        .map(|r| r.map_err(std::io::Error::other))
}

/// Where decoded entries go; `false` stops the decoding (the stream was dropped).
type Sink<'a> = &'a dyn Fn(FullviewEntry) -> bool;
type Tx<'a> = Sink<'a>;

fn send<E: serde::de::Error>(tx: Tx<'_>, entry: FullviewEntry) -> std::result::Result<(), E> {
    if tx(entry) {
        Ok(())
    } else {
        Err(E::custom("the fullview stream was dropped"))
    }
}

/// The answer object: `data` decoded, anything else skipped.
struct Answer<'a> {
    tx: Tx<'a>,
}

/// `data`: `file`, `folder`, `deleted`.
struct Data<'a> {
    tx: Tx<'a>,
}

/// `deleted`: `path`.
struct DeletedPaths<'a> {
    tx: Tx<'a>,
}

/// An array whose elements become entries.
struct Entries<'a> {
    tx: Tx<'a>,
    kind: Kind,
}

#[derive(Clone, Copy)]
enum Kind {
    File,
    Folder,
    Deleted,
}

/// A map visitor that hands each known key's value to `seed` and skips the rest; `null` is an
/// absent value (as the serde defaults of the whole-answer decoding had it).
macro_rules! map_visitor {
    ($t:ident, $what:expr, |$this:ident, $key:ident, $map:ident| $body:block) => {
        impl<'de, 'a> DeserializeSeed<'de> for $t<'a> {
            type Value = ();
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
                d.deserialize_any(self)
            }
        }

        impl<'de, 'a> Visitor<'de> for $t<'a> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str($what)
            }
            fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<(), E> {
                Ok(())
            }
            fn visit_map<M: MapAccess<'de>>(
                self,
                mut $map: M,
            ) -> std::result::Result<(), M::Error> {
                let $this = self;
                while let Some($key) = $map.next_key::<String>()? {
                    $body
                }
                Ok(())
            }
        }
    };
}

map_visitor!(Answer, "a fullview answer object", |this, key, map| {
    if key == "data" {
        map.next_value_seed(Data { tx: this.tx })?;
    } else {
        map.next_value::<IgnoredAny>()?;
    }
});

map_visitor!(Data, "the fullview data object", |this, key, map| {
    let tx = this.tx;
    match key.as_str() {
        "file" => map.next_value_seed(Entries {
            tx,
            kind: Kind::File,
        })?,
        "folder" => map.next_value_seed(Entries {
            tx,
            kind: Kind::Folder,
        })?,
        "deleted" => map.next_value_seed(DeletedPaths { tx })?,
        _ => {
            map.next_value::<IgnoredAny>()?;
        }
    }
});

map_visitor!(DeletedPaths, "the deleted object", |this, key, map| {
    if key == "path" {
        map.next_value_seed(Entries {
            tx: this.tx,
            kind: Kind::Deleted,
        })?;
    } else {
        map.next_value::<IgnoredAny>()?;
    }
});

impl<'de> DeserializeSeed<'de> for Entries<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Entries<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of entries")
    }
    fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        match self.kind {
            Kind::File => {
                while let Some(f) = seq.next_element::<CloudFile>()? {
                    send(self.tx, FullviewEntry::File(Box::new(f)))?;
                }
            }
            Kind::Folder => {
                while let Some(f) = seq.next_element::<CloudFolder>()? {
                    send(self.tx, FullviewEntry::EmptyFolder(f))?;
                }
            }
            Kind::Deleted => {
                while let Some(p) = seq.next_element::<String>()? {
                    send(self.tx, FullviewEntry::Deleted(p))?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(entries: &[FullviewEntry]) -> Vec<String> {
        entries
            .iter()
            .map(|e| match e {
                FullviewEntry::File(f) => format!("file {}", f.name),
                FullviewEntry::EmptyFolder(f) => format!("folder {}", f.name),
                FullviewEntry::Deleted(p) => format!("deleted {p}"),
            })
            .collect()
    }

    #[test]
    fn entries_in_the_answers_order_whatever_the_key_order() {
        let answer = br#"{"other": {"x": [1, 2]}, "data": {
            "deleted": {"path": ["/VZMOBILE/gone.jpg"], "more": true},
            "folder": [{"name": "empty", "parentPath": "/VZMOBILE"}],
            "unknown": [{"name": "skipped"}],
            "file": [{"name": "a.jpg", "parentPath": "/VZMOBILE", "size": 3},
                     {"name": "b.jpg", "parentPath": "/VZMOBILE", "size": 4}]}}"#;
        assert_eq!(
            names(&decode_slice(answer).unwrap()),
            [
                "deleted /VZMOBILE/gone.jpg",
                "folder empty",
                "file a.jpg",
                "file b.jpg"
            ]
        );
    }

    #[test]
    fn nulls_and_absent_keys_are_empty_and_broken_answers_are_errors() {
        for empty in [
            &br#"{}"#[..],
            br#"{"data": null}"#,
            br#"{"data": {"file": null, "folder": null, "deleted": null}}"#,
            br#"{"data": {"deleted": {"path": null}}}"#,
        ] {
            assert!(decode_slice(empty).unwrap().is_empty());
        }
        for broken in [
            &br#"{"data": {"file": [{"name": 1}]}}"#[..],
            br#"{"data": {"file": [{"name": "a"#,
            br#"{"data": {}} trailing"#,
            br#"[]"#,
        ] {
            assert!(
                decode_slice(broken).is_err(),
                "{}",
                String::from_utf8_lossy(broken)
            );
        }
    }
}
