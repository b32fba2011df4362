"""The few models whose behaviour goes beyond the generic ORM: contacts, users, companies,
and the metadata models through which custom models and fields are created over RPC."""
from __future__ import annotations

import ast
import re
from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import AccessDenied, AccessError, UserError, ValidationError
from odoorpc_server.orm import api
from odoorpc_server.orm.access import has_group
from odoorpc_server.orm.env import Env
from odoorpc_server.orm.fields import MAGIC, SUPPORTED_TTYPES, TTYPES, default_label, magic_field_rows, to_datetime
from odoorpc_server.orm.models import BaseModel, behaviour, normalize_ids
from odoorpc_server.orm.order import check as check_order
from odoorpc_server.orm.registry import IDENTIFIER, Registry, m2m_names, table_name
from odoorpc_server.security import DEFAULT_ROUNDS, hash_password

MODEL_NAME = re.compile(r"^[a-z0-9_.]+$")
PARTNER_TYPES = {"invoice": "Invoice Address", "delivery": "Delivery Address", "other": "Other Address"}


@behaviour("res.partner")
class Partner(BaseModel):
    def _constraints(self, columns: dict[str, Any]) -> None:
        if "name" in columns and not columns["name"] and columns.get("type", "contact") == "contact":
            raise ValidationError("The operation cannot be completed: Contacts require a name")

    def _prepare_create(self, vals: dict[str, Any]) -> dict[str, Any]:
        if not vals.get("name") and vals.get("type", "contact") == "contact":
            raise ValidationError("The operation cannot be completed: Contacts require a name")
        return vals

    def _after_write(self, ids: list[int], names: set[str], created: bool = False) -> None:
        if created or names & {"name", "parent_id", "is_company", "type"}:
            self._recompute_complete_name(ids)

    def _recompute_complete_name(self, ids: list[int]) -> None:
        todo, seen = list(ids), set()
        while todo:
            batch = [i for i in todo if i not in seen]
            seen.update(batch)
            rows = self._fetch_values(batch, ["name", "parent_id", "is_company", "type"], False)
            for i, row in rows.items():
                self.conn.execute(sa.update(self.table).where(self.table.c.id == i).values(
                    complete_name=self._complete_name(row)))
            todo = list(self.conn.execute(sa.select(self.table.c.id).where(
                self.table.c.parent_id.in_(batch))).scalars())

    def _complete_name(self, row: dict[str, Any]) -> str:
        name = row["name"] or ""
        if row["parent_id"]:
            if not name and row["type"] in PARTNER_TYPES:
                name = PARTNER_TYPES[row["type"]]
            if not row["is_company"]:
                name = f"{self._commercial_name(row['parent_id'])}, {name}"
        return name.strip()

    def _commercial_name(self, pid: int) -> str:
        seen: set[int] = set()
        while pid and pid not in seen:
            seen.add(pid)
            row = self._fetch_values([pid], ["name", "parent_id", "is_company"], False).get(pid)
            if row is None:
                return ""
            if row["is_company"] or not row["parent_id"]:
                return str(row["name"] or "")
            pid = row["parent_id"]
        return ""

    def _copy_defaults(self, vals: dict[str, Any]) -> dict[str, Any]:
        if vals.get("name"):
            vals["name"] = f"{vals['name']} (copy)"
        return vals


@behaviour("res.company")
class Company(BaseModel):
    def _before_copy(self, ids: list[int]) -> None:
        raise UserError("Duplicating a company is not allowed. Please create a new company instead.")

    def _prepare_create(self, vals: dict[str, Any]) -> dict[str, Any]:
        if not vals.get("partner_id") and vals.get("name"):
            vals["partner_id"] = self.other("res.partner").create({"name": vals["name"], "is_company": True})
        return vals


SELF_WRITEABLE = frozenset({"signature", "action_id", "company_id", "email", "name", "image_1920", "lang", "tz"})


def xmlid_res_id(env: Env, xmlid: str) -> int | None:
    module, _, name = xmlid.partition(".")
    found = env.conn.execute(sa.text("SELECT res_id FROM ir_model_data WHERE module = :m AND name = :n"),
                             {"m": module, "n": name}).scalar()
    return int(found) if found is not None else None


