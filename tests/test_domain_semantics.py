"""Hand-written table of Odoo 17 domain semantics: operator × field type × NULL.

Each row pins one behaviour of Odoo 17's domains (operators, NULL rules, text order) on four
records, one of which has every field empty. Expected results are record labels.
"""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from conftest import Client, Server

FIELDS = [("x_name", "char", {}), ("x_int", "integer", {}), ("x_float", "float", {}), ("x_flag", "boolean", {}),
          ("x_day", "date", {}), ("x_when", "datetime", {}),
          ("x_state", "selection", {"selection": "[('a', 'A'), ('b', 'B')]"})]
ROWS = {
    "r1": {"x_name": "Alpha", "x_int": 1, "x_float": 1.5, "x_flag": True, "x_day": "2024-01-10",
           "x_when": "2024-01-10 10:00:00", "x_state": "a", "parent": None, "tags": ["red"]},
    "r2": {"x_name": "beta", "x_int": 0, "x_float": 0.0, "x_flag": False, "x_day": "2024-02-20",
           "x_when": "2024-02-20 23:30:00", "x_state": "b", "parent": "r1", "tags": ["red", "blue"]},
    "r3": {"parent": "r1", "tags": []},  # every scalar left empty (NULL)
    "r4": {"x_name": "Ébène", "x_int": -2, "x_float": -1.0, "x_flag": True, "x_day": "2024-01-10",
           "x_when": "2024-01-11 00:00:00", "x_state": "b", "parent": "r2", "tags": ["blue"]},
}
ALL = {"r1", "r2", "r3", "r4"}

