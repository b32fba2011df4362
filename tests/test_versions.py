"""Every row of the version table (`odoorpc_server.versions.DIFFERENCES`) as the Odoo versions on
both sides of its boundary answer it, over the wire, on both backends.

Each row test is parametrised over `around(row)`: the last version where the behaviour holds and
the first where it does not (or the reverse). One server per version and backend serves the whole
session (`at(version)`), each with a database created for its version.
"""
from __future__ import annotations

import re
import uuid
import xmlrpc.client
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from conftest import Client, Server, fault, last_line, require_backend, start_server, stop_server
from jsonwire import Web, rpc
from odoorpc_server import versions
from odoorpc_server.orm import api
from odoorpc_server.orm.fields import Field

README = Path(__file__).resolve().parents[1] / "README.md"
TABLE_START, TABLE_END = "<!-- versions table -->", "<!-- end versions table -->"


def around(row: str) -> list[str]:
    """The versions on both sides of each boundary of `row`."""
    diff = next(d for d in versions.DIFFERENCES if d.name == row)
    order = versions.VERSIONS
    out: list[str] = []
    if diff.since:
        i = order.index(diff.since)
        out += [order[i - 1], diff.since] if i else [diff.since]
    if diff.until:
        i = order.index(diff.until)
        out += [diff.until, order[i + 1]] if i + 1 < len(order) else [diff.until]
    return sorted(set(out), key=order.index)


def holds(row: str, version: str) -> bool:
    return versions.profile(version).has(row)


@pytest.fixture(scope="session")
def at(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Server]]:
    """`at(version)`: the session's server answering as `version` (started on first use)."""
    require_backend(backend)
    started: dict[str, Server] = {}

    def get(version: str) -> Server:
        if version not in started:
            tmp = tmp_path_factory.mktemp(f"v{version.replace('.', '')}-{backend}")
            started[version] = start_server(tmp, backend, ["--odoo-version", version, "--demo"])
        return started[version]

    yield get
    for srv in started.values():
        stop_server(srv)


def admin(at: Callable[[str], Server], version: str) -> Client:
    return at(version).client()


def new_user(c: Client, groups: str, xmlid: str = "group_user") -> Client:
    """A user of the base group `xmlid` only, created through `groups` (the version's field name)."""
    login = f"v-{uuid.uuid4().hex[:8]}"
    gid = c.x("ir.model.data", "search_read", [("module", "=", "base"), ("name", "=", xmlid)], ["res_id"])[0]["res_id"]
    c.x("res.users", "create", {"name": f"User {login}", "login": login, "password": "pw-v", groups: [(6, 0, [gid])]})
    return Client(c.url, c.db, login, "pw-v")


def groups_name(version: str) -> str:
    return "group_ids" if holds("group_ids", version) else "groups_id"


def make_key(c: Client) -> str:
    wizard = c.x("res.users.apikeys.description", "create", {"name": "versions"})
    return str(c.x("res.users.apikeys.description", "make_key", [wizard])["context"]["default_key"])


# -- every profile answers its own version ----------------------------------------------------

@pytest.mark.parametrize("version", versions.VERSIONS)
def test_each_profile_answers_its_version(at: Callable[[str], Server], version: str) -> None:
    srv = at(version)
    major = int(version.split(".")[0])
    # 8.0 answered five items; 9.0 spelled its edition ('9.0c'); '' from 10.0 on
    edition = ["c"] if major == 9 else [] if major == 8 else [""]
    info: list[object] = [major, 0, 0, "final", 0, *edition]
    release = "9.0c" if major == 9 else version
    expected = {"server_version": release, "server_version_info": info,
                "server_serie": version, "protocol_version": 1}
    assert xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/common").version() == expected
    assert rpc(srv.url, "common", "version")["result"] == expected


# -- rows of the table --------------------------------------------------------------------------

@pytest.mark.parametrize("version", around("partner_customer_supplier"))
def test_partner_customer_supplier(at: Callable[[str], Server], version: str) -> None:
    """Odoo 12's res.partner booleans (the REST examples filter on them); gone from 13."""
    c = admin(at, version)
    if holds("partner_customer_supplier", version):
        described = c.x("res.partner", "fields_get", ["customer", "supplier"], ["type", "string", "store"])
        assert described == {"customer": {"type": "boolean", "string": "Is a Customer", "store": True},
                             "supplier": {"type": "boolean", "string": "Is a Vendor", "store": True}}
        pure_vendors = [("is_company", "=", True), ("supplier", "=", True), ("customer", "=", False)]
        demo_vendors = set(c.x("res.partner", "search", pure_vendors))  # the demo data's
        pid = c.x("res.partner", "create", {"name": "Vendor Co", "is_company": True, "supplier": True})
        assert c.x("res.partner", "read", [pid], ["customer", "supplier"]) == [
            {"id": pid, "customer": True, "supplier": True}]  # customer defaults to True, as in Odoo 12
        c.x("res.partner", "write", [pid], {"customer": False})
        vendors = c.x("res.partner", "search", pure_vendors)
        assert set(vendors) == demo_vendors | {pid} and pid not in demo_vendors
        assert pid not in c.x("res.partner", "search", [("customer", "=", True)])
    else:
        assert "customer" not in c.x("res.partner", "fields_get", [], ["type"])
        err = fault(c.x, "res.partner", "read", [1], ["customer"])
        assert last_line(err) == "ValueError: Invalid field 'customer' on model 'res.partner'"
        err = fault(c.x, "res.partner", "search", [("supplier", "=", True)])
        assert last_line(err) == "ValueError: Invalid field res.partner.supplier in leaf ('supplier', '=', True)"


