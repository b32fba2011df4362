"""Answers of 100 000 rows and id lists of 70 000, over XML-RPC (and the big answer over the JSON
protocols too) on both backends.

An id list bound one parameter per id fails past the drivers' limits (65 535 on PostgreSQL,
32 766 in an upstream SQLite build): lists are bound as one parameter. The partners are inserted straight into
the database (creating 100 000 through the API takes minutes); every call under test goes over
the wire.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import Client, Server, pg_conninfo, require_backend, start_server, stop_server
from json2wire import Json2, make_key
from jsonwire import Web, rpc

BULK = 100_000
SLICE = 70_000  # past PostgreSQL's 65 535 parameters (SQLite's limit depends on the build: 32 766 upstream)


def run_sql(server: Server, sql: str) -> None:
    """One statement straight on the server's database."""
    if server.backend == "postgresql":
        import psycopg

        with psycopg.connect(pg_conninfo(server.db), autocommit=True) as conn:
            conn.execute(sql)
        return
    with closing(sqlite3.connect(server.data_dir / f"{server.db}.sqlite3")) as conn:
        conn.execute(sql)
        conn.commit()


def bulk_insert(server: Server, template: int, prefix: str, count: int) -> None:
    """`count` copies of partner `template`, named `<prefix> <n>` (n from 1), in one statement."""
    client = server.client()
    columns = [c for c in client.x("res.partner", "fields_get", attributes=["store", "type"]).items()
               if c[1]["store"] and c[1]["type"] not in ("one2many", "many2many") and c[0] != "id"]
    names = [name for name, _ in columns]
    label = f"'{prefix} ' || n"
    picked = ", ".join(label if name in ("name", "complete_name") else f"p.{name}" for name in names)
    if server.backend == "postgresql":
        source = f"FROM res_partner p, generate_series(1, {count}) AS n WHERE p.id = {template}"
        run_sql(server, f"INSERT INTO res_partner ({', '.join(names)}) SELECT {picked} {source}")
    else:
        run_sql(server, f"WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {count}) "
                        f"INSERT INTO res_partner ({', '.join(names)}) SELECT {picked} FROM res_partner p, g "
                        f"WHERE p.id = {template}")


@pytest.fixture(scope="module")
def big(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, list[int]]]:
    """A server whose database holds 100 000 partners named 'Bulk <n>'; their ids, ascending (as
    Odoo 19, so that JSON-2 is served too)."""
    require_backend(backend)
    server = start_server(tmp_path_factory.mktemp(f"big-{backend}"), backend, ["--odoo-version", "19.0"])
    try:
        client = server.client()
        template = client.x("res.partner", "create", {
            "name": "Template", "comment": "bulk", "email": "bulk.partner@example.com", "phone": "+32 9 123 45 67",
            "street": "Rue de la Loi 16", "zip": "1000", "city": "Brussels", "country_id": 21})
        bulk_insert(server, template, "Bulk", BULK)
        ids = client.x("res.partner", "search", [("name", "=like", "Bulk %")], order="id")
        assert len(ids) == BULK
        yield server, ids
    finally:
        stop_server(server)


def test_search_read_answers_every_row(big: tuple[Server, list[int]]) -> None:
    server, ids = big
    rows = server.client().x("res.partner", "search_read", [("name", "=like", "Bulk %")], fields=["name"],
                             order="id")
    assert [r["id"] for r in rows] == ids
    assert rows[0]["name"] == "Bulk 1" and rows[-1]["name"] == f"Bulk {BULK}"
    everything = server.client().x("res.partner", "search_read", [], fields=["name"])
    assert len(everything) == server.client().x("res.partner", "search_count", [])
    assert set(ids) <= {r["id"] for r in everything}


def test_read_of_70000_ids(big: tuple[Server, list[int]]) -> None:
    server, ids = big
    wanted = ids[::-1][:SLICE]  # read answers in the order asked
    rows = server.client().x("res.partner", "read", wanted, ["name", "parent_id"])
    assert [r["id"] for r in rows] == wanted
    assert rows[0] == {"id": ids[-1], "name": f"Bulk {BULK}", "parent_id": False}


def test_search_in_and_not_in_70000_ids(big: tuple[Server, list[int]]) -> None:
    server, ids = big
    client = server.client()
    assert client.x("res.partner", "search", [("id", "in", ids[:SLICE])], order="id") == ids[:SLICE]
    assert client.x("res.partner", "search_count", [("id", "in", ids[:SLICE])]) == SLICE
    rest = client.x("res.partner", "search", [("name", "=like", "Bulk %"), ("id", "not in", ids[:SLICE])],
                    order="id")
    assert rest == ids[SLICE:]


def test_relational_leaves_on_70000_ids(big: tuple[Server, list[int]]) -> None:
    """child_of walks the tree with the list as one parameter; a many2one's `not in` still
    matches the records without a value, a one2many's `in` only those with a match."""
    server, ids = big
    client = server.client()
    assert client.x("res.partner", "search_count", [("id", "child_of", ids[:SLICE])]) == SLICE
    assert client.x("res.partner", "search_count", [("name", "=like", "Bulk %"),
                                                    ("parent_id", "not in", ids[:SLICE])]) == BULK
    assert client.x("res.partner", "search_count", [("parent_id", "in", ids[:SLICE])]) == 0
    assert client.x("res.partner", "search_count", [("child_ids", "in", ids[:SLICE])]) == 0