@behaviour("res.users")
class Users(BaseModel):
    SELF_WRITEABLE = SELF_WRITEABLE

    @api.model()
    def change_password(self, old_passwd: Any, new_passwd: Any) -> bool:
        from odoorpc_server.security import stored_password
        from odoorpc_server.verification import POOL

        stored = stored_password(self.conn, self.env.uid)
        if not isinstance(old_passwd, str) or not stored or not POOL.verify(old_passwd, stored):
            raise AccessDenied()
        if not new_passwd:
            raise UserError("Setting empty passwords is not allowed for security reasons!")
        Users(self.env.sudo(), self.model).write([self.env.uid], {"password": new_passwd})
        return True

    def _rounds(self) -> int:
        return int(getattr(self.env.settings, "password_rounds", DEFAULT_ROUNDS) or DEFAULT_ROUNDS)

    def _secret_value(self, name: str, value: Any) -> Any:
        """The password column holds Odoo's pbkdf2 hash; an empty password removes it."""
        if name != "password":
            return super()._secret_value(name, value)
        if value and not isinstance(value, str):
            raise ValueError(f"Wrong value for res.users.password: {value!r}")
        return hash_password(value, self._rounds()) if value else None

    def _check_login(self, login: Any, ids: list[int]) -> None:
        query = sa.select(self.table.c.id).where(self.table.c.login == login)
        if ids:
            query = query.where(self.table.c.id.not_in(ids))
        if len(ids) > 1 or self.conn.execute(query.limit(1)).first():
            raise ValidationError("The operation cannot be completed: You can not have two users with the "
                                  "same login !")

    def _prepare_create(self, vals: dict[str, Any]) -> dict[str, Any]:
        self._check_login(vals.get("login"), [])
        if "groups_id" not in vals:  # new users are internal users, as in Odoo
            group_user = xmlid_res_id(self.env, "base.group_user")
            vals["groups_id"] = [(6, 0, [group_user] if group_user else [])]
        if not vals.get("partner_id"):
            partner = {"name": vals.get("name") or vals.get("login"), "email": vals.get("email") or False,
                       "company_id": vals.get("company_id") or False}
            vals["partner_id"] = self.env.sudo()["res.partner"].create(partner)
        if not vals.get("name"):
            vals["name"] = self.other("res.partner")._fetch_values([vals["partner_id"]], ["name"], False)[
                vals["partner_id"]]["name"]
        if "company_ids" not in vals and vals.get("company_id"):
            vals["company_ids"] = [(6, 0, [vals["company_id"]])]
        return vals

    def _prepare_write(self, ids: list[int], vals: dict[str, Any]) -> dict[str, Any]:
        if "login" in vals:
            self._check_login(vals["login"], ids)
        if vals.get("company_id") and "company_ids" not in vals:
            # a user may pick their current company, among the companies they are allowed
            allowed = self._x2many_values(self.model.fields["company_ids"], ids)
            if any(vals["company_id"] not in allowed[i] for i in ids):
                raise ValidationError("The chosen company is not in the allowed companies for this user")
        return vals

    def _after_write(self, ids: list[int], names: set[str], created: bool = False) -> None:
        mirrored = [n for n in ("name", "email") if n in names]
        if mirrored and not created:
            rows = self._fetch_values(ids, ["partner_id", *mirrored], False)
            for row in rows.values():
                self.env.sudo()["res.partner"].write([row["partner_id"]], {n: row[n] for n in mirrored})

    def _before_unlink(self, ids: list[int]) -> None:
        if 1 in ids or 2 in ids:
            raise UserError("You can not remove the admin user as it is used internally for resources created "
                            "by Odoo (updates, module installation, ...)")

    def _copy_defaults(self, vals: dict[str, Any]) -> dict[str, Any]:
        vals["login"] = f"{vals.get('login')} (copy)"
        if vals.get("name"):
            vals["name"] = f"{vals['name']} (copy)"
        vals.pop("partner_id", None)
        return vals


