"""What the JSON protocols answer differently by Odoo version: the JSON-RPC error code (200,
0 from Odoo 19) and web call_kw on an unknown model (Odoo 17's KeyError, Odoo 18's 404)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Server, require_backend, start_server, stop_server
from jsonwire import Web, rpc


@pytest.fixture(scope="module", params=["16.0", "18.0", "19.0"])
def versioned(request: pytest.FixtureRequest, backend: str,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_backend(backend)
    version = request.param
    srv = start_server(Path(tmp_path_factory.mktemp(f"webv-{backend}")), backend, ["--odoo-version", version])
    yield srv
    stop_server(srv)


def version_of(server: Server) -> str:
    answer: str = rpc(server.url, "common", "version")["result"]["server_version"]
    return answer


def test_each_profile_answers_its_version_on_every_json_route(versioned: Server) -> None:
    version = version_of(versioned)
    major = int(version.split(".")[0])
    assert Web(versioned.url).result("/web/webclient/version_info")["server_version_info"] == [
        major, 0, 0, "final", 0, ""]
    web = Web(versioned.url)
    info = web.login(versioned.db)
    assert info["server_version"] == version


def test_jsonrpc_error_code(versioned: Server) -> None:
    err = rpc(versioned.url, "object", "execute_kw", versioned.db, 2, "wrong", "res.partner", "search", [[]])
    expected = 0 if version_of(versioned) == "19.0" else 200
    assert err["error"]["code"] == expected and err["error"]["message"] == "Odoo Server Error"


def test_call_kw_unknown_model(versioned: Server) -> None:
    web = Web(versioned.url)
    web.login(versioned.db)
    err = web.call_kw("no.such.model", "search", [])["error"]
    if version_of(versioned) == "16.0":
        assert err["code"] == 200 and err["data"]["name"] == "builtins.KeyError"
    else:
        assert err["code"] == 404 and err["message"] == "404: Not Found"
        assert err["data"]["name"] == "werkzeug.exceptions.NotFound"
