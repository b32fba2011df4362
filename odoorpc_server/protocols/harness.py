"""The test harness's control route, present only when the server has a harness token
(`ODOORPC_HARNESS_TOKEN` or `serve --harness-token`): `POST /odoorpc/harness/faults` adds a fault
rule (services.harness.FaultRule's fields as a JSON object), `DELETE` clears a database's rules.
A request without the token's header gets 403 and changes nothing."""
from __future__ import annotations

import hmac
import json
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from odoorpc_server.services.app import App
from odoorpc_server.services.harness import TOKEN_HEADER, FaultRule

RULE_KEYS = frozenset({"database", "model", "method", "code", "message", "times", "delay"})
MAX_BODY = 64 * 1024


def is_harness(app: App, request: Request) -> bool:
    """Whether the request carries the server's harness token."""
    token, sent = app.settings.harness_token, request.headers.get(TOKEN_HEADER)
    return bool(token) and sent is not None and hmac.compare_digest(sent.encode(), token.encode())  # type: ignore[union-attr]


def _answer(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def faults(app: App, request: Request) -> Response:
    if not is_harness(app, request):
        return _answer(403, {"error": f"the {TOKEN_HEADER} header does not carry this server's harness token"})
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _answer(413, {"error": "body too large"})
    try:
        body = json.loads(request.get_data() or b"{}")
        if not isinstance(body, dict) or set(body) - RULE_KEYS:
            raise ValueError(f"expected a JSON object with keys among {sorted(RULE_KEYS)}")
        if request.method == "DELETE":
            database = body.get("database")
            if database is not None and not isinstance(database, str):
                raise ValueError("database must be a string or null")
            app.harness.clear(database)
        else:
            app.harness.add(FaultRule(**body))
    except (ValueError, TypeError) as error:
        return _answer(400, {"error": str(error)})
    return _answer(200, {"ok": True})


def routes(app: App) -> list[Rule]:
    if not app.settings.harness_token:
        return []
    return [Rule("/odoorpc/harness/faults", endpoint=faults, methods=["POST", "DELETE"])]
