"""A bounded pool for password and key verification, one per process.

A pbkdf2 verification at Odoo's 600 000 rounds costs about 0.4 s of CPU. Without a bound, a
few clients sending wrong passwords keep every core busy and every request thread waiting, so
right calls slow down by orders of magnitude. The pool lets at most `slots` verifications run
at once and at most `queue` callers wait for one; a caller that finds the queue full, or gets no
slot within a short wait, is refused (Access Denied) instead of holding its request thread, so
the threads stay free for calls whose credentials are already verified. Concurrent
verifications of the same secret against the same hash share one hashing (a client opening
several connections at once with new credentials costs one verification, not one each).
Secrets longer than any real password are refused unhashed.
Credentials already verified by this process never come here (see CredentialCache).
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from odoorpc_server.exceptions import AccessDenied
from odoorpc_server.security import verify_password

log = logging.getLogger(__name__)

MAX_SECRET = 4096  # characters; passwords and 40-character API keys are far below
SLOT_WAIT = 1.0  # seconds a caller may wait for a slot: a few verifications' time


class Busy(AccessDenied):
    """No verification slot in time: a refusal that says nothing about the credential and is
    not counted as a login failure."""

    def __init__(self) -> None:
        super().__init__("Too many password checks at once, please try again.")


@dataclass
class Flight:
    """One verification in progress; callers with the same secret and hash wait for it."""

    done: threading.Event = field(default_factory=threading.Event)
    result: bool | None = None  # None: the verification was refused (Busy)
    followers: int = 0


def default_slots() -> int:
    return max(1, (os.cpu_count() or 2) // 2)


class Verifier:
    def __init__(self, slots: int | None = None, wait: float = SLOT_WAIT, queue: int | None = None,
                 check: Callable[[str, str], bool] = verify_password) -> None:
        self.slots = slots or default_slots()
        self.queue = self.slots if queue is None else queue
        self.wait = wait
        self._slots = threading.BoundedSemaphore(self.slots)
        self._pending = 0  # running and waiting verifications
        self._flights: dict[tuple[bytes, str], Flight] = {}
        self._lock = threading.Lock()
        self._check = check

    @contextmanager
    def slot(self) -> Iterator[None]:
        """One of the pool's slots; Busy at once when the queue is full, or after the wait."""
        with self._lock:
            if self._pending >= self.slots + self.queue:
                log.info("password check refused: %d verifications running or waiting", self._pending)
                raise Busy()
            self._pending += 1
        try:
            if not self._slots.acquire(timeout=self.wait):
                log.info("password check refused: no verification slot within %.1f s", self.wait)
                raise Busy()
            try:
                yield
            finally:
                self._slots.release()
        finally:
            with self._lock:
                self._pending -= 1

    def verify(self, secret: str, stored: str) -> bool:
        """Whether `secret` matches the stored hash; hashing only inside a slot."""
        if not isinstance(secret, str) or len(secret) > MAX_SECRET:
            return False
        key = (hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest(), stored)
        with self._lock:
            flight = self._flights.get(key)
            leading = flight is None
            if flight is None:
                flight = self._flights[key] = Flight()
            else:
                flight.followers += 1
        if not leading:
            return self._follow(flight)
        try:
            with self.slot():
                log.debug("verifying a secret by hashing")
                flight.result = self._check(secret, stored)
            return flight.result
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()

    @staticmethod
    def _follow(flight: Flight) -> bool:
        """The outcome of the same verification run by another caller (which waits at most the
        slot wait, then hashes once)."""
        flight.done.wait()
        if flight.result is None:
            raise Busy()
        return flight.result


# the process's pool: gunicorn workers are forked before any verification runs
POOL = Verifier()
