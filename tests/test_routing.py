"""HTTP routing as Odoo's werkzeug routing answers: the RPC endpoints take POST only (405 with an
Allow header otherwise), unknown paths are 404, and a trailing slash reaches the same endpoint."""
from __future__ import annotations

import http.client
import urllib.parse
import xmlrpc.client

from conftest import Server


def request(server: Server, method: str, path: str, body: bytes | None = None) -> http.client.HTTPResponse:
    parts = urllib.parse.urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request(method, path, body, {"Content-Type": "text/xml"} if body else {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_rpc_endpoints_take_post_only(server: Server) -> None:
    for path in ("/xmlrpc/2/common", "/xmlrpc/2/object", "/xmlrpc/db"):
        response = request(server, "GET", path)
        assert response.status == 405 and response.getheader("Allow") == "POST"


def test_start_takes_post_for_xmlrpc_and_get_for_the_rest_api(server: Server) -> None:
    """The demo's `/start`: POST is the XML-RPC `start()` of demo.odoo.com, GET the REST API
    demo's OAuth application; nothing else."""
    response = request(server, "PUT", "/start")
    assert response.status == 405
    assert sorted(response.getheader("Allow", "").replace(" ", "").split(",")) == ["GET", "HEAD", "POST"]
    assert request(server, "GET", "/start").getheader("Content-Type") == "application/json; charset=utf-8"


def test_unknown_paths_are_not_found(server: Server) -> None:
    # (`/xmlrpc/2` is the legacy endpoint of a service named "2", as in Odoo: a fault, not a 404)
    for path in ("/nope", "/xmlrpc", "/xmlrpc/2/common/extra", "/xmlrpc/3/common", "/web/nothing"):
        assert request(server, "POST", path, b"<methodCall/>").status == 404


def test_trailing_slash_reaches_the_endpoint(server: Server) -> None:
    body = xmlrpc.client.dumps((), "version").encode()
    response = request(server, "POST", "/xmlrpc/2/common/", body)
    assert response.status == 200


def test_unknown_service_is_odoos_key_error(server: Server) -> None:
    proxy = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/nothing")
    try:
        proxy.version()
    except xmlrpc.client.Fault as fault:
        assert fault.faultCode == 1 and fault.faultString.strip().splitlines()[-1] == "KeyError: 'nothing'"
    else:
        raise AssertionError("an unknown service must fault")
