"""An OpenAPI 3.1 document of JSON-2 (beyond Odoo, which documents JSON-2 in its own format):
one path per model the caller may read and public method, generated from the registry, custom
models and fields included. Any user with a key gets the document of what they can reach (Odoo's
own documentation is for Technical Documentation users). Request bodies come from the methods' Odoo 19 parameters (see
`services.signatures`) and, for values to write, from the model's field types.
"""
from __future__ import annotations

from typing import Any

from odoorpc_server.orm.env import Env
from odoorpc_server.orm.models import BaseModel
from odoorpc_server.services import apidoc, signatures
from odoorpc_server.services.signatures import Method, Param

ERROR_STATUSES = {"401": "Missing, unknown, revoked or expired API key",
                  "403": "Access rights or record rules refuse the operation, or the method is private",
                  "404": "Unknown model, method or record", "422": "Invalid parameters or data",
                  "500": "Any other error"}
FIELD_TYPES: dict[str, dict[str, Any]] = {
    "char": {"type": ["string", "boolean"]}, "text": {"type": ["string", "boolean"]},
    "html": {"type": ["string", "boolean"]}, "selection": {"type": ["string", "boolean"]},
    "integer": {"type": "integer"}, "float": {"type": "number"}, "monetary": {"type": "number"},
    "boolean": {"type": "boolean"}, "date": {"type": ["string", "boolean"], "format": "date"},
    "datetime": {"type": ["string", "boolean"]}, "binary": {"type": ["string", "boolean"]},
    "many2one": {"type": ["integer", "boolean"]}, "json": {},
    "one2many": {"type": "array", "description": "x2many commands or a list of ids"},
    "many2many": {"type": "array", "description": "x2many commands or a list of ids"},
}
DOMAIN = {"type": "array", "description": "an Odoo domain: leaves [field, operator, value] and '&', '|', '!'"}
IDS = {"type": "array", "items": {"type": "integer"}}


def document(env: Env, server_url: str) -> dict[str, Any]:
    """The OpenAPI document for the caller of `env`."""
    profile = env.settings.profile
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": error_schema()}
    for records in apidoc.readable(env):
        name = records.model.name
        schemas[f"{name}.values"] = values_schema(records)
        for method in signatures.methods(type(records), profile).values():
            paths[f"/json/2/{name}/{method.name}"] = {"post": operation(records, method)}
    return {
        "openapi": "3.1.0",
        "info": {"title": f"Odoo {profile.version} JSON-2 API", "version": profile.version,
                 "description": "Every model method the API key's user can call: POST a JSON object of "
                                "named parameters; `ids` (record methods) and `context` are reserved."},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer", "description": "an API key (res.users.apikeys)"}},
            "parameters": {"database": {"name": "X-Odoo-Database", "in": "header", "required": False,
                                        "schema": {"type": "string"},
                                        "description": "the database, when the server holds several"}}},
    }


def operation(records: BaseModel, method: Method) -> dict[str, Any]:
    model = records.model.name
    properties: dict[str, Any] = {}
    if method.exposure.records:
        properties["ids"] = {**IDS, "description": "the records the method runs on"}
    properties["context"] = {"type": "object", "description": "the whole context of the call"}
    extra: bool | dict[str, Any] = False
    for param in method.params:
        if param.kind.name == "VAR_KEYWORD":
            extra = {}
            continue
        properties[param.name] = param_schema(records, param)
    body: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": extra}
    required = [p.name for p in method.params if p.required]
    if required:
        body["required"] = required
    responses: dict[str, Any] = {"200": {"description": "the method's value",
                                         "content": {"application/json": {"schema": result_schema(method)}}}}
    for status, text in ERROR_STATUSES.items():
        responses[status] = {"description": text, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"}}}}
    found: dict[str, Any] = {"deprecated": True} if method.deprecated else {}
    return found | {
        "operationId": f"{model}.{method.name}", "tags": [model], "summary": f"{model}.{method.name}"
        f"{apidoc.signature_text(method)}",
        "parameters": [{"$ref": "#/components/parameters/database"}],
        "requestBody": {"required": False, "content": {"application/json": {"schema": body}}},
        "responses": responses,
    }


def param_schema(records: BaseModel, param: Param) -> dict[str, Any]:
    """The JSON Schema of one parameter, from its kind of value in data/signatures.json."""
    values = {"$ref": f"#/components/schemas/{records.model.name}.values"}
    field_names = {"type": "array", "items": {"type": "string", "enum": sorted(records.model.fields)}}
    shapes: dict[str, dict[str, Any]] = {
        "domain": DOMAIN, "field_names": field_names, "strings": {"type": "array", "items": {"type": "string"}},
        "vals": values, "vals_list": {"oneOf": [values, {"type": "array", "items": values}]},
        "integer": {"type": ["integer", "boolean", "null"]}, "string": {"type": ["string", "boolean", "null"]},
        "boolean": {"type": "boolean"}, "object": {"type": "object"},
    }
    schema = dict(shapes.get(param.schema, {}))
    documented = apidoc.parameter_doc(param)
    if "default" in documented:
        schema["default"] = documented["default"]
    return schema


def values_schema(records: BaseModel) -> dict[str, Any]:
    """Field values to write: each field's JSON type, selections as their keys."""
    properties: dict[str, Any] = {}
    for name, desc in records.fields_get().items():
        if desc.get("readonly"):
            continue
        schema = dict(FIELD_TYPES.get(desc["type"], {}))
        if desc["type"] == "selection" and desc.get("selection"):
            schema = {"enum": [key for key, _ in desc["selection"]] + [False]}
        if desc.get("relation"):
            schema["description"] = f"{desc['relation']} ids"
        properties[name] = {**schema, "title": desc["string"]}
    return {"type": "object", "properties": properties, "additionalProperties": False}


def result_schema(method: Method) -> dict[str, Any]:
    if method.returns_records or method.name == "search":
        return IDS
    return {}


def error_schema() -> dict[str, Any]:
    return {"type": "object", "required": ["name", "message", "arguments", "context", "debug"], "properties": {
        "name": {"type": "string"}, "message": {"type": "string"}, "arguments": {"type": "array"},
        "context": {"type": "object"}, "debug": {"type": "string"}}}
