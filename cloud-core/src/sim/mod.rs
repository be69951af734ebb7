//! (features `emulator` and `object-store`) Seeded simulation against a model: long random
//! sequences of a store's operations, run by up to 8 concurrent tasks against a provider's
//! emulator with faults put into its plan from the same seed, every answer checked against a
//! reference model ([`model::Model`]) after each step and the whole state checked at the end.
//! A failing seed is replayed and shrunk to the fewest steps that still fail.
//!
//! The harness is this crate's own rather than proptest's state machines: each step is async
//! against a real HTTP emulator, tasks run at once and share one fault plan, so a run is not a
//! pure function of its inputs (proptest replays by re-running the same closure, and its
//! shrinking assumes that a replay gives the same outcome); here a seed (one `u64`) fixes the
//! steps and the faults, a replay reruns them on a fresh emulator, and shrinking keeps a
//! smaller plan only when it still fails.
//!
//! What is checked:
//! - every answer fits the model: a read's bytes are exactly some write's (never a partial
//!   file, never another object's bytes), an acknowledged write is never lost, a listing
//!   holds no object nobody put (no temporary names left behind) and misses none the model
//!   surely has;
//! - a failed call leaves the state as if it was never made, or as if it completed (a write
//!   may have landed before its answer was cut): the model keeps both until a read decides;
//! - no call hangs past its timeout;
//! - at the end, with the faults cleared, every name is read back and the whole store listed:
//!   each name in exactly one state, nothing outside the tasks' folders.
//!
//! Beside the seeds: [`soak`] (many tasks on one store for minutes, with memory and file
//! descriptors sampled), [`directed`] (a fault put by hand on the request where it hurts) and
//! [`sim_tests!`](crate::sim_tests), which writes a provider crate's `tests/sim.rs`. What the
//! runs found is in the changelog: an emulator cut that stored half an upload as whole, and
//! a refresh-token rotation that a lost answer turned into a logout.

pub mod directed;
pub mod model;
pub mod plan;
pub mod rng;
pub mod soak;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload};

use crate::emulator::{FaultPlan, RequestLog};
use model::Model;
use plan::{Op, Plan, Shape, Step};

/// One fresh store on one fresh emulator.
pub struct Instance {
    /// The store under test.
    pub store: Arc<dyn ObjectStore>,
    /// The emulator's fault plan.
    pub faults: FaultPlan,
    /// The emulator's request log (a soak counts the requests served).
    pub log: RequestLog,
    /// What keeps the emulator running (dropped at the end of the run).
    pub guard: Box<dyn std::any::Any + Send + Sync>,
}

/// A run's settings.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// What each seed generates.
    pub shape: Shape,
    /// A call's limit: longer is a hang.
    pub op_timeout: Duration,
    /// How many replays shrinking may spend.
    pub shrink_budget: usize,
}

impl Config {
    /// CI's: one task of 120 steps (its faults hit its own requests, so a seed replays the
    /// same way), a fault before one step in five, large puts now and then. Concurrent tasks
    /// are `cargo xtask sim`'s (8 by default): there a fault hits whichever request is next.
    pub fn ci() -> Self {
        Config {
            shape: Shape {
                tasks: 1,
                steps: 120,
                fault_rate: 0.2,
                large: true,
                token_expiry: true,
            },
            op_timeout: Duration::from_secs(60),
            shrink_budget: 40,
        }
    }
}

/// What a run saw.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Steps run.
    pub steps: u64,
    /// Calls that succeeded.
    pub ok: u64,
    /// Calls that failed, by error.
    pub errors: BTreeMap<String, u64>,
    /// Faults put into the plan, by kind.
    pub faults: BTreeMap<String, u64>,
    /// What broke the model, with the task and step.
    pub violations: Vec<String>,
}

impl Report {
    pub(crate) fn merge(&mut self, o: Report) {
        self.steps += o.steps;
        self.ok += o.ok;
        for (k, v) in o.errors {
            *self.errors.entry(k).or_default() += v;
        }
        for (k, v) in o.faults {
            *self.faults.entry(k).or_default() += v;
        }
        self.violations.extend(o.violations);
    }
}

