"""Field value formats and the x2many command protocol, on custom models built in each test.

Pins Odoo 17's marshaller (control characters stripped, bytes as strings), its read formats per
field type, and the x2many command protocol. Every test creates its own models (`x_` names with
a uuid suffix) through ir.model / ir.model.fields, state manual.
"""
from __future__ import annotations

import base64
import sqlite3
import uuid
import xmlrpc.client
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import Client, Server, pg_conninfo
from wire import execute_i8

MISSING_ID = 987654321


def fault(call: Any, *args: Any, **kwargs: Any) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as info:
        call(*args, **kwargs)
    return info.value


def new_model(client: Client, model: str, label: str) -> int:
    mid = client.x("ir.model", "create", {"name": label, "model": model, "state": "manual"})
    assert type(mid) is int
    return mid


def new_field(client: Client, mid: int, name: str, ttype: str, **extra: Any) -> int:
    fid = client.x("ir.model.fields", "create", {"model_id": mid, "name": name, "ttype": ttype, "state": "manual",
                                                 "field_description": name.replace("_", " ").strip(), **extra})
    assert type(fid) is int
    return fid


@dataclass
class Models:
    main: str   # the model with one field of each type
    line: str   # comodel of the one2many (inverse x_parent_id, ondelete set null)
    table: str


@pytest.fixture()
def models(client: Client) -> Models:
    suffix = uuid.uuid4().hex[:8]
    main, line = f"x_types_{suffix}", f"x_types_line_{suffix}"
    mid = new_model(client, main, f"Types {suffix}")
    lid = new_model(client, line, f"Type lines {suffix}")
    new_field(client, mid, "x_name", "char")
    new_field(client, mid, "x_text", "text")
    new_field(client, mid, "x_html", "html")
    new_field(client, mid, "x_int", "integer")
    new_field(client, mid, "x_float", "float")
    new_field(client, mid, "x_currency_id", "many2one", relation="res.currency")
    new_field(client, mid, "x_amount", "monetary", currency_field="x_currency_id")
    new_field(client, mid, "x_flag", "boolean")
    new_field(client, mid, "x_date", "date")
    new_field(client, mid, "x_moment", "datetime")
    new_field(client, mid, "x_choice", "selection", selection="[('a', 'Apple'), ('b', 'Banana')]")
    new_field(client, mid, "x_partner_id", "many2one", relation="res.partner")
    new_field(client, mid, "x_data", "binary")
    new_field(client, mid, "x_tag_ids", "many2many", relation="res.partner.category")
    new_field(client, lid, "x_name", "char")
    new_field(client, lid, "x_parent_id", "many2one", relation=main)
    new_field(client, mid, "x_line_ids", "one2many", relation=line, relation_field="x_parent_id")
    return Models(main, line, main)


ALL_FIELDS = ["x_name", "x_text", "x_html", "x_int", "x_float", "x_amount", "x_flag", "x_date", "x_moment",
              "x_choice", "x_partner_id", "x_data", "x_tag_ids", "x_line_ids"]


def read1(client: Client, model: str, rid: int, fields: list[str]) -> dict[str, Any]:
    rows = client.x(model, "read", [rid], fields)
    assert len(rows) == 1, rows
    row = rows[0]
    assert row.pop("id") == rid
    return row


def tag(client: Client, name: str) -> int:
    tid = client.x("res.partner.category", "create", {"name": f"{name} {uuid.uuid4().hex[:6]}"})
    assert type(tid) is int
    return tid


# -- value formats --------------------------------------------------------------------------------

