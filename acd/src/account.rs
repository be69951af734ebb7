//! `AccountMixin`: account info, usage, quota.

use std::fmt;

use http::Method;
use serde_json::Value;

use crate::client::{AcdClient, OK_CODES};
use crate::error::{Error, Result};

/// The usage report (`_Usage`): `Display` renders the original's five-line table.
#[derive(Debug, Clone, PartialEq)]
pub struct Usage(pub Value);

/// `file_size_pair`: the size divided by 1024 until under 1024, one decimal, with its unit.
pub fn file_size_pair(n: u64) -> (String, String) {
    let mut v = n as f64;
    for unit in ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi"] {
        if v.abs() < 1024.0 {
            return (format!("{v:.1}"), format!("{unit}B"));
        }
        v /= 1024.0;
    }
    (format!("{v:.1}"), "YiB".into())
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        let (mut total_count, mut total_bytes) = (0u64, 0u64);
        for (label, key) in [
            ("Documents", "doc"),
            ("Other", "other"),
            ("Photos", "photo"),
            ("Videos", "video"),
        ] {
            let t = &self.0[key]["total"];
            let (Some(count), Some(bytes)) = (t["count"].as_u64(), t["bytes"].as_u64()) else {
                tracing::warn!("Invalid usage JSON string.");
                return f.write_str(&out);
            };
            total_count += count;
            total_bytes += bytes;
            out.push_str(&line(label, count, bytes));
        }
        out.push_str(&line("Total", total_count, total_bytes));
        f.write_str(&out)
    }
}

fn line(label: &str, count: u64, bytes: u64) -> String {
    let (n, unit) = file_size_pair(bytes);
    format!(
        "{:<10} {:>7}, {:>6} {:<3}\n",
        format!("{label}:"),
        count,
        n,
        unit
    )
}

impl AcdClient {
    /// `GET {metadata}account/info`. Faithful: no status check (an error body comes back as
    /// data); only a body that is not JSON is an error.
    pub async fn get_account_info(&self) -> Result<Value> {
        let url = self.meta("account/info")?;
        let all: Vec<u16> = (100..600).collect();
        let resp = self.request(Method::GET, url, &all, Ok).await?;
        json(resp).await
    }

    /// `GET {metadata}account/usage`.
    pub async fn get_account_usage(&self) -> Result<Usage> {
        let url = self.meta("account/usage")?;
        let resp = self.request(Method::GET, url, OK_CODES, Ok).await?;
        Ok(Usage(json(resp).await?))
    }

    /// `GET {metadata}account/quota`: `{"quota", "available", "lastCalculated"}`.
    pub async fn get_quota(&self) -> Result<Value> {
        let url = self.meta("account/quota")?;
        let resp = self.request(Method::GET, url, OK_CODES, Ok).await?;
        json(resp).await
    }

    /// `(quota, available)`, 0 for a missing key.
    pub async fn fs_sizes(&self) -> Result<(u64, u64)> {
        let q = self.get_quota().await?;
        Ok((
            q["quota"].as_u64().unwrap_or(0),
            q["available"].as_u64().unwrap_or(0),
        ))
    }
}

/// Decodes a JSON body (at most `HttpOptions::max_json_bytes`, 64 MiB by default).
pub(crate) async fn json<T: serde::de::DeserializeOwned>(
    resp: cloud_core::reqwest::Response,
) -> Result<T> {
    let limit = cloud_core::transport::json_limit(&resp);
    cloud_core::transport::read_json(&Method::GET, resp, limit)
        .await
        .map_err(|e| Error::Decode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_report_like_the_original() {
        let v: Value = serde_json::json!({
            "doc": {"total": {"count": 10, "bytes": 807_270}},
            "other": {"total": {"count": 871, "bytes": 30_041_700}},
            "photo": {"total": {"count": 25, "bytes": 9_489_500}},
            "video": {"total": {"count": 22, "bytes": 23_540_500}},
        });
        let s = Usage(v).to_string();
        assert_eq!(
            s,
            "Documents:      10,  788.3 KiB\nOther:         871,   28.6 MiB\nPhotos:         25,    9.0 MiB\nVideos:         22,   22.4 MiB\nTotal:         928,   60.9 MiB\n"
        );
        assert_eq!(Usage(serde_json::json!({})).to_string(), "");
        assert_eq!(file_size_pair(1023), ("1023.0".into(), "B".into()));
        assert_eq!(file_size_pair(1024), ("1.0".into(), "KiB".into()));
    }
}
