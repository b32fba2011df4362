"""SQLite implementations of the SQL functions the ORM emits (PostgreSQL has its own)."""
from __future__ import annotations

import datetime as dt
from typing import Any


def py_lower(value: Any) -> Any:
    """Unicode-aware lower(), so that `ilike` folds non-ASCII letters as PostgreSQL does."""
    return value.lower() if isinstance(value, str) else value


def pg_float_text(value: Any) -> Any:
    """A float written as PostgreSQL's float8 output does: shortest form, no trailing '.0'."""
    if value is None:
        return None
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def period_start(granularity: str, value: Any) -> Any:
    """date_trunc for read_group on ISO date/datetime strings; weeks start on Sunday (en_US)."""
    if value is None:
        return None
    text = str(value)
    d = dt.date.fromisoformat(text[:10])
    if granularity == "week":
        d -= dt.timedelta(days=d.isoweekday() % 7)
    elif granularity == "month":
        d = d.replace(day=1)
    elif granularity == "quarter":
        d = d.replace(month=3 * ((d.month - 1) // 3) + 1, day=1)
    elif granularity == "year":
        d = d.replace(month=1, day=1)
    return d.isoformat() + (" 00:00:00" if len(text) > 10 else "")
