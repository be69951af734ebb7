# -*- coding: utf-8 -*-
"""Drives the emulator through the original Orange Cloud client (orangecloud-client 0.0.2 on
oauth2-client 0.0.12), its public API only; only the host constants are pointed at the
emulator. Run by tests/interop.rs:

    python orange_interop.py '<json config>'

Prints one JSON line of what it saw.
"""
import hashlib
import json
import logging
import os
import sys

import requests

import orangecloud_client.abstract_domain
import orangecloud_client.api
import orangecloud_client.files
from orangecloud_client.api import ApiManager
from orangecloud_client.error_handling import ClientError
from oauth2_client.credentials_manager import OAuthError

logging.disable(logging.CRITICAL)

cfg = json.loads(sys.argv[1])
base = str(cfg["base_url"])
orangecloud_client.abstract_domain.URL_API = base
orangecloud_client.files.URL_UPLOAD = base
orangecloud_client.api.URL_API = base
work = str(cfg["work_dir"])
out = {}


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 16)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def write(path, size, seed):
    with open(path, "wb") as f:
        f.write(bytearray((i * seed) % 251 for i in range(size)))
    return sha256_file(path)


client_id, client_secret, redirect = str(cfg["client_id"]), str(cfg["client_secret"]), str(cfg["redirect_uri"])

# 1. The authorization-code flow through the original's own redirect listener; `requests`
#    stands in for the browser (the emulator consents and redirects to the listener).
m = ApiManager(client_id, client_secret, redirect)
url = m.init_authorize_code_process(redirect, "py-state 1")
out["authorize_url"] = url
page = requests.get(url)
out["listener_status"] = page.status_code
out["listener_body"] = page.json()
code = m.wait_and_terminate_authorize_code_process(10)
m.init_with_authorize_code(redirect, code)
out["code_flow_freespace"] = m.freespace.get().freespace

# 2. From a stored refresh token.
m = ApiManager(client_id, client_secret, redirect)
m.init_with_token(str(cfg["refresh_token"]))
out["freespace"] = m.freespace.get().freespace
root = m.folders.get()
out["root_id"] = root.id

# 3. Folders.
a = m.folders.create(u"py folder \u00e9")
b = m.folders.create("py sub", a.id)
got = m.folders.get(a.id)
out["created_subfolders"] = [s.name for s in got.subfolders]
ren = m.folders.rename(b.id, "py renamed")
moved = m.folders.move(ren.id, root.id)
out["moved_parent_is_root"] = moved.parentId == root.id
cp = m.folders.copy(moved.id, a.id)
out["copy_name"] = cp.name
m.folders.delete(cp.id)
out["after_delete_subfolders"] = [s.name for s in m.folders.get(a.id).subfolders]
tree = m.folders.get(flat=True, tree=True)
out["tree_names"] = sorted(s.name for s in tree.subfolders)

# 4. Files. The first upload meets the fault the Rust side armed (401 INVALID_TOKEN on the
#    upload host): the original refreshes, re-sends, and returns None (0.0.2's behaviour).
NAME = u"py file \u00e9.bin"
# A byte path on Python 2 (as its users pass them), text on Python 3.
p1 = os.path.join(work, NAME.encode("utf-8") if bytes is str else NAME)
p1_sha = write(p1, 300000, 7)
out["invalid_token_upload_returned"] = repr(m.files.upload(p1, a.id))
listed = m.folders.get(a.id, showthumbnails=True)
files = dict((f.name, f) for f in listed.files)
out["listed_files"] = sorted(files.keys())
f1 = files[u"py file \u00e9.bin"]
dest = os.path.join(work, "py-down.bin")
m.files.download(f1.downloadUrl, dest)
out["py_roundtrip_equal"] = sha256_file(dest) == p1_sha
up = m.files.upload(p1, a.id)
out["second_upload_name"] = up.fileName
g = m.files.get(up.fileId)
out["get_size"] = g.size
out["get_type"] = g.type
r = m.files.rename(up.fileId, "renamed.bin")
c = m.files.copy(r.id, root.id)
mv = m.files.move(r.id, root.id)
out["copy_then_move_names"] = [c.name, mv.name]
m.files.delete(mv.id)
try:
    m.files.get(mv.id)
    out["deleted_get"] = "found"
except ClientError as e:
    out["deleted_get"] = str(e)

# 5. Rust's upload, read by the original.
rf = m.files.get(str(cfg["rust_file_id"]))
rdest = os.path.join(work, "from-rust.bin")
m.files.download(rf.downloadUrl, rdest)
out["rust_file_name"] = rf.name
out["rust_file_sha256"] = sha256_file(rdest)

# 6. An upload for Rust to read.
p2 = os.path.join(work, "from-python.txt")
out["python_file_sha256"] = write(p2, 123457, 13)
kept = m.files.upload(p2)
out["python_file_id"] = kept.fileId

# 7. Errors as the original raises them.
try:
    m.folders.get("bm9wZS8")
except ClientError as e:
    out["client_error"] = str(e)
try:
    ApiManager(client_id, "wrong", redirect).init_with_token(str(cfg["refresh_token"]))
except OAuthError as e:
    out["oauth_error_status"] = e.status_code
print(json.dumps(out))