def test_fields_get_types(client: Client, models: Models) -> None:
    got = client.x(models.main, "fields_get", ALL_FIELDS, ["type"])
    assert {k: v["type"] for k, v in got.items()} == {
        "x_name": "char", "x_text": "text", "x_html": "html", "x_int": "integer", "x_float": "float",
        "x_amount": "monetary", "x_flag": "boolean", "x_date": "date", "x_moment": "datetime",
        "x_choice": "selection", "x_partner_id": "many2one", "x_data": "binary", "x_tag_ids": "many2many",
        "x_line_ids": "one2many"}
    sel = client.x(models.main, "fields_get", ["x_choice"], ["selection"])
    assert sel == {"x_choice": {"selection": [["a", "Apple"], ["b", "Banana"]]}}


def test_empty_values(client: Client, models: Models) -> None:
    rid = client.x(models.main, "create", {})
    assert read1(client, models.main, rid, ALL_FIELDS) == {
        "x_name": False, "x_text": False, "x_html": False, "x_int": 0, "x_float": 0.0, "x_amount": 0.0,
        "x_flag": False, "x_date": False, "x_moment": False, "x_choice": False, "x_partner_id": False,
        "x_data": False, "x_tag_ids": [], "x_line_ids": []}
    row = read1(client, models.main, rid, ["x_int", "x_float", "x_amount"])
    assert type(row["x_int"]) is int and type(row["x_float"]) is float and type(row["x_amount"]) is float


def test_written_values_read_back(client: Client, models: Models) -> None:
    pid = client.x("res.partner", "create", {"name": f"Typed {uuid.uuid4().hex[:6]}"})
    vals = {
        "x_name": "Name é ✓", "x_text": "line 1\nline 2\ttab", "x_html": "<p>Hello <b>world</b></p>",
        "x_int": -42, "x_float": 3.25, "x_amount": 12.5, "x_flag": True, "x_date": "2024-02-29",
        "x_moment": "2024-02-29 13:45:10", "x_choice": "b", "x_partner_id": pid,
    }
    rid = client.x(models.main, "create", vals)
    row = read1(client, models.main, rid, list(vals))
    partner_name = client.x("res.partner", "read", [pid], ["display_name"])[0]["display_name"]
    assert row == {**vals, "x_partner_id": [pid, partner_name]}


def test_values_can_be_reset_to_empty(client: Client, models: Models) -> None:
    pid = client.x("res.partner", "create", {"name": f"Reset {uuid.uuid4().hex[:6]}"})
    rid = client.x(models.main, "create", {
        "x_name": "n", "x_text": "t", "x_html": "<p>h</p>", "x_int": 5, "x_float": 1.5, "x_amount": 2.5,
        "x_flag": True, "x_date": "2020-01-01", "x_moment": "2020-01-01 10:00:00", "x_choice": "a",
        "x_partner_id": pid, "x_data": "aGk="})
    assert client.x(models.main, "write", [rid], {
        "x_name": False, "x_text": False, "x_html": False, "x_int": False, "x_float": False, "x_amount": False,
        "x_flag": False, "x_date": False, "x_moment": False, "x_choice": False, "x_partner_id": False,
        "x_data": False}) is True
    fields = [f for f in ALL_FIELDS if f not in ("x_tag_ids", "x_line_ids")]
    assert read1(client, models.main, rid, fields) == {
        "x_name": False, "x_text": False, "x_html": False, "x_int": 0, "x_float": 0.0, "x_amount": 0.0,
        "x_flag": False, "x_date": False, "x_moment": False, "x_choice": False, "x_partner_id": False,
        "x_data": False}


def test_int32_bounds_read_as_int(client: Client, models: Models) -> None:
    # Odoo's Integer.convert_to_read only turns values > MAXINT into floats; both int4 bounds are ints
    edge = client.x(models.main, "create", {"x_int": 2**31 - 1})
    low = client.x(models.main, "create", {"x_int": -(2**31)})
    got = {r["id"]: r["x_int"] for r in client.x(models.main, "read", [edge, low], ["x_int"])}
    assert got == {edge: 2147483647, low: -2147483648}
    assert type(got[edge]) is int
    assert type(got[low]) is int


