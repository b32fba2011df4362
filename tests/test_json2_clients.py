"""The Python client libraries' JSON-2 modes, run unmodified against a 19.0 server on both
backends: odoo-client-lib (`protocol="json2"`, which maps positional arguments through
`/doc-bearer/<model>.json`), odoo-json2 (named parameters, `/web/version`) and odooly (an API
key and no password: JSON-2 for every model call, its parameter table, `/doc-bearer`)."""
from __future__ import annotations

import uuid
from typing import Any

import httpx
import odoolib
import odooly
import pytest
from odoo_json2 import JSON2Client
from odoo_json2.exceptions import OdooAuthError, OdooNotFoundError, OdooServerException, OdooValidationError
from odoolib.tools import AuthenticationError

from conftest import Client, Server
from json2wire import cli_key, make_key, new_user


@pytest.fixture(scope="module")
def key(admin19: Client) -> str:
    return make_key(admin19, "client libraries")


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


# -- odoo-client-lib ----------------------------------------------------------------------------

def odoolib_connection(server: Server, key: str) -> Any:
    return odoolib.get_connection(hostname="127.0.0.1", protocol="json2", port=server.port, database=server.db,
                                  password=key)


def test_odoolib_refuses_a_wrong_key(server19: Server) -> None:
    conn = odoolib_connection(server19, "0" * 40)
    assert conn.check_login() is False
    with pytest.raises(AuthenticationError):
        conn.get_model("res.partner").search_read(domain=[])


def test_odoolib_user_context(server19: Server, key: str, admin19: Client) -> None:
    conn = odoolib_connection(server19, key)
    assert conn.check_login() is True
    assert conn.get_user_context() == {"lang": "en_US", "tz": False, "uid": admin19.uid}


def test_odoolib_positional_calls_through_the_documentation(server19: Server, key: str, admin19: Client) -> None:
    """odoo-client-lib names positional arguments from `/doc-bearer/<model>.json`: `ids` first
    for record methods, then the parameters in their documented order."""
    partners = odoolib_connection(server19, key).get_model("res.partner")
    expected = admin19.x("res.partner", "search_read", [("is_company", "=", True)], ["name"], order="id")
    assert partners.search_read([("is_company", "=", True)], ["name"], 0, None, "id") == expected
    name = unique("Client lib")
    [pid] = partners.create({"name": name})
    assert partners.write([pid], {"comment": "positional"}) is True
    assert partners.read([pid], ["name", "comment"]) == {"id": pid, "name": name, "comment": "positional"}
    assert partners.name_search(name) == [[pid, name]]
    assert partners.search_count([("name", "=", name)]) == 1
    assert partners.unlink([pid]) is True
    assert admin19.x("res.partner", "search", [("name", "=", name)]) == []


def test_odoolib_errors(server19: Server, key: str) -> None:
    partners = odoolib_connection(server19, key).get_model("res.partner")
    with pytest.raises(ValueError, match=r"^Invalid request: .*missing a required argument: 'vals_list'"):
        partners.create(vals={"name": "x"})
    with pytest.raises(ValueError, match=r"^Unexpected status code 404: .*the model 'no.such.model' does not exist"):
        odoolib_connection(server19, key).get_model("no.such.model").search_read(domain=[])


def test_odoolib_as_a_plain_user(server19: Server) -> None:
    """A plain user calls with named parameters; the documentation (hence positional calls) is
    for Technical Documentation users only, as in Odoo 19."""
    user = new_user(server19, "plain")
    partners = odoolib_connection(server19, make_key(user)).get_model("res.partner")
    assert partners.search_count(domain=[("id", "=", 1)]) == 1
    with pytest.raises(httpx.HTTPStatusError) as error:
        partners.search_count([("id", "=", 1)])
    assert error.value.response.status_code == 403


# -- odoo-json2 ---------------------------------------------------------------------------------

def json2_client(server: Server, key: str, database: str | None = None) -> JSON2Client:
    return JSON2Client(host=server.url, api_key=key, database=database or server.db)


