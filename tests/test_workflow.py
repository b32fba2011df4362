"""Workflow signals (the "workflow" row: `exec_workflow` up to Odoo 10.0) and the customer and
vendor demo partners of the versions with the "partner_customer_supplier" row, over the wire on
both backends; `services.workflow.signal` in-process on the same databases."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from conftest import PG_URL, Client, Server, fault, last_line, require_backend, start_server, stop_server
from jsonwire import rpc
from odoorpc_server import versions
from odoorpc_server.exceptions import AccessDenied, AccessError, MissingError, UnknownModel, UnknownSignal
from odoorpc_server.orm import api
from odoorpc_server.orm.models import BaseModel, model_class
from odoorpc_server.services import workflow
from odoorpc_server.services.app import App
from odoorpc_server.settings import Settings

OLD = "10.0"  # the last version with workflows
MISSING = 2**31 - 1


@pytest.fixture(scope="module")
def at(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Server]]:
    """`at(version)`: this module's demo server answering as `version` (started on first use)."""
    require_backend(backend)
    started: dict[str, Server] = {}

    def get(version: str) -> Server:
        if version not in started:
            tmp = tmp_path_factory.mktemp(f"wf{version.replace('.', '')}-{backend}")
            started[version] = start_server(tmp, backend, ["--odoo-version", version, "--demo"])
        return started[version]

    yield get
    for srv in started.values():
        stop_server(srv)


def exec_workflow(c: Client, model: str, signal: str, *args: Any) -> Any:
    return c.models.exec_workflow(c.db, c.uid, c.password, model, signal, *args)


def new_user(c: Client, xmlid: str) -> Client:
    """A user of the base group `xmlid` only (groups_id: every version these tests use)."""
    login = f"wf-{uuid.uuid4().hex[:8]}"
    gid = c.x("ir.model.data", "search_read", [("module", "=", "base"), ("name", "=", xmlid)], ["res_id"])[0]["res_id"]
    c.x("res.users", "create", {"name": f"User {login}", "login": login, "password": "pw-wf",
                                "groups_id": [(6, 0, [gid])]})
    return Client(c.url, c.db, login, "pw-wf")


def active(c: Client, model: str, rid: int) -> bool:
    return bool(c.x(model, "read", [rid], ["active"])[0]["active"])


def in_process(srv: Server, version: str) -> App:
    """An application of this test process on the server's own storage."""
    return App(Settings(data_dir=str(srv.data_dir), db_url=PG_URL if srv.backend == "postgresql" else None,
                        password_rounds=1000, version=version, login_cooldown_after=0))


# -- exec_workflow --------------------------------------------------------------------------------

def test_exec_workflow_runs_the_button(at: Callable[[str], Server]) -> None:
    """Up to 10.0 a signal runs the record's button method, commits, and answers False when the
    method answers nothing (a signal's result in Odoo 10)."""
    assert versions.profile(OLD).has("workflow")
    c = at(OLD).client()
    pid = c.x("res.partner", "create", {"name": f"Signalled {uuid.uuid4().hex[:6]}"})
    assert exec_workflow(c, "res.partner", "action_archive", pid) is False
    assert active(c, "res.partner", pid) is False
    assert exec_workflow(c, "res.partner", "action_unarchive", pid) is False
    assert active(c, "res.partner", pid) is True
    assert exec_workflow(c, "res.partner", "toggle_active", pid) is False
    assert active(c, "res.partner", pid) is False
    # the same over JSON-RPC's object service
    envelope = rpc(c.url, "object", "exec_workflow", c.db, c.uid, c.password, "res.partner", "toggle_active", pid)
    assert envelope["result"] is False
    assert active(c, "res.partner", pid) is True


def test_exec_workflow_unknown_signal_or_model(at: Callable[[str], Server]) -> None:
    c = at(OLD).client()
    pid = c.x("res.partner", "create", {"name": "Unsignalled"})
    for name in ("write", "unlink", "action_nope", "button_nope", "_action_archive", "name_get"):
        err = fault(exec_workflow, c, "res.partner", name, pid)
        assert (err.faultCode, err.faultString) == (2, f"No workflow signal '{name}' on model 'res.partner'")
    # the model first, then the signal, then the record
    err = fault(exec_workflow, c, "x_nope", "action_nope", MISSING)
    assert (err.faultCode, err.faultString) == (2, "Object x_nope doesn't exist")
    err = fault(exec_workflow, c, "res.partner", "action_nope", MISSING)
    assert (err.faultCode, err.faultString) == (2, "No workflow signal 'action_nope' on model 'res.partner'")
    # a button of another model is no signal of this one
    err = fault(exec_workflow, c, "res.partner", "button_install", pid)
    assert (err.faultCode, err.faultString) == (2, "No workflow signal 'button_install' on model 'res.partner'")
    assert active(c, "res.partner", pid) is True


