"""read_group: Odoo 17's grouped reads (groupby specs with date granularity, aggregates,
lazy mode, orderby over groups and aggregates, __count / <field>_count, __domain, __range)."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from odoorpc_server.exceptions import UnknownField, UserError
from odoorpc_server.orm.fields import DATE_FMT, DATETIME_FMT, Field
from odoorpc_server.orm.order import OrderBuilder
from odoorpc_server.storage.types import period

if TYPE_CHECKING:
    from odoorpc_server.orm.reading import Reading

GRANULARITIES = ("day", "week", "month", "quarter", "year")
DATETIME_GRANULARITIES = ("hour", *GRANULARITIES)
AGGREGATES = ("sum", "avg", "min", "max", "count", "count_distinct", "bool_and", "bool_or")
FIELD_AGG = re.compile(r"^(\w+)(?::(\w+)(?:\((\w+)\))?)?$")
ORDER_TERM = re.compile(r"^\s*([\w:]+)(?:\s+(asc|desc))?\s*$", re.I)


@dataclass
class GroupSpec:
    spec: str
    field: Field
    granularity: str | None

    @property
    def temporal(self) -> bool:
        return self.field.type in ("date", "datetime")


def parse_groupby(rec: Reading, spec: Any) -> GroupSpec:
    if not isinstance(spec, str):
        raise ValueError(f"Invalid groupby {spec!r}")
    fname, _, gran = spec.partition(":")
    fld = rec.model.fields.get(fname)
    if fld is None:
        raise UnknownField(rec.model.name, fname)
    if not fld.column:
        raise ValueError(f"Field {fname!r} on model {rec.model.name!r} cannot be grouped (not stored)")
    if fld.type in ("date", "datetime"):
        gran = gran or "month"
        if gran not in (DATETIME_GRANULARITIES if fld.type == "datetime" else GRANULARITIES):
            raise ValueError(f"Invalid granularity {gran!r} in groupby {spec!r}")
        return GroupSpec(spec, fld, gran)
    if gran:
        raise ValueError(f"Granularity {gran!r} applies to date fields only ({spec!r})")
    return GroupSpec(spec, fld, None)


def parse_aggregates(rec: Reading, fields: Any, groupby: list[GroupSpec]) -> list[tuple[str, str, Field]]:
    grouped = {g.field.name for g in groupby}
    out: list[tuple[str, str, Field]] = []
    for fspec in fields or []:
        if fspec == "__count":
            continue
        match = FIELD_AGG.match(fspec) if isinstance(fspec, str) else None
        if not match:
            raise UserError(f"Invalid field specification {fspec!r}.")
        name, func, fname = match.groups()
        if func:
            fname = fname or name
            fld = rec.model.fields.get(fname)
            if fld is None:
                raise UnknownField(rec.model.name, fname)
            if not fld.column:
                raise UserError(f"Cannot aggregate field {fname!r}.")
            if func not in AGGREGATES:
                raise UserError(f"Invalid aggregation function {func!r}.")
        else:
            fld = rec.model.fields.get(name)
            if fld is None:
                raise UnknownField(rec.model.name, name)
            func = "sum" if fld.type in ("integer", "float", "monetary") and fld.name not in ("id", "sequence") \
                else None
            if not fld.column or func is None or name in grouped:
                continue
        out.append((name, func, fld))
    return out


def aggregate_sql(func: str, col: Any) -> Any:
    if func == "count":
        return sa.func.count(col)
    if func == "count_distinct":
        return sa.func.count(sa.distinct(col))
    if func == "bool_and":
        return sa.func.min(sa.case((col == sa.true(), 1), else_=0))
    if func == "bool_or":
        return sa.func.max(sa.case((col == sa.true(), 1), else_=0))
    return getattr(sa.func, func)(col)


def context_zone(rec: Reading) -> ZoneInfo | None:
    """The context's time zone, in which Odoo groups datetimes (UTC without one)."""
    tz = rec.env.context.get("tz")
    if not tz or not isinstance(tz, str):
        return None
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def truncated(rec: Reading, g: GroupSpec, col: Any, zone: ZoneInfo | None) -> Any:
    """The start of the period a date/datetime falls in (weeks start on Sunday, as en_US)."""
    tz = zone.key if zone and g.field.type == "datetime" else None
    return period(g.granularity or "month", col, tz)


