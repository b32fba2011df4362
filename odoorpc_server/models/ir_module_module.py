"""ir.module.module: the modules this server stands for (base, web and contacts, installed).
Nothing can be installed, upgraded or uninstalled: the buttons answer so, administrators only,
as Odoo's `assert_log_admin_access` lets only them reach those buttons."""
from __future__ import annotations

from typing import Any

from odoorpc_server.exceptions import AccessDenied, UserError
from odoorpc_server.orm import api, classes
from odoorpc_server.orm.access import has_group
from odoorpc_server.orm.models import BaseModel, normalize_ids

VERBS = {"install": "installed", "upgrade": "upgraded", "uninstall": "uninstalled"}


@classes.register("ir.module.module")
class Module(BaseModel):
    def _refuse(self, ids: Any, verb: str) -> None:
        """Odoo's admin check first (AccessDenied for anyone but an administrator), then the
        UserError saying which modules cannot be changed here."""
        ids = normalize_ids(ids)
        if not self.env.su and not has_group(self.env, "base.group_erp_manager"):
            raise AccessDenied()
        self._check_exist(ids)
        names = [r["name"] for r in self._read(ids, ["name"], None)]
        raise UserError(f"Modules cannot be {VERBS[verb]} on odoorpc-server: its modules are fixed "
                        f"(base, web and contacts). Requested: {', '.join(names) or 'none'}.")

    @api.records()
    def button_immediate_install(self, ids: Any) -> None:
        self._refuse(ids, "install")

    @api.records()
    def button_install(self, ids: Any) -> None:
        self._refuse(ids, "install")

    @api.records()
    def button_immediate_upgrade(self, ids: Any) -> None:
        self._refuse(ids, "upgrade")

    @api.records()
    def button_upgrade(self, ids: Any) -> None:
        self._refuse(ids, "upgrade")

    @api.records()
    def button_immediate_uninstall(self, ids: Any) -> None:
        self._refuse(ids, "uninstall")

    @api.records()
    def button_uninstall(self, ids: Any) -> None:
        self._refuse(ids, "uninstall")

    @api.model()
    def update_list(self) -> list[int]:
        """Odoo's "Update Apps List": [updated, added], always none here (administrators only)."""
        if not self.env.su and not has_group(self.env, "base.group_erp_manager"):
            raise AccessDenied()
        return [0, 0]

    def _before_unlink(self, ids: list[int]) -> None:
        raise UserError("You are trying to remove a module that is installed or will be installed.")
