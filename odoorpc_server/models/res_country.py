"""res.country: names and ISO codes are both searched by name, as Odoo searches countries."""
from __future__ import annotations

from odoorpc_server.orm import classes
from odoorpc_server.orm.models import BaseModel


@classes.register("res.country")
class Country(BaseModel):
    NAME_SEARCH = ("name", "code")
