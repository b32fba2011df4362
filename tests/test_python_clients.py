"""The Odoo client libraries people install from PyPI, run unmodified through their natural
workflows: OCA odoorpc (JSON-RPC), odooly (web session mode and JSON-RPC mode) and
odoo-client-lib (XML-RPC and JSON-RPC). Each test is what a user of that library writes first."""
from __future__ import annotations

from urllib.parse import urlsplit

import odoolib
import odooly
import odoorpc
import pytest

from conftest import Server


def host_port(server: Server) -> tuple[str, int]:
    parts = urlsplit(server.url)
    return parts.hostname or "", parts.port or 0


# -- odoorpc ------------------------------------------------------------------------------------

def test_odoorpc_connects_logs_in_and_browses(server: Server) -> None:
    host, port = host_port(server)
    odoo = odoorpc.ODOO(host, port=port)
    assert odoo.version == "17.0"
    assert server.db in odoo.db.list()
    odoo.login(server.db, "admin", "admin")
    user = odoo.env.user
    assert user.id == 2 and user.login == "admin"
    assert odoo.env.context["uid"] == 2 and odoo.env.context["lang"] == "en_US"
    assert "res.partner" in odoo.env and "no.such.model" not in odoo.env
    Partner = odoo.env["res.partner"]
    companies = Partner.search([("is_company", "=", True)])
    assert companies and all(p.is_company for p in Partner.browse(companies))
    contact = Partner.browse(Partner.search([("parent_id", "!=", False)], limit=1))
    assert contact.parent_id.is_company and contact.commercial_partner_id == contact.parent_id
    assert odoo.env.ref("base.main_company").id == 1
    assert odoo.env.ref("base.user_admin").login == "admin"


def test_odoorpc_creates_writes_and_deletes(server: Server) -> None:
    host, port = host_port(server)
    odoo = odoorpc.ODOO(host, port=port)
    odoo.login(server.db, "admin", "admin")
    Partner = odoo.env["res.partner"]
    pid = Partner.create({"name": "odoorpc partner", "email": "odoorpc@example.com"})
    partner = Partner.browse(pid)
    partner.city = "Ghent"  # odoorpc writes at once (auto_commit)
    belgium = odoo.env["res.country"].search([("code", "=", "BE")])
    partner.country_id = belgium[0]
    again = odoo.env["res.partner"].browse(pid)
    assert (again.city, again.country_id.code, again.email) == ("Ghent", "BE", "odoorpc@example.com")
    assert odoo.execute_kw("res.partner", "search_count", [[("id", "=", pid)]]) == 1
    partner.unlink()
    assert Partner.search([("id", "=", pid)]) == []


def test_odoorpc_reports_server_errors(server: Server) -> None:
    host, port = host_port(server)
    odoo = odoorpc.ODOO(host, port=port)
    with pytest.raises(odoorpc.error.RPCError) as raised:
        odoo.login(server.db, "admin", "wrong")
    assert str(raised.value) == "Wrong login ID or password"
    odoo.login(server.db, "admin", "admin")
    with pytest.raises(odoorpc.error.RPCError) as raised:
        odoo.execute("res.partner", "read", [1], ["no_such_field"])
    assert str(raised.value) == "Invalid field 'no_such_field' on model 'res.partner'"
    assert raised.value.info["data"]["name"] == "builtins.ValueError"


# -- odooly ---------------------------------------------------------------------------------------

def test_odooly_web_session_mode(server: Server) -> None:
    client = odooly.Client(server.url, server.db, "admin", "admin")
    assert client.version_info == 17.0
    env = client.env
    assert env.uid == 2 and env.lang == "en_US"
    assert env.session_info["username"] == "admin" and env.session_info["db"] == server.db
    Partner = env["res.partner"]
    pid = Partner.create({"name": "odooly web"}).id
    record = Partner.browse(pid)
    record.write({"city": "Namur"})
    assert Partner.read(pid, "name city") == {"id": pid, "name": "odooly web", "city": "Namur"}
    assert pid in Partner.search([("city", "=", "Namur")]).ids
    assert env.ref("base.main_company").id == 1
    record.unlink()
    assert not Partner.search([("id", "=", pid)])


def test_odooly_jsonrpc_mode(server: Server) -> None:
    client = odooly.Client(server.url + "/jsonrpc", server.db, "admin", "admin")
    assert client.version_info == 17.0
    env = client.env
    assert env.uid == 2 and env.context["lang"] == "en_US"
    countries = env["res.country"].search([("code", "in", ["FR", "BE"])])
    assert sorted(countries.code) == ["BE", "FR"]
    assert env["res.partner"].search_count([]) >= 1


def test_odooly_wrong_password(server: Server) -> None:
    with pytest.raises(odooly.Error) as raised:
        odooly.Client(server.url, server.db, "admin", "wrong")
    assert str(raised.value) == "Error: Invalid username or password"


def test_odooly_without_a_database_finds_the_only_one(server: Server) -> None:
    client = odooly.Client(server.url)  # HEAD / is followed to /web/login, as on Odoo
    assert client.version_info == 17.0
    assert server.db in client.database.list()


# -- odoo-client-lib ---------------------------------------------------------------------------

@pytest.mark.parametrize("protocol", ["xmlrpc", "jsonrpc"])
def test_odoo_client_lib(server: Server, protocol: str) -> None:
    host, port = host_port(server)
    connection = odoolib.get_connection(hostname=host, port=port, protocol=protocol, database=server.db,
                                        login="admin", password="admin")
    connection.check_login()
    assert connection.user_id == 2
    assert connection.get_user_context()["lang"] == "en_US"
    partners = connection.get_model("res.partner")
    pid = partners.create({"name": f"odoolib {protocol}"})
    assert partners.read(pid, ["name"])["name"] == f"odoolib {protocol}"  # one id: the library unwraps
    found = partners.search_read([("id", "=", pid)], ["name"])
    assert found == [{"id": pid, "name": f"odoolib {protocol}"}]
    city = f"Liège {protocol} {pid}"  # the shared demo database has partners in Liège
    partners.write([pid], {"city": city})
    assert partners.search([("city", "=", city)]) == [pid]
    assert partners.unlink([pid]) is True
