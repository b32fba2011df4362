"""The OpenAPI 3.1 document of JSON-2 (`GET /json/2/openapi.json`, beyond Odoo): valid for
`openapi-spec-validator`, generated from the registry for the key's user (custom models
included, unreadable models left out), and its request schemas agree with what the server
accepts (200) and refuses (422)."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from conftest import Client, Server
from json2wire import Json2, cli_key, error_of, make_key, new_user


@pytest.fixture(scope="module")
def j2(server19: Server, admin19: Client) -> Json2:
    return Json2(server19.url, make_key(admin19, "openapi"), server19.db)


def document(caller: Json2) -> dict[str, Any]:
    answer = caller.send("/json/2/openapi.json", method="GET")
    assert answer.status == 200, answer.text
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    doc: dict[str, Any] = answer.body
    return doc


def body_validator(doc: dict[str, Any], model: str, method: str) -> OAS31Validator:
    """A validator of the request body of one path, its references resolved in the document."""
    schema = doc["paths"][f"/json/2/{model}/{method}"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return OAS31Validator({**schema, "components": doc["components"]})


def test_the_document_needs_a_key(server19: Server) -> None:
    body = error_of(Json2(server19.url, None, server19.db).send("/json/2/openapi.json", method="GET"), 401)
    assert body["name"] == "werkzeug.exceptions.Unauthorized"
    body = error_of(Json2(server19.url, "0" * 40, server19.db).send("/json/2/openapi.json", method="GET"), 401)
    assert body["message"] == "Invalid apikey"


def test_the_document_is_valid_openapi_3_1(server19: Server, j2: Json2) -> None:
    doc = document(j2)
    validate(doc)
    assert doc["openapi"] == "3.1.0" and doc["info"]["version"] == "19.0"
    assert doc["servers"] == [{"url": server19.url}]
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "an API key (res.users.apikeys)"}


def test_one_path_per_model_and_method_with_odoo_19_parameters(j2: Json2) -> None:
    doc = document(j2)
    documented = j2.send("/doc-bearer/res.partner.json", method="GET").body["methods"]
    partner_paths = {p.rsplit("/", 1)[1] for p in doc["paths"] if p.startswith("/json/2/res.partner/")}
    assert partner_paths == set(documented) | {"read_group"}
    read_group = doc["paths"]["/json/2/res.partner/read_group"]["post"]
    assert read_group["deprecated"] is True and "deprecated" not in doc["paths"]["/json/2/res.partner/search"]["post"]
    search = doc["paths"]["/json/2/res.partner/search"]["post"]
    body = search["requestBody"]["content"]["application/json"]["schema"]
    assert list(body["properties"]) == ["context", "domain", "offset", "limit", "order"]
    assert body["required"] == ["domain"] and body["additionalProperties"] is False
    assert body["properties"]["offset"]["default"] == 0
    assert set(search["responses"]) == {"200", "401", "403", "404", "422", "500"}
    assert search["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array", "items": {"type": "integer"}}
    write = doc["paths"]["/json/2/res.partner/write"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert list(write["properties"]) == ["ids", "context", "vals"] and write["required"] == ["vals"]
    assert write["properties"]["vals"] == {"$ref": "#/components/schemas/res.partner.values"}
    values = doc["components"]["schemas"]["res.partner.values"]["properties"]
    assert values["name"]["type"] == ["string", "boolean"] and values["name"]["title"] == "Name"
    assert values["parent_id"]["type"] == ["integer", "boolean"]
    assert False in values["type"]["enum"] and "contact" in values["type"]["enum"]
    assert "create_date" not in values  # read-only fields are not written


def test_custom_models_and_fields_are_in_the_document(j2: Json2, admin19: Client) -> None:
    model = f"x_api_{uuid.uuid4().hex[:6]}"
    mid = admin19.x("ir.model", "create", {"name": "API things", "model": model, "state": "manual"})
    for name, ttype in (("x_name", "char"), ("x_size", "integer"), ("x_ratio", "float"), ("x_done", "boolean")):
        admin19.x("ir.model.fields", "create", {"model_id": mid, "name": name, "ttype": ttype, "state": "manual"})
    doc = document(j2)
    validate(doc)
    assert f"/json/2/{model}/create" in doc["paths"] and f"/json/2/{model}/search_read" in doc["paths"]
    values = doc["components"]["schemas"][f"{model}.values"]["properties"]
    assert {k: values[k]["type"] for k in ("x_name", "x_size", "x_ratio", "x_done")} == {
        "x_name": ["string", "boolean"], "x_size": "integer", "x_ratio": "number", "x_done": "boolean"}


def test_a_portal_user_sees_only_the_models_they_may_read(server19: Server, admin19: Client) -> None:
    portal = new_user(server19, "portal")
    doc = document(Json2(server19.url, cli_key(server19, portal.login), server19.db))
    validate(doc)
    seen = {path.split("/")[3] for path in doc["paths"]}
    every = {m["model"] for m in admin19.x("ir.model", "search_read", [], ["model"])}
    readable = {m for m in every if portal.x(m, "check_access_rights", "read", raise_exception=False)}
    assert seen == readable and every - readable  # the portal user misses some models, and only those


@pytest.mark.parametrize(("method", "body", "status"), [
    ("search", {"domain": [], "limit": 1}, 200),
    ("search", {"domain": [], "foo": 1}, 422),
    ("search", {"limit": 1}, 422),
    ("create", {"vals_list": {"name": "From the schema"}}, 200),
    ("create", {"vals_list": [{"name": "From the schema"}], "vals": {}}, 422),
    ("write", {"ids": [], "vals": {"comment": "schema"}}, 200),
    ("write", {"ids": []}, 422),
    ("search_read", {"domain": [], "fields": ["name"], "limit": 1, "load": None}, 200),
    ("name_search", {"name": "Mitchell", "domain": []}, 200),
    ("name_search", {"name": "Mitchell", "args": []}, 422),
])
def test_the_request_schemas_agree_with_the_server(j2: Json2, method: str, body: dict[str, Any], status: int) -> None:
    validator = body_validator(document(j2), "res.partner", method)
    assert validator.is_valid(body) is (status == 200)
    assert j2.post("res.partner", method, **body).status == status
