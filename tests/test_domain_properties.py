"""Random domains, answered by the server and by an independent in-memory oracle.

`odoo_evaluator` implements Odoo 17's domain semantics in pure Python; it is first checked
against every domain answered by a real Odoo 17 (the golden fixtures), then hypothesis draws
domains over the golden data set (rebuilt through the API on each backend) and the server's
`search` must select exactly the rows the oracle selects.
"""
from __future__ import annotations

import json
import xmlrpc.client
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odoo_evaluator import Dataset, DomainError, bind_markers
from test_golden import build

from conftest import Server

GOLDEN = sorted((Path(__file__).parent / "fixtures" / "golden").glob("domains-*.json"))
SPEC = json.loads(GOLDEN[0].read_text())["spec"]
EXAMPLES: Counter[str] = Counter()


# ---------------------------------------------------------------------------------------------
# the oracle against real Odoo answers
# ---------------------------------------------------------------------------------------------
def test_evaluator_matches_recorded_odoo() -> None:
    checked, mismatches = 0, []
    for path in GOLDEN:
        data = json.loads(path.read_text())
        oracle = Dataset(data["spec"])  # ids 1..n, as on the recording server
        for n, case in enumerate(data["cases"]):
            if "domain" not in case:
                continue
            domain = bind_markers(case["domain"], oracle)
            if "fault" in case["answer"]:  # Odoo refused it: the oracle must refuse it too
                with pytest.raises((DomainError, NotImplementedError)):
                    oracle.search(domain)
                checked += 1
                continue
            got = oracle.search_indexes(domain)
            checked += 1
            if got != sorted(case["answer"]["rows"]):
                mismatches.append((path.name, n, case["domain"], got, sorted(case["answer"]["rows"])))
    assert checked == 1000
    assert not mismatches, "\n".join(map(repr, mismatches[:10]))


# ---------------------------------------------------------------------------------------------
# value pools
# ---------------------------------------------------------------------------------------------
NAMES = ["alpha", "Alpha", "ALPHA beta", "Alphabet", "BETA", "a_b", "axb", "50%", "delta x", "gamma",
         "Ébène"]
PATTERNS = ["a", "A", "al", "ALPHA", "beta", "%", "_", "a_b", "a%b", "%a", "a%", "5_%", "0%", "x", " ",
            "ÉB", "bèn", "ébène", "ÉBÈNE", "é", "zzz", "", "e", "gam", "ta x", "_b_"]
TAG_PATTERNS = ["red", "RED", "re", "green", "Green", "gr", "%ish", "blue", "r_", "ré", "RÉ", "é", "e",
                "", "%", "_", "zz", "Ré"]
TAG_NAMES = ["red", "Green", "blue", "greenish", "Ré"]
INTS = [-3, -2, -1, 0, 1, 2, 3, 4]
FLOATS = [-1.5, -0.5, 0.0, 0.25, 1.0, 2.0, 3.75, 5.0]
DAYS = ["2024-01-10", "2024-01-11", "2024-01-12", "2024-02-01", "2024-02-10", "2024-02-11", "2024-02-12",
        "2024-03-10", "2024-03-11", "2024-03-12"]
TIMES = ["2024-01-10 12:30:00", "2024-01-12 00:00:00", "2024-01-12 07:30:00", "2024-01-12 23:59:59",
         "2024-02-10 23:30:00", "2024-02-11 00:00:00", "2024-02-12 10:30:00", "2024-03-11 00:30:00",
         "2024-03-12 23:30:00"]
STATES = ["a", "b", "c", "d"]

EQ = ["=", "!=", "<>", "=?"]
# `in False` / `not in False` on a relational field are left to `test_known_disagreements`
# (see there): drawn at random they would hide every other finding behind that one.
FALSE_OPS = ["=", "!=", "<>", "=?"]
ORDER = ["<", "<=", ">", ">="]
LIKE = ["like", "not like", "ilike", "not ilike", "=like", "=ilike"]
IN = ["in", "not in"]


class Ctx:
    """Record ids of the data set being searched, set by the `world` fixture of each backend."""

    rows: list[int] = list(range(1, len(SPEC["rows"]) + 1))
    tags: list[int] = list(range(1, len(SPEC["tags"]) + 1))


