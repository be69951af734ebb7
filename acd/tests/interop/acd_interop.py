"""Drives the Amazon Cloud Drive emulator with the original acd_cli 0.3.2 `acdcli.api`.

Only the host constants are pointed at the emulator (endpoint discovery and the Appspot
refresh URL); everything else is the original's public API. Prints one JSON object.

usage: acd_interop.py BASE_URL CACHE_DIR WORK_DIR RUST_NODE_ID
"""
import hashlib
import io
import json
import os
import sys

from acdcli.api import client as acd_client
from acdcli.api import oauth
from acdcli.api.common import RequestError

base, cache, work, rust_node = sys.argv[1:5]
acd_client._AMZ_ENDPOINT_REQ_URL = base + "/drive/v1/account/endpoint"
oauth.AppspotOAuthHandler.APPSPOT_URL = base + "/appspot/"

c = acd_client.ACDClient(cache, cache)
c.BOReq._wait = lambda: None  # as the original's own tests do
out = {"metadata_url": c.metadata_url, "content_url": c.content_url}

# Read what Rust uploaded.
h = hashlib.sha256()
c.download_file(rust_node, "from_rust.bin", work, write_callbacks=[h.update])
out["rust_file_sha256"] = h.hexdigest()
out["rust_file_on_disk_sha256"] = hashlib.sha256(open(os.path.join(work, "from_rust.bin"), "rb").read()).hexdigest()

root = c.get_root_id()
out["root_id"] = root
folder = c.create_folder("py-folder")
data = bytes(range(256)) * 4000
path = os.path.join(work, "py file \u00e9.bin")
with open(path, "wb") as f:
    f.write(data)
md5 = hashlib.md5()
node = c.upload_file(path, folder["id"], read_callbacks=[md5.update])
out["upload_name"] = node["name"]
out["upload_md5_matches"] = node["contentProperties"]["md5"] == md5.hexdigest() == hashlib.md5(data).hexdigest()
out["py_node"] = node["id"]
stream = c.upload_stream(io.BytesIO(b"stream bytes"), "py-stream.bin", folder["id"])
out["stream_size"] = stream["contentProperties"]["size"]
# acd_cli issue #128: a stream without peek() (BytesIO) that is empty goes out as an empty
# chunked body, which the service refused; a peekable stream takes the empty-file path.
try:
    c.upload_stream(io.BytesIO(b""), "py-empty-unpeekable.txt", folder["id"])
    out["empty_unpeekable"] = None
except RequestError as e:
    out["empty_unpeekable"] = e.status_code
empty = c.upload_stream(io.BufferedReader(io.BytesIO(b"")), "py-empty.txt", folder["id"])
out["empty_md5"] = empty["contentProperties"]["md5"]
out["children"] = sorted(n["name"] for n in c.list_children(folder["id"]))

changes = c.get_changes()
sets = list(c._iter_changes_lines(changes))
out["changes_reset"] = sets[0].reset
out["changes_nodes"] = sum(len(s.nodes) for s in sets)
checkpoint = sets[-1].checkpoint
c.create_folder("after-checkpoint")
later = list(c._iter_changes_lines(c.get_changes(checkpoint=checkpoint, include_purged=True)))
out["changes_after_checkpoint"] = [n["name"] for s in later for n in s.nodes]

c.download_file(node["id"], "dl.bin", work, length=len(data))
out["download_ok"] = open(os.path.join(work, "dl.bin"), "rb").read() == data
out["chunk"] = list(c.download_chunk(node["id"], 256, 4))
buf = io.BytesIO()
c.chunked_download(node["id"], buf, length=len(data))
out["chunked_ok"] = buf.getvalue() == data

over = c.overwrite_file(stream["id"], path)
out["overwrite_version"] = over["contentProperties"]["version"]
folder2 = c.create_folder("py-folder-2")
moved = c.move_node(stream["id"], folder2["id"])
out["moved_parents_ok"] = moved["parents"] == [folder2["id"]]
out["trash_status"] = c.move_to_trash(stream["id"])["status"]
out["restore_status"] = c.restore(stream["id"])["status"]
out["renamed"] = c.rename_node(folder2["id"], "py-renamed")["name"]

owner = c.get_owner_id()
c.add_property(folder["id"], owner, "color", "blue")
out["properties"] = c.list_properties(folder["id"], owner)
c.delete_properties(folder["id"], owner)
out["properties_after_delete"] = c.list_properties(folder["id"], owner)

out["fs_sizes"] = list(c.fs_sizes())
out["usage_lines"] = len(str(c.get_account_usage()).splitlines())
out["info"] = c.get_account_info()
try:
    c.create_folder("PY-FOLDER")
    out["conflict"] = None
except RequestError as e:
    out["conflict"] = e.status_code
    out["conflict_node"] = json.loads(e.msg)["info"]["nodeId"] == folder["id"]
try:
    c.purge(stream["id"])
    out["purge"] = None
except RequestError as e:
    out["purge"] = e.status_code
print(json.dumps(out))
