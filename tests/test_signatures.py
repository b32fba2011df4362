"""In-process checks of data/signatures.json, the Odoo 19 parameter names JSON-2 binds by: every
entry fits the Python method it names (same number of parameters, in order), for every model
class and version profile, and binding maps Odoo 19's names onto ours."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import odoorpc_server.services.app  # noqa: F401  (registers the per-model classes)
from odoorpc_server.orm import api, classes
from odoorpc_server.services import signatures
from odoorpc_server.versions import VERSIONS, profile

TABLE = json.loads((Path(signatures.__file__).resolve().parents[1] / "data" / "signatures.json").read_text())


@pytest.mark.parametrize("version", VERSIONS)
def test_every_entry_fits_its_python_method_in_every_class(version: str) -> None:
    for cls in classes.registered().values():
        for name, method in signatures.methods(cls, profile(version)).items():  # raises on a mismatch
            assert method.name == name
            assert [p.name for p in method.params if p.name in ("ids", "self")] == []


def test_every_entry_names_a_generic_method_or_one_a_version_row_gates() -> None:
    generic = api.exposed(classes.lookup(classes.GENERIC))
    missing = {name for name in TABLE["methods"] if name not in generic}
    assert missing == {name for name in missing if TABLE["methods"][name].get("row")}


def test_odoo_19_names() -> None:
    """The names Odoo 19's methods have (what odooly's own fallback table lists too)."""
    methods = signatures.methods(classes.lookup("res.partner"), profile("19.0"))
    names = {name: [p.name for p in m.params] for name, m in methods.items()}
    assert names["create"] == ["vals_list"] and names["write"] == ["vals"] and names["unlink"] == []
    assert names["read"] == ["fields", "load"] and names["copy"] == ["default"]
    assert names["search"] == ["domain", "offset", "limit", "order"]
    assert names["search_count"] == ["domain", "limit"]
    assert names["search_read"] == ["domain", "fields", "offset", "limit", "order", "read_kwargs"]
    assert names["name_search"] == ["name", "domain", "operator", "limit"]
    assert names["default_get"] == ["fields"]
    assert "name_get" not in names
    assert "name_get" in signatures.methods(classes.lookup("res.partner"), profile("17.0"))


def test_binding_maps_odoo_19_names_to_the_python_ones() -> None:
    cls = classes.lookup("res.partner")
    name_search = signatures.method(cls, "name_search", profile("19.0"))
    assert name_search is not None
    assert name_search.bind({"name": "a", "domain": [["id", "=", 1]]}) == {"name": "a", "args": [["id", "=", 1]]}
    search_read = signatures.method(cls, "search_read", profile("19.0"))
    assert search_read is not None
    assert search_read.bind({"domain": [], "load": None}) == {"domain": [], "load": None}
    with pytest.raises(TypeError, match="^missing a required argument: 'vals_list'$"):
        create = signatures.method(cls, "create", profile("19.0"))
        assert create is not None
        create.bind({})
    with pytest.raises(TypeError, match="^got an unexpected keyword argument 'args'$"):
        name_search.bind({"args": []})
