"""The REST API's OAuth endpoints (`restapi/1.0/common/oauth1/...`, `.../oauth2/...`) and the
demo application `/start` hands out.

Each endpoint runs in one write transaction: a request token, verifier, code or token it hands
out is committed with its answer, a refused request leaves nothing (not even its nonce).
Refusals are throttled per client address like logins, so that guessing secrets, codes or
tokens costs what guessing passwords does.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from odoorpc_server.exceptions import OAuthBadRequest, OAuthFailed, UserError
from odoorpc_server.services.app import App, remote_address
from odoorpc_server.storage import oauth as store
from odoorpc_server.storage.oauth import SignedRequest
from odoorpc_server.throttle import Attempt

# endpoint name -> (module of this package, function); the modules, and oauthlib with them,
# are imported at the first OAuth request, not at start
ENDPOINTS: dict[str, tuple[str, str]] = {
    "oauth1/request_token": ("oauth1", "request_token"),
    "oauth1/authorize": ("oauth1", "authorize"),
    "oauth1/access_token": ("oauth1", "access_token"),
    "oauth2/authorize": ("oauth2", "authorize"),
    "oauth2/access_token": ("oauth2", "access_token"),
}
DEMO_NAME = "Demo"
DEMO_KEEP = 20  # demo applications kept per user


def endpoint(app: App, db: str, name: str, request: SignedRequest) -> dict[str, Any]:
    """The JSON answer of OAuth endpoint `name` (a key of ENDPOINTS) to `request`; OAuthFailed
    (401) for credentials that do not authenticate, OAuthBadRequest (400) for a malformed one."""
    where = ENDPOINTS.get(name)
    if where is None:
        raise OAuthBadRequest(f"Unknown OAuth endpoint {name!r}")
    handler: Callable[[Connection, SignedRequest], dict[str, Any]] = getattr(
        importlib.import_module(f"odoorpc_server.services.{where[0]}"), where[1])
    attempt = Attempt(remote_address.get())
    try:
        return dict(app.oauth_transaction(db, attempt, lambda conn: handler(conn, request),
                                          (OAuthFailed, OAuthBadRequest)))
    finally:
        app.throttle.settle(app.backend, db, attempt)


def demo_application(app: App, db: str, login: str = "admin") -> dict[str, str]:
    """{client_id, client_secret} of a new application "Demo" of `login`: each visitor of the
    demo's `/start` gets one of their own, so that one visitor's call does not end another's
    session. Only the DEMO_KEEP most recent demo applications of the user are kept; older ones
    are removed with their tokens, which bounds what anonymous callers can make the server store."""
    with app.backend.transaction(db) as conn:
        app.registries.get(db, conn)
        uid = conn.execute(sa.select(store.USERS.c.id).where(store.USERS.c.login == login,
                                                             store.USERS.c.active == sa.true())).scalar()
        if uid is None:
            raise UserError(f"No active user with login {login!r}")
        client_id, secret = store.create_application(conn, int(uid), DEMO_NAME)
        demo = (store.APPLICATIONS.c.user_id == uid) & (store.APPLICATIONS.c.name == DEMO_NAME)
        kept = sa.select(store.APPLICATIONS.c.id).where(demo).order_by(store.APPLICATIONS.c.id.desc()).limit(DEMO_KEEP)
        old = [row.id for row in conn.execute(sa.select(store.APPLICATIONS.c.id).where(
            demo, store.APPLICATIONS.c.id.not_in(kept.scalar_subquery())))]
        if old:
            conn.execute(sa.delete(store.TOKENS).where(store.TOKENS.c.application_id.in_(old)))
            conn.execute(sa.delete(store.APPLICATIONS).where(store.APPLICATIONS.c.id.in_(old)))
    return {"client_id": client_id, "client_secret": secret}
