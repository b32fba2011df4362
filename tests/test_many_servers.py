"""Many app servers, one PostgreSQL: two `serve` processes on different ports, started at the
same moment on the same --db-url and --database, behave as one server. Schema changes, web
sessions, API-key revocation, password changes and login throttling made through one are in
force at once through the other, because each lives in the database, not in a process.

PostgreSQL only: SQLite files are one machine's, a shared database server is what lets
several app servers run side by side."""
from __future__ import annotations

import uuid
import xmlrpc.client
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import Client, Server, drop_pg_database, fault, last_line, require_backend, start_server
from jsonwire import Web

POSTGRESQL = ["postgresql"]


def start_pair(tmp: Path, database: str, *extra: str) -> tuple[Server, Server]:
    """Two servers on `database`, launched at the same moment (each waits until it answers)."""
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(start_server, tmp / side, "postgresql", list(extra), database) for side in "ab"]
    started = [f.result() for f in futures if f.exception() is None]
    if len(started) < 2:  # the one that started is stopped, the database dropped, before failing
        for srv in started:
            srv.proc.terminate()
            srv.proc.wait(15)
        drop_pg_database(database)
        next(f.result() for f in futures if f.exception() is not None)
    return started[0], started[1]


def stop_pair(pair: tuple[Server, Server]) -> None:
    for srv in pair:
        srv.proc.terminate()
        srv.proc.wait(15)
    drop_pg_database(pair[0].db)


