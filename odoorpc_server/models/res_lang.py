"""res.lang: the languages of the database; en_US is the active one."""
from __future__ import annotations

from typing import Any

from odoorpc_server.exceptions import UserError
from odoorpc_server.orm import api, classes
from odoorpc_server.orm.models import BaseModel


@classes.register("res.lang")
class Lang(BaseModel):
    NAME_SEARCH = ("name", "code")

    @api.model(readonly=True)
    def get_installed(self) -> list[list[str]]:
        """[code, name] of the active languages, sorted by name, as Odoo's language selectors
        read them (every user may ask: Odoo answers it as the superuser)."""
        su = type(self)(self.env.sudo().with_context(active_test=True), self.model)
        ids = su._search_ids([], order="name")
        rows = su._read(ids, ["code", "name"], None)
        return [[r["code"], r["name"]] for r in rows]

    @api.model(readonly=True)
    def get_available(self) -> list[list[str]]:
        """[code, name] of every language the database knows, active or not."""
        su = type(self)(self.env.sudo().with_context(active_test=False), self.model)
        rows = su._read(su._search_ids([], order="name", active_test=False), ["code", "name"], None)
        return [[r["code"], r["name"]] for r in rows]

    def _prepare_write(self, ids: list[int], vals: dict[str, Any]) -> dict[str, Any]:
        if "active" in vals and not vals["active"]:
            codes = {r["code"] for r in self._read(ids, ["code"], None)}
            if "en_US" in codes:
                raise UserError("You cannot archive the language in which Odoo was setup as it is used by "
                                "automated processes.")
        return vals
