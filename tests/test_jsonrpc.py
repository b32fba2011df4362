"""`POST /jsonrpc` as Odoo answers it: the common, object and db services in Odoo's envelope,
its error object, and plain HTTP 400s for bodies that are no JSON-RPC at all."""
from __future__ import annotations

from typing import Any

import pytest
import requests

from conftest import Server
from dbstate import snapshot
from jsonwire import Web, rpc


def result(server: Server, service: str, method: str, *args: Any) -> Any:
    envelope = rpc(server.url, service, method, *args)
    assert "error" not in envelope, envelope["error"]
    return envelope.get("result")


def error(server: Server, service: str, method: str, *args: Any) -> dict[str, Any]:
    envelope = rpc(server.url, service, method, *args)
    assert "error" in envelope and "result" not in envelope, envelope
    found: dict[str, Any] = envelope["error"]
    return found


def execute_kw(server: Server, *args: Any, password: str = "admin", uid: int = 2) -> dict[str, Any]:
    return rpc(server.url, "object", "execute_kw", server.db, uid, password, *args)


# -- hostile callers first --------------------------------------------------------------------

def test_wrong_password_is_access_denied_and_changes_nothing(server: Server) -> None:
    before = snapshot(server)
    err = execute_kw(server, "res.partner", "create", [{"name": "intruder"}], password="wrong")["error"]
    assert err["code"] == 200 and err["message"] == "Odoo Server Error"
    assert err["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert err["data"]["message"] == "Access Denied" and err["data"]["arguments"] == ["Access Denied"]
    assert snapshot(server) == before


def test_plain_user_cannot_make_itself_admin(server: Server) -> None:
    admin = server.client()
    uid = admin.x("res.users", "create", {"name": "Plain J", "login": f"plainj-{server.port}", "password": "pw"})
    system = admin.x("ir.model.data", "search_read", [("module", "=", "base"), ("name", "=", "group_system")],
                     ["res_id"])[0]["res_id"]
    before = snapshot(server)
    err = execute_kw(server, "res.users", "write", [[uid], {"groups_id": [(4, system)]}], uid=uid,
                     password="pw")["error"]
    assert err["data"]["name"] == "odoo.exceptions.AccessError"
    assert snapshot(server) == before


def test_private_methods_are_refused(server: Server) -> None:
    err = execute_kw(server, "res.partner", "_read", [[1]])["error"]
    assert err["data"]["name"] == "odoo.exceptions.AccessError"
    assert err["data"]["message"] == "Private methods (such as _read) cannot be called remotely."


def test_no_json_is_a_plain_400(server: Server) -> None:
    response = requests.post(server.url + "/jsonrpc", data=b"{not json", timeout=30,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "Invalid JSON data" in response.text
    response = requests.post(server.url + "/jsonrpc", data=b"\xff\xfe", timeout=30,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "Invalid JSON data" in response.text


def test_json_that_is_no_object_is_a_plain_400(server: Server) -> None:
    for body in (b"[1, 2]", b'"call"', b"42", b"null"):
        response = requests.post(server.url + "/jsonrpc", data=body, timeout=30,
                                 headers={"Content-Type": "application/json"})
        assert response.status_code == 400 and "Invalid JSON-RPC data" in response.text, body


def test_params_that_are_no_object_are_an_error_object(server: Server) -> None:
    # Odoo turns params into a dict first: a list of non-pairs fails with Python's own error
    envelope = Web(server.url).post("/jsonrpc", [1, 2])
    assert envelope["error"]["data"]["name"] == "builtins.TypeError"
    assert envelope["error"]["data"]["message"] == ("cannot convert dictionary update sequence element #0 "
                                                    "to a sequence")


def test_a_form_body_is_refused_as_odoo_17_refuses_it(server: Server) -> None:
    response = requests.post(server.url + "/jsonrpc", data={"service": "common"}, timeout=30)
    assert response.status_code == 400
    assert "Request inferred type is compatible with [&#39;http&#39;] but /jsonrpc is type=json" in response.text


def test_missing_params_name_the_route(server: Server) -> None:
    envelope = Web(server.url).post("/jsonrpc", {"service": "common", "method": "version"})
    assert envelope["error"]["data"]["name"] == "builtins.TypeError"
    assert envelope["error"]["data"]["message"] == "jsonrpc() missing 1 required positional argument: 'args'"


def test_unknown_service_and_method(server: Server) -> None:
    assert error(server, "nope", "version")["data"] == {**error(server, "nope", "version")["data"],
                                                       "name": "builtins.KeyError", "message": "'nope'"}
    err = error(server, "common", "nope")
    assert err["data"]["name"] == "builtins.KeyError" and err["data"]["message"] == "'Method not found: nope'"
    err = error(server, "object", "nope")
    assert err["data"]["name"] == "builtins.NameError" and err["data"]["message"] == "Method not available nope"


def test_a_huge_body_is_refused_before_it_is_read(server: Server) -> None:
    response = requests.post(server.url + "/jsonrpc", data=b" " * (65 * 1024 * 1024), timeout=120,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_deep_nesting_is_an_error_not_a_crash(server: Server) -> None:
    body = b'{"jsonrpc": "2.0", "params": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = requests.post(server.url + "/jsonrpc", data=body, timeout=60,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "Invalid JSON data" in response.text
    assert result(server, "common", "version")["server_version"] == "17.0"


# -- the services -------------------------------------------------------------------------------

def test_common_service(server: Server) -> None:
    assert result(server, "common", "version") == {
        "server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""], "server_serie": "17.0",
        "protocol_version": 1}
    assert result(server, "common", "login", server.db, "admin", "admin") == 2
    assert result(server, "common", "authenticate", server.db, "admin", "admin", {}) == 2
    assert result(server, "common", "authenticate", server.db, "admin", "wrong", {}) is False


def test_object_service_round_trip(server: Server) -> None:
    envelope = execute_kw(server, "res.partner", "create", [{"name": "Json Partner", "city": "Lyon"}])
    pid = envelope["result"]
    assert type(pid) is int
    rows = execute_kw(server, "res.partner", "read", [[pid], ["name", "city", "country_id", "create_date"]])["result"]
    assert rows[0]["name"] == "Json Partner" and rows[0]["city"] == "Lyon" and rows[0]["country_id"] is False
    assert len(rows[0]["create_date"]) == 19  # "YYYY-MM-DD HH:MM:SS", as Odoo's JSON encoder writes it
    assert rpc(server.url, "object", "execute", server.db, 2, "admin", "res.partner", "search",
               [("id", "=", pid)])["result"] == [pid]
    assert execute_kw(server, "res.partner", "unlink", [[pid]])["result"] is True


def test_none_results_have_no_result_key(server: Server) -> None:
    pid = execute_kw(server, "res.partner", "create", [{"name": "Archived by json"}])["result"]
    envelope = execute_kw(server, "res.partner", "action_archive", [[pid]])
    # XML-RPC cannot marshal None; JSON-RPC answers without a result
    assert "error" not in envelope and "result" not in envelope and set(envelope) == {"jsonrpc", "id"}


def test_errors_carry_the_odoo_error_object(server: Server) -> None:
    err = execute_kw(server, "res.partner", "read", [[1], ["no_such_field"]])["error"]
    assert err["code"] == 200 and err["message"] == "Odoo Server Error"
    data = err["data"]
    assert set(data) == {"name", "debug", "message", "arguments", "context"}
    assert data["name"] == "builtins.ValueError"
    assert data["message"] == "Invalid field 'no_such_field' on model 'res.partner'"
    assert data["arguments"] == ["Invalid field 'no_such_field' on model 'res.partner'"]
    assert data["debug"].startswith("Traceback (most recent call last):")
    assert data["debug"].rstrip().endswith("ValueError: Invalid field 'no_such_field' on model 'res.partner'")
    assert data["context"] == {}


def test_user_errors(server: Server) -> None:
    err = execute_kw(server, "no.such.model", "search", [[]])["error"]
    assert err["data"]["name"] == "odoo.exceptions.UserError"
    assert err["data"]["message"] == "Object no.such.model doesn't exist"


def test_the_request_id_comes_back_whatever_its_type(server: Server) -> None:
    for request_id in ("abc123", 7, None):
        response = requests.post(server.url + "/jsonrpc", timeout=30, json={
            "jsonrpc": "2.0", "method": "call", "id": request_id,
            "params": {"service": "common", "method": "version", "args": []}})
        assert response.json()["id"] == request_id


def test_db_service(server: Server) -> None:
    assert server.db in result(server, "db", "list")
    assert result(server, "db", "db_exist", server.db) is True
    assert result(server, "db", "server_version") == "17.0"
    err = error(server, "db", "drop", "wrong", server.db)
    assert err["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert result(server, "db", "db_exist", server.db) is True


@pytest.mark.parametrize("args", [[], ["odoo"], [1, 2, 3, 4, 5, 6, 7, 8, 9]])
def test_wrong_arity_is_a_type_error(server: Server, args: list[Any]) -> None:
    err = error(server, "object", "execute_kw", *args)
    assert err["data"]["name"] == "builtins.TypeError"
