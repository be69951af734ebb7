//! What a run does, fixed by its seed: for each task, a list of steps, each an operation on
//! the task's own keys and, now and then, a fault put into the emulator's plan just before it.

use std::fmt;
use std::time::Duration;

use super::rng::Rng;
use crate::emulator::{Fault, FaultPlan, Route};

/// The names a task's operations use, under its own folder (`sim/t<N>/`): nested, with a
/// space, non-ASCII and URL-reserved characters, so that every path rule is on the way.
pub const NAMES: &[&str] = &[
    "a.txt",
    "b.bin",
    "dir/c.txt",
    "dir/d e.txt",
    "dir/sub/ünï.txt",
    "x#y?.dat",
];

/// One operation, on names of [`NAMES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// A put of `len` bytes made from `seed`; as a multipart upload when `multipart`.
    Put {
        /// The name.
        name: &'static str,
        /// The length.
        len: usize,
        /// The contents' seed.
        seed: u64,
        /// Through `put_multipart` (5 MiB parts).
        multipart: bool,
    },
    /// A get, whole or of the byte range `start..end` (taken modulo the object's length).
    Get {
        /// The name.
        name: &'static str,
        /// A range, when the object is known.
        range: Option<(u64, u64)>,
    },
    /// A head.
    Head {
        /// The name.
        name: &'static str,
    },
    /// A delete.
    Delete {
        /// The name.
        name: &'static str,
    },
    /// A copy.
    Copy {
        /// From.
        from: &'static str,
        /// To.
        to: &'static str,
    },
    /// A rename.
    Rename {
        /// From.
        from: &'static str,
        /// To.
        to: &'static str,
    },
    /// A recursive listing of the task's folder, or of its `dir/`.
    List {
        /// `dir/` rather than the whole folder.
        sub: bool,
    },
    /// A listing of the task's folder with a delimiter.
    ListDelimited,
}

/// A fault put into the emulator's plan before a step (it hits whichever request comes next,
/// this task's or another's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultSpec {
    /// The next `times` requests answer `status`.
    Status {
        /// 500, 502, 503 or 504.
        status: u16,
        /// How many requests.
        times: u32,
    },
    /// The next request answers 429 with this `Retry-After` (seconds).
    RateLimited {
        /// Seconds.
        retry_after: u32,
    },
    /// The next response breaks off after `bytes` of its body.
    CutResponse {
        /// Bytes.
        bytes: u64,
    },
    /// The next request is served, then its connection closes before the answer goes out.
    LoseResponse,
    /// The next request's connection closes after `bytes` of its body were read.
    CutRequest {
        /// Bytes.
        bytes: u64,
    },
    /// The next request waits first.
    Delay {
        /// Milliseconds.
        ms: u64,
    },
    /// Every token issued so far expires.
    ExpireTokens,
}

impl FaultSpec {
    /// Its name in the run's tallies.
    pub fn kind(&self) -> &'static str {
        match self {
            FaultSpec::Status { .. } => "5xx",
            FaultSpec::RateLimited { .. } => "429",
            FaultSpec::CutResponse { .. } => "cut response",
            FaultSpec::LoseResponse => "lost answer",
            FaultSpec::CutRequest { .. } => "cut request",
            FaultSpec::Delay { .. } => "delay",
            FaultSpec::ExpireTokens => "token expiry",
        }
    }

    /// Puts it into `plan`.
    pub fn apply(&self, plan: &FaultPlan) {
        let any = Route::any();
        match *self {
            FaultSpec::Status { status, times } => {
                plan.fail_next(times, any, status, None);
            }
            FaultSpec::RateLimited { retry_after } => {
                plan.fail_next(1, any, 429, Some(&retry_after.to_string()));
            }
            FaultSpec::CutResponse { bytes } => {
                plan.drop_response_after(1, any, bytes);
            }
            FaultSpec::LoseResponse => {
                plan.lose_response(1, any);
            }
            FaultSpec::CutRequest { bytes } => {
                plan.drop_request_after(1, any, bytes);
            }
            FaultSpec::Delay { ms } => {
                plan.add(1, any, Fault::Delay(Duration::from_millis(ms)));
            }
            FaultSpec::ExpireTokens => plan.expire_tokens(),
        }
    }
}

/// One step: a fault (maybe), then an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Put into the plan first.
    pub fault: Option<FaultSpec>,
    /// The operation.
    pub op: Op,
}

/// What a seed generates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// Concurrent tasks (1 to 8).
    pub tasks: usize,
    /// Steps per task.
    pub steps: usize,
    /// The chance of a fault before a step.
    pub fault_rate: f64,
    /// Whether puts may be large multipart uploads (5 to 11 MiB).
    pub large: bool,
    /// Whether the server expires tokens now and then (for clients that refresh them; a
    /// fixed key or token stays valid).
    pub token_expiry: bool,
}

/// The steps of every task.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The seed it came from.
    pub seed: u64,
    /// Task `i`'s steps, on `sim/t<i>/`.
    pub tasks: Vec<(usize, Vec<Step>)>,
}

