"""res.company: a company is not copied, and gets a company partner when created without one."""
from __future__ import annotations

from typing import Any

from odoorpc_server.exceptions import UserError
from odoorpc_server.orm import classes
from odoorpc_server.orm.models import BaseModel


@classes.register("res.company")
class Company(BaseModel):
    def _before_copy(self, ids: list[int]) -> None:
        raise UserError("Duplicating a company is not allowed. Please create a new company instead.")

    def _prepare_create(self, vals: dict[str, Any]) -> dict[str, Any]:
        if not vals.get("partner_id") and vals.get("name"):
            vals["partner_id"] = self.other("res.partner").create({"name": vals["name"], "is_company": True})
        return vals