def test_integers_beyond_32_bits_are_refused(server: Server, client: Client, models: Models) -> None:
    """Odoo's integer columns are int4 on PostgreSQL; both backends refuse a bigger value with the
    same validation fault (never a driver error), and nothing is created."""
    marker = f"big {uuid.uuid4().hex[:8]}"
    for value in (float(2**31), 2**31, -(2**31) - 1, 5_000_000_000.0, 2**63, 2**70):
        f = fault(execute_i8, client, models.main, "create", {"x_name": marker, "x_int": value})
        assert (f.faultCode, f.faultString) == (2, "The operation cannot be completed: integer out of range")
    assert client.x(models.main, "search", [("x_name", "=", marker)]) == []
    edge = client.x(models.main, "create", {"x_name": marker, "x_int": 2**31 - 1})
    low = client.x(models.main, "create", {"x_name": marker, "x_int": -(2**31)})
    got = {r["id"]: r["x_int"] for r in client.x(models.main, "read", [edge, low], ["x_int"])}
    assert got == {edge: 2**31 - 1, low: -(2**31)} and all(type(v) is int for v in got.values())
    f = fault(execute_i8, client, models.main, "write", [edge], {"x_int": 2**31})
    assert (f.faultCode, f.faultString) == (2, "The operation cannot be completed: integer out of range")
    assert client.x(models.main, "read", [edge], ["x_int"]) == [{"id": edge, "x_int": 2**31 - 1}]


def test_dates_and_datetimes_are_strings(client: Client, models: Models) -> None:
    rid = client.x(models.main, "create", {"x_date": "1999-12-31", "x_moment": "2000-01-01 00:00:00"})
    assert read1(client, models.main, rid, ["x_date", "x_moment"]) == {
        "x_date": "1999-12-31", "x_moment": "2000-01-01 00:00:00"}
    # a datetime string on a date field keeps the date; a date string on a datetime means midnight
    client.x(models.main, "write", [rid], {"x_date": "2023-07-14 18:30:00", "x_moment": "2023-07-14"})
    assert read1(client, models.main, rid, ["x_date", "x_moment"]) == {
        "x_date": "2023-07-14", "x_moment": "2023-07-14 00:00:00"}
    # write_date / create_date are datetimes in the same format
    row = read1(client, models.main, rid, ["create_date", "write_date"])
    for v in row.values():
        assert isinstance(v, str) and len(v) == 19 and v[4] == "-" and v[10] == " " and v[13] == ":"


def test_dates_are_searchable(client: Client, models: Models) -> None:
    a = client.x(models.main, "create", {"x_date": "2024-01-10", "x_moment": "2024-01-10 08:00:00"})
    b = client.x(models.main, "create", {"x_date": "2024-03-10", "x_moment": "2024-03-10 23:00:00"})
    assert client.x(models.main, "search", [("x_date", ">", "2024-02-01")]) == [b]
    assert client.x(models.main, "search", [("x_moment", "<=", "2024-01-10")]) == [a]
    assert client.x(models.main, "search", [("x_date", "!=", False)], order="x_date desc") == [b, a]


def test_binary_is_base64_string(client: Client, models: Models) -> None:
    payload = bytes(range(256))
    b64 = base64.b64encode(payload).decode()
    rid = client.x(models.main, "create", {"x_data": b64})
    row = read1(client, models.main, rid, ["x_data"])
    assert row == {"x_data": b64} and isinstance(row["x_data"], str)
    assert base64.b64decode(row["x_data"]) == payload


def test_binary_accepts_xmlrpc_binary(client: Client, models: Models) -> None:
    rid = client.x(models.main, "create", {"x_data": xmlrpc.client.Binary(b"hello world")})
    assert read1(client, models.main, rid, ["x_data"]) == {"x_data": base64.b64encode(b"hello world").decode()}
    client.x(models.main, "write", [rid], {"x_data": xmlrpc.client.Binary(b"\x00\x01\xff")})
    assert read1(client, models.main, rid, ["x_data"]) == {"x_data": base64.b64encode(b"\x00\x01\xff").decode()}


