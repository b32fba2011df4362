"""res.partner.category: tags in a tree, displayed with their whole path ("Parent / Child")."""
from __future__ import annotations

from typing import Any

from odoorpc_server.orm import classes
from odoorpc_server.orm.models import BaseModel


@classes.register("res.partner.category")
class PartnerCategory(BaseModel):
    @staticmethod
    def _name_search_domain(name: Any, operator: str) -> list[Any]:
        """Odoo 17 searches a tag by the last part of its displayed path ("Parent / Child"), so that a
        name search is symmetric to display_name; an empty name adds no criterion."""
        if not name:
            return []
        return [("name", operator, name.split(" / ")[-1] if isinstance(name, str) else name)]
    def _display_names(self, ids: list[int]) -> dict[int, Any]:
        """Names joined along the parent chain, one query per tree level."""
        parent = self.model.parent_name or "parent_id"
        known: dict[int, dict[str, Any]] = {}
        todo = {i for i in ids if i}
        while todo:
            known.update(self._fetch_values(sorted(todo), ["name", parent], False))
            todo = {r[parent] for r in known.values() if r[parent] and r[parent] not in known}
        out: dict[int, Any] = {}
        for i in ids:
            if i not in known:
                continue
            parts: list[str] = []
            seen: set[int] = set()
            cur = i
            while cur and cur in known and cur not in seen:
                seen.add(cur)
                parts.insert(0, known[cur]["name"] or "")
                cur = known[cur][parent]
            out[i] = " / ".join(parts)
        return out
