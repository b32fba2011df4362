"""Write the head snapshots of the metadata migrations (`migrations/head/<dialect>.json`): what an
empty database holds once `alembic upgrade head` has run on it, as statements that make another
empty database the same without Alembic (see `odoorpc_server.storage.migrate`).

usage: .venv/bin/python tools/write_schema_heads.py [--db-url postgresql+psycopg://root@127.0.0.1:5432]

Run it after adding a revision (a test fails until the snapshots name the new head). The schema
is read back from the database itself: SQLite's own `sqlite_master` text, PostgreSQL's
`pg_dump --schema-only` (without owners, privileges, comments or session settings); the rows the
migrations inserted follow as INSERT statements. The tests use `statements` here to compare a
database made from the snapshot with one the migrations made.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import tempfile
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from odoorpc_server.storage import migrate
from odoorpc_server.storage.database import Backend

HEADS = Path(__file__).resolve().parents[1] / "migrations" / "head"
# what pg_dump prints besides the schema: comments, session settings, psql meta-commands
_NOT_SCHEMA = re.compile(r"^(--|SET |SELECT pg_catalog\.set_config|\\)")


def literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"a migration inserted a {type(value).__name__}: teach literal() to write it")


def sqlite_schema(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [sql for (sql,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]


def pg_schema(db_url: str, name: str) -> list[str]:
    url = sa.engine.make_url(db_url)
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    args = ["pg_dump", "--schema-only", "--no-owner", "--no-privileges", "--no-comments", "--no-tablespaces",
            "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres", name]
    text = subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout
    kept = "\n".join(line for line in text.splitlines() if line.strip() and not _NOT_SCHEMA.match(line))
    return [part.strip().rstrip(";") for part in kept.split(";\n") if part.strip().rstrip(";")]


def rows(backend: Backend, name: str) -> list[str]:
    """INSERT statements of every row in the database (the migrations' own rows)."""
    out = []
    with backend.transaction(name, write=False) as conn:
        for table in sorted(sa.inspect(conn).get_table_names()):
            quoted = conn.dialect.identifier_preparer.quote(table)
            result = conn.exec_driver_sql(f"SELECT * FROM {quoted} ORDER BY 1")
            columns = ", ".join(conn.dialect.identifier_preparer.quote(c) for c in result.keys())
            out += [f"INSERT INTO {quoted} ({columns}) VALUES ({', '.join(literal(v) for v in row)})"
                    for row in result]
    return out


def statements(backend: Backend, name: str) -> list[str]:
    """The schema, then the rows, of database `name`."""
    schema = sqlite_schema(backend.data_dir / f"{name}.sqlite3") if backend.is_sqlite \
        else pg_schema(backend.db_url or "", name)
    return [*schema, *rows(backend, name)]


def migrated(backend: Backend, replay: bool) -> str:
    """A new database brought to the head by the migrations (`replay`) or by the snapshot."""
    name = f"heads{uuid.uuid4().hex[:10]}"
    backend.create(name)
    with backend.transaction(name) as conn:
        migrate.upgrade(conn, replay=replay)
    return name


def write(backend: Backend) -> Path:
    name = migrated(backend, replay=True)
    try:
        found = statements(backend, name)
    finally:
        backend.drop(name)
    dialect = "sqlite" if backend.is_sqlite else "postgresql"
    path = HEADS / f"{dialect}.json"
    path.write_text(json.dumps({"revision": migrate.head(), "statements": found}, indent=1) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db-url", default="postgresql+psycopg://root@127.0.0.1:5432")
    args = parser.parse_args()
    HEADS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for backend in (Backend(tmp), Backend(tmp, args.db_url)):
            print(f"wrote {write(backend)}")
            backend.dispose()


if __name__ == "__main__":
    main()
