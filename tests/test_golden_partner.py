"""res.partner itself, as a real Odoo 17.0 (base) answered about it, replayed over XML-RPC on each
backend: address fields of contacts following their company, the commercial partner, display_name
and its search, complete_name ordering, name_search over several fields, copy, read_group by
relational and char fields.

The data (tags, one with a parent; companies with contacts under them) is rebuilt through the
public API exactly as it was recorded, every name starting with a run stamp; questions are
limited to these records, and answers compare row and tag indexes, with the stamp stripped.
"""
from __future__ import annotations

import json
import time
import xmlrpc.client
from pathlib import Path
from typing import Any

import pytest

from conftest import Client, Server

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "golden").glob("partners-*.json"))
COUNTRY_CODES = ("BE", "FR", "CH", "US")


def load_cases() -> list[Any]:
    params = []
    for path in FIXTURES:
        for n, case in enumerate(json.loads(path.read_text())["cases"]):
            kind = case["call"][0] if "call" in case else "order" if "order" in case else "domain"
            params.append(pytest.param(path.name, n, id=f"{path.stem}-{n}-{kind}"))
    return params


def build(client: Client, spec: dict[str, Any], stamp: str) -> dict[str, Any]:
    country = {c["code"]: c["id"] for c in client.x("res.country", "search_read", [("code", "in", COUNTRY_CODES)],
                                                    ["code"])}
    ids: dict[str, Any] = {"t": [], "r": [], "stamp": stamp}
    for tag in spec["tags"]:
        vals = {"name": f"{stamp} {tag['name']}"}
        if tag["parent"] is not None:
            vals["parent_id"] = ids["t"][tag["parent"]]
        ids["t"].append(client.x("res.partner.category", "create", vals))
    for row in spec["rows"]:
        vals = {"name": f"{stamp} {row['name']}", "is_company": row["is_company"], "type": row["type"]}
        vals.update({k: row[k] for k in ("email", "city", "ref", "function") if row.get(k) is not None})
        if row.get("country"):
            vals["country_id"] = country[row["country"]]
        if row["parent"] is not None:
            vals["parent_id"] = ids["r"][row["parent"]]
        if row["tags"]:
            vals["category_id"] = [(6, 0, [ids["t"][k] for k in row["tags"]])]
        ids["r"].append(client.x("res.partner", "create", vals))
    archived = [ids["r"][k] for k, row in enumerate(spec["rows"]) if not row["active"]]
    if archived:
        client.x("res.partner", "write", archived, {"active": False})
    return ids


def bind(node: Any, ids: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if len(node) == 1 and next(iter(node)) in ("$r", "$t"):
            ((kind, k),) = node.items()
            return ids[kind[1:]][k]
        return {key: bind(v, ids) for key, v in node.items()}
    if isinstance(node, list):
        return [bind(n, ids) for n in node]
    if isinstance(node, str):
        return node.replace("$stamp", ids["stamp"])
    return node


def norm(node: Any, ids: dict[str, Any], key: str | None = None) -> Any:
    """An answer rewritten as the recording rewrote Odoo's: ids as row/tag indexes, stamp stripped."""
    rows = {rid: k for k, rid in enumerate(ids["r"])}
    tags = {tid: k for k, tid in enumerate(ids["t"])}

    def row(v: Any) -> Any:
        return {"$r": rows[v]} if isinstance(v, int) and not isinstance(v, bool) and v in rows else v

    if isinstance(node, dict):
        return {k: norm(v, ids, k) for k, v in node.items()
                if k not in ("create_date", "write_date", "create_uid", "write_uid", "__domain", "__last_update")}
    if isinstance(node, list):
        if key == "category_id":
            return [{"$t": tags[v]} if isinstance(v, int) and v in tags else v for v in node]
        if key == "child_ids":
            return sorted([row(v) for v in node], key=str)
        if key in ("parent_id", "commercial_partner_id", "country_id") and len(node) == 2 \
                and isinstance(node[0], int) and not isinstance(node[0], bool):
            return [row(node[0]) if key != "country_id" else node[0], norm(node[1], ids)]
        if key is None and node and all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], int)
                                        and not isinstance(p[0], bool) for p in node):
            return [[row(p[0]), norm(p[1], ids)] for p in node]
        return [norm(v, ids, key) for v in node]
    if key == "id":
        return row(node)
    if isinstance(node, str):
        return node.replace(ids["stamp"] + " ", "")
    return node


def ask(client: Client, ids: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    context = {"active_test": False} if case.get("all") else {}
    scope = [["id", "in", ids["r"]]]
    try:
        if "call" in case:
            method, args, kwargs = case["call"]
            args, kwargs = bind(args, ids), bind(kwargs, ids)
            if method == "search_read":
                args = [["&", *scope, *args[0]] if args[0] else scope]
            if method == "name_search":
                kwargs["args"] = scope
            if method == "read_group":
                args = [scope, *args[1:]]
            got = client.x("res.partner", method, *args, **kwargs, context=context)
            if method == "copy":
                new = got[0] if isinstance(got, list) else got
                got = client.x("res.partner", "read", [new], ["name", "email", "parent_id", "category_id",
                                                              "is_company", "type", "active"])
                for record in got:
                    record.pop("id", None)
                client.x("res.partner", "unlink", [new])
            if method == "read_group":
                for group in got:
                    group.pop("__domain", None)
            return {"value": norm(got, ids)}
        domain = bind(case.get("domain", []), ids)
        kwargs = {"order": case["order"]} if "order" in case else {}
        got = client.x("res.partner", "search", ["&", *scope, *domain] if domain else scope, **kwargs,
                       context=context)
    except xmlrpc.client.Fault as fault:
        return {"fault": fault.faultCode, "text": fault.faultString.strip().splitlines()[-1][:200]}
    found = [{rid: k for k, rid in enumerate(ids["r"])}.get(r, f"foreign {r}") for r in got]
    return {"rows": found if "order" in case else sorted(found, key=str)}


@pytest.fixture(scope="module")
def partners(server: Server) -> dict[str, Any]:
    client = server.client()
    out = {}
    for n, path in enumerate(FIXTURES):
        data = json.loads(path.read_text())
        out[path.name] = (data, build(client, data["spec"], f"{int(time.time() * 1000) % 10**8}{n}"))
    return out


@pytest.mark.parametrize(("fixture", "index"), load_cases())
def test_golden_partner(server: Server, partners: dict[str, Any], fixture: str, index: int) -> None:
    data, ids = partners[fixture]
    case = data["cases"][index]
    assert ask(server.client(), ids, case) == case["answer"]
