"""db.dump / db.restore: a portable zip (ours: manifest.json and one JSON-lines file per table,
where Odoo's holds a pg_dump) that restores on the backend it was made on and on the other
one; and every hostile archive is refused with a clear fault before anything is created."""
from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import Client, Server, drop_pg_database, pg_conninfo, require_backend, start_server, stop_server
from dbwire import WIRES, Db, Refused, new_name

MASTER = "admin"
MODELS = ("res.partner", "res.partner.category", "res.users", "res.company", "res.country.state", "x_gadget")


@pytest.fixture()
def created(server: Server) -> Iterator[list[str]]:
    names: list[str] = []
    yield names
    for name in names:
        drop(server, name)


def drop(server: Server, name: str) -> None:
    try:
        Db(server.url, "xmlrpc")("drop", MASTER, name)
    except Refused:
        pass
    if server.backend == "postgresql":
        drop_pg_database(name)


def leftovers(server: Server, name: str) -> bool:
    """Whether anything of `name` exists on the backend (a file, a PostgreSQL database)."""
    if server.backend == "postgresql":
        import psycopg

        with psycopg.connect(pg_conninfo(), autocommit=True) as conn:
            return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchall())
    return any(p.name.startswith(f"{name}.sqlite3") for p in server.data_dir.iterdir())


def fill(url: str, db: str, password: str) -> Client:
    """A database with a custom model holding every kind of value a dump carries."""
    client = Client(url, db, "admin", password)
    mid = client.x("ir.model", "create", {"name": "Gadget", "model": "x_gadget", "state": "manual"})
    for name, ttype in (("x_name", "char"), ("x_when", "datetime"), ("x_on", "date"), ("x_weight", "float"),
                        ("x_count", "integer"), ("x_ok", "boolean"), ("x_notes", "text")):
        client.x("ir.model.fields", "create", {"model_id": mid, "name": name, "ttype": ttype, "state": "manual"})
    client.x("ir.model.fields", "create", {"model_id": mid, "name": "x_tag_ids", "ttype": "many2many",
                                           "relation": "res.partner.category", "state": "manual"})
    tag = client.x("res.partner.category", "create", {"name": "Dumped"})
    client.x("x_gadget", "create", [
        {"x_name": "Ünïcode ✓ 'quoted' \"double\"\nnewline", "x_when": "2024-02-29 23:59:58", "x_on": "2024-02-29",
         "x_weight": 0.1, "x_count": -2147483648, "x_ok": True, "x_notes": "", "x_tag_ids": [(6, 0, [tag])]},
        {"x_name": "empty", "x_weight": 1e300, "x_count": 2147483647, "x_ok": False},
    ])
    archived = client.x("res.partner", "create", {"name": "Archived one", "email": "a@example.com"})
    client.x("res.partner", "write", [archived], {"active": False})
    return client


def snapshot(client: Client) -> dict[str, Any]:
    """Every record of the models above, every field, archived ones included."""
    return {model: client.x(model, "search_read", [], order="id", context={"active_test": False})
            for model in MODELS}


def test_dump_and_restore_on_one_backend(server: Server, created: list[str]) -> None:
    """The restored database holds what the original held, field for field; new records
    continue after the largest ids; the original is untouched; a restore onto a taken name is
    Odoo's "Database already exists"."""
    source, restored = new_name("s"), new_name("r")
    created += [source, restored]
    for wire in WIRES:
        db = Db(server.url, wire)
        if wire == "xmlrpc":
            assert db("create_database", MASTER, source, True, "en_US", "pw") is True
            original = fill(server.url, source, "pw")
            before = snapshot(original)
        data = db("dump", MASTER, source, "zip")
        with zipfile.ZipFile(io.BytesIO(base64.b64decode(data))) as archive:
            names = archive.namelist()
            manifest = json.loads(archive.read("manifest.json"))
        assert "tables/x_gadget.jsonl" in names and "tables/odoorpc_web_sessions.jsonl" not in names
        assert (manifest["odoo_dump"], manifest["format"], manifest["db_name"], manifest["version"]) == \
            ("1", "odoorpc-server-tables", source, "17.0")
        target = restored if wire == "xmlrpc" else restored + "j"
        created.append(target)
        assert db("restore", MASTER, target, data) is True
        assert db.refused("restore", MASTER, target, data) == ("Exception", "Database already exists")
        copy = Client(server.url, target, "admin", "pw")
        assert snapshot(copy) == before
        top = max(r["id"] for r in before["res.partner"])
        assert copy.x("res.partner", "create", {"name": "After the restore"}) == top + 1
        assert copy.x("x_gadget", "create", {"x_name": "third"}) == 3
    assert snapshot(original) == before


