"""Sync contacts (dicts, e.g. the rows of a CSV file) into Odoo's res.partner over XML-RPC.

A contact is matched by its `ref` (the id in the source system), else by its `email`; a match is
written only when a field differs, anything else is created. A call Odoo answers with a warning
(fault code 2: a UserError, which a busy or locked record may cause) is tried once more.

usage: python contact_sync.py URL DATABASE LOGIN PASSWORD_OR_API_KEY contacts.csv
"""
from __future__ import annotations

import csv
import sys
import time
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIELDS = ("name", "email", "phone", "city", "ref")
WARNING = 2  # Odoo's fault code of a UserError


@dataclass
class Report:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)


class Odoo:
    """A logged-in XML-RPC connection; `retry_pause` seconds between a warning and the retry."""

    def __init__(self, url: str, db: str, login: str, password: str, retry_pause: float = 0.5) -> None:
        self.db, self.password, self.retry_pause = db, password, retry_pause
        self.uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(db, login, password, {})
        if not self.uid:
            raise PermissionError(f"{login} cannot log in to {db}")
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def execute(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._execute(model, method, args, kwargs)
        except xmlrpc.client.Fault as fault:
            if fault.faultCode != WARNING:
                raise
            time.sleep(self.retry_pause)
            return self._execute(model, method, args, kwargs)

    def _execute(self, model: str, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return self.models.execute_kw(self.db, self.uid, self.password, model, method, list(args), kwargs)


def read_csv(path: str | Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def sync(odoo: Odoo, contacts: list[dict[str, Any]]) -> Report:
    report = Report()
    for contact in contacts:
        values = {k: contact[k] for k in FIELDS if contact.get(k)}
        found = find(odoo, values)
        if found is None:
            report.created.append(odoo.execute("res.partner", "create", values))
            continue
        changed = {k: v for k, v in values.items() if found.get(k) != v}
        if changed:
            odoo.execute("res.partner", "write", [found["id"]], changed)
            report.updated.append(found["id"])
        else:
            report.unchanged.append(found["id"])
    return report


def find(odoo: Odoo, values: dict[str, Any]) -> dict[str, Any] | None:
    """The partner with this ref, else with this email (case-insensitive), or None."""
    for key, operator in (("ref", "="), ("email", "=ilike")):
        if values.get(key):
            rows = odoo.execute("res.partner", "search_read", [[key, operator, values[key]]],
                                fields=list(FIELDS), limit=1)
            if rows:
                return dict(rows[0])
    return None


def main(argv: list[str]) -> int:
    url, db, login, password, path = argv
    report = sync(Odoo(url, db, login, password), read_csv(path))
    print(f"created {len(report.created)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
