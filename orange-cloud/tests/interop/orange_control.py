# -*- coding: utf-8 -*-
"""Drives the emulator through the original Orange Cloud client (orangecloud-client 0.0.2 on
oauth2-client 0.0.12, CPython 2.7) while scripting the emulator over its control API
(/__emulator/...) with urllib2 only: a 503 burst the original surfaces as its ClientError,
the request log, a reset, then a clean run. Prints one JSON line.

    python orange_control.py '<json config>'
"""
import json
import logging
import sys
import urllib2

import orangecloud_client.abstract_domain
import orangecloud_client.api
import orangecloud_client.files
from orangecloud_client.api import ApiManager
from orangecloud_client.error_handling import ClientError

logging.disable(logging.CRITICAL)
cfg = json.loads(sys.argv[1])
base = str(cfg["base_url"])
orangecloud_client.abstract_domain.URL_API = base
orangecloud_client.files.URL_UPLOAD = base
orangecloud_client.api.URL_API = base


def control(method, path, body=None):
    data = None if body is None else json.dumps(body)
    req = urllib2.Request(base + "/__emulator" + path, data=data)
    req.get_method = lambda: method
    return json.load(urllib2.urlopen(req))


m = ApiManager(str(cfg["client_id"]), str(cfg["client_secret"]), str(cfg["redirect_uri"]))
m.init_with_token(str(cfg["refresh_token"]))
out = {}
folder = m.folders.create("before-reset")
control("DELETE", "/log")

control("POST", "/faults", {"times": 2, "method": "GET", "path": "/cloud/v1/folders/",
                            "status": 503})
burst = []
for _ in range(2):
    try:
        m.folders.get(folder.id)
    except ClientError as e:
        burst.append(e.response.status_code)
out["burst"] = burst
out["after_burst"] = m.folders.get(folder.id).name
log = control("GET", "/log")
out["logged"] = len(log)
out["authorization_redacted"] = all(e["headers"].get("authorization") == "***" for e in log)

control("POST", "/reset")
try:
    m.folders.get(folder.id)
    out["after_reset"] = "still there"
except ClientError as e:
    out["after_reset"] = e.response.status_code
m.folders.create("after-reset")
out["clean_root"] = sorted(s.name for s in m.folders.get().subfolders)

# A fixture: the state dumped, the emulator reset, the dump loaded back.
fixture = control("GET", "/state")
control("POST", "/reset")
out["emptied"] = len(m.folders.get().subfolders)
control("PUT", "/state", fixture)
out["restored"] = sorted(s.name for s in m.folders.get().subfolders)
print(json.dumps(out))