@pytest.mark.parametrize("version", around("api_keys"))
def test_api_keys(at: Callable[[str], Server], version: str) -> None:
    """From Odoo 14 an API key stands for the password; before, it is just a wrong password."""
    srv = at(version)
    c = admin(at, version)
    key = make_key(c)
    common = xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/common")
    if holds("api_keys", version):
        assert common.authenticate(srv.db, "admin", key, {}) == 2
        assert Client(srv.url, srv.db, "admin", key, uid=2).x("res.partner", "search_count", [("id", "=", 1)]) == 1
    else:
        assert common.authenticate(srv.db, "admin", key, {}) is False
        err = fault(Client(srv.url, srv.db, "admin", key, uid=2).x, "res.partner", "search_count", [])
        assert (err.faultCode, err.faultString) == (3, "Access Denied")
        assert common.authenticate(srv.db, "admin", "admin", {}) == 2


@pytest.mark.parametrize("version", around("xmlid_to_res_model_res_id"))
def test_xmlid_to_res_model_res_id(at: Callable[[str], Server], version: str) -> None:
    """odoorpc calls it up to 14 and `check_object_reference` from 15 on."""
    c = admin(at, version)
    if holds("xmlid_to_res_model_res_id", version):
        assert c.x("ir.model.data", "xmlid_to_res_model_res_id", "base.main_partner") == ["res.partner", 1]
    else:
        err = fault(c.x, "ir.model.data", "xmlid_to_res_model_res_id", "base.main_partner")
        assert err.faultCode == 1
        assert last_line(err) == ("AttributeError: type object 'ir.model.data' has no attribute "
                                  "'xmlid_to_res_model_res_id'")


@pytest.mark.parametrize("version", around("search_count_limit"))
def test_search_count_limit(at: Callable[[str], Server], version: str) -> None:
    c = admin(at, version)
    total = c.x("res.partner", "search_count", [])
    assert total > 3
    if holds("search_count_limit", version):
        assert c.x("res.partner", "search_count", [], limit=3) == 3
        assert c.x("res.partner", "search_count", [], 3) == 3
        assert c.x("res.partner", "search_count", [], limit=total + 5) == total
    else:  # Odoo 15: search_count(args)
        err = fault(c.x, "res.partner", "search_count", [], limit=3)
        assert last_line(err) == "TypeError: BaseModel.search_count() got an unexpected keyword argument 'limit'"
        err = fault(c.x, "res.partner", "search_count", [], 3)
        assert last_line(err) == "TypeError: BaseModel.search_count() takes 2 positional arguments but 3 were given"
        assert c.x("res.partner", "search_count", args=[("is_company", "=", True)]) == \
            c.x("res.partner", "search_count", [("is_company", "=", True)])
        # up to 15 the count query leaves the limit aside too
        assert c.x("res.partner", "search", [], 1, 2, "name", True) == total


@pytest.mark.parametrize("version", around("search_count_kwarg"))
def test_search_count_kwarg(at: Callable[[str], Server], version: str) -> None:
    c = admin(at, version)
    companies = [("is_company", "=", True)]
    total = c.x("res.partner", "search_count", companies)
    if holds("search_count_kwarg", version):
        assert c.x("res.partner", "search", companies, count=True) == total
        # offset and order are left aside when counting; Odoo 16 caps the count with the limit
        assert c.x("res.partner", "search", companies, 1, 2, "name", True) == 2
        assert c.x("res.partner", "search", companies, total - 1, 0, "name", True) == total
        assert len(c.x("res.partner", "search", companies, count=False)) == total
    else:
        err = fault(c.x, "res.partner", "search", companies, count=True)
        assert last_line(err) == "TypeError: BaseModel.search() got an unexpected keyword argument 'count'"
        err = fault(c.x, "res.partner", "search", companies, 0, 0, False, True)
        assert last_line(err) == "TypeError: BaseModel.search() takes from 2 to 5 positional arguments but 6 were given"


