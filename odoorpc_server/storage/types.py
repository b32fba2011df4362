"""Where SQLite and PostgreSQL differ, in one place: column types that store dates the same way
on both, and SQL constructs compiled per dialect. The ORM above speaks only these.

- dates and datetimes: PostgreSQL's own types; on SQLite ISO text (`YYYY-MM-DD HH:MM:SS`, no
  microseconds), so that text comparisons and `like` see what PostgreSQL's `::text` shows;
- `text_of(column)`: the column as PostgreSQL writes it as text (booleans 'true'/'false', floats
  in their shortest form), on SQLite too;
- `period_start(granularity, column, tz)`: read_group's `date_trunc` (weeks from Sunday), in a
  time zone;
- `in_values(column, values)` / `not_in_values(column, values)`: membership in a list of ids
  (or strings) bound as ONE parameter, whatever its length: `= ANY(array)` on PostgreSQL, a
  JSON text read through `json_each` on SQLite. An expanding `IN` binds one parameter per value:
  both drivers refuse past their limit (65 535 / 32 766) and psycopg re-parses such statements;
- case-insensitive matching uses SQLAlchemy's `ilike`; SQLite's `lower()` is replaced by a
  Unicode-aware one when a connection opens (see storage.database).
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import TypeDecorator

DATE_FMT = "%Y-%m-%d"
DATETIME_FMT = "%Y-%m-%d %H:%M:%S"


class Date(TypeDecorator[dt.date]):
    """A date: DATE on PostgreSQL, ISO text on SQLite; `date` objects both ways."""

    impl = sa.Date
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        return dialect.type_descriptor(sa.String(10) if dialect.name == "sqlite" else sa.Date())

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if dialect.name == "sqlite" and isinstance(value, dt.date):
            # zero-padded years (strftime's %Y is not, below 1000), so that they read back
            return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
        return value

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


class DateTime(TypeDecorator[dt.datetime]):
    """A UTC datetime without time zone: TIMESTAMP on PostgreSQL, ISO text on SQLite."""

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        return dialect.type_descriptor(sa.String(26) if dialect.name == "sqlite" else sa.DateTime())

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if dialect.name == "sqlite" and isinstance(value, dt.datetime):
            return value.replace(tzinfo=None).isoformat(" ", "seconds")  # zero-padded years, as dates
        return value

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if isinstance(value, str):  # SQLite, and text log columns of the metadata tables
            return dt.datetime.fromisoformat(value[:19]) if len(value) > 10 else dt.datetime.fromisoformat(value)
        return value


# -- text_of: PostgreSQL's `::text` ---------------------------------------------------------------

class text_of(FunctionElement[str]):  # noqa: N801 (an SQL function, named like one)
    type = sa.Text()
    inherit_cache = True


@compiles(text_of)
def _text_of(element: text_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(list(element.clauses)[0], **kw)} AS TEXT)"


@compiles(text_of, "sqlite")
def _text_of_sqlite(element: text_of, compiler: SQLCompiler, **kw: Any) -> str:
    column = list(element.clauses)[0]
    sql = compiler.process(column, **kw)
    kind = getattr(column, "type", None)
    if isinstance(kind, sa.Boolean):
        return f"(CASE WHEN {sql} = 1 THEN 'true' WHEN {sql} = 0 THEN 'false' END)"
    if isinstance(kind, sa.Float):
        return f"pg_float_text({sql})"
    return f"CAST({sql} AS TEXT)"


# -- period_start: read_group's date_trunc --------------------------------------------------------

class period_start(FunctionElement[Any]):  # noqa: N801
    """period_start(granularity, column, tz): the start of the period the value falls in. The
    granularity and the presence of a time zone shape the SQL, so statements holding this are
    not cached (read_group only)."""

    inherit_cache = False


def _period_args(element: period_start, compiler: SQLCompiler, **kw: Any) -> tuple[str, str, str | None]:
    granularity, column, tz = list(element.clauses)
    value = granularity.value  # type: ignore[attr-defined]
    if value not in GRANULARITIES:  # inlined in the SQL below: only these words
        raise ValueError(f"Invalid granularity {value!r}")
    zone = compiler.process(tz, **kw) if tz.value else None  # type: ignore[attr-defined]
    return value, compiler.process(column, **kw), zone


@compiles(period_start)
def _period_start(element: period_start, compiler: SQLCompiler, **kw: Any) -> str:
    granularity, column, zone = _period_args(element, compiler, **kw)
    if zone:
        column = f"timezone({zone}, timezone('UTC', {column}))"
    if granularity == "week":  # weeks start on Sunday, as en_US counts them
        return f"(date_trunc('week', {column} + interval '1 day') - interval '1 day')"
    return f"date_trunc('{granularity}', {column})"


@compiles(period_start, "sqlite")
def _period_start_sqlite(element: period_start, compiler: SQLCompiler, **kw: Any) -> str:
    granularity, column, zone = _period_args(element, compiler, **kw)
    return f"odoo_period('{granularity}', {column}, {zone or 'NULL'})"


def insert(conn: Any, table: Any) -> Any:
    """An INSERT construct of the connection's dialect (for ON CONFLICT upserts on both)."""
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


