"""Engines for Odoo databases, with the transaction behaviour every RPC call relies on.

SQLite connections are put in manual-transaction mode so that DDL (custom models and fields)
is part of the call's transaction and rolls back with it; write calls take the write lock up
front (BEGIN IMMEDIATE) so that concurrent writers wait instead of failing half-way.
"""
from __future__ import annotations

import os
import re
import select
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from odoorpc_server.storage.sqlfunctions import period_start, pg_float_text, py_lower

T = TypeVar("T")
DB_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
# what a PostgreSQL database of ours carries (COMMENT ON DATABASE), readable from pg_database
MARK = "odoorpc-server"
# the tables that tell a database of ours created before the mark existed
METADATA_TABLES = ("odoorpc_alembic_version", "odoorpc_signal", "ir_model")
# the advisory lock space (first key) of database names being created, see Backend.naming
NAME_LOCKS = 0x6F72
_PG_OURS = ("datallowconn AND NOT datistemplate AND shobj_description(oid, 'pg_database') = :mark")


class DatabaseNotFound(Exception):
    """The named Odoo database does not exist on this server."""


class DatabaseExists(Exception):
    """The name is taken, by a database of ours or by one we must not touch."""


class StaleConnection(Exception):
    """The call's connection was found broken before anything was committed (the server was
    restarted, or another process ended its sessions): the pool dropped it and the whole call
    may run again on a fresh one."""


def check_db_name(name: str) -> str:
    if not isinstance(name, str) or not DB_NAME.match(name):
        raise ValueError(f"Invalid database name: {name!r}")
    return name


def _sqlite_engine(path: Path) -> Engine:
    # mode=rw: a connection never creates the file, so a database dropped or renamed by another
    # process is not brought back as an empty file by this one
    engine = sa.create_engine(f"sqlite:///file:{quote(str(path.resolve()))}?mode=rw&uri=true", pool_size=8,
                              max_overflow=8, pool_pre_ping=False)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        # Unicode-aware lower(), so that SQLAlchemy's ilike (lower() LIKE lower()) folds non-ASCII
        # letters as PostgreSQL's ILIKE does
        dbapi_conn.create_function("lower", 1, py_lower, deterministic=True)
        dbapi_conn.create_function("odoo_period", 3, period_start, deterministic=True)
        dbapi_conn.create_function("pg_float_text", 1, pg_float_text, deterministic=True)
        cur = dbapi_conn.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=OFF", "busy_timeout=30000",
                       "case_sensitive_like=ON", "synchronous=NORMAL"):
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Connection) -> None:
        # straight to the driver: a statement through SQLAlchemy costs more than the BEGIN itself
        driver = conn.connection.driver_connection
        assert driver is not None  # a connection in its begin event is open
        driver.execute("BEGIN IMMEDIATE" if conn.info.get("write", True) else "BEGIN")

    return counting(engine)


def counting(engine: Engine) -> Engine:
    """`engine`, each of its connections counting the statements it sends (see `statements`)."""
    @event.listens_for(engine, "before_cursor_execute")
    def on_execute(conn: Connection, *_args: Any) -> None:
        conn.info["statements"] = conn.info.get("statements", 0) + 1

    return engine


# Pooled PostgreSQL connections are checked when handed out, without SQLAlchemy's pre-ping
# (a round trip on every call): a connection the server closed (restart, pg_terminate_backend,
# another process duplicating or renaming the database) has its socket readable (the server's
# goodbye, or end of file) and is replaced; one idle for longer than PING_AFTER_IDLE is pinged
# too (a peer that vanished without a word). A connection that breaks between that check and
# the call's first statement makes the call run again (StaleConnection).
PING_AFTER_IDLE = 30.0


def _closed_by_server(dbapi_conn: Any) -> bool:
    try:
        readable, _, _ = select.select([dbapi_conn.pgconn.socket], [], [], 0)
    except (OSError, ValueError, AttributeError):
        return True
    return bool(readable)  # an idle connection between transactions has nothing to read


def checked_on_checkout(engine: Engine) -> Engine:
    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if _closed_by_server(dbapi_conn):
            raise sa.exc.DisconnectionError()  # the pool replaces it and checks out again
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return
        try:
            with closing(dbapi_conn.cursor()) as cur:
                cur.execute("SELECT 1")
        except Exception:
            raise sa.exc.DisconnectionError() from None

    return engine


def again_if_stale(work: Callable[[], T], tries: int = 3) -> T:
    """`work()`, run again when its transaction met a connection the server had closed (see
    StaleConnection): for the short transactions outside the call path (logins, OAuth checks)."""
    for attempt in range(1, tries + 1):
        try:
            return work()
        except StaleConnection:
            if attempt == tries:
                raise
    raise AssertionError("unreachable")