def test_odoo_json2_version(server19: Server, key: str) -> None:
    assert json2_client(server19, key).version() == {"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}


def test_odoo_json2_workflow(server19: Server, key: str, admin19: Client) -> None:
    client = json2_client(server19, key)
    partners = client.env["res.partner"]
    expected = admin19.x("res.partner", "search_read", [("is_company", "=", True)], ["name"], limit=3, order="id")
    assert client.search_read("res.partner", [("is_company", "=", True)], ["name"], limit=3, order="id") == expected
    name = unique("odoo-json2")
    ids = client.create("res.partner", {"name": name})
    assert len(ids) == 1
    assert client.write("res.partner", ids, {"comment": "named"}) is True
    assert partners.read(ids, ["name", "comment"]) == [{"id": ids[0], "name": name, "comment": "named"}]
    assert partners.search([("name", "=", name)]) == ids
    assert partners.search_count([("name", "=", name)]) == 1
    assert partners.fields_get(["name"], ["type"]) == {"name": {"type": "char"}}
    assert client.call("res.partner", "name_search", name=name, domain=[], limit=1) == [[ids[0], name]]
    assert client.call("res.users", "context_get")["uid"] == admin19.uid
    assert client.unlink("res.partner", ids) is True
    assert admin19.x("res.partner", "search", [("name", "=", name)]) == []


def test_odoo_json2_errors(server19: Server, key: str) -> None:
    with pytest.raises(OdooAuthError, match="Unauthorized: Invalid apikey") as auth:
        json2_client(server19, "0" * 40).env["res.partner"].search([])
    assert auth.value.status_code == 401
    with pytest.raises(OdooNotFoundError, match="the model 'no.such.model' does not exist"):
        json2_client(server19, key).env["no.such.model"].search([])
    with pytest.raises(OdooValidationError, match="got an unexpected keyword argument 'foo'") as invalid:
        json2_client(server19, key).call("res.partner", "search", domain=[], foo=1)
    assert invalid.value.status_code == 422
    portal = new_user(server19, "portal")
    with pytest.raises(OdooServerException, match=r"\[403\]: You are not allowed to create 'Contact'") as denied:
        json2_client(server19, cli_key(server19, portal.login)).create("res.partner", {"name": "portal"})
    assert denied.value.status_code == 403


# -- odooly -------------------------------------------------------------------------------------

def test_odooly_with_an_api_key_uses_json2(server19: Server, key: str, admin19: Client) -> None:
    client = odooly.Client(server19.url, server19.db, "admin", api_key=key)
    env = client.env
    assert env.uid == admin19.uid and env.user.name == "Mitchell Admin"
    assert repr(env._execute_kw) == f"<Json2 '{server19.url}/json/2'>"
    partners = env["res.partner"]
    companies = admin19.x("res.partner", "search", [("is_company", "=", True)])
    assert sorted(partners.search([("is_company", "=", True)]).ids) == sorted(companies)
    assert partners.browse(1).name == "YourCompany"
    name = unique("Odooly")
    record = partners.create({"name": name})
    assert record.name == [name]  # JSON-2 answers records as a list of ids: odooly keeps a RecordList
    record.write({"comment": "odooly"})
    assert admin19.x("res.partner", "search_read", [("name", "=", name)], ["comment"])[0]["comment"] == "odooly"
    assert partners.read(record.ids, ["name"]) == [{"id": record.ids[0], "name": name}]
    record.unlink()
    assert admin19.x("res.partner", "search", [("name", "=", name)]) == []


def test_odooly_names_positional_arguments_from_doc_bearer(server19: Server, key: str) -> None:
    """Methods missing from odooly's own table (name_search) are named from `/doc-bearer`."""
    env = odooly.Client(server19.url, server19.db, "admin", api_key=key).env
    partners = env["res.partner"]
    assert partners.name_search("Mitchell", [("is_company", "=", False)]) == [[3, "Mitchell Admin"]]
    assert partners.name_search("Mitchell", [("is_company", "=", True)]) == []
    assert partners.default_get(["active"]) == {"active": True}
