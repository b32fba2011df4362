"""Reading a data file (YAML or JSON) into a checked `DataFile`, and turning its record values
into what `create` / `write` take. Nothing here calls the server: a file whose shape is wrong is
refused before anything is written."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_MODULE = "data"
SECTIONS = frozenset({"module", "models", "fields", "records"})
MODEL_KEYS = frozenset({"name", "order", "info", "fields"})
# a declared field's keys: ours (type, string) and the ir.model.fields attributes a custom field has
FIELD_ALIASES = {"type": "ttype", "string": "field_description", "ondelete": "on_delete"}
FIELD_KEYS = frozenset({"help", "relation", "relation_field", "relation_table", "column1", "column2", "selection",
                        "required", "readonly", "index", "translate", "copied", "size", "on_delete", "domain",
                        "groups", "store"})
REF = re.compile(r"^ref\((?P<xmlid>[^()]*)\)$")
MODULE = re.compile(r"^[A-Za-z0-9_]+$")
XMLID = re.compile(r"^(?:[A-Za-z0-9_]+\.)?[A-Za-z0-9_][A-Za-z0-9_.-]*$")
MODEL_NAME = re.compile(r"^[a-z0-9_.]+$")
FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
MAX_DEPTH = 16       # nesting of one record value (commands in x2many values)
MAX_NODES = 200_000  # values in one file: a YAML alias bomb is refused, not expanded


class DataFileError(ValueError):
    """A data file that cannot be loaded; the message names the file and, where it is about one,
    the model, the record key and the field."""


@dataclass(frozen=True)
class Record:
    model: str
    key: str
    xmlid: str  # module.name
    values: dict[str, Any]


@dataclass
class DataFile:
    path: str
    module: str
    models: dict[str, dict[str, Any]] = field(default_factory=dict)  # model -> {name, order, info, fields}
    fields: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # model -> field -> vals
    records: list[Record] = field(default_factory=list)

    def where(self, model: str, key: str | None = None, fname: str | None = None) -> str:
        """Where in the file a problem is, for its message."""
        parts = [f"{self.path}: {model}"]
        if key is not None:
            parts.append(f" record {key!r}")
        if fname is not None:
            parts.append(f", field {fname!r}")
        return "".join(parts)

    def full_id(self, xmlid: str) -> str:
        """`module.name` of an id as written in the file (one without a module is the file's)."""
        return xmlid if "." in xmlid else f"{self.module}.{xmlid}"


def read(source: str | Path) -> DataFile:
    """The checked content of a data file; DataFileError when it cannot be read or parsed, or its
    shape is not a data file's."""
    path = Path(source)
    data = _parse(path)
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: a data file is a mapping (with models, fields and records), "
                            f"not {_kind(data)}")
    unknown = sorted(str(k) for k in data if k not in SECTIONS)
    if unknown:
        raise DataFileError(f"{path}: unknown section {unknown[0]!r} (a data file has module, models, fields "
                            "and records)")
    module = data.get("module", DEFAULT_MODULE)
    if not isinstance(module, str) or not MODULE.match(module):
        raise DataFileError(f"{path}: module must be a name of letters, digits and underscores, not {module!r}")
    found = DataFile(str(path), module)
    _count(data, path, [0], 0)
    found.models = {m: _model(found, m, spec) for m, spec in _mapping(data, "models", path).items()}
    found.fields = {m: _fields(found, m, spec) for m, spec in _mapping(data, "fields", path).items()}
    for model, records in _mapping(data, "records", path).items():
        found.records.extend(_records(found, model, records))
    return found


