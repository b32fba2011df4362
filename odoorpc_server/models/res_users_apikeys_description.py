"""res.users.apikeys.description: the wizard through which a user creates an API key."""
from __future__ import annotations

from typing import Any

from odoorpc_server.exceptions import AccessError, UserError
from odoorpc_server.orm import api, classes
from odoorpc_server.orm.access import has_group
from odoorpc_server.orm.fields import to_datetime
from odoorpc_server.orm.models import BaseModel, normalize_ids


@classes.register("res.users.apikeys.description")
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
        _, key = generate_api_key(self.conn, self.env.uid, row["name"], None, expiration)
        return {"type": "ir.actions.act_window", "res_model": "res.users.apikeys.show", "name": "API Key Ready",
                "views": [[False, "form"]], "target": "new", "context": {"default_key": key}}