@pytest.mark.parametrize("version", around("last_update"))
def test_last_update(at: Callable[[str], Server], version: str) -> None:
    c = admin(at, version)
    pid = c.x("res.partner", "create", {"name": "Concurrency"})
    if holds("last_update", version):
        attributes = ["type", "string", "store", "readonly", "depends"]
        assert c.x("res.partner", "fields_get", ["__last_update"], attributes) == {
            "__last_update": {"type": "datetime", "string": "Last Modified on", "store": False, "readonly": True,
                              "depends": ["create_date", "write_date"]}}
        row = c.x("res.partner", "read", [pid], ["__last_update", "write_date"])[0]
        assert row["__last_update"] == row["write_date"] and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d",
                                                                          row["__last_update"])
        assert "__last_update" in c.x("res.partner", "read", [pid])[0]  # every field, the magic one too
        c.x("res.partner", "write", [pid], {"name": "Concurrency 2"})
        again = c.x("res.partner", "read", [pid], ["__last_update", "write_date", "name"])[0]
        assert again["__last_update"] == again["write_date"] and again["name"] == "Concurrency 2"
        # a custom model gets the magic field too
        c.x("ir.model", "create", {"name": "Version Probe", "model": "x_version_probe"})
        assert "__last_update" in c.x("x_version_probe", "fields_get", [], ["type"])
    else:
        assert "__last_update" not in c.x("res.partner", "fields_get", [], ["type"])
        err = fault(c.x, "res.partner", "read", [pid], ["__last_update"])
        assert last_line(err) == "ValueError: Invalid field '__last_update' on model 'res.partner'"
        assert "__last_update" not in c.x("res.partner", "read", [pid])[0]


@pytest.mark.parametrize("version", around("fields_get_states"))
def test_fields_get_states(at: Callable[[str], Server], version: str) -> None:
    """Up to 16 fields_get describes a field's `states` (none of the base fields has any, so the
    attribute is left out there, as Odoo leaves out None attributes); never from 17."""
    c = admin(at, version)
    described = c.x("res.partner", "fields_get", [], ["states"])
    assert described and all(v == {} for v in described.values())
    fld = Field(name="state_bound", type="char", model="x_probe", states={"done": [("readonly", True)]})
    desc = fld.description(versions.profile(version))
    if holds("fields_get_states", version):
        assert desc["states"] == {"done": [("readonly", True)]}
    else:
        assert "states" not in desc


@pytest.mark.parametrize("version", around("web_search_read_fields"))
def test_web_search_read_fields(at: Callable[[str], Server], version: str) -> None:
    """Odoo 14–16: web_search_read(domain, fields) pages search_read; 13 has no such method,
    17 reads by specification."""
    c = admin(at, version)
    domain = [("is_company", "=", True)]
    total = c.x("res.partner", "search_count", domain)
    if holds("web_search_read_fields", version):
        page = c.x("res.partner", "web_search_read", domain, ["name", "country_id"], 0, 2, "id")
        assert page == {"length": total,
                        "records": c.x("res.partner", "search_read", domain, ["name", "country_id"], 0, 2, "id")}
        assert page["records"][0]["country_id"][1]  # many2one pairs, as search_read formats them
        # a page that is not full is its own length: no count query
        assert c.x("res.partner", "web_search_read", domain, ["name"], total - 1, 10)["length"] == total
        assert c.x("res.partner", "web_search_read", [("id", "=", -1)], ["name"]) == {"length": 0, "records": []}
    elif holds("web_read", version):
        err = fault(c.x, "res.partner", "web_search_read", domain, ["name"])
        assert last_line(err) == "ValueError: Invalid specification ['name']: a dictionary of fields is expected"
    else:
        err = fault(c.x, "res.partner", "web_search_read", domain, ["name"])
        assert last_line(err) == "AttributeError: type object 'res.partner' has no attribute 'web_search_read'"