def test_selection_value_outside_the_list_is_fault_1(client: Client, models: Models) -> None:
    f = fault(client.x, models.main, "create", {"x_name": "bad sel", "x_choice": "zzz"})
    assert f.faultCode == 1
    assert f"Wrong value for {models.main}.x_choice: 'zzz'" in f.faultString
    assert client.x(models.main, "search", [("x_name", "=", "bad sel")]) == []
    rid = client.x(models.main, "create", {"x_choice": "a"})
    f = fault(client.x, models.main, "write", [rid], {"x_choice": "A"})  # labels are not values
    assert f.faultCode == 1
    assert read1(client, models.main, rid, ["x_choice"]) == {"x_choice": "a"}


def test_many2one_accepts_id_and_rejects_missing_record(client: Client, models: Models) -> None:
    pid = client.x("res.partner", "create", {"name": f"M2O {uuid.uuid4().hex[:6]}"})
    rid = client.x(models.main, "create", {"x_partner_id": pid})
    assert client.x(models.main, "read", [rid], ["x_partner_id"], load="_classic_write") == [
        {"id": rid, "x_partner_id": pid}]
    f = fault(client.x, models.main, "write", [rid], {"x_partner_id": MISSING_ID})
    assert f.faultCode == 2
    assert f.faultString.startswith("The operation cannot be completed: another model requires the record")
    assert client.x(models.main, "read", [rid], ["x_partner_id"], load="_classic_write") == [
        {"id": rid, "x_partner_id": pid}]


def _raw_update(server: Server, table: str, rid: int, column: str, value: str) -> None:
    """Put a value no XML-RPC request can carry (control characters) straight into the database."""
    if server.backend == "sqlite":
        con = sqlite3.connect(server.data_dir / f"{server.db}.sqlite3")
        try:
            con.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE id = ?', (value, rid))
            con.commit()
        finally:
            con.close()
    else:
        import psycopg

        with psycopg.connect(pg_conninfo(server.db)) as pg:
            pg.execute(f'UPDATE "{table}" SET "{column}" = %s WHERE id = %s', (value, rid))


def test_control_characters_stripped_on_output(server: Server, client: Client, models: Models) -> None:
    rid = client.x(models.main, "create", {"x_name": "placeholder", "x_text": "placeholder"})
    # (CR is kept by the server too, but XML parsers turn a raw CR into LF, so it is not checked here)
    _raw_update(server, models.table, rid, "x_name", "a\x02b\x01c\x08d\x0be\x1ff")
    _raw_update(server, models.table, rid, "x_text", "keep\ttab\nnewline\x07bell\x0c")
    assert read1(client, models.main, rid, ["x_name", "x_text", "display_name"]) == {
        "x_name": "abcdef", "x_text": "keep\ttab\nnewlinebell", "display_name": "abcdef"}
    assert client.x(models.main, "name_get", [rid]) == [[rid, "abcdef"]]


# -- one2many commands ----------------------------------------------------------------------------

def lines_of(client: Client, models: Models, rid: int) -> list[str]:
    ids = read1(client, models.main, rid, ["x_line_ids"])["x_line_ids"]
    return [r["x_name"] for r in client.x(models.line, "read", ids, ["x_name"])]


def test_o2m_create_command_in_create(client: Client, models: Models) -> None:
    rid = client.x(models.main, "create", {"x_name": "p", "x_line_ids": [
        [0, 0, {"x_name": "l1"}], (0, 0, {"x_name": "l2"}), [0, False, {"x_name": "l3"}]]})
    line_ids = read1(client, models.main, rid, ["x_line_ids"])["x_line_ids"]
    assert len(line_ids) == 3
    rows = client.x(models.line, "read", line_ids, ["x_name", "x_parent_id"], load="_classic_write")
    assert sorted((r["x_name"], r["x_parent_id"]) for r in rows) == [("l1", rid), ("l2", rid), ("l3", rid)]


