"""What a JSON-2 call does, protocol-neutral (Odoo 19's `/json/2/<model>/<method>` controller):
authenticate the bearer key, find the model and its public method, bind the body's named
parameters to it, run it as one transaction on the one call path.

The checks come in Odoo 19's order, each with its error: the key (401) before anything else,
the model (404), a private name (403), the method (404), `ids` given to a model method (422),
parameters that do not bind (422, Python's TypeError text).
"""
from __future__ import annotations

from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound, UnprocessableEntity

from odoorpc_server.exceptions import AccessError, UnknownModel
from odoorpc_server.orm.env import Env
from odoorpc_server.orm.models import BaseModel, normalize_ids
from odoorpc_server.security import BearerKey
from odoorpc_server.services import signatures
from odoorpc_server.services.app import App
from odoorpc_server.services.call import Call, readonly, within_rendered
from odoorpc_server.services.harness import observe
from odoorpc_server.storage.sessions import SessionKey


def call(app: App, database: str, secret: BearerKey | SessionKey, model: str, method: str, params: dict[str, Any],
         verb: str = "POST") -> Any:
    """`model.method(**params)` as the user of the key (or browser session); `ids` and `context`
    are reserved names. The value is Odoo's: records answered as their ids."""
    params = dict(params)
    ids = params.pop("ids", [])
    context = params.pop("context", {})
    request = Call(database, 0, secret, model, method, (), params,
                   context if isinstance(context, dict) else {}, protocol="json2")

    def work(env: Env) -> Any:
        if verb != "POST":
            raise MethodNotAllowed()
        if not isinstance(context, dict):
            raise ValueError(f"context must be a JSON object, not {type(context).__name__}")
        return seen.keep(invoke(env, request, ids))

    with observe(app.harness, "json2", "object", database, model, method, (ids,) if ids else (),
                 {**params, "context": context} if context and app.harness.log_path else params) as seen:
        return within_rendered(app, database, 0, request.secret, request.context, not readonly(request), work)


def records_of(env: Env, model: str) -> BaseModel:
    """The model's records, or werkzeug's 404 as Odoo 19 words it."""
    try:
        return env[model]
    except UnknownModel:
        raise NotFound(f"the model {model!r} does not exist") from None


def invoke(env: Env, request: Call, ids: Any) -> Any:
    records = records_of(env, request.model)
    name, model = request.method, request.model
    if not isinstance(name, str):  # a body's `method` key replaces the URL's, as in Odoo 19
        raise NotFound(f"The method '{model}.{name}' does not exist")
    if name.startswith("_") or name in signatures.private_names():
        raise AccessError(f"Private methods (such as '{model}.{name}') cannot be called remotely.")
    found = signatures.method(type(records), name, env.settings.profile)
    if found is None:
        raise NotFound(f"The method '{model}.{name}' does not exist")
    if not found.exposure.records and ids:
        raise UnprocessableEntity(f"cannot call {model}.{name} with ids")
    try:
        kwargs = found.bind(request.kwargs)
    except TypeError as error:
        raise UnprocessableEntity(str(error.args[0])) from None
    fn = getattr(records, found.attr)
    result = fn(normalize_ids(ids), **kwargs) if found.exposure.records else fn(**kwargs)
    if found.returns_records and isinstance(result, int) and not isinstance(result, bool):
        return [result]  # Odoo answers a recordset, never one id
    return result
