//! A fault matrix: the standard faults of every emulator, each applied to each call of a
//! crate, each cell run under a time limit and judged, the whole printed as a table.
//!
//! A crate's `tests/faults.rs` names its calls (what each does, the route its faults go to,
//! how to check that nothing was lost) and lets [`Matrix::run`] fill the table; a cell is
//! [`Cell::Recovered`] (the call succeeded and its bytes check out), [`Cell::Error`] (the call
//! returned a specific error and left nothing half-done), or [`Cell::Broken`] (a hang past the
//! limit, a wrong result, a partial file where the final one belongs...), which fails the test.
//!
//! ```
//! # async fn demo() {
//! use std::time::Duration;
//! use cloud_core::emulator::matrix::{Call, Cell, Matrix, StandardFault};
//! use cloud_core::emulator::{FaultPlan, Route};
//!
//! // `plan` is the emulator's (`emu.faults()`); the cell makes the call through its route.
//! let plan = FaultPlan::new();
//! let calls = vec![Call::download("get /x", Route::any())];
//! let mut m = Matrix::new(Duration::from_secs(5));
//! m.run(&plan, &calls, StandardFault::all(), |_call, _fault| async {
//!     // ... the call, then its bytes checked ...
//!     Cell::Recovered
//! })
//! .await;
//! println!("{}", m.table());
//! assert!(m.broken().is_empty(), "{:#?}", m.broken());
//! # }
//! ```

use std::future::Future;
use std::time::Duration;

use super::{Fault, FaultPlan, Route};
use crate::error::ErrorKind;

/// The markers around a crate README's pinned fault table (see [`Matrix::check_pinned`]).
pub const PINNED_BEGIN: &str = "<!-- fault-matrix: pinned by tests/faults.rs -->";
/// The end marker.
pub const PINNED_END: &str = "<!-- /fault-matrix -->";
/// Set to rewrite the pinned tables instead of comparing (after a deliberate change).
pub const UPDATE_PINNED: &str = "CLOUD_SDK_UPDATE_PINNED";

/// What a call does, which decides the faults that apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// Reads a body (downloads): every response fault applies.
    Download,
    /// Sends a body (uploads): request-side drops apply instead of response-side ones.
    Upload,
    /// Pages through a listing: response faults apply, on any page.
    Listing,
    /// One small request and answer.
    Metadata,
}

/// One call of a crate in the matrix.
#[derive(Debug, Clone)]
pub struct Call {
    /// The row's name.
    pub name: String,
    /// What it does.
    pub kind: CallKind,
    /// Where its faults go.
    pub route: Route,
    /// Whether it makes several requests of `route` (chunks, pages, resumed ranges): the
    /// faults that strike a later request apply only then.
    pub multi_request: bool,
}

impl Call {
    fn new(name: &str, kind: CallKind, route: Route) -> Self {
        Self {
            name: name.to_owned(),
            kind,
            route,
            multi_request: false,
        }
    }

    /// A download.
    pub fn download(name: &str, route: Route) -> Self {
        Self::new(name, CallKind::Download, route)
    }

    /// An upload.
    pub fn upload(name: &str, route: Route) -> Self {
        Self::new(name, CallKind::Upload, route)
    }

    /// A listing (add [`Call::multi`] when it pages).
    pub fn listing(name: &str, route: Route) -> Self {
        Self::new(name, CallKind::Listing, route)
    }

    /// A metadata call.
    pub fn metadata(name: &str, route: Route) -> Self {
        Self::new(name, CallKind::Metadata, route)
    }

    /// Marks the call as making several requests of its route.
    pub fn multi(mut self) -> Self {
        self.multi_request = true;
        self
    }
}

