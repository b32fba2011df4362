"""The application state one process holds: where databases live, registries, caches."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import AccessDenied
from odoorpc_server.orm.env import Env
from odoorpc_server.orm.registry import RegistryCache
from odoorpc_server.security import API_KEY_FORMAT, USERS, Cooldown, CredentialCache, live_keys
from odoorpc_server.settings import Settings
from odoorpc_server.storage.database import Backend

# the client's address, set by the protocol adapter for the duration of a request
remote_address: ContextVar[str] = ContextVar("remote_address", default="")


class App:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.backend = Backend(settings.data_dir, settings.db_url)
        self.registries = RegistryCache()
        self.credentials = CredentialCache()
        self.cooldown = Cooldown(settings.login_cooldown_after, settings.login_cooldown_duration)

    @contextmanager
    def env(self, db: str, uid: int, context: dict[str, Any] | None = None, write: bool = True,
            password: str | None = None) -> Iterator[Env]:
        """One transaction on `db` as `uid` (credentials checked when a password is given)."""
        with self.backend.transaction(db, write=write) as conn:
            registry, security = self.registries.get(db, conn, self.backend.is_sqlite)
            method = self.check_credentials(conn, db, uid, password) if password is not None else None
            env = Env(conn, registry, uid, context, settings=self.settings)
            env.shared.update(auth_method=method, security=security)
            yield env
        if env.schema_changed:
            self.registries.publish(db, env.registry)

    def check_credentials(self, conn: sa.Connection, db: str, uid: int, password: Any) -> str:
        """'password' or 'apikey' when the secret is the user's; an active user only.

        Verified secrets are cached per process (no hashing after the first call); a revoked or
        expired key, a changed password or an archived user fail on the very next call because
        the rows are read every time.
        """
        if not password or not isinstance(password, str):
            raise AccessDenied()
        row = conn.execute(sa.select(USERS.c.active, USERS.c.password).where(USERS.c.id == uid)).first()
        if row is None or not row.active:
            raise AccessDenied()
        if API_KEY_FORMAT.match(password):
            for key in live_keys(conn, self.backend.is_sqlite, uid, password):
                if self.credentials.check(db, ("key", key.id), password, key.key):
                    return "apikey"
        if self.credentials.check(db, uid, password, row.password or ""):
            return "password"
        raise AccessDenied()

    def login(self, db: str, login: Any, password: Any, address: str = "") -> int:
        if self.cooldown.blocked(db, address):
            raise AccessDenied("Too many login failures, please wait a bit before trying again.")
        try:
            if not password or not isinstance(login, str) or not isinstance(password, str):
                raise AccessDenied()
            with self.backend.transaction(db, write=False) as conn:
                self.registries.get(db, conn, self.backend.is_sqlite)
                row = conn.execute(sa.select(USERS.c.id).where(USERS.c.login == login, USERS.c.active == sa.true())
                                   .order_by(USERS.c.id).limit(1)).first()
                if row is None:
                    raise AccessDenied()
                self.check_credentials(conn, db, int(row.id), password)
        except AccessDenied:
            self.cooldown.failed(db, address)
            raise
        self.cooldown.succeeded(db, address)
        return int(row.id)

    def check_super(self, password: Any) -> None:
        """The db service's master password (Odoo's check_super): Access Denied unless it
        matches the configured hash; a verified one is cached like any credential."""
        stored = self.settings.master_password_hash
        if not password or not isinstance(password, str) or not stored:
            raise AccessDenied()
        if not self.credentials.check("", ("master",), password, stored):
            raise AccessDenied()
