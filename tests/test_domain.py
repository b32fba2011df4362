"""Unit tests of the domain pipeline: parsing, normalisation, static falsity, and SQL that
binds every client value as a parameter."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from odoorpc_server.orm.domains import (
    FALSE,
    MAX_DOMAIN_DEPTH,
    MAX_DOMAIN_LEAVES,
    NEGATION,
    TRUE,
    And,
    Condition,
    Domain,
    Not,
    Or,
    Relation,
    is_false,
    negate,
    normalize_domain,
    parse,
)
from odoorpc_server.orm.env import Env
from odoorpc_server.orm.fields import Field
from odoorpc_server.orm.registry import Model, Registry
from odoorpc_server.orm.where import GROUP, Compiler, bind, grouped


def make_registry() -> Registry:
    reg = Registry(sequence=1)

    def field(name: str, ttype: str, **kw: Any) -> Field:
        return Field(name=name, type=ttype, model="x_t", **kw)

    fields = {f.name: f for f in [
        field("id", "integer"), field("x_name", "char"), field("x_int", "integer"), field("x_flag", "boolean"),
        field("x_when", "datetime"), field("x_parent_id", "many2one", relation="x_t"),
        field("x_child_ids", "one2many", relation="x_t", relation_field="x_parent_id"),
        field("display_name", "char", store=False),
    ]}
    reg.models["x_t"] = Model(name="x_t", id=1, description="T", order="id", state="manual", rec_name="x_name",
                              parent_name="x_parent_id", fields=fields)
    reg._build_table(reg.models["x_t"])
    return reg


REG = make_registry()
MODEL = REG["x_t"]


C = Condition


@pytest.mark.parametrize(("domain", "tree"), [
    ([], TRUE),
    ([("x_int", "=", 1), ("x_name", "=", "a")], And((C("x_int", "=", 1), C("x_name", "=", "a")))),
    (["|", ("x_int", "=", 1), ("x_name", "=", "a")], Or((C("x_int", "=", 1), C("x_name", "=", "a")))),
    (["!", ("x_int", "<", 3)], Not(C("x_int", "<", 3))),
    ([(1, "=", 1)], TRUE),
    ([(0, "=", 1), ("x_int", "=", 1)], FALSE),
    # a path is kept as written until the domain is bound to a model
    (["!", ("x_parent_id.x_name", "=", "a")], Not(C("x_parent_id.x_name", "=", "a"))),
])
def test_parse_reads_the_syntax_only(domain: list[Any], tree: Domain) -> None:
    assert parse(domain) == tree


@pytest.mark.parametrize(("domain", "tree"), [
    # '!' is pushed into leaves with Odoo's negation table
    (["!", ("x_int", "<", 3)], C("x_int", ">=", 3)),
    (["!", "&", ("x_int", "=", 1), ("x_name", "in", ["a"])], Or((C("x_int", "!=", 1), C("x_name", "not in", ["a"])))),
    # operators without a negation keep a NOT
    (["!", ("x_name", "=like", "a%")], Not(C("x_name", "=like", "a%"))),
    # dotted paths become 'any' first, and their negation 'not any' (as Odoo 17 combines them)
    (["!", ("x_parent_id.x_name", "=", "a")], Relation("x_parent_id", "not any", C("x_name", "=", "a"))),
    ([("x_child_ids", "any", [("x_name", "in", [])])], Relation("x_child_ids", "any", C("x_name", "in", []), True)),
    (["!", (0, "=", 1)], TRUE),
])
def test_bind_normalises(domain: list[Any], tree: Domain) -> None:
    assert bind(MODEL, parse(domain), REG) == tree


@pytest.mark.parametrize(("domain", "message"), [
    (["&", ("x_int", "=", 1)], "syntactically not correct"),
    (["|"], "syntactically not correct"),
    ([("x_int", "LIKE", 1)], "Invalid leaf"),
    ([("x_int", "=")], "Invalid leaf"),
    ("x_int = 1", "Invalid domain"),
])
def test_parse_refuses(domain: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(domain)


@pytest.mark.parametrize(("domain", "message"), [
    ([("nope", "=", 1)], "Invalid field x_t.nope in leaf"),
    ([("x_name.foo", "=", 1)], "Invalid field x_t.x_name.foo"),
    ([("x_parent_id.nope", "=", 1)], r"Invalid field x_t.nope in leaf \('nope', '=', 1\)"),
    ([("x_int", "any", [])], "operator 'any' needs a relational field"),
])
def test_bind_refuses(domain: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bind(MODEL, parse(domain), REG)


@pytest.mark.parametrize(("domain", "expected"), [
    ([("x_int", "in", [])], True),
    (["!", ("x_int", "in", [])], False),
    ([("x_int", "in", []), ("x_name", "=", "a")], True),
    (["|", ("x_int", "in", []), ("x_name", "=", "a")], False),
    ([(0, "=", 1)], True),
    ([("x_int", "not in", [])], False),
    # Odoo rates the domain as written: a negated path leaf counts too
    (["!", ("x_child_ids.x_name", "not in", [])], True),
    ([("x_parent_id.x_name", "in", [])], True),
])
def test_is_false(domain: list[Any], expected: bool) -> None:
    assert is_false(parse(domain)) is expected


def test_negation_is_an_involution_on_leaves() -> None:
    for op, opposite in NEGATION.items():
        assert negate(negate(C("x_int", op, 1))) == C("x_int", op, 1)
        assert negate(C("x_int", op, 1)) == C("x_int", opposite, 1)


def compile_sql(domain: list[Any]) -> tuple[str, dict[str, Any]]:
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        env = Env(conn, REG, 2)
        clause = Compiler(env).where(MODEL, domain)
        compiled = sa.select(MODEL.table.c.id).where(clause).compile(dialect=engine.dialect)
    return str(compiled), dict(compiled.params)


def test_values_are_bound_parameters() -> None:
    evil = "x'); DROP TABLE x_t; --"
    sql, params = compile_sql([("x_name", "=", evil), ("x_name", "ilike", evil)])
    assert "DROP" not in sql
    assert evil in params.values() and f"%{evil}%" in params.values()


@pytest.mark.parametrize(("domain", "fragment"), [
    ([("x_int", "=", False)], "x_t.x_int IS NULL"),
    ([("x_int", "!=", 5)], "x_t.x_int IS NULL"),          # negative operators also match NULL
    ([("x_name", "ilike", "")], "x_t.x_name IS NULL"),    # an empty pattern matches NULL too
    ([("x_flag", "=", False)], "x_t.x_flag IS NULL OR x_t.x_flag = 0"),
    ([("x_int", "not in", [1])], "x_t.x_int IS NULL"),
])
def test_null_rules(domain: list[Any], fragment: str) -> None:
    sql, _ = compile_sql(domain)
    assert fragment in sql


def test_datetime_date_only_values_are_expanded() -> None:
    _, params = compile_sql([("x_when", ">", "2024-01-10"), ("x_when", "<", "2024-01-12")])
    assert set(params.values()) >= {dt.datetime(2024, 1, 10, 23, 59, 59), dt.datetime(2024, 1, 12, 0, 0, 0)}


# -- huge domains: one n-ary node per run of an operator, no recursion, clear limits -------------

def leaves(n: int) -> list[Any]:
    return [("x_int", "=", i) for i in range(n)]


def test_or_chains_become_one_node_whichever_way_they_lean() -> None:
    n = 5_000
    flat = Or(tuple(C("x_int", "=", i) for i in range(n)))
    right: list[Any] = []
    for leaf in leaves(n)[:-1]:
        right += ["|", leaf]
    assert parse(["|"] * (n - 1) + leaves(n)) == flat
    assert parse(right + [leaves(n)[-1]]) == flat
    assert parse(["&"] * (n - 1) + leaves(n)) == parse(leaves(n)) == And(flat.children)


def test_double_negations_cancel_out() -> None:
    assert parse(["!"] * 20_001 + [("x_int", "<", 3)]) == Not(C("x_int", "<", 3))
    assert parse(["!"] * 20_000 + [("x_int", "<", 3)]) == C("x_int", "<", 3)


def test_the_leaf_limit() -> None:
    assert isinstance(parse(leaves(MAX_DOMAIN_LEAVES)), And)
    with pytest.raises(ValueError, match=f"^Domain too large: {MAX_DOMAIN_LEAVES + 1} leaves "
                                         rf"\(at most {MAX_DOMAIN_LEAVES}\)$"):
        parse(["|"] * MAX_DOMAIN_LEAVES + leaves(MAX_DOMAIN_LEAVES + 1))


def alternating(depth: int) -> list[Any]:
    out: list[Any] = []
    for level in range(depth):
        out += ["|" if level % 2 == 0 else "&", ("x_int", "=", level)]
    return out + [("x_int", "=", -1)]


def test_the_depth_limit_after_flattening() -> None:
    tree = bind(MODEL, parse(alternating(MAX_DOMAIN_DEPTH)), REG)
    assert isinstance(tree, Or)
    sql, _ = compile_sql(alternating(MAX_DOMAIN_DEPTH))
    assert sql.count("(") == MAX_DOMAIN_DEPTH // 2 - 1  # each OR below an AND
    message = f"^Domain too deep: more than {MAX_DOMAIN_DEPTH} nested levels"
    with pytest.raises(ValueError, match=message):
        parse(alternating(MAX_DOMAIN_DEPTH + 1))
    with pytest.raises(ValueError, match=message):  # an implicit AND around it is a level too
        parse([("x_int", "=", 0), *alternating(MAX_DOMAIN_DEPTH)])
    with pytest.raises(ValueError, match=message):  # each step of a path is one
        bind(MODEL, parse([(".".join(["x_parent_id"] * (MAX_DOMAIN_DEPTH + 1)) + ".x_name", "=", "a")]), REG)
    with pytest.raises(ValueError, match=message):  # so is each `any`, nested operators included
        bind(MODEL, parse([("x_child_ids", "any", alternating(MAX_DOMAIN_DEPTH))]), REG)


def test_normalize_domain_writes_the_implicit_ands_in_front() -> None:
    assert normalize_domain(leaves(3)) == ["&", "&", *leaves(3)]
    assert normalize_domain(["|", *leaves(2), leaves(3)[2]]) == ["&", "|", *leaves(3)]
    assert normalize_domain(leaves(30_000))[:29_999] == ["&"] * 29_999


def test_large_and_or_are_emitted_in_groups() -> None:
    """SQLite reads a flat chain of n operands as n levels (at most 1000): groups of GROUP."""
    table = sa.table("t", sa.column("a"))
    clause = grouped(sa.or_, [table.c.a == i for i in range(GROUP * GROUP + 1)])
    text = str(clause)
    # GROUP + 1 groups, then two groups of those
    assert text.count("(") == GROUP + 1 + 2 and text.count(" OR ") == GROUP * GROUP
    assert str(grouped(sa.and_, [table.c.a == 1, table.c.a == 2])) == "t.a = :a_1 AND t.a = :a_2"
    sql, params = compile_sql(["|"] * 4_999 + leaves(5_000))
    assert len(params) == 5_000 and sql.count("(") == 5_000 // GROUP + 1 + 2