/// The standard faults, in the matrix's column order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StandardFault {
    /// Two 500 answers in a row.
    Burst500,
    /// Two 502 answers in a row.
    Burst502,
    /// Two 503 answers in a row.
    Burst503,
    /// One 429 with `Retry-After: 1`.
    RetryAfterSeconds,
    /// One 429 with `Retry-After` an HTTP date about a second ahead.
    RetryAfterDate,
    /// One 429 with `Retry-After` a year ahead: must end in an error, not a year's wait.
    RetryAfterYear,
    /// The answer's body cut off (the connection closed) after 64 KiB for transfers, after
    /// 100 bytes for listings and metadata (whose answers are shorter than 64 KiB).
    DropResponse,
    /// The request's body cut off after 64 KiB (the connection closed).
    DropRequest,
    /// The request served, then the connection closed before any answer (the change made,
    /// the client never told): a call that must not be repeated fails, one that may is sent
    /// again.
    LoseResponse,
    /// The answer's body stalls 2 s (after 64 KiB, or 100 bytes for listings and
    /// metadata), then goes on.
    Stall,
    /// Every access token expires just before the call's first request.
    ExpireToken,
    /// Every access token expires just before the call's second request (a 401 in the
    /// middle of a chunked transfer or a listing).
    ExpireMidTransfer,
}

/// The 64 KiB after which transfer bodies are cut or stalled.
pub const CUT_AT: u64 = 64 << 10;

/// Where the answers of listings and metadata calls are cut or stalled.
pub const SMALL_CUT_AT: u64 = 100;

impl StandardFault {
    /// Every standard fault.
    pub fn all() -> &'static [StandardFault] {
        use StandardFault::*;
        &[
            Burst500,
            Burst502,
            Burst503,
            RetryAfterSeconds,
            RetryAfterDate,
            RetryAfterYear,
            DropResponse,
            DropRequest,
            LoseResponse,
            Stall,
            ExpireToken,
            ExpireMidTransfer,
        ]
    }

    /// The column's name.
    pub fn name(self) -> &'static str {
        match self {
            StandardFault::Burst500 => "500×2",
            StandardFault::Burst502 => "502×2",
            StandardFault::Burst503 => "503×2",
            StandardFault::RetryAfterSeconds => "429 RA 1s",
            StandardFault::RetryAfterDate => "429 RA date",
            StandardFault::RetryAfterYear => "429 RA 1y",
            StandardFault::DropResponse => "resp cut",
            StandardFault::DropRequest => "req cut 64K",
            StandardFault::LoseResponse => "answer lost",
            StandardFault::Stall => "stall 2s",
            StandardFault::ExpireToken => "token expired",
            StandardFault::ExpireMidTransfer => "401 mid-way",
        }
    }

    /// Whether the fault means anything for `call`.
    pub fn applies_to(self, call: &Call) -> bool {
        match self {
            StandardFault::DropResponse | StandardFault::Stall => call.kind != CallKind::Upload,
            StandardFault::DropRequest => call.kind == CallKind::Upload,
            StandardFault::ExpireMidTransfer => call.multi_request,
            _ => true,
        }
    }

    /// Adds the fault to `plan` for `route`; returns how many of its rules must fire for the
    /// fault to have struck at all.
    pub fn apply(self, plan: &FaultPlan, call: &Call) -> u64 {
        let route = &call.route;
        let cut = match call.kind {
            CallKind::Download | CallKind::Upload => CUT_AT,
            CallKind::Listing | CallKind::Metadata => SMALL_CUT_AT,
        };
        let status = |n: u32, code: u16, ra: Option<String>| {
            plan.add(
                n,
                route.clone(),
                Fault::Status {
                    status: code,
                    retry_after: ra,
                    body: None,
                    headers: Vec::new(),
                },
            );
        };
        match self {
            StandardFault::Burst500 => status(2, 500, None),
            StandardFault::Burst502 => status(2, 502, None),
            StandardFault::Burst503 => status(2, 503, None),
            StandardFault::RetryAfterSeconds => status(1, 429, Some("1".into())),
            StandardFault::RetryAfterDate => status(1, 429, Some(http_date_in(2))),
            StandardFault::RetryAfterYear => status(1, 429, Some(http_date_in(365 * 86_400))),
            StandardFault::DropResponse => {
                plan.drop_response_after(1, route.clone(), cut);
            }
            StandardFault::DropRequest => {
                plan.drop_request_after(1, route.clone(), CUT_AT);
            }
            StandardFault::LoseResponse => {
                plan.lose_response(1, route.clone());
            }
            StandardFault::Stall => {
                plan.add(
                    1,
                    route.clone(),
                    Fault::StallResponseAfter(cut, Duration::from_secs(2)),
                );
            }
            StandardFault::ExpireToken => {
                plan.add(1, route.clone(), Fault::ExpireTokens);
            }
            StandardFault::ExpireMidTransfer => {
                // The first request passes untouched; the second finds its token expired.
                plan.add(1, route.clone(), Fault::Delay(Duration::ZERO));
                plan.add(1, route.clone(), Fault::ExpireTokens);
                return 2;
            }
        }
        1
    }
}

