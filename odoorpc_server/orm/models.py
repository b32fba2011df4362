"""The generic model class: every ORM method callable over RPC, for every model of the registry.

Models are data (registry rows); the models with behaviour of their own (contacts, users, the
model and field metadata, ...) subclass `BaseModel` in the `odoorpc_server.models` package, one
module per Odoo model, and only implement hooks. The methods themselves are grouped by what they
do: orm.records (the checks), orm.reading, orm.searching, orm.writing.
"""
from __future__ import annotations

from typing import Any

from odoorpc_server.orm import classes
from odoorpc_server.orm.records import check_bound, normalize_ids
from odoorpc_server.orm.web_read import WebReading

# The one enforcement point: these methods check access rights and record rules, then call the
# per-model hooks. A model class may not define them (see BaseModel.__init_subclass__).
FINAL_METHODS = frozenset({
    "create", "read", "write", "unlink", "copy", "search", "search_count", "search_read", "read_group",
    "name_search", "name_get", "name_create", "default_get", "exists", "fields_get", "get_metadata",
    "export_data", "check_access_rights", "check_access_rule", "check_access", "has_access", "action_archive",
    "action_unarchive",
    "toggle_active", "_create_one", "_write_checked", "_check_access", "_check_rules", "_check_exist",
    "_split_vals", "_search_ids", "_check_rule_domain", "_field_names", "_read", "public_method",
    "web_search_read", "web_read",
    # the variants of methods whose signature differs between Odoo versions (orm.api)
    "_search_counting", "_search_count_uncapped", "_count", "_name_search_by_domain", "_name_matches",
    "_default_get_fields", "_default_values", "_web_search_read_fields", "_web_read_spec", "_web_page",
    "_web_comodel", "_web_comodel_checked", "_web_many2one", "_web_x2many",
})


@classes.register(classes.GENERIC)
class BaseModel(WebReading):
    """Generic ORM methods; `env` and `model` say on what and for whom they run.

    Public methods are final: each checks the access rights and record rules of its operation and
    then calls hooks (`_prepare_create`, `_after_insert`, `_prepare_write`, `_after_write`,
    `_constraints`, `_before_unlink`, `_drop_storage`, `_after_unlink`, `_before_copy`,
    `_copy_defaults`, `_name_create_vals`, `_secret_value`) that models override for their own
    behaviour. No override can skip a check, because no model can replace the methods doing them.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        overridden = sorted(FINAL_METHODS & set(vars(cls)))
        if overridden:
            raise TypeError(f"{cls.__name__} may not override {', '.join(overridden)}: "
                            "access checks live there; implement a hook instead")


def model_class(name: str) -> type[BaseModel]:
    """The class holding the behaviour of model `name` (registered by `odoorpc_server.models`)."""
    cls: type[BaseModel] = classes.lookup(name)
    return cls


__all__ = ["BaseModel", "check_bound", "model_class", "normalize_ids"]
