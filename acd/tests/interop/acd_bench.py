"""One benchmark case of `cargo xtask bench acd` through the original acd_cli 0.3.2
`acdcli.api` (public API only), with the same command line as the `acd-bench` example:

    acd_bench.py download-sink CACHE ID
    acd_bench.py download-file CACHE ID DIR [fsync]
    acd_bench.py upload CACHE FILE
    acd_bench.py metadata CACHE ID COUNT
    acd_bench.py changes CACHE
    acd_bench.py concurrent CACHE ID...
"""
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from acdcli.api import client as acd_client

case, cache = sys.argv[1], sys.argv[2]
c = acd_client.ACDClient(cache, cache)
# The original paces every request (a random wait in [0, 1) s, even after a success); the
# benchmark measures the SDK, so both sides turn that off, as acd_cli's own tests do.
c.BOReq._wait = lambda: None


class Sink:
    """A writer that keeps nothing; chunked_download resumes from tell()."""

    def __init__(self):
        self.n = 0

    def write(self, b):
        self.n += len(b)
        return len(b)

    def tell(self):
        return self.n

    def flush(self):
        pass


if case == "download-sink":
    c.chunked_download(sys.argv[3], Sink())
elif case == "download-file":
    c.download_file(sys.argv[3], "download-file.bin", sys.argv[4])
    path = os.path.join(sys.argv[4], "download-file.bin")
    if sys.argv[5:] == ["fsync"]:
        # acd_cli has no such option: the file is synced after the call, as a caller would.
        fd = os.open(path, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    os.remove(path)
elif case == "upload":
    src = sys.argv[3]
    link = os.path.join(os.path.dirname(src), "pyup-%d-%d.bin" % (os.getpid(), time.time_ns()))
    os.link(src, link)
    try:
        c.upload_file(link)
    finally:
        os.remove(link)
elif case == "metadata":
    for _ in range(int(sys.argv[4])):
        c.get_metadata(sys.argv[3])
elif case == "changes":
    nodes = 0
    for s in c._iter_changes_lines(c.get_changes()):
        nodes += len(s.nodes)
    if nodes == 0:
        sys.exit("an empty changes feed")
elif case == "concurrent":
    ids = sys.argv[3:]
    with ThreadPoolExecutor(len(ids)) as pool:
        for f in [pool.submit(c.chunked_download, i, Sink()) for i in ids]:
            f.result()
else:
    sys.exit("unknown case " + case)
