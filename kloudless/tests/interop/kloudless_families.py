"""Drives the Kloudless emulator's endpoint families beyond file storage with the original SDK
(PyPI kloudless 2.0.1) and its generic calls (get/post/put/patch/delete on a path): links,
search, recent, quota, permissions, properties, multipart uploads and upload URLs, accounts
(import, list with filters, retrieve_full, update, delete), the events cursor, calendars and
availability, the team of an admin account. Each family: create, list, update, delete, and
the error cases, an error leaving the state as it was. Prints one JSON object.

usage: kloudless_families.py BASE_URL API_KEY TOKEN
"""
import json

import requests

from kloudless import Account
from kloudless_common import account, api_key, app, error, upload

out = {}

docs = account.post("storage/folders", json={"name": "Docs", "parent_id": "root"})
report = upload("Quarterly Report.txt", b"q3 numbers", parent=docs.data["id"])
notes = upload("notes.txt", b"notes")

# Links: create, list (paged, filtered), update, delete; errors change nothing.
out["link_no_file"] = error(account.post, "storage/links", json={})
out["link_folder"] = error(account.post, "storage/links", json={"file_id": docs.data["id"]})
link = account.post("storage/links", json={"file_id": report.data["id"], "password": "s3cret"})
out["link"] = [link.data["file_id"] == report.data["id"], link.data["active"],
               link.data["password"], link.data["url"].endswith(link.data["id"]),
               link.data["type"]]
account.post("storage/links", json={"file_id": notes.data["id"]})
links = account.get("storage/links", params={"page_size": 1})
out["links_paged"] = len(list(links.get_paging_iterator()))
out["link_bad_update"] = error(link.patch, json={"expiration": "next tuesday"})
out["link_after_bad_update"] = account.get("storage/links/%s" % link.data["id"]).data["expiration"]
updated = link.patch(json={"active": False, "password": None})
out["link_updated"] = [updated.data["active"], updated.data["password"]]
out["links_active"] = len(account.get("storage/links", params={"active": "true"}).objects)
link.delete()
out["link_after_delete"] = error(account.get, "storage/links/%s" % link.data["id"])

# Search: simple, several results, parents, and the bad queries.
out["search_simple"] = [o.data["name"] for o in account.get("storage/search", params={"q": "report"}).objects]
out["search_many"] = sorted(o.data["name"] for o in account.get("storage/search", params={"q": "t"}).objects)
out["search_parents"] = [o.data["name"] for o in account.get(
    "storage/search", params={"q": "txt", "parents": docs.data["id"]}).objects]
out["search_empty"] = error(account.get, "storage/search", params={"q": ""})
out["search_bad"] = error(account.get, "storage/search", params={"q": '"unbalanced'})

# Recent: newest first, page bounds, after.
recent = account.get("storage/recent", params={"page_size": 1})
out["recent_first"] = [recent.objects[0].data["name"], recent.data["total"]]
out["recent_size_1001"] = error(account.get, "storage/recent", params={"page_size": 1001})
out["recent_page_0"] = error(account.get, "storage/recent", params={"page": 0})
out["recent_page_past"] = error(account.get, "storage/recent", params={"page": 99})
out["recent_after"] = len(account.get("storage/recent", params={"after": "2999-01-01T00:00:00Z"}).objects)

# Quota.
quota = account.get("storage/quota")
out["quota_used"] = quota.data["used"]

# Permissions on a file and a folder.
perms = account.get("storage/files/%s/permissions" % report.data["id"])
out["perms_initial"] = [p["role"] for p in perms.data["permissions"]]
out["perms_bad_role"] = error(account.patch, "storage/files/%s/permissions" % report.data["id"],
                              json={"permissions": [{"email": "x@example.invalid", "role": "god"}]})
patched = account.patch("storage/files/%s/permissions" % report.data["id"],
                        json={"permissions": [{"email": "bob@example.invalid", "role": "reader"}]})
out["perms_patched"] = [p["role"] for p in patched.data["permissions"]]
put = account.put("storage/folders/%s/permissions" % docs.data["id"],
                  json={"permissions": [{"email": "team@example.invalid", "role": "writer", "type": "group"}]})
out["perms_put_folder"] = [(p["role"], p["type"]) for p in put.data["permissions"]]

# Properties: set, change, remove one, remove all.
props_url = "storage/files/%s/properties" % report.data["id"]
account.patch(props_url, json=[{"key": "status", "value": "draft"}, {"key": "owner", "value": "ada"}])
account.patch(props_url, json=[{"key": "status", "value": "final"}, {"key": "owner", "value": None}])
out["properties"] = [(p["key"], p["value"]) for p in account.get(props_url).data["properties"]]
out["properties_bad"] = error(account.patch, props_url, json=[{"value": "no key"}])
account.delete(props_url)
out["properties_after_delete"] = account.get(props_url).data["properties"]

