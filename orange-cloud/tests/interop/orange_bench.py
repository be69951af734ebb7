# -*- coding: utf-8 -*-
"""One benchmark case of `cargo xtask bench orange-cloud` through the original client
(orangecloud-client 0.0.2 on oauth2-client 0.0.12, CPython 2.7, public API only; only the
host constants point at the emulator), with the `orange-cloud-bench` example's command line:

    orange_bench.py download-sink INFO FILE_ID
    orange_bench.py download-file INFO FILE_ID DIR
    orange_bench.py upload INFO FILE
    orange_bench.py metadata INFO FILE_ID COUNT
    orange_bench.py list INFO FOLDER_ID EXPECTED
    orange_bench.py concurrent INFO FILE_ID...

The listing is the limit/offset loop a caller writes (0.0.2 has no paging helper), 1,000 per
page.
"""
import json
import logging
import os
import sys
import threading

import orangecloud_client.abstract_domain
import orangecloud_client.api
import orangecloud_client.files
from orangecloud_client.api import ApiManager

logging.disable(logging.CRITICAL)
case = sys.argv[1]
info = json.load(open(sys.argv[2]))
base = str(info["base_url"])
orangecloud_client.abstract_domain.URL_API = base
orangecloud_client.files.URL_UPLOAD = base
orangecloud_client.api.URL_API = base
m = ApiManager(str(info["client_id"]), str(info["client_secret"]), str(info["redirect_uri"]))
m.init_with_token(str(info["refresh_token"]))

if case in ("download-sink", "download-file"):
    url = m.files.get(sys.argv[3]).downloadUrl
    dest = "/dev/null" if case == "download-sink" else os.path.join(sys.argv[4], "download-file.bin")
    m.files.download(url, dest)
    if case == "download-file":
        os.remove(dest)
elif case == "upload":
    m.files.upload(sys.argv[3])
elif case == "metadata":
    for _ in range(int(sys.argv[4])):
        m.files.get(sys.argv[3])
elif case == "list":
    n, offset = 0, 0
    while True:
        page = m.folders.get(sys.argv[3], limit=1000, offset=offset)
        n += len(page.files)
        if max(len(page.files), len(page.subfolders)) < 1000:
            break
        offset += 1000
    if n != int(sys.argv[4]):
        sys.exit("%d entries, expected %s" % (n, sys.argv[4]))
elif case == "concurrent":
    urls = [m.files.get(i).downloadUrl for i in sys.argv[3:]]
    errors = []

    def one(u):
        try:
            m.files.download(u, "/dev/null")
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=one, args=(u,)) for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
else:
    sys.exit("unknown case " + case)
