"""res.company: a company is not copied, and its partner holds its name, address and contact
details. In Odoo those company fields are related to (or computed from) the partner, so writing
either side shows on both: here the company keeps a copy, written through to its partner and
refreshed when the partner changes."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import UserError
from odoorpc_server.orm import access, classes
from odoorpc_server.orm.models import BaseModel
from odoorpc_server.storage.types import in_param

# the company fields that are the partner's
PARTNER_FIELDS = ("name", "street", "street2", "zip", "city", "state_id", "country_id", "email", "phone",
                  "website", "vat", "company_registry")
FROM_PARTNER = "_company_from_partner"  # context key: a write that only copies the partner's values


@classes.register("res.company")
class Company(BaseModel):
    def _before_copy(self, ids: list[int]) -> None:
        raise UserError("Duplicating a company is not allowed. Please create a new company instead.")

    def _prepare_create(self, vals: dict[str, Any]) -> dict[str, Any]:
        if not vals.get("partner_id") and vals.get("name"):
            partner = {f: vals[f] for f in PARTNER_FIELDS if vals.get(f)}
            vals["partner_id"] = self.other("res.partner").create({**partner, "is_company": True})
        return vals

    def _after_write(self, ids: list[int], vals: dict[str, Any], created: bool = False) -> None:
        if self.env.context.get(FROM_PARTNER):
            return
        shared = {f: vals[f] for f in PARTNER_FIELDS if f in vals}
        partners = self._partners(ids)
        if shared and partners:
            self.env.sudo()["res.partner"].write(sorted(set(partners.values())), shared)
        elif created and partners:
            refresh_from_partners(self, sorted(set(partners.values())))

    def _partners(self, ids: list[int]) -> dict[int, int]:
        rows = self._fetch_values(ids, ["partner_id"], False)
        return {i: r["partner_id"] for i, r in rows.items() if r["partner_id"]}


def _companies_of(env: Any) -> Any:
    """SELECT id, partner_id of the companies whose partner is in :partners (built once per registry)."""
    store = access.cache(env, "company_of_partner")
    found = store.get(env.registry)
    if found is None:
        companies = env.registry["res.company"].table
        found = store[env.registry] = sa.select(companies.c.id, companies.c.partner_id).where(
            in_param(companies.c.partner_id, "partners"))
    return found


def refresh_from_partners(records: BaseModel, partner_ids: list[int]) -> None:
    """Copy the partner fields of `partner_ids` onto the companies they are the partner of."""
    env = records.env
    found = list(env.conn.execute(_companies_of(env), {"partners": partner_ids}).all()) if partner_ids else []
    if not found:
        return
    partner_model = env.sudo()["res.partner"]
    values = partner_model._fetch_values(sorted({p for _, p in found}), list(PARTNER_FIELDS), False)
    company_model = Company(env.sudo().with_context(**{FROM_PARTNER: True}), env.registry["res.company"])
    for cid, pid in found:
        if pid in values:
            company_model.write([cid], {f: values[pid][f] for f in PARTNER_FIELDS})
