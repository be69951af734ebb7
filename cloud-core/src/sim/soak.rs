//! A soak: one emulator and one store under many concurrent tasks (64 by default) for a
//! fixed time with faults on, each task on its own folder with its own model, batch after
//! batch of seeded steps; then, the faults cleared, the whole state is read back through the
//! store and checked against the models (the final check of a seed's run). It reports
//! the requests the emulator served, the calls' errors by kind, the faults, and this
//! process's resident memory and open file descriptors once a minute from start to end (the
//! emulator runs in the same process, so both sides count, and so does the models' copy of
//! every body written: flat from the first minute on is what is asked of them).

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::model::Model;
use super::plan::Plan;
use super::{env_number, final_check, run_task, Config, Instance, Report};

/// Steps a task draws at a time (then the next batch, from the next seed).
const BATCH: usize = 40;

/// What a soak saw.
#[derive(Debug, Default, Clone)]
pub struct SoakReport {
    /// Concurrent tasks.
    pub clients: usize,
    /// How long the tasks ran.
    pub seconds: u64,
    /// The calls' tallies, and what broke the model.
    pub calls: Report,
    /// Requests the emulator served.
    pub requests: u64,
    /// Resident memory (KiB) and open file descriptors, sampled every [`SAMPLE`] from the
    /// start (before the first step) to the end (after the final check): `(second, rss, fds)`.
    pub samples: Vec<(u64, Option<u64>, Option<u64>)>,
}

/// How often a soak samples memory and file descriptors.
pub const SAMPLE: Duration = Duration::from_secs(60);

impl SoakReport {
    /// The sample one [`SAMPLE`] in (the working set warmed up), or the first.
    pub fn warm(&self) -> Option<&(u64, Option<u64>, Option<u64>)> {
        self.samples.get(1).or(self.samples.first())
    }
}

impl fmt::Display for SoakReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = |k: &Option<u64>| k.map_or("null".to_owned(), |k| format!("{}", k / 1024));
        let n = |v: &Option<u64>| v.map_or("null".to_owned(), |v| v.to_string());
        let rss: Vec<String> = self.samples.iter().map(|(_, r, _)| mib(r)).collect();
        let fds: Vec<String> = self.samples.iter().map(|(_, _, d)| n(d)).collect();
        write!(
            f,
            "{{\"clients\": {}, \"seconds\": {}, \"steps\": {}, \"ok\": {}, \"requests\": {}, \
             \"errors\": {:?}, \"faults\": {:?}, \"rss_mib_per_minute\": [{}], \
             \"fds_per_minute\": [{}], \"violations\": {}}}",
            self.clients,
            self.seconds,
            self.calls.steps,
            self.calls.ok,
            self.requests,
            self.calls.errors,
            self.calls.faults,
            rss.join(", "),
            fds.join(", "),
            self.calls.violations.len()
        )
    }
}

/// This process's resident memory in KiB (Linux; `None` elsewhere).
pub fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// This process's open file descriptors (Linux; `None` elsewhere).
pub fn open_fds() -> Option<u64> {
    Some(std::fs::read_dir("/proc/self/fd").ok()?.count() as u64)
}

/// Runs `clients` tasks on one instance for `duration`, from `seed`; `config`'s shape gives
/// the steps (its task and step counts are not used). Every task stops at its first
/// violation; the final check runs when none was seen.
pub async fn soak<F, Fut>(
    make: F,
    seed: u64,
    clients: usize,
    duration: Duration,
    config: &Config,
) -> Result<SoakReport, String>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Instance, String>>,
{
    let inst = make().await?;
    let began = Instant::now();
    let deadline = began + duration;
    let sampler = tokio::spawn(async move {
        let mut samples = Vec::new();
        loop {
            samples.push((began.elapsed().as_secs(), rss_kib(), open_fds()));
            if Instant::now() >= deadline {
                return samples;
            }
            tokio::time::sleep(SAMPLE.min(deadline.saturating_duration_since(Instant::now())))
                .await;
        }
    });
    let runs = (0..clients).map(|t| {
        let store = Arc::clone(&inst.store);
        let faults = inst.faults.clone();
        let config = *config;
        async move {
            let mut model = Model::default();
            let mut report = Report::default();
            let mut round = 0u64;
            while Instant::now() < deadline && report.violations.is_empty() {
                let batch_seed = seed.wrapping_add(round.wrapping_mul(0x9E37_79B9));
                let steps = Plan::task_steps(batch_seed, t, BATCH, &config.shape);
                let (r, m) =
                    run_task(Arc::clone(&store), faults.clone(), t, &steps, config, model).await;
                report.merge(r);
                model = m;
                round += 1;
            }
            (report, model)
        }
    });
    let results = futures::future::join_all(runs).await;
    let seconds = began.elapsed().as_secs();
    inst.faults.clear();
    let mut calls = Report::default();
    let mut models = Vec::new();
    for (r, m) in results {
        calls.merge(r);
        models.push(m);
    }
    let ids: Vec<_> = (0..clients).map(|t| (t, Vec::new())).collect();
    if calls.violations.is_empty() {
        final_check(&inst, &ids, models, config, &mut calls).await;
    }
    let mut samples = sampler.await.unwrap_or_default();
    samples.push((began.elapsed().as_secs(), rss_kib(), open_fds()));
    let report = SoakReport {
        clients,
        seconds,
        calls,
        requests: inst.log.total(),
        samples,
    };
    Ok(report)
}

/// A soak as `cargo xtask soak` asks for it: `CLOUD_SOAK_CLIENTS` tasks (64) for
/// `CLOUD_SOAK_MINUTES` minutes (10) from `CLOUD_SOAK_SEED` (1), faults as often in all as
/// in eight tasks of [`Config::ci`] (the rate per step shared out among the tasks). Prints one line
/// (`soak: {crate}: {json}`) and returns the violations, if any, as the error.
pub async fn soak_from_env<F, Fut>(
    make: F,
    krate: &str,
    token_expiry: bool,
) -> Result<SoakReport, String>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Instance, String>>,
{
    let clients = env_number("CLOUD_SOAK_CLIENTS", 64) as usize;
    let minutes = env_number("CLOUD_SOAK_MINUTES", 10);
    let seed = env_number("CLOUD_SOAK_SEED", 1);
    let mut config = Config::ci();
    config.shape.token_expiry = token_expiry;
    // Faults as often in all as in a long run's eight tasks: a fault before one step in five
    // of each of 64 tasks would expire the token (say) before a refreshed call is re-sent.
    config.shape.fault_rate = Config::ci().shape.fault_rate * 8.0 / clients.max(8) as f64;
    let r = soak(
        make,
        seed,
        clients,
        Duration::from_secs(minutes * 60),
        &config,
    )
    .await?;
    println!("soak: {krate}: {r}");
    if r.calls.violations.is_empty() {
        Ok(r)
    } else {
        Err(format!(
            "{krate}: the soak broke the model ({} violations):\n  {}",
            r.calls.violations.len(),
            r.calls.violations.join("\n  ")
        ))
    }
}
