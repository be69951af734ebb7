"""Python's own answers for a table of netrc files: `netrc.netrc(path)` for each file named on
the command line, printed as one JSON line per file ({"hosts": {name: [login, account,
password]}, "macros": {name: [lines]}} or {"error": msg, "lineno": n}). tests/netrc.rs holds
the Rust reader to these answers."""
import json
import netrc
import sys

for path in sys.argv[1:]:
    try:
        rc = netrc.netrc(path)
        out = {"hosts": {k: list(v) for k, v in rc.hosts.items()}, "macros": rc.macros}
    except netrc.NetrcParseError as e:
        out = {"error": e.msg, "lineno": e.lineno}
    print(json.dumps(out, sort_keys=True))