def run_statements(conn: Connection, statements: list[str]) -> None:
    """Statements without parameters (DDL), in one round trip on PostgreSQL (a multi-statement
    query: a new database's ~100 CREATE statements would each wait for the server otherwise),
    one by one on SQLite, whose driver runs one statement per call. Each is text as
    `exec_driver_sql` takes it on this connection (on PostgreSQL a literal % is doubled)."""
    if conn.dialect.name == "postgresql":
        if statements:
            conn.exec_driver_sql(";\n".join(statements))
        return
    for statement in statements:
        conn.exec_driver_sql(statement)


def statements(conn: Connection) -> int:
    """Statements this connection has sent so far: what a piece of work read from the database is
    the difference before and after (a compiled condition that read nothing can be reused)."""
    return int(conn.info.get("statements", 0))


# Bounds on how long a call may hold PostgreSQL: a statement is cancelled after
# `statement_timeout` seconds, a transaction left idle (a stuck worker) is ended by the server,
# a server that does not answer fails the connection after CONNECT_TIMEOUT, and a call waits at
# most POOL_TIMEOUT for a free connection. Each ends the call with the driver's error as a
# fault, its transaction rolled back; the pool replaces broken connections by itself.
STATEMENT_TIMEOUT = 60.0
CONNECT_TIMEOUT = 10
POOL_TIMEOUT = 30.0


def pg_time_bounds(statement_timeout: float) -> dict[str, Any]:
    """psycopg connection arguments for the bounds above (0 turns the statement bound off)."""
    millis = int(statement_timeout * 1000)
    idle = max(millis * 2, 120_000) if millis else 0
    return {"connect_timeout": CONNECT_TIMEOUT,
            "options": f"-c statement_timeout={millis} -c idle_in_transaction_session_timeout={idle}"}


