"""The REST API `restapi/1.0` of the product's source document: resources over the same models,
for clients that do not speak XML-RPC, authenticated with OAuth 1.0a or OAuth 2.0.

    GET  /restapi/1.0/common/version                     no authentication
    *    /restapi/1.0/common/oauth1/{request_token,authorize,access_token}
    *    /restapi/1.0/common/oauth2/{authorize,access_token}
    GET|POST|PUT|DELETE /restapi/1.0/object/<model>      read set / search_read, create, write, unlink
    GET|PUT|DELETE      /restapi/1.0/object/<model>/<id> read, write, unlink one record
    GET|POST            /restapi/1.0/object/<model>/<method>   search, search_count, fields_get, ...
    GET  /restapi/1.0/workflow/<model>/<id>/<signal>     run the record's button named by the signal
    GET  /restapi/1.0/report/<report_name>[/<id>]        PDFs as base64
    GET  /start                                          (demo mode) an OAuth application ready to use

Parameters come in the query string in the document's Python-literal syntax, parsed without
evaluation (`literals`), or in a form or JSON body. Answers are JSON, or the same data as XML
for `Accept: application/xml`. Statuses: 401 credentials, 404 no such route, model, record,
method, signal or report, 400 a malformed parameter, 403 any other error the call raises. Every
model call goes through the one call path (`services.call`): one transaction, the OAuth
application's user, its access rights and record rules.
"""
from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from odoorpc_server.exceptions import (
    AccessDenied,
    InvalidApiKey,
    MissingError,
    OAuthFailed,
    SessionExpired,
    http_status,
    odoo_name,
)
from odoorpc_server.models.ir_actions_report import printable
from odoorpc_server.orm.env import Env
from odoorpc_server.protocols import jsoncodec, literals, xmldata
from odoorpc_server.services import oauth, workflow
from odoorpc_server.services.app import App
from odoorpc_server.services.call import Call, invoke, readonly, within
from odoorpc_server.services.harness import Harness, observe
from odoorpc_server.storage.oauth import SignedRequest

PREFIX = "/restapi/1.0"
JSON = "application/json; charset=utf-8"
XML_TYPES = ("application/xml", "text/xml")
UNAUTHORIZED = (OAuthFailed, InvalidApiKey, AccessDenied, SessionExpired)
MAX_MESSAGE = 2000


# -- rendering ---------------------------------------------------------------------------------

def wants_xml(request: Request) -> bool:
    best = request.accept_mimetypes.best_match(["application/json", *XML_TYPES], default="application/json")
    return best in XML_TYPES


