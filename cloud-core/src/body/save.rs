//! Saving a body to local disk.
//!
//! Bytes go to `<target><suffix>` (the partial file) and the partial file is renamed to the
//! target only once the stream ended without error, so a file under its final name is always
//! complete. A name that comes from a server is checked first ([`check_file_name`]): it can
//! never escape the target folder.

use std::path::{Path, PathBuf};

use futures::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;

use crate::error::{Error, ErrorKind};

/// The default partial-file suffix.
pub const DEFAULT_PARTIAL_SUFFIX: &str = ".partial";

const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Checks that a file name (typically from a server) is one plain name in a folder: not empty,
/// not `.` or `..`, no `/`, no NUL or other control character, at most 255 bytes; and on
/// Windows also no `\`, no drive (`C:x`) and no reserved device name (`CON`, `nul.txt`).
/// Names that are plain names on the running platform are accepted: `x:y.txt`, `CON.txt` and
/// `a\b` are ordinary file names on Linux and macOS.
///
/// ```
/// use cloud_core::body::check_file_name;
/// assert!(check_file_name("report.pdf").is_ok());
/// assert!(check_file_name("../x").is_err());
/// assert!(check_file_name("/etc/x").is_err());
/// ```
pub fn check_file_name(name: &str) -> Result<(), Error> {
    let reject = |why: &str| {
        Err(Error::invalid_input(format!(
            "refusing file name {:?}: {why}",
            name.chars().take(64).collect::<String>()
        )))
    };
    if name.is_empty() {
        return reject("empty");
    }
    if name == "." || name == ".." {
        return reject("a relative folder reference");
    }
    if name.contains('/') || (cfg!(windows) && name.contains('\\')) {
        return reject("contains a path separator");
    }
    if name.chars().any(char::is_control) {
        return reject("contains a control character");
    }
    if name.len() > 255 {
        return reject("longer than 255 bytes");
    }
    if cfg!(windows) {
        if name.as_bytes().get(1) == Some(&b':') {
            return reject("a drive path");
        }
        let stem = name.split('.').next().unwrap_or(name).trim_end();
        if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
            return reject("a reserved device name");
        }
    }
    Ok(())
}

/// Options for saving a body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SaveOptions {
    /// Suffix of the partial file (acd_cli uses `.__incomplete`).
    pub(crate) partial_suffix: String,
    /// Continue an existing partial file instead of starting over.
    pub(crate) resume: bool,
    /// Replace an existing target (default true); otherwise an existing target is a
    /// [`ErrorKind::Conflict`].
    pub(crate) overwrite: bool,
    /// Sync the partial file to disk before the rename (default false).
    pub(crate) fsync: bool,
}

impl Default for SaveOptions {
    fn default() -> Self {
        Self {
            partial_suffix: DEFAULT_PARTIAL_SUFFIX.to_owned(),
            resume: false,
            overwrite: true,
            fsync: false,
        }
    }
}

impl SaveOptions {
    /// Sets the partial-file suffix.
    pub fn partial_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.partial_suffix = suffix.into();
        self
    }

    /// Continue an existing partial file.
    pub fn resume(mut self, resume: bool) -> Self {
        self.resume = resume;
        self
    }

    /// Replace an existing target.
    pub fn overwrite(mut self, overwrite: bool) -> Self {
        self.overwrite = overwrite;
        self
    }

    /// Sync the partial file to disk (`fsync`) before renaming it to the target, so that a
    /// file under its final name survives a power cut complete. Off by default: none of the
    /// Python originals syncs a download, and it costs the time the disk takes to write
    /// everything out (measured in each crate's README). The rename alone still guarantees
    /// that a file under its final name was written whole by this process.
    pub fn fsync(mut self, fsync: bool) -> Self {
        self.fsync = fsync;
        self
    }
}

/// A partial file being written, renamed to its target by [`PartialFile::finish`].
#[derive(Debug)]
pub struct PartialFile {
    file: tokio::io::BufWriter<tokio::fs::File>,
    partial: PathBuf,
    target: PathBuf,
    written: u64,
    fsync: bool,
}

