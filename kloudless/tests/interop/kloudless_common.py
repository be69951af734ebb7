"""What the interop scripts run as `SCRIPT BASE_URL API_KEY TOKEN` share: the original SDK
pointed at the emulator, the connected account, the application, an error's status and code,
an upload."""
import json
import logging
import sys

from kloudless import Account, Client, configuration
from kloudless.exceptions import APIException

logging.disable(logging.CRITICAL)
base, api_key, token = sys.argv[1:4]
configuration['base_url'] = base
account = Account(token=token)
app = Client(api_key=api_key)


def error(call, *args, **kwargs):
    """[status, error_code] of a call that must fail; "ok" if it did not."""
    try:
        call(*args, **kwargs)
        return "ok"
    except APIException as e:
        return [e.status, e.error_data.get("error_code")]


def upload(name, data, parent="root"):
    return account.post("storage/files", data=data, headers={
        "X-Kloudless-Metadata": json.dumps({"parent_id": parent, "name": name})})
