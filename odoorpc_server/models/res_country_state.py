"""res.country.state: displayed as "Name (CC)" with the country's code, searched by name or code."""
from __future__ import annotations

from typing import Any

from odoorpc_server.orm import classes
from odoorpc_server.orm.models import BaseModel


@classes.register("res.country.state")
class CountryState(BaseModel):
    NAME_SEARCH = ("name", "code")

    def _display_names(self, ids: list[int]) -> dict[int, Any]:
        rows = self._fetch_values([i for i in ids if i], ["name", "country_id"], False)
        countries = sorted({r["country_id"] for r in rows.values() if r["country_id"]})
        codes = self.other("res.country")._fetch_values(countries, ["code"], False) if countries else {}
        out: dict[int, Any] = {}
        for i, row in rows.items():
            code = codes[row["country_id"]]["code"] if row["country_id"] in codes else ""
            out[i] = f"{row['name'] or ''} ({code})" if code else str(row["name"] or "")
        return out
