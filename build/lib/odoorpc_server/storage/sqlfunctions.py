"""SQLite implementations of the SQL functions the ORM emits (PostgreSQL has its own)."""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo


def py_lower(value: Any) -> Any:
    """Unicode-aware lower(), so that `ilike` folds non-ASCII letters as PostgreSQL does."""
    return value.lower() if isinstance(value, str) else value


def pg_float_text(value: Any) -> Any:
    """A float written as PostgreSQL's float8 output does: shortest form, no trailing '.0'."""
    if value is None:
        return None
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def period_start(granularity: str, value: Any, tz: str | None = None) -> Any:
    """date_trunc for read_group on ISO date/datetime strings; weeks start on Sunday (en_US).

    Datetimes are UTC; with a time zone they are truncated in local time, as Odoo does with
    the context's `tz`. The result is local ISO text.
    """
    if value is None:
        return None
    text = str(value)
    if len(text) <= 10:
        return truncate(granularity, dt.datetime.fromisoformat(text[:10])).date().isoformat()
    moment = dt.datetime.fromisoformat(text[:19])
    if tz:
        moment = moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    return truncate(granularity, moment).strftime("%Y-%m-%d %H:%M:%S")


def truncate(granularity: str, moment: dt.datetime) -> dt.datetime:
    if granularity == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if granularity == "week":
        return day - dt.timedelta(days=day.isoweekday() % 7)
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    if granularity == "year":
        return day.replace(month=1, day=1)
    return day
