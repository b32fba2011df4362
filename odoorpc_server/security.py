"""Password hashing compatible with Odoo (passlib pbkdf2-sha512), and a per-process cache of
verified credentials so that an authenticated call costs no hashing after the first one."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from passlib.context import CryptContext
from sqlalchemy.engine import Connection

from odoorpc_server.storage import types

DEFAULT_ROUNDS = 600_000
CACHE_TTL = 300.0
API_KEY_SIZE = 20  # bytes, hex-encoded: 40 characters, as Odoo's
API_KEY_INDEX = 8
API_KEY_ROUNDS = 6000
API_KEY_FORMAT = re.compile(r"^[0-9a-f]{40}$")
# the secret columns are read only here, never through the ORM's tables
USERS = sa.table("res_users", sa.column("id"), sa.column("login"), sa.column("active"), sa.column("password"))
APIKEYS = sa.table("res_users_apikeys", sa.column("id"), sa.column("name"), sa.column("user_id"),
                   sa.column("scope"), sa.column("index"), sa.column("key"),
                   sa.column("expiration_date", types.DateTime()), sa.column("create_date", types.DateTime()),
                   sa.column("create_uid"), sa.column("write_date", types.DateTime()), sa.column("write_uid"))


@lru_cache(maxsize=8)
def crypt_context(rounds: int = DEFAULT_ROUNDS) -> CryptContext:
    return CryptContext(["pbkdf2_sha512", "plaintext"], deprecated=["auto"], pbkdf2_sha512__rounds=rounds)


def hash_password(password: str, rounds: int = DEFAULT_ROUNDS) -> str:
    return str(crypt_context(rounds).hash(password))


def verify_password(password: str, stored: str | None) -> bool:
    if not password or not stored:
        return False
    try:
        return bool(crypt_context().verify(password, stored))
    except (ValueError, TypeError):
        return False


def stored_password(conn: Connection, uid: int) -> str | None:
    """The password hash of `uid` (None for no password or no user)."""
    value = conn.execute(sa.select(USERS.c.password).where(USERS.c.id == uid)).scalar()
    return str(value) if value else None


def generate_api_key(conn: Connection, uid: int, name: str, scope: str | None = None,
                     expiration: dt.datetime | None = None) -> tuple[int, str]:
    """Create a key for `uid`: its first 8 characters in clear (the lookup index), the whole
    key hashed. Returns (key id, key): the key is shown once and never stored."""
    key = secrets.token_hex(API_KEY_SIZE)
    hashed = CryptContext(["pbkdf2_sha512"], pbkdf2_sha512__rounds=API_KEY_ROUNDS).hash(key)
    stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    expires = expiration
    kid = conn.execute(sa.insert(APIKEYS).values(
        name=name, user_id=uid, scope=scope or None, index=key[:API_KEY_INDEX], key=hashed,
        expiration_date=expires, create_date=stamp, write_date=stamp, create_uid=uid, write_uid=uid,
    ).returning(APIKEYS.c.id)).scalar_one()
    return int(kid), key


# The registry's change counters and a user's credential row in one round trip: every call
# with a password needs both, first thing in its transaction.
_SIGNAL_AND_USER = sa.text(
    "SELECT s.registry_sequence, s.cache_sequence, u.id AS user_id, u.login, u.active, u.password "
    "FROM odoorpc_signal s LEFT JOIN res_users u ON u.id = :uid WHERE s.id = 1")


def signal_and_user(conn: Connection, uid: int) -> tuple[Any, Any]:
    """(the odoorpc_signal row, the user's login/active/password row or None)."""
    row = conn.execute(_SIGNAL_AND_USER, {"uid": uid}).one()
    return row, (row if row.user_id is not None else None)


def live_keys(conn: Connection, uid: int, secret: str) -> list[Any]:
    """Unrevoked, unexpired keys of `uid` whose index matches the secret."""
    stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    return list(conn.execute(sa.select(APIKEYS.c.id, APIKEYS.c.key).where(
        APIKEYS.c.user_id == uid, APIKEYS.c.index == secret[:API_KEY_INDEX],
        sa.or_(APIKEYS.c.scope.is_(None), APIKEYS.c.scope == "rpc"),
        sa.or_(APIKEYS.c.expiration_date.is_(None), APIKEYS.c.expiration_date >= stamp))).all())


@dataclass(frozen=True)
class BearerKey:
    """The secret of a JSON-2 call: an API key alone, which names its user itself."""

    token: str


def bearer_candidates(conn: Connection, token: str) -> list[Any]:
    """(key id, hash, user id) of the unrevoked, unexpired `rpc` (or unscoped) keys of active
    users whose index matches the token: the only rows a bearer key may be."""
    stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    return list(conn.execute(_BEARER_CANDIDATES, {"index": token[:API_KEY_INDEX], "stamp": stamp}).all())


def signal_and_bearer(conn: Connection, token: str) -> tuple[Any, list[Any]]:
    """(the odoorpc_signal row, `bearer_candidates` of the token) in one round trip: a JSON-2
    call needs both, first thing in its transaction. A token that cannot be a key has none, and
    no signal row either (None: the registry cache reads it, as for any call)."""
    if not API_KEY_FORMAT.match(token):
        return None, []
    stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    rows = conn.execute(_SIGNAL_AND_BEARER, {"index": token[:API_KEY_INDEX], "stamp": stamp}).all()
    return rows[0], [(row.key_id, row.key, row.user_id) for row in rows if row.key_id is not None]


def _signal_and_bearer() -> Any:
    """The signal row beside each candidate key (one row with NULL key columns when none)."""
    keys = _BEARER_CANDIDATES.with_only_columns(
        APIKEYS.c.id.label("key_id"), APIKEYS.c.key.label("key"), APIKEYS.c.user_id.label("user_id")).subquery()
    signal = sa.table("odoorpc_signal", sa.column("id"), sa.column("registry_sequence"), sa.column("cache_sequence"))
    return (sa.select(signal.c.registry_sequence, signal.c.cache_sequence, keys.c.key_id, keys.c.key, keys.c.user_id)
            .select_from(signal.outerjoin(keys, sa.true())).where(signal.c.id == 1).order_by(keys.c.key_id))


# built once: every JSON-2 call runs it
_BEARER_CANDIDATES = (
    sa.select(APIKEYS.c.id, APIKEYS.c.key, APIKEYS.c.user_id)
    .select_from(APIKEYS.join(USERS, USERS.c.id == APIKEYS.c.user_id))
    .where(APIKEYS.c.index == sa.bindparam("index"), USERS.c.active == sa.true(),
           sa.or_(APIKEYS.c.scope.is_(None), APIKEYS.c.scope == "rpc"),
           sa.or_(APIKEYS.c.expiration_date.is_(None), APIKEYS.c.expiration_date >= sa.bindparam("stamp")))
    .order_by(APIKEYS.c.id))
_SIGNAL_AND_BEARER = _signal_and_bearer()


class CredentialCache:
    """Remembers (database, user, credential digest, stored hash) tuples that verified.

    The stored hash is part of the key, so a password change anywhere invalidates the entry
    on the next call of every process without any messaging.
    """

    def __init__(self, ttl: float = CACHE_TTL, verify: Callable[[str, str], bool] = verify_password) -> None:
        self.ttl = ttl
        self._verify = verify
        self._seen: dict[tuple[str, Any, str, str], float] = {}
        self._lock = threading.Lock()

    @staticmethod
    def digest(secret: str) -> str:
        return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()

    def cached(self, db: str, owner: Any, secret: str, stored: str) -> bool:
        """Verified before by this process (no hashing, no waiting)."""
        key = (db, owner, self.digest(secret), stored)
        with self._lock:
            expiry = self._seen.get(key)
        return expiry is not None and expiry > time.monotonic()

    def verify(self, db: str, owner: Any, secret: str, stored: str) -> bool:
        """Hash-verify (through the process's verifier) and remember a match."""
        if not self._verify(secret, stored):
            return False
        with self._lock:
            if len(self._seen) > 10_000:
                self._seen.clear()
            self._seen[(db, owner, self.digest(secret), stored)] = time.monotonic() + self.ttl
        return True

    def check(self, db: str, owner: Any, secret: str, stored: str) -> bool:
        return self.cached(db, owner, secret, stored) or self.verify(db, owner, secret, stored)