@pytest.fixture(scope="module", params=POSTGRESQL)
def pair(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    require_backend(request.param)
    tmp = tmp_path_factory.mktemp("pair")
    for side in "ab":
        (tmp / side).mkdir()
    servers = start_pair(tmp, f"m{uuid.uuid4().hex[:10]}")
    yield servers
    stop_pair(servers)


def web_on(url: str, web: Web) -> Web:
    """A second client on another server holding the same session cookie."""
    other = Web(url)
    other.http.cookies.set("session_id", web.http.cookies["session_id"])
    return other


def expired(envelope: dict[str, object]) -> None:
    error = envelope.get("error")
    assert isinstance(error, dict) and error["code"] == 100, envelope
    assert error["data"]["name"] == "odoo.http.SessionExpiredException"


def test_both_started_at_once_on_a_new_database(pair: tuple[Server, Server]) -> None:
    a, b = pair
    # one of them created and filled the database, the other found it: one set of base data
    for srv in pair:
        admin = srv.client()
        assert admin.uid == 2
        assert admin.x("res.users", "search_count", [("login", "=", "admin")]) == 1
        assert admin.x("res.company", "search_count", []) == 1
    assert a.client().x("ir.model", "search_count", []) == b.client().x("ir.model", "search_count", [])
    # and each says which: exactly one start banner tells of a created database
    states = sorted("created" if f"(created database {srv.db!r}" in srv.log.read_text() else "existing"
                    for srv in pair)
    assert states == ["created", "existing"]
    assert all(f"(existing database {srv.db!r}" in srv.log.read_text() for srv in pair
               if f"(created database {srv.db!r}" not in srv.log.read_text())


def test_a_custom_model_made_on_one_is_used_on_the_other(pair: tuple[Server, Server]) -> None:
    a, b = (srv.client() for srv in pair)
    name = f"x_m{uuid.uuid4().hex[:8]}"
    assert b.x("res.partner", "search_count", []) >= 1  # B has its registry loaded before the change
    mid = a.x("ir.model", "create", {"name": "Shared book", "model": name, "state": "manual"})
    a.x("ir.model.fields", "create", {"model_id": mid, "name": "x_title", "ttype": "char", "required": True})
    rid = b.x(name, "create", {"x_title": "Dune"})
    assert b.x(name, "read", [rid], ["x_title"]) == [{"id": rid, "x_title": "Dune"}]
    assert a.x(name, "search", [("x_title", "=", "Dune")]) == [rid]
    a.x(name, "write", [rid], {"x_title": "Dune Messiah"})
    assert b.x(name, "search_read", [], ["x_title"]) == [{"id": rid, "x_title": "Dune Messiah"}]
    # a field dropped on A is gone on B
    fid = a.x("ir.model.fields", "search", [("model", "=", name), ("name", "=", "x_title")])
    a.x("ir.model.fields", "unlink", fid)
    assert last_line(fault(b.x, name, "read", [rid], ["x_title"])) == \
        f"ValueError: Invalid field 'x_title' on model '{name}'"
    a.x("ir.model", "unlink", [mid])
    gone = fault(b.x, name, "search", [])
    assert (gone.faultCode, gone.faultString) == (2, f"Object {name} doesn't exist")


def test_a_session_made_on_one_works_on_the_other_until_destroyed(pair: tuple[Server, Server]) -> None:
    a, b = pair
    web_a = Web(a.url)
    assert web_a.login(a.db)["uid"] == 2
    web_b = web_on(b.url, web_a)
    assert web_b.result("/web/session/get_session_info")["uid"] == 2
    assert web_b.kw("res.users", "read", [2], ["login"]) == [{"id": 2, "login": "admin"}]
    assert "error" not in web_a.post("/web/session/destroy")
    expired(web_b.call_kw("res.users", "read", [2], ["login"]))
    expired(web_b.post("/web/session/get_session_info"))


def test_an_api_key_revoked_on_one_is_refused_on_the_other(pair: tuple[Server, Server]) -> None:
    a, b = pair
    admin = a.client()
    wizard = admin.x("res.users.apikeys.description", "create", {"name": "shared"})
    key = admin.x("res.users.apikeys.description", "make_key", [wizard])["context"]["default_key"]
    on_b = Client(b.url, b.db, "admin", key)
    assert on_b.uid == 2
    assert on_b.x("res.users", "read", [2], ["login"]) == [{"id": 2, "login": "admin"}]  # B has it cached now
    kid = admin.x("res.users.apikeys", "search", [("name", "=", "shared")])
    admin.x("res.users.apikeys", "unlink", kid)
    refused = fault(on_b.x, "res.users", "read", [2], ["login"])
    assert (refused.faultCode, refused.faultString) == (3, "Access Denied")
    assert b.client().common.authenticate(b.db, "admin", key, {}) is False


def test_a_password_changed_on_one_ends_the_sessions_on_the_other(pair: tuple[Server, Server]) -> None:
    a, b = pair
    login = f"pw{uuid.uuid4().hex[:8]}"
    uid = a.client().x("res.users", "create", {"name": "Changer", "login": login, "password": "old-pw"})
    web_b = Web(b.url)
    assert web_b.login(b.db, login, "old-pw")["uid"] == uid
    old_b = Client(b.url, b.db, login, "old-pw")
    assert old_b.x("res.users", "read", [uid], ["login"]) == [{"id": uid, "login": login}]  # cached on B
    a.client().x("res.users", "write", [uid], {"password": "new-pw"})
    expired(web_b.call_kw("res.users", "read", [uid], ["login"]))
    assert fault(old_b.x, "res.users", "read", [uid], ["login"]).faultCode == 3
    assert Client(b.url, b.db, login, "new-pw").uid == uid


@pytest.mark.parametrize("backend_name", POSTGRESQL)
def test_login_failures_are_counted_across_both(backend_name: str, tmp_path: Path) -> None:
    require_backend(backend_name)
    for side in "ab":
        (tmp_path / side).mkdir()
    pair = start_pair(tmp_path, f"m{uuid.uuid4().hex[:10]}", "--login-cooldown-after", "3",
                      "--login-cooldown-duration", "600")
    try:
        a, b = pair
        login = f"thr{uuid.uuid4().hex[:6]}"
        a.client().x("res.users", "create", {"name": "Throttled", "login": login, "password": "right-pw"})
        common_a = xmlrpc.client.ServerProxy(f"{a.url}/xmlrpc/2/common")
        common_b = xmlrpc.client.ServerProxy(f"{b.url}/xmlrpc/2/common")
        assert common_a.authenticate(a.db, login, "wrong-1", {}) is False
        assert common_a.authenticate(a.db, login, "wrong-2", {}) is False
        assert common_b.authenticate(b.db, login, "wrong-3", {}) is False
        # B saw one failure itself and A two: the right password is refused on both, unhashed
        assert common_b.authenticate(b.db, login, "right-pw", {}) is False
        assert common_a.authenticate(a.db, login, "right-pw", {}) is False
        refused = fault(xmlrpc.client.ServerProxy(f"{b.url}/xmlrpc/2/object").execute_kw,
                        b.db, 2, "admin", "res.users", "search", [[]])
        # the address's failures too: the administrator, never verified on B, is refused there
        assert (refused.faultCode, refused.faultString) == (
            3, "Too many login failures, please wait a bit before trying again.")
    finally:
        stop_pair(pair)
