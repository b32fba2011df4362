"""A new database: metadata schema, base models and base data from the data files, and
optionally demo data. Everything runs in one transaction, so a failed start leaves nothing."""
from __future__ import annotations

import csv
import io
import json
import logging
import zoneinfo
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import odoorpc_server.models  # noqa: F401  (the model classes the base data is created with)
from odoorpc_server.models.res_users import groups_field
from odoorpc_server.orm import indexes
from odoorpc_server.orm.env import SUPERUSER_ID, Env
from odoorpc_server.orm.fields import TTYPES, magic_field_rows
from odoorpc_server.orm.registry import Registry, bump, bump_caches, table_name
from odoorpc_server.storage import migrate
from odoorpc_server.storage.database import Backend, DatabaseExists
from odoorpc_server.versions import DEFAULT_VERSION, Profile, profile

log = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parents[1] / "data"
META_TABLES = ("ir_model", "ir_model_fields", "ir_model_data")


def read_csv(name: str) -> list[dict[str, str]]:
    text = (DATA / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def read_json(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@cache
def model_specs() -> dict[str, Any]:
    """The base models of models.json, parsed once per process; callers must not change them."""
    specs: dict[str, Any] = read_json("models.json")["models"]
    return specs


class ForeignDatabase(Exception):
    """The database named at start exists but this server did not create it."""


def initialise(backend: Backend, dbname: str, settings: Any, demo: bool = False) -> bool:
    """At start: create and fill `dbname` if needed; returns True when the database was created.

    A database of ours from before the ownership mark (it holds our metadata tables) is marked;
    any other database of that name is refused, never written to. A database that is current
    costs a few reads and takes no lock; one that is behind is upgraded under its schema lock,
    so that servers starting together upgrade it once.
    """
    with backend.admin_session(), backend.naming(dbname):  # two servers starting on a new name: one
        created = not backend.adopt(dbname)                    # creates, the other finds it
        if created:
            try:
                backend.create(dbname)
            except DatabaseExists:
                raise ForeignDatabase(f"database {dbname!r} exists and was not created by odoorpc-server; "
                                      "choose another --database") from None
    if not created:
        with backend.transaction(dbname, write=False) as conn:
            ready = is_current(conn, settings) and (not demo or demo_loaded(conn))
        if ready:
            return False
    _fill(backend, dbname, settings, demo, created)
    return created


def create(backend: Backend, dbname: str, settings: Any, demo: bool = False,
           then: Callable[[Env], None] | None = None) -> None:
    """A new database for the db service; a taken name (ours or not) raises DatabaseExists.
    `then(env)` (a superuser environment) completes it in the same transaction."""
    backend.create(dbname)
    _fill(backend, dbname, settings, demo, created=True, then=then)


def superuser_env(conn: Connection, settings: Any) -> Env:
    """The superuser on a database's current registry, archived records included."""
    return Env(conn, Registry.load(conn), SUPERUSER_ID, {"active_test": False}, su=True, settings=settings)


# the key of the advisory lock one database's schema changes are made under (advisory locks are
# per database, so one key serves every database of a PostgreSQL server)
SCHEMA_LOCK = 0x6F646F6F72706331


def schema_lock(conn: Connection, wait: bool = True) -> bool:
    """Take the schema lock of the connection's database for its transaction; False when
    `wait` is off and another server holds it. SQLite needs none: a write transaction holds
    the file's write lock from its BEGIN IMMEDIATE."""
    if conn.dialect.name != "postgresql":
        return True
    if wait:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCHEMA_LOCK})
        return True
    return bool(conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": SCHEMA_LOCK}).scalar_one())


def has_base(conn: Connection) -> bool:
    return conn.execute(sa.text("SELECT 1 FROM ir_model LIMIT 1")).first() is not None


def demo_loaded(conn: Connection) -> bool:
    return conn.execute(sa.text(
        "SELECT 1 FROM ir_model_data WHERE module = '__demo__' AND name = 'loaded'")).first() is not None


def is_current(conn: Connection, settings: Any) -> bool:
    """Whether the database holds everything this server's schema has: the newest metadata
    revision (known without importing Alembic), the base models and fields of models.json and
    their indexes. Reads only: a handful of statements."""
    return migrate.is_current(conn) and has_base(conn) and not base_models_behind(conn, settings)


# databases checked at once at start: the checks mostly wait for the database server
UPGRADE_THREADS = 4


def upgrade_all(backend: Backend, settings: Any = None, done: tuple[str, ...] = ()) -> list[str]:
    """Bring every database of ours to the newest schema (start of the server); returns the
    names that could not be upgraded, which are left as they were.

    A database that is current is only read (no write transaction, no lock), so a starting
    server does not wait on, nor hold up, the work other servers do on a shared PostgreSQL.
    One that is behind is upgraded under its schema lock, taken without waiting: when another
    server holds it, that server is creating or upgrading the database, and it is left to it.
    Databases are checked a few at a time, each in its own transactions; those in `done` (the
    one `initialise` just brought up) are not checked again."""
    names = [name for name in backend.list() if name not in done]
    if not names:
        return []
    with ThreadPoolExecutor(min(UPGRADE_THREADS, len(names)), thread_name_prefix="upgrade") as pool:
        outcomes = list(pool.map(lambda name: _upgrade_one(backend, name, settings), names))
    return [name for name, ok in zip(names, outcomes, strict=True) if not ok]


def _upgrade_one(backend: Backend, name: str, settings: Any) -> bool:
    """Check one database and upgrade it when it is behind; False when that failed. A table
    another session holds locked (a long schema change, a frozen database) makes the check
    give up after LOCK_TIMEOUT instead of holding up the start: the database is left as it is
    and checked again at the next start."""
    try:
        with backend.transaction(name, write=False) as conn:
            _bounded(conn)
            revision = migrate.current(conn)
            if revision is None:  # no metadata yet: a database another server is creating now
                return True
            if revision == migrate.head() and (not has_base(conn) or not base_models_behind(conn, settings)):
                return True
        with backend.transaction(name) as conn:
            _bounded(conn)
            if not schema_lock(conn, wait=False):
                log.info("database %r is being upgraded by another server", name)
                return True
            migrate.upgrade(conn)
            if has_base(conn):
                upgrade_base_models(conn, settings)
    except sa.exc.OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != "55P03":  # lock_not_available
            log.exception("database %r could not be upgraded", name)
            return False
        log.warning("database %r is locked by another session: not checked at this start", name)
    except Exception:
        log.exception("database %r could not be upgraded", name)
        return False
    return True


# how long the start waits for a table lock of a database it does not serve (PostgreSQL)
LOCK_TIMEOUT_MS = 2000


def _bounded(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(f"SET LOCAL lock_timeout = {LOCK_TIMEOUT_MS}"))


def _fill(backend: Backend, dbname: str, settings: Any, demo: bool, created: bool,
          then: Callable[[Env], None] | None = None) -> None:
    """Metadata schema, base data (or the upgrade of an existing database) and demo data, in
    one transaction under the schema lock; a database created for this and failing is dropped
    again."""
    try:
        with backend.transaction(dbname) as conn:
            # another server may be filling or upgrading it too: the second one finds it done
            schema_lock(conn)
            migrate.upgrade(conn)
            if not has_base(conn):
                install_base(conn, settings)
            elif not created:
                upgrade_base_models(conn, settings)
            if demo and not demo_loaded(conn):
                install_demo(conn, settings)
            if then is not None:
                then(superuser_env(conn, settings))
    except BaseException:
        if created:
            backend.drop(dbname)
        raise


def _stamp(now: Any) -> dict[str, Any]:
    return {"create_uid": SUPERUSER_ID, "write_uid": SUPERUSER_ID, "create_date": now, "write_date": now}


FIELD_COLUMNS = ("name", "model", "model_id", "field_description", "help", "ttype", "relation", "relation_field",
                 "relation_table", "column1", "column2", "selection", "required", "readonly", "index", "store",
                 "copied", "size", "state", "on_delete", "related", "compute", "secret", "domain", "default_value",
                 "create_uid", "write_uid", "create_date", "write_date")
FIELDS_TABLE = sa.table("ir_model_fields", *(sa.column(c) for c in FIELD_COLUMNS))
MODELS_TABLE = sa.table("ir_model", *(sa.column(c) for c in (
    "id", "model", "name", "order", "state", "rec_name", "parent_name", "parent_store", "transient",
    "create_uid", "write_uid", "create_date", "write_date")))


def version_profile(settings: Any) -> Profile:
    """The Odoo version a database is filled for: the server's (the default one without settings)."""
    found = getattr(settings, "profile", None)
    return found if isinstance(found, Profile) else profile()


def for_version(specs: dict[str, Any], version: Profile) -> dict[str, Any]:
    """The base models or fields of models.json that `version` has: a `when` names the row of
    DIFFERENCES it needs (`!row`: the versions where that row does not hold)."""
    def present(spec: dict[str, Any]) -> bool:
        when = spec.get("when")
        if not when:
            return True
        return not version.has(when[1:]) if when.startswith("!") else version.has(when)
    return {name: spec for name, spec in specs.items() if present(spec)}


@cache
def _timezones() -> list[str]:
    """The time zone names (a walk of the tz database: once per process, not per model)."""
    return sorted(zoneinfo.available_timezones())


def field_rows(model: str, mid: int, fields: dict[str, Any], now: Any) -> list[dict[str, Any]]:
    """The ir_model_fields rows of base fields declared in models.json (already chosen for the
    database's version by `for_version`)."""
    timezones = _timezones()
    rows = []
    for fname, f in fields.items():
        selection = f.get("selection")
        if selection == "TTYPES":
            selection = [[t, t] for t in TTYPES]
        elif selection == "TIMEZONES":
            selection = [[t, t] for t in timezones]
        rows.append({
            "name": fname, "ttype": f["type"], "field_description": f["string"], "help": f.get("help"),
            "relation": f.get("relation"), "relation_field": f.get("relation_field"),
            "relation_table": f.get("relation_table"), "column1": f.get("column1"), "column2": f.get("column2"),
            "selection": repr([tuple(p) for p in selection]) if selection else None,
            "required": f.get("required", False), "readonly": f.get("readonly", False),
            "index": bool(f.get("index")), "store": f.get("store", True), "copied": f.get("copy", True),
            "size": f.get("size"), "related": f.get("related"), "compute": f.get("compute"),
            "secret": f.get("secret", False), "domain": f.get("domain", "[]"),
            "on_delete": f.get("on_delete", "set null"),
            "default_value": json.dumps(f["default"]) if "default" in f else None})
    return [complete_field_row(r, model, mid, now) for r in rows]


def complete_field_row(row: dict[str, Any], model: str, mid: int, now: Any) -> dict[str, Any]:
    defaults = {"on_delete": "set null", "required": False, "readonly": False, "index": False, "store": True,
                "copied": True, "secret": False}
    return {c: None for c in FIELD_COLUMNS} | defaults | row | {"model": model, "model_id": mid, "state": "base"} \
        | _stamp(now)


def install_models(conn: Connection, now: Any, version: Profile, only: set[str] | None = None) -> None:
    """The ir_model and ir_model_fields rows of the base models `version` has (of those in
    `only`, if given): one INSERT of the models, one of their fields."""
    chosen = {name: model for name, model in for_version(read_json("models.json")["models"], version).items()
              if only is None or name in only}
    if not chosen:
        return
    ids = {row.model: row.id for row in conn.execute(
        sa.insert(MODELS_TABLE).returning(MODELS_TABLE.c.id, MODELS_TABLE.c.model), [{
            "model": name, "name": model["description"], "order": model.get("order", "id"), "state": "base",
            "rec_name": model.get("rec_name"), "parent_name": model.get("parent_name"),
            "parent_store": model.get("parent_store", False), "transient": model.get("transient", False),
            **_stamp(now)} for name, model in chosen.items()])}
    rows: list[dict[str, Any]] = []
    for name, model in chosen.items():
        mid = ids[name]
        rows += [complete_field_row(r, name, mid, now) for r in magic_field_rows(name, mid, "base", version)]
        rows += field_rows(name, mid, for_version(model["fields"], version), now)
    conn.execute(sa.insert(FIELDS_TABLE), rows)


def base_models_behind(conn: Connection, settings: Any) -> bool:
    """Whether `upgrade_base_models` has anything to do: models, fields or indexes missing, or
    index flags that differ from models.json. Reads only."""
    present = set(conn.execute(sa.text("SELECT model FROM ir_model")).scalars())
    if new_models(present, settings):
        return True
    rows = _field_rows(conn)
    if missing_fields(conn, {(r.model, r.name) for r in rows}):
        return True
    flips, needed = _index_plan(conn, rows)
    return bool(flips[True] or flips[False] or needed)


def upgrade_base_models(conn: Connection, settings: Any) -> list[tuple[str, str]]:
    """Base models and fields a newer version of the server declares and the database lacks.
    New models get their rows, tables, access rights, rules and base records (install_new_models);
    new fields their rows, columns and relation tables, and each model with new fields may fill
    them (`_upgrade_fields`). Returns the (model, field) pairs added to existing models."""
    install_new_models(conn, settings)
    present = {(r.model, r.name) for r in conn.execute(sa.text("SELECT model, name FROM ir_model_fields"))}
    now = Env(conn, Registry(0), SUPERUSER_ID).now()
    added: list[tuple[str, str]] = []
    for name, (mid, missing) in missing_fields(conn, present).items():
        conn.execute(sa.insert(FIELDS_TABLE), field_rows(name, mid, missing, now))
        added += [(name, f) for f in missing]
    if added:
        registry = Registry.load(conn)
        env = Env(conn, registry, SUPERUSER_ID, {"active_test": False}, su=True, settings=settings)
        columns = {m: {c["name"] for c in sa.inspect(conn).get_columns(registry[m].table_name)} for m, _ in added}
        for model_name, fname in added:
            model, fld = registry[model_name], registry[model_name].fields[fname]
            if fld.stored and fname not in columns[model_name]:
                registry.add_column(conn, model, fld)
        registry.create_tables(conn)
        for model_name in sorted({m for m, _ in added}):
            hook = getattr(env[model_name], "_upgrade_fields", None)
            if hook:
                hook([f for m, f in added if m == model_name])
    upgrade_indexes(conn)
    return added


def missing_fields(conn: Connection, present: set[tuple[str, str]]) -> dict[str, tuple[int, dict[str, Any]]]:
    """{model: (its ir_model id, {field: spec})} of the base fields models.json declares for
    base models the database has, and the database lacks (`present`: its (model, field) pairs)."""
    models = {r.model: r.id for r in conn.execute(sa.text("SELECT model, id FROM ir_model WHERE state = 'base'"))}
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    for name, model in model_specs().items():
        # fields of some versions only were made with the database, for its version: an upgrade,
        # which may run from a server of another version (every database of a PostgreSQL server),
        # adds the fields of every version alone
        missing = {f: spec for f, spec in model["fields"].items() if (name, f) not in present and not spec.get("when")}
        if name in models and missing:
            found[name] = (models[name], missing)
    return found


def _field_rows(conn: Connection) -> list[Any]:
    return list(conn.execute(sa.text('SELECT id, model, name, state, ttype, store, "index" FROM ir_model_fields')))


def _index_plan(conn: Connection, rows: list[Any]) -> tuple[dict[bool, list[int]], bool]:
    """({flag: ids of base fields whose `index` flag must become flag}, whether indexes are
    missing or under their earlier names)."""
    declared = indexes.declared()
    flips = {flag: [r.id for r in rows if r.state == "base" and bool(r.index) != flag
                    and ((r.model, r.name) in declared) == flag] for flag in (True, False)}
    present = indexes.existing(conn)
    stored = [r for r in rows if r.store and r.ttype not in ("one2many", "many2many")]
    flagged = {r.id for r in stored if bool(r.index)} | set(flips[True])
    flagged -= set(flips[False])
    missing = any(indexes.index_name(table_name(r.model), r.name) not in present for r in stored if r.id in flagged)
    legacy = any(indexes.legacy_name(table_name(r.model), r.name) in present for r in stored if r.id in flagged)
    return flips, missing or legacy or not indexes.model_indexes_current(conn)


def upgrade_indexes(conn: Connection) -> list[str]:
    """The indexes models.json declares, on a database made before it declared them: the base
    fields' `index` flags set as declared, then the missing indexes (the fields', the models'
    order indexes, btree indexes without the INCLUDE columns their model declares) created and
    those under the earlier names replaced. Returns the names created; a database that has them
    all costs three catalog reads."""
    flips, needed = _index_plan(conn, _field_rows(conn))
    for flag, ids in flips.items():
        if ids:
            conn.execute(sa.text('UPDATE ir_model_fields SET "index" = :flag WHERE id IN :ids').bindparams(
                sa.bindparam("ids", expanding=True)), {"flag": flag, "ids": ids})
    if flips[True] or flips[False]:
        bump(conn)
    if not needed:
        return []
    return indexes.ensure(conn, Registry.load(conn))


def new_models(present: set[str], settings: Any) -> set[str]:
    """The base models a database holding the models `present` lacks."""
    # models of some versions only are made with the database, for its version (see
    # upgrade_base_models): an upgrade adds the models every version has
    specs = model_specs()
    new = {name for name, spec in specs.items() if name not in present and not spec.get("when")}
    # a model named differently in some versions (`variant_of`): a database with none of its
    # variants gets the one of the server's version
    chosen = for_version(specs, version_profile(settings))
    for name, spec in chosen.items():
        family = spec.get("variant_of")
        if family and not any(s.get("variant_of") == family and m in present for m, s in specs.items()):
            new.add(name)
    return new


def install_new_models(conn: Connection, settings: Any) -> list[str]:
    """The base models a database created by an older version of the server lacks (languages,
    modules, attachments, ...): what `install_base` would have made for them. Returns their names."""
    new = new_models(set(conn.execute(sa.text("SELECT model FROM ir_model")).scalars()), settings)
    if not new:
        return []
    now = Env(conn, Registry(0), SUPERUSER_ID).now()
    install_models(conn, now, version_profile(settings), new)
    bump(conn)
    registry = Registry.load(conn)
    registry.create_tables(conn)
    env = Env(conn, registry, SUPERUSER_ID, {"active_test": False}, su=True, settings=settings)
    groups = {str(r.name): int(r.res_id) for r in conn.execute(sa.text(
        "SELECT name, res_id FROM ir_model_data WHERE module = 'base' AND model = 'res.groups'"))}
    install_security(env, groups, new)
    xmlids = [("ir.model", "model_" + registry[name].table_name, registry[name].id) for name in sorted(new)]
    insert_xmlids(conn, xmlids + install_base_records(env, new), _stamp(now))
    return sorted(new)


def install_base_records(env: Env, models: set[str]) -> list[tuple[str, str, int]]:
    """The records of the data files for `models`: languages (en_US active), the modules
    this server stands for and the report actions; returns their external ids (model, name,
    id) in module base."""
    xmlids: list[tuple[str, str, int]] = []
    if "res.lang" in models:
        for row in read_csv("langs.csv"):
            lid = env["res.lang"].create({**row, "active": row["active"] == "1"})
            xmlids.append(("res.lang", "lang_" + row["iso_code"], lid))
    if "ir.module.module" in models:
        version = env.settings.profile.version if env.settings is not None else DEFAULT_VERSION
        for row in read_csv("modules.csv"):
            installed = row["state"] == "installed"
            mid = env["ir.module.module"].create({
                "name": row["name"], "shortdesc": row["shortdesc"], "summary": row["summary"] or False,
                "author": row["author"], "website": row["website"] or False, "state": row["state"],
                "latest_version": f"{version}.{row['version']}" if installed else False,
                "published_version": f"{version}.{row['version']}", "application": row["application"] == "1",
                "auto_install": row["auto_install"] == "1", "sequence": int(row["sequence"]),
                "license": row["license"], "icon": f"/{row['name']}/static/description/icon.png"})
            xmlids.append(("ir.module.module", "module_" + row["name"], mid))
    for model in ("ir.actions.report", "ir.actions.report.xml"):
        if model in models:
            bound = "binding_model_id" in env.registry[model].fields  # the Print menu, from 11.0
            for row in read_csv("reports.csv"):
                vals: dict[str, Any] = {k: row[k] for k in ("name", "model", "report_name", "report_file",
                                                            "print_report_name")}
                if bound:
                    vals["binding_model_id"] = env.registry[row["model"]].id
                rid = env[model].create(vals)
                xmlids.append((model, row["xmlid"], rid))
    return xmlids


def insert_xmlids(conn: Connection, xmlids: list[tuple[str, str, int]], stamp: dict[str, Any]) -> None:
    data_t = sa.table("ir_model_data", *(sa.column(c) for c in (
        "module", "name", "model", "res_id", "noupdate", "create_uid", "write_uid", "create_date", "write_date")))
    if xmlids:
        conn.execute(sa.insert(data_t), [
            {"module": "base", "name": name, "model": model, "res_id": rid, "noupdate": False, **stamp}
            for model, name, rid in xmlids])


def install_base(conn: Connection, settings: Any) -> None:
    probe = Registry(0)
    now = Env(conn, probe, SUPERUSER_ID).now()
    install_models(conn, now, version_profile(settings))
    registry = Registry.load(conn)
    registry.create_tables(conn)
    env = Env(conn, registry, SUPERUSER_ID, {"active_test": False}, su=True, settings=settings)
    xmlids: list[tuple[str, str, int]] = []
    stamp = _stamp(now)

    currency = registry["res.currency"].table
    rows = read_csv("currencies.csv")
    conn.execute(sa.insert(currency), [{
        "name": r["name"], "full_name": r["full_name"], "symbol": r["symbol"], "position": r["position"],
        "rounding": float(r["rounding"]), "decimal_places": int(r["decimal_places"]),
        "active": r["active"] == "1", **stamp} for r in rows])
    currency_ids: dict[str, int] = {r.name: r.id for r in conn.execute(sa.select(currency.c.name, currency.c.id))}
    xmlids += [("res.currency", f"{code}", cid) for code, cid in currency_ids.items()]

    country = registry["res.country"].table
    rows = read_csv("countries.csv")
    conn.execute(sa.insert(country), [{
        "name": r["name"], "code": r["code"], "phone_code": int(r["phone_code"]) if r["phone_code"] else None,
        "currency_id": currency_ids.get(r["currency"]), **stamp} for r in rows])
    country_ids: dict[str, int] = {r.code: r.id for r in conn.execute(sa.select(country.c.code, country.c.id))}
    xmlids += [("res.country", code.lower(), cid) for code, cid in country_ids.items()]

    state = registry["res.country.state"].table
    conn.execute(sa.insert(state), [{
        "country_id": country_ids[r["country"]], "name": r["name"], "code": r["code"], **stamp}
        for r in read_csv("states.csv")])

    partners = env["res.partner"]
    main_partner = partners.create({"name": "My Company", "is_company": True, "email": "info@yourcompany.com"})
    root_partner = partners.create({"name": "OdooBot", "email": "odoobot@example.com", "active": False})
    admin_partner = partners.create({"name": "Administrator", "email": "admin@example.com"})
    public_partner = partners.create({"name": "Public user", "active": False})
    company = env["res.company"].create({"name": "My Company", "partner_id": main_partner,
                                          "currency_id": currency_ids["USD"], "email": "info@yourcompany.com"})
    partners.write([main_partner, root_partner, admin_partner, public_partner], {"company_id": company})

    groups = env["res.groups"]
    group_user = groups.create({"name": "Internal User"})
    group_erp_manager = groups.create({"name": "Access Rights", "implied_ids": [(6, 0, [group_user])]})
    group_system = groups.create({"name": "Settings", "implied_ids": [(6, 0, [group_erp_manager])]})
    group_public = groups.create({"name": "Public", "share": True})
    group_portal = groups.create({"name": "Portal", "share": True})
    group_no_one = groups.create({"name": "Technical Features"})

    users = env["res.users"]
    groups_key = groups_field(registry["res.users"])
    root = users.create({"name": "OdooBot", "login": "__system__", "partner_id": root_partner, "active": False,
                         "company_id": company, groups_key: [(6, 0, [group_user, group_erp_manager, group_system])]})
    admin = users.create({"name": "Administrator", "login": "admin", "password": settings.admin_password,
                          "partner_id": admin_partner, "company_id": company, "email": "admin@example.com",
                          groups_key: [(6, 0, [group_user, group_erp_manager, group_system, group_no_one])]})
    public = users.create({"name": "Public user", "login": "public", "partner_id": public_partner,
                           "active": False, "share": True, "company_id": company,
                           groups_key: [(6, 0, [group_public])]})
    assert (root, admin) == (1, 2), "the superuser and admin must be users 1 and 2, as in Odoo"
    xmlids += [
        ("res.partner", "main_partner", main_partner), ("res.partner", "partner_root", root_partner),
        ("res.partner", "partner_admin", admin_partner), ("res.partner", "public_partner", public_partner),
        ("res.company", "main_company", company), ("res.users", "user_root", root),
        ("res.users", "user_admin", admin), ("res.users", "public_user", public),
        ("res.groups", "group_user", group_user), ("res.groups", "group_erp_manager", group_erp_manager),
        ("res.groups", "group_system", group_system), ("res.groups", "group_public", group_public),
        ("res.groups", "group_portal", group_portal), ("res.groups", "group_no_one", group_no_one),
    ]
    for model in registry.models.values():
        xmlids.append(("ir.model", "model_" + model.table_name, model.id))
    group_ids = {"group_user": group_user, "group_erp_manager": group_erp_manager, "group_system": group_system,
                 "group_public": group_public, "group_portal": group_portal, "group_no_one": group_no_one}
    install_security(env, group_ids)
    xmlids += install_base_records(env, set(registry.models))
    insert_xmlids(conn, xmlids, stamp)


def install_security(env: Env, groups: dict[str, int], models: set[str] | None = None) -> None:
    """Access rights and record rules of the base models (of those in `models`, if given), from
    the data files."""
    registry = env.registry
    # access rights in one INSERT (the model has no hooks; the rows are plain data), the
    # processes' security caches dropped once
    stamp = _stamp(env.now())
    rights = [{
        "name": f"access_{registry[row['model']].table_name}_{row['group']}", "active": True,
        "model_id": registry[row["model"]].id, "group_id": groups[row["group"]] if row["group"] else None,
        **{f"perm_{p}": row[f"perm_{p}"] == "1" for p in ("read", "write", "create", "unlink")}, **stamp}
        for row in read_csv("access.csv")
        if row["model"] in registry and (models is None or row["model"] in models)]
    if rights:
        env.conn.execute(sa.insert(registry["ir.model.access"].table), rights)
        bump_caches(env.conn)
    # record rules: their rows and group links in two INSERTs (the data files' domains are the
    # server's own, checked by the test suite rather than at each start)
    rules = [row for row in read_csv("rules.csv")
             if row["model"] in registry and (models is None or row["model"] in models)]
    if rules:
        rule = registry["ir.rule"]
        ids = list(env.conn.execute(sa.insert(rule.table).returning(rule.table.c.id, sort_by_parameter_order=True), [{
            "name": row["name"], "active": True, "model_id": registry[row["model"]].id,
            "domain_force": row["domain_force"],
            **{f"perm_{p}": row[f"perm_{p}"] == "1" for p in ("read", "write", "create", "unlink")}, **stamp}
            for row in rules]).scalars())
        relation = rule.fields["groups"]
        table, rule_col, group_col = str(relation.relation_table), str(relation.column1), str(relation.column2)
        links = [{rule_col: rid, group_col: groups[g]}
                 for rid, row in zip(ids, rules, strict=True) for g in row["groups"].split()]
        if links:
            env.conn.execute(sa.insert(sa.table(table, sa.column(rule_col), sa.column(group_col))), links)
        bump_caches(env.conn)


def install_demo(conn: Connection, settings: Any) -> None:
    """Demo contacts in the spirit of Odoo's: companies, people, tags, some archived."""
    registry = Registry.load(conn)
    env = Env(conn, registry, SUPERUSER_ID, {"active_test": False}, su=True, settings=settings)
    demo = read_json("demo.json")
    country = registry["res.country"].table
    state = registry["res.country.state"].table
    countries: dict[str, int] = {r.code: r.id for r in conn.execute(sa.select(country.c.code, country.c.id))}
    states = {(c, s): i for c, s, i in conn.execute(
        sa.select(country.c.code, state.c.code, state.c.id).join(country, country.c.id == state.c.country_id))}
    tags: dict[str, int] = {}
    for tag in demo["tags"]:
        tags[tag["name"]] = env["res.partner.category"].create({
            "name": tag["name"], "color": tag.get("color", 0), "parent_id": tags.get(tag.get("parent") or "", False)})
    env["res.partner"].write([1], {"name": "YourCompany", "street": "250 Executive Park Blvd, Suite 3400",
                                   "city": "San Francisco", "zip": "94134", "country_id": countries["US"],
                                   "state_id": states.get(("US", "CA"), False), "phone": "+1 (650) 555-0111",
                                   "website": "http://www.example.com"})
    env["res.company"].write([1], {"name": "YourCompany"})
    env["res.users"].write([2], {"name": "Mitchell Admin"})

    partner_fields = registry["res.partner"].fields

    def address(rec: dict[str, Any]) -> dict[str, Any]:
        vals = {k: rec.get(k) or False for k in ("street", "street2", "zip", "city", "email", "phone", "mobile",
                                                 "website", "vat", "ref", "function", "comment")}
        code = rec.get("country")
        vals["country_id"] = countries.get(code, False) if code else False
        vals["state_id"] = states.get((code, rec.get("state")), False) if rec.get("state") else False
        vals["category_id"] = [(6, 0, [tags[t] for t in rec.get("tags", [])])]
        vals["active"] = rec.get("active", True)
        # the demo data of every version: fields this version lacks (mobile from 19) are left out
        return {k: v for k, v in vals.items() if k in partner_fields}

    def roles(rec: dict[str, Any], company: dict[str, Any]) -> dict[str, Any]:
        """Up to 12.0 the customer and vendor booleans: a company's own; a contact's those of
        its company, as Odoo 12's contact form passes them (a contact alone: the defaults)."""
        vals = {k: rec.get(k, company.get(k)) for k in ("customer", "supplier")}
        return {k: v for k, v in vals.items() if v is not None and k in partner_fields}

    companies: dict[str, int] = {}
    by_name = {rec["name"]: rec for rec in demo["companies"]}
    for rec in demo["companies"]:
        companies[rec["name"]] = env["res.partner"].create({"name": rec["name"], "is_company": True, **address(rec),
                                                            **roles(rec, {})})
    for rec in demo["contacts"]:
        company = rec.get("company") or ""
        env["res.partner"].create({"name": rec["name"], "type": rec.get("type") or "contact",
                                   "parent_id": companies.get(company, False), **address(rec),
                                   **roles(rec, by_name.get(company, {}))})
    conn.execute(sa.text(
        "INSERT INTO ir_model_data (module, name, model, res_id, noupdate) VALUES ('__demo__', 'loaded', "
        "'ir.model', NULL, true)"))
