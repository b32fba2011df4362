"""Start-up: a start on a database whose schema is current, or on a new one (made from the
migrations' head snapshot), imports neither Alembic nor the report and OAuth libraries (they
cost most of a start's import time), and takes no lock; a database that is behind is upgraded
at start by the migrations, under its schema lock; a database whose lock another server holds
is left to that server.

Which libraries a real `serve` process (and its workers) imported is recorded by an import
watcher installed through `sitecustomize` on PYTHONPATH: it appends one line per first import
of a watched library to a file, in every process of the server, while the test talks to the
server over the wire."""
from __future__ import annotations

import textwrap
import uuid
import xmlrpc.client
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from conftest import PG_URL, Server, pg_conninfo, require_backend, start_server, stop_server
from odoorpc_server.services import bootstrap
from odoorpc_server.settings import Settings
from odoorpc_server.storage import migrate
from odoorpc_server.storage.database import Backend

# the libraries a start on a current database must not import: Alembic (and its Mako), the
# PDF reports' WeasyPrint and Jinja2, the REST API's oauthlib
LAZY = ("alembic", "mako", "weasyprint", "jinja2", "oauthlib")

WATCHER = '''
import os
import sys
import threading

class _Watch:
    """Appends the top-level name of a watched library, and the name of the importing thread,
    to a file when a process first imports it."""
    names = {names!r}

    def find_spec(self, name, path=None, target=None):
        if name in self.names:
            with open(os.environ["ODOORPC_TEST_IMPORTS"], "a") as out:
                out.write(threading.current_thread().name + " " + name + "\\n")
        return None

sys.meta_path.insert(0, _Watch())
'''


@pytest.fixture()
def watched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The file every server process started in the test appends its watched imports to."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(textwrap.dedent(WATCHER.format(names=set(LAZY))))
    record = tmp_path / "imports.txt"
    record.write_text("")
    monkeypatch.setenv("PYTHONPATH", str(hook))
    monkeypatch.setenv("ODOORPC_TEST_IMPORTS", str(record))
    yield record


def first_answers(srv: Server) -> None:
    """version, authenticate and a read: what a client does first."""
    admin = srv.client()
    assert admin.uid == 2
    assert admin.x("res.users", "read", [2], ["login"]) == [{"id": 2, "login": "admin"}]


def imports(record: Path) -> list[tuple[str, str]]:
    """(thread, library) of each watched first import."""
    return [(line.split()[0], line.split()[1]) for line in record.read_text().splitlines()]


def served_once(tmp_path: Path, backend: str, name: str) -> None:
    """Start a server on `name`, make the first calls, stop it."""
    srv = start_server(tmp_path, backend, database=name)
    try:
        first_answers(srv)
    finally:
        srv.proc.terminate()
        srv.proc.wait(15)


def test_a_current_database_starts_without_alembic(backend: str, tmp_path: Path, watched: Path) -> None:
    require_backend(backend)
    name = f"s{uuid.uuid4().hex[:10]}"
    served_once(tmp_path, backend, name)
    # a new database is made from the head snapshot of the migrations: no Alembic either
    assert [lib for _, lib in imports(watched) if lib in ("alembic", "mako")] == []
    # the watcher sees what it must: a database that is behind is upgraded by the migrations
    storage = Backend(tmp_path, PG_URL if backend == "postgresql" else None)
    make_behind(storage, name)
    storage.dispose()
    served_once(tmp_path, backend, name)
    assert ("MainThread", "alembic") in imports(watched)
    with other_database(backend, tmp_path):  # a second current database to check at start
        watched.write_text("")
        again = started(start_server(tmp_path, backend, database=name))
        try:
            xmlrpc.client.ServerProxy(f"{again.url}/xmlrpc/2/common").version()
        finally:
            stop_server(again)
    found = imports(watched)
    if backend == "postgresql":
        # a shared PostgreSQL server may hold other servers' databases that are behind: their
        # upgrades (in the start's upgrade threads) import Alembic, the served one does not
        found = [(thread, lib) for thread, lib in found if not thread.startswith("upgrade")]
    assert found == []


