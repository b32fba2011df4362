"""Workflow signals, as Odoo up to 10.0 received them (`exec_workflow`, the REST API's
`/workflow/<model>/<id>/<signal>`).

There is no workflow engine here: a signal names one of the record's public button methods (what
a workflow transition's button would have called), and sending it runs that method on the one
call path, in one transaction, as the calling user, so access rights and record rules apply
exactly as if the method had been called with `execute_kw`.
"""
from __future__ import annotations

import inspect
from typing import Any

from odoorpc_server.exceptions import UnknownSignal
from odoorpc_server.orm import api
from odoorpc_server.orm.env import Env
from odoorpc_server.orm.models import normalize_ids
from odoorpc_server.services.app import App
from odoorpc_server.services.call import Call, invoke, make_call, within
from odoorpc_server.versions import Profile

BUTTON_PREFIXES = ("action_", "button_")
BUTTON_NAMES = frozenset({"toggle_active"})


def is_button(model_class: type, name: Any, version: Profile | None = None) -> bool:
    """Whether `name` is a public button method of `model_class` (under `version`, the default
    profile when None): named `action_*`, `button_*` or `toggle_active`, taking the records and
    nothing else a caller would have to give, as a button click passes nothing else."""
    if not isinstance(name, str) or not (name.startswith(BUTTON_PREFIXES) or name in BUTTON_NAMES):
        return False
    found = api.resolve(model_class, name, version)
    if found is None or not found[1].records:
        return False
    parameters = list(inspect.signature(getattr(model_class, found[0])).parameters.values())[2:]  # self, ids
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters)


def signal(app: App, database: str, uid: int, secret: Any, model: str, record_id: int, signal: str) -> Any:
    """Send `signal` to record `record_id` of `model`: its button method's result (an action
    dictionary, or False/None), run as `uid` authenticated by `secret` (whatever `App.env`
    takes as a password). Refused, in this order: an unknown model, a name that is no button
    (UnknownSignal), a model the user may not read (AccessError), a record that does not exist
    (MissingError); the method then checks what it does itself (write access and rules)."""
    ids = normalize_ids([record_id])
    call = make_call(database, uid, secret, model, signal, [ids])
    return within(app, call.database, call.uid, call.secret, call.context, True, lambda env: _send(env, call, ids))


def _send(env: Env, call: Call, ids: list[int]) -> Any:
    records = env[call.model]
    if not is_button(type(records), call.method, env.profile):
        raise UnknownSignal(call.model, call.method)
    records._check_access("read")
    records._check_exist(ids)
    return invoke(env, call)