@pytest.mark.parametrize("version", around("web_read"))
def test_web_read(at: Callable[[str], Server], version: str) -> None:
    c = admin(at, version)
    company = c.x("res.partner", "create", {"name": "Spec Co", "is_company": True, "country_id": 1})
    people = [c.x("res.partner", "create", {"name": n, "parent_id": company}) for n in ("Zed", "Amy", "Kim")]
    if holds("web_read", version):
        spec = {"name": {}, "country_id": {"fields": {"display_name": {}, "code": {}}},
                "child_ids": {"fields": {"name": {}}, "limit": 2, "order": "name"}, "parent_id": {}}
        country = c.x("res.country", "read", [1], ["display_name", "code"])[0]
        got = c.x("res.partner", "web_read", [company], spec)
        assert got == [{"id": company, "name": "Spec Co", "parent_id": False,
                        "country_id": {"id": 1, "display_name": country["display_name"], "code": country["code"]},
                        "child_ids": [{"id": people[1], "name": "Amy"}, {"id": people[2], "name": "Kim"},
                                      {"id": people[0]}]}]
        assert c.x("res.partner", "web_read", [people[0]], {"parent_id": {}, "child_ids": {}}) == [
            {"id": people[0], "parent_id": company, "child_ids": []}]
        assert c.x("res.partner", "web_read", [company], {"child_ids": {"order": "name desc"}}) == [
            {"id": company, "child_ids": [people[0], people[2], people[1]]}]
        page = c.x("res.partner", "web_search_read", [("parent_id", "=", company)], {"name": {}},
                   limit=2, order="name")
        assert page == {"length": 3, "records": [{"id": people[1], "name": "Amy"}, {"id": people[2], "name": "Kim"}]}
        srv = at(version)  # the web client's route and JSON-RPC answer the same
        web = Web(srv.url)
        web.login(srv.db)
        assert web.kw("res.partner", "web_read", [company], spec) == got
        assert rpc(srv.url, "object", "execute_kw", srv.db, 2, "admin", "res.partner", "web_search_read",
                   [[("parent_id", "=", company)], {"name": {}}], {"limit": 2, "order": "name"})["result"] == page
        children = [("parent_id", "=", company)]
        # a full page is counted, up to count_limit
        assert c.x("res.partner", "web_search_read", children, {}, limit=1, count_limit=2)["length"] == 2
        # a page reaching count_limit is not counted: its own length...
        assert c.x("res.partner", "web_search_read", children, {}, limit=2, count_limit=1)["length"] == 2
        # ...unless the context forces the count, which count_limit still caps
        assert c.x("res.partner", "web_search_read", children, {}, limit=2, count_limit=1,
                   context={"force_search_count": True})["length"] == 1
        forced = c.x("res.partner", "web_search_read", children, {}, offset=1, limit=10,
                     context={"force_search_count": True})
        assert forced == {"length": 3, "records": [{"id": i} for i in c.x("res.partner", "search", children, 1)]}
    else:
        err = fault(c.x, "res.partner", "web_read", [company], {"name": {}})
        assert last_line(err) == "AttributeError: type object 'res.partner' has no attribute 'web_read'"


@pytest.mark.parametrize("version", around("name_get"))
def test_name_get(at: Callable[[str], Server], version: str) -> None:
    c = admin(at, version)
    if holds("name_get", version):
        assert c.x("res.partner", "name_get", [1, 3]) == [[1, "YourCompany"], [3, "Mitchell Admin"]]
        assert c.x("res.partner", "name_get", [-5]) == []
    else:
        err = fault(c.x, "res.partner", "name_get", [1])
        assert last_line(err) == "AttributeError: The method 'res.partner.name_get' does not exist"
        srv = at(version)  # JSON-RPC and the web routes answer alike
        error = rpc(srv.url, "object", "execute_kw", srv.db, 2, "admin", "res.partner", "name_get", [[1]])["error"]
        assert (error["data"]["name"], error["data"]["message"]) == (
            "builtins.AttributeError", "The method 'res.partner.name_get' does not exist")
        web = Web(srv.url)
        web.login(srv.db)
        assert web.call_kw("res.partner", "name_get", [1])["error"]["data"]["message"] == error["data"]["message"]
        assert c.x("res.partner", "read", [1, 3], ["display_name"]) == [
            {"id": 1, "display_name": "YourCompany"}, {"id": 3, "display_name": "Mitchell Admin"}]


@pytest.mark.parametrize("version", around("copy_returns_list"))
def test_copy_returns_list(at: Callable[[str], Server], version: str) -> None:
    c = admin(at, version)
    a, b = (c.x("res.partner", "create", {"name": n}) for n in ("Copy A", "Copy B"))
    before = c.x("res.partner", "search_count", [])
    if holds("copy_returns_list", version):
        one = c.x("res.partner", "copy", a)
        assert isinstance(one, list) and len(one) == 1
        two = c.x("res.partner", "copy", [a, b], {"comment": "copied"})
        assert [r["name"] for r in c.x("res.partner", "read", two, ["name"])] == ["Copy A (copy)", "Copy B (copy)"]
        assert c.x("res.partner", "search_count", []) == before + 3
    else:
        one = c.x("res.partner", "copy", a)
        assert isinstance(one, int) and c.x("res.partner", "read", [one], ["name"])[0]["name"] == "Copy A (copy)"
        err = fault(c.x, "res.partner", "copy", [a, b])
        assert last_line(err) == f"ValueError: Expected singleton: res.partner({a}, {b},)"
        assert c.x("res.partner", "search_count", []) == before + 1


