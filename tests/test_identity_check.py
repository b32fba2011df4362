"""Odoo's API-key flow with its identity check, over the web routes as Odoo's web client and the
client libraries run it: `res.users.api_key_wizard` and `res.users.apikeys.description.make_key`
answer the `res.users.identitycheck` wizard's action; the user writes their password on the wizard
(Odoo 19: passes it in the context) and `run_check` runs the method, whose action comes back
(the description wizard, then `res.users.apikeys.show` with the key as `default_key`).

Over XML-RPC and JSON-RPC a call authenticated with the password has just proved it, so both
methods answer at once; one authenticated with an API key is refused."""
from __future__ import annotations

import re
import uuid
import xmlrpc.client
from pathlib import Path
from typing import Any

import odooly
import pytest
import sqlalchemy as sa

from conftest import Client, Server, fault, require_backend, start_server, stop_server
from dbstate import changes, engine, snapshot
from jsonwire import Web

KEY = re.compile(r"^[0-9a-f]{40}$")
INCORRECT = "Incorrect Password, try again or click on Forgot Password to reset your password."


def web_user(server: Server, login: str = "admin", password: str = "admin") -> Web:
    web = Web(server.url)
    web.login(server.db, login, password)
    return web


def button(web: Web, model: str, method: str, ids: list[int], **context: Any) -> dict[str, Any]:
    return web.post("/web/dataset/call_button", {"model": model, "method": method, "args": [ids],
                                                 "kwargs": {"context": context}})


def action(envelope: dict[str, Any]) -> dict[str, Any]:
    assert "error" not in envelope, envelope["error"]
    result: dict[str, Any] = envelope["result"]
    return result


def identity_check(found: dict[str, Any]) -> int:
    """The wizard id of an identity check action (the whole action is pinned)."""
    assert found == {"type": "ir.actions.act_window", "res_model": "res.users.identitycheck",
                     "res_id": found["res_id"], "name": "Security Control", "target": "new",
                     "views": [[False, "form"]]}
    return int(found["res_id"])


def keys_of(server: Server, uid: int) -> int:
    return int(server.client().x("res.users.apikeys", "search_count", [("user_id", "=", uid)]))


def test_the_web_flow_from_the_preferences_button_to_the_key(server: Server) -> None:
    web = web_user(server)
    check = identity_check(action(button(web, "res.users", "api_key_wizard", [2])))
    web.kw("res.users.identitycheck", "write", [check], {"password": "admin"})
    wizard = action(button(web, "res.users.identitycheck", "run_check", [check]))
    assert wizard == {"type": "ir.actions.act_window", "res_model": "res.users.apikeys.description",
                      "name": "New API Key", "target": "new", "views": [[False, "form"]]}
    description = web.kw("res.users.apikeys.description", "create", {"name": "web flow"})
    # the session passed the check a moment ago: Odoo does not ask again for ten minutes
    shown = action(button(web, "res.users.apikeys.description", "make_key", [description]))
    key = shown["context"]["default_key"]
    assert KEY.match(key)
    assert shown == {"type": "ir.actions.act_window", "res_model": "res.users.apikeys.show", "name": "API Key Ready",
                     "views": [[False, "form"]], "target": "new", "context": {"default_key": key}}
    assert xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common").authenticate(server.db, "admin", key, {}) == 2
    assert web.kw("res.users.apikeys.show", "default_get", ["key"], context={"default_key": key}) == {"key": key}
    assert web.kw("res.users.apikeys.description", "search", [("id", "=", description)]) == []  # done with


def test_a_new_session_is_asked_again(server: Server) -> None:
    """The check belongs to the session that passed it: another session of the same user is
    asked for the password, and passes with it."""
    first = web_user(server)
    check = identity_check(action(button(first, "res.users", "api_key_wizard", [2])))
    action(button(first, "res.users.identitycheck", "run_check", [check], password="admin"))
    second = web_user(server)
    description = second.kw("res.users.apikeys.description", "create", {"name": "second session"})
    check = identity_check(action(button(second, "res.users.apikeys.description", "make_key", [description])))
    second.kw("res.users.identitycheck", "write", [check], {"password": "admin"})
    shown = action(button(second, "res.users.identitycheck", "run_check", [check]))
    assert shown["res_model"] == "res.users.apikeys.show" and KEY.match(shown["context"]["default_key"])


