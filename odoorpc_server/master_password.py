"""The db service's master password: there is no default, and only its hash is ever kept.

The config file (`serve --config FILE`, default `<data-dir>/odoorpc-server.conf`) holds its hash:

    [options]
    master_password = $pbkdf2-sha512$...      (Odoo's own key, `admin_passwd`, is read too)
    list_db = False                            (optional: Odoo's switch for the database list)

`serve --master-password P` stores the hash of P there at start. When neither exists, the first
start generates one, prints it once and stores its hash (the file is created with mode 0600). A
clear value written into the file by an operator is replaced by its hash on the next start, as
Odoo hashes its `admin_passwd`.

The file is the one place the password lives: every check reads it again (when it changed on
disk), so `change_admin_password` in one worker is seen by every worker and every server
sharing the file at their next check.
"""
from __future__ import annotations

import configparser
import logging
import os
import secrets
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

from odoorpc_server.security import hash_password

log = logging.getLogger(__name__)

CONFIG_NAME = "odoorpc-server.conf"
SECTION = "options"
KEY = "master_password"
ODOO_KEY = "admin_passwd"
LIST_DB = "list_db"
HASH_PREFIX = "$pbkdf2-sha512$"
HEADER = "# odoorpc-server settings; master_password holds a pbkdf2 hash, never the password\n"


@dataclass(frozen=True)
class MasterPassword:
    hash: str
    path: Path  # the config file holding it
    generated: str | None = None  # the clear password, only when this start generated it
    given_on_command_line: bool = False


def config_path(data_dir: str | Path) -> Path:
    return (Path(data_dir) / CONFIG_NAME).resolve()


def resolve(data_dir: str | Path, given: str | None, rounds: int, config: str | Path | None = None,
            ) -> MasterPassword:
    """The master password's hash for this start, from the command line or the config file
    (`config`, else the data directory's), where it is stored in every case."""
    path = Path(config).resolve() if config else config_path(data_dir)
    if given:
        hashed = hash_password(given, rounds)
        if not _store(path, hashed):  # created by another server meanwhile: ours replaces it
            _store(path, hashed)
        return MasterPassword(hashed, path, given_on_command_line=True)
    stored = _stored(_read(path))
    if not stored:
        clear = secrets.token_urlsafe(18)
        hashed = hash_password(clear, rounds)
        if _store(path, hashed):
            return MasterPassword(hashed, path, clear)
        stored = _stored(_read(path)) or ""  # another server wrote it first
    if not stored.startswith(HASH_PREFIX):
        stored = hash_password(stored, rounds)
        _store(path, stored)
    return MasterPassword(stored, path)


def _key(parser: configparser.ConfigParser) -> str:
    """The key the file uses: Odoo's `admin_passwd` when present, else ours."""
    return ODOO_KEY if parser.has_option(SECTION, ODOO_KEY) else KEY


def _stored(parser: configparser.ConfigParser) -> str | None:
    return parser.get(SECTION, _key(parser), fallback=None)


def list_db(path: Path) -> bool:
    """Odoo's `list_db` option of the config file (True when absent)."""
    value = _read(path).get(SECTION, LIST_DB, fallback="True").strip().lower()
    return value not in ("false", "0", "no", "off", "")


_current: dict[Path, tuple[tuple[int, int, int], str]] = {}
_current_lock = threading.Lock()


def current(path: Path) -> str:
    """The hash stored now ('' when none, or a clear value not yet hashed: nothing matches it).
    The file is parsed again only when it changed on disk."""
    try:
        st = path.stat()
    except OSError:
        return ""
    signature = (st.st_mtime_ns, st.st_size, st.st_ino)
    with _current_lock:
        found = _current.get(path)
    if found is not None and found[0] == signature:
        return found[1]
    stored = _stored(_read(path)) or ""
    stored = stored if stored.startswith(HASH_PREFIX) else ""
    with _current_lock:
        _current[path] = (signature, stored)
    return stored


def change(path: Path, new_password: str, rounds: int) -> None:
    """Store the hash of a new master password (Odoo's change_admin_password)."""
    _store(path, hash_password(new_password, rounds))


def _read(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    if path.exists():
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            log.warning("%s is readable by other users; it should have mode 0600", path)
        parser.read(path, encoding="utf-8")
    return parser


def _store(path: Path, hashed: str) -> bool:
    """Write the hash into the config file (mode 0600), keeping its other settings. A file
    that does not exist yet is created exclusively: False when another process won."""
    parser = _read(path)
    if not parser.has_section(SECTION):
        parser.add_section(SECTION)
    parser.set(SECTION, _key(parser), hashed)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        try:
            _write(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), parser)
        except FileExistsError:
            return False
        return True
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    temporary.unlink(missing_ok=True)
    _write(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), parser)
    os.replace(temporary, path)
    return True


def _write(fd: int, parser: configparser.ConfigParser) -> None:
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(HEADER)
        parser.write(out)