def test_o2m_update_delete_unlink_link(client: Client, models: Models) -> None:
    rid = client.x(models.main, "create", {"x_line_ids": [[0, 0, {"x_name": n}] for n in ("a", "b", "c", "d")]})
    ids = {client.x(models.line, "read", [i], ["x_name"])[0]["x_name"]: i
           for i in read1(client, models.main, rid, ["x_line_ids"])["x_line_ids"]}
    free = client.x(models.line, "create", {"x_name": "free"})
    assert client.x(models.main, "write", [rid], {"x_line_ids": [
        [1, ids["a"], {"x_name": "a2"}],   # UPDATE
        [2, ids["b"], 0],                  # DELETE: record gone
        [3, ids["c"], 0],                  # UNLINK: inverse is 'set null' → record kept, detached
        [4, free, 0],                      # LINK
    ]}) is True
    assert sorted(lines_of(client, models, rid)) == ["a2", "d", "free"]
    assert client.x(models.line, "exists", [ids["b"]]) == []
    assert client.x(models.line, "read", [ids["c"]], ["x_name", "x_parent_id"]) == [
        {"id": ids["c"], "x_name": "c", "x_parent_id": False}]


def test_o2m_clear_and_set(client: Client, models: Models) -> None:
    rid = client.x(models.main, "create", {"x_line_ids": [[0, 0, {"x_name": "a"}], [0, 0, {"x_name": "b"}]]})
    old = read1(client, models.main, rid, ["x_line_ids"])["x_line_ids"]
    client.x(models.main, "write", [rid], {"x_line_ids": [[5, 0, 0]]})
    assert read1(client, models.main, rid, ["x_line_ids"]) == {"x_line_ids": []}
    assert sorted(client.x(models.line, "exists", old)) == sorted(old)  # set null: lines survive
    x = client.x(models.line, "create", {"x_name": "x"})
    client.x(models.main, "write", [rid], {"x_line_ids": [[6, 0, [old[0], x]]]})
    assert sorted(read1(client, models.main, rid, ["x_line_ids"])["x_line_ids"]) == sorted([old[0], x])
    client.x(models.main, "write", [rid], {"x_line_ids": [[6, 0, []]]})
    assert read1(client, models.main, rid, ["x_line_ids"]) == {"x_line_ids": []}


def test_o2m_short_forms_and_plain_ids(client: Client, models: Models) -> None:
    a = client.x(models.line, "create", {"x_name": "a"})
    b = client.x(models.line, "create", {"x_name": "b"})
    rid = client.x(models.main, "create", {"x_line_ids": [a, b]})  # plain ids = SET
    assert sorted(read1(client, models.main, rid, ["x_line_ids"])["x_line_ids"]) == sorted([a, b])
    client.x(models.main, "write", [rid], {"x_line_ids": [[5]]})
    assert read1(client, models.main, rid, ["x_line_ids"]) == {"x_line_ids": []}
    client.x(models.main, "write", [rid], {"x_line_ids": [[4, a]]})
    assert read1(client, models.main, rid, ["x_line_ids"]) == {"x_line_ids": [a]}
    client.x(models.main, "write", [rid], {"x_line_ids": [b]})
    assert read1(client, models.main, rid, ["x_line_ids"]) == {"x_line_ids": [b]}
    client.x(models.main, "write", [rid], {"x_line_ids": False})  # False = CLEAR
    assert read1(client, models.main, rid, ["x_line_ids"]) == {"x_line_ids": []}
    client.x(models.main, "write", [rid], {"x_line_ids": [[4, a]]})
    client.x(models.main, "write", [rid], {"x_line_ids": []})  # empty list = no-op
    assert read1(client, models.main, rid, ["x_line_ids"]) == {"x_line_ids": [a]}


