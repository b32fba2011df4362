"""The report web route: `GET /report/pdf/<report_name>[/<docids>]` (docids "1,2") answers the
PDF of those records as the user of the web session, as Odoo's report controller does.

Without a live session the browser is sent to the login page (303, back here afterwards).
Errors are answered as Odoo's http routes answer them: refused access 403, a user error 400,
anything else 500 without its details.
"""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, InternalServerError
from werkzeug.routing import Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from odoorpc_server.exceptions import AccessDenied, AccessError, SessionExpired, UserError
from odoorpc_server.models.ir_actions_report import Printable, printable
from odoorpc_server.orm.env import Env
from odoorpc_server.protocols.web import session_key
from odoorpc_server.services.app import App
from odoorpc_server.services.call import within

log = logging.getLogger(__name__)


def docids_of(text: str | None) -> list[int]:
    """Odoo's reading of the docids segment: the comma-separated parts made of digits only."""
    return [int(part) for part in (text or "").split(",") if part.isdigit()]


def pdf(app: App, request: Request, report_name: str, docids: str | None = None) -> Response:
    try:
        key = session_key(app, request)
        ids = docids_of(docids)

        def work(env: Env) -> Printable:
            return printable(env, report_name, ids)

        # read in the transaction, laid out after it
        body = within(app, key.database or "", 0, key, {}, False, work).pdf()
    except SessionExpired:
        return redirect("/web/login?" + urlencode({"redirect": request.full_path}), 303)
    except Exception as error:  # shown as Odoo's http routes show it
        return failure(error)
    return Response(body, content_type="application/pdf", headers={"Content-Length": str(len(body))})


def failure(error: Exception) -> Response:
    answer: HTTPException
    if isinstance(error, HTTPException):
        answer = error
    elif isinstance(error, (AccessDenied, AccessError)):
        answer = Forbidden(str(error))
    elif isinstance(error, UserError):
        answer = BadRequest(str(error))
    else:
        log.error("report failed", exc_info=error)
        answer = InternalServerError()  # the details stay in the server's log
    response: Response = answer.get_response()
    return response


def routes(app: App) -> list[Rule]:
    def endpoint(app: App, request: Request, **values: Any) -> Response:
        return pdf(app, request, **values)

    return [Rule("/report/pdf/<report_name>", endpoint=endpoint, methods=["GET"]),
            Rule("/report/pdf/<report_name>/<docids>", endpoint=endpoint, methods=["GET"])]
