"""res.users.identitycheck: the wizard of Odoo's identity check. The user writes their password
on it (Odoo 19 passes it in the context instead) and `run_check` then runs the method that asked
for the check.

The password is verified when it is written and never stored: the column keeps only whether it
was right, so no password ever rests in the database.
"""
from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import UserError
from odoorpc_server.models.identity import MARK, passed
from odoorpc_server.orm import api, classes
from odoorpc_server.orm.models import BaseModel, normalize_ids

VERIFIED = "verified"
WRONG = "wrong"
INCORRECT = "Incorrect Password, try again or click on Forgot Password to reset your password."


@classes.register("res.users.identitycheck")
class IdentityCheck(BaseModel):
    def _secret_value(self, name: str, value: Any) -> Any:
        """`password` is checked against the caller's own password on the way in."""
        if name != "password":
            return super()._secret_value(name, value)
        if not value:
            return None
        return VERIFIED if self._password_ok(value) else WRONG

    def _password_ok(self, password: Any) -> bool:
        from odoorpc_server.security import stored_password
        from odoorpc_server.verification import POOL

        stored = stored_password(self.conn, self.env.uid)
        if not isinstance(password, str) or not password or not stored:
            return False
        return bool(POOL.verify(password, stored))

    @api.records()
    def run_check(self, ids: Any) -> Any:
        """Verify the password (written on the wizard, or in the context as from Odoo 19), then
        call the method that asked for the check, with the context it was called with."""
        ids = normalize_ids(ids)
        self._check_access("write")
        self._check_exist(ids)
        self._check_rules(ids, "write")
        if len(ids) != 1:
            raise ValueError(f"Expected singleton: {self.model.name}{tuple(ids)!r}")
        table = self.model.ddl_table
        row = self.conn.execute(sa.select(table.c.password, table.c.request, table.c.create_uid)
                                .where(table.c.id == ids[0])).one()
        self.conn.execute(sa.update(table).where(table.c.id == ids[0]).values(password=None))
        given = self.env.context.get("password")
        ok = self._password_ok(given) if given else row.password == VERIFIED
        if not ok or row.create_uid != self.env.uid or not row.request:
            raise UserError(INCORRECT)
        context, model, record_ids, method = json.loads(row.request)
        env = self.env.clone(context=context)
        target = env[model]
        fn: Any = getattr(target, method, None)
        if fn is None or not getattr(fn, MARK, False):
            raise UserError(INCORRECT)
        passed(self)
        return fn(record_ids)