def test_o2m_unlink_with_cascade_inverse_deletes_the_line(client: Client) -> None:
    suffix = uuid.uuid4().hex[:8]
    main, line = f"x_casc_{suffix}", f"x_casc_line_{suffix}"
    mid = new_model(client, main, "Cascade")
    lid = new_model(client, line, "Cascade lines")
    new_field(client, lid, "x_name", "char")
    new_field(client, lid, "x_parent_id", "many2one", relation=main, on_delete="cascade")
    new_field(client, mid, "x_line_ids", "one2many", relation=line, relation_field="x_parent_id")
    rid = client.x(main, "create", {"x_line_ids": [[0, 0, {"x_name": n}] for n in "abc"]})
    a, b, c = sorted(client.x(main, "read", [rid], ["x_line_ids"])[0]["x_line_ids"])
    client.x(main, "write", [rid], {"x_line_ids": [[3, a, 0]]})
    assert client.x(line, "exists", [a, b, c]) == [b, c]
    client.x(main, "write", [rid], {"x_line_ids": [[5, 0, 0]]})
    assert client.x(line, "exists", [b, c]) == []
    # deleting the parent cascades to new lines too
    client.x(main, "write", [rid], {"x_line_ids": [[0, 0, {"x_name": "z"}]]})
    [z] = client.x(main, "read", [rid], ["x_line_ids"])[0]["x_line_ids"]
    client.x(main, "unlink", [rid])
    assert client.x(line, "exists", [z]) == []


# -- many2many commands ---------------------------------------------------------------------------

def tags_of(client: Client, models: Models, rid: int) -> list[int]:
    return sorted(read1(client, models.main, rid, ["x_tag_ids"])["x_tag_ids"])


def test_m2m_set_and_create_in_create(client: Client, models: Models) -> None:
    t1, t2 = tag(client, "t1"), tag(client, "t2")
    rid = client.x(models.main, "create", {"x_tag_ids": [[6, 0, [t1, t2]], [0, 0, {"name": f"new {t1}"}]]})
    got = tags_of(client, models, rid)
    assert len(got) == 3 and {t1, t2} <= set(got)
    [new] = [t for t in got if t not in (t1, t2)]
    assert client.x("res.partner.category", "read", [new], ["name"]) == [{"id": new, "name": f"new {t1}"}]


def test_m2m_update_delete_unlink_link(client: Client, models: Models) -> None:
    t1, t2, t3, t4 = (tag(client, f"u{i}") for i in range(4))
    rid = client.x(models.main, "create", {"x_tag_ids": [[6, 0, [t1, t2, t3]]]})
    assert client.x(models.main, "write", [rid], {"x_tag_ids": [
        [1, t1, {"name": f"renamed {t1}"}],  # UPDATE
        [2, t2, 0],                          # DELETE: the tag itself is deleted
        [3, t3, 0],                          # UNLINK: link removed, tag kept
        [4, t4, 0],                          # LINK
        [4, t4, 0],                          # linking twice is harmless
    ]}) is True
    assert tags_of(client, models, rid) == sorted([t1, t4])
    assert client.x("res.partner.category", "read", [t1], ["name"]) == [{"id": t1, "name": f"renamed {t1}"}]
    assert client.x("res.partner.category", "exists", [t2, t3]) == [t3]