@pytest.fixture(scope="module")
def both(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """A SQLite server and a PostgreSQL server (only when both backends are under test)."""
    wanted = {b.strip() for b in request.config.getoption("db").split(",")}
    if not {"sqlite", "postgresql"} <= wanted:
        pytest.skip("the cross-backend restore needs --db=sqlite,postgresql")
    require_backend("postgresql")
    servers = {b: start_server(tmp_path_factory.mktemp(f"cross-{b}"), b) for b in ("sqlite", "postgresql")}
    yield servers
    for srv in servers.values():
        stop_server(srv)


def test_dump_on_one_backend_restores_on_the_other(both: dict[str, Server]) -> None:
    """A dump made on SQLite restores on PostgreSQL with the same records, and a dump of that
    one, changed there, restores back on SQLite."""
    lite, pg = both["sqlite"], both["postgresql"]
    first, second, third = new_name("x"), new_name("y"), new_name("z")
    try:
        assert Db(lite.url, "xmlrpc")("create_database", MASTER, first, True, "en_US", "pw")
        before = snapshot(fill(lite.url, first, "pw"))
        assert Db(pg.url, "jsonrpc")("restore", MASTER, second, Db(lite.url, "jsonrpc")("dump", MASTER, first, "zip"))
        on_pg = Client(pg.url, second, "admin", "pw")
        assert snapshot(on_pg) == before
        on_pg.x("x_gadget", "create", {"x_name": "made on PostgreSQL", "x_on": "2025-12-31", "x_ok": True})
        after = snapshot(on_pg)
        assert Db(lite.url, "xmlrpc")("restore", MASTER, third, Db(pg.url, "xmlrpc")("dump", MASTER, second, "zip"))
        assert snapshot(Client(lite.url, third, "admin", "pw")) == after
    finally:
        for srv, name in ((lite, first), (pg, second), (lite, third)):
            drop(srv, name)


# -- hostile archives ----------------------------------------------------------------------------------

def unpack(data: str) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(data))) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def pack(members: dict[str, bytes]) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return base64.b64encode(buffer.getvalue()).decode()


def with_manifest(members: dict[str, bytes], change: Callable[[dict[str, Any]], None]) -> dict[str, bytes]:
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    return {**members, "manifest.json": json.dumps(manifest).encode()}


def with_table(members: dict[str, bytes], table: str, change: Callable[[list[Any]], None]) -> dict[str, bytes]:
    lines = [json.loads(line) for line in members[f"tables/{table}.jsonl"].decode().splitlines()]
    change(lines)
    return {**members, f"tables/{table}.jsonl": "\n".join(json.dumps(x) for x in lines).encode() + b"\n"}


def column(members: dict[str, bytes], table: str, name: str) -> int:
    return list(json.loads(members[f"tables/{table}.jsonl"].decode().splitlines()[0])).index(name)


def nan_row(table: bytes) -> bytes:
    """The table with its first row replaced by JSON's non-standard NaN."""
    lines = table.decode().split("\n")
    lines[1] = "[NaN]"
    return "\n".join(lines).encode()


