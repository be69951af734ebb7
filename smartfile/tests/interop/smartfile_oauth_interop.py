"""Drives the SmartFile emulator with the original OAuthClient (PyPI smartfile 2.19 on
requests-oauthlib 2.0.0 / oauthlib 4.0.1): the three-legged flow, then signed calls. The
emulator checks each signature with its own RFC 5849 decoder, not with the Rust client's
encoder. Run in a scratch folder. Prints one JSON object.

usage: smartfile_oauth_interop.py BASE_URL CLIENT_TOKEN CLIENT_SECRET RUST_FILE_NAME
"""
import hashlib
import io
import json
import sys
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from smartfile import OAuthClient
from smartfile.errors import ResponseError

base, client_token, client_secret, rust_file = sys.argv[1:5]
out = {}
api = OAuthClient(client_token, client_secret, url=base)

request = api.get_request_token(callback="http://127.0.0.1:9/cb?x=1&y=a b")
out["request_token_length"] = len(request.token)

# 2.19's get_authorization_url calls urllib.urlencode, which Python 3 lacks (spec 2.12):
# record that, then open the URL it intends, as its README's user would.
try:
    api.get_authorization_url()
    out["authorization_url_error"] = None
except AttributeError:
    out["authorization_url_error"] = "AttributeError"
url = base + "oauth/authorize/?" + urlencode({"oauth_token": request.token})
answer = requests.get(url, allow_redirects=False)
location = urlparse(answer.headers["Location"])
out["callback"] = "%s://%s%s" % (location.scheme, location.netloc, location.path)
query = parse_qs(location.query)
out["callback_query"] = sorted(query)
verifier = query["oauth_verifier"][0]

access = api.get_access_token(None, verifier)
out["access_token"] = access.token
out["access_secret"] = access.secret

out["ping"] = api.get("/ping")
out["whoami_keys"] = sorted(api.get("/whoami").keys())
api.download(rust_file)
out["rust_file_sha256"] = hashlib.sha256(open(rust_file, "rb").read()).hexdigest()
data = bytes(range(256)) * 1000
api.upload("from-python-oauth.bin", io.BytesIO(data))
out["python_file_sha256"] = hashlib.sha256(data).hexdigest()

# The same access token with a wrong client secret: refused.
wrong = OAuthClient(client_token, client_secret + "x", access.token, access.secret, url=base)
try:
    wrong.get("/whoami")
    out["wrong_secret"] = None
except ResponseError as e:
    out["wrong_secret"] = e.status_code

# A verifier that is not the one issued: no access token.
second = OAuthClient(client_token, client_secret, url=base)
second.get_request_token()
try:
    second.get_access_token(None, "not-the-verifier")
    out["wrong_verifier"] = None
except TypeError as e:
    # 2.19 parses the 403 text as a query string and indexes None (spec 2.12).
    out["wrong_verifier"] = "TypeError"
print(json.dumps(out))
