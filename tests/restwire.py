"""REST API (`restapi/1.0`) helpers for the tests: OAuth applications made the ways users make them
(`GET /start`, the command line), the OAuth 1.0a and 2.0 flows run by requests-oauthlib as a
client would run them, and a small client that gives back the status and decoded body."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from typing import Any

import requests
from requests_oauthlib import OAuth1Session, OAuth2Session

from conftest import Server
from odoorpc_server.protocols import xmldata

# requests-oauthlib refuses plain http unless told; the test servers listen on loopback
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

CALLBACK = "https://127.0.0.1/callback"


def api(server: Server, path: str) -> str:
    return f"{server.url}/restapi/1.0/{path}"


def start(server: Server) -> dict[str, str]:
    """The demo's `GET /start`: an application of the demo admin."""
    answer = requests.get(f"{server.url}/start", timeout=30)
    assert answer.status_code == 200, answer.text
    found: dict[str, str] = answer.json()
    return found


def cli_application(server: Server, login: str, redirect_uri: str | None = None) -> dict[str, str]:
    """An application of `login` made by the operator's command line."""
    where = ["--db-url", server.db_url] if server.db_url else ["--data-dir", str(server.data_dir)]
    cmd = [sys.executable, "-m", "odoorpc_server", "oauth", "create", *where, "--database", server.db,
           "--login", login, "--name", f"cli {uuid.uuid4().hex[:6]}",
           *(["--redirect-uri", redirect_uri] if redirect_uri else [])]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()[-2:]
    found = dict(line.split(": ", 1) for line in lines)
    assert set(found) == {"client_id", "client_secret"}, done.stdout
    return found


def oauth2_token(server: Server, app: dict[str, str]) -> dict[str, Any]:
    """The authorization-code flow as requests-oauthlib runs it: authorize, then the token."""
    session = OAuth2Session(app["client_id"], redirect_uri=CALLBACK)
    url, state = session.authorization_url(api(server, "common/oauth2/authorize"))
    granted = requests.get(url, timeout=30)
    assert granted.status_code == 200, granted.text
    assert granted.json()["state"] == state
    token: dict[str, Any] = session.fetch_token(api(server, "common/oauth2/access_token"),
                                                code=granted.json()["code"], client_secret=app["client_secret"],
                                                include_client_id=True)
    return token


def oauth2_session(server: Server, app: dict[str, str]) -> OAuth2Session:
    return OAuth2Session(app["client_id"], token=oauth2_token(server, app))


def oauth1_session(server: Server, app: dict[str, str], method: str = "HMAC-SHA1") -> OAuth1Session:
    """The three legs of OAuth 1.0a: request token, authorization (a JSON verifier), access token."""
    first = OAuth1Session(app["client_id"], client_secret=app["client_secret"], callback_uri=CALLBACK,
                          signature_method=method)
    request_token = first.fetch_request_token(api(server, "common/oauth1/request_token"))
    granted = requests.get(api(server, "common/oauth1/authorize"),
                           params={"oauth_token": request_token["oauth_token"]}, timeout=30)
    assert granted.status_code == 200, granted.text
    assert granted.json()["oauth_token"] == request_token["oauth_token"]
    second = OAuth1Session(app["client_id"], client_secret=app["client_secret"],
                           resource_owner_key=request_token["oauth_token"],
                           resource_owner_secret=request_token["oauth_token_secret"],
                           verifier=granted.json()["oauth_verifier"], signature_method=method)
    access = second.fetch_access_token(api(server, "common/oauth1/access_token"))
    return OAuth1Session(app["client_id"], client_secret=app["client_secret"],
                         resource_owner_key=access["oauth_token"], resource_owner_secret=access["oauth_token_secret"],
                         signature_method=method)


@dataclass
class Rest:
    """Calls of one authorized client: `call(verb, path, **params)` → (status, decoded body)."""

    server: Server
    session: requests.Session

    def call(self, verb: str, path: str, xml: bool = False, data: Any = None, json: Any = None,
             **params: Any) -> tuple[int, Any]:
        headers = {"Accept": "application/xml"} if xml else {}
        answer = self.session.request(verb, api(self.server, path), params=params or None, data=data, json=json,
                                      headers=headers, timeout=60)
        if xml:
            assert answer.headers["Content-Type"].startswith("application/xml"), answer.headers
            return answer.status_code, xmldata.loads(answer.content)
        assert answer.headers["Content-Type"].startswith("application/json"), (answer.headers, answer.text[:300])
        return answer.status_code, answer.json()

    def ok(self, verb: str, path: str, **params: Any) -> Any:
        status, body = self.call(verb, path, **params)
        assert status == 200, body
        return body

    def get(self, path: str, **params: Any) -> Any:
        return self.ok("GET", path, **params)
