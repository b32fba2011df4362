"""Changing records: create, write, unlink, copy, name_create, default_get and (un)archiving,
with the hooks per-model classes implement."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import UnknownField
from odoorpc_server.orm import access, api, commands, export
from odoorpc_server.orm.fields import MAGIC, X2MANY, Field, to_column
from odoorpc_server.orm.records import fk_error, normalize_ids, not_null_error
from odoorpc_server.orm.registry import Model
from odoorpc_server.orm.searching import Searching
from odoorpc_server.storage.types import in_param, in_values, not_in_values

# statements of `_store_statement` kept per process, beyond which they are built afresh
MAX_STORE_STATEMENTS = 512


class Writing(Searching):
    # -- statements ---------------------------------------------------------------------------
    def _store_statement(self, kind: str, names: tuple[str, ...]) -> Any:
        """The INSERT (`kind` "insert") or the UPDATE of rows `:ids` ("update") of these columns,
        values bound as :v0, :v1... Built once per registry, model and columns: building and
        keying a new statement per call costs more than running it."""
        store = access.cache(self.env, "store_statements")
        key = (self.env.registry, self.model.name, kind, names)
        found = store.get(key)
        if found is None:
            if len(store) >= MAX_STORE_STATEMENTS:  # column sets are the clients' choice: bounded
                store.clear()
            table = self.model.ddl_table
            values = {name: sa.bindparam(f"v{i}", type_=table.c[name].type) for i, name in enumerate(names)}
            found = sa.insert(table).values(values) if kind == "insert" else \
                sa.update(table).where(in_param(table.c.id, "ids")).values(values)
            store[key] = found
        return found

    def _store(self, kind: str, columns: dict[str, Any], ids: list[int] | None = None) -> Any:
        """Run the INSERT or the UPDATE (of `ids`, which exist) of `columns`."""
        names = tuple(sorted(columns))
        params: dict[str, Any] = {f"v{i}": columns[name] for i, name in enumerate(names)}
        if ids is not None:
            params["ids"] = ids
        return self.conn.execute(self._store_statement(kind, names), params)

    # -- create -------------------------------------------------------------------------------
    @api.model()
    def create(self, vals_list: Any) -> Any:
        self._check_access("create")
        single = isinstance(vals_list, dict)
        items = [vals_list] if single else vals_list
        if not isinstance(items, list) or not all(isinstance(v, dict) for v in items):
            raise ValueError("create() expects a dictionary of values or a list of dictionaries")
        ids = [self._create_one(dict(v)) for v in items]
        return ids[0] if single else ids

    def _defaults(self, vals: dict[str, Any]) -> dict[str, Any]:
        out = dict(vals)
        for name, f in self.model.fields.items():
            if name in out or name in MAGIC:
                continue
            key = f"default_{name}"
            if key in self.env.context:
                out[name] = self.env.context[key]
            elif f.default is not None:
                out[name] = f.default
        return out

    def _split_vals(self, vals: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """Column values, x2many commands and values of computed fields with an inverse."""
        columns: dict[str, Any] = {}
        x2many: dict[str, Any] = {}
        inverses: dict[str, Any] = {}
        for name, value in vals.items():
            f = self.model.fields.get(name) if isinstance(name, str) else None
            if f is None:
                raise UnknownField(self.model.name, name)
            access.check_field(self.env, self.model, f, "write")
            if name in MAGIC:
                continue
            if f.type in X2MANY and not f.related:
                if f.store:
                    x2many[name] = commands.normalize(f, value)
                continue
            if f.secret:
                columns[name] = self._secret_value(name, value)
            elif f.column:
                columns[name] = to_column(f, value)
            elif f.compute or f.related:
                inverses[name] = value
        self._check_many2one(columns)
        return columns, x2many, inverses

    def _secret_value(self, name: str, value: Any) -> Any:
        """Hook: what the column of a secret field stores for a written value (a hash). A model
        that does not say how to store a secret refuses to write it."""
        raise UnknownField(self.model.name, name)

    def _check_many2one(self, columns: dict[str, Any]) -> None:
        for name, value in columns.items():
            f = self.model.fields[name]
            if f.type == "many2one" and value is not None:
                comodel = self.env.registry.comodel(f)
                if not self.conn.execute(sa.select(comodel.table.c.id).where(comodel.table.c.id == value)).first():
                    raise fk_error(self.model, f"{self.model.table_name}_{name}_fkey")

    def _create_one(self, vals: dict[str, Any]) -> int:
        """One record of a create whose access right was checked."""
        vals = self._defaults(vals)
        vals = self._prepare_create(vals)
        columns, x2many, inverses = self._split_vals(vals)
        for name, f in self.model.fields.items():
            if f.required and f.column and name not in MAGIC and columns.get(name) is None:
                raise not_null_error(self.model, f)
        self._constraints(columns)
        log = {k: v for k, v in (("create_uid", self.env.uid), ("write_uid", self.env.uid),
                                 ("create_date", self.env.now()), ("write_date", self.env.now()))
               if k in self.table.c}
        result = self._store("insert", {**columns, **log})
        new_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        self._after_insert(new_id, vals)
        for name, cmds in x2many.items():
            commands.apply(self, self.model.fields[name], [new_id], cmds)
        self._apply_inverses([new_id], inverses)
        self._after_write([new_id], vals, created=True)
        self._security_changed(set(vals))
        self._check_rules([new_id], "create")
        return new_id

    def _prepare_create(self, vals: dict[str, Any]) -> dict[str, Any]:
        """Hook: the values of a new record, defaults applied, before they are split and stored."""
        return vals

    def _after_insert(self, new_id: int, vals: dict[str, Any]) -> None:
        """Hook: right after the row is inserted, before x2many commands are applied."""

    def _constraints(self, columns: dict[str, Any]) -> None:
        """Model constraints checked on the values being written."""

    def _apply_inverses(self, ids: list[int], inverses: dict[str, Any]) -> None:
        """Values of fields without a column of their own: a related field writes through to the
        records it follows (with the user's rights on them), a computed field by its inverse."""
        for name, value in inverses.items():
            fld = self.model.fields[name]
            if fld.related:
                self._write_related(ids, fld.related, value)
                continue
            inverse = getattr(self, f"_inverse_{fld.compute}", None) if fld.compute else None
            if inverse:
                self.write(ids, inverse(value))

    def _write_related(self, ids: list[int], path: str, value: Any) -> None:
        head, _, rest = path.partition(".")
        link = self.model.fields[head]
        if link.type != "many2one" or not rest:
            raise UnknownField(self.model.name, path)
        targets = sorted({r[head] for r in self._fetch_values(ids, [head], False).values() if r[head]})
        if targets:
            comodel = self.comodel(link)
            if "." in rest:
                comodel._write_related(targets, rest, value)
            else:
                comodel.write(targets, {rest: value})

    def _after_write(self, ids: list[int], vals: dict[str, Any], created: bool = False) -> None:
        """Hook for stored computed values that depend on the written fields."""

    def _security_changed(self, names: set[str] | None = None) -> None:
        """Access rights, rules, groups or a user's groups/companies changed: drop cached decisions."""
        fields = self.SECURITY_FIELDS
        if fields is True or (fields and (names is None or names & fields)):
            access.invalidate(self.env)

    # -- write --------------------------------------------------------------------------------
    @api.records()
    def write(self, ids: Any, vals: Any) -> bool:
        ids = normalize_ids(ids)
        if not isinstance(vals, dict):
            raise ValueError("write() expects a dictionary of values")
        if not ids:
            return True
        if not self.env.su and ids == [self.env.uid] and vals and set(vals) <= self.SELF_WRITEABLE:
            # a user changing a few fields of their own record, as Odoo lets them
            return type(self)(self.env.sudo(), self.model)._write_checked(ids, dict(vals))
        self._check_access("write")
        self._permitted(ids, "write", missing_raises=True)
        return self._write_checked(ids, dict(vals))

    def _write_checked(self, ids: list[int], vals: dict[str, Any]) -> bool:
        """A write whose access rights and rules were checked."""
        vals = self._prepare_write(ids, vals)
        columns, x2many, inverses = self._split_vals(vals)
        for name, value in columns.items():
            f = self.model.fields[name]
            if f.required and value is None:
                raise not_null_error(self.model, f)
        self._constraints(columns)
        if "write_uid" in self.table.c:
            columns.update(write_uid=self.env.uid, write_date=self.env.now())
        self._store("update", columns, sorted(set(ids)))
        for name, cmds in x2many.items():
            commands.apply(self, self.model.fields[name], ids, cmds)
        self._apply_inverses(ids, inverses)
        self._after_write(ids, vals)
        self._security_changed(set(vals))
        return True

    def _prepare_write(self, ids: list[int], vals: dict[str, Any]) -> dict[str, Any]:
        return vals

    # -- unlink -------------------------------------------------------------------------------
    @api.records()
    def unlink(self, ids: Any) -> bool:
        self._check_access("unlink")
        ids = self._permitted(normalize_ids(ids), "unlink", missing_raises=False)
        if not ids:
            return True
        self._before_unlink(ids)
        self._drop_storage(ids)
        registry = self.env.registry
        referencing = [(m, f) for m in registry.models.values() for f in m.fields.values()
                       if f.type == "many2one" and f.column and f.relation == self.model.name]
        for m, f in referencing:
            if f.on_delete == "restrict" and self.conn.execute(self._referrers(m, f, ids).limit(1)).first():
                raise fk_error(m, f"{m.table_name}_{f.name}_fkey")
        for m, f in referencing:
            if f.on_delete == "cascade":
                dependants = list(self.conn.execute(self._referrers(m, f, ids)).scalars())
                if dependants:  # cascades are the database's business, not the user's rights
                    self.env.sudo()[m.name].unlink(dependants)
            elif f.on_delete != "restrict":
                self.conn.execute(sa.update(m.table).where(in_values(m.table.c[f.name], ids)).values({f.name: None}))
        for m in registry.models.values():
            for f in m.fields.values():
                if f.type == "many2many" and f.store and f.name in m.relations:
                    rel = m.relations[f.name]
                    _, c1, c2 = registry.m2m_spec(f)
                    if m.name == self.model.name:
                        self.conn.execute(sa.delete(rel).where(in_values(rel.c[c1], ids)))
                    if f.relation == self.model.name:
                        self.conn.execute(sa.delete(rel).where(in_values(rel.c[c2], ids)))
        data = export.DATA
        self.conn.execute(sa.delete(data).where(data.c.model == self.model.name, in_values(data.c.res_id, ids)))
        self.conn.execute(sa.delete(self.table).where(in_values(self.table.c.id, ids)))
        self._security_changed()
        self._after_unlink(ids)
        return True

    def _referrers(self, m: Model, f: Field, ids: list[int]) -> Any:
        """Records of `m` pointing at `ids` through `f`, the records being deleted left aside."""
        query = sa.select(m.table.c.id).where(in_values(m.table.c[f.name], ids))
        return query.where(not_in_values(m.table.c.id, ids)) if m.name == self.model.name else query

    def _before_unlink(self, ids: list[int]) -> None:
        """Hook: refuse some deletions (after the access checks, as Odoo orders its errors)."""

    def _drop_storage(self, ids: list[int]) -> None:
        """Hook: drop what the records own in the database schema (custom models and fields)."""

    def _after_unlink(self, ids: list[int]) -> None:
        """Hook: after the rows are gone."""

    @api.model()
    def name_create(self, name: Any) -> Any:
        vals = self._name_create_vals(name)
        if vals is None:
            return False
        new_id = self.create(vals)
        return [new_id, self._display_names([new_id]).get(new_id, False)]

    def _name_create_vals(self, name: Any) -> dict[str, Any] | None:
        """Hook: the values name_create creates a record from (None: the model has no name)."""
        return {self.model.rec_name: name} if self.model.rec_name else None

    @api.model(readonly=True, when="!name_search_domain")
    def default_get(self, fields_list: Any) -> dict[str, Any]:
        return self._default_values(fields_list)

    @api.model(readonly=True, name="default_get", when="name_search_domain")
    def _default_get_fields(self, fields: Any) -> dict[str, Any]:
        """Odoo 19 names the parameter `fields` (earlier `fields_list`)."""
        return self._default_values(fields)

    def _default_values(self, fields_list: Any) -> dict[str, Any]:
        names = self._field_names(fields_list or [])
        out: dict[str, Any] = {}
        for name in names:
            f = self.model.fields[name]
            key = f"default_{name}"
            if key in self.env.context:
                value = self.env.context[key]
            elif f.default is not None and name not in MAGIC:
                value = f.default
            else:
                continue
            if f.type in X2MANY:
                value = commands.as_default(commands.normalize(f, value))
            out[name] = value
        return out

    @api.records()
    def copy(self, ids: Any, default: Any = None) -> Any:
        """A read of the records and a create of their copies: both rights are needed, and the
        copied values go through every check of `create` (field groups, create rules). Odoo 18
        copies several records and answers the list of new ids; earlier versions copy exactly
        one and answer its id."""
        ids = normalize_ids(ids)
        several = self.env.profile.has("copy_returns_list")
        if len(ids) != 1 and not several:
            raise ValueError(f"Expected singleton: {self.model.name}({', '.join(map(str, ids))},)")
        if default is not None and not isinstance(default, dict):
            raise ValueError(f"copy() expects a dictionary of default values, not {default!r}")
        self._check_access("read")
        self._check_access("create")
        self._check_exist(ids)
        self._check_rules(ids, "read")
        if not ids:
            return []
        self._before_copy(ids)
        new_ids = [int(self.create(self._copy_data(rid, dict(default or {})))) for rid in ids]
        return new_ids if several else new_ids[0]

    def _before_copy(self, ids: list[int]) -> None:
        """Hook: refuse copies of some records (after the access checks)."""

    def _copy_data(self, rid: int, default: dict[str, Any]) -> dict[str, Any]:
        names = [n for n, f in self.model.fields.items()
                 if n not in MAGIC and f.copy and (f.column or (f.type == "many2many" and f.store))
                 and n not in default]
        row = self._fetch_values([rid], names, False)[rid]
        vals: dict[str, Any] = {n: [(6, 0, row[n])] if self.model.fields[n].type == "many2many" else row[n]
                                for n in names}
        o2m = [f for f in self.model.fields.values() if f.type == "one2many" and f.copy and f.store
               and f.name not in default]
        for f in o2m:
            lines = self._x2many_values(f, [rid])[rid]
            comodel = self.comodel(f)
            comodel._check_access("read")
            vals[f.name] = [(0, 0, comodel._copy_data(line, {f.relation_field or "": False})) for line in lines]
        vals = self._copy_defaults(vals)  # " (copy)" names, unless the caller chose values
        vals.update(default)
        return vals

    def _copy_defaults(self, vals: dict[str, Any]) -> dict[str, Any]:
        """Hook: what a copy changes in the copied values (" (copy)" names and the like)."""
        return vals

    def _active(self) -> str:
        active = self.model.active_name
        if not active:
            raise ValueError(f"No 'active' field on model {self.model.name}")
        return active

    @api.records()
    def toggle_active(self, ids: Any) -> None:
        active = self._active()
        self._check_access("write")  # refused even when none of the ids exists
        ids = self._existing(normalize_ids(ids))
        states = self._fetch_values(ids, [active], False)
        on = [i for i in ids if states[i][active]]
        off = [i for i in ids if not states[i][active]]
        if on:
            self.write(on, {active: False})
        if off:
            self.write(off, {active: True})
        return None

    @api.records()
    def action_archive(self, ids: Any) -> None:
        active = self._active()
        self._check_access("write")  # refused even when none of the ids exists
        ids = self._existing(normalize_ids(ids))
        self.write(ids, {active: False})
        return None

    @api.records()
    def action_unarchive(self, ids: Any) -> None:
        active = self._active()
        self._check_access("write")  # refused even when none of the ids exists
        ids = self._existing(normalize_ids(ids))
        self.write(ids, {active: True})
        return None
