"""OAuth 2.0 (RFC 6749, authorization code grant with refresh tokens, RFC 6750 bearer tokens)
through oauthlib, answering in JSON as the REST API does: `authorize` answers {code, state}
instead of redirecting, since the application's own user is the resource owner.

Parameters may come from the query string, a form body, a JSON body, HTTP Basic (client
credentials) or an `Authorization: OAuth k="v", ...` header; they are brought into the form
oauthlib reads before it sees the request. Codes are single use and live 60 seconds, access
tokens an hour; a refresh token is single use (each refresh hands out a new one). Every token is
stored as its SHA-256 digest only.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from oauthlib import oauth2
from oauthlib.oauth2.rfc6749 import errors as oauth2_errors
from sqlalchemy.engine import Connection

from odoorpc_server.exceptions import OAuthBadRequest, OAuthFailed
from odoorpc_server.storage import oauth as store
from odoorpc_server.storage.oauth import SignedRequest

CODE_LIFETIME = 60.0
ACCESS_TOKEN_LIFETIME = 3600
# errors that say the credentials are wrong (401); the others say the request is (400)
UNAUTHENTICATED = frozenset({"invalid_client", "invalid_grant", "invalid_token", "unauthorized_client",
                             "access_denied"})
HEADER_PARAM = re.compile(r"""\s*([A-Za-z0-9_.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^,\s]*))\s*(?:,|$)""")


class Client:
    """What oauthlib calls `request.client`."""

    def __init__(self, row: Any) -> None:
        self.row = row
        self.client_id = str(row.client_id)


class Validator(oauth2.RequestValidator):
    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self.conn = conn

    # -- clients ------------------------------------------------------------------------------
    def validate_client_id(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> bool:
        app = store.application(self.conn, client_id)
        if app is not None:
            request.client = Client(app)
        return app is not None

    def client_authentication_required(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        return True

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        client_id, secret = basic_credentials(request.headers.get("Authorization"))
        client_id, secret = client_id or request.client_id, secret or request.client_secret
        app = store.application(self.conn, client_id)
        expected = store.consumer_secret(self.conn, client_id or "", app.secret_salt if app is not None else "")
        if app is None or not store.same(secret, expected):
            return False
        request.client = Client(app)
        request.client_id = app.client_id
        return True

    def authenticate_client_id(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> bool:
        return False  # every client is confidential

    def get_default_redirect_uri(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> str | None:
        app = store.application(self.conn, client_id)
        # no registered URI and none given: nothing is redirected to anyway (the answer is JSON)
        return (app.redirect_uri if app is not None else None) or "urn:ietf:wg:oauth:2.0:oob"

    def validate_redirect_uri(self, client_id: str, redirect_uri: str, request: Any, *args: Any, **kwargs: Any) -> bool:
        app = store.application(self.conn, client_id)
        return app is not None and (not app.redirect_uri or redirect_uri == app.redirect_uri)

    def validate_response_type(self, client_id: str, response_type: str, client: Any, request: Any,
                               *args: Any, **kwargs: Any) -> bool:
        return response_type == "code"

    def validate_grant_type(self, client_id: str, grant_type: str, client: Any, request: Any,
                            *args: Any, **kwargs: Any) -> bool:
        return grant_type in ("authorization_code", "refresh_token")

    def get_default_scopes(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> list[str]:
        return []

    def validate_scopes(self, client_id: str, scopes: Any, client: Any, request: Any,
                        *args: Any, **kwargs: Any) -> bool:
        return True

    def is_pkce_required(self, client_id: str, request: Any) -> bool:
        return False

    def get_code_challenge(self, code: str, request: Any) -> None:
        return None

    # -- codes --------------------------------------------------------------------------------
    def save_authorization_code(self, client_id: str, code: dict[str, Any], request: Any,
                                *args: Any, **kwargs: Any) -> None:
        given = None if getattr(request, "using_default_redirect_uri", False) else request.redirect_uri
        store.save_token(self.conn, request.client.row, "code", code["code"], CODE_LIFETIME, redirect_uri=given)

    def validate_code(self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        row = store.live_token(self.conn, "code", code, client.row.id)
        if row is None:
            return False
        request.user, request.scopes, request.code_row = int(row.user_id), [], row
        return True

    def confirm_redirect_uri(self, client_id: str, code: str, redirect_uri: str | None, client: Any, request: Any,
                             *args: Any, **kwargs: Any) -> bool:
        row = store.live_token(self.conn, "code", code, client.row.id)
        if row is None:
            return False
        if row.redirect_uri:  # given when authorizing: the same one again (RFC 6749, 4.1.3)
            return bool(redirect_uri == row.redirect_uri)
        return redirect_uri in (None, "", client.row.redirect_uri)

    def invalidate_authorization_code(self, client_id: str, code: str, request: Any, *args: Any, **kwargs: Any) -> None:
        row = store.live_token(self.conn, "code", code, request.client.row.id)
        if row is not None:
            store.update_token(self.conn, row.id, revoked=True)

    # -- tokens -------------------------------------------------------------------------------
    def save_bearer_token(self, token: dict[str, Any], request: Any, *args: Any, **kwargs: Any) -> None:
        app = request.client.row
        if request.grant_type == "refresh_token":  # rotation: the refresh token used is spent
            old = store.live_token(self.conn, "refresh", request.refresh_token, app.id)
            if old is not None:
                store.update_token(self.conn, old.id, revoked=True)
        store.save_token(self.conn, app, "access", token["access_token"], token["expires_in"])
        store.save_token(self.conn, app, "refresh", token["refresh_token"], None)
        expiry = store.now() + dt.timedelta(seconds=token["expires_in"])
        token["access_token_validity"] = validity(expiry)

    def validate_refresh_token(self, refresh_token: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        row = store.live_token(self.conn, "refresh", refresh_token, client.row.id)
        if row is None:
            return False
        request.user = int(row.user_id)
        return True

    def get_original_scopes(self, refresh_token: str, request: Any, *args: Any, **kwargs: Any) -> list[str]:
        return []

    def rotate_refresh_token(self, request: Any) -> bool:
        return True

    def validate_bearer_token(self, token: str, scopes: Any, request: Any) -> bool:
        row = store.live_token(self.conn, "access", token)
        if row is None:
            return False
        request.user, request.client_id = int(row.user_id), row.client_id
        return True


def validity(expiry: dt.datetime) -> str:
    """The REST API's `access_token_validity`: M/D/YYYY HH:MM:SS, UTC."""
    return f"{expiry.month}/{expiry.day}/{expiry.year} {expiry:%H:%M:%S}"


