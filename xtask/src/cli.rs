//! The command line of `cargo xtask`: every command's usage and flags, written once, so that
//! `cargo xtask help`, `cargo xtask <cmd> --help` and the check that names the valid flags
//! for an unknown one cannot disagree with each other.

/// One flag of a command.
pub struct Flag {
    /// The flag as typed (`--json`).
    pub name: &'static str,
    /// Another spelling (`-H` for `--header`).
    pub alias: Option<&'static str>,
    /// The placeholder of its value, when it takes one (`FILE`).
    pub value: Option<&'static str>,
    /// What it does.
    pub help: &'static str,
}

/// One command.
pub struct Command {
    /// `ci`, `bench`, ...
    pub name: &'static str,
    /// Its arguments after the name, as a synopsis.
    pub args: &'static str,
    /// One line of what it does.
    pub summary: &'static str,
    /// Its flags.
    pub flags: &'static [Flag],
    /// Flags it does not know are handed on to another program (the emulator's own).
    pub pass_through: bool,
}

const fn flag(name: &'static str, help: &'static str) -> Flag {
    Flag {
        name,
        alias: None,
        value: None,
        help,
    }
}

const fn valued(name: &'static str, value: &'static str, help: &'static str) -> Flag {
    Flag {
        name,
        alias: None,
        value: Some(value),
        help,
    }
}

/// Every command, in the order `cargo xtask help` lists them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "ci",
        args: "[--skip STEP]... [--allow-skip NAME]...",
        summary: "every check and test CI runs, in order (what .ci/run calls); fails on the first failure",
        flags: &[
            valued(
                "--skip",
                "STEP",
                "leave out a step: fmt clippy deny udeps features interop-env surface test mutants doc examples package release-e2e",
            ),
            valued(
                "--allow-skip",
                "NAME",
                "let `interop` or `advisories` be skipped (they fail the run otherwise)",
            ),
        ],
        pass_through: false,
    },
    Command {
        name: "emulator",
        args: "<crate> [--addr 127.0.0.1:PORT] [EMULATOR FLAGS]",
        summary: "one crate's emulator, standalone; prints a JSON line with its base_url and credentials",
        flags: &[valued(
            "--addr",
            "ADDR",
            "where it listens (127.0.0.1 only); every other flag goes to the emulator program: `cargo xtask emulator <crate> --help` lists them",
        )],
        pass_through: true,
    },
    Command {
        name: "bench",
        args: "[harness|acd|orange-cloud|verizon-pcs|kloudless|smartfile]... [--quick] [--json FILE] [--summary]",
        summary: "benchmarks: this SDK vs curl vs the original Python SDK on the same emulator (wall, client CPU, peak RSS)",
        flags: &[
            flag("--quick", "small sizes, for a check that the cases run"),
            valued("--json", "FILE", "also write the rows as JSON"),
            flag("--summary", "print one summary table of every case run"),
        ],
        pass_through: false,
    },
    Command {
        name: "load",
        args: "URL [-H \"K: V\"]... [--requests N] [--connections C]",
        summary: "keep-alive GETs against one URL: an emulator's capacity",
        flags: &[
            Flag {
                name: "--header",
                alias: Some("-H"),
                value: Some("\"K: V\""),
                help: "a header sent with every request",
            },
            valued("--requests", "N", "how many requests in all (10000)"),
            valued("--connections", "C", "how many connections at once (4)"),
        ],
        pass_through: false,
    },
    Command {
        name: "release",
        args: "[CRATE...] [--bump patch|minor|major | --version X.Y.Z] [--registry NAME] [--execute] [--draft-changelog]",
        summary: "checks and publishes the crates in dependency order; a dry run unless --execute",
        flags: &[
            valued("--bump", "patch|minor|major", "the version step"),
            valued("--version", "X.Y.Z", "the version itself"),
            valued("--registry", "NAME", "publish to this registry (from cargo's configuration)"),
            valued("--workspace", "DIR", "release the workspace in DIR (the end-to-end test's copy)"),
            flag("--execute", "write the bump, commit, publish and tag"),
            flag("--draft-changelog", "print a changelog section drafted from the commits"),
        ],
        pass_through: false,
    },
    Command {
        name: "fuzz",
        args: "[CRATE...] [--seconds N]",
        summary: "each crate's cargo-fuzz target (the answer decoders on arbitrary bytes)",
        flags: &[valued("--seconds", "N", "how long each target runs")],
        pass_through: false,
    },
    Command {
        name: "mutants",
        args: "[CRATE...] [--changed REV] [--sample]",
        summary: "mutation testing of the decision code with cargo-mutants",
        flags: &[
            valued("--changed", "REV", "only the files changed since REV"),
            flag("--sample", "cloud-core's retry decision only (what CI runs)"),
        ],
        pass_through: false,
    },
    Command {
        name: "examples",
        args: "[--no-run]",
        summary: "every public client method has an example; the quickstarts, tours and store examples run",
        flags: &[flag("--no-run", "check the examples exist, without running them")],
        pass_through: false,
    },
    Command {
        name: "surface",
        args: "[CRATE...] [--write] [--no-doc]",
        summary: "every public symbol of each original mapped to Rust or excused (surface.toml)",
        flags: &[
            flag("--write", "regenerate the README tables and python_surface.md"),
            flag("--no-doc", "skip the cargo doc run that resolves the mapped paths"),
        ],
        pass_through: false,
    },
    Command {
        name: "sim",
        args: "[CRATE...] [--seeds N] [--minutes M] [--first-seed S] [--tasks T] [--steps K]",
        summary: "long seeded simulation runs against a model (CI runs fixed seeds in its tests)",
        flags: &[
            valued("--seeds", "N", "how many seeds per crate (20)"),
            valued("--minutes", "M", "run seeds for M minutes in all, shared between the crates"),
            valued("--first-seed", "S", "the first seed (1); a failing seed replays with --seeds 1"),
            valued("--tasks", "T", "concurrent tasks (8)"),
            valued("--steps", "K", "steps per task (80)"),
        ],
        pass_through: false,
    },
    Command {
        name: "soak",
        args: "[CRATE...] [--minutes M] [--clients N] [--seed S]",
        summary: "each emulator under N concurrent store tasks for M minutes with faults, state checked against the model",
        flags: &[
            valued("--minutes", "M", "minutes per crate (10)"),
            valued("--clients", "N", "concurrent tasks on one store (64)"),
            valued("--seed", "S", "the seed of every task's steps (1)"),
        ],
        pass_through: false,
    },
    Command {
        name: "help",
        args: "[COMMAND]",
        summary: "this list, or one command's usage and flags",
        flags: &[],
        pass_through: false,
    },
];

