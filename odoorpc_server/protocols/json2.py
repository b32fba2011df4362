"""Odoo 19's JSON-2 API and the routes around it: `POST /json/2/<model>/<method>`,
`GET /web/version`, the API documentation (`/doc`, `/doc/<model>.json` with a web session,
`/doc-bearer/<model>.json` and `/doc-bearer/index.json` with an API key) and, beyond Odoo,
`GET /json/2/openapi.json` (an OpenAPI 3.1 document of the same calls, bearer key).

Only the version profiles where the row `json2` holds have these routes; earlier versions
answer 404, as Odoo 18 does (clients probe `/web/version` to detect JSON-2).

Request: `Authorization: bearer <api key>` (or a browser's web session with its `Sec-Fetch-*`
navigation headers, as Odoo 19 allows), `Content-Type: application/json`, a JSON object of
named parameters (`ids` and `context` reserved), database from `X-Odoo-Database` or the only
one. Answer: the bare JSON value (200), or Odoo's error object `{name, message, arguments,
context, debug}` with the exception's HTTP status (401, 403, 404, 405, 422, 500...). A wrong
Content-Type is werkzeug's HTML 415 and a missing database its HTML 404, both raised before
Odoo's JSON-2 dispatcher runs.
"""
from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any
from urllib.parse import quote

from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, UnsupportedMediaType
from werkzeug.routing import Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from odoorpc_server.exceptions import InvalidApiKey, SessionExpired, http_status
from odoorpc_server.protocols import jsoncodec
from odoorpc_server.protocols.web import COOKIE, session_key
from odoorpc_server.security import BearerKey
from odoorpc_server.services import apidoc, json2, openapi, web
from odoorpc_server.services.app import App
from odoorpc_server.services.call import Rendered, rendering
from odoorpc_server.storage.sessions import SessionKey

JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"
BEARER = re.compile(r"^bearer\s+(.+)$", re.IGNORECASE | re.DOTALL)
NO_KEY = "User not authenticated, use an API Key with a Bearer Authorization header."
NO_SEC_HEADERS = 'Missing "Authorization" or Sec-headers for interactive usage.'
COOKIE_AND_HEADER = "Cannot use both the session_id cookie and the x-odoo-database header."
NO_DATABASE = ("No database is selected and the requested URL was not found in the server-wide controllers.\n"
               "<!-- Use the X-Odoo-Database header to select a database. -->")


# -- rendering ---------------------------------------------------------------------------------

def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(jsoncodec.dumps(value), status=status, content_type=JSON, headers=headers)


def error_response(error: BaseException) -> Response:
    """Odoo 19's JSON-2 error: the serialized exception with its HTTP status; werkzeug's errors
    carry their description and `[description, code]`, a 401 asks for a bearer key."""
    body = jsoncodec.serialize_exception(error)
    headers: dict[str, str] = {}
    if isinstance(error, HTTPException):
        status = int(error.code or 500)
        body.update(message=error.description, arguments=[error.description, status])
        headers.update((k, v) for k, v in error.get_headers() if k.lower() != "content-type")
    else:
        status = http_status(error)
        if isinstance(error, InvalidApiKey):
            body["arguments"] = [str(error), status]
            headers["WWW-Authenticate"] = "Bearer"
    return json_response(body, status, headers)


def answer(work: Callable[[], Any], streamed: bool = False) -> Response:
    """The value of `work()` as JSON, any failure as Odoo's error object. `streamed`: `work` is a
    model method's call, whose answer is written inside its transaction (`rendering`), a big
    read fetched while it is written."""
    try:
        with rendering(jsoncodec.dump_chunks) if streamed else nullcontext():
            result = work()
        body = result.body if isinstance(result, Rendered) else jsoncodec.dump_chunks(result)
        return Response(body, content_type=JSON)
    except Exception as error:
        return error_response(error)


# -- request parts -----------------------------------------------------------------------------

def bearer(request: Request) -> str:
    match = BEARER.match(request.headers.get("Authorization", ""))
    if not match:
        raise InvalidApiKey(NO_KEY)
    return match.group(1).strip()


def interactive(request: Request) -> bool:
    """The navigation headers only a browser sets (Odoo 19's CSRF guard for session calls)."""
    headers = request.headers
    return (headers.get("Sec-Fetch-Dest") == "document" and headers.get("Sec-Fetch-Mode") == "navigate"
            and headers.get("Sec-Fetch-Site") in ("none", "same-origin") and headers.get("Sec-Fetch-User") == "?1")


def credentials(app: App, request: Request) -> BearerKey | SessionKey:
    """Odoo 19's `auth='bearer'`: the bearer key, else a browser's live session; 401 otherwise."""
    if BEARER.match(request.headers.get("Authorization", "")):
        return BearerKey(bearer(request))
    sid = request.cookies.get(COOKIE)
    if not sid or not web.is_live(app, sid):
        raise InvalidApiKey(NO_KEY)
    if not interactive(request):
        raise InvalidApiKey(NO_SEC_HEADERS)
    return SessionKey(sid)


def database(app: App, request: Request) -> str | None:
    """Odoo 19's choice: a session cookie's database, else the `X-Odoo-Database` header (when not
    empty), else the server's database, else the only one there is; None when none fits."""
    named = request.headers.get("X-Odoo-Database", "")
    try:
        sid = request.cookies.get(COOKIE, "")
        session_db = SessionKey(sid).database if sid and web.is_live(app, sid) else None
        if session_db:
            if named and named != session_db:
                raise Forbidden(COOKIE_AND_HEADER)
            return session_db
        if named:
            return named if app.backend.known(named) else None
        names = app.backend.list()
    except Forbidden:
        raise
    except Exception:  # a name no database can have
        return None
    if app.settings.database in names:
        return app.settings.database
    return names[0] if len(names) == 1 else None


