"""The `object` service: execute and execute_kw, each one Call on the one call path."""
from __future__ import annotations

from typing import Any

from odoorpc_server.services.app import App
from odoorpc_server.services.call import make_call, run


def execute_kw(app: App, db: str, uid: Any, password: Any, model: str, method: str, args: Any = None,
               kw: Any = None) -> Any:
    return run(app, make_call(db, uid, password, model, method, args, kw))


def execute(app: App, db: str, uid: Any, password: Any, model: str, method: str, *args: Any) -> Any:
    return execute_kw(app, db, uid, password, model, method, list(args), {})


METHODS = {"execute": execute, "execute_kw": execute_kw}
