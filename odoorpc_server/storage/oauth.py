"""OAuth storage: the request to authenticate, the rows of applications and tokens (secret
columns included, read only here), the per-database server key and the nonce store.

Nothing secret is stored readable. Token values live only as SHA-256 digests. The secrets OAuth
1.0a's HMAC signatures need in clear on the server (consumer secret, token secret) are derived,
HMAC-SHA256, from the database's server key, which no model exposes and no dump carries.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from odoorpc_server.storage import types

TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
TOKEN_SIZE = 32  # characters, as the keys and tokens of the REST API's documentation
NONCE_WINDOW = 600  # seconds a timestamp may differ from the server's clock

KEYS = sa.Table(
    "odoorpc_oauth_keys", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("key", sa.String(64), nullable=False),
)
NONCES = sa.Table(
    "odoorpc_oauth_nonces", sa.MetaData(),
    sa.Column("client_key", sa.String(64), primary_key=True),
    sa.Column("nonce", sa.String(64), primary_key=True),
    sa.Column("timestamp", sa.BigInteger, primary_key=True),
    sa.Column("token", sa.String(64), primary_key=True),
    sa.Column("seen", sa.Float(precision=53), nullable=False),
)
_STAMPS = ("create_uid", "write_uid")
APPLICATIONS = sa.table(
    "oauth_application", sa.column("id"), sa.column("name"), sa.column("user_id"), sa.column("client_id"),
    sa.column("redirect_uri"), sa.column("secret_salt"), *(sa.column(c) for c in _STAMPS),
    sa.column("create_date", types.DateTime()), sa.column("write_date", types.DateTime()))
TOKENS = sa.table(
    "oauth_token", sa.column("id"), sa.column("application_id"), sa.column("user_id"), sa.column("kind"),
    sa.column("expiry", types.DateTime()), sa.column("revoked"), sa.column("digest"), sa.column("verifier"),
    sa.column("callback"), sa.column("redirect_uri"), *(sa.column(c) for c in _STAMPS),
    sa.column("create_date", types.DateTime()), sa.column("write_date", types.DateTime()))
USERS = sa.table("res_users", sa.column("id"), sa.column("login"), sa.column("active"))


@dataclass(frozen=True)
class SignedRequest:
    """An HTTP request to authenticate with OAuth, as the protocol adapter received it: the
    full URI (query string included), the headers and the raw body."""

    http_method: str
    uri: str
    headers: dict[str, str]
    body: bytes | str | None = None

    def __repr__(self) -> str:  # never a token or a signature in a log or a traceback
        return f"SignedRequest({self.http_method} ...)"


def now() -> dt.datetime:
    """UTC, naive, to the second: how the models store datetimes."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_SIZE))


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def server_key(conn: Connection) -> bytes:
    """The database's OAuth key, made on first use (a restored dump, which carries none, gets
    a new one: the secrets of its applications then change, as they must)."""
    found = conn.execute(sa.select(KEYS.c.key).where(KEYS.c.id == 1)).scalar()
    if found is None:
        conn.execute(types.insert(conn, KEYS).values(id=1, key=secrets.token_hex(32))
                     .on_conflict_do_nothing(index_elements=[KEYS.c.id]))
        found = conn.execute(sa.select(KEYS.c.key).where(KEYS.c.id == 1)).scalar_one()
    return bytes.fromhex(str(found))


def derive(conn: Connection, purpose: str, value: str) -> str:
    """A secret of TOKEN_SIZE characters: HMAC-SHA256(server key, purpose + value)."""
    mac = hmac.new(server_key(conn), f"{purpose}\x00{value}".encode("utf-8", "surrogatepass"), hashlib.sha256)
    return "".join(TOKEN_ALPHABET[b % len(TOKEN_ALPHABET)] for b in mac.digest()[:TOKEN_SIZE])


def consumer_secret(conn: Connection, client_id: str, salt: str) -> str:
    return derive(conn, "consumer", f"{client_id}\x00{salt}")


def token_secret(conn: Connection, token: str) -> str:
    return derive(conn, "token", token)


def same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a.encode(), b.encode())


