//! The changes feed: `get_changes` (the raw lines, as the original writes them to a file),
//! the line parser `iter_changes_lines`, and [`AcdClient::changes`], a stream of
//! [`ChangeSet`]s straight from the response that reports whether the end marker arrived.
//!
//! Deviation, as acd_cli users asked (issues #308, #444, #365): errors while streaming are
//! returned, not swallowed; error bodies are kept; the caller resumes from the checkpoint of
//! the last complete change set.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::{Buf, BytesMut};
use futures::{Stream, StreamExt};
use http::Method;
use serde::Serialize;
use serde_json::Value;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

use crate::client::{AcdClient, OK_CODES};
use crate::error::{codes, Error, Result};
use crate::models::Node;
use crate::pyjson;

/// One change set (`ChangeSet(nodes, purged_nodes, checkpoint, reset)`).
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeSet {
    /// Changed nodes (not purged), their current state.
    pub nodes: Vec<Node>,
    /// Ids of purged nodes.
    pub purged_nodes: Vec<String>,
    /// The checkpoint to send next time.
    pub checkpoint: String,
    /// True when the local state must be wiped first (a full listing follows).
    pub reset: bool,
}

/// What one line of the feed is.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeLine {
    /// A change set.
    Set(ChangeSet),
    /// The end marker (`{"end": true}`).
    End,
}

#[derive(Serialize)]
struct ChangesBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    checkpoint: Option<&'a str>,
    #[serde(rename = "includePurged", skip_serializing_if = "Option::is_none")]
    include_purged: Option<&'a str>,
}

/// Parses one line of the feed (`i`: its 0-based index, for the error message).
pub fn parse_change_line(line: &[u8], i: usize) -> Result<ChangeLine> {
    // The common case straight into nodes (no JSON tree, no copies); anything unusual takes
    // the general path below, which gives the original's errors.
    if let Ok(l) = cloud_core::transport::json_from_bytes::<TypedLine>(line) {
        if l.end.is_none() {
            if let (Some(reset), Some(200), Some(nodes), Some(checkpoint)) =
                (l.reset, l.status_code, l.nodes, l.checkpoint)
            {
                let mut set = ChangeSet {
                    nodes: Vec::with_capacity(nodes.len()),
                    purged_nodes: Vec::new(),
                    checkpoint: checkpoint
                        .as_str()
                        .map_or_else(|| checkpoint.to_string(), str::to_owned),
                    reset,
                };
                for n in nodes {
                    if n.status == "PURGED" {
                        set.purged_nodes.push(n.id);
                    } else {
                        set.nodes.push(n);
                    }
                }
                return Ok(ChangeLine::Set(set));
            }
        }
    }
    parse_change_line_general(line, i)
}

/// A change-set line as the service writes it.
#[derive(serde::Deserialize)]
struct TypedLine {
    #[serde(default)]
    end: Option<Value>,
    #[serde(default)]
    reset: Option<bool>,
    #[serde(default, rename = "statusCode")]
    status_code: Option<u64>,
    #[serde(default)]
    nodes: Option<Vec<Node>>,
    #[serde(default)]
    checkpoint: Option<Value>,
}

fn parse_change_line_general(line: &[u8], i: usize) -> Result<ChangeLine> {
    let v: Value = serde_json::from_slice(line).map_err(|_| {
        Error::request(
            codes::INCOMPLETE_RESULT,
            format!("[acd_api] Invalid JSON in change set, page {i}."),
        )
    })?;
    if v.get("end")
        .is_some_and(|e| e.as_bool().unwrap_or(!e.is_null()))
    {
        return Ok(ChangeLine::End);
    }
    let missing = |k: &str| Error::Decode(format!("change set {i} lacks {k:?}"));
    let reset = v
        .get("reset")
        .ok_or_else(|| missing("reset"))?
        .as_bool()
        .unwrap_or(false);
    let status = v.get("statusCode").ok_or_else(|| missing("statusCode"))?;
    let nodes = v.get("nodes").ok_or_else(|| missing("nodes"))?;
    let checkpoint = v.get("checkpoint").ok_or_else(|| missing("checkpoint"))?;
    if status.as_u64() != Some(200) {
        return Err(Error::request(
            codes::FAILED_SUBREQUEST,
            "[acd_api] Partial failure in change request.",
        ));
    }
    let mut set = ChangeSet {
        nodes: Vec::new(),
        purged_nodes: Vec::new(),
        checkpoint: checkpoint
            .as_str()
            .map_or_else(|| checkpoint.to_string(), str::to_owned),
        reset,
    };
    for n in nodes.as_array().into_iter().flatten() {
        if n.get("status").and_then(Value::as_str) == Some("PURGED") {
            if let Some(id) = n.get("id").and_then(Value::as_str) {
                set.purged_nodes.push(id.to_owned());
            }
        } else {
            let node = <Node as serde::Deserialize>::deserialize(n)
                .map_err(|e| Error::Decode(format!("change set {i}: {e}")))?;
            set.nodes.push(node);
        }
    }
    Ok(ChangeLine::Set(set))
}