def hostile_archives(good: dict[str, bytes]) -> list[tuple[str, Any, str]]:
    """(what, base64 data, the reason the fault gives)."""
    pid = column(good, "res_partner", "id")
    head = json.loads(good["manifest.json"])["revision"]
    name = column(good, "res_partner", "name")

    def set_cell(row: int, col: int, value: Any) -> Callable[[list[Any]], None]:
        return lambda lines: lines[row].__setitem__(col, value)

    def add_table(t: str) -> dict[str, bytes]:
        members = with_manifest(good, lambda m: m["tables"].__setitem__(t, 1))
        return {**members, f"tables/{t}.jsonl": b'["id"]\n[1]\n'}

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in good.items():
            archive.writestr(member, content)
        archive.writestr("tables/x_bomb.jsonl", b" " * (100 * 1024 * 1024))
    return [
        ("not base64", "@@@ not base64 @@@", "the data is not base64"),
        ("not a zip", base64.b64encode(b"PK\x03\x04 but no zip at all").decode(), "the data is not a zip archive"),
        ("path traversal", pack({**good, "../../evil.jsonl": b"x"}),
         "unexpected member '../../evil.jsonl' in the archive"),
        ("absolute path", pack({**good, "/etc/cron.d/evil": b"x"}),
         "unexpected member '/etc/cron.d/evil' in the archive"),
        ("traversal in tables/", pack({**good, "tables/../x.jsonl": b"x"}),
         "unexpected member 'tables/../x.jsonl' in the archive"),
        ("an SQL name", pack({**good, "tables/x;drop table res_users.jsonl": b"x"}),
         "unexpected member 'tables/x;drop table res_users.jsonl' in the archive"),
        ("zip bomb", base64.b64encode(bomb.getvalue()).decode(),
         "member 'tables/x_bomb.jsonl' inflates beyond the size limits"),
        ("no manifest", pack({k: v for k, v in good.items() if k != "manifest.json"}),
         "the archive has no manifest.json"),
        ("manifest not JSON", pack({**good, "manifest.json": b"{nope"}), "manifest.json is not valid JSON"),
        ("not our format", pack(with_manifest(good, lambda m: m.__setitem__("format", "pg_dump"))),
         "manifest.json does not describe an odoorpc-server-tables dump"),
        ("another schema revision", pack(with_manifest(good, lambda m: m.__setitem__("revision", "0001"))),
         f"the dump's schema revision '0001' is not this server's ({head!r})"),
        ("unknown table", pack(add_table("evil_table")), "unknown table 'evil_table'"),
        ("a bookkeeping table", pack(add_table("odoorpc_web_sessions")), "unknown table 'odoorpc_web_sessions'"),
        ("unknown column", pack(with_table(good, "res_partner", set_cell(0, name, "evil_column"))),
         "unknown column res_partner.evil_column"),
        ("text for an integer", pack(with_table(good, "res_partner", set_cell(1, pid, "1; DROP TABLE res_users"))),
         "wrong type for res_partner.id: str '1; DROP TABLE res_users'"),
        ("an integer beyond 32 bits", pack(with_table(good, "res_partner", set_cell(1, pid, 2**40))),
         "wrong type for res_partner.id: int '1099511627776'"),
        ("a number for text", pack(with_table(good, "res_partner", set_cell(1, name, 42))),
         "wrong type for res_partner.name: int '42'"),
        ("a nested value", pack(with_table(good, "res_partner", set_cell(1, name, {"a": 1}))),
         "tables/res_partner.jsonl line 2 holds a value that is not a scalar"),
        ("a short row", pack(with_table(good, "res_partner", lambda lines: lines[1].pop())), ""),
        ("NaN", pack({**good, "tables/res_partner.jsonl": nan_row(good["tables/res_partner.jsonl"])}), ""),
        ("row counts that lie", pack(with_manifest(good, lambda m: m["tables"].__setitem__("res_partner", 1))), ""),
    ]


def test_hostile_archives_are_refused_and_create_nothing(server: Server) -> None:
    """Each hostile archive answers a clear fault, and no database (no file, no PostgreSQL
    database) is left behind."""
    db = Db(server.url, "xmlrpc")
    good = unpack(db("dump", MASTER, server.db, "zip"))
    partners = len(good["tables/res_partner.jsonl"].decode().splitlines())
    columns = len(json.loads(good["tables/res_partner.jsonl"].decode().splitlines()[0]))
    expected_tail = {
        "a short row": f"tables/res_partner.jsonl line 2 does not hold {columns} values",
        "NaN": "tables/res_partner.jsonl line 2 is not valid JSON",
        "row counts that lie": f"table 'res_partner': the manifest announces 1 rows, the archive holds "
                               f"{partners - 1}",
    }
    target = new_name("h")
    for what, data, reason in hostile_archives(good):
        reason = reason or expected_tail[what]
        for wire in WIRES:
            answer = Db(server.url, wire).refused("restore", MASTER, target, data)
            assert answer == ("Exception", f"Couldn't restore database: {reason}"), what
        assert db("db_exist", target) is False and target not in db("list"), what
        assert not leftovers(server, target), what
    assert db("restore", MASTER, target, pack(good)) is True  # the untouched archive restores
    try:
        assert Client(server.url, target).x("res.partner", "search_count", []) == \
            Client(server.url, server.db).x("res.partner", "search_count", [])
    finally:
        drop(server, target)


