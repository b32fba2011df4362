"""The `report` service of Odoo 10 and before (`/xmlrpc/2/report`): `render_report` answers a
report's PDF at once; `report` renders it and answers a ticket that `report_get` exchanges for
the same answer, once.

Odoo 10 turns every error of a rendering into a UserError reading `<message>: <details>`
(fault 2; the details, a traceback for errors other than Odoo's, are left out here); wrong
credentials stay Access Denied. Tickets live in the process that rendered them,
as in Odoo, and only their user may collect them.
"""
from __future__ import annotations

import base64
import itertools
import threading
from collections import OrderedDict
from typing import Any

from odoorpc_server.exceptions import AccessDenied, OdooError, UserError
from odoorpc_server.models.ir_actions_report import Printable, printable
from odoorpc_server.orm.env import Env
from odoorpc_server.orm.fields import INT_MAX, INT_MIN
from odoorpc_server.services.app import App
from odoorpc_server.services.call import within

MAX_TICKETS = 64  # rendered reports waiting for their report_get; the oldest are dropped


class ReportNotFound(Exception):
    """A `report_get` ticket this process does not hold (Odoo raises a bare Exception)."""

    odoo_name = "builtins.Exception"

    def __init__(self, text: str = "ReportNotFound") -> None:
        super().__init__(text)


_tickets: OrderedDict[int, tuple[str, int, dict[str, Any] | Exception]] = OrderedDict()
_lock = threading.Lock()
_numbers = itertools.count(1)


def _user(uid: Any) -> int:
    uid = int(uid)
    if not INT_MIN <= uid <= INT_MAX:
        raise AccessDenied()
    return uid


def _render(app: App, db: Any, uid: int, password: Any, report_name: Any, ids: Any,
            context: Any) -> dict[str, Any]:
    """The service's answer for one report: its PDF in base64 lines, as Odoo 10's encodestring."""
    context = context if isinstance(context, dict) else {}

    def work(env: Env) -> Printable:
        return printable(env, report_name, ids if isinstance(ids, list) else [ids])

    try:
        pdf = within(app, db, uid, password, context, False, work).pdf()  # laid out after the transaction
    except AccessDenied:
        raise
    except Exception as error:  # Odoo 10's DeferredException: the message, then the details
        raise UserError(f"{error.message if isinstance(error, OdooError) else error}: ") from None
    return {"state": True, "result": base64.encodebytes(pdf).decode("ascii"), "format": "pdf"}


def render_report(app: App, db: Any, uid: Any, password: Any, report_name: Any, ids: Any,
                  datas: Any = None, context: Any = None) -> dict[str, Any]:
    return _render(app, db, _user(uid), password, report_name, ids, context)


def report(app: App, db: Any, uid: Any, password: Any, report_name: Any, ids: Any,
           datas: Any = None, context: Any = None) -> int:
    uid = _user(uid)
    within(app, db, uid, password, {}, False, lambda env: None)  # Odoo checks credentials first
    outcome: dict[str, Any] | Exception
    try:
        outcome = _render(app, db, uid, password, report_name, ids, context)
    except UserError as error:
        outcome = error
    with _lock:
        number = next(_numbers)
        _tickets[number] = (str(db), uid, outcome)
        while len(_tickets) > MAX_TICKETS:
            _tickets.popitem(last=False)
    return number


def report_get(app: App, db: Any, uid: Any, password: Any, report_id: Any) -> dict[str, Any]:
    uid = _user(uid)
    within(app, db, uid, password, {}, False, lambda env: None)
    with _lock:
        found = _tickets.get(report_id) if isinstance(report_id, int) else None
        if found is None or found[0] != db:
            raise ReportNotFound()
        if found[1] != uid:
            raise ReportNotFound("AccessDenied")
        del _tickets[report_id]
    outcome = found[2]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


METHODS: dict[str, Any] = {"render_report": render_report, "report": report, "report_get": report_get}
