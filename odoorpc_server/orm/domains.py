"""Odoo's domain language on its own: parsing, operator rewrites, negation and static falsity.

Nothing here knows a model, a field or SQL: a domain is read into immutable nodes, and the rules
Odoo 17 applies before it looks at any field live here as data (the negation table, the rewrites
of each operator). Binding names to fields and emitting SQL is `orm.where`'s business.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

TERM_OPERATORS = ("=", "!=", "<=", "<", ">", ">=", "=?", "=like", "=ilike", "like", "not like", "ilike",
                  "not ilike", "in", "not in", "child_of", "parent_of", "any", "not any")
NEGATIVE = frozenset({"!=", "not like", "not ilike", "not in"})
# Odoo's TERM_OPERATORS_NEGATION: an operator missing here keeps an explicit NOT when negated
NEGATION = {"<": ">=", ">": "<=", "<=": ">", ">=": "<", "=": "!=", "!=": "=", "in": "not in",
            "like": "not like", "ilike": "not ilike", "not in": "in", "not like": "like",
            "not ilike": "ilike", "any": "not any", "not any": "any"}
TRUE_LEAF = (1, "=", 1)
FALSE_LEAF = (0, "=", 1)
LOGIC = {"!": 1, "&": 2, "|": 2}

# -- limits -------------------------------------------------------------------------------------
# Odoo sets none; these are far above what a client writes, and keep one request's parsing and
# SQL bounded. Leaves: the databases' planners are quadratic in the terms of one OR (SQLite
# takes about a second for 8 000 `x = ?` OR-ed; PostgreSQL looks for factors common to OR-ed
# terms of an AND), so 10 000 leaves keep one request to seconds while no hand-written or
# client-built domain comes near it (an `in` list is one leaf, its size
# bounded by the request's). Depth counts levels after flattening (`| | a b
# c` is one level; a dotted path or `any` adds one per step): SQLAlchemy compiles nesting
# recursively, about eight Python frames per level of AND/OR and sixteen per sub-search, so 32
# levels keep every request (with its record rules' levels on top) well inside Python's
# recursion limit of 1000 frames; domains people write, flattened, rarely pass five.
MAX_DOMAIN_LEAVES = 10_000
MAX_DOMAIN_DEPTH = 32


class Domain:
    """A node of a domain tree; trees are immutable and compared by value."""


@dataclass(frozen=True)
class Constant(Domain):
    value: bool


@dataclass(frozen=True)
class Not(Domain):
    child: Domain


@dataclass(frozen=True)
class And(Domain):
    children: tuple[Domain, ...]


@dataclass(frozen=True)
class Or(Domain):
    children: tuple[Domain, ...]


@dataclass(frozen=True)
class Condition(Domain):
    """A leaf as written: `path` may be dotted, `value` is the client's operand."""

    path: str
    operator: str
    value: Any


@dataclass(frozen=True)
class Relation(Domain):
    """`field any sub` / `field not any sub`: a condition on the records a relational field links
    to. Dotted paths become these when a domain is bound to a model. `vacuous` says whether the
    sub-domain as written is statically false (Odoo then skips its query)."""

    field: str
    operator: str
    sub: Domain
    vacuous: bool = False


TRUE = Constant(True)
FALSE = Constant(False)


# -- reading ------------------------------------------------------------------------------------

def is_leaf(item: Any) -> bool:
    """Odoo's shape of a term: three items, a known operator, a field path (or TRUE/FALSE_LEAF)."""
    return (isinstance(item, (list, tuple)) and len(item) == 3
            and isinstance(item[1], str) and item[1] in TERM_OPERATORS + ("<>",)
            and ((isinstance(item[0], str) and bool(item[0])) or tuple(item) in (TRUE_LEAF, FALSE_LEAF)))


