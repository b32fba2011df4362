"""What a method promises to remote callers, declared on the method itself (Odoo's `@api.model`
and the rest of its RPC contract): whether it takes record ids first, whether it only reads
(the call path then opens a read-only transaction), and for which Odoo versions it exists.

A model method is callable over RPC only when it carries one of these decorators; anything else,
and every name starting with `_`, is private. A method whose signature changed between Odoo
versions is declared once per signature: each variant names the RPC method it answers for
(`name`) and the row of `odoorpc_server.versions.DIFFERENCES` it needs (`when`, `!row` for the
versions where the row does not hold), so that Python itself binds the arguments and words the
TypeError exactly as that version of Odoo would.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from odoorpc_server.versions import Profile, profile

F = TypeVar("F", bound=Callable[..., Any])
ATTRIBUTE = "__rpc__"
# the generic methods are Odoo's BaseModel methods: their TypeErrors name them so
GENERIC_MODULES = ("odoorpc_server.orm.",)


@dataclass(frozen=True)
class Exposure:
    """How remote callers reach a method: `records` methods take ids as their first argument."""

    records: bool
    readonly: bool
    name: str = ""
    when: str | None = None

    def holds(self, version: Profile) -> bool:
        """Whether this variant is the method of `version`."""
        if self.when is None:
            return True
        if self.when.startswith("!"):
            return not version.has(self.when[1:])
        return version.has(self.when)


def _expose(records: bool, readonly: bool, name: str | None, when: str | None) -> Callable[[F], F]:
    def mark(fn: F) -> F:
        rpc_name = name or fn.__name__
        setattr(fn, ATTRIBUTE, Exposure(records, readonly, rpc_name, when))
        if fn.__module__.startswith(GENERIC_MODULES):
            fn.__qualname__ = f"BaseModel.{rpc_name}"
        return fn
    return mark


def model(readonly: bool = False, name: str | None = None, when: str | None = None) -> Callable[[F], F]:
    """A method of the model as a whole (Odoo's `@api.model`): no ids."""
    return _expose(False, readonly, name, when)


def records(readonly: bool = False, name: str | None = None, when: str | None = None) -> Callable[[F], F]:
    """A method of records: remote callers pass the ids first."""
    return _expose(True, readonly, name, when)


@cache
def _variants(cls: type) -> dict[str, tuple[tuple[str, Exposure], ...]]:
    """Every declared RPC method of `cls`: RPC name → (attribute, exposure) per variant."""
    out: dict[str, list[tuple[str, Exposure]]] = {}
    for attr in dir(cls):
        found = getattr(getattr(cls, attr, None), ATTRIBUTE, None)
        if isinstance(found, Exposure):
            out.setdefault(found.name, []).append((attr, found))
    return {k: tuple(v) for k, v in out.items()}


def resolve(cls: type, name: str, version: Profile | None = None) -> tuple[str, Exposure] | None:
    """The attribute answering RPC method `name` of `cls` for `version` (the default profile
    when None), with its contract; None when that version has no such public method."""
    if not isinstance(name, str) or name.startswith("_"):
        return None
    chosen = version or profile()
    for attr, found in _variants(cls).get(name, ()):
        if found.holds(chosen):
            return attr, found
    return None


def exposure(cls: type, name: str, version: Profile | None = None) -> Exposure | None:
    """The RPC contract of `cls.name` for `version`, or None when it is not callable remotely."""
    found = resolve(cls, name, version)
    return found[1] if found else None


def exposed(cls: type, version: Profile | None = None) -> dict[str, Exposure]:
    """Every remotely callable method of `cls` for `version`, by RPC name."""
    out = {}
    for name in _variants(cls):
        found = exposure(cls, name, version)
        if found is not None:
            out[name] = found
    return out
