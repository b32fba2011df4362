"""The master password of the db service has no default (ours): it comes from
`--master-password`, or from the data directory's config file, where the first start stores
the hash of a generated password it prints once. A wrong or empty one is refused with
Access Denied, as Odoo's check_super refuses it."""
from __future__ import annotations

import re
import stat
import uuid
import xmlrpc.client
from pathlib import Path
from typing import Any

from conftest import Server, require_backend, start_server, stop_server

BANNER = re.compile(r"master password for the db service: (\S+), stored hashed in (\S+)")
HASH_LINE = re.compile(r"^master_password = \$pbkdf2-sha512\$\d+\$[./A-Za-z0-9]+\$[./A-Za-z0-9]+$", re.M)


def db_service(server: Server) -> Any:
    return xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/db")


def refused(fn: Any, *args: Any) -> bool:
    """True when the call answered Odoo's Access Denied fault."""
    try:
        fn(*args)
    except xmlrpc.client.Fault as f:
        assert (f.faultCode, f.faultString) == (3, "Access Denied")
        return True
    return False


def files_holding(directory: Path, secret: str) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def test_no_default_master_password(backend: str, tmp_path: Path) -> None:
    """Ours: without `--master-password`, "admin" is refused; a generated password is printed
    once, accepted, stored only hashed (mode 0600) and accepted again after a restart."""
    require_backend(backend)
    logs, data = tmp_path / "logs", tmp_path / "data"
    logs.mkdir()
    first = start_server(logs, backend, ["--data-dir", str(data)], master_password=None)
    try:
        password = check_first_start(first, data)
    finally:
        first.proc.terminate()
        first.proc.wait(15)
    again = start_server(logs, backend, ["--data-dir", str(data)], master_password=None, database=first.db)
    try:
        assert BANNER.search(again.log.read_text()) is None and password not in again.log.read_text()
        db = db_service(again)
        assert refused(db.list_countries, "admin")
        assert ["be", "Belgium"] in db.list_countries(password)
        assert files_holding(data, password) == []
    finally:
        stop_server(again)


def check_first_start(first: Server, data: Path) -> str:
    """What the first start without a master password must show; returns the generated one."""
    db = db_service(first)
    for wrong in ("admin", "", "Admin", "x" * 10_000):
        assert refused(db.list_countries, wrong)
    other = f"n{uuid.uuid4().hex[:8]}"
    assert refused(db.create_database, "admin", other, False, "en_US", "pw")
    assert refused(db.drop, "admin", first.db)
    assert other not in db.list() and db.db_exist(other) is False
    assert db.db_exist(first.db) is True

    found = BANNER.search(first.log.read_text())
    assert found is not None, first.log.read_text()
    password, where = found.groups()
    conf = data / "odoorpc-server.conf"
    assert Path(where) == conf.resolve()
    assert ["be", "Belgium"] in db.list_countries(password)
    assert db.drop(password, f"missing{uuid.uuid4().hex[:6]}") is False
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600
    assert len(HASH_LINE.findall(conf.read_text())) == 1
    assert files_holding(data, password) == []
    return password


def test_command_line_master_password(server: Server) -> None:
    """Ours: `--master-password` (the harness passes "admin") is the only one accepted; only
    its hash is stored, in the config file every worker reads (change_admin_password changes
    it there)."""
    db = db_service(server)
    assert ["be", "Belgium"] in db.list_countries("admin")
    for wrong in ("", "admin ", "ADMIN", False):
        assert refused(db.list_countries, wrong)
        assert refused(db.drop, wrong, server.db)
    assert db.db_exist(server.db) is True
    conf = server.data_dir / "odoorpc-server.conf"
    assert len(HASH_LINE.findall(conf.read_text())) == 1 and stat.S_IMODE(conf.stat().st_mode) == 0o600
    assert "= admin\n" not in conf.read_text()


def test_config_file_password_written_in_clear_is_hashed_at_start(backend: str, tmp_path: Path) -> None:
    """Ours: an operator may write `master_password = <clear>` into the config file; the next
    start replaces it by its hash and accepts it."""
    require_backend(backend)
    conf = tmp_path / "odoorpc-server.conf"
    conf.write_text("[options]\nmaster_password = chosen-by-the-operator\n")
    conf.chmod(0o600)
    srv = start_server(tmp_path, backend, master_password=None)
    try:
        assert BANNER.search(srv.log.read_text()) is None
        assert ["be", "Belgium"] in db_service(srv).list_countries("chosen-by-the-operator")
        assert refused(db_service(srv).list_countries, "admin")
        assert len(HASH_LINE.findall(conf.read_text())) == 1
        assert "chosen-by-the-operator" not in conf.read_text()
    finally:
        stop_server(srv)
