"""Custom models and fields created over RPC through ir.model / ir.model.fields.

Pins Odoo 17's ir.model / ir.model.fields behaviour: naming rules and the texts of their
constraints, many2many default table and column names, what unlink drops, name_create building an
`x_` model, and the display_name of custom models. Every test uses its own `x_` names (uuid
suffix).
"""
from __future__ import annotations

import uuid
import xmlrpc.client
from typing import Any

import pytest

from conftest import Client

SUPPORTED = ["char", "text", "html", "integer", "float", "monetary", "boolean", "date", "datetime", "selection",
             "many2one", "one2many", "many2many", "binary"]


def sfx() -> str:
    return uuid.uuid4().hex[:8]


def fault(call: Any, *args: Any, **kwargs: Any) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as info:
        call(*args, **kwargs)
    return info.value


def new_model(client: Client, model: str, label: str = "Custom") -> int:
    mid = client.x("ir.model", "create", {"name": label, "model": model, "state": "manual"})
    assert type(mid) is int
    return mid


def new_field(client: Client, mid: int, name: str, ttype: str, **extra: Any) -> int:
    fid = client.x("ir.model.fields", "create", {"model_id": mid, "name": name, "ttype": ttype, "state": "manual",
                                                 **extra})
    assert type(fid) is int
    return fid


def model_exists(client: Client, model: str) -> bool:
    return bool(client.x("ir.model", "search", [("model", "=", model)]))


MAGIC = {"id", "display_name", "create_uid", "create_date", "write_uid", "write_date"}


# -- ir.model -------------------------------------------------------------------------------------

def test_model_is_usable_at_once(client: Client) -> None:
    model = f"x_usable_{sfx()}"
    mid = new_model(client, model, "Usable")
    [row] = client.x("ir.model", "read", [mid], ["model", "name", "state", "transient"])
    assert row == {"id": mid, "model": model, "name": "Usable", "state": "manual", "transient": False}
    assert set(client.x(model, "fields_get", [], ["type"])) == MAGIC
    assert client.x(model, "search", []) == []
    rid = client.x(model, "create", {})
    assert type(rid) is int
    assert client.x(model, "search", []) == [rid]
    assert client.x(model, "read", [rid], ["display_name"]) == [{"id": rid, "display_name": f"{model},{rid}"}]
    assert client.x(model, "unlink", [rid]) is True
    assert client.x(model, "search_count", []) == 0


def test_model_name_must_start_with_x(client: Client) -> None:
    name = f"custom_{sfx()}"
    f = fault(client.x, "ir.model", "create", {"name": "Bad", "model": name, "state": "manual"})
    assert f.faultCode == 2
    assert f.faultString == "The model name must start with 'x_'."
    assert not model_exists(client, name)
    # state defaults to manual
    f = fault(client.x, "ir.model", "create", {"name": "Bad", "model": name})
    assert (f.faultCode, f.faultString) == (2, "The model name must start with 'x_'.")
    assert not model_exists(client, name)


def test_model_name_characters(client: Client) -> None:
    name = f"x_Bad-Name_{sfx()}"
    f = fault(client.x, "ir.model", "create", {"name": "Bad", "model": name, "state": "manual"})
    assert f.faultCode == 2
    assert f.faultString == "The model name can only contain lowercase characters, digits, underscores and dots."
    assert not model_exists(client, name)


def test_duplicate_model_is_refused(client: Client) -> None:
    model = f"x_dup_{sfx()}"
    mid = new_model(client, model, "First")
    f = fault(client.x, "ir.model", "create", {"name": "Second", "model": model, "state": "manual"})
    assert f.faultCode == 2
    assert "Each model must have a unique name." in f.faultString
    assert client.x("ir.model", "search", [("model", "=", model)]) == [mid]
    assert client.x("ir.model", "read", [mid], ["name"]) == [{"id": mid, "name": "First"}]