def test_exec_workflow_missing_record(at: Callable[[str], Server]) -> None:
    c = at(OLD).client()
    err = fault(exec_workflow, c, "res.partner", "action_archive", MISSING)
    assert (err.faultCode, err.faultString) == (
        2, f"Record does not exist or has been deleted.\n(Record: res.partner({MISSING},), User: 2)")
    gone = c.x("res.partner", "create", {"name": "Gone"})
    c.x("res.partner", "unlink", [gone])
    err = fault(exec_workflow, c, "res.partner", "action_archive", gone)
    assert (err.faultCode, err.faultString) == (
        2, f"Record does not exist or has been deleted.\n(Record: res.partner({gone},), User: 2)")
    # no id at all, and ids that are none
    assert last_line(fault(exec_workflow, c, "res.partner", "action_archive")) == \
        "IndexError: tuple index out of range"
    assert last_line(fault(exec_workflow, c, "res.partner", "action_archive", "7")) == \
        "ValueError: Invalid record id '7'"


def test_exec_workflow_checks_access(at: Callable[[str], Server]) -> None:
    """A signal checks what its method checks, as the calling user: a user who may read but not
    write gets the write fault, one who may not read the model the read fault, and nothing changes."""
    c = at(OLD).client()
    plain = new_user(c, "group_user")
    [eur] = c.x("res.currency", "search", [("name", "=", "EUR")], context={"active_test": False})
    before = active(c, "res.currency", eur)
    err = fault(exec_workflow, plain, "res.currency", "toggle_active", eur)
    direct = fault(plain.x, "res.currency", "write", [eur], {"active": not before})
    assert (err.faultCode, err.faultString) == (4, direct.faultString)
    assert err.faultString.startswith("You are not allowed to modify 'Currency' (res.currency) records.")
    assert active(c, "res.currency", eur) is before

    portal = new_user(c, "group_portal")
    err = fault(exec_workflow, portal, "res.partner", "action_archive", 1)
    assert (err.faultCode, err.faultString) == (4, fault(portal.x, "res.partner", "write", [1],
                                                         {"active": False}).faultString)
    assert active(c, "res.partner", 1) is True
    [module] = c.x("ir.module.module", "search", [("name", "=", "base")])
    err = fault(exec_workflow, portal, "ir.module.module", "button_install", module)
    assert (err.faultCode, err.faultString) == (4, fault(portal.x, "ir.module.module", "read", [module],
                                                         ["name"]).faultString)
    # the read check comes before the record's existence
    err = fault(exec_workflow, portal, "ir.module.module", "button_install", MISSING)
    assert err.faultCode == 4
    # wrong credentials
    err = fault(exec_workflow, Client(c.url, c.db, "admin", "wrong", uid=2), "res.partner", "action_archive", 1)
    assert (err.faultCode, err.faultString) == (3, "Access Denied")
    assert active(c, "res.partner", 1) is True


@pytest.mark.parametrize("version", ["11.0", "17.0"])
def test_exec_workflow_absent_later(at: Callable[[str], Server], version: str) -> None:
    """From 11.0 the object service has no exec_workflow: Odoo's dispatch answers NameError."""
    assert not versions.profile(version).has("workflow")
    c = at(version).client()
    pid = c.x("res.partner", "create", {"name": "No workflow"})
    err = fault(exec_workflow, c, "res.partner", "action_archive", pid)
    assert err.faultCode == 1
    assert last_line(err) == "NameError: Method not available exec_workflow"
    envelope = rpc(c.url, "object", "exec_workflow", c.db, c.uid, c.password, "res.partner", "action_archive", pid)
    assert envelope["error"]["data"]["name"] == "builtins.NameError"
    assert envelope["error"]["data"]["message"] == "Method not available exec_workflow"
    assert active(c, "res.partner", pid) is True


# -- services.workflow in-process ---------------------------------------------------------------

def test_signal_in_process(at: Callable[[str], Server]) -> None:
    srv = at(OLD)
    c = srv.client()
    app = in_process(srv, OLD)
    pid = c.x("res.partner", "create", {"name": "In process"})
    assert workflow.signal(app, srv.db, 2, "admin", "res.partner", pid, "action_archive") is None
    assert active(c, "res.partner", pid) is False
    with pytest.raises(UnknownSignal) as unknown:
        workflow.signal(app, srv.db, 2, "admin", "res.partner", pid, "write")
    assert (str(unknown.value), unknown.value.http_status, unknown.value.fault_code) == (
        "No workflow signal 'write' on model 'res.partner'", 404, 2)
    with pytest.raises(UnknownModel):
        workflow.signal(app, srv.db, 2, "admin", "x_nope", pid, "action_archive")
    with pytest.raises(MissingError):
        workflow.signal(app, srv.db, 2, "admin", "res.partner", MISSING, "action_archive")
    with pytest.raises(AccessDenied):
        workflow.signal(app, srv.db, 2, "wrong", "res.partner", pid, "action_unarchive")
    plain = new_user(c, "group_user")
    [usd] = c.x("res.currency", "search", [("name", "=", "USD")], context={"active_test": False})
    with pytest.raises(AccessError):
        workflow.signal(app, srv.db, plain.uid, "pw-wf", "res.currency", usd, "action_archive")
    assert active(c, "res.partner", pid) is False
    assert workflow.signal(app, srv.db, 2, "admin", "res.partner", pid, "action_unarchive") is None
    assert active(c, "res.partner", pid) is True