def period_end(granularity: str, start: dt.datetime) -> dt.datetime:
    if granularity == "hour":
        return start + dt.timedelta(hours=1)
    if granularity == "day":
        return start + dt.timedelta(days=1)
    if granularity == "week":
        return start + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[granularity]
    month = start.month - 1 + months
    return dt.datetime(start.year + month // 12, month % 12 + 1, 1)


def week_label(start: dt.datetime | dt.date) -> str:
    """en_US week numbering: weeks start on Sunday, week 1 holds January 1st."""
    start = start.date() if isinstance(start, dt.datetime) else start
    year = (start + dt.timedelta(days=6)).year
    jan1 = dt.date(year, 1, 1)
    first = jan1 - dt.timedelta(days=jan1.isoweekday() % 7)
    if start < first:
        year -= 1
        jan1 = dt.date(year, 1, 1)
        first = jan1 - dt.timedelta(days=jan1.isoweekday() % 7)
    return f"W{(start - first).days // 7 + 1} {year}"


def utc(local: dt.datetime, zone: ZoneInfo | None) -> dt.datetime:
    """A local period bound back in UTC, as ranges and domains speak UTC."""
    if zone is None:
        return local
    return local.replace(tzinfo=zone).astimezone(dt.UTC).replace(tzinfo=None)


def label(granularity: str, start: dt.datetime) -> str:
    if granularity == "hour":  # Odoo's 'hh:00 dd MMM': a 12-hour clock
        return f"{start:%I}:00 {start.day:02d} {calendar.month_abbr[start.month]}"
    if granularity == "day":
        return f"{start.day:02d} {calendar.month_abbr[start.month]} {start.year}"
    if granularity == "week":
        return week_label(start)
    if granularity == "month":
        return f"{calendar.month_name[start.month]} {start.year}"
    if granularity == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return str(start.year)


def read_group(rec: Reading, domain: Any, fields: Any, groupby: Any, offset: int = 0, limit: int | None = None,
               orderby: Any = False, lazy: bool = True) -> list[dict[str, Any]]:
    all_groupby = [groupby] if isinstance(groupby, str) else list(groupby or [])
    used = all_groupby[:1] if lazy else all_groupby
    specs = [parse_groupby(rec, g) for g in used]
    aggregates = parse_aggregates(rec, fields, specs)
    table = rec.table
    zone = context_zone(rec)
    where = rec.env.compiler.where(rec.model, domain or [])

    group_cols: list[Any] = []
    for g in specs:
        col: Any = table.c[g.field.name]
        if g.temporal:
            col = truncated(rec, g, col, zone)
        elif g.field.type == "boolean":
            col = sa.func.coalesce(col, sa.false())
        group_cols.append(col.label(f"g{len(group_cols)}"))
    agg_cols = [aggregate_sql(func, table.c[fld.name]).label(f"a{i}") for i, (_, func, fld) in enumerate(aggregates)]
    count = sa.func.count().label("n")
    query = sa.select(*group_cols, count, *agg_cols).where(where)
    if group_cols:
        query = query.group_by(*(c.element for c in group_cols))
    query = _order(rec, query, specs, aggregates, group_cols, agg_cols, count, orderby)
    if offset:
        query = query.offset(int(offset))
    if limit:
        query = query.limit(int(limit))
    rows = list(rec.conn.execute(query).all())
    return _format(rec, rows, specs, aggregates, all_groupby, lazy, domain or [], zone)


def _order(rec: Reading, query: Any, specs: list[GroupSpec], aggregates: list[tuple[str, str, Field]],
           group_cols: list[Any], agg_cols: list[Any], count: Any, orderby: Any) -> Any:
    terms: list[Any] = []
    done: set[int] = set()

    def direction(expr: Any, desc: bool) -> Any:
        term = expr.desc() if desc else expr.asc()
        return term.nulls_first() if desc else term.nulls_last()  # PostgreSQL's defaults, written out

    def by_group(i: int, desc: bool) -> None:
        g = specs[i]
        done.add(i)
        if g.field.type == "many2one":
            comodel = rec.env.registry.comodel(g.field)
            builder = OrderBuilder(rec.env.registry)
            alias = comodel.table.alias()
            col = rec.table.c[g.field.name]
            if comodel.order != "id":
                nonlocal_joins.append((alias, alias.c.id == col))
                builder.add(comodel, alias, comodel.order, reverse=desc, top=False)
                terms.extend(builder.terms)
                return
            terms.append(direction(col, desc))
            return
        terms.append(direction(group_cols[i].element, desc))

    nonlocal_joins: list[Any] = []
    if orderby:
        if not isinstance(orderby, str):
            raise ValueError(f"Invalid orderby {orderby!r}")
        for part in orderby.split(","):
            m = ORDER_TERM.match(part)
            if not m:
                raise ValueError(f"Order term {part.strip()!r} is not a valid aggregate nor valid groupby")
            name, desc = m.group(1), (m.group(2) or "asc").lower() == "desc"
            if name == "__count":
                terms.append(direction(count, desc))
                continue
            # a field name orders every groupby on that field (`x_day desc` for x_day:year, x_day:week)
            matches = [i for i, g in enumerate(specs) if name in (g.spec, g.field.name) and i not in done]
            if matches:
                for index in matches:
                    by_group(index, desc)
                continue
            agg = next((i for i, (n, f, fld) in enumerate(aggregates) if name in (n, f"{fld.name}:{f}")), None)
            if agg is not None:
                terms.append(direction(agg_cols[agg].element, desc))
                continue
            raise ValueError(f"Order term {part.strip()!r} is not a valid aggregate nor valid groupby")
    for i in range(len(specs)):
        if i not in done:
            by_group(i, False)
    if nonlocal_joins:
        source: Any = rec.table
        for alias, cond in nonlocal_joins:
            source = source.outerjoin(alias, cond)
        query = query.select_from(source).group_by(*(j[0].c.id for j in nonlocal_joins))
        # the comodel's order columns must be grouped too
        query = query.group_by(*(t.element.element if hasattr(t.element, "element") else t.element
                                 for t in terms if _is_alias_column(t, nonlocal_joins)))
    return query.order_by(*terms)


def _is_alias_column(term: Any, joins: list[Any]) -> bool:
    expr = term
    while hasattr(expr, "element") and not isinstance(expr, sa.Column):
        expr = expr.element
    return getattr(expr, "table", None) in [j[0] for j in joins]


def _format(rec: Reading, rows: list[Any], specs: list[GroupSpec], aggregates: list[tuple[str, str, Field]],
            all_groupby: list[str], lazy: bool, domain: list[Any], zone: ZoneInfo | None) -> list[dict[str, Any]]:
    count_key = f"{specs[0].field.name}_count" if lazy and len(specs) == 1 else "__count"
    m2o_ids: dict[str, set[int]] = {}
    for g_index, g in enumerate(specs):
        if g.field.type == "many2one":
            m2o_ids.setdefault(g.field.relation or "", set()).update(r[g_index] for r in rows if r[g_index])
    names = {model: rec.other(model)._display_names(sorted(ids)) for model, ids in m2o_ids.items() if ids}
    out = []
    for row in rows:
        group: dict[str, Any] = {}
        ranges: dict[str, Any] = {}
        leaves: list[Any] = []  # a domain per group, or the key whose value makes its condition
        for i, g in enumerate(specs):
            value = row[i]
            fname = g.field.name
            if g.temporal:
                if value is None:
                    group[g.spec] = False
                    ranges[g.spec] = False
                    leaves.append([(fname, "=", False)])
                    continue
                if isinstance(value, dt.datetime):
                    start = value.replace(tzinfo=None)
                elif isinstance(value, dt.date):
                    start = dt.datetime.combine(value, dt.time.min)
                else:
                    start = dt.datetime.fromisoformat(str(value)[:19])
                granularity = g.granularity or "month"
                end = period_end(granularity, start)
                group[g.spec] = label(granularity, start)
                if g.field.type == "datetime":
                    lo, hi = (utc(d, zone).strftime(DATETIME_FMT) for d in (start, end))
                else:
                    lo, hi = start.strftime(DATE_FMT), end.strftime(DATE_FMT)
                ranges[g.spec] = {"from": lo, "to": hi}
                leaves.append(["&", (fname, ">=", lo), (fname, "<", hi)])
            elif g.field.type == "many2one":
                group[g.spec] = [value, names.get(g.field.relation or "", {}).get(value, False)] if value else False
                leaves.append(g.spec)
            else:
                read = g.field.type != "boolean" and value is None
                group[g.spec] = False if read else (bool(value) if g.field.type == "boolean" else value)
                leaves.append(g.spec)
        group[count_key] = row.n
        for j, (name, func, fld) in enumerate(aggregates):
            value = row[len(specs) + 1 + j]
            if func in ("bool_and", "bool_or") and value is not None:
                value = bool(value)
            elif value is not None and func == "avg":
                value = float(value)
            elif value is not None and fld.type in ("float", "monetary") and func in ("sum", "min", "max"):
                value = float(value)
            group[name] = False if value is None else value
        # a group's condition comes from the value under its key, which an aggregate of the same
        # field replaces (`color:sum` grouped by `color`): Odoo then builds the domain from the sum
        leaves = [leaf if isinstance(leaf, list) else [(leaf, "=", _domain_value(group[leaf]))] for leaf in leaves]
        if lazy and len(all_groupby) > 1:
            group["__context"] = {"group_by": all_groupby[1:]}
        if any(g.temporal for g in specs):
            group["__range"] = ranges
        full: list[Any] = list(domain) if domain else []
        for leaf in leaves:
            full = ["&", *full, *leaf] if full else list(leaf)
        group["__domain"] = full
        out.append(group)
    return out


def _domain_value(value: Any) -> Any:
    """A group value as a domain operand: a many2one group `[id, name]` is its id."""
    return value[0] if isinstance(value, list) and value else value
