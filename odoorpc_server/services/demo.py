"""The demo instance's `/start`: a fresh demo database per call, as demo.odoo.com hands out.

Each call copies a template database (built once with the demo data, its admin password a
random secret nobody is told) and gives the copy an admin password of its own. The databases
`/start` made are recorded in a table of the served database (`odoorpc_demo_databases`: name and
creation time), so every worker and every server sharing one PostgreSQL agree on which exist,
when they expire and how many are live; the table's transaction is also the lock that keeps
the cap (SQLite: the write lock of BEGIN IMMEDIATE; PostgreSQL: an advisory transaction lock).

Only a database named in that table, with a name of the shape `/start` gives
(`<served>-demo-<12 hex digits>`), is ever dropped: never the served database, the template,
or any database made otherwise.
"""
from __future__ import annotations

import dataclasses
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from odoorpc_server.exceptions import UserError
from odoorpc_server.security import USERS, hash_password
from odoorpc_server.services import bootstrap, db
from odoorpc_server.services.app import App
from odoorpc_server.settings import Settings, duration
from odoorpc_server.storage.database import Backend, DatabaseNotFound
from odoorpc_server.storage.oauth import KEYS

DEMO_DATABASES = sa.Table(
    "odoorpc_demo_databases", sa.MetaData(),
    sa.Column("name", sa.String(63), primary_key=True),
    sa.Column("created_at", sa.Float, nullable=False),  # seconds since the epoch
)  # (bookkeeping of this server: storage.dump leaves it out of dumps)
# the advisory lock (PostgreSQL) taken by every transaction on the table above
DEMO_LOCK = (0x6F72, 0x64656D6F)
# bookkeeping of the template that a copy must not carry: sessions, failures, the OAuth key
COPY_CLEARED = (*db.SERVER_TABLES, KEYS.name)
PREFIX_LENGTH = 40
ADMIN_UID = 2


def parse_duration(text: str) -> float:
    """`--demo-ttl`: seconds (`90`, `90s`), minutes (`30m`) or hours (`1h`); more than zero."""
    try:
        seconds = duration(text)
    except ValueError:
        seconds = 0.0
    if seconds <= 0:
        raise ValueError(f"not a duration: {text!r} (seconds, or e.g. 30m, 1h)")
    return seconds


@dataclasses.dataclass(frozen=True)
class Names:
    """The names of one served database's demo databases (within PostgreSQL's 63 bytes)."""

    served: str

    @property
    def prefix(self) -> str:
        return f"{self.served[:PREFIX_LENGTH]}-demo-"

    @property
    def template(self) -> str:
        return f"{self.prefix}template"

    def new(self) -> str:
        return f"{self.prefix}{secrets.token_hex(6)}"

    def made_by_start(self, name: str) -> bool:
        return name not in (self.served, self.template) and \
            re.fullmatch(re.escape(self.prefix) + "[0-9a-f]{12}", name) is not None


# -- the record of the databases /start made ------------------------------------------------------

def _locked(conn: Connection) -> None:
    """The table, created if missing, under this transaction's lock (SQLite's write
    transaction holds the file's lock already)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": DEMO_LOCK[0], "b": DEMO_LOCK[1]})
    DEMO_DATABASES.create(conn, checkfirst=True)


def _expired(conn: Connection, settings: Settings, now: float) -> list[str]:
    column = DEMO_DATABASES.c.created_at
    query = sa.select(DEMO_DATABASES.c.name).where(column <= now - settings.demo_ttl).order_by(column)
    return list(conn.execute(query).scalars())


def _forget_rows(backend: Backend, served: str, names: list[str]) -> None:
    with backend.transaction(served) as conn:
        _locked(conn)
        conn.execute(DEMO_DATABASES.delete().where(DEMO_DATABASES.c.name.in_(names)))


def expire(backend: Backend, settings: Settings, forget: Callable[[str], None] = lambda name: None,
           now: float | None = None) -> list[str]:
    """Drop the databases /start made that are older than the TTL; the names dropped. A row
    naming anything else than a database of /start's shape is deleted, never acted upon."""
    names = Names(settings.database)
    with backend.transaction(settings.database) as conn:
        _locked(conn)
        expired = _expired(conn, settings, time.time() if now is None else now)
    dropped = [name for name in expired if names.made_by_start(name) and backend.drop(name)]
    for name in dropped:
        forget(name)
    if expired:
        _forget_rows(backend, settings.database, expired)
    return dropped


def _reserve(backend: Backend, settings: Settings, name: str) -> None:
    """Record `name` as made now, unless `demo_max` databases are live: the cap's fault then,
    and nothing recorded."""
    now = time.time()
    with backend.transaction(settings.database) as conn:
        _locked(conn)
        live = conn.execute(sa.select(sa.func.count()).select_from(DEMO_DATABASES)
                            .where(DEMO_DATABASES.c.created_at > now - settings.demo_ttl)).scalar_one()
        if live >= settings.demo_max:
            raise UserError(f"All {settings.demo_max} demo databases of this server are in use; "
                            "please try again later.")
        conn.execute(DEMO_DATABASES.insert().values(name=name, created_at=now))


# -- the template and its copies ------------------------------------------------------------------

def prepare(backend: Backend, settings: Settings) -> tuple[str, ...]:
    """At the start of a demo server: expired demo databases dropped, the template built when
    missing (or brought to this server's schema); the names it brought up."""
    expire(backend, settings)
    template = Names(settings.database).template
    secret = dataclasses.replace(settings, admin_password=secrets.token_urlsafe(24))
    bootstrap.initialise(backend, template, secret, demo=True)
    return (template,)


def _copy(backend: Backend, settings: Settings, name: str) -> None:
    template = Names(settings.database).template
    try:
        backend.copy(template, name)
    except DatabaseNotFound:  # dropped since the start (by the db service): built again
        prepare(backend, settings)
        backend.copy(template, name)


def start(app: App) -> dict[str, Any]:
    """A new demo database and its credentials: `{host, database, user, password}`."""
    backend, settings = app.backend, app.settings
    expire(backend, settings, app.registries.forget)
    name = Names(settings.database).new()
    _reserve(backend, settings, name)
    password = secrets.token_urlsafe(12)
    digest = hash_password(password, settings.password_rounds)

    def own_password(conn: Connection) -> None:
        conn.execute(USERS.update().where(USERS.c.id == ADMIN_UID).values(password=digest))

    try:
        _copy(backend, settings, name)  # (a failed copy leaves no database behind)
        # the copy's own admin password, none of the template's bookkeeping (a failure drops it)
        db.as_new(app, name, db.registry_of(app, Names(settings.database).template), COPY_CLEARED, own_password)
    except BaseException:
        _forget_rows(backend, settings.database, [name])
        raise
    return {"host": settings.public_url or "", "database": name, "user": "admin", "password": password}
