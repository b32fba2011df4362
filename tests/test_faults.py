"""Odoo's fault codes and texts over /xmlrpc/2, injection attempts, and transaction rollback.

Pins how Odoo 17 maps exceptions to faults (1 traceback, 2 user error, 3 access denied, 4 access
error), what authenticate answers to wrong credentials, the object service's refusals (private
and unknown methods, unknown models), domain and order errors, and that a failed call leaves
nothing behind.
"""
from __future__ import annotations

import urllib.request
import uuid
import xmlrpc.client
from typing import Any

import pytest

from conftest import Client, Server

MISSING_ID = 987654321
SQL_MARKERS = ("[SQL:", "SELECT ", " FROM res_partner", "WHERE ", "sqlalchemy", "psycopg", "sqlite3")


def token() -> str:
    return uuid.uuid4().hex[:12]


def fault(call: Any, *args: Any, **kwargs: Any) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as info:
        call(*args, **kwargs)
    return info.value


def no_sql(text: str) -> None:
    for marker in SQL_MARKERS:
        assert marker not in text, f"{marker!r} leaked in fault: {text}"


def all_partners(client: Client) -> int:
    return int(client.x("res.partner", "search_count", [], context={"active_test": False}))


def post(url: str, body: bytes) -> tuple[int, str, bytes]:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "text/xml"}, method="POST")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), resp.read()


# -- credentials ----------------------------------------------------------------------------------

def test_authenticate_with_wrong_credentials_returns_false(server: Server, client: Client) -> None:
    common = client.common
    assert common.authenticate(server.db, "admin", "wrong", {}) is False
    assert common.authenticate(server.db, "nobody-" + token(), "admin", {}) is False
    assert common.authenticate(server.db, "admin", "", {}) is False
    assert common.authenticate(server.db, "admin", "admin", {}) == 2
    assert common.login(server.db, "admin", "wrong") is False


def test_execute_kw_with_wrong_password_is_access_denied(server: Server, client: Client) -> None:
    f = fault(client.models.execute_kw, server.db, client.uid, "wrong", "res.partner", "search", [[]])
    assert f.faultCode == 3
    assert f.faultString == "Access Denied"
    f = fault(client.models.execute_kw, server.db, client.uid, "", "res.partner", "search", [[]])
    assert (f.faultCode, f.faultString) == (3, "Access Denied")
    f = fault(client.models.execute, server.db, client.uid, "wrong", "res.partner", "search", [])
    assert (f.faultCode, f.faultString) == (3, "Access Denied")


def test_wrong_password_is_checked_before_anything_else(server: Server, client: Client) -> None:
    # even an unknown model answers Access Denied when the password is wrong
    f = fault(client.models.execute_kw, server.db, client.uid, "wrong", "x_nope", "search", [[]])
    assert (f.faultCode, f.faultString) == (3, "Access Denied")


def test_uid_is_coerced_with_int(server: Server, client: Client) -> None:
    assert client.models.execute_kw(server.db, str(client.uid), "admin", "res.partner", "search_count",
                                    [[("id", "=", 3)]]) == 1
    f = fault(client.models.execute_kw, server.db, "abc", "admin", "res.partner", "search_count", [[]])
    assert f.faultCode == 1 and "ValueError" in f.faultString


# -- models and methods ---------------------------------------------------------------------------

def test_unknown_model_is_fault_2(client: Client) -> None:
    f = fault(client.x, "x_nope", "search", [])
    assert f.faultCode == 2
    assert f.faultString == "Object x_nope doesn't exist"


@pytest.mark.parametrize("method", ["_foo", "_read", "__init__", "init"])
def test_private_method_is_fault_4(client: Client, method: str) -> None:
    f = fault(client.x, "res.partner", method, [3])
    assert f.faultCode == 4
    assert f.faultString == f"Private methods (such as {method}) cannot be called remotely."


def test_unknown_method_is_fault_1(client: Client) -> None:
    f = fault(client.x, "res.partner", "foo", [3])
    assert f.faultCode == 1
    assert "does not exist" in f.faultString
    assert "The method 'foo' does not exist on the model 'res.partner'" in f.faultString
    assert f.faultString.startswith("Traceback (most recent call last):")


def test_missing_arguments_are_fault_1(server: Server, client: Client) -> None:
    f = fault(client.x, "res.partner", "read")  # no ids
    assert f.faultCode == 1 and f.faultString.startswith("Traceback")
    f = fault(client.x, "res.partner", "write", [3])  # no values
    assert f.faultCode == 1
    f = fault(client.x, "res.partner", "create")  # no vals
    assert f.faultCode == 1
    f = fault(client.models.execute_kw, server.db, client.uid, "admin")  # no model / method
    assert f.faultCode == 1
    f = fault(client.models.execute_kw, server.db)  # not even credentials
    assert f.faultCode == 1


