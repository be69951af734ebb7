//! What the per-crate benchmarks share: sizes, the standalone emulator seeded through an
//! environment variable, the bench example's `seed` call, and cases run with the clients
//! curl, this SDK and (where one runs) the Python original.

use std::path::PathBuf;
use std::process::Command;

use super::{
    argv, bench_files, build_examples, curl_parallel, curl_repeated, curl_sequence, examples_dir,
    parse_seed, run_case, s, start_emulator_with, Emulator, Row, Work,
};
use crate::util::{output, Result};

/// The sizes of a run: full, or `--quick`.
pub(crate) struct Sizes {
    /// The big transfer, bytes.
    pub size: u64,
    /// Sequential metadata calls.
    pub calls: u64,
    /// Entries of the paged listing.
    pub entries: u64,
    /// Concurrent downloads.
    pub small_count: usize,
    /// Bytes of each concurrent download.
    pub small_size: u64,
}

impl Sizes {
    pub fn new(quick: bool) -> Self {
        let (size, calls, mut entries, small_count) = if quick {
            (256 << 20, 200, 20_000, 16)
        } else {
            (1 << 30, 2_000, 100_000, 64)
        };
        // The listing's size at will (flat memory from 10,000 to 1,000,000 entries).
        if let Some(n) = std::env::var("XTASK_BENCH_ENTRIES")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            entries = n;
        }
        Self {
            size,
            calls,
            entries,
            small_count,
            small_size: 16 << 20,
        }
    }
}

/// A crate's benchmark, ready to run cases.
pub(crate) struct Bench {
    pub sizes: Sizes,
    pub emu: Emulator,
    /// The emulator's line, in a file the clients read.
    pub info: String,
    /// The `<crate>-bench` example.
    pub bench: String,
    /// The local file of `sizes.size` bytes.
    pub big_file: PathBuf,
    /// A scratch folder.
    pub work: PathBuf,
    /// What `seed` uploaded: the big file and the small ones (ids or paths).
    pub big: String,
    pub small: Vec<String>,
    label: String,
    python: Option<Vec<String>>,
    runs: usize,
    rows: Vec<Row>,
}

impl Bench {
    /// Builds the crate's emulator binary and bench example (`<package>-emulator`,
    /// `<package>-bench`), starts the emulator with `seed_var` = the listing's entry count,
    /// and runs the bench example's `seed`. `python` is the command line prefix of the
    /// original's bench script, if it runs here.
    pub fn start(
        package: &str,
        seed_var: &str,
        python: Option<Vec<String>>,
        quick: bool,
        runs: usize,
    ) -> Result<Self> {
        let (emulator, bench) = (format!("{package}-emulator"), format!("{package}-bench"));
        build_examples(package, &[&emulator, &bench])?;
        let sizes = Sizes::new(quick);
        let (big_file, work) = bench_files(package, sizes.size)?;
        let mut cmd = Command::new(crate::bench::bins_dir().join(&emulator));
        cmd.env(seed_var, sizes.entries.to_string());
        let emu = start_emulator_with(cmd)?;
        let info = work.join("info.json");
        std::fs::write(&info, emu.info.to_string()).map_err(|e| e.to_string())?;
        let (info, bench) = (s(&info), s(examples_dir().join(&bench)));
        let (big, small) = parse_seed(&output(Command::new(&bench).args([
            "seed",
            &info,
            &s(&big_file),
            &sizes.small_count.to_string(),
            &sizes.small_size.to_string(),
        ]))?)?;
        Ok(Self {
            sizes,
            emu,
            info,
            bench,
            big_file,
            work,
            big,
            small,
            label: format!("{package} (Rust)"),
            python,
            runs,
            rows: Vec::new(),
        })
    }

    /// The bench example's command line for a case.
    pub fn ours(&self, args: &[&str]) -> Vec<String> {
        let mut argv = vec![self.bench.clone()];
        argv.extend(args.iter().map(|a| a.to_string()));
        argv
    }

    /// Runs one case: curl, this SDK, and the original with `py` (the same arguments as the
    /// bench example, usually) when it runs here; an empty `py` leaves the original out.
    pub fn case(
        &mut self,
        name: String,
        work: Work,
        ours: Vec<String>,
        curl: Vec<String>,
        py: &[&str],
    ) -> Result {
        let mut clients = vec![("curl", curl), (self.label.as_str(), ours)];
        if let Some(p) = self.python.as_ref().filter(|_| !py.is_empty()) {
            let mut argv = p.clone();
            argv.extend(py.iter().map(|a| a.to_string()));
            clients.push(("python", argv));
        }
        self.rows
            .extend(run_case(&name, &clients, self.runs, work)?);
        Ok(())
    }

