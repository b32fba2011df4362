"""The base models client libraries touch at login and when browsing, over the wire on both
backends: ir.model.data's look-ups (odoorpc's `env.ref`), ir.module.module (odooly's
`modules()`), res.lang, and the technical models a client may read (ir.cron, ir.ui.menu,
ir.actions.*). Each pins Odoo 17's answer, and what a plain internal user, a portal user and a
caller without credentials get instead."""
from __future__ import annotations

import uuid
from collections.abc import Iterator

import odooly
import odoorpc
import pytest

import odoorpc_server.models  # noqa: F401  (registers the model classes)
from conftest import Client, Server, fault, last_line, require_backend, start_server, stop_server
from dbstate import changes, snapshot
from jsonwire import Web, rpc
from odoorpc_server.orm import api, classes
from odoorpc_server.services import signatures
from odoorpc_server.versions import profile


def new_user(server: Server, kind: str = "internal") -> Client:
    admin = server.client()
    login = f"{kind}-{uuid.uuid4().hex[:8]}"
    vals = {"name": f"Base {kind}", "login": login, "password": "base-pw"}
    if kind == "portal":
        portal = admin.x("ir.model.data", "check_object_reference", "base", "group_portal")[1]
        vals["groups_id"] = [(6, 0, [portal])]
    admin.x("res.users", "create", vals)
    return server.client(login, "base-pw")


@pytest.fixture(scope="module")
def internal(server: Server) -> Client:
    return new_user(server)


@pytest.fixture(scope="module")
def portal(server: Server) -> Client:
    return new_user(server, "portal")


def refused(client: Client, model: str, description: str, verb: str, method: str, *args: object,
            on: str | None = None) -> None:
    """Odoo's access error for a right on `model` the user lacks (fault 4), calling `method` of
    `on` (the model itself by default)."""
    f = fault(client.x, on or model, method, *args)
    assert f.faultCode == 4
    assert f.faultString.startswith(f"You are not allowed to {verb} '{description}' ({model}) records.")


# -- ir.model.data --------------------------------------------------------------------------------

def test_check_object_reference_answers_model_and_id(client: Client) -> None:
    assert client.x("ir.model.data", "check_object_reference", "base", "main_company") == ["res.company", 1]
    assert client.x("ir.model.data", "check_object_reference", "base", "user_admin", True) == ["res.users", 2]
    envelope = rpc(client.url, "object", "execute", client.db, 2, "admin", "ir.model.data",
                   "check_object_reference", "base", "lang_en", True)
    assert envelope["result"][0] == "res.lang"


def test_an_unknown_external_id_is_odoos_value_error(client: Client) -> None:
    f = fault(client.x, "ir.model.data", "check_object_reference", "base", "no_such_thing")
    assert f.faultCode == 1
    assert last_line(f) == "ValueError: External ID not found in the system: base.no_such_thing"


def test_a_record_the_search_does_not_find_is_not_referenced(client: Client) -> None:
    """Odoo searches the record: an archived one (OdooBot's partner) is (model, False), or an
    AccessError when the caller asks for one."""
    assert client.x("ir.model.data", "check_object_reference", "base", "partner_root") == ["res.partner", False]
    f = fault(client.x, "ir.model.data", "check_object_reference", "base", "partner_root", True)
    assert (f.faultCode, f.faultString) == (4, 'Not enough access rights on the external ID "base.partner_root"')


def test_check_object_reference_needs_the_right_to_read_the_record(portal: Client, internal: Client) -> None:
    assert portal.x("ir.model.data", "check_object_reference", "base", "main_company") == ["res.company", 1]
    refused(portal, "res.groups", "Access Groups", "access", "check_object_reference", "base", "group_user",
            on="ir.model.data")
    assert internal.x("ir.model.data", "check_object_reference", "base", "group_user")[0] == "res.groups"


def test_check_object_reference_without_credentials(server: Server) -> None:
    anonymous = Client(server.url, server.db, "admin", "wrong", uid=2)
    f = fault(anonymous.x, "ir.model.data", "check_object_reference", "base", "main_company")
    assert (f.faultCode, f.faultString) == (3, "Access Denied")