fn with_suffix(target: &Path, suffix: &str) -> PathBuf {
    let mut s = target.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

impl PartialFile {
    /// Opens the partial file of `target`: appended to when `options.resume` and it exists,
    /// otherwise created empty.
    pub async fn create(target: &Path, options: &SaveOptions) -> Result<Self, Error> {
        if !options.overwrite && tokio::fs::try_exists(target).await.unwrap_or(false) {
            return Err(Error::with_message(
                ErrorKind::Conflict,
                format!("{} exists", target.display()),
            ));
        }
        let partial = with_suffix(target, &options.partial_suffix);
        let mut open = tokio::fs::OpenOptions::new();
        open.create(true).write(true);
        if options.resume {
            open.append(true);
        } else {
            open.truncate(true);
        }
        let file = open.open(&partial).await?;
        let written = if options.resume {
            file.metadata().await?.len()
        } else {
            0
        };
        Ok(Self {
            file: tokio::io::BufWriter::with_capacity(256 * 1024, file),
            partial,
            target: target.to_owned(),
            written,
            fsync: options.fsync,
        })
    }

    /// Bytes already in the partial file (where a resumed download starts).
    pub fn offset(&self) -> u64 {
        self.written
    }

    /// The partial file's path.
    pub fn partial_path(&self) -> &Path {
        &self.partial
    }

    /// Appends bytes.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.file.write_all(bytes).await?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Writes a whole stream. On a stream error, what arrived is flushed to the partial file.
    pub async fn write_stream<S>(&mut self, stream: S) -> Result<(), Error>
    where
        S: Stream<Item = Result<bytes::Bytes, Error>>,
    {
        let mut stream = std::pin::pin!(stream);
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) => self.write(&chunk).await?,
                Err(e) => {
                    // Keep what arrived, so that a later call can resume from it.
                    let _ = self.file.flush().await;
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Flushes (and syncs, with [`SaveOptions::fsync`]) the partial file and renames it to
    /// its target. Returns the byte count.
    pub async fn finish(mut self) -> Result<u64, Error> {
        self.file.flush().await?;
        if self.fsync {
            self.file.get_ref().sync_all().await?;
        }
        drop(self.file);
        tokio::fs::rename(&self.partial, &self.target).await?;
        Ok(self.written)
    }

    /// Removes the partial file (when a resume is not wanted).
    pub async fn discard(self) -> Result<(), Error> {
        drop(self.file);
        tokio::fs::remove_file(&self.partial).await?;
        Ok(())
    }
}

/// Saves a stream to `target` through its partial file. On error the partial file is kept
/// (for a later resume) and the target is untouched.
pub async fn save_to_path<S>(stream: S, target: &Path, options: &SaveOptions) -> Result<u64, Error>
where
    S: Stream<Item = Result<bytes::Bytes, Error>>,
{
    let mut file = PartialFile::create(target, options).await?;
    file.write_stream(stream).await?;
    file.finish().await
}

/// Saves a stream as `name` (typically from a server, so checked by [`check_file_name`]) in
/// `dir`. Returns the path written and the byte count.
pub async fn save_to_dir<S>(
    stream: S,
    dir: &Path,
    name: &str,
    options: &SaveOptions,
) -> Result<(PathBuf, u64), Error>
where
    S: Stream<Item = Result<bytes::Bytes, Error>>,
{
    check_file_name(name)?;
    check_file_name(&format!("{name}{}", options.partial_suffix))?;
    let target = dir.join(name);
    let n = save_to_path(stream, &target, options).await?;
    Ok((target, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `cargo xtask mutants`: the suffix and overwrite options take effect.
    #[tokio::test]
    async fn partial_suffix_and_overwrite_take_effect() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t.bin");
        let options = SaveOptions::default().partial_suffix(".__incomplete");
        let mut p = PartialFile::create(&target, &options).await.unwrap();
        assert_eq!(p.partial_path(), dir.path().join("t.bin.__incomplete"));
        p.write(b"abc").await.unwrap();
        assert_eq!(p.finish().await.unwrap(), 3);
        let keep = SaveOptions::default().overwrite(false);
        let err = PartialFile::create(&target, &keep).await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Conflict);
        assert_eq!(std::fs::read(&target).unwrap(), b"abc");
        // Overwriting (the default) replaces; a discarded partial file is gone.
        let mut again = PartialFile::create(&target, &options).await.unwrap();
        again.write(b"de").await.unwrap();
        assert_eq!(again.finish().await.unwrap(), 2);
        assert_eq!(std::fs::read(&target).unwrap(), b"de");
        let mut dropped = PartialFile::create(&target, &options).await.unwrap();
        dropped.write(b"x").await.unwrap();
        let partial = dropped.partial_path().to_owned();
        dropped.discard().await.unwrap();
        assert!(!partial.exists());
        assert_eq!(std::fs::read(&target).unwrap(), b"de");
    }

    #[test]
    fn hostile_names_are_refused() {
        for bad in ["", ".", "..", "../x", "a/b", "/etc/passwd", "x\0y", "a\nb"] {
            assert!(check_file_name(bad).is_err(), "{bad:?} accepted");
        }
        // Plain names on Linux and macOS, refused on Windows only.
        for windows_only in [
            "a\\b", "C:x", "CON", "nul.txt", "com1", "x:y.txt", "CON.txt",
        ] {
            assert_eq!(
                check_file_name(windows_only).is_err(),
                cfg!(windows),
                "{windows_only:?}"
            );
        }
        let long = "x".repeat(256);
        assert!(check_file_name(&long).is_err());
        assert!(check_file_name(&"x".repeat(255)).is_ok());
        for good in [
            "a",
            "a.txt",
            ".hidden",
            "..x",
            "con sole.txt",
            "ünïcode.txt",
        ] {
            assert!(check_file_name(good).is_ok(), "{good:?} refused");
        }
    }
}
