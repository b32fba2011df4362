"""The XML-RPC answer writer: the same bytes as the stdlib marshaller with Odoo's rules
(`xmlrpc.OdooMarshaller`), written by one function that tests the common types inline.

Why: a search_read answer is thousands of values, and the stdlib marshaller pays a dispatch
lookup, a bound-method call and several writes for each. Here strings, integers, booleans,
floats, lists and dictionaries take one branch and one append each; any other type is handed
to the marshaller itself, so rare values (dates, bytes, DateTime, Binary, objects) and every
error text stay exactly the stdlib's.
"""
from __future__ import annotations

import xmlrpc.client
from typing import Any

from odoorpc_server.orm.reading import ChunkedRows

MAXINT = xmlrpc.client.MAXINT
MININT = xmlrpc.client.MININT
# the characters XML 1.0 cannot carry, which Odoo's marshaller strips from strings
CONTROL_CHARACTERS = dict.fromkeys(set(range(32)) - {9, 10, 13})


def escape(value: str) -> str:
    """& < > as entities (what the stdlib does to member names)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text(value: str) -> str:
    """A string as the marshaller writes it: control characters dropped, & < > escaped."""
    if not value.isprintable():  # tabs and newlines too: then the (slower) full translation
        value = value.translate(CONTROL_CHARACTERS)
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


# parts written before they are joined into one encoded chunk: a big answer is held as bytes,
# not as millions of small strings
FLUSH_PARTS = 20_000


class Writer:
    """One answer's parts; `fallback` writes what only the full marshaller knows."""

    def __init__(self, fallback: xmlrpc.client.Marshaller) -> None:
        self.parts: list[str] = []
        self.chunks: list[bytes] = []
        self.fallback = fallback
        self.open: set[int] = set()  # containers being written: a cycle is refused, as the stdlib does

    def flush(self) -> None:
        self.chunks.append("".join(self.parts).encode())
        self.parts.clear()

    def value(self, value: Any) -> None:
        out = self.parts.append
        kind = type(value)
        if kind is str:
            out(f"<value><string>{text(value)}</string></value>\n")
        elif kind is int:
            if value > MAXINT or value < MININT:
                raise OverflowError("int exceeds XML-RPC limits")
            out(f"<value><int>{value}</int></value>\n")
        elif kind is bool:
            out("<value><boolean>1</boolean></value>\n" if value else "<value><boolean>0</boolean></value>\n")
        elif kind is float:
            out(f"<value><double>{value!r}</double></value>\n")
        elif kind is dict:
            self.struct(value)
        elif kind is list or kind is tuple or kind is ChunkedRows:
            self.array(value)
        else:
            self.fallback._Marshaller__dump(value, out)  # type: ignore[attr-defined]

    def struct(self, value: dict[Any, Any]) -> None:
        ident = id(value)
        if ident in self.open:
            raise TypeError("cannot marshal recursive dictionaries")
        self.open.add(ident)
        out = self.parts.append
        out("<value><struct>\n")
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("dictionary key must be string")
            name = key if key.isidentifier() else escape(key)
            kind = type(item)  # the scalars of a record inline: most members are one
            if kind is str:
                out(f"<member>\n<name>{name}</name>\n<value><string>{text(item)}</string></value>\n</member>\n")
            elif kind is bool:
                out(f"<member>\n<name>{name}</name>\n<value><boolean>{int(item)}</boolean></value>\n</member>\n")
            elif kind is int and MININT <= item <= MAXINT:
                out(f"<member>\n<name>{name}</name>\n<value><int>{item}</int></value>\n</member>\n")
            else:
                out(f"<member>\n<name>{name}</name>\n")
                self.value(item)
                out("</member>\n")
        out("</struct></value>\n")
        self.open.discard(ident)

    def array(self, value: list[Any] | tuple[Any, ...] | ChunkedRows) -> None:
        ident = id(value)
        if ident in self.open:
            raise TypeError("cannot marshal recursive sequences")
        self.open.add(ident)
        self.parts.append("<value><array><data>\n")
        for item in value:
            self.value(item)
            if len(self.parts) > FLUSH_PARTS:
                self.flush()
        self.parts.append("</data></array></value>\n")
        self.open.discard(ident)


def params(values: tuple[Any, ...], fallback: xmlrpc.client.Marshaller) -> list[bytes]:
    """The `<params>` block of a methodResponse, as `Marshaller.dumps(values)` writes it, in
    UTF-8 chunks; a ChunkedRows is written as the array it stands for, a chunk at a time."""
    writer = Writer(fallback)
    writer.parts.append("<params>\n")
    for item in values:
        writer.parts.append("<param>\n")
        writer.value(item)
        writer.parts.append("</param>\n")
    writer.parts.append("</params>\n")
    writer.flush()
    return writer.chunks


def params_text(values: tuple[Any, ...], fallback: xmlrpc.client.Marshaller) -> str:
    """`params` as one string (what `Marshaller.dumps` returns)."""
    return b"".join(params(values, fallback)).decode()
