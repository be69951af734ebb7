//! Bodies: a resumable download stream ([`download()`]), saving a stream to a file without
//! ever writing a partial file under its final name ([`save`]), bounded-chunk uploads
//! ([`upload`]) and progress callbacks ([`progress`]).
//!
//! Nothing here reads a whole body into memory: downloads are streams of [`bytes::Bytes`],
//! uploads read one bounded chunk at a time.

pub mod download;
pub mod progress;
pub mod save;
pub mod upload;

use std::pin::Pin;

use bytes::Bytes;
use futures::Stream;

use crate::Error;

/// A body as a stream of chunks.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>;

pub use download::{download, range_header, Download, DownloadOptions, RangeFetch};
pub use progress::{Progress, ProgressFn};
pub use save::{check_file_name, save_to_dir, save_to_path, PartialFile, SaveOptions};
pub use upload::{chunks, read_stream, OnceReader, UploadSource, UPLOAD_READ_SIZE};