def test_restore_of_a_huge_text_is_refused(tmp_path: Path) -> None:
    """In-process: a base64 text beyond the archive limit is refused before it is decoded (over
    HTTP the body limit answers first)."""
    from odoorpc_server import master_password
    from odoorpc_server.services import db
    from odoorpc_server.services.app import App
    from odoorpc_server.settings import Settings

    stored = master_password.resolve(tmp_path, MASTER, 1000)
    app = App(Settings(data_dir=str(tmp_path), password_rounds=1000, master_password_file=str(stored.path)))
    with pytest.raises(Exception) as refused:
        db.restore(app, MASTER, "huge", "A" * (db.MAX_BASE64 + 2048))
    assert str(refused.value) == ("Couldn't restore database: the data is not the base64 text of a zip of at "
                                  "most 67108864 bytes")
    assert app.backend.list() == [] and not (tmp_path / "huge.sqlite3").exists()


def test_odoorpc_database_workflow(server: Server, created: list[str]) -> None:
    """OCA odoorpc's `odoo.db` (JSON-RPC, its own argument lists): create, duplicate, dump
    (a file object of the zip), restore from that file object, drop, change_password."""
    import odoorpc

    host, port = server.url.removeprefix("http://").split(":")
    odoo = odoorpc.ODOO(host, port=int(port), timeout=120)
    name, copy, restored = new_name("p"), new_name("pc"), new_name("pr")
    created += [name, copy, restored]
    odoo.db.create(MASTER, name, demo=True, lang="en_US", admin_password="pw")
    assert name in odoo.db.list()
    odoo.db.duplicate(MASTER, name, copy)
    dump = odoo.db.dump(MASTER, copy)
    assert zipfile.is_zipfile(dump)
    dump.seek(0)
    odoo.db.restore(MASTER, restored, dump)
    odoo.login(restored, "admin", "pw")
    assert odoo.env.user.name == "Mitchell Admin"
    assert odoo.db.drop(MASTER, copy) is True and copy not in odoo.db.list()
    with pytest.raises(odoorpc.error.RPCError) as refused:
        odoo.db.change_password("wrong", "x")
    assert str(refused.value) == "Access Denied"


def zip_of(*members: tuple[zipfile.ZipInfo | str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for info, content in members:
            archive.writestr(info, content)
    return buffer.getvalue()


def encrypted(data: bytes, member: bytes) -> bytes:
    """The archive with `member` flagged as encrypted in the central directory (zipfile
    itself never writes that flag)."""
    raw = bytearray(data)
    start = raw.find(b"PK\x01\x02")
    while start != -1:
        length = int.from_bytes(raw[start + 28:start + 30], "little")
        if raw[start + 46:start + 46 + length] == member:
            raw[start + 8] |= 0x1
        start = raw.find(b"PK\x01\x02", start + 4)
    return bytes(raw)


MANIFEST = json.dumps({"format": "odoorpc-server-tables", "format_version": 1, "revision": "r",
                       "tables": {"t": 1}}).encode()


def test_archive_limits_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process, the reader's other refusals: too many members, members inflating beyond the
    whole archive's budget, encrypted or oddly compressed members, a member twice."""
    import warnings

    from odoorpc_server.storage import dump

    def reason(data: bytes) -> str:
        with pytest.raises(dump.DumpError) as refused:
            dump.read(data)
        return str(refused.value)

    table = ("tables/t.jsonl", b'["id"]\n[1]\n')
    assert dump.read(zip_of(("manifest.json", MANIFEST), table)).tables == {"t": (["id"], [[1]])}

    monkeypatch.setattr(dump, "MAX_MEMBERS", 2)
    assert reason(zip_of(("manifest.json", MANIFEST), table, ("tables/u.jsonl", b""))) == \
        "the archive has more than 2 members"
    monkeypatch.undo()

    monkeypatch.setattr(dump, "MAX_TOTAL", len(MANIFEST) + 5)
    assert reason(zip_of(("manifest.json", MANIFEST), table)) == \
        "member 'tables/t.jsonl' inflates beyond the size limits"
    monkeypatch.undo()

    assert reason(encrypted(zip_of(("manifest.json", MANIFEST), table), b"tables/t.jsonl")) == \
        "member 'tables/t.jsonl' is encrypted"
    assert reason(zip_of(("manifest.json", MANIFEST), table, compression=zipfile.ZIP_BZIP2)) == \
        "member 'manifest.json' uses an unsupported compression"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name it is asked to write
        twice = zip_of(("manifest.json", MANIFEST), table, table)
    assert reason(twice) == "member 'tables/t.jsonl' appears twice in the archive"
    assert reason(b"x" * (dump.MAX_ARCHIVE + 1)) == f"the archive is larger than {dump.MAX_ARCHIVE} bytes"
