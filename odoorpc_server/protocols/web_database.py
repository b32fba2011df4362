"""The database manager's form routes, as Odoo 17's web/controllers/database.py has them.

`POST /web/database/{create,duplicate,drop,backup,restore,change_password}`, form-encoded
(restore: a multipart upload of `backup_file`), no CSRF token, as Odoo declares them. Success
redirects (303) to the manager, or for `create` logs the new admin in and redirects to `/web`;
`backup` answers the zip as a download. A failure answers the manager page (HTTP 200) with
Odoo's "Database ... error: <reason>" line, and changes nothing. A form without one of the
route's required fields is a 400, as Odoo answers a route called without an argument.
`GET /web/database/manager` and `/web/database/selector` show that page.
"""
from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from odoorpc_server.exceptions import AccessDenied
from odoorpc_server.protocols.web import COOKIE
from odoorpc_server.services import db, web
from odoorpc_server.services.app import App, remote_address
from odoorpc_server.storage.dump import MAX_ARCHIVE
from odoorpc_server.storage.sessions import LIFETIME

HTML = "text/html; charset=utf-8"
MANAGER = "/web/database/manager"


def manager_page(app: App, error: str = "") -> Response:
    """The manager: the databases (unless listing is disabled) and the last error, if any."""
    try:
        names = db.list_dbs(app)
    except AccessDenied:
        names = []
    items = "".join(f"<li>{html.escape(n)}</li>" for n in names)
    alert = f'<div class="alert alert-danger">{html.escape(error)}</div>' if error else ""
    body = (f"<!DOCTYPE html><html><head><title>odoorpc-server — databases</title></head><body>\n"
            f"<h1>Databases</h1>{alert}\n<ul class=\"list-group\">{items}</ul>\n"
            f"<p>Forms post to /web/database/create, duplicate, drop, backup, restore and change_password.</p>"
            f"</body></html>")
    return Response(body, content_type=HTML)


def manager(app: App, request: Request) -> Response:
    return manager_page(app)


def fields(form: MultiDict[str, Any], *names: str) -> list[Any]:
    """The route's required form fields, in order; 400 when one is missing."""
    missing = [n for n in names if n not in form]
    if missing:
        raise BadRequest(f"missing form field(s): {', '.join(missing)}")
    return [form[n] for n in names]


def read_field(form: MultiDict[str, Any], name: str) -> Any:
    """A field Odoo's create reads inside its try: missing, it is the page's KeyError text."""
    if name not in form:
        raise KeyError(name)
    return form[name]


def yes(value: Any) -> bool:
    """Odoo's str2bool of a form value."""
    return str(value).strip().lower() not in ("", "0", "false", "f", "no", "n", "off", "none")


def create(app: App, request: Request) -> Response:
    master_pwd, name, lang, password = fields(request.form, "master_pwd", "name", "lang", "password")
    form = request.form
    try:
        login, phone = read_field(form, "login"), read_field(form, "phone")
        db.create_database(app, master_pwd, name, bool(form.get("demo")), lang, password, login,
                           form.get("country_code") or False, phone)
        sid, _info = web.authenticate(app, name, login, password, remote_address.get())
    except Exception as error:
        return manager_page(app, f"Database creation error: {reason(error)}")
    response = redirect("/web", 303)
    response.set_cookie(COOKIE, sid, max_age=int(LIFETIME), httponly=True, path="/", samesite="Lax")
    return response


def duplicate(app: App, request: Request) -> Response:
    master_pwd, name, new_name = fields(request.form, "master_pwd", "name", "new_name")
    neutralize = yes(request.form.get("neutralize_database", ""))
    return attempt(app, "Database duplication error",
                   lambda: db.duplicate_database(app, master_pwd, name, new_name, neutralize))


def drop(app: App, request: Request) -> Response:
    master_pwd, name = fields(request.form, "master_pwd", "name")
    return attempt(app, "Database deletion error", lambda: db.drop(app, master_pwd, name))


def change_password(app: App, request: Request) -> Response:
    master_pwd, new = fields(request.form, "master_pwd", "master_pwd_new")
    return attempt(app, "Master password update error", lambda: db.change_admin_password(app, master_pwd, new))


def backup(app: App, request: Request) -> Response:
    master_pwd, name = fields(request.form, "master_pwd", "name")
    backup_format = request.form.get("backup_format", "zip")
    try:
        data = db.backup(app, master_pwd, name, backup_format)
    except Exception as error:
        return manager_page(app, f"Database backup error: {reason(error)}")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d_%H-%M-%S")
    response = Response(data, content_type="application/octet-stream; charset=binary")
    response.headers["Content-Disposition"] = f"attachment; filename=\"{name}_{stamp}.{backup_format}\""
    return response


def restore(app: App, request: Request) -> Response:
    master_pwd, name = fields(request.form, "master_pwd", "name")
    upload = request.files.get("backup_file")
    if upload is None:
        raise BadRequest("missing form field(s): backup_file")
    raw = upload.stream.read(MAX_ARCHIVE + 1)
    return attempt(app, "Database restore error",
                   lambda: db.restore_upload(app, master_pwd, name, raw, yes(request.form.get("copy", ""))))


def attempt(app: App, label: str, work: Callable[[], Any]) -> Response:
    """Run one management call: the manager on success, its page with the reason otherwise."""
    try:
        work()
    except Exception as error:
        return manager_page(app, f"{label}: {reason(error)}")
    return redirect(MANAGER, 303)


def reason(error: BaseException) -> str:
    """Odoo's `str(e) or repr(e)`."""
    return str(error) or repr(error)


def routes(app: App) -> list[Rule]:
    posts: dict[str, Callable[[App, Request], Response]] = {
        "create": create, "duplicate": duplicate, "drop": drop, "backup": backup, "restore": restore,
        "change_password": change_password}
    return [Rule(MANAGER, endpoint=manager, methods=["GET"]),
            Rule("/web/database/selector", endpoint=manager, methods=["GET"]),
            *(Rule(f"/web/database/{verb}", endpoint=fn, methods=["POST"]) for verb, fn in posts.items())]
