"""Schema of the server's own metadata tables, versioned with Alembic in `migrations/`.

Alembic (and Mako with it) costs a few hundred milliseconds to import, and almost every start
finds its databases at the newest revision already. So whether a database is current is
answered without Alembic: the revision stored in `odoorpc_alembic_version` is compared with the
head of the revision files, read from their `revision = ...` / `down_revision = ...` lines.
Alembic is imported only when a database is behind (or new).
"""
from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

import sqlalchemy as sa
from sqlalchemy.engine import Connection

# the top-level `migrations/` directory, installed as this subpackage (see pyproject.toml)
MIGRATIONS = files("odoorpc_server.migrations")
VERSION_TABLE = "odoorpc_alembic_version"
_REVISION = re.compile(r"""^(revision|down_revision)\s*(?::[^=]*)?=\s*(?:["']([^"']+)["']|None)\s*$""", re.M)


@cache
def head() -> str:
    """The newest revision: the one no other revision file names as its `down_revision`. A
    branched history (two heads) is refused, as `alembic upgrade head` would refuse it."""
    revisions: dict[str, str | None] = {}
    for entry in MIGRATIONS.joinpath("versions").iterdir():
        if not entry.name.endswith(".py") or entry.name.startswith("_"):
            continue
        found = dict((m.group(1), m.group(2)) for m in _REVISION.finditer(entry.read_text(encoding="utf-8")))
        if "revision" in found and found["revision"]:
            revisions[found["revision"]] = found.get("down_revision")
    heads = set(revisions) - {down for down in revisions.values() if down}
    if len(heads) != 1:
        raise RuntimeError(f"the metadata migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def current(conn: Connection) -> str | None:
    """The revision a database is at; None for a database without our metadata tables yet.
    Reads the catalog first, so an empty database costs no failed statement (which would end
    a PostgreSQL transaction)."""
    if conn.dialect.name == "postgresql":
        present = conn.execute(sa.text("SELECT to_regclass(:t) IS NOT NULL"), {"t": VERSION_TABLE}).scalar_one()
    else:
        present = conn.execute(sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :t"),
                               {"t": VERSION_TABLE}).first() is not None
    if not present:
        return None
    found = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return str(found) if found is not None else None


def is_current(conn: Connection) -> bool:
    return current(conn) == head()


def upgrade(conn: Connection) -> None:
    """Bring the metadata tables of one database to the newest revision (nothing to do, and no
    Alembic import, when it is there)."""
    if is_current(conn):
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