impl Plan {
    /// The plan of `seed`.
    pub fn generate(seed: u64, shape: &Shape) -> Plan {
        let tasks = (0..shape.tasks.clamp(1, 8))
            .map(|t| {
                let mut r = Rng::derive(seed, t as u64 + 1);
                let steps = (0..shape.steps).map(|_| step(&mut r, shape)).collect();
                (t, steps)
            })
            .collect();
        Plan { seed, tasks }
    }

    /// `n` steps for task `task` from `seed`, any task number (a soak's many clients).
    pub fn task_steps(seed: u64, task: usize, n: usize, shape: &Shape) -> Vec<Step> {
        let mut r = Rng::derive(seed, task as u64 + 1);
        (0..n).map(|_| step(&mut r, shape)).collect()
    }

    /// How many steps in all.
    pub fn len(&self) -> usize {
        self.tasks.iter().map(|(_, s)| s.len()).sum()
    }

    /// Whether it has no step.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "seed {} ({} steps)", self.seed, self.len())?;
        for (t, steps) in &self.tasks {
            for (i, s) in steps.iter().enumerate() {
                match &s.fault {
                    Some(fault) => writeln!(f, "  t{t}#{i}: {fault:?}, then {:?}", s.op)?,
                    None => writeln!(f, "  t{t}#{i}: {:?}", s.op)?,
                }
            }
        }
        Ok(())
    }
}

fn name(r: &mut Rng) -> &'static str {
    r.pick(NAMES).copied().unwrap_or("a.txt")
}

fn two_names(r: &mut Rng) -> (&'static str, &'static str) {
    let from = name(r);
    let mut to = name(r);
    while to == from {
        to = name(r);
    }
    (from, to)
}

fn step(r: &mut Rng, shape: &Shape) -> Step {
    let fault = r
        .chance(shape.fault_rate)
        .then(|| fault(r, shape.token_expiry));
    let op = match r.below(100) {
        0..=29 => {
            let (len, multipart) = match r.below(100) {
                0..=69 => (r.below(2048) as usize, false),
                70..=96 => ((64 << 10) + r.below(448 << 10) as usize, false),
                _ if shape.large => ((5 << 20) + r.below(6 << 20) as usize, true),
                _ => (r.below(2048) as usize, true),
            };
            Op::Put {
                name: name(r),
                len,
                seed: r.next_u64(),
                multipart,
            }
        }
        30..=49 => Op::Get {
            name: name(r),
            range: r.chance(0.3).then(|| {
                let a = r.below(1 << 20);
                (a, a + 1 + r.below(4096))
            }),
        },
        50..=57 => Op::Head { name: name(r) },
        58..=67 => Op::Delete { name: name(r) },
        68..=75 => {
            let (from, to) = two_names(r);
            Op::Copy { from, to }
        }
        76..=83 => {
            let (from, to) = two_names(r);
            Op::Rename { from, to }
        }
        84..=93 => Op::List { sub: r.chance(0.3) },
        _ => Op::ListDelimited,
    };
    Step { fault, op }
}

fn fault(r: &mut Rng, token_expiry: bool) -> FaultSpec {
    match r.below(if token_expiry { 6 } else { 5 }) {
        0 => FaultSpec::Status {
            status: *r.pick(&[500, 502, 503, 504]).unwrap_or(&503),
            times: 1 + r.below(2) as u32,
        },
        1 => FaultSpec::RateLimited {
            retry_after: r.below(2) as u32,
        },
        2 if r.chance(0.3) => FaultSpec::LoseResponse,
        2 => FaultSpec::CutResponse {
            bytes: r.below(4096),
        },
        3 => FaultSpec::CutRequest {
            bytes: r.below(4096),
        },
        4 => FaultSpec::Delay {
            ms: 10 + r.below(200),
        },
        _ => FaultSpec::ExpireTokens,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_one_plan_with_every_kind_of_step() {
        let shape = Shape {
            tasks: 3,
            steps: 400,
            fault_rate: 0.3,
            large: true,
            token_expiry: true,
        };
        let p = Plan::generate(42, &shape);
        assert_eq!(p, Plan::generate(42, &shape));
        assert_ne!(p, Plan::generate(43, &shape));
        assert_eq!(p.len(), 1200);
        let ops: Vec<&Op> = p
            .tasks
            .iter()
            .flat_map(|(_, s)| s.iter().map(|s| &s.op))
            .collect();
        assert!(ops.iter().any(|o| matches!(
            o,
            Op::Put {
                multipart: true,
                ..
            }
        )));
        assert!(ops.iter().any(|o| matches!(o, Op::Rename { .. })));
        assert!(ops.iter().any(|o| matches!(o, Op::ListDelimited)));
        let faults = p
            .tasks
            .iter()
            .flat_map(|(_, s)| s.iter().filter_map(|s| s.fault.as_ref()));
        let kinds: std::collections::BTreeSet<&str> = faults.map(FaultSpec::kind).collect();
        assert_eq!(kinds.len(), 7, "{kinds:?}");
    }
}