@behaviour("res.users.apikeys.description")
class ApiKeyDescription(BaseModel):
    """The wizard through which a user creates an API key for themselves."""

    @api.records()
    def make_key(self, ids: Any) -> dict[str, Any]:
        from odoorpc_server.security import generate_api_key

        ids = normalize_ids(ids)
        self._check_access("read")
        self._check_rules(self._existing(ids), "read")
        if len(ids) != 1:
            raise ValueError(f"Expected singleton: {self.model.name}({', '.join(map(str, ids))},)")
        if self.env.shared.get("auth_method") != "password":
            # our stand-in for Odoo's identity check: a key cannot mint keys
            raise AccessError("API keys can only be created in a call authenticated with the password, "
                              "not with an API key.")
        if not has_group(self.env, "base.group_user"):
            raise UserError("Only internal users can create API keys")
        row = self._fetch_values(ids, ["name", "expiration_date"], False)[ids[0]]
        expiration = to_datetime(row["expiration_date"]) if row["expiration_date"] else None
        _, key = generate_api_key(self.conn, self.env.registry.sqlite, self.env.uid, row["name"], None, expiration)
        return {"type": "ir.actions.act_window", "res_model": "res.users.apikeys.show", "name": "API Key Ready",
                "views": [[False, "form"]], "target": "new", "context": {"default_key": key}}


@behaviour("ir.rule")
class Rule(BaseModel):
    def _constraints(self, columns: dict[str, Any]) -> None:
        if columns.get("domain_force"):
            from odoorpc_server.orm.access import eval_rule_domain
            from odoorpc_server.orm.where import validate

            try:
                domain = eval_rule_domain(columns["domain_force"], self.env)
            except (ValueError, SyntaxError) as error:
                raise ValidationError(f"Invalid domain: {error}") from None
            model_id = columns.get("model_id")
            if model_id:
                name = self.conn.execute(sa.text("SELECT model FROM ir_model WHERE id = :i"), {"i": model_id}).scalar()
                if isinstance(name, str) and name in self.env.registry:
                    validate(self.env.registry[name], domain, self.env.registry)


def _bool(value: Any) -> bool:
    return bool(value) and value not in ("0", "false", "False")


def database_tables(env: Env) -> set[str]:
    return set(sa.inspect(env.conn).get_table_names())


def table_taken(env: Env, table: str) -> bool:
    """Whether a table name is in use: by a table in the database or by a model of the registry."""
    return table in database_tables(env) or any(m.table_name == table for m in env.registry.models.values())


