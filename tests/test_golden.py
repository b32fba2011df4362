"""Questions answered by a real Odoo 17.0 server, replayed over XML-RPC on each backend.

The data set is rebuilt through the public API (manual models, fields, records) exactly as
it was on the recording server; ids are compared through row indexes so they may differ.
"""
from __future__ import annotations

import json
import xmlrpc.client
from pathlib import Path
from typing import Any

import pytest

from conftest import Client, Server

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "golden").glob("domains-*.json"))
SCALARS = {"x_name": "char", "x_code": "char", "x_int": "integer", "x_float": "float", "x_flag": "boolean",
           "x_day": "date", "x_when": "datetime", "x_state": "selection"}
KINDS = ("domain", "order", "read", "search_read", "name_search", "fields_get", "read_group")


def load_cases() -> list[Any]:
    params = []
    for path in FIXTURES:
        data = json.loads(path.read_text())
        for n, case in enumerate(data["cases"]):
            kind = "domain" if "domain" in case else "order" if "order" in case else case["call"][0]
            if kind in KINDS:
                params.append(pytest.param(path.name, n, id=f"{path.stem}-{n}-{kind}"))
    return params


def build(client: Client, spec: dict[str, Any], tag: str) -> dict[str, Any]:
    tmodel, model = f"x_gt_{tag}", f"x_gd_{tag}"

    def manual_model(name: str, mname: str, fields: list[tuple[str, str, dict[str, Any]]]) -> int:
        mid = client.x("ir.model", "create", {"name": name, "model": mname, "state": "manual"})
        for fname, ttype, extra in fields:
            client.x("ir.model.fields", "create", dict({"model_id": mid, "name": fname, "ttype": ttype,
                                                        "state": "manual"}, **extra))
        return int(mid)

    manual_model("Golden tag", tmodel, [("x_name", "char", {})])
    fields = [(f, t, {"selection": "[('a','A'),('b','B'),('c','C')]"} if t == "selection" else {})
              for f, t in SCALARS.items()]
    fields += [("x_parent_id", "many2one", {"relation": model}), ("x_tag_ids", "many2many", {"relation": tmodel})]
    mid = manual_model("Golden", model, fields)
    client.x("ir.model.fields", "create", {"model_id": mid, "name": "x_child_ids", "ttype": "one2many",
                                           "state": "manual", "relation": model, "relation_field": "x_parent_id"})
    ids: dict[str, Any] = {"t": [client.x(tmodel, "create", {"x_name": n}) for n in spec["tags"]], "r": []}
    for row in spec["rows"]:
        vals = {k: v for k, v in row.items() if k in SCALARS and v is not None}
        if row.get("parent") is not None:
            vals["x_parent_id"] = ids["r"][row["parent"]]
        if row.get("tags"):
            vals["x_tag_ids"] = [(6, 0, [ids["t"][k] for k in row["tags"]])]
        ids["r"].append(client.x(model, "create", vals))
    ids.update(model=model, tmodel=tmodel)
    return ids


def expected_groups(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return answer.get("value") or []


def bind(node: Any, ids: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if len(node) == 1 and next(iter(node)) in ("$r", "$t"):
            ((kind, k),) = node.items()
            return ids[kind[1:]][k]
        return {key: bind(v, ids) for key, v in node.items()}
    if isinstance(node, list):
        return [bind(n, ids) for n in node]
    return node


def unbind(node: Any, ids: dict[str, Any]) -> Any:
    """Our answer rewritten the way the recorded answers were (ids as row/tag markers)."""
    rows = {rid: k for k, rid in enumerate(ids["r"])}
    tags = {tid: k for k, tid in enumerate(ids["t"])}

    def walk(value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items() if not k.startswith(("create_", "write_"))}
        if isinstance(value, list):
            if key == "x_tag_ids":
                return [{"$t": tags.get(v, v)} for v in value]
            if key in ("x_child_ids",):
                return [{"$r": rows.get(v, v)} for v in value]
            if key == "x_parent_id" and len(value) == 2 and isinstance(value[0], int):
                return [{"$r": rows.get(value[0], value[0])}, value[1]]
            if key == "__name_search" and value and isinstance(value[0], int):
                return [{"$r": rows.get(value[0], value[0])}, value[1]]
            return [walk(v, "__name_search" if key == "__top_name_search" else key) for v in value]
        if key in ("id",) and isinstance(value, int):
            return {"$r": rows.get(value, value)}
        if key == "x_parent_id" and isinstance(value, int) and not isinstance(value, bool):
            return {"$r": rows.get(value, value)}
        if isinstance(value, float):
            return round(value, 6)
        if value == ids["model"]:
            return "$model"
        if value == ids["tmodel"]:
            return "$tmodel"
        return value

    return walk(node, "__top_name_search" if isinstance(node, list) and node and isinstance(node[0], list)
                else None)


@pytest.fixture(scope="module")
def golden(server: Server) -> dict[str, Any]:
    client = server.client()
    out = {}
    for n, path in enumerate(FIXTURES):
        data = json.loads(path.read_text())
        out[path.name] = (data, build(client, data["spec"], f"{server.backend[:2]}{n}"))
    return out


@pytest.mark.parametrize(("fixture", "index"), load_cases())
def test_golden(server: Server, golden: dict[str, Any], fixture: str, index: int) -> None:
    data, ids = golden[fixture]
    case = data["cases"][index]
    client = server.client()
    everything = [("id", "in", ids["r"])]
    answer = case["answer"]
    try:
        if "domain" in case:
            got: Any = client.x(ids["model"], "search", everything + bind(case["domain"], ids))
            result: Any = {"rows": sorted(ids["r"].index(i) for i in got)}
            expected: Any = {"rows": sorted(answer["rows"])} if "rows" in answer else answer
        elif "order" in case:
            got = client.x(ids["model"], "search", everything, order=case["order"])
            result = {"rows": [ids["r"].index(i) for i in got]}
            expected = answer
        else:
            method, args, kwargs = case["call"]
            got = client.x(ids["model"], method, *bind(args, ids), **bind(kwargs, ids))
            if method == "read_group":  # a group's domain is compared by the rows it selects
                for group in got:
                    group["__rows"] = sorted(ids["r"].index(i) for i in client.x(ids["model"], "search",
                                                                                 group.pop("__domain")))
                for group in expected_groups(case["answer"]):
                    group["__rows"] = sorted(group["__rows"])
            result = {"value": unbind(got, ids)}
            expected = answer
    except xmlrpc.client.Fault as fault:
        assert "fault" in answer, f"unexpected fault {fault.faultCode}: {fault.faultString[-300:]}"
        # the same fault code, and the same last line (Odoo's exception text) where one was recorded
        assert fault.faultCode == answer["fault"]
        if answer.get("text"):
            assert fault.faultString.strip().splitlines()[-1] == answer["text"]
        return
    if "fault" in answer:
        pytest.fail(f"Odoo refused this with fault {answer['fault']} ({answer.get('text')}), we answered {result}")
    if "call" in case and case["call"][0] == "read_group" and "__count" in str(case["call"][2].get("orderby")):
        # Odoo leaves groups with equal counts in PostgreSQL's hash order: compare the counts in
        # sequence, and the groups as a set
        def counts(groups: list[dict[str, Any]]) -> list[Any]:
            return [g.get("__count", next((v for k, v in g.items() if k.endswith("_count")), None)) for g in groups]

        assert counts(result["value"]) == counts(expected["value"])
        assert sorted(map(json.dumps, result["value"])) == sorted(map(json.dumps, expected["value"]))
        return
    assert result == expected
