"""Web sessions in the database: open, find, touch, close.

A session id names its database (`<database in base64url>.<random part>`), so a request that
carries only the cookie reaches the right database with no shared store besides the databases
themselves. The table keeps a SHA-256 digest of the id, never the id.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

LIFETIME = 7 * 24 * 3600.0  # Odoo's SESSION_LIFETIME: a week without use ends a session
TOUCH_EVERY = 3600.0  # the expiry moves forward at most once an hour (a write per hour, not per call)
MAX_SID = 512

SESSIONS = sa.Table(
    "odoorpc_web_sessions", sa.MetaData(),
    sa.Column("sid_digest", sa.String(64), primary_key=True),
    sa.Column("uid", sa.Integer, nullable=False),
    sa.Column("token", sa.String(64), nullable=False),
    sa.Column("context", sa.Text, nullable=False),
    sa.Column("touched", sa.Float(precision=53), nullable=False),
    sa.Column("expires", sa.Float(precision=53), nullable=False),
    sa.Column("identity_checked", sa.Float(precision=53), nullable=True),
)
IDENTITY_CHECK_WINDOW = 10 * 60.0  # Odoo's: a passed identity check holds for ten minutes


@dataclass(frozen=True)
class SessionKey:
    """A session id presented as the credential of a call (the cookie `session_id`)."""

    sid: str

    def __repr__(self) -> str:  # never in a log or a traceback
        return "SessionKey(...)"

    @property
    def database(self) -> str | None:
        return database_of(self.sid)


@dataclass(frozen=True)
class Session:
    uid: int
    context: dict[str, Any]
    due_for_touch: bool


def new_sid(database: str) -> str:
    name = base64.urlsafe_b64encode(database.encode()).decode().rstrip("=")
    return f"{name}.{secrets.token_urlsafe(48)}"


def database_of(sid: Any) -> str | None:
    """The database a session id names; None for anything that is not one of ours."""
    if not isinstance(sid, str) or len(sid) > MAX_SID or sid.count(".") != 1:
        return None
    name = sid.split(".")[0]
    try:
        return base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def user_token(uid: int, password_hash: Any) -> str:
    return digest(f"{uid}:{password_hash or ''}")


def open_session(conn: Connection, sid: str, uid: int, password_hash: Any, context: dict[str, Any]) -> None:
    now = time.time()
    conn.execute(sa.delete(SESSIONS).where(SESSIONS.c.expires < now))
    conn.execute(sa.insert(SESSIONS).values(sid_digest=digest(sid), uid=uid, token=user_token(uid, password_hash),
                                            context=json.dumps(context), touched=now, expires=now + LIFETIME))


def _live(row: Any, password_hash: Any) -> Session | None:
    """The session of a session row, or None when it expired or its user's password changed
    (`password_hash()`: the user's current hash, False for no active user)."""
    now = time.time()
    if row.expires < now:
        return None
    current = password_hash()
    if current is False or row.token != user_token(int(row.uid), current):
        return None
    return Session(int(row.uid), json.loads(row.context), now - row.touched > TOUCH_EVERY)


# The registry's change counters, a session's row and its user's credential columns in one round
# trip: every call of a browser session needs all three, first thing in its transaction.
_SIGNAL_AND_SESSION = sa.text(
    "SELECT s.registry_sequence, s.cache_sequence, w.uid, w.token, w.context, w.touched, w.expires, "
    "u.active AS user_active, u.password AS user_password FROM odoorpc_signal s "
    "LEFT JOIN odoorpc_web_sessions w ON w.sid_digest = :digest LEFT JOIN res_users u ON u.id = w.uid "
    "WHERE s.id = 1")


def signal_and_session(conn: Connection, sid: str) -> tuple[Any, Session | None]:
    """(the odoorpc_signal row, the live session `sid` names or None: unknown, expired, logged
    out, its user archived or gone, or the user's password changed since it was opened)."""
    row = conn.execute(_SIGNAL_AND_SESSION, {"digest": digest(sid)}).one()
    if row.uid is None:
        return row, None
    return row, _live(row, lambda: row.user_password if row.user_active else False)  # no user row: NULL, False


def touch(conn: Connection, sid: str) -> None:
    now = time.time()
    conn.execute(sa.update(SESSIONS).where(SESSIONS.c.sid_digest == digest(sid))
                 .values(touched=now, expires=now + LIFETIME))


def close(conn: Connection, sid: str) -> None:
    conn.execute(sa.delete(SESSIONS).where(SESSIONS.c.sid_digest == digest(sid)))


def mark_identity_checked(conn: Connection, sid: str) -> None:
    """The session's user just passed the identity check (their password again)."""
    conn.execute(sa.update(SESSIONS).where(SESSIONS.c.sid_digest == digest(sid)).values(identity_checked=time.time()))


def identity_checked(conn: Connection, sid: str) -> bool:
    """Whether the session passed the identity check within the last ten minutes."""
    when = conn.execute(sa.select(SESSIONS.c.identity_checked).where(SESSIONS.c.sid_digest == digest(sid))).scalar()
    return when is not None and time.time() - float(when) < IDENTITY_CHECK_WINDOW
