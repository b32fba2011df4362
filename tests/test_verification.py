"""The bounded pool of password and key verifications, and the failure counter it works with
(ours): wrong passwords cannot take every CPU of a process, nor a request thread for long."""
from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import PG_URL, require_backend
from odoorpc_server.exceptions import AccessDenied
from odoorpc_server.security import CredentialCache, hash_password
from odoorpc_server.storage import migrate
from odoorpc_server.storage.database import Backend
from odoorpc_server.throttle import FAILURES, TOO_MANY, Attempt, Throttle
from odoorpc_server.verification import MAX_SECRET, Busy, Verifier


class Counting:
    """A stand-in for pbkdf2 that counts how often it was asked."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, secret: str, stored: str) -> bool:
        self.calls += 1
        return secret == stored


class NoSlot:
    """A semaphore that is always full; remembers how long a caller offered to wait."""

    def __init__(self) -> None:
        self.timeouts: list[float | None] = []

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        self.timeouts.append(timeout if blocking else 0.0)
        return False

    def release(self) -> None:
        raise AssertionError("never acquired")


def test_a_full_pool_refuses_after_a_bounded_wait() -> None:
    check = Counting()
    verifier = Verifier(slots=4, wait=0.5, check=check)
    full = NoSlot()
    verifier._slots = full  # type: ignore[assignment]
    with pytest.raises(Busy) as err:
        verifier.verify("secret", "secret")
    assert isinstance(err.value, AccessDenied)
    assert full.timeouts == [0.5]
    assert check.calls == 0


def test_a_held_slot_makes_the_next_caller_refused_not_queued() -> None:
    check = Counting()
    verifier = Verifier(slots=1, wait=0.01, check=check)
    with verifier.slot():
        with pytest.raises(Busy):
            verifier.verify("secret", "secret")
        assert check.calls == 0
    assert verifier.verify("secret", "secret") is True and check.calls == 1


class Recording:
    """A real semaphore that tells when someone starts waiting on it."""

    def __init__(self, inner: threading.BoundedSemaphore) -> None:
        self.inner = inner
        self.acquires = 0
        self.waiting = threading.Event()

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        self.acquires += 1
        self.waiting.set()
        return self.inner.acquire(blocking, timeout)

    def release(self) -> None:
        self.inner.release()


def test_a_full_queue_refuses_without_waiting() -> None:
    check = Counting()
    verifier = Verifier(slots=1, queue=1, wait=30, check=check)
    with verifier.slot():  # the only slot is taken
        recording = Recording(verifier._slots)
        verifier._slots = recording  # type: ignore[assignment]
        outcome: list[bool] = []
        waiter = threading.Thread(target=lambda: outcome.append(verifier.verify("a", "a")))
        waiter.start()
        assert recording.waiting.wait(30)  # the queue's only place is taken too
        with pytest.raises(Busy):
            verifier.verify("b", "b")
        assert recording.acquires == 1  # refused without joining the wait
    waiter.join()
    assert outcome == [True] and check.calls == 1


def test_the_same_verification_in_parallel_hashes_once() -> None:
    entered, release = threading.Event(), threading.Event()
    calls = Counting()

    def slow(secret: str, stored: str) -> bool:
        entered.set()
        release.wait(30)
        return calls(secret, stored)

    verifier = Verifier(slots=1, queue=0, wait=0.01, check=slow)
    outcomes: list[bool] = []
    leader = threading.Thread(target=lambda: outcomes.append(verifier.verify("same", "same")))
    leader.start()
    assert entered.wait(30)
    followers = [threading.Thread(target=lambda: outcomes.append(verifier.verify("same", "same")))
                 for _ in range(3)]
    for t in followers:
        t.start()
    flight = next(iter(verifier._flights.values()))
    while flight.followers < 3:  # every follower has joined the verification in progress
        threading.Event().wait(0.01)
    with pytest.raises(Busy):  # another secret needs its own slot, and there is none
        verifier.verify("other", "same")
    release.set()
    for t in [leader, *followers]:
        t.join()
    assert outcomes == [True] * 4 and calls.calls == 1


def test_over_long_secrets_are_refused_without_hashing() -> None:
    check = Counting()
    verifier = Verifier(slots=1, check=check)
    assert verifier.verify("x" * (MAX_SECRET + 1), "x" * (MAX_SECRET + 1)) is False
    assert check.calls == 0
    assert verifier.verify("x" * MAX_SECRET, "x" * MAX_SECRET) is True
    assert check.calls == 1


def test_cached_credentials_never_wait_for_the_pool() -> None:
    verifier = Verifier(slots=1, wait=0.01)
    cache = CredentialCache(verify=verifier.verify)
    stored = hash_password("s3cret", rounds=1000)
    assert cache.check("db", 7, "s3cret", stored) is True
    with verifier.slot():
        assert cache.check("db", 7, "s3cret", stored) is True
        with pytest.raises(Busy):
            cache.check("db", 7, "other", stored)


def test_verifications_in_progress_fill_the_slots() -> None:
    entered, release = threading.Semaphore(0), threading.Event()

    def slow(secret: str, stored: str) -> bool:
        entered.release()
        return release.wait(30)

    verifier = Verifier(slots=2, wait=0.01, check=slow)
    outcomes: list[bool] = []
    threads = [threading.Thread(target=lambda s=secret: outcomes.append(verifier.verify(s, s)))  # type: ignore[misc]
               for secret in ("a", "b")]
    for t in threads:
        t.start()
    for _ in threads:
        assert entered.acquire(timeout=30)
    with pytest.raises(Busy):  # a third verification while two are hashing
        verifier.verify("c", "c")
    release.set()
    for t in threads:
        t.join()
    assert outcomes == [True, True]
    assert verifier.verify("a", "a") is True


@pytest.fixture()
def counted(backend: str, tmp_path: Path) -> Iterator[tuple[Backend, str]]:
    """A database holding only our metadata tables, on each backend."""
    require_backend(backend)
    storage = Backend(tmp_path, PG_URL if backend == "postgresql" else None)
    name = f"th{uuid.uuid4().hex[:8]}"
    storage.create(name)
    with storage.transaction(name) as conn:
        migrate.upgrade(conn)
    yield storage, name
    storage.drop(name)
    storage.dispose()


def test_failures_expire_and_expired_rows_are_cleaned(counted: tuple[Backend, str]) -> None:
    storage, name = counted
    now = [1_000_000.0]
    throttle = Throttle(after=3, duration=60, clock=lambda: now[0])

    def attempt(login: str, address: str = "10.0.0.1") -> None:
        tried = Attempt(address, login)
        try:
            with storage.transaction(name, write=False) as conn:
                throttle.check(conn, tried)
            tried.failed = True
        finally:
            throttle.settle(storage, name, tried)

    def rows() -> list[tuple[str, str, int]]:
        with storage.transaction(name, write=False) as conn:
            found = conn.execute(sa.select(FAILURES.c.scope, FAILURES.c.name, FAILURES.c.failures)
                                 .order_by(FAILURES.c.scope, FAILURES.c.name))
            return [tuple(r) for r in found]  # type: ignore[misc]

    for _ in range(3):
        attempt("victim")
    with pytest.raises(AccessDenied) as err:
        attempt("victim", "10.0.0.2")
    assert str(err.value) == TOO_MANY
    assert rows() == [("address", "10.0.0.1", 3), ("login", "victim", 3)]  # a refusal counts nothing
    now[0] += 61
    attempt("victim")  # no longer cooling down, and an expired counter starts again
    assert rows() == [("address", "10.0.0.1", 1), ("login", "victim", 1)]
    now[0] += 61
    attempt("someone", "10.0.0.3")  # the old rows are expired: cleaned while writing
    assert rows() == [("address", "10.0.0.3", 1), ("login", "someone", 1)]