@behaviour("ir.model")
class IrModel(BaseModel):
    """Creating an `ir.model` row with state 'manual' creates a model and its table."""

    def _prepare_create(self, vals: dict[str, Any]) -> dict[str, Any]:
        model = vals.get("model")
        state = vals.get("state") or "manual"
        if not isinstance(model, str) or not model:
            raise ValueError("The model name is required")
        if state == "manual" and not model.startswith("x_"):
            raise ValidationError("The model name must start with 'x_'.")
        if not MODEL_NAME.match(model):
            raise ValidationError("The model name can only contain lowercase characters, digits, underscores "
                                  "and dots.")
        if not IDENTIFIER.match(table_name(model)):
            raise ValidationError(f"Invalid characters in table name {table_name(model)!r}")
        if model in self.env.registry:
            raise ValidationError("The operation cannot be completed: Each model must have a unique name.")
        if state != "manual" and not self.env.su:
            raise UserError("Only manual models can be created over RPC")
        if state == "manual" and table_taken(self.env, table_name(model)):
            raise ValidationError(f"The operation cannot be completed: the table {table_name(model)!r} "
                                  "already exists.")
        order = vals.get("order") or "id"
        check_order(order)
        return {**vals, "model": model, "name": vals.get("name") or model, "state": state, "order": order,
                "info": vals.get("info") or False, "transient": _bool(vals.get("transient"))}

    def _after_insert(self, new_id: int, vals: dict[str, Any]) -> None:
        """The model's magic fields and, for a manual model, its table and the Settings group's
        access, before the `field_id` commands add its columns."""
        state = vals["state"]
        insert_magic_fields(self.env, new_id, vals["model"], state="base" if state == "base" else "manual")
        if state != "manual":
            return
        self.env.reload_registry()
        created = self.env.registry[vals["model"]]
        created.ddl_table.create(self.conn)
        for rel in created.relations.values():
            rel.create(self.conn, checkfirst=True)
        self._grant_admin(new_id, vals["model"])

    def _grant_admin(self, mid: int, model: str) -> None:
        if "ir.model.access" not in self.env.registry:
            return
        group = self.conn.execute(sa.text(
            "SELECT res_id FROM ir_model_data WHERE module = 'base' AND name = 'group_system'")).scalar()
        self.env.sudo()["ir.model.access"].create({
            "name": f"access_{table_name(model)}_system", "model_id": mid, "group_id": group or False,
            "perm_read": True, "perm_write": True, "perm_create": True, "perm_unlink": True})

    def _prepare_write(self, ids: list[int], vals: dict[str, Any]) -> dict[str, Any]:
        rows = self._fetch_values(ids, ["model", "state", "transient"], False)
        for row in rows.values():
            if "model" in vals and vals["model"] != row["model"]:
                raise UserError('Field "Model" cannot be modified on models.')
            if "state" in vals and vals["state"] != row["state"]:
                raise UserError('Field "Type" cannot be modified on models.')
            if "transient" in vals and bool(vals["transient"]) != bool(row["transient"]):
                raise UserError('Field "Transient Model" cannot be modified on models.')
        if "order" in vals:
            check_order(vals["order"] or "id")
        return vals

    def _after_write(self, ids: list[int], names: set[str], created: bool = False) -> None:
        if not created and names & {"order", "name", "field_id"}:
            self.env.reload_registry()

    def _before_unlink(self, ids: list[int]) -> None:
        for row in self._fetch_values(ids, ["state", "name"], False).values():
            if row["state"] != "manual":
                raise UserError(f"Model “{row['name']}” contains module data and cannot be removed.")

    def _drop_storage(self, ids: list[int]) -> None:
        """Drop the tables of the models (only manual models get here) and the fields of other
        models that point to them."""
        fields_model = self.other("ir.model.fields")
        assert isinstance(fields_model, IrModelFields)
        registry = self.env.registry
        for row in self._fetch_values(ids, ["model"], False).values():
            name = row["model"]
            dependants = [f.id for m in registry.models.values() if m.name != name
                          for f in m.fields.values() if f.relation == name]
            fields_model._drop_fields(sorted(dependants))
            model = registry[name]
            for rel in list(model.relations.values()):
                if owned_relation(rel.name) and not _relation_shared(registry, rel.name, exclude_model=name):
                    rel.drop(self.conn, checkfirst=True)
            if model.state == "manual" and model.table_name.startswith("x_"):
                model.ddl_table.drop(self.conn, checkfirst=True)
            self.conn.execute(sa.text("DELETE FROM ir_model_fields_group_rel WHERE field_id IN "
                                      "(SELECT id FROM ir_model_fields WHERE model = :m)"), {"m": name})
            self.conn.execute(sa.text("DELETE FROM ir_model_fields WHERE model = :m"), {"m": name})
            self.conn.execute(sa.text("DELETE FROM ir_model_data WHERE model = :m"), {"m": name})

    def _after_unlink(self, ids: list[int]) -> None:
        self.env.reload_registry()

    def _name_create_vals(self, name: Any) -> dict[str, Any] | None:
        """`ir.model.name_create('My Model')` creates the manual model `x_my_model`, as in Odoo."""
        model = "x_" + re.sub(r"[^a-z0-9_]+", "_", str(name).lower()).strip("_")
        return {"name": name, "model": model, "state": "manual"}


def owned_relation(table: str) -> bool:
    """Relation tables a custom field may create and drop: `x_` ones only (never a base table)."""
    return table.startswith("x_") and bool(IDENTIFIER.match(table))


def _relation_shared(registry: Registry, rel: str, exclude_model: str | None = None,
                     exclude_field: int | None = None) -> bool:
    for m in registry.models.values():
        if m.name == exclude_model:
            continue
        for f in m.fields.values():
            if f.type == "many2many" and f.id != exclude_field and registry.m2m_spec(f)[0] == rel:
                return True
    return False


