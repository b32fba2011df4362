"""Odoo domains: parse and validate, normalise (paths become `any`, `!` pushed into leaves
with Odoo's negation table), then translate to SQLAlchemy expressions.

The pipeline follows Odoo 17's expression semantics, NULL rules included; every value from
the client reaches SQL as a bound parameter, and every name is checked against the registry.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement, Select

from odoorpc_server.exceptions import ValidationError
from odoorpc_server.orm import access
from odoorpc_server.orm.fields import Field, beyond_int32, to_column

if TYPE_CHECKING:
    from odoorpc_server.orm.env import Env
    from odoorpc_server.orm.registry import Model

TERM_OPERATORS = ("=", "!=", "<=", "<", ">", ">=", "=?", "=like", "=ilike", "like", "not like", "ilike",
                  "not ilike", "in", "not in", "child_of", "parent_of", "any", "not any")
NEGATIVE = ("!=", "not like", "not ilike", "not in")
NEGATION = {"<": ">=", ">": "<=", "<=": ">", ">=": "<", "=": "!=", "!=": "=", "in": "not in",
            "like": "not like", "ilike": "not ilike", "not in": "in", "not like": "like",
            "not ilike": "ilike", "any": "not any", "not any": "any"}
TRUE_LEAF = (1, "=", 1)
FALSE_LEAF = (0, "=", 1)

# Tree nodes: ("?", bool) | ("!", node) | ("&", *nodes) | ("|", *nodes) | (op, left, right)
Node = tuple[Any, ...]


def is_leaf(item: Any) -> bool:
    return (isinstance(item, (list, tuple)) and len(item) == 3
            and isinstance(item[1], str) and item[1] in TERM_OPERATORS + ("<>",)
            and ((isinstance(item[0], str) and bool(item[0])) or tuple(item) in (TRUE_LEAF, FALSE_LEAF)))


def _and(nodes: Any) -> Node:
    children: list[Node] = []
    for n in nodes:
        if n == ("?", True):
            continue
        if n == ("?", False):
            return n
        children.extend(n[1:] if n[0] == "&" else [n])
    if not children:
        return ("?", True)
    return children[0] if len(children) == 1 else ("&", *children)


def _or(nodes: Any) -> Node:
    children: list[Node] = []
    for n in nodes:
        if n == ("?", False):
            continue
        if n == ("?", True):
            return n
        children.extend(n[1:] if n[0] == "|" else [n])
    if not children:
        return ("?", False)
    return children[0] if len(children) == 1 else ("|", *children)


def _not(node: Node) -> Node:
    kind = node[0]
    if kind == "?":
        return ("?", not node[1])
    if kind == "!":
        return node[1]
    if kind == "&":
        return ("|", *(_not(n) for n in node[1:]))
    if kind == "|":
        return ("&", *(_not(n) for n in node[1:]))
    if kind in NEGATION:
        return (NEGATION[kind], node[1], node[2])
    return ("!", node)


def parse(model: Model, domain: Any, registry: Any) -> Node:
    """Validate a domain against `model` and return its normalised tree."""
    if not isinstance(domain, (list, tuple)):
        raise ValueError(f"Invalid domain {domain!r}: a domain is a list of leaves and operators")
    stack: list[Node] = []
    for item in reversed(domain):
        if isinstance(item, str) and item in ("!", "&", "|"):
            arity = 1 if item == "!" else 2
            if len(stack) < arity:
                raise ValueError(f"Domain {list(domain)!r} is syntactically not correct.")
            if item == "!":
                stack.append(_not(stack.pop()))
            else:
                pair = (stack.pop(), stack.pop())
                stack.append(_and(pair) if item == "&" else _or(pair))
            continue
        stack.append(_leaf_node(model, item, registry))
    return _and(reversed(stack))


def _leaf_node(model: Model, item: Any, registry: Any) -> Node:
    if not isinstance(item, (list, tuple)) or len(item) != 3:
        raise ValueError(f"Invalid leaf {item!r}")
    if tuple(item) == TRUE_LEAF:
        return ("?", True)
    if tuple(item) == FALSE_LEAF:
        return ("?", False)
    left, op, right = item
    if not is_leaf(item):
        raise ValueError(f"Invalid leaf {tuple(item)!r}")
    path = left.split(".", 1)
    fld = model.fields.get(path[0])
    if fld is None:
        raise ValueError(f"Invalid field {model.name}.{path[0]} in leaf {tuple(item)!r}")
    if len(path) > 1:
        if not fld.relational:
            raise ValueError(f"Invalid field {model.name}.{left} in leaf {tuple(item)!r}")
        comodel = registry.comodel(fld)
        return ("any", path[0], _leaf_node(comodel, (path[1], op, right), registry))
    if op in ("any", "not any"):
        if not fld.relational:
            raise ValueError(f"Invalid leaf {tuple(item)!r}: operator {op!r} needs a relational field")
        return (op, left, parse(registry.comodel(fld), right, registry))
    return (op, left, right)


def normalize_domain(domain: list[Any]) -> list[Any]:
    """A domain with its implicit ANDs written out, so that it can be combined with others."""
    out: list[Any] = []
    expected = 1
    for token in domain:
        if expected == 0:
            out.insert(0, "&")
            expected = 1
        if isinstance(token, (list, tuple)):
            expected -= 1
        else:
            expected += {"!": 0, "&": 1, "|": 1}.get(token, -1)
        out.append(token)
    return out


def is_false(node: Node) -> bool:
    """Whether a tree is statically false, with Odoo's three-valued shortcut logic.

    Odoo skips the query for such domains and injects an empty id list instead, which turns
    a surrounding many2one `not any` into `IS NULL` only (NOT IN (NULL) is never true).
    """
    def value(n: Node) -> int:
        kind = n[0]
        if kind == "?":
            return 1 if n[1] else -1
        if kind == "!":
            return -value(n[1])
        if kind == "&":
            return min(value(c) for c in n[1:])
        if kind == "|":
            return max(value(c) for c in n[1:])
        if kind == "in" and not n[2]:
            return -1
        if kind == "not in" and not n[2]:
            return 1
        return 0

    return value(node) == -1


def normalize_leaf(op: str, right: Any) -> str:
    op = op.lower()
    if op == "<>":
        op = "!="
    if isinstance(right, bool) and op in ("in", "not in"):
        op = "=" if op == "in" else "!="
    if isinstance(right, (list, tuple)) and op in ("=", "!="):
        op = "in" if op == "=" else "not in"
    return op


class Compiler:
    """Turns a normalised domain tree into a WHERE clause over one model's table."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.sqlite = env.registry.sqlite

    # -- entry points -------------------------------------------------------------------------
    def where(self, model: Model, domain: Any, active_test: bool | None = None) -> ColumnElement[bool]:
        if active_test is None:
            active_test = self.env.context.get("active_test", True) is not False
        domain = list(domain or [])
        active = model.active_name
        if active and active_test and not any(
                isinstance(item, (list, tuple)) and item and item[0] == active for item in domain):
            domain = [(active, "=", 1)] + domain
        tree = parse(model, domain, self.env.registry)
        if is_false(tree):  # Odoo skips the query of a statically false domain: `in False` finds nothing
            return sa.false()
        return self.with_rules(model, self.node(model, model.table, tree))

    def with_rules(self, model: Model, clause: ColumnElement[bool]) -> ColumnElement[bool]:
        """The user's read rules on `model` AND-ed to a search, sub-searches included."""
        rules = access.rule_domain(self.env, model, "read")
        if rules is None:
            return clause
        sudo = Compiler(self.env.sudo())
        return sa.and_(sudo.node(model, model.table, parse(model, rules, self.env.registry)), clause)

    def ids_query(self, model: Model, domain: Any, active_test: bool | None = None) -> Select[Any]:
        return sa.select(model.table.c.id).where(self.where(model, domain, active_test))

    # -- tree ---------------------------------------------------------------------------------
    def node(self, model: Model, table: Any, node: Node) -> ColumnElement[bool]:
        kind = node[0]
        if kind == "?":
            return sa.true() if node[1] else sa.false()
        if kind == "!":
            return sa.not_(self.node(model, table, node[1]))
        if kind == "&":
            return sa.and_(*(self.node(model, table, n) for n in node[1:]))
        if kind == "|":
            return sa.or_(*(self.node(model, table, n) for n in node[1:]))
        return self.leaf(model, table, kind, node[1], node[2])

    def leaf(self, model: Model, table: Any, op: str, left: str, right: Any) -> ColumnElement[bool]:
        fld = model.fields[left]
        if fld.group_ids:
            access.check_field(self.env, model, fld)
        if op in ("any", "not any"):
            return self.any(model, table, fld, op, right)
        op = normalize_leaf(op, right)
        if left == "id" and op in ("child_of", "parent_of"):
            ids = self.hierarchy(model, model.parent_name, self.to_ids(right, model), op)
            return table.c.id.in_(ids) if ids else sa.false()
        if not fld.store or fld.related or fld.secret or left == "display_name":
            return self.computed(model, table, fld, op, right)
        if fld.type == "one2many":
            return self.one2many(model, table, fld, op, right)
        if fld.type == "many2many":
            return self.many2many(model, table, fld, op, right)
        if fld.type == "many2one":
            return self.many2one(model, table, fld, op, right)
        if fld.type == "datetime" and right and isinstance(right, str) and len(right) == 10:
            right += " 23:59:59" if op in (">", "<=") else " 00:00:00"
        return self.to_sql(fld, table.c[left], op, right)

    # -- relational ---------------------------------------------------------------------------
    def any(self, model: Model, table: Any, fld: Field, op: str, sub: Node) -> ColumnElement[bool]:
        comodel = self.searched(fld)
        if fld.type == "many2one":
            col = table.c[fld.name]
            if op == "not any" and is_false(sub):
                return col.is_(None)
            ids = sa.select(comodel.table.c.id).where(self.where_tree(comodel, sub, active_test=False))
            return col.in_(ids) if op == "any" else sa.or_(col.not_in(ids), col.is_(None))
        ids = sa.select(comodel.table.c.id).where(self.where_tree(comodel, sub, active_test=None))
        cond = self.x2many_match(model, table, fld, ids)
        return cond if op == "any" else sa.not_(cond)

    def where_tree(self, model: Model, tree: Node, active_test: bool | None) -> ColumnElement[bool]:
        if active_test is None:
            active_test = self.env.context.get("active_test", True) is not False
        if is_false(tree):
            return sa.false()
        clause = self.node(model, model.table, tree)
        active = model.active_name
        if active and active_test:
            clause = sa.and_(model.table.c[active] == sa.true(), clause)
        return self.with_rules(model, clause)

    def x2many_match(self, model: Model, table: Any, fld: Field, ids: Any) -> ColumnElement[bool]:
        """Records having at least one related record among `ids` (a list or a subquery)."""
        if fld.type == "one2many":
            comodel = self.env.registry.comodel(fld)
            inverse = comodel.table.c[fld.relation_field or ""]
            sub = sa.select(inverse).where(comodel.table.c.id.in_(ids), inverse.is_not(None))
            return table.c.id.in_(sub)
        rel = model.relations[fld.name]
        _, c1, c2 = self.env.registry.m2m_spec(fld)
        return sa.exists(sa.select(1).select_from(rel).where(rel.c[c1] == table.c.id, rel.c[c2].in_(ids)))

    def searched(self, fld: Field) -> Model:
        """The comodel a leaf searches through: the user must be allowed to read it, as Odoo's
        sub-searches check the comodel's access rights."""
        comodel = self.env.registry.comodel(fld)
        access.check_model(self.env, comodel, "read")
        return comodel

    def name_ids(self, comodel: Model, value: Any, op: str, active_test: bool | None) -> Select[Any]:
        access.check_model(self.env, comodel, "read")
        domain = name_search_domain(comodel, value, op)
        return self.ids_query(comodel, domain, active_test)

    def positive_names(self, comodel: Model, name: str, op: str) -> Select[Any]:
        """x2many compared with a name: a negative operator is searched positively, then negated."""
        return self.name_ids(comodel, name, NEGATION[op] if op in NEGATIVE else op, None)

    def one2many(self, model: Model, table: Any, fld: Field, op: str, right: Any) -> ColumnElement[bool]:
        comodel = self.env.registry.comodel(fld)
        if op in ("child_of", "parent_of"):
            roots = self.to_ids(right, comodel)
            if comodel.name == model.name:
                found = self.hierarchy(model, fld.name, roots, op)
                return table.c.id.in_(found) if found else sa.false()
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
        if op in ("child_of", "parent_of"):
            found = self.hierarchy(comodel, comodel.parent_name, self.to_ids(right, comodel), op)
            if comodel.name == model.name:
                return table.c.id.in_(found) if found else sa.false()
            return sa.exists(sa.select(1).select_from(rel).where(link, rel.c[c2].in_(found or [None])))
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
        if op in ("child_of", "parent_of"):
            ids = self.to_ids(right, comodel)
            if comodel.name == model.name:
                found = self.hierarchy(model, fld.name, ids, op)
                return table.c.id.in_(found) if found else sa.false()
            found = self.hierarchy(comodel, comodel.parent_name, ids, op)
            return col.in_(found) if found else sa.false()
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
        return self.to_sql(fld, col, op, right)

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
        """Ids of `ids` and their descendants (child_of) or ancestors (parent_of)."""
        if not parent or parent not in model.fields:
            raise ValueError(f"Invalid parent field on model {model.name!r}")
        access.check_model(self.env, model, "read")
        col = model.table.c[parent]
        seen: set[int] = set()
        todo = {i for i in ids if i}
        while todo:
            seen |= todo
            if op == "child_of":
                q = sa.select(model.table.c.id).where(col.in_(sorted(todo)))
            else:
                q = sa.select(col).where(model.table.c.id.in_(sorted(todo)), col.is_not(None))
            todo = set(self.env.conn.execute(q).scalars()) - seen
        if op == "child_of":
            existing = self.env.conn.execute(sa.select(model.table.c.id).where(model.table.c.id.in_(sorted(seen))))
            return sorted(existing.scalars())
        return sorted(seen)

    def computed(self, model: Model, table: Any, fld: Field, op: str, right: Any) -> ColumnElement[bool]:
        """Non-stored fields searchable the way Odoo's search methods make them."""
        if fld.name == "display_name":
            tree = parse(model, name_search_domain(model, right, op, always=True), self.env.registry)
            return self.node(model, table, tree)
        if fld.related:
            tree = parse(model, [(fld.related, op, right)], self.env.registry)
            return self.node(model, table, tree)
        search = COMPUTED_SEARCH.get(fld.compute or "")
        if search:
            tree = parse(model, search(op, right), self.env.registry)
            return self.node(model, table, tree)
        return sa.true()  # Odoo ignores leaves on fields it cannot search

    # -- scalar leaves ------------------------------------------------------------------------
    def convert(self, fld: Field, value: Any) -> Any:
        """A leaf value as the column stores it; a value of the wrong type names the culprit."""
        try:
            if fld.name == "id":
                if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                    value = int(value)  # PostgreSQL casts such a literal for Odoo
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError("an id must be an integer")
                return beyond_int32(value)
            if fld.type in ("integer", "many2one") and isinstance(value, int) and not isinstance(value, bool):
                return beyond_int32(value)
            if fld.type == "selection":
                return value if value is None or value is False else str(value)
            if isinstance(value, (list, tuple, dict)):
                raise ValueError("a list or mapping is not a single value")
            return to_column(fld, value, self.sqlite)
        except (ValueError, TypeError, OverflowError, ValidationError) as error:
            raise ValueError(f"Invalid value {value!r} for field {fld.model}.{fld.name} ({fld.type}): {error}") \
                from None

    def to_sql(self, fld: Field, col: Any, op: str, right: Any) -> ColumnElement[bool]:
        if op == "=?":
            if right is False or right is None:
                return sa.true()
            op = "="
        if op in ("in", "not in"):
            return self.in_sql(fld, col, op, right)
        if fld.type == "boolean" and op in ("=", "!=") and isinstance(right, bool):
            truth = (not right) if op == "!=" else right
            return col == sa.true() if truth else sa.or_(col.is_(None), col == sa.false())
        if op == "=" and (right is False or right is None):
            return col.is_(None)
        if op == "!=" and (right is False or right is None):
            return col.is_not(None)
        wildcard = op in ("like", "ilike", "not like", "not ilike")
        if wildcard:
            value: Any = f"%{right}%"
        elif op in ("=like", "=ilike"):
            value = str(right)
        else:
            value = self.convert(fld, right)
        if op.endswith("like"):
            expr = self.like(self.as_text(fld, col), op, value)
        else:
            expr = COMPARATORS[op](col, sa.literal(value, type_=col.type) if value is not None else sa.null())
        if (wildcard and not right) or (right and op in NEGATIVE):
            expr = sa.or_(expr, col.is_(None))
        return expr

    def as_text(self, fld: Field, col: Any) -> Any:
        """The column as PostgreSQL writes it as text (`::text`), on SQLite too."""
        if not self.sqlite:
            return sa.cast(col, sa.Text)
        if fld.type == "boolean":
            return sa.case((col == sa.true(), "true"), (col == sa.false(), "false"), else_=sa.null())
        if fld.type in ("float", "monetary"):
            return sa.func.pg_float_text(col)
        return sa.cast(col, sa.Text)

    def like(self, text: Any, op: str, pattern: str) -> ColumnElement[bool]:
        if (len(pattern) - len(pattern.rstrip("\\"))) % 2:
            raise ValueError(f"Invalid pattern {pattern!r} for operator {op!r}: it ends with an escape character")
        insensitive = "ilike" in op
        if insensitive and self.sqlite:
            expr = sa.func.py_lower(text).like(sa.func.py_lower(sa.literal(pattern, sa.Text)), escape="\\")
        elif insensitive:
            expr = text.ilike(sa.literal(pattern, sa.Text), escape="\\")
        else:
            expr = text.like(sa.literal(pattern, sa.Text), escape="\\")
        return sa.not_(expr) if op.startswith("not") else expr

    def in_sql(self, fld: Field, col: Any, op: str, right: Any) -> ColumnElement[bool]:
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
            values = [self.convert(fld, v) for v in params]
            sql: ColumnElement[bool] = col.in_(values) if op == "in" else col.not_in(values)
        else:
            sql = sa.false() if op == "in" else sa.true()
        if (op == "in" and check_null) or (op == "not in" and not check_null):
            sql = sa.or_(sql, col.is_(None))
        elif op == "not in" and check_null:
            sql = sa.and_(sql, col.is_not(None))
        return sql


