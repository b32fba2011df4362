"""res.groups: groups and the groups they imply; any change alters what users may do."""
from __future__ import annotations

from odoorpc_server.orm import classes
from odoorpc_server.orm.models import BaseModel


@classes.register("res.groups")
class Groups(BaseModel):
    SECURITY_FIELDS = True
