"""Login throttling (ours; Odoo throttles web logins per address, in one process): failures
are counted per (database, login) and per (database, address) in the database, on
`authenticate` and on `execute_kw` alike, so every worker process sees the same counts. During
a cooldown new credentials are refused without hashing; a credential this process already
verified still passes. Calls come from several loopback addresses (127.0.0.x) to act as
several clients."""
from __future__ import annotations

import http.client
import itertools
import re
import uuid
import xmlrpc.client
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import Client, FreshConnection, Server, require_backend, start_server, stop_server

AFTER = 3
TOO_MANY = "Too many login failures, please wait a bit before trying again."
DENIED = "Access Denied"
HASHING = "verifying a secret by hashing"
_hosts = itertools.count(2)


def new_address() -> str:
    """A loopback address no other test used: a client nobody has counted yet."""
    n = next(_hosts)
    return f"127.0.{n // 250}.{n % 250 + 2}"


class From(xmlrpc.client.Transport):
    """Calls from a given local address (and a new TCP connection each time)."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def make_connection(self, host: str) -> http.client.HTTPConnection:  # type: ignore[override]
        self._connection = (None, None)  # type: ignore[assignment]
        conn = super().make_connection(host)
        conn.source_address = (self.address, 0)
        return conn  # type: ignore[return-value]


def proxies(server: Server, address: str) -> tuple[Any, Any]:
    transport = From(address)
    return (xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common", transport=transport),
            xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object", transport=transport))


def call(server: Server, address: str, uid: int, secret: str) -> str:
    """`execute_kw` with these credentials: "ok", or the text of the fault 3 it answered."""
    _, models = proxies(server, address)
    try:
        models.execute_kw(server.db, uid, secret, "res.partner", "search_count", [[]], {})
    except xmlrpc.client.Fault as f:
        assert f.faultCode == 3, f.faultString
        return str(f.faultString)
    return "ok"


def authenticate(server: Server, address: str, login: str, secret: str) -> Any:
    common, _ = proxies(server, address)
    return common.authenticate(server.db, login, secret, {})


def new_user(admin: Client) -> tuple[int, str, str]:
    login = f"u{uuid.uuid4().hex[:8]}"
    password = f"pw-{uuid.uuid4().hex[:8]}"
    return admin.x("res.users", "create", {"name": login, "login": login, "password": password}), login, password


def api_key(server: Server, login: str, password: str) -> str:
    """A key of that user, minted in a call that verifies (and caches) its password."""
    user = server.client(login, password)
    wizard = user.x("res.users.apikeys.description", "create", {"name": "spare"})
    return str(user.x("res.users.apikeys.description", "make_key", [wizard])["context"]["default_key"])


def hashings(server: Server) -> int:
    return server.log.read_text().count(HASHING)


@pytest.fixture(scope="module")
def guarded(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_backend(backend)
    srv = start_server(tmp_path_factory.mktemp(f"throttle-{backend}"), backend,
                       ["--login-cooldown-after", str(AFTER), "--login-cooldown-duration", "600",
                        "--workers", "1", "--log-level", "debug"])
    yield srv
    stop_server(srv)


@pytest.fixture()
def admin(guarded: Server) -> Client:
    """The administrator from 127.0.0.1: verified once, then a cached credential."""
    return guarded.client()


def test_wrong_passwords_on_execute_kw_are_throttled(guarded: Server, admin: Client) -> None:
    uid, login, password = new_user(admin)
    here = new_address()
    assert [call(guarded, here, uid, f"guess{i}") for i in range(AFTER)] == [DENIED] * AFTER
    assert call(guarded, here, uid, "guess") == TOO_MANY
    assert call(guarded, here, uid, password) == TOO_MANY  # the right one: refused unchecked
    assert authenticate(guarded, here, login, password) is False


def test_login_counter_spans_addresses(guarded: Server, admin: Client) -> None:
    uid, login, password = new_user(admin)
    assert [call(guarded, new_address(), uid, "guess") for _ in range(AFTER)] == [DENIED] * AFTER
    assert call(guarded, new_address(), uid, password) == TOO_MANY
    assert authenticate(guarded, new_address(), login, password) is False


def test_address_counter_spans_logins(guarded: Server, admin: Client) -> None:
    attacker = new_address()
    for _ in range(AFTER):
        uid, login, _ = new_user(admin)
        assert authenticate(guarded, attacker, login, "guess") is False
    uid, login, password = new_user(admin)
    assert call(guarded, attacker, uid, password) == TOO_MANY
    assert authenticate(guarded, attacker, login, password) is False
    assert authenticate(guarded, new_address(), login, password) == uid


def test_own_account_success_does_not_reset_attacked_login(guarded: Server, admin: Client) -> None:
    """The hole: a success of the attacker's own account used to reset the counter."""
    own_uid, own_login, own_password = new_user(admin)
    victim, login, password = new_user(admin)
    attacker = new_address()
    for _ in range(AFTER - 1):
        assert call(guarded, attacker, victim, "guess") == DENIED
        assert authenticate(guarded, attacker, own_login, own_password) == own_uid
        assert call(guarded, new_address(), own_uid, own_password) == "ok"
    assert authenticate(guarded, new_address(), login, "guess") is False
    assert call(guarded, new_address(), victim, password) == TOO_MANY
    assert call(guarded, new_address(), own_uid, own_password) == "ok"


