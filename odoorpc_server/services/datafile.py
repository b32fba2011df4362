"""Data files for fixtures: custom models and fields to declare, and records by model keyed by
xml ids, loaded through public model methods only (create, write, search_read, fields_get, ...),
so the same loader runs over XML-RPC (the pytest plugin) and in process (`odoorpc-server load`,
`serve --load`).

Every record key becomes an `ir.model.data` row, as Odoo's data files make them: `ref()` in a
later file finds it, and loading a file again updates its records instead of duplicating them.
A file is checked whole (its shape, its models, fields, value types and refs) before anything is
written; a caller with `atomically(work)` (the in-process one) also runs it in one transaction,
so a failure on the server's side keeps nothing either.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from odoorpc_server.orm.env import SUPERUSER_ID, Env
from odoorpc_server.orm.fields import MAGIC_SPECS
from odoorpc_server.services.app import App
from odoorpc_server.services.call import invoke, make_call, run, within
from odoorpc_server.services.datafile_source import (
    DataFile,
    DataFileError,
    FieldType,
    Record,
    convert,
    read,
)

__all__ = ["Caller", "DataFileError", "InProcess", "in_process", "load", "load_files"]

# caller(model, method, args, kwargs): one model method as the admin user, its answer
Caller = Callable[[str, str, list[Any], dict[str, Any]], Any]
T = TypeVar("T")
ALL = {"context": {"active_test": False}}
FIELD_ATTRIBUTES = ["ttype", "field_description", "help", "relation", "relation_field", "relation_table",
                    "column1", "column2", "selection", "required", "readonly", "index", "translate", "copied",
                    "size", "on_delete", "domain", "groups", "store"]


def load(source: str | Path, caller: Caller) -> dict[str, int]:
    """Load one data file (.yaml, .yml or .json); `{xml_id: id}` of every record, model and field
    it declares, full xml ids (`module.name`). DataFileError names what is wrong."""
    return load_files([source], caller)


def load_files(sources: Iterable[str | Path], caller: Caller) -> dict[str, int]:
    """Load files in order (a later one may ref() an earlier one's records); with a caller that
    has `atomically`, all of them in one transaction."""
    files = [read(source) for source in sources]

    def work() -> dict[str, int]:
        loader = Loader(caller)
        for file in files:
            loader.load(file)
        return loader.made

    atomically = getattr(caller, "atomically", None)
    return atomically(work) if callable(atomically) else work()


class InProcess:
    """A caller through the server's call path (`services.call`) as the superuser, with no
    credentials to check: each call its own transaction, or, inside `atomically`, every call of
    the work in one transaction (retried whole on a serialization failure, as a call is)."""

    def __init__(self, app: App, database: str, uid: int = SUPERUSER_ID) -> None:
        self.app, self.database, self.uid = app, database, uid
        self._env: Env | None = None

    def __call__(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        call = make_call(self.database, self.uid, None, model, method, args, kwargs)
        if self._env is None:
            return run(self.app, call)
        env = self._env.with_context(**call.context) if call.context else self._env
        return invoke(env, call)

    def atomically(self, work: Callable[[], T]) -> T:
        def bound(env: Env) -> T:
            self._env = env
            try:
                return work()
            finally:
                self._env = None

        result: T = within(self.app, self.database, self.uid, None, {}, True, bound)
        return result


def in_process(app: App, database: str) -> InProcess:
    """The caller `odoorpc-server load` and `serve --load` use."""
    return InProcess(app, database)


class Loader:
    """Loads files one after the other with one caller, remembering the xml ids it met."""

    def __init__(self, caller: Caller) -> None:
        self.call = caller
        self.made: dict[str, int] = {}
        self.xmlids: dict[str, dict[str, Any]] = {}  # module.name -> its ir.model.data row
        self.fields: dict[str, dict[str, FieldType]] = {}  # model -> field -> (type, comodel)

    def load(self, file: DataFile) -> None:
        known = self._lookup(file)
        names = set(file.models) | set(file.fields) | {r.model for r in file.records}
        models = self._models(file, names | {row["model"] for row in known.values()})
        self._drop_stale(file, known, models)
        self._check(file, models, known)
        for model, spec in file.models.items():
            self._declare_model(file, model, spec, models.get(model))
        for model, fields in file.fields.items():
            self._declare_fields(file, model, models[model]["id"], fields)
        for record in file.records:
            self._record(file, record, known)

    # -- what the database holds -------------------------------------------------------------

    def _lookup(self, file: DataFile) -> dict[str, dict[str, Any]]:
        """The ir.model.data rows of every xml id the file names (record keys, refs, its models'
        and fields' ids), in one search, with those of earlier files."""
        wanted = {r.xmlid for r in file.records} | set(_model_ids(file)) | set(self._refs(file))
        missing = wanted - set(self.xmlids)
        if missing:
            pairs = [w.split(".", 1) for w in sorted(missing)]
            rows = self._do(file.path, "ir.model.data", "search_read",
                            [[["module", "in", sorted({p[0] for p in pairs})],
                              ["name", "in", sorted({p[1] for p in pairs})]]],
                            {"fields": ["module", "name", "model", "res_id"]})
            for row in rows:
                full = f"{row['module']}.{row['name']}"
                if full in missing:
                    self.xmlids[full] = row
        return {x: row for x, row in self.xmlids.items() if x in wanted}

    def _drop_stale(self, file: DataFile, known: dict[str, dict[str, Any]],
                    models: dict[str, dict[str, Any]]) -> None:
        """Mark the rows whose record no longer exists (deleted, or its custom model dropped):
        their key makes a new record, and a ref() to them is a ref to nothing."""
        by_model: dict[str, list[int]] = {}
        for row in known.values():
            by_model.setdefault(row["model"], []).append(row["res_id"])
        for model, ids in by_model.items():
            alive = set(self._do(file.path, model, "search", [[["id", "in", ids]]], ALL)) if model in models else set()
            for full, row in list(known.items()):
                if row["model"] == model and row["res_id"] not in alive:
                    known[full] = {**row, "stale": True}

    def _refs(self, file: DataFile) -> list[str]:
        """Every ref() of the file's records, as full ids (a malformed one is reported by the check)."""
        refs: list[str] = []

        def note(xmlid: str, relation: str | None, where: str) -> int:
            refs.append(file.full_id(xmlid))
            return 0

        for record in file.records:
            for value in record.values.values():
                for kind in ("many2one", "many2many"):
                    try:
                        convert(value, (kind, None), "", note)
                    except DataFileError:
                        pass
        return refs

    def _models(self, file: DataFile, names: set[str]) -> dict[str, dict[str, Any]]:
        if not names:
            return {}
        rows = self._do(file.path, "ir.model", "search_read", [[["model", "in", sorted(names)]]],
                        {"fields": ["model", "name", "state", "order", "info"]})
        return {row["model"]: row for row in rows}

    def _field_types(self, file: DataFile, model: str) -> dict[str, FieldType]:
        if model not in self.fields:
            found = self._do(file.where(model), model, "fields_get", [], {"attributes": ["type", "relation"]})
            self.fields[model] = {name: (f["type"], f.get("relation") or None) for name, f in found.items()}
        return self.fields[model]

    # -- checking a file before it writes ----------------------------------------------------

    def _check(self, file: DataFile, models: dict[str, dict[str, Any]], known: dict[str, dict[str, Any]]) -> None:
        """Refuse the file, before anything is written, for what can be known without writing:
        unknown models and fields, values of the wrong type, refs to nothing."""
        types = self._types_after(file, models)
        coming: dict[str, str] = {}  # xml id -> model, of the records before the one checked

        def resolve(xmlid: str, relation: str | None, where: str) -> int:
            full = file.full_id(xmlid)
            row = known.get(full)
            model = coming.get(full) or (row["model"] if row and not row.get("stale") else None)
            if model is None:
                raise DataFileError(f"{where}: ref({xmlid}): no record has the xml id {full!r} (a record of this "
                                    "file must come before the records that ref() it)")
            if relation and model != relation:
                raise DataFileError(f"{where}: ref({xmlid}) is a {model} record, the field takes {relation}")
            return 0

        for record in file.records:
            where = file.where(record.model, record.key)
            if record.model not in types:
                raise DataFileError(f"{where}: model {record.model!r} does not exist (declare it under models:)")
            if record.xmlid in coming:
                raise DataFileError(f"{where}: the xml id {record.xmlid!r} is given to two records of the file")
            row = known.get(record.xmlid)
            if row and not row.get("stale") and row["model"] != record.model:
                raise DataFileError(f"{where}: the xml id {record.xmlid!r} names a {row['model']} record")
            self._values(file, record, types[record.model], resolve)
            coming[record.xmlid] = record.model

    def _types_after(self, file: DataFile, models: dict[str, dict[str, Any]]) -> dict[str, dict[str, FieldType]]:
        """The fields each model of the file will have once its declarations are made."""
        types: dict[str, dict[str, FieldType]] = {}
        for model in sorted(set(file.fields) | {r.model for r in file.records} | set(file.models)):
            if model in models:
                types[model] = dict(self._field_types(file, model))
            elif model in file.models:
                types[model] = {name: (kind, comodel) for name, kind, _label, comodel in MAGIC_SPECS}
            elif model in file.fields:
                raise DataFileError(f"{file.where(model)}: model {model!r} does not exist (fields: adds fields to "
                                    "existing models; declare new ones under models:)")
        for model, spec in [*((m, s["fields"]) for m, s in file.models.items()), *file.fields.items()]:
            if model in models and models[model]["state"] != "manual" and model in file.models:
                raise DataFileError(f"{file.where(model)}: {model!r} is not a custom model")
            for name, vals in spec.items():
                types[model][name] = (vals["ttype"], vals.get("relation"))
        return types

    def _values(self, file: DataFile, record: Record, types: dict[str, FieldType],
                resolve: Callable[[str, str | None, str], int]) -> dict[str, Any]:
        done = {}
        for name, value in record.values.items():
            where = file.where(record.model, record.key, name)
            if name not in types:
                raise DataFileError(f"{where}: {record.model} has no field {name!r}")
            done[name] = convert(value, types[name], where, resolve)
        return done

    # -- writing -----------------------------------------------------------------------------

    def _declare_model(self, file: DataFile, model: str, spec: dict[str, Any], row: dict[str, Any] | None) -> None:
        vals = {k: v for k, v in spec.items() if k != "fields"}
        where = file.where(model)
        if row is None:
            mid = self._do(where, "ir.model", "create", [{"model": model, "state": "manual",
                                                          "name": vals.pop("name", model), **vals}])
        else:
            mid = row["id"]
            changed = {k: v for k, v in vals.items() if row.get(k) != v}
            if changed:
                self._do(where, "ir.model", "write", [[mid], changed])
        self._xmlid(file, where, f"{file.module}.model_{model.replace('.', '_')}", "ir.model", mid)
        self._declare_fields(file, model, mid, spec["fields"])

    def _declare_fields(self, file: DataFile, model: str, mid: int, fields: dict[str, dict[str, Any]]) -> None:
        if not fields:
            return
        rows = self._do(file.where(model), "ir.model.fields", "search_read",
                        [[["model", "=", model], ["name", "in", sorted(fields)]]],
                        {"fields": ["name", *FIELD_ATTRIBUTES]})
        existing = {row["name"]: row for row in rows}
        for name, vals in fields.items():
            where = f"{file.path}: {model} field {name!r}"
            row = existing.get(name)
            if row is None:
                fid = self._do(where, "ir.model.fields", "create", [{"model_id": mid, **vals}])
            else:
                fid = row["id"]
                changed = {k: v for k, v in vals.items() if k != "name" and not _same(row.get(k), v)}
                if changed:
                    self._do(where, "ir.model.fields", "write", [[fid], changed])
            self._xmlid(file, where, f"{file.module}.field_{model.replace('.', '_')}__{name}", "ir.model.fields",
                        fid)
        self.fields.pop(model, None)

    def _record(self, file: DataFile, record: Record, known: dict[str, dict[str, Any]]) -> None:
        where = file.where(record.model, record.key)

        def resolve(xmlid: str, relation: str | None, at: str) -> int:
            full = file.full_id(xmlid)
            return self.made[full] if full in self.made else int(known[full]["res_id"])

        values = self._values(file, record, self._field_types(file, record.model), resolve)
        row = known.get(record.xmlid)
        if row and not row.get("stale"):
            rid = int(row["res_id"])
            if values:
                self._do(where, record.model, "write", [[rid], values])
        else:
            rid = int(self._do(where, record.model, "create", [values]))
        self._xmlid(file, where, record.xmlid, record.model, rid)

    def _xmlid(self, file: DataFile, where: str, full: str, model: str, res_id: int) -> None:
        """The ir.model.data row of `full` pointing at the record (made, or moved to it)."""
        row = self.xmlids.get(full)
        module, name = full.split(".", 1)
        if row is None:
            did = self._do(where, "ir.model.data", "create",
                           [{"module": module, "name": name, "model": model, "res_id": res_id}])
            row = {"id": did, "module": module, "name": name}
        elif row["model"] != model or row["res_id"] != res_id:
            self._do(where, "ir.model.data", "write", [[row["id"]], {"model": model, "res_id": res_id}])
        self.xmlids[full] = {**row, "model": model, "res_id": res_id}
        self.made[full] = res_id

    def _do(self, where: str, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None) -> Any:
        """One call; the server's refusal as a DataFileError naming where in the file it came from."""
        try:
            return self.call(model, method, args, kwargs or {})
        except DataFileError:
            raise
        except Exception as error:
            raise DataFileError(f"{where}: {_message(error)}") from error


def _model_ids(file: DataFile) -> list[str]:
    ids = []
    for model, spec in [*((m, s["fields"]) for m, s in file.models.items()), *file.fields.items()]:
        if model in file.models:
            ids.append(f"{file.module}.model_{model.replace('.', '_')}")
        ids.extend(f"{file.module}.field_{model.replace('.', '_')}__{name}" for name in spec)
    return ids


def _same(stored: Any, given: Any) -> bool:
    """Whether a field attribute read back equals the one the file gives (unset reads False)."""
    return (stored or False) == (given or False) or str(stored) == str(given)


def _message(error: Exception) -> str:
    """The server's message: an XML-RPC fault's text (of a traceback, its last line: the
    exception), or the exception's own text."""
    text = getattr(error, "faultString", None)
    if not isinstance(text, str):
        return str(error).strip() or type(error).__name__
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines and lines[0].startswith("Traceback (most recent call last)") else text.strip()


def load_into(settings: Any, database: str, sources: Iterable[str | Path]) -> dict[str, int]:
    """`odoorpc-server load` and `serve --load`: the files loaded into `database` in one
    transaction, through an App of their own (disposed afterwards, so nothing is inherited by
    the worker processes a server forks next). The load is the server's own: `serve`'s call log
    and injected faults are not for it."""
    app = App(dataclasses.replace(settings, call_log=None, harness_token=None, inject=(), latency=()))
    try:
        if not app.backend.exists(database):
            raise DataFileError(f"database {database!r} does not exist")
        return load_files(list(sources), in_process(app, database))
    finally:
        app.backend.dispose()