def row_ids() -> st.SearchStrategy[int]:
    return st.integers(0, len(SPEC["rows"]) - 1).map(lambda k: Ctx.rows[k])


def tag_ids() -> st.SearchStrategy[int]:
    return st.integers(0, len(SPEC["tags"]) - 1).map(lambda k: Ctx.tags[k])


def some(values: list[Any]) -> st.SearchStrategy[Any]:
    return st.sampled_from(values)


def lists_of(values: st.SearchStrategy[Any], false: bool = True) -> st.SearchStrategy[list[Any]]:
    item = st.one_of(values, st.just(False)) if false else values
    return st.lists(item, min_size=0, max_size=4)


# ---------------------------------------------------------------------------------------------
# leaves on plain columns
# ---------------------------------------------------------------------------------------------
@st.composite
def char_leaf(draw: st.DrawFn, fname: str, names: list[str] = NAMES, patterns: list[str] = PATTERNS) -> Any:
    op = draw(some(EQ + LIKE + IN))
    if op in IN:
        value: Any = draw(lists_of(some(names + patterns)))
    elif op in EQ:
        value = draw(st.one_of(some(names + patterns), st.just(False)))
    else:
        value = draw(some(patterns + names))
    return [fname, op, value]


@st.composite
def number_leaf(draw: st.DrawFn, fname: str, pool: list[Any]) -> Any:
    op = draw(some(EQ + ORDER + IN))
    if op in IN:
        value: Any = draw(lists_of(some(pool)))
    elif op in EQ:
        value = draw(st.one_of(some(pool), st.just(False)))
    else:
        value = draw(some(pool))
    return [fname, op, value]


@st.composite
def flag_leaf(draw: st.DrawFn) -> Any:
    op = draw(some(EQ + IN))
    value = draw(lists_of(st.booleans(), false=False)) if op in IN else draw(st.booleans())
    return ["x_flag", op, value]


@st.composite
def day_leaf(draw: st.DrawFn) -> Any:
    op = draw(some(EQ + ORDER + IN))
    if op in IN:
        value: Any = draw(lists_of(some(DAYS)))
    elif op in EQ:
        value = draw(st.one_of(some(DAYS), st.just(False)))
    else:
        value = draw(some(DAYS))
    return ["x_day", op, value]


@st.composite
def when_leaf(draw: st.DrawFn) -> Any:
    op = draw(some(EQ + ORDER + IN))
    moments = TIMES + DAYS  # a 10-char date is expanded to 00:00:00 or 23:59:59
    if op in IN:
        value: Any = draw(lists_of(some(moments)))
    elif op in EQ:
        value = draw(st.one_of(some(moments), st.just(False)))
    else:
        value = draw(some(moments))
    return ["x_when", op, value]


@st.composite
def state_leaf(draw: st.DrawFn) -> Any:
    op = draw(some(EQ + ORDER + IN + ["like", "ilike", "not like", "not ilike", "=like"]))
    if op in IN:
        value: Any = draw(lists_of(some(STATES)))
    elif op in EQ:
        value = draw(st.one_of(some(STATES), st.just(False)))
    elif "like" in op:
        value = draw(some(["a", "B", "%", "_", "", "ab"]))
    else:
        value = draw(some(STATES))  # single lower-case letters: any collation orders them alike
    return ["x_state", op, value]


@st.composite
def id_leaf(draw: st.DrawFn) -> Any:
    op = draw(some(["=", "!=", "<", "<=", ">", ">=", "in", "not in"]))
    value = draw(st.lists(row_ids(), max_size=4)) if op in IN else draw(row_ids())
    return ["id", op, value]


