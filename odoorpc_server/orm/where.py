"""WHERE clauses from domains: a parsed domain is bound to a model (every name checked against the
registry, dotted paths become `any`, NOT pushed into the leaves), then turned into SQLAlchemy
expressions, with Odoo 17's NULL rules. Every client value reaches SQL as a bound parameter.

Scalar operators are one table (`SCALAR_OPERATORS`); relational fields have a handler per type.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.elements import Grouping

from odoorpc_server.exceptions import ValidationError
from odoorpc_server.orm import access, classes
from odoorpc_server.orm.domains import (
    NEGATION,
    NEGATIVE,
    And,
    Condition,
    Constant,
    Domain,
    Not,
    Or,
    Relation,
    canonical_operator,
    check_depth,
    conjunction,
    disjunction,
    is_false,
    name_search_domain,
    negate,
    parse,
)
from odoorpc_server.orm.fields import INT_MAX, INT_MIN, Field, to_column
from odoorpc_server.storage.database import statements
from odoorpc_server.storage.types import in_values, not_in_values, text_of

if TYPE_CHECKING:
    from odoorpc_server.orm.env import Env
    from odoorpc_server.orm.registry import Model, Registry

HIERARCHY = ("child_of", "parent_of")


def bind(model: Model, node: Domain, registry: Registry, depth: int = 0) -> Domain:
    """A parsed domain resolved against `model`: unknown fields refused, dotted paths and `any`
    operands bound to their comodel, NOT pushed into the leaves (after paths became `any`, as
    Odoo 17 combines them).

    `depth` is the nesting reached so far: each operator and each step into a comodel counts one,
    so that sub-domains nested in sub-domains (or a long dotted path) stay within the limit the
    recursive steps after this one (negation, SQL, SQLAlchemy's compiler) can take."""
    if isinstance(node, Constant):
        return node
    if isinstance(node, (Not, And, Or)):
        check_depth(depth + 1)
    if isinstance(node, Not):
        return negate(bind(model, node.child, registry, depth + 1))
    if isinstance(node, And):
        return conjunction(bind(model, c, registry, depth + 1) for c in node.children)
    if isinstance(node, Or):
        return disjunction(bind(model, c, registry, depth + 1) for c in node.children)
    assert isinstance(node, Condition)
    leaf = (node.path, node.operator, node.value)
    head, _, rest = node.path.partition(".")
    fld = model.fields.get(head)
    if fld is None:
        raise ValueError(f"Invalid field {model.name}.{head} in leaf {leaf!r}")
    if rest:
        if not fld.relational:
            raise ValueError(f"Invalid field {model.name}.{node.path} in leaf {leaf!r}")
        check_depth(depth + 1)
        sub = Condition(rest, node.operator, node.value)
        return Relation(head, "any", bind(registry.comodel(fld), sub, registry, depth + 1), is_false(sub))
    if node.operator in ("any", "not any"):
        if not fld.relational:
            raise ValueError(f"Invalid leaf {leaf!r}: operator {node.operator!r} needs a relational field")
        check_depth(depth + 1)
        sub_tree = parse(node.value)
        return Relation(head, node.operator, bind(registry.comodel(fld), sub_tree, registry, depth + 1),
                        is_false(sub_tree))
    return node


def validate(model: Model, domain: Any, registry: Registry) -> None:
    """Refuse a domain that names what `model` does not have (record rules are checked so)."""
    bind(model, parse(domain), registry)


class Compiler:
    """Turns domains into WHERE clauses over one model's table, for the user of `env`."""

    def __init__(self, env: Env) -> None:
        self.env = env

    # -- entry points -------------------------------------------------------------------------
    def where(self, model: Model, domain: Any, active_test: bool | None = None) -> ColumnElement[bool]:
        if active_test is None:
            active_test = self.env.context.get("active_test", True) is not False
        tree = parse(list(domain or []))
        if is_false(tree):  # Odoo skips the query of a statically false domain: it finds nothing
            return sa.false()
        bound = bind(model, tree, self.env.registry)
        active = model.active_name
        if active and active_test and not any(
                isinstance(item, (list, tuple)) and item and item[0] == active for item in domain or []):
            # added once bound, so that it takes no level of the client's nesting limit
            bound = conjunction([Condition(active, "=", 1), bound])
        return self.with_rules(model, self.sql(model, model.table, bound))

    def with_rules(self, model: Model, clause: ColumnElement[bool]) -> ColumnElement[bool]:
        """The user's read rules on `model` AND-ed to a search, sub-searches included."""
        rules, _ = self.rule_clause(model, "read")
        return clause if rules is None else sa.and_(rules, clause)

    def rule_clause(self, model: Model, operation: str) -> tuple[ColumnElement[bool] | None, bool]:
        """The SQL of the user's record rules of `operation` on `model` (None: no rule applies),
        and whether it is reusable: a condition whose compilation read nothing from the
        database (no `child_of` walk, no name search) is a function of the rules alone, so it
        is kept with them and dropped when they change."""
        rules = access.rule_domain(self.env, model, operation)
        if rules is None:
            return None, True
        store = access.cache(self.env, "rule_clauses")
        # the registry too: threads that loaded a registry at once share the store, not tables
        key = (self.env.registry, self.env.uid, model.name, operation)
        found = store.get(key)
        if found is not None:
            return found, True
        before = statements(self.env.conn)
        clause = Compiler(self.env.sudo()).sql(model, model.table, bind(model, parse(rules), self.env.registry))
        if statements(self.env.conn) != before:
            return clause, False
        store[key] = clause
        return clause, True

    def ids_query(self, model: Model, domain: Any, active_test: bool | None = None) -> Select[Any]:
        return sa.select(model.table.c.id).where(self.where(model, domain, active_test))

    def sub_where(self, model: Model, tree: Domain, vacuous: bool, active_test: bool | None) -> ColumnElement[bool]:
        """The WHERE clause of a sub-search (an `any` operand), with its own active filter and rules."""
        if active_test is None:
            active_test = self.env.context.get("active_test", True) is not False
        if vacuous:
            return sa.false()
        clause = self.sql(model, model.table, tree)
        active = model.active_name
        if active and active_test:
            clause = sa.and_(model.table.c[active] == sa.true(), clause)
        return self.with_rules(model, clause)

    # -- tree ---------------------------------------------------------------------------------
    def sql(self, model: Model, table: Any, node: Domain) -> ColumnElement[bool]:
        if isinstance(node, Constant):
            return sa.true() if node.value else sa.false()
        if isinstance(node, Not):
            return sa.not_(self.sql(model, table, node.child))
        if isinstance(node, And):
            return grouped(sa.and_, [self.sql(model, table, n) for n in node.children])
        if isinstance(node, Or):
            return grouped(sa.or_, [self.sql(model, table, n) for n in node.children])
        if isinstance(node, Relation):
            return self.relation(model, table, node)
        assert isinstance(node, Condition)
        return self.leaf(model, table, node.operator, node.path, node.value)

    def leaf(self, model: Model, table: Any, op: str, left: str, right: Any) -> ColumnElement[bool]:
        fld = model.fields[left]
        if fld.group_ids:
            access.check_field(self.env, model, fld)
        op = canonical_operator(op, right)
        if left == "id" and op in HIERARCHY:
            ids = self.hierarchy(model, model.parent_name, self.to_ids(right, model), op)
            return in_values(table.c.id, ids)
        if not fld.store or fld.related or fld.secret or left == "display_name":
            return self.computed(model, table, fld, op, right)
        if fld.type in RELATIONAL_HANDLERS:
            return RELATIONAL_HANDLERS[fld.type](self, model, table, fld, op, right)
        if op in HIERARCHY:
            raise ValueError(f"Invalid leaf {(left, op, right)!r}: {op} needs a relational field or 'id'")
        if fld.type == "datetime" and right and isinstance(right, str) and len(right) == 10:
            right += " 23:59:59" if op in (">", "<=") else " 00:00:00"
        return self.scalar(fld, table.c[left], op, right)

    def scalar(self, fld: Field, col: Any, op: str, right: Any) -> ColumnElement[bool]:
        if fld.type in ("integer", "many2one") or fld.name == "id":
            beyond = beyond_int32(col, op, right)
            if beyond is not None:
                return beyond
            if op in ("in", "not in") and isinstance(right, (list, tuple)):
                right = [v for v in right if not _outside_int32(v)]  # no record holds such a value
        return SCALAR_OPERATORS[op](self, fld, col, op, right)

    # -- relational ---------------------------------------------------------------------------
    def relation(self, model: Model, table: Any, node: Relation) -> ColumnElement[bool]:
        fld = model.fields[node.field]
        if fld.group_ids:
            access.check_field(self.env, model, fld)
        comodel = self.searched(fld)
        if fld.type == "many2one":
            col = table.c[fld.name]
            if node.operator == "not any" and node.vacuous:
                return col.is_(None)  # NOT IN of Odoo's empty id list: only NULLs pass
            ids = sa.select(comodel.table.c.id).where(self.sub_where(comodel, node.sub, node.vacuous, False))
            return col.in_(ids) if node.operator == "any" else sa.or_(col.not_in(ids), col.is_(None))
        ids = sa.select(comodel.table.c.id).where(self.sub_where(comodel, node.sub, node.vacuous, None))
        cond = self.x2many_match(model, table, fld, ids)
        return cond if node.operator == "any" else sa.not_(cond)

    def x2many_match(self, model: Model, table: Any, fld: Field, ids: Any) -> ColumnElement[bool]:
        """Records having at least one related record among `ids` (a list or a subquery)."""
        if fld.type == "one2many":
            comodel = self.env.registry.comodel(fld)
            inverse = comodel.table.c[fld.relation_field or ""]
            sub = sa.select(inverse).where(_among(comodel.table.c.id, ids), inverse.is_not(None))
            return table.c.id.in_(sub)
        rel = model.relations[fld.name]
        _, c1, c2 = self.env.registry.m2m_spec(fld)
        return sa.exists(sa.select(1).select_from(rel).where(rel.c[c1] == table.c.id, _among(rel.c[c2], ids)))

    def searched(self, fld: Field) -> Model:
        """The comodel a leaf searches through: the user must be allowed to read it, as Odoo's
        sub-searches check the comodel's access rights."""
        comodel = self.env.registry.comodel(fld)
        access.check_model(self.env, comodel, "read")
        return comodel

    def name_ids(self, comodel: Model, value: Any, op: str, active_test: bool | None) -> Select[Any]:
        access.check_model(self.env, comodel, "read")
        return self.ids_query(comodel, name_domain(comodel, value, op), active_test)

    def positive_names(self, comodel: Model, name: str, op: str) -> Select[Any]:
        """x2many compared with a name: a negative operator is searched positively, then negated."""
        return self.name_ids(comodel, name, NEGATION[op] if op in NEGATIVE else op, None)

    def one2many(self, model: Model, table: Any, fld: Field, op: str, right: Any) -> ColumnElement[bool]:
        comodel = self.env.registry.comodel(fld)
        if op in HIERARCHY:
            roots = self.to_ids(right, comodel)
            if comodel.name == model.name:  # Odoo walks the one2many itself (or the parent tree)
                parent = comodel.parent_name if comodel.parent_store else fld.name
                found = self.hierarchy(model, parent, roots, op)
                return in_values(table.c.id, found)
            found = self.hierarchy(comodel, comodel.parent_name, roots, op)
            return self.x2many_match(model, table, fld, found) if found else sa.false()
        if right is not False:
            if isinstance(right, str):
                ids: Any = self.positive_names(comodel, right, op)
            elif isinstance(right, (list, tuple)):
                ids = record_ids(right)
            else:
                ids = record_ids([right])
            cond = self.x2many_match(model, table, fld, ids)
            return sa.not_(cond) if op in NEGATIVE else cond
        inverse = comodel.table.c[fld.relation_field or ""]
        sub = sa.select(inverse).where(inverse.is_not(None))
        return table.c.id.in_(sub) if op in NEGATIVE else table.c.id.not_in(sub)

    def many2many(self, model: Model, table: Any, fld: Field, op: str, right: Any) -> ColumnElement[bool]:
        comodel = self.env.registry.comodel(fld)
        rel = model.relations[fld.name]
        _, c1, c2 = self.env.registry.m2m_spec(fld)
        link = rel.c[c1] == table.c.id
        if op in HIERARCHY:
            found = self.hierarchy(comodel, comodel.parent_name, self.to_ids(right, comodel), op)
            if comodel.name == model.name:
                return in_values(table.c.id, found)
            return sa.exists(sa.select(1).select_from(rel).where(link, in_values(rel.c[c2], found)))
        if right is not False:
            if isinstance(right, str):
                targets: Any = self.positive_names(comodel, right, op)
            elif isinstance(right, (list, tuple)):
                targets = record_ids(right) or [None]
            else:
                targets = record_ids([right]) or [None]
            cond = self.x2many_match(model, table, fld, targets)
            return sa.not_(cond) if op in NEGATIVE else cond
        cond = sa.exists(sa.select(1).select_from(rel).where(link))
        return cond if op in NEGATIVE else sa.not_(cond)

    def many2one(self, model: Model, table: Any, fld: Field, op: str, right: Any) -> ColumnElement[bool]:
        comodel = self.env.registry.comodel(fld)
        col = table.c[fld.name]
        if op in HIERARCHY:
            ids = self.to_ids(right, comodel)
            if comodel.name == model.name:
                found = self.hierarchy(model, fld.name, ids, op)
                return in_values(table.c.id, found)
            found = self.hierarchy(comodel, comodel.parent_name, ids, op)
            return in_values(col, found)
        names = isinstance(right, str) or (isinstance(right, (list, tuple)) and bool(right)
                                           and all(isinstance(v, str) for v in right))
        if names:
            op = "in" if op in ("<", ">", "<=", ">=") else op
            if isinstance(right, tuple):
                right = list(right)
            swap = {"not in": "!=", "in": "=", "=": "in", "!=": "not in"}
            if (not isinstance(right, list) and op in ("not in", "in")) or (
                    isinstance(right, list) and op in ("!=", "=")):
                op = swap[op]
            matching = self.name_ids(comodel, right, op, active_test=False)
            if op in NEGATIVE:
                return sa.or_(col.in_(matching), col.is_(None))
            return col.in_(matching)
        return self.scalar(fld, col, op, right)

    def to_ids(self, value: Any, comodel: Model) -> list[int]:
        """Ids named by an id, a name, or a list of either (child_of / parent_of operands)."""
        names: list[str] = []
        if isinstance(value, str):
            names = [value]
        elif value and isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            names = list(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            return record_ids([value])
        elif value is False or value is None:
            return []
        if names:
            found: set[int] = set()
            for name in names:
                found.update(self.env.conn.execute(self.name_ids(comodel, name, "ilike", None)).scalars())
            return sorted(found)
        return record_ids([int(v) for v in value if v])

    def hierarchy(self, model: Model, parent: str | None, ids: list[int], op: str) -> list[int]:
        """Ids of `ids` and their descendants (child_of) or ancestors (parent_of) along `parent`:
        a many2one to the model itself, or a one2many to it (walked the other way round)."""
        fld = model.fields.get(parent or "")
        if fld is None or fld.relation != model.name or fld.type not in ("many2one", "one2many"):
            raise ValueError(f"Invalid parent field on model {model.name!r}")
        access.check_model(self.env, model, "read")
        ident = model.table.c.id
        link = model.table.c[fld.name if fld.type == "many2one" else fld.relation_field or ""]
        # child_of follows the link down (records whose parent is known); via a one2many, `up`
        down = op == "child_of" if fld.type == "many2one" else op == "parent_of"
        seen: set[int] = set()
        todo = {i for i in ids if i}
        while todo:
            seen |= todo
            if down:
                q = sa.select(ident).where(in_values(link, sorted(todo)))
            else:
                q = sa.select(link).where(in_values(ident, sorted(todo)), link.is_not(None))
            todo = set(self.env.conn.execute(q).scalars()) - seen
        existing = self.env.conn.execute(sa.select(ident).where(in_values(ident, sorted(seen))))
        return sorted(existing.scalars())

    def computed(self, model: Model, table: Any, fld: Field, op: str, right: Any) -> ColumnElement[bool]:
        """Non-stored fields searchable the way Odoo's search methods make them."""
        if fld.name == "display_name":
            return sa.true()  # Odoo 17.0 has no search method on display_name: the leaf is ignored
        if fld.related:
            domain = [(fld.related, op, right)]
        elif fld.compute and hasattr(classes.lookup(model.name), f"_search_{fld.compute}"):
            domain = getattr(classes.lookup(model.name), f"_search_{fld.compute}")(op, right)
        else:
            return sa.true()  # Odoo ignores leaves on fields it cannot search
        return self.sql(model, table, bind(model, parse(domain), self.env.registry))

    # -- scalar leaves ------------------------------------------------------------------------
    def convert(self, fld: Field, value: Any) -> Any:
        """A leaf value as the column stores it; a value of the wrong type names the culprit."""
        try:
            if fld.name == "id":
                if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                    value = int(value)  # PostgreSQL casts such a literal for Odoo
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError("an id must be an integer")
                return value
            if fld.type in ("integer", "many2one") and isinstance(value, int) and not isinstance(value, bool):
                return value
            if fld.type == "selection":
                return value if value is None or value is False else str(value)
            if isinstance(value, (list, tuple, dict)):
                raise ValueError("a list or mapping is not a single value")
            return to_column(fld, value)
        except (ValueError, TypeError, OverflowError, ValidationError) as error:
            raise ValueError(f"Invalid value {value!r} for field {fld.model}.{fld.name} ({fld.type}): {error}") \
                from None

    def bound(self, fld: Field, col: Any, right: Any) -> Any:
        value = self.convert(fld, right)
        return sa.literal(value, type_=col.type) if value is not None else sa.null()

    def as_text(self, fld: Field, col: Any) -> Any:
        """The column as PostgreSQL writes it as text (`::text`), on both backends."""
        return text_of(col)

    def like(self, text: Any, op: str, pattern: str) -> ColumnElement[bool]:
        if (len(pattern) - len(pattern.rstrip("\\"))) % 2:
            raise ValueError(f"Invalid pattern {pattern!r} for operator {op!r}: it ends with an escape character")
        operand = sa.literal(pattern, sa.Text)
        expr = text.ilike(operand, escape="\\") if "ilike" in op else text.like(operand, escape="\\")
        return sa.not_(expr) if op.startswith("not") else expr


# -- the scalar operator table: (compiler, field, column, operator, operand) -> SQL --------------

ScalarSQL = Callable[[Compiler, Field, Any, str, Any], ColumnElement[bool]]


def _boolean_truth(col: Any, truth: bool) -> ColumnElement[bool]:
    return col == sa.true() if truth else sa.or_(col.is_(None), col == sa.false())


def _equal(c: Compiler, fld: Field, col: Any, op: str, right: Any) -> ColumnElement[bool]:
    if fld.type == "boolean" and isinstance(right, bool):
        return _boolean_truth(col, right)
    if right is False or right is None:
        return col.is_(None)
    return col == c.bound(fld, col, right)


def _not_equal(c: Compiler, fld: Field, col: Any, op: str, right: Any) -> ColumnElement[bool]:
    if fld.type == "boolean" and isinstance(right, bool):
        return _boolean_truth(col, not right)
    if right is False or right is None:
        return col.is_not(None)
    expr = col != c.bound(fld, col, right)
    return sa.or_(expr, col.is_(None)) if right else expr  # negative operators also match NULL


def _equal_if_set(c: Compiler, fld: Field, col: Any, op: str, right: Any) -> ColumnElement[bool]:
    return sa.true() if right is False or right is None else _equal(c, fld, col, "=", right)


def _compare(sql: Callable[[Any, Any], Any]) -> ScalarSQL:
    def compare(c: Compiler, fld: Field, col: Any, op: str, right: Any) -> ColumnElement[bool]:
        return sql(col, c.bound(fld, col, right))  # type: ignore[no-any-return]
    return compare


def _contains(c: Compiler, fld: Field, col: Any, op: str, right: Any) -> ColumnElement[bool]:
    """like / ilike and their negations: `%value%`, wildcards in the value left as they are. False
    (or None) is matched as the empty string is, as Odoo 17 matches it."""
    if right is False or right is None:
        right = ""
    expr = c.like(c.as_text(fld, col), op, f"%{right}%")
    if not right or op in NEGATIVE:  # an empty pattern, or a negative one, also matches NULL
        return sa.or_(expr, col.is_(None))
    return expr


def _pattern(c: Compiler, fld: Field, col: Any, op: str, right: Any) -> ColumnElement[bool]:
    """=like / =ilike: the value is the whole pattern."""
    return c.like(c.as_text(fld, col), op, str(right))


def _among(col: Any, ids: Any) -> ColumnElement[bool]:
    """`col IN ids`: a subquery as it is, a list of ids as one bind parameter (None in the list
    stands for no record)."""
    if isinstance(ids, Select):
        return col.in_(ids)
    return in_values(col, [i for i in ids if i is not None])  # type: ignore[no-any-return]


def _membership(c: Compiler, fld: Field, col: Any, op: str, right: Any) -> ColumnElement[bool]:
    if isinstance(right, bool):
        positive = (op == "in" and right) or (op == "not in" and not right)
        return col.is_not(None) if positive else col.is_(None)
    if isinstance(right, Select):
        return col.in_(right) if op == "in" else col.not_in(right)
    if not isinstance(right, (list, tuple)):
        raise ValueError(f"Invalid domain term {(fld.name, op, right)!r}")
    if fld.type == "boolean":
        params: list[Any] = [v for v in (True, False) if v in right]
        check_null = False in right
    else:
        params = [v for v in right if v is not False and v is not None]
        check_null = len(params) < len(right)
    if params:
        values = [c.convert(fld, v) for v in params]
        # ids, integers, strings: one bind parameter however long the list (other values: one each)
        sql: ColumnElement[bool] = in_values(col, values) if op == "in" else not_in_values(col, values)
    else:
        sql = sa.false() if op == "in" else sa.true()
    if (op == "in" and check_null) or (op == "not in" and not check_null):
        sql = sa.or_(sql, col.is_(None))
    elif op == "not in" and check_null:
        sql = sa.and_(sql, col.is_not(None))
    return sql


SCALAR_OPERATORS: dict[str, ScalarSQL] = {
    "=": _equal, "!=": _not_equal, "=?": _equal_if_set,
    "<": _compare(lambda c, v: c < v), "<=": _compare(lambda c, v: c <= v),
    ">": _compare(lambda c, v: c > v), ">=": _compare(lambda c, v: c >= v),
    "like": _contains, "not like": _contains, "ilike": _contains, "not ilike": _contains,
    "=like": _pattern, "=ilike": _pattern, "in": _membership, "not in": _membership,
}

RELATIONAL_HANDLERS: dict[str, Callable[[Compiler, Model, Any, Field, str, Any], ColumnElement[bool]]] = {
    "one2many": Compiler.one2many, "many2many": Compiler.many2many, "many2one": Compiler.many2one,
}


GROUP = 64  # operands of one AND/OR as SQL writes it; SQLite parses `a OR b OR ...` one level each


def grouped(glue: Callable[..., ColumnElement[bool]], clauses: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    """An n-ary AND/OR as parenthesised groups of at most `GROUP` operands, nested: SQLite refuses
    an expression more than 1000 levels deep, and reads a flat chain of n operands as n levels;
    groups make it a few levels (log base 64), for SQLAlchemy's recursive compiler too."""
    while len(clauses) > GROUP:
        # type_coerce keeps the parentheses, which and_/or_ would flatten away
        clauses = [sa.type_coerce(Grouping(glue(*clauses[i:i + GROUP])), sa.Boolean)
                   for i in range(0, len(clauses), GROUP)]
    return glue(*clauses)


def _outside_int32(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX


def beyond_int32(col: Any, op: str, value: Any) -> ColumnElement[bool] | None:
    """A comparison of a 32-bit column with a number outside its range, answered without sending
    that number (PostgreSQL would refuse it as an int4 parameter): nothing stored equals it, and it
    is above or below every stored value."""
    if not _outside_int32(value) or op not in ("=", "=?", "!=", "<", "<=", ">", ">="):
        return None
    above = value > INT_MAX
    if op in ("=", "=?"):
        return sa.false()
    if op == "!=":
        return sa.true()  # every value differs, and a negative operator matches NULL too
    if op in ("<", "<="):
        return col.is_not(None) if above else sa.false()
    return sa.false() if above else col.is_not(None)


def record_ids(values: Any) -> list[Any]:
    """Record ids of a relational operand: falsy entries and integers beyond 32 bits (no record
    has such an id) dropped; anything else than an integer is the client's error (a ValueError,
    not the driver's refusal to bind it, which differs between backends)."""
    for v in values:
        if v and (isinstance(v, bool) or not isinstance(v, int)):
            raise ValueError(f"Invalid id {v!r}: a record id must be an integer")
    return [v for v in values if v and not _outside_int32(v)]


def name_domain(model: Model, name: Any, operator: str) -> list[Any]:
    """The domain a name search on `model` adds (Odoo's _name_search): the model's own when it
    has one, else its name-search fields OR-ed (AND-ed for negative operators)."""
    own = getattr(classes.lookup(model.name), "_name_search_domain", None)
    return own(name, operator) if own else name_search_domain(name_fields(model), name, operator)


def name_fields(model: Model) -> list[str]:
    """The fields a name search on `model` looks in (Odoo's _rec_names_search, else _rec_name)."""
    declared = classes.lookup(model.name).NAME_SEARCH or ((model.rec_name,) if model.rec_name else ())
    return [f for f in declared if f in model.fields]