def record_ids(values: Any) -> list[Any]:
    """Record ids of a relational operand: falsy entries dropped, integers beyond 32 bits
    (no record has such an id) moved just outside the range so both backends take them."""
    return [beyond_int32(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in values if v]


COMPARATORS: dict[str, Callable[[Any, Any], Any]] = {
    "=": lambda c, v: c == v, "!=": lambda c, v: c != v, "<": lambda c, v: c < v,
    "<=": lambda c, v: c <= v, ">": lambda c, v: c > v, ">=": lambda c, v: c >= v,
}

# search implementations of non-stored computed fields, by compute name
COMPUTED_SEARCH: dict[str, Callable[[str, Any], list[Any]]] = {
    "company_type": lambda op, value: [("is_company", op if op in ("=", "!=") else "=",
                                        value == "company" if isinstance(value, str) else value)],
}


def name_search_domain(model: Model, name: Any, operator: str = "ilike", always: bool = False) -> list[Any]:
    """The domain `_name_search` uses: its fields OR-ed (AND-ed for negative operators)."""
    fields = [f for f in model.name_search if f in model.fields]
    if not fields:
        return []
    if not always and name == "" and operator in ("like", "ilike"):
        return []
    leaves = [[(f, operator, name)] for f in fields]
    glue = "&" if operator in NEGATIVE else "|"
    domain: list[Any] = [glue] * (len(leaves) - 1)
    for leaf in leaves:
        domain += leaf
    return domain
