"""The one call path: every protocol turns a request into a `Call` and hands it to `run`, which
binds it to the model's method, runs it in one transaction (read-only for read-only methods),
retries it on serialization failures as Odoo does, and maps database errors to Odoo's."""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import AccessDenied, AccessError, ValidationError
from odoorpc_server.orm import api
from odoorpc_server.orm.env import Env
from odoorpc_server.orm.fields import INT_MAX, INT_MIN
from odoorpc_server.orm.models import model_class, normalize_ids
from odoorpc_server.orm.reading import streaming
from odoorpc_server.services.app import App
from odoorpc_server.services.harness import observe
from odoorpc_server.storage.database import StaleConnection
from odoorpc_server.versions import Profile

MAX_TRIES = 5
RETRY_CODES = frozenset({"40001", "40P01", "55P03"})  # serialization failure, deadlock, lock not available


@dataclass(frozen=True)
class Call:
    """A protocol-neutral model method call.

    `ids` given apart (JSON-2) are the records; when None, a record method takes them from the
    first positional argument, as XML-RPC and JSON-RPC pass them. With a `SessionKey` as the
    secret (the web routes) the session names the user and `uid` is not used.
    """

    database: str
    uid: int
    secret: Any
    model: str
    method: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    ids: list[int] | None = None
    protocol: str = "xmlrpc"


# the protocol of the request being served, for the object service's calls (`dispatch` sets it)
PROTOCOL: ContextVar[str] = ContextVar("protocol", default="xmlrpc")


def make_call(database: Any, uid: Any, secret: Any, model: Any, method: Any, args: Any = None, kwargs: Any = None,
              protocol: str | None = None) -> Call:
    """A Call from an `execute_kw`-shaped request: `context` travels in the keyword arguments."""
    kwargs = dict(kwargs or {})
    context = kwargs.pop("context", None) or {}
    if not isinstance(context, dict):
        raise ValueError(f"context must be a dictionary, not {type(context).__name__}")
    uid = int(uid)
    if not INT_MIN <= uid <= INT_MAX:  # no user has such an id; both backends answer alike
        raise AccessDenied()
    return Call(database, uid, secret, model, method, tuple(args or ()), kwargs, context,
                protocol=protocol or PROTOCOL.get())


# How the protocol serving this request writes its answer, when it asks for the answer to be
# written inside the call's transaction (see `rendering`).
_RENDER: ContextVar[Callable[[Any], Any] | None] = ContextVar("render", default=None)


@dataclass(frozen=True)
class Rendered:
    """A call's answer already written by its protocol (`rendering`)."""

    body: Any


@contextmanager
def rendering(render: Callable[[Any], Any]) -> Iterator[None]:
    """Within this block, the model method call `run` makes writes its answer with `render`
    before its transaction ends and returns it as Rendered: a big read (ChunkedRows) is then
    fetched while it is written. An answer that cannot be written (a method answering None over
    XML-RPC) is raised once the transaction is committed, as Odoo marshals after its commit."""
    token = _RENDER.set(render)
    try:
        yield
    finally:
        _RENDER.reset(token)


def _rendered(render: Callable[[Any], Any], value: Any) -> Rendered | Exception:
    try:
        return Rendered(render(value))
    except Exception as error:
        return error


def run(app: App, call: Call) -> Any:
    logged = call.context and app.harness.log_path  # the context is logged among the keywords
    kwargs = {**call.kwargs, "context": call.context} if logged else call.kwargs
    with observe(app.harness, call.protocol, "object", call.database, call.model, call.method, call.args,
                 kwargs, call.uid) as seen:
        return within_rendered(app, call.database, call.uid, call.secret, call.context,
                               not readonly(call, app.settings.profile), lambda env: seen.keep(invoke(env, call)))


def within_rendered(app: App, database: str, uid: int, secret: Any, context: dict[str, Any], write: bool,
                    work: Callable[[Env], Any]) -> Any:
    """`within` for a model method's call: when the protocol asked (`rendering`), its answer is
    written inside the transaction and returned as Rendered, a big read streamed as it is written."""
    render = _RENDER.get()
    if render is None:
        return within(app, database, uid, secret, context, write, work)
    token, streams = _RENDER.set(None), streaming.set(True)  # one call renders: none it makes in turn
    try:
        answer = within(app, database, uid, secret, context, write, lambda env: _rendered(render, work(env)))
    finally:
        streaming.reset(streams)
        _RENDER.reset(token)
    if isinstance(answer, BaseException):
        raise answer  # as Odoo: the call's work is committed, its answer could not be written
    return answer


def within(app: App, database: str, uid: int, secret: Any, context: dict[str, Any], write: bool,
           work: Callable[[Env], Any]) -> Any:
    """`work(env)` as one call: credentials checked, one transaction, retried on serialization
    failures, database errors mapped. `run` is this for a model method; the web routes use it
    for what they compute from several methods (their session info)."""
    for attempt in range(1, MAX_TRIES + 1):
        try:
            return _transaction(app, database, uid, secret, context, write, work)
        except StaleConnection as error:
            # a pooled connection the server had closed: the call ran on nothing, run it again
            if attempt == MAX_TRIES:
                raise error.__cause__.orig from None  # type: ignore[union-attr]
        except sa.exc.OperationalError as error:
            # concurrent updates on PostgreSQL: the whole call is retried, as Odoo retries it
            code = getattr(error.orig, "sqlstate", None)
            if code not in RETRY_CODES or attempt == MAX_TRIES:
                raise error.orig from None  # type: ignore[misc]
            time.sleep(random.uniform(0.0, 0.05 * 2**attempt))
    raise AssertionError("unreachable")


def _transaction(app: App, database: str, uid: int, secret: Any, context: dict[str, Any], write: bool,
                 work: Callable[[Env], Any]) -> Any:
    try:
        with app.env(database, uid, context, write=write, password=secret) as env:
            return work(env)
    except sa.exc.IntegrityError as error:
        raise ValidationError(f"The operation cannot be completed: {driver_message(error)}") from None
    except sa.exc.OperationalError:
        raise
    except sa.exc.DBAPIError as error:
        # the driver's own error, without the statement and parameters SQLAlchemy adds
        raise error.orig from None  # type: ignore[misc]


def invoke(env: Env, call: Call) -> Any:
    """Bind the call to the model's method the way Odoo's call_kw does."""
    method = call.method
    private = not isinstance(method, str) or method.startswith("_") or method == "init"
    quoted = env.profile.has("quoted_private_method")
    if private and not quoted:  # up to 17 the method name is checked before the model
        raise AccessError(f"Private methods (such as {method}) cannot be called remotely.")
    records = env[call.model]
    if private:  # Odoo 18's get_public_method, on the model's records
        raise AccessError(f"Private methods (such as '{call.model}.{method}') cannot be called remotely.")
    fn, exposure = records.public_method(method)
    args = list(call.args)
    if not exposure.records:
        return fn(*args, **call.kwargs)
    if call.ids is not None:
        return fn(normalize_ids(call.ids), *args, **call.kwargs)
    if not args:
        raise IndexError("tuple index out of range")
    return fn(normalize_ids(args[0]), *args[1:], **call.kwargs)


def readonly(call: Call, version: Profile | None = None) -> bool:
    """Whether the call only reads (a read-only transaction), from the method's declaration; a
    call that will fail (unknown method) reads nothing either."""
    found = api.exposure(model_class(call.model), call.method, version) \
        if isinstance(call.model, str) else None
    return found.readonly if found else True


def driver_message(error: sa.exc.DBAPIError) -> str:
    return str(error.orig).strip().splitlines()[0] if error.orig else "database error"