def test_dotted_model_name(client: Client) -> None:
    s = sfx()
    model = f"x_lib_{s}.book"
    new_model(client, model, "Books")
    rid = client.x(model, "create", {})
    assert client.x(model, "search", []) == [rid]


def test_model_field_cannot_be_renamed(client: Client) -> None:
    model = f"x_ren_{sfx()}"
    mid = new_model(client, model)
    f = fault(client.x, "ir.model", "write", [mid], {"model": model + "_2"})
    assert (f.faultCode, f.faultString) == (2, 'Field "Model" cannot be modified on models.')
    assert client.x("ir.model", "write", [mid], {"name": "Renamed label"}) is True
    assert client.x("ir.model", "read", [mid], ["model", "name"]) == [{"id": mid, "model": model,
                                                                        "name": "Renamed label"}]


def test_name_create_builds_x_model(client: Client) -> None:
    s = sfx()
    label = f"My Model {s}"
    result = client.x("ir.model", "name_create", label)
    assert isinstance(result, list) and len(result) == 2
    mid, display = result
    assert type(mid) is int and display == label
    assert client.x("ir.model", "read", [mid], ["model", "name", "state"]) == [
        {"id": mid, "model": f"x_my_model_{s}", "name": label, "state": "manual"}]
    assert client.x(f"x_my_model_{s}", "search", []) == []


def test_unlink_model_drops_it(client: Client) -> None:
    model = f"x_drop_{sfx()}"
    mid = new_model(client, model)
    new_field(client, mid, "x_name", "char")
    client.x(model, "create", {"x_name": "gone soon"})
    assert client.x("ir.model", "unlink", [mid]) is True
    f = fault(client.x, model, "search", [])
    assert (f.faultCode, f.faultString) == (2, f"Object {model} doesn't exist")
    assert client.x("ir.model", "search", [("model", "=", model)]) == []
    assert client.x("ir.model.fields", "search", [("model", "=", model)]) == []
    # the table went with it: the same name starts empty again
    new_model(client, model)
    assert client.x(model, "search_count", []) == 0
    assert set(client.x(model, "fields_get", [], ["type"])) == MAGIC


def test_unlink_model_drops_fields_pointing_to_it(client: Client) -> None:
    s = sfx()
    target, holder = f"x_target_{s}", f"x_holder_{s}"
    tid = new_model(client, target)
    hid = new_model(client, holder)
    new_field(client, hid, "x_target_id", "many2one", relation=target)
    new_field(client, hid, "x_name", "char")
    client.x(holder, "create", {"x_name": "keep me"})
    assert client.x("ir.model", "unlink", [tid]) is True
    assert "x_target_id" not in client.x(holder, "fields_get", [], ["type"])
    assert [r["x_name"] for r in client.x(holder, "search_read", [], ["x_name"])] == ["keep me"]
    assert hid in client.x("ir.model", "search", [("model", "=", holder)])


# -- ir.model.fields ------------------------------------------------------------------------------

def test_every_supported_field_type(client: Client) -> None:
    s = sfx()
    model, line = f"x_all_{s}", f"x_all_line_{s}"
    mid = new_model(client, model)
    lid = new_model(client, line)
    new_field(client, lid, "x_owner_id", "many2one", relation=model)
    extra: dict[str, dict[str, Any]] = {
        "selection": {"selection": "[('one', 'One'), ('two', 'Two')]"},
        "many2one": {"relation": "res.partner"},
        "one2many": {"relation": line, "relation_field": "x_owner_id"},
        "many2many": {"relation": "res.partner.category"},
    }
    for ttype in SUPPORTED:
        new_field(client, mid, f"x_f_{ttype}", ttype, **extra.get(ttype, {}))
    got = client.x(model, "fields_get", [], ["type", "manual", "relation"])
    for ttype in SUPPORTED:
        desc = got[f"x_f_{ttype}"]
        assert desc["type"] == ttype and desc["manual"] is True
    assert got["x_f_many2one"]["relation"] == "res.partner"
    assert got["x_f_one2many"]["relation"] == line
    assert got["x_f_many2many"]["relation"] == "res.partner.category"
    rows = client.x("ir.model.fields", "search_read", [("model", "=", model), ("name", "like", "x_f_")],
                    ["name", "ttype", "state", "model_id", "model"])
    assert {r["name"]: r["ttype"] for r in rows} == {f"x_f_{t}": t for t in SUPPORTED}
    assert all(r["state"] == "manual" and r["model"] == model and r["model_id"][0] == mid for r in rows)
    # and a record can be created and read with all of them
    rid = client.x(model, "create", {"x_f_char": "c", "x_f_integer": 7, "x_f_selection": "two"})
    [rec] = client.x(model, "read", [rid], ["x_f_char", "x_f_integer", "x_f_selection", "x_f_one2many"])
    assert rec == {"id": rid, "x_f_char": "c", "x_f_integer": 7, "x_f_selection": "two", "x_f_one2many": []}


