"""The one enforcement point, checked in-process: the ORM methods that check access rights and
record rules are final, so no model can replace them and skip the checks."""
from __future__ import annotations

from typing import Any

import pytest

import odoorpc_server.models  # noqa: F401  (registers the model classes)
from odoorpc_server.orm import api, classes
from odoorpc_server.orm.models import FINAL_METHODS, BaseModel
from odoorpc_server.versions import VERSIONS, profile


@pytest.mark.parametrize("name", sorted(FINAL_METHODS))
def test_a_model_cannot_replace_a_checked_method(name: str) -> None:
    def replacement(self: Any, *args: Any, **kwargs: Any) -> Any:
        return True

    with pytest.raises(TypeError, match=f"may not override {name}: access checks live there"):
        type("Sneaky", (BaseModel,), {name: replacement})


def test_every_generic_public_method_is_final() -> None:
    assert set(api.exposed(BaseModel)) <= FINAL_METHODS


# the RPC methods a model adds to the generic ones: Odoo's own methods of these models
EXTRA_METHODS = {
    "res.users": {"change_password", "context_get", "api_key_wizard"},
    "res.users.apikeys.description": {"make_key"},
    "res.users.identitycheck": {"run_check"},
    "ir.model.data": {"check_object_reference", "xmlid_to_res_model_res_id"},
    "ir.model.access": {"check"},
    "res.lang": {"get_installed", "get_available"},
    "ir.module.module": {"button_immediate_install", "button_install", "button_immediate_upgrade",
                         "button_upgrade", "button_immediate_uninstall", "button_uninstall", "update_list"},
}


def every_version(cls: type) -> set[str]:
    """The RPC methods of `cls` under any version profile."""
    return set().union(*(api.exposed(cls, profile(v)) for v in VERSIONS))


def test_model_classes_only_add_methods() -> None:
    """Per-model classes exist and add methods of their own (hooks, the extra RPC methods listed
    above) only."""
    assert {"res.partner", "res.users", "res.company", "ir.model", "ir.model.fields"} <= set(classes.registered())
    for name, cls in classes.registered().items():
        extra = every_version(cls) - every_version(BaseModel)
        assert extra == EXTRA_METHODS.get(name, set()), name
