"""Drives the Amazon Cloud Drive emulator with the original acd_cli 0.3.2 `acdcli.api` while
scripting the emulator over its control API (/__emulator/...) with the standard library only:
a 503 burst acd_cli surfaces as its RequestError, the request log, a reset, then a clean run.
Prints one JSON object.

usage: acd_control.py BASE_URL CACHE_DIR
"""
import json
import sys
import urllib.request

from acdcli.api import client as acd_client
from acdcli.api import oauth
from acdcli.api.common import RequestError

base, cache = sys.argv[1:3]
acd_client._AMZ_ENDPOINT_REQ_URL = base + "/drive/v1/account/endpoint"
oauth.AppspotOAuthHandler.APPSPOT_URL = base + "/appspot/"


def control(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + "/__emulator" + path, data=data, method=method)
    with urllib.request.urlopen(req) as r:
        return json.load(r)


c = acd_client.ACDClient(cache, cache)
c.BOReq._wait = lambda: None  # as the original's own tests do
out = {}
folder = c.create_folder("before-reset")
control("DELETE", "/log")

control("POST", "/faults", {"times": 2, "method": "GET", "path": "/drive/v1/nodes/",
                            "status": 503, "retry_after": "1"})
burst = []
for _ in range(2):
    try:
        c.get_metadata(folder["id"])
    except RequestError as e:
        burst.append(e.status_code)
out["burst"] = burst
out["after_burst"] = c.get_metadata(folder["id"])["name"]
log = control("GET", "/log")
out["logged"] = len(log)
out["authorization_redacted"] = all(e["headers"].get("authorization") == "***" for e in log)

control("POST", "/reset")
try:
    c.get_metadata(folder["id"])
    out["after_reset"] = "still there"
except RequestError as e:
    out["after_reset"] = e.status_code
c.create_folder("after-reset")
out["clean_folders"] = sorted(n["name"] for n in c.get_folder_list() if n.get("name"))

# A fixture: the state dumped, the emulator reset, the dump loaded back.
fixture = control("GET", "/state")
control("POST", "/reset")
out["emptied"] = sorted(n["name"] for n in c.get_folder_list() if n.get("name"))
control("PUT", "/state", fixture)
out["restored"] = sorted(n["name"] for n in c.get_folder_list() if n.get("name"))
print(json.dumps(out))
