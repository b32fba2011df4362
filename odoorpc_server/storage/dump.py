"""Portable database dumps: a zip that a server on either backend writes and reads.

Layout (ours; Odoo's zip holds a pg_dump `dump.sql`, which SQLite cannot read):

    manifest.json            {"odoo_dump": "1", "format": "odoorpc-server-tables", "format_version": 1,
                              "db_name", "version", "revision" (metadata schema), "tables": {name: rows}}
    tables/<table>.jsonl     first line: the column names; then one JSON array per row

Values are JSON scalars; dates and datetimes are ISO text (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`),
as SQLite stores them and PostgreSQL prints them. Reading an archive is hostile-input work: size
limits on the archive, on every member and on the whole (counted while inflating, never taken
from the headers), only the member names above, and every table, column and value checked
against the schema of the database being restored before a row is written.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

FORMAT = "odoorpc-server-tables"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# the server's own bookkeeping, rebuilt by the migrations or meaningless elsewhere: sessions and
# login failures belong to the database they were made on
SKIPPED = frozenset({"odoorpc_alembic_version", "odoorpc_signal", "odoorpc_login_failures", "odoorpc_web_sessions",
                     # the OAuth server key (every OAuth secret derives from it) and the nonces seen
                     "odoorpc_oauth_keys", "odoorpc_oauth_nonces",
                     # the databases a demo server's /start made (services.demo)
                     "odoorpc_demo_databases"})
TABLE_MEMBER = re.compile(r"^tables/([a-z_][a-z0-9_]{0,62})\.jsonl$")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

MAX_ARCHIVE = 64 * 1024 * 1024        # bytes of zip
MAX_MEMBER = 256 * 1024 * 1024        # bytes of one inflated member
MAX_TOTAL = 512 * 1024 * 1024         # bytes of all inflated members
MAX_MEMBERS = 5000
MAX_RATIO = 200                       # inflated / compressed size of a member above RATIO_FLOOR
RATIO_FLOOR = 8 * 1024 * 1024
CHUNK = 1024 * 1024
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


class DumpError(Exception):
    """The archive cannot be restored: the reason, for the client."""


@dataclass
class Archive:
    manifest: dict[str, Any]
    tables: dict[str, tuple[list[str], list[list[Any]]]] = field(default_factory=dict)


# -- writing ------------------------------------------------------------------------------------

def write(conn: Connection, db_name: str, version: str, revision: str) -> bytes:
    """The zip of every table of the database (but SKIPPED), rows in primary-key order."""
    inspector = sa.inspect(conn)
    names = sorted(t for t in inspector.get_table_names() if t not in SKIPPED)
    buffer = io.BytesIO()
    counts: dict[str, int] = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            reflected = inspector.get_columns(name)
            columns = [c["name"] for c in reflected]
            booleans = [_python_type(c["type"]) is bool for c in reflected]
            keys = inspector.get_pk_constraint(name).get("constrained_columns") or columns
            table = sa.table(name, *(sa.column(c) for c in columns))
            query = sa.select(*table.c).order_by(*(table.c[k] for k in keys))
            lines = [json.dumps(columns)]
            for row in conn.execute(query):
                values = [bool(v) if b and v is not None else portable(v) for v, b in zip(row, booleans, strict=True)]
                lines.append(json.dumps(values, ensure_ascii=False, allow_nan=False))
            counts[name] = len(lines) - 1
            archive.writestr(f"tables/{name}.jsonl", "\n".join(lines) + "\n")
        manifest = {"odoo_dump": "1", "format": FORMAT, "format_version": FORMAT_VERSION, "db_name": db_name,
                    "version": version, "revision": revision, "tables": counts}
        archive.writestr(MANIFEST, json.dumps(manifest, indent=4))
    return buffer.getvalue()


def _python_type(sa_type: Any) -> Any:
    try:
        return sa_type.python_type
    except NotImplementedError:
        return None


def portable(value: Any) -> Any:
    """A column value as the archive holds it."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).decode("utf-8")
    return value


# -- reading ------------------------------------------------------------------------------------

