"""A new database is made current from the migrations' head snapshot (`migrations/head/*.json`)
instead of by running every revision through Alembic: the snapshot must leave it exactly as the
migrations do (the schema as the database reports it, and every row), on both backends, and must
name the head revision (after a new revision: `tools/write_schema_heads.py`)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import PG_URL, require_backend
from odoorpc_server.storage import migrate
from odoorpc_server.storage.database import Backend

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from write_schema_heads import migrated, statements  # noqa: E402

HEADS = Path(__file__).resolve().parents[1] / "migrations" / "head"


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_snapshots_name_the_head(dialect: str) -> None:
    snapshot = json.loads((HEADS / f"{dialect}.json").read_text())
    assert snapshot["revision"] == migrate.head(), "run tools/write_schema_heads.py after adding a revision"
    assert migrate.head_statements(dialect) == tuple(snapshot["statements"])


def test_a_snapshot_database_is_the_migrated_one(backend: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    require_backend(backend)
    storage = Backend(tmp_path, PG_URL if backend == "postgresql" else None)
    replayed = migrated(storage, replay=True)
    with monkeypatch.context() as patched:  # the snapshot's database is made without the migrations
        patched.setattr(migrate, "migrate", lambda conn: pytest.fail("the migrations ran for a new database"))
        snapshot = migrated(storage, replay=False)
    try:
        made = statements(storage, snapshot)
        # as sets: the migrations create a table's indexes in no fixed order (SQLite lists them so)
        assert sorted(made) == sorted(statements(storage, replayed)) and len(set(made)) == len(made)
        assert f"INSERT INTO odoorpc_alembic_version (version_num) VALUES ('{migrate.head()}')" in made
    finally:
        for name in (replayed, snapshot):
            storage.drop(name)
        storage.dispose()


def test_a_database_with_tables_is_never_given_the_snapshot(backend: str, tmp_path: Path) -> None:
    """A database without our version table but holding tables (not ours, or half made) is left
    to the migrations, which refuse or complete it; the snapshot is for empty databases only."""
    require_backend(backend)
    storage = Backend(tmp_path, PG_URL if backend == "postgresql" else None)
    name = migrated(storage, replay=True)
    try:
        with storage.transaction(name) as conn:
            conn.exec_driver_sql("DELETE FROM odoorpc_alembic_version")
            assert migrate.current(conn) is None and migrate.has_tables(conn)
        with storage.transaction(name) as conn, \
                pytest.raises(sa.exc.DatabaseError, match=r'(table|relation) "?ir_model"? already exists'):
            migrate.upgrade(conn)  # the migrations, from the first revision: its tables exist
    finally:
        storage.drop(name)
        storage.dispose()
