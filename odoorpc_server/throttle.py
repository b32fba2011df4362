"""Login throttling that holds across processes and clients.

Failures are counted per (database, login) and per (database, client address), in a table of
the database itself (`odoorpc_login_failures`), so every worker process and every server
sharing the database see the same counts. While a login or an address has `after` failures
whose last is less than `duration` seconds old, new credentials are refused without hashing.
A success verified by hashing forgets the failures of that login only; an address's failures
just expire. (Odoo counts per address, in one process, on web logins, and a success of any
login from the address forgets them.)
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from odoorpc_server.exceptions import AccessDenied
from odoorpc_server.storage import types
from odoorpc_server.storage.database import Backend

log = logging.getLogger(__name__)

TOO_MANY = "Too many login failures, please wait a bit before trying again."
CLEANUP_BATCH = 100
FAILURES = sa.Table(
    "odoorpc_login_failures", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("scope", sa.String(16), nullable=False),  # 'login' or 'address'
    sa.Column("name", sa.String, nullable=False),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure", sa.Float(precision=53), nullable=False),  # seconds since the epoch
)


@dataclass
class Attempt:
    """What one credential check learnt; settled once the call's own transaction has ended,
    so that a failure is committed although the call fails."""

    address: str
    login: str | None = None
    failed: bool = False
    verified: bool = False  # a secret verified by hashing: a new proof of the right secret
    counted: bool = False  # the login had live failures when it was checked

    def keys(self) -> list[tuple[str, str]]:
        """The counters this attempt touches, always in this order (login, then address)."""
        keys = [("login", self.login)] if self.login else []
        return keys + ([("address", self.address)] if self.address else [])


class Throttle:
    def __init__(self, after: int = 5, duration: float = 60.0, clock: Callable[[], float] = time.time) -> None:
        self.after = after
        self.duration = duration
        self.clock = clock

    @property
    def enabled(self) -> bool:
        return self.after > 0

    def check(self, conn: Connection, attempt: Attempt) -> None:
        """Refuse (without hashing) while the login or the address is cooling down."""
        keys = attempt.keys()
        if not self.enabled or not keys:
            return
        now = self.clock()
        rows = conn.execute(sa.select(FAILURES.c.scope, FAILURES.c.name, FAILURES.c.failures,
                                      FAILURES.c.last_failure)
                            .where(sa.or_(*(sa.and_(FAILURES.c.scope == s, FAILURES.c.name == n) for s, n in keys))))
        for row in rows:
            if now - row.last_failure >= self.duration:
                continue
            attempt.counted = attempt.counted or (row.scope == "login" and row.failures > 0)
            if row.failures >= self.after:
                log.info("refused, too many login failures: %s %r", row.scope, row.name)
                raise AccessDenied(TOO_MANY)

    def settle(self, backend: Backend, db: str, attempt: Attempt) -> None:
        """Count a failure, or forget the login's failures after a verified success, each in
        its own short transaction. Bookkeeping errors are logged, never answered."""
        if not self.enabled:
            return
        try:
            if attempt.failed and attempt.keys():
                self._record(backend, db, attempt.keys())
            elif attempt.verified and attempt.counted and attempt.login:
                self._forget(backend, db, attempt.login)
        except Exception:
            log.exception("login failure bookkeeping failed on database %r", db)

    def _record(self, backend: Backend, db: str, keys: list[tuple[str, str]]) -> None:
        now = self.clock()
        with backend.transaction(db) as conn:
            insert = types.insert(conn, FAILURES).values(
                [{"scope": s, "name": n, "failures": 1, "last_failure": now} for s, n in keys])
            restart = FAILURES.c.last_failure <= now - self.duration
            upsert = insert.on_conflict_do_update(
                index_elements=[FAILURES.c.scope, FAILURES.c.name],
                set_={"failures": sa.case((restart, 1), else_=FAILURES.c.failures + 1),
                      "last_failure": insert.excluded.last_failure},
            ).returning(FAILURES.c.scope, FAILURES.c.name, FAILURES.c.failures)
            counts = {(r.scope, r.name): int(r.failures) for r in conn.execute(upsert)}
            self._clean(conn, now)
        log.info("login failure: %s", ", ".join(f"{s} {n!r} {counts.get((s, n))}/{self.after}" for s, n in keys))

    def _clean(self, conn: Connection, now: float) -> None:
        """Expired rows, a batch at a time; rows another transaction holds are skipped (on
        PostgreSQL), so two cleaners never wait for each other."""
        expired = (sa.select(FAILURES.c.id).where(FAILURES.c.last_failure <= now - self.duration)
                   .limit(CLEANUP_BATCH).with_for_update(skip_locked=True))
        conn.execute(sa.delete(FAILURES).where(FAILURES.c.id.in_(expired)))

    def _forget(self, backend: Backend, db: str, login: str) -> None:
        with backend.transaction(db) as conn:
            conn.execute(sa.delete(FAILURES).where(FAILURES.c.scope == "login", FAILURES.c.name == login))
        log.debug("login failures of %r forgotten after a verified success", login)