/// The error's name in the tallies: its variant, and its source's first words.
fn error_name(e: &object_store::Error) -> String {
    let debug = format!("{e:?}");
    debug
        .split([' ', '{', '('])
        .next()
        .unwrap_or("?")
        .to_owned()
}

fn path(task: usize, name: &str) -> Path {
    Path::from(format!("sim/t{task}/{name}"))
}

/// Runs `plan` on `inst`: every task at once, then the final check.
pub async fn run_plan(inst: &Instance, plan: &Plan, config: &Config) -> Report {
    let runs = plan.tasks.iter().map(|(t, steps)| {
        let store = Arc::clone(&inst.store);
        let faults = inst.faults.clone();
        let (t, steps) = (*t, steps.clone());
        let config = *config;
        async move { run_task(store, faults, t, &steps, config, Model::default()).await }
    });
    let results = futures::future::join_all(runs).await;
    let mut report = Report::default();
    inst.faults.clear();
    let mut models = Vec::new();
    for (r, m) in results {
        report.merge(r);
        models.push(m);
    }
    if report.violations.is_empty() {
        final_check(inst, &plan.tasks, models, config, &mut report).await;
    }
    report
}

/// Runs one task's `steps` on `model` (a soak carries it from one batch of steps to the
/// next), up to the first violation.
async fn run_task(
    store: Arc<dyn ObjectStore>,
    faults: FaultPlan,
    task: usize,
    steps: &[Step],
    config: Config,
    mut model: Model,
) -> (Report, Model) {
    let mut report = Report::default();
    for (i, step) in steps.iter().enumerate() {
        if let Some(f) = &step.fault {
            f.apply(&faults);
            *report.faults.entry(f.kind().to_owned()).or_default() += 1;
        }
        report.steps += 1;
        let began = Instant::now();
        let outcome = tokio::time::timeout(
            config.op_timeout,
            apply(&*store, task, &step.op, &mut model),
        )
        .await;
        match outcome {
            Err(_) => report.violations.push(format!(
                "t{task}#{i} {:?}: hung past {:?}",
                step.op, config.op_timeout
            )),
            Ok(Ok(None)) => report.ok += 1,
            Ok(Ok(Some(err))) => *report.errors.entry(err).or_default() += 1,
            Ok(Err(v)) => {
                let now = listed_now(&*store, task).await;
                report.violations.push(format!(
                    "t{task}#{i} {:?} (after {:?}): {v}; the task's folder lists now: {now}",
                    step.op,
                    began.elapsed()
                ));
            }
        }
        if !report.violations.is_empty() {
            break;
        }
    }
    (report, model)
}

/// The task's folder as the store lists it right after a violation (names and sizes), to
/// tell a lost object from a wrong answer.
async fn listed_now(store: &dyn ObjectStore, task: usize) -> String {
    let prefix = Path::from(format!("sim/t{task}"));
    let listed: Result<Vec<_>, _> = store.list(Some(&prefix)).try_collect().await;
    match listed {
        Ok(metas) => {
            let items: Vec<String> = metas
                .iter()
                .map(|m| format!("{} ({} bytes)", m.location, m.size))
                .collect();
            format!("[{}]", items.join(", "))
        }
        Err(e) => format!("(the listing failed: {e})"),
    }
}

