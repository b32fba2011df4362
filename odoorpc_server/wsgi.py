"""The WSGI application: routes Odoo's RPC endpoints to the protocol adapters."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from odoorpc_server.exceptions import UnknownServiceMethod
from odoorpc_server.protocols import xmlrpc
from odoorpc_server.services.app import App, remote_address
from odoorpc_server.services.dispatch import dispatch
from odoorpc_server.settings import Settings

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024 * 1024


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ["wsgi.input"]
    return stream.read(min(length, MAX_BODY)) if length else stream.read(MAX_BODY)


class Application:
    def __init__(self, settings: Settings) -> None:
        self.app = App(settings)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        remote_address.set(str(environ.get("REMOTE_ADDR", "")))
        path = environ.get("PATH_INFO", "/").rstrip("/") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        parts = path.strip("/").split("/")
        if parts[0] == "xmlrpc" and method == "POST":
            legacy = len(parts) == 2
            if len(parts) in (2, 3) and (legacy or parts[1] == "2"):
                service = parts[-1]
                body = xmlrpc.handle(_read_body(environ), lambda m, p: dispatch(self.app, service, m, p), legacy)
                return self._respond(start_response, "200 OK", body, "text/xml; charset=utf-8")
        if path == "/start" and method == "POST" and self.app.settings.demo:
            body = xmlrpc.handle(_read_body(environ), self._start)
            return self._respond(start_response, "200 OK", body, "text/xml; charset=utf-8")
        if path == "/" and method == "GET":
            text = (f"odoorpc-server: Odoo {self.app.settings.version} external API. "
                    "XML-RPC endpoints: /xmlrpc/2/common, /xmlrpc/2/object, /xmlrpc/2/db\n").encode()
            return self._respond(start_response, "200 OK", text, "text/plain; charset=utf-8")
        return self._respond(start_response, "404 NOT FOUND", b"Not Found\n", "text/plain; charset=utf-8")

    def _start(self, method: str, params: tuple[Any, ...]) -> Any:
        """What demo.odoo.com/start answers: where to connect, with which credentials."""
        if method != "start":
            raise UnknownServiceMethod(method)
        s = self.app.settings
        return {"host": s.public_url or "", "database": s.database, "user": "admin", "password": s.admin_password}

    @staticmethod
    def _respond(start_response: Callable[..., Any], status: str, body: bytes, ctype: str) -> list[bytes]:
        start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))])
        return [body]
