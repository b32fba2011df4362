"""ir.model.fields: a manual field created over RPC becomes a column or a relation table."""
from __future__ import annotations

import ast
from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import UserError, ValidationError
from odoorpc_server.models import schema
from odoorpc_server.orm import classes
from odoorpc_server.orm.fields import MAGIC, SUPPORTED_TTYPES, TTYPES, default_label
from odoorpc_server.orm.models import BaseModel
from odoorpc_server.orm.registry import IDENTIFIER, m2m_names

# what a custom field's row may say, and what may change once it exists
FIELD_ATTRIBUTES = ("name", "model", "model_id", "ttype", "state", "field_description", "help", "relation",
                    "relation_field", "relation_table", "column1", "column2", "selection", "required", "readonly",
                    "index", "translate", "copied", "size", "on_delete", "domain", "groups", "store")
CHANGEABLE_ATTRIBUTES = frozenset({"field_description", "help", "selection", "required", "readonly", "index",
                                   "translate", "copied", "size", "on_delete", "domain", "groups", "store"})


@classes.register("ir.model.fields")
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
        if ttype == "many2one" and schema.as_bool(vals.get("required")) and on_delete == "set null":
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
            "required": schema.as_bool(vals.get("required")), "readonly": schema.as_bool(vals.get("readonly")),
            "index": schema.as_bool(vals.get("index")), "translate": schema.as_bool(vals.get("translate")),
            "copied": schema.as_bool(vals.get("copied", ttype != "one2many")), "store": True,
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
        if not schema.owned_relation(rel):
            raise ValidationError(f"The relation table of a custom many2many must start with 'x_', not {rel!r}.")
        if col1 == col2:
            raise ValidationError(f"The two columns of the many2many relation {rel!r} must differ.")
        if schema.table_taken(self.env, rel) and not self._inverse_relation(rel, model, comodel, col1, col2):
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
        schema.add_column(self.env, vals["model"], vals["name"])

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
        schema.drop_columns(self.env, ids)

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

    def _after_write(self, ids: list[int], vals: dict[str, Any], created: bool = False) -> None:
        names = set(vals)
        if not created or "groups" in names:
            self.env.reload_registry()
        if not created and "index" in names:
            schema.sync_indexes(self.env, ids)


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
