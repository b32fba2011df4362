"""The ground every ORM method stands on: a model's records for one call's environment, and the
checks every public method runs (access rights, record rules, existence)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa

from odoorpc_server.exceptions import MissingError, UnknownMethod, ValidationError
from odoorpc_server.orm import access, api
from odoorpc_server.orm.env import Env
from odoorpc_server.orm.fields import Field, check_int32
from odoorpc_server.orm.registry import Model
from odoorpc_server.storage.types import in_param, in_values

if TYPE_CHECKING:
    from odoorpc_server.orm.models import BaseModel

INT64_MAX = 2**63 - 1
LOG_FIELDS = ("create_uid", "create_date", "write_uid", "write_date")
ACCESS_MODES = ("read", "write", "create", "unlink")


def check_bound(value: Any, name: str) -> int:
    """limit / offset: a non-negative integer that fits PostgreSQL's bigint."""
    if value is None or value is False:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"Invalid {name} {value!r}: an integer is expected") from None
    if value < 0:
        raise ValidationError(f"The operation cannot be completed: {name.upper()} must not be negative")
    if value > INT64_MAX:
        raise ValidationError("The operation cannot be completed: bigint out of range")
    return int(value)


def normalize_ids(ids: Any) -> list[int]:
    if ids is None or ids is False:
        return []
    if isinstance(ids, bool):
        raise ValueError(f"Invalid ids {ids!r}")
    if isinstance(ids, int):
        return [check_int32(ids)]
    if isinstance(ids, (list, tuple)):
        out = []
        for i in ids:
            if isinstance(i, bool) or not isinstance(i, int):
                raise ValueError(f"Invalid record id {i!r}")
            out.append(check_int32(i))
        return out
    raise ValueError(f"Invalid ids {ids!r}")


def not_null_error(model: Model, fld: Field) -> ValidationError:
    return ValidationError(
        "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
        "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"
        f"Model: {model.description} ({model.name})\nField: {fld.string} ({fld.name})\n")


def fk_error(model: Model, constraint: str) -> ValidationError:
    return ValidationError(
        "The operation cannot be completed: another model requires the record being deleted. "
        f"If possible, archive it instead.\n\nModel: {model.description} ({model.name})\n"
        f"Constraint: {constraint}\n")


class Records:
    """A model's records for the user of `env`; the per-model class attributes live here."""

    # fields a user may write on their own record without the right to write the model (Odoo's
    # SELF_WRITEABLE_FIELDS of res.users)
    SELF_WRITEABLE: ClassVar[frozenset[str]] = frozenset()
    # changes that alter security decisions (True: any change), so cached decisions are dropped
    SECURITY_FIELDS: ClassVar[frozenset[str] | bool] = False
    # the fields a name search looks in (Odoo's _rec_names_search); the rec_name by default
    NAME_SEARCH: ClassVar[tuple[str, ...]] = ()
    # searches drop the records `_filter_searched` hides (before offset and limit apply)
    FILTERED_SEARCH: ClassVar[bool] = False

    def __init__(self, env: Env, model: Model) -> None:
        self.env = env
        self.model = model

    # -- helpers ------------------------------------------------------------------------------
    @property
    def table(self) -> sa.Table:
        return self.model.table

    @property
    def conn(self) -> sa.Connection:
        return self.env.conn

    def public_method(self, name: str) -> tuple[Any, api.Exposure]:
        """The bound method a remote caller asked for, with its RPC contract."""
        found = api.resolve(type(self), name, self.env.profile)
        if found is None:
            version = self.env.profile
            wording = "qualified" if version.has("quoted_private_method") else \
                "type_object" if version.has("unknown_method_type_object") else "on_model"
            raise UnknownMethod(self.model.name, name, wording)
        return getattr(self, found[0]), found[1]

    def other(self, name: str) -> BaseModel:
        return self.env[name]

    def comodel(self, f: Field) -> BaseModel:
        """The model a relational field of this model points to."""
        return self.env[f.relation or ""]

    def _existing(self, ids: list[int]) -> list[int]:
        if not ids:
            return []
        found = set(self.conn.execute(sa.select(self.table.c.id).where(in_values(self.table.c.id, set(ids)))).scalars())
        return [i for i in ids if i in found]

    def _check_exist(self, ids: list[int]) -> None:
        missing = sorted(set(ids) - set(self._existing(ids)))
        if missing:
            raise MissingError(
                "Record does not exist or has been deleted.\n"
                f"(Record: {self.model.name}({', '.join(map(str, missing))},), User: {self.env.uid})")

    def _check_access(self, operation: str) -> None:
        access.check_model(self.env, self.model, operation)

    def _check_rules(self, ids: list[int], operation: str) -> None:
        """Record rules: every one of `ids` (existing records) must pass the rules of `operation`,
        then the model's own record checks (`_check_linked`)."""
        self._check_rule_domain(ids, operation)
        if ids and not self.env.su:
            self._check_linked(ids, operation)

    def _check_linked(self, ids: list[int], operation: str) -> None:
        """Hook: access that depends on other records (an attachment follows the record it is
        attached to). It can only refuse more, never grant; the superuser skips it."""

    def _filter_searched(self, ids: list[int]) -> list[int]:
        """Hook: the found records the user may see, for models whose visibility a record rule
        cannot express (attachments); only used when `FILTERED_SEARCH` is set."""
        return ids

    def _permitted(self, ids: list[int], operation: str, missing_raises: bool) -> list[int]:
        """`ids` that exist and pass the rules of `operation`, in one statement; only when some
        are not in its answer do the separate checks run, to raise what they raise (MissingError
        when `missing_raises`, else the missing ones are dropped; AccessError for a hidden one)."""
        if not ids:
            return []
        found = set(self.conn.execute(self._permitted_statement(operation), {"asked": sorted(set(ids))}).scalars())
        if len(found) < len(set(ids)):
            if missing_raises:
                self._check_exist(ids)
            existing = self._existing(ids)
            self._check_rules(existing, operation)
            return existing
        if not self.env.su:
            self._check_linked(ids, operation)
        return list(ids)

    def _permitted_statement(self, operation: str) -> Any:
        """SELECT id of the records asked (bound as `asked`) that pass the rules of `operation`:
        built once per user, registry and operation while the rules' condition is reusable."""
        clause, stable = self.env.compiler.rule_clause(self.model, operation)
        store = access.cache(self.env, "permitted_statements")
        key = (self.env.registry, self.env.uid, self.env.su, self.model.name, operation)
        found = store.get(key) if stable else None
        if found is None:
            found = sa.select(self.table.c.id).where(in_param(self.table.c.id, "asked"))
            if clause is not None:
                found = found.where(clause)
            if stable:
                store[key] = found
        return found

    def _rule_clause(self, operation: str) -> Any:
        """The SQL condition of the record rules of `operation` (None: no rule applies)."""
        return self.env.compiler.rule_clause(self.model, operation)[0]

    def _check_rule_domain(self, ids: list[int], operation: str) -> None:
        clause = self._rule_clause(operation) if ids else None
        if clause is None:
            return
        allowed = set(self.conn.execute(sa.select(self.table.c.id).where(in_values(self.table.c.id, set(ids)), clause))
                      .scalars())
        forbidden = [i for i in ids if i not in allowed]
        if forbidden:
            raise access.rule_error(self.env, self.model, operation, forbidden)
