"""Which Python class gives a model its behaviour: the per-model modules of `odoorpc_server.models`
register theirs by model name; every other model (custom ones included) gets the generic class.

Kept apart from the classes themselves so that the ORM can look a class up without importing the
modules that define them (they sit a layer above it).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T", bound=type)
GENERIC = "base"
_CLASSES: dict[str, type] = {}


def register(name: str) -> Callable[[T], T]:
    """Class decorator: `cls` holds the behaviour of model `name` (`base` for the generic one)."""
    def store(cls: T) -> T:
        _CLASSES[name] = cls
        return cls
    return store


def lookup(name: str) -> Any:
    """The class of model `name`: its own, or the generic one."""
    return _CLASSES.get(name) or _CLASSES[GENERIC]


def registered() -> dict[str, type]:
    return dict(_CLASSES)
