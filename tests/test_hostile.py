"""What a hostile user tried, each as a regression test: a plain internal user (Internal User group
only) created by the administrator, and the administrator where the hole needed one. Every case
ends with a precise, Odoo-style refusal and a database that did not change.

The numbers follow the security review's list: 1 hashes readable through read_group, 2 a blind
oracle on hashes, 3 privilege escalation through copy, 4 deleting custom models without rights,
5 dropping any table through a many2many's relation table; then integers out of range.
"""
from __future__ import annotations

import math
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import Client, Server, fault, last_line
from dbstate import changes, engine, snapshot
from wire import execute_i8


def denied(operation: str, description: str, model: str) -> str:
    return f"You are not allowed to {operation} '{description}' ({model}) records."


def tables(server: Server) -> set[str]:
    eng = engine(server)
    try:
        with eng.connect() as conn:
            return set(sa.inspect(conn).get_table_names())
    finally:
        eng.dispose()


def sfx() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture()
def plain(server: Server, client: Client) -> Client:
    """A plain internal user: the Internal User group only."""
    login = f"plain-{sfx()}"
    client.x("res.users", "create", {"name": f"Plain {login}", "login": login, "password": "plain-pw"})
    return server.client(login, "plain-pw")


def admin_hash(server: Server) -> str:
    eng = engine(server)
    try:
        with eng.connect() as conn:
            return str(conn.execute(sa.text("SELECT password FROM res_users WHERE id = 2")).scalar())
    finally:
        eng.dispose()


# -- 1. hashes readable through read_group ------------------------------------------------------

def test_1_read_group_reveals_no_hash(server: Server, client: Client, plain: Client) -> None:
    for who in (plain, client):
        err = fault(who.x, "res.users", "read_group", [], ["login"], ["password"])
        assert last_line(err) == "ValueError: Field 'password' on model 'res.users' cannot be grouped (not stored)"
        err = fault(who.x, "res.users", "read_group", [], ["p:max(password)"], ["login"])
        assert (err.faultCode, err.faultString) == (2, "Cannot aggregate field 'password'.")
        for column in ("key", "index"):
            err = fault(who.x, "res.users.apikeys", "read_group", [], ["name"], [column])
            assert last_line(err) == f"ValueError: Invalid field {column!r} on model 'res.users.apikeys'"
        groups = who.x("res.users", "read_group", [], ["login"], ["login"])
        assert "$pbkdf2" not in repr(groups) and admin_hash(server)[-20:] not in repr(groups)


# -- 2. a blind oracle on hashes ----------------------------------------------------------------

def test_2_no_oracle_on_password_hashes(server: Server, plain: Client) -> None:
    real = admin_hash(server)
    assert real.startswith("$pbkdf2-sha512$")
    answers = set()
    for pattern in (real[:25] + "%", "$pbkdf2-sha512$1000$E%", "nothing like it%"):
        users = plain.x("res.users", "search", [("id", "=", 2), ("password", "=like", pattern)])
        partners = plain.x("res.partner", "search", [("user_ids.password", "=like", pattern)])
        answers.add((tuple(users), tuple(partners)))
    assert len(answers) == 1 and next(iter(answers))[0] == (2,)
    by_id = plain.x("res.users", "search", [], order="id")
    assert plain.x("res.users", "search", [], order="password") == by_id
    assert plain.x("res.users", "search", [], order="password desc") == by_id


# -- 3. privilege escalation through copy -------------------------------------------------------

