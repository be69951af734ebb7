"""Drives the Kloudless emulator with the original SDK (PyPI kloudless 2.0.1) while scripting
the emulator over its control API (/__emulator/...) with the standard library only: a 503
burst the SDK surfaces as its ServerException, the request log, expired tokens surfaced as
AuthorizationException, a reset, then a clean run. Prints one JSON object.

usage: kloudless_control.py BASE_URL TOKEN
"""
import json
import logging
import sys
import urllib.request

from kloudless import Account, configuration
from kloudless.exceptions import AuthorizationException, NotFoundException, ServerException

logging.disable(logging.CRITICAL)
base, token = sys.argv[1:3]
configuration['base_url'] = base


def control(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base.rstrip("/") + "/__emulator" + path, data=data, method=method)
    with urllib.request.urlopen(req) as r:
        return json.load(r)


account = Account(token=token)
out = {}
folder = account.post("storage/folders", json={"parent_id": "root", "name": "before-reset"})
control("DELETE", "/log")

control("POST", "/faults", {"times": 2, "path": "/v1/accounts/me/storage/folders/",
                            "status": 503})
burst = []
for _ in range(2):
    try:
        account.get("storage/folders/%s" % folder.data["id"])
    except ServerException as e:
        burst.append(e.status)
out["burst"] = burst
out["after_burst"] = account.get("storage/folders/%s" % folder.data["id"]).data["name"]
log = control("GET", "/log")
out["logged"] = len(log)
out["authorization_redacted"] = all(e["headers"].get("authorization") == "***" for e in log)

control("POST", "/reset")
try:
    account.get("storage/folders/%s" % folder.data["id"])
    out["after_reset"] = "still there"
except NotFoundException as e:
    out["after_reset"] = e.status
account.post("storage/folders", json={"parent_id": "root", "name": "after-reset"})
out["clean_root"] = sorted(o.data["name"] for o in account.get("storage/folders/root/contents"))

# A fixture: the state dumped, the emulator reset, the dump loaded back.
fixture = control("GET", "/state")
control("POST", "/reset")
out["emptied"] = len(list(account.get("storage/folders/root/contents")))
control("PUT", "/state", fixture)
out["restored"] = sorted(o.data["name"] for o in account.get("storage/folders/root/contents"))

control("POST", "/tokens/expire")
try:
    account.get("storage/folders/root")
    out["expired"] = "still valid"
except AuthorizationException as e:
    out["expired"] = e.status
print(json.dumps(out))
