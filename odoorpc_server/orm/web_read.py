"""The web client's reading methods (Odoo's `web` module adds them to every model):
`web_search_read` and `web_read`, as each Odoo version answers them.

Odoo 17 reads by a *specification* (`{field: {}}`, or `{field: {"fields": {...}, "limit": n,
"order": "...", "context": {...}}}` to read related records in the same call); Odoo 14–16's
`web_search_read` takes a field list and answers search_read's records. Both answer
`{"length", "records"}`, counting past the page only when the page is full.
"""
from __future__ import annotations

from typing import Any

from odoorpc_server.orm import api
from odoorpc_server.orm.fields import X2MANY
from odoorpc_server.orm.records import check_bound, normalize_ids
from odoorpc_server.orm.writing import Writing

SPEC_KEYS = frozenset({"fields", "context", "limit", "order"})


def check_specification(spec: Any) -> dict[str, dict[str, Any]]:
    """A specification is a dictionary of field names to dictionaries (of SPEC_KEYS)."""
    if not isinstance(spec, dict):
        raise ValueError(f"Invalid specification {spec!r}: a dictionary of fields is expected")
    for name, sub in spec.items():
        if not isinstance(name, str) or not isinstance(sub, dict):
            raise ValueError(f"Invalid specification for field {name!r}: {sub!r}")
    return spec


class WebReading(Writing):
    @api.model(readonly=True, when="web_read")
    def web_search_read(self, domain: Any, specification: Any, offset: int = 0, limit: int | None = None,
                        order: str | None = None, count_limit: int | None = None) -> dict[str, Any]:
        spec = check_specification(specification)
        self._check_access("read")
        self._field_names(list(spec) or ["id"])
        ids = self._search_ids(domain, offset, limit, order)
        records = self._web_read_spec(ids, spec)
        return self._web_page(domain, records, offset, limit, count_limit)

    @api.model(readonly=True, name="web_search_read", when="web_search_read_fields")
    def _web_search_read_fields(self, domain: Any = None, fields: Any = None, offset: int = 0,
                                limit: int | None = None, order: str | None = None,
                                count_limit: int | None = None) -> dict[str, Any]:
        """Odoo 14–16: a field list, records in search_read's format."""
        records = self.search_read(domain or [], fields, offset, limit, order)
        return self._web_page(domain or [], records, offset, limit, count_limit)

    def _web_page(self, domain: Any, records: list[dict[str, Any]], offset: Any, limit: Any,
                  count_limit: Any) -> dict[str, Any]:
        """Odoo's page answer: the length counts past the page only when the page is full
        (up to `count_limit`), or when the context says `force_search_count`."""
        if not records:
            return {"length": 0, "records": []}
        length = len(records) + int(offset or 0)
        full = len(records) == limit
        capped = bool(count_limit) and count_limit <= length
        if limit and ((full and not capped) or self.env.context.get("force_search_count")):
            length = self._count(domain, count_limit)
        return {"length": length, "records": records}

    @api.records(readonly=True, when="web_read")
    def web_read(self, ids: Any, specification: Any) -> list[dict[str, Any]]:
        spec = check_specification(specification)
        ids = normalize_ids(ids)
        self._check_access("read")
        self._field_names(list(spec) or ["id"])
        self._check_rules(self._existing(ids), "read")
        return self._web_read_spec(ids, spec)

    def _web_read_spec(self, ids: list[int], spec: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """Records of `ids` (rights and rules checked) as the specification asks: a many2one is
        its id, or with `fields` a dictionary of the target's values; an x2many is a list of
        ids, or with `fields` a list of dictionaries (`limit` of them read, `order` re-sorted)."""
        names = [n for n in spec if n != "id"]
        if not names:  # nothing to read: Odoo answers the ids as given
            return [{"id": i} for i in ids]
        records = self._read(ids, ["id", *names], None)
        for name, sub in spec.items():
            fld = self.model.field(name)
            if fld.type == "many2one" and "fields" in sub:
                self._web_many2one(records, name, sub)
            elif fld.type in X2MANY and sub:
                self._web_x2many(records, name, sub)
        return records

    def _web_comodel(self, name: str, sub: dict[str, Any]) -> WebReading:
        comodel = self.comodel(self.model.fields[name])
        context = sub.get("context")
        if isinstance(context, dict) and context:
            return type(comodel)(comodel.env.with_context(**context), comodel.model)
        return comodel

    def _web_comodel_checked(self, name: str, sub: dict[str, Any], fields: dict[str, Any]) -> WebReading:
        """The comodel of `name`, its read right and the names of `fields` checked, as Odoo's
        read checks them (for no record as for many)."""
        comodel = self._web_comodel(name, sub)
        if fields:
            comodel._check_access("read")
            comodel._field_names(list(fields))
        return comodel

    def _web_many2one(self, records: list[dict[str, Any]], name: str, sub: dict[str, Any]) -> None:
        fields = check_specification(sub["fields"])
        extra = {k: v for k, v in fields.items() if k != "display_name"}
        comodel = self._web_comodel_checked(name, sub, extra)
        targets = sorted({r[name] for r in records if r[name]})
        if targets and extra:
            comodel._check_rules(comodel._existing(targets), "read")
        values = {v["id"]: v for v in comodel._web_read_spec(targets, extra)} if targets else {}
        if "display_name" in fields:  # as Odoo computes it: with superuser rights
            shown = type(comodel)(comodel.env.sudo(), comodel.model)._display_names(targets)
            for rid, vals in values.items():
                vals["display_name"] = shown.get(rid, False)
        for r in records:
            if r[name]:
                r[name] = values.get(r[name], {"id": r[name]})

    def _web_x2many(self, records: list[dict[str, Any]], name: str, sub: dict[str, Any]) -> None:
        fields = check_specification(sub["fields"]) if "fields" in sub else {}
        comodel = self._web_comodel_checked(name, sub, fields)
        order = sub.get("order")
        if order:
            every = sorted({i for r in records for i in r[name]})
            rank = {rid: n for n, rid in enumerate(comodel._search_ids([("id", "in", every)], 0, None, order))}
            for r in records:
                r[name] = sorted((i for i in r[name] if i in rank), key=rank.__getitem__)
        if "fields" not in sub:
            return
        limit = sub.get("limit")
        if limit is not None:
            limit = check_bound(limit, "limit")
        wanted = sorted({i for r in records for i in (r[name][:limit] if limit is not None else r[name])})
        if wanted:
            comodel._check_rules(comodel._existing(wanted), "read")
        values = {v["id"]: v for v in comodel._web_read_spec(wanted, fields)} if wanted else {}
        for r in records:
            r[name] = [values.get(i) or {"id": i} for i in r[name]]
