"""Odoo 19's API documentation (its `api_doc` module), protocol-neutral: the index of the models
a user can read and, per model, its fields (as `fields_get`) and public methods with their
parameters in order and their `api` flags. Client libraries (odoo-client-lib, odooly) read
`methods[<name>].parameters` and `"model" in methods[<name>].api` to turn positional arguments
into JSON-2's named ones.

Deprecated methods (`read_group` in Odoo 19) stay callable but are left out, as Odoo leaves them
out. Only users of Odoo's "Technical Documentation" group may read it; Settings users (and the
superuser) have it, as `base.group_system` implies the group in Odoo.
"""
from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

from werkzeug.exceptions import NotFound

from odoorpc_server.exceptions import AccessError
from odoorpc_server.orm import access, classes
from odoorpc_server.orm.env import SUPERUSER_ID, Env
from odoorpc_server.orm.models import BaseModel
from odoorpc_server.services import signatures
from odoorpc_server.services.app import App
from odoorpc_server.services.call import within
from odoorpc_server.services.signatures import Method

MODULES = ["base", "web", "api_doc", "contacts"]
DOC_GROUP = "Technical Documentation"


def run(app: App, database: str, secret: Any, work: Callable[[Env], Any], documentation: bool = True) -> Any:
    """`work(env)` as one read-only call of the user the secret (bearer key or session) names;
    with `documentation`, for users of the Technical Documentation group only."""
    return within(app, database, 0, secret, {}, False, lambda env: work(allowed(env) if documentation else env))


def allowed(env: Env) -> Env:
    if env.uid != SUPERUSER_ID and not access.has_group(env, "base.group_system"):
        raise AccessError(f"This page is only accessible to {DOC_GROUP} users.")
    return env


def readable(env: Env) -> list[BaseModel]:
    """The models the user may read, in ir.model order."""
    models = sorted(env.registry.models.values(), key=lambda m: m.id)
    return [env[m.name] for m in models if access.check_model(env, m, "read", raise_exception=False)]


def index(env: Env) -> dict[str, Any]:
    """`/doc-bearer/index.json`: modules, then per model its fields' labels and method names."""
    profile = env.settings.profile
    return {"modules": MODULES, "models": [
        {"model": records.model.name, "name": records.model.description,
         "fields": {name: {"string": desc["string"]} for name, desc in records.fields_get().items()},
         "methods": list(signatures.methods(type(records), profile, deprecated=False))}
        for records in readable(env)]}


def model_doc(env: Env, model: str) -> dict[str, Any]:
    """`/doc-bearer/<model>.json`: the model, its fields and its methods."""
    if not isinstance(model, str) or model not in env:
        raise NotFound()
    records = env[model]
    access.check_model(env, records.model, "read")
    methods = signatures.methods(type(records), env.settings.profile, deprecated=False)
    return {
        "model": model, "name": records.model.description, "doc": None,
        "fields": {name: {**desc, "module": None if desc.get("manual") else "base"}
                   for name, desc in records.fields_get().items()},
        "methods": {name: method_doc(type(records), m) for name, m in methods.items()},
    }


def method_doc(cls: type, method: Method) -> dict[str, Any]:
    """One method as Odoo 19 documents it: signature text, parameters in order (kind left out
    for plain parameters, defaults JSON cannot carry left out), api flags, where it comes from."""
    out: dict[str, Any] = {"signature": signature_text(method), "parameters": {
        p.name: parameter_doc(p) for p in method.params}}
    if method.returns_records:
        out["return"] = {"annotation": "list[int]"}
    if method.api:
        out["api"] = method.api
    own = _introducing(cls, method.name)
    out.update(model=own, module="core" if own == "core" else "base")
    return out


def parameter_doc(param: signatures.Param) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if param.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD:
        doc["kind"] = param.kind.name
    if param.default is not signatures.EMPTY:
        try:
            json.dumps(param.default)
            doc["default"] = param.default
        except (TypeError, ValueError):
            pass
    return doc


def signature_text(method: Method) -> str:
    parts = []
    for p in method.params:
        prefix = "**" if p.kind is inspect.Parameter.VAR_KEYWORD else ""
        parts.append(f"{prefix}{p.name}" if p.default is signatures.EMPTY else f"{p.name}={p.default!r}")
    return f"({', '.join(parts)})"


def _introducing(cls: type, name: str) -> str:
    """'core' for the generic ORM methods, else the model whose module declares the method."""
    if getattr(cls, name) is getattr(classes.lookup(classes.GENERIC), name, None):
        return "core"
    for model, klass in classes.registered().items():
        if klass is cls:
            return model
    return "core"