def test_the_head_is_alembics(tmp_path: Path) -> None:
    """The head read from the revision files is the one Alembic computes."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(migrate.MIGRATIONS))
    assert migrate.head() == ScriptDirectory.from_config(cfg).get_current_head()


def make_behind(backend: Backend, name: str) -> None:
    """A database as revision 0008 left it: without OAuth's tables (0009)."""
    with backend.transaction(name) as conn:
        conn.execute(sa.text("DROP TABLE odoorpc_oauth_keys"))
        conn.execute(sa.text("DROP TABLE odoorpc_oauth_nonces"))
        conn.execute(sa.text("UPDATE odoorpc_alembic_version SET version_num = '0008'"))


def state(backend: Backend, name: str) -> tuple[str | None, bool]:
    """(revision, whether OAuth's key table exists) of a database."""
    with backend.transaction(name, write=False) as conn:
        return migrate.current(conn), "odoorpc_oauth_keys" in sa.inspect(conn).get_table_names()


@contextmanager
def other_database(backend_name: str, tmp_path: Path) -> Iterator[tuple[Backend, str]]:
    """A second database of ours beside the served one, dropped afterwards."""
    db_url = PG_URL if backend_name == "postgresql" else None
    storage = Backend(tmp_path, db_url)
    name = f"o{uuid.uuid4().hex[:10]}"
    bootstrap.create(storage, name, Settings(data_dir=str(tmp_path), db_url=db_url, database=name,
                                             password_rounds=1000))
    try:
        yield storage, name
    finally:
        storage.drop(name)
        storage.dispose()


def started(srv: Server) -> Server:
    """`srv` once it has answered its first calls; stopped if it does not."""
    try:
        first_answers(srv)
    except BaseException:
        stop_server(srv)
        raise
    return srv


def test_a_database_behind_is_upgraded_at_start(backend: str, tmp_path: Path) -> None:
    """Every database of ours, not only the one served, is brought to the newest revision."""
    require_backend(backend)
    with other_database(backend, tmp_path) as (storage, other):
        make_behind(storage, other)
        assert state(storage, other) == ("0008", False)
        stop_server(start_server(tmp_path, backend))
        assert state(storage, other) == (migrate.head(), True)


@pytest.mark.parametrize("backend_name", ["postgresql"])
def test_a_database_another_server_is_upgrading_is_left_to_it(backend_name: str, tmp_path: Path) -> None:
    """A starting server does not wait for a database whose schema lock another server holds
    (that one is creating or upgrading it): it starts, and the database is the holder's."""
    require_backend(backend_name)
    with other_database(backend_name, tmp_path) as (storage, other):
        make_behind(storage, other)
        with psycopg.connect(pg_conninfo(other)) as holder:
            # what a server upgrading the database holds: its schema lock, and the revision row
            # it is about to change
            holder.execute("SELECT pg_advisory_xact_lock(%s)", (bootstrap.SCHEMA_LOCK,))
            holder.execute("SELECT version_num FROM odoorpc_alembic_version FOR UPDATE")
            stop_server(started(start_server(tmp_path, backend_name)))  # answers although the lock is held
            assert state(storage, other) == ("0008", False)
        stop_server(start_server(tmp_path, backend_name))  # the lock is free: this start upgrades it
        assert state(storage, other) == (migrate.head(), True)


@pytest.mark.parametrize("backend_name", ["postgresql"])
def test_a_database_locked_by_another_session_does_not_hold_up_the_start(backend_name: str,
                                                                        tmp_path: Path) -> None:
    """A database the server does not serve, whose tables another session holds locked (a long
    schema change elsewhere, a frozen database), is skipped after a short wait, and the start
    goes on."""
    require_backend(backend_name)
    with other_database(backend_name, tmp_path) as (_, other):
        with psycopg.connect(pg_conninfo(other)) as holder:
            holder.execute("LOCK TABLE ir_model, ir_model_fields IN ACCESS EXCLUSIVE MODE")
            srv = started(start_server(tmp_path, backend_name))
            stop_server(srv)
        assert f"database {other!r} is locked by another session: not checked at this start" in srv.log.read_text()
