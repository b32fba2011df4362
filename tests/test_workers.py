"""Several worker processes on one database: a schema change made through one worker is
seen by every other worker on its next call (the registry follows the database)."""
from __future__ import annotations

import uuid
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import FreshConnection, Server, require_backend, start_server, stop_server


@pytest.fixture(scope="module")
def workers(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_backend(backend)
    srv = start_server(tmp_path_factory.mktemp(f"workers-{backend}"), backend, ["--workers", "3"])
    yield srv
    stop_server(srv)


def call(srv: Server, model: str, method: str, *args: object) -> object:
    proxy = xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/object", transport=FreshConnection())
    return proxy.execute_kw(srv.db, 2, "admin", model, method, list(args), {})


def test_schema_change_seen_by_every_worker(workers: Server, tmp_path: Path) -> None:
    name = f"x_w{uuid.uuid4().hex[:8]}"
    # every worker loads its registry before the change
    workers.on_every_worker(3, lambda: call(workers, "res.partner", "search_count", []))
    mid = call(workers, "ir.model", "create", {"name": "Shared", "model": name, "state": "manual"})
    call(workers, "ir.model.fields", "create", {"model_id": mid, "name": "x_name", "ttype": "char"})
    ids = [call(workers, name, "create", {"x_name": f"r{i}"}) for i in range(12)]
    assert len(set(ids)) == 12
    assert call(workers, name, "search_count", []) == 12
    field = call(workers, "ir.model.fields", "search", [("model", "=", name), ("name", "=", "x_name")])
    call(workers, "ir.model.fields", "unlink", field)

    def field_gone() -> None:
        with pytest.raises(xmlrpc.client.Fault) as err:
            call(workers, name, "read", ids[:1], ["x_name"])
        assert err.value.faultString.strip().splitlines()[-1] == f"ValueError: Invalid field 'x_name' on model '{name}'"

    workers.on_every_worker(3, field_gone)
    call(workers, "ir.model", "unlink", [mid])

    def model_gone() -> None:
        with pytest.raises(xmlrpc.client.Fault) as err:
            call(workers, name, "search", [])
        assert err.value.faultCode == 2 and err.value.faultString == f"Object {name} doesn't exist"

    workers.on_every_worker(3, model_gone)


def test_sigterm_stops_every_process(backend: str, tmp_path: Path) -> None:
    require_backend(backend)
    srv = start_server(tmp_path, backend, ["--workers", "2"])
    srv.proc.terminate()
    assert srv.proc.wait(15) == 0
    with pytest.raises(OSError):  # nothing listens any more: the workers stopped with the master
        xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/common").version()
    if backend == "postgresql":
        stop_server(srv)
