"""Drives the Kloudless emulator with the original SDK (PyPI kloudless 2.0.1) through its
public API, configuration['base_url'] pointed at the emulator. Prints one JSON object.

usage: kloudless_interop.py BASE_URL APP_ID API_KEY TOKEN RUST_FILE_ID
"""
import hashlib
import json
import logging
import sys
from urllib.parse import parse_qs, urlparse

import requests

import kloudless
from kloudless import (Account, configuration, get_authorization_url, get_token_from_code,
                       get_verified_account, verify_token)
from kloudless.exceptions import NotFoundException, OauthFlowFailed

logging.disable(logging.CRITICAL)
base, app_id, api_key, token, rust_file_id = sys.argv[1:6]
configuration['base_url'] = base
account = Account(token=token)
out = {}

acc = account.get()
out["account_url"] = acc.url
out["apis"] = acc.data["apis"]

# Storage (the README's flow): list the root, download a file, upload one.
f = account.get("storage/files/%s" % rust_file_id)
out["rust_file_url"] = f.url
contents = f.get("contents")
out["rust_file_sha256"] = hashlib.sha256(contents.content).hexdigest()
data = bytes(range(256)) * 2000
up = account.post("storage/files", data=data,
                  headers={"X-Kloudless-Metadata": json.dumps({"parent_id": "root", "name": "from-python.bin"})})
out["py_file_id"] = up.data["id"]
out["py_file_sha256"] = hashlib.sha256(data).hexdigest()
root = account.get("storage/folders/root/contents")
out["root_names"] = sorted(r.data["name"] for r in root.get_paging_iterator())
folder = account.post("storage/folders", json={"name": "py-folder", "parent_id": "root"})
for i in range(5):
    account.post("storage/files", data=b"x",
                 headers={"X-Kloudless-Metadata": json.dumps({"parent_id": folder.data["id"], "name": "p%d.txt" % i})})
lst = folder.get("contents", params={"page_size": 2})
out["paged"] = [r.data["name"] for r in lst.get_paging_iterator()]
renamed = account.patch("storage/files/%s" % up.data["id"], json={"name": "renamed.bin"})
out["renamed"] = renamed.data["name"]
copy = renamed.post("copy", json={"parent_id": folder.data["id"]})
out["copy_parent"] = copy.data["parent"]["id"] == folder.data["id"]

# Calendar: the primary calendar, events page by page, create an event.
cal = account.get("cal/calendars/primary")
out["cal_url"] = cal.url
for i in range(3):
    ev = cal.post("events", json={"start": "2019-01-01T12:30:00Z", "end": "2019-01-01T13:30:00Z", "name": "Event %d" % i})
out["event_url"] = ev.url
events = cal.get("events", params={"page_size": 2})
out["cal_events"] = [e.data["name"] for e in events.get_paging_iterator()]

# Events by cursor.
out["latest"] = account.get("events/latest").data["cursor"]
evs = account.get("events", params={"cursor": 0, "page_size": 4})
out["event_types"] = [e.data["type"] for e in evs.get_paging_iterator()]
out["latest_cursor"] = evs.latest_cursor

# Raw pass-through.
raw = account.raw("GET", "/drive/v2/about")
out["raw"] = raw.json()

# OAuth helpers.
redirect = "http://localhost:8020/callback"
url, state = get_authorization_url(app_id, redirect, scope="storage")
loc = requests.get(url, allow_redirects=False).headers["Location"]
params = {k: v[0] for k, v in parse_qs(urlparse(loc).query).items()}
try:
    get_token_from_code(app_id, api_key, "not-the-state", redirect, **params)
    out["wrong_state"] = None
except OauthFlowFailed as e:
    out["wrong_state"] = str(e)
tok = get_token_from_code(app_id, api_key, state, redirect, **params)
out["verified"] = verify_token(app_id, tok)["client_id"] == app_id
out["verified_url"] = get_verified_account(app_id, tok).url
try:
    account.get("storage/files/does-not-exist")
except NotFoundException as e:
    out["not_found"] = e.status
print(json.dumps(out))
