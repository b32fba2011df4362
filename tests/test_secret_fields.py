"""Secret fields never leave the server, for any user, administrators included.

`res.users.password` is write-only, as in Odoo where it is a non-stored computed field: it reads
as an empty string, a domain leaf on it is ignored (Odoo 17 turns leaves on fields it cannot search
into TRUE), it does not order, group or aggregate. API-key hashes and indexes are not fields at all
for clients (Odoo keeps them as bare columns): naming them is an invalid field. Every method and
every path that could reveal a value is tried: read, search, search_count, search_read, name_search,
read_group (groupby and aggregates), order, fields_get, default_get, export_data with related paths.
"""
from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import Client, Server, fault, last_line
from dbstate import engine

HASH = "$pbkdf2"


def stored(server: Server, sql: str, **params: Any) -> Any:
    eng = engine(server)
    try:
        with eng.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()
    finally:
        eng.dispose()


@pytest.fixture(params=["admin", "user"])
def who(request: pytest.FixtureRequest, server: Server, client: Client) -> Client:
    if request.param == "admin":
        return client
    login = f"s{uuid.uuid4().hex[:8]}"
    client.x("res.users", "create", {"name": f"Secret {login}", "login": login, "password": "pw-secret"})
    return server.client(login, "pw-secret")


@pytest.fixture()
def key(client: Client) -> str:
    wizard = client.x("res.users.apikeys.description", "create", {"name": "secret scan"})
    action = client.x("res.users.apikeys.description", "make_key", [wizard])
    return str(action["context"]["default_key"])


@pytest.fixture()
def admin_hash(server: Server) -> str:
    value = stored(server, "SELECT password FROM res_users WHERE id = 2")
    assert isinstance(value, str) and value.startswith(HASH)
    return value


def test_password_reads_empty(who: Client) -> None:
    assert who.x("res.users", "read", [2], ["password"]) == [{"id": 2, "password": ""}]
    assert who.x("res.users", "search_read", [("id", "=", 2)], ["password"]) == [{"id": 2, "password": ""}]
    assert "password" not in who.x("res.users", "read", [2])[0]
    assert who.x("res.users", "default_get", ["password"]) == {}


def test_password_leaves_are_ignored_so_there_is_no_oracle(who: Client, admin_hash: str) -> None:
    """Odoo ignores a leaf on a field it cannot search: a matching and a non-matching pattern
    give the same answer, so nothing can be learnt of the hash one character at a time."""
    prefix, wrong = admin_hash[:20] + "%", "no such hash%"
    for pattern in (prefix, wrong):
        domain = [("id", "=", 2), ("password", "=like", pattern)]
        assert who.x("res.users", "search", domain) == [2]
        assert who.x("res.users", "search_count", domain) == 1
        assert who.x("res.users", "search_read", domain, ["login"]) == [{"id": 2, "login": "admin"}]
        assert who.x("res.users", "name_search", "", domain) == [[2, who.x("res.users", "read", [2],
                                                                            ["display_name"])[0]["display_name"]]]
    for op, value in (("=", False), ("!=", False), ("=", admin_hash), ("!=", admin_hash), ("like", "pbkdf2")):
        assert who.x("res.users", "search", [("id", "=", 2), ("password", op, value)]) == [2]
        assert who.x("res.users", "search", [("id", "=", 2), "!", ("password", op, value)]) == [2]


def test_password_paths_are_ignored(who: Client, admin_hash: str) -> None:
    partner = who.x("res.users", "read", [2], ["partner_id"])[0]["partner_id"][0]
    for pattern in (admin_hash[:20] + "%", "no such hash%"):
        found = who.x("res.partner", "search", [("id", "=", partner), ("user_ids.password", "=like", pattern)])
        assert found == [partner]
        found = who.x("res.partner", "search", [("id", "=", partner), ("user_ids", "any", [("password", "=like",
                                                                                             pattern)])])
        assert found == [partner]


def test_password_does_not_order(who: Client) -> None:
    ids = who.x("res.users", "search", [], order="id")
    assert who.x("res.users", "search", [], order="password") == ids
    assert who.x("res.users", "search", [], order="password desc") == ids
    assert who.x("res.users", "search", [], order="password desc, id desc") == list(reversed(ids))


