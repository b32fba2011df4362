"""The db service and every other service only see the databases this server owns: the ones it
created (on PostgreSQL: marked with a comment), or, on SQLite, the files of its data directory.
A database that is not ours answers exactly as a database that does not exist (ours)."""
from __future__ import annotations

import sqlite3
import uuid
import xmlrpc.client
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import Server, pg_conninfo, require_backend, start_server, stop_server

MARK = "odoorpc-server"
PG_ADMIN = pg_conninfo()


def fault(fn: Any, *args: Any) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as err:
        fn(*args)
    return err.value


def pg(sql: str, *params: Any, dbname: str = "postgres") -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(PG_ADMIN.replace("dbname=postgres", f"dbname={dbname}"), autocommit=True) as conn:
        cur = conn.execute(sql.encode(), params or None)  # type: ignore[call-overload]
        return list(cur.fetchall()) if cur.description else []


def pg_comment(name: str) -> str | None:
    rows = pg("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", name)
    return rows[0][0] if rows else None


def sqlite_tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


@dataclass
class Foreign:
    """Databases the server did not create, and a way to see they were left alone."""

    names: list[str]
    untouched: Callable[[], bool]


@pytest.fixture(scope="module")
def owner(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_backend(backend)
    base = tmp_path_factory.mktemp(f"owner-{backend}")
    (base / "data").mkdir()
    srv = start_server(base / "data", backend)
    yield srv
    stop_server(srv)


@pytest.fixture()
def foreign(owner: Server) -> Iterator[Foreign]:
    """On PostgreSQL a database created with psycopg, holding a table of its own; on SQLite a
    database file next to the data directory, named through `../` and through a symlink placed
    inside the data directory."""
    tag = uuid.uuid4().hex[:8]
    if owner.backend == "postgresql":
        name = f"foreign_{tag}"
        pg(f'CREATE DATABASE "{name}"')
        pg("CREATE TABLE precious (x integer); INSERT INTO precious VALUES (42)", dbname=name)

        def untouched_pg() -> bool:
            tables = pg("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", dbname=name)
            return tables == [("precious",)] and pg("SELECT x FROM precious", dbname=name) == [(42,)]

        yield Foreign([name], untouched_pg)
        pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    outside = owner.data_dir.parent / f"outside-{tag}.sqlite3"
    with sqlite3.connect(outside) as conn:
        conn.execute("CREATE TABLE precious (x integer)")
        conn.execute("INSERT INTO precious VALUES (42)")
    conn.close()
    link = owner.data_dir / f"link-{tag}.sqlite3"
    link.symlink_to(outside)
    around = sorted(p.name for p in outside.parent.iterdir())

    def untouched_sqlite() -> bool:
        return (link.is_symlink() and sorted(p.name for p in outside.parent.iterdir()) == around
                and sqlite_tables(outside) == ["precious"])

    yield Foreign([f"../outside-{tag}", f"link-{tag}"], untouched_sqlite)


def system_names(backend: str) -> list[str]:
    return ["postgres", "template0", "template1"] if backend == "postgresql" else []


def missing_fault_last_line(name: str) -> str:
    return f'odoorpc_server.storage.database.DatabaseNotFound: database "{name}" does not exist'


def test_foreign_databases_are_neither_listed_nor_existing(owner: Server, foreign: Foreign) -> None:
    """Ours: `db.list` and `db.db_exist` only know the server's own databases."""
    db = xmlrpc.client.ServerProxy(f"{owner.url}/xmlrpc/2/db")
    listed = db.list()
    assert owner.db in listed and db.db_exist(owner.db) is True
    for name in foreign.names + system_names(owner.backend):
        assert name not in listed
        assert db.db_exist(name) is False
    if owner.backend == "postgresql":
        assert all(pg_comment(name) == MARK for name in listed)
    assert foreign.untouched()


def test_drop_leaves_foreign_databases_alone(owner: Server, foreign: Foreign) -> None:
    """Odoo's `drop` answers False for a database it does not list; nothing is dropped."""
    db = xmlrpc.client.ServerProxy(f"{owner.url}/xmlrpc/2/db")
    for name in foreign.names + system_names(owner.backend):
        assert db.drop("admin", name) is False
    assert foreign.untouched()
    if owner.backend == "postgresql":
        assert {r[0] for r in pg("SELECT datname FROM pg_database")} >= {"postgres", "template0", "template1"}


def test_foreign_databases_answer_as_missing_ones(owner: Server, foreign: Foreign) -> None:
    """`authenticate` and `execute_kw` on a database that is not ours give the very fault a
    missing database gives (Odoo's fault 1 with a traceback), never SQL, tables or driver text."""
    common = xmlrpc.client.ServerProxy(f"{owner.url}/xmlrpc/2/common")
    models = xmlrpc.client.ServerProxy(f"{owner.url}/xmlrpc/2/object")
    missing = f"missing_{uuid.uuid4().hex[:8]}"
    expected = {
        "authenticate": fault(common.authenticate, missing, "admin", "admin", {}),
        "execute_kw": fault(models.execute_kw, missing, 2, "admin", "res.partner", "search", [[]]),
    }
    for f in expected.values():
        assert f.faultCode == 1 and f.faultString.rstrip("\n").splitlines()[-1] == missing_fault_last_line(missing)
    for name in foreign.names + system_names(owner.backend):
        answers = {
            "authenticate": fault(common.authenticate, name, "admin", "admin", {}),
            "execute_kw": fault(models.execute_kw, name, 2, "admin", "res.partner", "search", [[]]),
        }
        for method, f in answers.items():
            text = f.faultString
            assert f.faultCode == 1, (name, method, text)
            assert text.rstrip("\n").splitlines()[-1] == missing_fault_last_line(name), (name, method, text)
            assert text.replace(name, "<db>") == expected[method].faultString.replace(missing, "<db>")
            for leak in ("SQL", "odoorpc_signal", "psycopg", "relation", "no such table", "precious"):
                assert leak not in text, (name, method, leak)
    assert foreign.untouched()


def test_create_database_never_writes_into_a_foreign_one(owner: Server, foreign: Foreign) -> None:
    """Ours: a name taken by a foreign database is refused as a taken name, and the foreign
    database is not written to (on SQLite: not through a symlink either)."""
    db = xmlrpc.client.ServerProxy(f"{owner.url}/xmlrpc/2/db")
    for name in foreign.names:
        f = fault(db.create_database, "admin", name, False, "en_US", "pw")
        last = f.faultString.rstrip("\n").splitlines()[-1]
        if name.startswith("../"):  # Odoo's database name rule
            assert last == ("Exception: Houston, we have a database naming issue! Make sure you only use letters, "
                            "numbers, underscores, hyphens, or dots in the database name, and you'll be golden.")
        else:  # Odoo 17's DatabaseExists (a builtin Warning: fault 1)
            assert last == f"odoo.service.db.DatabaseExists: database {name!r} already exists!"
    assert foreign.untouched()


def test_server_refuses_to_start_on_a_foreign_database(owner: Server, foreign: Foreign,
                                                       tmp_path: Path) -> None:
    """Ours: `serve --database NAME` on a database it did not create stops with a message and
    leaves it as it was."""
    name = foreign.names[-1]
    data = owner.data_dir if owner.backend == "sqlite" else tmp_path
    try:
        started = start_server(data, owner.backend, database=name)
    except RuntimeError as error:
        message = str(error)
    else:  # stopped without stop_server, which would drop the foreign database
        started.proc.terminate()
        started.proc.wait(15)
        message = "the server started"
    assert f"database {name!r} exists and was not created by odoorpc-server" in message
    assert foreign.untouched()


def test_databases_from_before_the_mark_are_adopted_at_start(backend: str, tmp_path: Path) -> None:
    """Ours: a database created by an earlier version (our metadata tables, no mark) becomes
    ours again when the server is started on it; on SQLite its file is the mark."""
    require_backend(backend)
    first = start_server(tmp_path, backend)
    first.proc.terminate()
    assert first.proc.wait(15) == 0
    try:
        if backend == "postgresql":
            assert pg_comment(first.db) == MARK
            pg(f'COMMENT ON DATABASE "{first.db}" IS NULL')
            assert pg_comment(first.db) is None
        again = start_server(tmp_path, backend, database=first.db)
    except BaseException:
        stop_server(first)  # drops the PostgreSQL database
        raise
    try:
        db = xmlrpc.client.ServerProxy(f"{again.url}/xmlrpc/2/db")
        assert first.db in db.list() and db.db_exist(first.db) is True
        assert again.client().uid == 2
        if backend == "postgresql":
            assert pg_comment(first.db) == MARK
    finally:
        stop_server(again)