def test_the_password_may_come_in_the_context_as_from_odoo_19(server: Server) -> None:
    web = web_user(server)
    description = web.kw("res.users.apikeys.description", "create", {"name": "context flow"})
    check = identity_check(action(button(web, "res.users.apikeys.description", "make_key", [description])))
    shown = action(button(web, "res.users.identitycheck", "run_check", [check], password="admin"))
    assert KEY.match(shown["context"]["default_key"])


def test_odooly_answers_the_identity_check_itself(backend: str, tmp_path: Path) -> None:
    """odooly sees the identity check action, writes the password it logged in with on the wizard
    and runs the check: the caller gets the key's action. (A server of its own: odooly keeps its
    logins per server for the whole process, which other tests' sessions must not meet.)"""
    require_backend(backend)
    server = start_server(tmp_path, backend)
    try:
        client = odooly.Client(server.url, server.db, "admin", "admin")
        description = client.env["res.users.apikeys.description"].create({"name": "odooly"})
        shown = description.make_key()
    finally:
        stop_server(server)
    assert shown["res_model"] == "res.users.apikeys.show" and KEY.match(shown["context"]["default_key"])


def test_a_wrong_password_makes_no_key(server: Server) -> None:
    web = web_user(server)
    description = web.kw("res.users.apikeys.description", "create", {"name": "wrong"})
    before = keys_of(server, 2)
    check = identity_check(action(button(web, "res.users.apikeys.description", "make_key", [description])))
    web.kw("res.users.identitycheck", "write", [check], {"password": "not the password"})
    error = button(web, "res.users.identitycheck", "run_check", [check])["error"]
    assert (error["data"]["name"], error["data"]["message"]) == ("odoo.exceptions.UserError", INCORRECT)
    error = button(web, "res.users.identitycheck", "run_check", [check], password="still wrong")["error"]
    assert error["data"]["message"] == INCORRECT
    error = button(web, "res.users.identitycheck", "run_check", [check])["error"]  # nothing written
    assert error["data"]["message"] == INCORRECT
    assert keys_of(server, 2) == before


def test_the_wizard_keeps_neither_the_password_nor_the_request_readable(server: Server) -> None:
    web = web_user(server)
    check = identity_check(action(button(web, "res.users", "api_key_wizard", [2])))
    web.kw("res.users.identitycheck", "write", [check], {"password": "admin"})
    fields = web.kw("res.users.identitycheck", "fields_get", attributes=["type"])
    assert "request" not in fields and fields["password"] == {"type": "char"}
    assert web.kw("res.users.identitycheck", "read", [check], ["password", "auth_method"]) == [
        {"id": check, "password": "", "auth_method": "password"}]
    error = web.call_kw("res.users.identitycheck", "read", [check], ["request"])["error"]
    assert error["data"]["message"] == "Invalid field 'request' on model 'res.users.identitycheck'"
    # nor may a client say which method a check runs
    forged = '[{}, "res.users", [2], "change_password"]'
    for method, args in (("write", [[check], {"request": forged}]), ("create", [{"request": forged}])):
        error = web.call_kw("res.users.identitycheck", method, *args)["error"]
        assert error["data"]["message"] == "Invalid field 'request' on model 'res.users.identitycheck'", method
    eng = engine(server)
    try:
        with eng.connect() as conn:
            stored = conn.exec_driver_sql(f"SELECT password FROM res_users_identitycheck WHERE id = {check}").scalar()
    finally:
        eng.dispose()
    assert stored != "admin" and "admin" not in str(stored)


