"""The `common` service: version, about, login, authenticate."""
from __future__ import annotations

from typing import Any

from odoorpc_server.exceptions import AccessDenied
from odoorpc_server.services.app import App, remote_address


def version(app: App) -> dict[str, Any]:
    profile = app.settings.profile
    return {"server_version": profile.release, "server_version_info": profile.version_info,
            "server_serie": profile.version, "protocol_version": 1}


def about(app: App, extended: bool = False) -> Any:
    info = "See http://openerp.com"
    return [info, app.settings.version] if extended else info


def set_loglevel(app: App, loglevel: Any, logger: Any = None) -> bool:
    return True


def authenticate(app: App, db: str, login: str, password: str, user_agent_env: Any = None) -> Any:
    try:
        return app.login(db, login, password, remote_address.get())
    except AccessDenied:
        return False


def login(app: App, db: str, login: str, password: str) -> Any:
    return authenticate(app, db, login, password, None)


METHODS = {"version": version, "about": about, "set_loglevel": set_loglevel, "authenticate": authenticate,
           "login": login}
