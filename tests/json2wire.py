"""JSON-2 helpers for the tests: a 19.0 server, API keys made the way users make them, and a bare
client over `requests` that gives back the status, headers and decoded body of every answer."""
from __future__ import annotations

import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests

from conftest import Client, Server

ERROR_KEYS = {"name", "message", "arguments", "context", "debug"}


def make_key(client: Client, name: str = "json2 test") -> str:
    """A new API key of the client's user, through the wizard Odoo's preferences use."""
    wizard = client.x("res.users.apikeys.description", "create", {"name": name})
    action = client.x("res.users.apikeys.description", "make_key", [wizard])
    key: str = action["context"]["default_key"]
    return key


def cli_key(server: Server, login: str, scope: str | None = None, expires: str | None = None) -> str:
    """A key made by the operator's command line (any user, any scope or expiry)."""
    where = ["--db-url", server.db_url] if server.db_url else ["--data-dir", str(server.data_dir)]
    cmd = [sys.executable, "-m", "odoorpc_server", "apikey", "create", *where, "--database", server.db,
           "--login", login, "--name", f"cli {uuid.uuid4().hex[:6]}",
           *(["--scope", scope] if scope else []), *(["--expires", expires] if expires else [])]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def groups_field(client: Client) -> str:
    """res.users' groups field under the server's version (`group_ids` from 19.0 once renamed)."""
    names = client.x("res.users", "fields_get", attributes=["type"])
    return "group_ids" if "group_ids" in names else "groups_id"


def new_user(server: Server, kind: str = "plain") -> Client:
    """A plain internal user (Internal User only) or a portal user, logged in over XML-RPC."""
    admin = server.client()
    login = f"{kind}-{uuid.uuid4().hex[:8]}"
    vals: dict[str, Any] = {"name": f"{kind.title()} {login}", "login": login, "password": f"{kind}-pw"}
    if kind == "portal":
        portal = admin.x("ir.model.data", "search_read", [("module", "=", "base"), ("name", "=", "group_portal")],
                         ["res_id"])
        vals[groups_field(admin)] = [(6, 0, [portal[0]["res_id"]])]
    admin.x("res.users", "create", vals)
    return server.client(login, f"{kind}-pw")


@dataclass
class Answer:
    status: int
    headers: Any
    body: Any
    text: str


@dataclass
class Json2:
    """A JSON-2 caller with one key, sending what odoo-client-lib sends."""

    url: str
    key: str | None
    db: str | None = None
    http: requests.Session = field(default_factory=requests.Session)

    def headers(self, **extra: str) -> dict[str, str]:
        out = {"Content-Type": "application/json; charset=utf-8"}
        if self.key is not None:
            out["Authorization"] = f"bearer {self.key}"
        if self.db is not None:
            out["X-Odoo-Database"] = self.db
        out.update(extra)
        return out

    def send(self, path: str, body: Any = None, method: str = "POST", data: bytes | None = None,
             **headers: str) -> Answer:
        response = self.http.request(method, self.url + path, json=body if data is None else None, data=data,
                                     headers=self.headers(**headers), timeout=120)
        decoded = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else None
        return Answer(response.status_code, response.headers, decoded, response.text)

    def post(self, model: str, method: str, **params: Any) -> Answer:
        return self.send(f"/json/2/{model}/{method}", params)

    def ok(self, model: str, method: str, **params: Any) -> Any:
        answer = self.post(model, method, **params)
        assert answer.status == 200, answer.text
        assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
        return answer.body

    def error(self, model: str, method: str, status: int, **params: Any) -> dict[str, Any]:
        return error_of(self.post(model, method, **params), status)


def error_of(answer: Answer, status: int) -> dict[str, Any]:
    """The error body of an answer that must have `status`, checked to be Odoo 19's shape."""
    assert answer.status == status, answer.text
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    body: dict[str, Any] = answer.body
    assert set(body) == ERROR_KEYS, body
    assert isinstance(body["debug"], str) and body["context"] == {}
    return body


def named(body: dict[str, Any]) -> tuple[str, str]:
    return body["name"], body["message"]
