"""A pure-Python oracle for Odoo 17 domain semantics over the golden data set.

It knows nothing about SQL or about the server: it holds the rows of the golden spec (see
`tests/test_golden.py`) in memory, two models only —

  * ``row``: ``id``, scalar fields ``x_name x_code x_int x_float x_flag x_day x_when x_state``,
    ``x_parent_id`` (many2one row), ``x_child_ids`` (one2many row via x_parent_id),
    ``x_tag_ids`` (many2many tag);
  * ``tag``: ``id``, ``x_name``,

and answers "which row ids does this domain select" the way Odoo 17's ``expression.py`` does:

1. the domain (Polish notation, implicit AND) is read into a tree, where a dotted path
   ``a.b`` becomes ``(a, any, [(b, op, value)])`` and ``!`` is pushed down with De Morgan and the
   operator negation table (``< >=``, ``> <=``, ``= !=``, ``in/not in``, ``like/not like``,
   ``ilike/not ilike``, ``any/not any``); other operators keep an explicit NOT;
2. ``any`` / ``not any`` nodes are merged the way Odoo merges them (this only matters for the
   "statically false sub-domain" quirk of many2one ``not any``);
3. the tree is evaluated record by record with SQL three-valued logic (``None`` is UNKNOWN);
   sub-domains (``any``, name searches) become sets of comodel ids, like Odoo's sub-queries.

Ids in domains are the actual record ids (``Dataset.row_ids`` / ``Dataset.tag_ids``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

Tri = bool | None  # True / False / None (SQL UNKNOWN)

SCALAR_TYPES = {"x_name": "char", "x_code": "char", "x_int": "integer", "x_float": "float",
                "x_flag": "boolean", "x_day": "date", "x_when": "datetime", "x_state": "selection"}

# model -> field -> (type, comodel)
SCHEMA: dict[str, dict[str, tuple[str, str | None]]] = {
    "row": {"id": ("id", None), **{f: (t, None) for f, t in SCALAR_TYPES.items()},
            "x_parent_id": ("many2one", "row"), "x_child_ids": ("one2many", "row"),
            "x_tag_ids": ("many2many", "tag")},
    "tag": {"id": ("id", None), "x_name": ("char", None)},
}
OPERATORS = ("=", "!=", "<>", "<=", "<", ">", ">=", "=?", "=like", "=ilike", "like", "not like",
             "ilike", "not ilike", "in", "not in", "child_of", "parent_of", "any", "not any")
NEGATIVE_OPS = frozenset({"!=", "not like", "not ilike", "not in"})
OPPOSITE = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "=": "!=", "!=": "=", "in": "not in",
            "not in": "in", "like": "not like", "not like": "like", "ilike": "not ilike",
            "not ilike": "ilike"}
WILDCARD_OPS = frozenset({"like", "not like", "ilike", "not ilike"})


class DomainError(ValueError):
    """The domain is one Odoo refuses (it would answer with a fault)."""


# ---------------------------------------------------------------------------------------------
# tree
# ---------------------------------------------------------------------------------------------
@dataclass
class Const:
    value: bool


@dataclass
class Not:
    child: Any


@dataclass
class Conj:  # AND when `kind == "&"`, OR when `kind == "|"`
    kind: str
    children: tuple[Any, ...]


@dataclass
class Cond:  # a plain term (path already split): field, operator as written, value
    fname: str
    op: str
    value: Any


@dataclass
class Exists:  # `fname any sub` (negated=False) / `fname not any sub` (negated=True)
    fname: str
    negated: bool
    sub: Any


def negate(node: Any) -> Any:
    """Odoo 17's `!`: De Morgan, negation table on terms, NOT kept for other operators."""
    if isinstance(node, Const):
        return Const(not node.value)
    if isinstance(node, Not):
        return node.child
    if isinstance(node, Conj):
        return Conj("|" if node.kind == "&" else "&", tuple(negate(c) for c in node.children))
    if isinstance(node, Exists):
        return Exists(node.fname, not node.negated, node.sub)
    if node.op in OPPOSITE:
        return Cond(node.fname, OPPOSITE[node.op], node.value)
    return Not(node)


def conj(kind: str, items: Any) -> Any:
    """AND / OR of `items`, flattened, with constants folded (Odoo's _tree_and/_tree_or)."""
    absorbing = kind == "|"  # TRUE absorbs an OR, FALSE absorbs an AND
    kept: list[Any] = []
    for item in items:
        if isinstance(item, Const):
            if item.value == absorbing:
                return item
            continue
        if isinstance(item, Conj) and item.kind == kind:
            kept.extend(item.children)
        else:
            kept.append(item)
    if not kept:
        return Const(not absorbing)
    return kept[0] if len(kept) == 1 else Conj(kind, tuple(kept))


