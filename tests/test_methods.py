"""Every public ORM method over the wire, checked against what Odoo 17 answers.

Pins the object service's argument binding (ids first for record methods, keywords, context) and
what each ORM method returns in Odoo 17, faults included. Each test creates its own records (names
carry a uuid) and never modifies base/demo records other tests rely on.
"""
from __future__ import annotations

import uuid
import xmlrpc.client
from typing import Any

import pytest

from conftest import Client, Server

MISSING_ID = 987654321


def token() -> str:
    return uuid.uuid4().hex[:12]


def partner(client: Client, name: str, **vals: Any) -> int:
    new_id = client.x("res.partner", "create", {"name": name, **vals})
    assert type(new_id) is int
    return new_id


def read_one(client: Client, model: str, rid: int, fields: list[str], **kw: Any) -> dict[str, Any]:
    rows = client.x(model, "read", [rid], fields, **kw)
    assert len(rows) == 1
    return rows[0]


def call_none(client: Client, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
    """execute_kw through a proxy that may send None (needed for `load=None`)."""
    proxy = xmlrpc.client.ServerProxy(f"{client.url}/xmlrpc/2/object", allow_none=True)
    return proxy.execute_kw(client.db, client.uid, client.password, model, method, list(args), kwargs)


def fault(call: Any, *args: Any, **kwargs: Any) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as info:
        call(*args, **kwargs)
    return info.value


# -- create ---------------------------------------------------------------------------------------

def test_create_with_a_dict_returns_an_int(client: Client) -> None:
    name = f"Create dict {token()}"
    new_id = client.x("res.partner", "create", {"name": name})
    assert type(new_id) is int
    assert client.x("res.partner", "read", [new_id], ["name"]) == [{"id": new_id, "name": name}]


def test_create_with_a_list_returns_a_list(client: Client) -> None:
    t = token()
    ids = client.x("res.partner", "create", [{"name": f"A {t}"}, {"name": f"B {t}"}])
    assert isinstance(ids, list) and len(ids) == 2 and all(type(i) is int for i in ids)
    assert ids[0] != ids[1]
    rows = client.x("res.partner", "read", ids, ["name"])
    assert [r["name"] for r in rows] == [f"A {t}", f"B {t}"]
    # a one-element list still answers a list
    single = client.x("res.partner", "create", [{"name": f"C {t}"}])
    assert isinstance(single, list) and len(single) == 1 and type(single[0]) is int


def test_create_with_an_empty_list_returns_an_empty_list(client: Client) -> None:
    assert client.x("res.partner", "create", []) == []


def test_create_applies_field_defaults(client: Client) -> None:
    pid = partner(client, f"Defaults {token()}")
    rec = read_one(client, "res.partner", pid, ["active", "type", "is_company", "parent_id", "child_ids"])
    assert rec == {"id": pid, "active": True, "type": "contact", "is_company": False, "parent_id": False,
                   "child_ids": []}


def test_create_missing_required_field_is_a_validation_error(client: Client) -> None:
    # res.partner.category.name is required: Odoo's NOT NULL IntegrityError becomes a ValidationError
    [model_desc] = client.x("ir.model", "search_read", [("model", "=", "res.partner.category")], ["name"])
    label = client.x("res.partner.category", "fields_get", ["name"], ["string", "required"])["name"]
    assert label["required"] is True
    f = fault(client.x, "res.partner.category", "create", {"color": 3})
    assert f.faultCode == 2
    assert f.faultString == (
        "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
        "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"
        f"Model: {model_desc['name']} (res.partner.category)\nField: {label['string']} (name)\n")


def test_create_contact_without_name_is_refused(client: Client) -> None:
    f = fault(client.x, "res.partner", "create", {"email": f"{token()}@example.com"})
    assert f.faultCode == 2
    assert f.faultString == "The operation cannot be completed: Contacts require a name"


def test_create_unknown_field_is_fault_1(client: Client) -> None:
    t = token()
    f = fault(client.x, "res.partner", "create", {"name": f"Unknown {t}", "x_nope": 1})
    assert f.faultCode == 1
    assert "Invalid field 'x_nope' on model 'res.partner'" in f.faultString
    assert client.x("res.partner", "search", [("name", "=", f"Unknown {t}")]) == []


# -- read -----------------------------------------------------------------------------------------

def test_read_given_fields_only_plus_id(client: Client) -> None:
    pid = partner(client, f"Read {token()}", email="r@example.com", is_company=True)
    rows = client.x("res.partner", "read", [pid], ["email", "is_company"])
    assert rows == [{"id": pid, "email": "r@example.com", "is_company": True}]
    # fields also as keyword argument
    assert client.x("res.partner", "read", [pid], fields=["email"]) == [{"id": pid, "email": "r@example.com"}]


def test_read_without_fields_returns_every_field(client: Client) -> None:
    pid = partner(client, f"All {token()}")
    [rec] = client.x("res.partner", "read", [pid])
    assert set(rec) == set(client.x("res.partner", "fields_get", [], ["type"]))
    assert rec["id"] == pid and rec["display_name"].startswith("All ")
    # an empty list means "all fields" as well
    [rec2] = client.x("res.partner", "read", [pid], [])
    assert set(rec2) == set(rec)


def test_read_many2one_as_pair_or_plain_id(client: Client) -> None:
    t = token()
    company = partner(client, f"Co {t}", is_company=True)
    person = partner(client, f"Person {t}", parent_id=company)
    assert read_one(client, "res.partner", person, ["parent_id"]) == {"id": person, "parent_id": [company, f"Co {t}"]}
    assert call_none(client, "res.partner", "read", [person], ["parent_id"], load=None) == [
        {"id": person, "parent_id": company}]
    assert read_one(client, "res.partner", person, ["parent_id"], load="_classic_write") == {
        "id": person, "parent_id": company}
    # empty many2one is False in both forms
    assert call_none(client, "res.partner", "read", [company], ["parent_id"], load=None) == [
        {"id": company, "parent_id": False}]
    assert read_one(client, "res.partner", company, ["parent_id"], load="") == {"id": company, "parent_id": False}
    assert read_one(client, "res.partner", person, ["parent_id"], load="") == {"id": person, "parent_id": company}


def test_read_drops_missing_ids_and_keeps_order(client: Client) -> None:
    t = token()
    a = partner(client, f"A {t}")
    b = partner(client, f"B {t}")
    c = partner(client, f"C {t}")
    client.x("res.partner", "unlink", [b])
    rows = client.x("res.partner", "read", [c, MISSING_ID, b, a], ["name"])
    assert rows == [{"id": c, "name": f"C {t}"}, {"id": a, "name": f"A {t}"}]
    assert client.x("res.partner", "read", [MISSING_ID], ["name"]) == []


def test_read_single_int_id(client: Client) -> None:
    pid = partner(client, f"Int {token()}")
    assert client.x("res.partner", "read", pid, ["id"]) == [{"id": pid}]


def test_read_unknown_field_is_fault_1(client: Client) -> None:
    pid = partner(client, f"Bad field {token()}")
    f = fault(client.x, "res.partner", "read", [pid], ["name", "x_nope"])
    assert f.faultCode == 1
    assert "Invalid field 'x_nope' on model 'res.partner'" in f.faultString


# -- write ----------------------------------------------------------------------------------------

def test_write_returns_true_and_changes_values(client: Client) -> None:
    t = token()
    a = partner(client, f"W1 {t}")
    b = partner(client, f"W2 {t}")
    assert client.x("res.partner", "write", [a, b], {"function": "Tester"}) is True
    rows = client.x("res.partner", "read", [a, b], ["function"])
    assert rows == [{"id": a, "function": "Tester"}, {"id": b, "function": "Tester"}]
    assert client.x("res.partner", "write", a, {"function": False}) is True
    assert read_one(client, "res.partner", a, ["function"]) == {"id": a, "function": False}


def test_write_on_no_ids_returns_true(client: Client) -> None:
    assert client.x("res.partner", "write", [], {"name": "nobody"}) is True


def test_write_on_missing_ids_is_a_missing_error(client: Client) -> None:
    pid = partner(client, f"Gone {token()}")
    client.x("res.partner", "unlink", [pid])
    f = fault(client.x, "res.partner", "write", [pid], {"function": "x"})
    assert f.faultCode == 2
    assert "deleted" in f.faultString and "Traceback" not in f.faultString


def test_write_mixing_existing_and_missing_ids_changes_nothing(client: Client) -> None:
    pid = partner(client, f"Mixed {token()}", function="before")
    f = fault(client.x, "res.partner", "write", [pid, MISSING_ID], {"function": "after"})
    assert f.faultCode == 2
    assert read_one(client, "res.partner", pid, ["function"]) == {"id": pid, "function": "before"}


# -- unlink ---------------------------------------------------------------------------------------

def test_unlink_returns_true_and_deletes(client: Client) -> None:
    t = token()
    pid = partner(client, f"Del {t}")
    assert client.x("res.partner", "unlink", [pid]) is True
    assert client.x("res.partner", "search", [("name", "=", f"Del {t}")], context={"active_test": False}) == []
    assert client.x("res.partner", "exists", [pid]) == []


def test_unlink_ignores_already_deleted_ids(client: Client) -> None:
    t = token()
    a = partner(client, f"U1 {t}")
    b = partner(client, f"U2 {t}")
    assert client.x("res.partner", "unlink", [a]) is True
    assert client.x("res.partner", "unlink", [a, b, MISSING_ID]) is True
    assert client.x("res.partner", "exists", [a, b]) == []
    assert client.x("res.partner", "unlink", [a]) is True
    assert client.x("res.partner", "unlink", []) is True


# -- search ---------------------------------------------------------------------------------------

@pytest.fixture()
def five(client: Client) -> tuple[str, list[int]]:
    t = token()
    ids = [partner(client, f"S{t} {letter}", color=i) for i, letter in enumerate("ecadb")]
    return t, ids


def test_search_offset_limit_order(client: Client, five: tuple[str, list[int]]) -> None:
    t, ids = five
    dom = [("name", "like", f"S{t} ")]
    by_name = client.x("res.partner", "search", dom, order="name")
    names = {i: r["name"] for i, r in ((r["id"], r) for r in client.x("res.partner", "read", ids, ["name"]))}
    assert [names[i][-1] for i in by_name] == ["a", "b", "c", "d", "e"]
    assert client.x("res.partner", "search", dom, order="name desc") == list(reversed(by_name))
    assert client.x("res.partner", "search", dom, order="name", offset=1, limit=2) == by_name[1:3]
    assert client.x("res.partner", "search", dom, 3, 1, "name") == by_name[3:4]  # positional
    assert client.x("res.partner", "search", dom, order="color desc") == list(reversed(ids))
    assert client.x("res.partner", "search", dom, order="id") == sorted(ids)
    assert client.x("res.partner", "search", dom, offset=10) == []


def test_search_default_order_is_partner_order(client: Client) -> None:
    t = token()
    b = partner(client, f"O{t} b")
    a1 = partner(client, f"O{t} a")
    a2 = partner(client, f"O{t} a")
    # res.partner _order = "complete_name ASC, id DESC"
    assert client.x("res.partner", "search", [("name", "like", f"O{t}")]) == [a2, a1, b]


def test_search_count_kwarg_is_refused_in_17(client: Client) -> None:
    f = fault(client.x, "res.partner", "search", [], count=True)
    assert f.faultCode == 1
    assert "count" in f.faultString


def test_search_count_with_and_without_limit(client: Client, five: tuple[str, list[int]]) -> None:
    t, _ = five
    dom = [("name", "like", f"S{t} ")]
    assert client.x("res.partner", "search_count", dom) == 5
    assert client.x("res.partner", "search_count", dom, limit=3) == 3
    assert client.x("res.partner", "search_count", dom, 2) == 2
    assert client.x("res.partner", "search_count", dom, limit=50) == 5
    assert client.x("res.partner", "search_count", [("name", "=", f"none {t}")]) == 0


def test_search_read(client: Client, five: tuple[str, list[int]]) -> None:
    t, ids = five
    dom = [("name", "like", f"S{t} ")]
    rows = client.x("res.partner", "search_read", dom, ["name", "color"], order="name", offset=1, limit=2)
    assert rows == [{"id": ids[4], "name": f"S{t} b", "color": 4}, {"id": ids[1], "name": f"S{t} c", "color": 1}]
    # keyword form, load=None honoured
    company = partner(client, f"SR co {t}", is_company=True)
    person = partner(client, f"SR person {t}", parent_id=company)
    assert call_none(client, "res.partner", "search_read", domain=[("id", "=", person)], fields=["parent_id"],
                     load=None) == [
        {"id": person, "parent_id": company}]
    assert client.x("res.partner", "search_read", [("id", "=", person)], ["parent_id"]) == [
        {"id": person, "parent_id": [company, f"SR co {t}"]}]
    assert client.x("res.partner", "search_read", [("name", "=", f"none {t}")], ["name"]) == []


# -- fields_get -----------------------------------------------------------------------------------

def test_fields_get_allfields_and_attributes(client: Client) -> None:
    got = client.x("res.partner", "fields_get", ["name", "parent_id", "is_company"], ["type", "string", "relation"])
    assert got == {
        "name": {"type": "char", "string": "Name"},
        "parent_id": {"type": "many2one", "string": "Related Company", "relation": "res.partner"},
        "is_company": {"type": "boolean", "string": "Is a Company"},
    }
    got = client.x("res.partner", "fields_get", allfields=["type"], attributes=["selection"])
    assert got == {"type": {"selection": [["contact", "Contact"], ["invoice", "Invoice Address"],
                                          ["delivery", "Delivery Address"], ["other", "Other Address"]]}}


def test_fields_get_full_description(client: Client) -> None:
    desc = client.x("res.partner", "fields_get", ["child_ids"])["child_ids"]
    assert desc["type"] == "one2many" and desc["relation"] == "res.partner"
    assert desc["relation_field"] == "parent_id" and desc["name"] == "child_ids"
    assert desc["store"] is True and desc["readonly"] is False and desc["required"] is False
    every = client.x("res.partner", "fields_get")
    assert {"id", "name", "display_name", "create_uid", "create_date", "write_uid", "write_date"} <= set(every)
    assert "__last_update" not in every
    assert every["create_date"]["readonly"] is True


# -- names ----------------------------------------------------------------------------------------

def test_name_get(client: Client) -> None:
    t = token()
    company = partner(client, f"NG co {t}", is_company=True)
    person = partner(client, f"NG person {t}", parent_id=company)
    assert client.x("res.partner", "name_get", [person, company]) == [
        [person, f"NG co {t}, NG person {t}"], [company, f"NG co {t}"]]
    assert client.x("res.partner", "name_get", []) == []


def test_name_search(client: Client) -> None:
    t = token()
    a = partner(client, f"NS{t} Alpha", is_company=True)
    b = partner(client, f"NS{t} Beta")
    c = partner(client, f"NS{t} Alphabet")
    everyone = client.x("res.partner", "name_search", f"ns{t}")  # ilike by default
    assert everyone == [[a, f"NS{t} Alpha"], [c, f"NS{t} Alphabet"], [b, f"NS{t} Beta"]]
    assert client.x("res.partner", "name_search", f"NS{t} Alpha", operator="=") == [[a, f"NS{t} Alpha"]]
    assert client.x("res.partner", "name_search", f"NS{t} alpha", operator="=") == []
    assert client.x("res.partner", "name_search", f"NS{t}", limit=2) == everyone[:2]
    assert client.x("res.partner", "name_search", f"NS{t}", args=[("is_company", "=", False)]) == [
        [c, f"NS{t} Alphabet"], [b, f"NS{t} Beta"]]
    # positional: name, args, operator, limit
    assert client.x("res.partner", "name_search", f"NS{t} Al", [("is_company", "=", True)], "like", 10) == [
        [a, f"NS{t} Alpha"]]
    assert client.x("res.partner", "name_search", f"NS{t}", operator="not ilike",
                    args=[("id", "in", [a, b, c])]) == []


def test_name_create(client: Client) -> None:
    name = f"Tag {token()}"
    result = client.x("res.partner.category", "name_create", name)
    assert isinstance(result, list) and len(result) == 2
    new_id, display = result
    assert type(new_id) is int and display == name
    assert client.x("res.partner.category", "read", [new_id], ["name"]) == [{"id": new_id, "name": name}]


# -- default_get ----------------------------------------------------------------------------------

def test_default_get(client: Client) -> None:
    got = client.x("res.partner", "default_get", ["active", "type", "is_company", "parent_id"])
    assert got["active"] is True and got["type"] == "contact"
    assert "parent_id" not in got  # only fields that have a default
    ctx = client.x("res.partner", "default_get", ["function", "type"],
                   context={"default_function": "Boss", "default_type": "invoice"})
    assert ctx == {"function": "Boss", "type": "invoice"}


# -- copy -----------------------------------------------------------------------------------------

def test_copy_returns_int_and_suffixes_partner_name(client: Client) -> None:
    t = token()
    pid = partner(client, f"Orig {t}", email="orig@example.com", function="CEO")
    new_id = client.x("res.partner", "copy", pid)
    assert type(new_id) is int and new_id != pid
    assert read_one(client, "res.partner", new_id, ["name", "email", "function"]) == {
        "id": new_id, "name": f"Orig {t} (copy)", "email": "orig@example.com", "function": "CEO"}
    # list form with a single id is accepted too
    again = client.x("res.partner", "copy", [pid])
    assert type(again) is int and again not in (pid, new_id)


def test_copy_skips_copy_false_fields(client: Client) -> None:
    t = token()
    company = partner(client, f"Parent {t}", is_company=True)
    child = partner(client, f"Child {t}", parent_id=company)
    new_id = client.x("res.partner", "copy", company)
    assert read_one(client, "res.partner", new_id, ["child_ids", "is_company"]) == {
        "id": new_id, "child_ids": [], "is_company": True}
    assert read_one(client, "res.partner", company, ["child_ids"]) == {"id": company, "child_ids": [child]}


def test_copy_default_overrides_values(client: Client) -> None:
    t = token()
    pid = partner(client, f"Src {t}", function="CEO")
    new_id = client.x("res.partner", "copy", pid, {"function": "CTO"})
    assert read_one(client, "res.partner", new_id, ["function"]) == {"id": new_id, "function": "CTO"}


def test_copy_default_name_is_kept_as_given(client: Client) -> None:
    # Odoo 17 res.partner.copy: a name given in `default` is used as is, " (copy)" only otherwise
    t = token()
    pid = partner(client, f"Src {t}")
    new_id = client.x("res.partner", "copy", pid, {"name": f"Chosen {t}"})
    assert read_one(client, "res.partner", new_id, ["name"]) == {"id": new_id, "name": f"Chosen {t}"}


def test_copy_of_missing_record_is_fault(client: Client) -> None:
    f = fault(client.x, "res.partner", "copy", MISSING_ID)
    assert f.faultCode == 2


# -- exists ---------------------------------------------------------------------------------------

def test_exists(client: Client) -> None:
    t = token()
    a = partner(client, f"E1 {t}")
    b = partner(client, f"E2 {t}")
    gone = partner(client, f"E3 {t}")
    client.x("res.partner", "unlink", [gone])
    assert client.x("res.partner", "exists", [b, gone, MISSING_ID, a]) == [b, a]
    assert client.x("res.partner", "exists", []) == []


# -- access checks --------------------------------------------------------------------------------

def test_check_access_rights(client: Client) -> None:
    for mode in ("read", "write", "create", "unlink"):
        assert client.x("res.partner", "check_access_rights", mode) is True
    assert client.x("res.partner", "check_access_rights", "write", raise_exception=False) is True
    f = fault(client.x, "res.partner", "check_access_rights", "bogus")
    assert f.faultCode == 1


def test_check_access_rule_returns_none_which_cannot_be_marshalled(client: Client) -> None:
    pid = partner(client, f"Rule {token()}")
    f = fault(client.x, "res.partner", "check_access_rule", [pid], "read")
    assert f.faultCode == 1
    assert "cannot marshal None" in f.faultString


# -- archive / unarchive / toggle -----------------------------------------------------------------

def active_of(client: Client, pid: int) -> bool:
    [row] = client.x("res.partner", "read", [pid], ["active"])
    return bool(row["active"])


def test_action_archive_faults_but_commits(client: Client) -> None:
    pid = partner(client, f"Arch {token()}")
    f = fault(client.x, "res.partner", "action_archive", [pid])
    assert f.faultCode == 1 and "cannot marshal None" in f.faultString
    assert active_of(client, pid) is False


def test_action_unarchive_faults_but_commits(client: Client) -> None:
    pid = partner(client, f"Unarch {token()}", active=False)
    f = fault(client.x, "res.partner", "action_unarchive", [pid])
    assert f.faultCode == 1 and "cannot marshal None" in f.faultString
    assert active_of(client, pid) is True


def test_toggle_active_faults_but_commits(client: Client) -> None:
    t = token()
    on = partner(client, f"T on {t}")
    off = partner(client, f"T off {t}", active=False)
    f = fault(client.x, "res.partner", "toggle_active", [on, off])
    assert f.faultCode == 1 and "cannot marshal None" in f.faultString
    assert active_of(client, on) is False and active_of(client, off) is True


def test_archive_on_model_without_active_is_fault_1(client: Client) -> None:
    [cid] = client.x("res.country", "search", [("code", "=", "BE")])
    f = fault(client.x, "res.country", "action_archive", [cid])
    assert f.faultCode == 1 and "cannot marshal None" not in f.faultString


# -- get_metadata ---------------------------------------------------------------------------------

def test_get_metadata_of_base_record(client: Client) -> None:
    [meta] = client.x("res.partner", "get_metadata", [3])
    assert set(meta) == {"id", "create_uid", "create_date", "write_uid", "write_date", "xmlid", "xmlids", "noupdate"}
    assert meta["id"] == 3 and meta["xmlid"] == "base.partner_admin"
    assert meta["xmlids"] == [{"xmlid": "base.partner_admin", "noupdate": meta["noupdate"]}]
    assert isinstance(meta["noupdate"], bool)
    assert isinstance(meta["create_uid"], list) and len(meta["create_uid"]) == 2
    assert len(meta["create_date"]) == 19 and len(meta["write_date"]) == 19


def test_get_metadata_of_new_record(client: Client) -> None:
    pid = partner(client, f"Meta {token()}")
    [meta] = client.x("res.partner", "get_metadata", [pid])
    admin_name = client.x("res.users", "read", [2], ["name"])[0]["name"]
    assert meta["id"] == pid
    assert meta["create_uid"] == [2, admin_name] and meta["write_uid"] == [2, admin_name]
    assert meta["xmlid"] is False and meta["xmlids"] == [] and meta["noupdate"] is False
    assert meta["create_date"][:4].isdigit() and meta["create_date"][10] == " "


# -- execute (non-kw) and legacy endpoints --------------------------------------------------------

def test_execute_non_kw_form(client: Client) -> None:
    t = token()
    new_id = client.models.execute(client.db, client.uid, client.password, "res.partner", "create",
                                   {"name": f"Exec {t}"})
    assert type(new_id) is int
    assert client.models.execute(client.db, client.uid, client.password, "res.partner", "read", [new_id],
                                 ["name"]) == [{"id": new_id, "name": f"Exec {t}"}]
    assert client.models.execute(client.db, client.uid, client.password, "res.partner", "search",
                                 [("name", "=", f"Exec {t}")]) == [new_id]


def test_unknown_object_service_method_is_fault_1(client: Client) -> None:
    f = fault(client.models.execute_nope, client.db, client.uid, client.password, "res.partner", "search", [])
    assert f.faultCode == 1 and "Method not available execute_nope" in f.faultString


@pytest.fixture()
def legacy(server: Server) -> tuple[Any, Any]:
    return (xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/object"),
            xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/common"))


def test_legacy_endpoints_answer(server: Server, client: Client, legacy: tuple[Any, Any]) -> None:
    obj, common = legacy
    assert common.version()["server_version_info"][:2] == [17, 0]
    assert common.authenticate(server.db, "admin", "admin", {}) == client.uid
    assert common.authenticate(server.db, "admin", "wrong", {}) is False
    t = token()
    new_id = obj.execute_kw(server.db, client.uid, "admin", "res.partner", "create", [{"name": f"Legacy {t}"}])
    assert obj.execute(server.db, client.uid, "admin", "res.partner", "read", [new_id], ["name"]) == [
        {"id": new_id, "name": f"Legacy {t}"}]


def test_legacy_user_error_fault(server: Server, client: Client, legacy: tuple[Any, Any]) -> None:
    obj, _ = legacy
    f = fault(obj.execute_kw, server.db, client.uid, "admin", "x_nope", "search", [[]])
    assert f.faultCode == "warning -- UserError\n\nObject x_nope doesn't exist"
    assert f.faultString == ""


def test_legacy_missing_error_fault(server: Server, client: Client, legacy: tuple[Any, Any]) -> None:
    obj, _ = legacy
    pid = partner(client, f"Legacy gone {token()}")
    client.x("res.partner", "unlink", [pid])
    f = fault(obj.execute_kw, server.db, client.uid, "admin", "res.partner", "write", [[pid], {"name": "x"}])
    assert isinstance(f.faultCode, str) and f.faultCode.startswith("warning -- MissingError\n\n")
    assert f.faultString == ""


def test_legacy_access_denied_fault(server: Server, client: Client, legacy: tuple[Any, Any]) -> None:
    obj, _ = legacy
    f = fault(obj.execute_kw, server.db, client.uid, "wrong", "res.partner", "search", [[]])
    assert f.faultCode == "AccessDenied"
    assert f.faultString == "Access Denied"


def test_legacy_access_error_fault(server: Server, client: Client, legacy: tuple[Any, Any]) -> None:
    obj, _ = legacy
    f = fault(obj.execute_kw, server.db, client.uid, "admin", "res.partner", "_foo", [[]])
    assert f.faultCode == "warning -- AccessError\n\nPrivate methods (such as _foo) cannot be called remotely."
    assert f.faultString == ""


def test_legacy_other_error_fault(server: Server, client: Client, legacy: tuple[Any, Any]) -> None:
    obj, _ = legacy
    f = fault(obj.execute_kw, server.db, client.uid, "admin", "res.partner", "read", [[3], ["x_nope"]])
    assert f.faultCode == "Invalid field 'x_nope' on model 'res.partner'"
    assert f.faultString.startswith("Traceback (most recent call last):")


def test_legacy_common_unknown_method(server: Server, legacy: tuple[Any, Any]) -> None:
    _, common = legacy
    f = fault(common.nope)
    # Odoo: faultCode = exception_to_unicode(e) = the exception's args joined, i.e. no repr quotes
    assert f.faultCode == "Method not found: nope"
    assert f.faultString.startswith("Traceback (most recent call last):")


# -- context --------------------------------------------------------------------------------------

def test_context_active_test_false_shows_archived(client: Client) -> None:
    t = token()
    live = partner(client, f"Ctx {t} live")
    dead = partner(client, f"Ctx {t} dead", active=False)
    dom = [("name", "like", f"Ctx {t}")]
    assert client.x("res.partner", "search", dom) == [live]
    assert client.x("res.partner", "search", dom, order="id", context={"active_test": False}) == [live, dead]
    assert client.x("res.partner", "search_count", dom, context={"active_test": False}) == 2
    assert client.x("res.partner", "search_count", dom) == 1
    # a domain on active disables the implicit filter
    assert client.x("res.partner", "search", dom + [("active", "=", False)]) == [dead]
    # read is not filtered
    assert client.x("res.partner", "read", [dead], ["active"]) == [{"id": dead, "active": False}]


def test_context_default_keys_apply_on_create(client: Client) -> None:
    t = token()
    pid = client.x("res.partner", "create", {"name": f"Dflt {t}"},
                   context={"default_function": "Ctx job", "default_ref": f"R{t}"})
    assert read_one(client, "res.partner", pid, ["function", "ref"]) == {
        "id": pid, "function": "Ctx job", "ref": f"R{t}"}
    # explicit values win over context defaults
    pid2 = client.x("res.partner", "create", {"name": f"Dflt2 {t}", "function": "Given"},
                    context={"default_function": "Ctx job"})
    assert read_one(client, "res.partner", pid2, ["function"]) == {"id": pid2, "function": "Given"}