def test_success_resets_that_login_only(guarded: Server, admin: Client) -> None:
    uid, login, password = new_user(admin)
    first_key, second_key = api_key(guarded, login, password), api_key(guarded, login, password)
    for _ in range(AFTER - 1):
        assert call(guarded, new_address(), uid, "guess") == DENIED
    assert call(guarded, new_address(), uid, first_key) == "ok"  # verified by hashing: a new proof
    for _ in range(AFTER - 1):
        assert call(guarded, new_address(), uid, "guess") == DENIED
    assert call(guarded, new_address(), uid, second_key) == "ok"
    # the address counter is not reset by a success from that address
    shared = new_address()
    for _ in range(AFTER - 1):
        other, other_login, _ = new_user(admin)
        assert authenticate(guarded, shared, other_login, "guess") is False
    succeeding, succeeding_login, succeeding_password = new_user(admin)
    assert authenticate(guarded, shared, succeeding_login, succeeding_password) == succeeding
    third, third_login, _ = new_user(admin)
    assert authenticate(guarded, shared, third_login, "guess") is False
    fresh, fresh_login, fresh_password = new_user(admin)
    assert authenticate(guarded, shared, fresh_login, fresh_password) is False
    assert authenticate(guarded, new_address(), fresh_login, fresh_password) == fresh


def test_cached_credentials_pass_during_cooldown(guarded: Server, admin: Client) -> None:
    uid, login, password = new_user(admin)
    key = api_key(guarded, login, password)  # the password is now verified in this process
    for _ in range(AFTER):
        assert call(guarded, new_address(), uid, "guess") == DENIED
    assert call(guarded, new_address(), uid, key) == TOO_MANY  # right, but never verified here
    assert call(guarded, new_address(), uid, password) == "ok"
    assert authenticate(guarded, new_address(), login, password) == uid
    assert admin.x("res.users", "search_count", [("login", "=", login)]) == 1


def test_refusals_during_cooldown_do_not_hash(guarded: Server, admin: Client) -> None:
    uid, login, password = new_user(admin)
    before = hashings(guarded)
    for _ in range(AFTER):
        assert call(guarded, new_address(), uid, "guess") == DENIED
    assert hashings(guarded) == before + AFTER
    for secret in ("guess", password, "another guess", password):
        assert call(guarded, new_address(), uid, secret) == TOO_MANY
        assert authenticate(guarded, new_address(), login, secret) is False
    assert hashings(guarded) == before + AFTER


def test_over_long_secrets_are_refused_without_hashing(guarded: Server, admin: Client) -> None:
    uid, login, _ = new_user(admin)
    before = hashings(guarded)
    assert call(guarded, new_address(), uid, "x" * 5000) == DENIED
    assert authenticate(guarded, new_address(), login, "y" * 5000) is False
    assert hashings(guarded) == before
    assert call(guarded, new_address(), uid, "x" * 50) == DENIED  # a plausible one is hashed
    assert hashings(guarded) == before + 1


@pytest.fixture()
def two_workers(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_backend(backend)
    srv = start_server(tmp_path_factory.mktemp(f"throttle-workers-{backend}"), backend,
                       ["--login-cooldown-after", str(AFTER), "--login-cooldown-duration", "600",
                        "--workers", "2", "--log-level", "info"])
    yield srv
    stop_server(srv)


EVENT = re.compile(r"\[(\d+)\] INFO odoorpc_server\.throttle: (login failure|refused)")


def test_failures_are_shared_by_worker_processes(two_workers: Server) -> None:
    """Each call leaves one throttle log line carrying the pid of the process that answered:
    refusals come from a process that did not itself see `AFTER` failures."""
    admin = two_workers.client()
    uid, login, _ = new_user(admin)
    proxy = xmlrpc.client.ServerProxy(f"{two_workers.url}/xmlrpc/2/object", transport=FreshConnection())
    seen = 0
    events: list[tuple[str, str, str]] = []  # (pid, event, answer)
    for attempt in range(60):
        try:
            proxy.execute_kw(two_workers.db, uid, f"guess{attempt}", "res.partner", "search_count", [[]], {})
            answer = "ok"
        except xmlrpc.client.Fault as f:
            answer = f.faultString
        lines = EVENT.findall(two_workers.log.read_text())
        assert len(lines) == seen + 1, lines
        seen += 1
        events.append((*lines[-1], answer))
        failed_in = {pid: sum(1 for p, e, _ in events if p == pid and e == "login failure") for pid, _, _ in events}
        if (len(events) >= 6 and len(failed_in) == 2
                and any(e == "refused" and failed_in[p] < AFTER for p, e, _ in events)):
            break
    assert [e for _, e, _ in events] == ["login failure"] * AFTER + ["refused"] * (len(events) - AFTER)
    assert [a for _, _, a in events] == [DENIED] * AFTER + [TOO_MANY] * (len(events) - AFTER)
    pids = {p for p, _, _ in events}
    assert len(pids) == 2
    assert any(e == "refused" and sum(1 for q, f, _ in events if q == p and f == "login failure") < AFTER
               for p, e, _ in events)