def test_unexpected_keyword_is_fault_1(client: Client) -> None:
    f = fault(client.x, "res.partner", "search", [], nope=1)
    assert f.faultCode == 1 and "nope" in f.faultString


def test_unknown_service_is_fault_1(server: Server) -> None:
    proxy = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/nope")
    f = fault(proxy.version)
    assert f.faultCode == 1
    assert "nope" in f.faultString


def test_unknown_common_and_db_methods_are_fault_1(server: Server) -> None:
    f = fault(xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common").nope)
    assert f.faultCode == 1 and "Method not found: nope" in f.faultString
    f = fault(xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/db").nope)
    assert f.faultCode == 1 and "Method not found: nope" in f.faultString


def test_unknown_object_method_is_fault_1(server: Server, client: Client) -> None:
    f = fault(client.models.nope, server.db, client.uid, "admin")
    assert f.faultCode == 1 and "Method not available nope" in f.faultString


@pytest.mark.parametrize("body", [
    pytest.param(b"<methodCall><methodName>version</methodName><params>", id="truncated"),
    pytest.param(b"this is not xml at all", id="not-xml"),
    pytest.param(b"", id="empty"),
    pytest.param(b"<?xml version='1.0'?><methodCall><methodName>version</methodName><params><param>"
                 b"<value><int>notanint</int></value></param></params></methodCall>", id="bad-int"),
])
def test_malformed_body_is_a_fault_response(server: Server, body: bytes) -> None:
    status, ctype, raw = post(f"{server.url}/xmlrpc/2/common", body)
    assert status == 200
    assert ctype.startswith("text/xml")
    with pytest.raises(xmlrpc.client.Fault) as info:
        xmlrpc.client.loads(raw)
    assert info.value.faultCode == 1


def test_well_formed_raw_body_works(server: Server) -> None:
    status, _, raw = post(f"{server.url}/xmlrpc/2/common",
                          b"<?xml version='1.0'?><methodCall><methodName>version</methodName>"
                          b"<params></params></methodCall>")
    assert status == 200
    (result,), method = xmlrpc.client.loads(raw)
    assert isinstance(result, dict)
    assert result["server_version_info"][:2] == [17, 0] and method is None


# -- domains and orders ---------------------------------------------------------------------------

def test_domain_unknown_field_is_fault_1(client: Client) -> None:
    f = fault(client.x, "res.partner", "search", [("x_nope", "=", 1)])
    assert f.faultCode == 1
    assert "Invalid field res.partner.x_nope in leaf" in f.faultString
    no_sql(f.faultString)


def test_domain_bad_operator_is_fault_1(client: Client) -> None:
    f = fault(client.x, "res.partner", "search", [("name", "LIKE", "x")])
    assert f.faultCode == 1
    assert "Invalid leaf" in f.faultString and "LIKE" in f.faultString
    no_sql(f.faultString)
    f = fault(client.x, "res.partner", "search", [("name", "inselect", ("SELECT id FROM res_partner", []))])
    assert f.faultCode == 1 and "Invalid leaf" in f.faultString


def test_domain_wrong_arity_is_fault_1(client: Client) -> None:
    f = fault(client.x, "res.partner", "search", ["|", ("name", "=", "a")])
    assert f.faultCode == 1
    assert "syntactically not correct" in f.faultString
    no_sql(f.faultString)
    f = fault(client.x, "res.partner", "search", ["&", "&", ("name", "=", "a"), ("name", "=", "b")])
    assert f.faultCode == 1 and "syntactically not correct" in f.faultString
    f = fault(client.x, "res.partner", "search", [("name", "=")])
    assert f.faultCode == 1 and "Invalid leaf" in f.faultString
    no_sql(f.faultString)


def test_domain_errors_in_other_methods(client: Client) -> None:
    for method, args in (("search_count", [[("x_nope", "=", 1)]]), ("search_read", [[("x_nope", "=", 1)]]),
                         ("name_search", ["a", [("x_nope", "=", 1)]])):
        f = fault(client.x, "res.partner", method, *args)
        assert f.faultCode == 1 and "x_nope" in f.faultString
        no_sql(f.faultString)


INVALID_ORDER = ('Invalid "order" specified ({}). A valid "order" specification is a comma-separated list of '
                 'valid field names (optionally followed by asc/desc for the direction)')


@pytest.mark.parametrize("order", ["name;", "name,", "name sideways", "(SELECT 1)", "name desc nulls maybe",
                                   "id; DELETE FROM res_partner", 'name" DESC; DROP TABLE res_partner --'])
def test_bad_order_is_fault_2(client: Client, order: str) -> None:
    before = all_partners(client)
    f = fault(client.x, "res.partner", "search", [], order=order)
    assert f.faultCode == 2
    assert f.faultString == INVALID_ORDER.format(order)
    f = fault(client.x, "res.partner", "search_read", [], ["name"], order=order)
    assert f.faultCode == 2
    assert all_partners(client) == before


def test_order_on_unknown_field_is_fault_1(client: Client) -> None:
    f = fault(client.x, "res.partner", "search", [], order="x_nope desc")
    assert f.faultCode == 1
    assert "Invalid field 'x_nope' on model 'res.partner'" in f.faultString
    no_sql(f.faultString)


def test_valid_order_forms(client: Client) -> None:
    t = token()
    a = client.x("res.partner", "create", {"name": f"Ord {t} a", "color": 2})
    b = client.x("res.partner", "create", {"name": f"Ord {t} b", "color": 1})
    dom = [("name", "like", f"Ord {t}")]
    assert client.x("res.partner", "search", dom, order='"color" ASC') == [b, a]
    assert client.x("res.partner", "search", dom, order="color DESC NULLS LAST, id") == [a, b]
    assert client.x("res.partner", "search", dom, order="  name   DESC ") == [b, a]


# -- injection attempts ---------------------------------------------------------------------------

def test_injection_through_field_names(client: Client) -> None:
    before = all_partners(client)
    pid = client.x("res.partner", "create", {"name": f"Inj {token()}"})
    evil = ["name FROM res_partner; DROP TABLE res_partner; --", 'name"; DELETE FROM res_partner; --',
            "id) OR 1=1 --", "*"]
    for name in evil:
        f = fault(client.x, "res.partner", "read", [pid], [name])
        assert f.faultCode == 1, f.faultString
        f = fault(client.x, "res.partner", "search_read", [], [name])
        assert f.faultCode == 1
        f = fault(client.x, "res.partner", "search", [(name, "=", 1)])
        assert f.faultCode == 1
        f = fault(client.x, "res.partner", "write", [pid], {name: "x"})
        assert f.faultCode == 1
        f = fault(client.x, "res.partner", "create", {"name": "evil", name: "x"})
        assert f.faultCode == 1
        f = fault(client.x, "res.partner", "search", [], order=name)
        assert (f.faultCode, f.faultString) == (2, f'Invalid "order" specified ({name}). A valid "order" '
                                                   "specification is a comma-separated list of valid field names "
                                                   "(optionally followed by asc/desc for the direction)")
    assert all_partners(client) == before + 1
    assert client.x("res.partner", "search_count", [("name", "=", "evil")]) == 0


def test_injection_through_model_names(client: Client) -> None:
    before = all_partners(client)
    for model in ("res.partner; DROP TABLE res_partner", "res_partner", "res.partner\" --", "ir.model' OR '1'='1"):
        f = fault(client.x, model, "search", [])
        assert f.faultCode == 2
        assert f.faultString == f"Object {model} doesn't exist"
    assert all_partners(client) == before


def test_injection_through_values_is_stored_literally(client: Client) -> None:
    before = all_partners(client)
    evil = "x'); DROP TABLE res_partner; --"
    pid = client.x("res.partner", "create", {"name": evil})
    assert client.x("res.partner", "read", [pid], ["name"]) == [{"id": pid, "name": evil}]
    assert client.x("res.partner", "search", [("name", "=", evil)]) == [pid]
    assert client.x("res.partner", "search", [("name", "=", "x' OR '1'='1")]) == []
    assert client.x("res.partner", "search_count", [("id", "=", pid), ("name", "like", "' OR 1=1 --")]) == 0
    assert all_partners(client) == before + 1


def test_injection_through_context(client: Client) -> None:
    before = all_partners(client)
    evil = "x'); DELETE FROM res_partner; --"
    t = token()
    # unknown context keys are ignored, default_<field> values are plain values
    pid = client.x("res.partner", "create", {"function": f"ctx {t}"},
                   context={"default_name": evil, "active_test'; DROP TABLE res_partner; --": False,
                            "default_x); DROP TABLE res_partner; --": "y", evil: evil})
    assert client.x("res.partner", "read", [pid], ["name", "function"]) == [
        {"id": pid, "name": evil, "function": f"ctx {t}"}]
    assert client.x("res.partner", "search_count", [], context={"lang": evil, evil: 1}) == \
        client.x("res.partner", "search_count", [])
    f = fault(client.x, "res.partner", "search", [], context="'; DROP TABLE res_partner; --")
    assert f.faultCode == 1
    assert all_partners(client) == before + 1


# -- rollback of failed calls ---------------------------------------------------------------------

def test_failed_create_in_x2many_leaves_nothing(client: Client) -> None:
    before = all_partners(client)
    name = f"Rollback {token()}"
    # the parent row is inserted first, then the child line fails ("Contacts require a name")
    f = fault(client.x, "res.partner", "create", {"name": name, "child_ids": [[0, 0, {"name": f"{name} ok"}],
                                                                               [0, 0, {"email": "x@y.z"}]]})
    assert f.faultCode == 2 and "Contacts require a name" in f.faultString
    assert client.x("res.partner", "search", [("name", "like", name)], context={"active_test": False}) == []
    # a link to a missing tag fails after the insert as well
    f = fault(client.x, "res.partner", "create", {"name": name, "category_id": [[4, MISSING_ID]]})
    assert (f.faultCode, f.faultString) == (2, "Record does not exist or has been deleted.\n"
                                               f"(Record: res.partner.category({MISSING_ID},), User: 2)")
    assert client.x("res.partner", "search", [("name", "like", name)], context={"active_test": False}) == []
    assert all_partners(client) == before


def test_failed_batch_create_leaves_nothing(client: Client) -> None:
    name = f"Batch {token()}"
    f = fault(client.x, "res.partner", "create", [{"name": f"{name} 1"}, {"name": f"{name} 2"}, {"email": "x"}])
    assert f.faultCode == 2
    assert client.x("res.partner", "search", [("name", "like", name)], context={"active_test": False}) == []


def test_failed_write_leaves_record_unchanged(client: Client) -> None:
    t = token()
    pid = client.x("res.partner", "create", {"name": f"Keep {t}", "function": "before"})
    tag = client.x("res.partner.category", "create", {"name": f"Tag {t}"})
    client.x("res.partner", "write", [pid], {"category_id": [[6, 0, [tag]]]})
    f = fault(client.x, "res.partner", "write", [pid], {
        "function": "after", "category_id": [[5]], "child_ids": [[0, 0, {"email": "no-name@example.com"}]]})
    assert f.faultCode == 2
    assert client.x("res.partner", "read", [pid], ["name", "function", "category_id", "child_ids"]) == [
        {"id": pid, "name": f"Keep {t}", "function": "before", "category_id": [tag], "child_ids": []}]


def test_failed_unlink_leaves_records(client: Client) -> None:
    # res.users.partner_id is ondelete='restrict': deleting a user's partner fails and deletes nothing
    t = token()
    uid = client.x("res.users", "create", {"name": f"User {t}", "login": f"user-{t}"})
    [user] = client.x("res.users", "read", [uid], ["partner_id"], load="_classic_write")
    other = client.x("res.partner", "create", {"name": f"Free {t}"})
    f = fault(client.x, "res.partner", "unlink", [other, user["partner_id"]])
    assert f.faultCode == 2
    assert f.faultString.startswith("The operation cannot be completed: another model requires the record")
    assert client.x("res.partner", "exists", [other, user["partner_id"]]) == [other, user["partner_id"]]
    assert client.x("res.users", "exists", [uid]) == [uid]


def test_failed_custom_model_creation_leaves_no_model(client: Client) -> None:
    model = f"x_rollback_{uuid.uuid4().hex[:8]}"
    f = fault(client.x, "ir.model", "create", {"name": "Rollback", "model": model, "state": "manual", "field_id": [
        [0, 0, {"name": "x_ok", "ttype": "char"}], [0, 0, {"name": "not_x", "ttype": "char"}]]})
    assert (f.faultCode, f.faultString) == (2, "The operation cannot be completed: Custom fields must have a name "
                                               "that starts with 'x_'!")
    assert client.x("ir.model", "search", [("model", "=", model)]) == []
    assert client.x("ir.model.fields", "search", [("model", "=", model)]) == []
    f = fault(client.x, model, "search", [])
    assert (f.faultCode, f.faultString) == (2, f"Object {model} doesn't exist")
    # and the name is still free
    assert type(client.x("ir.model", "create", {"name": "Again", "model": model, "state": "manual"})) is int
    assert client.x(model, "search", []) == []


def test_failed_field_creation_leaves_no_column(client: Client) -> None:
    model = f"x_colrb_{uuid.uuid4().hex[:8]}"
    mid = client.x("ir.model", "create", {"name": "Col rollback", "model": model, "state": "manual"})
    f = fault(client.x, "ir.model.fields", "create", {"model_id": mid, "name": "x_rel", "ttype": "many2one",
                                                      "relation": "x_does_not_exist", "state": "manual"})
    assert (f.faultCode, f.faultString) == (2, "Model x_does_not_exist does not exist!")
    assert "x_rel" not in client.x(model, "fields_get", [], ["type"])
    assert client.x("ir.model.fields", "search", [("model", "=", model), ("name", "=", "x_rel")]) == []