# (domain, expected labels); "$r1" / "$red" stand for the ids of record r1 / tag red
CASES: list[tuple[list[Any], set[str]]] = [
    # char: equality, negative operators also match NULL
    ([("x_name", "=", "Alpha")], {"r1"}),
    ([("x_name", "!=", "Alpha")], {"r2", "r3", "r4"}),
    ([("x_name", "<>", "beta")], {"r1", "r3", "r4"}),
    ([("x_name", "=", False)], {"r3"}),
    ([("x_name", "!=", False)], {"r1", "r2", "r4"}),
    # like / ilike wrap the value in %…%, do not escape % and _, and ilike folds non-ASCII letters
    ([("x_name", "like", "lph")], {"r1"}),
    ([("x_name", "like", "ALPH")], set()),
    ([("x_name", "ilike", "ALPH")], {"r1"}),
    ([("x_name", "ilike", "éB")], {"r4"}),
    ([("x_name", "like", "b_ta")], {"r2"}),
    ([("x_name", "not ilike", "a")], {"r3", "r4"}),
    ([("x_name", "like", "")], ALL),                     # empty pattern matches NULL too
    ([("x_name", "not like", "")], {"r3"}),
    ([("x_name", "=like", "a%")], set()),                # raw pattern, case-sensitive
    ([("x_name", "=ilike", "a%")], {"r1"}),
    # in / not in: False in the list means NULL; not in without False matches NULL
    ([("x_name", "in", ["Alpha", "beta"])], {"r1", "r2"}),
    ([("x_name", "in", ["Alpha", False])], {"r1", "r3"}),
    ([("x_name", "not in", ["Alpha"])], {"r2", "r3", "r4"}),
    ([("x_name", "not in", ["Alpha", False])], {"r2", "r4"}),
    ([("x_name", "in", [])], set()),
    ([("x_name", "not in", [])], ALL),
    ([("x_name", "=?", False)], ALL),                    # =? with False is no condition
    ([("x_name", "=?", "beta")], {"r2"}),
    ([("x_name", "<", "b")], {"r1"}),                    # bytewise text order (C collation): 'É' > 'b'
    # integer: NULL is not 0 in domains, although it reads as 0
    ([("x_int", "=", 0)], {"r2"}),
    ([("x_int", "=", False)], {"r3"}),
    ([("x_int", "!=", 0)], {"r1", "r4"}),                # a falsy value adds no NULL match
    ([("x_int", "!=", 1)], {"r2", "r3", "r4"}),
    ([("x_int", ">", -5)], {"r1", "r2", "r4"}),
    ([("x_int", "<=", 0)], {"r2", "r4"}),
    ([("x_int", ">=", False)], {"r1", "r2"}),            # False converts to 0 for comparisons
    ([("x_int", "in", [1, False])], {"r1", "r3"}),
    ([("x_int", "not in", [1])], {"r2", "r3", "r4"}),
    ([("x_int", "like", "2")], {"r4"}),                  # like compares the text of the value
    # float
    ([("x_float", "=", 1.5)], {"r1"}),
    ([("x_float", ">", 0)], {"r1"}),
    ([("x_float", "!=", 0.0)], {"r1", "r4"}),
    ([("x_float", "<", 0.5)], {"r2", "r4"}),
    # boolean: = False also matches NULL
    ([("x_flag", "=", True)], {"r1", "r4"}),
    ([("x_flag", "=", False)], {"r2", "r3"}),
    ([("x_flag", "!=", True)], {"r2", "r3"}),
    ([("x_flag", "!=", False)], {"r1", "r4"}),
    ([("x_flag", "in", [True])], {"r1", "r4"}),
    ([("x_flag", "in", [False])], {"r2", "r3"}),
    ([("x_flag", "not in", [True])], {"r2", "r3"}),
    ([("x_flag", "in", True)], {"r1", "r4"}),            # a boolean right side turns in into =
    # date
    ([("x_day", "=", "2024-01-10")], {"r1", "r4"}),
    ([("x_day", ">", "2024-01-10")], {"r2"}),
    ([("x_day", "<", "2024-02-01")], {"r1", "r4"}),
    ([("x_day", "!=", "2024-01-10")], {"r2", "r3"}),
    ([("x_day", "=", False)], {"r3"}),
    ([("x_day", "in", ["2024-02-20"])], {"r2"}),
    # datetime: a date-only value becomes 00:00:00, or 23:59:59 for > and <=
    ([("x_when", ">", "2024-01-10")], {"r2", "r4"}),
    ([("x_when", "<=", "2024-01-10")], {"r1"}),
    ([("x_when", ">=", "2024-01-11")], {"r2", "r4"}),
    ([("x_when", "<", "2024-01-11")], {"r1"}),
    ([("x_when", "=", "2024-01-11")], {"r4"}),
    ([("x_when", "=", "2024-02-20 23:30:00")], {"r2"}),
    # selection
    ([("x_state", "=", "b")], {"r2", "r4"}),
    ([("x_state", "!=", "b")], {"r1", "r3"}),
    ([("x_state", "in", ["a", False])], {"r1", "r3"}),
    ([("x_state", "=?", "a")], {"r1"}),
    # many2one: ids, False, and names (name search on the comodel)
    ([("x_parent_id", "=", "$r1")], {"r2", "r3"}),
    ([("x_parent_id", "=", False)], {"r1"}),
    ([("x_parent_id", "!=", False)], {"r2", "r3", "r4"}),
    ([("x_parent_id", "!=", "$r1")], {"r1", "r4"}),
    ([("x_parent_id", "ilike", "alp")], {"r2", "r3"}),
    ([("x_parent_id", "not ilike", "alp")], {"r1", "r4"}),  # negative: (in matching) OR NULL
    ([("x_parent_id", "=", "beta")], {"r4"}),
    # dotted paths are 'any' on the first field: NULL parents never match a positive path…
    ([("x_parent_id.x_name", "=", "Alpha")], {"r2", "r3"}),
    ([("x_parent_id.x_name", "!=", "Alpha")], {"r4"}),
    # …and '!' on a path is 'not any', which NULL parents satisfy
    (["!", ("x_parent_id.x_name", "=", "Alpha")], {"r1", "r4"}),
    ([("x_parent_id", "any", [("x_int", "=", 0)])], {"r4"}),
    ([("x_parent_id", "not any", [("x_int", "=", 0)])], {"r1", "r2", "r3"}),
    # hierarchy operators follow the model's parent field
    ([("x_parent_id", "child_of", "$r1")], ALL),
    # one2many
    ([("x_child_ids", "=", False)], {"r3", "r4"}),
    ([("x_child_ids", "!=", False)], {"r1", "r2"}),
    ([("x_child_ids", "in", ["$r4"])], {"r2"}),
    ([("x_child_ids", "not in", ["$r4"])], {"r1", "r3", "r4"}),
    ([("x_child_ids.x_name", "=", "beta")], {"r1"}),
    ([("x_child_ids.x_int", "!=", 0)], {"r2"}),          # any child with a non-zero, non-NULL int
    ([("x_child_ids", "not any", [("x_name", "=", "beta")])], {"r2", "r3", "r4"}),
    # many2many
    ([("x_tag_ids", "=", False)], {"r3"}),
    ([("x_tag_ids", "!=", False)], {"r1", "r2", "r4"}),
    ([("x_tag_ids", "in", ["$red"])], {"r1", "r2"}),
    ([("x_tag_ids", "not in", ["$red"])], {"r3", "r4"}),
    ([("x_tag_ids", "=", "blue")], {"r2", "r4"}),
    ([("x_tag_ids", "!=", "blue")], {"r1", "r3"}),       # negative name: NOT EXISTS a matching tag
    ([("x_tag_ids.x_name", "ilike", "RE")], {"r1", "r2"}),
    ([("x_tag_ids", "any", [("x_name", "=", "blue")])], {"r2", "r4"}),
    ([("x_tag_ids", "not any", [("x_name", "=", "blue")])], {"r1", "r3"}),
    # logic: implicit AND, prefix operators, '!' pushed into leaves with the negation table
    (["|", ("x_int", "=", 1), ("x_name", "=", "beta")], {"r1", "r2"}),
    ([("x_flag", "=", True), ("x_int", ">", 0)], {"r1"}),
    (["!", ("x_int", "<", 1)], {"r1"}),                  # becomes >= 1: NULL excluded
    (["!", ("x_name", "=like", "A%")], {"r2", "r4"}),    # no negation: SQL NOT, NULL excluded
    (["!", ("x_name", "=", "Alpha")], {"r2", "r3", "r4"}),
    (["!", "|", ("x_int", "=", 1), ("x_int", "=", 0)], {"r4"}),
    ([(1, "=", 1)], ALL),
    ([(0, "=", 1)], set()),
]


