"""Which OAuth a resource request speaks: OAuth 1.0a when it is signed (`oauth_signature` in
its `Authorization: OAuth` header, query string or form body), an OAuth 2.0 bearer token
otherwise."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from sqlalchemy.engine import Connection

from odoorpc_server.storage.oauth import SignedRequest


def is_signed(request: SignedRequest) -> bool:
    header = next((v for k, v in request.headers.items() if k.lower() == "authorization"), "")
    if header[:6].lower() == "oauth " and "oauth_signature" in header:
        return True
    body = request.body.decode("utf-8", "replace") if isinstance(request.body, bytes) else (request.body or "")
    names = {k for k, _ in parse_qsl(urlsplit(request.uri).query)} | {k for k, _ in parse_qsl(body)}
    return "oauth_signature" in names


def resource_user(conn: Connection, request: SignedRequest) -> int:
    """The user the request acts as; OAuthFailed when it does not authenticate. The OAuth
    modules (and oauthlib) are imported at the first request that needs them, not at start."""
    from odoorpc_server.services import oauth1, oauth2

    return oauth1.resource_user(conn, request) if is_signed(request) else oauth2.resource_user(conn, request)
