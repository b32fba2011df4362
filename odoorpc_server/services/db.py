"""The `db` service, as Odoo 17's odoo/service/db.py answers it.

`db_exist`, `list`, `list_lang` and `server_version` need no password; every other method takes
the master password first (Access Denied unless it matches). The management methods (create,
duplicate, drop, dump, restore, rename, change_admin_password, migrate_databases) are refused
with Access Denied too when the database list is disabled (Odoo's `list_db = False`).

Every name a client gives is checked against Odoo's database name rule before anything is done,
and a failure leaves nothing behind: a database being created, copied or restored is dropped
again when any step fails.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from odoorpc_server import master_password
from odoorpc_server.exceptions import (
    AccessDenied,
    DatabaseExists,
    DuplicateDatabase,
    InvalidCatalogName,
    UnknownDatabase,
)
from odoorpc_server.orm.env import Env
from odoorpc_server.orm.registry import Registry, bump
from odoorpc_server.services import bootstrap
from odoorpc_server.services.app import App
from odoorpc_server.storage import database, migrate
from odoorpc_server.storage import dump as archives

# Odoo's rule (web/controllers/database.py DBNAME_PATTERN), within PostgreSQL's 63 bytes
DB_NAME_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")
MAX_NAME = 63
BAD_NAME = ("Houston, we have a database naming issue! Make sure you only use letters, numbers, underscores, "
            "hyphens, or dots in the database name, and you'll be golden.")
LANGUAGES = [["en_US", "English (US)"]]
EMAIL = re.compile(r"[^@\s<>,;\"']+@[^@\s<>,;\"']+")
# base64 text of the largest archive accepted
MAX_BASE64 = (archives.MAX_ARCHIVE + 2) // 3 * 4
SERVER_TABLES = ("odoorpc_web_sessions", "odoorpc_login_failures")


def valid_name(name: Any) -> str:
    """A database name a client gives, by Odoo's rule (the same fault text everywhere)."""
    if not isinstance(name, str) or len(name) > MAX_NAME or not DB_NAME_RE.fullmatch(name):
        raise Exception(BAD_NAME)
    return name


def check_management(app: App, master_pwd: Any) -> None:
    """Odoo's check_super, then check_db_management_enabled."""
    app.check_super(master_pwd)
    if not app.settings.list_db:
        raise AccessDenied()


# -- no password --------------------------------------------------------------------------------

def db_exist(app: App, db_name: Any) -> bool:
    return app.backend.exists(db_name)


def list_dbs(app: App, document: Any = False) -> list[str]:
    if not app.settings.list_db:
        raise AccessDenied()
    return app.backend.list()


def list_lang(app: App) -> list[list[str]]:
    return [list(pair) for pair in LANGUAGES]


def server_version(app: App) -> str:
    return app.settings.profile.release


# -- master password ------------------------------------------------------------------------------

def list_countries(app: App, master_pwd: Any) -> list[list[str]]:
    app.check_super(master_pwd)
    rows = bootstrap.read_csv("countries.csv")
    return sorted(([r["code"].lower(), r["name"]] for r in rows), key=lambda p: p[1])


def create_database(app: App, master_pwd: Any, db_name: Any, demo: Any = False, lang: Any = None,
                    user_password: Any = "admin", login: Any = "admin", country_code: Any = None,
                    phone: Any = None) -> bool:
    """A new database whose admin (base.user_admin) has the given login, password and language;
    with a country, the company's country and currency are the country's, and every user's
    time zone is the country's when it has only one; a phone goes to the company."""
    check_management(app, master_pwd)
    name = valid_name(db_name)
    language = lang or "en_US"
    if language not in {code for code, _ in LANGUAGES}:
        raise ValueError(f"Invalid language code: {language}")
    country = _country(country_code)
    if not isinstance(user_password, str) or not user_password:
        raise ValueError("The admin password must be a non-empty string")
    if not isinstance(login, str) or not login:
        raise ValueError("The admin login must be a non-empty string")
    if phone and not isinstance(phone, str):
        raise ValueError("The phone must be a string")
    settings = dataclasses.replace(app.settings, admin_password=user_password)

    def complete(env: Env) -> None:
        _complete(env, language, login, country, phone or None)

    try:
        bootstrap.create(app.backend, name, settings, bool(demo), complete)
    except database.DatabaseExists:
        # the same answer whether the name is one of ours or a database we do not touch
        raise DatabaseExists(name) from None
    app.registries.forget(name)
    return True


def _country(code: Any) -> str | None:
    """A country code the database knows (case-insensitive, as Odoo's ilike), or None."""
    if not code:
        return None
    known = {r["code"] for r in bootstrap.read_csv("countries.csv")}
    if not isinstance(code, str) or code.upper() not in known:
        raise ValueError(f"Unknown country code: {code!r}")
    return code.upper()