/// One operation: `Ok(None)` it succeeded, `Ok(Some(error))` it failed as the model allows,
/// `Err(violation)`.
async fn apply(
    store: &dyn ObjectStore,
    task: usize,
    op: &Op,
    model: &mut Model,
) -> Result<Option<String>, String> {
    use object_store::Error as E;
    let failed = |e: &E| Ok(Some(error_name(e)));
    match *op {
        Op::Put {
            name,
            len,
            seed,
            multipart,
        } => {
            let data = Bytes::from(rng::contents(seed, len));
            let r = if multipart {
                put_multipart(store, &path(task, name), data.clone()).await
            } else {
                store
                    .put(&path(task, name), PutPayload::from(data.clone()))
                    .await
                    .map(|_| ())
            };
            model.write(name, Some(data), r.is_ok());
            r.map_or_else(|e| failed(&e), |()| Ok(None))
        }
        Op::Get { name, range } => {
            let known_len = model.known(name).map(|b| b.len() as u64);
            let range = match (range, known_len) {
                (Some((a, b)), Some(len)) if len > 0 => {
                    let a = a % len;
                    Some(a..(b.max(a + 1)).min(len))
                }
                _ => None,
            };
            let opts = GetOptions {
                range: range.clone().map(GetRange::Bounded),
                ..GetOptions::default()
            };
            match store.get_opts(&path(task, name), opts).await {
                Ok(res) => {
                    let size = res.meta.size;
                    match res.bytes().await {
                        Ok(bytes) => {
                            let off = range.as_ref().map_or(0, |r| r.start);
                            if range.is_none() && bytes.len() as u64 != size {
                                return Err(format!(
                                    "{name}: head says {size} bytes, the body has {}",
                                    bytes.len()
                                ));
                            }
                            model.observe(name, Some((size, Some((off, &bytes)))))?;
                            Ok(None)
                        }
                        Err(e) => failed(&e),
                    }
                }
                Err(E::NotFound { .. }) => model.observe(name, None).map(|()| None),
                Err(e) => failed(&e),
            }
        }
        Op::Head { name } => match store.head(&path(task, name)).await {
            Ok(meta) => model.observe(name, Some((meta.size, None))).map(|()| None),
            Err(E::NotFound { .. }) => model.observe(name, None).map(|()| None),
            Err(e) => failed(&e),
        },
        Op::Delete { name } => {
            let r = store.delete(&path(task, name)).await;
            model.write(name, None, r.is_ok());
            r.map_or_else(|e| failed(&e), |()| Ok(None))
        }
        Op::Copy { from, to } | Op::Rename { from, to } => {
            let rename = matches!(op, Op::Rename { .. });
            let (f, t) = (path(task, from), path(task, to));
            let r = if rename {
                store.rename(&f, &t).await
            } else {
                store.copy(&f, &t).await
            };
            match r {
                Ok(()) => {
                    if model.states(from).iter().all(Option::is_none) {
                        return Err(format!(
                            "{from}: a copy or rename of an absent object succeeded"
                        ));
                    }
                    model.transfer(from, to, rename, true);
                    Ok(None)
                }
                Err(E::NotFound { .. }) => model.observe(from, None).map(|()| None),
                Err(e) => {
                    model.transfer(from, to, rename, false);
                    failed(&e)
                }
            }
        }
        Op::List { sub } => {
            let prefix = if sub {
                format!("sim/t{task}/dir")
            } else {
                format!("sim/t{task}")
            };
            let listed: Result<Vec<_>, _> = store
                .list(Some(&Path::from(prefix.clone())))
                .try_collect()
                .await;
            match listed {
                Ok(metas) => {
                    let under = |n: &str| !sub || n.starts_with("dir/");
                    check_listing(task, model, &metas, under).map(|()| None)
                }
                Err(e) => failed(&e),
            }
        }
        Op::ListDelimited => {
            let prefix = Path::from(format!("sim/t{task}"));
            match store.list_with_delimiter(Some(&prefix)).await {
                Ok(list) => {
                    for p in &list.common_prefixes {
                        let folder = p.as_ref().rsplit('/').next().unwrap_or_default();
                        if !plan::NAMES
                            .iter()
                            .any(|n| n.starts_with(&format!("{folder}/")))
                        {
                            return Err(format!("a folder nobody made: {p}"));
                        }
                    }
                    check_listing(task, model, &list.objects, |n| !n.contains('/')).map(|()| None)
                }
                Err(e) => failed(&e),
            }
        }
    }
}

async fn put_multipart(store: &dyn ObjectStore, p: &Path, data: Bytes) -> object_store::Result<()> {
    let mut up = store.put_multipart(p).await?;
    let mut at = 0;
    while at < data.len() {
        let end = (at + (5 << 20)).min(data.len());
        if let Err(e) = up.put_part(PutPayload::from(data.slice(at..end))).await {
            let _ = up.abort().await;
            return Err(e);
        }
        at = end;
    }
    match up.complete().await {
        Ok(_) => Ok(()),
        Err(e) => {
            let _ = up.abort().await;
            Err(e)
        }
    }
}

