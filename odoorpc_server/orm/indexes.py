"""Column indexes as Odoo declares them: one per indexed field, named `<table>__<column>_index`.

Kinds (a field's `index` in data/models.json; manual fields take `index` of their
ir.model.fields row, which makes a plain index):

- `btree` (Odoo's `index=True`): a plain index;
- `btree_not_null`: a partial index on the rows that have a value (most many2ones are empty);
- `trigram`: on PostgreSQL a GIN index with `gin_trgm_ops`, which `ilike '%x%'` (compiled as
  `CAST(col AS TEXT) ILIKE`, a cast the planner sees through) can use instead of a full scan.
  Without the pg_trgm extension (it cannot be created) the index is a plain one, logged once.

A model may also declare (res.partner does both), for PostgreSQL:

- `"order_index": true`: a btree index of its default order's columns, in the order's directions,
  named `<table>__<columns>_order_index`. A search that orders by the default order and wants a
  page (search_read 80, name_search) then walks that index and stops after the page, instead of
  sorting every matching row: without it a million partners are sorted for each page. The
  order's terms must be plain columns (a many2one orders through its comodel's order, a boolean
  through coalesce: neither could use the index). `"order_index": {"include": [columns]}` has
  the index carry those columns too (res.partner's `name`): a page filtered on them, `name
  ilike 'marie'` with thousands of matches, is then read from the index alone, without a visit
  of the table for each partner the walk passes (a third of the time at a million). Not the
  name-search fields as well: the walk then looks so cheap that the planner takes it for a
  name_search with one match (estimated at 200), and reads the whole index, 2 s at a million,
  instead of the trigram lookups' few milliseconds. SQLite
  cannot serve the order from an index (its ascending order puts NULLs first, the ORDER BY asks
  NULLS LAST): none is made there.
- `"index_include": [columns]`: columns every btree index of the model carries (INCLUDE). The
  conditions every search adds, the active filter and the multi-company record rule, are then
  answered from the index: a count on an indexed many2one is an index-only scan instead of a
  visit of every table page holding a match (a count of a country's 120 000 partners among a
  million: 20 ms instead of 900). An index made before without them is made again at start.

SQLite has plain indexes only, every kind becoming one. Names reach DDL only quoted, after the
registry's identifier check; the indexes are created `IF NOT EXISTS`, so a start may run this
again and again.
"""
from __future__ import annotations

import json
import logging
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from odoorpc_server.orm import order as ordering
from odoorpc_server.storage.database import run_statements

if TYPE_CHECKING:
    from odoorpc_server.orm.fields import Field
    from odoorpc_server.orm.registry import Model, Registry

log = logging.getLogger(__name__)

MODELS_JSON = Path(__file__).resolve().parents[1] / "data" / "models.json"
KINDS = ("btree", "btree_not_null", "trigram")
# field types an order term compares as its bare column (the ORDER BY the order builder writes)
ORDERABLE = frozenset({"char", "text", "integer", "float", "monetary", "date", "datetime", "selection"})
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


@dataclass(frozen=True)
class OrderIndex:
    """The index of a model's default order: (column, descending, nulls) terms, `id` last."""

    table: str
    terms: tuple[tuple[str, bool, str | None], ...]
    include: tuple[str, ...] = ()

    @property
    def columns(self) -> list[str]:
        return [name for name, _, _ in self.terms]

    @property
    def name(self) -> str:
        label = "_".join(f"{name}_desc" if desc else name for name, desc, _ in self.terms)
        return index_name(self.table, f"{label}_order")

    def carried(self, include: tuple[str, ...] = ()) -> tuple[str, ...]:
        """The columns the index carries besides its key: the model's `include`, then its own."""
        return tuple(dict.fromkeys(c for c in (*include, *self.include) if c not in self.columns))

    def ddl(self, dialect: sa.Dialect, include: tuple[str, ...] = ()) -> str:
        """CREATE INDEX of the order's terms; a term's NULLS is written only when it is not the
        btree's own (NULLS LAST ascending, FIRST descending), which is what the ORDER BY has."""
        quote = dialect.identifier_preparer.quote
        parts = []
        for name, desc, nulls in self.terms:
            part = quote(name) + (" DESC" if desc else "")
            if nulls and nulls != ("first" if desc else "last"):
                part += f" NULLS {nulls.upper()}"
            parts.append(part)
        extra = self.carried(include)
        tail = f" INCLUDE ({', '.join(quote(c) for c in extra)})" if extra else ""
        return f"CREATE INDEX IF NOT EXISTS {quote(self.name)} ON {quote(self.table)} ({', '.join(parts)}){tail}"