def test_3_copy_needs_create_rights(server: Server, client: Client, plain: Client) -> None:
    before = snapshot(server)
    login = f"evil-{sfx()}"
    err = fault(plain.x, "res.users", "copy", 2, {"login": login, "password": "evil-pw"})
    assert err.faultCode == 4 and err.faultString.startswith(denied("create", "User", "res.users"))
    assert plain.common.authenticate(server.db, login, "evil-pw", {}) is False
    access = client.x("ir.model.access", "search", [], limit=1)[0]
    system = client.x("ir.model.data", "search_read", [("name", "=", "group_system")], ["res_id"])[0]["res_id"]
    err = fault(plain.x, "ir.model.access", "copy", access, {"group_id": system, "perm_unlink": True})
    assert err.faultCode == 4 and err.faultString.startswith(denied("create", "Model Access", "ir.model.access"))
    belgium = client.x("res.country", "search", [("code", "=", "BE")])[0]
    err = fault(plain.x, "res.country", "copy", belgium, {"code": "XX", "name": f"Copyland {sfx()}"})
    assert err.faultCode == 4 and err.faultString.startswith(denied("create", "Country", "res.country"))
    err = fault(plain.x, "res.company", "copy", 1)
    assert err.faultCode == 4 and err.faultString.startswith(denied("create", "Companies", "res.company"))
    assert changes(before, snapshot(server)) == []


def test_3_a_copy_goes_through_create(server: Server, client: Client) -> None:
    """The administrator may copy a user; the copy gets the groups but never the password."""
    uid = client.x("res.users", "create", {"name": "Original", "login": f"orig-{sfx()}", "password": "orig-pw"})
    login = f"copy-{sfx()}"
    new = client.x("res.users", "copy", uid, {"login": login})
    assert type(new) is int and new != uid
    [orig, copy] = client.x("res.users", "read", [uid, new], ["groups_id", "login"])
    assert copy["groups_id"] == orig["groups_id"] and copy["login"] == login
    assert client.common.authenticate(server.db, login, "orig-pw", {}) is False
    err = fault(client.x, "res.company", "copy", 1)
    assert (err.faultCode, err.faultString) == (2, "Duplicating a company is not allowed. Please create a new "
                                                   "company instead.")


# -- 4. deleting custom models without rights ---------------------------------------------------

def test_4_custom_models_cannot_be_deleted_without_rights(server: Server, client: Client, plain: Client) -> None:
    model = f"x_h4{sfx()}"
    mid = client.x("ir.model", "create", {"name": "Hostile four", "model": model, "state": "manual"})
    fid = client.x("ir.model.fields", "create", {"model_id": mid, "name": "x_name", "ttype": "char"})
    rid = client.x(model, "create", {"x_name": "precious"})
    before = snapshot(server)
    err = fault(plain.x, "ir.model", "write", [mid], {"name": "renamed"})
    assert err.faultCode == 4 and err.faultString.startswith(denied("modify", "Models", "ir.model"))
    err = fault(plain.x, "ir.model", "unlink", [mid])
    assert err.faultCode == 4 and err.faultString.startswith(denied("delete", "Models", "ir.model"))
    err = fault(plain.x, "ir.model.fields", "unlink", [fid])
    assert err.faultCode == 4 and err.faultString.startswith(denied("delete", "Fields", "ir.model.fields"))
    assert changes(before, snapshot(server)) == []
    assert client.x(model, "read", [rid], ["x_name"]) == [{"id": rid, "x_name": "precious"}]
    # base models: the access refusal comes before Odoo's "contains module data"
    partner_model = client.x("ir.model", "search", [("model", "=", "res.partner")])[0]
    err = fault(plain.x, "ir.model", "unlink", [partner_model])
    assert err.faultCode == 4 and err.faultString.startswith(denied("delete", "Models", "ir.model"))
    err = fault(client.x, "ir.model", "unlink", [partner_model])
    assert (err.faultCode, err.faultString) == (2, "Model “Contact” contains module data and cannot be removed.")


# -- 5. dropping any table ----------------------------------------------------------------------