/// A listing of (part of) a task's folder against the model: `under` says which names the
/// listing covers.
fn check_listing(
    task: usize,
    model: &mut Model,
    metas: &[object_store::ObjectMeta],
    under: impl Fn(&str) -> bool,
) -> Result<(), String> {
    let mut seen = BTreeMap::new();
    for m in metas {
        let full = m.location.as_ref();
        // The store's paths are percent-encoded where a name needs it (`x%23y%3F.dat`).
        let Some(known) = plan::NAMES.iter().find(|n| path(task, n).as_ref() == full) else {
            return Err(format!(
                "listed {full}, which nobody put (a partial or temporary file?)"
            ));
        };
        seen.insert(*known, m.size);
    }
    for name in plan::NAMES.iter().filter(|n| under(n)) {
        let r = match seen.get(name) {
            Some(size) => model.observe(name, Some((*size, None))),
            None => model.observe(name, None),
        };
        r.map_err(|e| format!("listing: {e}"))?;
    }
    Ok(())
}

pub(crate) async fn final_check(
    inst: &Instance,
    tasks: &[(usize, Vec<Step>)],
    models: Vec<Model>,
    config: &Config,
    report: &mut Report,
) {
    let store = &*inst.store;
    for ((t, _), mut model) in tasks.iter().zip(models) {
        for name in plan::NAMES {
            let op = Op::Get { name, range: None };
            let r =
                tokio::time::timeout(config.op_timeout, apply(store, *t, &op, &mut model)).await;
            match r {
                Ok(Ok(None)) => {}
                Ok(Ok(Some(e))) => report.violations.push(format!(
                    "end: t{t} {name}: unreadable with no fault pending: {e}"
                )),
                Ok(Err(v)) => report.violations.push(format!("end: t{t}: {v}")),
                Err(_) => report.violations.push(format!("end: t{t} {name}: hung")),
            }
            if model.states(name).len() != 1 {
                report
                    .violations
                    .push(format!("end: t{t} {name}: still undecided"));
            }
        }
        let listed: Result<Vec<_>, _> = store
            .list(Some(&Path::from(format!("sim/t{t}"))))
            .try_collect()
            .await;
        match listed {
            Ok(metas) => {
                if let Err(v) = check_listing(*t, &mut model, &metas, |_| true) {
                    report.violations.push(format!("end: t{t}: {v}"));
                }
            }
            Err(e) => report
                .violations
                .push(format!("end: t{t}: listing failed: {e}")),
        }
    }
    let all: Result<Vec<_>, _> = store.list(None).try_collect().await;
    match all {
        Ok(metas) => {
            for m in metas {
                let p = m.location.as_ref();
                let ours = tasks
                    .iter()
                    .any(|(t, _)| p.starts_with(&format!("sim/t{t}/")));
                if !ours {
                    report
                        .violations
                        .push(format!("end: {p} is outside every task's folder"));
                }
            }
        }
        Err(e) => report
            .violations
            .push(format!("end: the whole listing failed: {e}")),
    }
}

/// Shrinks a failing `plan`: one task alone if that still fails, then chunks of steps taken
/// away while it still fails, each try on a fresh instance. Returns the smallest failing plan
/// and its report.
pub async fn shrink<F, Fut>(make: &F, plan: &Plan, config: &Config) -> (Plan, Report)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Instance, String>>,
{
    let mut budget = config.shrink_budget;
    let mut best = plan.clone();
    let mut best_report = Report::default();
    let fails = |candidate: Plan| async {
        match make().await {
            Ok(inst) => {
                let r = run_plan(&inst, &candidate, config).await;
                (!r.violations.is_empty()).then_some((candidate, r))
            }
            Err(_) => None,
        }
    };
    if best.tasks.len() > 1 {
        for i in 0..best.tasks.len() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            let one = Plan {
                seed: best.seed,
                tasks: vec![best.tasks[i].clone()],
            };
            if let Some((p, r)) = fails(one).await {
                best = p;
                best_report = r;
                break;
            }
        }
    }
    let mut chunk = best.len().max(2) / 2;
    while chunk >= 1 && budget > 0 {
        let mut progressed = false;
        let mut start = 0;
        while start < best.len() && budget > 0 {
            budget -= 1;
            let candidate = without(&best, start, chunk);
            if candidate.is_empty() {
                start += chunk;
                continue;
            }
            if let Some((p, r)) = fails(candidate).await {
                best = p;
                best_report = r;
                progressed = true;
            } else {
                start += chunk;
            }
        }
        if !progressed {
            chunk /= 2;
        }
    }
    (best, best_report)
}

