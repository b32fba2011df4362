"""res.users.apikeys.description: the wizard through which a user creates an API key."""
from __future__ import annotations

from typing import Any

from odoorpc_server.exceptions import UserError
from odoorpc_server.models.identity import check_identity
from odoorpc_server.orm import api, classes
from odoorpc_server.orm.access import has_group
from odoorpc_server.orm.fields import to_datetime
from odoorpc_server.orm.models import BaseModel, normalize_ids


@classes.register("res.users.apikeys.description")
class ApiKeyDescription(BaseModel):
    """The wizard through which a user creates an API key for themselves."""

    @api.records()
    @check_identity
    def make_key(self, ids: Any) -> dict[str, Any]:
        from odoorpc_server.security import generate_api_key

        ids = normalize_ids(ids)
        self._check_access("read")
        self._check_rules(self._existing(ids), "read")
        if len(ids) != 1:
            raise ValueError(f"Expected singleton: {self.model.name}({', '.join(map(str, ids))},)")
        if not has_group(self.env, "base.group_user"):
            raise UserError("Only internal users can create API keys")
        row = self._fetch_values(ids, ["name", "expiration_date"], False)[ids[0]]
        expiration = to_datetime(row["expiration_date"]) if row["expiration_date"] else None
        _, key = generate_api_key(self.conn, self.env.uid, row["name"], None, expiration)
        self.env.sudo()["res.users.apikeys.description"].unlink(ids)  # the wizard is done, as in Odoo
        return {"type": "ir.actions.act_window", "res_model": "res.users.apikeys.show", "name": "API Key Ready",
                "views": [[False, "form"]], "target": "new", "context": {"default_key": key}}
