"""The db service as Odoo 17's odoo/service/db.py answers it, over /xmlrpc/2/db and /jsonrpc
(the same steps on both wires), on both backends; and the /web/database/* form routes."""
from __future__ import annotations

import re
import uuid
import xmlrpc.client
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import requests

from conftest import Server, drop_pg_database, pg_conninfo, require_backend, start_server, stop_server
from dbwire import DENIED, HOUSTON, WIRES, Db, Refused, new_name
from jsonwire import Web

MASTER = "admin"  # the harness's --master-password
MASTER_METHODS: list[tuple[str, list[Any]]] = [
    ("list_countries", []), ("create_database", ["x_never", False, "en_US", "pw"]),
    ("duplicate_database", ["SOURCE", "x_never"]), ("drop", ["SOURCE"]), ("rename", ["SOURCE", "x_never"]),
    ("dump", ["SOURCE", "zip"]), ("restore", ["x_never", "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="]),
    ("change_admin_password", ["hijacked"]), ("migrate_databases", [["SOURCE"]]),
]
HOSTILE_NAMES: list[Any] = ["", "a", "-x", "_x", ".x", "../x", "x/y", "x y", "x;y", "x'y", 'x"y', "é", "x" * 64, 123,
                            ["x"], {"x": 1}]


@pytest.fixture(params=WIRES)
def wire(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture()
def created(server: Server) -> Iterator[list[str]]:
    """Names a test creates: dropped afterwards whatever happened."""
    names: list[str] = []
    yield names
    db = Db(server.url, "xmlrpc")
    for name in names:
        try:
            db("drop", MASTER, name)
        except Refused:
            pass
        if server.backend == "postgresql":
            drop_pg_database(name)


def listed(server: Server) -> list[str]:
    return list(Db(server.url, "xmlrpc")("list"))


def common(server: Server) -> Any:
    return xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common")


def read(server: Server, dbname: str, login: str, password: str, model: str, ids: list[int],
         fields: list[str]) -> list[dict[str, Any]]:
    uid = common(server).authenticate(dbname, login, password, {})
    assert uid
    models = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object")
    return list(models.execute_kw(dbname, uid, password, model, "read", [ids], {"fields": fields}))


# -- hostile callers first ----------------------------------------------------------------------

def test_wrong_master_password_is_refused_and_changes_nothing(server: Server, wire: str) -> None:
    """Odoo's check_super: a falsy, wrong, huge or non-string master password is Access Denied
    (fault 3) on every method that takes one, and nothing is created, dropped or renamed."""
    db = Db(server.url, wire)
    before = listed(server)
    for wrong in ("", "wrong", "Admin", "admin ", "x" * 100_000, False, 0, ["admin"], {"admin": 1}):
        for method, args in MASTER_METHODS:
            args = [server.db if a == "SOURCE" else a for a in args]
            assert db.refused(method, wrong, *args) == DENIED, (method, wrong)
    assert listed(server) == before and db("db_exist", "x_never") is False
    assert ["be", "Belgium"] in db("list_countries", MASTER)  # the password itself was not changed


def test_hostile_names_are_refused_with_odoos_text(server: Server, wire: str) -> None:
    """Odoo's database name rule (^[a-zA-Z0-9][a-zA-Z0-9_.-]+$, at most 63 characters here, as
    PostgreSQL allows): every method creating a name answers the web manager's text, and
    nothing is created."""
    db = Db(server.url, wire)
    before = listed(server)
    for name in HOSTILE_NAMES:
        assert db.refused("create_database", MASTER, name, False, "en_US", "pw") == ("Exception", HOUSTON), name
        assert db.refused("duplicate_database", MASTER, server.db, name) == ("Exception", HOUSTON), name
        assert db.refused("rename", MASTER, server.db, name) == ("Exception", HOUSTON), name
        assert db.refused("restore", MASTER, name, "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==") == ("Exception", HOUSTON)
        if isinstance(name, str):
            assert db("db_exist", name) is False
    assert listed(server) == before
    assert server.db in before and db("db_exist", server.db) is True


def test_hostile_create_arguments_create_nothing(server: Server, wire: str) -> None:
    """Ours: an unknown language or country, a login or password that is no string, is refused
    before anything is created (Odoo creates the database, then logs the error)."""
    db = Db(server.url, wire)
    name = new_name()
    cases = [
        (["fr_FR", "pw"], ("ValueError", "Invalid language code: fr_FR")),
        (["en_US", "pw", "admin", "zz"], ("ValueError", "Unknown country code: 'zz'")),
        (["en_US", "pw", "admin", ["be"]], ("ValueError", "Unknown country code: ['be']")),
        (["en_US", ""], ("ValueError", "The admin password must be a non-empty string")),
        (["en_US", "pw", ""], ("ValueError", "The admin login must be a non-empty string")),
        (["en_US", "pw", 7], ("ValueError", "The admin login must be a non-empty string")),
    ]
    for args, expected in cases:
        assert db.refused("create_database", MASTER, name, False, *args) == expected, args
        assert db("db_exist", name) is False and name not in listed(server)


# -- what needs no password -----------------------------------------------------------------------

def test_free_methods(server: Server, wire: str) -> None:
    """db_exist, list, list_lang and server_version need no password; list_countries needs the
    master password and answers [code, name] pairs sorted by name, as Odoo's."""
    db = Db(server.url, wire)
    assert db("db_exist", server.db) is True and db("db_exist", "nope_" + uuid.uuid4().hex[:6]) is False
    assert server.db in db("list") and db("list", True) == db("list")
    assert db("list_lang") == [["en_US", "English (US)"]]
    assert db("server_version") == "17.0"
    countries = db("list_countries", MASTER)
    assert countries == sorted(countries, key=lambda pair: pair[1]) and len(countries) == 250
    assert ["be", "Belgium"] in countries and all(code == code.lower() for code, _ in countries)
    assert db.refused("nope") == ("KeyError", "'Method not found: nope'")


def test_same_faults_on_both_wires(server: Server) -> None:
    """The very same fault, name and message, over /xmlrpc/2/db and /jsonrpc (Odoo 17's texts)."""
    missing = new_name("missing")
    calls: list[tuple[str, list[Any], tuple[str, str]]] = [
        ("create_database", [MASTER, server.db, False, "en_US", "pw"],
         ("odoo.service.db.DatabaseExists", f"database {server.db!r} already exists!")),
        ("duplicate_database", [MASTER, missing, new_name()],
         ("psycopg2.errors.InvalidCatalogName", f'template database "{missing}" does not exist')),
        ("duplicate_database", [MASTER, server.db, server.db],
         ("psycopg2.errors.DuplicateDatabase", f'database "{server.db}" already exists')),
        ("rename", [MASTER, missing, "renamed"],
         ("Exception", f'Couldn\'t rename database {missing} to renamed: database "{missing}" does not exist')),
        ("rename", [MASTER, missing, server.db],
         ("Exception", f'Couldn\'t rename database {missing} to {server.db}: database "{missing}" does not exist')),
        ("dump", [MASTER, missing, "zip"], ("psycopg2.OperationalError", f'database "{missing}" does not exist')),
        ("dump", [MASTER, server.db, "custom"],
         ("ValueError", "Unsupported backup format 'custom': this server writes 'zip' dumps")),
        ("restore", [MASTER, server.db, "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="], ("Exception", "Database already exists")),
        ("migrate_databases", [MASTER, [server.db, missing]],
         ("psycopg2.OperationalError", f'database "{missing}" does not exist')),
        ("change_admin_password", [MASTER, ""], ("ValueError", "The new master password must be a non-empty string")),
    ]
    before = listed(server)
    for method, args, expected in calls:
        answers = [Db(server.url, w).refused(method, *args) for w in WIRES]
        assert answers == [expected, expected], (method, answers)
    assert listed(server) == before
    assert Db(server.url, "jsonrpc")("drop", MASTER, missing) is False


# -- the lifecycle, on each wire ------------------------------------------------------------------

def test_create_database_complete(server: Server, wire: str, created: list[str]) -> None:
    """Odoo's _initialize_db: the admin gets the login, password and language; a login that is
    an email becomes the admin's and the company's email; the country sets the company's
    country and currency and, having one time zone only, every user's time zone; the phone
    goes to the company."""
    db, name = Db(server.url, wire), new_name()
    created.append(name)
    assert db("create_database", MASTER, name, False, "en_US", "s3cret", "boss@example.com", "be", "+32 2 555 01 11")
    assert name in db("list") and db("db_exist", name) is True
    admin = read(server, name, "boss@example.com", "s3cret", "res.users", [2], ["login", "email", "lang", "tz"])
    assert admin == [{"id": 2, "login": "boss@example.com", "email": "boss@example.com", "lang": "en_US",
                      "tz": "Europe/Brussels"}]
    company = read(server, name, "boss@example.com", "s3cret", "res.company", [1],
                   ["country_id", "currency_id", "phone", "email"])[0]
    assert (company["country_id"][1], company["currency_id"][1], company["phone"], company["email"]) == \
        ("Belgium", "EUR", "+32 2 555 01 11", "boss@example.com")
    assert common(server).authenticate(name, "admin", "admin", {}) is False

    other = new_name()
    created.append(other)
    assert db("create_database", MASTER, other, True, False, "pw", "admin", "us")  # several time zones: none set
    admin = read(server, other, "admin", "pw", "res.users", [2], ["name", "tz", "email"])[0]
    assert (admin["name"], admin["tz"]) == ("Mitchell Admin", False)
    company = read(server, other, "admin", "pw", "res.company", [1], ["country_id", "currency_id"])[0]
    assert (company["country_id"][1], company["currency_id"][1]) == ("United States", "USD")


def test_duplicate_rename_drop(server: Server, wire: str, created: list[str]) -> None:
    """A duplicate is independent of its original; a renamed database answers under its new
    name only (the old one is missing everywhere); drop answers True, then False."""
    db = Db(server.url, wire)
    original, copy, renamed = new_name("o"), new_name("c"), new_name("r")
    created += [original, copy, renamed]
    assert db("create_database", MASTER, original, False, "en_US", "pw") is True
    assert db("duplicate_database", MASTER, original, copy) is True
    neutralized = new_name("n")
    created.append(neutralized)
    assert db("duplicate_database", MASTER, original, neutralized, True) is True

    uid = common(server).authenticate(copy, "admin", "pw", {})
    models = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object")
    only_in_copy = models.execute_kw(copy, uid, "pw", "res.partner", "create", [{"name": "Only in the copy"}])
    assert models.execute_kw(original, uid, "pw", "res.partner", "search", [[["name", "=", "Only in the copy"]]]) == []
    assert models.execute_kw(copy, uid, "pw", "res.partner", "search", [[["name", "=", "Only in the copy"]]]) == \
        [only_in_copy]

    assert db("rename", MASTER, copy, renamed) is True
    assert db("db_exist", copy) is False and db("db_exist", renamed) is True
    assert copy not in db("list") and renamed in db("list")
    assert models.execute_kw(renamed, uid, "pw", "res.partner", "search", [[["name", "=", "Only in the copy"]]]) == \
        [only_in_copy]
    with pytest.raises(xmlrpc.client.Fault) as gone:
        common(server).authenticate(copy, "admin", "pw", {})
    assert gone.value.faultString.rstrip().splitlines()[-1] == \
        f'odoorpc_server.storage.database.DatabaseNotFound: database "{copy}" does not exist'

    assert db("migrate_databases", MASTER, [original, renamed]) is True
    assert db("drop", MASTER, renamed) is True and db("drop", MASTER, renamed) is False
    assert renamed not in db("list") and original in db("list")


# -- list_db and the config file --------------------------------------------------------------------

def test_no_database_list(backend: str, tmp_path: Path) -> None:
    """Odoo's list_db = False (--no-database-list): list and /web/database/list answer Access
    Denied, and so does every management method even with the right master password; db_exist,
    list_lang, server_version and list_countries still answer."""
    require_backend(backend)
    srv = start_server(tmp_path, backend, ["--no-database-list"])
    try:
        for wire in WIRES:
            db = Db(srv.url, wire)
            assert db.refused("list") == DENIED
            for method, args in MASTER_METHODS:
                if method != "list_countries":
                    args = [srv.db if a == "SOURCE" else a for a in args]
                    assert db.refused(method, MASTER, *args) == DENIED, method
            assert db("db_exist", srv.db) is True and db("db_exist", "x_never") is False
            assert ["be", "Belgium"] in db("list_countries", MASTER)
        error = Web(srv.url).error("/web/database/list")
        assert (error["data"]["name"], error["data"]["message"]) == DENIED
        page = form(srv, "create", {"master_pwd": MASTER, "name": "x_never", "lang": "en_US", "password": "pw",
                                    "login": "admin", "phone": ""})
        assert page_error(page) == "Database creation error: Access Denied"
        assert page_error(form(srv, "backup", {"master_pwd": MASTER, "name": srv.db})) == \
            "Database backup error: Access Denied"
        assert Db(srv.url, "xmlrpc")("db_exist", "x_never") is False
        assert common(srv).authenticate(srv.db, "admin", "admin", {}) == 2
    finally:
        stop_server(srv)


def test_config_file_in_odoos_style(backend: str, tmp_path: Path) -> None:
    """`--config FILE` with Odoo's `[options] admin_passwd = ...` and `list_db = False`: the
    clear value is accepted, then stored hashed in place; listing is refused."""
    require_backend(backend)
    config = tmp_path / "odoo.conf"
    config.write_text("[options]\nadmin_passwd = from-the-file\nlist_db = False\n")
    config.chmod(0o600)
    srv = start_server(tmp_path, backend, ["--config", str(config)], master_password=None)
    try:
        db = Db(srv.url, "xmlrpc")
        assert ["be", "Belgium"] in db("list_countries", "from-the-file")
        assert db.refused("list_countries", "admin") == DENIED
        assert db.refused("list") == DENIED
        text = config.read_text()
        assert "from-the-file" not in text
        assert re.search(r"^admin_passwd = \$pbkdf2-sha512\$", text, re.M) and "list_db = False" in text
        assert not (tmp_path / "odoorpc-server.conf").exists()
    finally:
        stop_server(srv)


def missing_database(server: Server, name: str) -> str:
    """The last line of the fault authenticate answers on `name`."""
    with pytest.raises(xmlrpc.client.Fault) as refused:
        common(server).authenticate(name, "admin", "pw", {})
    return refused.value.faultString.rstrip().splitlines()[-1]


def test_every_worker_sees_renames_drops_and_password_changes(backend: str, tmp_path: Path) -> None:
    """With two workers that both hold connections to a database: after rename, every worker
    answers under the new name only, and after drop under neither; after change_admin_password
    every worker, and another server sharing the data directory, refuses the old master
    password and takes the new one."""
    require_backend(backend)
    srv = start_server(tmp_path, backend, ["--workers", "2"])
    other = start_server(tmp_path, backend, database=srv.db, master_password=None)
    old, new = new_name("old"), new_name("new")
    db = Db(srv.url, "jsonrpc")
    try:
        assert db("create_database", MASTER, old, False, "en_US", "pw") is True

        def answering() -> None:
            assert common(srv).authenticate(old, "admin", "pw", {}) == 2

        srv.on_every_worker(2, answering)  # both workers now hold connections to it
        assert db("rename", MASTER, old, new) is True
        gone = f'odoorpc_server.storage.database.DatabaseNotFound: database "{old}" does not exist'

        def renamed() -> None:
            assert missing_database(srv, old) == gone
            assert common(srv).authenticate(new, "admin", "pw", {}) == 2

        srv.on_every_worker(2, renamed)
        assert db("drop", MASTER, new) is True
        dropped = f'odoorpc_server.storage.database.DatabaseNotFound: database "{new}" does not exist'

        def gone_too() -> None:
            assert missing_database(srv, new) == dropped

        srv.on_every_worker(2, gone_too)
        assert db("db_exist", new) is False and not (tmp_path / f"{new}.sqlite3").exists()

        assert db("change_admin_password", MASTER, "n3w-master") is True
        conf = (tmp_path / "odoorpc-server.conf").read_text()
        assert "n3w-master" not in conf and "$pbkdf2-sha512$" in conf

        def changed() -> None:
            assert db.refused("list_countries", MASTER) == DENIED
            assert ["be", "Belgium"] in Db(srv.url, "xmlrpc")("list_countries", "n3w-master")

        srv.on_every_worker(2, changed)
        assert Db(other.url, "xmlrpc").refused("list_countries", MASTER) == DENIED
        assert ["be", "Belgium"] in Db(other.url, "xmlrpc")("list_countries", "n3w-master")
        assert Db(other.url, "xmlrpc").refused("change_admin_password", MASTER, "again") == DENIED
    finally:
        stop_server(other)
        stop_server(srv)
        if backend == "postgresql":
            for name in (old, new):
                drop_pg_database(name)


# -- the web database manager's routes ---------------------------------------------------------------

def form(server: Server, verb: str, data: dict[str, Any], **extra: Any) -> requests.Response:
    return requests.post(f"{server.url}/web/database/{verb}", data=data, allow_redirects=False, timeout=120,
                         **extra)


def page_error(response: requests.Response) -> str:
    """The error line of the manager page Odoo answers a failed form with (HTTP 200)."""
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    found = re.search(r'<div class="alert alert-danger">(.*?)</div>', response.text, re.S)
    assert found, response.text
    import html

    return html.unescape(found.group(1))


def test_web_database_routes(server: Server, created: list[str]) -> None:
    """Odoo 17's /web/database/* forms: create logs the new admin in and redirects to /web;
    duplicate, drop, restore and change_password redirect to the manager; backup downloads the
    zip; failures answer the manager page with Odoo's "... error: <reason>" and change nothing;
    a form without a required field is a 400."""
    name, copy, restored = new_name("w"), new_name("wc"), new_name("wr")
    created += [name, copy, restored]
    base = {"master_pwd": MASTER, "lang": "en_US", "password": "pw", "login": "admin", "phone": ""}

    wrong = form(server, "create", {**base, "master_pwd": "wrong", "name": name})
    assert page_error(wrong) == "Database creation error: Access Denied"
    assert page_error(form(server, "create", {**base, "name": "../x"})) == f"Database creation error: {HOUSTON}"
    assert page_error(form(server, "create", {k: v for k, v in base.items() if k != "phone"} | {"name": name})) \
        == "Database creation error: 'phone'"
    assert form(server, "create", {"master_pwd": MASTER, "name": name}).status_code == 400
    assert name not in listed(server)

    made = form(server, "create", {**base, "name": name, "country_code": "be"})
    assert made.status_code == 303 and made.headers["Location"].endswith("/web")
    web = Web(server.url)
    web.http.cookies.set("session_id", made.cookies["session_id"])
    assert web.result("/web/session/get_session_info")["db"] == name

    assert page_error(form(server, "duplicate", {"master_pwd": MASTER, "name": name, "new_name": "x y"})) == \
        f"Database duplication error: {HOUSTON}"
    dup = form(server, "duplicate", {"master_pwd": MASTER, "name": name, "new_name": copy})
    assert dup.status_code == 303 and dup.headers["Location"].endswith("/web/database/manager")
    assert copy in listed(server)

    assert page_error(form(server, "backup", {"master_pwd": MASTER, "name": "nope"})) == \
        "Database backup error: Database 'nope' is not known"
    assert page_error(form(server, "backup", {"master_pwd": "wrong", "name": name})) == \
        "Database backup error: Access Denied"
    zipped = form(server, "backup", {"master_pwd": MASTER, "name": name})
    assert zipped.status_code == 200 and zipped.headers["Content-Type"] == "application/octet-stream; charset=binary"
    assert re.fullmatch(rf'attachment; filename="{name}_\d{{4}}-\d\d-\d\d_\d\d-\d\d-\d\d\.zip"',
                        zipped.headers["Content-Disposition"])
    assert zipped.content[:2] == b"PK"

    upload = {"backup_file": ("dump.zip", zipped.content, "application/zip")}
    assert page_error(form(server, "restore", {"master_pwd": MASTER, "name": name}, files=upload)) == \
        "Database restore error: Database already exists"
    assert page_error(form(server, "restore", {"master_pwd": MASTER, "name": restored},
                           files={"backup_file": ("x.zip", b"not a zip", "application/zip")})) == \
        "Database restore error: Couldn't restore database: the data is not a zip archive"
    assert restored not in listed(server)
    assert form(server, "restore", {"master_pwd": MASTER, "name": restored}).status_code == 400
    done = form(server, "restore", {"master_pwd": MASTER, "name": restored}, files=upload)
    assert done.status_code == 303, done.text
    company = read(server, restored, "admin", "pw", "res.company", [1], ["country_id"])[0]
    assert company["country_id"][1] == "Belgium"

    assert page_error(form(server, "change_password", {"master_pwd": "wrong", "master_pwd_new": "x"})) == \
        "Master password update error: Access Denied"
    assert page_error(form(server, "drop", {"master_pwd": "wrong", "name": copy})) == \
        "Database deletion error: Access Denied"
    assert copy in listed(server)
    gone = form(server, "drop", {"master_pwd": MASTER, "name": copy})
    assert gone.status_code == 303 and copy not in listed(server)
    manager = requests.get(f"{server.url}/web/database/manager", timeout=30)
    assert manager.status_code == 200 and f"<li>{name}</li>" in manager.text


def raw_sql(server: Server, dbname: str, *statements: str) -> list[Any]:
    """Run statements straight on the database (outside the server); the last one's rows."""
    rows: list[Any] = []
    if server.backend == "postgresql":
        import psycopg

        with psycopg.connect(pg_conninfo(dbname), autocommit=True) as conn:
            for sql in statements:
                cursor = conn.execute(sql)
                rows = cursor.fetchall() if cursor.description else []
        return rows
    import sqlite3

    with closing(sqlite3.connect(server.data_dir / f"{dbname}.sqlite3")) as conn:
        for sql in statements:
            rows = conn.execute(sql).fetchall()
        conn.commit()
    return rows


def test_migrate_databases_runs_pending_migrations(server: Server, created: list[str]) -> None:
    """migrate_databases brings a database that is behind (here: stamped back before the web
    sessions migration, its table gone) to this server's schema, and answers True."""
    db, name = Db(server.url, "jsonrpc"), new_name("m")
    created.append(name)
    assert db("create_database", MASTER, name, False, "en_US", "pw") is True
    # what a database of revision 0006 lacks: the web sessions (0007, 0008) and OAuth's tables (0009)
    raw_sql(server, name, "DROP TABLE odoorpc_web_sessions", "DROP TABLE odoorpc_oauth_keys",
            "DROP TABLE odoorpc_oauth_nonces", "UPDATE odoorpc_alembic_version SET version_num = '0006'")
    behind = Web(server.url).post("/web/session/authenticate", {"db": name, "login": "admin", "password": "pw"})
    assert "error" in behind
    assert db("migrate_databases", MASTER, [name]) is True
    head = raw_sql(server, server.db, "SELECT version_num FROM odoorpc_alembic_version")
    assert raw_sql(server, name, "SELECT version_num FROM odoorpc_alembic_version") == head
    assert Web(server.url).login(name, "admin", "pw")["uid"] == 2