GRANULARITIES = frozenset({"hour", "day", "week", "month", "quarter", "year"})


def period(granularity: str, column: Any, tz: str | None) -> period_start:
    return period_start(sa.literal(granularity), column, sa.literal(tz, sa.String))


# -- in_values: a list of values as one bind parameter -------------------------------------------

# the array's element type is the column's: PostgreSQL hashes `= ANY` / `<> ALL` of a long array
# only when the operator is the type's own (int4 = int8 falls back to a linear scan per row)
_ITEM_TYPES: dict[str, Any] = {"integer": sa.Integer, "bigint": sa.BigInteger, "text": sa.Text}
_SQL_ITEMS = {"integer": "INTEGER", "bigint": "BIGINT", "text": "TEXT"}
_RANGES = {"integer": 2 ** 31, "bigint": 2 ** 63}


class ValueList(TypeDecorator[list[Any]]):
    """A list of integers or strings as one parameter: an array on PostgreSQL, JSON text on
    SQLite (read back by `json_each`, built into SQLite since 3.38, in Python's since long)."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, item: str = "integer") -> None:
        super().__init__()
        self.item = item

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(_ITEM_TYPES[self.item]()))
        return dialect.type_descriptor(sa.Text())

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        return list(value) if dialect.name == "postgresql" else json.dumps(list(value))


class _member_of(FunctionElement[Any]):  # noqa: N801
    """column IN (the values of one ValueList parameter). Untyped, so that SQLite gets no
    `= 1` appended as it does to boolean expressions."""

    type = sa.types.NullType()
    inherit_cache = True


@compiles(_member_of)
def _member_of_pg(element: _member_of, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = list(element.clauses)
    item = _SQL_ITEMS[getattr(values.type, "item", "text")]
    return f"({compiler.process(column, **kw)} = ANY(CAST({compiler.process(values, **kw)} AS {item}[])))"


@compiles(_member_of, "sqlite")
def _member_of_sqlite(element: _member_of, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = list(element.clauses)
    return f"({compiler.process(column, **kw)} IN (SELECT value FROM json_each({compiler.process(values, **kw)})))"


def item_kind(values: list[Any]) -> str | None:
    """'integer' or 'text' when every value is one (booleans are not integers here), else None:
    the lists `in_values` takes."""
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    if all(isinstance(v, str) for v in values):
        return "text"
    return None


def _kind(column: Any, items: list[Any]) -> str | None:
    """The array's element kind for these values in this column, None when they do not fit it
    (floats, dates, integers for a text column...): those lists are bound value by value."""
    kind = item_kind(items)
    ctype = getattr(column, "type", None)
    if kind is None or isinstance(ctype, sa.types.NullType) or ctype is None:
        return kind
    if kind == "integer" and isinstance(ctype, sa.Integer):
        return "bigint" if isinstance(ctype, sa.BigInteger) else "integer"
    return kind if kind == "text" and isinstance(ctype, sa.String) else None


def _storable(kind: str, items: list[Any]) -> list[Any]:
    """The values a column of that kind can hold: an integer beyond its range is in no row (and
    would not fit in the array)."""
    if kind not in _RANGES:
        return items
    bound = _RANGES[kind]
    return [v for v in items if -bound <= v < bound]


def _bound(column: Any, kind: str, items: list[Any]) -> Any:
    return _member_of(column, sa.bindparam(None, items, type_=ValueList(kind), unique=True))


def in_values(column: Any, values: Iterable[Any]) -> Any:
    """`column IN values` with one bind parameter (False when `values` is empty). Meant for
    integers or strings, never NULL (a NULL column is in no list); other values are bound one
    parameter each, as SQLAlchemy's `in_` does."""
    items = list(values)
    if not items:
        return sa.false()
    kind = _kind(column, items)
    if kind is None:
        return column.in_(items)
    items = _storable(kind, items)
    return _bound(column, kind, items) if items else sa.false()


def in_param(column: Any, name: str) -> Any:
    """`column IN :name` for integer ids given at execution as one list parameter: the shape of
    a statement built once and run many times (the values must fit the column)."""
    return _member_of(column, sa.bindparam(name, type_=ValueList(_kind(column, [0]) or "integer")))


def not_in_values(column: Any, values: Iterable[Any]) -> Any:
    """`column NOT IN values` with one bind parameter, NULL semantics as SQL's: a NULL column
    matches only an empty list."""
    given = list(values)
    if not given:
        return sa.true()
    kind = _kind(column, given)
    if kind is None:
        return column.not_in(given)
    items = _storable(kind, given)
    return sa.not_(_bound(column, kind, items)) if items else column.is_not(None)
