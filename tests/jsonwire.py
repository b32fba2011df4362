"""A bare JSON-RPC client over `requests` for the tests: the whole envelope comes back, so a
test sees exactly what Odoo's clients see (result, error code, message, data)."""
from __future__ import annotations

import itertools
from typing import Any

import requests

_ids = itertools.count(1)


class Web:
    """One browser-like client: a cookie jar (the session) and JSON-RPC calls."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def post(self, path: str, params: Any = None, **extra: Any) -> dict[str, Any]:
        request_id = next(_ids)
        body = {"jsonrpc": "2.0", "method": "call", "params": {} if params is None else params, "id": request_id}
        response = self.http.post(self.url + path, json=body, timeout=60, **extra)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("application/json")
        envelope: dict[str, Any] = response.json()
        assert envelope["jsonrpc"] == "2.0" and envelope["id"] == request_id
        return envelope

    def result(self, path: str, params: Any = None) -> Any:
        envelope = self.post(path, params)
        assert "error" not in envelope, envelope["error"]
        return envelope.get("result")

    def error(self, path: str, params: Any = None) -> dict[str, Any]:
        envelope = self.post(path, params)
        assert "error" in envelope and "result" not in envelope, envelope
        error: dict[str, Any] = envelope["error"]
        return error

    def login(self, db: str, login: str = "admin", password: str = "admin") -> dict[str, Any]:
        info: dict[str, Any] = self.result("/web/session/authenticate", {"db": db, "login": login,
                                                                           "password": password})
        return info

    def call_kw(self, model: str, method: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self.post(f"/web/dataset/call_kw/{model}/{method}",
                         {"model": model, "method": method, "args": list(args), "kwargs": kwargs})

    def kw(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        envelope = self.call_kw(model, method, *args, **kwargs)
        assert "error" not in envelope, envelope["error"]
        return envelope.get("result")


def rpc(url: str, service: str, method: str, *args: Any) -> dict[str, Any]:
    """One `/jsonrpc` call; the whole envelope."""
    return Web(url).post("/jsonrpc", {"service": service, "method": method, "args": list(args)})
