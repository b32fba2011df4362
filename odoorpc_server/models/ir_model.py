"""ir.model: a manual model created over RPC becomes a table; deleting it drops the table."""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import UserError, ValidationError
from odoorpc_server.models import schema
from odoorpc_server.orm import classes
from odoorpc_server.orm.models import BaseModel
from odoorpc_server.orm.order import check as check_order
from odoorpc_server.orm.registry import IDENTIFIER, table_name

MODEL_NAME = re.compile(r"^[a-z0-9_.]+$")


@classes.register("ir.model")
class IrModel(BaseModel):
    """Creating an `ir.model` row with state 'manual' creates a model and its table."""

    NAME_SEARCH = ("name", "model")

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
        if state == "manual" and schema.table_taken(self.env, table_name(model)):
            raise ValidationError(f"The operation cannot be completed: the table {table_name(model)!r} "
                                  "already exists.")
        order = vals.get("order") or "id"
        check_order(order)
        return {**vals, "model": model, "name": vals.get("name") or model, "state": state, "order": order,
                "info": vals.get("info") or False, "transient": schema.as_bool(vals.get("transient"))}

    def _after_insert(self, new_id: int, vals: dict[str, Any]) -> None:
        """The model's magic fields and, for a manual model, its table and the Settings group's
        access, before the `field_id` commands add its columns."""
        state = vals["state"]
        schema.insert_magic_fields(self.env, new_id, vals["model"], state="base" if state == "base" else "manual")
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

    def _after_write(self, ids: list[int], vals: dict[str, Any], created: bool = False) -> None:
        names = set(vals)
        if not created and names & {"order", "name", "field_id"}:
            self.env.reload_registry()

    def _before_unlink(self, ids: list[int]) -> None:
        for row in self._fetch_values(ids, ["state", "name"], False).values():
            if row["state"] != "manual":
                raise UserError(f"Model “{row['name']}” contains module data and cannot be removed.")

    def _drop_storage(self, ids: list[int]) -> None:
        """Drop the tables of the models (only manual models get here) and the fields of other
        models that point to them."""
        registry = self.env.registry
        for row in self._fetch_values(ids, ["model"], False).values():
            name = row["model"]
            dependants = [f.id for m in registry.models.values() if m.name != name
                          for f in m.fields.values() if f.relation == name]
            schema.drop_fields(self.env, sorted(dependants))
            model = registry[name]
            for rel in list(model.relations.values()):
                shared = schema.relation_shared(registry, rel.name, exclude_model=name)
                if schema.owned_relation(rel.name) and not shared:
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
