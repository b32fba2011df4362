"""OAuth 1.0a (RFC 5849) through oauthlib: the three steps that hand out an access token, and
the check of a resource request signed with it.

oauthlib does the protocol (parameters, signatures, timestamps); the validator below answers
its questions from the database. Consumer and token secrets are derived from the database's
server key, never stored; request tokens are single use and live ten minutes; nonces are kept
in the database so that a replay is refused by every process. There is no login page: the
application's own user is the resource owner, so `authorize` grants the verifier at once.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from oauthlib import oauth1
from oauthlib.oauth1.rfc5849 import errors as oauth1_errors
from sqlalchemy.engine import Connection

from odoorpc_server.exceptions import OAuthBadRequest, OAuthFailed
from odoorpc_server.storage import oauth as store
from odoorpc_server.storage.oauth import SignedRequest

REQUEST_TOKEN_LIFETIME = 600.0  # seconds
METHODS = (oauth1.SIGNATURE_HMAC_SHA1, oauth1.SIGNATURE_HMAC_SHA256, oauth1.SIGNATURE_PLAINTEXT)
DUMMY = "dummy" + "0" * (store.TOKEN_SIZE - 5)


class Validator(oauth1.RequestValidator):
    """oauthlib's questions, answered from one transaction's connection."""

    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self.conn = conn
        self.apps: dict[str, Any] = {}

    # -- what is accepted ---------------------------------------------------------------------
    allowed_signature_methods = METHODS
    enforce_ssl = False  # plain http is the operator's choice (a proxy may terminate TLS)
    client_key_length = request_token_length = access_token_length = verifier_length = (20, 64)
    nonce_length = (8, 64)
    timestamp_lifetime = store.NONCE_WINDOW
    dummy_client = dummy_request_token = dummy_access_token = DUMMY

    def check_realms(self, realms: Any) -> bool:
        return True

    def app(self, client_key: str) -> Any:
        if client_key not in self.apps:
            self.apps[client_key] = store.application(self.conn, client_key)
        return self.apps[client_key]

    # -- consumers ----------------------------------------------------------------------------
    def validate_client_key(self, client_key: str, request: Any) -> bool:
        return self.app(client_key) is not None

    def get_client_secret(self, client_key: str, request: Any) -> str:
        app = self.app(client_key)
        # an unknown consumer still costs a signature check (oauthlib's dummy client)
        return store.consumer_secret(self.conn, client_key, app.secret_salt if app is not None else "")

    def validate_redirect_uri(self, client_key: str, redirect_uri: str, request: Any) -> bool:
        app = self.app(client_key)
        if app is None:
            return False
        return redirect_uri == "oob" or not app.redirect_uri or redirect_uri == app.redirect_uri

    def get_default_realms(self, client_key: str, request: Any) -> list[str]:
        return []

    def validate_requested_realms(self, client_key: str, realms: Any, request: Any) -> bool:
        return True

    def validate_realms(self, client_key: str, token: str, request: Any, uri: Any = None, realms: Any = None) -> bool:
        return True

    def get_realms(self, token: str, request: Any) -> list[str]:
        return []

    def validate_timestamp_and_nonce(self, client_key: str, timestamp: str, nonce: str, request: Any,
                                     request_token: str | None = None, access_token: str | None = None) -> bool:
        return store.use_nonce(self.conn, client_key, int(timestamp), nonce, request_token or access_token)

    # -- request tokens -----------------------------------------------------------------------
    def save_request_token(self, token: dict[str, Any], request: Any) -> None:
        app = self.app(request.client_key)
        store.save_token(self.conn, app, "request", token["oauth_token"], REQUEST_TOKEN_LIFETIME,
                         callback=request.redirect_uri)
        # oauthlib answers the dict it saved: the secret given out is the derived one
        token["oauth_token_secret"] = store.token_secret(self.conn, token["oauth_token"])

    def request_token(self, token: str, client_key: str | None = None) -> Any:
        app = self.app(client_key) if client_key else None
        if client_key and app is None:
            return None
        return store.live_token(self.conn, "request", token, app.id if app is not None else None)

    def verify_request_token(self, token: str, request: Any) -> bool:
        return self.request_token(token) is not None

    def validate_request_token(self, client_key: str, token: str, request: Any) -> bool:
        return self.request_token(token, client_key) is not None

    def get_request_token_secret(self, client_key: str, token: str, request: Any) -> str:
        return store.token_secret(self.conn, token)

    def get_redirect_uri(self, token: str, request: Any) -> str:
        row = self.request_token(token)
        return str(row.callback) if row is not None and row.callback else "oob"

    def save_verifier(self, token: str, verifier: dict[str, Any], request: Any) -> None:
        row = self.request_token(token)
        store.update_token(self.conn, row.id, verifier=store.digest(verifier["oauth_verifier"]))

    def validate_verifier(self, client_key: str, token: str, verifier: str, request: Any) -> bool:
        row = self.request_token(token, client_key)
        return row is not None and store.same(row.verifier, store.digest(verifier))

    def invalidate_request_token(self, client_key: str, request_token: str, request: Any) -> None:
        row = self.request_token(request_token, client_key)
        if row is not None:
            store.update_token(self.conn, row.id, revoked=True)

    # -- access tokens ------------------------------------------------------------------------
    def save_access_token(self, token: dict[str, Any], request: Any) -> None:
        app = self.app(request.client_key)
        store.save_token(self.conn, app, "access1", token["oauth_token"], None)
        token["oauth_token_secret"] = store.token_secret(self.conn, token["oauth_token"])
        token.pop("oauth_authorized_realms", None)

    def validate_access_token(self, client_key: str, token: str, request: Any) -> bool:
        app = self.app(client_key)
        row = store.live_token(self.conn, "access1", token, app.id) if app is not None else None
        if row is not None:
            request.user = int(row.user_id)
        return row is not None

    def get_access_token_secret(self, client_key: str, token: str, request: Any) -> str:
        return store.token_secret(self.conn, token)


def _refused(status: int, body: Any) -> Exception:
    text = dict(parse_qsl(body)) if isinstance(body, str) else {}
    message = text.get("error_description") or text.get("error") or "OAuth authentication failed"
    return OAuthFailed(message) if status == 401 else OAuthBadRequest(message)


def _answer(headers: dict[str, str], body: Any, status: int) -> dict[str, Any]:
    if status >= 400:
        raise _refused(status, body)
    if status in (301, 302, 303) and headers.get("Location"):
        return dict(parse_qsl(urlsplit(headers["Location"]).query))
    return dict(parse_qsl(body or ""))


def _body(request: SignedRequest) -> Any:
    body = request.body
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else body


def request_token(conn: Connection, request: SignedRequest) -> dict[str, Any]:
    endpoint = oauth1.RequestTokenEndpoint(Validator(conn), token_generator=store.new_token)
    return _answer(*endpoint.create_request_token_response(request.uri, request.http_method, _body(request),
                                                           request.headers))


def authorize(conn: Connection, request: SignedRequest) -> dict[str, Any]:
    """The resource owner is the application's own user: the verifier is granted at once."""
    validator = Validator(conn)
    endpoint = oauth1.AuthorizationEndpoint(validator, token_generator=store.new_token)
    try:
        answer = _answer(*endpoint.create_authorization_response(request.uri, request.http_method,
                                                                 _body(request), request.headers))
    except oauth1_errors.InvalidClientError as error:  # an unknown or used request token
        raise OAuthFailed(error.description) from None
    except oauth1_errors.OAuth1Error as error:
        raise OAuthBadRequest(error.description) from None
    return {"oauth_token": answer.get("oauth_token"), "oauth_verifier": answer.get("oauth_verifier")}


def access_token(conn: Connection, request: SignedRequest) -> dict[str, Any]:
    endpoint = oauth1.AccessTokenEndpoint(Validator(conn), token_generator=store.new_token)
    return _answer(*endpoint.create_access_token_response(request.uri, request.http_method, _body(request),
                                                          request.headers))


def resource_user(conn: Connection, request: SignedRequest) -> int:
    """The user a resource request signed with an OAuth 1.0a access token acts as."""
    endpoint = oauth1.ResourceEndpoint(Validator(conn))
    try:
        valid, checked = endpoint.validate_protected_resource_request(
            request.uri, request.http_method, _body(request), request.headers)
    except oauth1_errors.OAuth1Error as error:
        raise OAuthFailed(error.description) from None
    if not valid or not getattr(checked, "user", None):
        raise OAuthFailed()
    return int(checked.user)
