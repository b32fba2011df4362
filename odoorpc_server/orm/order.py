"""Odoo order strings: validated against Odoo's grammar and the registry, then turned into
ORDER BY terms (many2one fields follow the comodel's own order through a LEFT JOIN)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from odoorpc_server.exceptions import UnknownField, UserError

if TYPE_CHECKING:
    from odoorpc_server.orm.registry import Model, Registry

ORDER_TERM = re.compile(r'^\s*"?([a-z0-9_]+)"?(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$', re.I)
ORDER_SPEC = re.compile(
    r'^(\s*"?[a-z0-9_]+"?(\s+(asc|desc))?(\s+nulls\s+(first|last))?\s*)'
    r'(,\s*"?[a-z0-9_]+"?(\s+(asc|desc))?(\s+nulls\s+(first|last))?\s*)*$', re.I)


def check(order: str) -> list[tuple[str, bool, str | None]]:
    """Split a valid order string into (field, descending, nulls) terms, or refuse it."""
    if not isinstance(order, str) or not ORDER_SPEC.match(order):
        raise UserError(
            f'Invalid "order" specified ({order}). A valid "order" specification is a comma-separated list of '
            "valid field names (optionally followed by asc/desc for the direction)")
    terms = []
    for part in order.split(","):
        m = ORDER_TERM.match(part)
        assert m
        nulls = m.group(3).lower() if m.group(3) else None
        terms.append((m.group(1), (m.group(2) or "asc").lower() == "desc", nulls))
    return terms


class OrderBuilder:
    """Collects ORDER BY terms and the outer joins they need."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.joins: list[tuple[Any, Any]] = []
        self.terms: list[Any] = []
        self.fields: list[str] = []

    def add(self, model: Model, table: Any, order: str, reverse: bool = False, seen: frozenset[str] = frozenset(),
            top: bool = True) -> None:
        for name, desc, nulls in check(order):
            if name not in model.fields:
                raise UnknownField(model.name, name)
            fld = model.fields[name]
            if not fld.column and name != "id":
                continue  # Odoo ignores non-stored fields in an order
            if top:
                self.fields.append(name)
            desc = desc != reverse
            if reverse and nulls:
                nulls = "first" if nulls == "last" else "last"
            col = table.c[name]
            if fld.type == "many2one":
                key = f"{model.name}.{name}"
                comodel = self.registry.comodel(fld)
                corder = comodel.order if ORDER_SPEC.match(comodel.order or "") else (comodel.rec_name or "id")
                if key in seen:
                    continue
                if corder != "id":
                    if nulls:
                        self.terms.append(col.is_not(None) if nulls == "first" else col.is_(None))
                    alias = comodel.table.alias()
                    self.joins.append((alias, alias.c.id == col))
                    self.add(comodel, alias, corder, reverse=desc, seen=seen | {key}, top=False)
                    continue
            if fld.type == "boolean":
                col = sa.func.coalesce(col, sa.false())
            self.terms.append(self._term(col, desc, nulls))

    def _term(self, col: Any, desc: bool, nulls: str | None) -> Any:
        term = col.desc() if desc else col.asc()
        if nulls is None:
            nulls = "first" if desc else "last"  # PostgreSQL's defaults, written out for SQLite's sake
        if nulls == "first":
            term = term.nulls_first()
        elif nulls == "last":
            term = term.nulls_last()
        return term

    def apply(self, query: Any, table: Any) -> Any:
        if self.joins:
            source = table
            for alias, cond in self.joins:
                source = source.outerjoin(alias, cond)
            query = query.select_from(source)
        if "id" not in self.fields:
            self.terms.append(self._term(table.c.id, False, None))
        return query.order_by(*self.terms)
