"""Query-string values in the REST document's own syntax: Python literals (`[('is_company', '=',
True)]`, `{'name': 'Peter'}`, `['name']`), with JSON's `true`, `false` and `null` accepted too.

The text is parsed by Python's parser into a syntax tree and only literal nodes are turned into
values: nothing is ever evaluated, names other than the six constant spellings are refused, and
the size of the input, the number of nodes and the nesting depth are bounded so that a hostile
query string costs little and answers a clear error.
"""
from __future__ import annotations

import ast
from typing import Any

MAX_TEXT = 256 * 1024  # characters of one parameter
MAX_NODES = 100_000
MAX_DEPTH = 64
NAMES = {"True": True, "False": False, "None": None, "true": True, "false": False, "null": None}


class LiteralError(ValueError):
    """A parameter that is not a literal (or too big to be one): the client's error (400)."""

    odoo_name = "builtins.ValueError"
    http_status = 400


def parse(text: str, name: str = "value") -> Any:
    """The value `text` spells; LiteralError saying why when it spells none."""
    if len(text) > MAX_TEXT:
        raise LiteralError(f"Parameter {name!r} is too long ({len(text)} characters, at most {MAX_TEXT})")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise LiteralError(f"Parameter {name!r} is not a literal: {getattr(error, 'msg', error)}") from None
    budget = [MAX_NODES]
    return _value(tree.body, name, 0, budget)


def _value(node: ast.AST, name: str, depth: int, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise LiteralError(f"Parameter {name!r} has more than {MAX_NODES} elements")
    if depth > MAX_DEPTH:
        raise LiteralError(f"Parameter {name!r} is nested more than {MAX_DEPTH} levels deep")
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool, type(None))):
        return node.value
    if isinstance(node, ast.Name) and node.id in NAMES:
        return NAMES[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) \
            and isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float):
        number: int | float = node.operand.value  # type: ignore[assignment]
        return -number if isinstance(node.op, ast.USub) else number
    if isinstance(node, ast.List):
        return [_value(item, name, depth + 1, budget) for item in node.elts]
    if isinstance(node, ast.Tuple):  # domain leaves: JSON and XML-RPC clients send them as lists too
        return [_value(item, name, depth + 1, budget) for item in node.elts]
    if isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):
            raise LiteralError(f"Parameter {name!r} is not a literal: ** in a dictionary")
        keys = [_value(key, name, depth + 1, budget) for key in node.keys if key is not None]
        if not all(isinstance(key, (str, int, float, bool, type(None))) for key in keys):
            raise LiteralError(f"Parameter {name!r} has a dictionary key that is not a string or number")
        return dict(zip(keys, (_value(v, name, depth + 1, budget) for v in node.values), strict=True))
    raise LiteralError(f"Parameter {name!r} is not a literal: {type(node).__name__.lower()} is not allowed")


def ids(text: str, name: str = "ids") -> list[int]:
    """`12,17` (the document's form), `12` or a literal list `[12, 17]`."""
    stripped = text.strip()
    if stripped.startswith("["):
        value = parse(stripped, name)
    else:
        if len(stripped) > MAX_TEXT:
            raise LiteralError(f"Parameter {name!r} is too long ({len(stripped)} characters, at most {MAX_TEXT})")
        try:
            value = [int(part) for part in stripped.split(",") if part.strip()]
        except ValueError:
            raise LiteralError(f"Parameter {name!r} must be comma-separated record ids, not {text[:80]!r}") from None
    if not isinstance(value, list) or not all(type(v) is int for v in value):
        raise LiteralError(f"Parameter {name!r} must be a list of record ids")
    return value
