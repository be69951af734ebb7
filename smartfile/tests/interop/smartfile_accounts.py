"""Drives the SmartFile emulator's account endpoints (users, groups, roles, sites, links,
quotas, access rules, rights, preferences, sessions) with the original client's generic
calls (PyPI smartfile 2.19: get/post/put/delete), a workflow per family with its error
cases; an error answer must leave the state as it was. Prints one JSON object.

usage: smartfile_accounts.py BASE_URL KEY PASSWORD
"""
import io
import json
import sys

from smartfile import BasicClient
from smartfile.errors import ResponseError

base, key, password = sys.argv[1:4]
api = BasicClient(key, password, url=base)
out = {}


def status(call, *args, **kwargs):
    """The error status of a call that must fail, with its body; "ok" if it did not fail."""
    try:
        call(*args, **kwargs)
        return "ok"
    except ResponseError as e:
        return [e.status_code, e.detail if hasattr(e, "detail") else str(e)]


def names(listing, field):
    return [x[field] for x in listing["results"]]


# Users: create 201 (the password never answered), list with paging, update, delete.
bob = api.post("/user", username="bobafett", email="bob@example.invalid",
               name="Bob", password="p" * 30)
out["user_created"] = sorted(bob)
out["user_duplicate"] = status(api.post, "/user", username="bobafett", email="x@example.invalid")
out["user_missing_email"] = status(api.post, "/user", username="jango")
out["users"] = names(api.get("/user"), "username")
page = api.get("/user", limit=1, page=2)
out["users_page"] = [page["page"], page["pages"], page["count"], names(page, "username")]
out["user_updated"] = api.put("/user", "bobafett", full_name="Boba Fett")["full_name"]
out["user_get"] = api.get("/user", "bobafett")["full_name"]
out["user_unknown"] = status(api.get, "/user", "nobody")

# Groups, roles and sites: members must exist, rights must be known.
out["group_bad_member"] = status(api.post, "/group", name="bounty", users="nobody")
out["groups_after_error"] = names(api.get("/group"), "name")
out["group"] = api.post("/group", name="bounty", users="bobafett")["users"]
out["role"] = api.post("/role", name="reader", rights="read")["rights"]
out["role_bad_right"] = status(api.post, "/role", name="x", rights="fly")
out["site"] = api.post("/site", name="tatooine", title="Tatooine")["title"]
out["sites"] = names(api.get("/site"), "name")

# Links: on an existing path only; uid and href answered; update, delete.
api.upload("shared.txt", io.StringIO("shared"))
out["link_missing_path"] = status(api.post, "/link", path="/nope.txt", name="x")
link = api.post("/link", path="/shared.txt", name="shared", read=True, list=False)
out["link"] = [link["path"], link["read"], link["list"], link["href"].endswith(link["uid"] + "/")]
out["link_updated"] = api.put("/link", link["uid"], name="renamed")["name"]
out["links"] = names(api.get("/link"), "name")
api.delete("/link", link["uid"])
out["link_after_delete"] = status(api.get, "/link", link["uid"])

# Quotas: a limit set on a user, an integer only.
out["quota"] = api.put("/quota/user", "bobafett", limit=1024)["limit"]
out["quota_bad"] = status(api.put, "/quota/user", "bobafett", limit="lots")
out["quota_after_error"] = api.get("/quota/user", "bobafett")["limit"]
out["quota_unknown"] = status(api.get, "/quota/group", "nobody")

# Access rules: a user's rights on a path, listed by user and by path.
rule = api.post("/access/user/bobafett", path="/shared.txt", read=True)
out["access"] = [rule["user"], rule["path"], rule["read"], rule["write"]]
out["access_update"] = api.put("/access/user/bobafett", rule["id"], write=True)["write"]
out["access_by_path"] = len(api.get("/access/path", "/shared.txt")["results"])
out["access_missing_path"] = status(api.post, "/access/user/bobafett", path="/nope")

# Rights: the fixed list.
out["rights"] = names(api.get("/right"), "name")

# Preferences: set, read, delete.
out["pref"] = api.put("/pref/user", "theme", value="dark")["value"]
out["pref_get"] = api.get("/pref/user", "theme")["value"]
api.delete("/pref/user", "theme")
out["pref_after_delete"] = status(api.get, "/pref/user", "theme")

# Sessions: a user's login answered 201, a bad password 401.
out["session"] = api.post("/session", username="bobafett", password="p" * 30)["username"]
out["session_bad"] = status(api.post, "/session", username="bobafett", password="wrong")

# Deleting the user takes its access rules and group membership with it.
api.delete("/user", "bobafett")
out["user_after_delete"] = status(api.get, "/user", "bobafett")
out["group_after_user_delete"] = api.get("/group", "bounty")["users"]
out["access_after_user_delete"] = len(api.get("/access/path", "/shared.txt")["results"])
out["owner_delete"] = status(api.delete, "/user", "emulator")
print(json.dumps(out))