def render(request: Request, value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if wants_xml(request):
        return Response(xmldata.dumps(value), status=status, content_type="application/xml; charset=utf-8",
                        headers=headers)
    return Response(jsoncodec.dumps(value), status=status, content_type=JSON, headers=headers)


def status_of(error: BaseException) -> int:
    """The document's statuses: 401 authentication, 404 no resource, 400 a malformed request,
    403 for anything else the call raises."""
    if isinstance(error, UNAUTHORIZED):
        return 401
    if isinstance(error, HTTPException):
        return int(error.code or 500) if error.code in (400, 401, 404, 405, 413) else 403
    found = http_status(error)
    return found if found in (400, 401, 404) else 403


def error_response(request: Request, error: BaseException) -> Response:
    """An error object with the Odoo error name and message; never a traceback."""
    status = status_of(error)
    message = error.description if isinstance(error, HTTPException) else str(error)
    body = {"error": {"code": status, "name": odoo_name(error) if not isinstance(error, HTTPException)
                      else f"werkzeug.exceptions.{type(error).__name__}", "message": str(message)[:MAX_MESSAGE]}}
    headers = {"WWW-Authenticate": 'OAuth realm="restapi", Bearer realm="restapi"'} if status == 401 else None
    return render(request, body, status, headers)


def answer(request: Request, work: Callable[[], Any]) -> Response:
    try:
        return render(request, work())
    except Exception as error:
        return error_response(request, error)


# -- request parts -----------------------------------------------------------------------------

class Params:
    """The request's parameters: query string, then a form or JSON object body over it. Text
    values are read in the document's literal syntax; a JSON body's values are taken as sent."""

    def __init__(self, request: Request) -> None:
        request.get_data()  # cached first, so that the OAuth signature still sees the form body
        self.text: dict[str, str] = {k: v for k, v in request.args.items()}
        self.typed: dict[str, Any] = {}
        if request.mimetype == "application/json" and request.content_length:
            body = request.get_data()
            try:
                loaded = jsoncodec.loads(body)
            except ValueError as error:
                raise literals.LiteralError(f"The body is not JSON: {error}") from None
            if not isinstance(loaded, dict):
                raise literals.LiteralError("The JSON body must be an object of parameters")
            self.typed = loaded
        elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            self.text.update(request.form.items())

    def __contains__(self, name: str) -> bool:
        return name in self.typed or name in self.text

    def value(self, name: str, default: Any = None) -> Any:
        if name in self.typed:
            return self.typed[name]
        if name in self.text:
            return literals.parse(self.text[name], name)
        return default

    def word(self, name: str, default: Any = None) -> Any:
        """A string parameter that may come quoted (`'name desc'`) or bare (`name desc`)."""
        if name in self.typed or name not in self.text:
            return self.typed.get(name, default)
        raw = self.text[name]
        try:
            return literals.parse(raw, name)
        except literals.LiteralError:
            return raw

    def integer(self, name: str, default: Any = None) -> Any:
        found = self.word(name, default)
        if isinstance(found, str):
            raise literals.LiteralError(f"Parameter {name!r} must be an integer, not {found[:80]!r}")
        return found

    def flag(self, name: str, default: bool) -> bool:
        found = self.word(name, default)
        if isinstance(found, str) and found.lower() in ("1", "0", "yes", "no"):
            return found.lower() in ("1", "yes")
        if not isinstance(found, (bool, int)):
            raise literals.LiteralError(f"Parameter {name!r} must be True or False")
        return bool(found)

    def ids(self) -> list[int] | None:
        if "ids" in self.typed:
            found = self.typed["ids"]
            if not isinstance(found, list) or not all(type(v) is int for v in found):
                raise literals.LiteralError("Parameter 'ids' must be a list of record ids")
            return list(found)
        return literals.ids(self.text["ids"]) if "ids" in self.text else None

    def vals(self) -> dict[str, Any]:
        found = self.value("vals")
        if not isinstance(found, dict):
            raise literals.LiteralError("Parameter 'vals' must be a dictionary of field values")
        return found

    def context(self) -> dict[str, Any]:
        found = self.value("context", {})
        if not isinstance(found, dict):
            raise literals.LiteralError("Parameter 'context' must be a dictionary")
        return found

    def names(self) -> set[str]:
        return set(self.text) | set(self.typed)


# what a query string may hold for the OAuth library; anything else is percent-encoded, which
# leaves every decoded parameter, and so every signature base string, as the client signed it
QUERY_SAFE = "=&;:%+~,*@!()/?'$-._"


def signed(request: Request) -> SignedRequest:
    """The whole request as OAuth checks it: 1.0a signs the method, URL and parameters. The
    query string is taken as the client sent it (the document's literals come unencoded)."""
    query = request.environ.get("QUERY_STRING", "")
    uri = request.base_url + ("?" + quote(query, safe=QUERY_SAFE) if query else "")
    return SignedRequest(request.method, uri, dict(request.headers.items()), request.get_data())


def database(app: App, request: Request) -> str:
    """`X-Odoo-Database`, else the server's database, else the only one there is."""
    named = request.headers.get("X-Odoo-Database", "")
    try:
        if named:
            if app.backend.exists(named):
                return named
        else:
            names = app.backend.list()
            if app.settings.database in names:
                return app.settings.database
            if len(names) == 1:
                return names[0]
    except Exception:  # a name no database can have
        pass
    raise NotFound("No database is selected: name one with the X-Odoo-Database header")


# -- running model methods -----------------------------------------------------------------------

class Session:
    """The calls of one REST request, made in one transaction as the OAuth application's user."""

    def __init__(self, env: Env, db: str, model: str, harness: Harness) -> None:
        self.env, self.db, self.model, self.harness = env, db, model, harness

    def call(self, method: str, *args: Any, ids: list[int] | None = None, **kwargs: Any) -> Any:
        """One model method call of the request (each one observed by the harness)."""
        with observe(self.harness, "restapi", "object", self.db, self.model, method,
                     (ids, *args) if ids is not None else args, kwargs, self.env.uid) as seen:
            return seen.keep(invoke(self.env, Call(self.db, 0, None, self.model, method, args, kwargs,
                                                   protocol="restapi", ids=ids)))

    def read(self, ids: list[int], fields: Any = None) -> list[dict[str, Any]]:
        found = self.call("read", ids, fields) if fields else self.call("read", ids)
        missing = set(ids) - {row["id"] for row in found}
        if missing:
            raise MissingError(f"Record does not exist or has been deleted.\n"
                               f"(Record: {self.model}({', '.join(map(str, sorted(missing)))},), User: {self.env.uid})")
        return list(found)


def in_session(app: App, request: Request, model: str, work: Callable[[Session, Params], Any],
               methods: tuple[str, ...] = ("read",)) -> Response:
    """`work(session, params)` as one call; `methods` say whether it writes."""
    def run() -> Any:
        params = Params(request)
        db = database(app, request)
        context = params.context()
        write = any(not readonly(Call(db, 0, None, model, name), app.settings.profile) for name in methods)
        return within(app, db, 0, signed(request), context, write,
                      lambda env: work(Session(env, db, model, app.harness), params))
    return answer(request, run)


def fields_of(params: Params) -> Any:
    fields = params.value("fields")
    if fields is not None and not (isinstance(fields, list) and all(isinstance(f, str) for f in fields)):
        raise literals.LiteralError("Parameter 'fields' must be a list of field names")
    return fields or None


def search_kwargs(params: Params) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in ("offset", "limit"):
        if name in params:
            found[name] = params.integer(name)
    if "order" in params:
        found["order"] = params.word("order")
    return found


def domain_of(params: Params, required: bool = False) -> Any:
    if required and "domain" not in params:
        raise literals.LiteralError("Parameter 'domain' is required (an empty list matches every record)")
    return params.value("domain", [])


# -- endpoints ---------------------------------------------------------------------------------

def version(app: App, request: Request) -> Response:
    profile = app.settings.profile
    return render(request, {"server_version": profile.release, "server_version_info": profile.version_info,
                            "server_series": profile.version, "protocol_version": 1})


def oauth_step(app: App, request: Request, flavour: str, step: str) -> Response:
    return answer(request, lambda: oauth.endpoint(app, database(app, request), f"{flavour}/{step}", signed(request)))


def start(app: App, request: Request) -> Response:
    """The demo's `GET /start`: an OAuth application of the demo admin, ready to use."""
    def work() -> Any:
        db = database(app, request)
        credentials = oauth.demo_application(app, db)
        host = app.settings.public_url or request.host_url.rstrip("/")
        return {"client_id": credentials["client_id"], "client_secret": credentials["client_secret"],
                "host": host, "database": db}
    return answer(request, work)


def collection(app: App, request: Request, model: str) -> Response:
    """`object/<model>`: GET reads `ids` or searches `domain`; POST creates; PUT writes `ids`;
    DELETE unlinks `ids`."""
    verb = request.method

    def work(s: Session, params: Params) -> Any:
        if verb == "POST":
            new_id = s.call("create", params.vals())
            new_id = new_id[0] if isinstance(new_id, list) else new_id
            return {model: s.read([new_id], fields_of(params))[0]}
        ids = params.ids()
        if verb in ("PUT", "DELETE") and ids is None:
            raise literals.LiteralError("Parameter 'ids' is required (comma-separated record ids)")
        if verb == "PUT":
            s.call("write", ids, params.vals())
            return {model: s.read(ids or [], fields_of(params))}
        if verb == "DELETE":
            s.read(ids or [], ["id"])
            s.call("unlink", ids)
            return {}
        if ids is not None:
            return {model: s.read(ids, fields_of(params))}
        return search_read(s, params)

    methods = {"POST": ("create", "read"), "PUT": ("write", "read"), "DELETE": ("unlink",)}.get(verb, ("read",))
    return in_session(app, request, model, work, methods)


def search_read(s: Session, params: Params) -> Any:
    domain = domain_of(params)
    if params.flag("count", False):
        return {"count": s.call("search_count", domain)}
    fields = fields_of(params)
    return {s.model: s.call("search_read", domain, fields, **search_kwargs(params))}


def record(app: App, request: Request, model: str, record_id: int) -> Response:
    """`object/<model>/<id>`: GET reads it, PUT writes it, DELETE unlinks it."""
    verb = request.method

    def work(s: Session, params: Params) -> Any:
        if verb == "PUT":
            s.read([record_id], ["id"])
            s.call("write", [record_id], params.vals())
            return {model: s.read([record_id], fields_of(params))[0]}
        if verb == "DELETE":
            s.read([record_id], ["id"])
            s.call("unlink", [record_id])
            return {}
        return {model: s.read([record_id], fields_of(params))[0]}

    methods = {"PUT": ("write", "read"), "DELETE": ("unlink",)}.get(verb, ("read",))
    return in_session(app, request, model, work, methods)


RESERVED = {"ids", "args", "kwargs", "context"}


def method(app: App, request: Request, model: str, name: str) -> Response:
    """`object/<model>/<method>`: the document's shapes for search, search_count, fields_get,
    check_access_rights, search_read and read; any other public method answers `{'return': …}`
    with `ids`, positional `args` and keyword `kwargs` (or named parameters) as given."""
    def work(s: Session, params: Params) -> Any:
        shaped = SHAPED.get(name)
        if shaped is not None:
            return shaped(s, params)
        args = params.value("args", [])
        kwargs = params.value("kwargs", {})
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise literals.LiteralError("Parameters 'args' and 'kwargs' must be a list and a dictionary")
        named = {key: params.value(key) for key in params.names() - RESERVED}
        ids = params.ids()
        return {"return": s.call(name, *args, ids=ids, **(kwargs | named))}

    return in_session(app, request, model, work, (name,))


def _search(s: Session, params: Params) -> Any:
    domain = domain_of(params, required=True)
    if params.flag("count", False):
        return {"count": s.call("search_count", domain)}
    return {s.model: s.call("search", domain, **search_kwargs(params))}


def _search_count(s: Session, params: Params) -> Any:
    return {"count": s.call("search_count", domain_of(params, required=True))}


def _fields_get(s: Session, params: Params) -> Any:
    allfields = params.value("allfields") or None
    attributes = params.value("attributes") or None
    return {s.model: s.call("fields_get", allfields, attributes)}


def _check_access_rights(s: Session, params: Params) -> Any:
    """`operation` one name or a list of them (the document's example sends `['read']`): true
    when every one is allowed; with `raise_exception` (the default) a refusal is an error."""
    operation = params.word("operation")
    operations = operation if isinstance(operation, list) else [operation]
    if not operations or not all(isinstance(o, str) for o in operations):
        raise literals.LiteralError("Parameter 'operation' must be one of create, write, read, unlink (or a list)")
    raise_exception = params.flag("raise_exception", True)
    allowed = [s.call("check_access_rights", op, raise_exception=raise_exception) for op in operations]
    return {"return": all(bool(a) for a in allowed)}


def _read(s: Session, params: Params) -> Any:
    ids = params.ids()
    if ids is None:
        raise literals.LiteralError("Parameter 'ids' is required (comma-separated record ids)")
    return {s.model: s.read(ids, fields_of(params))}


SHAPED: dict[str, Callable[[Session, Params], Any]] = {
    "search": _search, "search_count": _search_count, "fields_get": _fields_get,
    "check_access_rights": _check_access_rights, "search_read": search_read, "read": _read,
}


def run_signal(app: App, request: Request, model: str, record_id: int, signal: str) -> Response:
    """`workflow/<model>/<id>/<signal>`: the record's public button named by the signal; `{}`."""
    def work() -> Any:
        workflow.signal(app, database(app, request), 0, signed(request), model, record_id, signal)
        return {}
    return answer(request, work)


def report_entry(record_id: int, pdf: bytes) -> dict[str, Any]:
    return {"id": record_id, "state": "true", "format": "pdf", "result": base64.b64encode(pdf).decode("ascii")}


def report_one(app: App, request: Request, report_name: str, record_id: int) -> Response:
    def work() -> Any:
        found = within(app, database(app, request), 0, signed(request), {}, False,
                       lambda env: printable(env, report_name, [record_id]))
        return {"report": report_entry(*found.pdfs()[0])}  # laid out once the transaction ended
    return answer(request, work)


def report_set(app: App, request: Request, report_name: str) -> Response:
    def work() -> Any:
        ids = Params(request).ids()
        if ids is None:
            raise literals.LiteralError("Parameter 'ids' is required (comma-separated record ids)")
        found = within(app, database(app, request), 0, signed(request), {}, False,
                       lambda env: printable(env, report_name, ids))
        return {"report": [report_entry(rid, pdf) for rid, pdf in found.pdfs()]}
    return answer(request, work)


def no_route(app: App, request: Request, rest: str = "") -> Response:
    return error_response(request, NotFound(f"There is no resource {request.path!r}"))


ALL = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]


