"""The demo instance's `POST /start`: a fresh demo database per call, dropped after `--demo-ttl`,
at most `--demo-max` at once, and nothing else ever dropped.

Hostile first: floods against the cap (two worker processes), expiry (at the next /start and at
the server's start), databases /start did not make, forged rows in the record of what /start
made, passwords tried on the other databases, malformed calls.
"""
from __future__ import annotations

import http.client
import sqlite3
import subprocess
import sys
import time
import xmlrpc.client
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from conftest import (
    FreshConnection,
    Server,
    fault,
    pg_conninfo,
    require_backend,
    serving,
    start_server,
    stop_server,
)

TTL = 2.0
CAP_TEXT = "All {n} demo databases of this server are in use; please try again later."


def start(server: Server) -> dict[str, Any]:
    answer: dict[str, Any] = xmlrpc.client.ServerProxy(f"{server.url}/start", transport=FreshConnection()).start()
    return answer


def db_proxy(server: Server) -> Any:
    return xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/db")


def ours(server: Server) -> set[str]:
    """The databases of this server's served database (on a shared PostgreSQL others list theirs)."""
    return {name for name in db_proxy(server).list() if name == server.db or name.startswith(f"{server.db}-")}


def template(server: Server) -> str:
    return f"{server.db}-demo-template"


def authenticate(server: Server, db: str, password: str) -> Any:
    return xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common").authenticate(db, "admin", password, {})