def _is_leaf(item: Any) -> bool:
    return isinstance(item, (list, tuple)) and len(item) == 3 and not isinstance(item, str)


def read_domain(model: str, domain: Any) -> Any:
    """Parse a domain (Polish notation, implicit AND between top-level items)."""
    if not isinstance(domain, (list, tuple)):
        raise DomainError(f"not a domain: {domain!r}")
    items = list(domain)
    pos = 0

    def one() -> Any:
        nonlocal pos
        if pos >= len(items):
            raise DomainError(f"Domain {domain!r} is syntactically not correct.")
        item = items[pos]
        pos += 1
        if item == "!":
            return negate(one())
        if item in ("&", "|"):
            first = one()
            second = one()
            return conj(item, [first, second])
        return read_term(model, item)

    parts = []
    while pos < len(items):
        parts.append(one())
    return conj("&", parts)


def read_term(model: str, item: Any) -> Any:
    if not _is_leaf(item):
        raise DomainError(f"Invalid leaf {item!r}")
    left, op, right = item
    if left in (0, 1) and op == "=" and right == 1 and not isinstance(left, bool):
        return Const(left == 1)
    if not isinstance(left, str) or not left or op not in OPERATORS:
        raise DomainError(f"Invalid leaf {item!r}")
    head, _, rest = left.partition(".")
    if head not in SCHEMA[model]:
        raise DomainError(f"Invalid field {model}.{head} in leaf {item!r}")
    ftype, comodel = SCHEMA[model][head]
    if rest:
        if comodel is None:
            raise DomainError(f"Invalid field {model}.{left} in leaf {item!r}")
        return Exists(head, False, read_term(comodel, (rest, op, right)))
    if op in ("any", "not any"):
        if comodel is None:
            raise DomainError(f"operator {op!r} on non-relational field in {item!r}")
        return Exists(head, op == "not any", read_domain(comodel, right))
    return Cond(head, op, right)


# ---------------------------------------------------------------------------------------------
# merging of any / not any (Odoo's domain_combine_anies), and Odoo's static falsity test
# ---------------------------------------------------------------------------------------------
def merge_exists(model: str, node: Any) -> Any:
    if isinstance(node, Not):
        return negate(merge_exists(model, node.child))
    if isinstance(node, Exists):
        return Exists(node.fname, node.negated, merge_exists(SCHEMA[model][node.fname][1] or "", node.sub))
    if not isinstance(node, Conj):
        return node
    node = conj(node.kind, [merge_exists(model, c) for c in node.children])
    if not isinstance(node, Conj):
        return merge_exists(model, node) if isinstance(node, Exists) else node
    others: list[Any] = []
    groups: dict[tuple[bool, str], list[Any]] = {}
    for child in node.children:
        if isinstance(child, Exists):
            groups.setdefault((child.negated, child.fname), []).append(child.sub)
        else:
            others.append(child)
    out = list(others)
    for (negated, fname), subs in groups.items():
        ftype, comodel = SCHEMA[model][fname]
        assert comodel is not None
        # merge kinds: ANY under OR and NOT ANY under AND (any field) glue with OR;
        # for a many2one, ANY under AND and NOT ANY under OR glue with AND (only if several)
        same_glue = (node.kind == "|") != negated  # any in OR, not any in AND
        if same_glue:
            out.append(Exists(fname, negated, merge_exists(comodel, conj("|", subs))))
        elif ftype == "many2one" and len(subs) > 1:
            out.append(Exists(fname, negated, merge_exists(comodel, conj("&", subs))))
        else:
            out.extend(Exists(fname, negated, merge_exists(comodel, s)) for s in subs)
    return conj(node.kind, out)


def static_value(node: Any) -> int:
    """Odoo's `is_false` abstraction: -1 surely false, +1 surely true, 0 unknown."""
    if isinstance(node, Const):
        return 1 if node.value else -1
    if isinstance(node, Not):
        return -static_value(node.child)
    if isinstance(node, Conj):
        values = [static_value(c) for c in node.children]
        return min(values) if node.kind == "&" else max(values)
    if isinstance(node, Cond) and node.op in ("in", "not in") and not node.value:
        return -1 if node.op == "in" else 1
    return 0


