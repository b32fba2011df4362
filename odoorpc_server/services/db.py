"""The `db` service: list and inspect databases; create and drop need the master password."""
from __future__ import annotations

from typing import Any

from odoorpc_server.services import bootstrap
from odoorpc_server.services.app import App
from odoorpc_server.storage.database import DatabaseExists


def db_exist(app: App, db_name: str) -> bool:
    return app.backend.exists(db_name)


def list_dbs(app: App, document: bool = False) -> list[str]:
    return app.backend.list()


def list_lang(app: App) -> list[list[str]]:
    return [["en_US", "English (US)"]]


def server_version(app: App) -> str:
    return app.settings.version


def list_countries(app: App, master_pwd: Any) -> list[list[str]]:
    app.check_super(master_pwd)
    rows = bootstrap.read_csv("countries.csv")
    return sorted(([r["code"].lower(), r["name"]] for r in rows), key=lambda p: p[1])


def create_database(app: App, master_pwd: Any, db_name: str, demo: bool = False, lang: Any = None,
                    user_password: str = "admin", login: str = "admin", country_code: Any = None,
                    phone: Any = None) -> bool:
    app.check_super(master_pwd)
    settings = app.settings.__class__(**{**app.settings.__dict__, "admin_password": user_password})
    try:
        bootstrap.create(app.backend, db_name, settings, bool(demo))
    except DatabaseExists:
        # the same answer whether the name is one of ours or a database we do not touch
        raise Exception(f"Database {db_name} already exists") from None
    if login != "admin":
        with app.env(db_name, 1, {}) as env:
            env["res.users"].write([2], {"login": login})
    return True


def drop(app: App, master_pwd: Any, db_name: str) -> bool:
    app.check_super(master_pwd)
    if not app.backend.drop(db_name):  # not ours (or not there): False, as Odoo answers
        return False
    app.registries.forget(db_name)
    return True


METHODS = {"db_exist": db_exist, "list": list_dbs, "list_lang": list_lang, "server_version": server_version,
           "list_countries": list_countries, "create_database": create_database, "drop": drop}