/// `plan` without the `n` steps from the `start`-th (counting across tasks).
fn without(plan: &Plan, start: usize, n: usize) -> Plan {
    let mut at = 0;
    let tasks = plan
        .tasks
        .iter()
        .map(|(t, steps)| {
            let kept = steps
                .iter()
                .filter(|_| {
                    let keep = at < start || at >= start + n;
                    at += 1;
                    keep
                })
                .cloned()
                .collect();
            (*t, kept)
        })
        .collect();
    Plan {
        seed: plan.seed,
        tasks,
    }
}

/// Runs each of `seeds` on a fresh instance; a failing seed is shrunk and reported with its
/// plan. Returns every run's tallies, or the failure.
pub async fn check_seeds<F, Fut>(
    make: F,
    krate: &str,
    seeds: &[u64],
    config: &Config,
) -> Result<Report, String>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Instance, String>>,
{
    let mut total = Report::default();
    for &seed in seeds {
        let plan = Plan::generate(seed, &config.shape);
        let inst = make().await?;
        let r = run_plan(&inst, &plan, config).await;
        drop(inst);
        if !r.violations.is_empty() {
            // Said at once: shrinking replays the plan, up to `shrink_budget` times.
            eprintln!(
                "sim: {krate}: seed {seed} broke the model, shrinking:\n  {}",
                r.violations.join("\n  ")
            );
            let (small, small_report) = shrink(&make, &plan, config).await;
            return Err(format!(
                "{krate}: seed {seed} broke the model:\n  {}\nshrunk to {} steps ({}):\n{small}",
                r.violations.join("\n  "),
                small.len(),
                small_report.violations.join("; "),
            ));
        }
        total.merge(r);
    }
    Ok(total)
}