@pytest.fixture(scope="module")
def data(server: Server) -> dict[str, Any]:
    client = server.client()
    suffix = uuid.uuid4().hex[:8]
    tmodel, model = f"x_st{suffix}", f"x_sm{suffix}"
    tid = client.x("ir.model", "create", {"name": "Sem tag", "model": tmodel, "state": "manual"})
    client.x("ir.model.fields", "create", {"model_id": tid, "name": "x_name", "ttype": "char"})
    mid = client.x("ir.model", "create", {"name": "Sem", "model": model, "state": "manual"})
    for name, ttype, extra in FIELDS:
        client.x("ir.model.fields", "create", {"model_id": mid, "name": name, "ttype": ttype, **extra})
    client.x("ir.model.fields", "create", {"model_id": mid, "name": "x_parent_id", "ttype": "many2one",
                                           "relation": model})
    client.x("ir.model.fields", "create", {"model_id": mid, "name": "x_child_ids", "ttype": "one2many",
                                           "relation": model, "relation_field": "x_parent_id"})
    client.x("ir.model.fields", "create", {"model_id": mid, "name": "x_tag_ids", "ttype": "many2many",
                                           "relation": tmodel})
    ids: dict[str, int] = {t: client.x(tmodel, "create", {"x_name": t}) for t in ("red", "blue")}
    for label, row in ROWS.items():
        vals = {k: v for k, v in row.items() if k.startswith("x_")}
        if row["parent"]:
            vals["x_parent_id"] = ids[row["parent"]]
        vals["x_tag_ids"] = [(6, 0, [ids[t] for t in row["tags"]])]
        ids[label] = client.x(model, "create", vals)
    return {"model": model, "ids": ids, "client": client}


