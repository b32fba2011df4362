"""res.partner: contacts, their complete name ("Company, Person") and Odoo's constraints."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import ValidationError
from odoorpc_server.orm import classes
from odoorpc_server.orm.models import BaseModel

PARTNER_TYPES = {"invoice": "Invoice Address", "delivery": "Delivery Address", "other": "Other Address"}


@classes.register("res.partner")
class Partner(BaseModel):
    NAME_SEARCH = ("complete_name", "email", "ref", "vat", "company_registry")

    def _display_names(self, ids: list[int]) -> dict[int, Any]:
        """A contact is displayed by its complete name ("Company, Person")."""
        rows = self._fetch_values([i for i in ids if i], ["complete_name"], False)
        return {i: (r["complete_name"] or False) for i, r in rows.items()}

    def _compute_company_type(self, ids: list[int]) -> dict[int, Any]:
        rows = self._fetch_values(ids, ["is_company"], False)
        return {i: "company" if r["is_company"] else "person" for i, r in rows.items()}

    def _inverse_company_type(self, value: Any) -> dict[str, Any]:
        return {"is_company": value == "company"}

    @staticmethod
    def _search_company_type(operator: str, value: Any) -> list[Any]:
        return [("is_company", operator if operator in ("=", "!=") else "=",
                 value == "company" if isinstance(value, str) else value)]

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