def country_timezones(code: str) -> list[str]:
    return [r["timezone"] for r in bootstrap.read_csv("country_timezones.csv") if r["country"] == code]


def _complete(env: Env, lang: str, login: str, country: str | None, phone: str | None) -> None:
    company: dict[str, Any] = {}
    if country:
        found = env["res.country"].search([("code", "=", country)], limit=1)
        currency = env["res.country"].read(found, ["currency_id"])[0]["currency_id"]
        company["country_id"] = found[0]
        if currency:
            company["currency_id"] = currency[0]
        zones = country_timezones(country)
        if len(zones) == 1:
            env["res.users"].write(env["res.users"].search([("active", "=", True)]), {"tz": zones[0]})
    if phone:
        company["phone"] = phone
    if "@" in login:
        company["email"] = login
    if company:
        env["res.company"].write([1], company)
    admin: dict[str, Any] = {"lang": lang, "login": login}
    emails = EMAIL.findall(login)
    if emails:
        admin["email"] = emails[0]
    env["res.users"].write([2], admin)


def duplicate_database(app: App, master_pwd: Any, db_original_name: Any, db_name: Any,
                       neutralize_database: Any = False) -> bool:
    """A copy of a database, independent of it: the copy starts with no web sessions and no
    login failures. (Nothing to neutralize here: no mail servers, crons or payment providers.)"""
    check_management(app, master_pwd)
    name = valid_name(db_name)
    try:
        source = registry_of(app, db_original_name)
        app.backend.copy(db_original_name, name)
    except database.DatabaseNotFound:
        raise InvalidCatalogName(db_original_name) from None
    except database.DatabaseExists:
        raise DuplicateDatabase(name) from None
    as_new(app, name, source)
    return True


def registry_of(app: App, name: Any) -> Registry:
    """The registry of database `name` in this process, built now if it has none (once: every
    later copy of the same database then reuses its models). DatabaseNotFound unless ours."""
    found = app.registries.cached(name) if isinstance(name, str) else None
    if found is not None:
        return found
    with app.backend.transaction(name, write=False) as conn:
        return app.registries.get(name, conn)[0]


def as_new(app: App, name: str, source: Registry, cleared: tuple[str, ...] = SERVER_TABLES,
           then: Callable[[sa.Connection], None] | None = None) -> None:
    """A database just copied from another one, whose registry is `source`, made a database of
    its own: none of the original's server bookkeeping (`cleared`: its sessions and login
    failures), `then(conn)` in the same transaction, a bumped registry sequence (other processes
    reload), and this process's registry of the copy built at once from the source's models: a
    copy's metadata rows are the source's, so every model is reused (a few ms instead of
    rebuilding every table, which the copy's first call would pay). The copy is dropped when
    any of it fails."""
    try:
        with app.backend.transaction(name) as conn:
            for table in cleared:
                conn.execute(sa.text(f"DELETE FROM {table}"))
            if then is not None:
                then(conn)
            bump(conn)
            registry = Registry.load(conn, source)
    except BaseException:
        app.registries.forget(name)
        app.backend.drop(name)
        raise
    app.registries.publish(name, registry)


def drop(app: App, master_pwd: Any, db_name: Any) -> bool:
    check_management(app, master_pwd)
    if not app.backend.drop(db_name):  # not ours (or not there): False, as Odoo answers
        return False
    app.registries.forget(db_name)
    return True


def rename(app: App, master_pwd: Any, old_name: Any, new_name: Any) -> bool:
    """The database answers under its new name only, in every worker at its next call."""
    check_management(app, master_pwd)
    name = valid_name(new_name)
    failed = f"Couldn't rename database {old_name} to {name}"
    try:
        app.backend.rename(old_name, name)
    except database.DatabaseNotFound:
        raise Exception(f'{failed}: database "{old_name}" does not exist') from None
    except database.DatabaseExists:
        raise Exception(f'{failed}: database "{name}" already exists') from None
    app.registries.forget(old_name)
    app.registries.forget(name)
    return True


def change_admin_password(app: App, master_pwd: Any, new_password: Any) -> bool:
    """Store the hash of a new master password where every worker and server reads it."""
    check_management(app, master_pwd)
    if not isinstance(new_password, str) or not new_password:
        raise ValueError("The new master password must be a non-empty string")
    path = app.settings.master_password_file
    if not path:
        raise RuntimeError("this server keeps no config file for the master password")
    master_password.change(Path(path), new_password, app.settings.password_rounds)
    return True


def migrate_databases(app: App, master_pwd: Any, databases: Any) -> bool:
    """Bring each database to this server's schema (pending migrations, new base fields)."""
    check_management(app, master_pwd)
    if not isinstance(databases, (list, tuple)):
        raise TypeError("databases must be a list of database names")
    for name in databases:
        if not app.backend.owns(name):
            raise UnknownDatabase(name)
    for name in databases:
        with app.backend.transaction(name) as conn:
            migrate.upgrade(conn)
            if bootstrap.upgrade_base_models(conn, app.settings):
                bump(conn)
        app.registries.forget(name)
    return True


