"""The application state one process holds: where databases live, registries, caches."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import odoorpc_server.models  # noqa: F401  (registers the per-model classes)
from odoorpc_server import master_password
from odoorpc_server.exceptions import AccessDenied, InvalidApiKey, OAuthFailed, SessionExpired
from odoorpc_server.orm.env import Env
from odoorpc_server.orm.registry import RegistryCache
from odoorpc_server.security import (
    API_KEY_FORMAT,
    USERS,
    BearerKey,
    CredentialCache,
    bearer_candidates,
    live_keys,
    signal_and_bearer,
    signal_and_user,
)
from odoorpc_server.services.harness import Harness, parse_rule, saw_user
from odoorpc_server.services.oauth_resource import resource_user
from odoorpc_server.settings import Settings
from odoorpc_server.storage import sessions
from odoorpc_server.storage.database import Backend, again_if_stale
from odoorpc_server.storage.oauth import SignedRequest
from odoorpc_server.storage.sessions import SessionKey
from odoorpc_server.throttle import Attempt, Throttle
from odoorpc_server.verification import MAX_SECRET, POOL, Verifier

# the client's address, set by the protocol adapter for the duration of a request
remote_address: ContextVar[str] = ContextVar("remote_address", default="")


class App:
    def __init__(self, settings: Settings, verifier: Verifier = POOL) -> None:
        self.settings = settings
        self.backend = Backend(settings.data_dir, settings.db_url, settings.statement_timeout)
        self.registries = RegistryCache()
        self.verifier = verifier
        self.credentials = CredentialCache(verify=verifier.verify)
        self.throttle = Throttle(settings.login_cooldown_after, settings.login_cooldown_duration)
        self.harness = Harness(settings.call_log, settings.harness_token,
                               [parse_rule(spec) for spec in settings.inject]
                               + [parse_rule(spec, latency=True) for spec in settings.latency])

    @contextmanager
    def env(self, db: str, uid: int, context: dict[str, Any] | None = None, write: bool = True,
            password: Any = None) -> Iterator[Env]:
        """One transaction on `db` as `uid`, credentials checked when a secret is given. A
        `SessionKey`, `BearerKey` or OAuth `SignedRequest` secret names its user itself (`uid`
        is then ignored)."""
        attempt = Attempt(remote_address.get())
        touch = False
        try:
            method: str | None = None
            if isinstance(password, SignedRequest):
                uid, method = self.check_oauth(db, password, attempt), "oauth"
            with self.backend.transaction(db, write=write) as conn:
                by_password = password is not None and method is None \
                    and not isinstance(password, (SessionKey, BearerKey))
                signal, user = signal_and_user(conn, uid) if by_password else (None, None)
                keys: list[Any] | None = None
                live: sessions.Session | None = None
                if isinstance(password, BearerKey):
                    signal, keys = signal_and_bearer(conn, password.token)
                elif isinstance(password, SessionKey):
                    signal, live = sessions.signal_and_session(conn, password.sid)
                registry, security = self.registries.get(db, conn, signal)
                if isinstance(password, SessionKey):
                    if live is None:
                        raise SessionExpired()
                    uid, touch, method = live.uid, live.due_for_touch, "session"
                    if touch and write:
                        sessions.touch(conn, password.sid)
                        touch = False
                elif isinstance(password, BearerKey):
                    uid, method = self.check_bearer(conn, db, password, attempt, keys), "apikey"
                elif by_password:
                    method = self.check_credentials(conn, db, uid, password, attempt, user=(user,))
                env = Env(conn, registry, uid, context, settings=self.settings)
                saw_user(uid)
                env.shared.update(auth_method=method, security=security,
                                  session=password if isinstance(password, SessionKey) else None)
                yield env
        finally:
            self.throttle.settle(self.backend, db, attempt)
        if touch:  # a read-only call of a session due for a new expiry: one short write
            with self.backend.transaction(db) as conn:
                sessions.touch(conn, password.sid)
        if env.schema_changed:
            self.registries.publish(db, env.registry)

    def check_bearer(self, conn: sa.Connection, db: str, key: BearerKey, attempt: Attempt,
                     candidates: list[Any] | None = None) -> int:
        """The user of a JSON-2 bearer key (Odoo 19's `_check_credentials(scope='rpc', key=...)`):
        the API key alone names the user, passwords never count. Cached like every credential,
        throttled per address like a login; InvalidApiKey (401) otherwise. `candidates`: the
        key rows, when the caller read them with the registry's signal."""
        token = key.token
        if candidates is None:
            candidates = bearer_candidates(conn, token) if API_KEY_FORMAT.match(token) else []
        for kid, stored, uid in candidates:
            if self.credentials.cached(db, ("key", kid), token, stored):
                return int(uid)
        try:
            self.throttle.check(conn, attempt)
        except AccessDenied as refused:  # JSON-2 refuses credentials with a 401, whatever the reason
            raise InvalidApiKey(str(refused)) from None
        for kid, stored, uid in candidates:
            if self.credentials.verify(db, ("key", kid), token, stored):
                attempt.verified = True
                return int(uid)
        attempt.failed = True
        raise InvalidApiKey()

    def check_oauth(self, db: str, request: SignedRequest, attempt: Attempt) -> int:
        """The user of an OAuth resource request (an OAuth 2.0 bearer token, or a request signed
        with an OAuth 1.0a access token): the application's user. Checked in a short write
        transaction of its own, before the call's (which may be read-only), since a signed
        request's nonce is recorded; throttled per address like a login; OAuthFailed (401)
        otherwise."""
        return int(self.oauth_transaction(db, attempt, lambda conn: resource_user(conn, request)))

    def oauth_transaction(self, db: str, attempt: Attempt, work: Callable[[sa.Connection], Any],
                          refusals: tuple[type[Exception], ...] = (OAuthFailed,)) -> Any:
        """`work(conn)` in a write transaction of its own, after the throttle's check (a refusal
        by it is OAuthFailed); a refusal of `work` counts as a failed attempt. The caller
        settles `attempt`."""
        def checked() -> Any:
            with self.backend.transaction(db) as conn:
                self.registries.get(db, conn)
                try:
                    self.throttle.check(conn, attempt)
                except AccessDenied as refused:
                    raise OAuthFailed(str(refused)) from None
                try:
                    return work(conn)
                except refusals:
                    attempt.failed = True
                    raise

        return again_if_stale(checked)

    def check_credentials(self, conn: sa.Connection, db: str, uid: int, password: Any,
                          attempt: Attempt | None = None, keys_too: bool = True,
                          user: tuple[Any] | None = None) -> str:
        """'password' or 'apikey' when the secret is the user's; an active user only.

        Every protocol's credentials come here. A secret this process verified before is
        accepted at once (no hashing, even during a cooldown: it proves the right secret, and
        the cooldown exists to stop new verifications). Otherwise a login or address cooling
        down is refused without hashing, and the rest is verified in the bounded pool. The
        outcome is written to `attempt`, which the caller settles after its transaction.
        Revoked or expired keys, changed passwords and archived users fail on the very next
        call because the rows are read every time (`user`: the user's row, or `(None,)` when
        there is none, when the caller read it already in this transaction).
        """
        attempt = attempt if attempt is not None else Attempt(remote_address.get())
        row = user[0] if user is not None else conn.execute(
            sa.select(USERS.c.login, USERS.c.active, USERS.c.password).where(USERS.c.id == uid)).first()
        if attempt.login is None and row is not None:
            attempt.login = str(row.login)
        usable = row is not None and bool(row.active) and isinstance(password, str) and bool(password)
        candidates = self._candidates(conn, uid, password, row, keys_too) if usable else []
        for owner, stored, method in candidates:
            if self.credentials.cached(db, owner, password, stored):
                return method
        self.throttle.check(conn, attempt)
        for owner, stored, method in candidates:
            if self.credentials.verify(db, owner, password, stored):
                attempt.verified = True
                return method
        attempt.failed = True
        raise AccessDenied()

    def _candidates(self, conn: sa.Connection, uid: int, secret: str, row: Any,
                    keys_too: bool = True) -> list[tuple[Any, str, str]]:
        """(cache owner, stored hash, method) of every secret `secret` may be: the user's live
        API keys with its index (unless only passwords count), then the password."""
        # API keys stand for the password from Odoo 14 on
        keys_too = keys_too and self.settings.profile.has("api_keys")
        keys = live_keys(conn, uid, secret) if keys_too and API_KEY_FORMAT.match(secret) else []
        found: list[tuple[Any, str, str]] = [(("key", k.id), k.key, "apikey") for k in keys]
        return found + ([(uid, row.password, "password")] if row.password else [])

    def login(self, db: str, login: Any, password: Any, address: str = "", interactive: bool = False) -> int:
        """The uid of `login` when `password` is its password or one of its API keys (its
        password only for an interactive, i.e. web session, login: Odoo refuses API keys there)."""
        named = login if isinstance(login, str) and 0 < len(login) <= MAX_SECRET else None
        attempt = Attempt(address, named)
        def checked() -> int:
            with self.backend.transaction(db, write=False) as conn:
                self.registries.get(db, conn)
                uid = conn.execute(sa.select(USERS.c.id).where(USERS.c.login == named, USERS.c.active == sa.true())
                                   .order_by(USERS.c.id).limit(1)).scalar() if named else None
                if uid is None:
                    self.throttle.check(conn, attempt)
                    attempt.failed = True
                    raise AccessDenied()
                self.check_credentials(conn, db, int(uid), password, attempt, keys_too=not interactive)
                return int(uid)

        try:
            return again_if_stale(checked)
        finally:
            self.throttle.settle(self.backend, db, attempt)

    def check_super(self, password: Any) -> None:
        """The db service's master password (Odoo's check_super): Access Denied unless it
        matches the hash stored now (the config file is read again when it changed, so a new
        password set by any worker or server counts at once); a verified one is cached like any
        credential, keyed by that hash."""
        path = self.settings.master_password_file
        stored = master_password.current(Path(path)) if path else self.settings.master_password_hash
        if not password or not isinstance(password, str) or not stored:
            raise AccessDenied()
        if not self.credentials.check("", ("master",), password, stored):
            raise AccessDenied()
