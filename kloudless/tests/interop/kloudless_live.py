"""The calls of the service's own live tests (kloudless-python 1.x, written against the live
API), made with the original SDK 2.0.1's generic calls against an emulator started `admin`:
the capabilities as `utils.capabilities` reads them, permissions as an e-mail to role map,
a link's url fetched as the live tests fetch it, recent with an unparseable `after`, Google
Drive's limited events and a deleted file's event by its id, imports that need a service's
own fields, an update's `token_expiry` and an unknown service, calendars' and events'
`account_id` and fields, the team of the connected account. Prints one JSON object.

usage: kloudless_live.py BASE_URL API_KEY TOKEN
"""
import datetime
import json

import requests

from kloudless_common import account, app, error, upload

out = {}


def roles(answer):
    return sorted([p.get("email", ""), p["role"]] for p in answer.data["permissions"])


# 1. Capabilities, read as the live tests' utils.capabilities does: val['value'].
me = app.get("accounts/123", params={"retrieve_full": True})
caps = me.data["properties"]["capabilities"]
out["capabilities"] = sorted(name for name, val in caps.items() if val["value"])
out["capabilities_all"] = len(caps)

# 2. Permissions: PUT a map replaces, PATCH merges, PUT without a body leaves the owner.
shared = upload("shared.txt", b"shared")
out["perms_put"] = roles(shared.put("permissions", json={"a@example.invalid": "writer"}))
out["perms_patch"] = roles(shared.patch("permissions", json={"b@example.invalid": "reader"}))
out["perms_clear"] = roles(shared.put("permissions"))

# 3. Links: the url fetched with requests, as the live tests do.
test_file = upload("test.txt", b"test")
link = account.post("storage/links", json={"file_id": test_file.data["id"]})
out["link_text"] = requests.get(link.data["url"]).text
direct = account.post("storage/links", json={"file_id": test_file.data["id"], "direct": True})
out["direct_text"] = requests.get(direct.data["url"]).text
link.patch(json={"active": False})
out["inactive_status"] = requests.get(link.data["url"]).status_code
expiring = account.post("storage/links", json={
    "file_id": test_file.data["id"],
    "expiration": (datetime.datetime.utcnow() - datetime.timedelta(days=1)).isoformat()})
out["expired_status"] = requests.get(expiring.data["url"]).status_code
soon = (datetime.datetime.utcnow() + datetime.timedelta(days=1)).isoformat()
valid = account.post("storage/links", json={"file_id": test_file.data["id"], "expiration": soon})
out["valid_text"] = requests.get(valid.data["url"]).text
locked = account.post("storage/links", json={"file_id": test_file.data["id"], "password": "pw"})
page = requests.get(locked.data["url"])
out["password_form"] = [page.status_code, 'id="id_password"' in page.text]
wrong = requests.post(locked.data["url"], data={"password": "nope"})
out["password_wrong"] = [wrong.status_code, "The password entered is incorrect" in wrong.text]
out["password_text"] = requests.post(locked.data["url"], data={"password": "pw"}).text

# 4. Recent with an `after` that is no time.
out["recent_bad_after"] = len(account.get("storage/recent", params={"after": "00/00/00"}).objects)

# 5. Events: Google Drive's renames and moves come as adds; the delete found by the file's id.
cursor = account.get("events/latest").data["cursor"]
moved = upload("moved.txt", b"m")
sub = account.post("storage/folders", json={"name": "Sub", "parent_id": "root"})
moved.patch(json={"name": "moved2.txt"})
moved.patch(json={"parent_id": sub.data["id"]})
moved.delete()
events = list(account.get("events", params={"cursor": cursor}).get_paging_iterator())
out["event_types"] = [e.data["type"] for e in events]
out["delete_event"] = [e.data["type"] for e in events if e.data["id"] == moved.data["id"]]

# 6. Imports that need the service's own fields; an update's expiry and service.
acct = {"account": "svc@example.invalid", "token": "t"}
out["alfresco_without"] = error(app.post, "accounts", json=dict(acct, service="alfresco"))
alfresco = app.post("accounts", json=dict(acct, service="alfresco",
                                          repository_url="https://alfresco.example.invalid/alfresco"))
out["alfresco"] = alfresco.data["repository_url"]
out["hubspot_without"] = error(app.post, "accounts", json=dict(acct, service="hubspot"))
hubspot = app.post("accounts", json=dict(acct, service="hubspot", hub_id="42"))
out["hubspot"] = hubspot.data["hub_id"]
expiry = datetime.datetime.utcnow().isoformat()
updated = app.patch("accounts/%s" % hubspot.data["id"], json={"token": "t2", "token_expiry": expiry})
out["token_expiry_kept"] = updated.data["token_expiry"] == expiry
out["bad_service"] = error(app.patch, "accounts/%s" % hubspot.data["id"], json={"service": "invalid"})

# 7. Calendars and events: account_id (compared as the live tests do, through int()).
calendar = account.get("cal/calendars/primary")
out["calendar_account"] = int(calendar.data["account_id"]) == int(account.get().data["id"])
event = calendar.post("events", json={"name": "Standup", "start": "2030-01-01T09:00:00Z",
                                      "end": "2030-01-01T09:15:00Z"})
out["event_account"] = int(event.data["account_id"])
out["event_fields"] = [event.data["calendar_id"], event.data["description"],
                       event.data["attendees"], event.data["attachments"],
                       event.data["organizer"] == event.data["creator"]]

# 8. The team, reached with the connected account (the emulator started admin).
out["team_users"] = [u.data["id"] for u in account.get("team/users").objects]
out["team_groups"] = [g.data["name"] for g in account.get("team/groups").objects]
print(json.dumps(out))
