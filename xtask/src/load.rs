//! `cargo xtask load URL [--header "K: V"]... [--requests N] [--connections C]`: a small HTTP/1.1
//! load generator for the emulators' capacity: `C` keep-alive connections (threads) make `N`
//! GETs of `URL` between them, each reading the whole answer, and the run fails on a status
//! other than 2xx. Timed from outside (`/usr/bin/time` in `cargo xtask bench`), so that its
//! rate is requests per wall second with the emulator on the same machine. Plain `http://`
//! on loopback only, as every emulator listens.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use crate::util::Result;

struct Target {
    addr: String,
    host: String,
    path: String,
}

fn parse_url(url: &str) -> Result<Target> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url}: only http:// URLs"))?;
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr = if hostport.contains(':') {
        hostport.to_owned()
    } else {
        format!("{hostport}:80")
    };
    Ok(Target {
        addr,
        host: hostport.to_owned(),
        path: path.to_owned(),
    })
}

/// Reads one answer (status line, headers, a `Content-Length` or chunked body); its status.
fn read_answer(r: &mut BufReader<TcpStream>, sink: &mut Vec<u8>) -> Result<u16> {
    let mut line = String::new();
    r.read_line(&mut line).map_err(|e| e.to_string())?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {line:?}"))?;
    let (mut length, mut chunked) = (0usize, false);
    loop {
        line.clear();
        r.read_line(&mut line).map_err(|e| e.to_string())?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
            if k == "content-length" {
                length = v.parse().map_err(|_| format!("bad length {v:?}"))?;
            } else if k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked") {
                chunked = true;
            }
        }
    }
    if chunked {
        loop {
            line.clear();
            r.read_line(&mut line).map_err(|e| e.to_string())?;
            let n = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16)
                .map_err(|_| format!("bad chunk size {line:?}"))?;
            sink.resize(n + 2, 0);
            r.read_exact(sink).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
        }
    } else {
        sink.resize(length, 0);
        r.read_exact(sink).map_err(|e| e.to_string())?;
    }
    Ok(status)
}

fn worker(target: &Target, headers: &[String], requests: u64) -> Result<u64> {
    let stream = TcpStream::connect(&target.addr).map_err(|e| format!("{}: {e}", target.addr))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let mut reader = BufReader::with_capacity(64 << 10, stream);
    let mut request = format!("GET {} HTTP/1.1\r\nHost: {}\r\n", target.path, target.host);
    for h in headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    let mut sink = Vec::new();
    let mut failed = 0;
    for _ in 0..requests {
        writer
            .write_all(request.as_bytes())
            .map_err(|e| e.to_string())?;
        let status = read_answer(&mut reader, &mut sink)?;
        if !(200..300).contains(&status) {
            failed += 1;
        }
    }
    Ok(failed)
}

pub fn run(args: &[String]) -> Result {
    let mut url = None;
    let mut headers = Vec::new();
    let (mut requests, mut connections) = (10_000u64, 4u64);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |what: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{what} needs a value"))
        };
        match a.as_str() {
            "--header" | "-H" => headers.push(value("--header")?),
            "--requests" => {
                requests = value("--requests")?
                    .parse()
                    .map_err(|_| "--requests: a number")?
            }
            "--connections" => {
                connections = value("--connections")?
                    .parse()
                    .map_err(|_| "--connections: a number")?
            }
            u if url.is_none() && !u.starts_with('-') => url = Some(u.to_owned()),
            other => return Err(format!("load: unknown argument {other}")),
        }
    }
    let target = parse_url(
        &url.ok_or("usage: cargo xtask load URL [--header H]... [--requests N] [--connections C]")?,
    )?;
    let connections = connections.max(1);
    let failed: u64 = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..connections)
            .map(|i| {
                let share = requests / connections + u64::from(i < requests % connections);
                let (target, headers) = (&target, &headers);
                scope.spawn(move || worker(target, headers, share))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| "a load thread panicked".to_owned())?)
            .sum::<Result<u64>>()
    })?;
    if failed > 0 {
        return Err(format!("{failed} of {requests} answers were not 2xx"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_url;

    #[test]
    fn urls() {
        let t = parse_url("http://127.0.0.1:8080/v1/accounts/me?x=1").unwrap();
        assert_eq!(
            (t.addr.as_str(), t.host.as_str(), t.path.as_str()),
            ("127.0.0.1:8080", "127.0.0.1:8080", "/v1/accounts/me?x=1")
        );
        assert_eq!(parse_url("http://localhost").unwrap().addr, "localhost:80");
        assert!(parse_url("https://x").is_err());
    }
}
