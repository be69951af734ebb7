//! The netrc reader against Python's `netrc` module: a table of files (comments, quoting,
//! escapes, `macdef`, `user`, repeated machines, `default`, the errors), each read by both;
//! the answers must be the same. The interop test needs the interop Python
//! (`CLOUD_SDK_INTEROP_PYTHON`); the pinned cases below run everywhere.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{json, Value};
use smartfile::netrc::Netrc;

/// The table: files as Python and this reader must both read them.
const FILES: &[&str] = &[
    "machine a login L password P\n",
    "machine a\n  login L\n  password P\n  account A\nmachine b user U password Q\n",
    "machine a login first password 1\nmachine a login second password 2\n",
    "default login D password DP\nmachine a login L password P\n",
    "# a comment line\nmachine a login L password P\n",
    "machine a login L password P # a trailing comment\nmachine b login M password Q\n",
    "machine a login L password P\n# a comment on its own line\nmachine b login M password Q\n",
    "machine a login L password P \n# after a trailing space\nmachine b login M password Q\n",
    "#nospace comment\nmachine a login L password P\n",
    "machine a login L password #notacomment\n",
    "machine a login \"with space\" password \"q\\\"uote\"\n",
    "machine a login back\\ slash password p\\\\q\n",
    "machine \"\" login L password P\n",
    "macdef init\ncd /pub\nget file\n\nmachine a login L password P\n",
    "macdef init\ncd /pub\n",
    "machine a login L password P\nmacdef m\nline one\n\n",
    "bogus a\n",
    "machine a login L frobnicate x\n",
    "machine\n",
    "machine a login L password P\r\nmachine b login M password Q\r\n",
    "\tmachine\ta\tlogin\tL\tpassword\tP",
    "machine a login L password \"unterminated\n",
    "machine a login L password P\n\"\" machine b login M password Q\n",
    "machine é login ü password ß\n",
    "",
];

fn rust_answer(text: &str) -> Value {
    match Netrc::parse(text) {
        Ok(rc) => {
            let mut hosts = serde_json::Map::new();
            for name in host_names() {
                if let Some(e) = rc.authenticators(&name) {
                    hosts.insert(
                        name.clone(),
                        json!([e.login, e.account, e.password.expose()]),
                    );
                }
            }
            json!({"hosts": hosts, "macros": rc.macros()})
        }
        Err(e) => json!({"error": e.msg, "lineno": e.lineno}),
    }
}

/// Every name the table's files could define (the reader exposes lookups, not a listing).
fn host_names() -> Vec<String> {
    ["a", "b", "default", "", "é"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Python's answer reduced to what `rust_answer` can see: a lookup of each name, `default`
/// standing in for a name the file lacks.
fn comparable(py: &Value) -> Value {
    let Some(hosts) = py.get("hosts").and_then(Value::as_object) else {
        return py.clone();
    };
    let mut out = serde_json::Map::new();
    for name in host_names() {
        if let Some(v) = hosts.get(&name).or_else(|| hosts.get("default")) {
            out.insert(name, v.clone());
        }
    }
    json!({"hosts": out, "macros": py["macros"]})
}

#[test]
fn pinned_answers() {
    let a = rust_answer(FILES[2]);
    assert_eq!(
        a["hosts"]["a"],
        json!(["second", "", "2"]),
        "the last entry wins"
    );
    let a = rust_answer(FILES[7]);
    assert_eq!(
        a["error"], "bad follower token 'after'",
        "a comment after a trailing space is only a token, as Python's line counter has it"
    );
    let a = rust_answer(FILES[10]);
    assert_eq!(a["hosts"]["a"], json!(["with space", "", "q\"uote"]));
    let a = rust_answer(FILES[13]);
    assert_eq!(a["macros"]["init"], json!(["cd /pub\n", "get file\n"]));
    assert_eq!(a["hosts"]["a"], json!(["L", "", "P"]));
    assert_eq!(
        rust_answer(FILES[14])["error"],
        "Macro definition missing null line terminator."
    );
    assert_eq!(
        rust_answer(FILES[16])["error"],
        "bad toplevel token 'bogus'"
    );
    assert_eq!(rust_answer(FILES[18])["error"], "missing 'machine' name");
    assert_eq!(rust_answer(FILES[3])["hosts"]["b"], json!(["D", "", "DP"]));
}

#[test]
fn interop_python_netrc_reads_the_table_the_same() {
    let Some(py) = cloud_core::emulator::interop_vars_or_skip(&["CLOUD_SDK_INTEROP_PYTHON"])
        .unwrap()
        .map(|v| v[0].clone())
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<String> = FILES
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let p = dir.path().join(format!("netrc{i}"));
            std::fs::write(&p, text).unwrap();
            p.display().to_string()
        })
        .collect();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/netrc_answers.py"
    );
    let out = std::process::Command::new(&py)
        .arg(script)
        .args(&paths)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), FILES.len());
    for (i, (text, py)) in FILES.iter().zip(&answers).enumerate() {
        assert_eq!(rust_answer(text), comparable(py), "file {i}: {text:?}");
    }
}

/// `~/.netrc` (no file given) gets Python's permission check; a named file does not.
#[cfg(unix)]
#[test]
fn the_users_own_netrc_must_be_private_unless_anonymous() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join(".netrc");
    std::env::set_var("HOME", home.path());
    let set = |text: &str, mode: u32| {
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    set("machine a login L password P\n", 0o644);
    assert_eq!(Netrc::read(None).unwrap_err().msg, TOO_PERMISSIVE);
    // The same file named explicitly: no check.
    assert!(Netrc::read(Some(&path)).is_ok());
    set("machine a login L password P\n", 0o600);
    assert_eq!(
        Netrc::read(None)
            .unwrap()
            .authenticators("a")
            .unwrap()
            .login,
        "L"
    );
    set("machine a login anonymous password P\n", 0o644);
    assert!(Netrc::read(None).is_ok());
}

const TOO_PERMISSIVE: &str =
    "~/.netrc access too permissive: access permissions must restrict access to only the owner";

/// Python's own `netrc.netrc()` refuses the same file with the same words.
#[cfg(unix)]
#[test]
fn interop_python_refuses_a_readable_netrc_the_same() {
    use std::os::unix::fs::PermissionsExt;
    let Some(py) = cloud_core::emulator::interop_vars_or_skip(&["CLOUD_SDK_INTEROP_PYTHON"])
        .unwrap()
        .map(|v| v[0].clone())
    else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join(".netrc");
    std::fs::write(&path, "machine a login L password P\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = std::process::Command::new(py)
        .args([
            "-c",
            "import netrc\ntry:\n    netrc.netrc(); print('ok')\nexcept netrc.NetrcParseError as e:\n    print(e.msg)",
        ])
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), TOO_PERMISSIVE);
}