def test_complete_name_is_module_dot_name(client: Client) -> None:
    found = client.x("ir.model.data", "search_read", [("module", "=", "base"), ("name", "=", "main_company")],
                     ["complete_name", "model", "res_id"])
    assert [{k: v for k, v in r.items() if k != "id"} for r in found] == [
        {"complete_name": "base.main_company", "model": "res.company", "res_id": 1}]
    assert client.x("ir.model.data", "fields_get", ["complete_name"], attributes=["type", "store"]) == {
        "complete_name": {"type": "char", "store": False}}


def test_xmlid_to_res_model_res_id_is_gone_in_17(client: Client) -> None:
    f = fault(client.x, "ir.model.data", "xmlid_to_res_model_res_id", "base.main_company")
    assert last_line(f) == ("AttributeError: The method 'xmlid_to_res_model_res_id' does not exist on the model "
                            "'ir.model.data'")


def test_the_api_documentation_lists_xmlid_to_res_model_res_id_only_up_to_14() -> None:
    """In process: the public methods follow the version profile, and so does the JSON-2
    documentation's method table."""
    cls = classes.lookup("ir.model.data")
    assert "xmlid_to_res_model_res_id" in api.exposed(cls, profile("14.0"))
    assert "xmlid_to_res_model_res_id" not in api.exposed(cls, profile("15.0"))
    found = signatures.methods(cls, profile("19.0"))
    assert "xmlid_to_res_model_res_id" not in found
    assert [p.name for p in found["check_object_reference"].params] == ["module", "xml_id", "raise_on_access_error"]