def test_unknown_field_type_is_refused(client: Client) -> None:
    mid = new_model(client, f"x_badtype_{sfx()}")
    f = fault(client.x, "ir.model.fields", "create", {"model_id": mid, "name": "x_f", "ttype": "nonsense"})
    assert f.faultCode == 1
    assert "Wrong value for ir.model.fields.ttype: 'nonsense'" in f.faultString


def test_field_name_must_start_with_x(client: Client) -> None:
    model = f"x_prefix_{sfx()}"
    mid = new_model(client, model)
    f = fault(client.x, "ir.model.fields", "create", {"model_id": mid, "name": "foo", "ttype": "char",
                                                      "state": "manual"})
    assert f.faultCode == 2
    assert f.faultString == "The operation cannot be completed: Custom fields must have a name that starts with 'x_'!"
    assert "foo" not in client.x(model, "fields_get", [], ["type"])
    # the same rule on a base model
    [pmid] = client.x("ir.model", "search", [("model", "=", "res.partner")])
    f = fault(client.x, "ir.model.fields", "create", {"model_id": pmid, "name": "nickname", "ttype": "char"})
    assert f.faultCode == 2 and "Custom fields must have a name that starts with 'x_'!" in f.faultString


def test_field_name_characters(client: Client) -> None:
    mid = new_model(client, f"x_fname_{sfx()}")
    f = fault(client.x, "ir.model.fields", "create", {"model_id": mid, "name": "x_Bad Name", "ttype": "char"})
    assert f.faultCode == 2
    assert f.faultString == "Field names can only contain characters, digits and underscores (up to 63)."


def test_duplicate_field_is_refused(client: Client) -> None:
    model = f"x_dupf_{sfx()}"
    mid = new_model(client, model)
    fid = new_field(client, mid, "x_code", "char")
    f = fault(client.x, "ir.model.fields", "create", {"model_id": mid, "name": "x_code", "ttype": "integer"})
    assert f.faultCode == 2
    assert "Field names must be unique per model." in f.faultString
    assert client.x("ir.model.fields", "search", [("model", "=", model), ("name", "=", "x_code")]) == [fid]
    assert client.x(model, "fields_get", ["x_code"], ["type"]) == {"x_code": {"type": "char"}}


def test_field_can_be_added_to_base_model(client: Client) -> None:
    name = f"x_nick_{sfx()}"
    [pmid] = client.x("ir.model", "search", [("model", "=", "res.partner")])
    fid = new_field(client, pmid, name, "char", field_description="Nickname")
    pid = client.x("res.partner", "create", {"name": f"Nick {name}", name: "Bob"})
    assert client.x("res.partner", "read", [pid], [name]) == [{"id": pid, name: "Bob"}]
    assert client.x("res.partner", "search", [(name, "=", "Bob")]) == [pid]
    assert client.x("ir.model.fields", "unlink", [fid]) is True
    assert name not in client.x("res.partner", "fields_get", [], ["type"])


