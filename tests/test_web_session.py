"""The web JSON routes client libraries call, with sessions kept in the database: login,
session info, check, logout, model calls as the session's user, and Odoo's SessionExpired
(code 100) for every call without a live session."""
from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from conftest import Server, require_backend, start_server, stop_server
from dbstate import engine, snapshot
from jsonwire import Web


def expired(error: dict[str, Any]) -> None:
    """Odoo's answer to a call needing a session it does not have."""
    assert error["code"] == 100 and error["message"] == "Odoo Session Expired"
    assert error["data"]["name"] == "odoo.http.SessionExpiredException"
    assert error["data"]["message"] == "Session expired"


def plain_user(server: Server, login: str, password: str = "pw") -> int:
    uid: int = server.client().x("res.users", "create", {"name": login.title(), "login": login,
                                                         "password": password})
    return uid


def forged(db: str, tail: str = "A" * 64) -> str:
    return base64.urlsafe_b64encode(db.encode()).decode().rstrip("=") + "." + tail


# -- hostile callers first --------------------------------------------------------------------

@pytest.mark.parametrize("route", ["/web/session/get_session_info", "/web/session/check", "/web/session/destroy",
                                   "/web/session/modules", "/web/dataset/call_kw", "/web/dataset/call_button"])
def test_no_session_is_session_expired(server: Server, route: str) -> None:
    before = snapshot(server)
    expired(Web(server.url).error(route, {"model": "res.partner", "method": "create",
                                          "args": [{"name": "anon"}], "kwargs": {}}))
    assert snapshot(server) == before


@pytest.mark.parametrize("cookie", ["", "garbage", "x" * 5000, "a.b.c", "%%%.%%%", forged("postgres"),
                                    forged("template1"), forged("../../etc/passwd"), "SESSION"])
def test_forged_cookies_are_session_expired(server: Server, cookie: str) -> None:
    web = Web(server.url)
    web.http.cookies.set("session_id", cookie)
    expired(web.call_kw("res.partner", "search", []).get("error") or {})


def test_a_guessed_session_of_the_right_database_is_session_expired(server: Server) -> None:
    web = Web(server.url)
    web.http.cookies.set("session_id", forged(server.db))
    expired(web.call_kw("res.partner", "search", [])["error"])