@pytest.fixture(scope="module")
def server14(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_backend(backend)
    srv = start_server(tmp_path_factory.mktemp(f"v14-{backend}"), backend, ["--odoo-version", "14.0"])
    yield srv
    stop_server(srv)


def test_xmlid_to_res_model_res_id_up_to_14(server14: Server) -> None:
    """What odoorpc's `env.ref` calls on Odoo 14 and older."""
    client = server14.client()
    assert client.x("ir.model.data", "xmlid_to_res_model_res_id", "base.main_company") == ["res.company", 1]
    assert client.x("ir.model.data", "xmlid_to_res_model_res_id", "base.nope") == [False, False]
    f = fault(client.x, "ir.model.data", "xmlid_to_res_model_res_id", "base.nope", True)
    assert last_line(f) == "ValueError: External ID not found in the system: base.nope"
    odoo = odoorpc.ODOO("127.0.0.1", port=server14.port)
    odoo.login(server14.db, "admin", "admin")
    assert odoo.env.ref("base.main_company").id == 1


# -- ir.module.module ------------------------------------------------------------------------------

def test_installed_modules(internal: Client) -> None:
    found = internal.x("ir.module.module", "search_read", [("state", "=", "installed")],
                       ["name", "shortdesc", "latest_version", "application", "state", "license"])
    assert [{k: v for k, v in r.items() if k != "id"} for r in found] == [
        {"name": "contacts", "shortdesc": "Contacts", "latest_version": "17.0.1.0", "application": True,
         "state": "installed", "license": "LGPL-3"},
        {"name": "base", "shortdesc": "Base", "latest_version": "17.0.1.3", "application": False,
         "state": "installed", "license": "LGPL-3"},
        {"name": "web", "shortdesc": "Web", "latest_version": "17.0.1.0", "application": False,
         "state": "installed", "license": "LGPL-3"}]
    base = internal.x("ir.model.data", "check_object_reference", "base", "module_base")
    assert base == ["ir.module.module", next(r["id"] for r in found if r["name"] == "base")]
    assert internal.x("ir.module.module", "name_get", [base[1]]) == [[base[1], "Base"]]


def test_the_web_session_lists_the_installed_modules(server: Server, portal: Client) -> None:
    for login, password in (("admin", "admin"), (portal.login, portal.password)):
        web = Web(server.url)
        web.login(server.db, login, password)
        assert web.result("/web/session/modules") == ["base", "contacts", "web"]


def test_odooly_lists_the_modules(server: Server) -> None:
    # JSON-RPC mode: odooly keeps web sessions per server for the whole process, and
    # test_web_session expires every session of the shared server
    client = odooly.Client(server.url + "/jsonrpc", server.db, "admin", "admin")
    assert client.env.modules(installed=True) == {"installed": ["contacts", "base", "web"]}
    assert client.env.modules("cont") == {"installed": ["contacts"]}
    assert client.env.modules(installed=False) is None


def test_module_buttons_are_refused_to_the_administrator(server: Server, client: Client) -> None:
    ids = client.x("ir.module.module", "search", [])
    before = snapshot(server)
    for button, verb in (("button_immediate_install", "installed"), ("button_immediate_upgrade", "upgraded"),
                         ("button_immediate_uninstall", "uninstalled")):
        f = fault(client.x, "ir.module.module", button, ids[:1])
        assert (f.faultCode, f.faultString) == (2, f"Modules cannot be {verb} on odoorpc-server: its modules are "
                                                   "fixed (base, web and contacts). Requested: contacts.")
    f = fault(client.x, "ir.module.module", "button_immediate_install", [99999])
    assert f.faultCode == 2 and f.faultString.startswith("Record does not exist or has been deleted.")
    f = fault(client.x, "ir.module.module", "unlink", ids[:1])
    assert f.faultString == "You are trying to remove a module that is installed or will be installed."
    assert changes(before, snapshot(server)) == []


def test_module_buttons_deny_other_users(server: Server, internal: Client, portal: Client) -> None:
    """Odoo's assert_log_admin_access: anyone but an administrator gets AccessDenied (fault 3)."""
    contacts = internal.x("ir.module.module", "search", [("name", "=", "contacts")])
    before = snapshot(server)
    for user in (internal, portal):
        for button in ("button_immediate_install", "button_immediate_upgrade", "button_immediate_uninstall",
                       "update_list"):
            args = [contacts] if button != "update_list" else []
            f = fault(user.x, "ir.module.module", button, *args)
            assert (f.faultCode, f.faultString) == (3, "Access Denied")
    refused(internal, "ir.module.module", "Module", "modify", "write", contacts, {"state": "uninstalled"})
    refused(portal, "ir.module.module", "Module", "access", "search_read", [], ["name"])
    assert changes(before, snapshot(server)) == []


def test_odooly_asks_for_access_rights(server: Server, internal: Client, portal: Client) -> None:
    """odooly's `env.access(model, mode)` calls `ir.model.access.check`."""
    for user, granted in ((internal, {("res.partner", "write"): True, ("ir.cron", "read"): False,
                                      ("ir.module.module", "read"): True, ("ir.module.module", "write"): False}),
                          (portal, {("res.partner", "write"): False, ("res.partner", "read"): True,
                                    ("ir.attachment", "create"): False})):
        client = odooly.Client(server.url + "/jsonrpc", server.db, user.login, user.password)
        assert {(m, mode): client.env.access(m, mode) for m, mode in granted} == granted
    assert internal.x("ir.model.access", "check", "no.such.model", "read") is False
    f = fault(internal.x, "ir.model.access", "check", "ir.cron", "read")
    assert f.faultCode == 4 and f.faultString.startswith(
        "You are not allowed to access 'Scheduled Actions' (ir.cron) records.")
    assert internal.x("ir.model.access", "check", "ir.cron", "read", False) is False
    f = fault(internal.x, "ir.model.access", "check", "res.partner", "fly")
    assert last_line(f) == "ValueError: Invalid access mode: 'fly'"


# -- res.lang -------------------------------------------------------------------------------------

EN_US = {"code": "en_US", "iso_code": "en", "name": "English (US)", "url_code": "en", "direction": "ltr",
         "date_format": "%m/%d/%Y", "time_format": "%H:%M:%S", "decimal_point": ".", "thousands_sep": ",",
         "grouping": "[3,0]", "week_start": "7", "active": True}


def test_en_us_is_the_active_language(client: Client) -> None:
    found = client.x("res.lang", "search_read", [], list(EN_US))
    assert [{k: v for k, v in r.items() if k != "id"} for r in found] == [EN_US]
    inactive = client.x("res.lang", "search_count", [("active", "=", False)])
    assert inactive >= 1
    lang = client.x("ir.model.data", "check_object_reference", "base", "lang_en")
    assert lang == ["res.lang", found[0]["id"]]


def test_get_installed_for_every_user(client: Client, internal: Client, portal: Client) -> None:
    for user in (client, internal, portal):
        assert user.x("res.lang", "get_installed") == [["en_US", "English (US)"]]


def test_languages_are_read_only_but_for_settings(server: Server, client: Client, internal: Client,
                                                  portal: Client) -> None:
    en = client.x("res.lang", "search", [("code", "=", "en_US")])
    before = snapshot(server)
    refused(internal, "res.lang", "Languages", "create", "create", {"name": "Klingon", "code": "tlh",
                                                                     "url_code": "tlh"})
    refused(portal, "res.lang", "Languages", "modify", "write", en, {"date_format": "%Y"})
    f = fault(client.x, "res.lang", "write", en, {"active": False})
    assert f.faultString == ("You cannot archive the language in which Odoo was setup as it is used by automated "
                             "processes.")
    assert changes(before, snapshot(server)) == []


# -- technical models a client may read ----------------------------------------------------------

def test_technical_models_read_empty(client: Client, internal: Client) -> None:
    assert client.x("ir.cron", "search_read", [], ["cron_name", "active"]) == []
    for model in ("ir.ui.menu", "ir.actions.actions", "ir.actions.act_window"):
        assert internal.x(model, "search_read", [], ["name"]) == []
        assert internal.x(model, "fields_get", ["name"], attributes=["type"]) == {"name": {"type": "char"}}


def test_technical_models_refuse_what_is_not_granted(server: Server, internal: Client, portal: Client) -> None:
    before = snapshot(server)
    refused(internal, "ir.cron", "Scheduled Actions", "access", "search", [])
    refused(portal, "ir.ui.menu", "Menu", "access", "search", [])
    refused(internal, "ir.ui.menu", "Menu", "create", "create", {"name": "sneaky"})
    refused(internal, "ir.actions.act_window", "Action Window", "create", "create",
            {"name": "sneaky", "res_model": "res.partner"})
    assert portal.x("ir.actions.actions", "search", []) == []
    assert changes(before, snapshot(server)) == []


def test_an_action_window_as_odoo_defaults_it(client: Client) -> None:
    aid = client.x("ir.actions.act_window", "create", {"name": "Contacts", "res_model": "res.partner"})
    row = client.x("ir.actions.act_window", "read", [aid], ["type", "view_mode", "context", "target", "limit",
                                                           "binding_type"])[0]
    assert row == {"id": aid, "type": "ir.actions.act_window", "view_mode": "tree,form", "context": "{}",
                   "target": "current", "limit": 80, "binding_type": "action"}
    assert client.x("ir.actions.act_window", "unlink", [aid]) is True


def test_hostile_input_to_the_look_ups(client: Client) -> None:
    f = fault(client.x, "ir.model.data", "check_object_reference", "base", "x" * 100_000)
    assert last_line(f) == f"ValueError: External ID not found in the system: base.{'x' * 100_000}"
    f = fault(client.x, "ir.model.data", "check_object_reference", "base'; DROP TABLE res_users; --", "x")
    assert last_line(f).startswith("ValueError: External ID not found in the system: base'; DROP")
    assert client.x("res.users", "search_count", []) >= 2
    f = fault(client.x, "res.lang", "get_installed", "unexpected")
    assert f.faultCode == 1
    assert last_line(f).startswith("TypeError: ") and last_line(f).endswith(
        "get_installed() takes 1 positional argument but 2 were given")


def test_malformed_module_button_calls(client: Client) -> None:
    f = fault(client.x, "ir.module.module", "_refuse", [1], "install")
    assert (f.faultCode, f.faultString) == (4, "Private methods (such as _refuse) cannot be called remotely.")
    f = fault(client.x, "ir.module.module", "button_immediate_install")
    assert last_line(f) == "IndexError: tuple index out of range"
    f = fault(client.x, "ir.module.module", "button_immediate_install", "contacts")
    assert last_line(f) == "ValueError: Invalid ids 'contacts'"


def test_demo_contacts_sit_under_their_companies(client: Client) -> None:
    """As Odoo's demo data: companies with two or three people each (type contact, parent set),
    whose commercial partner is the company."""
    people = client.x("res.partner", "search_read", [("parent_id", "!=", False), ("type", "=", "contact"),
                                                     ("is_company", "=", False)],
                      ["parent_id", "commercial_partner_id"])
    per_company: dict[int, int] = {}
    for person in people:
        assert person["commercial_partner_id"] == person["parent_id"]
        per_company[person["parent_id"][0]] = per_company.get(person["parent_id"][0], 0) + 1
    companies = client.x("res.partner", "read", sorted(per_company), ["is_company"])
    assert all(c["is_company"] for c in companies)
    assert sum(1 for n in per_company.values() if 2 <= n <= 3) >= 10