def raw_is_false(domain: Any) -> bool:
    """Odoo's `_search` shortcut, on the domain as written (paths and `!` tokens included): the
    tokens in reverse on a stack, `in` with a falsy operand -1, `not in` +1, others 0."""
    tokens: list[Any] = []
    expected = 1
    for token in domain:  # the implicit ANDs made explicit
        if expected == 0:
            tokens.insert(0, "&")
            expected = 1
        expected += -1 if isinstance(token, (list, tuple)) else {"!": 0, "&": 1, "|": 1}[token]
        tokens.append(token)
    stack: list[int] = []
    for token in reversed(tokens):
        if token in ("&", "|"):
            a, b = stack.pop(), stack.pop()
            stack.append(min(a, b) if token == "&" else max(a, b))
        elif token == "!":
            stack.append(-stack.pop())
        elif list(token) == [1, "=", 1]:
            stack.append(1)
        elif list(token) == [0, "=", 1]:
            stack.append(-1)
        elif token[1] == "in" and not token[2]:
            stack.append(-1)
        elif token[1] == "not in" and not token[2]:
            stack.append(1)
        else:
            stack.append(0)
    return bool(stack) and stack.pop() == -1


# ---------------------------------------------------------------------------------------------
# three-valued helpers
# ---------------------------------------------------------------------------------------------
def t_not(a: Tri) -> Tri:
    return None if a is None else not a


def t_and(*values: Tri) -> Tri:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def t_or(*values: Tri) -> Tri:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def t_in(value: Any, pool: Any) -> Tri:
    """SQL `value IN (pool)` for a pool without NULLs."""
    if value is None:
        return None if pool else False
    return value in pool


def like_regex(pattern: str, insensitive: bool) -> re.Pattern[str]:
    """A LIKE pattern (`%`, `_`, backslash escapes) as an anchored regular expression."""
    out = []
    chars = iter(pattern)
    for ch in chars:
        if ch == "\\":
            out.append(re.escape(next(chars, "")))
        elif ch == "%":
            out.append(".*")
        elif ch == "_":
            out.append(".")
        else:
            out.append(re.escape(ch))
    flags = re.DOTALL
    if insensitive:
        return re.compile("".join(out).lower(), flags)  # both sides go through lower()
    return re.compile("".join(out), flags)


def pg_text(ftype: str, value: Any) -> str:
    """A non-NULL column value cast to text as PostgreSQL does (`col::text`)."""
    if ftype == "boolean":
        return "true" if value else "false"
    if ftype == "float":
        text = repr(float(value))
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def to_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


