//! `.netrc` files read as Python's `netrc` module reads them (CPython 3.11, the interop
//! environment's): the same tokens (whitespace-separated, `"quoted"` with backslash escapes, a
//! backslash escaping the next character anywhere), the same comments (a `#` token skips the
//! rest of its line only when it began on the line the previous token ended on, as the
//! original's line counter decides), `macdef` bodies up to an empty line, `login` or `user`,
//! the last entry of a machine winning, `default` for any other host, and the same errors. The
//! permission check applies to the user's own `~/.netrc` only, as Python's: owned by the user,
//! no access for group or others, unless the entry's login is `anonymous`.
//!
//! No maintained crate reads netrc files the way Python does (quoting, escapes, the comment
//! rule and the permission check all differ): `tests/netrc.rs` holds this reader to Python's
//! answers over a table of files.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use cloud_core::Secret;

/// One `machine` (or `default`) entry: `(login, account, password)` as Python returns them,
/// empty strings for what the entry does not give.
#[derive(Clone, PartialEq, Eq)]
pub struct NetrcEntry {
    /// `login` (or `user`).
    pub login: String,
    /// `account`.
    pub account: String,
    /// `password`.
    pub password: Secret,
}

impl fmt::Debug for NetrcEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetrcEntry")
            .field("login", &self.login)
            .field("account", &self.account)
            .field("password", &self.password)
            .finish()
    }
}

/// `NetrcParseError`: the message and the line, as Python reports them (`"msg (file, line
/// N)"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetrcParseError {
    /// The message (Python's words).
    pub msg: String,
    /// The file, when read from one.
    pub filename: Option<PathBuf>,
    /// Python's line counter where the error was found (`None` for the permission check).
    pub lineno: Option<usize>,
}

impl fmt::Display for NetrcParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self
            .filename
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "None".into());
        let line = self
            .lineno
            .map(|n| n.to_string())
            .unwrap_or_else(|| "None".into());
        write!(f, "{} ({file}, line {line})", self.msg)
    }
}

impl std::error::Error for NetrcParseError {}

/// A parsed netrc file (`netrc.netrc`).
#[derive(Debug, Clone, Default)]
pub struct Netrc {
    hosts: BTreeMap<String, NetrcEntry>,
    macros: BTreeMap<String, Vec<String>>,
}

/// Python's `_netrclex` over a string: a character cursor whose line counter only moves when
/// a token reads a newline (`readline` skips without counting, as Python's does).
struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    lineno: usize,
    pushback: Vec<String>,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            chars: text.chars().peekable(),
            lineno: 1,
            pushback: Vec::new(),
        }
    }

    fn read_char(&mut self) -> Option<char> {
        let c = self.chars.next();
        if c == Some('\n') {
            self.lineno += 1;
        }
        c
    }

    /// An escaped character: the next one, or nothing at the end (Python adds `""`).
    fn escaped(&mut self) -> Option<char> {
        self.read_char()
    }

    fn get_token(&mut self) -> String {
        if !self.pushback.is_empty() {
            return self.pushback.remove(0);
        }
        let ws = |c: char| matches!(c, '\n' | '\t' | '\r' | ' ');
        let mut token = String::new();
        while let Some(c) = self.read_char() {
            if ws(c) {
                continue;
            }
            if c == '"' {
                while let Some(c) = self.read_char() {
                    if c == '"' {
                        return token;
                    }
                    let c = if c == '\\' { self.escaped() } else { Some(c) };
                    token.extend(c);
                }
                return token;
            }
            let c = if c == '\\' { self.escaped() } else { Some(c) };
            token.extend(c);
            while let Some(c) = self.read_char() {
                if ws(c) {
                    return token;
                }
                let c = if c == '\\' { self.escaped() } else { Some(c) };
                token.extend(c);
            }
            return token;
        }
        token
    }

    /// `instream.readline()`: the rest of the line with its newline, uncounted.
    fn readline(&mut self) -> String {
        let mut line = String::new();
        for c in self.chars.by_ref() {
            line.push(c);
            if c == '\n' {
                break;
            }
        }
        line
    }
}

impl Netrc {
    /// Parses netrc text (no permission check: that belongs to the user's own file).
    pub fn parse(text: &str) -> Result<Self, NetrcParseError> {
        Self::parse_checked(text, None, &mut |_| Ok(()))
    }

