"""Drives the SmartFile emulator with the original client (PyPI smartfile 2.19), through its
own public API (BasicClient and the helpers). Run in a scratch folder: 2.19's download()
writes to the remote path, relative to the current folder. Prints one JSON object.

usage: smartfile_interop.py BASE_URL KEY PASSWORD RUST_FILE_NAME
"""
import hashlib
import io
import json
import sys

from smartfile import BasicClient
from smartfile.errors import ResponseError

base, key, password, rust_file = sys.argv[1:5]
api = BasicClient(key, password, url=base)
out = {"ping": api.get("/ping")}

# Read what Rust uploaded (2.19's download writes it to ./<name>).
api.download(rust_file)
out["rust_file_sha256"] = hashlib.sha256(open(rust_file, "rb").read()).hexdigest()

# The repository's integration flow, with 2.19's API.
api.post("/path/oper/mkdir/", path="testfn2")
api.upload("testfn", io.StringIO("hello"))
out["info_size"] = api.get("/path/info/testfn")["size"]
api.download("testfn")
out["downloaded"] = open("testfn", "rb").read().decode()
listing = api.get("/path/info", "/", children="on")
out["children"] = sorted(c["name"] for c in listing["children"])
task = api.move("testfn", "testfn2")
out["move_task_type"] = task["type"]
out["task_status"] = api.get("/task", task["uuid"])["result"]["status"]
out["moved_path"] = api.get("/path/info/testfn2/testfn")["path"]
api.remove("testfn2/testfn")
try:
    api.remove("testfn2/testfn")
    out["second_remove"] = None
except ResponseError as e:
    out["second_remove"] = str(e)
api.remove("/testfn2")

# A file for Rust to read.
data = bytes(range(256)) * 3000
api.upload("from-python.bin", io.BytesIO(data))
out["python_file_sha256"] = hashlib.sha256(data).hexdigest()

# Paging and fields, as the node SDK pages.
page = api.get("/path/info", "/", children=True, limit=1, page=1, fields=["name", "size"])
out["pages"] = page["pages"]
out["child_keys"] = sorted(page["children"][0].keys())
try:
    api.get("/path/info/does/not/exist")
    out["missing"] = None
except ResponseError as e:
    out["missing"] = e.status_code
print(json.dumps(out))
