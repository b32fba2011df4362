"""Reading records: read and its formats (many2one pairs, x2many ids, related and computed
fields, display names), fields_get, get_metadata, export_data and read_group."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import UnknownField
from odoorpc_server.orm import access, api, export
from odoorpc_server.orm.fields import X2MANY, Field, reader, to_read
from odoorpc_server.orm.order import OrderBuilder
from odoorpc_server.orm.records import LOG_FIELDS, Records, normalize_ids
from odoorpc_server.storage.types import in_param, in_values

# reads of more records than this answer a ChunkedRows: fetched this many at a time while the
# answer is written, inside the call's transaction, so memory holds one chunk, not every row
READ_CHUNK = 2000
# set by the call path while the protocol writes the answer inside the transaction (XML-RPC, and
# the JSON routes that answer a model method's value as it is): only then may a read answer
# ChunkedRows rather than a list
streaming: ContextVar[bool] = ContextVar("streaming", default=False)


class ChunkedRows(Sequence[dict[str, Any]]):
    """The rows of a big read, fetched a chunk at a time when iterated (an answer writer streams
    them); any other use (an index, a slice) fetches them all once. The read's checks ran
    before; each chunk's fetch applies the rules again, as one read would."""

    def __init__(self, fetch: Callable[[list[int]], list[dict[str, Any]]], ids: list[int]) -> None:
        self._fetch = fetch
        self._ids = ids
        self._all: list[dict[str, Any]] | None = None
        self._length: int | None = None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for chunk in self.chunks():
            yield from chunk

    def chunks(self) -> Iterator[list[dict[str, Any]]]:
        """The rows a chunk at a time, as they are fetched (an answer writer encodes each whole)."""
        if self._all is not None:
            yield self._all
            return
        count = 0
        for start in range(0, len(self._ids), READ_CHUNK):
            rows = self._fetch(self._ids[start:start + READ_CHUNK])
            count += len(rows)
            yield rows
        self._length = count

    def _rows(self) -> list[dict[str, Any]]:
        if self._all is None:
            self._all = list(iter(self))
        return self._all

    def __len__(self) -> int:
        return self._length if self._length is not None else len(self._rows())

    def __getitem__(self, index: Any) -> Any:
        return self._rows()[index]

    def __eq__(self, other: object) -> bool:
        return list(self) == other if isinstance(other, (list, ChunkedRows)) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


