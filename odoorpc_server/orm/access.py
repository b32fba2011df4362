"""Access control: model access rights (ir.model.access), record rules (ir.rule) and
field groups, evaluated for the user of the call. The superuser (and sudo) bypasses them.

Record rule domains are Python-literal text in Odoo; here they are read with `ast` and only
literals, lists, `+` and a few names (`user`, `company_id`, `company_ids`) are evaluated, so no
client-written text is ever executed.
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from odoorpc_server.exceptions import AccessError
from odoorpc_server.orm.domains import normalize_domain
from odoorpc_server.orm.registry import bump_caches

if TYPE_CHECKING:
    from odoorpc_server.orm.env import Env
    from odoorpc_server.orm.fields import Field
    from odoorpc_server.orm.registry import Model

OPERATIONS = ("read", "write", "create", "unlink")
VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}
RULE_COOKIES = ("If you really, really need access, perhaps you can win over your friendly administrator "
                "with a batch of freshly baked cookies.")


class RuleRecord:
    """What a rule domain may read of a record: its id (and `ids` for a set)."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids
        self.id = ids[0] if ids else False


class RuleUser(RuleRecord):
    """`user` in a rule domain: id, login, partner, company, companies and groups."""

    ATTRIBUTES = ("id", "ids", "login", "partner_id", "company_id", "company_ids", "groups_id", "group_ids")

    def __init__(self, env: Env) -> None:
        super().__init__([env.uid])
        row = env.conn.execute(sa.text(
            "SELECT login, partner_id, company_id FROM res_users WHERE id = :u"), {"u": env.uid}).first()
        self.login = row.login if row else False
        self.partner_id = RuleRecord([row.partner_id] if row and row.partner_id else [])
        self.company_id = RuleRecord([row.company_id] if row and row.company_id else [])
        companies = env.conn.execute(sa.text("SELECT cid FROM res_company_users_rel WHERE user_id = :u ORDER BY cid"),
                                     {"u": env.uid}).scalars().all()
        self.company_ids = RuleRecord(list(companies) or self.company_id.ids)
        self.groups_id = RuleRecord(sorted(user_groups(env)))
        self.group_ids = self.groups_id  # Odoo 19's name