def routes(app: App) -> list[Rule]:
    rules = [
        Rule(f"{PREFIX}/common/version", endpoint=version, methods=["GET"]),
        Rule(f"{PREFIX}/common/<any(oauth1, oauth2):flavour>/<any(request_token, authorize, access_token):step>",
             endpoint=oauth_step, methods=["GET", "POST"]),
        Rule(f"{PREFIX}/object/<model>", endpoint=collection, methods=["GET", "POST", "PUT", "DELETE"]),
        Rule(f"{PREFIX}/object/<model>/<int:record_id>", endpoint=record, methods=["GET", "PUT", "DELETE"]),
        Rule(f"{PREFIX}/object/<model>/<name>", endpoint=method, methods=["GET", "POST"]),
        Rule(f"{PREFIX}/workflow/<model>/<int:record_id>/<signal>", endpoint=run_signal, methods=["GET", "POST"]),
        Rule(f"{PREFIX}/report/<report_name>", endpoint=report_set, methods=["GET"]),
        Rule(f"{PREFIX}/report/<report_name>/<int:record_id>", endpoint=report_one, methods=["GET"]),
        Rule(f"{PREFIX}/<path:rest>", endpoint=no_route, methods=ALL),
        Rule(PREFIX, endpoint=no_route, methods=ALL),
    ]
    if app.settings.demo:
        rules.append(Rule("/start", endpoint=start, methods=["GET"]))
    return rules