@lru_cache(maxsize=1)
def order_indexes() -> dict[str, OrderIndex]:
    """The order index of every base model models.json marks `order_index` (by model name)."""
    models = json.loads(MODELS_JSON.read_text(encoding="utf-8"))["models"]
    found: dict[str, OrderIndex] = {}
    for model, spec in models.items():
        declared_index = spec.get("order_index")
        if not declared_index:
            continue
        carried = tuple(declared_index.get("include", ())) if isinstance(declared_index, dict) else ()
        for name in carried:
            if spec["fields"].get(name, {}).get("type") not in ORDERABLE:
                raise ValueError(f"order_index on {model}: {name} is not a column an index can carry")
        terms = ordering.check(spec.get("order", "id"))
        for name, _, _ in terms:
            ftype = "integer" if name == "id" else spec["fields"].get(name, {}).get("type")
            if ftype not in ORDERABLE or spec["fields"].get(name, {}).get("store") is False:
                raise ValueError(f"order_index on {model}: {name} is not a column an index can order")
        if "id" not in [name for name, _, _ in terms]:
            terms.append(("id", False, None))  # the order builder's tie-break
        found[model] = OrderIndex(model.replace(".", "_"), tuple(terms), carried)
    return found


@lru_cache(maxsize=1)
def includes() -> dict[str, tuple[str, ...]]:
    """The columns the btree indexes of a model carry, for the models models.json gives
    `index_include` (by model name)."""
    models = json.loads(MODELS_JSON.read_text(encoding="utf-8"))["models"]
    found: dict[str, tuple[str, ...]] = {}
    for model, spec in models.items():
        columns = tuple(spec.get("index_include", ()))
        for name in columns:
            if name not in spec["fields"] or spec["fields"][name].get("store") is False \
                    or spec["fields"][name]["type"] in ("one2many", "many2many"):
                raise ValueError(f"index_include on {model}: {name} is not a column")
        if columns:
            found[model] = columns
    return found


def include_for(model: Model, column: str, kind: str, dialect: sa.Dialect) -> tuple[str, ...]:
    """The INCLUDE columns of `column`'s index: the model's `index_include` on a btree index on
    PostgreSQL, but the column itself and columns the table lacks."""
    if dialect.name != "postgresql" or kind not in ("btree", "btree_not_null"):
        return ()
    return tuple(c for c in includes().get(model.name, ()) if c != column
                 and c in model.fields and model.fields[c].stored)


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
    return set(definitions(conn))


