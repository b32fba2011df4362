"""What the web JSON routes do, protocol-neutral: open and close sessions, describe them
(Odoo's `session_info`), and run model calls as the session's user on the one call path."""
from __future__ import annotations

from typing import Any

from werkzeug.exceptions import NotFound

from odoorpc_server.exceptions import SessionExpired, UnknownModel
from odoorpc_server.orm.access import has_group
from odoorpc_server.orm.env import Env
from odoorpc_server.security import stored_password
from odoorpc_server.services.app import App
from odoorpc_server.services.call import make_call, run, within
from odoorpc_server.storage import sessions
from odoorpc_server.storage.sessions import SessionKey

MAX_FILE_UPLOAD = 128 * 1024 * 1024  # what Odoo's session_info announces by default


class NoSuchModel(KeyError):
    """Odoo 17's web call_kw on a model the database lacks: `request.env[model]` fails with a
    KeyError naming the model (XML-RPC answers a UserError instead)."""

    odoo_name = "builtins.KeyError"


def key_of(app: App, sid: Any) -> SessionKey:
    """The session a cookie names; SessionExpired when it names none of our databases."""
    database = sessions.database_of(sid)
    if database is None or not app.backend.exists(database):
        raise SessionExpired()
    return SessionKey(sid)


def authenticate(app: App, db: Any, login: Any, password: Any, address: str) -> tuple[str, dict[str, Any]]:
    """A new session for `login` (its password only, as Odoo's web login) and its session_info."""
    uid = app.login(db, login, password, address, interactive=True)
    sid = sessions.new_sid(db)

    def work(env: Env) -> dict[str, Any]:
        context = user_context(env)
        sessions.open_session(env.conn, sid, uid, stored_password(env.conn, uid), context)
        return session_info(env, db)

    return sid, within(app, db, uid, None, {}, True, work)


def get_session_info(app: App, key: SessionKey) -> dict[str, Any]:
    database = key.database or ""
    return within(app, database, 0, key, {}, False, lambda env: session_info(env, database))


def check(app: App, key: SessionKey) -> None:
    within(app, key.database or "", 0, key, {}, False, lambda env: None)


def destroy(app: App, key: SessionKey) -> None:
    within(app, key.database or "", 0, key, {}, True, lambda env: sessions.close(env.conn, key.sid))


def is_live(app: App, sid: Any) -> bool:
    """Whether a cookie names a live session of one of our databases."""
    try:
        check(app, key_of(app, sid))
    except SessionExpired:
        return False
    return True


def modules(app: App, key: SessionKey) -> list[str]:
    """The installed modules' names (Odoo's module_boot), whoever the session's user is."""
    def installed(env: Env) -> list[str]:
        found = env.sudo()["ir.module.module"].search_read([("state", "=", "installed")], ["name"], order="name")
        return [str(m["name"]) for m in found]

    return within(app, key.database or "", 0, key, {}, False, installed)


def call_kw(app: App, key: SessionKey, model: Any, method: Any, args: Any, kwargs: Any) -> Any:
    """`model.method(*args, **kwargs)` as the session's user; `kwargs['context']` is the whole
    context, as Odoo's call_kw has it."""
    call = make_call(key.database, 0, key, model, method, args, kwargs, protocol="web")
    try:
        return run(app, call)
    except UnknownModel:
        if app.settings.profile.has("call_kw_not_found"):
            raise NotFound() from None  # Odoo 18's read-only probe of the route
        raise NoSuchModel(model) from None


def call_button(app: App, key: SessionKey, model: Any, method: Any, args: Any, kwargs: Any) -> Any:
    """call_kw for buttons: an action dictionary comes back, anything else as False."""
    action = call_kw(app, key, model, method, args, kwargs)
    return action if isinstance(action, dict) and action.get("type") else False


def user_context(env: Env) -> dict[str, Any]:
    return dict(env["res.users"].context_get())  # type: ignore[attr-defined]


def session_info(env: Env, db: str) -> dict[str, Any]:
    """Odoo's session_info, with the keys client libraries read (uid, user_context, db,
    username, is_system, server_version...) and those a web client expects."""
    su = env.sudo()
    user = su["res.users"].read([env.uid], ["name", "login", "partner_id", "company_id", "company_ids",
                                            "share"])[0]
    partner = su["res.partner"].read([user["partner_id"][0]], ["display_name", "write_date"])[0]
    companies = su["res.company"].read(user["company_ids"], ["name", "sequence", "child_ids", "parent_id",
                                                             "currency_id"])
    profile = env.settings.profile
    internal = not user["share"]
    info: dict[str, Any] = {
        "uid": env.uid, "is_system": has_group(env, "base.group_system"),
        "is_admin": has_group(env, "base.group_erp_manager"), "is_public": has_group(env, "base.group_public"),
        "is_internal_user": internal, "user_context": user_context(env), "db": db,
        "user_settings": {"id": env.uid, "user_id": {"id": env.uid}},
        "server_version": profile.release, "server_version_info": profile.version_info,
        "support_url": "https://www.odoo.com/buy", "name": user["name"], "username": user["login"],
        "partner_display_name": partner["display_name"], "partner_id": user["partner_id"][0],
        "partner_write_date": partner["write_date"], "web.base.url": env.settings.public_url or "",
        "active_ids_limit": 20000, "max_file_upload_size": MAX_FILE_UPLOAD, "home_action_id": False,
        "currencies": {}, "bundle_params": {"lang": user_context(env)["lang"]}, "test_mode": False,
        "show_effect": True, "profile_session": None, "profile_collectors": None, "profile_params": None,
        "cache_hashes": {}, "view_info": {}, "groups": {},
    }
    if internal:
        info["user_companies"] = {
            "current_company": user["company_id"][0],
            "allowed_companies": {c["id"]: {"id": c["id"], "name": c["name"], "sequence": c["sequence"],
                                            "child_ids": c["child_ids"],
                                            "parent_id": c["parent_id"][0] if c["parent_id"] else False,
                                            "currency_id": c["currency_id"][0] if c["currency_id"] else False}
                                  for c in companies},
            "disallowed_ancestor_companies": {},
        }
    return info
