"""res.users: logins, hashed passwords, the fields users may change on their own record."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import AccessDenied, UserError, ValidationError
from odoorpc_server.models.identity import check_identity
from odoorpc_server.orm import api, classes
from odoorpc_server.orm.env import Env
from odoorpc_server.orm.models import BaseModel, normalize_ids
from odoorpc_server.orm.registry import Model
from odoorpc_server.security import DEFAULT_ROUNDS, hash_password
from odoorpc_server.storage.types import not_in_values

SELF_WRITEABLE = frozenset({"signature", "action_id", "company_id", "email", "name", "image_1920", "lang", "tz"})


def xmlid_res_id(env: Env, xmlid: str) -> int | None:
    module, _, name = xmlid.partition(".")
    found = env.conn.execute(sa.text("SELECT res_id FROM ir_model_data WHERE module = :m AND name = :n"),
                             {"m": module, "n": name}).scalar()
    return int(found) if found is not None else None


def groups_field(model: Model) -> str:
    """The name of res.users' groups field in this database: `group_ids` from Odoo 19,
    `groups_id` before (the database was created for one version)."""
    return "group_ids" if "group_ids" in model.fields else "groups_id"


@classes.register("res.users")
class Users(BaseModel):
    SELF_WRITEABLE = SELF_WRITEABLE
    SECURITY_FIELDS = frozenset({"groups_id", "group_ids", "company_id", "company_ids", "active", "login",
                                 "partner_id"})

    @api.model(readonly=True)
    def context_get(self) -> dict[str, Any]:
        """The caller's context as Odoo builds it at login: lang (en_US when unset), tz and uid;
        client libraries (odoorpc, odoo-client-lib) call it right after authenticating."""
        user = Users(self.env.sudo(), self.model).read([self.env.uid], ["lang", "tz"])[0]
        return {"lang": user["lang"] or "en_US", "tz": user["tz"] or False, "uid": self.env.uid}

    @api.records()
    @check_identity
    def api_key_wizard(self, ids: Any) -> dict[str, Any]:
        """The "New API Key" button of the user's preferences: after the identity check, the
        action opening the API key description wizard."""
        ids = normalize_ids(ids)
        self._check_access("read")
        self._check_exist(ids)
        self._check_rules(ids, "read")
        return {"type": "ir.actions.act_window", "res_model": "res.users.apikeys.description",
                "name": "New API Key", "target": "new", "views": [[False, "form"]]}

    @api.model()
    def change_password(self, old_passwd: Any, new_passwd: Any) -> bool:
        from odoorpc_server.security import stored_password
        from odoorpc_server.verification import POOL

        stored = stored_password(self.conn, self.env.uid)
        if not isinstance(old_passwd, str) or not stored or not POOL.verify(old_passwd, stored):
            raise AccessDenied()
        if not new_passwd:
            raise UserError("Setting empty passwords is not allowed for security reasons!")
        Users(self.env.sudo(), self.model).write([self.env.uid], {"password": new_passwd})
        return True

    def _rounds(self) -> int:
        return int(getattr(self.env.settings, "password_rounds", DEFAULT_ROUNDS) or DEFAULT_ROUNDS)

    def _secret_value(self, name: str, value: Any) -> Any:
        """The password column holds Odoo's pbkdf2 hash; an empty password removes it."""
        if name != "password":
            return super()._secret_value(name, value)
        if value and not isinstance(value, str):
            raise ValueError(f"Wrong value for res.users.password: {value!r}")
        return hash_password(value, self._rounds()) if value else None

    def _check_login(self, login: Any, ids: list[int]) -> None:
        query = sa.select(self.table.c.id).where(self.table.c.login == login)
        if ids:
            query = query.where(not_in_values(self.table.c.id, ids))
        if len(ids) > 1 or self.conn.execute(query.limit(1)).first():
            raise ValidationError("The operation cannot be completed: You can not have two users with the "
                                  "same login !")

    def _prepare_create(self, vals: dict[str, Any]) -> dict[str, Any]:
        self._check_login(vals.get("login"), [])
        groups = groups_field(self.model)
        if groups not in vals:  # new users are internal users, as in Odoo
            group_user = xmlid_res_id(self.env, "base.group_user")
            vals[groups] = [(6, 0, [group_user] if group_user else [])]
        if not vals.get("partner_id"):
            partner = {"name": vals.get("name") or vals.get("login"), "email": vals.get("email") or False,
                       "company_id": vals.get("company_id") or False}
            vals["partner_id"] = self.env.sudo()["res.partner"].create(partner)
        if not vals.get("name"):
            vals["name"] = self.other("res.partner")._fetch_values([vals["partner_id"]], ["name"], False)[
                vals["partner_id"]]["name"]
        if "company_ids" not in vals and vals.get("company_id"):
            vals["company_ids"] = [(6, 0, [vals["company_id"]])]
        return vals

    def _prepare_write(self, ids: list[int], vals: dict[str, Any]) -> dict[str, Any]:
        if "login" in vals:
            self._check_login(vals["login"], ids)
        if vals.get("company_id") and "company_ids" not in vals:
            # a user may pick their current company, among the companies they are allowed
            allowed = self._x2many_values(self.model.fields["company_ids"], ids)
            if any(vals["company_id"] not in allowed[i] for i in ids):
                raise ValidationError("The chosen company is not in the allowed companies for this user")
        return vals

    def _after_write(self, ids: list[int], vals: dict[str, Any], created: bool = False) -> None:
        names = set(vals)
        mirrored = [n for n in ("name", "email") if n in names]
        if mirrored and not created:
            rows = self._fetch_values(ids, ["partner_id", *mirrored], False)
            for row in rows.values():
                self.env.sudo()["res.partner"].write([row["partner_id"]], {n: row[n] for n in mirrored})

    def _before_unlink(self, ids: list[int]) -> None:
        if 1 in ids or 2 in ids:
            raise UserError("You can not remove the admin user as it is used internally for resources created "
                            "by Odoo (updates, module installation, ...)")

    def _copy_defaults(self, vals: dict[str, Any]) -> dict[str, Any]:
        vals["login"] = f"{vals.get('login')} (copy)"
        if vals.get("name"):
            vals["name"] = f"{vals['name']} (copy)"
        vals.pop("partner_id", None)
        return vals
