"""The server's own pages: what `GET /` says to a human who opens the URL in a browser."""
from __future__ import annotations

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from odoorpc_server.services.app import App


def home(app: App, request: Request) -> Response:
    text = (f"odoorpc-server: Odoo {app.settings.version} external API. "
            "XML-RPC endpoints: /xmlrpc/2/common, /xmlrpc/2/object, /xmlrpc/2/db\n")
    return Response(text, content_type="text/plain; charset=utf-8")


def routes(app: App) -> list[Rule]:
    return [Rule("/", endpoint=home, methods=["GET"])]
