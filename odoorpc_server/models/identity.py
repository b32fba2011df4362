"""Odoo's identity check (`check_identity`): a sensitive method (creating an API key) first asks
for the user's password again, through the `res.users.identitycheck` wizard, whose `run_check`
then calls the method.

A call authenticated with the password itself (XML-RPC, JSON-RPC) has just proved it: the
method runs at once. A call authenticated with an API key is refused, so that a key cannot mint
keys. A web session call gets the wizard's action, as from Odoo's web client, unless the session
passed a check less than ten minutes ago (Odoo's `identity-check-last`).
"""
from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa

from odoorpc_server.exceptions import AccessError
from odoorpc_server.orm.models import BaseModel, normalize_ids
from odoorpc_server.storage import sessions

F = TypeVar("F", bound=Callable[..., Any])
MARK = "__check_identity__"
CHECKED = "identity_checked"  # env.shared key: this call passed the wizard's password check


def check_identity(fn: F) -> F:
    """Decorator of a records method (under `@api.records()`): run it once the identity is
    checked, else answer the identity check wizard's action."""
    @functools.wraps(fn)
    def wrapped(self: BaseModel, ids: Any, *args: Any, **kwargs: Any) -> Any:
        method = self.env.shared.get("auth_method")
        if self.env.shared.get(CHECKED) or method == "password" or self.env.su or recently_checked(self):
            return fn(self, ids, *args, **kwargs)
        if method in ("apikey", "oauth"):  # neither kind of token may mint keys
            raise AccessError("API keys can only be created in a call authenticated with the password, "
                              f"not with {'an API key' if method == 'apikey' else 'an OAuth token'}.")
        return identity_wizard(self, normalize_ids(ids), fn.__name__)

    setattr(wrapped, MARK, True)
    return wrapped  # type: ignore[return-value]


def recently_checked(records: BaseModel) -> bool:
    """A web session that passed the identity check less than ten minutes ago, as Odoo keeps
    `identity-check-last` in its session."""
    key = records.env.shared.get("session")
    return key is not None and sessions.identity_checked(records.conn, key.sid)


def passed(records: BaseModel) -> None:
    """The call's user passed the identity check: the rest of the call, and the web session
    for ten minutes, need not ask again."""
    records.env.shared[CHECKED] = True
    key = records.env.shared.get("session")
    if key is not None:
        sessions.mark_identity_checked(records.conn, key.sid)


def identity_wizard(records: BaseModel, ids: list[int], method: str) -> dict[str, Any]:
    """A new identity check for `records.method(ids)`, and the action that opens it."""
    context = {k: v for k, v in records.env.context.items() if _jsonable(v)}
    wizard = records.env["res.users.identitycheck"]
    table = wizard.model.ddl_table
    # a transient model: checks older than a day are vacuumed, as Odoo's autovacuum does
    records.conn.execute(sa.delete(table).where(table.c.create_date < records.env.now() - dt.timedelta(days=1)))
    wid = int(wizard.create({}))
    request = json.dumps([context, records.model.name, ids, method])
    records.conn.execute(sa.update(table).where(table.c.id == wid).values(request=request))
    return {"type": "ir.actions.act_window", "res_model": "res.users.identitycheck", "res_id": wid,
            "name": "Security Control", "target": "new", "views": [[False, "form"]]}


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