def application(conn: Connection, client_id: str | None) -> Any:
    """The application of `client_id` if its user is active (None otherwise)."""
    if not client_id:
        return None
    return conn.execute(
        sa.select(APPLICATIONS.c.id, APPLICATIONS.c.client_id, APPLICATIONS.c.user_id, APPLICATIONS.c.redirect_uri,
                  APPLICATIONS.c.secret_salt)
        .select_from(APPLICATIONS.join(USERS, USERS.c.id == APPLICATIONS.c.user_id))
        .where(APPLICATIONS.c.client_id == client_id, USERS.c.active == sa.true())).first()


def create_application(conn: Connection, uid: int, name: str, redirect_uri: str | None = None) -> tuple[str, str]:
    """A new application of `uid`: (client_id, client_secret), the secret shown once."""
    client_id, salt, stamp = new_token(), secrets.token_hex(16), now()
    conn.execute(sa.insert(APPLICATIONS).values(
        name=name, user_id=uid, client_id=client_id, redirect_uri=redirect_uri or None, secret_salt=salt,
        create_uid=uid, write_uid=uid, create_date=stamp, write_date=stamp))
    return client_id, consumer_secret(conn, client_id, salt)


def renew_secret(conn: Connection, app_id: int, client_id: str) -> str:
    """A fresh secret for an application; its tokens are revoked with the old one."""
    salt = secrets.token_hex(16)
    conn.execute(sa.update(APPLICATIONS).where(APPLICATIONS.c.id == app_id).values(secret_salt=salt, write_date=now()))
    conn.execute(sa.delete(TOKENS).where(TOKENS.c.application_id == app_id))
    return consumer_secret(conn, client_id, salt)


def save_token(conn: Connection, app: Any, kind: str, token: str, lifetime: float | None, **extra: Any) -> None:
    """Store a token of `kind` ('request', 'access1', 'code', 'access', 'refresh') as its digest."""
    stamp = now()
    expiry = stamp + dt.timedelta(seconds=lifetime) if lifetime is not None else None
    conn.execute(sa.insert(TOKENS).values(
        application_id=app.id, user_id=app.user_id, kind=kind, digest=digest(token), expiry=expiry, revoked=False,
        create_uid=app.user_id, write_uid=app.user_id, create_date=stamp, write_date=stamp, **extra))


def live_token(conn: Connection, kind: str, token: str | None, app_id: int | None = None) -> Any:
    """The unrevoked, unexpired token row of `kind` with that value (of that application, if
    given), with its application's client id, when the application's user is active."""
    if not token:
        return None
    query = (sa.select(TOKENS.c.id, TOKENS.c.application_id, TOKENS.c.user_id, TOKENS.c.verifier,
                       TOKENS.c.callback, TOKENS.c.redirect_uri, APPLICATIONS.c.client_id)
             .select_from(TOKENS.join(APPLICATIONS, APPLICATIONS.c.id == TOKENS.c.application_id)
                          .join(USERS, USERS.c.id == TOKENS.c.user_id))
             .where(TOKENS.c.kind == kind, TOKENS.c.digest == digest(token), TOKENS.c.revoked == sa.false(),
                    USERS.c.active == sa.true(),
                    sa.or_(TOKENS.c.expiry.is_(None), TOKENS.c.expiry > now())))
    if app_id is not None:
        query = query.where(TOKENS.c.application_id == app_id)
    return conn.execute(query).first()


def update_token(conn: Connection, token_id: int, **values: Any) -> None:
    conn.execute(sa.update(TOKENS).where(TOKENS.c.id == token_id).values(write_date=now(), **values))


def use_nonce(conn: Connection, client_key: str, timestamp: int, nonce: str, token: str | None) -> bool:
    """Record a nonce; False when the same one was seen (a replay). Nonces older than the
    timestamp window are forgotten: their requests are refused by their timestamp already."""
    seen = time.time()
    conn.execute(sa.delete(NONCES).where(NONCES.c.seen < seen - 2 * NONCE_WINDOW))
    inserted = conn.execute(types.insert(conn, NONCES).values(
        client_key=client_key[:64], nonce=nonce[:64], timestamp=timestamp, token=digest(token) if token else "",
        seen=seen).on_conflict_do_nothing().returning(NONCES.c.seen))
    return inserted.first() is not None
