"""The `object` service: execute and execute_kw, each one Call on the one call path, and up to
Odoo 10 exec_workflow, a workflow signal."""
from __future__ import annotations

from typing import Any

from odoorpc_server.services import workflow
from odoorpc_server.services.app import App
from odoorpc_server.services.call import make_call, run


def execute_kw(app: App, db: str, uid: Any, password: Any, model: str, method: str, args: Any = None,
               kw: Any = None) -> Any:
    return run(app, make_call(db, uid, password, model, method, args, kw))


def execute(app: App, db: str, uid: Any, password: Any, model: str, method: str, *args: Any) -> Any:
    return execute_kw(app, db, uid, password, model, method, list(args), {})


def exec_workflow(app: App, db: str, uid: Any, password: Any, model: str, signal: str, *args: Any) -> Any:
    """Odoo 10's `exec_workflow(db, uid, password, model, signal, id)`: the signal's result, False
    when the button method answers nothing (the workflow engine answered False for a signal that
    moved nothing)."""
    if not args:  # Odoo reads the id as args[0]
        raise IndexError("tuple index out of range")
    result = workflow.signal(app, db, uid, password, model, args[0], signal)
    return False if result is None else result


METHODS = {"execute": execute, "execute_kw": execute_kw, "exec_workflow": exec_workflow}
# the methods only some versions have: method → the row of versions.DIFFERENCES they need
ROWS = {"exec_workflow": "workflow"}
