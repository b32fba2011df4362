"""Field metadata, column types per field type, and Odoo's value conversions.

Each conversion mirrors what Odoo's field classes do to a value on the way in (write values
to column values) and on the way out (column values to read values).
"""
from __future__ import annotations

import ast
import base64
import datetime as dt
import math
import xmlrpc.client
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import ValidationError
from odoorpc_server.storage import types
from odoorpc_server.versions import Profile, profile

RELATIONAL = frozenset({"many2one", "one2many", "many2many"})
X2MANY = frozenset({"one2many", "many2many"})
TTYPES = ("binary", "boolean", "char", "date", "datetime", "float", "html", "integer", "json",
          "many2many", "many2one", "many2one_reference", "monetary", "one2many", "properties",
          "properties_definition", "reference", "selection", "text")
SUPPORTED_TTYPES = frozenset({"binary", "boolean", "char", "date", "datetime", "float", "html", "integer",
                              "many2many", "many2one", "monetary", "one2many", "selection", "text"})
INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
# the fields every model has, as Odoo declares them: (name, type, label, comodel)
MAGIC_SPECS = (
    ("id", "integer", "ID", None),
    ("display_name", "char", "Display Name", None),
    ("create_uid", "many2one", "Created by", "res.users"),
    ("create_date", "datetime", "Created on", None),
    ("write_uid", "many2one", "Last Updated by", "res.users"),
    ("write_date", "datetime", "Last Updated on", None),
)
# Odoo 16 and earlier: the concurrency check field, computed from write_date / create_date
LAST_UPDATE = ("__last_update", "datetime", "Last Modified on", None)
COMPUTED_MAGIC = {"display_name": "display_name", "__last_update": "last_update"}
MAGIC = (*(spec[0] for spec in MAGIC_SPECS), LAST_UPDATE[0])


def magic_specs(version: Profile | None = None) -> tuple[tuple[str, str, str, str | None], ...]:
    """The magic fields of a model created for `version` (the default profile when None)."""
    return (*MAGIC_SPECS, LAST_UPDATE) if (version or profile()).has("last_update") else MAGIC_SPECS


def magic_field_rows(model: str, model_id: int, state: str, version: Profile | None = None) -> list[dict[str, Any]]:
    """The ir_model_fields rows of a model's magic fields (display_name and __last_update are
    computed)."""
    return [{"name": name, "model": model, "model_id": model_id, "field_description": label, "ttype": ttype,
             "relation": relation, "state": state, "store": name not in COMPUTED_MAGIC, "readonly": True,
             "compute": COMPUTED_MAGIC.get(name), "on_delete": "set null"}
            for name, ttype, label, relation in magic_specs(version)]
DATE_FMT = "%Y-%m-%d"
DATETIME_FMT = "%Y-%m-%d %H:%M:%S"

# column type per field type (storage.types stores dates the same way on both backends)
COLUMN_TYPES: dict[str, Any] = {
    "char": sa.String, "text": sa.Text, "html": sa.Text, "selection": sa.String, "binary": sa.Text,
    "integer": sa.Integer, "many2one": sa.Integer, "float": lambda: sa.Float(precision=53),
    "monetary": lambda: sa.Float(precision=53), "boolean": lambda: sa.Boolean(create_constraint=False),
    "date": types.Date, "datetime": types.DateTime,
}


def column_type(ttype: str) -> Any:
    return COLUMN_TYPES[ttype]()


def check_int32(value: int) -> int:
    """Ids and integer values are 32-bit in Odoo's PostgreSQL schema: both backends refuse more
    with the same fault, where PostgreSQL alone would raise a driver error."""
    if not INT_MIN <= value <= INT_MAX:
        raise ValidationError("The operation cannot be completed: integer out of range")
    return value


def default_label(name: str) -> str:
    """Odoo's label for a field created without one: `x_tag_ids` reads "X Tag"."""
    base = name[:-4] if name.endswith("_ids") else name[:-3] if name.endswith("_id") else name
    return base.replace("_", " ").title()


