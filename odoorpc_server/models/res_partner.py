"""res.partner as Odoo 17 has it: contacts under companies, their complete name ("Company,
Person"), the commercial partner (the company at the top) and the fields it shares, and the
address a contact takes from its company (models.contacts holds that synchronisation).

Stored derived fields, as Odoo computes them: `commercial_partner_id` is the partner itself when
it is a company or has no parent, else its parent's commercial partner; `commercial_company_name`
that partner's name when it is a company, else the partner's own `company_name`; `complete_name`
"<commercial company or parent>, <name>" for a person under a parent (the type's label for a
nameless address). They are stored, so that they order, group and search like columns.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import ValidationError
from odoorpc_server.models.contacts import ContactSync
from odoorpc_server.models.res_company import PARTNER_FIELDS, refresh_from_partners
from odoorpc_server.orm import access, classes
from odoorpc_server.storage.types import in_param, in_values, not_in_values

PARTNER_TYPES = {"invoice": "Invoice Address", "delivery": "Delivery Address", "other": "Other Address"}
# what the stored derived fields depend on
MAX_TREE_DEPTH = 1000
TREE_FIELDS = frozenset({"name", "parent_id", "is_company", "type", "company_name"})
# what the derivation reads of each partner of a tree
TREE_ROW = ("name", "parent_id", "is_company", "type", "company_name", "commercial_partner_id",
            "commercial_company_name", "complete_name")


@classes.register("res.partner")
class Partner(ContactSync):
    NAME_SEARCH = ("complete_name", "email", "ref", "vat", "company_registry")
    ADDRESS_FIELDS = ("street", "street2", "zip", "city", "state_id", "country_id")
    COMMERCIAL_FIELDS = ("vat", "company_registry")  # Odoo 17's, but industry_id (no industries here)

    def _display_names(self, ids: list[int]) -> dict[int, Any]:
        """A contact is displayed by its complete name ("Company, Person")."""
        rows = self._fetch_values([i for i in ids if i], ["complete_name"], False)
        return {i: (r["complete_name"] or False) for i, r in rows.items()}

    def _display_column(self) -> str | None:
        return "complete_name"

    def _compute_company_type(self, ids: list[int]) -> dict[int, Any]:
        rows = self._fetch_values(ids, ["is_company"], False)
        return {i: "company" if r["is_company"] else "person" for i, r in rows.items()}

    def _inverse_company_type(self, value: Any) -> dict[str, Any]:
        return {"is_company": value == "company"}

    @staticmethod
    def _search_company_type(operator: str, value: Any) -> list[Any]:
        return [("is_company", operator if operator in ("=", "!=") else "=",
                 value == "company" if isinstance(value, str) else value)]

    # -- create / write hooks ------------------------------------------------------------------
    def _constraints(self, columns: dict[str, Any]) -> None:
        if "name" in columns and not columns["name"] and columns.get("type", "contact") == "contact":
            raise ValidationError("The operation cannot be completed: Contacts require a name")

    def _prepare_create(self, vals: dict[str, Any]) -> dict[str, Any]:
        if not vals.get("name") and vals.get("type", "contact") == "contact":
            raise ValidationError("The operation cannot be completed: Contacts require a name")
        if vals.get("parent_id"):
            vals["company_name"] = False
            if "lang" not in vals:  # a contact speaks its company's language unless told otherwise
                parent = self._fetch_values([vals["parent_id"]], ["lang"], False).get(vals["parent_id"])
                if parent and parent["lang"]:
                    vals["lang"] = parent["lang"]
        return vals

    def _prepare_write(self, ids: list[int], vals: dict[str, Any]) -> dict[str, Any]:
        if vals.get("parent_id"):
            vals["company_name"] = False
        return vals

    def _after_write(self, ids: list[int], vals: dict[str, Any], created: bool = False) -> None:
        if created or set(vals) & TREE_FIELDS:
            self._recompute_tree(ids, childless=self._childless(vals, created))
        super()._after_write(ids, vals, created)
        if not created and set(vals) & set(PARTNER_FIELDS):  # a company shows its partner's values
            refresh_from_partners(self, ids)

    def _upgrade_fields(self, names: list[str]) -> None:
        """A database from before the commercial partner: compute it for every partner."""
        if {"commercial_partner_id", "commercial_company_name"} & set(names):
            roots = self.conn.execute(sa.select(self.table.c.id).where(self.table.c.parent_id.is_(None))).scalars()
            self._recompute_tree(sorted(roots))

    def _before_unlink(self, ids: list[int]) -> None:
        """The contacts left without their parent: their derived fields change with it."""
        table = self.table
        orphans = self.conn.execute(sa.select(table.c.id).where(in_values(table.c.parent_id, ids),
                                                                not_in_values(table.c.id, ids))).scalars()
        self.env.shared.setdefault("partner_orphans", set()).update(orphans)

    def _after_unlink(self, ids: list[int]) -> None:
        orphans = sorted(self.env.shared.pop("partner_orphans", set()) - set(ids))
        if orphans:
            self._recompute_tree(orphans)

    def _copy_defaults(self, vals: dict[str, Any]) -> dict[str, Any]:
        if vals.get("name"):
            vals["name"] = f"{vals['name']} (copy)"
        return vals

    # -- stored derived fields -----------------------------------------------------------------
    def _recompute_tree(self, ids: list[int], childless: bool = False) -> None:
        """commercial_partner_id, commercial_company_name and complete_name of `ids` and of every
        partner below them, parents before children (each depends on its parent's);
        `childless`: `ids` were just created, no partner is below them yet."""
        fields = list(TREE_ROW)
        if childless:
            order = list(dict.fromkeys(ids))
            rows = self._fetch_values(order, fields, False)
            order = [i for i in order if i in rows]
        else:
            order, rows = self._subtree_rows(ids)
        parents = {r["parent_id"] for r in rows.values() if r["parent_id"] and r["parent_id"] not in rows}
        known = {**self._fetch_values(sorted(parents), fields, False), **rows}
        # the commercial partners above the subtree (up to date: outside of what changes)
        tops = {known[p]["commercial_partner_id"] for p in parents if p in known} - set(known) - {False, None}
        known.update(self._fetch_values(sorted(tops), fields, False))
        for rid in order:
            row = known[rid]
            self._derive(rid, row, known)
            stored = rows[rid]
            changed = {k: row[k] for k in ("commercial_partner_id", "commercial_company_name", "complete_name")
                       if row[k] != stored.get(f"_{k}", stored[k])}
            if changed:
                self._store("update", {k: (v or None) for k, v in changed.items()}, [rid])

    def _subtree_rows(self, ids: list[int]) -> tuple[list[int], dict[int, dict[str, Any]]]:
        """`ids` and every partner below them, parents before children, with their TREE_ROW
        values (as `_fetch_values` gives them), in one statement: a recursive query joined to
        the rows it found (a parent loop, which the parent constraint prevents, stops at
        MAX_TREE_DEPTH levels)."""
        if not ids:
            return [], {}
        store = access.cache(self.env, "subtree_statements")  # built once per registry
        query = store.get((self.env.registry, self.model.name))
        if query is None:
            table = self.table
            start = sa.select(table.c.id.label("id"), sa.literal(0).label("depth")).where(
                in_param(table.c.id, "roots")).cte("subtree", recursive=True)
            below = table.alias("below")
            tree = start.union_all(sa.select(below.c.id, start.c.depth + 1).where(
                below.c.parent_id == start.c.id, start.c.depth < MAX_TREE_DEPTH))
            levels = sa.select(tree.c.id, sa.func.min(tree.c.depth).label("depth")).group_by(tree.c.id).subquery()
            query = (sa.select(table.c.id, *(table.c[name] for name in TREE_ROW))
                     .join_from(levels, table, table.c.id == levels.c.id)
                     .order_by(levels.c.depth, table.c.id))
            store[(self.env.registry, self.model.name)] = query
        rows = self._rows_read(self.conn.execute(query, {"roots": sorted(set(ids))}),
                               [self.model.fields[name] for name in TREE_ROW])
        return list(rows), rows

    @staticmethod
    def _derive(rid: int, row: dict[str, Any], known: dict[int, dict[str, Any]]) -> None:
        parent = known.get(row["parent_id"]) if row["parent_id"] else None
        for key in ("commercial_partner_id", "commercial_company_name", "complete_name"):
            row.setdefault(f"_{key}", row[key])
        if row["is_company"] or not row["parent_id"]:
            row["commercial_partner_id"] = rid
        else:
            row["commercial_partner_id"] = (parent["commercial_partner_id"] if parent else None) or row["parent_id"]
        commercial = rid if row["commercial_partner_id"] == rid else row["commercial_partner_id"]
        top = row if commercial == rid else known.get(commercial)
        row["commercial_company_name"] = (top["name"] if top and top["is_company"] else None) \
            or row["company_name"] or False
        name = row["name"] or ""
        if row["company_name"] or row["parent_id"]:
            if not name and row["type"] in PARTNER_TYPES:
                name = PARTNER_TYPES[row["type"]]
            if not row["is_company"]:
                name = f"{row['commercial_company_name'] or (parent['name'] if parent else '') or ''}, {name}"
        row["complete_name"] = name.strip()