class Probe:
    """Methods shaped like buttons and like what is not one."""

    @api.records()
    def action_go(self, ids: Any) -> None: ...

    @api.records()
    def action_optional(self, ids: Any, when: Any = None) -> None: ...

    @api.records()
    def action_needs(self, ids: Any, when: Any) -> None: ...

    @api.model()
    def action_of_model(self) -> None: ...

    def action_private(self, ids: Any) -> None: ...

    @api.records()
    def confirm(self, ids: Any) -> None: ...

    @api.records(when="workflow")
    def button_old(self, ids: Any) -> None: ...


def test_is_button() -> None:
    assert workflow.is_button(Probe, "action_go") and workflow.is_button(Probe, "action_optional")
    for name in ("action_needs", "action_of_model", "action_private", "confirm", "action_nope", "", None, 7):
        assert not workflow.is_button(Probe, name), name
    assert workflow.is_button(Probe, "button_old", versions.profile("10.0"))
    assert not workflow.is_button(Probe, "button_old", versions.profile("11.0"))
    for name in ("action_archive", "action_unarchive", "toggle_active"):
        assert workflow.is_button(BaseModel, name) and workflow.is_button(model_class("res.partner"), name)
    for name in ("write", "read", "create", "unlink", "copy", "search"):
        assert not workflow.is_button(model_class("res.partner"), name)
    assert workflow.is_button(model_class("ir.module.module"), "button_install")


# -- customers and vendors of the demo data ------------------------------------------------------

@pytest.mark.parametrize("version", ["8.0", "12.0"])
def test_demo_customers_and_vendors(at: Callable[[str], Server], version: str) -> None:
    """Up to 12.0 the demo companies are customers (all but the pure vendors) and vendors (the
    companies tagged Vendor); contacts take their company's flags, as Odoo 12's contact form
    passes them, and a contact alone the defaults."""
    assert versions.profile(version).has("partner_customer_supplier")
    c = at(version).client()
    every = {"active_test": False}

    main = c.x("ir.model.data", "xmlid_to_res_model_res_id", "base.main_partner")[1]

    def count(*domain: Any, context: dict[str, Any] | None = None) -> int:
        """The demo companies (the company's own partner left aside) matching `domain`."""
        return int(c.x("res.partner", "search_count", [("is_company", "=", True), ("id", "!=", main), *domain],
                       context=context or {}))

    assert count(("customer", "=", True), context=every) == 20
    assert count(("customer", "=", True)) == 19
    assert count(("supplier", "=", True), context=every) == 13
    assert count(("supplier", "=", True)) == 12
    assert count(("supplier", "=", True), ("customer", "=", False)) == 6
    vendor_tag = c.x("res.partner.category", "search", [("name", "=", "Vendor")])
    assert count(("customer", "=", False)) == count(("customer", "=", False), ("supplier", "=", True)) == 6
    assert c.x("res.partner", "search", [("is_company", "=", True), ("supplier", "=", True)], order="id",
               context=every) == \
        c.x("res.partner", "search", [("is_company", "=", True), ("category_id", "in", vendor_tag)], order="id",
            context=every)
    rows = c.x("res.partner", "search_read", [("parent_id.name", "in", ["Agrolait", "China Export", "Camptocamp"])],
               ["parent_id", "customer", "supplier"])
    flags = {(r["parent_id"][1], r["customer"], r["supplier"]) for r in rows}
    assert flags == {("Agrolait", True, True), ("China Export", False, True), ("Camptocamp", True, False)}
    alone = c.x("res.partner", "search_read", [("parent_id", "=", False), ("is_company", "=", False),
                                               ("user_ids", "=", False)], ["customer", "supplier"])
    assert alone and {(r["customer"], r["supplier"]) for r in alone} == {(True, False)}


@pytest.mark.parametrize("version", ["13.0", "17.0"])
def test_demo_without_customer_fields(at: Callable[[str], Server], version: str) -> None:
    assert not versions.profile(version).has("partner_customer_supplier")
    c = at(version).client()
    described = c.x("res.partner", "fields_get", [], ["type"])
    assert "customer" not in described and "supplier" not in described
    err = fault(c.x, "res.partner", "search_count", [("customer", "=", True)])
    assert last_line(err) == "ValueError: Invalid field res.partner.customer in leaf ('customer', '=', True)"
    assert c.x("res.partner", "search_count", [("is_company", "=", True)], context={"active_test": False}) == 28

