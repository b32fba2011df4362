"""The server's own pages, as far as clients and humans reach them: `/` and `/web` redirect as
Odoo's do, `/web/login` is a login form (odooly's web login reads its `csrf_token` and, after
logging in, the `odoo.__session_info__` of `/web`), `/web/session/logout` ends the session.

The form is protected by a double-submit token: the page sets a `csrf_token` cookie and the
form must send the same value back, which another site cannot read.
"""
from __future__ import annotations

import html
import json
import secrets
from typing import Any
from urllib.parse import quote

from werkzeug.routing import Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from odoorpc_server.exceptions import SessionExpired
from odoorpc_server.protocols.web import COOKIE, session_key
from odoorpc_server.services import web
from odoorpc_server.services.app import App, remote_address
from odoorpc_server.storage.sessions import LIFETIME

CSRF_COOKIE = "csrf_token"
HTML = "text/html; charset=utf-8"


def home(app: App, request: Request) -> Response:
    return redirect("/web", 303)


def webclient(app: App, request: Request) -> Response:
    """The session's page: what a web client would boot from (its session_info)."""
    try:
        info = web.get_session_info(app, session_key(app, request))
    except SessionExpired:
        return redirect("/web/login?redirect=" + quote("/web?", safe=""), 303)
    data = json.dumps(info, ensure_ascii=False, default=str).replace("</", "<\\/")
    body = (f"<!DOCTYPE html><html><head><title>odoorpc-server</title></head><body>"
            f"<p>Logged in as {html.escape(str(info['username']))} on {html.escape(info['db'])}. "
            f"<a href=\"/web/session/logout\">Log out</a></p>\n"
            f"<script>\nodoo.__session_info__ = {data};\n</script></body></html>")
    return Response(body, content_type=HTML)


def login_page(app: App, request: Request, message: str = "", status: int = 200) -> Response:
    token = secrets.token_hex(20)
    version = app.settings.profile.version
    error = f'<p class="alert">{html.escape(message)}</p>' if message else ""
    body = (f"<!DOCTYPE html><html><head><title>odoorpc-server — login</title>\n"
            f"<script>var odoo = {{csrf_token: \"{token}\"}};</script></head><body>\n"
            f"<h1>odoorpc-server</h1><p>Odoo {version} external API: XML-RPC (/xmlrpc/2/common, "
            f"/xmlrpc/2/object, /xmlrpc/2/db), JSON-RPC (/jsonrpc) and the web JSON routes.</p>{error}\n"
            f"<form method=\"post\" action=\"/web/login\">"
            f"<input type=\"hidden\" name=\"csrf_token\" value=\"{token}\"/>"
            f"<input name=\"db\" placeholder=\"database\" value=\"{html.escape(app.settings.database)}\"/>"
            f"<input name=\"login\" placeholder=\"login\"/>"
            f"<input name=\"password\" type=\"password\" placeholder=\"password\"/>"
            f"<button type=\"submit\">Log in</button></form></body></html>")
    response = Response(body, status=status, content_type=HTML)
    response.set_cookie(CSRF_COOKIE, token, httponly=True, path="/web/login", samesite="Lax")
    return response


def login(app: App, request: Request) -> Response:
    form = request.form
    sent, expected = form.get("csrf_token", ""), request.cookies.get(CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(sent, expected):
        return login_page(app, request, "Session expired (invalid CSRF token)", 400)
    try:
        sid, _info = web.authenticate(app, form.get("db") or app.settings.database, form.get("login", ""),
                                      form.get("password", ""), remote_address.get())
    except Exception as error:  # the page says why, as Odoo's login page does
        return login_page(app, request, "Wrong login/password" if "Access Denied" in str(error) else str(error))
    response = redirect(safe_redirect(request.values.get("redirect")), 303)
    response.set_cookie(COOKIE, sid, max_age=int(LIFETIME), httponly=True, path="/", samesite="Lax")
    response.delete_cookie(CSRF_COOKIE, path="/web/login")
    return response


def logout(app: App, request: Request) -> Response:
    try:
        web.destroy(app, session_key(app, request))
    except SessionExpired:
        pass
    response = redirect(safe_redirect(request.values.get("redirect")), 303)
    response.delete_cookie(COOKIE, path="/")
    return response


def safe_redirect(target: Any) -> str:
    """Only a path of this server: never an open redirect to another site."""
    if isinstance(target, str) and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/web"


def routes(app: App) -> list[Rule]:
    return [Rule("/", endpoint=home, methods=["GET"]),
            Rule("/web", endpoint=webclient, methods=["GET"]),
            Rule("/web/login", endpoint=login_page, methods=["GET"]),
            Rule("/web/login", endpoint=login, methods=["POST"]),
            Rule("/web/session/logout", endpoint=logout, methods=["GET"])]
