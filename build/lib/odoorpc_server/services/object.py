"""The `object` service: execute and execute_kw, with Odoo's argument binding."""
from __future__ import annotations

import random
import time
from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import AccessDenied, AccessError, ValidationError
from odoorpc_server.orm import api
from odoorpc_server.orm.env import Env
from odoorpc_server.orm.fields import INT_MAX as INT32_MAX
from odoorpc_server.orm.fields import INT_MIN as INT32_MIN
from odoorpc_server.orm.models import BaseModel, model_class, normalize_ids
from odoorpc_server.services.app import App

MAX_TRIES = 5
RETRY_CODES = frozenset({"40001", "40P01", "55P03"})  # serialization failure, deadlock, lock not available
def call(env: Env, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Bind positional and keyword arguments the way Odoo's call_kw does."""
    recs: BaseModel = env[model]
    if not isinstance(method, str) or method.startswith("_") or method == "init":
        raise AccessError(f"Private methods (such as {method}) cannot be called remotely.")
    fn, exposure = recs.public_method(method)
    if not exposure.records:
        return fn(*args, **kwargs)
    if not args:
        raise IndexError("tuple index out of range")
    return fn(normalize_ids(args[0]), *args[1:], **kwargs)


def execute_kw(app: App, db: str, uid: Any, password: Any, model: str, method: str, args: Any = None,
               kw: Any = None) -> Any:
    args = list(args or [])
    kwargs = dict(kw or {})
    context = kwargs.pop("context", None) or {}
    if not isinstance(context, dict):
        raise ValueError(f"context must be a dictionary, not {type(context).__name__}")
    uid = int(uid)
    if not INT32_MIN <= uid <= INT32_MAX:  # no user has such an id; both backends answer alike
        raise AccessDenied()
    for attempt in range(1, MAX_TRIES + 1):
        try:
            return _execute(app, db, uid, password, model, method, args, kwargs, context)
        except sa.exc.OperationalError as error:
            # concurrent updates on PostgreSQL: the whole call is retried, as Odoo retries it
            code = getattr(error.orig, "sqlstate", None)
            if code not in RETRY_CODES or attempt == MAX_TRIES:
                raise error.orig from None  # type: ignore[misc]
            time.sleep(random.uniform(0.0, 0.05 * 2**attempt))
    raise AssertionError("unreachable")


def _execute(app: App, db: str, uid: int, password: Any, model: str, method: str, args: list[Any],
             kwargs: dict[str, Any], context: dict[str, Any]) -> Any:
    try:
        with app.env(db, uid, context, write=not readonly(model, method), password=password) as env:
            return call(env, model, method, list(args), dict(kwargs))
    except sa.exc.IntegrityError as error:
        raise ValidationError(f"The operation cannot be completed: {driver_message(error)}") from None
    except sa.exc.OperationalError:
        raise
    except sa.exc.DBAPIError as error:
        # the driver's own error, without the statement and parameters SQLAlchemy adds
        raise error.orig from None  # type: ignore[misc]


def readonly(model: str, method: str) -> bool:
    """Whether the call only reads (a read-only transaction), from the method's declaration; a
    call that will fail (unknown method) reads nothing either."""
    found = api.exposure(model_class(model), method) if isinstance(model, str) else None
    return found.readonly if found else True


def driver_message(error: sa.exc.DBAPIError) -> str:
    return str(error.orig).strip().splitlines()[0] if error.orig else "database error"


def execute(app: App, db: str, uid: Any, password: Any, model: str, method: str, *args: Any) -> Any:
    return execute_kw(app, db, uid, password, model, method, list(args), {})


METHODS = {"execute": execute, "execute_kw": execute_kw}
