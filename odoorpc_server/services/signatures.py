"""The named parameters of every RPC-callable method, as Odoo 19 names them.

JSON-2 has no positional arguments: a body's keys are the method's parameter names, and the
API documentation (`/doc-bearer/<model>.json`) lists them in order, which is how client
libraries turn positional calls into named ones. Odoo 19's names for the generic ORM methods
sit in `data/signatures.json` (ours may differ: `name_search(args)` is Odoo 19's `domain`);
a method a per-model module declares is described by its own Python signature. Names are
matched to the Python parameters by position, so the Python defaults are the documented ones.
"""
from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from odoorpc_server.orm import api, classes
from odoorpc_server.versions import Profile

DATA = Path(__file__).resolve().parents[1] / "data" / "signatures.json"
EMPTY = inspect.Parameter.empty


@dataclass(frozen=True)
class Param:
    """One parameter: its Odoo 19 name, the Python name it binds to, default and kind."""

    name: str
    python: str
    default: Any = EMPTY
    kind: inspect._ParameterKind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    schema: str = "any"

    @property
    def required(self) -> bool:
        return self.default is EMPTY and self.kind not in (inspect.Parameter.VAR_KEYWORD,
                                                           inspect.Parameter.VAR_POSITIONAL)


@dataclass(frozen=True)
class Method:
    """A public method as JSON-2 and the documentation see it."""

    name: str
    exposure: api.Exposure
    params: tuple[Param, ...]
    returns_records: bool = False
    deprecated: bool = False
    attr: str = ""  # the Python attribute answering it under the profile (a variant's own name)

    @property
    def api(self) -> list[str]:
        """Odoo's decorator flags as the documentation lists them (`model`, `readonly`)."""
        return [flag for flag, on in (("model", not self.exposure.records), ("readonly", self.exposure.readonly))
                if on]

    def signature(self) -> inspect.Signature:
        """The Odoo 19 signature (without `self`): what the call is bound against."""
        return inspect.Signature([inspect.Parameter(p.name, p.kind, default=p.default) for p in self.params])

    def bind(self, named: dict[str, Any]) -> dict[str, Any]:
        """The Python keyword arguments for a body's named parameters; TypeError with Python's
        own text when they do not fit (a missing or unexpected name)."""
        bound = self.signature().bind(**named)
        python: dict[str, Any] = {}
        by_name = {p.name: p for p in self.params}
        for name, value in bound.arguments.items():
            param = by_name[name]
            if param.kind is inspect.Parameter.VAR_KEYWORD:
                python.update(value)
            else:
                python[param.python] = value
        return python


@cache
def _table() -> dict[str, Any]:
    methods: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))["methods"]
    return methods


@cache
def private_names() -> frozenset[str]:
    """Public-looking names Odoo 19 refuses as private (its `@api.private` methods)."""
    return frozenset(json.loads(DATA.read_text(encoding="utf-8")).get("private", ()))


def methods(cls: type, profile: Profile, deprecated: bool = True) -> dict[str, Method]:
    """Every method of `cls` a remote caller may call under `profile`, by name (without the
    deprecated ones unless `deprecated`)."""
    out = {}
    for name in sorted(api.exposed(cls, profile)):
        found = method(cls, name, profile)
        if found is not None and (deprecated or not found.deprecated):
            out[name] = found
    return out


def method(cls: type, name: str, profile: Profile) -> Method | None:
    """The method `name` of `cls` with its Odoo 19 parameters, or None when it is not callable."""
    return _method(cls, name, profile)


@lru_cache(maxsize=4096)  # every JSON-2 call asks; the classes and the profile do not change
def _method(cls: Any, name: str, profile: Profile) -> Method | None:
    found = api.resolve(cls, name, profile)
    if found is None:
        return None
    attr, exposure = found
    generic = classes.lookup(classes.GENERIC)
    entry = _table().get(name) if getattr(cls, attr) is getattr(generic, attr, None) else None
    if entry is not None and entry.get("row") and not profile.has(entry["row"]):
        return None
    python = _python_params(cls, attr, exposure)
    if entry is None:
        params = tuple(Param(p.name, p.name, p.default, p.kind) for p in python)
        return Method(name, exposure, params, attr=attr)
    names = entry["parameters"]
    if len(names) != len(python):
        raise AssertionError(f"data/signatures.json: {name} has {len(names)} parameters, "
                             f"the Python method {len(python)}")
    params = tuple(Param(n["name"], p.name, p.default, p.kind, n.get("schema", "any"))
                   for n, p in zip(names, python, strict=True))
    return Method(name, exposure, params, entry.get("returns") == "recordset", bool(entry.get("deprecated")),
                  attr)


def _python_params(cls: type, attr: str, exposure: api.Exposure) -> list[inspect.Parameter]:
    """The Python parameters after `self` (and after the ids of a record method) of the
    attribute answering the method under the server's version."""
    params = list(inspect.signature(getattr(cls, attr)).parameters.values())[1:]
    return params[1:] if exposure.records else params