# ---------------------------------------------------------------------------------------------
# the data set
# ---------------------------------------------------------------------------------------------
class Dataset:
    """The golden spec in memory; `search(domain)` returns the set of matching row ids."""

    def __init__(self, spec: dict[str, Any], row_ids: list[int] | None = None,
                 tag_ids: list[int] | None = None) -> None:
        rows = spec["rows"]
        self.row_ids = list(row_ids) if row_ids is not None else list(range(1, len(rows) + 1))
        self.tag_ids = list(tag_ids) if tag_ids is not None else list(range(1, len(spec["tags"]) + 1))
        self.records: dict[str, dict[int, dict[str, Any]]] = {"row": {}, "tag": {}}
        for tid, name in zip(self.tag_ids, spec["tags"], strict=True):
            self.records["tag"][tid] = {"id": tid, "x_name": name}
        for rid, row in zip(self.row_ids, rows, strict=True):
            rec = {"id": rid}
            for fname in SCALAR_TYPES:
                rec[fname] = row.get(fname)
            parent = row.get("parent")
            rec["x_parent_id"] = None if parent is None else self.row_ids[parent]
            rec["x_tag_ids"] = frozenset(self.tag_ids[k] for k in row.get("tags") or [])
            self.records["row"][rid] = rec
        children: dict[int, set[int]] = {rid: set() for rid in self.row_ids}
        for rid, rec in self.records["row"].items():
            if rec["x_parent_id"] is not None:
                children[rec["x_parent_id"]].add(rid)
        for rid, kids in children.items():
            self.records["row"][rid]["x_child_ids"] = frozenset(kids)

    # -- entry points -------------------------------------------------------------------------
    def search(self, domain: Any, model: str = "row") -> set[int]:
        tree = merge_exists(model, read_domain(model, domain))
        if raw_is_false(domain):
            return set()
        self._memo: dict[Any, set[int]] = {}
        self._keep: list[Any] = []  # keeps memoised nodes alive, so their id() stays unique
        try:
            return self.select(model, tree)
        finally:
            self._memo, self._keep = {}, []

    def search_indexes(self, domain: Any) -> list[int]:
        found = self.search(domain)
        return sorted(k for k, rid in enumerate(self.row_ids) if rid in found)

    def select(self, model: str, tree: Any) -> set[int]:
        """Ids of `model` where `tree` is TRUE (what a sub-query on that domain returns)."""
        key = (model, id(tree))
        memo = getattr(self, "_memo", None)
        if memo is not None and key in memo:
            return memo[key]
        if static_value(tree) == -1:
            found: set[int] = set()
        else:
            found = {rid for rid, rec in self.records[model].items() if self.test(model, tree, rec) is True}
        if memo is not None:
            memo[key] = found
            self._keep.append(tree)
        return found

    # -- evaluation ---------------------------------------------------------------------------
    def test(self, model: str, node: Any, rec: dict[str, Any]) -> Tri:
        if isinstance(node, Const):
            return node.value
        if isinstance(node, Not):
            return t_not(self.test(model, node.child, rec))
        if isinstance(node, Conj):
            results = [self.test(model, c, rec) for c in node.children]
            return t_and(*results) if node.kind == "&" else t_or(*results)
        if isinstance(node, Exists):
            return self.test_exists(model, node, rec)
        return self.test_cond(model, node, rec)

    def name_search(self, comodel: str, name: Any, op: str) -> set[int]:
        """`_name_search(name, [], op)`: x_name compared with `op`; '' with like/ilike is all."""
        if name == "" and op in ("like", "ilike"):
            return set(self.records[comodel])
        key = ("name_search", comodel, op, repr(name))
        memo = getattr(self, "_memo", None)
        if memo is not None and key in memo:
            return memo[key]
        found = self.select(comodel, read_domain(comodel, [("x_name", op, name)]))
        if memo is not None:
            memo[key] = found
        return found

    def related(self, model: str, fname: str, rec: dict[str, Any]) -> frozenset[int]:
        return rec[fname]

    def test_exists(self, model: str, node: Exists, rec: dict[str, Any]) -> Tri:
        ftype, comodel = SCHEMA[model][node.fname]
        assert comodel is not None
        hopeless = static_value(node.sub) == -1
        matching = set() if hopeless else self.select(comodel, node.sub)
        if ftype == "many2one":
            value = rec[node.fname]
            if node.negated:
                if hopeless:  # `parent NOT IN (NULL) OR parent IS NULL`
                    return True if value is None else None
                return True if value is None else value not in matching
            if hopeless:  # `parent IN (NULL)`
                return None
            return t_in(value, matching)
        found = bool(self.related(model, node.fname, rec) & matching)
        return not found if node.negated else found

    def test_cond(self, model: str, node: Cond, rec: dict[str, Any]) -> Tri:
        fname, op, value = node.fname, node.op, node.value
        if op in ("child_of", "parent_of"):
            raise NotImplementedError("child_of / parent_of are not modelled")
        # Odoo's normalize_leaf
        if op == "<>":
            op = "!="
        if isinstance(value, bool) and op in ("in", "not in"):
            op = "=" if op == "in" else "!="
        if isinstance(value, (list, tuple)) and op in ("=", "!="):
            op = "in" if op == "=" else "not in"
        ftype, comodel = SCHEMA[model][fname]
        if ftype in ("one2many", "many2many"):
            return self.test_x2many(model, fname, comodel or "", op, value, rec)
        if ftype == "many2one" and (isinstance(value, str) or (
                isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value))):
            return self.test_many2one_names(fname, comodel or "", op, value, rec)
        if ftype == "datetime" and value and isinstance(value, str) and len(value) == 10:
            value = value + (" 23:59:59" if op in (">", "<=") else " 00:00:00")
        return self.test_column(ftype, rec[fname], op, value)

    def test_many2one_names(self, fname: str, comodel: str, op: str, value: Any,
                            rec: dict[str, Any]) -> Tri:
        if op in ("<", ">", "<=", ">="):
            op = "in"
        if isinstance(value, tuple):
            value = list(value)
        if not isinstance(value, list) and op in ("in", "not in"):
            op = "=" if op == "in" else "!="
        elif isinstance(value, list) and op in ("=", "!="):
            op = "in" if op == "=" else "not in"
        matching = self.name_search(comodel, value, op)
        parent = rec[fname]
        if op in NEGATIVE_OPS:
            return True if parent is None else parent in matching
        return t_in(parent, matching)

    def test_x2many(self, model: str, fname: str, comodel: str, op: str, value: Any,
                    rec: dict[str, Any]) -> Tri:
        linked = self.related(model, fname, rec)
        negative = op in NEGATIVE_OPS
        if value is False:  # "has no lines" / "has lines"
            return bool(linked) if negative else not linked
        if isinstance(value, str):
            if op in ("in", "not in"):
                raise DomainError(f"Invalid domain term {(fname, op, value)!r}")
            targets = self.name_search(comodel, value, OPPOSITE[op] if negative else op)
        elif isinstance(value, (list, tuple)):
            if any(isinstance(v, str) for v in value):
                raise DomainError(f"Invalid ids {value!r}")
            targets = {v for v in value if v}
        else:
            targets = {value} if value else set()
        found = bool(linked & targets)
        return not found if negative else found

    # -- a plain column -----------------------------------------------------------------------
    def convert(self, ftype: str, value: Any) -> Any:
        """Odoo's convert_to_column for a compared value (None for False/None)."""
        if value is None or value is False:
            return None
        if ftype == "integer":
            return int(value or 0)
        if ftype == "float":
            return float(value or 0.0)
        if ftype == "many2one":
            return value or None
        if ftype == "boolean":
            return bool(value)
        if ftype == "datetime" and isinstance(value, str) and len(value) == 10:
            return value + " 00:00:00"
        if ftype in ("char", "selection", "date", "datetime"):
            return to_text(value)
        return value

    def test_column(self, ftype: str, col: Any, op: str, value: Any) -> Tri:
        if op in ("any", "not any"):
            raise DomainError("any on a column")
        if op == "=?":
            if value is False or value is None:
                return True
            op = "="
        if op in ("in", "not in"):
            return self.test_in(ftype, col, op, value)
        if ftype == "boolean" and op in ("=", "!=") and isinstance(value, bool):
            wanted = (not value) if op == "!=" else value
            if wanted:
                return None if col is None else col is True
            return col is None or col is False
        if op == "=" and (value is False or value is None):
            return col is None
        if op == "!=" and (value is False or value is None):
            return col is not None
        wildcard = op in WILDCARD_OPS
        if op in ("=like", "=ilike") and ftype not in ("char", "selection"):
            # the raw value goes to SQL as a number / date: PostgreSQL has no `text LIKE numeric`
            raise DomainError(f"{op} needs a text pattern, not a {ftype} value")
        if op.endswith("like"):
            pattern = f"%{to_text(value)}%" if wildcard else to_text(self.convert(ftype, value))
            if col is None:
                result: Tri = None
            else:
                insensitive = op.endswith("ilike")
                text = pg_text(ftype, col)
                regex = like_regex(pattern, insensitive)
                result = regex.fullmatch(text.lower() if insensitive else text) is not None
                if op.startswith("not "):
                    result = not result
        else:
            right = self.convert(ftype, value)
            if col is None or right is None:
                result = None
            else:
                result = compare(col, op, right)
        if (wildcard and not value) or (value and op in NEGATIVE_OPS):
            result = t_or(result, col is None)
        return result

    def test_in(self, ftype: str, col: Any, op: str, value: Any) -> Tri:
        if isinstance(value, bool):
            positive = (op == "in") == value
            return (col is not None) if positive else (col is None)
        if not isinstance(value, (list, tuple)):
            raise DomainError(f"Invalid domain term ({op!r}, {value!r})")
        if ftype == "boolean":
            params = [b for b in (True, False) if b in value]
            check_null = False in value
        else:
            params = [v for v in value if v is not False and v is not None]
            check_null = len(params) < len(value)
        if params:
            if ftype in ("id", "boolean"):
                pool = set(params)
            else:
                pool = {self.convert(ftype, v) for v in params} - {None}
            if col is None:
                core: Tri = None
            else:
                core = col in pool if op == "in" else col not in pool
        else:
            core = op != "in"
        if (op == "in" and check_null) or (op == "not in" and not check_null):
            return t_or(core, col is None)
        if op == "not in" and check_null:
            return t_and(core, col is not None)
        return core


def compare(left: Any, op: str, right: Any) -> bool:
    if op == "=":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    if op == ">=":
        return bool(left >= right)
    raise DomainError(f"unknown operator {op!r}")


def bind_markers(node: Any, data: Dataset) -> Any:
    """Replace the fixtures' `{"$r": k}` / `{"$t": k}` markers by the data set's ids."""
    if isinstance(node, dict) and len(node) == 1 and next(iter(node)) in ("$r", "$t"):
        ((kind, k),) = node.items()
        return (data.row_ids if kind == "$r" else data.tag_ids)[k]
    if isinstance(node, list):
        return [bind_markers(n, data) for n in node]
    return node