@pytest.mark.parametrize("version", around("aggregator"))
def test_aggregator(at: Callable[[str], Server], version: str) -> None:
    c = admin(at, version)
    names = ["color", "name", "category_id", "image_1920", "display_name", "user_ids"]
    got = c.x("res.partner", "fields_get", names, ["group_operator", "aggregator", "groupable"])
    if holds("aggregator", version):
        assert got == {"color": {"aggregator": "sum", "groupable": True}, "name": {"groupable": True},
                       "category_id": {"groupable": True}, "image_1920": {"groupable": False},
                       "display_name": {"groupable": False}, "user_ids": {"groupable": False}}
    else:
        assert got == {"color": {"group_operator": "sum"}, "name": {}, "category_id": {}, "image_1920": {},
                       "display_name": {}, "user_ids": {}}


@pytest.mark.parametrize("version", around("quoted_private_method"))
def test_quoted_private_method(at: Callable[[str], Server], version: str) -> None:
    c = admin(at, version)
    private = fault(c.x, "res.partner", "_read", [1])
    unknown = fault(c.x, "res.partner", "no_such_method", [1])
    nowhere = fault(c.x, "no.such.model", "_read", [1])
    assert (private.faultCode, unknown.faultCode) == (4, 1)
    if holds("quoted_private_method", version):
        assert private.faultString == "Private methods (such as 'res.partner._read') cannot be called remotely."
        assert last_line(unknown) == "AttributeError: The method 'res.partner.no_such_method' does not exist"
        # the model is looked up first, then its public method
        assert (nowhere.faultCode, nowhere.faultString) == (2, "Object no.such.model doesn't exist")
    else:
        assert private.faultString == "Private methods (such as _read) cannot be called remotely."
        # the method name is checked first, whatever the model
        assert (nowhere.faultCode, nowhere.faultString) == (4, private.faultString)
        assert last_line(unknown) == ("AttributeError: The method 'no_such_method' does not exist on the model "
                                      "'res.partner'")


@pytest.mark.parametrize("version", around("has_access"))
def test_has_access(at: Callable[[str], Server], version: str) -> None:
    c = admin(at, version)
    plain = new_user(c, groups_name(version))
    portal = new_user(c, groups_name(version), "group_portal")
    theirs = c.x("res.users.apikeys.description", "create", {"name": "theirs"})
    mine = plain.x("res.users.apikeys.description", "create", {"name": "mine"})
    if holds("has_access", version):
        assert plain.x("res.users.apikeys.description", "has_access", [mine], "write") is True
        assert plain.x("res.users.apikeys.description", "has_access", [mine, theirs], "read") is False
        assert portal.x("res.groups", "has_access", [], "read") is False  # no ids: the access right alone
        assert plain.x("res.groups", "has_access", [], "read") is True
        assert plain.x("res.groups", "has_access", [1], "write") is False
        # check_access answers None, which XML-RPC cannot send, or the refusal of either check
        allowed = fault(plain.x, "res.users.apikeys.description", "check_access", [mine], "read")
        assert allowed.faultString.strip().splitlines()[-1] == \
            "TypeError: cannot marshal None unless allow_none is enabled"
        srv = at(version)
        envelope = rpc(srv.url, "object", "execute_kw", srv.db, plain.uid, "pw-v",
                       "res.users.apikeys.description", "check_access", [[mine], "read"])
        assert "error" not in envelope and "result" not in envelope
        rule = fault(plain.x, "res.users.apikeys.description", "check_access", [theirs], "read")
        assert rule.faultString == fault(plain.x, "res.users.apikeys.description", "read", [theirs]).faultString
        acl = fault(portal.x, "res.groups", "check_access", [1], "read")
        assert acl.faultString == fault(portal.x, "res.groups", "read", [1]).faultString
        err = fault(plain.x, "res.groups", "has_access", [1], "steal")
        assert last_line(err) == "ValueError: Invalid access mode: 'steal'"
    else:
        for method in ("has_access", "check_access"):
            err = fault(plain.x, "res.groups", method, [1], "read")
            assert last_line(err) == f"AttributeError: The method '{method}' does not exist on the model 'res.groups'"
        assert plain.x("res.groups", "check_access_rights", "read") is True


@pytest.mark.parametrize("version", around("unknown_method_type_object"))
def test_unknown_method_type_object(at: Callable[[str], Server], version: str) -> None:
    c = admin(at, version)
    unknown = fault(c.x, "res.partner", "no_such_method", [1])
    if holds("unknown_method_type_object", version):
        assert last_line(unknown) == "AttributeError: type object 'res.partner' has no attribute 'no_such_method'"
    else:
        assert last_line(unknown) == ("AttributeError: The method 'no_such_method' does not exist on the model "
                                      "'res.partner'")


