"""The web JSON routes Odoo's client libraries call (not the browser UI): version, session
login / info / check / logout, model calls as the session's user, and the database list.

Each route is a row of ROUTES: path, handler, whether it needs a session. A handler gets the
request's params and, for session routes, the `SessionKey` of the cookie `session_id`; routes
needing a session answer Odoo's SessionExpired (code 100) without a live one.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from odoorpc_server.exceptions import SessionExpired
from odoorpc_server.protocols.jsonrpc import Reply, answer, bind
from odoorpc_server.services import common, db, web
from odoorpc_server.services.app import App, remote_address
from odoorpc_server.storage.sessions import LIFETIME, SessionKey

COOKIE = "session_id"


def session_key(app: App, request: Request) -> SessionKey:
    sid = request.cookies.get(COOKIE)
    if not sid:
        raise SessionExpired()
    return web.key_of(app, sid)


def version_info(app: App, request: Request, params: dict[str, Any], reply: Reply) -> Any:
    return common.version(app)


def authenticate(app: App, request: Request, params: dict[str, Any], reply: Reply) -> Any:
    def route(db: Any, login: Any, password: Any, base_location: Any = None) -> Any:
        sid, info = web.authenticate(app, db, login, password, remote_address.get())
        reply.cookies.append((COOKIE, sid, int(LIFETIME)))
        return info

    return bind(route, "authenticate", params)


def get_lang_list(app: App, request: Request, params: dict[str, Any], reply: Reply) -> Any:
    return db.list_lang(app)


def database_list(app: App, request: Request, params: dict[str, Any], reply: Reply) -> Any:
    return db.list_dbs(app)


def with_session(fn: Callable[[App, SessionKey], Any]) -> Callable[[App, Request, dict[str, Any], Reply], Any]:
    def handler(app: App, request: Request, params: dict[str, Any], reply: Reply) -> Any:
        return fn(app, session_key(app, request))
    return handler


def destroy(app: App, request: Request, params: dict[str, Any], reply: Reply) -> Any:
    web.destroy(app, session_key(app, request))
    reply.deleted.append(COOKIE)


def call_kw(app: App, request: Request, params: dict[str, Any], reply: Reply) -> Any:
    key = session_key(app, request)

    def route(model: Any, method: Any, args: Any, kwargs: Any, path: Any = None) -> Any:
        return web.call_kw(app, key, model, method, args, kwargs)

    return bind(route, "call_kw", params)


def call_button(app: App, request: Request, params: dict[str, Any], reply: Reply) -> Any:
    key = session_key(app, request)

    def route(model: Any, method: Any, args: Any, kwargs: Any, path: Any = None) -> Any:
        return web.call_button(app, key, model, method, args, kwargs)

    return bind(route, "call_button", params)


ROUTES: tuple[tuple[str, Callable[[App, Request, dict[str, Any], Reply], Any]], ...] = (
    ("/web/webclient/version_info", version_info),
    ("/web/session/authenticate", authenticate),
    ("/web/session/get_session_info", with_session(web.get_session_info)),
    ("/web/session/check", with_session(web.check)),
    ("/web/session/modules", with_session(web.modules)),
    ("/web/session/destroy", destroy),
    ("/web/session/get_lang_list", get_lang_list),
    ("/web/dataset/call_kw", call_kw),
    ("/web/dataset/call_kw/<path:path>", call_kw),
    ("/web/dataset/call_button", call_button),
    ("/web/dataset/call_button/<path:path>", call_button),
    ("/web/database/list", database_list),
)


# the handlers that answer a model method's value as it is: their answer is written inside the
# call's transaction, a big read streamed (call_button changes the value, so it is not one)
STREAMED = frozenset({call_kw})


def endpoint(handler: Callable[[App, Request, dict[str, Any], Reply], Any]) -> Callable[..., Response]:
    streamed = handler in STREAMED

    def serve(app: App, request: Request, **values: Any) -> Response:
        return answer(app, request, handler, streamed)
    return serve


def routes(app: App) -> list[Rule]:
    return [Rule(path, endpoint=endpoint(handler), methods=["POST"]) for path, handler in ROUTES]
