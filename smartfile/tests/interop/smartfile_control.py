"""Drives the SmartFile emulator with the original client (PyPI smartfile 2.19) while scripting
the emulator over its control API (/__emulator/...) with the standard library only, as a test
suite in Python would: a 503 burst the original surfaces as its own exception, the request
log, a reset, then a clean run. Prints one JSON object.

usage: smartfile_control.py BASE_URL KEY PASSWORD
"""
import io
import json
import sys
import urllib.request

from smartfile import BasicClient
from smartfile.errors import ResponseError

base, key, password = sys.argv[1:4]
root = base.rstrip("/")


def control(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(root + "/__emulator" + path, data=data, method=method)
    with urllib.request.urlopen(req) as r:
        return json.load(r)


api = BasicClient(key, password, url=base)
out = {}
api.upload("before-reset.txt", io.StringIO("kept until the reset"))
control("DELETE", "/log")

# A burst of two 503s on path/info: the original raises its ResponseError for each.
control("POST", "/faults", {"times": 2, "method": "GET", "path": "/api/2/path/info/",
                            "status": 503, "body": '{"detail": "scripted outage"}'})
errors = []
for _ in range(2):
    try:
        api.get("/path/info/before-reset.txt")
    except ResponseError as e:
        errors.append(e.status_code)
out["burst"] = errors
out["after_burst_size"] = api.get("/path/info/before-reset.txt")["size"]

log = control("GET", "/log")
out["logged"] = [e["method"] + " " + e["path"] for e in log]
out["authorization_redacted"] = all(e["headers"].get("authorization") == "***" for e in log)

# A reset: the file is gone, the credentials still work, a clean run goes through.
control("POST", "/reset")
try:
    api.get("/path/info/before-reset.txt")
    out["after_reset"] = "still there"
except ResponseError as e:
    out["after_reset"] = e.status_code
api.upload("after-reset.txt", io.StringIO("clean"))
out["clean_children"] = sorted(c["name"] for c in api.get("/path/info", "/", children="on")["children"])

# A fixture: the state dumped, the emulator reset, the dump loaded back, the file read again.
fixture = control("GET", "/state")
control("POST", "/reset")
out["emptied"] = len(api.get("/path/info", "/", children="on")["children"])
control("PUT", "/state", fixture)
out["restored"] = api.get("/path/info/after-reset.txt")["size"]
print(json.dumps(out))