/// `_iter_changes_lines`: the change sets of a feed read from `reader` (the output of
/// [`AcdClient::get_changes`]). Lines after the end marker are still processed; a missing end
/// marker is logged, not an error.
pub fn iter_changes_lines<R>(reader: R) -> impl Stream<Item = Result<ChangeSet>> + Send
where
    R: AsyncBufRead + Send + Unpin + 'static,
{
    futures::stream::unfold(
        (reader.lines(), 0usize, false),
        |(mut lines, mut i, mut end)| async move {
            loop {
                match lines.next_line().await {
                    Ok(Some(l)) if l.trim().is_empty() => continue,
                    Ok(Some(l)) => {
                        let parsed = parse_change_line(l.as_bytes(), i);
                        i += 1;
                        match parsed {
                            Ok(ChangeLine::End) => end = true,
                            Ok(ChangeLine::Set(s)) => return Some((Ok(s), (lines, i, end))),
                            Err(e) => return Some((Err(e), (lines, i, end))),
                        }
                    }
                    Ok(None) => {
                        tracing::info!("{i} page(s) in changes.");
                        if !end {
                            tracing::warn!("End of change request not reached.");
                        }
                        return None;
                    }
                    Err(e) => return Some((Err(Error::Io(e)), (lines, i, end))),
                }
            }
        },
    )
}

/// The live feed: a stream of [`ChangeSet`]s parsed as the lines arrive (memory: one line).
/// After it ends, [`Changes::end_reached`] says whether the end marker arrived, and
/// [`Changes::last_checkpoint`] is the checkpoint of the last complete set: resume from it.
pub struct Changes {
    inner: Pin<Box<dyn Stream<Item = Result<ChangeSet>> + Send>>,
    end: Arc<AtomicBool>,
    last: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Changes")
            .field("end_reached", &self.end_reached())
            .field("last_checkpoint", &self.last_checkpoint())
            .finish()
    }
}

impl Changes {
    /// True once the end marker arrived.
    pub fn end_reached(&self) -> bool {
        self.end.load(Ordering::SeqCst)
    }

    /// The checkpoint of the last complete change set yielded.
    pub fn last_checkpoint(&self) -> Option<String> {
        self.last.lock().ok().and_then(|l| l.clone())
    }
}

impl Stream for Changes {
    type Item = Result<ChangeSet>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl AcdClient {
    async fn changes_response(
        &self,
        checkpoint: &str,
        include_purged: bool,
    ) -> Result<cloud_core::reqwest::Response> {
        let body = pyjson::dumps(&ChangesBody {
            checkpoint: (!checkpoint.is_empty()).then_some(checkpoint),
            include_purged: include_purged.then_some("true"),
        });
        self.request(Method::POST, self.meta("changes")?, OK_CODES, |r| {
            Ok(r.body(body.clone()))
        })
        .await
    }

    /// `get_changes`: `POST {metadata}changes` with `{}`, `{"checkpoint": …}` and
    /// `"includePurged": "true"`; every non-empty line of the answer is written to `out`
    /// followed by `\n`. Returns the number of lines. A body that breaks off is an error
    /// (the lines before it are in `out`).
    pub async fn get_changes<W>(
        &self,
        checkpoint: &str,
        include_purged: bool,
        out: &mut W,
    ) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let resp = self.changes_response(checkpoint, include_purged).await?;
        let mut stream = Box::pin(lines_of(resp));
        let mut n = 0;
        while let Some(line) = stream.next().await {
            let line = line?;
            out.write_all(&line).await?;
            out.write_all(b"\n").await?;
            n += 1;
        }
        out.flush().await?;
        Ok(n)
    }

    /// The changes since `checkpoint` (empty: everything) as a live stream of change sets.
    pub async fn changes(&self, checkpoint: &str, include_purged: bool) -> Result<Changes> {
        let resp = self.changes_response(checkpoint, include_purged).await?;
        let end = Arc::new(AtomicBool::new(false));
        let last = Arc::new(Mutex::new(None));
        let (e2, l2) = (Arc::clone(&end), Arc::clone(&last));
        let lines = Box::pin(lines_of(resp));
        let stream = futures::stream::unfold((lines, 0usize), move |(mut lines, i)| {
            let (end, last) = (Arc::clone(&e2), Arc::clone(&l2));
            async move {
                loop {
                    let line = match lines.next().await? {
                        Ok(l) => l,
                        Err(e) => return Some((Err(e), (lines, i))),
                    };
                    match parse_change_line(&line, i) {
                        Ok(ChangeLine::End) => {
                            end.store(true, Ordering::SeqCst);
                        }
                        Ok(ChangeLine::Set(s)) => {
                            if let Ok(mut l) = last.lock() {
                                *l = Some(s.checkpoint.clone());
                            }
                            return Some((Ok(s), (lines, i + 1)));
                        }
                        Err(e) => return Some((Err(e), (lines, i + 1))),
                    }
                }
            }
        });
        Ok(Changes {
            inner: Box::pin(stream),
            end,
            last,
        })
    }
}

