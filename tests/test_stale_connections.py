"""Pooled PostgreSQL connections that the server closed (a restart, `pg_terminate_backend`,
another process duplicating or renaming the database) cost the next calls nothing: a call whose
connection turns out broken before its commit runs again on a fresh one, once, and a write so
replayed is committed exactly once."""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest

from conftest import Server, pg_conninfo, serving
from odoorpc_server.orm.env import Env
from odoorpc_server.services.app import App
from odoorpc_server.services.call import within
from odoorpc_server.settings import Settings
from odoorpc_server.storage.database import Backend, StaleConnection


@pytest.fixture(scope="module")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving("postgresql", tmp_path_factory, "stale") as srv:
        yield srv


def terminate_sessions(db: str) -> int:
    """End every session on `db` but this one, as a restart or an operator would."""
    with psycopg.connect(pg_conninfo(), autocommit=True) as conn:
        ended = conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                             "WHERE datname = %s AND pid <> pg_backend_pid()", (db,)).fetchone()
    return int(ended[0]) if ended else 0


def test_calls_after_the_sessions_were_ended(pg_server: Server) -> None:
    # several connections in the pool, all of them used just now (no idle ping will save them)
    with ThreadPoolExecutor(6) as pool:
        counts = list(pool.map(lambda _: pg_server.client().x("res.partner", "search_count", []), range(12)))
    assert len(set(counts)) == 1
    assert terminate_sessions(pg_server.db) >= 1
    with ThreadPoolExecutor(6) as pool:
        after = list(pool.map(lambda _: pg_server.client().x("res.partner", "search_count", []), range(12)))
    assert after == [counts[0]] * 12


def test_a_replayed_write_commits_once(pg_server: Server) -> None:
    client = pg_server.client()
    client.x("res.partner", "search_count", [])
    assert terminate_sessions(pg_server.db) >= 1
    pid = client.x("res.partner", "create", {"name": "Made after the sessions ended"})
    assert client.x("res.partner", "search", [("name", "=", "Made after the sessions ended")]) == [pid]


def end_own_session(conn: Any) -> None:
    """Have the server end the session this connection is on (a restart would, mid-call)."""
    pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with psycopg.connect(pg_conninfo(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_call_whose_connection_breaks_runs_again(pg_server: Server) -> None:
    """In process: the first attempt's connection is ended under it, before the commit; the call
    runs a second time on a fresh connection and its write is there once."""
    app = App(Settings(data_dir=str(pg_server.data_dir), db_url=pg_server.db_url, database=pg_server.db,
                       password_rounds=1000))
    attempts: list[int] = []

    def work(env: Env) -> int:
        attempts.append(1)
        if len(attempts) == 1:
            end_own_session(env.conn)
        return int(env["res.partner"].create({"name": "Written by a replayed call"}))

    made = within(app, pg_server.db, 2, "admin", {}, True, work)
    assert len(attempts) == 2
    assert pg_server.client().x("res.partner", "search", [("name", "=", "Written by a replayed call")]) == [made]


def test_a_broken_connection_before_commit_is_stale(pg_server: Server) -> None:
    backend = Backend(pg_server.data_dir, pg_server.db_url)
    try:
        with pytest.raises(StaleConnection), backend.transaction(pg_server.db) as conn:
            end_own_session(conn)
            conn.exec_driver_sql("SELECT 1")
        with backend.transaction(pg_server.db) as conn:  # the pool replaced it
            assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        backend.dispose()
