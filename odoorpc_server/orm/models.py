"""ORM methods callable over RPC, generic over every model of the registry.

Models are data (registry rows); the models with behaviour of their own (contacts, users, the
model and field metadata, ...) subclass `BaseModel` in the `odoorpc_server.models` package, one
module per Odoo model, and only implement hooks.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, ClassVar

import sqlalchemy as sa

from odoorpc_server.exceptions import MissingError, UnknownField, UnknownMethod, ValidationError
from odoorpc_server.orm import access, api, classes, commands, export
from odoorpc_server.orm.domains import name_search_domain, normalize_domain
from odoorpc_server.orm.env import Env
from odoorpc_server.orm.fields import MAGIC, X2MANY, Field, check_int32, to_column, to_read
from odoorpc_server.orm.order import OrderBuilder
from odoorpc_server.orm.registry import Model
from odoorpc_server.orm.where import name_fields

LOG_FIELDS = ("create_uid", "create_date", "write_uid", "write_date")
ACCESS_MODES = ("read", "write", "create", "unlink")


INT64_MAX = 2**63 - 1


def check_bound(value: Any, name: str) -> int:
    """limit / offset: a non-negative integer that fits PostgreSQL's bigint."""
    if value is None or value is False:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"Invalid {name} {value!r}: an integer is expected") from None
    if value < 0:
        raise ValidationError(f"The operation cannot be completed: {name.upper()} must not be negative")
    if value > INT64_MAX:
        raise ValidationError("The operation cannot be completed: bigint out of range")
    return int(value)


def normalize_ids(ids: Any) -> list[int]:
    if ids is None or ids is False:
        return []
    if isinstance(ids, bool):
        raise ValueError(f"Invalid ids {ids!r}")
    if isinstance(ids, int):
        return [check_int32(ids)]
    if isinstance(ids, (list, tuple)):
        out = []
        for i in ids:
            if isinstance(i, bool) or not isinstance(i, int):
                raise ValueError(f"Invalid record id {i!r}")
            out.append(check_int32(i))
        return out
    raise ValueError(f"Invalid ids {ids!r}")


def not_null_error(model: Model, fld: Field) -> ValidationError:
    return ValidationError(
        "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
        "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"
        f"Model: {model.description} ({model.name})\nField: {fld.string} ({fld.name})\n")


def fk_error(model: Model, constraint: str) -> ValidationError:
    return ValidationError(
        "The operation cannot be completed: another model requires the record being deleted. "
        f"If possible, archive it instead.\n\nModel: {model.description} ({model.name})\n"
        f"Constraint: {constraint}\n")