def test_one2many_requires_relation_field(client: Client) -> None:
    s = sfx()
    model, line = f"x_o2m_{s}", f"x_o2m_line_{s}"
    mid = new_model(client, model)
    lid = new_model(client, line)
    new_field(client, lid, "x_char", "char")
    f = fault(client.x, "ir.model.fields", "create", {"model_id": mid, "name": "x_line_ids", "ttype": "one2many",
                                                      "relation": line, "relation_field": "x_nope"})
    assert f.faultCode == 2
    assert f.faultString == f"Many2one x_nope on model {line} does not exist!"
    # a field that exists but is not a many2one does not do either
    f = fault(client.x, "ir.model.fields", "create", {"model_id": mid, "name": "x_line_ids", "ttype": "one2many",
                                                      "relation": line, "relation_field": "x_char"})
    assert (f.faultCode, f.faultString) == (2, f"Many2one x_char on model {line} does not exist!")
    f = fault(client.x, "ir.model.fields", "create", {"model_id": mid, "name": "x_line_ids", "ttype": "one2many",
                                                      "relation": line})
    assert (f.faultCode, f.faultString) == (2, f"Many2one False on model {line} does not exist!")
    assert "x_line_ids" not in client.x(model, "fields_get", [], ["type"])
    new_field(client, lid, "x_parent_id", "many2one", relation=model)
    new_field(client, mid, "x_line_ids", "one2many", relation=line, relation_field="x_parent_id")
    got = client.x(model, "fields_get", ["x_line_ids"], ["type", "relation", "relation_field"])
    assert got == {"x_line_ids": {"type": "one2many", "relation": line, "relation_field": "x_parent_id"}}


def test_relational_field_to_unknown_model_is_refused(client: Client) -> None:
    model = f"x_rel_{sfx()}"
    mid = new_model(client, model)
    for ttype in ("many2one", "many2many"):
        f = fault(client.x, "ir.model.fields", "create", {"model_id": mid, "name": "x_thing", "ttype": ttype,
                                                          "relation": "x_nope_model"})
        assert f.faultCode == 2 and "x_nope_model" in f.faultString
    assert "x_thing" not in client.x(model, "fields_get", [], ["type"])


def test_required_many2one_with_set_null_is_refused(client: Client) -> None:
    mid = new_model(client, f"x_req_{sfx()}")
    f = fault(client.x, "ir.model.fields", "create", {"model_id": mid, "name": "x_partner_id", "ttype": "many2one",
                                                      "relation": "res.partner", "required": True,
                                                      "on_delete": "set null"})
    assert f.faultCode == 2
    assert f.faultString == ("The m2o field x_partner_id is required but declares its ondelete policy as being "
                             "'set null'. Only 'restrict' and 'cascade' make sense.")


def test_many2many_default_relation_names(client: Client) -> None:
    s = sfx()
    model = f"x_m2m_{s}"
    mid = new_model(client, model)
    fid = new_field(client, mid, "x_tag_ids", "many2many", relation="res.partner.category")
    [row] = client.x("ir.model.fields", "read", [fid], ["relation_table", "column1", "column2", "relation"])
    # the two table names sorted: res_partner_category < x_m2m_...
    assert row == {"id": fid, "relation": "res.partner.category",
                   "relation_table": f"x_res_partner_category_x_m2m_{s}_rel",
                   "column1": f"x_m2m_{s}_id", "column2": "res_partner_category_id"}


def test_many2many_default_names_between_custom_models(client: Client) -> None:
    s = sfx()
    zz, aa = f"x_zz_{s}", f"x_aa_{s}"
    zid = new_model(client, zz)
    new_model(client, aa)
    fid = new_field(client, zid, "x_aa_ids", "many2many", relation=aa)
    [row] = client.x("ir.model.fields", "read", [fid], ["relation_table", "column1", "column2"])
    assert row == {"id": fid, "relation_table": f"x_x_aa_{s}_x_zz_{s}_rel",
                   "column1": f"x_zz_{s}_id", "column2": f"x_aa_{s}_id"}
    a1 = client.x(aa, "create", {})
    z = client.x(zz, "create", {"x_aa_ids": [[6, 0, [a1]]]})
    assert client.x(zz, "read", [z], ["x_aa_ids"]) == [{"id": z, "x_aa_ids": [a1]}]