def test_search_in_70000_names(big: tuple[Server, list[int]]) -> None:
    """A char field's `in` list is one parameter too."""
    server, ids = big
    names = [f"Bulk {n}" for n in range(1, SLICE + 1)]
    client = server.client()
    assert client.x("res.partner", "search", [("name", "in", names)], order="id") == ids[:SLICE]
    assert client.x("res.partner", "search_count", [("name", "not in", names), ("name", "=like", "Bulk %")]) \
        == BULK - SLICE


def test_write_of_70000_ids(big: tuple[Server, list[int]]) -> None:
    server, ids = big
    client = server.client()
    assert client.x("res.partner", "write", ids[:SLICE], {"ref": "big"}) is True
    assert client.x("res.partner", "search_count", [("ref", "=", "big")]) == SLICE
    assert client.x("res.partner", "read", [ids[SLICE - 1], ids[SLICE]], ["ref"]) == [
        {"id": ids[SLICE - 1], "ref": "big"}, {"id": ids[SLICE], "ref": False}]


def test_unlink_of_70000_ids(big: tuple[Server, list[int]]) -> None:
    server, ids = big
    client: Client = server.client()
    template = client.x("res.partner", "search", [("name", "=", "Template")])
    bulk_insert(server, template[0], "Gone", SLICE)
    gone = client.x("res.partner", "search", [("name", "=like", "Gone %")])
    assert len(gone) == SLICE
    assert client.x("res.partner", "unlink", gone) is True
    assert client.x("res.partner", "search_count", [("name", "=like", "Gone %")]) == 0
    assert client.x("res.partner", "search_count", [("id", "in", gone)]) == 0
    assert client.x("res.partner", "search_count", [("name", "=like", "Bulk %")]) == BULK


def worker_pid(server: Server) -> int:
    """The one worker process of a server started with --workers 1."""
    children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def memory_mb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) // 1024
    raise AssertionError(f"no {key} for {pid}")


FIELDS8 = ["name", "email", "phone", "street", "zip", "city", "country_id", "is_company"]


def last_bulk_row(ids: list[int], country: Any) -> dict[str, Any]:
    return {"id": ids[-1], "name": f"Bulk {BULK}", "email": "bulk.partner@example.com", "phone": "+32 9 123 45 67",
            "street": "Rue de la Loi 16", "zip": "1000", "city": "Brussels", "country_id": country,
            "is_company": False}


def test_a_big_answer_streams(big: tuple[Server, list[int]]) -> None:
    """search_read of 100 000 rows × 8 fields: the worker's peak memory grows by less than
    100 MB (the rows are fetched a chunk at a time while the answer is written, and the answer
    is sent in the chunks it was written in)."""
    server, ids = big
    client = server.client()
    client.x("res.partner", "search_read", [], fields=["name"], limit=1)
    pid = worker_pid(server)
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # the peak starts again from now
    before = memory_mb(pid, "VmRSS")
    rows = client.x("res.partner", "search_read", [("name", "=like", "Bulk %")], order="id", fields=FIELDS8)
    assert [r["id"] for r in rows[:3]] == ids[:3] and len(rows) == BULK
    assert rows[-1] == last_bulk_row(ids, [21, rows[-1]["country_id"][1]])
    grown = memory_mb(pid, "VmHWM") - before
    assert grown < 100, f"the worker's peak grew by {grown} MB"


def json_search_read(server: Server, protocol: str) -> Any:
    """search_read of the 100 000 bulk partners, 8 fields, over one of the JSON protocols: the rows."""
    domain, kwargs = [["name", "=like", "Bulk %"]], {"fields": FIELDS8, "order": "id"}
    if protocol == "jsonrpc":
        envelope = rpc(server.url, "object", "execute_kw", server.db, 2, "admin", "res.partner", "search_read",
                       [domain], kwargs)
        assert "error" not in envelope, envelope["error"]
        return envelope["result"]
    if protocol == "call_kw":
        web = Web(server.url)
        web.login(server.db)
        return web.kw("res.partner", "search_read", domain, **kwargs)
    return Json2(server.url, make_key(server.client()), server.db).ok("res.partner", "search_read",
                                                                       domain=domain, **kwargs)


@pytest.mark.parametrize("protocol", ["jsonrpc", "call_kw", "json2"])
def test_a_big_json_answer_streams(big: tuple[Server, list[int]], protocol: str) -> None:
    """The same 100 000 rows over /jsonrpc, the web client's call_kw and JSON-2: the envelope is
    written inside the call, the rows fetched a chunk at a time as they are encoded, so the
    worker's peak grows by less than 100 MB here too (all the rows at once take several hundred)."""
    server, ids = big
    server.client().x("res.partner", "search_read", [], fields=["name"], limit=1)
    pid = worker_pid(server)
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    before = memory_mb(pid, "VmRSS")
    rows = json_search_read(server, protocol)
    grown = memory_mb(pid, "VmHWM") - before
    assert len(rows) == BULK and [r["id"] for r in rows[:3]] == ids[:3]
    assert rows[-1] == last_bulk_row(ids, [21, rows[-1]["country_id"][1]])
    assert grown < 100, f"the worker's peak grew by {grown} MB"
