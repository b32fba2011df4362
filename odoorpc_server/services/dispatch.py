"""Routes a (service, method, params) call to the service function, as Odoo's dispatch_rpc."""
from __future__ import annotations

from typing import Any

from odoorpc_server.exceptions import UnknownObjectMethod, UnknownReportMethod, UnknownServiceMethod
from odoorpc_server.services import common, db, report
from odoorpc_server.services import object as object_service
from odoorpc_server.services.app import App
from odoorpc_server.services.call import PROTOCOL
from odoorpc_server.services.harness import observe

SERVICES: dict[str, dict[str, Any]] = {"common": common.METHODS, "db": db.METHODS, "object": object_service.METHODS}
# per service, the methods only the versions with a row of versions.DIFFERENCES have
VERSIONED: dict[str, dict[str, str]] = {"object": object_service.ROWS}
# the report service of Odoo 10 and before (later Odoo's dispatch_rpc does not know the name)
REPORT_SERVICE = "report"


def dispatch(app: App, service: str, method: str, params: Any, protocol: str = "xmlrpc") -> Any:
    if service == REPORT_SERVICE and app.settings.profile.has("report_xml"):
        found = report.METHODS.get(method)
        if found is None:
            raise UnknownReportMethod(method)
        return found(app, *params)
    methods = SERVICES[service]  # an unknown service is a KeyError, as in Odoo
    fn = methods.get(method)
    row = VERSIONED.get(service, {}).get(method) if isinstance(method, str) else None
    if row is not None and not app.settings.profile.has(row):
        fn = None  # the versions without it answer as for any unknown method
    if fn is None:
        if service == "object":
            raise UnknownObjectMethod(method)
        raise UnknownServiceMethod(method)
    if service == "object":  # the one call path observes its model method calls
        token = PROTOCOL.set(protocol)
        try:
            return fn(app, *params)
        finally:
            PROTOCOL.reset(token)
    with observe(app.harness, protocol, service, params[0] if service == "common" and params else None, None,
                 method, params, {}) as seen:
        return seen.keep(fn(app, *params))