def test_many2many_self_relation_columns(client: Client) -> None:
    s = sfx()
    model = f"x_self_{s}"
    mid = new_model(client, model)
    fid = new_field(client, mid, "x_peer_ids", "many2many", relation=model)
    [row] = client.x("ir.model.fields", "read", [fid], ["relation_table", "column1", "column2"])
    assert row == {"id": fid, "relation_table": f"x_x_self_{s}_x_self_{s}_rel", "column1": "id1", "column2": "id2"}
    a = client.x(model, "create", {})
    b = client.x(model, "create", {"x_peer_ids": [[4, a]]})
    assert client.x(model, "read", [b, a], ["x_peer_ids"]) == [{"id": b, "x_peer_ids": [a]},
                                                               {"id": a, "x_peer_ids": []}]


def test_many2many_explicit_relation_names_are_kept(client: Client) -> None:
    s = sfx()
    model = f"x_expl_{s}"
    mid = new_model(client, model)
    fid = new_field(client, mid, "x_tag_ids", "many2many", relation="res.partner.category",
                    relation_table=f"x_my_rel_{s}", column1="x_left", column2="x_right")
    [row] = client.x("ir.model.fields", "read", [fid], ["relation_table", "column1", "column2"])
    assert row == {"id": fid, "relation_table": f"x_my_rel_{s}", "column1": "x_left", "column2": "x_right"}
    t = client.x("res.partner.category", "create", {"name": f"Expl {s}"})
    r = client.x(model, "create", {"x_tag_ids": [[6, 0, [t]]]})
    assert client.x(model, "read", [r], ["x_tag_ids"]) == [{"id": r, "x_tag_ids": [t]}]


def test_unlink_field_drops_it(client: Client) -> None:
    model = f"x_dropf_{sfx()}"
    mid = new_model(client, model)
    fid = new_field(client, mid, "x_code", "char")
    keep = new_field(client, mid, "x_name", "char")
    rid = client.x(model, "create", {"x_code": "abc", "x_name": "n"})
    assert client.x("ir.model.fields", "unlink", [fid]) is True
    fields = client.x(model, "fields_get", [], ["type"])
    assert "x_code" not in fields and "x_name" in fields
    f = fault(client.x, model, "read", [rid], ["x_code"])
    assert f.faultCode == 1 and f"Invalid field 'x_code' on model '{model}'" in f.faultString
    f = fault(client.x, model, "search", [("x_code", "=", "abc")])
    assert f.faultCode == 1
    assert client.x(model, "read", [rid], ["x_name"]) == [{"id": rid, "x_name": "n"}]
    assert client.x("ir.model.fields", "search", [("model", "=", model), ("name", "=", "x_code")]) == []
    assert client.x("ir.model.fields", "exists", [fid, keep]) == [keep]
    # the column is gone: a field of the same name but another type starts empty
    new_field(client, mid, "x_code", "integer")
    assert client.x(model, "read", [rid], ["x_code"]) == [{"id": rid, "x_code": 0}]


def test_unlink_many2many_field_drops_relation(client: Client) -> None:
    s = sfx()
    model = f"x_dropm_{s}"
    mid = new_model(client, model)
    fid = new_field(client, mid, "x_tag_ids", "many2many", relation="res.partner.category")
    t = client.x("res.partner.category", "create", {"name": f"Drop {s}"})
    rid = client.x(model, "create", {"x_tag_ids": [[4, t]]})
    assert client.x("ir.model.fields", "unlink", [fid]) is True
    assert "x_tag_ids" not in client.x(model, "fields_get", [], ["type"])
    new_field(client, mid, "x_tag_ids", "many2many", relation="res.partner.category")
    assert client.x(model, "read", [rid], ["x_tag_ids"]) == [{"id": rid, "x_tag_ids": []}]
    assert client.x("res.partner.category", "exists", [t]) == [t]