def served_sql(server: Server, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """A statement on the served database itself, behind the server's back (forged rows)."""
    if server.backend == "sqlite":
        with sqlite3.connect(server.data_dir / f"{server.db}.sqlite3") as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
    import psycopg

    with psycopg.connect(pg_conninfo(server.db), autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else []


def recorded(server: Server) -> set[str]:
    return {row[0] for row in served_sql(server, "SELECT name FROM odoorpc_demo_databases")}


@pytest.fixture()
def demo(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A demo server whose /start databases live TTL seconds, two at most."""
    with serving(backend, tmp_path_factory, "demo", "--demo", "--demo-ttl", str(TTL), "--demo-max", "2") as srv:
        yield srv


# -- hostile ----------------------------------------------------------------------------------------

def test_a_flood_of_start_calls_respects_the_cap(backend: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Twelve concurrent calls over two worker processes: exactly three databases, nine faults
    naming the cap, and the record holds the three."""
    with serving(backend, tmp_path_factory, "flood", "--demo", "--demo-max", "3", "--workers", "2") as server:
        def call(_: int) -> Any:
            try:
                return start(server)
            except xmlrpc.client.Fault as refused:
                return refused

        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(call, range(12)))
        made = [a for a in answers if isinstance(a, dict)]
        refused = [a for a in answers if isinstance(a, xmlrpc.client.Fault)]
        assert len(made) == 3 and len(refused) == 9
        assert {(f.faultCode, f.faultString) for f in refused} == {(2, CAP_TEXT.format(n=3))}
        names = {a["database"] for a in made}
        assert ours(server) == {server.db, template(server), *names}
        assert recorded(server) == names
        for answer in made:
            assert authenticate(server, answer["database"], answer["password"]) == 2


def test_an_expired_database_is_gone_at_the_next_start(demo: Server) -> None:
    first, second = start(demo), start(demo)
    assert fault(start, demo).faultString == CAP_TEXT.format(n=2)
    time.sleep(TTL + 0.3)
    third = start(demo)  # the expired two are dropped first, which frees the cap
    assert ours(demo) == {demo.db, template(demo), third["database"]}
    assert recorded(demo) == {third["database"]}
    for gone in (first, second):
        assert db_proxy(demo).db_exist(gone["database"]) is False
        missing = fault(authenticate, demo, gone["database"], gone["password"])
        assert missing.faultString.strip().splitlines()[-1] == (
            f'odoorpc_server.storage.database.DatabaseNotFound: database "{gone["database"]}" does not exist')
    assert authenticate(demo, third["database"], third["password"]) == 2


def test_the_server_drops_expired_databases_at_start(backend: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    require_backend(backend)
    tmp = tmp_path_factory.mktemp(f"restart-{backend}")
    extra = ["--demo", "--demo-ttl", str(TTL)]
    first = start_server(tmp, backend, extra)
    try:
        made = start(first)
    finally:
        first.proc.terminate()  # (not stop_server: the databases stay for the next start)
        first.proc.wait(10)
    time.sleep(TTL + 0.3)
    again = start_server(tmp, backend, extra, database=first.db)
    try:
        assert ours(again) == {again.db, template(again)}  # before any /start
        assert recorded(again) == set()
        assert db_proxy(again).db_exist(made["database"]) is False
    finally:
        stop_server(again)


def test_databases_start_did_not_make_are_never_dropped(demo: Server) -> None:
    """A database of /start's shape made by the db service, one of another name, the served
    database and the template outlive every expiry, even named by forged expired rows."""
    master = "admin"
    shaped, other = f"{demo.db}-demo-aaaaaaaaaaaa", f"{demo.db}-other"
    for name in (shaped, other):
        assert db_proxy(demo).create_database(master, name, False, "en_US", "secret") is True
    made = start(demo)
    forged = [demo.db, template(demo), other, "postgres", "template1", f"../{demo.db}"]
    for name in forged:
        served_sql(demo, "INSERT INTO odoorpc_demo_databases (name, created_at) VALUES (%s, %s)", (name, 0.0))
    time.sleep(TTL + 0.3)
    fresh = start(demo)
    assert ours(demo) == {demo.db, template(demo), shaped, other, fresh["database"]}
    assert made["database"] not in ours(demo)
    assert recorded(demo) == {fresh["database"]}  # the forged rows are deleted, nothing they name
    assert authenticate(demo, demo.db, "admin") == 2
    assert authenticate(demo, shaped, "secret") == 2 and authenticate(demo, other, "secret") == 2
    for name in (shaped, other):
        assert db_proxy(demo).drop(master, name) is True


def test_a_demo_password_opens_its_own_database_only(demo: Server) -> None:
    first, second = start(demo), start(demo)
    assert first["database"] != second["database"] and first["password"] != second["password"]
    assert authenticate(demo, first["database"], first["password"]) == 2
    for db in (second["database"], demo.db, template(demo)):
        assert authenticate(demo, db, first["password"]) is False
    # the template's admin has a password nobody was told, neither the served one's nor a copy's
    assert authenticate(demo, template(demo), "admin") is False
    assert authenticate(demo, second["database"], "admin") is False
    models = xmlrpc.client.ServerProxy(f"{demo.url}/xmlrpc/2/object")
    denied = fault(models.execute_kw, second["database"], 2, first["password"], "res.partner", "search", [[]])
    assert (denied.faultCode, denied.faultString) == (3, "Access Denied")
    assert authenticate(demo, demo.db, "admin") == 2


def test_malformed_start_calls_make_nothing(demo: Server) -> None:
    before = ours(demo)
    proxy = xmlrpc.client.ServerProxy(f"{demo.url}/start")
    extra = fault(proxy.start, "more")
    assert extra.faultString.strip().splitlines()[-1] == \
        "TypeError: start() takes 0 positional arguments but 1 was given"
    other = fault(proxy.stop)
    assert other.faultString.strip().splitlines()[-1] == "KeyError: 'Method not found: stop'"
    garbled = http.client.HTTPConnection("127.0.0.1", demo.port, timeout=30)
    garbled.request("POST", "/start", b"<methodCall><methodName>start", {"Content-Type": "text/xml"})
    response = garbled.getresponse()
    body = response.read()
    assert response.status == 200 and b"<fault>" in body and b"ExpatError" in body
    huge = http.client.HTTPConnection("127.0.0.1", demo.port, timeout=30)
    huge.putrequest("POST", "/start")
    huge.putheader("Content-Length", str(65 * 1024 * 1024))
    huge.endheaders()
    assert huge.getresponse().status == 413
    assert ours(demo) == before and recorded(demo) == set()


# -- behaviour ----------------------------------------------------------------------------------

def test_each_start_hands_out_a_fresh_copy_of_the_demo_data(demo: Server) -> None:
    served = demo.client()
    served.x("res.partner", "create", {"name": "Only in the served database"})
    first = start(demo)
    answer_keys = {"host": demo.url, "user": "admin"}
    assert {k: first[k] for k in answer_keys} == answer_keys and set(first) == {"host", "database", "user", "password"}
    a = demo.client().__class__(demo.url, first["database"], "admin", first["password"])
    companies = a.x("res.partner", "search_read", [["is_company", "=", True]], fields=["name"], order="id")
    assert len(companies) > 3  # the demo companies
    assert a.x("res.partner", "search_count", [["name", "=", "Only in the served database"]]) == 0
    a.x("res.partner", "write", [companies[0]["id"]], {"name": "Renamed in the first"})
    second = start(demo)
    b = a.__class__(demo.url, second["database"], "admin", second["password"])
    assert b.x("res.partner", "search_read", [["is_company", "=", True]], fields=["name"], order="id") == companies


def test_a_dump_of_the_served_database_restores_after_start(demo: Server) -> None:
    """The record of /start's databases is the server's bookkeeping: no dump carries it."""
    start(demo)
    db = db_proxy(demo)
    data = db.dump("admin", demo.db, "zip")
    copy = f"{demo.db}-restored"
    assert db.restore("admin", copy, data) is True
    assert authenticate(demo, copy, "admin") == 2
    assert db.drop("admin", copy) is True


@pytest.mark.parametrize("value, seconds", [("90", 90.0), ("90s", 90.0), ("30m", 1800.0), ("1h", 3600.0),
                                            ("1.5h", 5400.0)])
def test_demo_ttl_takes_seconds_minutes_or_hours(value: str, seconds: float) -> None:
    from odoorpc_server.services.demo import parse_duration

    assert parse_duration(value) == seconds


@pytest.mark.parametrize("option, value, message", [
    ("--demo-ttl", "0", "not a duration: '0'"), ("--demo-ttl", "1d", "not a duration: '1d'"),
    ("--demo-ttl", "-5", "not a duration: '-5'"), ("--demo-ttl", "nan", "not a duration: 'nan'"),
    ("--demo-max", "0", "not a positive whole number: '0'"), ("--demo-max", "-1", "not a positive whole number: '-1'"),
])
def test_bad_demo_options_stop_the_command_line(option: str, value: str, message: str) -> None:
    done = subprocess.run([sys.executable, "-m", "odoorpc_server", "serve", "--demo", f"{option}={value}"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and f"argument {option}: {message}" in done.stderr


def test_start_databases_carry_the_loaded_files(backend: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """`serve --demo --load FILE`: the file is in the template, so in every /start database."""
    data = tmp_path_factory.mktemp("demo-load") / "shop.json"
    data.write_text('{"records": {"res.partner": {"acme": {"name": "Acme Loaded"}}}}')
    with serving(backend, tmp_path_factory, "demoload", "--demo", "--load", str(data)) as srv:
        got = start(srv)
        uid = authenticate(srv, got["database"], got["password"])
        models = xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/object")
        found = models.execute_kw(got["database"], uid, got["password"], "ir.model.data", "search_read",
                                  [[["module", "=", "data"], ["name", "=", "acme"]]], {"fields": ["model", "res_id"]})
        assert [(row["model"], models.execute_kw(got["database"], uid, got["password"], "res.partner", "read",
                                                 [[row["res_id"]], ["name"]])[0]["name"]) for row in found] == \
            [("res.partner", "Acme Loaded")]
