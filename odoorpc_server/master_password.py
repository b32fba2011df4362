"""The db service's master password: there is no default, and only its hash is ever kept.

`serve --master-password P` gives it for the life of the process (hashed at once). Otherwise
the data directory's config file holds its hash:

    [options]
    master_password = $pbkdf2-sha512$...

When neither exists, the first start generates one, prints it once and stores its hash (the
file is created with mode 0600). A clear value written into the file by an operator is
replaced by its hash on the next start, as Odoo hashes its `admin_passwd`.
"""
from __future__ import annotations

import configparser
import logging
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from odoorpc_server.security import hash_password

log = logging.getLogger(__name__)

CONFIG_NAME = "odoorpc-server.conf"
SECTION = "options"
KEY = "master_password"
HASH_PREFIX = "$pbkdf2-sha512$"
HEADER = "# odoorpc-server settings; master_password holds a pbkdf2 hash, never the password\n"


@dataclass(frozen=True)
class MasterPassword:
    hash: str
    path: Path | None  # the config file holding it; None when given on the command line
    generated: str | None = None  # the clear password, only when this start generated it


def config_path(data_dir: str | Path) -> Path:
    return (Path(data_dir) / CONFIG_NAME).resolve()


def resolve(data_dir: str | Path, given: str | None, rounds: int) -> MasterPassword:
    """The master password's hash for this start, from the command line or the config file."""
    if given:
        return MasterPassword(hash_password(given, rounds), None)
    path = config_path(data_dir)
    stored = _read(path).get(SECTION, KEY, fallback=None)
    if not stored:
        clear = secrets.token_urlsafe(18)
        hashed = hash_password(clear, rounds)
        if _store(path, hashed):
            return MasterPassword(hashed, path, clear)
        stored = _read(path).get(SECTION, KEY, fallback="")  # another server wrote it first
    if not stored.startswith(HASH_PREFIX):
        stored = hash_password(stored, rounds)
        _store(path, stored)
    return MasterPassword(stored, path)


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
    parser.set(SECTION, KEY, hashed)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        try:
            _write(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), parser)
        except FileExistsError:
            return False
        return True
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.unlink(missing_ok=True)
    _write(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), parser)
    os.replace(temporary, path)
    return True


def _write(fd: int, parser: configparser.ConfigParser) -> None:
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(HEADER)
        parser.write(out)