# The one enforcement point: these methods check access rights and record rules, then call the
# per-model hooks. A model class may not define them (see BaseModel.__init_subclass__).
FINAL_METHODS = frozenset({
    "create", "read", "write", "unlink", "copy", "search", "search_count", "search_read", "read_group",
    "name_search", "name_get", "name_create", "default_get", "exists", "fields_get", "get_metadata",
    "export_data", "check_access_rights", "check_access_rule", "action_archive", "action_unarchive",
    "toggle_active", "_create_one", "_write_checked", "_check_access", "_check_rules", "_check_exist",
    "_split_vals", "_search_ids", "_field_names", "_read", "public_method",
})
@classes.register(classes.GENERIC)
class BaseModel:
    """Generic ORM methods; `env` and `model` say on what and for whom they run.

    Public methods are final: each checks the access rights and record rules of its operation and
    then calls hooks (`_prepare_create`, `_after_insert`, `_prepare_write`, `_after_write`,
    `_constraints`, `_before_unlink`, `_drop_storage`, `_after_unlink`, `_before_copy`,
    `_copy_defaults`, `_name_create_vals`, `_secret_value`) that models override for their own
    behaviour. No override can skip a check, because no model can replace the methods doing them.
    """

    # fields a user may write on their own record without the right to write the model (Odoo's
    # SELF_WRITEABLE_FIELDS of res.users)
    SELF_WRITEABLE: ClassVar[frozenset[str]] = frozenset()
    # changes that alter security decisions (True: any change), so cached decisions are dropped
    SECURITY_FIELDS: ClassVar[frozenset[str] | bool] = False
    # the fields a name search looks in (Odoo's _rec_names_search); the rec_name by default
    NAME_SEARCH: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        overridden = sorted(FINAL_METHODS & set(vars(cls)))
        if overridden:
            raise TypeError(f"{cls.__name__} may not override {', '.join(overridden)}: "
                            "access checks live there; implement a hook instead")

    def __init__(self, env: Env, model: Model) -> None:
        self.env = env
        self.model = model

    # -- helpers ------------------------------------------------------------------------------
    @property
    def table(self) -> sa.Table:
        return self.model.table

    @property
    def conn(self) -> sa.Connection:
        return self.env.conn

    def public_method(self, name: str) -> tuple[Any, api.Exposure]:
        """The bound method a remote caller asked for, with its RPC contract."""
        found = api.exposure(type(self), name)
        if found is None:
            raise UnknownMethod(self.model.name, name)
        return getattr(self, name), found

    def other(self, name: str) -> BaseModel:
        return self.env[name]

    def comodel(self, f: Field) -> BaseModel:
        """The model a relational field of this model points to."""
        return self.env[f.relation or ""]

    def _existing(self, ids: list[int]) -> list[int]:
        if not ids:
            return []
        found = set(self.conn.execute(sa.select(self.table.c.id).where(self.table.c.id.in_(set(ids)))).scalars())
        return [i for i in ids if i in found]

    def _check_exist(self, ids: list[int]) -> None:
        missing = sorted(set(ids) - set(self._existing(ids)))
        if missing:
            raise MissingError(
                "Record does not exist or has been deleted.\n"
                f"(Record: {self.model.name}({', '.join(map(str, missing))},), User: {self.env.uid})")

    def _check_access(self, operation: str) -> None:
        access.check_model(self.env, self.model, operation)

    def _check_rules(self, ids: list[int], operation: str) -> None:
        """Record rules: every one of `ids` (existing records) must pass the rules of `operation`."""
        domain = access.rule_domain(self.env, self.model, operation)
        if domain is None or not ids:
            return
        clause = self.env.sudo().compiler.where(self.model, domain, active_test=False)
        allowed = set(self.conn.execute(sa.select(self.table.c.id).where(self.table.c.id.in_(set(ids)), clause))
                      .scalars())
        forbidden = [i for i in ids if i not in allowed]
        if forbidden:
            raise access.rule_error(self.env, self.model, operation, forbidden)

    def _search_ids(self, domain: Any, offset: int = 0, limit: int | None = None, order: str | None = None,
                    active_test: bool | None = None) -> list[int]:
        offset, limit = check_bound(offset, "offset"), check_bound(limit, "limit")
        query = self.env.compiler.ids_query(self.model, domain, active_test)
        builder = OrderBuilder(self.env.registry)
        builder.add(self.model, self.table, order or self.model.order)
        query = builder.apply(query, self.table)
        if offset:
            query = query.offset(offset)
        if limit:
            query = query.limit(limit)
        return list(self.conn.execute(query).scalars())

    # -- search -------------------------------------------------------------------------------
    @api.model(readonly=True)
    def search(self, domain: Any, offset: int = 0, limit: int | None = None, order: str | None = None) -> list[int]:
        self._check_access("read")
        return self._search_ids(domain, offset, limit, order)

    @api.model(readonly=True)
    def search_count(self, domain: Any, limit: int | None = None) -> int:
        self._check_access("read")
        limit = check_bound(limit, "limit")
        query = self.env.compiler.ids_query(self.model, domain)
        if limit:
            query = query.limit(limit)
        return int(self.conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one())

    @api.model(readonly=True)
    def search_read(self, domain: Any = None, fields: Any = None, offset: int = 0, limit: int | None = None,
                    order: str | None = None, **read_kwargs: Any) -> list[dict[str, Any]]:
        self._check_access("read")
        for key in set(read_kwargs) - {"load"}:
            raise TypeError(f"read() got an unexpected keyword argument '{key}'")
        names = self._field_names(fields)
        ids = self._search_ids(domain or [], offset, limit, order)
        if not ids:
            return []
        # the search already applied the read rules: no second check of the same records
        return self._read(ids, names if "id" in names else ["id", *names], read_kwargs.get("load", "_classic_read"))

    @api.records(readonly=True)
    def exists(self, ids: Any) -> list[int]:
        return self._existing(normalize_ids(ids))

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
        self._check_rules(self._existing(ids), "read")
        return self._read(ids, names, load)

    def _read(self, ids: list[int], names: list[str], load: str | None) -> list[dict[str, Any]]:
        values = self._fetch_values(ids, names, load == "_classic_read")
        order = [i for i in ids if i in values]
        return [{n: values[i][n] for n in names} for i in order]

    def _fetch_values(self, ids: list[int], names: list[str], m2o_names: bool) -> dict[int, dict[str, Any]]:
        fields = [self.model.fields[n] for n in names]
        cols = [self.table.c[f.name] for f in fields if f.column and f.name != "id"]
        rows = self.conn.execute(sa.select(self.table.c.id, *cols).where(self.table.c.id.in_(set(ids)))).all() \
            if ids else []
        out: dict[int, dict[str, Any]] = {}
        for row in rows:
            rec: dict[str, Any] = {"id": row.id}
            for f in fields:
                if f.column and f.name != "id":
                    rec[f.name] = self._column_read(f, row._mapping[f.name])
            out[row.id] = rec
        found = list(out)
        for f in fields:
            if f.name == "id" or (f.column and f.type != "many2one"):
                continue
            if f.type == "many2one" and f.column:
                if m2o_names:
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
                inverse.in_(ids), self.env.compiler.where(comodel, []))
        else:
            rel = self.model.relations[f.name]
            _, c1, c2 = self.env.registry.m2m_spec(f)
            query = sa.select(comodel.table.c.id, rel.c[c1]).select_from(
                rel.join(comodel.table, comodel.table.c.id == rel.c[c2])).where(
                rel.c[c1].in_(ids), self.env.compiler.where(comodel, []))
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

    @api.records(readonly=True)
    def name_get(self, ids: Any) -> list[list[Any]]:
        self._check_access("read")
        ids = self._existing(normalize_ids(ids))
        self._check_rules(ids, "read")
        names = self._display_names(ids)
        return [[i, names.get(i, False)] for i in ids]

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
            if f.type in X2MANY:
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
        result = self.conn.execute(sa.insert(self.model.ddl_table).values(**columns, **log))
        new_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        self._after_insert(new_id, vals)
        for name, cmds in x2many.items():
            commands.apply(self, self.model.fields[name], [new_id], cmds)
        self._apply_inverses([new_id], inverses)
        self._after_write([new_id], set(vals), created=True)
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
        for name, value in inverses.items():
            compute = self.model.fields[name].compute
            inverse = getattr(self, f"_inverse_{compute}", None) if compute else None
            if inverse:
                self.write(ids, inverse(value))

    def _after_write(self, ids: list[int], names: set[str], created: bool = False) -> None:
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
        self._check_exist(ids)
        self._check_rules(ids, "write")
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
        table = self.model.ddl_table
        self.conn.execute(sa.update(table).where(table.c.id.in_(ids)).values(**columns))
        for name, cmds in x2many.items():
            commands.apply(self, self.model.fields[name], ids, cmds)
        self._apply_inverses(ids, inverses)
        self._after_write(ids, set(vals))
        self._security_changed(set(vals))
        return True

    def _prepare_write(self, ids: list[int], vals: dict[str, Any]) -> dict[str, Any]:
        return vals

    # -- unlink -------------------------------------------------------------------------------
    @api.records()
    def unlink(self, ids: Any) -> bool:
        self._check_access("unlink")
        ids = self._existing(normalize_ids(ids))
        if not ids:
            return True
        self._check_rules(ids, "unlink")
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
                self.conn.execute(sa.update(m.table).where(m.table.c[f.name].in_(ids)).values({f.name: None}))
        for m in registry.models.values():
            for f in m.fields.values():
                if f.type == "many2many" and f.store and f.name in m.relations:
                    rel = m.relations[f.name]
                    _, c1, c2 = registry.m2m_spec(f)
                    if m.name == self.model.name:
                        self.conn.execute(sa.delete(rel).where(rel.c[c1].in_(ids)))
                    if f.relation == self.model.name:
                        self.conn.execute(sa.delete(rel).where(rel.c[c2].in_(ids)))
        self.conn.execute(sa.text("DELETE FROM ir_model_data WHERE model = :m AND res_id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True)), {"m": self.model.name, "ids": ids})
        self.conn.execute(sa.delete(self.table).where(self.table.c.id.in_(ids)))
        self._security_changed()
        self._after_unlink(ids)
        return True

    def _referrers(self, m: Model, f: Field, ids: list[int]) -> Any:
        """Records of `m` pointing at `ids` through `f`, the records being deleted left aside."""
        query = sa.select(m.table.c.id).where(m.table.c[f.name].in_(ids))
        return query.where(m.table.c.id.not_in(ids)) if m.name == self.model.name else query

    def _before_unlink(self, ids: list[int]) -> None:
        """Hook: refuse some deletions (after the access checks, as Odoo orders its errors)."""

    def _drop_storage(self, ids: list[int]) -> None:
        """Hook: drop what the records own in the database schema (custom models and fields)."""

    def _after_unlink(self, ids: list[int]) -> None:
        """Hook: after the rows are gone."""

    # -- other public methods -----------------------------------------------------------------
    @api.model(readonly=True)
    def fields_get(self, allfields: Any = None, attributes: Any = None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        wanted = set(allfields) if allfields else None
        for name, f in self.model.fields.items():
            if (wanted is not None and name not in wanted) or not access.readable_field(self.env, f):
                continue
            desc = f.description()
            if attributes:
                desc = {k: v for k, v in desc.items() if k in attributes}
            out[name] = desc
        return out

    @api.model(readonly=True)
    def name_search(self, name: Any = "", args: Any = None, operator: str = "ilike",
                    limit: int | None = 100) -> list[list[Any]]:
        self._check_access("read")
        domain = list(args or [])
        extra = name_search_domain(name_fields(self.model), name, operator)
        if extra:
            domain = ["&", *normalize_domain(domain), *extra] if domain else extra
        ids = self._search_ids(domain, 0, limit, None)
        names = self._display_names(ids)
        return [[i, names.get(i, False)] for i in ids]

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

    @api.model(readonly=True)
    def default_get(self, fields_list: Any) -> dict[str, Any]:
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
    def copy(self, ids: Any, default: Any = None) -> int:
        """A read of the record and a create of its copy: both rights are needed, and the copied
        values go through every check of `create` (field groups, create rules)."""
        ids = normalize_ids(ids)
        if len(ids) != 1:
            raise ValueError(f"Expected singleton: {self.model.name}({', '.join(map(str, ids))},)")
        if default is not None and not isinstance(default, dict):
            raise ValueError(f"copy() expects a dictionary of default values, not {default!r}")
        self._check_access("read")
        self._check_access("create")
        self._check_exist(ids)
        self._check_rules(ids, "read")
        self._before_copy(ids)
        vals = self._copy_data(ids[0], dict(default or {}))
        return int(self.create(vals))

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

    @api.model(readonly=True)
    def check_access_rights(self, operation: Any, raise_exception: bool = True) -> bool:
        return access.check_model(self.env, self.model, operation, raise_exception)

    @api.records(readonly=True)
    def check_access_rule(self, ids: Any, operation: Any) -> None:
        if operation not in ACCESS_MODES:
            raise ValueError(f"Invalid access mode: {operation!r}")
        ids = normalize_ids(ids)
        if operation not in ("read", "unlink"):
            self._check_exist(ids)
        self._check_rules(self._existing(ids), operation)
        return None

    @api.records(readonly=True)
    def get_metadata(self, ids: Any) -> list[dict[str, Any]]:
        self._check_access("read")
        ids = self._existing(normalize_ids(ids))
        self._check_rules(ids, "read")
        names = [n for n in LOG_FIELDS if n in self.model.fields]
        values = self._fetch_values(ids, names, True)
        xmlids: dict[int, list[dict[str, Any]]] = defaultdict(list)
        if ids:
            rows = self.conn.execute(sa.text(
                "SELECT res_id, module, name, noupdate FROM ir_model_data WHERE model = :m AND res_id IN :ids "
                "ORDER BY id").bindparams(sa.bindparam("ids", expanding=True)), {"m": self.model.name, "ids": ids})
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

    def _active(self) -> str:
        active = self.model.active_name
        if not active:
            raise ValueError(f"No 'active' field on model {self.model.name}")
        return active

    @api.records()
    def toggle_active(self, ids: Any) -> None:
        active = self._active()
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
        ids = self._existing(normalize_ids(ids))
        self.write(ids, {active: False})
        return None

    @api.records()
    def action_unarchive(self, ids: Any) -> None:
        active = self._active()
        ids = self._existing(normalize_ids(ids))
        self.write(ids, {active: True})
        return None

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
        return read_group(self, domain, fields, groupby, offset, limit, orderby, lazy)


def model_class(name: str) -> type[BaseModel]:
    """The class holding the behaviour of model `name` (registered by `odoorpc_server.models`)."""
    cls: type[BaseModel] = classes.lookup(name)
    return cls


__all__ = ["BaseModel", "model_class", "normalize_ids"]