def test_5_relation_tables_are_validated(server: Server, client: Client) -> None:
    model = f"x_h5{sfx()}"
    mid = client.x("ir.model", "create", {"name": "Hostile five", "model": model, "state": "manual"})
    partners = client.x("res.partner", "search_count", [], context={"active_test": False})
    before = snapshot(server)
    attempts: list[tuple[dict[str, Any], str]] = [
        ({"relation_table": "res_partner", "column1": "id", "column2": "parent_id"},
         "The relation table of a custom many2many must start with 'x_', not 'res_partner'."),
        ({"relation_table": "ir_model"}, "The relation table of a custom many2many must start with 'x_', not "
                                         "'ir_model'."),
        ({"relation_table": model}, f"The operation cannot be completed: the table {model!r} already exists."),
        ({"relation_table": "x_ok; DROP TABLE res_partner"},
         "Invalid identifier 'x_ok; DROP TABLE res_partner' for a many2many relation"),
        ({"relation_table": f"x_{sfx()}_rel", "column1": "a", "column2": "a"}, "must differ"),
        ({"relation_table": f"x_{sfx()}_rel", "column1": 'a"b'}, "Invalid identifier 'a\"b' for a many2many"),
    ]
    for extra, message in attempts:
        err = fault(client.x, "ir.model.fields", "create", {"model_id": mid, "name": "x_tags", "ttype": "many2many",
                                                            "relation": "res.partner", **extra})
        assert err.faultCode == 2 and message in err.faultString
    assert changes(before, snapshot(server)) == []
    rel = f"x_{sfx()}_rel"
    fid = client.x("ir.model.fields", "create", {"model_id": mid, "name": "x_tags", "ttype": "many2many",
                                                 "relation": "res.partner", "relation_table": rel,
                                                 "column1": "left_id", "column2": "right_id"})
    # the inverse field on the comodel may share the table, columns swapped, as Odoo shares it
    partner_model = client.x("ir.model", "search", [("model", "=", "res.partner")])[0]
    inverse = client.x("ir.model.fields", "create", {"model_id": partner_model, "name": f"x_{model}_ids",
                                                     "ttype": "many2many", "relation": model, "relation_table": rel,
                                                     "column1": "right_id", "column2": "left_id"})
    err = fault(client.x, "ir.model.fields", "write", [fid], {"relation_table": "res_partner"})
    assert (err.faultCode, err.faultString) == (2, "Changing 'relation_table' of a field is not supported. Please "
                                                   "drop it and create it again!")
    assert client.x("ir.model.fields", "unlink", [fid]) is True
    assert rel in tables(server)  # still the inverse field's
    assert client.x("ir.model.fields", "unlink", [inverse]) is True
    assert rel not in tables(server) and "res_partner" in tables(server)
    assert client.x("res.partner", "search_count", [], context={"active_test": False}) == partners
    # a model whose table would be an existing table
    client.x("ir.model.fields", "create", {"model_id": mid, "name": "x_other", "ttype": "many2many",
                                           "relation": "res.partner", "relation_table": f"x_{model}_taken"})
    err = fault(client.x, "ir.model", "create", {"name": "Clash", "model": f"x_{model}_taken", "state": "manual"})
    assert (err.faultCode, err.faultString) == (2, f"The operation cannot be completed: the table "
                                                   f"'x_{model}_taken' already exists.")


# -- integers out of range, NaN and infinities --------------------------------------------------

INT_RANGE = "The operation cannot be completed: integer out of range"


def test_ids_beyond_32_bits_are_refused(client: Client) -> None:
    for value in (2**31, 2**63, 2**70, -(2**31) - 1):
        for method, args in (("read", [[value], ["name"]]), ("write", [[value], {"name": "x"}]),
                             ("unlink", [[value]]), ("exists", [[value]]), ("copy", [value])):
            err = fault(execute_i8, client, "res.partner", method, *args)
            assert (err.faultCode, err.faultString) == (2, INT_RANGE)
        err = fault(execute_i8, client, "res.partner", "write", [1], {"category_id": [(4, value)]})
        assert (err.faultCode, err.faultString) == (2, INT_RANGE)
        err = fault(execute_i8, client, "res.partner", "write", [1], {"parent_id": value})
        assert (err.faultCode, err.faultString) == (2, INT_RANGE)


