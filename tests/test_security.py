"""Users, groups, access rights, record rules, field groups, API keys and the login cooldown,
as a restricted user created over RPC and with API keys, on each backend."""
from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
import xmlrpc.client
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import Client, FreshConnection, Server, require_backend, start_server, stop_server


def fault(fn: Any, *args: Any, **kwargs: Any) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as err:
        fn(*args, **kwargs)
    return err.value


def cli(server: Server, *args: str) -> str:
    where = ["--db-url", server.db_url] if server.db_url else ["--data-dir", str(server.data_dir)]
    command = [args[0], *args[1:]] if args[0] == "password" else [args[0], args[1], *args[2:]]
    split = 1 if args[0] == "password" else 2
    done = subprocess.run([sys.executable, "-m", "odoorpc_server", *command[:split], *where,
                           "--database", server.db, *command[split:]], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def new_user(admin: Client, **vals: Any) -> tuple[int, str, str]:
    login = f"u{uuid.uuid4().hex[:8]}"
    password = f"pw-{uuid.uuid4().hex[:6]}"
    uid = admin.x("res.users", "create", {"name": f"User {login}", "login": login, "password": password, **vals})
    return uid, login, password


def make_key(client: Client, name: str = "integration") -> str:
    wizard = client.x("res.users.apikeys.description", "create", {"name": name})
    action = client.x("res.users.apikeys.description", "make_key", [wizard])
    key = action["context"]["default_key"]
    assert re.fullmatch(r"[0-9a-f]{40}", key)
    return str(key)


@pytest.fixture()
def user(server: Server, client: Client) -> Client:
    """A fresh internal user, created by the administrator over RPC."""
    _, login, password = new_user(client)
    return server.client(login, password)


def test_new_users_are_internal_users(client: Client, user: Client) -> None:
    assert isinstance(user.uid, int) and user.uid > 2
    [row] = client.x("res.users", "read", [user.uid], ["groups_id"])
    internal = client.x("ir.model.data", "search_read", [("module", "=", "base"), ("name", "=", "group_user")],
                        ["res_id"])[0]["res_id"]
    assert row["groups_id"] == [internal]


def test_access_rights_allow_and_deny(user: Client) -> None:
    assert user.x("res.partner", "check_access_rights", "write") is True
    pid = user.x("res.partner", "create", {"name": "Made by a user"})
    assert user.x("res.partner", "read", [pid], ["name"]) == [{"id": pid, "name": "Made by a user"}]
    assert user.x("res.country", "search_count", [("code", "=", "BE")]) == 1
    assert user.x("res.country", "check_access_rights", "write", raise_exception=False) is False
    err = fault(user.x, "res.country", "write", [1], {"name": "Nowhere"})
    assert err.faultCode == 4
    assert err.faultString == (
        "You are not allowed to modify 'Country' (res.country) records.\n\n"
        "This operation is allowed for the following groups:\n\t- Settings\n\n"
        "Contact your administrator to request access if necessary.")
    assert fault(user.x, "res.country", "check_access_rights", "unlink").faultCode == 4
    err = fault(user.x, "ir.model", "create", {"name": "Nope", "model": "x_nope_user", "state": "manual"})
    assert err.faultCode == 4 and "to create 'Models' (ir.model)" in err.faultString


def test_custom_models_are_for_administrators_until_granted(client: Client, user: Client) -> None:
    name = f"x_acl{uuid.uuid4().hex[:8]}"
    mid = client.x("ir.model", "create", {"name": "Private", "model": name, "state": "manual"})
    err = fault(user.x, name, "search", [])
    assert err.faultCode == 4 and "This operation is allowed for the following groups:\n\t- Settings" in \
        err.faultString
    client.x("ir.model.access", "create", {"name": "users read", "model_id": mid, "perm_read": True})
    assert user.x(name, "search", []) == []
    assert fault(user.x, name, "create", {}).faultCode == 4


def test_users_cannot_change_their_own_groups(client: Client, user: Client) -> None:
    system = client.x("ir.model.data", "search_read", [("name", "=", "group_system")], ["res_id"])[0]["res_id"]
    err = fault(user.x, "res.users", "write", [user.uid], {"groups_id": [(4, system)]})
    assert err.faultCode == 4
    assert system not in client.x("res.users", "read", [user.uid], ["groups_id"])[0]["groups_id"]
    # a few fields of their own record they may change
    assert user.x("res.users", "write", [user.uid], {"name": "Renamed Self", "tz": "Europe/Brussels"}) is True
    assert fault(user.x, "res.users", "write", [2], {"name": "Not me"}).faultCode == 4


def test_password_change_and_archive(server: Server, client: Client, user: Client) -> None:
    assert fault(user.x, "res.users", "change_password", "wrong", "new-secret").faultCode == 3
    assert user.x("res.users", "change_password", user.password, "new-secret") is True
    assert fault(user.x, "res.partner", "search_count", []).faultCode == 3  # the old password is gone
    again = server.client(user.login, "new-secret")
    assert again.uid == user.uid and again.x("res.partner", "search_count", []) > 0
    client.x("res.users", "write", [user.uid], {"active": False})
    assert fault(again.x, "res.partner", "search_count", []).faultCode == 3
    assert again.common.authenticate(server.db, user.login, "new-secret", {}) is False


def test_password_is_write_only(client: Client, user: Client) -> None:
    [row] = client.x("res.users", "read", [user.uid], ["password", "login"])
    assert row["password"] == ""
    assert client.x("res.users", "search", [("id", "=", user.uid)]) == [user.uid]


def test_record_rules(client: Client, user: Client) -> None:
    group = client.x("res.groups", "create", {"name": f"Rule group {uuid.uuid4().hex[:6]}", "users": [(4, user.uid)]})
    tag = f"T{uuid.uuid4().hex[:6]}"
    open_id = client.x("res.partner.category", "create", {"name": f"{tag} public"})
    secret = client.x("res.partner.category", "create", {"name": f"{tag} secret"})
    holder = client.x("res.partner", "create", {"name": f"{tag} holder", "category_id": [(6, 0, [open_id, secret])]})
    model_id = client.x("ir.model", "search", [("model", "=", "res.partner.category")])[0]
    rule = client.x("ir.rule", "create", {
        "name": "only public tags", "model_id": model_id, "groups": [(6, 0, [group])],
        "domain_force": "[('name', 'ilike', 'public')]", "perm_write": False, "perm_create": False,
        "perm_unlink": False})
    try:
        assert user.x("res.partner.category", "search", [("name", "like", tag)]) == [open_id]
        assert user.x("res.partner.category", "search_count", [("name", "like", tag)]) == 1
        assert user.x("res.partner.category", "name_search", tag) == [[open_id, f"{tag} public"]]
        err = fault(user.x, "res.partner.category", "read", [secret], ["name"])
        assert err.faultCode == 4 and err.faultString.startswith(
            "Uh-oh! Looks like you have stumbled upon some top-secret records.")
        # rules apply through relations and to x2many values
        assert user.x("res.partner", "search", [("category_id.name", "=", f"{tag} secret")]) == []
        assert user.x("res.partner", "read", [holder], ["category_id"])[0]["category_id"] == [open_id]
        # the administrator is not in the group: unrestricted
        assert sorted(client.x("res.partner.category", "search", [("name", "like", tag)])) == sorted([open_id, secret])
        # a rule with the user in it
        client.x("ir.rule", "write", [rule], {"domain_force": "[('create_uid', '=', user.id)]"})
        mine = user.x("res.partner.category", "create", {"name": f"{tag} mine"})
        assert user.x("res.partner.category", "search", [("name", "like", tag)]) == [mine]
        err = fault(client.x, "ir.rule", "write", [rule], {"domain_force": "[('name', '=', __import__('os'))]"})
        assert err.faultCode == 2 and "Unsupported expression" in err.faultString
    finally:
        client.x("ir.rule", "unlink", [rule])
    assert len(user.x("res.partner.category", "search", [("name", "like", tag)])) == 3


def test_field_groups_hide_fields(client: Client, user: Client) -> None:
    name = f"x_fg{uuid.uuid4().hex[:8]}"
    mid = client.x("ir.model", "create", {"name": "Fields", "model": name, "state": "manual"})
    system = client.x("ir.model.data", "search_read", [("name", "=", "group_system")], ["res_id"])[0]["res_id"]
    client.x("ir.model.fields", "create", {"model_id": mid, "name": "x_name", "ttype": "char"})
    client.x("ir.model.fields", "create", {"model_id": mid, "name": "x_salary", "ttype": "integer",
                                           "groups": [(6, 0, [system])]})
    client.x("ir.model.access", "create", {"name": "all", "model_id": mid, "perm_read": True})
    rid = client.x(name, "create", {"x_name": "Bob", "x_salary": 100})
    assert client.x(name, "read", [rid], ["x_salary"])[0]["x_salary"] == 100
    assert "x_salary" in client.x(name, "fields_get")
    assert "x_salary" not in user.x(name, "fields_get")
    assert "x_salary" not in user.x(name, "read", [rid])[0]
    err = fault(user.x, name, "read", [rid], ["x_salary"])
    assert err.faultCode == 4 and 'access the fields "x_salary"' in err.faultString
    assert fault(user.x, name, "search", [("x_salary", ">", 10)]).faultCode == 4


def test_api_keys(server: Server, client: Client, user: Client) -> None:
    key = make_key(user, "ci pipeline")
    assert user.common.authenticate(server.db, user.login, key, {}) == user.uid
    with_key = Client(server.url, server.db, user.login, key)
    assert with_key.uid == user.uid and with_key.x("res.partner", "search_count", []) > 0
    # a key cannot mint keys
    wizard = with_key.x("res.users.apikeys.description", "create", {"name": "from a key"})
    assert fault(with_key.x, "res.users.apikeys.description", "make_key", [wizard]).faultCode == 4
    [row] = user.x("res.users.apikeys", "search_read", [], [])
    assert row["name"] == "ci pipeline" and row["user_id"][0] == user.uid
    assert "key" not in row and "index" not in row
    assert fault(user.x, "res.users.apikeys", "read", [row["id"]], ["key"]).faultCode == 1
    assert fault(user.x, "res.users.apikeys", "search", [("index", "=", key[:8])]).faultCode == 1
    # owners see theirs, administrators see everyone's
    assert row["id"] in client.x("res.users.apikeys", "search", [])
    admin_key = make_key(client, "admin's")
    assert user.x("res.users.apikeys", "search", []) == [row["id"]]
    assert fault(user.x, "res.users.apikeys", "create", {"name": "direct", "user_id": user.uid}).faultCode == 4
    # revoking works at once
    assert user.x("res.users.apikeys", "unlink", [row["id"]]) is True
    assert fault(with_key.x, "res.partner", "search_count", []).faultCode == 3
    assert user.common.authenticate(server.db, user.login, key, {}) is False
    admin_keys = client.x("res.users.apikeys", "search", [("user_id", "=", 2)])
    assert fault(user.x, "res.users.apikeys", "unlink", admin_keys).faultCode == 4
    Client(server.url, server.db, "admin", admin_key).x("res.partner", "search_count", [])
    client.x("res.users.apikeys", "unlink", admin_keys)


def test_api_key_command_line(server: Server, client: Client) -> None:
    _, login, _ = new_user(client)
    out = cli(server, "apikey", "create", "--login", login, "--name", "from the shell")
    key = out.strip().splitlines()[-1]
    assert re.fullmatch(r"[0-9a-f]{40}", key)
    uid = client.x("res.users", "search", [("login", "=", login)])[0]
    assert Client(server.url, server.db, login, key).uid == uid
    listing = cli(server, "apikey", "list", "--login", login)
    assert "from the shell" in listing and key not in listing and key[:8] not in listing
    kid = int(listing.strip().splitlines()[-1].split("\t")[0])
    expired = cli(server, "apikey", "create", "--login", login, "--name", "old", "--expires", "2020-01-01")
    assert Client(server.url, server.db, login, expired.strip().splitlines()[-1]).uid is False
    cli(server, "apikey", "revoke", "--id", str(kid))
    assert Client(server.url, server.db, login, key).uid is False
    cli(server, "password", "--login", login, "--password", "from-cli")
    assert Client(server.url, server.db, login, "from-cli").uid == uid


def test_secrets_never_leave_the_server(server: Server, client: Client, user: Client) -> None:
    key = make_key(user, "scan")
    models = [m["model"] for m in client.x("ir.model", "search_read", [], ["model"])]
    seen = 0
    for model in models:
        try:
            rows = client.x(model, "search_read", [], [], context={"active_test": False})
        except xmlrpc.client.Fault:
            continue
        text = repr(rows) + repr(client.x(model, "fields_get"))
        seen += len(rows)
        assert "$pbkdf2" not in text and key not in text and key[:8] not in text and user.password not in text
    assert seen > 500


def test_credentials_belong_to_one_database(server: Server, client: Client, user: Client) -> None:
    other = f"iso{uuid.uuid4().hex[:8]}"
    db = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/db")
    assert db.create_database("admin", other, False, "en_US", "other-admin") is True
    try:
        key = make_key(user)
        common = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common")
        assert common.authenticate(other, user.login, user.password, {}) is False
        assert common.authenticate(other, "admin", "admin", {}) is False
        assert common.authenticate(other, "admin", "other-admin", {}) == 2
        objects = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object")
        for secret in (user.password, key, "admin"):
            err = fault(objects.execute_kw, other, user.uid if secret != "admin" else 2, secret,
                        "res.partner", "search_count", [[]])
            assert (err.faultCode, err.faultString) == (3, "Access Denied")
    finally:
        assert db.drop("admin", other) is True


@pytest.fixture()
def guarded(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_backend(backend)
    srv = start_server(tmp_path_factory.mktemp(f"cooldown-{backend}"), backend,
                       ["--login-cooldown-after", "3", "--login-cooldown-duration", "2", "--workers", "1"])
    yield srv
    stop_server(srv)


def test_login_cooldown(guarded: Server) -> None:
    common = xmlrpc.client.ServerProxy(f"{guarded.url}/xmlrpc/2/common")
    for _ in range(3):
        assert common.authenticate(guarded.db, "admin", "wrong", {}) is False
    # the right password is refused too: the refusal comes before any check of the password
    assert common.authenticate(guarded.db, "admin", "admin", {}) is False
    time.sleep(2.1)
    assert common.authenticate(guarded.db, "admin", "admin", {}) == 2


@pytest.fixture()
def workers(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_backend(backend)
    srv = start_server(tmp_path_factory.mktemp(f"keyworkers-{backend}"), backend, ["--workers", "3"])
    yield srv
    stop_server(srv)


def test_revoked_key_fails_in_every_worker(workers: Server) -> None:
    out = cli(workers, "apikey", "create", "--login", "admin", "--name", "spread")
    key = out.strip().splitlines()[-1]

    def call() -> Any:
        proxy = xmlrpc.client.ServerProxy(f"{workers.url}/xmlrpc/2/object", transport=FreshConnection())
        return proxy.execute_kw(workers.db, 2, key, "res.partner", "search_count", [[]], {})

    def accepted() -> None:
        assert call() > 0

    def refused() -> None:
        assert fault(call).faultCode == 3

    workers.on_every_worker(3, accepted)  # every worker has verified (and cached) the key
    kid = cli(workers, "apikey", "list").strip().splitlines()[-1].split("\t")[0]
    cli(workers, "apikey", "revoke", "--id", kid)
    workers.on_every_worker(3, refused)  # refused by every worker, its cache notwithstanding