def parse(domain: Any) -> Domain:
    """Read a domain (Polish notation, implicit AND) into a tree, checking only its syntax.

    Linear in the domain's length: the binary operators are first read into a raw tree, then each
    run of one operator (a chain `| | | a b c d`, whichever way it leans) becomes one n-ary node,
    and `! !` cancels out. Both passes are loops, never recursion, so that no domain reaches
    Python's recursion limit; a domain beyond `MAX_DOMAIN_LEAVES` or `MAX_DOMAIN_DEPTH` is refused.
    """
    if not isinstance(domain, (list, tuple)):
        raise ValueError(f"Invalid domain {domain!r}: a domain is a list of leaves and operators")
    leaves = 0
    for item in domain:
        if isinstance(item, str) and item in LOGIC:
            continue
        if not is_leaf(item):
            shown = tuple(item) if isinstance(item, list) else item
            raise ValueError(f"Invalid leaf {shown!r}")
        leaves += 1
    check_leaves(leaves)
    stack: list[Domain | _Raw] = []
    for item in reversed(domain):
        if isinstance(item, str):
            arity = LOGIC[item]
            if len(stack) < arity:
                raise ValueError(f"Domain {list(domain)!r} is syntactically not correct.")
            if item == "!":
                stack.append(_Raw("!", [stack.pop()]))
            else:
                first = stack.pop()
                stack.append(_Raw(item, [first, stack.pop()]))
        elif tuple(item) in (TRUE_LEAF, FALSE_LEAF):
            stack.append(TRUE if tuple(item) == TRUE_LEAF else FALSE)
        else:
            stack.append(Condition(item[0], item[1], item[2]))
    stack.reverse()
    return _freeze(_Raw("&", stack))


def check_leaves(count: int) -> None:
    """Refuse a domain of more leaves than `MAX_DOMAIN_LEAVES`, before any work is done on it."""
    if count > MAX_DOMAIN_LEAVES:
        raise ValueError(f"Domain too large: {count} leaves (at most {MAX_DOMAIN_LEAVES})")


def check_depth(depth: int) -> None:
    """Refuse a tree nested deeper than `MAX_DOMAIN_DEPTH` (counted after flattening)."""
    if depth > MAX_DOMAIN_DEPTH:
        raise ValueError(f"Domain too deep: more than {MAX_DOMAIN_DEPTH} nested levels of operators "
                         "and sub-domains")


class _Raw:
    """An operator as read, before runs of it are flattened: `&`/`|` with operands, or `!`."""

    __slots__ = ("op", "kids")

    def __init__(self, op: str, kids: list[Domain | _Raw]) -> None:
        self.op = op
        self.kids = kids


class _Frame:
    """One n-ary node being frozen: its operands still to freeze (last first) and those done."""

    __slots__ = ("op", "todo", "done", "level")

    def __init__(self, raw: _Raw, parent: int) -> None:
        if raw.op == "!":
            negated = True
            child = raw.kids[0]
            while isinstance(child, _Raw) and child.op == "!":  # `! !` cancels out
                negated = not negated
                child = child.kids[0]
            self.op = "!" if negated else ""
            self.todo: list[Domain | _Raw] = [child]
        else:
            self.op = raw.op
            operands: list[Domain | _Raw] = []
            walk: list[Domain | _Raw] = [raw]
            while walk:  # the whole run of this operator, its operands in order
                node = walk.pop()
                if isinstance(node, _Raw) and node.op == raw.op:
                    walk.extend(reversed(node.kids))
                else:
                    operands.append(node)
            operands.reverse()
            self.todo = operands
        self.done: list[Domain] = []
        # the depth of the node this frame makes (an upper bound: constants may fold it away)
        self.level = parent + (1 if self.op and (self.op == "!" or len(self.todo) > 1) else 0)
        check_depth(self.level)

    def node(self) -> Domain:
        if self.op == "&":
            return conjunction(self.done)
        if self.op == "|":
            return disjunction(self.done)
        return Not(self.done[0]) if self.op == "!" else self.done[0]


def _freeze(root: _Raw) -> Domain:
    """The raw tree as immutable nodes, each run of one operator one n-ary node (a loop over an
    explicit stack, each raw node visited once)."""
    frames = [_Frame(root, 0)]
    while True:
        frame = frames[-1]
        if frame.todo:
            item = frame.todo.pop()
            if isinstance(item, _Raw):
                frames.append(_Frame(item, frame.level))
            else:
                frame.done.append(item)
            continue
        frames.pop()
        if not frames:
            return frame.node()
        frames[-1].done.append(frame.node())


# -- combining ----------------------------------------------------------------------------------

def conjunction(nodes: Iterable[Domain]) -> Domain:
    """AND of nodes, flattened, with TRUE dropped and FALSE absorbing."""
    children: list[Domain] = []
    for node in nodes:
        if isinstance(node, Constant):
            if node.value:
                continue
            return FALSE
        children.extend(node.children if isinstance(node, And) else [node])
    if not children:
        return TRUE
    return children[0] if len(children) == 1 else And(tuple(children))


