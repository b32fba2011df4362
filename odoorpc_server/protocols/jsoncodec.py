"""JSON as Odoo writes it (shared by /jsonrpc, the web routes and JSON-2): dates as Odoo's
strings, bytes as text, anything else as its `str`, and exceptions serialized the way Odoo's
`serialize_exception` does."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from odoorpc_server.exceptions import odoo_name
from odoorpc_server.orm.reading import ChunkedRows
from odoorpc_server.protocols.xmlrpc import odoo_traceback


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (set, frozenset)):
        return list(value)
    return str(value)


def dumps(value: Any) -> bytes:
    text = json.dumps(value, default=_default, ensure_ascii=False)
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate (JSON lets a client send "\ud800"): JSON's escape carries it
        return json.dumps(value, default=_default).encode()


def dump_chunks(value: Any) -> list[bytes]:
    """`dumps(value)` in chunks: a ChunkedRows (a big read), as the value or one of the values of
    an object (an envelope's `result`), is written a chunk of rows at a time as they are fetched,
    so that memory holds the encoded answer and one chunk of rows, never every row at once."""
    if isinstance(value, ChunkedRows):
        return _rows_chunks(value)
    if isinstance(value, dict) and any(isinstance(v, ChunkedRows) for v in value.values()):
        out = [b"{"]
        for n, (key, item) in enumerate(value.items()):
            out.append((b", " if n else b"") + dumps(str(key)) + b": ")
            out += dump_chunks(item)
        out.append(b"}")
        return out
    return [dumps(value)]


def _rows_chunks(rows: ChunkedRows) -> list[bytes]:
    out = [b"["]
    for chunk in rows.chunks():
        if chunk:
            out.append((b", " if len(out) > 1 else b"") + dumps(chunk)[1:-1])
    out.append(b"]")
    return out


def loads(body: bytes) -> Any:
    """The decoded body; ValueError when it is no JSON (a bad UTF-8 body included, and nesting
    too deep for the decoder, which is a client's error, not the server's)."""
    try:
        return json.loads(body.decode("utf-8") if body else "null")
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def arguments(error: BaseException) -> list[Any]:
    """The exception's args as JSON can carry them."""
    return [a if isinstance(a, (str, int, float, bool, type(None), list, dict)) else str(a) for a in error.args]


def serialize_exception(error: BaseException) -> dict[str, Any]:
    """Odoo's error object: name, debug (the traceback), message, arguments, context."""
    return {"name": odoo_name(error), "debug": odoo_traceback(error), "message": str(error),
            "arguments": arguments(error), "context": dict(getattr(error, "context", None) or {})}
