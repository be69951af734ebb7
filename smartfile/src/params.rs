//! Keyword arguments as the original encodes them (spec 2.4): a list of named values, sent
//! as the query of a GET and as the form (or multipart) body of PUT, POST and DELETE.

use std::fmt;
use std::path::PathBuf;

use bytes::Bytes;

/// One keyword argument's value.
#[non_exhaustive]
pub enum Value {
    /// A string (form-encoded as UTF-8).
    Str(String),
    /// `True` / `False`, sent capitalised as Python sends them.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float (`str(value)`).
    Float(f64),
    /// `None`: the key is not sent at all.
    None,
    /// The key repeated once per element.
    List(Vec<String>),
    /// A file: the body becomes multipart.
    File(FilePart),
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "Str({s:?})"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Float(x) => write!(f, "Float({x})"),
            Value::None => f.write_str("None"),
            Value::List(l) => write!(f, "List({l:?})"),
            Value::File(p) => write!(f, "File({:?})", p.filename),
        }
    }
}

/// A file part: its name in the multipart body and where its bytes come from (re-read on a
/// retry, so a retried upload re-sends the whole file).
pub struct FilePart {
    /// The part's filename.
    pub filename: String,
    /// An optional per-part Content-Type (the original sends none).
    pub content_type: Option<String>,
    /// The bytes.
    pub source: FileSource,
    /// Called as the part's bytes go out.
    pub progress: Option<cloud_core::body::ProgressFn>,
}

/// Where a file part's bytes come from.
#[derive(Clone)]
#[non_exhaustive]
pub enum FileSource {
    /// A local file, opened for each attempt.
    Path(PathBuf),
    /// Bytes in memory.
    Bytes(Bytes),
    /// Any async reader, with its length when known (sent with `Content-Length`, else chunked).
    /// It can be read once: a request re-sent after it was read fails with an error saying so
    /// (one re-sent after a connection error, before any byte was read, goes out whole).
    Reader(cloud_core::body::OnceReader),
}

impl fmt::Debug for FileSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileSource::Path(p) => f.debug_tuple("Path").field(p).finish(),
            FileSource::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            FileSource::Reader(r) => write!(f, "Reader(len {:?})", r.known_len()),
        }
    }
}

impl FilePart {
    /// A file part from a local path, named after its basename.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let filename = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Self {
            filename,
            content_type: None,
            source: FileSource::Path(path),
            progress: None,
        }
    }

    /// A file part from bytes.
    pub fn bytes(filename: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Self {
            filename: filename.into(),
            content_type: None,
            source: FileSource::Bytes(bytes.into()),
            progress: None,
        }
    }

    /// A part read from any async reader (a socket, a pipe, a decompressor...), named
    /// `filename`; `len` is its length when known (sent as the part's length; else the body
    /// is chunked). Nothing is read into memory beyond one buffer. A reader can be sent once
    /// (see [`FileSource::Reader`]).
    ///
    /// ```no_run
    /// # async fn run(api: smartfile::BasicClient) -> Result<(), Box<dyn std::error::Error>> {
    /// use smartfile::FilePart;
    /// let file = tokio::fs::File::open("big.iso").await?;
    /// let len = file.metadata().await?.len();
    /// api.upload_part(FilePart::reader("big.iso", file, Some(len))).await?;
    /// # Ok(()) }
    /// ```
    pub fn reader(
        filename: impl Into<String>,
        reader: impl tokio::io::AsyncRead + Send + 'static,
        len: Option<u64>,
    ) -> Self {
        Self {
            filename: filename.into(),
            content_type: None,
            source: FileSource::Reader(cloud_core::body::OnceReader::new(reader, len)),
            progress: None,
        }
    }

    /// Sets a progress callback.
    pub fn progress(mut self, f: cloud_core::body::ProgressFn) -> Self {
        self.progress = Some(f);
        self
    }

    /// Renames the part.
    pub fn filename(mut self, name: impl Into<String>) -> Self {
        self.filename = name.into();
        self
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::Int(i64::from(i))
    }
}
impl From<u32> for Value {
    fn from(i: u32) -> Self {
        Value::Int(i64::from(i))
    }
}
impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Float(x)
    }
}
impl From<Vec<String>> for Value {
    fn from(l: Vec<String>) -> Self {
        Value::List(l)
    }
}
impl From<Vec<&str>> for Value {
    fn from(l: Vec<&str>) -> Self {
        Value::List(l.into_iter().map(str::to_owned).collect())
    }
}
impl From<FilePart> for Value {
    fn from(p: FilePart) -> Self {
        Value::File(p)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Self {
        o.map_or(Value::None, Into::into)
    }
}

/// The keyword arguments of a call, in call order (the options struct of the generic calls).
#[derive(Debug, Default)]
pub struct Params {
    pub(crate) items: Vec<(String, Value)>,
}

impl Params {
    /// No arguments.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `name=value`.
    pub fn arg(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.items.push((name.into(), value.into()));
        self
    }

    /// True when there is no argument.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// True when a file is among the arguments (the body is then multipart).
    pub fn has_file(&self) -> bool {
        self.items.iter().any(|(_, v)| matches!(v, Value::File(_)))
    }

    /// The name/value pairs of every non-file argument, as they go on the wire.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (k, v) in &self.items {
            match v {
                Value::Str(s) => out.push((k.clone(), s.clone())),
                Value::Bool(b) => out.push((k.clone(), if *b { "True" } else { "False" }.into())),
                Value::Int(i) => out.push((k.clone(), i.to_string())),
                Value::Float(x) => out.push((k.clone(), py_float(*x))),
                Value::None | Value::File(_) => {}
                Value::List(l) => out.extend(l.iter().map(|s| (k.clone(), s.clone()))),
            }
        }
        out
    }

    /// The file arguments.
    pub(crate) fn files(&self) -> impl Iterator<Item = (&str, &FilePart)> {
        self.items.iter().filter_map(|(k, v)| match v {
            Value::File(p) => Some((k.as_str(), p)),
            _ => None,
        })
    }
}

/// Python's `str(float)`: `1.5`, `3.0`.
fn py_float(x: f64) -> String {
    if x.fract() == 0.0 && x.is_finite() && x.abs() < 1e16 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_like_python() {
        let p = Params::new()
            .arg("flag", true)
            .arg("n", 3)
            .arg("f", 1.5)
            .arg("g", 2.0)
            .arg("u", "ünï")
            .arg("none", Value::None)
            .arg("empty", "")
            .arg("lst", vec!["a", "b"]);
        let pairs = p.pairs();
        let want: Vec<(String, String)> = [
            ("flag", "True"),
            ("n", "3"),
            ("f", "1.5"),
            ("g", "2.0"),
            ("u", "ünï"),
            ("empty", ""),
            ("lst", "a"),
            ("lst", "b"),
        ]
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
        assert_eq!(pairs, want);
        assert!(!p.has_file());
    }
}
