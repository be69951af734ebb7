"""One benchmark case of `cargo xtask bench smartfile` through the original client (PyPI
smartfile 2.19, public API only: BasicClient, its get and helpers), with the
`smartfile-bench` example's command line:

    smartfile_bench.py download-sink INFO PATH
    smartfile_bench.py download-file INFO PATH DIR
    smartfile_bench.py upload INFO FILE
    smartfile_bench.py metadata INFO PATH COUNT
    smartfile_bench.py list INFO FOLDER EXPECTED
    smartfile_bench.py concurrent INFO PATH...

Downloads copy the streamed body (`response.raw`) with shutil.copyfileobj, as 2.19's
download() does; download-file is that download() itself, run in DIR (it writes to the
remote path, relative to the current folder). The listing is the page/pages loop a caller
writes (2.19 has no paging helper), 1,000 per page.
"""
import json
import os
import shutil
import sys
import threading

from smartfile import BasicClient

case = sys.argv[1]
info = json.load(open(sys.argv[2]))
api = BasicClient(info["key"], info["password"], url=info["base_url"])


def sink(path):
    with open(os.devnull, "wb") as out:
        shutil.copyfileobj(api.get("/path/data/", path), out)


if case == "download-sink":
    sink(sys.argv[3])
elif case == "download-file":
    os.chdir(sys.argv[4])
    name = sys.argv[3].lstrip("/")
    api.download(name)
    os.remove(name)
elif case == "upload":
    with open(sys.argv[3], "rb") as f:
        api.upload("upload.bin", f)
elif case == "metadata":
    for _ in range(int(sys.argv[4])):
        api.get("/path/info", sys.argv[3])
elif case == "list":
    n, page, pages = 0, 1, 1
    while page <= pages:
        answer = api.get("/path/info", sys.argv[3], children="on", limit=1000, page=page)
        n += len(answer["children"])
        pages = answer["pages"]
        page += 1
    if n != int(sys.argv[4]):
        sys.exit("%d entries, expected %s" % (n, sys.argv[4]))
elif case == "concurrent":
    errors = []

    def one(p):
        try:
            sink(p)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=one, args=(p,)) for p in sys.argv[3:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
else:
    sys.exit("unknown case " + case)
