"""The model registry: models and fields read from `ir_model` / `ir_model_fields` rows,
mapped onto SQLAlchemy Core tables built at run time.

A registry is immutable once built. Schema changes build a new one inside the changing call's
transaction; other processes notice the bumped `odoorpc_signal` sequence on their next call.
"""
from __future__ import annotations

import ast
import json
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateIndex, CreateTable

from odoorpc_server.exceptions import UnknownField
from odoorpc_server.orm import indexes
from odoorpc_server.orm.fields import Field, column_type, default_label
from odoorpc_server.storage.database import run_statements

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass
class Model:
    name: str
    id: int
    description: str
    order: str
    state: str
    rec_name: str | None
    parent_name: str | None
    fields: dict[str, Field]
    # secret fields clients may not even name (API-key hashes and indexes): storage only
    hidden: dict[str, Field] = field(default_factory=dict)
    # the table queries are built on: no secret column is part of it
    table: sa.Table = None  # type: ignore[assignment]
    # the table as the database holds it, secret columns included: for DDL only
    ddl_table: sa.Table = None  # type: ignore[assignment]
    relations: dict[str, sa.Table] = field(default_factory=dict)
    # Odoo's _parent_store: hierarchies follow the parent tree whichever field they name
    parent_store: bool = False
    # the rows the model was built from: an unchanged model is reused by the next registry
    fingerprint: Any = None
    metadata: sa.MetaData = field(default_factory=sa.MetaData)

    @property
    def table_name(self) -> str:
        return table_name(self.name)

    @property
    def active_name(self) -> str | None:
        for name in ("active", "x_active"):
            if name in self.fields and self.fields[name].type == "boolean":
                return name
        return None

    def field(self, name: str) -> Field:
        try:
            return self.fields[name]
        except KeyError:
            raise UnknownField(self.name, name) from None


def table_name(model: str) -> str:
    return model.replace(".", "_")


def m2m_names(model: str, comodel: str) -> tuple[str, str, str]:
    """Default relation table and columns of a custom many2many (Odoo's naming)."""
    t1, t2 = table_name(model), table_name(comodel)
    tables = sorted([t1, t2])
    relation = f"x_{tables[0]}_{tables[1]}_rel"
    if t1 == t2:
        return relation, "id1", "id2"
    return relation, f"{t1}_id", f"{t2}_id"


@lru_cache(maxsize=1024)
def _selection(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in ast.literal_eval(text))


def parse_selection(text: str | None) -> list[tuple[str, str]] | None:
    return list(_selection(text)) if text else None


def field_from_row(row: Any, group_ids: frozenset[int] = frozenset()) -> Field:
    default = json.loads(row.default_value) if row.default_value else None
    return Field(
        name=row.name, type=row.ttype, model=row.model, id=row.id,
        string=row.field_description or default_label(row.name), help=row.help or None,
        required=bool(row.required), readonly=bool(row.readonly), store=bool(row.store),
        index=bool(row.index), index_kind=indexes.kind_for(row.model, row.name, bool(row.index), row.state == "base"),
        translate=bool(row.translate), copy=bool(row.copied),
        relation=row.relation or None, relation_field=row.relation_field or None,
        relation_table=row.relation_table or None, column1=row.column1 or None, column2=row.column2 or None,
        selection=parse_selection(row.selection), size=row.size, on_delete=row.on_delete or "set null",
        domain=row.domain or "[]", related=row.related or None, compute=row.compute or None,
        default=default, manual=row.state == "manual", group_ids=group_ids, secret=bool(row.secret),
    )


