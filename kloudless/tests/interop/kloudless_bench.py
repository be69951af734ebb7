"""One benchmark case of `cargo xtask bench kloudless` through the original SDK (PyPI
kloudless 2.0.1, public API only, configuration['base_url'] pointed at the emulator), with
the `kloudless-bench` example's command line:

    kloudless_bench.py download-sink INFO FILE_ID
    kloudless_bench.py download-file INFO FILE_ID DIR
    kloudless_bench.py upload INFO FILE
    kloudless_bench.py metadata INFO FILE_ID COUNT
    kloudless_bench.py list INFO FOLDER_ID EXPECTED
    kloudless_bench.py concurrent INFO FILE_ID...

Downloads stream (the SDK sets stream=True for file contents) and are read in 1 MiB pieces;
uploads pass the open file, which requests streams.
"""
import json
import logging
import os
import sys
import threading

from kloudless import Account, configuration

logging.disable(logging.CRITICAL)
case = sys.argv[1]
info = json.load(open(sys.argv[2]))
configuration['base_url'] = info["base_url"]
account = Account(token=info["token"])


def save(file_id, dest):
    resp = account.get("storage/files/%s/contents" % file_id)
    with open(dest, "wb") as out:
        for chunk in resp.iter_content(1 << 20):
            out.write(chunk)


if case == "download-sink":
    save(sys.argv[3], "/dev/null")
elif case == "download-file":
    dest = os.path.join(sys.argv[4], "download-file.bin")
    save(sys.argv[3], dest)
    os.remove(dest)
elif case == "upload":
    with open(sys.argv[3], "rb") as f:
        account.post("storage/files", data=f, params={"overwrite": "true"},
                     headers={"X-Kloudless-Metadata": json.dumps({"parent_id": "root", "name": "upload.bin"})})
elif case == "metadata":
    for _ in range(int(sys.argv[4])):
        account.get("storage/files/%s" % sys.argv[3])
elif case == "list":
    first = account.get("storage/folders/%s/contents" % sys.argv[3], params={"page_size": 1000})
    n = sum(1 for _ in first.get_paging_iterator())
    if n != int(sys.argv[4]):
        sys.exit("%d entries, expected %s" % (n, sys.argv[4]))
elif case == "concurrent":
    errors = []

    def one(i):
        try:
            save(i, "/dev/null")
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=one, args=(i,)) for i in sys.argv[3:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
else:
    sys.exit("unknown case " + case)