def test_m2m_clear_set_short_forms_and_plain_ids(client: Client, models: Models) -> None:
    t1, t2, t3 = (tag(client, f"s{i}") for i in range(3))
    rid = client.x(models.main, "create", {"x_tag_ids": [t1, t2]})  # plain ids = SET
    assert tags_of(client, models, rid) == sorted([t1, t2])
    client.x(models.main, "write", [rid], {"x_tag_ids": [[5]]})
    assert tags_of(client, models, rid) == []
    assert client.x("res.partner.category", "exists", [t1, t2]) == [t1, t2]  # CLEAR keeps the tags
    client.x(models.main, "write", [rid], {"x_tag_ids": [[4, t3]]})
    assert tags_of(client, models, rid) == [t3]
    client.x(models.main, "write", [rid], {"x_tag_ids": [[6, 0, [t1, t2]]]})
    assert tags_of(client, models, rid) == sorted([t1, t2])
    client.x(models.main, "write", [rid], {"x_tag_ids": [t3]})
    assert tags_of(client, models, rid) == [t3]
    client.x(models.main, "write", [rid], {"x_tag_ids": False})
    assert tags_of(client, models, rid) == []
    client.x(models.main, "write", [rid], {"x_tag_ids": [[4, t1], [5, 0, 0], [4, t2]]})  # in order
    assert tags_of(client, models, rid) == [t2]


def test_m2m_is_searchable_both_ways(client: Client, models: Models) -> None:
    t1, t2 = tag(client, "q1"), tag(client, "q2")
    a = client.x(models.main, "create", {"x_tag_ids": [[6, 0, [t1]]]})
    b = client.x(models.main, "create", {"x_tag_ids": [[6, 0, [t1, t2]]]})
    c = client.x(models.main, "create", {})
    assert client.x(models.main, "search", [("x_tag_ids", "in", [t1])]) == [a, b]
    assert client.x(models.main, "search", [("x_tag_ids", "in", [t2])]) == [b]
    assert client.x(models.main, "search", [("x_tag_ids", "=", False), ("id", "in", [a, b, c])]) == [c]


# -- invalid commands -----------------------------------------------------------------------------

INVALID_X2MANY = {
    "int": 5,
    "string": "abc",
    "unknown-code": [[9, 0, 0]],
    "create-without-vals": [[0, 0, "not a dict"]],
    "set-without-list": [[6, 0, "x"]],
    "link-bad-id": [[4, "x", 0]],
    "code-not-int": [["a", 1, 2]],
}


def test_invalid_x2many_values_are_faults(client: Client, models: Models) -> None:
    marker = f"bad {uuid.uuid4().hex[:8]}"
    accepted = []
    for label, value in INVALID_X2MANY.items():
        for fname in ("x_tag_ids", "x_line_ids"):
            try:
                client.x(models.main, "create", {"x_name": marker, fname: value})
            except xmlrpc.client.Fault as f:
                assert f.faultCode == 1, (label, fname, f.faultString)
                assert f.faultString.strip().splitlines()[-1].startswith("ValueError: "), (label, fname)
            else:
                accepted.append((label, fname))
    assert accepted == []
    assert client.x(models.main, "search", [("x_name", "=", marker)]) == []


def test_non_list_x2many_value_is_wrong_value_fault_1(client: Client, models: Models) -> None:
    rid = client.x(models.main, "create", {})
    f = fault(client.x, models.main, "write", [rid], {"x_tag_ids": 5})
    assert f.faultCode == 1
    assert f"Wrong value for {models.main}.x_tag_ids: 5" in f.faultString


def test_link_to_missing_record_is_fault(client: Client, models: Models) -> None:
    t1 = tag(client, "keep")
    rid = client.x(models.main, "create", {"x_tag_ids": [[6, 0, [t1]]]})
    f = fault(client.x, models.main, "write", [rid], {"x_tag_ids": [[5], [4, MISSING_ID]]})
    assert (f.faultCode, f.faultString) == (2, "Record does not exist or has been deleted.\n"
                                               f"(Record: res.partner.category({MISSING_ID},), User: 2)")
    assert tags_of(client, models, rid) == [t1]  # the CLEAR before it was rolled back
    f = fault(client.x, models.main, "write", [rid], {"x_line_ids": [[1, MISSING_ID, {"x_name": "x"}]]})
    assert f.faultCode == 2