@dataclass
class Field:
    name: str
    type: str
    model: str
    string: str = ""
    help: str | None = None
    required: bool = False
    readonly: bool = False
    store: bool = True
    index: bool = False
    # btree / btree_not_null / trigram when `index` is set (orm.indexes makes it)
    index_kind: str | None = None
    translate: bool = False
    copy: bool = True
    relation: str | None = None
    relation_field: str | None = None
    relation_table: str | None = None
    column1: str | None = None
    column2: str | None = None
    selection: list[tuple[str, str]] | None = None
    size: int | None = None
    on_delete: str = "set null"
    domain: str = "[]"
    related: str | None = None
    compute: str | None = None
    default: Any = None
    manual: bool = False
    id: int = 0
    group_ids: frozenset[int] = frozenset()
    # the value never leaves the server: its column is outside the table queries are built on
    secret: bool = False
    # Odoo's per-state attributes (`states=`), described by fields_get up to Odoo 16
    states: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def stored(self) -> bool:
        """Whether the field has a column (or relation table) of its own in the database."""
        return self.store and self.type not in X2MANY and not self.related and self.name != "display_name"

    @property
    def column(self) -> bool:
        """Whether the field is a column queries may use: read, search, order, group, aggregate.

        A secret field is stored but is no such column, so every path built from client input
        treats it as Odoo treats a non-stored field without a search method.
        """
        return self.stored and not self.secret

    @property
    def relational(self) -> bool:
        return self.type in RELATIONAL

    @property
    def domain_list(self) -> list[Any]:
        """The field's domain (an x2many only lists the comodel records it matches), when it is a
        literal; anything else is no restriction (never evaluated)."""
        return _literal_domain(self.domain)

    def description(self, version: Profile | None = None) -> dict[str, Any]:
        """The attributes fields_get reports for `version` (the default profile when None);
        None values are left out, as in Odoo."""
        version = version or profile()
        desc: dict[str, Any] = {
            "name": self.name, "type": self.type, "string": self.string, "help": self.help,
            "store": self.store and not self.secret, "manual": self.manual,
            "readonly": self.readonly or bool(self.compute and not self.store) or self.name in MAGIC,
            "required": self.required, "company_dependent": False, "change_default": False,
            "searchable": (self.store and not self.secret) or bool(self.related) or self.name == "display_name",
            "sortable": self.column or self.name == "id",
            "exportable": True, "depends": [self.related] if self.related else
            ["create_date", "write_date"] if self.name == LAST_UPDATE[0] else [],
            "related": self.related,
        }
        if self.type in ("integer", "float", "monetary") and self.store and self.name not in ("id", "sequence"):
            desc["aggregator" if version.has("aggregator") else "group_operator"] = "sum"
        if version.has("aggregator"):  # Odoo 18: whether read_group may group by the field
            desc["groupable"] = (self.column and self.type != "binary") or (self.type == "many2many" and self.store)
        if version.has("fields_get_states"):
            desc["states"] = self.states
        if self.type in ("char", "text", "html"):
            desc["translate"] = self.translate
        if self.type == "char":
            desc["trim"] = True
            if self.size:
                desc["size"] = self.size
        if self.type in ("selection",):
            desc["selection"] = [list(p) for p in (self.selection or [])]
        if self.relational:
            desc["relation"] = self.relation
            desc["domain"] = self.domain if self.domain not in (None, "", "[]") else []
            desc["context"] = {}
        if self.type == "one2many":
            desc["relation_field"] = self.relation_field
        if self.type == "binary":
            desc["attachment"] = False
        if self.type == "monetary":
            desc["currency_field"] = "currency_id"
        return {k: v for k, v in desc.items() if v is not None}


@lru_cache(maxsize=256)
def _literal_domain_tuple(text: str) -> tuple[Any, ...]:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return ()
    return tuple(value) if isinstance(value, list) else ()


