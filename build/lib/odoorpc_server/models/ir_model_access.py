"""ir.model.access: access rights; any change drops the security decisions every process cached."""
from __future__ import annotations

from odoorpc_server.orm import classes
from odoorpc_server.orm.models import BaseModel


@classes.register("ir.model.access")
class IrModelAccess(BaseModel):
    SECURITY_FIELDS = True
