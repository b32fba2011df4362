"""A generated access matrix: for every model and every operation that the access data does not
grant a plain internal user or a portal user, every method that performs the operation is refused
with Odoo's access error (fault 4, "You are not allowed to <verb> '<Model>' (<model>) records.")
and the database is left exactly as it was.

The grants are computed here from the `ir.model.access` rows and the users' groups (implied groups
included), independently of the server's own access code; "methods that perform an operation"
include `copy` (a read and a create), `read_group`, `export_data`, searches through relational
paths into the model, and x2many commands that create, write or delete comodel records.
"""
from __future__ import annotations

import json
import uuid
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import Client, Server, require_backend, start_server, stop_server
from dbstate import changes, snapshot
from odoorpc_server.services.bootstrap import for_version
from odoorpc_server.versions import profile

VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}
# the base models of the version the server answers as by default (some are of older versions only)
BASE_MODELS = sorted(for_version(json.loads((Path(__file__).parents[1] / "odoorpc_server" / "data" / "models.json")
                                            .read_text())["models"], profile()))
MANUAL = "x_matrix"
KINDS = ("internal", "portal")


class World:
    """The server, its administrator, the two restricted users and what they are granted."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.admin = server.client()
        self.users = {kind: self._user(kind) for kind in KINDS}
        self.descriptions = {m["model"]: m["name"] for m in self.admin.x("ir.model", "search_read", [],
                                                                         ["model", "name"])}
        self.fields = {m: self.admin.x(m, "fields_get", attributes=["type", "relation", "store", "readonly"])
                       for m in self.descriptions}
        self.records = {m: self._record(m) for m in self.descriptions}

    def _user(self, kind: str) -> Client:
        login = f"{kind}-{uuid.uuid4().hex[:8]}"
        vals: dict[str, Any] = {"name": f"Matrix {kind}", "login": login, "password": "matrix-pw"}
        if kind == "portal":
            portal = self.admin.x("ir.model.data", "search_read", [("module", "=", "base"),
                                                                    ("name", "=", "group_portal")], ["res_id"])
            vals["groups_id"] = [(6, 0, [portal[0]["res_id"]])]
        self.admin.x("res.users", "create", vals)
        return self.server.client(login, "matrix-pw")

    def _record(self, model: str) -> int:
        """The newest record (the custom model's own rows for ir.model and ir.model.fields); for users
        the administrator, as users may change a few fields of their own record."""
        if model == "res.users":
            return 2
        found = self.admin.x(model, "search", [], limit=1, order="id desc", context={"active_test": False})
        return int(found[0]) if found else 1

    def groups(self, client: Client) -> set[int]:
        """The user's groups with every group they imply, read as the administrator."""
        groups = set(self.admin.x("res.users", "read", [client.uid], ["groups_id"])[0]["groups_id"])
        implied = {g["id"]: g["implied_ids"] for g in self.admin.x("res.groups", "search_read", [], ["implied_ids"])}
        todo = set(groups)
        while todo:
            todo = {h for g in todo for h in implied.get(g, [])} - groups
            groups |= todo
        return groups

    def granted(self, client: Client) -> dict[str, set[str]]:
        """Per model, the operations some active access row grants to one of the user's groups."""
        groups = self.groups(client)
        out: dict[str, set[str]] = {m: set() for m in self.descriptions}
        rows = self.admin.x("ir.model.access", "search_read", [("active", "=", True)],
                            ["model_id", "group_id", "perm_read", "perm_write", "perm_create", "perm_unlink"])
        models = {m["id"]: m["model"] for m in self.admin.x("ir.model", "search_read", [], ["model"])}
        for row in rows:
            if row["group_id"] is False or row["group_id"][0] in groups:
                out[models[row["model_id"][0]]] |= {op for op in VERBS if row[f"perm_{op}"]}
        return out


@pytest.fixture(scope="module")
def world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A server of its own: the matrix adds a custom model and a field to res.partner."""
    require_backend(backend)
    server = start_server(tmp_path_factory.mktemp(f"matrix-{backend}"), backend, ["--demo"])
    admin = server.client()
    mid = admin.x("ir.model", "create", {"name": "Matrix", "model": MANUAL, "state": "manual"})
    admin.x("ir.model.fields", "create", {"model_id": mid, "name": "x_name", "ttype": "char"})
    admin.x("ir.model.fields", "create", {"model_id": mid, "name": "x_partner_id", "ttype": "many2one",
                                          "relation": "res.partner"})
    partner_model = admin.x("ir.model", "search", [("model", "=", "res.partner")])[0]
    admin.x("ir.model.fields", "create", {"model_id": partner_model, "name": "x_matrix_ids", "ttype": "many2many",
                                          "relation": MANUAL})
    admin.x(MANUAL, "create", {"x_name": "kept", "x_partner_id": 1})
    try:
        yield World(server)
    finally:
        stop_server(server)


def writable_value(world: World, model: str) -> dict[str, Any]:
    """Values for a write that would change a visible field of `model`."""
    for name, desc in sorted(world.fields[model].items()):
        if desc["type"] == "char" and desc.get("store") and not desc.get("readonly") and name not in (
                "display_name", "password"):
            return {name: f"changed {uuid.uuid4().hex[:6]}"}
    return {}


def calls(world: World, model: str, operation: str, granted: dict[str, set[str]]) -> list[tuple[str, str, list[Any]]]:
    """(model called, method, args) of every call that performs `operation` on `model`."""
    rid = world.records[model]
    fields = world.fields[model]
    out: list[tuple[str, str, list[Any]]] = []
    if operation == "read":
        out += [(model, "search", [[]]), (model, "search_count", [[]]), (model, "search_read", [[], ["id"]]),
                (model, "read", [[rid], ["id"]]), (model, "read_group", [[], ["id:count"], ["create_uid"]]),
                (model, "name_search", [""]), (model, "name_get", [[rid]]), (model, "get_metadata", [[rid]]),
                (model, "export_data", [[rid], ["id"]]), (model, "copy", [rid])]
        for source in sorted(world.descriptions):  # searches through a path into the model
            if source == model or "read" not in granted[source]:
                continue
            for name, desc in sorted(world.fields[source].items()):
                if desc.get("relation") == model and desc.get("store") and name not in ("create_uid", "write_uid"):
                    out.append((source, "search", [[(f"{name}.id", "=", rid)]]))
    elif operation == "write":
        out.append((model, "write", [[rid], writable_value(world, model)]))
        if "active" in fields:
            out += [(model, "action_archive", [[rid]]), (model, "toggle_active", [[rid]])]
    elif operation == "create":
        out.append((model, "create", [{}]))
        if "name" in fields or "x_name" in fields:
            out.append((model, "name_create", [f"made {uuid.uuid4().hex[:6]}"]))
        if "read" in granted[model]:
            out.append((model, "copy", [rid]))
    elif operation == "unlink":
        out.append((model, "unlink", [[rid]]))
    # x2many commands on a model the user may write, reaching into this one
    command = {"create": (0, 0, {}), "write": (1, rid, writable_value(world, model)), "unlink": (2, rid, 0)}
    if operation in command:
        for source in sorted(world.descriptions):
            if source == model or "write" not in granted[source] or source == "res.users":
                continue
            for name, desc in sorted(world.fields[source].items()):
                if desc["type"] in ("one2many", "many2many") and desc.get("relation") == model:
                    out.append((source, "write", [[world.records[source]], {name: [command[operation]]}]))
    return out


def expected_header(world: World, model: str, operation: str) -> str:
    return f"You are not allowed to {VERBS[operation]} '{world.descriptions[model]}' ({model}) records."


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("model", [*BASE_MODELS, MANUAL])
def test_operations_not_granted_are_refused(world: World, kind: str, model: str) -> None:
    user = world.users[kind]
    granted = world.granted(user)
    refused = [op for op in VERBS if op not in granted[model]]
    problems: list[str] = []
    checked = 0
    for operation in refused:
        header = expected_header(world, model, operation)
        # copy reads first: a user who may not read the model gets the read refusal
        for target, method, args in calls(world, model, operation, granted):
            before = snapshot(world.server)
            try:
                answer = user.x(target, method, *args)
                problems.append(f"{target}.{method}{args!r} answered {answer!r}")
            except xmlrpc.client.Fault as fault:
                if fault.faultCode != 4 or not fault.faultString.startswith(header):
                    problems.append(f"{target}.{method}{args!r}: fault {fault.faultCode} "
                                    f"{fault.faultString.splitlines()[-1][:200]!r}, expected {header!r}")
            changed = changes(before, snapshot(world.server))
            if changed:
                problems.append(f"{target}.{method}{args!r} changed {changed}")
            checked += 1
    # the server's own answer agrees with the access data, for granted operations too
    for operation in VERBS:
        assert user.x(model, "check_access_rights", operation, raise_exception=False) is (operation in granted[model])
    assert problems == []
    if refused:
        assert checked >= len(refused)


def test_matrix_covers_what_it_claims(world: World) -> None:
    """The matrix is not vacuous: both users are refused things, custom models included."""
    internal = world.granted(world.users["internal"])
    portal = world.granted(world.users["portal"])
    assert internal[MANUAL] == set() and portal[MANUAL] == set()
    assert internal["res.partner"] == set(VERBS) and portal["res.partner"] == {"read"}
    assert internal["ir.model"] == {"read"} and "unlink" not in internal["ir.model.fields"]
    assert portal["res.groups"] == set() and internal["res.country"] == {"read"}
    # the path and x2many cases exist
    assert ("res.users", "search", [[("groups_id.id", "=", world.records["res.groups"])]]) in \
        calls(world, "res.groups", "read", portal)
    assert ("res.partner", "write", [[world.records["res.partner"]], {"user_ids": [(0, 0, {})]}]) in \
        calls(world, "res.users", "create", internal)
    unlink_command = {"x_matrix_ids": [(2, world.records[MANUAL], 0)]}
    assert ("res.partner", "write", [[world.records["res.partner"]], unlink_command]) in \
        calls(world, MANUAL, "unlink", internal)