def test_password_does_not_group_or_aggregate(who: Client) -> None:
    err = fault(who.x, "res.users", "read_group", [], ["login"], ["password"])
    assert err.faultCode == 1
    assert last_line(err) == "ValueError: Field 'password' on model 'res.users' cannot be grouped (not stored)"
    for spec in ("p:max(password)", "password:max", "password:count_distinct", "password:count", "x:min(password)"):
        err = fault(who.x, "res.users", "read_group", [], [spec], ["login"])
        assert (err.faultCode, err.faultString) == (2, "Cannot aggregate field 'password'.")
    # a plain field name without aggregate is left out of the groups, as Odoo leaves non-stored fields
    groups = who.x("res.users", "read_group", [("id", "=", 2)], ["password"], ["login"])
    assert groups == [{"login": "admin", "login_count": 1, "__domain": ["&", ["id", "=", 2], ["login", "=", "admin"]]}]


def test_password_in_fields_get_and_export(who: Client) -> None:
    desc = who.x("res.users", "fields_get", ["password"])["password"]
    assert desc["type"] == "char" and desc["store"] is False and desc["searchable"] is False
    assert desc["sortable"] is False
    assert who.x("res.users", "export_data", [2], ["login", "password"]) == {"datas": [["admin", ""]]}
    partner = who.x("res.users", "read", [2], ["partner_id"])[0]["partner_id"][0]
    assert who.x("res.partner", "export_data", [partner], ["user_ids/login", "user_ids/password"]) == \
        {"datas": [["admin", ""]]}


KEY_FIELDS = ("key", "index")


def test_key_columns_are_no_fields(who: Client, key: str, client: Client) -> None:
    """Odoo keeps API-key hashes and indexes as bare columns, not fields: any mention is an
    invalid field, whatever the method."""
    kid = client.x("res.users.apikeys", "search", [("name", "=", "secret scan")])[0]
    for name in KEY_FIELDS:
        err = fault(who.x, "res.users.apikeys", "read", [kid], [name])
        assert last_line(err) == f"ValueError: Invalid field {name!r} on model 'res.users.apikeys'"
        leaf = (name, "=", key[:8])
        err = fault(who.x, "res.users.apikeys", "search", [leaf])
        assert last_line(err) == f"ValueError: Invalid field res.users.apikeys.{name} in leaf {leaf!r}"
        err = fault(who.x, "res.users", "search", [(f"api_key_ids.{name}", "=", key[:8])])
        assert last_line(err) == f"ValueError: Invalid field res.users.apikeys.{name} in leaf {leaf!r}"
        err = fault(who.x, "res.users.apikeys", "search", [], order=name)
        assert last_line(err) == f"ValueError: Invalid field {name!r} on model 'res.users.apikeys'"
        err = fault(who.x, "res.users.apikeys", "read_group", [], ["name"], [name])
        assert last_line(err) == f"ValueError: Invalid field {name!r} on model 'res.users.apikeys'"
        err = fault(who.x, "res.users.apikeys", "read_group", [], [f"k:max({name})"], ["name"])
        assert last_line(err) == f"ValueError: Invalid field {name!r} on model 'res.users.apikeys'"
        err = fault(who.x, "res.users.apikeys", "export_data", [kid], [name])
        assert last_line(err) == f"ValueError: Invalid field {name!r} on model 'res.users.apikeys'"
        err = fault(who.x, "res.users", "export_data", [2], [f"api_key_ids/{name}"])
        assert last_line(err) == f"ValueError: Invalid field {name!r} on model 'res.users.apikeys'"
        assert name not in who.x("res.users.apikeys", "fields_get")
        err = fault(who.x, "res.users.apikeys", "write", [kid], {name: "0" * 8})  # nobody may write keys
        assert err.faultCode == 4
        assert err.faultString.startswith("You are not allowed to modify 'Users API Keys' (res.users.apikeys)")


def test_no_method_returns_a_secret(server: Server, who: Client, key: str, admin_hash: str) -> None:
    """Whatever a user may call on the models holding secrets, no answer carries one."""
    answers: list[Any] = []
    for model in ("res.users", "res.users.apikeys", "res.partner"):
        answers.append(who.x(model, "search_read", [], [], context={"active_test": False}))
        answers.append(who.x(model, "fields_get"))
        answers.append(who.x(model, "read_group", [], [], ["create_uid"]))
        ids = who.x(model, "search", [], context={"active_test": False})
        answers.append(who.x(model, "read", ids))
        answers.append(who.x(model, "name_search", "", limit=1000))
        answers.append(who.x(model, "get_metadata", ids))
    text = repr(answers)
    assert len(text) > 10_000
    assert HASH not in text and key not in text and key[:8] not in text and admin_hash[20:40] not in text
    assert not re.search(r"[0-9a-f]{40}", text.replace(key, ""))
