"""The documentation's workflow (search, count, read, fields_get, search_read, create, write,
custom models and fields) run through every protocol of one server: XML-RPC, JSON-RPC and the
web session routes must give the same data, the ids of what each run creates aside; on a 19.0
server JSON-2 too, its positional arguments named from /doc-bearer as odoo-client-lib does."""
from __future__ import annotations

import xmlrpc.client
from collections.abc import Callable
from typing import Any

import pytest
import requests

from conftest import Server
from json2wire import Json2, make_key
from jsonwire import Web, rpc

Caller = Callable[[str, str, list[Any], dict[str, Any]], Any]


def xmlrpc_caller(server: Server) -> Caller:
    models = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object", allow_none=True)
    return lambda model, method, args, kwargs: models.execute_kw(server.db, 2, "admin", model, method, args, kwargs)


def jsonrpc_caller(server: Server) -> Caller:
    def call(model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        envelope = rpc(server.url, "object", "execute_kw", server.db, 2, "admin", model, method, args, kwargs)
        assert "error" not in envelope, envelope["error"]
        return envelope["result"]
    return call


def web_caller(server: Server) -> Caller:
    web = Web(server.url)
    web.login(server.db)
    return lambda model, method, args, kwargs: web.kw(model, method, *args, **kwargs)


def json2_caller(server: Server) -> Caller:
    """JSON-2 with an API key: positional arguments named by the model's /doc-bearer document,
    `create` given one record (JSON-2 answers the list of new ids: the caller takes the id)."""
    key = make_key(server.client())
    caller = Json2(server.url, key, server.db)
    docs: dict[str, dict[str, Any]] = {}

    def call(model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if model not in docs:
            answer = requests.get(f"{server.url}/doc-bearer/{model}.json", timeout=60,
                                  headers={"Authorization": f"bearer {key}", "X-Odoo-Database": server.db})
            assert answer.status_code == 200, answer.text
            docs[model] = answer.json()["methods"]
        doc = docs[model][method]
        names = list(doc["parameters"])
        if "model" not in doc.get("api", []):
            names = ["ids", *names]
        params = {**dict(zip(names, args, strict=False)), **kwargs}
        if method == "create":
            params["vals_list"] = [params["vals_list"]]
            return caller.ok(model, method, **params)[0]
        return caller.ok(model, method, **params)
    return call


CALLERS = {"xmlrpc": xmlrpc_caller, "jsonrpc": jsonrpc_caller, "web": web_caller, "json2": json2_caller}


def workflow(call: Caller, tag: str) -> dict[str, Any]:
    """What the documentation does, as data: every answer, with created ids named, not numbered."""
    seen: dict[str, Any] = {}
    seen["access"] = call("res.partner", "check_access_rights", ["read"], {"raise_exception": False})
    ids = call("res.partner", "search", [[["is_company", "=", True]]], {})
    seen["search"] = ids
    seen["page"] = call("res.partner", "search", [[["is_company", "=", True]]], {"offset": 2, "limit": 3})
    seen["count"] = call("res.partner", "search_count", [[["is_company", "=", True]]], {})
    seen["read"] = call("res.partner", "read", [ids[:2]], {"fields": ["name", "country_id", "comment"]})
    seen["fields_get"] = call("res.partner", "fields_get", [], {"attributes": ["string", "help", "type"]})
    seen["search_read"] = call("res.partner", "search_read", [[["is_company", "=", True]]],
                               {"fields": ["name", "country_id", "comment"], "limit": 5})
    pid = call("res.partner", "create", [{"name": f"New Partner {tag}"}], {})
    call("res.partner", "write", [[pid], {"name": "Newer partner"}], {})
    seen["created"] = [{**r, "id": "pid"} for r in call("res.partner", "read", [[pid], ["name", "display_name"]], {})]
    call("res.partner", "unlink", [[pid]], {})
    seen["deleted"] = call("res.partner", "search", [[["id", "=", pid]]], {})
    model = f"x_custom_{tag}"
    mid = call("ir.model", "create", [{"name": "Custom Model", "model": model, "state": "manual"}], {})
    call("ir.model.fields", "create", [{"model_id": mid, "name": "x_name", "ttype": "char", "state": "manual",
                                        "required": True}], {})
    rid = call(model, "create", [{"x_name": "test record"}], {})
    seen["custom"] = [{**r, "id": "rid"} for r in call(model, "read", [[rid]], {"fields": ["x_name", "display_name"]})]
    seen["custom_fields"] = sorted(call(model, "fields_get", [], {"attributes": ["type"]}).items())
    call("ir.model", "unlink", [[mid]], {})
    return seen


@pytest.mark.parametrize("protocol", ["jsonrpc", "web"])
def test_protocols_give_the_same_data_as_xmlrpc(server: Server, protocol: str) -> None:
    expected = workflow(xmlrpc_caller(server), f"xml_{protocol}")
    assert workflow(CALLERS[protocol](server), protocol) == expected


@pytest.mark.parametrize("protocol", ["jsonrpc", "web", "json2"])
def test_protocols_give_the_same_data_as_xmlrpc_on_19(server19: Server, protocol: str) -> None:
    expected = workflow(xmlrpc_caller(server19), f"xml_{protocol}")
    assert workflow(CALLERS[protocol](server19), protocol) == expected
