"""One call, one transaction: a call that fails leaves nothing behind, schema changes included."""
from __future__ import annotations

import uuid
import xmlrpc.client

import pytest

from conftest import Client


def test_failed_model_creation_leaves_no_model_nor_table(client: Client) -> None:
    name = f"x_tx{uuid.uuid4().hex[:8]}"
    with pytest.raises(xmlrpc.client.Fault):
        client.x("ir.model", "create", {"name": "Half", "model": name, "state": "manual", "field_id": [
            (0, 0, {"name": "x_name", "ttype": "char"}),
            (0, 0, {"name": "x_bad", "ttype": "many2one", "relation": "x_does_not_exist"}),
        ]})
    assert client.x("ir.model", "search", [("model", "=", name)]) == []
    assert client.x("ir.model.fields", "search", [("model", "=", name)]) == []
    # the table did not survive either: creating the model again works from scratch
    mid = client.x("ir.model", "create", {"name": "Whole", "model": name, "state": "manual",
                                          "field_id": [(0, 0, {"name": "x_name", "ttype": "char"})]})
    rid = client.x(name, "create", {"x_name": "ok"})
    assert client.x(name, "read", [rid], ["x_name"]) == [{"id": rid, "x_name": "ok"}]
    client.x("ir.model", "unlink", [mid])


def test_failed_write_rolls_back_earlier_changes_of_the_call(client: Client) -> None:
    pid = client.x("res.partner", "create", {"name": "Before"})
    with pytest.raises(xmlrpc.client.Fault):
        client.x("res.partner", "write", [pid], {"name": "After", "child_ids": [(0, 0, {"name": "Kid"}), (4, 10**9)]})
    assert client.x("res.partner", "read", [pid], ["name", "child_ids"]) == [
        {"id": pid, "name": "Before", "child_ids": []}]
    assert client.x("res.partner", "search", [("name", "=", "Kid")]) == []


def test_ids_are_never_reused(client: Client) -> None:
    first = client.x("res.partner.category", "create", {"name": f"T{uuid.uuid4().hex[:6]}"})
    client.x("res.partner.category", "unlink", [first])
    second = client.x("res.partner.category", "create", {"name": f"T{uuid.uuid4().hex[:6]}"})
    assert second > first
    client.x("res.partner.category", "unlink", [second])
