"""The environment of one call: connection, registry, user and context."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from odoorpc_server.exceptions import UnknownModel
from odoorpc_server.orm import classes
from odoorpc_server.orm.registry import Registry, bump
from odoorpc_server.orm.where import Compiler
from odoorpc_server.versions import Profile, profile

if TYPE_CHECKING:
    from odoorpc_server.orm.models import BaseModel

SUPERUSER_ID = 1


class Env:
    """What every ORM method sees; it never knows which protocol called it."""

    def __init__(self, conn: Connection, registry: Registry, uid: int, context: dict[str, Any] | None = None,
                 su: bool = False, settings: Any = None, shared: dict[str, Any] | None = None) -> None:
        self.conn = conn
        # shared by every clone of this call's env, so a schema change is seen everywhere
        self.shared: dict[str, Any] = shared if shared is not None else {"registry": registry,
                                                                         "schema_changed": False}
        self.uid = uid
        self.context: dict[str, Any] = dict(context or {})
        self.su = su or uid == SUPERUSER_ID
        self.settings = settings
        self._now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)

    def __getitem__(self, name: str) -> BaseModel:
        if not isinstance(name, str) or name not in self.registry:
            raise UnknownModel(name)
        cls: type[BaseModel] = classes.lookup(name)
        return cls(self, self.registry[name])

    def __contains__(self, name: object) -> bool:
        return name in self.registry

    def clone(self, **changes: Any) -> Env:
        env = Env(self.conn, self.registry, changes.get("uid", self.uid),
                  changes.get("context", self.context), changes.get("su", self.su), self.settings, self.shared)
        env._now = self._now
        return env

    def sudo(self) -> Env:
        return self.clone(su=True)

    def with_context(self, **values: Any) -> Env:
        return self.clone(context={**self.context, **values})

    @property
    def registry(self) -> Registry:
        registry: Registry = self.shared["registry"]
        return registry

    @property
    def schema_changed(self) -> bool:
        return bool(self.shared["schema_changed"])

    @property
    def profile(self) -> Profile:
        """The Odoo version the server answers as (the default one for internal environments)."""
        found = getattr(self.settings, "profile", None)
        return found if isinstance(found, Profile) else profile()

    @property
    def compiler(self) -> Compiler:
        return Compiler(self)

    def now(self) -> Any:
        return self._now

    def reload_registry(self) -> None:
        """Rebuild the registry from this transaction's rows after a schema change (the caller
        creates or drops the tables and columns it changed)."""
        bump(self.conn)
        registry = Registry.load(self.conn, self.registry)
        self.shared.update(registry=registry, schema_changed=True, security={})