/// An error kind's name without its fields (`RateLimited`, `Transport(Body)`), for tables.
pub fn kind_label(kind: &ErrorKind) -> String {
    format!("{kind:?}")
        .split([' ', '{'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Compares `table` with the one pinned in `readme` between `begin` and `end` (the expected
/// outcomes, as data): a difference is an error that shows both lines; with
/// [`UPDATE_PINNED`] set, writes `table` there instead.
pub fn pin_table(
    readme: &std::path::Path,
    begin: &str,
    end: &str,
    table: &str,
) -> Result<(), String> {
    let text = std::fs::read_to_string(readme).map_err(|e| format!("{}: {e}", readme.display()))?;
    let (Some(b), Some(e)) = (text.find(begin), text.find(end)) else {
        return Err(format!(
            "{} has no pinned table ({begin} ... {end})",
            readme.display()
        ));
    };
    let start = b + begin.len();
    let pinned = text.get(start..e).unwrap_or_default().trim();
    let now = table.trim();
    if pinned == now {
        return Ok(());
    }
    if std::env::var_os(UPDATE_PINNED).is_some() {
        let updated = format!("{}\n{now}\n{}", &text[..start], &text[e..]);
        return std::fs::write(readme, updated).map_err(|e| format!("{}: {e}", readme.display()));
    }
    let mut diff = String::new();
    for (want, got) in pinned.lines().zip(now.lines()) {
        if want != got {
            diff.push_str(&format!("- {want}\n+ {got}\n"));
        }
    }
    Err(format!(
        "the outcomes differ from the table pinned in {} (set {UPDATE_PINNED}=1 to accept a \
         deliberate change):\n{diff}",
        readme.display()
    ))
}

/// An HTTP date `secs` seconds from now.
fn http_date_in(secs: u64) -> String {
    httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(secs))
}

/// The verdict on one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// The call succeeded and what it moved checks out.
    Recovered,
    /// The call returned this specific error (its variant) and left nothing half-done.
    Error(String),
    /// A failure of the crate: a hang, a wrong result, a partial file.
    Broken(String),
    /// The call succeeded with a side effect the original SDK has too, kept because the call
    /// is a faithful one (the crate's README says what the layer above it does about it).
    Faithful(String),
    /// The fault does not apply to the call.
    NotApplicable,
}

impl Cell {
    /// An error's verdict: [`Cell::Error`] with the error's variant (the start of its
    /// `Debug`) and its [`ErrorKind`] (`Request/Server`), as long as `left_clean` holds: the
    /// caller measures it (no file under the final name, no partial file, nothing stored half
    /// or twice in the emulator), never passes a constant.
    pub fn from_error(e: &dyn std::fmt::Debug, kind: &ErrorKind, left_clean: bool) -> Cell {
        let shown = format!("{e:?}");
        let variant: String = shown
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let label = format!("{variant}/{}", kind_label(kind));
        if left_clean {
            Cell::Error(label)
        } else {
            Cell::Broken(format!("{label}, and something was left half-done"))
        }
    }

    fn short(&self) -> String {
        match self {
            Cell::Recovered => "ok".into(),
            Cell::Error(v) => format!("err {v}"),
            Cell::Broken(why) => format!("BROKEN: {why}"),
            Cell::Faithful(what) => format!("ok, {what}"),
            Cell::NotApplicable => "–".into(),
        }
    }
}

/// The matrix: rows of calls, columns of faults.
#[derive(Debug)]
pub struct Matrix {
    limit: Duration,
    faults: Vec<StandardFault>,
    rows: Vec<(String, Vec<Cell>)>,
}

impl Matrix {
    /// An empty matrix whose cells each get `limit` (past it, the cell is broken: a hang).
    pub fn new(limit: Duration) -> Self {
        Self {
            limit,
            faults: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// Runs every applicable (call, fault) cell: the plan is cleared, the fault added for the
    /// call's route, then `cell(call, fault)` runs under the time limit. Cells run one after
    /// the other.
    pub async fn run<F, Fut>(
        &mut self,
        plan: &FaultPlan,
        calls: &[Call],
        faults: &[StandardFault],
        mut cell: F,
    ) where
        F: FnMut(Call, StandardFault) -> Fut,
        Fut: Future<Output = Cell>,
    {
        self.faults = faults.to_vec();
        for call in calls {
            let mut cells = Vec::new();
            for &fault in faults {
                if !fault.applies_to(call) {
                    cells.push(Cell::NotApplicable);
                    continue;
                }
                plan.clear();
                let before = plan.fired_count();
                let needed = fault.apply(plan, call);
                let verdict =
                    match tokio::time::timeout(self.limit, cell(call.clone(), fault)).await {
                        Ok(_) if plan.fired_count() < before + needed => Cell::Broken(
                            "the fault never struck: the call did not use its route".into(),
                        ),
                        Ok(v) => v,
                        Err(_) => Cell::Broken(format!("no answer within {:?}", self.limit)),
                    };
                plan.clear();
                cells.push(verdict);
            }
            self.rows.push((call.name.clone(), cells));
        }
    }

    /// The broken cells, as `call × fault: why`.
    pub fn broken(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (call, cells) in &self.rows {
            for (cell, fault) in cells.iter().zip(&self.faults) {
                if let Cell::Broken(why) = cell {
                    out.push(format!("{call} × {}: {why}", fault.name()));
                }
            }
        }
        out
    }

    /// (recovered, specific errors, broken, applicable cells).
    pub fn totals(&self) -> (usize, usize, usize, usize) {
        let cells = self.rows.iter().flat_map(|(_, c)| c.iter());
        let (mut ok, mut err, mut broken, mut total) = (0, 0, 0, 0);
        for c in cells {
            match c {
                Cell::Recovered | Cell::Faithful(_) => ok += 1,
                Cell::Error(_) => err += 1,
                Cell::Broken(_) => broken += 1,
                Cell::NotApplicable => continue,
            }
            total += 1;
        }
        (ok, err, broken, total)
    }

    /// Compares the whole table with the one pinned in `readme` between [`PINNED_BEGIN`] and
    /// [`PINNED_END`] (the expected outcome of every cell, as data: recovered, or the exact
    /// error variant and kind), so that any changed outcome fails and shows in the diff; with
    /// [`UPDATE_PINNED`] set, writes the table there instead. The README's table is this data.
    pub fn check_pinned(&self, readme: &std::path::Path) -> Result<(), String> {
        pin_table(readme, PINNED_BEGIN, PINNED_END, &self.table())
    }

    /// The matrix as a Markdown table, with the totals under it.
    pub fn table(&self) -> String {
        let mut t = String::from("| call |");
        for f in &self.faults {
            t.push_str(&format!(" {} |", f.name()));
        }
        t.push_str("\n|---|");
        t.push_str(&"---|".repeat(self.faults.len()));
        t.push('\n');
        for (call, cells) in &self.rows {
            t.push_str(&format!("| {call} |"));
            for c in cells {
                t.push_str(&format!(" {} |", c.short()));
            }
            t.push('\n');
        }
        let (ok, err, broken, total) = self.totals();
        t.push_str(&format!(
            "\n{ok} recovered, {err} specific errors, {broken} broken, of {total} cells\n"
        ));
        t
    }
}