def basic_credentials(header: str | None) -> tuple[str | None, str | None]:
    """(client_id, client_secret) of an `Authorization: Basic` header (RFC 6749, 2.3.1: each
    form-urlencoded), (None, None) otherwise."""
    if not header or not header[:6].lower() == "basic ":
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, sep, secret = decoded.partition(":")
    return (unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))) if sep else (None, None)


def header_params(header: str | None) -> list[tuple[str, str]]:
    """The parameters of an `Authorization: OAuth k="v", k2='v2'` header, percent-decoded."""
    if not header or header[:6].lower() != "oauth ":
        return []
    return [(m.group(1), unquote(next(g for g in m.groups()[1:] if g is not None)))
            for m in HEADER_PARAM.finditer(header[6:]) if m.group(0).strip()]


def body_params(request: SignedRequest, strict: bool = True) -> list[tuple[str, str]]:
    """The parameters of a form or JSON body; a body that is neither is an error when `strict`
    (an OAuth endpoint), no parameters otherwise (a resource request's own payload)."""
    body = request.body.decode("utf-8", "replace") if isinstance(request.body, bytes) else (request.body or "")
    content_type = next((v for k, v in request.headers.items() if k.lower() == "content-type"), "")
    if "json" in content_type.lower() or body.lstrip().startswith("{"):
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            if strict:
                raise OAuthBadRequest("The JSON body must be an object")
            return []
        return [(str(k), v if isinstance(v, str) else json.dumps(v)) for k, v in data.items() if v is not None]
    return parse_qsl(body, keep_blank_values=True)


def normalized(request: SignedRequest, strict: bool = True) -> tuple[str, str, str, dict[str, str]]:
    """(uri, method, form body, headers) as oauthlib reads them: parameters of a JSON body and of
    an `Authorization: OAuth` header join the form body (or the query string of a GET)."""
    headers = dict(request.headers)
    extra = header_params(headers.get("Authorization") or headers.get("authorization"))
    if extra:
        headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
    params = body_params(request, strict) + extra
    method = request.http_method.upper()
    parts = urlsplit(request.uri)
    if method == "GET":
        query = parse_qsl(parts.query, keep_blank_values=True) + params
        return urlunsplit(parts._replace(query=urlencode(query))), method, "", headers
    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return request.uri, method, urlencode(params), headers


def server(conn: Connection) -> oauth2.WebApplicationServer:
    def generate(request: Any) -> str:
        return store.new_token()
    return oauth2.WebApplicationServer(Validator(conn), token_expires_in=ACCESS_TOKEN_LIFETIME,
                                       token_generator=generate, refresh_token_generator=generate)


def _refused(error: str | None, description: str | None) -> Exception:
    message = f"{error}: {description}" if description else (error or "OAuth authentication failed")
    return OAuthFailed(message) if error in UNAUTHENTICATED else OAuthBadRequest(message)


def authorize(conn: Connection, request: SignedRequest) -> dict[str, Any]:
    uri, method, body, headers = normalized(request)
    endpoint = server(conn)
    try:
        scopes, credentials = endpoint.validate_authorization_request(uri, method, body, headers)
        answer, _, status = endpoint.create_authorization_response(uri, method, body, headers, scopes,
                                                                   {"user": None})
    except oauth2_errors.InvalidClientIdError as error:
        raise OAuthFailed(f"invalid_client: {error.description}") from None
    except oauth2_errors.OAuth2Error as error:
        raise _refused(error.error, error.description) from None
    location = answer.get("Location", "")
    found = dict(parse_qsl(urlsplit(location).query))
    if status >= 400 or "error" in found or "code" not in found:
        raise _refused(found.get("error"), found.get("error_description"))
    return {"code": found["code"], "state": found.get("state", credentials.get("state"))}


def access_token(conn: Connection, request: SignedRequest) -> dict[str, Any]:
    uri, method, body, headers = normalized(request)
    _, text, status = server(conn).create_token_response(uri, method, body, headers)
    answer = json.loads(text) if text else {}
    if status >= 400 or "access_token" not in answer:
        raise _refused(answer.get("error"), answer.get("error_description"))
    return {"access_token": answer["access_token"], "token_type": "bearer",
            "access_token_validity": answer["access_token_validity"], "expires_in": answer["expires_in"],
            "refresh_token": answer["refresh_token"]}


def resource_user(conn: Connection, request: SignedRequest) -> int:
    """The user a resource request carrying an OAuth 2.0 bearer token acts as."""
    uri, method, body, headers = normalized(request, strict=False)
    valid, checked = server(conn).verify_request(uri, method, body, headers, scopes=[])
    if not valid or not getattr(checked, "user", None):
        raise OAuthFailed()
    return int(checked.user)
