"""Tables and columns that custom models and fields own: what may be created and dropped.

Names given over RPC become SQL identifiers only here, after checks: relation tables of custom
many2many fields are `x_` tables, a custom model's table must not exist yet, and only what a
manual field or model created is ever dropped.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from odoorpc_server.orm import indexes
from odoorpc_server.orm.env import Env
from odoorpc_server.orm.fields import magic_field_rows
from odoorpc_server.orm.registry import IDENTIFIER, Registry
from odoorpc_server.storage.types import in_values


def as_bool(value: Any) -> bool:
    return bool(value) and value not in ("0", "false", "False")


def database_tables(env: Env) -> set[str]:
    return set(sa.inspect(env.conn).get_table_names())


def table_taken(env: Env, table: str) -> bool:
    """Whether a table name is in use: by a table in the database or by a model of the registry."""
    return table in database_tables(env) or any(m.table_name == table for m in env.registry.models.values())


def owned_relation(table: str) -> bool:
    """Relation tables a custom field may create and drop: `x_` ones only (never a base table)."""
    return table.startswith("x_") and bool(IDENTIFIER.match(table))


def relation_shared(registry: Registry, rel: str, exclude_model: str | None = None,
                     exclude_field: int | None = None) -> bool:
    for m in registry.models.values():
        if m.name == exclude_model:
            continue
        for f in m.fields.values():
            if f.type == "many2many" and f.id != exclude_field and registry.m2m_spec(f)[0] == rel:
                return True
    return False


def insert_magic_fields(env: Env, mid: int, model: str, state: str) -> None:
    rows = magic_field_rows(model, mid, state, env.profile)
    env.conn.execute(sa.insert(env.registry["ir.model.fields"].ddl_table), rows)


def add_column(env: Env, model_name: str, name: str) -> None:
    reg = env.registry
    model = reg[model_name]
    f = model.fields[name]
    if f.name in model.relations:
        model.relations[f.name].create(env.conn, checkfirst=True)
    if not f.column:
        return
    existing = {c["name"] for c in sa.inspect(env.conn).get_columns(model.table_name)}
    if name not in existing:
        reg.add_column(env.conn, model, f)


def drop_columns(env: Env, ids: list[int]) -> None:
    """Drop the columns and relation tables the fields created (manual fields only get here)."""
    reg = env.registry
    fields = sa.table("ir_model_fields", sa.column("id"), sa.column("model"), sa.column("name"))
    rows = env.conn.execute(sa.select(fields.c.id, fields.c.model, fields.c.name).where(
        in_values(fields.c.id, ids))).all() if ids else []
    for row in rows:
        model = reg.models.get(row.model)
        f = model.fields.get(row.name) if model else None
        if model is None or f is None or not f.manual:
            continue
        if f.column:
            reg.drop_column(env.conn, model, f.name)
        elif f.type == "many2many" and f.store:
            rel = reg.m2m_spec(f)[0]
            if owned_relation(rel) and not relation_shared(reg, rel, exclude_field=f.id):
                model.relations[f.name].drop(env.conn, checkfirst=True)


def drop_fields(env: Env, ids: list[int]) -> None:
    """Drop fields of other models pointing to a model being deleted: storage and rows."""
    if not ids:
        return
    drop_columns(env, ids)
    for table in ("ir_model_fields_group_rel", "ir_model_fields"):
        column = "field_id" if table == "ir_model_fields_group_rel" else "id"
        rows = sa.table(table, sa.column(column))
        env.conn.execute(sa.delete(rows).where(in_values(rows.c[column], ids)))


def sync_indexes(env: Env, ids: list[int]) -> None:
    """After `index` was written on manual fields: their column indexes made or dropped, as the
    new flag says (Odoo's update of the schema from ir.model.fields)."""
    reg = env.registry
    fields = sa.table("ir_model_fields", sa.column("id"), sa.column("model"), sa.column("name"))
    rows = env.conn.execute(sa.select(fields.c.model, fields.c.name).where(in_values(fields.c.id, ids))).all() \
        if ids else []
    for row in rows:
        model = reg.models.get(row.model)
        f = model.fields.get(row.name) if model else None
        if model is None or f is None or not f.manual or not f.stored:
            continue
        if f.index_kind:
            indexes.create(env.conn, model, f)
        else:
            indexes.drop(env.conn, model, f.name)
