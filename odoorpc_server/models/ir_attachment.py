"""ir.attachment: files (base64 `datas`, stored in the database) or links, attached to a record
(`res_model`, `res_id`) or to nothing.

Access follows Odoo's `ir.attachment.check`: only internal users reach attachments; an
attachment of a record needs the same right on that record (read to read it, write to create,
change or delete it); an attachment of no record is its creator's (and the administrators'),
unless it is public, which anyone internal may read. Searches leave out what the user could not
read. The file's size, checksum (SHA-1) and, when not given, its mimetype come from its content.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
import xmlrpc.client
from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import AccessError
from odoorpc_server.orm import access, classes
from odoorpc_server.orm.access import has_group
from odoorpc_server.orm.models import BaseModel
from odoorpc_server.storage.types import in_values

FORBIDDEN = "Sorry, you are not allowed to access this document."
# leading bytes of common formats, as Odoo's guess_mimetype reads them
SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
              (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"), (b"PK\x03\x04", "application/zip"))
LINK_FIELDS = ("res_model", "res_id", "create_uid", "public")


def decode(datas: Any) -> bytes:
    """The bytes of a base64 `datas` value (Odoo decodes it the same way, and fails alike)."""
    if datas in (None, False, ""):
        return b""
    if isinstance(datas, xmlrpc.client.Binary):
        return bytes(datas.data)
    try:
        return base64.b64decode(datas if isinstance(datas, (str, bytes)) else str(datas), validate=False)
    except (binascii.Error, ValueError) as error:
        raise ValueError(f"Invalid base64 file content for ir.attachment.datas: {error}") from None


def guess_mimetype(raw: bytes, name: Any) -> str:
    for head, mimetype in SIGNATURES:
        if raw.startswith(head):
            return mimetype
    guessed = mimetypes.guess_type(name)[0] if isinstance(name, str) and name else None
    if guessed:
        return guessed
    if raw and all(32 <= b < 127 or b in (9, 10, 13) for b in raw[:1024]):
        return "text/plain"
    return "application/octet-stream"


@classes.register("ir.attachment")
class Attachment(BaseModel):
    FILTERED_SEARCH = True

    # -- the file's derived values -------------------------------------------------------------
    def _file_values(self, vals: dict[str, Any], name: Any) -> dict[str, Any]:
        if "datas" not in vals:
            return vals
        raw = decode(vals["datas"])
        vals["file_size"] = len(raw)
        vals["checksum"] = hashlib.sha1(raw).hexdigest() if raw else False
        if not vals.get("mimetype"):
            vals["mimetype"] = guess_mimetype(raw, name) if raw else False
        return vals

    def _prepare_create(self, vals: dict[str, Any]) -> dict[str, Any]:
        for computed in ("file_size", "checksum"):
            vals.pop(computed, None)
        if vals.get("type") == "url" and not vals.get("mimetype") and vals.get("url"):
            vals["mimetype"] = mimetypes.guess_type(str(vals["url"]))[0] or False
        return self._file_values(vals, vals.get("name"))

    def _prepare_write(self, ids: list[int], vals: dict[str, Any]) -> dict[str, Any]:
        for computed in ("file_size", "checksum"):
            vals.pop(computed, None)
        if not self.env.su and (vals.get("res_model") or vals.get("res_id")):
            self._check_targets(self._new_targets(ids, vals), "write")
        name = vals.get("name") or next(iter(self._fetch_values(ids[:1], ["name"], False).values()), {}).get("name")
        return self._file_values(vals, name)

    def _compute_res_name(self, ids: list[int]) -> dict[int, Any]:
        rows = self._fetch_values(ids, ["res_model", "res_id"], False)
        out: dict[int, Any] = {i: False for i in ids}
        by_model: dict[str, set[int]] = defaultdict(set)
        for r in rows.values():
            if r["res_model"] in self.env.registry and r["res_id"]:
                by_model[r["res_model"]].add(r["res_id"])
        names = {m: self.env.sudo()[m]._display_names(sorted(rids)) for m, rids in by_model.items()}
        for i, r in rows.items():
            out[i] = names.get(r["res_model"] or "", {}).get(r["res_id"], False)
        return out

    # -- access: the attached record's ---------------------------------------------------------
    def _internal(self) -> bool:
        return self.env.su or has_group(self.env, "base.group_user") or has_group(self.env, "base.group_erp_manager")

    def _links(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        return self._fetch_values(ids, list(LINK_FIELDS), False)

    def _new_targets(self, ids: list[int], vals: dict[str, Any]) -> dict[str, set[int]]:
        targets: dict[str, set[int]] = defaultdict(set)
        for row in self._links(ids).values():
            model = vals.get("res_model", row["res_model"])
            rid = vals.get("res_id", row["res_id"])
            if model and rid:
                targets[str(model)].add(int(rid))
        return targets

    def _check_linked(self, ids: list[int], operation: str) -> None:
        """Odoo's `ir.attachment.check(mode)`: internal users only, then the right on each
        attached record (write for create and unlink), or ownership of an unattached one."""
        if not self._internal():
            raise AccessError(FORBIDDEN)
        system = has_group(self.env, "base.group_system")
        targets: dict[str, set[int]] = defaultdict(set)
        for row in self._links(ids).values():
            if row["public"] and operation == "read":
                continue
            if not row["res_id"] and not system and row["create_uid"] != self.env.uid:
                raise AccessError(FORBIDDEN)
            if row["res_model"] and row["res_id"]:
                targets[row["res_model"]].add(row["res_id"])
        self._check_targets(targets, "read" if operation == "read" else "write")

    def _check_targets(self, targets: dict[str, set[int]], mode: str) -> None:
        for model, rids in targets.items():
            if model not in self.env.registry:
                continue  # attached to a model that is gone: nothing to follow
            if model == "res.users" and rids == {self.env.uid}:
                continue  # a user's own attachments, as Odoo allows
            records = self.env[model]
            access.check_model(self.env, records.model, mode)
            records._check_rules(records._existing(sorted(rids)), mode)

    def _filter_searched(self, ids: list[int]) -> list[int]:
        """Odoo's `ir.attachment._search`: attachments of records the user cannot read are left
        out (public ones and unattached ones stay; reading the latter is checked on read)."""
        if not ids:
            return ids
        if not self._internal():
            raise AccessError(FORBIDDEN)
        table = self.table
        rows = self.conn.execute(sa.select(table.c.id, table.c.res_model, table.c.res_id, table.c.public)
                                 .where(in_values(table.c.id, set(ids)))).all()
        targets: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        for row in rows:
            if row.res_model and not row.public:
                targets[row.res_model][row.res_id or 0].add(row.id)
        hidden: set[int] = set()
        for model, by_record in targets.items():
            if model not in self.env.registry:
                continue
            records = self.env.with_context(active_test=False)[model]
            if not access.check_model(self.env, records.model, "read", raise_exception=False):
                hidden.update(i for found in by_record.values() for i in found)
                continue
            allowed = set(records._search_ids([("id", "in", sorted(r for r in by_record if r))], active_test=False))
            hidden.update(i for rid, found in by_record.items() if rid not in allowed for i in found)
        return [i for i in ids if i not in hidden]
