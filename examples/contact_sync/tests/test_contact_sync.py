"""The contact sync against a real server: each test gets a fresh database (`odoo`), sees the
calls the sync made (`odoo_calls`) and makes Odoo fail on purpose (`odoo.inject_fault`)."""
from __future__ import annotations

import xmlrpc.client
from pathlib import Path

import pytest
from contact_sync import Odoo, read_csv, sync

CONTACTS = read_csv(Path(__file__).parents[1] / "contacts.csv")


@pytest.fixture()
def client(odoo):
    """The sync's own connection, logged in with the test database's API key."""
    return Odoo(odoo.url, odoo.db, odoo.login, odoo.api_key, retry_pause=0.0)


def partners(odoo):
    return odoo.call("res.partner", "search_read", [["ref", "like", "C-"]], fields=["ref", "name", "city"],
                     order="ref")


def test_first_sync_creates_every_contact(odoo, client):
    report = sync(client, CONTACTS)
    assert len(report.created) == 3 and report.updated == [] and report.unchanged == []
    assert [(p["ref"], p["name"], p["city"]) for p in partners(odoo)] == [
        ("C-001", "Ada Lovelace", "London"), ("C-002", "Alan Turing", "Wilmslow"),
        ("C-003", "Grace Hopper", "New York")]


def test_each_test_starts_from_a_fresh_database(odoo):
    assert partners(odoo) == []  # the contacts created by the test above are not here


def test_second_sync_writes_only_what_changed(odoo, client, odoo_calls):
    first = sync(client, CONTACTS)
    moved = [dict(c, city="Cambridge") if c["ref"] == "C-002" else c for c in CONTACTS]
    second = sync(client, moved)
    assert second.updated == [first.created[1]] and second.unchanged == [first.created[0], first.created[2]]
    writes = odoo_calls.filter(model="res.partner", method="write")
    assert [(w.args, w.fault) for w in writes] == [([[first.created[1]], {"city": "Cambridge"}], None)]
    assert len(odoo_calls.filter(model="res.partner", method="create")) == 3


def test_a_contact_found_by_email_is_not_created_again(odoo, client):
    existing = odoo.call("res.partner", "create", {"name": "Ada", "email": "ADA@example.com"})
    report = sync(client, CONTACTS[:1])
    assert report.updated == [existing] and report.created == []
    assert odoo.call("res.partner", "read", [existing], ["ref", "name"])[0]["ref"] == "C-001"


def test_a_warning_is_retried_once(odoo, client, odoo_calls):
    odoo.inject_fault("res.partner", "create", code=2, message="The record is locked, try again", times=1)
    report = sync(client, CONTACTS[:1])
    assert len(report.created) == 1
    creates = odoo_calls.filter(model="res.partner", method="create")
    assert [c.fault.code if c.fault else None for c in creates] == [2, None]
    assert creates[0].fault.message == "The record is locked, try again"
    assert creates[1].result == report.created[0]


def test_a_second_warning_is_raised(odoo, client):
    odoo.inject_fault("res.partner", "create", code=2, message="Still locked", times=2)
    with pytest.raises(xmlrpc.client.Fault) as raised:
        sync(client, CONTACTS[:1])
    assert (raised.value.faultCode, raised.value.faultString) == (2, "Still locked")
    assert partners(odoo) == []


def test_other_faults_are_not_retried(odoo, client, odoo_calls):
    odoo.inject_fault("res.partner", "search_read", code=4, message="No access", times=1)
    with pytest.raises(xmlrpc.client.Fault) as raised:
        sync(client, CONTACTS[:1])
    assert raised.value.faultCode == 4
    assert [(c.method, c.fault.code if c.fault else None) for c in odoo_calls.filter(model="res.partner")] == [
        ("search_read", 4)]