def _literal_domain(text: str | None) -> list[Any]:
    return list(_literal_domain_tuple(text)) if text and text != "[]" else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def to_date(value: Any) -> dt.date | None:
    if value is None or value is False or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, xmlrpc.client.DateTime):
        return dt.datetime.strptime(value.value[:8], "%Y%m%d").date()
    return dt.datetime.strptime(_text(value)[:10], DATE_FMT).date()


def to_datetime(value: Any) -> dt.datetime | None:
    if value is None or value is False or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time.min)
    if isinstance(value, xmlrpc.client.DateTime):
        return dt.datetime.strptime(value.value, "%Y%m%dT%H:%M:%S")
    text = _text(value)
    if len(text) == 10:
        return dt.datetime.strptime(text, DATE_FMT)
    return dt.datetime.strptime(text[:19], DATETIME_FMT)


def to_column(fld: Field, value: Any) -> Any:
    """Turn a write value into what the column stores (Odoo's convert_to_column)."""
    t = fld.type
    if t in ("char", "text", "html", "selection"):
        if value is None or value is False:
            return None
        if t == "selection":
            allowed = {k for k, _ in fld.selection or []}
            if value not in allowed:
                raise ValueError(f"Wrong value for {fld.model}.{fld.name}: {value!r}")
        return _text(value)
    if t == "integer":
        return check_int32(int(value or 0))
    if t in ("float", "monetary"):
        real = float(value or 0.0)
        if not math.isfinite(real):
            raise ValidationError(f"The operation cannot be completed: {fld.model}.{fld.name} must be a finite "
                                  f"number, not {real!r}")
        return real
    if t == "boolean":
        return bool(value)
    if t == "many2one":
        if isinstance(value, (list, tuple)):
            value = value[0] if value else False
        if value is None or value is False:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"Wrong value for {fld.model}.{fld.name}: {value!r}")
        return check_int32(value)
    if t == "date":
        return to_date(value)
    if t == "datetime":
        return to_datetime(value)
    if t == "binary":
        if value is None or value is False:
            return None
        if isinstance(value, xmlrpc.client.Binary):
            return base64.b64encode(value.data).decode()
        if isinstance(value, bytes):
            return value.decode()
        return _text(value)
    raise ValueError(f"Unsupported field type {t}")


def _read_integer(value: Any) -> Any:
    value = value or 0
    return float(value) if value > INT_MAX else value


def _read_float(value: Any) -> float:
    return float(value or 0.0)


def _read_date(value: Any) -> Any:
    if value is None:
        return False
    return value.strftime(DATE_FMT) if isinstance(value, dt.date) else value


def _read_datetime(value: Any) -> Any:
    if value is None:
        return False
    return value.strftime(DATETIME_FMT) if isinstance(value, dt.datetime) else value[:19]


def _read_plain(value: Any) -> Any:
    return False if value is None else value


def _read_many2one(value: Any) -> Any:
    return value or False


# column value -> read format, by field type (the rest read as stored, NULL as False); chosen
# once per field of a read rather than per value
_READERS: dict[str, Callable[[Any], Any]] = {
    "integer": _read_integer, "float": _read_float, "monetary": _read_float, "boolean": bool,
    "date": _read_date, "datetime": _read_datetime, "many2one": _read_many2one,
}


def reader(fld: Field) -> Callable[[Any], Any]:
    """The function turning this field's column values into Odoo's read format (`to_read`;
    a many2one column reads as its id or False)."""
    return _READERS.get(fld.type, _read_plain)


def to_read(fld: Field, value: Any) -> Any:
    """Turn a column value into Odoo's read format (empty values become False / 0)."""
    t = fld.type
    if t == "integer":
        value = value or 0
        return float(value) if value > INT_MAX else value
    if t in ("float", "monetary"):
        return float(value or 0.0)
    if t == "boolean":
        return bool(value)
    if value is None:
        return False
    if t == "date":
        return value.strftime(DATE_FMT) if isinstance(value, dt.date) else value
    if t == "datetime":
        return value.strftime(DATETIME_FMT) if isinstance(value, dt.datetime) else value[:19]
    return value