# -- metadata is searchable and readable ----------------------------------------------------------

def test_ir_model_search_and_read(client: Client) -> None:
    ids = client.x("ir.model", "search", [("model", "=", "res.partner")])
    assert len(ids) == 1
    [row] = client.x("ir.model", "read", ids, ["model", "name", "state", "field_id"])
    assert row["model"] == "res.partner" and row["name"] == "Contact" and row["state"] == "base"
    field_ids = client.x("ir.model.fields", "search", [("model_id", "=", ids[0])])
    assert sorted(row["field_id"]) == sorted(field_ids)
    [name_field] = client.x("ir.model.fields", "search_read", [("model", "=", "res.partner"), ("name", "=", "name")],
                            ["ttype", "field_description", "model_id", "state"])
    assert name_field["id"] in row["field_id"]
    assert name_field["ttype"] == "char" and name_field["field_description"] == "Name"
    assert name_field["model_id"] == [ids[0], "Contact"] and name_field["state"] == "base"
    names = {r["name"] for r in client.x("ir.model.fields", "read", row["field_id"], ["name"])}
    assert names == set(client.x("res.partner", "fields_get", [], ["type"]))


def test_custom_model_appears_in_metadata(client: Client) -> None:
    s = sfx()
    model = f"x_meta_{s}"
    mid = new_model(client, model, f"Meta {s}")
    fid = new_field(client, mid, "x_size", "integer", field_description="Size")
    assert client.x("ir.model", "search", [("model", "like", f"x_meta_{s}")]) == [mid]
    assert client.x("ir.model", "name_search", f"Meta {s}") == [[mid, f"Meta {s}"]]
    assert client.x("ir.model", "name_search", model) == [[mid, f"Meta {s}"]]  # _rec_names_search: name, model
    [row] = client.x("ir.model.fields", "read", [fid], ["name", "model", "ttype", "field_description", "state"])
    assert row == {"id": fid, "name": "x_size", "model": model, "ttype": "integer", "field_description": "Size",
                   "state": "manual"}
    field_names = {r["name"] for r in client.x("ir.model.fields", "search_read", [("model_id", "=", mid)], ["name"])}
    assert field_names == MAGIC | {"x_size"}


# -- display name ---------------------------------------------------------------------------------

def test_display_name_of_custom_model_is_x_name(client: Client) -> None:
    model = f"x_disp_{sfx()}"
    mid = new_model(client, model)
    new_field(client, mid, "x_name", "char")
    new_field(client, mid, "x_other", "char")
    a = client.x(model, "create", {"x_name": "Alpha", "x_other": "zzz"})
    b = client.x(model, "create", {"x_name": "Beta"})
    assert client.x(model, "read", [a, b], ["display_name"]) == [{"id": a, "display_name": "Alpha"},
                                                                 {"id": b, "display_name": "Beta"}]
    assert client.x(model, "name_get", [a]) == [[a, "Alpha"]]
    assert client.x(model, "name_search", "alp") == [[a, "Alpha"]]
    assert client.x(model, "name_create", "Gamma")[1] == "Gamma"
    other = f"x_disp2_{sfx()}"
    ref = new_model(client, other)
    new_field(client, ref, "x_link_id", "many2one", relation=model)
    r = client.x(other, "create", {"x_link_id": b})
    assert client.x(other, "read", [r], ["x_link_id"]) == [{"id": r, "x_link_id": [b, "Beta"]}]


def test_model_without_x_name_has_no_rec_name(client: Client) -> None:
    model = f"x_noname_{sfx()}"
    new_model(client, model)
    rid = client.x(model, "create", {})
    assert client.x(model, "name_get", [rid]) == [[rid, f"{model},{rid}"]]
    assert client.x(model, "name_create", "whatever") is False