class Reading(Records):
    # -- read ---------------------------------------------------------------------------------
    def _field_names(self, fields: Any, operation: str = "read") -> list[str]:
        if not fields:
            return [n for n, f in self.model.fields.items() if self._readable(f)]
        if isinstance(fields, str):
            fields = [fields]
        names = []
        for name in fields:
            fld = self.model.fields.get(name) if isinstance(name, str) else None
            if fld is None:
                raise UnknownField(self.model.name, name)
            access.check_field(self.env, self.model, fld, operation)
            names.append(name)
        return names

    def _readable(self, fld: Field) -> bool:
        return not fld.secret and access.readable_field(self.env, fld)

    @api.records(readonly=True)
    def read(self, ids: Any, fields: Any = None, load: str | None = "_classic_read") -> list[dict[str, Any]]:
        ids = normalize_ids(ids)
        self._check_access("read")
        names = self._field_names(fields)
        if "id" not in names:
            names = ["id", *names]
        return self._read_all(ids, names, load, checked=True)

    def _read_all(self, ids: list[int], names: list[str], load: str | None,
                  checked: bool = False) -> list[dict[str, Any]]:
        """`_read` of `ids`, or for many, when the answer is being streamed, a ChunkedRows
        reading them chunk by chunk."""
        if len(ids) <= READ_CHUNK or not streaming.get():
            return self._read(ids, names, load, checked)
        return ChunkedRows(lambda chunk: self._read(chunk, names, load, checked), ids)  # type: ignore[return-value]

    def _read(self, ids: list[int], names: list[str], load: str | None, checked: bool = False) -> list[dict[str, Any]]:
        """The rows of `ids` that exist; `checked`: with the read rules applied in the same
        statement that fetches them (one round trip), refusing the read if one is hidden."""
        values = self._fetch_values(ids, names, load == "_classic_read", "read" if checked else None)
        first = next(iter(values.values()), None)
        if first is not None and list(first) == names and len(values) == len(ids):
            return [values[i] for i in ids]  # fetched in the order asked: no second dict per row
        return [{n: values[i][n] for n in names} for i in ids if i in values]

    def _fetch_values(self, ids: list[int], names: list[str], m2o_names: bool,
                      rules: str | None = None) -> dict[int, dict[str, Any]]:
        """Field values of the existing `ids`. With `rules` (an operation) the record rules of
        that operation filter the fetch; when they hide a record that exists, AccessError, as
        the separate check would have raised, before anything else is read. With `m2o_names`
        the display names of many2one targets whose display name is a column of theirs come in
        the same statement (a left join each), the others in one query per comodel."""
        fields = [self.model.fields[n] for n in names]
        stored = [f for f in fields if f.column and f.name != "id"]
        if not ids:
            return {}
        query, shown, ruled = self._fetch_statement(stored, m2o_names, rules)
        rows = self.conn.execute(query, {"fetched": sorted(set(ids))}).all()
        if rules:
            fetched = {row[0] for row in rows}
            if ruled and len(fetched) < len(set(ids)):  # hidden, or gone: which one decides
                self._check_rule_domain(self._existing(ids), rules)
            if fetched and not self.env.su:
                self._check_linked([i for i in ids if i in fetched], rules)
        out = self._rows_read(rows, stored, shown)
        found = list(out)
        for f in fields:
            if f.name == "id" or (f.column and f.type != "many2one"):
                continue
            if f.type == "many2one" and f.column:
                if m2o_names and f.name not in shown:
                    targets = {r[f.name] for r in out.values() if r[f.name]}
                    names_ = self.comodel(f)._display_names(sorted(targets)) if targets else {}
                    for r in out.values():
                        if r[f.name]:
                            r[f.name] = [r[f.name], names_.get(r[f.name], False)]
                continue
            vals = self._computed_values(f, found, m2o_names)
            for i in found:
                out[i][f.name] = vals.get(i, False)
        return out

    @staticmethod
    def _rows_read(rows: Iterable[Any], stored: list[Field], shown: dict[str, int] | None = None
                   ) -> dict[int, dict[str, Any]]:
        """Rows of (id, the `stored` columns, joined display names at `shown`'s positions) in
        Odoo's read format, by id, in the rows' order."""
        labels = shown or {}
        readers = [(f.name, pos, reader(f), labels.get(f.name)) for pos, f in enumerate(stored, 1)]
        out: dict[int, dict[str, Any]] = {}
        for row in rows:
            rec: dict[str, Any] = {"id": row[0]}
            for name, pos, convert, label in readers:
                value = convert(row[pos])
                rec[name] = [value, row[label] or False] if label is not None and value else value
            out[row[0]] = rec
        return out

    def _fetch_statement(self, stored: list[Field], m2o_names: bool,
                         rules: str | None) -> tuple[Any, dict[str, int], bool]:
        """The fetch's statement (ids bound at execution as `fetched`), the positions of its
        joined display names, and whether rules filter it. Built once per user, model, fields
        and rules while the rules' condition is reusable (`Compiler.rule_clause`)."""
        clause, stable = self.env.compiler.rule_clause(self.model, rules) if rules else (None, True)
        store = access.cache(self.env, "fetch_statements")
        key = (self.env.registry, self.env.uid, self.env.su, self.model.name, tuple(f.name for f in stored),
               m2o_names, rules)
        found = store.get(key) if stable else None
        if found is None:
            query, shown = self._values_query(stored, m2o_names)
            query = query.where(in_param(self.table.c.id, "fetched"))
            found = (query.where(clause) if clause is not None else query, shown, clause is not None)
            if stable:
                store[key] = found
        return found  # type: ignore[no-any-return]

    def _values_query(self, stored: list[Field], m2o_names: bool) -> tuple[Any, dict[str, int]]:
        """SELECT id, the stored columns (and the joined display names: their positions by field)."""
        columns: list[Any] = [self.table.c.id, *(self.table.c[f.name] for f in stored)]
        source: Any = self.table
        shown: dict[str, int] = {}
        for f in stored if m2o_names else ():
            if f.type != "many2one":
                continue
            comodel = self.comodel(f)
            display = comodel._display_column()
            if display is None:
                continue
            target = comodel.table.alias(f"shown_{len(shown)}")  # a generated name, never a client's
            source = source.outerjoin(target, target.c.id == self.table.c[f.name])
            shown[f.name] = len(columns)
            columns.append(target.c[display])
        return sa.select(*columns).select_from(source), shown

    def _display_column(self) -> str | None:
        """The stored text column that alone is a record's display name (its rec_name), which a
        read of a many2one to this model joins instead of asking `_display_names`; None when
        the model computes its display names (a model overriding `_display_names` says which
        column, if any, by overriding this too)."""
        if type(self)._display_names is not Reading._display_names:
            return None
        fld = self.model.fields.get(self.model.rec_name or "")
        return fld.name if fld is not None and fld.column and fld.type in ("char", "text") else None

    def _column_read(self, f: Field, value: Any) -> Any:
        if f.type == "many2one":
            return value or False
        return to_read(f, value)

    def _computed_values(self, f: Field, ids: list[int], m2o_names: bool) -> dict[int, Any]:
        if f.name == "display_name":
            return self._display_names(ids)
        if f.secret:  # write-only: reads as Odoo's computed password field does
            return {i: "" for i in ids}
        if f.type in X2MANY and f.store:
            return self._x2many_values(f, ids)
        if f.related:
            return self._related_values(f, ids, m2o_names)
        compute = getattr(self, f"_compute_{f.compute}", None) if f.compute else None
        return compute(ids) if compute else {}

    def _x2many_values(self, f: Field, ids: list[int]) -> dict[int, list[int]]:
        comodel = self.env.registry.comodel(f)
        result: dict[int, list[int]] = {i: [] for i in ids}
        if not ids:
            return result
        if f.type == "one2many":
            inverse = comodel.table.c[f.relation_field or ""]
            query = sa.select(comodel.table.c.id, inverse).where(
                in_values(inverse, ids), self.env.compiler.where(comodel, f.domain_list))
        else:
            rel = self.model.relations[f.name]
            _, c1, c2 = self.env.registry.m2m_spec(f)
            query = sa.select(comodel.table.c.id, rel.c[c1]).select_from(
                rel.join(comodel.table, comodel.table.c.id == rel.c[c2])).where(
                in_values(rel.c[c1], ids), self.env.compiler.where(comodel, f.domain_list))
        builder = OrderBuilder(self.env.registry)
        builder.add(comodel, comodel.table, comodel.order)
        for row in self.conn.execute(builder.apply(query, comodel.table)):
            result[row[1]].append(row[0])
        return result

    def _related_values(self, f: Field, ids: list[int], m2o_names: bool) -> dict[int, Any]:
        head, _, rest = (f.related or "").partition(".")
        link = self.model.fields[head]
        base = self._fetch_values(ids, [head], False)
        targets = sorted({v[head] for v in base.values() if v[head]})
        sub = self.comodel(link)._fetch_values(targets, [rest], m2o_names) if targets else {}
        target = self.env.registry.comodel(link).fields.get(rest)
        empty = to_read(target, None) if target else False
        return {i: (sub[v[head]][rest] if v[head] in sub else empty) for i, v in base.items()}

    def _display_names(self, ids: list[int]) -> dict[int, Any]:
        """display_name per id (hook): the rec_name's value, else 'model,id'. Models with a
        display name of their own (contacts, states, tags) override this."""
        ids = [i for i in ids if i]
        if not ids:
            return {}
        fname = self.model.rec_name or ""
        if not fname:
            return {i: f"{self.model.name},{i}" for i in self._existing(ids)}
        rows = self._fetch_values(ids, [fname], True)
        return {i: (r[fname] if r[fname] not in (None, "") else False) for i, r in rows.items()}

    def _compute_last_update(self, ids: list[int]) -> dict[int, Any]:
        """Odoo 16's `__last_update`: the last write, else the creation, of each record."""
        if not ids or "write_date" not in self.table.c:
            return {}
        query = sa.select(self.table.c.id, self.table.c.write_date, self.table.c.create_date).where(
            in_values(self.table.c.id, set(ids)))
        stamp = self.model.fields["write_date"]
        return {row.id: to_read(stamp, row.write_date or row.create_date) for row in self.conn.execute(query)}

    @api.records(readonly=True, when="name_get")
    def name_get(self, ids: Any) -> list[list[Any]]:
        self._check_access("read")
        ids = self._existing(normalize_ids(ids))
        self._check_rules(ids, "read")
        names = self._display_names(ids)
        return [[i, names.get(i, False)] for i in ids]

    # -- other public methods -----------------------------------------------------------------
    @api.model(readonly=True)
    def fields_get(self, allfields: Any = None, attributes: Any = None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        wanted = set(allfields) if allfields else None
        for name, f in self.model.fields.items():
            if (wanted is not None and name not in wanted) or not access.readable_field(self.env, f):
                continue
            desc = f.description(self.env.profile)
            if attributes:
                desc = {k: v for k, v in desc.items() if k in attributes}
            out[name] = desc
        return out

    @api.records(readonly=True)
    def get_metadata(self, ids: Any) -> list[dict[str, Any]]:
        self._check_access("read")
        ids = self._existing(normalize_ids(ids))
        self._check_rules(ids, "read")
        names = [n for n in LOG_FIELDS if n in self.model.fields]
        values = self._fetch_values(ids, names, True)
        xmlids: dict[int, list[dict[str, Any]]] = defaultdict(list)
        if ids:
            data = export.DATA
            rows = self.conn.execute(sa.select(data.c.res_id, data.c.module, data.c.name, data.c.noupdate).where(
                data.c.model == self.model.name, in_values(data.c.res_id, ids)).order_by(data.c.id))
            for r in rows:
                xmlids[r.res_id].append({"xmlid": f"{r.module}.{r.name}", "noupdate": bool(r.noupdate)})
        out = []
        for i in ids:
            rec = {"id": i, **{n: values[i][n] for n in names}}
            first = xmlids[i][0] if xmlids[i] else None
            rec.update(xmlid=first["xmlid"] if first else False, xmlids=xmlids[i],
                       noupdate=first["noupdate"] if first else False)
            out.append(rec)
        return out

    # -- export -------------------------------------------------------------------------------
    @api.records(readonly=True)
    def export_data(self, ids: Any, fields_to_export: Any) -> dict[str, Any]:
        """Odoo's export: one row per record, `/`-separated paths through relations, x2many paths
        spread over extra rows; `.id` is the database id, `id` the external id."""
        ids = normalize_ids(ids)
        self._check_access("read")
        if not isinstance(fields_to_export, (list, tuple)) or not all(isinstance(p, str) for p in fields_to_export):
            raise ValueError(f"Invalid fields to export {fields_to_export!r}")
        paths = [p.replace(":id", "/id").split("/") for p in fields_to_export]
        export.check_paths(self, paths)
        ids = self._existing(ids)
        self._check_rules(ids, "read")
        return {"datas": export.rows(self, ids, paths)}

    @api.model(readonly=True)
    def read_group(self, domain: Any, fields: Any, groupby: Any, offset: int = 0, limit: int | None = None,
                   orderby: Any = False, lazy: bool = True) -> list[dict[str, Any]]:
        from odoorpc_server.orm.read_group import read_group

        self._check_access("read")
        if self.FILTERED_SEARCH and not self.env.su:  # groups of what a search would find
            found = list(self.conn.execute(self.env.compiler.ids_query(self.model, domain or [])).scalars())
            domain = [("id", "in", self._filter_searched(found))]
        return read_group(self, domain, fields, groupby, offset, limit, orderby, lazy)
