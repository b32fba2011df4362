"""Every XML-RPC example of the documentation the server is built from, run verbatim.

Each test body is the documented Python code (only the connection parameters are ours), and
checks that the answer has the documented shape.
"""
from __future__ import annotations

import xmlrpc.client

import pytest

from conftest import Server


@pytest.fixture()
def conn(server: Server) -> dict[str, object]:
    url, db, username, password = server.url, server.db, "admin", "admin"
    common = xmlrpc.client.ServerProxy(f'{url}/xmlrpc/2/common')
    uid = common.authenticate(db, username, password, {})
    models = xmlrpc.client.ServerProxy(f'{url}/xmlrpc/2/object')
    return {"url": url, "db": db, "username": username, "password": password, "uid": uid, "models": models}


def test_start_gives_connection_parameters(server: Server) -> None:
    info = xmlrpc.client.ServerProxy(server.url + '/start').start()
    url, db, username, password = info['host'], info['database'], info['user'], info['password']
    common = xmlrpc.client.ServerProxy(f'{url}/xmlrpc/2/common')
    uid = common.authenticate(db, username, password, {})
    assert type(uid) is int and uid == 2  # (False, a failed login, is an int too)


def test_logging_in(server: Server) -> None:
    url, db, username, password = server.url, server.db, "admin", "admin"
    common = xmlrpc.client.ServerProxy(f'{url}/xmlrpc/2/common')
    version = common.version()
    assert set(version) == {"server_version", "server_version_info", "server_serie", "protocol_version"}
    assert version["server_version_info"][:2] == [17, 0] and version["protocol_version"] == 1
    uid = common.authenticate(db, username, password, {})
    assert uid == 2


def test_calling_methods(conn: dict) -> None:
    db, uid, password, models = conn["db"], conn["uid"], conn["password"], conn["models"]
    assert models.execute_kw(db, uid, password,
        'res.partner', 'check_access_rights',
        ['read'], {'raise_exception': False}) is True


def test_list_records_pagination_count(conn: dict) -> None:
    db, uid, password, models = conn["db"], conn["uid"], conn["password"], conn["models"]
    ids = models.execute_kw(db, uid, password,
        'res.partner', 'search',
        [[['is_company', '=', True]]])
    assert ids and all(type(i) is int for i in ids)
    page = models.execute_kw(db, uid, password,
        'res.partner', 'search',
        [[['is_company', '=', True]]],
        {'offset': 10, 'limit': 5})
    assert page == ids[10:15]
    count = models.execute_kw(db, uid, password,
        'res.partner', 'search_count',
        [[['is_company', '=', True]]])
    assert count == len(ids) >= 20


def test_read_records(conn: dict) -> None:
    db, uid, password, models = conn["db"], conn["uid"], conn["password"], conn["models"]
    ids = models.execute_kw(db, uid, password,
        'res.partner', 'search',
        [[['is_company', '=', True]]],
        {'limit': 1})
    [record] = models.execute_kw(db, uid, password,
        'res.partner', 'read', [ids])
    # count the number of fields fetched by default
    assert len(record) > 40 and record["id"] == ids[0]
    fields = models.execute_kw(db, uid, password,
        'res.partner', 'read',
        [ids], {'fields': ['name', 'country_id', 'comment']})
    assert set(fields[0]) == {"id", "name", "country_id", "comment"}
    country = fields[0]["country_id"]
    assert isinstance(country, list) and type(country[0]) is int and isinstance(country[1], str)


def test_listing_record_fields(conn: dict) -> None:
    db, uid, password, models = conn["db"], conn["uid"], conn["password"], conn["models"]
    fields = models.execute_kw(
        db, uid, password, 'res.partner', 'fields_get',
        [], {'attributes': ['string', 'help', 'type']})
    assert fields["name"] == {"type": "char", "string": "Name"}
    assert fields["country_id"]["type"] == "many2one"
    assert all(set(v) <= {"string", "help", "type"} for v in fields.values())


def test_search_and_read(conn: dict) -> None:
    db, uid, password, models = conn["db"], conn["uid"], conn["password"], conn["models"]
    records = models.execute_kw(db, uid, password,
        'res.partner', 'search_read',
        [[['is_company', '=', True]]],
        {'fields': ['name', 'country_id', 'comment'], 'limit': 5})
    assert len(records) == 5
    assert all(set(r) == {"id", "name", "country_id", "comment"} for r in records)
    names = [r["name"] for r in records]
    assert names == sorted(names, key=lambda n: n.encode())


def test_create_update_delete(conn: dict) -> None:
    db, uid, password, models = conn["db"], conn["uid"], conn["password"], conn["models"]
    id = models.execute_kw(db, uid, password, 'res.partner', 'create', [{
        'name': "New Partner",
    }])
    assert type(id) is int and id > 0
    assert models.execute_kw(db, uid, password, 'res.partner', 'write', [[id], {
        'name': "Newer partner"
    }]) is True
    # get record name after having changed it
    assert models.execute_kw(db, uid, password, 'res.partner', 'name_get', [[id]]) == [[id, "Newer partner"]]
    assert models.execute_kw(db, uid, password, 'res.partner', 'read', [[id], ['display_name']]) == [
        {"id": id, "display_name": "Newer partner"}]
    assert models.execute_kw(db, uid, password, 'res.partner', 'unlink', [[id]]) is True
    # check if the deleted record is still in the database
    assert models.execute_kw(db, uid, password,
        'res.partner', 'search', [[['id', '=', id]]]) == []


def test_custom_model_has_builtin_fields(conn: dict) -> None:
    db, uid, password, models = conn["db"], conn["uid"], conn["password"], conn["models"]
    models.execute_kw(db, uid, password, 'ir.model', 'create', [{
        'name': "Custom Model",
        'model': "x_custom_model",
        'state': 'manual',
    }])
    fields = models.execute_kw(
        db, uid, password, 'x_custom_model', 'fields_get',
        [], {'attributes': ['string', 'help', 'type']})
    assert fields == {
        "create_uid": {"type": "many2one", "string": "Created by"},
        "create_date": {"type": "datetime", "string": "Created on"},
        "write_uid": {"type": "many2one", "string": "Last Updated by"},
        "write_date": {"type": "datetime", "string": "Last Updated on"},
        "display_name": {"type": "char", "string": "Display Name"},
        "id": {"type": "integer", "string": "ID"},
    }


def test_custom_field_and_record(conn: dict) -> None:
    db, uid, password, models = conn["db"], conn["uid"], conn["password"], conn["models"]
    id = models.execute_kw(db, uid, password, 'ir.model', 'create', [{
        'name': "Custom Model",
        'model': "x_custom",
        'state': 'manual',
    }])
    models.execute_kw(
        db, uid, password,
        'ir.model.fields', 'create', [{
            'model_id': id,
            'name': 'x_name',
            'ttype': 'char',
            'state': 'manual',
            'required': True,
        }])
    record_id = models.execute_kw(
        db, uid, password,
        'x_custom', 'create', [{
            'x_name': "test record",
        }])
    [record] = models.execute_kw(db, uid, password, 'x_custom', 'read', [[record_id]])
    assert set(record) == {"id", "x_name", "display_name", "create_uid", "create_date", "write_uid", "write_date"}
    assert record["x_name"] == record["display_name"] == "test record"
    assert record["create_uid"][0] == record["write_uid"][0] == 2 and isinstance(record["create_uid"][1], str)
    assert len(record["create_date"]) == 19 and record["id"] == record_id
