"""ir.model.access: access rights; any change drops the security decisions every process cached.
`check(model, mode)` answers whether the caller holds a right (odooly's `env.access`)."""
from __future__ import annotations

from typing import Any

from odoorpc_server.orm import access, api, classes
from odoorpc_server.orm.models import BaseModel


@classes.register("ir.model.access")
class IrModelAccess(BaseModel):
    SECURITY_FIELDS = True

    @api.model(readonly=True)
    def check(self, model: Any, mode: Any = "read", raise_exception: Any = True) -> bool:
        """Odoo's `ir.model.access.check`: whether the caller's groups grant `mode` on `model`
        (the AccessError when not and `raise_exception`); a model the database lacks is False."""
        if not isinstance(model, str) or model not in self.env.registry:
            return False
        return access.check_model(self.env, self.env.registry[model], mode, bool(raise_exception))