def read(data: bytes) -> Archive:
    """Parse and check an archive completely, before anything is created from it."""
    if len(data) > MAX_ARCHIVE:
        raise DumpError(f"the archive is larger than {MAX_ARCHIVE} bytes")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise DumpError("the data is not a zip archive") from None
    with archive:
        members = _members(archive)
        if MANIFEST not in members:
            raise DumpError("the archive has no manifest.json")
        budget = [MAX_TOTAL]
        manifest = _manifest(_inflate(archive, members[MANIFEST], budget))
        result = Archive(manifest)
        for name, info in members.items():
            found = TABLE_MEMBER.match(name)
            if found:
                result.tables[found.group(1)] = _table(name, _inflate(archive, info, budget))
    expected = manifest["tables"]
    if set(expected) != set(result.tables):
        raise DumpError("the manifest's tables are not the archive's tables")
    for name, (_columns, rows) in result.tables.items():
        if expected[name] != len(rows):
            raise DumpError(f"table {name!r}: the manifest announces {expected[name]} rows, the archive holds "
                            f"{len(rows)}")
    return result


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise DumpError(f"the archive has more than {MAX_MEMBERS} members")
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        if name != MANIFEST and not TABLE_MEMBER.match(name):
            raise DumpError(f"unexpected member {name[:200]!r} in the archive")
        if name in members:
            raise DumpError(f"member {name!r} appears twice in the archive")
        if info.flag_bits & 0x1:
            raise DumpError(f"member {name!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise DumpError(f"member {name!r} uses an unsupported compression")
        members[name] = info
    return members


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> str:
    """A member's text, inflated chunk by chunk within the limits whatever its header says."""
    limit = min(MAX_MEMBER, budget[0], max(RATIO_FLOOR, info.compress_size * MAX_RATIO))
    parts: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise DumpError(f"member {info.filename!r} inflates beyond the size limits")
                parts.append(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        raise DumpError(f"member {info.filename!r} is damaged ({error})") from None
    budget[0] -= size
    try:
        return b"".join(parts).decode("utf-8")
    except UnicodeDecodeError:
        raise DumpError(f"member {info.filename!r} is not UTF-8 text") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise DumpError(f"{where} is not valid JSON") from None


def _manifest(text: str) -> dict[str, Any]:
    manifest = _json(text, MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise DumpError(f"manifest.json does not describe an {FORMAT} dump")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise DumpError(f"unsupported dump format version {manifest.get('format_version')!r}")
    tables = manifest.get("tables")
    if not isinstance(manifest.get("revision"), str) or not isinstance(tables, dict) or not all(
            isinstance(k, str) and type(v) is int and v >= 0 for k, v in tables.items()):
        raise DumpError("manifest.json lacks its revision or its table counts")
    return manifest


def _table(member: str, text: str) -> tuple[list[str], list[list[Any]]]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise DumpError(f"{member} has no column line")
    columns = _json(lines[0], f"{member} line 1")
    if not isinstance(columns, list) or not columns or not all(
            isinstance(c, str) and IDENTIFIER.match(c) for c in columns) or len(set(columns)) != len(columns):
        raise DumpError(f"{member} line 1 is not a list of column names")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        row = _json(line, f"{member} line {number}")
        if not isinstance(row, list) or len(row) != len(columns):
            raise DumpError(f"{member} line {number} does not hold {len(columns)} values")
        if not all(v is None or isinstance(v, (bool, int, float, str)) for v in row):
            raise DumpError(f"{member} line {number} holds a value that is not a scalar")
        rows.append(row)
    return columns, rows


# -- restoring ----------------------------------------------------------------------------------

def load(conn: Connection, archive: Archive, tables: Iterable[str]) -> None:
    """Insert the archive's rows of `tables` into the existing tables of the same names,
    every column and value checked against the target's schema first (rows the migrations
    wrote into a table are replaced by the archive's)."""
    inspector = sa.inspect(conn)
    present = set(inspector.get_table_names())
    for name in tables:
        if name in SKIPPED or name not in present:
            raise DumpError(f"unknown table {name!r}")
        columns, rows = archive.tables[name]
        types = {c["name"]: c["type"] for c in inspector.get_columns(name)}
        unknown = [c for c in columns if c not in types]
        if unknown:
            raise DumpError(f"unknown column {name}.{unknown[0]}")
        kinds = [_kind(types[c], f"{name}.{c}") for c in columns]
        values = [{c: _coerce(v, k, name, c) for c, v, k in zip(columns, row, kinds, strict=True)} for row in rows]
        table = sa.table(name, *(sa.column(c) for c in columns))
        conn.execute(sa.delete(table))
        for batch in _batches(values, 1000):
            conn.execute(sa.insert(table), batch)


def _batches(values: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _kind(sa_type: Any, where: str) -> tuple[type, bool]:
    """(Python type, 32-bit integer) of a reflected column type."""
    python = _python_type(sa_type)
    if python not in (int, float, bool, str, dt.date, dt.datetime):
        raise DumpError(f"column {where} has a type dumps do not carry")
    return python, python is int and not isinstance(sa_type, sa.BigInteger)


def _coerce(value: Any, kind: tuple[type, bool], table: str, column: str) -> Any:
    python, int32 = kind
    if value is None:
        return None
    wrong = DumpError(f"wrong type for {table}.{column}: {type(value).__name__} {str(value)[:60]!r}")
    if python is bool:
        if not isinstance(value, bool):
            raise wrong
        return value
    if python is int:
        low, high = INT32 if int32 else INT64
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise wrong
        return value
    if python is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise wrong
        return float(value)
    if not isinstance(value, str):
        raise wrong
    if python is dt.datetime:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            raise wrong from None
    if python is dt.date:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise wrong from None
    return value


def reset_sequences(conn: Connection, tables: Iterable[str]) -> None:
    """PostgreSQL: each restored table's id sequence continues after its largest id (SQLite's
    AUTOINCREMENT counter follows explicit ids by itself)."""
    if conn.dialect.name != "postgresql":
        return
    prep = conn.dialect.identifier_preparer
    inspector = sa.inspect(conn)
    for name in tables:
        if "id" not in {c["name"] for c in inspector.get_columns(name)}:
            continue
        sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"),
                                {"t": prep.quote(name)}).scalar()
        if sequence:
            top = conn.execute(sa.text(f"SELECT max(id) FROM {prep.quote(name)}")).scalar()
            conn.execute(sa.text("SELECT setval(:s, :v, :called)"),
                         {"s": sequence, "v": top or 1, "called": top is not None})
