//! [`interop_env`]: whether an interop test (the original Python SDK against an emulator) can
//! run, must run, or may be skipped, so that a missing Python environment is never a silent
//! pass. `cargo xtask ci` sets [`REQUIRE_INTEROP`] unless it was told `--allow-skip interop`.

/// Set (to anything) by `cargo xtask ci`: a missing interop environment is then a failure.
pub const REQUIRE_INTEROP: &str = "CLOUD_SDK_REQUIRE_INTEROP";

/// What an interop test finds in its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InteropEnv {
    /// Every variable is set: their values, in the order asked.
    Ready(Vec<String>),
    /// A variable is missing and nothing requires the test: skip it, saying why.
    Skip(String),
    /// A variable is missing and CI requires the test: fail with this reason.
    Missing(String),
}

/// Reads `vars` (each must be set and non-empty).
pub fn interop_env(vars: &[&str]) -> InteropEnv {
    let mut values = Vec::with_capacity(vars.len());
    for var in vars {
        match std::env::var(var).ok().filter(|v| !v.is_empty()) {
            Some(v) => values.push(v),
            None => {
                let why = format!(
                    "{var} is not set: the interop environment is missing (run `cargo xtask ci`)"
                );
                return if std::env::var_os(REQUIRE_INTEROP).is_some() {
                    InteropEnv::Missing(why)
                } else {
                    InteropEnv::Skip(why)
                };
            }
        }
    }
    InteropEnv::Ready(values)
}

/// For an interop test: `Ok(Some(values))` to run, `Ok(None)` after printing why it is
/// skipped (the test returns), `Err(reason)` when CI requires it and it cannot run (the test
/// fails with it).
pub fn interop_vars_or_skip(vars: &[&str]) -> Result<Option<Vec<String>>, String> {
    match interop_env(vars) {
        InteropEnv::Ready(v) => Ok(Some(v)),
        InteropEnv::Skip(why) => {
            eprintln!("interop test SKIPPED: {why}");
            Ok(None)
        }
        InteropEnv::Missing(why) => Err(format!("interop test required but cannot run: {why}")),
    }
}

/// Runs an interop script (`python script args...`, with extra environment variables such as
/// `PYTHONPATH`) and decodes the one JSON object it prints; a failing script is an error
/// carrying its standard error.
pub async fn run_python_json(
    python: &str,
    script: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<serde_json::Value, String> {
    let out = tokio::process::Command::new(python)
        .arg(script)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .await
        .map_err(|e| format!("{python}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{} failed:\n{}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "{}: not one JSON object ({e}):\n{}",
            script.display(),
            String::from_utf8_lossy(&out.stdout)
        )
    })
}
