"""A call cannot hold PostgreSQL for long: with `--statement-timeout`, a statement stuck behind
another transaction's lock is cancelled after the bound and the call answers a fault, its
transaction rolled back; once the lock is gone the same call succeeds, with no restart."""
from __future__ import annotations

import http.client
import xmlrpc.client
from collections.abc import Iterator

import psycopg
import pytest

from conftest import Server, fault, pg_conninfo, require_backend, start_server, stop_server
from odoorpc_server.storage.database import pg_time_bounds


@pytest.fixture(scope="module")
def bounded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_backend("postgresql")
    srv = start_server(tmp_path_factory.mktemp("bounded"), "postgresql", ["--statement-timeout", "0.5"])
    yield srv
    stop_server(srv)


def test_bounds_as_connection_options() -> None:
    assert pg_time_bounds(0.5) == {"connect_timeout": 10, "options": "-c statement_timeout=500 "
                                   "-c idle_in_transaction_session_timeout=120000"}
    assert pg_time_bounds(0)["options"] == "-c statement_timeout=0 -c idle_in_transaction_session_timeout=0"


class Patient(xmlrpc.client.Transport):
    """A client that gives up after 60 s, so that a call held forever fails the test instead of
    hanging it."""

    def make_connection(self, host: str) -> http.client.HTTPConnection:  # type: ignore[override]
        conn = super().make_connection(host)
        conn.timeout = 60
        return conn


def test_a_locked_row_gives_a_fault_after_the_bound_then_recovers(bounded: Server) -> None:
    client = bounded.client()
    models = xmlrpc.client.ServerProxy(f"{bounded.url}/xmlrpc/2/object", transport=Patient())
    pid = client.x("res.partner", "create", {"name": "Locked"})
    with psycopg.connect(pg_conninfo(bounded.db)) as other:
        other.execute("SELECT id FROM res_partner WHERE id = %s FOR UPDATE", (pid,))
        refused = fault(models.execute_kw, bounded.db, client.uid, "admin", "res.partner", "write",
                        [[pid], {"name": "Changed"}])
        other.rollback()
    assert refused.faultCode == 1
    assert "psycopg.errors.QueryCanceled: canceling statement due to statement timeout" in \
        refused.faultString.splitlines()
    assert client.x("res.partner", "read", [pid], ["name"]) == [{"id": pid, "name": "Locked"}]
    assert client.x("res.partner", "write", [pid], {"name": "Changed"}) is True
    assert client.x("res.partner", "read", [pid], ["name"]) == [{"id": pid, "name": "Changed"}]


def test_reads_are_not_held_by_a_writer(bounded: Server) -> None:
    client = bounded.client()
    pid = client.x("res.partner", "create", {"name": "Read while locked"})
    with psycopg.connect(pg_conninfo(bounded.db)) as other:
        other.execute("UPDATE res_partner SET name = 'uncommitted' WHERE id = %s", (pid,))
        assert client.x("res.partner", "read", [pid], ["name"]) == [{"id": pid, "name": "Read while locked"}]
        other.rollback()
    assert isinstance(xmlrpc.client.ServerProxy(f"{bounded.url}/xmlrpc/2/common").version(), dict)