def disjunction(nodes: Iterable[Domain]) -> Domain:
    """OR of nodes, flattened, with FALSE dropped and TRUE absorbing."""
    children: list[Domain] = []
    for node in nodes:
        if isinstance(node, Constant):
            if not node.value:
                continue
            return TRUE
        children.extend(node.children if isinstance(node, Or) else [node])
    if not children:
        return FALSE
    return children[0] if len(children) == 1 else Or(tuple(children))


def negate(node: Domain) -> Domain:
    """NOT pushed into the leaves: De Morgan, then Odoo's negation table; an operator without a
    negation (child_of, =like, ...) keeps an explicit NOT."""
    if isinstance(node, Constant):
        return Constant(not node.value)
    if isinstance(node, Not):
        return node.child
    if isinstance(node, And):
        return disjunction(negate(c) for c in node.children)
    if isinstance(node, Or):
        return conjunction(negate(c) for c in node.children)
    if isinstance(node, Relation):
        return Relation(node.field, NEGATION[node.operator], node.sub, node.vacuous)
    if isinstance(node, Condition) and node.operator in NEGATION:
        return Condition(node.path, NEGATION[node.operator], node.value)
    return Not(node)


def is_false(node: Domain) -> bool:
    """Whether a domain is statically false, with Odoo's three-valued shortcut on the domain as
    written (paths included): `in` with a falsy operand ([] or False) is false, `not in` true,
    anything else unknown.

    Odoo skips the query for such a domain; one level down, that turns a many2one `not any` of a
    statically false sub-domain into `IS NULL` only (see orm.where).
    """
    def value(n: Domain) -> int:
        if isinstance(n, Constant):
            return 1 if n.value else -1
        if isinstance(n, Not):
            return -value(n.child)
        if isinstance(n, And):
            return min(value(c) for c in n.children)
        if isinstance(n, Or):
            return max(value(c) for c in n.children)
        if isinstance(n, Condition) and n.operator in ("in", "not in") and is_falsy(n.value):
            return -1 if n.operator == "in" else 1
        return 0

    return value(node) == -1


def is_falsy(value: Any) -> bool:
    """A falsy operand as Odoo's shortcut sees it (`in False` and `in []` alike)."""
    return value is None or (isinstance(value, (bool, int, float, str, list, tuple)) and not value)


# -- operators ----------------------------------------------------------------------------------

# Odoo's normalize_leaf, one rewrite per operator: (operator, value) -> operator
REWRITES: dict[str, Callable[[Any], str]] = {
    "<>": lambda value: "not in" if isinstance(value, (list, tuple)) else "!=",
    "in": lambda value: "=" if isinstance(value, bool) else "in",
    "not in": lambda value: "!=" if isinstance(value, bool) else "not in",
    "=": lambda value: "in" if isinstance(value, (list, tuple)) else "=",
    "!=": lambda value: "not in" if isinstance(value, (list, tuple)) else "!=",
}


def canonical_operator(operator: str, value: Any) -> str:
    """The operator Odoo evaluates for a term (`<>` is `!=`, `=` with a list is `in`, ...)."""
    rewrite = REWRITES.get(operator)
    return rewrite(value) if rewrite else operator


# -- token lists --------------------------------------------------------------------------------

def normalize_domain(domain: Sequence[Any]) -> list[Any]:
    """A domain with its implicit ANDs written out, so that it can be combined with others (the
    missing `&` all go in front, counted first: one pass)."""
    body: list[Any] = []
    missing = 0
    expected = 1
    for token in domain:
        if expected == 0:
            missing += 1
            expected = 1
        if isinstance(token, (list, tuple)):
            expected -= 1
        else:
            expected += LOGIC.get(token, 0) - 1
        body.append(token)
    return ["&"] * missing + body


def combine(glue: str, domains: Sequence[Sequence[Any]]) -> list[Any]:
    """Domains (token lists) joined with `&` or `|`; an empty domain stands for TRUE."""
    parts = [normalize_domain(d) if d else [TRUE_LEAF] for d in domains]
    out: list[Any] = [glue] * (len(parts) - 1)
    for part in parts:
        out += part
    return out


def name_search_domain(fields: Sequence[str], name: Any, operator: str = "ilike", always: bool = False) -> list[Any]:
    """The domain `_name_search` uses: its fields OR-ed (AND-ed for negative operators)."""
    if not fields:
        return []
    if not always and name == "" and operator in ("like", "ilike"):
        return []
    glue = "&" if operator in NEGATIVE else "|"
    return combine(glue, [[(f, operator, name)] for f in fields])
