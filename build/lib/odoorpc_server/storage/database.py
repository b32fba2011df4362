"""Engines for Odoo databases, with the transaction behaviour every RPC call relies on.

SQLite connections are put in manual-transaction mode so that DDL (custom models and fields)
is part of the call's transaction and rolls back with it; write calls take the write lock up
front (BEGIN IMMEDIATE) so that concurrent writers wait instead of failing half-way.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from odoorpc_server.storage.sqlfunctions import period_start, pg_float_text, py_lower

DB_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


class DatabaseNotFound(Exception):
    """The named Odoo database does not exist on this server."""


def check_db_name(name: str) -> str:
    if not isinstance(name, str) or not DB_NAME.match(name):
        raise ValueError(f"Invalid database name: {name!r}")
    return name


def _sqlite_engine(path: Path) -> Engine:
    engine = sa.create_engine(f"sqlite:///{path}", pool_size=8, max_overflow=8, pool_pre_ping=False)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        dbapi_conn.create_function("py_lower", 1, py_lower, deterministic=True)
        dbapi_conn.create_function("odoo_period", 3, period_start, deterministic=True)
        dbapi_conn.create_function("pg_float_text", 1, pg_float_text, deterministic=True)
        cur = dbapi_conn.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=OFF", "busy_timeout=30000",
                       "case_sensitive_like=ON", "synchronous=NORMAL"):
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write", True) else "BEGIN")

    return engine


class Backend:
    """Where Odoo databases live: a data directory of SQLite files, or a PostgreSQL server."""

    def __init__(self, data_dir: str | Path = "odoorpc-data", db_url: str | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.db_url = db_url.rstrip("/") if db_url else None
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()

    @property
    def is_sqlite(self) -> bool:
        return self.db_url is None

    def _path(self, name: str) -> Path:
        return self.data_dir / f"{check_db_name(name)}.sqlite3"

    def _admin_engine(self) -> Engine:
        assert self.db_url
        return sa.create_engine(f"{self.db_url}/postgres", isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)

    def exists(self, name: str) -> bool:
        if not isinstance(name, str) or not DB_NAME.match(name):
            return False
        if self.is_sqlite:
            return self._path(name).exists()
        eng = self._admin_engine()
        with eng.connect() as conn:
            found = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        eng.dispose()
        return found is not None

    def list(self) -> list[str]:
        if self.is_sqlite:
            return sorted(p.name[: -len(".sqlite3")] for p in self.data_dir.glob("*.sqlite3"))
        eng = self._admin_engine()
        with eng.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate "
                "AND datname NOT IN ('postgres') AND pg_get_userbyid(datdba) = current_user ORDER BY datname"))
            names = [r[0] for r in rows]
        eng.dispose()
        return names

    def create(self, name: str) -> None:
        check_db_name(name)
        if self.is_sqlite:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._path(name).touch()
            return
        eng = self._admin_engine()
        with eng.connect() as conn:
            # bytewise collation, as Odoo creates its databases (text order is part of the API)
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' LC_COLLATE \'C\' TEMPLATE template0')
        eng.dispose()

    def drop(self, name: str) -> None:
        check_db_name(name)
        with self._lock:
            eng = self._engines.pop(name, None)
        if eng is not None:
            eng.dispose()
        if self.is_sqlite:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self._path(name)}{suffix}").unlink(missing_ok=True)
            return
        admin = self._admin_engine()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    def engine(self, name: str) -> Engine:
        with self._lock:
            eng = self._engines.get(name)
            if eng is None:
                if not self.exists(name):
                    raise DatabaseNotFound(f'database "{name}" does not exist')
                if self.is_sqlite:
                    eng = _sqlite_engine(self._path(name))
                else:
                    eng = sa.create_engine(f"{self.db_url}/{name}", pool_size=8, max_overflow=8)
                self._engines[name] = eng
            return eng

    @contextmanager
    def transaction(self, name: str, write: bool = True) -> Iterator[Connection]:
        """One call, one transaction: committed on success, rolled back on any error."""
        with self.engine(name).connect() as conn:
            conn.info["write"] = write
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        with self._lock:
            for eng in self._engines.values():
                eng.dispose()
            self._engines.clear()
