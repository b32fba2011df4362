"""Odoo's export format (`export_data`): one row per record, `/`-separated paths through relations,
the lines of an x2many path spread over extra rows; `.id` is the database id, `id` the external id.
The access checks are the caller's (`BaseModel.export_data`) and each comodel's, on the way down."""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from odoorpc_server.exceptions import UnknownField
from odoorpc_server.orm.fields import X2MANY, Field
from odoorpc_server.storage.types import in_values

if TYPE_CHECKING:
    from odoorpc_server.orm.reading import Reading

DATA = sa.table("ir_model_data", *(sa.column(c) for c in ("id", "module", "name", "model", "res_id", "noupdate")))


def check_paths(rec: Reading, paths: list[list[str]]) -> None:
    """Every name of every path is a field the user may read, before any record is looked at."""
    for path in paths:
        model = rec
        for depth, name in enumerate(path):
            if name in ("id", ".id") and depth == len(path) - 1:
                break
            fld = model.model.fields[model._field_names([name])[0]]
            if depth < len(path) - 1:
                if not fld.relational:
                    raise UnknownField(model.model.name, path[depth + 1])
                model = model.comodel(fld)


def rows(rec: Reading, ids: list[int], paths: list[list[str]]) -> list[list[Any]]:
    heads = sorted({p[0] for p in paths if p and p[0] not in ("id", ".id")})
    names = rec._field_names(heads) if heads else []
    values = rec._fetch_values(ids, names, True) if names else {i: {} for i in ids}
    xmlids = external_ids(rec, ids) if any(p and p[0] == "id" for p in paths) else {}
    lines: list[list[Any]] = []
    for rid in ids:
        current: list[Any] = [""] * len(paths)
        lines.append(current)
        done: set[str] = set()
        for i, path in enumerate(paths):
            if not path or path[0] in done:
                continue
            head = path[0]
            if head in (".id", "id"):
                current[i] = str(rid) if head == ".id" else xmlids.get(rid, "")
                continue
            fld = rec.model.fields[head]
            value = values[rid][head]
            if fld.relational and len(path) > 1:
                done.add(head)
                lines += _merge_sub_rows(rec, fld, value, paths, current)
                continue
            current[i] = value_of(rec, fld, value)
    return lines


def _merge_sub_rows(rec: Reading, fld: Field, value: Any, paths: list[list[str]],
                    current: list[Any]) -> list[list[Any]]:
    """Export the linked records' paths: the first line merges into the record's own line, the
    others are returned to follow it."""
    targets = value[:1] if fld.type == "many2one" and value else value if value else []
    sub = [(p[1:] if p and p[0] == fld.name else []) for p in paths]
    comodel = rec.comodel(fld)
    comodel._check_access("read")
    comodel._check_rules(targets, "read")
    found = rows(comodel, targets, sub) if targets else []
    for j, val in enumerate(found[0] if found else []):
        if val or isinstance(val, (int, float)):
            current[j] = val
    return found[1:]


def value_of(rec: Reading, fld: Field, value: Any) -> Any:
    """A value as Odoo exports it: numbers as they are, relations by display name, selections by
    label, anything empty as ''."""
    if fld.type in ("integer", "float", "monetary"):
        return value
    if fld.type == "many2one":
        return value[1] if value else ""
    if fld.type in X2MANY:
        names = rec.comodel(fld)._display_names(list(value)) if value else {}
        return ",".join(str(names.get(i) or "") for i in value)
    if fld.type == "selection" and value:
        return dict(fld.selection or []).get(value, value)
    return value if value else ""


def external_ids(rec: Reading, ids: list[int]) -> dict[int, str]:
    """External ids of the records, made (`__export__.<table>_<id>_<hex>`) where missing, as
    Odoo's export makes them so that the file can be imported back."""
    found: dict[int, str] = {}
    for row in rec.conn.execute(sa.select(DATA.c.res_id, DATA.c.module, DATA.c.name).where(
            DATA.c.model == rec.model.name, in_values(DATA.c.res_id, ids)).order_by(DATA.c.id)):
        found.setdefault(row.res_id, f"{row.module}.{row.name}")
    for rid in ids:
        if rid not in found:
            name = f"{rec.model.table_name}_{rid}_{uuid.uuid4().hex[:8]}"
            rec.conn.execute(sa.insert(DATA).values(module="__export__", name=name, model=rec.model.name,
                                                    res_id=rid, noupdate=False))
            found[rid] = f"__export__.{name}"
    return found
