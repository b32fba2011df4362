"""XML-RPC as Odoo speaks it: stdlib (un)marshalling with Odoo's marshaller rules and
Odoo's fault codes (integers on /xmlrpc/2, strings on the legacy /xmlrpc endpoints).

Routes: `POST /xmlrpc/2/<service>`, `POST /xmlrpc/<service>` (legacy) and, in demo mode,
`POST /start` (demo.odoo.com's answer: where to connect, with which credentials)."""
from __future__ import annotations

import datetime as dt
import traceback
import xmlrpc.client
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from odoorpc_server.exceptions import FAULT_APPLICATION, AccessDenied, OdooError, UnknownServiceMethod, odoo_name
from odoorpc_server.protocols import xmlcodec
from odoorpc_server.services import demo
from odoorpc_server.services.app import App
from odoorpc_server.services.call import Rendered, rendering
from odoorpc_server.services.dispatch import dispatch

CONTROL_CHARACTERS = xmlcodec.CONTROL_CHARACTERS


Write = Callable[[str], Any]


def _dump_text(m: xmlrpc.client.Marshaller, value: str, write: Write) -> None:
    xmlrpc.client.Marshaller.dump_unicode(m, value.translate(CONTROL_CHARACTERS), write)


def _dump_bytes(m: xmlrpc.client.Marshaller, value: bytes, write: Write) -> None:
    _dump_text(m, value.decode(), write)


def _dump_datetime(m: xmlrpc.client.Marshaller, value: dt.datetime, write: Write) -> None:
    _dump_text(m, value.strftime("%Y-%m-%d %H:%M:%S"), write)


def _dump_date(m: xmlrpc.client.Marshaller, value: dt.date, write: Write) -> None:
    _dump_text(m, value.strftime("%Y-%m-%d"), write)


class OdooMarshaller(xmlrpc.client.Marshaller):
    """Odoo's output rules: no None, dates as strings, bytes as strings, control chars stripped."""

    dispatch: dict[Any, Any] = {  # type: ignore[assignment]
        **xmlrpc.client.Marshaller.dispatch,
        str: _dump_text, bytes: _dump_bytes, dt.datetime: _dump_datetime, dt.date: _dump_date,
        defaultdict: xmlrpc.client.Marshaller.dump_struct,
    }


def dumps(params: tuple[Any, ...] | xmlrpc.client.Fault) -> bytes:
    return b"".join(dump_chunks(params))


def dump_chunks(params: tuple[Any, ...] | xmlrpc.client.Fault) -> list[bytes]:
    """The methodResponse, in chunks (a big answer is never joined into one more copy: the
    response sends the chunks, its length their sum)."""
    marshaller = OdooMarshaller("utf-8", allow_none=False)
    head, tail = b"<?xml version='1.0'?>\n<methodResponse>\n", b"</methodResponse>\n"
    if isinstance(params, xmlrpc.client.Fault):
        return [head, marshaller.dumps(params).encode(), tail]
    return [head, *xmlcodec.params(params, marshaller), tail]


def fault(error: BaseException, legacy: bool) -> xmlrpc.client.Fault:
    """Odoo's faults, read off the error's class: Odoo's own exceptions carry their code and
    message; anything else is fault 1 with the traceback."""
    if legacy:
        return _legacy_fault(error)
    if isinstance(error, OdooError):
        return xmlrpc.client.Fault(error.fault_code, str(error))
    return xmlrpc.client.Fault(FAULT_APPLICATION, odoo_traceback(error))


def _legacy_fault(error: BaseException) -> xmlrpc.client.Fault:
    """The `/xmlrpc/<service>` endpoints: string fault codes, 'warning -- <label>' for Odoo's
    exceptions, the bare label for wrong credentials."""
    if isinstance(error, AccessDenied):
        return xmlrpc.client.Fault(error.legacy_label, str(error))  # type: ignore[arg-type]
    if isinstance(error, OdooError):
        return xmlrpc.client.Fault(f"warning -- {error.legacy_label}\n\n{error}", "")  # type: ignore[arg-type]
    text = "\n".join(str(a) for a in error.args) if error.args else str(error)
    return xmlrpc.client.Fault(text, odoo_traceback(error))  # type: ignore[arg-type]


def odoo_traceback(error: BaseException) -> str:
    """The traceback text, its last line naming the error as Odoo's would (`ValueError: ...`)."""
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    name = odoo_name(error).removeprefix("builtins.")
    text = str(error)
    lines[-1] = f"{name}: {text}\n" if text else f"{name}\n"
    return "".join(lines)


def handle(body: bytes, call: Callable[[str, tuple[Any, ...]], Any], legacy: bool = False) -> bytes:
    """Decode one request, run it, encode the answer or the fault."""
    return b"".join(handle_chunks(body, call, legacy))


def handle_chunks(body: bytes, call: Callable[[str, tuple[Any, ...]], Any], legacy: bool = False) -> list[bytes]:
    """`handle`, the answer in the chunks it was written in (inside the call's transaction)."""
    try:
        params, method = xmlrpc.client.loads(body)
        with rendering(lambda value: dump_chunks((value,))):
            result = call(method or "", params)
        return result.body if isinstance(result, Rendered) else dump_chunks((result,))
    except Exception as error:  # every failure becomes an Odoo-shaped fault
        try:
            return dump_chunks(fault(error, legacy))
        except Exception as inner:
            return dump_chunks(fault(inner, legacy))


CONTENT_TYPE = "text/xml; charset=utf-8"


def serve(app: App, request: Request, service: str, legacy: bool = False) -> Response:
    body = handle_chunks(request.get_data(), lambda method, params: dispatch(app, service, method, params), legacy)
    return Response(body, content_type=CONTENT_TYPE)


def serve_legacy(app: App, request: Request, service: str) -> Response:
    return serve(app, request, service, legacy=True)


def start(app: App, request: Request) -> Response:
    """demo.odoo.com's `start()`: a fresh demo database and its credentials (services.demo)."""
    def answer(method: str, params: tuple[Any, ...]) -> Any:
        if method != "start":
            raise UnknownServiceMethod(method)
        if params:
            given = f"{len(params)} {'was' if len(params) == 1 else 'were'}"
            raise TypeError(f"start() takes 0 positional arguments but {given} given")
        return demo.start(app)

    return Response(handle(request.get_data(), answer), content_type=CONTENT_TYPE)


def routes(app: App) -> list[Rule]:
    rules = [Rule("/xmlrpc/2/<service>", endpoint=serve, methods=["POST"]),
             Rule("/xmlrpc/<service>", endpoint=serve_legacy, methods=["POST"])]
    if app.settings.demo:
        rules.append(Rule("/start", endpoint=start, methods=["POST"]))
    return rules