# -- dump and restore -----------------------------------------------------------------------------

def dump(app: App, master_pwd: Any, db_name: Any, format: Any = "zip") -> str:
    """The base64 text of a portable zip (see storage.dump): restorable on either backend."""
    check_management(app, master_pwd)
    if format != "zip":
        raise ValueError(f"Unsupported backup format {format!r}: this server writes 'zip' dumps")
    if not app.backend.owns(db_name):
        raise UnknownDatabase(db_name)
    with app.backend.transaction(db_name, write=False) as conn:
        if conn.dialect.name == "postgresql":  # one snapshot for every table (SQLite's read transaction is one)
            conn.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        data = archives.write(conn, db_name, app.settings.version, revision(conn))
    return base64.b64encode(data).decode()


def backup(app: App, master_pwd: Any, db_name: Any, backup_format: Any = "zip") -> bytes:
    """The zip itself, for the web backup route (Odoo 17 checks the name against the list)."""
    check_management(app, master_pwd)
    if db_name not in app.backend.list():
        raise Exception(f"Database {db_name!r} is not known")
    return base64.b64decode(dump(app, master_pwd, db_name, backup_format))


def revision(conn: sa.Connection) -> str:
    return str(conn.execute(sa.text("SELECT version_num FROM odoorpc_alembic_version")).scalar_one())


def restore(app: App, master_pwd: Any, db_name: Any, data: Any, copy: Any = False) -> bool:
    """A new database from the base64 text of a dump; the archive is checked completely first,
    and a failing restore leaves no database behind."""
    check_management(app, master_pwd)
    name = valid_name(db_name)
    if app.backend.owns(name):
        raise Exception("Database already exists")
    if isinstance(data, bytes):
        data = data.decode("ascii", "replace")
    if not isinstance(data, str) or len(data) > MAX_BASE64 + 1024:
        raise Exception(f"Couldn't restore database: the data is not the base64 text of a zip of at most "
                        f"{archives.MAX_ARCHIVE} bytes")
    try:
        raw = base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        raise Exception("Couldn't restore database: the data is not base64") from None
    restore_bytes(app, name, raw)
    return True


def restore_upload(app: App, master_pwd: Any, db_name: Any, raw: bytes, copy: Any = False) -> None:
    """The web restore route: the uploaded zip itself."""
    check_management(app, master_pwd)
    name = valid_name(db_name)
    if app.backend.owns(name):
        raise Exception("Database already exists")
    restore_bytes(app, name, raw)


def restore_bytes(app: App, name: str, raw: bytes) -> None:
    """Restore a zip (the RPC method's decoded data, or the web route's upload)."""
    try:
        archive = archives.read(raw)
    except archives.DumpError as error:
        raise Exception(f"Couldn't restore database: {error}") from None
    try:
        app.backend.create(name)
    except database.DatabaseExists:
        raise Exception("Database already exists") from None
    try:
        with app.backend.transaction(name) as conn:
            _load(conn, archive, app.settings)
    except BaseException as error:
        app.backend.drop(name)
        if isinstance(error, archives.DumpError):
            raise Exception(f"Couldn't restore database: {error}") from None
        if isinstance(error, sa.exc.DBAPIError):
            detail = str(error.orig).strip().splitlines()[0] if error.orig else "database error"
            raise Exception(f"Couldn't restore database: {detail}") from None
        raise
    app.registries.forget(name)


def _load(conn: sa.Connection, archive: archives.Archive, settings: Any) -> None:
    """Schema of the archive's revision, its metadata rows, the model tables they describe,
    then every other row."""
    migrate.upgrade(conn)
    ours = revision(conn)
    if archive.manifest["revision"] != ours:
        raise archives.DumpError(f"the dump's schema revision {archive.manifest['revision']!r} is not this "
                                 f"server's ({ours!r})")
    metadata = set(sa.inspect(conn).get_table_names())
    first = sorted(t for t in archive.tables if t in metadata)
    archives.load(conn, archive, first)
    if "ir_model" not in archive.tables or not archive.tables["ir_model"][1]:
        raise archives.DumpError("the dump holds no models")
    Registry.load(conn).create_tables(conn)
    rest = sorted(t for t in archive.tables if t not in metadata)
    archives.load(conn, archive, rest)
    archives.reset_sequences(conn, first + rest)
    bootstrap.upgrade_base_models(conn, settings)
    bump(conn)


METHODS: dict[str, Callable[..., Any]] = {
    "db_exist": db_exist, "list": list_dbs, "list_lang": list_lang, "server_version": server_version,
    "list_countries": list_countries, "create_database": create_database,
    "duplicate_database": duplicate_database, "drop": drop, "rename": rename,
    "change_admin_password": change_admin_password, "migrate_databases": migrate_databases,
    "dump": dump, "restore": restore,
}