def definitions(conn: Connection) -> dict[str, str]:
    """Index name -> its definition as the catalog holds it (in the current schema on PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        query = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    else:
        query = "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index'"
    return {str(name): str(sql) for name, sql in conn.execute(sa.text(query))}


def lacks_include(definition: str | None, include: tuple[str, ...]) -> bool:
    """Whether an index's catalog definition (PostgreSQL's, which writes an INCLUDE clause
    unquoted after the key columns) is without the `include` columns it must carry."""
    if not include or definition is None:
        return False
    return f" INCLUDE ({', '.join(include)})" not in definition


def model_indexes_current(conn: Connection) -> bool:
    """Whether the database has every order index models.json declares and its base fields'
    btree indexes carry their INCLUDE columns: a database that does costs one catalog read."""
    if conn.dialect.name != "postgresql":
        return True
    found = definitions(conn)
    for model, ix in order_indexes().items():
        if ix.name not in found or lacks_include(found[ix.name], ix.carried(includes().get(model, ()))):
            return False
    for (model, name), kind in declared().items():
        cover = tuple(c for c in includes().get(model, ()) if c != name)
        if kind != "trigram" and lacks_include(found.get(index_name(model.replace(".", "_"), name)), cover):
            return False
    return True


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


def ddl(dialect: sa.Dialect, table: str, column: str, kind: str, trigram: bool, include: tuple[str, ...] = ()) -> str:
    """The CREATE INDEX statement of one column's index (identifiers quoted by the dialect); a
    trigram index without pg_trgm (`trigram` False) is a plain one; `include`: the columns a
    btree index carries besides its key (PostgreSQL's INCLUDE)."""
    quote = dialect.identifier_preparer.quote
    name, tab, col = quote(index_name(table, column)), quote(table), quote(column)
    if kind == "trigram" and trigram:
        return f"CREATE INDEX IF NOT EXISTS {name} ON {tab} USING gin (({col}) gin_trgm_ops)"
    carried = f" INCLUDE ({', '.join(quote(c) for c in include)})" if include else ""
    where = f" WHERE {col} IS NOT NULL" if kind == "btree_not_null" else ""
    return f"CREATE INDEX IF NOT EXISTS {name} ON {tab} ({col}){carried}{where}"


def indexed(model: Model) -> list[Field]:
    """The fields of a model that have a column and an index."""
    return [f for f in [*model.fields.values(), *model.hidden.values()]
            if f.stored and f.name != "id" and f.index_kind]


def create(conn: Connection, model: Model, f: Field) -> None:
    """The index of one field (a new column, or a manual field whose `index` was set)."""
    if f.index_kind and f.stored:
        trigram = f.index_kind == "trigram" and has_trigram(conn)
        include = include_for(model, f.name, f.index_kind, conn.dialect)
        conn.exec_driver_sql(ddl(conn.dialect, model.table_name, f.name, f.index_kind, trigram, include))


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
    """Every declared index the database lacks, created; indexes under the earlier names replaced,
    and btree indexes made before their model declared INCLUDE columns made again (an index of a
    field not declared indexed is left alone, as Odoo keeps it). Returns the names created (none
    on a database that has them all)."""
    found = definitions(conn)
    quote = conn.dialect.identifier_preparer.quote
    created: list[str] = []
    pending: list[str] = []  # in order: a DROP before the CREATE of the same name
    trigram: bool | None = None
    known: dict[str, set[str]] = {}
    for model in registry.models.values():
        table = model.table_name
        order_index = order_indexes().get(model.name) if conn.dialect.name == "postgresql" else None
        if order_index and all(name == "id" or (name in model.fields and model.fields[name].stored)
                               for name in [*order_index.columns, *order_index.include]):
            cover = include_for(model, "id", "btree", conn.dialect)
            if lacks_include(found.get(order_index.name), order_index.carried(cover)):
                pending.append(f"DROP INDEX {quote(order_index.name)}")
                del found[order_index.name]
            if order_index.name not in found:
                pending.append(order_index.ddl(conn.dialect, cover))
                created.append(order_index.name)
        fields = indexed(model)
        covers = {f.name: include_for(model, f.name, f.index_kind or "btree", conn.dialect) for f in fields}
        missing = []
        for f in fields:
            name = index_name(table, f.name)
            if lacks_include(found.get(name), covers[f.name]):
                pending.append(f"DROP INDEX {quote(name)}")
                missing.append(f)
            elif name not in found:
                missing.append(f)
        if missing:
            columns = _columns(conn, table, known)
            for f in missing:
                if f.name not in columns:
                    continue
                if trigram is None and f.index_kind == "trigram":
                    trigram = has_trigram(conn)
                pending.append(ddl(conn.dialect, table, f.name, f.index_kind or "btree", bool(trigram),
                                         covers[f.name]))
                created.append(index_name(table, f.name))
        for f in fields:  # an index under the earlier name goes once its successor exists
            old = legacy_name(table, f.name)
            if old in found and (index_name(table, f.name) in found or index_name(table, f.name) in created):
                pending.append(f"DROP INDEX IF EXISTS {quote(old)}")
    run_statements(conn, pending)  # one round trip on PostgreSQL
    return created
