"""The WSGI application: one werkzeug URL map made of the routes every protocol module exports.

A protocol plugs in by exporting `routes(app) -> list[Rule]` whose endpoints are
`endpoint(app, request, **url_values) -> Response`; werkzeug answers unknown paths with 404 and
wrong HTTP methods with 405, as Odoo (built on werkzeug) does.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from odoorpc_server.protocols import harness, json2, jsonrpc, report, restapi, site, web, web_database, xmlrpc
from odoorpc_server.services.app import App, remote_address
from odoorpc_server.services.harness import own
from odoorpc_server.settings import Settings

MAX_BODY = 64 * 1024 * 1024
PROTOCOLS = (xmlrpc, jsonrpc, web, web_database, site, json2, report, restapi, harness)


class Application:
    def __init__(self, settings: Settings) -> None:
        self.app = App(settings)
        self.marks = bool(settings.harness_token)  # the harness's own requests are told apart
        self.url_map = Map([rule for module in PROTOCOLS for rule in module.routes(self.app)],
                           strict_slashes=False, merge_slashes=False)
        # behind a reverse proxy (--proxy-mode), werkzeug's ProxyFix puts the client's address,
        # scheme and host from the proxy's X-Forwarded-* headers into the environ, as Odoo does;
        # without it those headers are ignored, so a client cannot choose its own address
        self._serve: Callable[..., Iterable[bytes]] = \
            ProxyFix(self._handle, x_for=1, x_proto=1, x_host=1) if settings.proxy_mode else self._handle

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return self._serve(environ, start_response)

    def _handle(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = MAX_BODY
        remote_address.set(request.remote_addr or "")
        with own(self.marks and harness.is_harness(self.app, request)):
            try:
                endpoint, values = self.url_map.bind_to_environ(environ).match()
                response: Response | HTTPException = endpoint(self.app, request, **values)
            except HTTPException as error:
                response = error
            return response(environ, start_response)
