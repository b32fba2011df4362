"""JSON-RPC as Odoo speaks it: `POST /jsonrpc` for the common, object and db services, and the
envelope every `type='json'` web route shares.

Request: `{"jsonrpc": "2.0", "method": "call", "params": {...}, "id": N}` (the top-level
`method` is ignored). Answer: `{"jsonrpc": "2.0", "id": N, "result": value}`, with no `result`
key when the value is None; errors as `{"error": {"code", "message", "data"}}` with HTTP 200:
code 100 for an expired session, 404 for werkzeug's NotFound, otherwise 200 (0 from Odoo 19)
and `data` serialized as Odoo's `serialize_exception`. A body that is no JSON, or JSON that is
no object, is a plain HTTP 400.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from odoorpc_server.exceptions import SessionExpired
from odoorpc_server.protocols import jsoncodec
from odoorpc_server.services.app import App
from odoorpc_server.services.call import Rendered, rendering
from odoorpc_server.services.dispatch import dispatch

CONTENT_TYPE = "application/json"
JSON_TYPES = frozenset({"application/json", "application/json-rpc"})


@dataclass
class Reply:
    """What a route wants besides its result: cookies to set or delete."""

    cookies: list[tuple[str, str, int]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


Handler = Callable[[App, Request, dict[str, Any], Reply], Any]


def parse(request: Request, path: str) -> tuple[Any, Any]:
    """(request id, params as sent) of a JSON-RPC request; BadRequest as Odoo answers it."""
    if request.mimetype not in JSON_TYPES:
        raise BadRequest(f"Request inferred type is compatible with ['http'] but {path} is type=json")
    try:
        body = jsoncodec.loads(request.get_data())
    except ValueError:
        raise BadRequest("Invalid JSON data") from None
    if not isinstance(body, dict):
        raise BadRequest("Invalid JSON-RPC data")
    return body.get("id"), body.get("params", {})


def error_object(app: App, error: BaseException) -> dict[str, Any]:
    if isinstance(error, SessionExpired):
        return {"code": 100, "message": "Odoo Session Expired", "data": jsoncodec.serialize_exception(error)}
    if isinstance(error, NotFound):
        return {"code": 404, "message": "404: Not Found", "data": {
            "name": "werkzeug.exceptions.NotFound", "debug": "", "message": error.description,
            "arguments": [error.description, 404], "context": {}}}
    code = 0 if app.settings.profile.has("jsonrpc_error_code_0") else 200
    return {"code": code, "message": "Odoo Server Error", "data": jsoncodec.serialize_exception(error)}


def envelope(request_id: Any, result: Any) -> dict[str, Any]:
    """The answer's object: no `result` key when the value is None."""
    return {"jsonrpc": "2.0", "id": request_id} if result is None else \
        {"jsonrpc": "2.0", "id": request_id, "result": result}


def answer(app: App, request: Request, handler: Handler, streamed: bool = False) -> Response:
    """Run one JSON route: parse, call, render the envelope (errors included). `streamed`: the
    handler answers a model method's value as it is, so the envelope is written inside the
    call's transaction and a big read is fetched while it is written (`rendering`)."""
    try:
        request_id, raw = parse(request, request.path)
    except BadRequest as error:
        return error.get_response()
    reply = Reply()
    body: list[bytes]
    try:
        params = dict(raw)  # Odoo's own conversion: a list of pairs passes, anything else fails alike
        with rendering(lambda value: jsoncodec.dump_chunks(envelope(request_id, value))) if streamed \
                else nullcontext():
            result = handler(app, request, params, reply)
        if isinstance(result, Rendered):
            body = result.body
        else:
            body = jsoncodec.dump_chunks(envelope(request_id, result))
    except Exception as error:  # every failure becomes Odoo's error object, a result JSON cannot carry too
        body = [jsoncodec.dumps({"jsonrpc": "2.0", "id": request_id, "error": error_object(app, error)})]
    response = Response(body, content_type=CONTENT_TYPE)
    for name, value, max_age in reply.cookies:
        response.set_cookie(name, value, max_age=max_age, httponly=True, path="/", samesite="Lax")
    for name in reply.deleted:
        response.delete_cookie(name, path="/")
    return response


def bind(fn: Callable[..., Any], name: str, params: dict[str, Any]) -> Any:
    """Call a route function with the params it declares, as Odoo's routes are called: unknown
    params are left out, a missing one is Python's TypeError naming the route."""
    signature = inspect.signature(fn)
    accepted = {k: v for k, v in params.items() if k in signature.parameters}
    missing = [p for p, spec in signature.parameters.items()
               if spec.default is inspect.Parameter.empty and p not in accepted]
    if missing:
        names = " and ".join(f"'{m}'" for m in missing)
        plural = "s" if len(missing) > 1 else ""
        raise TypeError(f"{name}() missing {len(missing)} required positional argument{plural}: {names}")
    return fn(**accepted)


def rpc(app: App, request: Request, params: dict[str, Any], reply: Reply) -> Any:
    def jsonrpc(service: Any, method: Any, args: Any) -> Any:
        if not isinstance(args, (list, tuple)):
            raise TypeError(f"odoo.http.dispatch_rpc() argument after * must be an iterable, not "
                            f"{type(args).__name__}")
        return dispatch(app, service, method, tuple(args), protocol="jsonrpc")

    return bind(jsonrpc, "jsonrpc", params)


def serve(app: App, request: Request) -> Response:
    return answer(app, request, rpc, streamed=True)


def routes(app: App) -> list[Rule]:
    return [Rule("/jsonrpc", endpoint=serve, methods=["POST"])]

