"""The synchronisation Odoo gives contacts in a tree (res.partner's _fields_sync), for any model
that declares, as class attributes, which of its fields are an address and which are commercial
fields: a contact (type `contact`) under a parent takes the parent's address when the parent has
any of it, on create and when the parent or the type changes; an address written on a record flows
down to its children of type `contact`, one level; the commercial fields of the commercial entity
(the company at the top) flow down to every contact below it that is not a company; the first
contact created under a company without address gives it its own.

The model needs Odoo's contact fields: parent_id, child_ids, type, is_company and a stored
commercial_partner_id.
"""
from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa

from odoorpc_server.orm.models import BaseModel
from odoorpc_server.storage.types import in_values

NO_SYNC = "_contact_address_update"  # context key: a write that only places address values


class ContactSync(BaseModel):
    """Hooks in by `_after_write`; `_recompute_tree` keeps the commercial entity up to date."""

    ADDRESS_FIELDS: ClassVar[tuple[str, ...]] = ()
    COMMERCIAL_FIELDS: ClassVar[tuple[str, ...]] = ()

    # what the synchronisation reads besides the address and commercial fields
    SYNC_INPUTS: ClassVar[frozenset[str]] = frozenset({"parent_id", "type", "is_company", "commercial_partner_id"})

    def _after_write(self, ids: list[int], vals: dict[str, Any], created: bool = False) -> None:
        if self.env.context.get(NO_SYNC):
            return
        if not created and not (vals.keys() & (self.SYNC_INPUTS | set(self.ADDRESS_FIELDS) |
                                               set(self.COMMERCIAL_FIELDS))):
            # a write of nothing the sync reads (a name, a phone) cannot make a tree inconsistent
            # that was not: no query for it
            return
        if not (created or vals.get("parent_id") or vals.get("type") == "contact"):
            ids = self._with_children(ids)  # the others have nothing to sync: one query, not one each
        childless = self._childless(vals, created)
        for rid in ids:
            if created and not vals.get("parent_id") and childless:
                continue  # a new partner at the top, alone: nothing to take or give
            self._fields_sync(rid, vals, childless=childless)
            if created:
                self._first_contact_address(rid)

    def _childless(self, vals: dict[str, Any], created: bool) -> bool:
        """Records just created with no one2many values can have no children yet."""
        return created and not any(f.type == "one2many" for n, f in self.model.fields.items() if n in vals)

    def _recompute_tree(self, ids: list[int]) -> None:
        """Hook: recompute the stored fields derived from the tree for `ids` and below."""

    # -- synchronisation (Odoo's _fields_sync) ----------------------------------------------------
    def _fields_sync(self, rid: int, vals: dict[str, Any], childless: bool = False) -> None:
        if vals.get("parent_id") or vals.get("type") == "contact":
            if vals.get("parent_id"):
                self._commercial_sync_from_company(rid)
            row = self._fetch_values([rid], ["parent_id", "type"], False)[rid]
            if row["parent_id"] and row["type"] == "contact":
                parent = self._fetch_values([row["parent_id"]], list(self.ADDRESS_FIELDS), False)[row["parent_id"]]
                if any(parent[f] for f in self.ADDRESS_FIELDS):
                    self._update_address([rid], parent)
        if not childless:  # a record just created has no children to sync
            self._children_sync(rid, vals)

    def _children_sync(self, rid: int, vals: dict[str, Any]) -> None:
        children = self._children(rid)
        if not children:
            return
        rows = self._fetch_values([rid, *children], ["commercial_partner_id", "is_company", "type"], False)
        me = rows[rid]
        if me["commercial_partner_id"] == rid and set(vals) & set(self.COMMERCIAL_FIELDS):
            self._commercial_sync_to_children(rid)
        elif any(not rows[c]["is_company"] and rows[c]["commercial_partner_id"] != me["commercial_partner_id"]
                 for c in children):
            self._commercial_sync_to_children(rid)
        if set(vals) & set(self.ADDRESS_FIELDS):
            contacts = [c for c in children if rows[c]["type"] == "contact"]
            if contacts:
                self._update_address(contacts, vals)

    def _commercial_sync_from_company(self, rid: int) -> None:
        commercial = self._fetch_values([rid], ["commercial_partner_id"], False)[rid]["commercial_partner_id"]
        if commercial and commercial != rid:
            values = self._fetch_values([commercial], list(self.COMMERCIAL_FIELDS), False)[commercial]
            self._sudo().write([rid], {f: values[f] for f in self.COMMERCIAL_FIELDS})
            self._commercial_sync_to_children(rid)

    def _commercial_sync_to_children(self, rid: int) -> None:
        commercial = self._fetch_values([rid], ["commercial_partner_id"], False)[rid]["commercial_partner_id"]
        values = self._fetch_values([commercial], list(self.COMMERCIAL_FIELDS), False).get(commercial) if commercial \
            else None
        children = [c for c, row in self._fetch_values(self._children(rid), ["is_company"], False).items()
                    if not row["is_company"]]
        for child in children:
            self._commercial_sync_to_children(child)
        if children and values is not None:
            self._sudo().write(children, {f: values[f] for f in self.COMMERCIAL_FIELDS})
            self._recompute_tree(children)

    def _first_contact_address(self, rid: int) -> None:
        """The first contact of a company (or a root partner) without address gives it its own."""
        row = self._fetch_values([rid], ["parent_id", *self.ADDRESS_FIELDS], False)[rid]
        parent_id = row["parent_id"]
        if not parent_id or not any(row[f] for f in self.ADDRESS_FIELDS):
            return
        parent = self._fetch_values([parent_id], ["is_company", "parent_id", *self.ADDRESS_FIELDS], False)[parent_id]
        if (parent["is_company"] or not parent["parent_id"]) and len(self._children(parent_id)) == 1 \
                and not any(parent[f] for f in self.ADDRESS_FIELDS):
            self._update_address([parent_id], row)

    def _update_address(self, ids: list[int], values: dict[str, Any]) -> None:
        """Odoo's update_address: the address values alone, written without further syncing."""
        address = {f: values[f] for f in self.ADDRESS_FIELDS if f in values}
        if address:
            type(self)(self.env.with_context(**{NO_SYNC: True}), self.model).write(ids, address)

    def _with_children(self, ids: list[int]) -> list[int]:
        """Those of `ids` that some record names as its parent (inactive ones too: a superset
        of those `_children` finds children for), in the order given."""
        parent = self.table.c.parent_id
        found = set(self.conn.execute(sa.select(parent).where(in_values(parent, ids)).distinct()).scalars())
        return [i for i in ids if i in found]

    def _children(self, rid: int) -> list[int]:
        """The partner's contacts as its `child_ids` lists them (active ones)."""
        return list(self._x2many_values(self.model.fields["child_ids"], [rid])[rid])

    def _sudo(self) -> ContactSync:
        return type(self)(self.env.sudo(), self.model)
