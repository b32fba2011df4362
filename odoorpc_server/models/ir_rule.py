"""ir.rule: record rules, whose domains are validated (never executed) when written."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from odoorpc_server.exceptions import ValidationError
from odoorpc_server.orm import classes
from odoorpc_server.orm.models import BaseModel


@classes.register("ir.rule")
class Rule(BaseModel):
    SECURITY_FIELDS = True

    def _compute_rule_global(self, ids: list[int]) -> dict[int, Any]:
        """A rule without groups is global."""
        grouped = set(self.conn.execute(sa.text("SELECT rule_group_id FROM rule_group_rel")).scalars())
        return {i: i not in grouped for i in ids}

    def _constraints(self, columns: dict[str, Any]) -> None:
        if columns.get("domain_force"):
            from odoorpc_server.orm.access import eval_rule_domain
            from odoorpc_server.orm.where import validate

            try:
                domain = eval_rule_domain(columns["domain_force"], self.env)
            except (ValueError, SyntaxError) as error:
                raise ValidationError(f"Invalid domain: {error}") from None
            model_id = columns.get("model_id")
            if model_id:
                name = self.conn.execute(sa.text("SELECT model FROM ir_model WHERE id = :i"), {"i": model_id}).scalar()
                if isinstance(name, str) and name in self.env.registry:
                    validate(self.env.registry[name], domain, self.env.registry)