def test_domain_operands_beyond_32_bits_compare_as_numbers(client: Client) -> None:
    """No record has such an id or value: `=` finds nothing, `<` finds everything, on both
    backends alike (PostgreSQL compares int4 with a bigger number; SQLite overflows past 2**63)."""
    everyone = execute_i8(client, "res.partner", "search_count", [], context={"active_test": False})
    for value in (2**31, 2**63, 2**70):
        assert execute_i8(client, "res.partner", "search", [("id", "=", value)]) == []
        assert execute_i8(client, "res.partner", "search", [("id", "in", [1, value])]) == [1]
        assert execute_i8(client, "res.partner", "search_count", [("id", "<", value)],
                          context={"active_test": False}) == everyone
        assert execute_i8(client, "res.partner", "search_count", [("color", ">", value)]) == 0
        assert execute_i8(client, "res.partner", "search_count", [("parent_id", "=", value)]) == 0
        assert execute_i8(client, "res.partner", "search_count", [("category_id", "in", [value])]) == 0
        assert execute_i8(client, "res.partner", "search_count", [("id", "child_of", value)]) == 0


def test_limits_and_offsets_out_of_range(client: Client) -> None:
    err = fault(execute_i8, client, "res.partner", "search", [], limit=2**63)
    assert (err.faultCode, err.faultString) == (2, "The operation cannot be completed: bigint out of range")
    err = fault(execute_i8, client, "res.partner", "search", [], offset=2**64)
    assert (err.faultCode, err.faultString) == (2, "The operation cannot be completed: bigint out of range")
    err = fault(client.x, "res.partner", "search", [], limit=-1)
    assert (err.faultCode, err.faultString) == (2, "The operation cannot be completed: LIMIT must not be negative")
    err = fault(client.x, "res.partner", "search_read", [], ["name"], offset=-5)
    assert (err.faultCode, err.faultString) == (2, "The operation cannot be completed: OFFSET must not be negative")
    assert execute_i8(client, "res.partner", "search", [("id", "=", 1)], limit=2**62, offset=2**40) == []


def test_uids_beyond_32_bits_are_denied(client: Client) -> None:
    for uid in (2**31, 2**63, 2**70, -(2**40)):
        err = fault(execute_i8, client, "res.partner", "search_count", [], uid=uid)
        assert (err.faultCode, err.faultString) == (3, "Access Denied")


def test_non_finite_floats_are_refused(client: Client) -> None:
    model = f"x_nan{sfx()}"
    mid = client.x("ir.model", "create", {"name": "Floats", "model": model, "state": "manual"})
    client.x("ir.model.fields", "create", {"model_id": mid, "name": "x_value", "ttype": "float"})
    rid = client.x(model, "create", {"x_value": 1.5})
    for value in (math.nan, math.inf, -math.inf):
        err = fault(client.x, model, "create", {"x_value": value})
        assert (err.faultCode, err.faultString) == (2, f"The operation cannot be completed: {model}.x_value must be "
                                                       f"a finite number, not {value!r}")
        err = fault(client.x, model, "write", [rid], {"x_value": value})
        assert err.faultCode == 2
        err = fault(client.x, model, "search", [("x_value", "=", value)])
        assert last_line(err).startswith(f"ValueError: Invalid value {value!r} for field {model}.x_value (float)")
    assert client.x(model, "search_read", [], ["x_value"]) == [{"id": rid, "x_value": 1.5}]


def test_users_pick_their_company_among_their_companies(server: Server, client: Client, plain: Client) -> None:
    """A user may change their own current company (one of Odoo's self-writeable fields), but
    only to a company they are allowed in."""
    other = client.x("res.company", "create", {"name": f"Elsewhere {sfx()}", "currency_id": 1})
    err = fault(plain.x, "res.users", "write", [plain.uid], {"company_id": other})
    assert (err.faultCode, err.faultString) == (2, "The chosen company is not in the allowed companies for this "
                                                   "user")
    client.x("res.users", "write", [plain.uid], {"company_ids": [(4, other)]})
    assert plain.x("res.users", "write", [plain.uid], {"company_id": other}) is True
    assert client.x("res.users", "read", [plain.uid], ["company_id"])[0]["company_id"][0] == other