def scalar_leaf(prefix: str = "") -> st.SearchStrategy[Any]:
    """A leaf on one of the row model's columns, through `prefix` when given."""
    def on(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return strategy.map(lambda leaf: [prefix + leaf[0], leaf[1], leaf[2]])

    return st.one_of(
        on(char_leaf("x_name")), on(char_leaf("x_code")), on(number_leaf("x_int", INTS)),
        on(number_leaf("x_float", FLOATS)), on(flag_leaf()), on(day_leaf()), on(when_leaf()),
        on(state_leaf()),
    )


# ---------------------------------------------------------------------------------------------
# leaves on relational fields
# ---------------------------------------------------------------------------------------------
@st.composite
def many2one_leaf(draw: st.DrawFn, sub: st.SearchStrategy[Any]) -> Any:
    kind = draw(some(["ids", "false", "names", "names", "any", "any"]))
    rows = row_ids()
    if kind == "ids":
        op = draw(some(["=", "!=", "<>", "=?", "<", ">=", "in", "not in"]))
        value: Any = draw(lists_of(rows)) if op in IN else draw(rows)
    elif kind == "false":
        op = draw(some(FALSE_OPS))
        value = False
    elif kind == "names":
        op = draw(some(EQ + LIKE + IN + ["<"]))
        if op in IN or (op in ("=", "!=", "<>") and draw(st.booleans())):
            value = draw(st.lists(some(NAMES + PATTERNS), min_size=1, max_size=3))
        else:
            value = draw(some(NAMES + PATTERNS))
    else:
        op = draw(some(["any", "not any"]))
        value = draw(sub)
    return ["x_parent_id", op, value]


@st.composite
def x2many_leaf(draw: st.DrawFn, fname: str, sub: st.SearchStrategy[Any]) -> Any:
    ids = tag_ids() if fname == "x_tag_ids" else row_ids()
    kind = draw(some(["ids", "false", "names", "any", "any"]))
    if kind == "ids":
        op = draw(some(["=", "!=", "<>", "=?", "in", "not in", ">", "<="]))
        as_list = op in IN or (op in ("=", "!=", "<>") and draw(st.booleans()))
        value: Any = draw(st.lists(ids, max_size=3)) if as_list else draw(ids)
    elif kind == "false":
        op = draw(some(FALSE_OPS))
        value = False
    elif kind == "names":
        op = draw(some(["=", "!=", "<>", "=?"] + LIKE))
        value = draw(some(TAG_NAMES + TAG_PATTERNS if fname == "x_tag_ids" else NAMES + PATTERNS))
    else:
        op = draw(some(["any", "not any"]))
        value = draw(sub)
    return [fname, op, value]


@st.composite
def tag_domain(draw: st.DrawFn) -> Any:
    leaves = st.one_of(char_leaf("x_name", TAG_NAMES, TAG_PATTERNS),
                       st.builds(lambda op, v: ["id", op, v], some(["=", "!="]), tag_ids()),
                       st.builds(lambda op, v: ["id", op, v], some(IN), st.lists(tag_ids(), max_size=2)))
    return draw(combine(leaves, depth=2))


PATHS = ["x_parent_id.x_name", "x_parent_id.x_parent_id.x_code", "x_child_ids.x_int", "x_tag_ids.x_name"]


@st.composite
def path_leaf(draw: st.DrawFn, paths: list[str] = PATHS) -> Any:
    path = draw(some(paths))
    head, _, last = path.rpartition(".")
    if last == "x_int":
        leaf = draw(number_leaf("x_int", INTS))
    elif head == "x_tag_ids":
        leaf = draw(char_leaf("x_name", TAG_NAMES, TAG_PATTERNS))
    else:
        leaf = draw(char_leaf(last))
    return [path, leaf[1], leaf[2]]


# ---------------------------------------------------------------------------------------------
# composition
# ---------------------------------------------------------------------------------------------
@st.composite
def combine(draw: st.DrawFn, leaves: st.SearchStrategy[Any], depth: int = 3) -> list[Any]:
    """A domain in Polish notation: `!`, `&`, `|`, implicit AND at top level, nested NOTs."""
    def node(level: int) -> list[Any]:
        choice = draw(st.integers(0, 9)) if level > 0 else 0
        if choice <= 4:
            return [draw(leaves)]
        if choice <= 6:
            return ["!", *node(level - 1)]
        return [draw(some(["&", "|", "|"])), *node(level - 1), *node(level - 1)]

    count = draw(some([1, 1, 1, 2, 2, 3]))
    return [item for _ in range(count) for item in node(depth)]


def with_empty_lists(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Sometimes an `in []` / `not in []` leaf: statically false/true in Odoo's eyes."""
    return st.one_of(leaves, leaves, leaves,
                     st.builds(lambda f, op: [f, op, []], some(["x_int", "x_name", "id", "x_parent_id"]),
                               some(IN)))


def row_subdomain(depth: int) -> st.SearchStrategy[Any]:
    """Domains on the row model for `any` / `not any`, allowed to nest `depth` times more."""
    if depth <= 0:
        return combine(with_empty_lists(st.one_of(scalar_leaf(), id_leaf())), depth=2)
    inner = row_subdomain(depth - 1)
    return combine(with_empty_lists(st.one_of(
        scalar_leaf(), scalar_leaf(), many2one_leaf(inner), x2many_leaf("x_child_ids", inner),
        x2many_leaf("x_tag_ids", tag_domain()), path_leaf())), depth=2)


def scalar_domains() -> st.SearchStrategy[Any]:
    return combine(with_empty_lists(st.one_of(scalar_leaf(), id_leaf())), depth=3)


def many2one_domains() -> st.SearchStrategy[Any]:
    leaf = st.one_of(many2one_leaf(row_subdomain(1)), many2one_leaf(row_subdomain(0)), scalar_leaf(),
                     path_leaf(PATHS[:2]))
    return combine(with_empty_lists(leaf), depth=3)


def x2many_domains() -> st.SearchStrategy[Any]:
    leaf = st.one_of(x2many_leaf("x_child_ids", row_subdomain(1)), x2many_leaf("x_tag_ids", tag_domain()),
                     path_leaf(PATHS[2:]), scalar_leaf())
    return combine(with_empty_lists(leaf), depth=3)


@st.composite
def small_subdomain(draw: st.DrawFn, model: str) -> list[Any]:
    """One or two leaves, often with an `in []` that makes the sub-domain statically false."""
    if model == "tag":
        leaf: st.SearchStrategy[Any] = char_leaf("x_name", TAG_NAMES, TAG_PATTERNS)
        empty = st.builds(lambda op: ["x_name", op, []], some(IN))
    else:
        leaf = st.one_of(scalar_leaf(), id_leaf())
        empty = st.builds(lambda f, op: [f, op, []], some(["x_int", "x_parent_id", "id"]), some(IN))
    parts = [draw(st.one_of(leaf, empty)) for _ in range(draw(st.integers(1, 2)))]
    if len(parts) == 2 and draw(st.booleans()):
        parts.insert(0, draw(some(["|", "&"])))
    if draw(st.integers(0, 4)) == 0:
        parts.insert(0, "!")
    return parts


@st.composite
def exists_leaf(draw: st.DrawFn) -> Any:
    fname = draw(some(["x_parent_id", "x_parent_id", "x_child_ids", "x_tag_ids"]))
    op = draw(some(["any", "not any", "not any"]))
    return [fname, op, draw(small_subdomain("tag" if fname == "x_tag_ids" else "row"))]


def exists_domains() -> st.SearchStrategy[Any]:
    """Several any / not any on the same field side by side, which Odoo merges into one."""
    return combine(st.one_of(exists_leaf(), exists_leaf(), exists_leaf(), scalar_leaf()), depth=3)


def mixed_domains() -> st.SearchStrategy[Any]:
    leaf = st.one_of(scalar_leaf(), id_leaf(), many2one_leaf(row_subdomain(1)),
                     x2many_leaf("x_child_ids", row_subdomain(1)), x2many_leaf("x_tag_ids", tag_domain()),
                     path_leaf(), st.sampled_from([[1, "=", 1], [0, "=", 1]]))
    return combine(with_empty_lists(leaf), depth=4)


@st.composite
def text_cast_leaf(draw: st.DrawFn) -> Any:
    """like / ilike on non-char columns: Odoo compares `column::text` with the pattern."""
    fname, patterns = draw(some([
        ("x_int", ["1", "-", "-1", "2", "0", "3"]), ("x_day", ["2024-01", "-1", "03-1", "2024-01-1_"]),
        ("x_when", ["30:00", "2024-01-12", "12 0", "2024-03-1"]), ("x_state", ["a", "B", "%", "_", ""]),
        # boolean and float columns: see test_known_disagreements
    ]))
    return [fname, draw(some(["like", "not like", "ilike", "not ilike"])), draw(some(patterns))]


# ---------------------------------------------------------------------------------------------
# the server against the oracle
# ---------------------------------------------------------------------------------------------
class World:
    def __init__(self, backend: str, client: Any, ids: dict[str, Any]) -> None:
        self.backend, self.client, self.ids = backend, client, ids
        self.oracle = Dataset(SPEC, ids["r"], ids["t"])


@pytest.fixture(scope="module")
def world(server: Server) -> Iterator[World]:
    client = server.client()
    ids = build(client, SPEC, f"hp{server.backend[:2]}")
    Ctx.rows, Ctx.tags = list(ids["r"]), list(ids["t"])
    yield World(server.backend, client, ids)
    counts = {k: v for k, v in EXAMPLES.items() if k.startswith(server.backend)}
    print(f"\n[{server.backend}] examples checked against the server: {counts}, total {sum(counts.values())}")


def check(world: World, domain: list[Any], family: str) -> None:
    ids = world.ids
    full = [["id", "in", ids["r"]]] + domain
    expected = world.oracle.search_indexes(full)
    try:
        got = sorted(ids["r"].index(i) for i in world.client.x(ids["model"], "search", full))
    except xmlrpc.client.Fault as fault:
        pytest.fail(f"server fault on {domain!r}: {fault.faultString[-400:]}")
    EXAMPLES[f"{world.backend}:{family}"] += 1
    assert got == expected, (
        f"domain {domain!r}\n  server only: {sorted(set(got) - set(expected))}"
        f"\n  oracle only: {sorted(set(expected) - set(got))}\n  (row indexes; row ids {ids['r'][:2]}...)")


def fixed(n: int) -> Any:
    return settings(max_examples=n, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.filter_too_much, HealthCheck.data_too_large])


@fixed(450)
@given(domain=scalar_domains())
def test_scalar_domains(world: World, domain: list[Any]) -> None:
    check(world, domain, "scalar")


@fixed(350)
@given(domain=many2one_domains())
def test_many2one_domains(world: World, domain: list[Any]) -> None:
    check(world, domain, "many2one")


@fixed(350)
@given(domain=x2many_domains())
def test_x2many_domains(world: World, domain: list[Any]) -> None:
    check(world, domain, "x2many")


@fixed(300)
@given(domain=exists_domains())
def test_any_merging_domains(world: World, domain: list[Any]) -> None:
    check(world, domain, "any-merge")


@fixed(450)
@given(domain=mixed_domains())
def test_mixed_domains(world: World, domain: list[Any]) -> None:
    check(world, domain, "mixed")


@fixed(100)
@given(domain=combine(text_cast_leaf(), depth=2))
def test_like_on_non_char_columns(world: World, domain: list[Any]) -> None:
    check(world, domain, "text-cast")


# ---------------------------------------------------------------------------------------------
# minimal domains where the server once disagreed with Odoo's rules, pinned
# ---------------------------------------------------------------------------------------------
PINNED = [
    # Odoo 17's BaseModel._search first asks expression.is_false(domain), which rates an `in`
    # leaf with a falsy right side (here `False`) as FALSE before normalize_leaf would rewrite
    # `in False` to `= False`: Odoo answers nothing (not `x_parent_id IS NULL`).
    pytest.param([["x_parent_id", "in", False]], id="m2o-in-False"),
    pytest.param(["!", ["x_parent_id", "not in", False]], id="not-m2o-not-in-False"),
    pytest.param([["x_tag_ids", "in", False]], id="m2m-in-False"),
    pytest.param([["x_child_ids", "in", False]], id="o2m-in-False"),
    # the same short-circuit in the sub-search of a many2one `any`
    pytest.param([["x_parent_id", "any", [["x_parent_id", "in", False]]]], id="m2o-any-in-False"),
    # `like` compares `column::text`: PostgreSQL casts booleans to 'true'/'false' and floats to
    # their shortest form ('2', not '2.0'); SQLite must answer the same.
    pytest.param([["x_flag", "like", "t"]], id="bool-like-text"),
    pytest.param([["x_flag", "not ilike", "FALSE"]], id="bool-not-ilike-text"),
    pytest.param([["x_float", "like", ".0"]], id="float-like-text"),
]


@pytest.mark.parametrize("domain", PINNED)
def test_pinned_domains(world: World, domain: list[Any]) -> None:
    check(world, domain, "known")
