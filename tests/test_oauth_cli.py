"""`odoorpc-server oauth create | list | revoke`: an operator makes an application for a user
(its secret printed once, on the last line), lists applications without any secret, and revokes
one, which ends its tokens at once."""
from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from conftest import PG_URL, drop_pg_database, require_backend
from odoorpc_server.exceptions import OAuthFailed
from odoorpc_server.services import bootstrap
from odoorpc_server.services.app import App
from odoorpc_server.services.oauth import endpoint
from odoorpc_server.settings import Settings
from odoorpc_server.storage.database import Backend
from odoorpc_server.storage.oauth import SignedRequest

BASE = "http://127.0.0.1:8069/restapi/1.0"


@pytest.fixture()
def place(backend: str, tmp_path: Path) -> Iterator[tuple[list[str], App, str]]:
    """(the command line's database options, an App on that database, its name)."""
    require_backend(backend)
    db_url = PG_URL if backend == "postgresql" else None
    name = f"cli{uuid.uuid4().hex[:8]}"
    settings = Settings(data_dir=str(tmp_path), db_url=db_url, database=name, password_rounds=1000,
                        login_cooldown_after=0)
    storage = Backend(tmp_path, db_url)
    bootstrap.create(storage, name, settings)
    storage.dispose()
    app = App(settings)
    yield ["--database", name, *(["--db-url", db_url] if db_url else ["--data-dir", str(tmp_path)])], app, name
    app.backend.dispose()
    if db_url:
        drop_pg_database(name)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "odoorpc_server", "oauth", *args], capture_output=True, text=True,
                          timeout=60)


def token_of(app: App, db: str, client_id: str, secret: str) -> str:
    prepared = requests.Request("GET", f"{BASE}/common/oauth2/authorize?" + urlencode(
        {"client_id": client_id, "response_type": "code", "state": "s"})).prepare()
    code = endpoint(app, db, "oauth2/authorize", SignedRequest("GET", str(prepared.url), {}))["code"]
    form = {"grant_type": "authorization_code", "code": code, "client_id": client_id, "client_secret": secret}
    prepared = requests.Request("POST", f"{BASE}/common/oauth2/access_token", data=form).prepare()
    answer = endpoint(app, db, "oauth2/access_token", SignedRequest(
        "POST", str(prepared.url), {"Content-Type": "application/x-www-form-urlencoded"}, prepared.body))
    return str(answer["access_token"])


def uid_of(app: App, db: str, token: str) -> int:
    request = SignedRequest("GET", f"{BASE}/object/res.partner/search", {"Authorization": f"Bearer {token}"})
    with app.env(db, 0, write=False, password=request) as env:
        return int(env.uid)


def test_create_list_revoke(place: tuple[list[str], App, str]) -> None:
    where, app, db = place
    made = cli("create", *where, "--login", "admin", "--name", "Shop", "--redirect-uri", "https://shop.example/cb")
    assert made.returncode == 0, made.stderr
    lines = made.stdout.splitlines()
    assert lines[-2].startswith("client_id: ") and lines[-1].startswith("client_secret: ")
    client_id, secret = lines[-2].removeprefix("client_id: "), lines[-1].removeprefix("client_secret: ")
    assert len(client_id) == 32 and len(secret) == 32 and client_id.isalnum() and secret.isalnum()
    token = token_of(app, db, client_id, secret)
    assert uid_of(app, db, token) == 2

    listed = cli("list", *where)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0] == "client_id\tlogin\tname\tredirect_uri\tcreated"
    row = listed.stdout.splitlines()[1].split("\t")
    assert row[:4] == [client_id, "admin", "Shop", "https://shop.example/cb"]
    assert secret not in listed.stdout and len(listed.stdout.splitlines()) == 2
    assert cli("list", *where, "--login", "nobody").stdout.splitlines()[1:] == []

    revoked = cli("revoke", *where, client_id)
    assert (revoked.returncode, revoked.stdout) == (0, f"OAuth application {client_id} revoked\n")
    with pytest.raises(OAuthFailed):
        uid_of(app, db, token)
    assert cli("list", *where).stdout.splitlines()[1:] == []
    again = cli("revoke", *where, client_id)
    assert (again.returncode, again.stderr) == (1, f"odoorpc-server: no OAuth application with client id "
                                                   f"{client_id!r}\n")


def test_create_for_an_unknown_login_fails(place: tuple[list[str], App, str]) -> None:
    where, _, _ = place
    made = cli("create", *where, "--login", "nobody")
    assert (made.returncode, made.stdout, made.stderr) == (1, "", "odoorpc-server: no user with login 'nobody'\n")
