"""Column indexes as Odoo declares them: one per indexed field, named `<table>__<column>_index`.

Kinds (a field's `index` in data/models.json; manual fields take `index` of their
ir.model.fields row, which makes a plain index):

- `btree` (Odoo's `index=True`): a plain index;
- `btree_not_null`: a partial index on the rows that have a value (most many2ones are empty);
- `trigram`: on PostgreSQL a GIN index with `gin_trgm_ops`, which `ilike '%x%'` (compiled as
  `CAST(col AS TEXT) ILIKE`, a cast the planner sees through) can use instead of a full scan.
  Without the pg_trgm extension (it cannot be created) the index is a plain one, logged once.

SQLite has plain indexes only, every kind becoming one. Names reach DDL only quoted, after the
registry's identifier check; the indexes are created `IF NOT EXISTS`, so a start may run this
again and again.
"""
from __future__ import annotations

import json
import logging
import zlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from odoorpc_server.orm.fields import Field
    from odoorpc_server.orm.registry import Model, Registry

log = logging.getLogger(__name__)

MODELS_JSON = Path(__file__).resolve().parents[1] / "data" / "models.json"
KINDS = ("btree", "btree_not_null", "trigram")
_warned: set[str] = set()


@lru_cache(maxsize=1)
def declared() -> dict[tuple[str, str], str]:
    """The index kind of every base field models.json declares indexed: `true` is a btree."""
    models = json.loads(MODELS_JSON.read_text(encoding="utf-8"))["models"]
    found: dict[tuple[str, str], str] = {}
    for model, spec in models.items():
        for name, f in spec["fields"].items():
            value = f.get("index")
            if value:
                kind = "btree" if value is True else str(value)
                if kind not in KINDS:
                    raise ValueError(f"unknown index kind {value!r} on {model}.{name}")
                found[(model, name)] = kind
    return found


def kind_for(model: str, name: str, indexed: bool, base: bool) -> str | None:
    """A field's index kind from its ir.model.fields row: a base field's as models.json declares
    it, a manual field's a btree (the row's `index` is the one switch for both)."""
    if not indexed:
        return None
    return declared().get((model, name), "btree") if base else "btree"


def index_name(table: str, column: str) -> str:
    """Odoo's name for a column's index, shortened to PostgreSQL's 63 characters with a checksum
    of the whole name when longer."""
    name = f"{table}__{column}_index"
    if len(name) > 63:
        name = f"{name[:54]}_{zlib.crc32(name.encode()):08x}"
    return name


def legacy_name(table: str, column: str) -> str:
    """The name earlier versions of this server gave a column's index."""
    return f"ix_{table}_{column}"


def existing(conn: Connection) -> set[str]:
    """The names of the indexes the database holds (in the current schema on PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    return set(conn.execute(sa.text(query)).scalars())


def has_trigram(conn: Connection) -> bool:
    """Whether GIN trigram indexes can be made: pg_trgm is installed, or can be (in a savepoint,
    so that a refusal leaves the transaction usable)."""
    if conn.dialect.name != "postgresql":
        return False
    installed = "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"
    if conn.execute(sa.text(installed)).first():
        return True
    try:
        with conn.begin_nested():
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        return True
    except sa.exc.DBAPIError as error:
        if "pg_trgm" not in _warned:
            _warned.add("pg_trgm")
            log.warning("pg_trgm is not available (%s): trigram indexes are plain ones", error.orig)
        return False


def ddl(dialect: sa.Dialect, table: str, column: str, kind: str, trigram: bool) -> str:
    """The CREATE INDEX statement of one column's index (identifiers quoted by the dialect); a
    trigram index without pg_trgm (`trigram` False) is a plain one."""
    quote = dialect.identifier_preparer.quote
    name, tab, col = quote(index_name(table, column)), quote(table), quote(column)
    if kind == "trigram" and trigram:
        return f"CREATE INDEX IF NOT EXISTS {name} ON {tab} USING gin (({col}) gin_trgm_ops)"
    where = f" WHERE {col} IS NOT NULL" if kind == "btree_not_null" else ""
    return f"CREATE INDEX IF NOT EXISTS {name} ON {tab} ({col}){where}"


def indexed(model: Model) -> list[Field]:
    """The fields of a model that have a column and an index."""
    return [f for f in [*model.fields.values(), *model.hidden.values()]
            if f.stored and f.name != "id" and f.index_kind]


def create(conn: Connection, model: Model, f: Field) -> None:
    """The index of one field (a new column, or a manual field whose `index` was set)."""
    if f.index_kind and f.stored:
        trigram = f.index_kind == "trigram" and has_trigram(conn)
        conn.exec_driver_sql(ddl(conn.dialect, model.table_name, f.name, f.index_kind, trigram))


def drop(conn: Connection, model: Model, column: str) -> None:
    """The index of a column, under either name (before the column goes, or when `index` is unset)."""
    quote = conn.dialect.identifier_preparer.quote
    for name in (index_name(model.table_name, column), legacy_name(model.table_name, column)):
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {quote(name)}")


def _columns(conn: Connection, table: str, known: dict[str, set[str]]) -> set[str]:
    """The columns of `table`; on PostgreSQL those of every table are read at the first call,
    in one catalog query instead of the inspector's three per table (a new database asks for
    most of its tables)."""
    if conn.dialect.name != "postgresql":
        return {c["name"] for c in sa.inspect(conn).get_columns(table)}
    if not known:
        known[""] = set()  # read once, even when the schema has no table
        for tab, col in conn.execute(sa.text(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema()")):
            known.setdefault(tab, set()).add(col)
    return known.get(table, set())


def ensure(conn: Connection, registry: Registry) -> list[str]:
    """Every declared index the database lacks, created; indexes under the earlier names replaced
    (an index of a field not declared indexed is left alone, as Odoo keeps it). Returns the
    names created (none on a database that has them all)."""
    present = existing(conn)
    created: list[str] = []
    trigram: bool | None = None
    known: dict[str, set[str]] = {}
    for model in registry.models.values():
        table = model.table_name
        fields = indexed(model)
        missing = [f for f in fields if index_name(table, f.name) not in present]
        if missing:
            columns = _columns(conn, table, known)
            for f in missing:
                if f.name not in columns:
                    continue
                if trigram is None and f.index_kind == "trigram":
                    trigram = has_trigram(conn)
                conn.exec_driver_sql(ddl(conn.dialect, table, f.name, f.index_kind or "btree", bool(trigram)))
                created.append(index_name(table, f.name))
        for f in fields:  # an index under the earlier name goes once its successor exists
            old = legacy_name(table, f.name)
            if old in present and (index_name(table, f.name) in present or index_name(table, f.name) in created):
                conn.exec_driver_sql(f"DROP INDEX IF EXISTS {conn.dialect.identifier_preparer.quote(old)}")
    return created