def eval_rule_domain(text: str | None, env: Env) -> list[Any]:
    """Evaluate a rule's domain text without executing it."""
    if not text or not text.strip():
        return []
    user = RuleUser(env)
    names = {"user": user, "company_id": user.company_id.id, "company_ids": user.company_ids.ids,
             "True": True, "False": False, "None": None}

    def value(node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [value(n) for n in node.elts]
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        if isinstance(node, ast.Attribute) and node.attr in RuleUser.ATTRIBUTES:
            base = value(node.value)
            if isinstance(base, RuleRecord):
                return getattr(base, node.attr)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return value(node.left) + value(node.right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -value(node.operand)
        raise ValueError(f"Unsupported expression in record rule domain: {ast.unparse(node)!r}")

    result = value(ast.parse(text, mode="eval").body)
    if not isinstance(result, list):
        raise ValueError(f"A record rule domain must be a list, not {text!r}")
    return result


def cache(env: Env, name: str) -> dict[Any, Any]:
    """Security data cached per process until access rights, rules or groups change anywhere."""
    store = env.shared.get("security")
    if store is None:
        store = env.shared["security"] = {}
    return store.setdefault(name, {})  # type: ignore[no-any-return]


def invalidate(env: Env) -> None:
    """Security data changed in this call: signal every process, start afresh for this call."""
    bump_caches(env.conn)
    env.shared["security"] = {}


def user_groups(env: Env) -> frozenset[int]:
    """The user's groups, implied groups included."""
    cache_ = cache(env, "groups")
    if env.uid not in cache_:
        groups = set(env.conn.execute(sa.text("SELECT gid FROM res_groups_users_rel WHERE uid = :u"),
                                      {"u": env.uid}).scalars())
        implied = env.conn.execute(sa.text("SELECT gid, hid FROM res_groups_implied_rel")).all()
        changed = True
        while changed:
            extra = {hid for gid, hid in implied if gid in groups} - groups
            groups |= extra
            changed = bool(extra)
        cache_[env.uid] = frozenset(groups)
    return cache_[env.uid]  # type: ignore[no-any-return]


def has_group(env: Env, xmlid: str) -> bool:
    module, _, name = xmlid.partition(".")
    gid = env.conn.execute(sa.text("SELECT res_id FROM ir_model_data WHERE module = :m AND name = :n "
                                   "AND model = 'res.groups'"), {"m": module, "n": name}).scalar()
    return gid is not None and gid in user_groups(env)


def _access_rows(env: Env, model: Model, operation: str) -> list[Any]:
    access = env.registry["ir.model.access"].table
    groups = env.registry["res.groups"].table
    return list(env.conn.execute(
        sa.select(access.c.group_id, groups.c.name).select_from(
            access.outerjoin(groups, groups.c.id == access.c.group_id))
        .where(access.c.model_id == model.id, access.c.active == sa.true(), access.c[f"perm_{operation}"] == sa.true())
    ).all())


def check_model(env: Env, model: Model, operation: str, raise_exception: bool = True) -> bool:
    """Model access rights: some active ir.model.access row grants the operation to the user."""
    if operation not in OPERATIONS:
        raise ValueError(f"Invalid access mode: {operation!r}")
    if env.su or "ir.model.access" not in env.registry:
        return True
    acl = cache(env, "acl")
    key = (env.uid, model.name, operation)
    if key not in acl:
        rows = _access_rows(env, model, operation)
        groups = user_groups(env)
        acl[key] = (any(r.group_id is None or r.group_id in groups for r in rows),
                    sorted({r.name for r in rows if r.group_id is not None}))
    allowed, names = acl[key]
    if allowed or not raise_exception:
        return bool(allowed)
    allowed_by = ("This operation is allowed for the following groups:\n" + "\n".join(f"\t- {n}" for n in names)
                  if names else "No group currently allows this operation.")
    raise AccessError(f"You are not allowed to {VERBS[operation]} '{model.description}' ({model.name}) records.\n\n"
                      f"{allowed_by}\n\nContact your administrator to request access if necessary.")


def rules(env: Env, model: Model, operation: str) -> list[tuple[str, list[Any], bool]]:
    """Active rules of `model` for `operation` that apply to the user: (name, domain, global)."""
    if env.su or "ir.rule" not in env.registry:
        return []
    found_rules = cache(env, "rules")
    key = (env.uid, model.name, operation)
    if key not in found_rules:
        rule = env.registry["ir.rule"].table
        rows = env.conn.execute(sa.select(rule.c.id, rule.c.name, rule.c.domain_force).where(
            rule.c.model_id == model.id, rule.c.active == sa.true(), rule.c[f"perm_{operation}"] == sa.true())).all()
        rule_groups: dict[int, set[int]] = {}
        if rows:
            for rid, gid in env.conn.execute(sa.text("SELECT rule_group_id, group_id FROM rule_group_rel")):
                rule_groups.setdefault(rid, set()).add(gid)
        groups = user_groups(env)
        found = []
        for r in rows:
            members = rule_groups.get(r.id, set())
            if not members or members & groups:
                found.append((r.name or f"rule {r.id}", eval_rule_domain(r.domain_force, env), not members))
        found_rules[key] = found
    return found_rules[key]  # type: ignore[no-any-return]


def rule_domain(env: Env, model: Model, operation: str) -> list[Any] | None:
    """Global rules AND-ed, group rules OR-ed together, then AND-ed with the global ones."""
    found = rules(env, model, operation)
    if not found:
        return None
    glob = [d or [(1, "=", 1)] for _, d, is_global in found if is_global]
    group = [d or [(1, "=", 1)] for _, d, is_global in found if not is_global]
    parts = list(glob)
    if group:
        ors: list[Any] = ["|"] * (len(group) - 1)
        for d in group:
            ors += normalize_domain(d)
        parts.append(ors)
    out: list[Any] = ["&"] * (len(parts) - 1)
    for d in parts:
        out += normalize_domain(d)
    return out


def rule_error(env: Env, model: Model, operation: str, ids: list[int]) -> AccessError:
    name = env.conn.execute(sa.text("SELECT name FROM res_users WHERE id = :u"), {"u": env.uid}).scalar() or ""
    text = ("Uh-oh! Looks like you have stumbled upon some top-secret records.\n\n"
            f"Sorry, {name} (id={env.uid}) doesn't have '{operation}' access to:\n")
    if has_group(env, "base.group_no_one"):
        text += "\n".join(f"- {model.description} ({model.name}: {i})" for i in ids[:10])
        blame = "\n".join(f"- {n}" for n, _, _ in rules(env, model, operation))
        text += f"\n\nBlame the following rules:\n{blame}"
    else:
        text += f"- {model.description} ({model.name})"
    return AccessError(f"{text}\n\n{RULE_COOKIES}")


def check_field(env: Env, model: Model, fld: Field, operation: str = "read") -> None:
    if not readable_field(env, fld):
        raise AccessError(f'You do not have enough rights to access the fields "{fld.name}" on {model.description} '
                          f"({model.name}). Please contact your system administrator.\n\n(Operation: {operation})")


def readable_field(env: Env, fld: Field) -> bool:
    return env.su or not fld.group_ids or bool(fld.group_ids & user_groups(env))