class Registry:
    """Every model of one database, with its tables."""

    def __init__(self, sequence: int) -> None:
        self.sequence = sequence
        self.models: dict[str, Model] = {}

    def __contains__(self, name: object) -> bool:
        return name in self.models

    def __getitem__(self, name: str) -> Model:
        return self.models[name]

    def comodel(self, f: Field) -> Model:
        """The model a relational field points to."""
        return self.models[f.relation or ""]

    @classmethod
    def load(cls, conn: Connection, previous: Registry | None = None) -> Registry:
        """Build the registry from the metadata rows, reusing the models of `previous` whose rows
        did not change (a schema change then costs one model's rebuild, not all of them)."""
        sequence = conn.execute(sa.text("SELECT registry_sequence FROM odoorpc_signal WHERE id = 1")).scalar_one()
        reg = cls(sequence)
        field_rows: dict[str, list[Any]] = {}
        for row in conn.execute(sa.text("SELECT * FROM ir_model_fields ORDER BY id")):
            field_rows.setdefault(row.model, []).append(row)
        field_groups: dict[int, set[int]] = {}
        for fid, gid in conn.execute(sa.text("SELECT field_id, group_id FROM ir_model_fields_group_rel")):
            field_groups.setdefault(fid, set()).add(gid)
        for row in conn.execute(sa.text("SELECT * FROM ir_model ORDER BY id")):
            rows = field_rows.get(row.model, [])
            fingerprint = (tuple(row), tuple((*r, tuple(sorted(field_groups.get(r.id, ())))) for r in rows))
            old = previous.models.get(row.model) if previous else None
            if old is not None and old.fingerprint == fingerprint:
                reg.models[row.model] = old
                continue
            every = {r.name: field_from_row(r, frozenset(field_groups.get(r.id, ()))) for r in rows}
            # a secret that cannot be written (a key hash) is no field for clients at all
            hidden = {n: f for n, f in every.items() if f.secret and f.readonly}
            fields = {n: f for n, f in every.items() if n not in hidden}
            rec_name = row.rec_name or ("name" if "name" in fields else "x_name" if "x_name" in fields else None)
            model = Model(
                name=row.model, id=row.id, description=row.name, order=row.order or "id", state=row.state,
                rec_name=rec_name, parent_name=row.parent_name or None,
                fields=fields, hidden=hidden, fingerprint=fingerprint,
                parent_store=bool(getattr(row, "parent_store", False)),
            )
            reg._build_table(model)
            reg.models[row.model] = model
        return reg

    def _build_table(self, model: Model) -> None:
        """Two views of one table: the full one (DDL) and the one without secret columns, on
        which every query is built, so that no client input can ever name a secret column."""
        def columns(secrets: bool) -> list[sa.Column[Any]]:
            cols: list[sa.Column[Any]] = [sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)]
            for f in [*model.fields.values(), *model.hidden.values()]:
                if f.stored and f.name != "id" and (secrets or not f.secret):
                    cols.append(sa.Column(f.name, column_type(f.type)))
            return cols

        model.ddl_table = sa.Table(model.table_name, model.metadata, *columns(True), sqlite_autoincrement=True)
        model.table = sa.Table(model.table_name, sa.MetaData(), *columns(False))
        for f in model.fields.values():
            if f.type == "many2many" and f.store:
                rel, c1, c2 = self.m2m_spec(f)
                if rel in model.metadata.tables:
                    model.relations[f.name] = model.metadata.tables[rel]
                    continue
                model.relations[f.name] = sa.Table(
                    rel, model.metadata,
                    sa.Column(c1, sa.Integer, nullable=False, index=True),
                    sa.Column(c2, sa.Integer, nullable=False, index=True),
                    sa.PrimaryKeyConstraint(c1, c2),
                )

    @staticmethod
    def m2m_spec(f: Field) -> tuple[str, str, str]:
        rel, c1, c2 = m2m_names(f.model, f.relation or "")
        return f.relation_table or rel, f.column1 or c1, f.column2 or c2

    def create_tables(self, conn: Connection) -> None:
        """Create the tables (and relation tables) and the column indexes that do not exist yet.
        The tables present are read once (not one catalog query per table and type), which
        matters to a new database's start."""
        present = set(sa.inspect(conn).get_table_names())
        ddl: list[str] = []
        for model in self.models.values():
            for table in model.metadata.sorted_tables:
                if table.name not in present:
                    ddl.append(str(CreateTable(table).compile(dialect=conn.dialect)).strip())
                    ddl += [str(CreateIndex(ix).compile(dialect=conn.dialect)).strip() for ix in
                            sorted(table.indexes, key=lambda ix: ix.name or "")]
                    present.add(table.name)
        run_statements(conn, ddl)  # one round trip on PostgreSQL
        indexes.ensure(conn, self)

    def add_column(self, conn: Connection, model: Model, f: Field) -> None:
        prep = conn.dialect.identifier_preparer
        ctype = column_type(f.type).compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE {prep.quote(model.table_name)} ADD COLUMN {prep.quote(f.name)} {ctype}")
        indexes.create(conn, model, f)

    def drop_column(self, conn: Connection, model: Model, name: str) -> None:
        prep = conn.dialect.identifier_preparer
        indexes.drop(conn, model, name)  # SQLite refuses to drop an indexed column
        conn.exec_driver_sql(f"ALTER TABLE {prep.quote(model.table_name)} DROP COLUMN {prep.quote(name)}")


def bump(conn: Connection) -> int:
    conn.execute(sa.text("UPDATE odoorpc_signal SET registry_sequence = registry_sequence + 1 WHERE id = 1"))
    return int(conn.execute(sa.text("SELECT registry_sequence FROM odoorpc_signal WHERE id = 1")).scalar_one())


def bump_caches(conn: Connection) -> None:
    conn.execute(sa.text("UPDATE odoorpc_signal SET cache_sequence = cache_sequence + 1 WHERE id = 1"))


class RegistryCache:
    """Per-process registries, refreshed when another process changed the schema, and the
    per-process security caches, dropped when another process changed security data."""

    def __init__(self) -> None:
        self._registries: dict[str, Registry] = {}
        self._security: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def get(self, dbname: str, conn: Connection, signal: Any = None) -> tuple[Registry, dict[str, Any]]:
        """The database's registry and security cache, current as of `signal` (the
        odoorpc_signal row, read here unless the caller read it with something else)."""
        row = signal if signal is not None else conn.execute(sa.text(
            "SELECT registry_sequence, cache_sequence FROM odoorpc_signal WHERE id = 1")).one()
        reg = self._registries.get(dbname)
        if reg is None or reg.sequence != row.registry_sequence:
            reg = Registry.load(conn, reg)
            with self._lock:
                self._registries[dbname] = reg
        key = (int(row.registry_sequence), int(row.cache_sequence))
        with self._lock:
            found = self._security.get(dbname)
            if found is None or found[0] != key:
                found = (key, {})
                self._security[dbname] = found
        return reg, found[1]

    def cached(self, dbname: str) -> Registry | None:
        """The registry this process last built for `dbname`, current or not (a base whose
        unchanged models the next `Registry.load` reuses)."""
        with self._lock:
            return self._registries.get(dbname)

    def publish(self, dbname: str, reg: Registry) -> None:
        with self._lock:
            self._registries[dbname] = reg

    def forget(self, dbname: str) -> None:
        with self._lock:
            self._registries.pop(dbname, None)
