//! `acd_client.ini`: the settings merged over the defaults (section 2.2 of the spec).

use std::path::Path;

use crate::error::{Error, Result};

/// The settings file name inside the settings folder.
pub const SETTINGS_FILENAME: &str = "acd_client.ini";

/// The client settings (`_conf`), read from `acd_client.ini` over the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// `[endpoints] filename`: the endpoint cache file name inside the cache folder.
    pub endpoints_filename: String,
    /// `[endpoints] validity_duration`: seconds until cached endpoints are fetched again.
    pub endpoints_validity: u64,
    /// `[transfer] fs_chunk_size`: local read size for uploads, write size for downloads,
    /// and the resume safety margin.
    pub fs_chunk_size: usize,
    /// `[transfer] dl_chunk_size`: the most bytes per ranged GET.
    pub dl_chunk_size: u64,
    /// `[transfer] chunk_retries`: attempts per download chunk (1 = no retry).
    pub chunk_retries: u32,
    /// `[transfer] connection_timeout` (seconds).
    pub connection_timeout: u64,
    /// `[transfer] idle_timeout` (seconds): the read timeout.
    pub idle_timeout: u64,
    /// `[proxies]`: protocol to proxy URL.
    pub proxies: Vec<(String, String)>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            endpoints_filename: "endpoint_data".into(),
            endpoints_validity: 259_200,
            fs_chunk_size: 131_072,
            dl_chunk_size: 524_288_000,
            chunk_retries: 1,
            connection_timeout: 30,
            idle_timeout: 60,
            proxies: Vec::new(),
        }
    }
}

impl Settings {
    /// Reads `<settings_path>/acd_client.ini` over the defaults (a missing file: the defaults).
    pub fn load(settings_path: &Path) -> Result<Self> {
        let path = settings_path.join(SETTINGS_FILENAME);
        let mut s = Self::default();
        if !path.exists() {
            return Ok(s);
        }
        let ini = ini::Ini::load_from_file(&path)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        let num = |section: &str, key: &str| -> Result<Option<u64>> {
            match ini.get_from(Some(section), key) {
                None => Ok(None),
                Some(v) => v.trim().parse().map(Some).map_err(|_| {
                    Error::Config(format!("[{section}] {key} = {v:?} is not an integer"))
                }),
            }
        };
        if let Some(f) = ini.get_from(Some("endpoints"), "filename") {
            s.endpoints_filename = f.trim().to_owned();
        }
        if let Some(v) = num("endpoints", "validity_duration")? {
            s.endpoints_validity = v;
        }
        if let Some(v) = num("transfer", "fs_chunk_size")? {
            s.fs_chunk_size = v.max(1) as usize;
        }
        if let Some(v) = num("transfer", "dl_chunk_size")? {
            s.dl_chunk_size = v.max(1);
        }
        if let Some(v) = num("transfer", "chunk_retries")? {
            s.chunk_retries = v as u32;
        }
        if let Some(v) = num("transfer", "connection_timeout")? {
            s.connection_timeout = v;
        }
        if let Some(v) = num("transfer", "idle_timeout")? {
            s.idle_timeout = v;
        }
        if let Some(section) = ini.section(Some("proxies")) {
            s.proxies = section
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        assert_eq!(Settings::load(dir).unwrap(), Settings::default());
        std::fs::write(
            dir.join(SETTINGS_FILENAME),
            "[transfer]\ndl_chunk_size = 4000\nchunk_retries = 3\n[endpoints]\nfilename = ep.json\n",
        )
        .unwrap();
        let s = Settings::load(dir).unwrap();
        assert_eq!(
            (
                s.dl_chunk_size,
                s.chunk_retries,
                s.endpoints_filename.as_str()
            ),
            (4000, 3, "ep.json")
        );
        assert_eq!(s.fs_chunk_size, 131_072);
        std::fs::write(
            dir.join(SETTINGS_FILENAME),
            "[transfer]\nidle_timeout = soon\n",
        )
        .unwrap();
        assert!(Settings::load(dir).is_err());
    }
}