def test_another_users_check_cannot_be_run(server: Server) -> None:
    """The wizard is its creator's (Odoo's rule on create_uid): someone else running it, with
    their own password, gets the rule's AccessError and no key."""
    admin = server.client()
    login = f"idcheck-{uuid.uuid4().hex[:8]}"
    admin.x("res.users", "create", {"name": "Id Check", "login": login, "password": "other-pw"})
    owner = web_user(server)
    description = owner.kw("res.users.apikeys.description", "create", {"name": "owner's"})
    check = identity_check(action(button(owner, "res.users.apikeys.description", "make_key", [description])))
    intruder = web_user(server, login, "other-pw")
    before = snapshot(server)
    error = button(intruder, "res.users.identitycheck", "run_check", [check], password="other-pw")["error"]
    assert error["data"]["name"] == "odoo.exceptions.AccessError"
    assert error["data"]["message"].startswith("Uh-oh! Looks like you have stumbled upon some top-secret records.")
    error = intruder.call_kw("res.users.identitycheck", "write", [check], {"password": "other-pw"})["error"]
    assert error["data"]["name"] == "odoo.exceptions.AccessError"
    assert changes(before, snapshot(server)) == []


def test_a_portal_user_passes_the_check_but_gets_no_key(server: Server) -> None:
    admin = server.client()
    portal = admin.x("ir.model.data", "check_object_reference", "base", "group_portal")[1]
    login = f"portal-{uuid.uuid4().hex[:8]}"
    uid = admin.x("res.users", "create", {"name": "Portal Key", "login": login, "password": "portal-pw",
                                          "groups_id": [(6, 0, [portal])]})
    web = web_user(server, login, "portal-pw")
    check = identity_check(action(button(web, "res.users", "api_key_wizard", [uid])))
    assert action(button(web, "res.users.identitycheck", "run_check", [check], password="portal-pw"))[
        "res_model"] == "res.users.apikeys.description"
    error = web.call_kw("res.users.apikeys.description", "create", {"name": "portal"})["error"]
    assert error["data"]["name"] == "odoo.exceptions.AccessError"
    assert error["data"]["message"].startswith(
        "You are not allowed to create 'API Key Description' (res.users.apikeys.description) records.")
    assert keys_of(server, uid) == 0


def test_over_rpc_the_password_is_the_identity_check(client: Client) -> None:
    assert client.x("res.users", "api_key_wizard", [2]) == {
        "type": "ir.actions.act_window", "res_model": "res.users.apikeys.description", "name": "New API Key",
        "target": "new", "views": [[False, "form"]]}
    description = client.x("res.users.apikeys.description", "create", {"name": "rpc"})
    key = client.x("res.users.apikeys.description", "make_key", [description])["context"]["default_key"]
    with_key = Client(client.url, client.db, "admin", key)
    f = fault(with_key.x, "res.users", "api_key_wizard", [2])
    assert f.faultCode == 4 and f.faultString.startswith("API keys can only be created in a call authenticated")


@pytest.mark.parametrize(("args", "name", "message"), [
    ([], "builtins.IndexError", "tuple index out of range"),
    ([[]], "builtins.ValueError", "Expected singleton: res.users.identitycheck()"),
    (["x"], "builtins.ValueError", "Invalid ids 'x'"),
    ([[2**40]], "odoo.exceptions.ValidationError", "The operation cannot be completed: integer out of range"),
])
def test_run_check_on_malformed_ids(server: Server, args: list[Any], name: str, message: str) -> None:
    web = web_user(server)
    envelope = web.post("/web/dataset/call_button", {"model": "res.users.identitycheck", "method": "run_check",
                                                     "args": args, "kwargs": {}})
    assert (envelope["error"]["data"]["name"], envelope["error"]["data"]["message"]) == (name, message)


def test_old_identity_checks_are_vacuumed(server: Server) -> None:
    """The wizard is transient: a check left for more than a day goes when the next one is made."""
    web = web_user(server)
    old = identity_check(action(button(web, "res.users", "api_key_wizard", [2])))
    eng = engine(server)
    try:
        with eng.begin() as conn:
            conn.execute(sa.text("UPDATE res_users_identitycheck SET create_date = :when WHERE id = :id"),
                         {"when": "2000-01-01 00:00:00", "id": old})
    finally:
        eng.dispose()
    fresh = identity_check(action(button(web, "res.users", "api_key_wizard", [2])))
    assert web.kw("res.users.identitycheck", "search", [("id", "in", [old, fresh])]) == [fresh]
