"""What a database holds, read directly from its storage (not through the server), so that a
test can prove that a refused call changed nothing: tables, their columns and every row."""
from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa

from conftest import PG_URL, Server


def engine(server: Server) -> sa.Engine:
    if server.backend == "postgresql":
        return sa.create_engine(f"{PG_URL}/{server.db}", poolclass=sa.pool.NullPool)
    return sa.create_engine(f"sqlite:///{server.data_dir / f'{server.db}.sqlite3'}", poolclass=sa.pool.NullPool)


# bookkeeping that legitimately moves on a refused call (nothing of a client's data)
VOLATILE_TABLES = frozenset({"odoorpc_login_failure", "odoorpc_login_failures"})


def snapshot(server: Server) -> dict[str, Any]:
    """Every table with its columns and a digest of all its rows, ordered."""
    eng = engine(server)
    state: dict[str, Any] = {}
    try:
        with eng.connect() as conn:
            inspector = sa.inspect(conn)
            for name in sorted(inspector.get_table_names()):
                if name in VOLATILE_TABLES:
                    continue
                columns = [c["name"] for c in inspector.get_columns(name)]
                table = sa.table(name, *(sa.column(c) for c in columns))
                rows = conn.execute(sa.select(table).order_by(*(table.c[c] for c in columns))).all()
                digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
                state[name] = (tuple(columns), len(rows), digest)
    finally:
        eng.dispose()
    return state


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Tables that differ between two snapshots (empty when nothing changed)."""
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