@pytest.mark.parametrize("version", around("call_kw_not_found"))
def test_call_kw_not_found(at: Callable[[str], Server], version: str) -> None:
    srv = at(version)
    web = Web(srv.url)
    web.login(srv.db)
    err = web.call_kw("no.such.model", "search", [])["error"]
    if holds("call_kw_not_found", version):
        assert (err["code"], err["message"], err["data"]["name"]) == (404, "404: Not Found",
                                                                      "werkzeug.exceptions.NotFound")
    else:
        assert (err["code"], err["data"]["name"]) == (200, "builtins.KeyError")


@pytest.mark.parametrize("version", around("json2"))
def test_json2(at: Callable[[str], Server], version: str) -> None:
    srv = at(version)
    key = make_key(admin(at, version))
    answer = requests.post(f"{srv.url}/json/2/res.partner/search_count", json={"domain": [("id", "=", 1)]},
                           headers={"Authorization": f"bearer {key}", "X-Odoo-Database": srv.db}, timeout=30)
    if holds("json2", version):
        assert (answer.status_code, answer.json()) == (200, 1)
    else:
        assert answer.status_code == 404


@pytest.mark.parametrize("version", around("jsonrpc_error_code_0"))
def test_jsonrpc_error_code_0(at: Callable[[str], Server], version: str) -> None:
    srv = at(version)
    err = rpc(srv.url, "object", "execute_kw", srv.db, 2, "wrong", "res.partner", "search", [[]])["error"]
    assert err["message"] == "Odoo Server Error" and err["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert err["code"] == (0 if holds("jsonrpc_error_code_0", version) else 200)


@pytest.mark.parametrize("version", around("group_ids"))
def test_group_ids(at: Callable[[str], Server], version: str) -> None:
    c = admin(at, version)
    ours, other = ("group_ids", "groups_id") if holds("group_ids", version) else ("groups_id", "group_ids")
    assert c.x("res.users", "fields_get", [ours], ["type", "relation"]) == {
        ours: {"type": "many2many", "relation": "res.groups"}}
    assert other not in c.x("res.users", "fields_get", [], ["type"])
    err = fault(c.x, "res.users", "read", [2], [other])
    assert last_line(err) == f"ValueError: Invalid field {other!r} on model 'res.users'"
    admin_groups = c.x("res.users", "read", [2], [ours])[0][ours]
    system = c.x("ir.model.data", "search_read", [("module", "=", "base"), ("name", "=", "group_system")],
                 ["res_id"])[0]["res_id"]
    assert system in admin_groups
    # a new user gets the Internal User group through the version's field, and it works
    plain = new_user(c, ours)
    assert plain.uid
    internal = c.x("ir.model.data", "search_read", [("module", "=", "base"), ("name", "=", "group_user")],
                   ["res_id"])[0]["res_id"]
    assert c.x("res.users", "read", [plain.uid], [ours])[0][ours] == [internal]
    assert plain.x("res.partner", "search_count", [("id", "=", 1)]) == 1
    err = fault(c.x, "res.users", "create", {"name": "Other", "login": f"o-{uuid.uuid4().hex[:8]}", other: []})
    assert last_line(err) == f"ValueError: Invalid field {other!r} on model 'res.users'"


@pytest.mark.parametrize("version", around("partner_mobile_title"))
def test_partner_mobile_title(at: Callable[[str], Server], version: str) -> None:
    c = admin(at, version)
    if holds("partner_mobile_title", version):
        pid = c.x("res.partner", "create", {"name": "Mobile Co", "mobile": "+32 470 00 00 00",
                                            "company_type": "company"})
        assert c.x("res.partner", "read", [pid], ["mobile", "company_type", "is_company"]) == [
            {"id": pid, "mobile": "+32 470 00 00 00", "company_type": "company", "is_company": True}]
        assert c.x("res.partner", "search", [("mobile", "=", "+32 470 00 00 00")]) == [pid]
        assert c.x("res.partner.title", "fields_get", ["name", "shortcut"], ["type", "string", "required"]) == {
            "name": {"type": "char", "string": "Title", "required": True},
            "shortcut": {"type": "char", "string": "Abbreviation", "required": False}}
        title = c.x("res.partner.title", "create", {"name": "Doctor", "shortcut": "Dr."})
        c.x("res.partner", "write", [pid], {"title": title})
        assert c.x("res.partner", "read", [pid], ["title"]) == [{"id": pid, "title": [title, "Doctor"]}]
        assert c.x("res.partner", "search", [("title.shortcut", "=", "Dr.")]) == [pid]
        users = c.x("res.users", "fields_get", [], ["type"])
        assert (users["mobile"], users["title"]) == ({"type": "char"}, {"type": "many2one"})
        # every internal user reads titles; the plain user manages them as contacts
        plain = new_user(c, groups_name(version))
        assert plain.x("res.partner.title", "search", [("id", "=", title)]) == [title]
    else:
        for name in ("mobile", "company_type", "title"):
            err = fault(c.x, "res.partner", "read", [1], [name])
            assert last_line(err) == f"ValueError: Invalid field {name!r} on model 'res.partner'"
        users = c.x("res.users", "fields_get", [], ["type"])
        assert "mobile" not in users and "title" not in users
        err = fault(c.x, "res.partner.title", "search", [])
        assert (err.faultCode, err.faultString) == (2, "Object res.partner.title doesn't exist")
        # the demo data of this version was loaded without the field
        assert c.x("res.partner", "search_count", [("is_company", "=", True)]) > 1


@pytest.mark.parametrize("version", around("name_search_domain"))
def test_name_search_domain(at: Callable[[str], Server], version: str) -> None:
    c = admin(at, version)
    companies = [("is_company", "=", True)]
    name = f"Quill {uuid.uuid4().hex[:6]}"
    company = c.x("res.partner", "create", {"name": name, "is_company": True})
    c.x("res.partner", "create", {"name": f"{name} person"})  # matches the name, not the domain
    expected = [[company, name]]
    if holds("name_search_domain", version):
        assert c.x("res.partner", "name_search", name, domain=companies) == expected
        assert c.x("res.partner", "default_get", fields=["type", "active"]) == {"type": "contact", "active": True}
        err = fault(c.x, "res.partner", "name_search", name, args=companies)
        assert last_line(err) == "TypeError: BaseModel.name_search() got an unexpected keyword argument 'args'"
        err = fault(c.x, "res.partner", "default_get", fields_list=["type"])
        assert last_line(err) == ("TypeError: BaseModel.default_get() got an unexpected keyword argument "
                                  "'fields_list'")
    else:
        assert c.x("res.partner", "name_search", name, args=companies) == expected
        assert c.x("res.partner", "default_get", fields_list=["type", "active"]) == {"type": "contact",
                                                                                     "active": True}
        err = fault(c.x, "res.partner", "name_search", name, domain=companies)
        assert last_line(err) == "TypeError: BaseModel.name_search() got an unexpected keyword argument 'domain'"
        err = fault(c.x, "res.partner", "default_get", fields=["type"])
        assert last_line(err) == "TypeError: BaseModel.default_get() got an unexpected keyword argument 'fields'"
    # positional arguments bind alike in every version
    assert c.x("res.partner", "name_search", name, companies) == expected


# -- the web reading methods, hostile callers first -------------------------------------------

def test_web_read_refuses_what_read_refuses(at: Callable[[str], Server]) -> None:
    c = admin(at, "17.0")
    srv = at("17.0")
    portal = new_user(c, "groups_id", "group_portal")
    plain = new_user(c, "groups_id")
    # a model the portal user may not read: the same fault as read
    assert fault(portal.x, "res.groups", "web_read", [1], {"name": {}}).faultString == \
        fault(portal.x, "res.groups", "read", [1], ["name"]).faultString
    # reading through a relation checks the comodel's rights as reading it would
    nested = fault(portal.x, "res.users", "web_read", [2], {"groups_id": {"fields": {"name": {}}}})
    direct = fault(portal.x, "res.groups", "read", [1], ["name"])
    assert (nested.faultCode, nested.faultString) == (direct.faultCode, direct.faultString)
    # hidden key columns are no fields, nested or not
    err = fault(plain.x, "res.users", "web_read", [plain.uid], {"api_key_ids": {"fields": {"key": {}}}})
    assert last_line(err) == "ValueError: Invalid field 'key' on model 'res.users.apikeys'"
    assert plain.x("res.users", "web_read", [plain.uid], {"password": {}}) == \
        plain.x("res.users", "read", [plain.uid], ["password"])
    # anonymous callers
    err = fault(Client(srv.url, srv.db, "admin", "wrong", uid=2).x, "res.partner", "web_read", [1], {"name": {}})
    assert (err.faultCode, err.faultString) == (3, "Access Denied")
    # malformed specifications, limits and offsets
    cases = [
        ("web_read", ([1], ["name"]), "ValueError: Invalid specification ['name']: a dictionary of fields is expected"),
        ("web_read", ([1], {"name": "x"}), "ValueError: Invalid specification for field 'name': 'x'"),
        ("web_read", ([1], {"nope": {}}), "ValueError: Invalid field 'nope' on model 'res.partner'"),
        ("web_read", ([1], {"country_id": {"fields": {"nope": {}}}}),
         "ValueError: Invalid field 'nope' on model 'res.country'"),
        ("web_search_read", ([], {"name": {}}, 0, "many"), "ValueError: Invalid limit 'many': an integer is expected"),
    ]
    for method, args, text in cases:
        assert last_line(fault(plain.x, "res.partner", method, *args)) == text
    err = fault(plain.x, "res.partner", "web_search_read", [], {"name": {}}, -1)
    assert (err.faultCode, err.faultString) == (2, "The operation cannot be completed: OFFSET must not be negative")
    huge = {f"f{i}": {} for i in range(5000)}
    assert last_line(fault(plain.x, "res.partner", "web_read", [1], huge)) == \
        "ValueError: Invalid field 'f0' on model 'res.partner'"


def test_web_read_changes_nothing(at: Callable[[str], Server]) -> None:
    """A read-only call: a web_read of many records in one go answers them all and writes nothing."""
    c = admin(at, "18.0")
    before = c.x("res.partner", "search_read", [], ["write_date"], order="id")
    ids = [r["id"] for r in before]
    got = c.x("res.partner", "web_read", ids, {"write_date": {}})
    assert sorted(got, key=lambda r: r["id"]) == before
    assert c.x("res.partner", "search_read", [], ["write_date"], order="id") == before


# -- the table itself ---------------------------------------------------------------------------

def test_every_row_has_a_test() -> None:
    """A new row of DIFFERENCES needs a test naming it (here or in another test module)."""
    sources = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    missing = [d.name for d in versions.DIFFERENCES if f'"{d.name}"' not in sources]
    assert missing == []


def test_method_variants_are_exclusive_and_final() -> None:
    """Each RPC method has one implementation per version at most, and the variants standing for
    a generic method are as final as it is (no model class may replace them)."""
    from odoorpc_server.orm import classes
    from odoorpc_server.orm.models import FINAL_METHODS, BaseModel

    for cls in classes.registered().values():
        for name, variants in api._variants(cls).items():
            for version in versions.VERSIONS:
                chosen = [attr for attr, found in variants if found.holds(versions.profile(version))]
                assert len(chosen) <= 1, (cls, name, version, chosen)
    generic = {attr for variants in api._variants(BaseModel).values() for attr, _ in variants}
    assert generic <= FINAL_METHODS
    assert api.resolve(BaseModel, "search", versions.profile("16.0")) == (
        "_search_counting", api.exposure(BaseModel, "search", versions.profile("12.0")))
    assert api.resolve(BaseModel, "name_get", versions.profile("18.0")) is None
    assert api.resolve(BaseModel, "_search_counting", versions.profile("16.0")) is None


def test_around_reaches_both_sides() -> None:
    for d in versions.DIFFERENCES:
        sides = {holds(d.name, v) for v in around(d.name)}
        assert sides == {True, False}, d.name


def test_readme_has_the_table() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    assert text[start:end].strip() == versions.markdown_table()


def test_version_methods_refuse_what_their_counterparts_refuse(at: Callable[[str], Server]) -> None:
    """The methods of some versions only check what the methods they stand for check, and a refused
    call changes nothing."""
    c16 = admin(at, "16.0")
    portal = new_user(c16, "groups_id", "group_portal")
    assert fault(portal.x, "res.groups", "search", [], count=True).faultString == \
        fault(portal.x, "res.groups", "search", []).faultString
    c17 = admin(at, "17.0")
    portal = new_user(c17, "groups_id", "group_portal")
    assert fault(portal.x, "res.groups", "name_get", [1]).faultString == \
        fault(portal.x, "res.groups", "read", [1], ["display_name"]).faultString
    c19 = admin(at, "19.0")
    portal = new_user(c19, "group_ids", "group_portal")
    assert fault(portal.x, "res.groups", "name_search", "", domain=[]).faultString == \
        fault(portal.x, "res.groups", "search", []).faultString
    c18 = admin(at, "18.0")
    plain = new_user(c18, "groups_id")
    groups = c18.x("res.groups", "search_count", [])
    err = fault(plain.x, "res.groups", "copy", [1])
    assert (err.faultCode, err.faultString) == (4, fault(plain.x, "res.groups", "create", {"name": "x"}).faultString)
    assert c18.x("res.groups", "search_count", []) == groups
    # a copy of several records is one transaction: one forbidden record, no copy at all
    own = plain.x("res.users.apikeys.description", "create", {"name": "mine"})
    theirs = c18.x("res.users.apikeys.description", "create", {"name": "theirs"})
    wizards = c18.x("res.users.apikeys.description", "search_count", [])
    err = fault(plain.x, "res.users.apikeys.description", "copy", [own, theirs])
    assert (err.faultCode, err.faultString.splitlines()[2:4]) == (4, [
        f"Sorry, User {plain.login} (id={plain.uid}) doesn't have 'read' access to:",
        "- API Key Description (res.users.apikeys.description)"])
    assert c18.x("res.users.apikeys.description", "search_count", []) == wizards
    err = fault(c18.x, "res.partner", "copy", [1, 2**31 - 1])
    assert (err.faultCode, err.faultString) == (
        2, f"Record does not exist or has been deleted.\n(Record: res.partner({2**31 - 1},), User: 2)")
    err = fault(c18.x, "res.partner", "copy", [1], "defaults")
    assert last_line(err) == "ValueError: copy() expects a dictionary of default values, not 'defaults'"