    /// `netrc(file)`: `Some(path)` reads that file; `None` reads `~/.netrc` (`$HOME`) and
    /// applies Python's permission check to it. A file that is not UTF-8 is read as Latin-1
    /// (Python falls back to the locale's encoding).
    pub fn read(file: Option<&Path>) -> Result<Self, NetrcParseError> {
        let (path, own) = match file {
            Some(p) => (p.to_owned(), false),
            None => {
                let home = std::env::var_os("HOME").ok_or_else(|| NetrcParseError {
                    msg: "no home folder ($HOME is not set)".into(),
                    filename: None,
                    lineno: None,
                })?;
                (PathBuf::from(home).join(".netrc"), true)
            }
        };
        let io = |e: std::io::Error| NetrcParseError {
            msg: e.to_string(),
            filename: Some(path.clone()),
            lineno: None,
        };
        let bytes = std::fs::read(&path).map_err(io)?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => e.into_bytes().iter().map(|b| char::from(*b)).collect(),
        };
        let meta = std::fs::metadata(&path).map_err(io)?;
        let mut check = |login: &str| -> Result<(), NetrcParseError> {
            if own && login != "anonymous" {
                permission_check(&meta)?;
            }
            Ok(())
        };
        Self::parse_checked(&text, Some(&path), &mut check).map_err(|mut e| {
            e.filename.get_or_insert(path.clone());
            e
        })
    }

    fn parse_checked(
        text: &str,
        file: Option<&Path>,
        check: &mut dyn FnMut(&str) -> Result<(), NetrcParseError>,
    ) -> Result<Self, NetrcParseError> {
        let err = |msg: String, lineno: usize| NetrcParseError {
            msg,
            filename: file.map(Path::to_owned),
            lineno: Some(lineno),
        };
        let mut out = Netrc::default();
        let mut lexer = Lexer::new(text);
        loop {
            let saved_lineno = lexer.lineno;
            let tt = lexer.get_token();
            if tt.is_empty() {
                break;
            }
            let entryname = if tt.starts_with('#') {
                if lexer.lineno == saved_lineno && tt.chars().count() == 1 {
                    lexer.readline();
                }
                continue;
            } else if tt == "machine" {
                lexer.get_token()
            } else if tt == "default" {
                "default".to_owned()
            } else if tt == "macdef" {
                let name = lexer.get_token();
                let mut body = Vec::new();
                loop {
                    let line = lexer.readline();
                    if line.is_empty() {
                        return Err(err(
                            "Macro definition missing null line terminator.".into(),
                            lexer.lineno,
                        ));
                    }
                    if line == "\n" {
                        break;
                    }
                    body.push(line);
                }
                out.macros.insert(name, body);
                continue;
            } else {
                return Err(err(
                    format!("bad toplevel token {}", py_repr(&tt)),
                    lexer.lineno,
                ));
            };
            if entryname.is_empty() {
                return Err(err(format!("missing {} name", py_repr(&tt)), lexer.lineno));
            }
            let (mut login, mut account, mut password) =
                (String::new(), String::new(), String::new());
            loop {
                let prev_lineno = lexer.lineno;
                let tt = lexer.get_token();
                if tt.starts_with('#') {
                    if lexer.lineno == prev_lineno {
                        lexer.readline();
                    }
                    continue;
                }
                match tt.as_str() {
                    "" | "machine" | "default" | "macdef" => {
                        lexer.pushback.push(tt);
                        break;
                    }
                    "login" | "user" => login = lexer.get_token(),
                    "account" => account = lexer.get_token(),
                    "password" => password = lexer.get_token(),
                    _ => {
                        return Err(err(
                            format!("bad follower token {}", py_repr(&tt)),
                            lexer.lineno,
                        ))
                    }
                }
            }
            check(&login)?;
            out.hosts.insert(
                entryname,
                NetrcEntry {
                    login,
                    account,
                    password: Secret::new(password),
                },
            );
        }
        Ok(out)
    }

    /// `authenticators(host)`: the host's entry, else `default`'s, else `None`.
    pub fn authenticators(&self, host: &str) -> Option<&NetrcEntry> {
        self.hosts.get(host).or_else(|| self.hosts.get("default"))
    }

    /// The `macdef` bodies (`macros`), each a list of lines with their newlines.
    pub fn macros(&self) -> &BTreeMap<String, Vec<String>> {
        &self.macros
    }
}

/// Python's `%r` of a string in the error messages (single quotes unless the text holds one).
fn py_repr(s: &str) -> String {
    if s.contains('\'') && !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

#[cfg(unix)]
fn permission_check(meta: &std::fs::Metadata) -> Result<(), NetrcParseError> {
    use std::os::unix::fs::MetadataExt;
    let fail = |msg: &str| NetrcParseError {
        msg: msg.into(),
        filename: None,
        lineno: None,
    };
    // The owner: compared with the owner of a file this process creates (the effective uid,
    // without libc).
    if let Some(uid) = current_uid() {
        if meta.uid() != uid {
            return Err(fail(&format!(
                "~/.netrc file owner (uid {}, uid {uid}) does not match current user",
                meta.uid()
            )));
        }
    }
    if meta.mode() & 0o077 != 0 {
        return Err(fail(
            "~/.netrc access too permissive: access permissions must restrict access to only the owner",
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn permission_check(_meta: &std::fs::Metadata) -> Result<(), NetrcParseError> {
    // Python checks on POSIX only.
    Ok(())
}

/// The process's uid, read from `/proc/self` where there is one (Linux), else from a file
/// created in the temporary folder.
#[cfg(unix)]
fn current_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    if let Ok(m) = std::fs::metadata("/proc/self") {
        return Some(m.uid());
    }
    let dir = std::env::temp_dir();
    let probe = dir.join(format!(".smartfile-uid-{}", std::process::id()));
    let made = std::fs::File::create(&probe).and_then(|f| f.metadata());
    let _ = std::fs::remove_file(&probe);
    made.ok().map(|m| m.uid())
}