    /// The big file downloaded from `url` to a sink, then to a file.
    pub fn downloads(&mut self, auth: &str, url: &str) -> Result {
        let (info, big, size) = (self.info.clone(), self.big.clone(), self.sizes.size);
        let mib = size >> 20;
        let sink = ["download-sink", info.as_str(), big.as_str()];
        self.case(
            format!("download {mib} MiB to a sink"),
            Work::Bytes(size),
            self.ours(&sink),
            argv(&["curl", "-sS", "-f", "-H", auth, "-o", "/dev/null", url]),
            &sink,
        )?;
        // The same on a current-thread runtime: what the multi-thread scheduler's wake-ups
        // (futex, epoll) add to the client's CPU, beside curl again.
        self.case(
            format!("download {mib} MiB to a sink, current-thread runtime"),
            Work::Bytes(size),
            current_thread(self.ours(&sink)),
            argv(&["curl", "-sS", "-f", "-H", auth, "-o", "/dev/null", url]),
            &[],
        )?;
        let out_curl = s(self.work.join("curl.bin"));
        let dir = s(&self.work);
        let file = ["download-file", info.as_str(), big.as_str(), dir.as_str()];
        self.case(
            format!("download {mib} MiB to a file"),
            Work::Bytes(size),
            self.ours(&file),
            argv(&["curl", "-sS", "-f", "-H", auth, "-o", &out_curl, url]),
            &file,
        )?;
        let _ = std::fs::remove_file(&out_curl);
        Ok(())
    }

    /// `calls` sequential metadata calls of the big file over one client; curl asks `url`
    /// as often over one connection.
    pub fn metadata(&mut self, what: &str, auth: &str, url: &str) -> Result {
        let (info, big, calls) = (self.info.clone(), self.big.clone(), self.sizes.calls);
        let calls_s = calls.to_string();
        let args = ["metadata", info.as_str(), big.as_str(), calls_s.as_str()];
        let curl = curl_repeated(&self.work.join("curl-metadata.cfg"), auth, url, calls)?;
        self.case(
            format!("{calls} sequential {what}"),
            Work::Calls(calls),
            self.ours(&args),
            curl.clone(),
            &args,
        )?;
        // Per call, half the multi-thread runtime's client CPU is its wake-ups (perf: 47 % in
        // the kernel's task switching): the same calls on a current-thread runtime.
        self.case(
            format!("{calls} sequential {what}, current-thread runtime"),
            Work::Calls(calls),
            current_thread(self.ours(&args)),
            curl,
            &[],
        )?;
        self.rows
            .extend(super::capacity(url, auth, calls * 10, self.runs)?);
        Ok(())
    }

    /// The paged listing of the seeded entries: the bench example's `args` case; curl asks
    /// every page URL in turn over one connection.
    pub fn listing(&mut self, name: String, auth: &str, pages: &[String], args: &[&str]) -> Result {
        self.listing_as(name, auth, pages, args, args)
    }

    /// [`Bench::listing`] with this SDK's arguments (`ours`) apart from the original's (`py`;
    /// empty leaves it out): a typed listing beside the original's generic one.
    pub fn listing_as(
        &mut self,
        name: String,
        auth: &str,
        pages: &[String],
        ours: &[&str],
        py: &[&str],
    ) -> Result {
        let curl = curl_sequence(&self.work.join("curl-list.cfg"), auth, pages)?;
        self.case(
            name,
            Work::Entries(self.sizes.entries),
            self.ours(ours),
            curl,
            py,
        )
    }

    /// Every small file downloaded at once over one client (`url` of an id or path).
    pub fn concurrent(&mut self, auth: &str, url: impl Fn(&str) -> String) -> Result {
        let (small, info) = (self.small.clone(), self.info.clone());
        let mut args = vec!["concurrent", info.as_str()];
        args.extend(small.iter().map(String::as_str));
        let urls: Vec<String> = small.iter().map(|id| url(id)).collect();
        self.case(
            format!("{} concurrent 16 MiB downloads", small.len()),
            Work::Bytes(self.sizes.small_size * small.len() as u64),
            self.ours(&args),
            curl_parallel(auth, &urls),
            &args,
        )
    }

    /// The rows, once the emulator is stopped.
    pub fn finish(self) -> Vec<Row> {
        drop(self.emu);
        self.rows
    }
}

/// A bench example's command line run on a current-thread runtime (`BENCH_RUNTIME`, read by
/// every `<crate>-bench` example).
pub(crate) fn current_thread(ours: Vec<String>) -> Vec<String> {
    let mut argv = vec!["env".to_owned(), "BENCH_RUNTIME=current_thread".to_owned()];
    argv.extend(ours);
    argv
}