def _parse(path: Path) -> Any:
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise DataFileError(f"{path}: a data file ends in .yaml, .yml or .json")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DataFileError(f"{path}: cannot be read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise DataFileError(f"{path}: is not UTF-8 text ({error.reason} at byte {error.start})") from None
    try:
        return json.loads(text) if suffix == ".json" else yaml.safe_load(text)  # safe_load: no !!python tags
    except json.JSONDecodeError as error:
        raise DataFileError(f"{path}: not valid JSON: {error}") from None
    except yaml.YAMLError as error:
        raise DataFileError(f"{path}: not valid YAML{_yaml_problem(error)}") from None


def _yaml_problem(error: yaml.YAMLError) -> str:
    """Where and what, without PyYAML's excerpt of the file."""
    mark = getattr(error, "problem_mark", None)
    at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    what = [str(p) for p in (getattr(error, "context", None), getattr(error, "problem", None)) if p]
    return f"{at}: {', '.join(what) if what else error}"


def _count(value: Any, path: Path, seen: list[int], depth: int) -> None:
    """Refuse files too deep or too big to walk (YAML aliases repeat a value without copying it)."""
    seen[0] += 1
    if seen[0] > MAX_NODES or depth > MAX_DEPTH + 4:
        raise DataFileError(f"{path}: too big or too deeply nested (at most {MAX_NODES} values, "
                            f"{MAX_DEPTH} levels in a record value)")
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        _count(child, path, seen, depth + 1)


def _mapping(data: dict[str, Any], section: str, path: Path) -> dict[str, Any]:
    value = data.get(section)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DataFileError(f"{path}: {section} must be a mapping by model, not {_kind(value)}")
    for model in value:
        if not isinstance(model, str) or not MODEL_NAME.match(model):
            raise DataFileError(f"{path}: {section}: {model!r} is not a model name")
    return value


def _model(file: DataFile, model: str, spec: Any) -> dict[str, Any]:
    if not model.startswith("x_"):
        raise DataFileError(f"{file.where(model)}: a declared model's name starts with 'x_' (declare fields of "
                            "existing models under fields:)")
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        raise DataFileError(f"{file.where(model)}: a model is a mapping (name, fields), not {_kind(spec)}")
    unknown = sorted(str(k) for k in spec if k not in MODEL_KEYS)
    if unknown:
        raise DataFileError(f"{file.where(model)}: unknown key {unknown[0]!r} (a model has name, order, info "
                            "and fields)")
    declared = {k: spec[k] for k in ("name", "order", "info") if k in spec}
    for key, value in declared.items():
        if not isinstance(value, str):
            raise DataFileError(f"{file.where(model)}: {key} must be text, not {_kind(value)}")
    return {**declared, "fields": _fields(file, model, spec.get("fields") or {})}


def _fields(file: DataFile, model: str, spec: Any) -> dict[str, dict[str, Any]]:
    """A model's declared fields as ir.model.fields values (without model_id)."""
    if not isinstance(spec, dict):
        raise DataFileError(f"{file.where(model)}: fields must be a mapping by field name, not {_kind(spec)}")
    return {name: _field(file, model, name, attrs) for name, attrs in spec.items()}


def _field(file: DataFile, model: str, name: Any, attrs: Any) -> dict[str, Any]:
    where = f"{file.path}: {model} field {name!r}"
    if not isinstance(name, str) or not FIELD_NAME.match(name) or not name.startswith("x_"):
        raise DataFileError(f"{where}: a custom field's name starts with 'x_' and has only lowercase letters, "
                            "digits and underscores")
    if not isinstance(attrs, dict):
        raise DataFileError(f"{where}: a field is a mapping (type, string, ...), not {_kind(attrs)}")
    vals: dict[str, Any] = {"name": name}
    for key, value in attrs.items():
        target = FIELD_ALIASES.get(key, key) if isinstance(key, str) else repr(key)
        if target not in FIELD_KEYS and target not in FIELD_ALIASES.values():
            raise DataFileError(f"{where}: unknown attribute {key!r} (a field has type, string, "
                                f"{', '.join(sorted(FIELD_KEYS))})")
        vals[target] = value
    if not isinstance(vals.get("ttype"), str):
        raise DataFileError(f"{where}: type is required (char, integer, float, many2one, ...)")
    if vals["ttype"] in ("many2one", "one2many", "many2many") and not isinstance(vals.get("relation"), str):
        raise DataFileError(f"{where}: a {vals['ttype']} field names its relation (the comodel)")
    return vals


def _records(file: DataFile, model: str, records: Any) -> list[Record]:
    if not isinstance(records, dict):
        raise DataFileError(f"{file.where(model)}: records must be a mapping by xml id, not {_kind(records)}")
    found = []
    for key, values in records.items():
        if not isinstance(key, str) or not XMLID.match(key):
            raise DataFileError(f"{file.where(model)}: {key!r} is not an xml id (letters, digits, '_', '-', "
                                "'.'; 'module.name' or a name of this file's module)")
        if values is None:
            values = {}
        if not isinstance(values, dict) or not all(isinstance(f, str) for f in values):
            raise DataFileError(f"{file.where(model, key)}: a record is a mapping of field names to values, "
                                f"not {_kind(values)}")
        found.append(Record(model, key, file.full_id(key), values))
    return found


# a field as the loader needs it: (type, comodel or None)
FieldType = tuple[str, str | None]
Resolve = Callable[[str, str | None, str], int]  # (xml id, comodel, where) -> id


def convert(value: Any, ftype: FieldType, where: str, resolve: Resolve) -> Any:
    """A record value as `create` / `write` take it: refs resolved, many2many lists of refs as
    `[(6, 0, ids)]`, YAML dates as Odoo's date strings; DataFileError for a value of the wrong
    type for its field."""
    kind, relation = ftype
    if value is None:
        value = False
    if kind == "many2one":
        return _one(value, relation, where, resolve)
    if kind in ("one2many", "many2many"):
        return _many(value, relation, where, resolve)
    if isinstance(value, str) and REF.match(value):
        raise DataFileError(f"{where}: ref() names a record, but this is a {kind} field")
    check = SCALARS.get(kind)
    if check is not None and value is not False and not check(value):
        raise DataFileError(f"{where}: a {kind} field takes {SCALAR_NAMES[kind]}, not {_kind(value)} {value!r}")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat() + (" 00:00:00" if kind == "datetime" else "")
    return value


def _one(value: Any, relation: str | None, where: str, resolve: Resolve) -> Any:
    if value is False or _is_id(value):
        return value
    if isinstance(value, str) and (ref := REF.match(value)):
        return resolve(ref["xmlid"].strip(), relation, where)
    raise DataFileError(f"{where}: a many2one field takes ref(xml_id), an id or null, not {_kind(value)} {value!r}")


def _many(value: Any, relation: str | None, where: str, resolve: Resolve) -> Any:
    if value is False:
        return [[6, 0, []]]
    if not isinstance(value, list):
        raise DataFileError(f"{where}: an x2many field takes a list of ref(xml_id) (or of commands), "
                            f"not {_kind(value)} {value!r}")
    if all(isinstance(v, str) or _is_id(v) for v in value):
        return [[6, 0, [_one(v, relation, where, resolve) for v in value]]]
    return [_command(c, relation, where, resolve) for c in value]


def _command(command: Any, relation: str | None, where: str, resolve: Resolve) -> Any:
    """An Odoo x2many command as given, the record it names by ref() resolved ([4, ref(x)],
    [6, 0, [ref(x), ...]])."""
    if not isinstance(command, list) or not command or not _is_id(command[0]):
        raise DataFileError(f"{where}: {command!r} is neither ref(xml_id) nor an x2many command such as [4, id]")
    done = list(command)
    if len(done) > 1 and isinstance(done[1], str):
        done[1] = _one(done[1], relation, where, resolve)
    if done[0] == 6 and len(done) == 3 and isinstance(done[2], list):
        done[2] = [_one(v, relation, where, resolve) for v in done[2]]
    return done


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", bool: "a boolean", int: "a number",
             float: "a number", type(None): "nothing"}
    return names.get(type(value), f"a {type(value).__name__}")


def _text(v: Any) -> bool:
    return isinstance(v, str)


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


SCALARS: dict[str, Callable[[Any], bool]] = {
    "char": _text, "text": _text, "html": _text, "binary": _text,
    "selection": lambda v: isinstance(v, str) or _is_id(v),
    "integer": _is_id, "float": _number, "monetary": _number,
    "boolean": lambda v: isinstance(v, bool),
    "date": lambda v: isinstance(v, str) or (isinstance(v, dt.date) and not isinstance(v, dt.datetime)),
    "datetime": lambda v: isinstance(v, (str, dt.date)),
}
SCALAR_NAMES = {"char": "text", "text": "text", "html": "text", "binary": "base64 text",
                "selection": "one of its values", "integer": "a whole number", "float": "a number",
                "monetary": "a number", "boolean": "true or false", "date": "a date (YYYY-MM-DD)",
                "datetime": "a date and time (YYYY-MM-DD HH:MM:SS)"}