def insert_magic_fields(env: Env, mid: int, model: str, state: str) -> None:
    env.conn.execute(sa.insert(env.registry["ir.model.fields"].ddl_table), magic_field_rows(model, mid, state))


# what a custom field's row may say, and what may change once it exists
FIELD_ATTRIBUTES = ("name", "model", "model_id", "ttype", "state", "field_description", "help", "relation",
                    "relation_field", "relation_table", "column1", "column2", "selection", "required", "readonly",
                    "index", "translate", "copied", "size", "on_delete", "domain", "groups", "store")
CHANGEABLE_ATTRIBUTES = frozenset({"field_description", "help", "selection", "required", "readonly", "index",
                                   "translate", "copied", "size", "on_delete", "domain", "groups", "store"})


@behaviour("ir.model.fields")
class IrModelFields(BaseModel):
    """Creating a manual field adds a column (or a relation table) to the model's table."""

    def _prepare_create(self, vals: dict[str, Any]) -> dict[str, Any]:
        """Validate a new field and return its whole row: only the attributes a custom field may
        have (others are ignored, as the server has no use for them), names that become SQL
        identifiers checked against what the field may own."""
        reg = self.env.registry
        model_name, mid = self._field_model(vals)
        name = vals.get("name") or "x_"
        state = vals.get("state") or "manual"
        ttype = vals.get("ttype")
        if not isinstance(name, str) or not IDENTIFIER.match(name):
            raise ValidationError("Field names can only contain characters, digits and underscores (up to 63).")
        if state == "manual" and not name.startswith("x_"):
            raise ValidationError("The operation cannot be completed: Custom fields must have a name that starts "
                                  "with 'x_'!")
        if state != "manual" and not self.env.su:
            raise UserError("Only manual fields can be created over RPC")
        if ttype not in TTYPES:
            raise ValueError(f"Wrong value for ir.model.fields.ttype: {ttype!r}")
        if ttype not in SUPPORTED_TTYPES:
            raise UserError(f"Fields of type {ttype!r} are not supported by this server")
        exists = self.conn.execute(sa.text("SELECT 1 FROM ir_model_fields WHERE model = :m AND name = :n"),
                                   {"m": model_name, "n": name}).first()
        if exists:
            raise ValidationError("The operation cannot be completed: Field names must be unique per model.")
        relation = vals.get("relation") or None
        relation_field = vals.get("relation_field") or None
        if ttype in ("many2one", "one2many", "many2many"):
            if not isinstance(relation, str) or relation not in reg:
                raise UserError(f"Model {relation} does not exist!")
        if ttype == "one2many":
            target = reg[relation].fields.get(relation_field or "") if relation and relation in reg else None
            if target is None or target.type != "many2one":
                raise UserError(f"Many2one {relation_field or False} on model {relation} does not exist!")
        rel_table, col1, col2 = None, None, None
        if ttype == "many2many":
            rel_table, col1, col2 = self._relation_names(vals, model_name, relation or "")
        on_delete = vals.get("on_delete") or "set null"
        if on_delete not in ("cascade", "set null", "restrict"):
            raise ValueError(f"Wrong value for ir.model.fields.on_delete: {on_delete!r}")
        if ttype == "many2one" and _bool(vals.get("required")) and on_delete == "set null":
            raise ValidationError(f"The m2o field {name} is required but declares its ondelete policy as being "
                                  "'set null'. Only 'restrict' and 'cascade' make sense.")
        selection = _selection_text(vals.get("selection")) if ttype == "selection" else None
        size = vals.get("size")
        if size is not None and size is not False and int(size) < 0:
            raise ValidationError("The operation cannot be completed: Size of the field cannot be negative.")
        row = {
            "name": name, "model": model_name, "model_id": mid, "ttype": ttype, "state": state,
            "field_description": vals.get("field_description") or default_label(name),
            "help": vals.get("help") or False, "relation": relation or False,
            "relation_field": relation_field or False, "relation_table": rel_table or False,
            "column1": col1 or False, "column2": col2 or False, "selection": selection or False,
            "required": _bool(vals.get("required")), "readonly": _bool(vals.get("readonly")),
            "index": _bool(vals.get("index")), "translate": _bool(vals.get("translate")),
            "copied": _bool(vals.get("copied", ttype != "one2many")), "store": True,
            "size": int(size) if size else 0, "on_delete": on_delete, "domain": vals.get("domain") or "[]",
        }
        if vals.get("groups"):
            row["groups"] = vals["groups"]
        return row

    def _field_model(self, vals: dict[str, Any]) -> tuple[str, int]:
        """The model a new field belongs to, from `model_id` or `model`."""
        mid = vals.get("model_id")
        if isinstance(mid, (list, tuple)):
            mid = mid[0] if mid else None
        model_name = vals.get("model")
        if mid:
            if isinstance(mid, bool) or not isinstance(mid, int):
                raise ValueError(f"Wrong value for ir.model.fields.model_id: {mid!r}")
            found = self.conn.execute(sa.text("SELECT model FROM ir_model WHERE id = :i"), {"i": mid}).scalar()
            if found is None:
                raise ValidationError("The operation cannot be completed: another model requires the record being "
                                      "deleted. If possible, archive it instead.\n\nModel: Fields (ir.model.fields)"
                                      "\nConstraint: ir_model_fields_model_id_fkey\n")
            model_name = found
        elif isinstance(model_name, str) and model_name:
            mid = self.conn.execute(sa.text("SELECT id FROM ir_model WHERE model = :m"), {"m": model_name}).scalar()
        if not mid or not model_name or model_name not in self.env.registry:
            raise ValidationError("The operation cannot be completed:\n- Create/update: a mandatory field is not set."
                                  "\n- Delete: another model requires the record being deleted. If possible, "
                                  "archive it instead.\n\nModel: Fields (ir.model.fields)\nField: Model (model_id)\n")
        return str(model_name), int(mid)

    def _relation_names(self, vals: dict[str, Any], model: str, comodel: str) -> tuple[str, str, str]:
        """Relation table and columns of a custom many2many: identifiers, an `x_` table, and a table
        that does not exist yet, unless it is the very relation of the inverse custom field."""
        default_rel, default_c1, default_c2 = m2m_names(model, comodel)
        rel = vals.get("relation_table") or default_rel
        col1 = vals.get("column1") or default_c1
        col2 = vals.get("column2") or default_c2
        for ident in (rel, col1, col2):
            if not isinstance(ident, str) or not IDENTIFIER.match(ident):
                raise ValidationError(f"Invalid identifier {ident!r} for a many2many relation")
        if not owned_relation(rel):
            raise ValidationError(f"The relation table of a custom many2many must start with 'x_', not {rel!r}.")
        if col1 == col2:
            raise ValidationError(f"The two columns of the many2many relation {rel!r} must differ.")
        if table_taken(self.env, rel) and not self._inverse_relation(rel, model, comodel, col1, col2):
            raise ValidationError(f"The operation cannot be completed: the table {rel!r} already exists.")
        return rel, col1, col2

    def _inverse_relation(self, rel: str, model: str, comodel: str, col1: str, col2: str) -> bool:
        """Whether a custom many2many between the same two models already owns `rel` with the same
        columns seen from the other side (the table is then shared, as Odoo shares it)."""
        reg = self.env.registry
        for m in reg.models.values():
            for f in m.fields.values():
                if f.type == "many2many" and f.manual and reg.m2m_spec(f) == (rel, col2, col1) and \
                        {m.name, f.relation} == {model, comodel}:
                    return True
        return False

    def _after_insert(self, new_id: int, vals: dict[str, Any]) -> None:
        self.env.reload_registry()
        self._add_column(vals["model"], vals["name"])

    def _add_column(self, model_name: str, name: str) -> None:
        reg = self.env.registry
        model = reg[model_name]
        f = model.fields[name]
        if f.name in model.relations:
            model.relations[f.name].create(self.conn, checkfirst=True)
        if not f.column:
            return
        existing = {c["name"] for c in sa.inspect(self.conn).get_columns(model.table_name)}
        if name not in existing:
            reg.add_column(self.conn, model, f)

    def _drop_columns(self, ids: list[int]) -> None:
        """Drop the columns and relation tables the fields created (manual fields only get here)."""
        reg = self.env.registry
        rows = self.conn.execute(sa.text("SELECT id, model, name FROM ir_model_fields WHERE id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True)), {"ids": ids}).all() if ids else []
        for row in rows:
            model = reg.models.get(row.model)
            f = model.fields.get(row.name) if model else None
            if model is None or f is None or not f.manual:
                continue
            if f.column:
                reg.drop_column(self.conn, model, f.name)
            elif f.type == "many2many" and f.store:
                rel = reg.m2m_spec(f)[0]
                if owned_relation(rel) and not _relation_shared(reg, rel, exclude_field=f.id):
                    model.relations[f.name].drop(self.conn, checkfirst=True)

    def _drop_fields(self, ids: list[int]) -> None:
        """Drop fields of other models pointing to a model being deleted: storage and rows."""
        if not ids:
            return
        self._drop_columns(ids)
        for table in ("ir_model_fields_group_rel", "ir_model_fields"):
            column = "field_id" if table == "ir_model_fields_group_rel" else "id"
            self.conn.execute(sa.text(f"DELETE FROM {table} WHERE {column} IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)), {"ids": ids})

    def _before_unlink(self, ids: list[int]) -> None:
        rows = self._fetch_values(ids, ["state", "name", "model"], False)
        for row in rows.values():
            if row["state"] != "manual" or row["name"] in MAGIC:
                raise UserError("This column contains module data and cannot be removed!")
        reg = self.env.registry
        for row in rows.values():
            for m in reg.models.values():
                for f in m.fields.values():
                    if f.type == "one2many" and f.relation == row["model"] and f.relation_field == row["name"] \
                            and f.id not in ids:
                        raise UserError(f"The field '{row['name']}' cannot be removed because the field "
                                        f"'{m.name}.{f.name}' depends on it.")

    def _drop_storage(self, ids: list[int]) -> None:
        self._drop_columns(ids)

    def _after_unlink(self, ids: list[int]) -> None:
        self.env.reload_registry()

    def _prepare_write(self, ids: list[int], vals: dict[str, Any]) -> dict[str, Any]:
        rows = self._fetch_values(ids, ["state", "name", "model", "ttype", *sorted(set(vals) & set(
            FIELD_ATTRIBUTES) - CHANGEABLE_ATTRIBUTES - {"model_id", "groups"})], False)
        for row in rows.values():
            if row["state"] != "manual":
                raise UserError("Properties of base fields cannot be altered in this manner! Please modify them "
                                "through Python code, preferably through a custom addon!")
            if "model" in vals and vals["model"] != row["model"] or "model_id" in vals:
                raise UserError("Changing the model of a field is forbidden!")
            if "ttype" in vals and vals["ttype"] != row["ttype"]:
                raise UserError("Changing the type of a field is not yet supported. Please drop it and create it "
                                "again!")
            if "name" in vals and vals["name"] != row["name"]:
                raise UserError("Renaming fields is not supported by this server; create a new field instead.")
            for key in sorted(set(vals) - CHANGEABLE_ATTRIBUTES - {"model", "model_id", "ttype", "name"}):
                if key not in row or (vals[key] or False) != (row[key] or False):
                    raise UserError(f"Changing {key!r} of a field is not supported. Please drop it and create it "
                                    "again!")
        if "selection" in vals and vals["selection"]:
            vals["selection"] = _selection_text(vals["selection"])
        return vals

    def _after_write(self, ids: list[int], names: set[str], created: bool = False) -> None:
        if not created or "groups" in names:
            self.env.reload_registry()


def _selection_text(selection: Any) -> str:
    """Validate a selection given as a Python literal (or a list) and keep it as literal text."""
    try:
        items = ast.literal_eval(selection) if isinstance(selection, str) else selection
        pairs = [(str(k), str(v)) for k, v in items]
        if not all(isinstance(k, str) for k, _ in items):
            raise ValueError
    except (ValueError, SyntaxError, TypeError):
        raise ValidationError(f"The Selection Options expression is not a valid Pythonic expression. Please "
                              f"provide an expression in the [('key','Label'), ...] format: {selection!r}") from None
    return repr(pairs)


__all__ = ["insert_magic_fields"]
