"""The `common` service: version, about, login, authenticate."""
from __future__ import annotations

from typing import Any

from odoorpc_server.exceptions import AccessDenied
from odoorpc_server.services.app import App, remote_address


def version_info(version: str) -> list[Any]:
    major, minor = (version.split(".") + ["0"])[:2]
    return [int(major) if major.isdigit() else major, int(minor), 0, "final", 0, ""]


def version(app: App) -> dict[str, Any]:
    v = app.settings.version
    return {"server_version": v, "server_version_info": version_info(v), "server_serie": v,
            "protocol_version": 1}


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
