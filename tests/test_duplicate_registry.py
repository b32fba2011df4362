"""A duplicated database starts with the registry built from its source's models (no rebuild
on its first call): it must still be the copy's own — custom models and fields of the source
work in the copy, and a schema change in one is not seen in the other."""
from __future__ import annotations

import uuid
import xmlrpc.client
from collections.abc import Iterator

import pytest

from conftest import Server, fault, last_line, serving

MASTER = "admin"


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(backend, tmp_path_factory, "dup") as srv:
        yield srv


def test_copy_has_its_own_schema(server: Server) -> None:
    db = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/db")
    models = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object")
    source, copy = f"s{uuid.uuid4().hex[:10]}", f"c{uuid.uuid4().hex[:10]}"

    def x(name: str, model: str, method: str, *args: object, **kwargs: object) -> object:
        return models.execute_kw(name, 2, "admin", model, method, list(args), kwargs)

    assert db.create_database(MASTER, source, False, "en_US", "admin") is True
    try:
        mid = x(source, "ir.model", "create", {"name": "Book", "model": "x_book", "state": "manual"})
        x(source, "ir.model.fields", "create", {"model_id": mid, "name": "x_title", "ttype": "char"})
        x(source, "x_book", "create", {"x_title": "Dune"})  # the source's registry is built in the server
        assert db.duplicate_database(MASTER, source, copy) is True
        assert x(copy, "x_book", "search_read", [], fields=["x_title"]) == [{"id": 1, "x_title": "Dune"}]
        copy_mid = x(copy, "ir.model", "search", [["model", "=", "x_book"]])
        x(copy, "ir.model.fields", "create", {"model_id": copy_mid[0], "name": "x_pages", "ttype": "integer"})
        assert x(copy, "x_book", "create", {"x_title": "Emma", "x_pages": 400}) == 2
        assert "x_pages" in x(copy, "x_book", "fields_get", attributes=["type"])
        assert "x_pages" not in x(source, "x_book", "fields_get", attributes=["type"])
        refused = fault(x, source, "x_book", "create", {"x_pages": 1})
        assert last_line(refused) == "ValueError: Invalid field 'x_pages' on model 'x_book'"
        x(source, "ir.model", "unlink", [mid])  # the source's change leaves the copy's model alone
        assert x(copy, "x_book", "search_count", []) == 2
    finally:
        db.drop(MASTER, copy)
        db.drop(MASTER, source)
