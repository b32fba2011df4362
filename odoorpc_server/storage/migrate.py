"""Schema of the server's own metadata tables, versioned with Alembic in `migrations/`.

Alembic (and Mako with it) costs a few hundred milliseconds to import, and almost every start
finds its databases at the newest revision already. So whether a database is current is
answered without Alembic: the revision stored in `odoorpc_alembic_version` is compared with the
head of the revision files, read from their `revision = ...` / `down_revision = ...` lines.
Alembic is imported only when a database is behind.

A new (empty) database is not taken through every revision either: `head/<dialect>.json` holds
the statements that leave an empty database exactly as the migrations leave it at the head
(the schema the migrations made, as the database itself reports it, and the rows they
inserted), written by `tools/write_schema_heads.py` and compared with a real run of the
migrations by the tests. It is used only while it names the head revision; otherwise the
migrations run, as for any database that is behind.
"""
from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from odoorpc_server.storage.database import run_statements

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


@cache
def head_statements(dialect: str) -> tuple[str, ...] | None:
    """The statements that make an empty `dialect` database current, when the stored snapshot
    is of the head revision (None otherwise: the migrations must run)."""
    path = MIGRATIONS.joinpath("head").joinpath(f"{dialect}.json")
    if not path.is_file():
        return None
    snapshot = json.loads(path.read_text(encoding="utf-8"))
    return tuple(snapshot["statements"]) if snapshot["revision"] == head() else None


def upgrade(conn: Connection, replay: bool = False) -> None:
    """Bring the metadata tables of one database to the newest revision (nothing to do, and no
    Alembic import, when it is there). An empty database gets the head snapshot, unless
    `replay` asks for the migrations themselves (the tests compare the two)."""
    found = current(conn)
    if found == head():
        return
    statements = None if replay or found is not None or has_tables(conn) else head_statements(conn.dialect.name)
    if statements is not None:
        pyformat = conn.dialect.paramstyle in ("format", "pyformat")  # the driver's text: % doubled
        run_statements(conn, [s.replace("%", "%%") for s in statements] if pyformat else list(statements))
        return
    migrate(conn)


def has_tables(conn: Connection) -> bool:
    """Whether the database holds any table (a snapshot is for an empty one only)."""
    if conn.dialect.name == "postgresql":
        query = "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public')"
    else:
        query = "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table')"
    return bool(conn.exec_driver_sql(query).scalar())


def migrate(conn: Connection) -> None:
    """`alembic upgrade head` on this connection."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
