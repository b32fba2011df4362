"""read_group beyond the recorded answers: time zones from the context and hour groups."""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from conftest import Client


@pytest.fixture()
def model(client: Client) -> str:
    name = f"x_rg{uuid.uuid4().hex[:8]}"
    mid = client.x("ir.model", "create", {"name": "Events", "model": name, "state": "manual"})
    client.x("ir.model.fields", "create", {"model_id": mid, "name": "x_when", "ttype": "datetime"})
    client.x("ir.model.fields", "create", {"model_id": mid, "name": "x_n", "ttype": "integer"})
    for when, n in (("2024-03-10 23:30:00", 1), ("2024-03-11 00:30:00", 2), ("2024-03-11 12:00:00", 4)):
        client.x(name, "create", {"x_when": when, "x_n": n})
    return name


def groups(client: Client, model: str, spec: str, **context: Any) -> list[tuple[Any, ...]]:
    found = client.x(model, "read_group", [], ["x_n:sum"], [spec], lazy=False, context=context)
    return [(g[spec], g["__count"], g["x_n"], g["__range"][spec]) for g in found]


def test_days_in_utc_without_a_time_zone(client: Client, model: str) -> None:
    assert groups(client, model, "x_when:day") == [
        ("10 Mar 2024", 1, 1, {"from": "2024-03-10 00:00:00", "to": "2024-03-11 00:00:00"}),
        ("11 Mar 2024", 2, 6, {"from": "2024-03-11 00:00:00", "to": "2024-03-12 00:00:00"}),
    ]


def test_days_in_the_context_time_zone(client: Client, model: str) -> None:
    # Brussels is UTC+1 in March: 23:30 UTC on the 10th is already the 11th there
    assert groups(client, model, "x_when:day", tz="Europe/Brussels") == [
        ("11 Mar 2024", 3, 7, {"from": "2024-03-10 23:00:00", "to": "2024-03-11 23:00:00"}),
    ]
    found = client.x(model, "read_group", [], [], ["x_when:day"], lazy=False, context={"tz": "Europe/Brussels"})
    assert len(client.x(model, "search", found[0]["__domain"])) == 3


def test_hours_use_odoo_twelve_hour_labels(client: Client, model: str) -> None:
    assert [g[0] for g in groups(client, model, "x_when:hour")] == ["11:00 10 Mar", "12:00 11 Mar", "12:00 11 Mar"]


def test_many2one_groups_follow_the_comodel_order(client: Client) -> None:
    """res.country is ordered by name: groups come in country-name order, reversed by desc."""
    groups = client.x("res.partner", "read_group", [("is_company", "=", True)], [], ["country_id"])
    names = [g["country_id"][1] for g in groups if g["country_id"]]
    assert names == sorted(names, key=lambda n: n.encode()) and len(names) > 5
    backwards = client.x("res.partner", "read_group", [("is_company", "=", True)], [], ["country_id"],
                         orderby="country_id desc")
    assert [g["country_id"] for g in backwards] == [g["country_id"] for g in reversed(groups)]


def test_a_field_grouped_and_aggregated_answers_the_aggregate(client: Client, model: str) -> None:
    """Odoo 17 puts the aggregate of `x_n:sum` grouped by `x_n` under the group's own key, and
    builds the group's `__domain` from that value, so the domain selects other rows."""
    extra = client.x(model, "create", {"x_n": 2})
    found = client.x(model, "read_group", [], ["x_n:sum"], ["x_n"], orderby="x_n")
    assert [(g["x_n"], g["x_n_count"], g["__domain"]) for g in found] == [
        (1, 1, [["x_n", "=", 1]]), (4, 2, [["x_n", "=", 4]]), (4, 1, [["x_n", "=", 4]])]
    assert client.x(model, "search", found[1]["__domain"]) == client.x(model, "search", [("x_n", "=", 4)])
    assert extra not in client.x(model, "search", found[1]["__domain"])