def body_params(request: Request, params: dict[str, Any]) -> dict[str, Any]:
    """The URL's values with the body's keys merged over them, as Odoo 19's dispatcher does (a
    list of pairs merges too; anything else is its 400)."""
    if not request.content_length:
        return params
    try:
        params |= jsoncodec.loads(request.get_data())
    except ValueError as error:
        raise BadRequest(f"could not parse the body as json: {error.args[0] if error.args else error}") from None
    except TypeError:
        raise BadRequest("could not parse the body, expecting a json object") from None
    return params


def no_database() -> Response:
    return Response(NO_DATABASE, status=404, content_type=HTML)


def chosen_database(app: App, request: Request) -> str | Response:
    """The call's database, or the HTML page Odoo answers before any JSON-2 code runs."""
    try:
        db = database(app, request)
    except Forbidden as error:
        return Response(error.description, status=403, content_type=HTML)
    return no_database() if db is None else db


def cached(request: Request, response: Response) -> Response:
    """A documentation answer with its ETag: 304 when the client holds it already, unless it
    asks for no cache (as Odoo's `/doc/<model>.json`)."""
    if response.status_code != 200:
        return response
    tag = hashlib.sha256(response.get_data()).hexdigest()[:32]
    response.set_etag(tag)
    response.headers.update({"Cache-Control": "no-cache, private", "Content-Language": "en-US"})
    no_cache = "no-cache" in request.headers.get("Cache-Control", "")
    if not no_cache and tag in request.if_none_match:
        return Response(status=304, headers={"ETag": response.headers["ETag"]})
    return response


# -- endpoints ---------------------------------------------------------------------------------

def rpc(app: App, request: Request, model: str, method: str) -> Response:
    db = chosen_database(app, request)
    if isinstance(db, Response):
        return db
    if request.mimetype != "application/json":
        return UnsupportedMediaType().get_response()

    def work() -> Any:
        params = body_params(request, {"model": model, "method": method})
        secret = credentials(app, request)
        return json2.call(app, db, secret, params.pop("model"), params.pop("method"), params, request.method)

    return answer(work, streamed=True)


def version(app: App, request: Request) -> Response:
    profile = app.settings.profile
    return json_response({"version_info": profile.version_info, "version": profile.version})


def doc_bearer(app: App, request: Request, model: str) -> Response:
    db = chosen_database(app, request)
    if isinstance(db, Response):
        return db
    return cached(request, answer(lambda: apidoc.run(app, db, BearerKey(bearer(request)),
                                                     lambda env: apidoc.model_doc(env, model))))


def doc_bearer_index(app: App, request: Request) -> Response:
    db = chosen_database(app, request)
    if isinstance(db, Response):
        return db
    return answer(lambda: apidoc.run(app, db, BearerKey(bearer(request)), apidoc.index))


def openapi_document(app: App, request: Request) -> Response:
    db = chosen_database(app, request)
    if isinstance(db, Response):
        return db
    url = request.host_url.rstrip("/")
    return answer(lambda: apidoc.run(app, db, BearerKey(bearer(request)),
                                     lambda env: openapi.document(env, url), documentation=False))


def doc_session(app: App, request: Request, model: str) -> Response:
    def work() -> Any:
        key = session_key(app, request)
        return apidoc.run(app, key.database or "", key, lambda env: apidoc.model_doc(env, model))
    return cached(request, answer(work))


def doc_session_index(app: App, request: Request) -> Response:
    def work() -> Any:
        key = session_key(app, request)
        return apidoc.run(app, key.database or "", key, apidoc.index)
    return answer(work)


def doc_page(app: App, request: Request, model: str | None = None) -> Response:
    """`/doc`: the models the session's user can read, each linked to its JSON document (Odoo
    serves a single-page application here; this is its index without the script)."""
    try:
        key = session_key(app, request)
        found = apidoc.run(app, key.database or "", key, apidoc.index)
    except SessionExpired:
        return redirect("/web/login?redirect=" + quote(request.full_path.rstrip("?"), safe=""), 303)
    except Exception as error:
        return Response(f"<!DOCTYPE html><html><body><h1>{html.escape(str(error))}</h1></body></html>",
                        status=http_status(error), content_type=HTML)
    rows = "".join(
        f'<li><a href="/doc/{html.escape(m["model"])}.json">{html.escape(m["model"])}</a> — '
        f'{html.escape(str(m["name"]))} ({len(m["methods"])} methods)</li>' for m in found["models"])
    body = ("<!DOCTYPE html><html><head><title>API documentation</title></head><body>"
            f"<h1>JSON-2 API documentation</h1><ul>{rows}</ul></body></html>")
    return Response(body, content_type=HTML, headers={"X-Frame-Options": "deny"})


def routes(app: App) -> list[Rule]:
    if not app.settings.profile.has("json2"):
        return []
    return [
        Rule("/json/2/openapi.json", endpoint=openapi_document, methods=["GET"]),
        Rule("/json/2/<model>/<method>", endpoint=rpc),
        Rule("/web/version", endpoint=version),
        Rule("/doc-bearer/index.json", endpoint=doc_bearer_index),
        Rule("/doc-bearer/<model>.json", endpoint=doc_bearer),
        Rule("/doc/index.json", endpoint=doc_session_index),
        Rule("/doc/<model>.json", endpoint=doc_session),
        Rule("/doc", endpoint=doc_page, methods=["GET"]),
        Rule("/doc/index.html", endpoint=doc_page, methods=["GET"]),
        Rule("/doc/<model>", endpoint=doc_page, methods=["GET"]),
    ]