class Backend:
    """Where Odoo databases live: a data directory of SQLite files, or a PostgreSQL server."""

    def __init__(self, data_dir: str | Path = "odoorpc-data", db_url: str | None = None,
                 statement_timeout: float = STATEMENT_TIMEOUT) -> None:
        self.data_dir = Path(data_dir)
        self.db_url = db_url.rstrip("/") if db_url else None
        self.statement_timeout = statement_timeout
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()
        self._admin_local = threading.local()  # .conn: the admin connection of an admin_session
        # SQLite: the (device, inode) of each file found ours, so a call needs one lstat, not the
        # full check, while the file is the one that was checked
        self._checked: dict[str, tuple[int, int]] = {}

    @property
    def is_sqlite(self) -> bool:
        return self.db_url is None

    def _path(self, name: str) -> Path:
        return self.data_dir / f"{check_db_name(name)}.sqlite3"

    def _admin_engine(self) -> Engine:
        assert self.db_url
        return sa.create_engine(f"{self.db_url}/postgres", isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)

    def owns(self, name: str) -> bool:
        """The one rule for every service: a database is ours when this server created it.

        SQLite: a regular `<name>.sqlite3` file that really lives in the data directory (not a
        symlink out of it). PostgreSQL: a connectable, non-template database carrying our mark.
        Anything else answers as a database that does not exist.
        """
        return isinstance(name, str) and bool(DB_NAME.match(name)) and name in self._owned(name)

    def _owned(self, name: str | None = None) -> list[str]:
        """Our databases, all of them or the one named."""
        if self.is_sqlite:
            paths = [self._path(name)] if name is not None else self.data_dir.glob("*.sqlite3")
            names = sorted(p.name[: -len(".sqlite3")] for p in paths if self._is_ours(p))
        else:
            query = f"SELECT datname FROM pg_database WHERE {_PG_OURS}"
            params: dict[str, Any] = {"mark": MARK}
            if name is not None:
                query += " AND datname = :n"
                params["n"] = name
            with self._admin() as conn:
                names = [r[0] for r in conn.execute(sa.text(query + " ORDER BY datname"), params)]
        return [n for n in names if DB_NAME.match(n)]  # a name we could not address is not listed

    def _is_ours(self, path: Path) -> bool:
        try:
            return path.is_file() and path.resolve().parent == self.data_dir.resolve()
        except OSError:
            return False

    @contextmanager
    def _admin(self) -> Iterator[Connection]:
        """A short autocommit connection to the server's `postgres` database (the one of the
        enclosing `admin_session`, if any)."""
        shared = getattr(self._admin_local, "conn", None)
        if shared is not None:
            yield shared
            return
        eng = self._admin_engine()
        try:
            with eng.connect() as conn:
                yield conn
        finally:
            eng.dispose()

    @contextmanager
    def admin_session(self) -> Iterator[None]:
        """One admin connection for every admin step of the block (a start's name lock, checks and
        CREATE DATABASE: each would otherwise connect anew, ~10-15 ms apiece), closed after it, so
        no connection to `postgres` outlives the block."""
        if self.is_sqlite or getattr(self._admin_local, "conn", None) is not None:
            yield
            return
        with self._admin() as conn:
            self._admin_local.conn = conn
            try:
                yield
            finally:
                self._admin_local.conn = None

    def exists(self, name: str) -> bool:
        return self.owns(name)

    def known(self, name: str) -> bool:
        """`exists` for the database a call names, cheap when this process already talks to
        it: SQLite's file checked by one lstat, a PostgreSQL database with an engine here taken
        as there (a connection to one since dropped fails, and says DatabaseNotFound)."""
        if not isinstance(name, str) or not DB_NAME.match(name):
            return False
        if self.is_sqlite:
            return self._still_ours(name)
        return name in self._engines or self.owns(name)

    def list(self) -> list[str]:
        return self._owned()

    def create(self, name: str) -> None:
        """A new, empty database of ours; `DatabaseExists` when the name is taken by anything."""
        check_db_name(name)
        if self.is_sqlite:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            try:  # O_EXCL: never through an existing file or symlink
                os.close(os.open(self._path(name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                raise DatabaseExists(f"Database {name} already exists") from None
            return
        with self._admin() as conn:
            try:
                # bytewise collation, as Odoo creates its databases (text order is part of the API)
                conn.exec_driver_sql(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' LC_COLLATE \'C\' TEMPLATE template0')
            except sa.exc.ProgrammingError as error:
                if getattr(error.orig, "sqlstate", None) == "42P04":  # duplicate_database
                    raise DatabaseExists(f"Database {name} already exists") from None
                raise
            try:
                self._mark(conn, name)
            except BaseException:  # an unmarked database would be foreign to us: none is left
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                raise

    @staticmethod
    def _mark(conn: Connection, name: str) -> None:
        conn.exec_driver_sql(f'COMMENT ON DATABASE "{check_db_name(name)}" IS \'{MARK}\'')

    def adopt(self, name: str) -> bool:
        """Mark a database of ours created before the mark existed: one that already holds our
        metadata tables. True when `name` is ours afterwards (SQLite files always were)."""
        if self.is_sqlite or not DB_NAME.match(name) or self.owns(name):
            return self.owns(name)
        with self._admin() as conn:
            usable = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n AND datallowconn "
                                          "AND NOT datistemplate"), {"n": name}).first()
        if usable is None:
            return False
        eng = sa.create_engine(f"{self.db_url}/{name}", poolclass=sa.pool.NullPool)
        try:
            with eng.connect() as conn:
                found = conn.execute(sa.text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                                             "AND tablename IN :t").bindparams(sa.bindparam("t", expanding=True)),
                                     {"t": list(METADATA_TABLES)}).scalar_one()
        finally:
            eng.dispose()
        if found != len(METADATA_TABLES):
            return False
        with self._admin() as conn:
            self._mark(conn, name)
        return True

    @contextmanager
    def naming(self, name: str) -> Iterator[None]:
        """Hold the name `name` against other servers for the block (PostgreSQL: an advisory
        lock, keyed by the name, in the server's `postgres` database), so that a server finding
        the name taken by a database another one is creating and marking right now waits for
        the mark instead of taking it for a foreign database. SQLite's O_EXCL create needs none."""
        if self.is_sqlite:
            yield
            return
        key = zlib.crc32(check_db_name(name).encode()) - 2**31  # PostgreSQL's int4 range
        with self._admin() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:space, :key)"), {"space": NAME_LOCKS, "key": key})
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:space, :key)"), {"space": NAME_LOCKS, "key": key})

    def drop(self, name: str) -> bool:
        """Drop a database of ours; anything else is left alone and answers False."""
        with self.admin_session():  # one connection to `postgres` for the checks and the statement
            return self._drop(name)

    def _drop(self, name: str) -> bool:
        if not self.owns(name):
            return False
        self.forget(name)
        if self.is_sqlite:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self._path(name)}{suffix}").unlink(missing_ok=True)
            return True
        with self._admin() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return True

    def engine(self, name: str) -> Engine:
        with self._lock:
            eng = self._engines.get(name)
            if eng is None:
                if not self.owns(name):
                    raise DatabaseNotFound(f'database "{name}" does not exist')
                if self.is_sqlite:
                    eng = _sqlite_engine(self._path(name))
                else:
                    # connections another process terminated (rename, duplicate) are replaced when
                    # handed out (checked_on_checkout), or found broken by the call, which runs again
                    eng = checked_on_checkout(counting(sa.create_engine(
                        f"{self.db_url}/{name}", pool_size=8, max_overflow=8, pool_timeout=POOL_TIMEOUT,
                        connect_args=pg_time_bounds(self.statement_timeout))))
                self._engines[name] = eng
            return eng

    def forget(self, name: str) -> None:
        """Close this process's connections to `name` (dropped, renamed or copied elsewhere)."""
        with self._lock:
            eng = self._engines.pop(name, None)
            self._checked.pop(name, None)
        if eng is not None:
            eng.dispose()

    def _connect(self, name: str) -> Connection:
        """A connection to `name`, which must still be ours: another process may have dropped
        or renamed it since this one opened its engine."""
        if self.is_sqlite and not self._still_ours(name):
            self.forget(name)
            raise DatabaseNotFound(f'database "{name}" does not exist')
        try:
            return self.engine(name).connect()
        except sa.exc.OperationalError:
            if self.owns(name):
                raise
            self.forget(name)
            raise DatabaseNotFound(f'database "{name}" does not exist') from None

    def _still_ours(self, name: str) -> bool:
        """`owns(name)` for SQLite at the price of one lstat while the file is the one found ours
        (a file renamed, replaced or turned into a symlink has another inode: checked again)."""
        try:
            found = os.lstat(self._path(name))
        except (OSError, ValueError):
            return self.owns(name)
        identity = (found.st_dev, found.st_ino)
        if self._checked.get(name) == identity:
            return True
        if not self.owns(name):
            return False
        self._checked[name] = identity
        return True

    @contextmanager
    def transaction(self, name: str, write: bool = True) -> Iterator[Connection]:
        """One call, one transaction: committed on success, rolled back on any error; a
        connection found broken before the commit raises StaleConnection (nothing was committed,
        the call may run again), one broken by the commit itself raises the driver's error."""
        committing = False
        try:
            with self._connect(name) as conn:
                conn.info["write"] = write
                with conn.begin():
                    yield conn
                    committing = True
        except sa.exc.DBAPIError as error:
            if error.connection_invalidated and not committing:
                raise StaleConnection(str(error.orig)) from error
            raise

    def copy(self, source: str, target: str) -> None:
        """A new database of ours holding what `source` holds (a consistent snapshot on SQLite;
        on PostgreSQL a template copy, other sessions on `source` being ended first, as Odoo
        does). `DatabaseNotFound` / `DatabaseExists` for a missing source or a taken target."""
        with self.admin_session():  # one connection to `postgres` for the checks and the statement
            self._copy(source, target)

    def _copy(self, source: str, target: str) -> None:
        if not self.owns(source):
            raise DatabaseNotFound(f'database "{source}" does not exist')
        check_db_name(target)
        if self.is_sqlite:
            self.create(target)
            try:
                with closing(sqlite3.connect(f"file:{quote(str(self._path(source).resolve()))}?mode=rw",
                                             uri=True)) as src, closing(sqlite3.connect(self._path(target))) as dst:
                    src.backup(dst)
            except BaseException:
                self.drop(target)
                raise
            return
        self.forget(source)
        with self._admin() as conn:
            if conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target}).first():
                raise DatabaseExists(f"Database {target} already exists")
            self._alone(conn, source,
                        f'CREATE DATABASE "{target}" ENCODING \'UTF8\' TEMPLATE "{check_db_name(source)}"')
            try:
                self._mark(conn, target)
            except BaseException:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
                raise

    def rename(self, old: str, new: str) -> None:
        """Rename a database of ours; other processes find it gone at their next call."""
        with self.admin_session():  # one connection to `postgres` for the checks and the statement
            self._rename(old, new)

    def _rename(self, old: str, new: str) -> None:
        if not self.owns(old):
            raise DatabaseNotFound(f'database "{old}" does not exist')
        check_db_name(new)
        if self.is_sqlite:
            self.copy(old, new)  # a copy, then the old file goes: open connections elsewhere never
            self.drop(old)       # write into a file renamed under them
            return
        self.forget(old)
        with self._admin() as conn:
            if conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": new}).first():
                raise DatabaseExists(f"Database {new} already exists")
            self._alone(conn, old, f'ALTER DATABASE "{check_db_name(old)}" RENAME TO "{new}"')

    @staticmethod
    def _alone(conn: Connection, name: str, statement: str, tries: int = 5) -> None:
        """Run a statement that needs `name` without other sessions: they are ended first, as
        Odoo does, and again when another worker reconnected in between (object in use)."""
        for attempt in range(1, tries + 1):
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
            try:
                conn.exec_driver_sql(statement)
                return
            except sa.exc.OperationalError as error:
                if getattr(error.orig, "sqlstate", None) != "55006" or attempt == tries:
                    raise
                time.sleep(0.05 * attempt)

    def dispose(self) -> None:
        with self._lock:
            for eng in self._engines.values():
                eng.dispose()
            self._engines.clear()
