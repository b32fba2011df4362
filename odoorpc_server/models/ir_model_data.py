"""ir.model.data: external ids ("module.name"), and the look-ups client libraries make through
them (odoorpc's `env.ref` calls `check_object_reference`; before Odoo 15 `xmlid_to_res_model_res_id`)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import AccessError, UnknownMethod
from odoorpc_server.orm import api, classes
from odoorpc_server.orm.models import BaseModel


class ExternalIdNotFound(ValueError):
    """Odoo's `_xmlid_lookup` failure: a ValueError (fault 1, `builtins.ValueError`)."""

    odoo_name = "builtins.ValueError"

    def __init__(self, xmlid: str) -> None:
        super().__init__(f"External ID not found in the system: {xmlid}")


@classes.register("ir.model.data")
class ModelData(BaseModel):
    def _compute_complete_name(self, ids: list[int]) -> dict[int, Any]:
        """`module.name`, as Odoo's complete_name of an external id."""
        rows = self._fetch_values(ids, ["module", "name"], False)
        return {i: f"{r['module']}.{r['name']}" if r["module"] else r["name"] for i, r in rows.items()}

    def _lookup(self, xmlid: Any) -> tuple[str, int]:
        """(model, res_id) of an external id; ExternalIdNotFound when there is none (or it
        points at no record), as Odoo's `_xmlid_lookup`."""
        if not isinstance(xmlid, str) or "." not in xmlid:
            raise ValueError("not enough values to unpack (expected 2, got 1)")
        module, name = xmlid.split(".", 1)
        row = self.conn.execute(sa.text("SELECT model, res_id FROM ir_model_data WHERE module = :m AND name = :n"),
                                {"m": module, "n": name}).first()
        if row is None or not row.res_id:
            raise ExternalIdNotFound(xmlid)
        return str(row.model), int(row.res_id)

    @api.model(readonly=True)
    def check_object_reference(self, module: Any, xml_id: Any, raise_on_access_error: Any = False) -> list[Any]:
        """[model, res_id] when the caller can find the record by a search (so archived records
        and records their rules hide are not found), else [model, False] or, when asked, an
        AccessError. As in Odoo, the external id is read without checking the caller's rights on
        ir.model.data; the search checks their rights on the record's model."""
        model, res_id = self._lookup(f"{module}.{xml_id}")
        if self.env[model].search([("id", "=", res_id)]):
            return [model, res_id]
        if raise_on_access_error:
            raise AccessError(f'Not enough access rights on the external ID "{module}.{xml_id}"')
        return [model, False]

    @api.model(readonly=True, when="xmlid_to_res_model_res_id")
    def xmlid_to_res_model_res_id(self, xmlid: Any, raise_if_not_found: Any = False) -> list[Any]:
        """[model, res_id] of an external id, [False, False] when unknown (public up to Odoo 14)."""
        if not self.env.settings or not self.env.settings.profile.has("xmlid_to_res_model_res_id"):
            raise UnknownMethod(self.model.name, "xmlid_to_res_model_res_id")
        try:
            return list(self._lookup(xmlid))
        except ExternalIdNotFound:
            if raise_if_not_found:
                raise
            return [False, False]
