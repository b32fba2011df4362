"""The pytest plugin: a real odoorpc-server for a test suite, a fresh database per test.

Registered as the `pytest11` entry point `odoorpc`, so it is active wherever the package is
installed. It costs nothing until a test asks for one of its fixtures: this module imports only
the standard library and pytest, and the server starts with the first test that uses `odoo`.

- `odoo_server` (session): `odoorpc-server serve` in a subprocess on a free port, SQLite in a
  temporary directory (or PostgreSQL: `--odoo-db-url URL` / `ODOORPC_DB_URL`), one worker
  process (fault rules live in the server process), a random master password and harness token,
  its call log in the temporary directory. The database it serves is the template of the
  fresh databases; a second template with demo data is made when a test first asks for it.
- `odoo` (function): a database cloned from the template (`@pytest.mark.odoo(demo=True)`: from
  the demo one) with `duplicate_database`, dropped after the test, its faults cleared.
- `odoo_calls` (function): the calls made in that database, read from the call log.

Every request the fixtures make carries the harness header, so it is left out of `odoo_calls`
and no injected fault applies to it.
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
import xmlrpc.client
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import pytest

HARNESS_HEADER = "X-Odoorpc-Harness"
FAULTS_ROUTE = "/odoorpc/harness/faults"
LOGIN = PASSWORD = "admin"
START_TIMEOUT = 60.0


# -- options and marker ----------------------------------------------------------------------------

def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("odoorpc", "odoorpc-server (the odoo, odoo_server and odoo_calls fixtures)")
    group.addoption("--odoo-db-url", default=None, metavar="URL",
                    help="PostgreSQL server for the odoo fixtures, e.g. postgresql+psycopg://user@host:5432 "
                         "(default: env ODOORPC_DB_URL, else SQLite in a temporary directory)")
    group.addoption("--odoo-version", default=None, metavar="V",
                    help="the Odoo version the server answers as (default: the server's, 17.0)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "odoo(demo=False): options of the test's `odoo` database "
                                       "(demo=True: cloned from a template with demo data)")


# -- the server ------------------------------------------------------------------------------------

class ServerFailed(Exception):
    """The server exited or did not answer in time; the message carries its log."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class OdooServer:
    """A running `odoorpc-server serve` and the harness's own ways into it."""

    url: str
    data_dir: Path
    db_url: str | None
    version: str | None
    master_password: str = field(repr=False)
    token: str = field(repr=False)
    template: str
    proc: subprocess.Popen[bytes] = field(repr=False)
    demo_template: str | None = None
    uids: dict[str, int] = field(default_factory=dict)
    _worker: ThreadPoolExecutor | None = field(default=None, repr=False)
    _drops: list[Future[None]] = field(default_factory=list, repr=False)
    _spares: dict[str, Future[str]] = field(default_factory=dict, repr=False)

    @property
    def log(self) -> Path:
        """What the server printed (stdout and stderr)."""
        return self.data_dir / "server.log"

    @property
    def call_log(self) -> Path:
        """The server's `--call-log`: one JSON line per call."""
        return self.data_dir / "calls.jsonl"

    def proxy(self, service: str) -> Any:
        """An XML-RPC proxy whose requests carry the harness header."""
        transport = xmlrpc.client.Transport(headers=[(HARNESS_HEADER, self.token)])
        return xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/{service}", transport=transport, allow_none=True)

    def template_for(self, demo: bool) -> str:
        """The template database to clone, the demo one made on first demand."""
        if not demo:
            return self.template
        if self.demo_template is None:
            name = _unique("tpldemo")
            self.proxy("db").create_database(self.master_password, name, True, "en_US", PASSWORD)
            self.demo_template = name
            self.uid_of(name)
        return self.demo_template

    def uid_of(self, template: str) -> int:
        """The admin's uid in a template (the same in its clones); the call also builds the
        template's registry in the server, which every clone then reuses."""
        if template not in self.uids:
            uid = self.proxy("common").authenticate(template, LOGIN, PASSWORD, {})
            if not uid:
                raise ServerFailed(f"admin cannot log in to the template {template!r}")
            self.uids[template] = int(uid)
        return self.uids[template]

    def clone(self, demo: bool) -> tuple[str, int]:
        """A new database cloned from the template, and the admin's uid in it. On PostgreSQL,
        where a clone takes a few hundred ms, the next one is made in the background while the
        test runs (a spare: the template never changes, so a clone made early is as fresh)."""
        template = self.template_for(demo)
        spare = self._spares.pop(template, None)
        name = spare.result() if spare is not None else self._duplicate(template)
        if self.db_url:
            self._spares[template] = self._background().submit(self._duplicate, template)
        return name, self.uid_of(template)

    def _duplicate(self, template: str) -> str:
        name = _unique("t")
        self.proxy("db").duplicate_database(self.master_password, template, name)
        return name

    def _background(self) -> ThreadPoolExecutor:
        """The one thread that makes spare clones and drops test databases, one at a time."""
        if self._worker is None:
            self._worker = ThreadPoolExecutor(1, thread_name_prefix="odoo-db")
        return self._worker

    def drop(self, name: str) -> None:
        self.proxy("db").drop(self.master_password, name)

    def drop_later(self, name: str) -> None:
        """Drop a test's database in the background: the next test need not wait for it (a
        PostgreSQL drop takes a few hundred ms); `stop` waits for every drop and reports a
        failed one."""
        self._drops.append(self._background().submit(self.drop, name))

    def settle(self) -> None:
        """Wait until the databases of earlier tests are dropped (a failed drop raises)."""
        drops, self._drops = self._drops, []
        for done in drops:
            done.result()

    def faults(self, method: str, body: dict[str, Any]) -> None:
        """POST (add a rule) or DELETE (clear rules) on the harness's fault route."""
        request = urllib.request.Request(f"{self.url}{FAULTS_ROUTE}", data=json.dumps(body).encode(), method=method,
                                         headers={HARNESS_HEADER: self.token, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                reply = json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{method} {FAULTS_ROUTE} answered {error.code}: {error.read()[:500]!r}") from None
        if not (isinstance(reply, dict) and reply.get("ok") is True):
            raise RuntimeError(f"{method} {FAULTS_ROUTE} answered {reply!r}")

    def stop(self) -> None:
        """Drop the spare clones and the templates (the tests' clones are dropped by their
        tests), then end the server."""
        try:
            spares, self._spares = list(self._spares.values()), {}
            for spare in spares:  # the clones no test took (one that failed has nothing to drop)
                if spare.exception() is None:
                    self.drop_later(spare.result())
            if self._worker is not None:
                self._worker.shutdown(wait=True)
                self.settle()
            if self.proc.poll() is None:
                for name in (self.demo_template, self.template):
                    if name:
                        self.drop(name)
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _unique(prefix: str) -> str:
    """A database name no other session uses (a PostgreSQL server may be shared)."""
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def start_server(data_dir: Path, db_url: str | None = None, version: str | None = None,
                 timeout: float = START_TIMEOUT) -> OdooServer:
    """Launch the server and wait for its first answer; ServerFailed (with its log) if it
    exits or does not answer within `timeout` seconds."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port, template = _free_port(), _unique("tpl")
    master, token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    cmd = [sys.executable, "-m", "odoorpc_server", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--data-dir", str(data_dir), "--database", template, "--workers", "1", "--password-rounds", "1000",
           "--login-cooldown-after", "0", "--call-log", str(data_dir / "calls.jsonl")]
    cmd += ["--db-url", db_url] if db_url else []
    cmd += ["--odoo-version", version] if version else []
    # the master password goes in the config file, which the server hashes at start, and the
    # token in the environment: neither is on a command line other local users can read
    config = data_dir / "odoorpc-server.conf"
    config.touch(mode=0o600)
    config.write_text(f"[options]\nmaster_password = {master}\n")
    env = {**os.environ, "ODOORPC_HARNESS_TOKEN": token}
    with open(data_dir / "server.log", "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    server = OdooServer(f"http://127.0.0.1:{port}", data_dir, db_url, version, master, token, template, proc)
    _wait_ready(server, timeout)
    return server


def _wait_ready(server: OdooServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    common = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common")
    while True:
        if server.proc.poll() is not None:
            raise ServerFailed(f"odoorpc-server exited with code {server.proc.returncode} before answering; "
                               f"its log ({server.log}):\n{_tail(server.log)}")
        try:
            common.version()
            return
        except OSError:
            if time.monotonic() > deadline:
                server.proc.kill()
                server.proc.wait()
                raise ServerFailed(f"odoorpc-server did not answer on {server.url} within {timeout:.0f} s; "
                                   f"its log ({server.log}):\n{_tail(server.log)}") from None
            time.sleep(0.02)


def _tail(path: Path, size: int = 8000) -> str:
    text = path.read_text(errors="replace") if path.exists() else "(no log)"
    return text[-size:]


# -- a test's database ---------------------------------------------------------------------------

class Odoo:
    """A fresh database of the test: its credentials and the harness's helpers. `call` and
    `load` run as admin over XML-RPC with the harness header (not in `odoo_calls`)."""

    login = LOGIN
    password = PASSWORD

    def __init__(self, server: OdooServer, db: str, uid: int) -> None:
        self.server = server
        self.url = server.url
        self.db = db
        self.uid = uid
        self._api_key: str | None = None
        self._models = server.proxy("object")

    def __repr__(self) -> str:
        return f"<Odoo {self.url} db={self.db!r}>"

    @property
    def api_key(self) -> str:
        """A fresh API key of admin, made on first read as Odoo's preferences make one (the
        description wizard's `make_key`, over XML-RPC): the flow a user's code would meet, and
        no second process or direct database access."""
        if self._api_key is None:
            wizard = self.call("res.users.apikeys.description", "create", {"name": "pytest"})
            action = self.call("res.users.apikeys.description", "make_key", [wizard])
            self._api_key = str(action["context"]["default_key"])
        return self._api_key

    def call(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """`execute_kw(db, uid, password, model, method, args, kwargs)` as admin."""
        return self._models.execute_kw(self.db, self.uid, self.password, model, method, list(args), kwargs)

    def load(self, path: str | os.PathLike[str]) -> dict[str, int]:
        """Load a data file (YAML or JSON, see the README) into this database: {xml_id: id}."""
        from odoorpc_server.services.datafile import load

        def caller(model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
            return self._models.execute_kw(self.db, self.uid, self.password, model, method, args, kwargs)

        return load(Path(path), caller)

    def inject_fault(self, model: str, method: str, code: int | None = 2, message: str = "Injected fault",
                     times: int | None = 1, delay: float = 0.0) -> None:
        """Make the next `times` matching calls in this database (any protocol, any user; `None`:
        every one) wait `delay` seconds, then fail with Odoo fault `code` (1 server error,
        2 UserError, 3 AccessDenied, 4 AccessError; `None`: only the delay). `model` and `method`
        are fnmatch patterns."""
        self.server.faults("POST", {"database": self.db, "model": model, "method": method, "code": code,
                                    "message": message, "times": times, "delay": delay})

    def clear_faults(self) -> None:
        """Remove every fault rule of this database."""
        self.server.faults("DELETE", {"database": self.db})


# -- the call log --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CallFault:
    code: int
    message: str


@dataclass(frozen=True)
class Call:
    """One call the server answered, as its call log holds it (secrets masked)."""

    protocol: str
    service: str
    model: str | None
    method: str
    args: list[Any]
    kwargs: dict[str, Any]
    uid: int | None
    duration_ms: float
    result: Any
    fault: CallFault | None
    ts: str = ""
    database: str | None = None


class CallLog(Sequence[Call]):
    """The calls made in one database, in order, read from the log each time it is looked at
    (so calls made after the fixture was created are there); the harness's own calls left out."""

    def __init__(self, path: Path, database: str, offset: int = 0) -> None:
        self.path = path
        self.database = database
        self.offset = offset

    def _read(self) -> list[Call]:
        try:
            with open(self.path, "rb") as log:
                log.seek(self.offset)
                data = log.read()
        except FileNotFoundError:
            return []
        calls = []
        for line in data.split(b"\n")[:-1]:  # the last piece is empty or a line still being written
            entry = json.loads(line)
            if entry.get("database") == self.database and not entry.get("harness"):
                calls.append(_call(entry))
        return calls

    def filter(self, model: str | None = None, method: str | None = None) -> list[Call]:
        return [c for c in self._read() if (model is None or c.model == model)
                and (method is None or c.method == method)]

    def __len__(self) -> int:
        return len(self._read())

    @overload
    def __getitem__(self, index: int) -> Call: ...

    @overload
    def __getitem__(self, index: slice) -> list[Call]: ...

    def __getitem__(self, index: int | slice) -> Call | list[Call]:
        return self._read()[index]

    def __iter__(self) -> Iterator[Call]:
        return iter(self._read())

    def __repr__(self) -> str:
        return f"CallLog({self._read()!r})"


def _call(entry: dict[str, Any]) -> Call:
    fault = entry.get("fault")
    return Call(protocol=entry["protocol"], service=entry["service"], model=entry.get("model"),
                method=entry["method"], args=entry.get("args") or [], kwargs=entry.get("kwargs") or {},
                uid=entry.get("uid"), duration_ms=float(entry.get("duration_ms") or 0.0), result=entry.get("result"),
                fault=CallFault(int(fault["code"]), str(fault["message"])) if fault else None,
                ts=entry.get("ts", ""), database=entry.get("database"))


# -- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def odoo_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OdooServer]:
    """One server for the session (see the module's docstring)."""
    config = request.config
    db_url = config.getoption("--odoo-db-url") or os.environ.get("ODOORPC_DB_URL") or None
    version = config.getoption("--odoo-version")
    try:
        server = start_server(tmp_path_factory.mktemp("odoorpc-server"), db_url, version)
    except ServerFailed as error:
        pytest.fail(str(error), pytrace=False)
    try:
        server.uid_of(server.template)
        yield server
    finally:
        server.stop()


@pytest.fixture()
def odoo(request: pytest.FixtureRequest, odoo_server: OdooServer) -> Iterator[Odoo]:
    """A fresh database for this test, dropped afterwards, its injected faults cleared."""
    marker = request.node.get_closest_marker("odoo")
    demo = bool(marker.kwargs.get("demo", False)) if marker else False
    name, uid = odoo_server.clone(demo)
    instance = Odoo(odoo_server, name, uid)
    try:
        yield instance
    finally:
        try:
            instance.clear_faults()
        finally:
            odoo_server.drop_later(name)


@pytest.fixture()
def odoo_calls(odoo: Odoo) -> CallLog:
    """The calls made in this test's database, in order (not the fixtures' own)."""
    log = odoo.server.call_log
    return CallLog(log, odoo.db, log.stat().st_size if log.exists() else 0)
