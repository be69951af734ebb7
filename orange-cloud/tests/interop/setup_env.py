"""Prepares the original Orange Cloud client for the interop tests; run by `cargo xtask ci`.

    python3 setup_env.py <work dir>

The originals (orangecloud-client 0.0.2, oauth2-client 0.0.12) are Python 2 code whose sdists
cannot be pip-installed (their setup.py reads a file the sdist lacks). Their sdists are fetched
from the package index (PIP_INDEX_URL, else PyPI), checked against the pinned digests and
unpacked. With a CPython 2.7 (ORANGE_INTEROP_PYTHON2, `python2.7` on PATH, or pyenv's), the
pinned dependencies are installed with its pip into a --target folder and the sources run
unmodified. Without one it stops with a clear error: converted by lib2to3 (no hand edits),
oauth2-client 0.0.12 fails on its first call on Python 3 (it base64-encodes a text string),
and requests 2.12.4 / requests-toolbelt 0.6.2 do not import on a modern Python 3.

Prints one JSON line: the environment variables the interop test reads.
"""
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.parse
import urllib.request
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def log(msg):
    print(msg, file=sys.stderr)


def find_python2():
    """A CPython 2.7."""
    forced = os.environ.get("ORANGE_INTEROP_PYTHON2")
    candidates = [forced, shutil.which("python2.7")]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/2.7*/bin/python2.7")))
    for cand in filter(None, candidates):
        try:
            out = subprocess.run([cand, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
        except OSError:
            continue
        if out.returncode == 0 and out.stdout.strip() == "(2, 7)":
            return cand
    return None


def index_url():
    return os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")


def fetch(name, version, digest, dest):
    """Downloads the sdist of name==version from the simple index; checks its sha256."""
    page = urllib.request.urlopen("%s/%s/" % (index_url(), name), timeout=120).read().decode()
    for href in re.findall(r'href="([^"]+)"', page):
        url = urllib.parse.urljoin("%s/%s/" % (index_url(), name), href.replace("&amp;", "&"))
        file = url.split("#")[0].rsplit("/", 1)[-1]
        if file.startswith("%s-%s." % (name, version)) and (file.endswith(".tar.gz") or file.endswith(".zip")):
            data = urllib.request.urlopen(url, timeout=300).read()
            got = hashlib.sha256(data).hexdigest()
            if got != digest:
                raise SystemExit("%s: sha256 %s, pinned %s" % (file, got, digest))
            path = os.path.join(dest, file)
            with open(path, "wb") as f:
                f.write(data)
            return path
    raise SystemExit("%s==%s: no sdist on %s" % (name, version, index_url()))


def unpack(archive, dest):
    if archive.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            z.extractall(dest)
    else:
        with tarfile.open(archive) as t:
            t.extractall(dest)


def pins(path):
    with open(path) as f:
        return [l.split("#")[0].strip() for l in f if l.split("#")[0].strip()]


def main():
    work = os.path.abspath(sys.argv[1])
    os.makedirs(work, exist_ok=True)
    src = os.path.join(work, "src")
    sdists = [l.split() for l in pins(os.path.join(HERE, "sdists.txt"))]
    stamp = os.path.join(src, ".done")
    if not os.path.exists(stamp):
        shutil.rmtree(src, ignore_errors=True)
        os.makedirs(src)
        for name, version, digest, _ in sdists:
            unpack(fetch(name, version, digest, work), src)
        open(stamp, "w").close()
    roots = [os.path.join(src, d) for _, _, _, d in sdists]
    py2 = find_python2()
    requirements = pins(os.path.join(HERE, "py27-requirements.txt"))
    if py2:
        site = os.path.join(work, "site27")
        if not os.path.exists(os.path.join(site, ".done")):
            shutil.rmtree(site, ignore_errors=True)
            subprocess.run(
                [py2, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--target", site]
                + requirements,
                check=True,
            )
            open(os.path.join(site, ".done"), "w").close()
        python, path = py2, roots + [site]
        log("orange-cloud interop: the originals run unmodified on %s" % py2)
    else:
        # The lib2to3 route was tried: converted mechanically, oauth2-client fails on its first
        # call (base64 of a text string), so the originals cannot run on Python 3 without hand
        # edits. Say so rather than test something else.
        raise SystemExit(
            "orange-cloud interop needs a CPython 2.7 (python2.7 on PATH, pyenv's, or "
            "ORANGE_INTEROP_PYTHON2): the originals are Python 2 code"
        )
    print(json.dumps({"ORANGE_INTEROP_PYTHON": python, "ORANGE_INTEROP_PYTHONPATH": os.pathsep.join(path)}))


if __name__ == "__main__":
    main()