/// The number in the environment variable `key`, or `default`.
pub(crate) fn env_number(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A long run as `cargo xtask sim` asks for it: seeds from `CLOUD_SIM_FIRST_SEED` (one by
/// default) on, until `CLOUD_SIM_SEEDS` seeds or `CLOUD_SIM_MINUTES` minutes. It prints one
/// summary line (`sim: {json}`) and returns the failure, shrunk, if a seed broke the model.
pub async fn long_run_from_env<F, Fut>(
    make: F,
    krate: &str,
    token_expiry: bool,
) -> Result<Report, String>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Instance, String>>,
{
    let first = env_number("CLOUD_SIM_FIRST_SEED", 1);
    let seeds = env_number("CLOUD_SIM_SEEDS", 20);
    let minutes = env_number("CLOUD_SIM_MINUTES", 0);
    let mut config = Config::ci();
    config.shape.tasks = env_number("CLOUD_SIM_TASKS", 8) as usize;
    config.shape.steps = env_number("CLOUD_SIM_STEPS", 80) as usize;
    config.shape.token_expiry = token_expiry;
    let began = Instant::now();
    let mut total = Report::default();
    let mut ran = 0;
    for seed in first.. {
        let by_count = minutes == 0 && ran >= seeds;
        let by_time = minutes > 0 && began.elapsed() >= Duration::from_secs(minutes * 60);
        if by_count || by_time {
            break;
        }
        let r = check_seeds(&make, krate, &[seed], &config).await;
        ran += 1;
        match r {
            Ok(r) => {
                eprintln!("sim: {krate}: seed {seed}: {} steps, {} ok", r.steps, r.ok);
                total.merge(r);
            }
            Err(e) => {
                println!("sim: {krate}: failed at seed {seed} after {ran} seeds");
                return Err(e);
            }
        }
    }
    println!(
        "sim: {{\"crate\": \"{krate}\", \"seeds\": [{first}, {}], \"steps\": {}, \"ok\": {}, \"errors\": {:?}, \"faults\": {:?}, \"seconds\": {}}}",
        first + ran.saturating_sub(1),
        total.steps,
        total.ok,
        total.errors,
        total.faults,
        began.elapsed().as_secs()
    );
    Ok(total)
}

/// Replays one seed kept as a regression test: `tasks` tasks of `steps` steps each (the
/// shape the seed failed with), on a fresh instance, shrunk and reported if it fails again.
pub async fn regression<F, Fut>(
    make: F,
    krate: &str,
    seed: u64,
    (tasks, steps): (usize, usize),
    token_expiry: bool,
) -> Result<Report, String>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Instance, String>>,
{
    let mut config = Config::ci();
    config.shape.tasks = tasks;
    config.shape.steps = steps;
    config.shape.token_expiry = token_expiry;
    check_seeds(make, krate, &[seed], &config).await
}

/// A crate's `tests/sim.rs`: `fixed_seeds_keep_the_model` (seeds 1-3 of [`Config::ci`]), one
/// test per seed kept as a regression (`name => (seed, tasks, steps)`: the shape it failed
/// with), the ignored `long_run` that `cargo xtask sim` runs and the ignored `soak` of
/// `cargo xtask soak`. `$make` is an async
/// function giving a fresh [`Instance`]; `token_expiry = false` where the credential never
/// expires (the fault is not drawn); `replace_delete` is the route ([`Route`](crate::emulator::Route))
/// of the crate's delete of an object a copy or rename replaces
/// ([`directed::replace_after_a_lost_delete_answer`]).
#[macro_export]
macro_rules! sim_tests {
    (
        crate = $krate:literal,
        token_expiry = $expiry:expr,
        instance = $make:path,
        replace_delete = $delete:expr
        $(, regressions = { $($name:ident => ($seed:expr, $tasks:expr, $steps:expr)),* $(,)? })?
        $(,)?
    ) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn cut_put_leaves_nothing_partial() {
            let inst = $make().await.unwrap_or_else(|e| ::std::panic!("{e}"));
            if let Err(e) = $crate::sim::directed::cut_put_leaves_nothing_partial(&inst).await {
                ::std::panic!("{e}");
            }
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn lost_answers_in_a_replacing_put() {
            let inst = $make().await.unwrap_or_else(|e| ::std::panic!("{e}"));
            if let Err(e) = $crate::sim::directed::lost_answers_in_a_replacing_put(&inst).await {
                ::std::panic!("{e}");
            }
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn replace_after_a_lost_delete_answer() {
            let inst = $make().await.unwrap_or_else(|e| ::std::panic!("{e}"));
            let r = $crate::sim::directed::replace_after_a_lost_delete_answer(&inst, $delete);
            if let Err(e) = r.await {
                ::std::panic!("{e}");
            }
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn fixed_seeds_keep_the_model() {
            let mut config = $crate::sim::Config::ci();
            config.shape.token_expiry = $expiry;
            match $crate::sim::check_seeds($make, $krate, &[1, 2, 3], &config).await {
                Ok(report) => eprintln!("{report:?}"),
                Err(e) => ::std::panic!("{e}"),
            }
        }

        $($(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let shape = ($tasks, $steps);
                match $crate::sim::regression($make, $krate, $seed, shape, $expiry).await {
                    Ok(report) => eprintln!("{report:?}"),
                    Err(e) => ::std::panic!("{e}"),
                }
            }
        )*)?

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        #[ignore = "a long run: cargo xtask sim"]
        async fn long_run() {
            if let Err(e) = $crate::sim::long_run_from_env($make, $krate, $expiry).await {
                ::std::panic!("{e}");
            }
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        #[ignore = "a soak: cargo xtask soak"]
        async fn soak() {
            if let Err(e) = $crate::sim::soak::soak_from_env($make, $krate, $expiry).await {
                ::std::panic!("{e}");
            }
        }
    };
}