# Multipart: init, two parts (the second sent twice), complete; a missing part refused.
session = account.post("storage/multipart", json={"name": "big.bin", "parent_id": "root", "size": 6})
sid = session.data["id"]
account.put("storage/multipart/%s" % sid, params={"part_number": 2}, data=b"def")
out["multipart_missing_part"] = error(account.post, "storage/multipart/%s/complete" % sid)
account.put("storage/multipart/%s" % sid, params={"part_number": 1}, data=b"xyz")
account.put("storage/multipart/%s" % sid, params={"part_number": 1}, data=b"abc")
done = account.post("storage/multipart/%s/complete" % sid)
out["multipart_file"] = [done.data["name"], done.data["size"]]
out["multipart_bytes"] = account.get("storage/files/%s/contents" % done.data["id"]).response.content.decode()
out["multipart_bad_part"] = error(account.put, "storage/multipart/%s" % sid, params={"part_number": 1}, data=b"x")
aborted = account.post("storage/multipart", json={"name": "gone.bin", "parent_id": "root"})
account.delete("storage/multipart/%s" % aborted.data["id"])
out["multipart_aborted"] = error(account.get, "storage/multipart/%s" % aborted.data["id"])

# Upload URL: the bytes PUT without credentials, once.
url = account.post("storage/files/upload_url", json={"name": "direct.txt", "parent_id": "root"}).data["url"]
out["upload_url_put"] = requests.put(url, data=b"direct").status_code
out["upload_url_again"] = requests.put(url, data=b"again").status_code
out["upload_url_file"] = [o.data["name"] for o in account.get("storage/search", params={"q": "direct"}).objects]

# Events: the latest cursor an integer; the changes above (and a rename, a move, a delete)
# are in the feed.
before = account.get("events/latest").data["cursor"]
account.patch("storage/files/%s" % notes.data["id"], json={"name": "renamed.txt"})
account.patch("storage/files/%s" % notes.data["id"], json={"parent_id": docs.data["id"]})
account.delete("storage/files/%s" % notes.data["id"])
out["new_event_types"] = [e.data["type"] for e in account.get(
    "events", params={"cursor": before}).get_paging_iterator()]
latest = account.get("events/latest").data["cursor"]
out["cursor_type"] = type(latest).__name__
feed = account.get("events", params={"cursor": 0, "page_size": 1000})
out["event_types"] = sorted(set(e.data["type"] for e in feed.get_paging_iterator()))
out["events_page_size_100000"] = error(account.get, "events", params={"page_size": 100000})

# Calendars: create, list, update, delete; events in a new one; availability.
cal = account.post("cal/calendars", json={"name": "Team", "timezone": "Europe/Paris"})
out["cal_created"] = [cal.data["name"], cal.data["type"]]
out["cal_bad"] = error(account.post, "cal/calendars", json={"description": "no name"})
cal.post("events", json={"name": "Standup", "start": "2030-01-01T09:00:00Z", "end": "2030-01-01T10:00:00Z"})
out["cal_events"] = [e.data["name"] for e in cal.get("events").objects]
out["cal_updated"] = cal.patch(json={"name": "Team B"}).data["name"]
out["cals"] = sorted(c.data["name"] for c in account.get("cal/calendars").get_paging_iterator())
avail = account.post("cal/availability", json={
    "calendars": [cal.data["id"]], "meeting_duration": "PT1H",
    "constraints": {"time_windows": [{"start": "2030-01-01T08:00:00Z", "end": "2030-01-01T12:00:00Z"}]}})
out["availability"] = [(w["start"], w["end"]) for w in avail.data["time_windows"]]
out["availability_bad"] = error(account.post, "cal/availability", json={"calendars": [cal.data["id"]]})
out["primary_delete"] = error(account.delete, "cal/calendars/primary")
cal.delete()
out["cal_after_delete"] = error(account.get, "cal/calendars/%s" % cal.data["id"])

# Accounts with the API key: import, list with filters, retrieve_full, update, delete.
out["import_bad"] = error(app.post, "accounts", json={"account": "x@example.invalid", "service": "nope", "token": "t"})
imported = app.post("accounts", json={"account": "box@example.invalid", "service": "box", "token": "tok"})
out["imported"] = [imported.data["service"], imported.data["active"], "token" in imported.data]
out["accounts"] = [a.data["id"] for a in app.get("accounts").get_paging_iterator()]
out["accounts_admin"] = [a.data["id"] for a in app.get("accounts", params={"admin": "true"}).objects]
out["accounts_search"] = [a.data["id"] for a in app.get("accounts", params={"search": "box@"}).objects]
full = app.get("accounts/%s" % imported.data["id"], params={"retrieve_full": "true", "retrieve_tokens": "true"})
out["retrieve_full"] = [sorted(full.data["properties"]["capabilities"]), full.data["token"]]
out["tokens_with_bearer"] = error(account.get, params={"retrieve_tokens": "true"})
out["update"] = app.patch("accounts/%s" % imported.data["id"], json={"active": False}).data["active"]
out["accounts_inactive"] = [a.data["id"] for a in app.get("accounts", params={"active": "false"}).objects]
app.delete("accounts/%s" % imported.data["id"])
out["account_after_delete"] = error(app.get, "accounts/%s" % imported.data["id"])

# The team of the admin account (124); a user account is refused.
admin = Account(api_key=api_key, account_id=124)
out["team_users"] = [u.data["id"] for u in admin.get("team/users").objects]
out["team_user"] = admin.get("team/users/u2").data["email"]
out["team_memberships"] = [g.data["name"] for g in admin.get("team/users/u3/memberships").objects]
out["team_groups"] = [g.data["name"] for g in admin.get("team/groups").objects]
out["team_members"] = [u.data["id"] for u in admin.get("team/groups/g2/members").objects]
out["team_not_admin"] = error(account.get, "team/users")
print(json.dumps(out))