def bind(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return ids[value[1:]]
    if isinstance(value, (list, tuple)):
        return [bind(v, ids) for v in value]
    return value


@pytest.mark.parametrize(("domain", "expected"), CASES, ids=[repr(c[0]) for c in CASES])
def test_domain_semantics(data: dict[str, Any], domain: list[Any], expected: set[str]) -> None:
    client: Client = data["client"]
    ids = data["ids"]
    everything = [("id", "in", [ids[r] for r in ROWS])]
    found = client.x(data["model"], "search", everything + bind(domain, ids))
    labels = {label for label in ROWS if ids[label] in found}
    assert labels == expected


def test_hierarchy_on_the_model_parent_field(client: Client) -> None:
    """`id child_of` / `parent_of` follow the model's parent field (res.partner: parent_id)."""
    company = client.x("res.partner", "create", {"name": "Hierarchy Co", "is_company": True})
    person = client.x("res.partner", "create", {"name": "Hier Person", "parent_id": company})
    invoice = client.x("res.partner", "create", {"name": "Hier Invoice", "parent_id": person, "type": "invoice"})
    assert sorted(client.x("res.partner", "search", [("id", "child_of", company)])) == [company, person, invoice]
    assert sorted(client.x("res.partner", "search", [("id", "parent_of", invoice)])) == [company, person, invoice]
    assert client.x("res.partner", "search", [("id", "child_of", "Hierarchy Co")]) == \
        client.x("res.partner", "search", [("id", "child_of", [company])])
    assert client.x("res.partner", "search", [("id", "child_of", False)]) == []
    client.x("res.partner", "unlink", [invoice, person, company])


def test_hierarchy_through_a_one2many_to_the_model_itself(client: Client) -> None:
    """Odoo walks the one2many itself on a model without a parent store (res.partner):
    `child_ids child_of X` is X and the partners above it (those having it among their children),
    `child_ids parent_of X` X and the partners below it."""
    top = client.x("res.partner", "create", {"name": "O2M Top", "is_company": True})
    mid = client.x("res.partner", "create", {"name": "O2M Mid", "parent_id": top})
    low = client.x("res.partner", "create", {"name": "O2M Low", "parent_id": mid})
    aside = client.x("res.partner", "create", {"name": "O2M Aside", "parent_id": top})
    scope = [("id", "in", [top, mid, low, aside])]
    assert sorted(client.x("res.partner", "search", scope + [("child_ids", "child_of", low)])) == [top, mid, low]
    assert sorted(client.x("res.partner", "search", scope + [("child_ids", "child_of", aside)])) == [top, aside]
    assert sorted(client.x("res.partner", "search", scope + [("child_ids", "parent_of", mid)])) == [mid, low]
    assert sorted(client.x("res.partner", "search", scope + [("child_ids", "parent_of", top)])) == \
        [top, mid, low, aside]
    client.x("res.partner", "unlink", [low, aside, mid, top])


def test_hierarchy_needs_a_parent_field(data: dict[str, Any]) -> None:
    """A custom model has no `parent_id`: Odoo refuses `id child_of` there as well."""
    import xmlrpc.client

    with pytest.raises(xmlrpc.client.Fault) as err:
        data["client"].x(data["model"], "search", [("id", "child_of", data["ids"]["r1"])])
    assert err.value.faultCode == 1 and "parent" in err.value.faultString


def test_negated_path_leaf_statically_false(client: Client) -> None:
    """Odoo's `_search` rates the domain as written first: `!` over `child_ids.name not in []`
    is statically false (it finds nothing), although a partner without children would match
    `not any(child_ids, name not in [])`."""
    lonely = client.x("res.partner", "create", {"name": "No children"})
    assert client.x("res.partner", "search", [("id", "=", lonely), "!", ("child_ids.name", "not in", [])]) == []
    assert client.x("res.partner", "search", [("id", "=", lonely), ("child_ids.name", "in", [])]) == []
    # the same tree, written without the shortcut, does select it
    assert client.x("res.partner", "search", [("id", "=", lonely), ("child_ids", "not any",
                                                                     [("name", "not in", [])])]) == [lonely]
    client.x("res.partner", "unlink", [lonely])


def test_hierarchy_through_a_one2many_on_a_parent_store_model(client: Client) -> None:
    """res.partner.category keeps a parent store in Odoo: there `child_ids child_of X` follows the
    tag tree downwards (X and its descendants), whatever field names the hierarchy."""
    root = client.x("res.partner.category", "create", {"name": "PS root"})
    child = client.x("res.partner.category", "create", {"name": "PS child", "parent_id": root})
    leaf = client.x("res.partner.category", "create", {"name": "PS leaf", "parent_id": child})
    scope = [("id", "in", [root, child, leaf])]
    assert sorted(client.x("res.partner.category", "search", scope + [("child_ids", "child_of", child)])) == \
        [child, leaf]
    assert sorted(client.x("res.partner.category", "search", scope + [("child_ids", "parent_of", child)])) == \
        [root, child]
    client.x("res.partner.category", "unlink", [leaf, child, root])


def test_base_field_defaults_are_stored(client: Client) -> None:
    """Odoo's res.partner.color defaults to 0: a new contact holds 0, not NULL, so `= False`
    does not find it and it groups under 0."""
    pid = client.x("res.partner", "create", {"name": "Colourless"})
    assert client.x("res.partner", "search", [("id", "=", pid), ("color", "=", 0)]) == [pid]
    assert client.x("res.partner", "search", [("id", "=", pid), ("color", "=", False)]) == []
    [group] = client.x("res.partner", "read_group", [("id", "=", pid)], ["color:count"], ["color"])
    assert group["color"] == 1 and group["color_count"] == 1  # the aggregate answers under the group's key
    client.x("res.partner", "unlink", [pid])