/// The longest changes line read (a change set of many nodes is a few MiB; a server sending
/// an endless line must not fill the memory).
const MAX_LINE: usize = 64 << 20;

/// Splits a response body into its non-empty lines, never holding more than one line (plus
/// one network chunk). A body that breaks off, or a line longer than [`MAX_LINE`], is
/// `RequestError(1003)`.
fn lines_of(
    resp: cloud_core::reqwest::Response,
) -> impl Stream<Item = Result<bytes::Bytes>> + Send {
    let body = Box::pin(resp.bytes_stream());
    futures::stream::unfold(
        (body, BytesMut::new(), false, 0usize),
        |(mut body, mut buf, mut done, mut scanned)| async move {
            loop {
                // Only the bytes not yet searched (a line spans many network chunks).
                if let Some(pos) = memchr::memchr(b'\n', &buf[scanned..]) {
                    let line = buf.split_to(scanned + pos + 1).slice_ref_trim();
                    scanned = 0;
                    if line.is_empty() {
                        continue;
                    }
                    return Some((Ok(line), (body, buf, done, scanned)));
                }
                scanned = buf.len();
                if scanned > MAX_LINE {
                    let msg = format!(
                        "[acd_api] reading changes terminated prematurely: a line longer than {MAX_LINE} bytes"
                    );
                    buf.clear();
                    return Some((
                        Err(Error::request(codes::INCOMPLETE_RESULT, msg)),
                        (body, buf, true, 0),
                    ));
                }
                if done {
                    let rest = buf.split().slice_ref_trim();
                    scanned = 0;
                    if rest.is_empty() {
                        return None;
                    }
                    return Some((Ok(rest), (body, buf, done, scanned)));
                }
                match body.next().await {
                    Some(Ok(chunk)) => buf.extend_from_slice(&chunk),
                    Some(Err(e)) => {
                        let msg = format!("[acd_api] reading changes terminated prematurely: {e}");
                        buf.clear();
                        return Some((
                            Err(Error::request(codes::INCOMPLETE_RESULT, msg)),
                            (body, buf, true, 0),
                        ));
                    }
                    None => done = true,
                }
            }
        },
    )
}

trait TrimLine {
    fn slice_ref_trim(self) -> bytes::Bytes;
}

impl TrimLine for BytesMut {
    fn slice_ref_trim(self) -> bytes::Bytes {
        let mut b = self.freeze();
        while b.last().is_some_and(|c| *c == b'\n' || *c == b'\r') {
            b.truncate(b.len() - 1);
        }
        while b.first().is_some_and(|c| c.is_ascii_whitespace()) {
            b.advance(1);
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_like_the_original() {
        let set = br#"{"checkpoint": "foo", "reset": true, "nodes": [{"id": "a", "kind": "FILE", "status": "TRASH"}, {"id": "b", "status": "PURGED"}], "statusCode": 200}"#;
        let ChangeLine::Set(s) = parse_change_line(set, 0).unwrap() else {
            panic!("a set")
        };
        assert_eq!(
            (
                s.nodes.len(),
                s.purged_nodes.as_slice(),
                s.checkpoint.as_str(),
                s.reset
            ),
            (1, &["b".to_owned()][..], "foo", true)
        );
        assert_eq!(
            parse_change_line(br#"{"end": true}"#, 1).unwrap(),
            ChangeLine::End
        );
        assert_eq!(
            parse_change_line(br#"{"checkpoint": }"#, 2)
                .unwrap_err()
                .status_code(),
            Some(1003)
        );
        let bad = br#"{"checkpoint": "x", "reset": false, "nodes": [], "statusCode": 500}"#;
        assert_eq!(
            parse_change_line(bad, 3).unwrap_err().status_code(),
            Some(1002)
        );
        assert!(matches!(
            parse_change_line(br#"{"checkpoint": "x"}"#, 4),
            Err(Error::Decode(_))
        ));
    }

    #[tokio::test]
    async fn iterates_with_and_without_end() {
        let feed = "{\"checkpoint\": \"foo\", \"reset\": true, \"nodes\": [], \"statusCode\": 200}\n{\"end\": true}\n";
        let sets: Vec<_> = iter_changes_lines(std::io::Cursor::new(feed.as_bytes().to_vec()))
            .collect()
            .await;
        assert_eq!(sets.len(), 1);
        let no_end =
            "{\"checkpoint\": \"foo\", \"reset\": true, \"nodes\": [], \"statusCode\": 200}\n";
        let sets: Vec<_> = iter_changes_lines(std::io::Cursor::new(no_end.as_bytes().to_vec()))
            .collect()
            .await;
        assert_eq!(sets.len(), 1);
    }
}
