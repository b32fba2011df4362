"""The x2many command protocol (0 create … 6 set) in create and write."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from odoorpc_server.orm.fields import Field, check_int32

if TYPE_CHECKING:
    from odoorpc_server.orm.records import Records

CREATE, UPDATE, DELETE, UNLINK, LINK, CLEAR, SET = range(7)


def normalize(fld: Field, value: Any) -> list[tuple[int, Any, Any]]:
    """Odoo's accepted x2many write values, turned into a list of full commands."""
    if value is None or value is False:
        return [(CLEAR, 0, 0)]
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"Wrong value for {fld.model}.{fld.name}: {value!r}")
    if not value:
        return []
    if not isinstance(value[0], (list, tuple)):
        return normalize(fld, [(SET, 0, list(value))])
    out = []
    for cmd in value:
        if not isinstance(cmd, (list, tuple)) or not cmd or isinstance(cmd[0], bool) or cmd[0] not in range(7):
            raise ValueError(f"Invalid command {cmd!r} for field {fld.model}.{fld.name}")
        code = cmd[0]
        arg1 = cmd[1] if len(cmd) > 1 else 0
        arg2 = cmd[2] if len(cmd) > 2 else 0
        if code in (UPDATE, DELETE, UNLINK, LINK):
            if isinstance(arg1, bool) or not isinstance(arg1, int):
                raise ValueError(f"Invalid command {list(cmd)!r} for field {fld.model}.{fld.name}: "
                                 "expected a record id")
            check_int32(arg1)
        if code in (CREATE, UPDATE) and not isinstance(arg2, dict):
            raise ValueError(f"Invalid command {list(cmd)!r} for field {fld.model}.{fld.name}: expected values")
        if code == SET:
            if not isinstance(arg2, (list, tuple)) or any(isinstance(i, bool) or not isinstance(i, int) for i in arg2):
                raise ValueError(f"Invalid command {list(cmd)!r} for field {fld.model}.{fld.name}: expected ids")
            for i in arg2:
                check_int32(i)
        out.append((code, arg1, arg2))
    return out


def as_default(cmds: list[tuple[int, Any, Any]]) -> list[list[Any]]:
    return [list(c) for c in cmds]


def apply(rec: Records, fld: Field, ids: list[int], cmds: list[tuple[int, Any, Any]]) -> None:
    if fld.type == "one2many":
        _apply_o2m(rec, fld, ids, cmds)
    else:
        _apply_m2m(rec, fld, ids, cmds)


def _apply_o2m(rec: Records, fld: Field, ids: list[int], cmds: list[tuple[int, Any, Any]]) -> None:
    comodel = rec.other(fld.relation or "")
    inverse = fld.relation_field or ""
    cascade = comodel.model.fields[inverse].on_delete == "cascade"
    col = comodel.table.c[inverse]

    def detach(line_ids: list[int]) -> None:
        if not line_ids:
            return
        if cascade:
            comodel.unlink(line_ids)
        else:
            comodel.write(line_ids, {inverse: False})

    for rid in ids:
        for code, arg1, arg2 in cmds:
            if code == CREATE:
                comodel.create({**arg2, inverse: rid})
            elif code == UPDATE:
                comodel.write([arg1], arg2)
            elif code == DELETE:
                comodel.unlink([arg1])
            elif code == UNLINK:
                detach(comodel._existing([arg1]))
            elif code == LINK:
                comodel.write([arg1], {inverse: rid})
            elif code == CLEAR:
                detach(list(rec.conn.execute(sa.select(comodel.table.c.id).where(col == rid)).scalars()))
            elif code == SET:
                current = set(rec.conn.execute(sa.select(comodel.table.c.id).where(col == rid)).scalars())
                wanted = [i for i in arg2 if i]
                detach(sorted(current - set(wanted)))
                if wanted:
                    comodel.write(wanted, {inverse: rid})


def _apply_m2m(rec: Records, fld: Field, ids: list[int], cmds: list[tuple[int, Any, Any]]) -> None:
    comodel = rec.other(fld.relation or "")
    rel = rec.model.relations[fld.name]
    _, c1, c2 = rec.env.registry.m2m_spec(fld)
    conn = rec.conn

    def linked(rid: int) -> set[int]:
        return set(conn.execute(sa.select(rel.c[c2]).where(rel.c[c1] == rid)).scalars())

    def link(rid: int, targets: list[int]) -> None:
        targets = [t for t in dict.fromkeys(targets) if t not in linked(rid)]
        if not targets:
            return
        comodel._check_exist(targets)
        conn.execute(sa.insert(rel), [{c1: rid, c2: t} for t in targets])

    for rid in ids:
        for code, arg1, arg2 in cmds:
            if code == CREATE:
                link(rid, [comodel.create(arg2)])
            elif code == UPDATE:
                comodel.write([arg1], arg2)
            elif code == DELETE:
                comodel.unlink([arg1])
            elif code == UNLINK:
                conn.execute(sa.delete(rel).where(rel.c[c1] == rid, rel.c[c2] == arg1))
            elif code == LINK:
                link(rid, [arg1])
            elif code == CLEAR:
                conn.execute(sa.delete(rel).where(rel.c[c1] == rid))
            elif code == SET:
                conn.execute(sa.delete(rel).where(rel.c[c1] == rid))
                link(rid, [i for i in arg2 if i])
