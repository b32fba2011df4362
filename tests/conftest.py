"""Shared fixtures: a real server process per backend, reached over XML-RPC.

`--db` names the backends to run the whole suite on (comma separated): `sqlite` (default),
`postgresql`, or both. PostgreSQL is skipped when unreachable, except under `CI=true`.
"""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import uuid
import xmlrpc.client
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("ODOORPC_TEST_PG", "postgresql+psycopg://root@127.0.0.1:5432")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", default="sqlite", help="backends: sqlite, postgresql, or both comma separated")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        names = [b.strip() for b in metafunc.config.getoption("db").split(",") if b.strip()]
        metafunc.parametrize("backend", names, scope="session")


def fault(fn: Any, *args: Any, **kwargs: Any) -> xmlrpc.client.Fault:
    """The fault a call answers (the test fails when it answers anything else)."""
    with pytest.raises(xmlrpc.client.Fault) as err:
        fn(*args, **kwargs)
    return err.value


def last_line(f: xmlrpc.client.Fault) -> str:
    """The last line of a fault's text: the exception as Odoo's traceback names it."""
    return f.faultString.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_conninfo(dbname: str = "postgres") -> str:
    """A libpq connection string for `dbname` on the server ODOORPC_TEST_PG names."""
    url = sa.engine.make_url(PG_URL)
    parts = {"host": url.host or "127.0.0.1", "port": url.port or 5432, "user": url.username or "root",
             "password": url.password, "dbname": dbname}
    return " ".join(f"{k}={v}" for k, v in parts.items() if v is not None)


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(pg_conninfo(), connect_timeout=3):
            return True
    except Exception:
        return False


class FreshConnection(xmlrpc.client.Transport):
    """A new TCP connection per call, so calls spread over the worker processes."""

    def make_connection(self, host: str) -> http.client.HTTPConnection:  # type: ignore[override]
        self._connection = (None, None)  # type: ignore[assignment]
        return super().make_connection(host)  # type: ignore[return-value]


@dataclass
class Client:
    """A logged-in XML-RPC session, as integration code would hold one."""

    url: str
    db: str
    login: str = "admin"
    password: str = "admin"
    uid: int = 0
    common: Any = field(init=False)
    models: Any = field(init=False)

    def __post_init__(self) -> None:
        self.common = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common")
        self.models = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/object")
        if not self.uid:
            self.uid = self.common.authenticate(self.db, self.login, self.password, {})

    def x(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.models.execute_kw(self.db, self.uid, self.password, model, method, list(args), kwargs)


@dataclass
class Server:
    backend: str
    url: str
    db: str
    port: int
    data_dir: Path
    db_url: str | None
    proc: subprocess.Popen[bytes]

    def client(self, login: str = "admin", password: str = "admin") -> Client:
        return Client(self.url, self.db, login, password)

    @property
    def log(self) -> Path:
        """What the server printed (stdout and stderr)."""
        return self.data_dir / f"server-{self.port}.log"

    @property
    def access_log(self) -> Path:
        """One line per request, ending with the pid of the worker process that answered."""
        return self.data_dir / f"access-{self.port}.log"

    def answering_pids(self, skip: int = 0) -> list[str]:
        """The pids of the processes that answered each request, after the first `skip` requests."""
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return [line.rsplit(" pid ", 1)[1] for line in lines[skip:] if " pid " in line]

    def on_every_worker(self, workers: int, check: Any, limit: int = 400) -> int:
        """Run `check()` (which asserts what it must) in parallel bursts until each of the
        `workers` processes has answered at least once since; returns the number of calls.
        The kernel hands connections to whichever worker accepts first, so a sequential client
        may meet one worker only: bursts of concurrent calls reach them all."""
        from concurrent.futures import ThreadPoolExecutor

        start = len(self.answering_pids())
        calls = 0
        with ThreadPoolExecutor(8) as pool:
            while len(set(self.answering_pids(start))) < workers:
                assert calls < limit, f"only {set(self.answering_pids(start))} answered in {calls} calls"
                list(pool.map(lambda _: check(), range(8)))
                calls += 8
        return calls


def start_server(tmp: Path, backend: str, extra: list[str] | None = None, database: str | None = None,
                 master_password: str | None = "admin", access_log: bool = True) -> Server:
    """A server on a free port, its output in `tmp/server-<port>.log`; `master_password=None`
    starts it without `--master-password`, as an operator would; `access_log=False` without the
    access log (serve's default), as the benchmarks compare it with a ceiling that logs nothing."""
    port = free_port()
    db = database or f"t{uuid.uuid4().hex[:10]}"
    cmd = [sys.executable, "-m", "odoorpc_server", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--data-dir", str(tmp), "--database", db, "--password-rounds", "1000", "--login-cooldown-after", "0",
           *(["--access-log", str(tmp / f"access-{port}.log")] if access_log else []),
           *(["--master-password", master_password] if master_password is not None else []), *(extra or [])]
    db_url = None
    if backend == "postgresql":
        db_url = PG_URL
        cmd += ["--db-url", db_url]
    with open(tmp / f"server-{port}.log", "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {(tmp / f'server-{port}.log').read_text()}")
        try:
            xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").version()
            break
        except OSError:
            if time.time() > deadline:
                proc.kill()
                raise RuntimeError("server did not start")
            time.sleep(0.1)
    return Server(backend, url, db, port, tmp, db_url, proc)


def stop_server(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(10)
    except subprocess.TimeoutExpired:
        server.proc.kill()
    if server.backend == "postgresql":
        drop_pg_database(server.db)
        drop_demo_databases(server.db)


def drop_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(pg_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def demo_databases(served: str) -> list[str]:
    """The PostgreSQL databases a demo server of `served` made (its template, /start's copies)."""
    import psycopg

    prefix = f"{served[:40]}-demo-"
    with psycopg.connect(pg_conninfo(), autocommit=True) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE left(datname, %s) = %s ORDER BY datname",
                            (len(prefix), prefix)).fetchall()
    return [row[0] for row in rows]


def drop_demo_databases(served: str) -> None:
    for name in demo_databases(served):
        drop_pg_database(name)


def require_backend(backend: str) -> None:
    if backend == "postgresql" and not postgres_available():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is required under CI but is not reachable on 127.0.0.1:5432")
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432 (outside CI)")


@contextmanager
def serving(backend: str, tmp_path_factory: pytest.TempPathFactory, label: str, *extra: str) -> Iterator[Server]:
    """A server on `backend` (skipped as `require_backend` says) in a new directory named after
    `label`, stopped afterwards: the body of every server fixture."""
    require_backend(backend)
    srv = start_server(tmp_path_factory.mktemp(f"{label}-{backend}"), backend, list(extra))
    try:
        yield srv
    finally:
        stop_server(srv)


@pytest.fixture(scope="session")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server per backend for the session, with a demo database."""
    with serving(backend, tmp_path_factory, "srv", "--demo") as srv:
        yield srv


@pytest.fixture(scope="module")
def server19(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server answering as Odoo 19.0 (where JSON-2 exists), with a demo database, one per
    test module that uses it."""
    with serving(backend, tmp_path_factory, "j2", "--demo", "--odoo-version", "19.0") as srv:
        yield srv


@pytest.fixture(scope="module")
def admin19(server19: Server) -> Client:
    return server19.client()


@pytest.fixture()
def client(server: Server) -> Client:
    return server.client()