def test_wrong_password_opens_no_session(server: Server) -> None:
    web = Web(server.url)
    err = web.error("/web/session/authenticate", {"db": server.db, "login": "admin", "password": "nope"})
    assert err["code"] == 200 and err["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert "session_id" not in web.http.cookies
    expired(web.call_kw("res.partner", "search", [])["error"])


def test_an_api_key_does_not_open_a_web_session(server: Server) -> None:
    """Odoo refuses API keys for interactive logins; they are for RPC."""
    admin = server.client()
    key = admin.x("res.users.apikeys.description", "create", {"name": "web?"})
    secret = admin.x("res.users.apikeys.description", "make_key", [key])["context"]["default_key"]
    assert admin.common.authenticate(server.db, "admin", secret, {}) == 2  # fine over RPC
    err = Web(server.url).error("/web/session/authenticate", {"db": server.db, "login": "admin",
                                                              "password": secret})
    assert err["data"]["name"] == "odoo.exceptions.AccessDenied"


def test_unknown_database_opens_no_session(server: Server) -> None:
    web = Web(server.url)
    err = web.error("/web/session/authenticate", {"db": "no_such_db", "login": "admin", "password": "admin"})
    assert err["data"]["message"] == 'database "no_such_db" does not exist'
    assert "session_id" not in web.http.cookies


def test_a_plain_users_session_has_the_users_rights(server: Server) -> None:
    uid = plain_user(server, f"websess-{server.port}")
    web = Web(server.url)
    info = web.login(server.db, f"websess-{server.port}", "pw")
    assert info["uid"] == uid and info["is_system"] is False and info["is_admin"] is False
    system = server.client().x("ir.model.data", "search_read", [("module", "=", "base"),
                                                                ("name", "=", "group_system")], ["res_id"])
    before = snapshot(server)
    err = web.call_kw("res.users", "write", [uid], {"groups_id": [(4, system[0]["res_id"])]})["error"]
    assert err["code"] == 200 and err["data"]["name"] == "odoo.exceptions.AccessError"
    err = web.call_kw("res.users", "read", [2], ["password"])
    assert "error" not in err and err["result"][0]["password"] == ""
    assert snapshot(server) == before


def test_private_methods_are_refused_on_call_kw(server: Server) -> None:
    web = Web(server.url)
    web.login(server.db)
    err = web.call_kw("res.partner", "_write", [1], {"name": "x"})["error"]
    assert err["data"]["name"] == "odoo.exceptions.AccessError"
    assert err["data"]["message"] == "Private methods (such as _write) cannot be called remotely."


def test_session_table_holds_no_session_id(server: Server) -> None:
    web = Web(server.url)
    web.login(server.db)
    sid = web.http.cookies["session_id"]
    eng = engine(server)
    try:
        with eng.connect() as conn:
            rows = [tuple(str(v) for v in r) for r in conn.execute(sa.text("SELECT * FROM odoorpc_web_sessions"))]
    finally:
        eng.dispose()
    assert rows and not any(sid in value or sid.split(".")[1] in value for row in rows for value in row)


def test_new_password_ends_the_users_sessions(server: Server) -> None:
    login = f"pwchange-{server.port}"
    uid = plain_user(server, login)
    web = Web(server.url)
    web.login(server.db, login, "pw")
    assert web.kw("res.users", "read", [uid], ["login"])[0]["login"] == login
    server.client().x("res.users", "write", [uid], {"password": "new-pw"})
    expired(web.call_kw("res.users", "read", [uid], ["login"])["error"])


def test_archived_user_loses_its_session(server: Server) -> None:
    login = f"archived-{server.port}"
    uid = plain_user(server, login)
    web = Web(server.url)
    web.login(server.db, login, "pw")
    server.client().x("res.users", "write", [uid], {"active": False})
    expired(web.error("/web/session/get_session_info"))


def test_expired_sessions_are_refused(server: Server) -> None:
    web = Web(server.url)
    web.login(server.db)
    eng = engine(server)
    try:
        with eng.begin() as conn:
            conn.execute(sa.text("UPDATE odoorpc_web_sessions SET expires = touched - 1"))
    finally:
        eng.dispose()
    expired(web.error("/web/session/check"))


def test_destroy_ends_the_session(server: Server) -> None:
    web = Web(server.url)
    web.login(server.db)
    sid = web.http.cookies["session_id"]
    envelope = web.post("/web/session/destroy")
    assert "error" not in envelope and "result" not in envelope
    other = Web(server.url)  # the cookie is gone from the client; a copy of it is worth nothing
    other.http.cookies.set("session_id", sid)
    expired(other.error("/web/session/check"))


# -- what clients do ----------------------------------------------------------------------------

def test_version_info(server: Server) -> None:
    assert Web(server.url).result("/web/webclient/version_info") == {
        "server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""], "server_serie": "17.0",
        "protocol_version": 1}


def test_authenticate_answers_session_info_and_sets_the_cookie(server: Server) -> None:
    web = Web(server.url)
    response = web.http.post(server.url + "/web/session/authenticate", timeout=30, json={
        "jsonrpc": "2.0", "method": "call", "id": 1,
        "params": {"db": server.db, "login": "admin", "password": "admin"}})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session_id=") and "HttpOnly" in cookie and "Path=/" in cookie
    assert "Max-Age=604800" in cookie
    info = response.json()["result"]
    assert info["uid"] == 2 and info["db"] == server.db and info["username"] == "admin"
    assert info["is_system"] is True and info["is_admin"] is True and info["is_internal_user"] is True
    assert info["user_context"] == {"lang": "en_US", "tz": info["user_context"]["tz"], "uid": 2}
    assert info["server_version"] == "17.0" and info["server_version_info"] == [17, 0, 0, "final", 0, ""]
    admin = server.client().x("res.users", "read", [2], ["name", "partner_id"])[0]
    assert info["partner_id"] == admin["partner_id"][0] == 3 and info["name"] == admin["name"]
    companies = info["user_companies"]
    assert companies["current_company"] == 1
    company = server.client().x("res.company", "read", [1], ["name", "currency_id"])[0]
    assert companies["allowed_companies"] == {"1": {
        "id": 1, "name": company["name"], "sequence": 10, "child_ids": [], "parent_id": False,
        "currency_id": company["currency_id"][0]}}
    assert web.result("/web/session/get_session_info")["uid"] == 2


def test_call_kw_runs_as_the_session_user(server: Server) -> None:
    web = Web(server.url)
    web.login(server.db)
    pid = web.kw("res.partner", "create", {"name": "From the web"})
    assert server.client().x("res.partner", "read", [pid], ["name", "create_uid"])[0]["create_uid"][0] == 2
    # the path after call_kw/ is ignored, as in Odoo: model and method come from the params
    envelope = web.post("/web/dataset/call_kw/whatever/else", {"model": "res.partner", "method": "read",
                                                                "args": [[pid], ["name"]], "kwargs": {}})
    assert envelope["result"] == [{"id": pid, "name": "From the web"}]
    assert web.post("/web/dataset/call_kw", {"model": "res.partner", "method": "search_count",
                                             "args": [[("id", "=", pid)]], "kwargs": {}})["result"] == 1


def test_call_kw_context_is_the_whole_context(server: Server) -> None:
    web = Web(server.url)
    web.login(server.db)
    pid = web.kw("res.partner", "create", {"name": "Ctx"}, context={"active_test": False})
    web.kw("res.partner", "action_archive", [pid])
    assert web.kw("res.partner", "search", [("id", "=", pid)]) == []
    assert web.kw("res.partner", "search", [("id", "=", pid)], context={"active_test": False}) == [pid]


def test_call_kw_unknown_model_is_odoo_17s_key_error(server: Server) -> None:
    web = Web(server.url)
    web.login(server.db)
    err = web.call_kw("no.such.model", "search", [])["error"]
    assert err["code"] == 200 and err["data"]["name"] == "builtins.KeyError"
    assert err["data"]["message"] == "'no.such.model'"


def test_call_kw_missing_params_name_the_route(server: Server) -> None:
    web = Web(server.url)
    web.login(server.db)
    err = web.error("/web/dataset/call_kw", {"model": "res.partner", "method": "search"})
    assert err["data"]["message"] == "call_kw() missing 2 required positional arguments: 'args' and 'kwargs'"


def test_call_button_answers_false_for_what_is_no_action(server: Server) -> None:
    web = Web(server.url)
    web.login(server.db)
    pid = web.kw("res.partner", "create", {"name": "Button"})
    assert web.post("/web/dataset/call_button", {"model": "res.partner", "method": "write",
                                                  "args": [[pid], {"city": "Nice"}], "kwargs": {}})["result"] is False


def test_check_modules_and_languages(server: Server) -> None:
    web = Web(server.url)
    web.login(server.db)
    envelope = web.post("/web/session/check")
    assert "error" not in envelope and "result" not in envelope
    assert {"base", "web"} <= set(web.result("/web/session/modules"))
    assert ["en_US", "English (US)"] in Web(server.url).result("/web/session/get_lang_list")


def test_database_list(server: Server) -> None:
    assert server.db in Web(server.url).result("/web/database/list")


def test_home_redirects_as_odoo_does(server: Server) -> None:
    response = requests.get(server.url + "/", allow_redirects=False, timeout=30)
    assert response.status_code == 303 and response.headers["Location"].endswith("/web")
    response = requests.head(server.url + "/", allow_redirects=True, timeout=30)
    assert response.status_code == 200 and "/web/login" in response.url


def test_login_form(server: Server) -> None:
    http = requests.Session()
    page = http.get(server.url + "/web/login", timeout=30)
    assert page.status_code == 200 and 'csrf_token: "' in page.text
    token = page.text.split('csrf_token: "')[1].split('"')[0]
    refused = requests.post(server.url + "/web/login", timeout=30,
                            data={"csrf_token": token, "login": "admin", "password": "admin", "db": server.db})
    assert refused.status_code == 400 and "session_id" not in refused.cookies  # no csrf cookie: refused
    answer = http.post(server.url + "/web/login", timeout=30,
                       data={"csrf_token": token, "login": "admin", "password": "admin", "db": server.db})
    assert answer.status_code == 200 and answer.url.endswith("/web")
    assert 'odoo.__session_info__ = {"uid": 2,' in answer.text
    wrong = http.get(server.url + "/web/login", timeout=30)
    token = wrong.text.split('csrf_token: "')[1].split('"')[0]
    wrong = http.post(server.url + "/web/login?redirect=https://evil.example/", timeout=30,
                      data={"csrf_token": token, "login": "admin", "password": "bad", "db": server.db})
    assert wrong.status_code == 200 and "Wrong login/password" in wrong.text


def test_login_never_redirects_off_site(server: Server) -> None:
    http = requests.Session()
    token = http.get(server.url + "/web/login", timeout=30).text.split('csrf_token: "')[1].split('"')[0]
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        answer = http.post(server.url + "/web/login", params={"redirect": target}, allow_redirects=False,
                           timeout=30, data={"csrf_token": token, "login": "admin", "password": "admin",
                                             "db": server.db})
        assert answer.status_code == 303 and answer.headers["Location"] == "/web", target
        token = http.get(server.url + "/web/login", timeout=30).text.split('csrf_token: "')[1].split('"')[0]


def test_logout(server: Server) -> None:
    web = Web(server.url)
    web.login(server.db)
    response = web.http.get(server.url + "/web/session/logout", allow_redirects=False, timeout=30)
    assert response.status_code == 303
    expired(web.error("/web/session/check"))


# -- several workers share the sessions --------------------------------------------------------

@pytest.fixture(scope="module")
def workers(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_backend(backend)
    srv = start_server(Path(tmp_path_factory.mktemp(f"websess-{backend}")), backend, ["--workers", "2"])
    yield srv
    stop_server(srv)


def test_sessions_are_shared_by_worker_processes(workers: Server) -> None:
    web = Web(workers.url)
    web.login(workers.db)
    sid = web.http.cookies["session_id"]

    def check() -> None:
        fresh = requests.Session()  # a new connection each time: any worker may answer
        fresh.cookies.set("session_id", sid)
        answer = fresh.post(workers.url + "/web/session/get_session_info", timeout=30,
                            json={"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1}).json()
        assert answer["result"]["uid"] == 2, answer

    workers.on_every_worker(2, check)
