"""The server's test harness over the wire: the call log (`serve --call-log`: every call of
every protocol as one JSON line, secrets masked) and injected faults and latency (the control
route behind the harness token, `--inject`, `--latency`). An injected fault is the Odoo fault
a client would get from a real Odoo, raised before the call's transaction: nothing changes."""
from __future__ import annotations

import json
import subprocess
import sys
import uuid
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from restwire import Rest, cli_application, oauth2_session

from conftest import Client, Server, fault, free_port, last_line, serving
from json2wire import make_key
from jsonwire import Web

TOKEN = "t0ken-" + uuid.uuid4().hex
HEADER = "X-Odoorpc-Harness"


@pytest.fixture(scope="module")
def hserver(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A 17.0 server with a call log and the harness token (a 19.0 one for JSON-2 below)."""
    log = tmp_path_factory.mktemp("calllog") / "calls.jsonl"
    with serving(backend, tmp_path_factory, "harness", "--call-log", str(log), "--harness-token", TOKEN) as srv:
        yield srv


def log_of(srv: Server) -> Path:
    cmd = srv.proc.args
    assert isinstance(cmd, list)
    return Path(cmd[cmd.index("--call-log") + 1])


def lines(srv: Server) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log_of(srv).read_text().splitlines()]


def new_lines(srv: Server, since: int) -> list[dict[str, Any]]:
    return lines(srv)[since:]


def control(srv: Server, verb: str = "POST", token: str | None = TOKEN, **body: Any) -> requests.Response:
    headers = {HEADER: token} if token is not None else {}
    return requests.request(verb, f"{srv.url}/odoorpc/harness/faults", json=body, headers=headers, timeout=30)


@pytest.fixture()
def clean(hserver: Server) -> Iterator[Server]:
    yield hserver
    assert control(hserver, "DELETE", database=None).status_code == 200


# -- the call log -----------------------------------------------------------------------------------

def test_every_protocol_is_logged_with_its_fields(clean: Server) -> None:
    srv, start = clean, len(lines(clean))
    c = Client(srv.url, srv.db)
    pid = c.x("res.partner", "create", {"name": "Logged"}, context={"lang": "en_US"})
    c.x("res.partner", "read", [pid], ["name"])
    web = Web(srv.url)
    web.result("/jsonrpc", {"service": "object", "method": "execute_kw",
                            "args": [srv.db, c.uid, "admin", "res.partner", "search_count", [[["id", "=", pid]]]]})
    got = new_lines(srv, start)
    auth, create, read, count = got
    assert (auth["protocol"], auth["service"], auth["model"], auth["method"]) == \
        ("xmlrpc", "common", None, "authenticate")
    assert auth["args"][:3] == [srv.db, "admin", "**********"] and auth["result"] == c.uid
    assert create == {**create, "database": srv.db, "protocol": "xmlrpc", "service": "object",
                      "model": "res.partner", "method": "create", "args": [{"name": "Logged"}],
                      "kwargs": {"context": {"lang": "en_US"}}, "uid": c.uid, "result": pid, "fault": None,
                      "harness": False}
    assert read["result"] == [{"id": pid, "name": "Logged"}]
    assert (count["protocol"], count["method"], count["result"]) == ("jsonrpc", "search_count", 1)
    assert all(isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0 for line in got)


def test_a_fault_is_logged_with_its_code_and_message(clean: Server) -> None:
    srv, start = clean, len(lines(clean))
    c = Client(srv.url, srv.db)
    fault(c.x, "res.partner", "read", [10 ** 9], ["nope_field"])
    fault(c.x, "no.such.model", "search", [])
    bad_field, no_model = new_lines(srv, start)[1:]
    # a ValueError in Odoo: the server error code 1
    assert bad_field["fault"] == {"code": 1, "message": "Invalid field 'nope_field' on model 'res.partner'"}
    assert bad_field["result"] is None
    assert no_model["fault"] == {"code": 2, "message": "Object no.such.model doesn't exist"}


def test_secrets_are_masked_in_arguments_and_answers(clean: Server) -> None:
    srv, start = clean, len(lines(clean))
    c = Client(srv.url, srv.db)
    login = f"u{uuid.uuid4().hex[:8]}"
    c.x("res.users", "create", {"name": "Masked", "login": login, "password": "hunter2-secret"})
    key = make_key(c)
    text = log_of(srv).read_text()
    assert "hunter2-secret" not in text and key not in text
    created = [line for line in new_lines(srv, start) if line["method"] == "create" and line["model"] == "res.users"]
    assert created[0]["args"] == [{"name": "Masked", "login": login, "password": "**********"}]
    made = [line for line in new_lines(srv, start) if line["method"] == "make_key"]
    assert made[0]["result"]["context"]["default_key"] == "**********"


def test_json2_logs_the_keys_user(backend: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    log = tmp_path_factory.mktemp("json2log") / "calls.jsonl"
    with serving(backend, tmp_path_factory, "hjson2", "--odoo-version", "19.0", "--call-log", str(log)) as srv:
        c = Client(srv.url, srv.db)
        key = make_key(c)
        answer = requests.post(f"{srv.url}/json/2/res.partner/search_read", timeout=30,
                               headers={"Authorization": f"bearer {key}", "X-Odoo-Database": srv.db},
                               json={"domain": [["id", "=", 3]], "fields": ["name"]})
        assert answer.status_code == 200, answer.text
        last = json.loads(log.read_text().splitlines()[-1])
        assert (last["protocol"], last["model"], last["method"], last["uid"]) == ("json2", "res.partner",
                                                                                  "search_read", c.uid)
        assert last["kwargs"] == {"domain": [["id", "=", 3]], "fields": ["name"]}
        assert last["result"] == answer.json()


# -- injected faults ----------------------------------------------------------------------------------

def test_the_control_route_refuses_a_caller_without_the_token(clean: Server) -> None:
    for token in (None, "wrong", TOKEN + "x"):
        refused = control(clean, token=token, model="res.partner", method="*")
        assert refused.status_code == 403, refused.text
        assert control(clean, "DELETE", token=token).status_code == 403
    c = Client(clean.url, clean.db)
    assert c.x("res.partner", "search_count", []) > 0  # no rule was added


@pytest.mark.parametrize("body", [{"model": "res.partner"}, {"model": 3, "method": "read"},
                                  {"model": "a", "method": "b", "code": 7}, {"model": "a", "method": "b", "times": 0},
                                  {"model": "a", "method": "b", "delay": -1}, {"model": "a", "method": "b", "x": 1}])
def test_a_malformed_rule_is_refused(clean: Server, body: dict[str, Any]) -> None:
    assert control(clean, **body).status_code == 400
    c = Client(clean.url, clean.db)
    assert c.x("res.partner", "search", [["id", "=", 1]]) == [1]


def test_an_injected_warning_fails_the_next_calls_then_passes(clean: Server) -> None:
    srv = clean
    c = Client(srv.url, srv.db)
    pid = c.x("res.partner", "create", {"name": "Before"})
    assert control(srv, database=srv.db, model="res.partner", method="write", code=2, message="Busy, retry",
                   times=2).json() == {"ok": True}
    for _ in range(2):
        f = fault(c.x, "res.partner", "write", [pid], {"name": "After"})
        assert (f.faultCode, f.faultString) == (2, "Busy, retry")
        assert c.x("res.partner", "read", [pid], ["name"])[0]["name"] == "Before"  # nothing changed
    assert c.x("res.partner", "write", [pid], {"name": "After"}) is True


def test_faults_match_patterns_and_reach_json_rpc(clean: Server) -> None:
    srv = clean
    control(srv, database=srv.db, model="res.*", method="search*", code=4, message="Not for you", times=None)
    web = Web(srv.url)
    c = Client(srv.url, srv.db)
    error = web.error("/jsonrpc", {"service": "object", "method": "execute_kw",
                                   "args": [srv.db, c.uid, "admin", "res.partner", "search_count", [[]]]})
    assert (error["message"], error["data"]["name"], error["data"]["message"]) == \
        ("Odoo Server Error", "odoo.exceptions.AccessError", "Not for you")
    f = fault(c.x, "res.country", "search_read", [], limit=1)
    assert (f.faultCode, f.faultString) == (4, "Not for you")
    assert c.x("res.partner", "read", [1], ["id"]) == [{"id": 1}]  # another method: untouched


def test_each_code_is_its_odoo_fault(clean: Server) -> None:
    srv = clean
    c = Client(srv.url, srv.db)
    for code, text in [(1, "odoorpc_server.services.harness.InjectedServerError: Down"), (3, "Down")]:
        control(srv, database=srv.db, model="res.partner", method="name_search", code=code, message="Down")
        f = fault(c.x, "res.partner", "name_search", "x")
        assert (f.faultCode, last_line(f)) == (code, text)  # a server error carries its traceback


def test_a_fault_is_scoped_to_its_database_and_spares_the_harness(clean: Server) -> None:
    srv = clean
    control(srv, database="another_db", model="*", method="*", times=None)
    c = Client(srv.url, srv.db)
    assert c.x("res.partner", "search", [["id", "=", 1]]) == [1]
    control(srv, database=srv.db, model="*", method="*", times=None)
    own = xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/object", transport=Marked())
    start = len(lines(srv))
    assert own.execute_kw(srv.db, c.uid, "admin", "res.partner", "search", [[["id", "=", 1]]]) == [1]
    assert new_lines(srv, start)[-1]["harness"] is True
    assert fault(c.x, "res.partner", "search", []).faultCode == 2
    control(srv, "DELETE", database=srv.db)
    assert c.x("res.partner", "search", [["id", "=", 1]]) == [1]


def test_latency_delays_the_answer(clean: Server) -> None:
    srv = clean
    control(srv, database=srv.db, model="res.partner", method="read", code=None, delay=0.3)
    c = Client(srv.url, srv.db)
    start = len(lines(srv))
    assert c.x("res.partner", "read", [1], ["id"]) == [{"id": 1}]
    assert new_lines(srv, start)[-1]["duration_ms"] >= 300


def test_the_rest_api_logs_and_faults_its_method_calls(clean: Server) -> None:
    srv = clean
    rest = Rest(srv, oauth2_session(srv, cli_application(srv, "admin")))
    start = len(lines(srv))
    assert rest.get("object/res.partner/search_count", domain="[('id', '=', 1)]") == {"count": 1}
    logged = new_lines(srv, start)[-1]
    assert (logged["protocol"], logged["model"], logged["method"], logged["result"], logged["uid"]) == \
        ("restapi", "res.partner", "search_count", 1, 2)
    control(srv, database=srv.db, model="res.partner", method="search_count", code=4, message="Closed")
    status, body = rest.call("GET", "object/res.partner/search_count", domain="[]")
    assert (status, body["error"]["message"]) == (403, "Closed")
    assert rest.get("object/res.partner/search_count", domain="[('id', '=', 1)]") == {"count": 1}


class Marked(xmlrpc.client.Transport):
    """A transport sending the harness header: the harness's own calls."""

    def send_headers(self, connection: Any, headers: Any) -> None:
        super().send_headers(connection, [*headers, (HEADER, TOKEN)])


# -- the command line ---------------------------------------------------------------------------

def test_inject_and_latency_from_the_command_line(backend: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    with serving(backend, tmp_path_factory, "hcli", "--inject", "res.partner.unlink:code=2,times=1,message=Try, later",
                 "--latency", "res.country.*:10ms") as srv:
        c = Client(srv.url, srv.db)
        pid = c.x("res.partner", "create", {"name": "Stay"})
        f = fault(c.x, "res.partner", "unlink", [pid])
        assert (f.faultCode, f.faultString) == (2, "Try, later")
        assert c.x("res.partner", "search_count", [["id", "=", pid]]) == 1
        assert c.x("res.partner", "unlink", [pid]) is True
        assert c.x("res.country", "search_count", [["code", "=", "BE"]]) == 1
        assert requests.post(f"{srv.url}/odoorpc/harness/faults", json={}, timeout=30).status_code == 404


@pytest.mark.parametrize("option", [["--inject", "partner:code=2"], ["--inject", "res.partner.write"],
                                    ["--inject", "res.partner.write:code=9"],
                                    ["--inject", "res.partner.write:colour=red"], ["--latency", "res.partner.*:soon"]])
def test_a_bad_rule_on_the_command_line_stops_the_start(option: list[str], tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "odoorpc_server", "serve", "--port", str(free_port()),
                           "--data-dir", str(tmp_path), *option], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith(f"odoorpc-server: {option[0]}: ")
    assert list(tmp_path.iterdir()) == []  # nothing was created


# -- the rules' syntax (in process) ---------------------------------------------------------------

def test_rules_parse_as_documented() -> None:
    from odoorpc_server.services.harness import FaultRule, parse_rule

    assert parse_rule("res.partner.write:code=2,times=3,delay=50ms,message=Busy, try again") == \
        FaultRule("res.partner", "write", code=2, message="Busy, try again", times=3, delay=0.05)
    assert parse_rule("res.partner.*:code=4") == FaultRule("res.partner", "*", code=4, times=None)
    assert parse_rule("*.search_read:1.5s", latency=True) == \
        FaultRule("*", "search_read", code=None, times=None, delay=1.5)


def test_masking_reaches_every_depth() -> None:
    from odoorpc_server.services.harness import MASK, masked

    assert masked([{"vals": {"login": "a", "password": "p", "new_api_key": "k"}}, ("x", {"token": "t"})]) == \
        [{"vals": {"login": "a", "password": MASK, "new_api_key": MASK}}, ["x", {"token": MASK}]]
    assert masked("z" * 70000) == "<70000 characters>"