/// The command called `name`.
pub fn find(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// Every command, one line each.
pub fn overview() -> String {
    let mut s = String::from("usage: cargo xtask <COMMAND> [ARGS]\n\ncommands:\n");
    for c in COMMANDS {
        s.push_str(&format!("  {:<10}{}\n", c.name, c.summary));
    }
    s.push_str(
        "\n`cargo xtask help <COMMAND>` or `cargo xtask <COMMAND> --help` prints its flags.",
    );
    s
}

impl Command {
    /// Its usage and flags.
    pub fn usage(&self) -> String {
        let mut s = format!(
            "usage: cargo xtask {} {}\n\n{}\n",
            self.name, self.args, self.summary
        );
        if !self.flags.is_empty() {
            s.push_str("\nflags:\n");
        }
        for f in self.flags {
            let mut left = f.name.to_owned();
            if let Some(a) = f.alias {
                left = format!("{a}, {left}");
            }
            if let Some(v) = f.value {
                left = format!("{left} {v}");
            }
            s.push_str(&format!("  {left:<28} {}\n", f.help));
        }
        s.push_str(&format!("  {:<28} {}\n", "-h, --help", "this text"));
        s
    }

    /// Whether `args` ask for help.
    pub fn wants_help(&self, args: &[String]) -> bool {
        // The emulator's own `--help` (after the crate name) belongs to the emulator program.
        let args = if self.pass_through {
            &args[..args.len().min(1)]
        } else {
            args
        };
        args.iter().any(|a| a == "--help" || a == "-h")
    }

    /// An error naming the valid flags when `args` hold a flag this command does not take.
    pub fn check(&self, args: &[String]) -> Result<(), String> {
        if self.pass_through {
            return Ok(());
        }
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if !a.starts_with('-') {
                continue;
            }
            match self
                .flags
                .iter()
                .find(|f| f.name == a || f.alias == Some(a.as_str()))
            {
                Some(f) if f.value.is_some() => {
                    if it.next().is_none() {
                        return Err(format!("{a} needs a value ({})", f.value.unwrap_or("")));
                    }
                }
                Some(_) => {}
                None => {
                    let valid: Vec<&str> = self.flags.iter().map(|f| f.name).collect();
                    return Err(if valid.is_empty() {
                        format!("`cargo xtask {}` takes no flag, not {a}", self.name)
                    } else {
                        format!(
                            "unknown flag {a} for `cargo xtask {}`; its flags: {} (and --help)",
                            self.name,
                            valid.join(", ")
                        )
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn an_unknown_flag_names_the_valid_ones() {
        let bench = find("bench").unwrap();
        let e = bench.check(&args(&["kloudless", "--quik"])).unwrap_err();
        assert!(
            e.contains("--quik") && e.contains("--quick, --json, --summary"),
            "{e}"
        );
        assert!(bench
            .check(&args(&["kloudless", "--json", "x.json", "--quick"]))
            .is_ok());
        assert!(bench
            .check(&args(&["--json"]))
            .unwrap_err()
            .contains("needs a value"));
        let load = find("load").unwrap();
        assert!(load
            .check(&args(&["http://127.0.0.1:1/", "-H", "A: b"]))
            .is_ok());
    }

    #[test]
    fn help_is_asked_for_with_either_spelling_and_the_emulators_own_is_handed_on() {
        assert!(find("bench").unwrap().wants_help(&args(&["--help"])));
        assert!(find("ci").unwrap().wants_help(&args(&["-h"])));
        let emu = find("emulator").unwrap();
        assert!(emu.wants_help(&args(&["--help"])));
        assert!(!emu.wants_help(&args(&["kloudless", "--help"])));
        assert!(emu
            .check(&args(&["kloudless", "--seed-files", "3"]))
            .is_ok());
    }

    #[test]
    fn every_command_documents_every_flag_in_its_usage() {
        for c in COMMANDS {
            let u = c.usage();
            assert!(u.starts_with(&format!("usage: cargo xtask {}", c.name)));
            for f in c.flags {
                assert!(u.contains(f.name), "{}: {}", c.name, f.name);
            }
            assert!(overview().contains(c.summary));
        }
    }
}
