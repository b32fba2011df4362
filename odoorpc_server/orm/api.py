"""What a method promises to remote callers, declared on the method itself (Odoo's `@api.model`
and the rest of its RPC contract): whether it takes record ids first, and whether it only reads
(the call path then opens a read-only transaction).

A model method is callable over RPC only when it carries one of these decorators; anything else,
and every name starting with `_`, is private.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
ATTRIBUTE = "__rpc__"


@dataclass(frozen=True)
class Exposure:
    """How remote callers reach a method: `records` methods take ids as their first argument."""

    records: bool
    readonly: bool


def _expose(records: bool, readonly: bool) -> Callable[[F], F]:
    def mark(fn: F) -> F:
        setattr(fn, ATTRIBUTE, Exposure(records, readonly))
        return fn
    return mark


def model(readonly: bool = False) -> Callable[[F], F]:
    """A method of the model as a whole (Odoo's `@api.model`): no ids."""
    return _expose(False, readonly)


def records(readonly: bool = False) -> Callable[[F], F]:
    """A method of records: remote callers pass the ids first."""
    return _expose(True, readonly)


ROW = "__rpc_row__"


def only_where(row: str) -> Callable[[F], F]:
    """A method that exists only under the versions where DIFFERENCES row `row` holds (the
    method checks the profile itself; the API documentation leaves it out elsewhere)."""
    def mark(fn: F) -> F:
        setattr(fn, ROW, row)
        return fn
    return mark


def version_row(cls: type, name: str) -> str | None:
    """The DIFFERENCES row a method of `cls` exists under, if it is version-gated."""
    found = getattr(getattr(cls, name, None), ROW, None)
    return found if isinstance(found, str) else None


def exposure(cls: type, name: str) -> Exposure | None:
    """The RPC contract of `cls.name`, or None when it is not callable remotely."""
    if not isinstance(name, str) or name.startswith("_"):
        return None
    fn = getattr(cls, name, None)
    found = getattr(fn, ATTRIBUTE, None)
    return found if isinstance(found, Exposure) else None


def exposed(cls: type) -> dict[str, Exposure]:
    """Every remotely callable method of `cls`, by name."""
    out = {}
    for name in dir(cls):
        found = exposure(cls, name)
        if found is not None:
            out[name] = found
    return out
